/* sim/weights.c: reading the synapses of one projection back out of a simulation (for weight
 * snapshots, /weights/<projection> in the output file). The synapses live in the parts' stores in
 * an order that depends on the number of threads; they are returned sorted by (source, target,
 * delay, weight), so a snapshot is the same file at any thread count. Plastic weights are settled
 * first (sim/learning.c), so every post spike before the current time is in them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "weights.h"

const char *sq_proj_spec_name(const sq_proj_spec *p, char *buf, size_t cap)
{
    if (p->name)
        snprintf(buf, cap, "%s", p->name);
    else
        snprintf(buf, cap, "%s_to_%s", p->source, p->target);
    return buf;
}

static int find_special(const sq_sim *sim, const char *name)
{
    for (uint32_t k = 0; k < sim->n_specials; k++)
        if (strcmp(sim->specials[k].name, name) == 0)
            return (int)k;
    return -1;
}

size_t sq_sim_weight_projection_count(const sq_sim *sim)
{
    return sim->n_specials;
}

const char *sq_sim_weight_projection_name(const sq_sim *sim, size_t k)
{
    return k < sim->n_specials ? sim->specials[k].name : NULL;
}

typedef struct {
    uint32_t source, target;
    float delay, weight;
} row;

static int row_order(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    if (x->target != y->target)
        return x->target < y->target ? -1 : 1;
    if (x->delay != y->delay)
        return x->delay < y->delay ? -1 : 1;
    return (x->weight > y->weight) - (x->weight < y->weight);
}

static size_t collect(const sq_sim *sim, uint32_t k, row *out)
{
    const sq__special *s = &sim->specials[k];
    const sq__pop *sp = &sim->pops[s->src_pop], *tp = &sim->pops[s->tgt_pop];
    size_t n = 0;
    for (uint32_t q = 0; q < sim->n_parts; q++) {
        const sq__part *part = &sim->parts[q];
        const sq__synapses *syn = &part->syn;
        for (uint32_t i = sp->first; i < sp->first + sp->n; i++)
            for (uint64_t g = syn->group_off[i]; g < syn->group_off[i + 1]; g++) {
                if (part->group_special[g] != k + 1)
                    continue;
                float delay = (float)(syn->group_delay[g] * sim->resolution);
                for (uint64_t j = syn->syn_off[g]; j < syn->syn_off[g + 1]; j++) {
                    if (out)
                        out[n] = (row){i - sp->first, syn->target[j] - tp->first, delay, syn->weight[j]};
                    n++;
                }
            }
    }
    return n;
}

int sq_sim_get_weights(sq_sim *sim, const char *projection, sq_weights *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    int k = projection ? find_special(sim, projection) : -1;
    if (k < 0)
        return sq_fail(err, SQ_EINVAL, "%s: weights of \"%s\": expected the name of a plastic projection or one with record_weights",
                       sim->origin, projection ? projection : "");
    sq__learning_settle_all(sim);
    size_t n = collect(sim, (uint32_t)k, NULL);
    row *rows = malloc((n + 1) * sizeof *rows);
    out->source = malloc((n + 1) * sizeof *out->source);
    out->target = malloc((n + 1) * sizeof *out->target);
    out->delay = malloc((n + 1) * sizeof *out->delay);
    out->weight = malloc((n + 1) * sizeof *out->weight);
    if (!rows || !out->source || !out->target || !out->delay || !out->weight) {
        free(rows);
        sq_weights_free(out);
        return sq_fail(err, SQ_ENOMEM, "out of memory for the %zu synapses of %s", n, projection);
    }
    collect(sim, (uint32_t)k, rows);
    qsort(rows, n, sizeof *rows, row_order);
    for (size_t i = 0; i < n; i++) {
        out->source[i] = rows[i].source;
        out->target[i] = rows[i].target;
        out->delay[i] = rows[i].delay;
        out->weight[i] = rows[i].weight;
    }
    out->n = n;
    free(rows);
    return 0;
}

int sq_sim_set_weight(sq_sim *sim, const char *projection, uint32_t source, uint32_t target, float w, size_t *n_set,
                      sq_err *err)
{
    int k = projection ? find_special(sim, projection) : -1;
    *n_set = 0;
    if (k < 0)
        return sq_fail(err, SQ_EINVAL, "%s: set weight of \"%s\": expected the name of a plastic projection or one with record_weights",
                       sim->origin, projection ? projection : "");
    const sq__special *s = &sim->specials[k];
    const sq__pop *sp = &sim->pops[s->src_pop], *tp = &sim->pops[s->tgt_pop];
    sq__learning_settle_all(sim); /* pending post spikes apply to the old weight */
    if (source >= sp->n || target >= tp->n)
        return sq_fail(err, SQ_EINVAL, "%s: set weight of %s: expected source < %u and target < %u, got %u -> %u",
                       sim->origin, projection, sp->n, tp->n, source, target);
    for (uint32_t q = 0; q < sim->n_parts; q++) {
        sq__part *part = &sim->parts[q];
        sq__synapses *syn = &part->syn;
        uint32_t i = sp->first + source;
        for (uint64_t g = syn->group_off[i]; g < syn->group_off[i + 1]; g++)
            for (uint64_t j = syn->syn_off[g]; part->group_special[g] == k + 1 && j < syn->syn_off[g + 1]; j++)
                if (syn->target[j] == tp->first + target) {
                    syn->weight[j] = w;
                    (*n_set)++;
                }
    }
    return 0;
}

void sq_weights_free(sq_weights *w)
{
    if (!w)
        return;
    free(w->source);
    free(w->target);
    free(w->delay);
    free(w->weight);
    memset(w, 0, sizeof *w);
}
