/* layers/conv_kernels.c: the dense (im2col + SGEMM) and sparse (event-driven scatter) convolution
 * kernels of conv2d and linear layers, forward and backward; see conv_kernels.h. Tested against
 * PyTorch in tests/layered_oracle.py and path against path in tests/test_layers.c. */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/rng.h"
#include "conv_kernels.h"

/* Rows (output pixels) a chunk aims at: enough for SGEMM to run near its peak, small enough that a
 * chunk's im2col matrix stays in the L2/L3 cache. */
#define CHUNK_ROWS 2048

int sq__conv_geom_init(sq_conv_geom *g)
{
    if (g->kh > g->h + 2 * g->ph || g->kw > g->w + 2 * g->pw || g->sh == 0 || g->sw == 0)
        return -1;
    g->oh = (g->h + 2 * g->ph - g->kh) / g->sh + 1;
    g->ow = (g->w + 2 * g->pw - g->kw) / g->sw + 1;
    g->K = (size_t)g->kh * g->kw * g->ci;
    int pointwise = g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0;
    int whole = g->kh == g->h && g->kw == g->w && g->ph == 0 && g->pw == 0;
    g->direct = pointwise || whole;
    size_t pixels = (size_t)g->oh * g->ow;
    g->chunk = pixels >= CHUNK_ROWS ? 1 : (uint32_t)(CHUNK_ROWS / pixels);
    return 0;
}

static size_t partial_size(const sq_conv_geom *g) { return (size_t)g->co * g->K + g->co; }

int sq__conv_state_new(sq_layer *l, const sq_layer_cfg *c, const char *where, sq_conv_state **out)
{
    if (!(*out = l->priv = calloc(1, sizeof **out)))
        return sq_fail(c->err, SQ_ENOMEM, "%s: %s: out of memory", c->origin, where);
    return 0;
}

int sq__conv_state_finish(sq_layer *l, const sq_layer_cfg *c, const char *where)
{
    sq_conv_geom *g = &((sq_conv_state *)l->priv)->g;
    if (sq__conv_geom_init(g) < 0)
        return sq_fail(c->err, SQ_ECONFIG, "%s: %s.kernel: expected at most the padded input %u x %u, got %u x %u",
                       c->origin, where, g->h + 2 * g->ph, g->w + 2 * g->pw, g->kh, g->kw);
    l->shape = (sq_fshape){g->oh, g->ow, g->co};
    l->values = SQ_VALUES_REAL;
    l->T = l->in_T;
    l->params[0] = (sq_param){.name = "weight", .n = (size_t)g->co * g->K, .dims = {g->co, g->ci, g->kh, g->kw},
                              .perm = {0, 2, 3, 1}, .file_rank = 4, .file_dims = {g->co, g->ci, g->kh, g->kw},
                              .trainable = 1};
    l->n_params = 1;
    if (g->bias)
        l->params[l->n_params++] = (sq_param){.name = "bias", .n = g->co, .dims = {g->co, 1, 1, 1}, .perm = {0, 1, 2, 3},
                                              .file_rank = 1, .file_dims = {g->co}, .trainable = 1};
    return 0;
}

int sq__conv_prepare(sq_layer *l, uint32_t max_batch, int threads, sq_err *err)
{
    (void)max_batch, (void)threads;
    sq_conv_state *s = l->priv;
    s->wt = malloc(s->g.K * s->g.co * sizeof *s->wt);
    if (!s->wt)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory for the transposed weights", l->name);
    return 0;
}

/* Floats of one thread's scratch for passes of N samples: the im2col matrix of a chunk, or of all
 * the images when fewer, then (input bits, not direct) one image unpacked into floats. A direct
 * geometry needs no matrix, unless its input is bits, which are unpacked there. */
static size_t col_floats(const sq_layer *l, const sq_conv_geom *g, uint32_t N)
{
    size_t images = (size_t)l->in_T * N, n = images < g->chunk ? images : g->chunk;
    int bits = l->in_val[0]->store == SQ_STORE_BITS;
    if (g->direct)
        return bits ? n * g->oh * g->ow * g->K : 0;
    return n * g->oh * g->ow * g->K + (bits ? (size_t)g->h * g->w * g->ci : 0);
}

size_t sq__conv_workspace(const sq_layer *l, uint32_t N, int threads)
{
    const sq_conv_state *s = l->priv;
    return SQ_CONV_GROUPS * partial_size(&s->g) + (size_t)threads * col_floats(l, &s->g, N);
}

void sq__conv_init(sq_layer *l, uint64_t seed)
{
    const sq_conv_state *s = l->priv;
    const sq_conv_geom *g = &s->g;
    sq__init_apply(&s->init, l, g->K, s->linear ? g->co : (size_t)g->co * g->kh * g->kw, seed);
}

void sq__conv_destroy(sq_layer *l)
{
    sq_conv_state *s = l->priv;
    if (s)
        free(s->wt);
    free(s);
}

/* One image's im2col matrix: row (oy, ox) holds the kh x kw x ci input patch it sees (zero padding). */
static void im2col(const sq_conv_geom *g, const float *restrict x, float *restrict col)
{
    for (uint32_t oy = 0; oy < g->oh; oy++)
        for (uint32_t ox = 0; ox < g->ow; ox++) {
            float *row = col + ((size_t)oy * g->ow + ox) * g->K;
            for (uint32_t ky = 0; ky < g->kh; ky++) {
                long iy = (long)oy * g->sh - g->ph + ky;
                for (uint32_t kx = 0; kx < g->kw; kx++) {
                    long ix = (long)ox * g->sw - g->pw + kx;
                    float *dst = row + ((size_t)ky * g->kw + kx) * g->ci;
                    if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w)
                        memset(dst, 0, g->ci * sizeof *dst);
                    else
                        memcpy(dst, x + ((size_t)iy * g->w + ix) * g->ci, g->ci * sizeof *dst);
                }
            }
        }
}

/* The adjoint of im2col: every patch entry's gradient added back to the input position it came from. */
static void col2im_add(const sq_conv_geom *g, const float *restrict col, float *restrict dx)
{
    for (uint32_t oy = 0; oy < g->oh; oy++)
        for (uint32_t ox = 0; ox < g->ow; ox++) {
            const float *row = col + ((size_t)oy * g->ow + ox) * g->K;
            for (uint32_t ky = 0; ky < g->kh; ky++) {
                long iy = (long)oy * g->sh - g->ph + ky;
                if (iy < 0 || iy >= g->h)
                    continue;
                for (uint32_t kx = 0; kx < g->kw; kx++) {
                    long ix = (long)ox * g->sw - g->pw + kx;
                    if (ix < 0 || ix >= g->w)
                        continue;
                    const float *src = row + ((size_t)ky * g->kw + kx) * g->ci;
                    float *dst = dx + ((size_t)iy * g->w + ix) * g->ci;
                    for (uint32_t c = 0; c < g->ci; c++)
                        dst[c] += src[c];
                }
            }
        }
}

/* dst[0..n) += a * src[0..n): the inner loop of both scatters, compiled for AVX2 and for the
 * baseline and chosen when the library loads. */
__attribute__((target_clones("avx2", "default"))) static void axpy(float *restrict dst, const float *restrict src,
                                                                   float a, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] += a * src[i];
}

/* The output positions (o, first kernel tap k) an input coordinate i reaches along one axis: input i
 * feeds output o through tap k when o * stride - pad + k == i. */
static int tap_output(long i, uint32_t k, uint32_t stride, uint32_t pad, uint32_t n_out, uint32_t *o)
{
    long num = i + (long)pad - (long)k;
    if (num < 0 || num % stride)
        return 0;
    *o = (uint32_t)(num / stride);
    return *o < n_out;
}

/* The scatter of one non-zero input (iy, ix, c) of value v. With dy == NULL it adds v * wt[tap][c][:]
 * to the output y (forward); otherwise it adds v * dy[output][:] to the transposed weight gradient
 * dwt[tap][c][:] (weight gradient). Both walk the same (input, tap, output) triples. */
static void scatter_input(const sq_conv_geom *g, uint32_t iy, uint32_t ix, uint32_t c, float v,
                          const float *restrict wt, float *restrict y, const float *restrict dy, float *restrict dwt)
{
    for (uint32_t ky = 0; ky < g->kh; ky++) {
        uint32_t oy, ox;
        if (!tap_output(iy, ky, g->sh, g->ph, g->oh, &oy))
            continue;
        for (uint32_t kx = 0; kx < g->kw; kx++) {
            if (!tap_output(ix, kx, g->sw, g->pw, g->ow, &ox))
                continue;
            size_t tap = ((size_t)ky * g->kw + kx) * g->ci + c;
            size_t opix = ((size_t)oy * g->ow + ox) * g->co;
            if (dy)
                axpy(dwt + tap * g->co, dy + opix, v, g->co);
            else
                axpy(y + opix, wt + tap * g->co, v, g->co);
        }
    }
}

/* The spikes of input pixel (iy, ix) of an image stored as bits w: its ci bits [b0, b1), a word at
 * a time, each set bit (in channel order) scattered with value 1. */
static void scatter_pixel_bits(const sq_conv_geom *g, const uint64_t *restrict w, uint32_t iy, uint32_t ix,
                               const float *restrict wt, float *restrict y, const float *restrict dy,
                               float *restrict dwt)
{
    size_t b0 = ((size_t)iy * g->w + ix) * g->ci, b1 = b0 + g->ci;
    for (size_t k = b0 / 64; k * 64 < b1; k++) {
        uint64_t word = w[k];
        if (k * 64 < b0)
            word &= ~0ull << (b0 - k * 64);
        if (b1 - k * 64 < 64)
            word &= (1ull << (b1 - k * 64)) - 1;
        for (; word; word &= word - 1)
            scatter_input(g, iy, ix, (uint32_t)(k * 64 + (size_t)__builtin_ctzll(word) - b0), 1.0f, wt, y, dy, dwt);
    }
}

/* Every non-zero input of image i of x, in element order, so that floats and bits holding the same
 * spikes give the same sums in the same order (axpy with 1.0f is axpy with a float spike). */
static void scatter_image(const sq_conv_geom *g, const sq_tensor *x, size_t i, const float *restrict wt,
                          float *restrict y, const float *restrict dy, float *restrict dwt)
{
    for (uint32_t iy = 0; iy < g->h; iy++)
        for (uint32_t ix = 0; ix < g->w; ix++) {
            if (x->store == SQ_STORE_BITS) {
                scatter_pixel_bits(g, x->bits + i * x->words, iy, ix, wt, y, dy, dwt);
                continue;
            }
            const float *px = x->f + i * x->image + ((size_t)iy * g->w + ix) * g->ci;
            for (uint32_t c = 0; c < g->ci; c++)
                if (px[c] != 0.0f)
                    scatter_input(g, iy, ix, c, px[c], wt, y, dy, dwt);
        }
}

/* Non-zero share of the first `images` images of x, counted in fixed blocks so that the sum is exact
 * in any order (bits: a population count; the unused bits of each image are 0). */
static double input_density(const sq_tensor *x, size_t images, int threads, double *nonzero)
{
    uint64_t nz = 0;
    if (x->store == SQ_STORE_BITS) {
        size_t n = images * x->words;
#pragma omp parallel for num_threads(threads) reduction(+ : nz) schedule(static)
        for (size_t i = 0; i < n; i++)
            nz += (uint64_t)__builtin_popcountll(x->bits[i]);
    } else {
        size_t n = images * x->image;
#pragma omp parallel for num_threads(threads) reduction(+ : nz) schedule(static)
        for (size_t i = 0; i < n; i++)
            nz += x->f[i] != 0.0f;
    }
    size_t total = images * x->image;
    *nonzero = (double)nz;
    return total ? (double)nz / (double)total : 0.0;
}

/* The SGEMM input of images [first, first + n): the input itself (a direct geometry over floats),
 * or col (a thread's scratch, col_floats) filled with their im2col matrices (or, direct over bits,
 * the images unpacked). Bits are unpacked an image at a time after the matrix, so that im2col
 * copies each of a pixel's kh * kw uses from floats. */
static const float *gemm_input(const sq_conv_geom *g, const sq_tensor *x, size_t first, size_t n, float *col)
{
    size_t in_img = (size_t)g->h * g->w * g->ci, col_img = (size_t)g->oh * g->ow * g->K;
    if (g->direct && x->store == SQ_STORE_FLOAT)
        return x->f + first * in_img;
    float *img = col + n * col_img;
    for (size_t i = 0; i < n; i++) {
        if (g->direct)
            sq_tensor_read(x, first + i, 0, in_img, col + i * in_img);
        else if (x->store == SQ_STORE_BITS) {
            sq_tensor_read(x, first + i, 0, in_img, img);
            im2col(g, img, col + i * col_img);
        } else
            im2col(g, x->f + (first + i) * in_img, col + i * col_img);
    }
    return col;
}

void sq__conv_forward(sq_layer *l, const sq_step_ctx *ctx)
{
    sq_conv_state *s = l->priv;
    const sq_conv_geom *g = &s->g;
    const float *w = l->params[0].value;
    size_t images = (size_t)l->in_T * ctx->N, in_img = (size_t)g->h * g->w * g->ci, out_img = (size_t)g->oh * g->ow * g->co;
    const sq_tensor *x = l->in_val[0];
    float *y = l->out.f; /* real values: floats */

    double nonzero = 0.0;
    double density = l->in_values[0] == SQ_VALUES_REAL ? 1.0 : input_density(x, images, ctx->threads, &nonzero);
    s->sparse = l->in_values[0] != SQ_VALUES_REAL && density <= ctx->sparse_max_density;
    if (ctx->training && l->in_values[0] != SQ_VALUES_REAL) {
        l->stats.input_nonzero += nonzero;
        l->stats.input_total += (double)(images * in_img);
    }
    if (s->sparse)
        l->stats.sparse_passes++;
    else
        l->stats.dense_passes++;

    if (s->sparse) {
        for (size_t k = 0; k < g->K; k++)
            for (uint32_t o = 0; o < g->co; o++)
                s->wt[k * g->co + o] = w[o * g->K + k];
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1)
        for (size_t i = 0; i < images; i++) {
            memset(y + i * out_img, 0, out_img * sizeof *y);
            scatter_image(g, x, i, s->wt, y + i * out_img, NULL, NULL);
        }
    } else {
        size_t n_chunks = (images + g->chunk - 1) / g->chunk, per_thread = col_floats(l, g, ctx->N);
        float *cols = ctx->work + SQ_CONV_GROUPS * partial_size(g);
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1)
        for (size_t c = 0; c < n_chunks; c++) {
            size_t first = c * g->chunk, n = images - first < g->chunk ? images - first : g->chunk;
            const float *a = gemm_input(g, x, first, n, cols + (size_t)omp_get_thread_num() * per_thread);
            int rows = (int)(n * g->oh * g->ow);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, (int)g->co, (int)g->K, 1.0f, a, (int)g->K, w,
                        (int)g->K, 0.0f, y + first * out_img, (int)g->co);
        }
    }
    if (g->bias) {
        const float *b = l->params[1].value;
        size_t rows = images * g->oh * g->ow;
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
        for (size_t r = 0; r < rows; r++)
            for (uint32_t o = 0; o < g->co; o++)
                y[r * g->co + o] += b[o];
    }
}

/* Weight and bias gradients: group gi sums the chunks gi, gi + G, ... in order into its partial. */
static void weight_grad_group(sq_layer *l, sq_conv_state *s, const sq_step_ctx *ctx, size_t gi, float *part,
                              float *col)
{
    const sq_conv_geom *g = &s->g;
    size_t images = (size_t)l->in_T * ctx->N, out_img = (size_t)g->oh * g->ow * g->co;
    size_t n_chunks = (images + g->chunk - 1) / g->chunk;
    float *dpart = part, *bpart = part + (size_t)g->co * g->K;
    memset(part, 0, partial_size(g) * sizeof *part);
    for (size_t c = gi; c < n_chunks; c += SQ_CONV_GROUPS) {
        size_t first = c * g->chunk, n = images - first < g->chunk ? images - first : g->chunk;
        const float *dy = l->grad + first * out_img;
        if (s->sparse) {
            for (size_t i = 0; i < n; i++)
                scatter_image(g, l->in_val[0], first + i, NULL, NULL, dy + i * out_img, dpart);
        } else {
            const float *a = gemm_input(g, l->in_val[0], first, n, col);
            int rows = (int)(n * g->oh * g->ow);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)g->co, (int)g->K, rows, 1.0f, dy, (int)g->co, a,
                        (int)g->K, 1.0f, dpart, (int)g->K);
        }
        if (g->bias) {
            size_t rows = n * g->oh * g->ow;
            for (size_t r = 0; r < rows; r++)
                for (uint32_t o = 0; o < g->co; o++)
                    bpart[o] += dy[r * g->co + o];
        }
    }
}

void sq__conv_backward(sq_layer *l, const sq_step_ctx *ctx)
{
    sq_conv_state *s = l->priv;
    const sq_conv_geom *g = &s->g;
    size_t images = (size_t)l->in_T * ctx->N, in_img = (size_t)g->h * g->w * g->ci, out_img = (size_t)g->oh * g->ow * g->co;
    size_t n_chunks = (images + g->chunk - 1) / g->chunk, per_thread = col_floats(l, g, ctx->N);
    size_t psize = partial_size(g), groups = n_chunks < SQ_CONV_GROUPS ? n_chunks : SQ_CONV_GROUPS;
    float *parts = ctx->work, *cols = ctx->work + SQ_CONV_GROUPS * psize;

#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1)
    for (size_t gi = 0; gi < groups; gi++)
        weight_grad_group(l, s, ctx, gi, parts + gi * psize, cols + (size_t)omp_get_thread_num() * per_thread);

    /* The sparse partials are transposed ([tap][ci][co]); the sum runs over groups in order. */
    float *dw = l->params[0].grad;
    size_t nw = (size_t)g->co * g->K;
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
    for (size_t i = 0; i < nw; i++) {
        size_t o = i / g->K, k = i % g->K, src = s->sparse ? k * g->co + o : i;
        float sum = 0.0f;
        for (size_t gi = 0; gi < groups; gi++)
            sum += parts[gi * psize + src];
        dw[i] = sum;
    }
    if (g->bias) {
        float *db = l->params[1].grad;
        for (uint32_t o = 0; o < g->co; o++) {
            float sum = 0.0f;
            for (size_t gi = 0; gi < groups; gi++)
                sum += parts[gi * psize + nw + o];
            db[o] = sum;
        }
    }

    float *dx = l->in_grad[0];
    if (!dx)
        return;
    const float *w = l->params[0].value;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1)
    for (size_t c = 0; c < n_chunks; c++) {
        size_t first = c * g->chunk, n = images - first < g->chunk ? images - first : g->chunk;
        int rows = (int)(n * g->oh * g->ow);
        const float *dy = l->grad + first * out_img;
        if (g->direct) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, (int)g->K, (int)g->co, 1.0f, dy, (int)g->co, w,
                        (int)g->K, 1.0f, dx + first * in_img, (int)g->K);
            continue;
        }
        float *col = cols + (size_t)omp_get_thread_num() * per_thread;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, (int)g->K, (int)g->co, 1.0f, dy, (int)g->co, w,
                    (int)g->K, 0.0f, col, (int)g->K);
        for (size_t i = 0; i < n; i++)
            col2im_add(g, col + i * (size_t)g->oh * g->ow * g->K, dx + (first + i) * in_img);
    }
}

void sq__init_uniform(float *w, size_t n, double bound, uint64_t seed, int layer, int param)
{
    sq_rng r;
    sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_LAYER, (uint64_t)layer, (uint64_t)param));
    for (size_t i = 0; i < n; i++)
        w[i] = (float)((2.0 * sq_rng_uniform(&r) - 1.0) * bound);
}

void sq__init_normal(float *w, size_t n, double std, uint64_t seed, int layer, int param)
{
    sq_rng r;
    sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_LAYER, (uint64_t)layer, (uint64_t)param));
    for (size_t i = 0; i < n; i++)
        w[i] = (float)(std * sq_rng_normal(&r));
}
