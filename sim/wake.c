/* sim/wake.c: the calendar of neurons' wake-up times (see wake.h). */
#include "wake.h"

#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "queue.h"

#define WAKE_BUCKETS 1024 /* a power of two: bucket = window & (WAKE_BUCKETS - 1) */

static int append(sq__wake_list *l, uint32_t id)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        uint32_t *ids = realloc(l->ids, cap * sizeof *ids);
        if (!ids)
            return -1;
        l->ids = ids;
        l->cap = cap;
    }
    l->ids[l->n++] = id;
    return 0;
}

int sq__wake_init(sq__wake *w, uint32_t n_neurons, double window)
{
    w->time = malloc(((size_t)n_neurons + 1) * sizeof *w->time);
    w->in_far = calloc((size_t)n_neurons + 1, sizeof *w->in_far);
    w->filed = malloc(((size_t)n_neurons + 1) * sizeof *w->filed);
    w->buckets = calloc(WAKE_BUCKETS, sizeof *w->buckets);
    w->n_buckets = WAKE_BUCKETS;
    w->far = (sq__wake_list){0};
    w->taking = (sq__wake_list){0};
    w->window = window;
    w->inv_window = 1.0 / window;
    w->current = 0;
    w->oom = 0;
    if (!w->time || !w->in_far || !w->filed || !w->buckets)
        return SQ_ENOMEM;
    for (uint32_t i = 0; i < n_neurons; i++) {
        w->time[i] = INFINITY;
        w->filed[i] = -1;
    }
    return 0;
}

void sq__wake_free(sq__wake *w)
{
    for (size_t b = 0; w->buckets && b < w->n_buckets; b++)
        free(w->buckets[b].ids);
    free(w->buckets);
    free(w->far.ids);
    free(w->taking.ids);
    free(w->time);
    free(w->in_far);
    free(w->filed);
    w->buckets = NULL;
    w->far.ids = w->taking.ids = NULL;
    w->time = NULL;
    w->in_far = NULL;
    w->filed = NULL;
}

static int64_t window_of(const sq__wake *w, double t)
{
    return sq__window_index(t, w->window, w->inv_window);
}

static void file(sq__wake *w, uint32_t id, double t)
{
    int64_t k = window_of(w, t);
    if (k < w->current)
        k = w->current;
    if (k - w->current < (int64_t)w->n_buckets) {
        if (w->filed[id] == k)
            return; /* already listed for that window; the new time is what counts */
        w->filed[id] = k;
        if (append(&w->buckets[(uint64_t)k & (w->n_buckets - 1)], id) < 0)
            w->oom = 1;
    } else if (!w->in_far[id]) {
        w->in_far[id] = 1;
        if (append(&w->far, id) < 0)
            w->oom = 1;
    }
}

void sq__wake_set(sq__wake *w, uint32_t id, double t)
{
    if (t == w->time[id])
        return;
    w->time[id] = t;
    if (t != INFINITY)
        file(w, id, t);
}

/* The ring came round: file the overflow ids that are now within reach. */
static void refile_far(sq__wake *w)
{
    size_t keep = 0;
    for (size_t i = 0; i < w->far.n; i++) {
        uint32_t id = w->far.ids[i];
        w->in_far[id] = 0;
        if (w->time[id] == INFINITY)
            continue;
        if (window_of(w, w->time[id]) - w->current < (int64_t)w->n_buckets) {
            file(w, id, w->time[id]);
        } else {
            w->in_far[id] = 1;
            w->far.ids[keep++] = id;
        }
    }
    w->far.n = keep;
}

const uint32_t *sq__wake_take(sq__wake *w, double t_end, int window_done, size_t *n)
{
    /* Swap the bucket out, so that times set while the caller works go to a fresh array. */
    sq__wake_list *b = &w->buckets[(uint64_t)w->current & (w->n_buckets - 1)];
    sq__wake_list l = *b;
    *b = w->taking;
    b->n = 0;
    size_t m = 0;
    for (size_t i = 0; i < l.n; i++) {
        uint32_t id = l.ids[i];
        if (w->filed[id] == w->current)
            w->filed[id] = -1; /* this listing is used up */
        if (w->time[id] < t_end)
            l.ids[m++] = id;
        else if (!window_done && w->time[id] != INFINITY && window_of(w, w->time[id]) == w->current)
            file(w, id, w->time[id]); /* due later in this window: the run resumes inside it */
    }
    l.n = m;
    w->taking = l;
    *n = m;
    if (window_done) {
        w->current++;
        if (((uint64_t)w->current & (w->n_buckets - 1)) == 0)
            refile_far(w);
    }
    return l.ids;
}
