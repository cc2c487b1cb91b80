/* sim/queue.h (internal): the spike queue. One entry per emitted spike and delay group, never one
 * per synaptic event: an entry names a source and one of its delay groups, and delivery walks that
 * group's contiguous synapses. Entries are kept in a calendar of synchronisation windows (a ring
 * of buckets, one per window, as long as the longest delay needs) and each window's bucket is
 * sorted once, by (arrival time, source id, group), before delivery: that order is the tie-break
 * rule that makes runs reproducible. Tested in tests/test_queue.c against a sorted reference. */
#ifndef SQ_QUEUE_H
#define SQ_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double t;       /* arrival time, ms */
    uint32_t src;   /* global id of the source neuron */
    uint32_t group; /* index of the (source, delay) group */
} sq__entry;

typedef struct {
    sq__entry *items;
    size_t n, cap;
} sq__bucket;

typedef struct {
    sq__bucket *buckets;
    size_t n_buckets;   /* ring length, in windows */
    double window, inv_window; /* ms, 1/ms */
    int64_t current;    /* index of the window being delivered */
} sq__queue;

/* A ring for windows of `window` ms and arrivals at most `horizon` ms after the current window.
 * Returns 0 or SQ_ENOMEM. */
int sq__queue_init(sq__queue *q, double window, double horizon);
void sq__queue_free(sq__queue *q);

/* Index of the window holding time t: the k with k*window <= t < (k+1)*window, exact at the
 * boundaries even where t*inv_window rounds the other way (window bounds everywhere are the
 * products k*window). inv_window = 1/window. */
static inline int64_t sq__window_index(double t, double window, double inv_window)
{
    double q = t * inv_window;
    int64_t k = (int64_t)q;
    if (q < (double)k) /* truncation went up: t < 0 */
        k--;
    while ((double)k * window > t)
        k--;
    while ((double)(k + 1) * window <= t)
        k++;
    return k;
}

int64_t sq__queue_window_of(const sq__queue *q, double t);

/* Adds an entry arriving after the current window. Grows the bucket geometrically, so after the
 * first windows no allocation happens. Returns 0 or SQ_ENOMEM. */
int sq__queue_push(sq__queue *q, sq__entry e);

/* Sorts the current window's bucket and returns its entries (borrowed until the next push or
 * advance). */
sq__entry *sq__queue_take(sq__queue *q, size_t *n);

/* Drops the first n_done entries of the current bucket (delivered), keeping the rest (for a run
 * that stops inside a window). */
void sq__queue_consume(sq__queue *q, size_t n_done);

/* Moves on to the next window; the current bucket must be empty. */
void sq__queue_advance(sq__queue *q);

#endif
