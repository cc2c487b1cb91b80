/* layers/add.c: elementwise sum of two inputs of one shape: the spike-addition residual of S-ResNet
 * (Vicente-Sola et al. 2022, `out = spike + skip`) and SEW-ResNet's ADD connection (Fang et al.
 * 2021, NeurIPS). The sum of spikes and counts is counts, so the layers after it may still take
 * the event-driven path. Tested against PyTorch in tests/layered_oracle.py. */
#include "layer_config.h"

static int setup(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    (void)obj;
    sq_fshape a = l->in_shape[0], b = l->in_shape[1];
    if (a.h != b.h || a.w != b.w || a.c != b.c)
        return sq_fail(c->err, SQ_ECONFIG, "%s: %s.inputs: expected two inputs of one shape, got %u x %u x %u and %u x %u x %u",
                       c->origin, where, a.c, a.h, a.w, b.c, b.h, b.w);
    l->shape = a;
    l->T = l->in_T;
    l->values = l->in_values[0] != SQ_VALUES_REAL && l->in_values[1] != SQ_VALUES_REAL ? SQ_VALUES_COUNTS : SQ_VALUES_REAL;
    return 0;
}

/* Elements an image is summed in: two blocks of either input (as floats) fit on the stack. */
#define BLOCK 256

/* The sum is counts or real, never spikes, so the output is floats. */
static void forward(sq_layer *l, const sq_step_ctx *ctx)
{
    size_t images = (size_t)l->T * ctx->N, F = sq_fshape_size(l->shape);
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
    for (size_t i = 0; i < images; i++)
        for (size_t e0 = 0; e0 < F; e0 += BLOCK) {
            size_t n = F - e0 < BLOCK ? F - e0 : BLOCK;
            float abuf[BLOCK], bbuf[BLOCK], *y = l->out.f + i * F + e0;
            const float *a = sq_tensor_row(l->in_val[0], i, e0, n, abuf), *b = sq_tensor_row(l->in_val[1], i, e0, n, bbuf);
            for (size_t k = 0; k < n; k++)
                y[k] = a[k] + b[k];
        }
}

static void backward(sq_layer *l, const sq_step_ctx *ctx)
{
    size_t n = (size_t)l->T * sq_layer_step_size(l, ctx->N);
    for (int k = 0; k < 2; k++) {
        float *g = l->in_grad[k];
        if (!g)
            continue;
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
        for (size_t i = 0; i < n; i++)
            g[i] += l->grad[i];
    }
}

const sq_layer_type sq_layer_add = {.name = "add", .summary = "elementwise sum of two inputs (spike-addition residual, SEW ADD)",
                                    .n_inputs = 2, .setup = setup, .forward = forward, .backward = backward};
