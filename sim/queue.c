/* sim/queue.c: the calendar of spike entries (see queue.h). */
#include "queue.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int sq__queue_init(sq__queue *q, double window, double horizon)
{
    /* +2: the current window plus the partial window the longest delay can reach into; rounded up
     * to a power of two so that a window's bucket is a mask, not a division. */
    size_t need = (size_t)ceil(horizon / window) + 2, n = 1;
    while (n < need)
        n *= 2;
    q->buckets = calloc(n, sizeof *q->buckets);
    if (!q->buckets)
        return SQ_ENOMEM;
    q->n_buckets = n;
    q->window = window;
    q->inv_window = 1.0 / window;
    q->current = 0;
    return 0;
}

void sq__queue_free(sq__queue *q)
{
    if (!q->buckets)
        return;
    for (size_t i = 0; i < q->n_buckets; i++)
        free(q->buckets[i].items);
    free(q->buckets);
    q->buckets = NULL;
}

int64_t sq__queue_window_of(const sq__queue *q, double t)
{
    return sq__window_index(t, q->window, q->inv_window);
}

int sq__queue_push(sq__queue *q, sq__entry e)
{
    int64_t k = sq__queue_window_of(q, e.t);
    if (k <= q->current)
        k = q->current + 1; /* delays >= window guarantee this; rounding could say otherwise */
    sq__bucket *b = &q->buckets[(uint64_t)k & (q->n_buckets - 1)];
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        sq__entry *items = realloc(b->items, cap * sizeof *items);
        if (!items)
            return SQ_ENOMEM;
        b->items = items;
        b->cap = cap;
    }
    b->items[b->n++] = e;
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const sq__entry *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    return (a->group > b->group) - (a->group < b->group);
}

sq__entry *sq__queue_take(sq__queue *q, size_t *n)
{
    sq__bucket *b = &q->buckets[(uint64_t)q->current & (q->n_buckets - 1)];
    if (b->n > 1)
        qsort(b->items, b->n, sizeof *b->items, entry_cmp);
    *n = b->n;
    return b->items;
}

void sq__queue_consume(sq__queue *q, size_t n_done)
{
    sq__bucket *b = &q->buckets[(uint64_t)q->current & (q->n_buckets - 1)];
    if (n_done == 0)
        return;
    memmove(b->items, b->items + n_done, (b->n - n_done) * sizeof *b->items);
    b->n -= n_done;
}

void sq__queue_advance(sq__queue *q)
{
    q->current++;
}
