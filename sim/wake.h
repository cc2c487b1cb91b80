/* sim/wake.h (internal): when each neuron must next be looked at although no input reaches it (its
 * model's next_check: a lower bound on its next threshold crossing). A calendar of windows with
 * lazy deletion: setting a neuron's time appends its id to the bucket of that time's window and
 * records the time as the neuron's current one; entries whose neuron has since been given another
 * time are skipped when their bucket comes up. Setting is O(1) and taking a window's due neurons
 * is linear in its entries, where a binary heap paid O(log N) per change — and in a network whose
 * every neuron has a finite next check (E_L above threshold, as in the Vogels-Abbott benchmark)
 * the neuron's time changes after every window it is touched in. Times beyond the ring wait in an
 * overflow list that is sorted out each time the ring comes round. */
#ifndef SQ_WAKE_H
#define SQ_WAKE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t *ids;
    size_t n, cap;
} sq__wake_list;

typedef struct {
    double *time;            /* per neuron: its current wake-up time, INFINITY for none */
    uint8_t *in_far;         /* per neuron: listed in `far` */
    int64_t *filed;          /* per neuron: the window whose bucket lists it, -1 for none */
    sq__wake_list *buckets;  /* ring: window k's ids in buckets[k % n_buckets] */
    size_t n_buckets;
    sq__wake_list far;       /* times at least n_buckets windows ahead */
    sq__wake_list taking;    /* the ids handed out by the last sq__wake_take */
    double window, inv_window; /* ms, 1/ms */
    int64_t current;         /* window whose bucket is next to be taken */
    int oom;                 /* an append failed */
} sq__wake;

int sq__wake_init(sq__wake *w, uint32_t n_neurons, double window);
void sq__wake_free(sq__wake *w);

/* Neuron id's wake-up time becomes t (>= the current window's start; INFINITY = none). */
void sq__wake_set(sq__wake *w, uint32_t id, double t);

/* The ids listed for window k = w->current whose time is before t_end. An id may appear twice, and
 * its time may move on while the caller works through the list (the caller looks at each neuron
 * again, so it must check time[id] < t_end before handling it). Borrowed until the next call, and
 * never appended to meanwhile, so the caller may set times while it iterates. With window_done
 * the calendar moves on to window k + 1; without (a run that stops inside the window) the ids not
 * yet due stay listed for window k. */
const uint32_t *sq__wake_take(sq__wake *w, double t_end, int window_done, size_t *n);

#endif
