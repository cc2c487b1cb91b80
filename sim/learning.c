/* sim/learning.c: the engine's side of synaptic plasticity at run time (plasticity/rule.h; the state
 * is built in sim/learning_build.c): the hooks the run loop calls, settling, sweeps, modulation.
 *
 * The update is event-driven and exact (Morrison, Diesmann & Gerstner 2008, Biol Cybern 98:459,
 * the scheme of NEST's archiving node): a rule's presynaptic state is kept once per delay group
 * and moved through the group's arrivals when the window's entries are scattered (in time order,
 * so before any neuron runs: each entry keeps the state its group had before it); a target's spikes
 * are appended to a post history; and a synapse, at its next arrival, first catches up on the post
 * spikes since its previous one (on_post), then applies the arrival (on_pre). A part settles its
 * synapses -- applies every post spike before a window boundary to all of them and drops it from
 * the histories -- when the histories have grown past a budget and before weights are read, so the
 * memory stays bounded and a weight read is exact. All of it touches only the part's own synapses
 * and neurons, so it needs no locks and does not depend on the number of threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "weights.h"

#define NO_SLOT UINT32_MAX


int sq__learning_arrivals(sq__part *part, const sq__entry *e, size_t n)
{
    const sq_sim *sim = part->sim;
    size_t stride = sim->stride_pre;
    if (n > part->entry_cap) {
        size_t cap = part->entry_cap ? part->entry_cap : 1024;
        while (cap < n)
            cap *= 2;
        double *pre = realloc(part->entry_pre, cap * stride * sizeof *pre);
        if (pre)
            part->entry_pre = pre;
        float *f = realloc(part->entry_factor, cap * sizeof *f);
        if (f)
            part->entry_factor = f;
        if (!pre || !f)
            return SQ_ENOMEM;
        part->entry_cap = cap;
    }
    for (size_t k = 0; k < n; k++) {
        uint32_t slot = part->group_slot[e[k].group];
        part->entry_factor[k] = 1.0f;
        if (slot == NO_SLOT)
            continue;
        const sq__special *s = &sim->specials[part->group_special[e[k].group] - 1];
        double *rec = part->group_pre + (size_t)slot * stride;
        memcpy(part->entry_pre + k * stride, rec, stride * sizeof *rec);
        part->entry_factor[k] = (float)s->rule->pre_arrival(s->p, s->d, rec + 1, rec[0], e[k].t);
        rec[0] = e[k].t;
    }
    return 0;
}

/* The first record of h at or after time t (records are in time order). */
static uint32_t first_at(const sq__history *h, size_t stride, double t)
{
    uint32_t lo = 0, hi = h->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (h->rec[(size_t)mid * stride] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Synapse j's rule state beside its weight, or NULL. */
static float *syn_state(const sq__part *part, uint64_t j)
{
    return part->syn_state ? part->syn_state + j * part->sim->stride_syn : NULL;
}

/* first_at(), answered at once in the common case of an arrival after the target's last spike. */
static uint32_t first_at_from_end(const sq__history *h, size_t stride, double t)
{
    if (h->n == 0 || h->rec[(size_t)(h->n - 1) * stride] < t)
        return h->n;
    return first_at(h, stride, t);
}

/* Applies the post spikes of h in [from, to) to synapse weight w, with the group's pre state pre. */
static void catch_up(const sq__special *s, const sq__history *h, const double *pre, double from, double to, float *w,
                     float *syn)
{
    size_t stride = s->stride_post;
    /* Most arrivals find no post spike since the synapse's previous one. */
    if (!s->rule->on_post || h->n == 0 || h->rec[(size_t)(h->n - 1) * stride] < from)
        return;
    for (uint32_t r = first_at(h, stride, from); r < h->n; r++) {
        const double *rec = h->rec + (size_t)r * stride;
        if (!(rec[0] < to))
            break;
        s->rule->on_post(s->p, s->d, pre + 1, pre[0], rec + 1, rec[0], s->mod + 1, w, syn);
    }
}

double sq__learning_input(sq__part *part, uint32_t gid, const sq__input *in, double t, unsigned *receptor)
{
    const sq_sim *sim = part->sim;
    uint32_t g = part->window_entries[in->entry].group;
    uint16_t c = part->group_special ? part->group_special[g] : 0;
    *receptor = 0;
    if (c == 0)
        return in->w;
    const sq__special *s = &sim->specials[c - 1];
    *receptor = s->receptor;
    if (!s->per_synapse)
        return in->w;
    const double *pre = part->entry_pre + (size_t)in->entry * sim->stride_pre;
    float *w = &part->syn.weight[in->syn], *ss = syn_state(part, in->syn);
    double sent = *w, factor = part->entry_factor[in->entry];
    if (s->hist) {
        uint32_t local = gid - sim->pops[s->tgt_pop].first;
        const sq__history *h = &s->hist[local];
        catch_up(s, h, pre, pre[0] > part->settled ? pre[0] : part->settled, t, w, ss);
        uint32_t r = first_at_from_end(h, s->stride_post, t);
        const double *post = r ? h->rec + (size_t)(r - 1) * s->stride_post : s->base + (size_t)local * s->stride_post;
        if (s->rule->on_pre)
            sent = s->rule->on_pre(s->p, s->d, pre + 1, pre[0], post + 1, post[0], t, s->mod + 1, w, ss);
    } else if (s->rule->on_pre) {
        double none[SQ_MAX_RULE_STATE] = {0};
        sent = s->rule->on_pre(s->p, s->d, pre + 1, pre[0], none, -INFINITY, t, s->mod + 1, w, ss);
    }
    return sent * factor;
}

static int grow_history(sq__history *h, size_t stride)
{
    uint32_t cap = h->cap ? 2 * h->cap : 4;
    double *rec = realloc(h->rec, (size_t)cap * stride * sizeof *rec);
    if (!rec)
        return SQ_ENOMEM;
    h->rec = rec;
    h->cap = cap;
    return 0;
}

void sq__learning_spike(sq__part *part, uint32_t gid, double t)
{
    const sq_sim *sim = part->sim;
    uint16_t pop = sim->pop_of[gid];
    for (uint32_t k = 0; k < sim->n_post_rules[pop]; k++) {
        const sq__special *s = &sim->specials[sim->post_rules[pop][k]];
        uint32_t local = gid - sim->pops[pop].first;
        sq__history *h = &s->hist[local];
        size_t stride = s->stride_post;
        if (h->n == h->cap && grow_history(h, stride) < 0) {
            part->oom = 1;
            return;
        }
        const double *prev = h->n ? h->rec + (size_t)(h->n - 1) * stride : s->base + (size_t)local * stride;
        double *rec = h->rec + (size_t)h->n++ * stride;
        memcpy(rec, prev, stride * sizeof *rec);
        rec[0] = t + s->dendritic_delay;
        s->rule->post_spike(s->p, s->d, rec + 1, prev[0], rec[0]);
        part->n_records++;
    }
}

int sq__learning_due(const sq__part *part)
{
    /* Settling walks every plastic synapse of the part: doing it once some 16 spikes a target
     * neuron have gathered keeps its cost a small fraction of delivering them. */
    return part->n_records > 16 * (uint64_t)part->n_owned + 4096;
}

/* Drops the records before t from the histories of part's neurons in s's target population. */
static void prune(sq__part *part, const sq__special *s, double t)
{
    const sq_sim *sim = part->sim;
    const sq__pop *tp = &sim->pops[s->tgt_pop];
    size_t stride = s->stride_post;
    uint32_t g0, g1;
    for (uint32_t b = 0; sq__part_block(sim, part, b, &g0, &g1); b++)
        for (uint32_t gid = g0 > tp->first ? g0 : tp->first; gid < g1 && gid < tp->first + tp->n; gid++) {
            sq__history *h = &s->hist[gid - tp->first];
            uint32_t r = first_at(h, stride, t);
            if (r == 0)
                continue;
            memcpy(s->base + (size_t)(gid - tp->first) * stride, h->rec + (size_t)(r - 1) * stride, stride * sizeof(double));
            memmove(h->rec, h->rec + (size_t)r * stride, (size_t)(h->n - r) * stride * sizeof(double));
            h->n -= r;
            part->n_records -= r;
        }
}

void sq__learning_settle(sq__part *part, double t)
{
    const sq_sim *sim = part->sim;
    const sq__synapses *syn = &part->syn;
    if (!part->group_slot || part->settled >= t)
        return;
    for (uint64_t g = 0; g < syn->n_groups; g++) {
        uint32_t slot = part->group_slot[g];
        if (slot == NO_SLOT)
            continue;
        const sq__special *s = &sim->specials[part->group_special[g] - 1];
        const double *pre = part->group_pre + (size_t)slot * sim->stride_pre;
        if (!s->hist || !s->rule->on_post)
            continue;
        uint32_t first = sim->pops[s->tgt_pop].first;
        double from = pre[0] > part->settled ? pre[0] : part->settled;
        for (uint64_t j = syn->syn_off[g]; j < syn->syn_off[g + 1]; j++)
            catch_up(s, &s->hist[syn->target[j] - first], pre, from, t, &syn->weight[j], syn_state(part, j));
    }
    for (uint32_t k = 0; k < sim->n_specials; k++)
        if (sim->specials[k].hist)
            prune(part, &sim->specials[k], t);
    part->settled = t;
}

/* ---- modulation and sweeps ------------------------------------------------------------------ */

void sq__learning_plan_sweeps(sq_sim *sim, double t0)
{
    for (uint32_t k = 0; sim->any_sweep && k < sim->n_specials; k++) {
        sq__special *s = &sim->specials[k];
        s->sweep_now = s->sweep_interval > 0 && t0 >= s->next_sweep;
        while (s->sweep_interval > 0 && s->next_sweep <= t0)
            s->next_sweep += s->sweep_interval;
    }
}

typedef void (*sweep_fn)(const double *p, const double *d, const double *mod, double t_mod, double t, float *w,
                         float *syn, size_t n, size_t syn_stride);

/* fn (the rule's sweep or sample_end) over every synapse of special cls in part, group by group. */
static void sweep_part(sq__part *part, const sq__special *s, uint16_t cls, double t, sweep_fn fn)
{
    const sq__synapses *syn = &part->syn;
    for (uint64_t g = 0; g < syn->n_groups; g++)
        if (part->group_special[g] == cls) {
            uint64_t j = syn->syn_off[g];
            fn(s->p, s->d, s->mod + 1, s->mod[0], t, &syn->weight[j], syn_state(part, j), syn->syn_off[g + 1] - j,
               part->sim->stride_syn);
        }
}

void sq__learning_window_start(sq__part *part, double t0)
{
    const sq_sim *sim = part->sim;
    int sweep = 0;
    for (uint32_t k = 0; sim->any_sweep && k < sim->n_specials; k++)
        sweep |= sim->specials[k].sweep_now;
    if (sweep || sq__learning_due(part))
        sq__learning_settle(part, t0);
    for (uint32_t k = 0; sweep && k < sim->n_specials; k++)
        if (sim->specials[k].sweep_now)
            sweep_part(part, &sim->specials[k], (uint16_t)(k + 1), t0, sim->specials[k].rule->sweep);
}

void sq__learning_settle_all(sq_sim *sim)
{
    for (uint32_t q = 0; q < sim->n_parts; q++)
        sq__learning_settle(&sim->parts[q], sim->t_now);
}

/* Whether special s is `projection` (NULL: any). */
static int named(const sq__special *s, const char *projection)
{
    return !projection || strcmp(projection, s->name) == 0;
}

/* The error of a call that found no rule for it: "<origin>: <call>: expected the projection "EE"
 * with <rule kind>, found none". */
static int none_found(const sq_sim *sim, const char *call, const char *projection, const char *kind, sq_err *err)
{
    return sq_fail(err, SQ_EINVAL, "%s: %s: expected %s%s%s with %s, found none", sim->origin, call,
                   projection ? "the projection \"" : "a projection", projection ? projection : "",
                   projection ? "\"" : "", kind);
}

int sq_sim_modulate(sq_sim *sim, const char *projection, double amount, sq_err *err)
{
    int found = 0;
    if (!isfinite(amount))
        return sq_fail(err, SQ_EINVAL, "%s: modulate: amount: expected a finite number, got %g", sim->origin, amount);
    /* Post spikes before now are applied under the signal as it was. */
    sq__learning_settle_all(sim);
    for (uint32_t k = 0; k < sim->n_specials; k++) {
        sq__special *s = &sim->specials[k];
        if (!s->rule || !s->rule->modulate || !named(s, projection))
            continue;
        s->rule->modulate(s->p, s->d, s->mod + 1, s->mod[0], sim->t_now, amount);
        s->mod[0] = sim->t_now;
        found = 1;
    }
    return found ? 0 : none_found(sim, "modulate", projection, "a modulated rule", err);
}

int sq_sim_end_sample(sq_sim *sim, const char *projection, sq_err *err)
{
    int found = 0;
    sq__learning_settle_all(sim);
    for (uint32_t k = 0; k < sim->n_specials; k++) {
        const sq__special *s = &sim->specials[k];
        if (!s->rule || !s->rule->sample_end || !named(s, projection))
            continue;
        for (uint32_t q = 0; q < sim->n_parts; q++)
            sweep_part(&sim->parts[q], s, (uint16_t)(k + 1), sim->t_now, s->rule->sample_end);
        found = 1;
    }
    return found ? 0 : none_found(sim, "end of sample", projection, "a rule that acts on it", err);
}
