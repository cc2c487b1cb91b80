/* encoders/encoding.c: a dataset through an encoder into one spike list (see encoding.h). */
#include "encoding.h"

#include <math.h>
#include <stdlib.h>

static int check_sizes(const sq_encoding *e, const sq_samples *s, sq_err *err)
{
    uint64_t have = sq_samples_count(s);
    if (e->first_sample > have || e->samples > have - e->first_sample)
        return sq_fail(err, SQ_ECONFIG, "%s.samples: expected at most the %llu samples from first_sample = %llu "
                       "of the dataset, got %llu", e->where,
                       (unsigned long long)(have > e->first_sample ? have - e->first_sample : 0),
                       (unsigned long long)e->first_sample, (unsigned long long)e->samples);
    if (e->first_sample + e->samples > (1u << 24) || e->pop > 255 || e->n >= (1u << 24))
        return sq_fail(err, SQ_ECONFIG, "%s: expected sample indices below 2^24, population index below 256 and "
                       "n below 2^24, got sample %llu, population %u, n %u", e->where,
                       (unsigned long long)(e->first_sample + e->samples), e->pop, e->n);
    if (sq_samples_events(s) != e->encoder->events)
        return sq_fail(err, SQ_ECONFIG, "%s.kind: expected an encoder of %s, got %s", e->where,
                       sq_samples_events(s) ? "event recordings (dvs)" : "images", e->encoder->name);
    uint32_t w, h, side = e->encoder->out_side ? e->encoder->out_side(e->params) : 0;
    sq_samples_sensor(s, &w, &h);
    if (side > w || side > h)
        return sq_fail(err, SQ_ECONFIG, "%s.size: expected at most the sensor's %u x %u, got %u", e->where, w, h,
                       side);
    uint32_t want = side ? 2 * side * side : sq_samples_neurons(s);
    if (want != e->n)
        return sq_fail(err, SQ_ECONFIG, "%s: expected a population of %u neurons, one per %s of a sample, got n = %u",
                       e->where, want, sq_samples_events(s) ? "(polarity, pixel)" : "pixel", e->n);
    if (e->encoder->check && e->encoder->check(e->params, e->sample_time, e->where, err) < 0)
        return SQ_ECONFIG;
    if (!e->encoder->spikes_per_sample)
        return 0;
    double bound = e->encoder->spikes_per_sample(e->params, e->sample_time, e->n) * (double)e->samples;
    if (!(bound <= (double)e->max_spikes))
        return sq_fail(err, SQ_ERANGE, "%s: expected at most max_spikes = %zu spikes, got up to %.4g (%llu samples "
                       "of %u neurons)", e->where, e->max_spikes, bound, (unsigned long long)e->samples, e->n);
    return 0;
}

/* The dataset index of every position (NULL for the identity): a Fisher-Yates shuffle of all
 * samples, so that first_sample and samples select from one fixed permutation. */
static int sample_order(const sq_encoding *e, const sq_samples *s, uint32_t **out, sq_err *err)
{
    *out = NULL;
    if (!e->shuffle)
        return 0;
    uint64_t n = sq_samples_count(s);
    uint32_t *perm = malloc((n ? n : 1) * sizeof *perm);
    if (!perm)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory for the order of %llu samples", e->where,
                       (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    sq_rng r;
    sq_rng_init(&r, e->seed, sq_stream_id(SQ_STREAM_ORDER, e->pop, 0));
    for (uint64_t i = n; i > 1; i--) {
        uint64_t j = sq_rng_below(&r, i);
        uint32_t tmp = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = tmp;
    }
    *out = perm;
    return 0;
}

static int encode_all(const sq_encoding *e, const sq_samples *s, sq_spike_list *out, sq_err *err)
{
    uint32_t *order;
    if (sample_order(e, s, &order, err) < 0)
        return SQ_ENOMEM;
    float *x = e->encoder->events ? NULL : malloc((e->n ? e->n : 1) * sizeof *x);
    sq_dvs_stream rec = {0};
    int rc = !e->encoder->events && !x ? sq_fail(err, SQ_ENOMEM, "%s: out of memory", e->where) : 0;
    for (uint64_t k = 0; k < e->samples && rc == 0; k++) {
        uint64_t i = order ? order[e->first_sample + k] : e->first_sample + k;
        sq_encode_ctx c = {e->params, e->sample_time, (double)k * (e->sample_time + e->gap), e->seed, e->pop, i,
                           e->where};
        if (e->encoder->events) {
            rc = sq_samples_stream(s, i, &rec, err);
            if (rc == 0)
                rc = e->encoder->stream(&c, &rec, e->n, out, err);
        } else {
            sq_samples_image(s, i, x);
            rc = e->encoder->image(&c, x, e->n, out, err);
        }
    }
    sq_dvs_stream_free(&rec);
    free(x);
    free(order);
    return rc;
}

int sq_encoding_expand(const sq_encoding *e, sq_spike_list *out, sq_err *err)
{
    *out = (sq_spike_list){.max = e->max_spikes};
    sq_samples *s = NULL;
    int rc = sq_samples_open(&e->dataset, &s, err);
    if (rc == 0 && (rc = check_sizes(e, s, err)) == 0)
        rc = encode_all(e, s, out, err);
    sq_samples_close(s);
    if (rc < 0)
        sq_spike_list_free(out);
    return rc;
}
