/* tests/daspnet_reference.h: Izhikevich's daspnet.m loop (Izhikevich 2007, Cereb Cortex 17:2443)
 * written out for a few neurons, as the independent reference of tests/test_izhikevich.c: per 1 ms
 * step, I = I_noise (U - 0.5) + I_e (U the first uniform of block k / period of the neuron's
 * stream); fired = v >= V_peak: v = c, u += d; I += the step's inputs; v += 0.5*((0.04v+5)v+140-u+I)
 * twice; u += a(0.2v - u). Its constants are literal, so it holds for h = 1 ms and b = 0.2 only. */
#ifndef SQ_TEST_DASPNET_REFERENCE_H
#define SQ_TEST_DASPNET_REFERENCE_H

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "sim/rng.h"

#define MAX_REF 4 /* neurons in a reference network */

/* n neurons with equal parameters. */
typedef struct {
    int n;
    double a, b, c, d, v_peak, i_e, i_noise;
    uint64_t period; /* noise period in steps */
    uint64_t seed, stream[MAX_REF];
    const int *in_step; /* steps in which every neuron receives w_in (sorted), n_in of them */
    size_t n_in;
    double w_in;
    double w_rec; /* each neuron's spike onto every other neuron */
    int lag;      /* 0: delivery in the spike's own step (daspnet D = 1); 1: one step later */
} ref_net;

static inline double ref_noise(const ref_net *r, int j, long k)
{
    sq_rng g;
    sq_rng_init(&g, r->seed, r->stream[j]);
    g.counter = (uint64_t)k / r->period;
    return r->i_noise * (sq_rng_uniform(&g) - 0.5);
}

typedef struct {
    double *v, *u;   /* [k * n + j] after the fired test of step k, k = 0..T */
    double t[4096];  /* spike steps (ms) and neurons, in (step, neuron) order */
    int id[4096];
    size_t n_spikes;
} ref_out;

/* daspnet's fired test at the start of step k: v >= V_peak: v = c, u += d, a spike at k ms. */
static inline void ref_fire(const ref_net *r, long k, double *v, double *u, int *fired, ref_out *o)
{
    for (int j = 0; j < r->n; j++) {
        fired[j] = v[j] >= r->v_peak;
        if (fired[j]) {
            v[j] = r->c;
            u[j] = u[j] + r->d;
            ck_assert_uint_lt(o->n_spikes, 4096);
            o->t[o->n_spikes] = (double)k;
            o->id[o->n_spikes++] = j;
        }
        o->v[k * r->n + j] = v[j];
        o->u[k * r->n + j] = u[j];
    }
}

/* I of neuron j in step k: the noise (and I_e), then the stimulus, then the other neurons'
 * spikes `src`, in that order, as the engine orders equal arrival times by source id. */
static inline double ref_input(const ref_net *r, int j, long k, int stim, const int *src)
{
    double in = r->i_noise != 0.0 ? ref_noise(r, j, k) + r->i_e : r->i_e;
    if (stim)
        in += r->w_in;
    for (int i = 0; i < r->n; i++)
        if (i != j && src[i])
            in += r->w_rec;
    return in;
}

/* Runs steps 0..steps (the fired test of the last one included). The stimulus steps are distinct. */
static inline void ref_run(const ref_net *r, long steps, ref_out *o)
{
    double v[MAX_REF], u[MAX_REF];
    int fired[MAX_REF] = {0}, fired_before[MAX_REF] = {0};
    size_t next_in = 0;
    o->n_spikes = 0;
    for (int j = 0; j < r->n; j++) {
        v[j] = -65.0;
        u[j] = r->b * v[j];
    }
    for (long k = 0; k <= steps; k++) {
        memcpy(fired_before, fired, sizeof fired);
        ref_fire(r, k, v, u, fired, o);
        int stim = next_in < r->n_in && r->in_step[next_in] == k;
        next_in += stim;
        for (int j = 0; j < r->n; j++) {
            double in = ref_input(r, j, k, stim, r->lag ? fired_before : fired);
            v[j] = v[j] + 0.5 * ((0.04 * v[j] + 5) * v[j] + 140 - u[j] + in);
            v[j] = v[j] + 0.5 * ((0.04 * v[j] + 5) * v[j] + 140 - u[j] + in);
            u[j] = u[j] + r->a * (0.2 * v[j] - u[j]);
        }
    }
}

#endif
