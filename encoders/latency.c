/* encoders/latency.c: latency (time-to-first-spike) coding: each neuron whose intensity x exceeds
 * `threshold` fires once, the brighter the earlier, at t0 + t(x) with
 *     linear:       t(x) = t_max (1 - x)
 *     logarithmic:  t(x) = t_max (1 - ln(1 + a x) / ln(1 + a)),   a = exp(t_max / dt) - 1,
 * SpikingJelly's LatencyEncoder (t_f = (T-1)(1-x), resp. (T-1) - ln(a x + 1) with a = e^(T-1) - 1,
 * in steps) written in ms with t_max = (T-1) dt; spikeq keeps the times continuous (SpikingJelly
 * rounds them to steps). t_max = 0 means sample_time - dt. SpikingJelly fires every input, dark ones
 * last; threshold = -1 does the same, the default 0 leaves inputs of intensity 0 silent.
 * Tested in tests/test_encoders.c against the formulas, exactly. */
#include <math.h>

#include "encoder.h"

enum { T_MAX, DT, THRESHOLD };

static const sq_param_info params[] = {
    {"t_max", "ms", 0.0, SQ_NONNEGATIVE, "latency of intensity 0 (0: sample_time - dt)"},
    {"dt", "ms", 1.0, SQ_POSITIVE, "step that sets the default t_max and the log curve's steepness"},
    {"threshold", "1", 0.0, SQ_ANY, "inputs of intensity <= threshold do not fire"},
};

static double t_max(const double *v, double sample_time)
{
    return v[T_MAX] > 0.0 ? v[T_MAX] : sample_time - v[DT];
}

static int check(const double *v, double sample_time, const char *where, sq_err *err)
{
    double t = t_max(v, sample_time);
    if (!(t > 0.0 && t < sample_time))
        return sq_fail(err, SQ_ECONFIG, "%s.t_max: expected a latency in (0, sample_time = %g) ms, got %g%s", where,
                       sample_time, t, v[T_MAX] > 0.0 ? "" : " (sample_time - dt)");
    return 0;
}

static double spikes_per_sample(const double *v, double sample_time, uint32_t n)
{
    (void)v;
    (void)sample_time;
    return n;
}

/* ln(1 + a x) / ln(1 + a) for a = e^s - 1; for large s, ln(1 + a x) = s + ln(x) + ln(1 - e^-s + ...)
 * to double precision, which avoids overflowing a. */
static double log_fraction(double x, double s)
{
    if (s < 700.0)
        return log1p(expm1(s) * x) / s;
    return x > 0.0 ? fmin(1.0, (s + log(x)) / s) : 0.0;
}

static int encode_with(const sq_encode_ctx *c, const float *x, uint32_t n, int logarithmic, sq_spike_list *out,
                       sq_err *err)
{
    double tm = t_max(c->v, c->sample_time), s = tm / c->v[DT];
    for (uint32_t i = 0; i < n; i++) {
        double xi = x[i] < 0.0f ? 0.0 : x[i] > 1.0f ? 1.0 : (double)x[i];
        if (!(x[i] > c->v[THRESHOLD]))
            continue;
        double t = logarithmic ? tm * (1.0 - log_fraction(xi, s)) : tm * (1.0 - xi);
        int rc = sq__encode_push(c, out, i, c->t0 + t, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int encode_linear(const sq_encode_ctx *c, const float *x, uint32_t n, sq_spike_list *out, sq_err *err)
{
    return encode_with(c, x, n, 0, out, err);
}

static int encode_log(const sq_encode_ctx *c, const float *x, uint32_t n, sq_spike_list *out, sq_err *err)
{
    return encode_with(c, x, n, 1, out, err);
}

const sq_encoder sq_encoder_latency = {
    .name = "latency",
    .doc = "one spike per input at t_max (1 - x): brighter inputs fire earlier",
    .params = params,
    .n_params = SQ_COUNT(params),
    .check = check,
    .spikes_per_sample = spikes_per_sample,
    .image = encode_linear,
};

const sq_encoder sq_encoder_latency_log = {
    .name = "latency_log",
    .doc = "one spike per input at t_max (1 - ln(1 + a x) / ln(1 + a)), a = exp(t_max / dt) - 1",
    .params = params,
    .n_params = SQ_COUNT(params),
    .check = check,
    .spikes_per_sample = spikes_per_sample,
    .image = encode_log,
};
