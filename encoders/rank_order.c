/* encoders/rank_order.c: rank-order coding (Thorpe & Gautrais 1998, "Rank order coding", in
 * Computational Neuroscience, Plenum): only the order of the inputs is kept. The inputs brighter
 * than `threshold` fire once each, in decreasing order of intensity (equal intensities in index
 * order), the k-th (k = 0, 1, ...) at t0 + k dt. A sample whose ranked inputs do not fit in
 * sample_time is an error naming the sample. Tested in tests/test_encoders.c against an
 * independent ranking. */
#include <stdlib.h>

#include "encoder.h"

enum { DT, THRESHOLD };

static const sq_param_info params[] = {
    {"dt", "ms", 0.1, SQ_POSITIVE, "interval between successive ranks"},
    {"threshold", "1", 0.0, SQ_ANY, "inputs of intensity <= threshold do not fire"},
};

typedef struct {
    float x;
    uint32_t i;
} ranked;

static int by_rank(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    if (p->x != q->x)
        return p->x > q->x ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

static double spikes_per_sample(const double *v, double sample_time, uint32_t n)
{
    (void)v;
    (void)sample_time;
    return n;
}

static int encode(const sq_encode_ctx *c, const float *x, uint32_t n, sq_spike_list *out, sq_err *err)
{
    ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory ranking %u inputs", c->where, n);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (x[i] > c->v[THRESHOLD])
            r[m++] = (ranked){x[i], i};
    int rc = 0;
    if (m > 0 && !((double)(m - 1) * c->v[DT] < c->sample_time))
        rc = sq_fail(err, SQ_ECONFIG, "%s.dt: sample %llu ranks %u inputs %g ms apart, which needs %g ms, more than "
                     "sample_time = %g ms (lower dt or raise threshold)", c->where, (unsigned long long)c->sample, m,
                     c->v[DT], (double)(m - 1) * c->v[DT], c->sample_time);
    qsort(r, m, sizeof *r, by_rank);
    for (uint32_t k = 0; k < m && rc == 0; k++)
        rc = sq__encode_push(c, out, r[k].i, c->t0 + (double)k * c->v[DT], err);
    free(r);
    return rc;
}

const sq_encoder sq_encoder_rank_order = {
    .name = "rank_order",
    .doc = "one spike per input, in decreasing order of intensity, dt apart",
    .params = params,
    .n_params = SQ_COUNT(params),
    .spikes_per_sample = spikes_per_sample,
    .image = encode,
};
