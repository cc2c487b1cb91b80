/* layers/avgpool.c: average pooling of every step's map (PyTorch nn.AvgPool2d, zero padding counted
 * in the divisor), and the global average pooling before a classifier (nn.AdaptiveAvgPool2d(1)) as
 * the same layer with the whole map as its window. Tested against PyTorch in tests/layered_oracle.py. */
#include <omp.h>
#include <stdlib.h>

#include "layer_config.h"

typedef struct {
    uint32_t kh, kw, sh, sw, ph, pw;
} pool;

static const char *const keys[] = {"kernel", "stride", "padding"};

static int finish(sq_layer *l, pool *p, const sq_layer_cfg *c, const char *where)
{
    sq_fshape in = l->in_shape[0];
    if (p->kh > in.h + 2 * p->ph || p->kw > in.w + 2 * p->pw)
        return sq_fail(c->err, SQ_ECONFIG, "%s: %s.kernel: expected at most the padded input %u x %u, got %u x %u",
                       c->origin, where, in.h + 2 * p->ph, in.w + 2 * p->pw, p->kh, p->kw);
    if (2 * p->ph > p->kh || 2 * p->pw > p->kw)
        return sq_fail(c->err, SQ_ECONFIG, "%s: %s.padding: expected at most half the kernel, got %u x %u", c->origin,
                       where, p->ph, p->pw);
    l->shape = (sq_fshape){(in.h + 2 * p->ph - p->kh) / p->sh + 1, (in.w + 2 * p->pw - p->kw) / p->sw + 1, in.c};
    l->values = SQ_VALUES_REAL;
    l->T = l->in_T;
    return 0;
}

static int setup(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    pool *p = calloc(1, sizeof *p);
    if (!(l->priv = p))
        return sq_fail(c->err, SQ_ENOMEM, "%s: %s: out of memory", c->origin, where);
    uint32_t k[2], s[2], pad[2];
    int rc;
    if ((rc = sq__lcfg_pair(c, obj, where, "kernel", 1, 4096, 2, k)) < 0 ||
        (rc = sq__lcfg_pair(c, obj, where, "stride", 1, 4096, 0, s)) < 0 ||
        (rc = sq__lcfg_pair(c, obj, where, "padding", 0, 4096, 0, pad)) < 0)
        return rc;
    if (!json_object_get(obj, "stride"))
        s[0] = k[0], s[1] = k[1];
    if (s[0] == 0 || s[1] == 0)
        return sq__lcfg_fail(c, where, "stride", "a positive integer", json_object_get(obj, "stride"));
    *p = (pool){k[0], k[1], s[0], s[1], pad[0], pad[1]};
    return finish(l, p, c, where);
}

static int setup_global(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    (void)obj;
    pool *p = calloc(1, sizeof *p);
    if (!(l->priv = p))
        return sq_fail(c->err, SQ_ENOMEM, "%s: %s: out of memory", c->origin, where);
    *p = (pool){l->in_shape[0].h, l->in_shape[0].w, 1, 1, 0, 0};
    return finish(l, p, c, where);
}

/* Window of output (oy, ox): input rows [y0, y1), columns [x0, x1) inside the map. */
static void window(const pool *p, sq_fshape in, uint32_t oy, uint32_t ox, uint32_t w[4])
{
    long y0 = (long)oy * p->sh - p->ph, x0 = (long)ox * p->sw - p->pw;
    long y1 = y0 + p->kh, x1 = x0 + p->kw;
    w[0] = (uint32_t)(y0 < 0 ? 0 : y0), w[1] = (uint32_t)(y1 > in.h ? in.h : y1);
    w[2] = (uint32_t)(x0 < 0 ? 0 : x0), w[3] = (uint32_t)(x1 > in.w ? in.w : x1);
}

/* One pixel's channels, for an input stored as bits (layers/tensor.h). */
static size_t workspace(const sq_layer *l, uint32_t N, int threads)
{
    (void)N;
    return (size_t)threads * l->in_shape[0].c;
}

/* Output pixel (oy, ox) of image i: the sum over its window, in window order, times scale. */
static void pool_pixel(sq_layer *l, const pool *p, size_t i, uint32_t oy, uint32_t ox, float scale, float *buf)
{
    sq_fshape in = l->in_shape[0], out = l->shape;
    uint32_t w[4];
    window(p, in, oy, ox, w);
    float *y = l->out.f + i * sq_fshape_size(out) + ((size_t)oy * out.w + ox) * out.c;
    for (uint32_t c = 0; c < out.c; c++)
        y[c] = 0.0f;
    for (uint32_t iy = w[0]; iy < w[1]; iy++)
        for (uint32_t ix = w[2]; ix < w[3]; ix++) {
            const float *x = sq_tensor_row(l->in_val[0], i, ((size_t)iy * in.w + ix) * in.c, in.c, buf);
            for (uint32_t c = 0; c < out.c; c++)
                y[c] += x[c];
        }
    for (uint32_t c = 0; c < out.c; c++)
        y[c] *= scale;
}

static void forward(sq_layer *l, const sq_step_ctx *ctx)
{
    const pool *p = l->priv;
    size_t images = (size_t)l->T * ctx->N;
    float scale = 1.0f / (float)(p->kh * p->kw);
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
    for (size_t i = 0; i < images; i++) {
        float *buf = ctx->work + (size_t)omp_get_thread_num() * l->in_shape[0].c;
        for (uint32_t oy = 0; oy < l->shape.h; oy++)
            for (uint32_t ox = 0; ox < l->shape.w; ox++)
                pool_pixel(l, p, i, oy, ox, scale, buf);
    }
}

static void backward(sq_layer *l, const sq_step_ctx *ctx)
{
    const pool *p = l->priv;
    if (!l->in_grad[0])
        return;
    sq_fshape in = l->in_shape[0], out = l->shape;
    size_t images = (size_t)l->T * ctx->N, in_img = sq_fshape_size(in), out_img = sq_fshape_size(out);
    float scale = 1.0f / (float)(p->kh * p->kw);
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
    for (size_t i = 0; i < images; i++)
        for (uint32_t oy = 0; oy < out.h; oy++)
            for (uint32_t ox = 0; ox < out.w; ox++) {
                uint32_t w[4];
                window(p, in, oy, ox, w);
                const float *gy = l->grad + i * out_img + ((size_t)oy * out.w + ox) * out.c;
                for (uint32_t iy = w[0]; iy < w[1]; iy++)
                    for (uint32_t ix = w[2]; ix < w[3]; ix++) {
                        float *gx = l->in_grad[0] + i * in_img + ((size_t)iy * in.w + ix) * in.c;
                        for (uint32_t c = 0; c < out.c; c++)
                            gx[c] += scale * gy[c];
                    }
            }
}

const sq_layer_type sq_layer_avgpool = {.name = "avgpool", .summary = "average pooling (kernel, stride = kernel, padding)",
                                        .n_inputs = 1, .keys = keys, .n_keys = SQ_COUNT(keys), .setup = setup,
                                        .workspace = workspace, .forward = forward, .backward = backward};
const sq_layer_type sq_layer_global_avgpool = {.name = "global_avgpool", .summary = "mean over the whole map (1 x 1 x C out)",
                                               .n_inputs = 1, .setup = setup_global, .workspace = workspace,
                                               .forward = forward, .backward = backward};
