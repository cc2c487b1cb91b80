/* encoders/spike_list.c: the bounded, growing (neuron, time) list every encoder writes into. */
#include <stdlib.h>

#include "encoder.h"

int sq_spike_list_push(sq_spike_list *l, uint32_t id, double t)
{
    if (l->n >= l->max)
        return SQ_ERANGE;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        if (cap > l->max)
            cap = l->max;
        uint32_t *ids = realloc(l->id, cap * sizeof *ids);
        if (!ids)
            return SQ_ENOMEM;
        l->id = ids;
        double *ts = realloc(l->t, cap * sizeof *ts);
        if (!ts)
            return SQ_ENOMEM;
        l->t = ts;
        l->cap = cap;
    }
    l->id[l->n] = id;
    l->t[l->n++] = t;
    return 0;
}

void sq_spike_list_free(sq_spike_list *l)
{
    if (!l)
        return;
    free(l->id);
    free(l->t);
    size_t max = l->max;
    *l = (sq_spike_list){.max = max};
}

int sq__encode_push(const sq_encode_ctx *c, sq_spike_list *out, uint32_t id, double t, sq_err *err)
{
    int rc = sq_spike_list_push(out, id, t);
    if (rc == SQ_ERANGE)
        return sq_fail(err, rc, "%s: expected at most max_spikes = %zu spikes, got more (at sample %llu)", c->where,
                       out->max, (unsigned long long)c->sample);
    if (rc < 0)
        return sq_fail(err, rc, "%s: out of memory for %zu spikes (at sample %llu)", c->where, out->n + 1,
                       (unsigned long long)c->sample);
    return 0;
}
