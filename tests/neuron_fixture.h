/* tests/neuron_fixture.h: one neuron of a model, driven directly through its sq_neuron_model
 * descriptor (no engine), for the model tests; and a spike list for integrate()'s emit(). */
#ifndef SQ_TEST_NEURON_FIXTURE_H
#define SQ_TEST_NEURON_FIXTURE_H

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neurons/model.h"
#include "sim/rng.h"

typedef struct {
    const sq_neuron_model *m;
    double p[16], d[32], s[SQ_MAX_STATE];
    double h; /* the resolution prepare() sees; 0: 0.1 ms */
} neuron;

static inline int idx(const neuron *n, const char *name)
{
    int i = sq_param_find(n->m->params, n->m->n_params, name);
    ck_assert_int_ge(i, 0);
    return i;
}

static inline int sidx(const neuron *n, const char *name)
{
    for (size_t i = 0; i < n->m->n_state; i++)
        if (strcmp(n->m->state_names[i], name) == 0)
            return (int)i;
    ck_abort_msg("no state %s", name);
    return -1;
}

static inline void set(neuron *n, const char *name, double value)
{
    n->p[idx(n, name)] = value;
}

static inline double get(const neuron *n, const char *name)
{
    return n->p[idx(n, name)];
}

/* The model's defaults; the test then changes parameters and calls start(). */
static inline void setup_model(neuron *n, const char *model)
{
    n->m = sq_neuron_model_find(model);
    ck_assert_ptr_nonnull(n->m);
    sq_param_defaults(n->m->params, n->m->n_params, n->p);
}

/* check + prepare + init at t0 = 0. */
static inline void start(neuron *n)
{
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_param_check(n->m->params, n->m->n_params, n->p, "test", &err), 0);
    ck_assert_int_eq(n->m->check(n->p, "test", &err), 0);
    n->m->prepare(n->p, n->d, n->h > 0.0 ? n->h : 0.1);
    n->m->init(n->p, n->d, n->s, 0.0);
}

static inline double v(const neuron *n)
{
    return n->s[n->m->v_index];
}

static inline int adv(neuron *n, double t, double *t_spike)
{
    return n->m->advance(n->p, n->d, n->s, t, t_spike);
}

typedef struct {
    double t[4096];
    size_t n;
} spikes;

/* emit() of integrate(): appends to a spike list. */
static inline void collect(void *ctx, double t_spike)
{
    spikes *sp = ctx;
    ck_assert_uint_lt(sp->n, 4096);
    sp->t[sp->n++] = t_spike;
}

/* The sequence integrate() must reproduce (model.h): advance() + input() per input of the merged
 * list (t[k], w[k]), then the lazy end; the spikes go to sp. Returns the final next_check(). */
static inline double reference_window(neuron *n, const double *t, const float *w, size_t count, double t_end,
                                      spikes *sp)
{
    double t_spike;
    for (size_t i = 0; i < count; i++) {
        while (adv(n, t[i], &t_spike))
            collect(sp, t_spike);
        if (n->m->input(n->p, n->d, n->s, w[i]))
            collect(sp, t[i]);
    }
    double next = n->m->next_check(n->p, n->d, n->s);
    if (next < t_end) {
        while (adv(n, t_end, &t_spike))
            collect(sp, t_spike);
        next = n->m->next_check(n->p, n->d, n->s);
    }
    return next;
}

/* Runs `windows` windows of `len` ms with 0-3 random inputs each (weights drawn from ws[0..n_ws),
 * times uniform in the window, dealt at random to integrate()'s two lists) through integrate() on
 * a copy of *a and through reference_window() on another, as model.h requires: the same spikes,
 * the same state bits and the same next check every window. Returns the number of spikes. */
static inline size_t expect_integrate_matches_reference(const neuron *a0, const float *ws, int n_ws, int windows,
                                                        double len, uint64_t seed)
{
    neuron a = *a0, b = *a0;
    ck_assert_ptr_nonnull(a.m->integrate);
    sq_rng rng;
    sq_rng_init(&rng, seed, 0);
    spikes *sa = calloc(1, sizeof *sa), *sb = calloc(1, sizeof *sb);
    for (int k = 0; k < windows; k++) {
        double t0 = len * k, t_end = len * (k + 1), t[3], ta[4], tb[4];
        float w[3], wa[4], wb[4];
        int n_in = (int)sq_rng_below(&rng, 4);
        size_t na = 0, nb = 0;
        for (int i = 0; i < n_in; i++) {
            t[i] = t0 + len * (i + sq_rng_uniform(&rng)) / n_in;
            w[i] = ws[sq_rng_below(&rng, (uint64_t)n_ws)];
            if (sq_rng_below(&rng, 2)) {
                ta[na] = t[i];
                wa[na++] = w[i];
            } else {
                tb[nb] = t[i];
                wb[nb++] = w[i];
            }
        }
        ta[na] = tb[nb] = INFINITY;
        wa[na] = wb[nb] = 0.0f;
        double next_a = a.m->integrate(a.p, a.d, a.s, ta, wa, na, tb, wb, nb, t_end, collect, sa);
        double next_b = reference_window(&b, t, w, (size_t)n_in, t_end, sb);
        ck_assert_msg(next_a == next_b, "window %d: next check %.17g, reference %.17g", k, next_a, next_b);
        ck_assert_msg(memcmp(a.s, b.s, a.m->n_state * sizeof(double)) == 0, "window %d: the states differ", k);
    }
    ck_assert_uint_eq(sa->n, sb->n);
    ck_assert_int_eq(memcmp(sa->t, sb->t, sa->n * sizeof(double)), 0);
    size_t n = sa->n;
    free(sa);
    free(sb);
    return n;
}

#endif
