/* sim/synapses.c: builds the outgoing-synapse stores (CSR by source, grouped by delay; layout in
 * internal.h) from the projections of a network description: one store per part (thread), holding
 * the synapses that end on the part's neurons, built by the part's thread.
 *
 * Connectivity is generated twice: a first pass counts each source's synapses, a second draws the
 * same synapses again (the connectors are deterministic) and writes each straight into its place,
 * so construction needs no edge list: its peak is the final arrays plus 2 bytes a synapse of
 * delays. Every synapse's weight and delay come from a counter-based stream keyed by (projection,
 * target, rank of the synapse among that target's synapses of the projection), so they do not
 * depend on generation order or on how the work is split. Synapses of one (source, delay) group
 * keep the order in which they were generated, which is deterministic. A part generates only its
 * own targets (sq_connect's target range), and since the connectors make the same synapses however
 * the targets are split, the union of the parts is the same network at any thread count. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connect.h"
#include "dist.h"
#include "internal.h"

typedef struct {
    sq__synapses *syn;
    uint16_t *delay;      /* per synapse, resolution steps (until grouped) */
    uint16_t *cls;        /* per synapse, its projection's sq__learning_class, or NULL when all are 0 */
    uint16_t proj_cls;    /* the current projection's */
    uint64_t *cursor;     /* per source: next free place (fill pass) */
    const sq_proj_spec *proj;
    uint32_t index;       /* projection index */
    uint32_t src_first, tgt_first;
    uint32_t *rank;       /* per neuron (global id): synapses of the projection generated so far */
    uint64_t seed;
    double resolution;
    int min_steps, max_steps;
} gen_ctx;


static int count_synapse(void *ud, uint32_t src, uint32_t tgt)
{
    gen_ctx *c = ud;
    (void)tgt;
    c->syn->group_off[c->src_first + src + 1]++;
    return 0;
}

static int place_synapse(void *ud, uint32_t src, uint32_t tgt)
{
    gen_ctx *c = ud;
    uint32_t rank = c->rank[c->tgt_first + tgt]++;
    /* Weight, then delay, from the synapse's own place in its target's stream: 2^24 blocks per
     * synapse leave room for any number of redraws, and a normal weight and a normal delay share
     * one Box-Muller pair. */
    sq_rng r;
    sq_rng_init(&r, c->seed, sq_stream_id(SQ_STREAM_WEIGHT, c->index, tgt));
    r.counter = (uint64_t)rank << 24;
    double w = sq_dist_sample(&c->proj->weight, &r);
    double d = sq_dist_sample(&c->proj->delay, &r);
    long steps = lround(d / c->resolution);
    if (steps < 1)
        steps = 1; /* the delay check guarantees d >= resolution; this only absorbs rounding */
    if (steps < c->min_steps) c->min_steps = (int)steps;
    if (steps > c->max_steps) c->max_steps = (int)steps;
    uint32_t g = c->src_first + src;
    uint64_t at = c->cursor[g]++;
    /* The count pass saw the same synapses, so at stays below the next source's start. */
    assert(at < c->syn->group_off[g + 1]);
    c->syn->target[at] = c->tgt_first + tgt;
    c->syn->weight[at] = (float)w;
    c->delay[at] = (uint16_t)steps;
    if (c->cls)
        c->cls[at] = c->proj_cls;
    return 0;
}

static int check_projection(const sq_sim *sim, const sq_net_spec *spec, size_t i, int *src, int *tgt, sq_err *err)
{
    const sq_proj_spec *p = &spec->projs[i];
    const char *o = spec->origin;
    char where[256];
    int rc;
    if ((*src = sq__spec_pop(spec, p->source)) < 0)
        return sq_fail(err, SQ_ECONFIG, "%s: projections[%zu].source: expected the name of a population, got \"%s\"",
                       o, i, p->source ? p->source : "");
    if ((*tgt = sq__spec_pop(spec, p->target)) < 0)
        return sq_fail(err, SQ_ECONFIG, "%s: projections[%zu].target: expected the name of a population, got \"%s\"",
                       o, i, p->target ? p->target : "");
    const sq__pop *tp = &sim->pops[*tgt];
    if (!tp->model)
        return sq_fail(err, SQ_ECONFIG, "%s: projections[%zu].target: expected a population of neurons, got the spike source \"%s\"",
                       o, i, tp->name);
    snprintf(where, sizeof where, "%s: projections[%zu].connector", o, i);
    if ((rc = sq_connector_check(&p->connector, spec->pops[*src].n, tp->n, *src == *tgt, where, err)) < 0)
        return rc;
    snprintf(where, sizeof where, "%s: projections[%zu].weight", o, i);
    if ((rc = sq_dist_check(&p->weight, where, tp->model->weight_unit, err)) < 0)
        return rc;
    snprintf(where, sizeof where, "%s: projections[%zu].delay", o, i);
    if ((rc = sq_dist_check(&p->delay, where, "ms", err)) < 0)
        return rc;
    double lo = sq_dist_min(&p->delay), hi = sq_dist_max(&p->delay), h = spec->resolution;
    if (!(lo >= h * (1.0 - 1e-9))) {
        if (p->delay.kind == SQ_DIST_CONSTANT)
            return sq_fail(err, SQ_ECONFIG, "%s: expected at least the resolution %g ms, got %g", where, h, lo);
        return sq_fail(err, SQ_ECONFIG, "%s: expected values of at least the resolution %g ms, got a distribution reaching down to %g ms (set its low bound)",
                       where, h, lo);
    }
    if (!(hi / h <= 65535.0))
        return sq_fail(err, SQ_ECONFIG, "%s: expected at most %g ms (65535 resolution steps), got %g", where, 65535.0 * h, hi);
    return 0;
}

static int delay_cmp(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts synapses a .. a+n-1 by delay, stably, through the scratch tt/ww. Delays of one source
 * usually span a few dozen resolution steps, so a counting sort over that span (hist: 65536
 * zeroed counters, left zeroed) is linear; a wide span with few synapses takes qsort on
 * delay << 40 | position keys. */
static void sort_by_delay(sq__synapses *s, uint16_t *delay, uint16_t *cls, uint64_t a, uint64_t n, uint64_t *key,
                          uint32_t *hist, uint32_t *tt, float *ww, uint16_t *cc)
{
    uint16_t lo = UINT16_MAX, hi = 0;
    int sorted = 1;
    for (uint64_t k = 0; k < n; k++) {
        uint16_t dk = delay[a + k];
        lo = dk < lo ? dk : lo;
        hi = dk > hi ? dk : hi;
        sorted &= k == 0 || delay[a + k - 1] <= dk;
    }
    if (sorted)
        return;
    if ((uint64_t)(hi - lo) <= 4 * n + 64) {
        for (uint64_t k = 0; k < n; k++)
            hist[delay[a + k]]++;
        uint32_t pos = 0;
        for (uint32_t dv = lo; dv <= hi; dv++) {
            uint32_t c = hist[dv];
            hist[dv] = pos;
            pos += c;
        }
        for (uint64_t k = 0; k < n; k++) {
            uint32_t at = hist[delay[a + k]]++;
            tt[at] = s->target[a + k];
            ww[at] = s->weight[a + k];
            if (cls)
                cc[at] = cls[a + k];
        }
        for (uint64_t k = 0, dv = lo; dv <= hi; dv++) {
            uint32_t end = hist[dv];
            hist[dv] = 0;
            while (k < end)
                delay[a + k++] = (uint16_t)dv;
        }
    } else {
        for (uint64_t k = 0; k < n; k++)
            key[k] = (uint64_t)delay[a + k] << 40 | k;
        qsort(key, n, sizeof *key, delay_cmp);
        for (uint64_t k = 0; k < n; k++) {
            uint64_t from = a + (key[k] & 0xffffffffffull);
            tt[k] = s->target[from];
            ww[k] = s->weight[from];
            if (cls)
                cc[k] = cls[from];
            delay[a + k] = (uint16_t)(key[k] >> 40);
        }
    }
    memcpy(s->target + a, tt, n * sizeof *tt);
    memcpy(s->weight + a, ww, n * sizeof *ww);
    if (cls)
        memcpy(cls + a, cc, n * sizeof *cc);
}

/* Sorts synapses a .. a+n-1 (already sorted by delay) by class, stably, so that they end up in
 * (class, delay) order: the plain static synapses of a source first, then each special
 * projection's. Classes of one source are few: one pass per class present. */
static void sort_by_class(sq__synapses *s, uint16_t *delay, uint16_t *cls, uint64_t a, uint64_t n, uint32_t *tt,
                          float *ww, uint16_t *cc, uint16_t *dd)
{
    int mixed = 0;
    for (uint64_t k = 1; k < n; k++)
        mixed |= cls[a + k] < cls[a + k - 1];
    if (!mixed)
        return;
    uint64_t at = 0;
    for (uint32_t next = 0; next != UINT32_MAX;) {
        uint32_t c = next, later = UINT32_MAX;
        for (uint64_t k = 0; k < n; k++) {
            uint16_t ck = cls[a + k];
            if (ck == c) {
                tt[at] = s->target[a + k];
                ww[at] = s->weight[a + k];
                dd[at] = delay[a + k];
                cc[at++] = ck;
            } else if (ck > c && ck < later) {
                later = ck;
            }
        }
        next = later;
    }
    memcpy(s->target + a, tt, n * sizeof *tt);
    memcpy(s->weight + a, ww, n * sizeof *ww);
    memcpy(delay + a, dd, n * sizeof *dd);
    memcpy(cls + a, cc, n * sizeof *cc);
}

/* Sorts each source's synapses by (class, delay), stably, then cuts them into groups of one class
 * and delay; part->group_special receives each group's class when there are classes. */
static int make_groups(sq__part *part, uint16_t *delay, uint16_t *cls, uint32_t n_neurons)
{
    sq__synapses *s = &part->syn;
    uint64_t max_seg = 0, n_groups = 0;
    for (uint32_t i = 0; i < n_neurons; i++) {
        uint64_t a = s->group_off[i], b = s->group_off[i + 1];
        if (b - a > max_seg)
            max_seg = b - a;
    }
    uint64_t *key = malloc((max_seg + 1) * sizeof *key);
    uint32_t *tt = malloc((max_seg + 1) * sizeof *tt);
    float *ww = malloc((max_seg + 1) * sizeof *ww);
    uint16_t *cc = cls ? malloc((max_seg + 1) * sizeof *cc) : NULL, *dd = cls ? malloc((max_seg + 1) * sizeof *dd) : NULL;
    uint64_t *gcount = calloc((size_t)n_neurons + 1, sizeof *gcount);
    uint32_t *hist = calloc((size_t)UINT16_MAX + 1, sizeof *hist);
    if (!key || !tt || !ww || !gcount || !hist || (cls && (!cc || !dd))) {
        free(key); free(tt); free(ww); free(gcount); free(hist); free(cc); free(dd);
        return SQ_ENOMEM;
    }
    for (uint32_t i = 0; i < n_neurons; i++) {
        uint64_t a = s->group_off[i], n = s->group_off[i + 1] - a;
        sort_by_delay(s, delay, cls, a, n, key, hist, tt, ww, cc);
        if (cls)
            sort_by_class(s, delay, cls, a, n, tt, ww, cc, dd);
        for (uint64_t k = 0; k < n; k++)
            if (k == 0 || delay[a + k] != delay[a + k - 1] || (cls && cls[a + k] != cls[a + k - 1]))
                gcount[i]++;
        n_groups += gcount[i];
    }
    free(hist);
    free(key); free(tt); free(ww); free(cc); free(dd);
    s->n_groups = n_groups;
    s->syn_off = malloc((n_groups + 1) * sizeof *s->syn_off);
    s->group_delay = malloc((n_groups + 1) * sizeof *s->group_delay);
    if (cls)
        part->group_special = malloc((n_groups + 1) * sizeof *part->group_special);
    if (!s->syn_off || !s->group_delay || (cls && !part->group_special)) {
        free(gcount);
        return SQ_ENOMEM;
    }
    uint64_t g = 0;
    for (uint32_t i = 0; i < n_neurons; i++) {
        uint64_t a = s->group_off[i], b = s->group_off[i + 1];
        gcount[i] = g; /* reused: first group of neuron i */
        for (uint64_t k = a; k < b; k++)
            if (k == a || delay[k] != delay[k - 1] || (cls && cls[k] != cls[k - 1])) {
                s->syn_off[g] = k;
                s->group_delay[g] = delay[k];
                if (cls)
                    part->group_special[g] = cls[k];
                g++;
            }
    }
    s->syn_off[n_groups] = s->n_synapses;
    gcount[n_neurons] = n_groups;
    memcpy(s->group_off, gcount, ((size_t)n_neurons + 1) * sizeof *gcount);
    free(gcount);
    return 0;
}

/* Runs every projection's connector with fn (count_synapse or place_synapse) for the targets that
 * part owns. rank (place pass) has an entry per neuron; each projection zeroes its targets'. */
static int generate(const sq_sim *sim, const sq_net_spec *spec, const int *src, const int *tgt, const sq__part *part,
                    gen_ctx *proto, sq_synapse_fn fn, sq_err *err)
{
    for (size_t i = 0; i < spec->n_projs; i++) {
        const sq__pop *sp = &sim->pops[src[i]], *tp = &sim->pops[tgt[i]];
        gen_ctx c = *proto;
        c.proj = &spec->projs[i];
        c.index = (uint32_t)i;
        c.src_first = sp->first;
        c.tgt_first = tp->first;
        c.proj_cls = sq__learning_class(sim, i);
        if (c.rank)
            memset(c.rank + tp->first, 0, (size_t)tp->n * sizeof *c.rank);
        sq_target_set set = {0, tp->n, tp->first, SQ__BLOCK_SHIFT, sim->n_parts, part->index};
        int rc = sq_connect_set(&spec->projs[i].connector, sp->n, tp->n, src[i] == tgt[i], sim->seed, (uint32_t)i, &set,
                                fn, &c, err);
        if (rc < 0)
            return rc;
        proto->min_steps = c.min_steps;
        proto->max_steps = c.max_steps;
    }
    return 0;
}

/* Builds part's store: count, allocate, place, group. Fills *c's delay range. */
static int build_part(const sq_sim *sim, const sq_net_spec *spec, const int *src, const int *tgt, sq__part *part,
                      gen_ctx *c, sq_err *err)
{
    sq__synapses *syn = &part->syn;
    uint32_t n = sim->n_neurons;
    int rc;
    c->syn = syn;
    syn->group_off = calloc((size_t)n + 1, sizeof *syn->group_off);
    if (!syn->group_off)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    if ((rc = generate(sim, spec, src, tgt, part, c, count_synapse, err)) < 0)
        return rc;
    for (uint32_t i = 0; i < n; i++)
        syn->group_off[i + 1] += syn->group_off[i];
    syn->n_synapses = syn->group_off[n];
    syn->target = malloc((syn->n_synapses + 1) * sizeof *syn->target);
    syn->weight = malloc((syn->n_synapses + 1) * sizeof *syn->weight);
    c->delay = malloc((syn->n_synapses + 1) * sizeof *c->delay);
    if (sim->n_specials && !(c->cls = malloc((syn->n_synapses + 1) * sizeof *c->cls)))
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", spec->origin);
    c->cursor = malloc(((size_t)n + 1) * sizeof *c->cursor);
    c->rank = malloc(((size_t)n + 1) * sizeof *c->rank);
    if (!syn->target || !syn->weight || !c->delay || !c->cursor || !c->rank)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory for %llu synapses", spec->origin,
                       (unsigned long long)syn->n_synapses);
    memcpy(c->cursor, syn->group_off, ((size_t)n + 1) * sizeof *c->cursor);
    if ((rc = generate(sim, spec, src, tgt, part, c, place_synapse, err)) < 0)
        return rc;
    if (make_groups(part, c->delay, c->cls, n) < 0)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory while grouping %llu synapses by delay", spec->origin,
                       (unsigned long long)syn->n_synapses);
    return 0;
}

/* Builds every part's store, each on its own thread. Returns the first part's error. */
static int build_parts(sq_sim *sim, const sq_net_spec *spec, const int *src, const int *tgt, int *min_steps,
                       int *max_steps, sq_err *err)
{
    int rc = 0;
    sq_err *errs = calloc(sim->n_parts, sizeof *errs);
    gen_ctx *ctx = calloc(sim->n_parts, sizeof *ctx);
    if (!errs || !ctx) {
        free(errs);
        free(ctx);
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    }
#pragma omp parallel for num_threads(sim->n_parts) schedule(static, 1)
    for (uint32_t k = 0; k < sim->n_parts; k++) {
        gen_ctx *c = &ctx[k];
        *c = (gen_ctx){.seed = sim->seed, .resolution = spec->resolution, .min_steps = INT32_MAX};
        errs[k].code = build_part(sim, spec, src, tgt, &sim->parts[k], c, &errs[k]);
        free(c->delay);
        free(c->cls);
        free(c->cursor);
        free(c->rank);
    }
    for (uint32_t k = 0; k < sim->n_parts; k++) {
        if (errs[k].code < 0 && rc == 0) {
            rc = errs[k].code;
            if (err)
                *err = errs[k];
        }
        if (ctx[k].min_steps < *min_steps) *min_steps = ctx[k].min_steps;
        if (ctx[k].max_steps > *max_steps) *max_steps = ctx[k].max_steps;
    }
    free(errs);
    free(ctx);
    return rc;
}

int sq__synapses_build(sq_sim *sim, const sq_net_spec *spec, sq_err *err)
{
    int rc = 0, min_steps = INT32_MAX, max_steps = 0;
    double expected = 0.0;
    int *src = malloc((spec->n_projs + 1) * sizeof *src), *tgt = malloc((spec->n_projs + 1) * sizeof *tgt);
    if (!src || !tgt) {
        rc = sq_fail(err, SQ_ENOMEM, "out of memory");
        goto done;
    }
    if (spec->n_projs > 32767) {
        rc = sq_fail(err, SQ_ERANGE, "%s: projections: expected at most 32767 projections, got %zu", spec->origin, spec->n_projs);
        goto done;
    }
    for (size_t i = 0; i < spec->n_projs; i++) {
        if ((rc = check_projection(sim, spec, i, &src[i], &tgt[i], err)) < 0)
            goto done;
        expected += sq_connect_expected(&spec->projs[i].connector, spec->pops[src[i]].n, spec->pops[tgt[i]].n,
                                        src[i] == tgt[i]);
    }
    if (expected > 4.0e9) {
        rc = sq_fail(err, SQ_ERANGE, "%s: projections: expected at most 4e9 synapses in all, got %.3g", spec->origin, expected);
        goto done;
    }
    if ((rc = build_parts(sim, spec, src, tgt, &min_steps, &max_steps, err)) < 0)
        goto done;
    if (max_steps == 0) /* no synapses: any window is exact; 1 ms keeps the loop cheap */
        min_steps = max_steps = (int)fmax(1.0, round(1.0 / spec->resolution));
    sim->min_delay = min_steps * spec->resolution;
    sim->max_delay = max_steps * spec->resolution;
    sim->window = sim->min_delay;
done:
    free(src);
    free(tgt);
    return rc;
}

void sq__synapses_free(sq__synapses *s)
{
    free(s->group_off);
    free(s->syn_off);
    free(s->group_delay);
    free(s->target);
    free(s->weight);
    memset(s, 0, sizeof *s);
}
