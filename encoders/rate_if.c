/* encoders/rate_if.c: deterministic rate coding by a non-leaky integrate-and-fire neuron per input,
 * as desire backpropagation encodes its images (Gerlinghoff et al. 2023, Neurocomputing;
 * desire_pytorch.py; ../shared/specs/learning.md §1.1). For steps n = 0 .. T-1, T = the number of
 * whole steps dt in sample_time:
 *     V += x;  spike at t0 + n dt if V >= theta;  then V -= theta on a spike,
 * in float32 arithmetic as PyTorch does it (x = pixel / 255 as float32), so the spikes are the
 * reference code's bit for bit: a pixel of 1 fires every step, one of 0.5 every other step from step
 * 1. Tested in tests/test_encoders.c against floor((n + 1) x / theta) - floor(n x / theta). */
#include <math.h>

#include "encoder.h"

enum { DT, THETA };

static const sq_param_info params[] = {
    {"dt", "ms", 1.0, SQ_POSITIVE, "time step; spikes fall on multiples of it"},
    {"theta", "1", 1.0, SQ_POSITIVE, "threshold (in units of intensity)"},
};

static double steps(const double *v, double sample_time)
{
    /* The small tolerance makes 20 ms / 1 ms twenty steps despite rounding in the division. */
    return floor(sample_time / v[DT] + 1e-9);
}

static int check(const double *v, double sample_time, const char *where, sq_err *err)
{
    double t = steps(v, sample_time);
    if (t < 1.0 || t > 1e7)
        return sq_fail(err, SQ_ECONFIG, "%s.dt: expected 1 to 1e7 steps in sample_time %g ms, got %g (dt = %g ms)",
                       where, sample_time, t, v[DT]);
    return 0;
}

static double spikes_per_sample(const double *v, double sample_time, uint32_t n)
{
    return steps(v, sample_time) * n; /* at most one spike a step */
}

static int encode(const sq_encode_ctx *c, const float *x, uint32_t n, sq_spike_list *out, sq_err *err)
{
    uint64_t t_steps = (uint64_t)steps(c->v, c->sample_time);
    float theta = (float)c->v[THETA];
    for (uint32_t i = 0; i < n; i++) {
        float v = 0.0f, xi = x[i];
        for (uint64_t k = 0; k < t_steps; k++) {
            v += xi;
            if (!(v >= theta))
                continue;
            v -= theta;
            int rc = sq__encode_push(c, out, i, c->t0 + (double)k * c->v[DT], err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

const sq_encoder sq_encoder_rate = {
    .name = "rate",
    .doc = "deterministic rate coding: a non-leaky integrate-and-fire neuron per input (desire backprop)",
    .params = params,
    .n_params = SQ_COUNT(params),
    .check = check,
    .spikes_per_sample = spikes_per_sample,
    .image = encode,
};
