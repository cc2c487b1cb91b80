/* layers/dropout.c: dropout (Srivastava et al. 2014, JMLR 15:1929) with one mask per sample held for
 * all T steps, as desire backpropagation (Gerlinghoff et al. 2023; ../shared/specs/learning.md §1)
 * and SpikingJelly's multi-step layer.Dropout do: a feature dropped at one step is dropped at every
 * step of that sample. Kept features are scaled by 1 / (1 - p) in training; evaluation is the
 * identity. The mask of (sample, feature) is a pure function of (seed, layer, sample key, feature)
 * (counter-based, sim/rng.h), so it does not depend on threads or batch composition.
 * Tested in tests/test_layers.c (mask constant over steps, keep rate, scaling, backward). */
#include <stdint.h>
#include <stdlib.h>

#include "../sim/rng.h"
#include "layer_config.h"

typedef struct {
    double p;
    uint8_t *mask; /* [N][features] of the last training pass */
} dropout;

static const char *const keys[] = {"p"};

static int setup(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    dropout *d = calloc(1, sizeof *d);
    if (!(l->priv = d))
        return sq_fail(c->err, SQ_ENOMEM, "%s: %s: out of memory", c->origin, where);
    int rc;
    if ((rc = sq__lcfg_number(c, obj, where, "p", SQ_NUM_NONNEGATIVE, 0.5, &d->p)) < 0)
        return rc;
    if (!(d->p < 1))
        return sq__lcfg_fail(c, where, "p", "a probability in [0, 1)", json_object_get(obj, "p"));
    l->shape = l->in_shape[0];
    l->values = l->in_values[0] != SQ_VALUES_REAL && d->p == 0 ? l->in_values[0] : SQ_VALUES_REAL;
    l->T = l->in_T;
    return 0;
}

static int prepare(sq_layer *l, uint32_t max_batch, int threads, sq_err *err)
{
    (void)threads;
    dropout *d = l->priv;
    if (!(d->mask = malloc((size_t)max_batch * sq_fshape_size(l->shape))))
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory for the dropout masks", l->name);
    return 0;
}

/* 1 when feature f of the sample with this key is kept. */
static uint8_t keep(const dropout *d, uint64_t seed, int layer, uint64_t sample_key, size_t f)
{
    uint64_t key = sq_mix_key(seed, sq_stream_id(SQ_STREAM_DROPOUT, (uint64_t)layer, sample_key));
    double u = (double)(sq_splitmix(key, f) >> 11) * 0x1.0p-53;
    return u >= d->p;
}

/* Features an image is copied or masked in: a multiple of 64, so that a spike output (p = 0) is
 * written a whole word at a time (layers/tensor.h). */
#define BLOCK 256

/* Image i (sample n = i % N) block [e0, e0 + len): the input as it is, or masked and scaled. The
 * output is spikes only when p = 0 (setup), so a masked one is floats. */
static void image_block(sq_layer *l, const dropout *d, int masked, float scale, uint32_t N, size_t i, size_t e0, size_t len)
{
    float buf[BLOCK];
    const float *x = sq_tensor_row(l->in_val[0], i, e0, len, buf);
    if (!masked) {
        sq_tensor_write(&l->out, i, e0, len, x);
        return;
    }
    size_t F = sq_fshape_size(l->shape);
    const uint8_t *m = d->mask + (i % N) * F + e0;
    float *y = l->out.f + i * F + e0;
    for (size_t k = 0; k < len; k++)
        y[k] = m[k] ? x[k] * scale : 0.0f;
}

static void forward(sq_layer *l, const sq_step_ctx *ctx)
{
    dropout *d = l->priv;
    size_t F = sq_fshape_size(l->shape), images = (size_t)l->T * ctx->N;
    int masked = ctx->training && d->p > 0;
    float scale = (float)(1.0 / (1.0 - d->p));
    if (masked) {
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
        for (uint32_t s = 0; s < ctx->N; s++)
            for (size_t f = 0; f < F; f++)
                d->mask[(size_t)s * F + f] = keep(d, ctx->seed, l->index, ctx->sample_keys[s], f);
    }
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
    for (size_t i = 0; i < images; i++)
        for (size_t e0 = 0; e0 < F; e0 += BLOCK)
            image_block(l, d, masked, scale, ctx->N, i, e0, F - e0 < BLOCK ? F - e0 : BLOCK);
}

static void backward(sq_layer *l, const sq_step_ctx *ctx)
{
    dropout *d = l->priv;
    if (!l->in_grad[0])
        return;
    size_t F = sq_fshape_size(l->shape), n = (size_t)l->T * ctx->N * F;
    int masked = ctx->training && d->p > 0;
    float scale = masked ? (float)(1.0 / (1.0 - d->p)) : 1.0f;
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
    for (size_t i = 0; i < n; i++)
        if (!masked || d->mask[i % ((size_t)ctx->N * F)])
            l->in_grad[0][i] += l->grad[i] * scale;
}

static void destroy(sq_layer *l)
{
    dropout *d = l->priv;
    if (d)
        free(d->mask);
    free(d);
}

const sq_layer_type sq_layer_dropout = {.name = "dropout", .summary = "dropout with one mask per sample for all steps (p)",
                                        .n_inputs = 1, .keys = keys, .n_keys = SQ_COUNT(keys), .setup = setup,
                                        .prepare = prepare, .forward = forward, .backward = backward,
                                        .destroy = destroy};
