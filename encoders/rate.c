/* encoders/rate.c: Poisson rate coding. Neuron i, of intensity x_i in [0, 1], fires a homogeneous
 * Poisson process of rate x_i * max_rate over the sample's window [t0, t0 + sample_time): the gaps
 * are exponential with mean 1 / rate, drawn from the counter-based stream keyed by
 * (seed, population, sample, neuron), so a seed fixes every spike and a neuron's train does not
 * depend on the others. (SpikingJelly's PoissonEncoder draws a Bernoulli(x) spike per time step;
 * this is its continuous-time limit, with the rate made explicit.) Tested in tests/test_encoders.c:
 * counts within 5 standard errors of x * max_rate * sample_time, exponential gaps, reproducibility. */
#include <math.h>

#include "encoder.h"

enum { MAX_RATE };

static const sq_param_info params[] = {
    {"max_rate", "Hz", 100.0, SQ_NONNEGATIVE, "rate of a neuron of intensity 1"},
};

static double spikes_per_sample(const double *v, double sample_time, uint32_t n)
{
    return v[MAX_RATE] * 1e-3 * sample_time * n;
}

static int encode(const sq_encode_ctx *c, const float *x, uint32_t n, sq_spike_list *out, sq_err *err)
{
    for (uint32_t i = 0; i < n; i++) {
        double rate = (double)x[i] * c->v[MAX_RATE] * 1e-3; /* per ms */
        if (!(rate > 0.0))
            continue;
        sq_rng r;
        sq_rng_init(&r, c->seed, sq_encoder_stream(c->pop, c->sample, i));
        for (double s = sq_rng_exponential(&r) / rate; s < c->sample_time; s += sq_rng_exponential(&r) / rate) {
            int rc = sq__encode_push(c, out, i, c->t0 + s, err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

const sq_encoder sq_encoder_poisson = {
    .name = "poisson",
    .doc = "Poisson trains of rate intensity * max_rate (seeded per population, sample and neuron)",
    .params = params,
    .n_params = SQ_COUNT(params),
    .spikes_per_sample = spikes_per_sample,
    .image = encode,
};
