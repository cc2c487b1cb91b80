/* layers/batchnorm.c: batch normalisation (Ioffe & Szegedy 2015, PyTorch nn.BatchNorm2d), either
 * one set of statistics and affine parameters shared by all steps, or one per step: BNTT (Kim &
 * Panda 2021, Front. Neurosci. 15:773954), as S-ResNet uses it (Vicente-Sola et al. 2022, eps 1e-4,
 * momentum 0.1, affine bias kept; ../shared/specs/learning.md §6.2).
 *   training:   y = gamma_s (x - mean_s) / sqrt(var_s + eps) + beta_s, batch mean and biased variance
 *               over N*H*W (per step) or T*N*H*W (shared); running_mean/var <- (1-m) r + m stat with
 *               the variance unbiased (M/(M-1)), as PyTorch.
 *   evaluation: the running statistics.
 * Sums run in double over fixed (step, 16-channel block) tasks: the same bits at any thread count.
 * Tested against PyTorch in tests/layered_oracle.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layer_config.h"

#define BLOCK 16

typedef struct {
    int per_step, affine;
    double eps, momentum;
    uint32_t S;              /* statistics sets: T or 1 */
    double *mean, *invstd;   /* [S][C] of the last forward pass, for backward */
    int stats_from_batch;    /* the last forward normalised with batch statistics */
} batchnorm;

static const char *const keys[] = {"per_step", "eps", "momentum", "affine"};

static int setup(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    batchnorm *b = calloc(1, sizeof *b);
    if (!(l->priv = b))
        return sq_fail(c->err, SQ_ENOMEM, "%s: %s: out of memory", c->origin, where);
    int rc;
    if ((rc = sq__lcfg_bool(c, obj, where, "per_step", 0, &b->per_step)) < 0 ||
        (rc = sq__lcfg_number(c, obj, where, "eps", SQ_NUM_POSITIVE, 1e-5, &b->eps)) < 0 ||
        (rc = sq__lcfg_number(c, obj, where, "momentum", SQ_NUM_UNIT_CLOSED, 0.1, &b->momentum)) < 0 ||
        (rc = sq__lcfg_bool(c, obj, where, "affine", 1, &b->affine)) < 0)
        return rc;
    if (l->in_T == 1 && b->per_step)
        b->per_step = 0;
    b->S = b->per_step ? l->in_T : 1;
    l->shape = l->in_shape[0];
    l->values = SQ_VALUES_REAL;
    l->T = l->in_T;
    uint32_t C = l->shape.c;
    static const char *const names[] = {"gamma", "beta", "running_mean", "running_var"};
    l->n_params = 0;
    for (int i = b->affine ? 0 : 2; i < 4; i++)
        l->params[l->n_params++] = (sq_param){.name = names[i], .n = (size_t)b->S * C, .dims = {b->S, C, 1, 1},
                                              .perm = {0, 1, 2, 3}, .file_rank = 2, .file_dims = {b->S, C},
                                              .trainable = i < 2};
    return 0;
}

static int prepare(sq_layer *l, uint32_t max_batch, int threads, sq_err *err)
{
    (void)max_batch, (void)threads;
    batchnorm *b = l->priv;
    size_t n = (size_t)b->S * l->shape.c;
    b->mean = malloc(n * sizeof *b->mean);
    b->invstd = malloc(n * sizeof *b->invstd);
    if (!b->mean || !b->invstd)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory for the batch statistics", l->name);
    return 0;
}

/* gamma = 1, beta = 0, running_mean = 0, running_var = 1, as PyTorch. */
static void init(sq_layer *l, uint64_t seed)
{
    (void)seed;
    for (int i = 0; i < l->n_params; i++) {
        float v = strcmp(l->params[i].name, "gamma") == 0 || strcmp(l->params[i].name, "running_var") == 0 ? 1.0f : 0.0f;
        for (size_t j = 0; j < l->params[i].n; j++)
            l->params[i].value[j] = v;
    }
}

static float *param(sq_layer *l, const char *name, int grad)
{
    for (int i = 0; i < l->n_params; i++)
        if (strcmp(l->params[i].name, name) == 0)
            return grad ? l->params[i].grad : l->params[i].value;
    return NULL;
}

/* The elements of statistics set s: steps [t0, t1), all samples and pixels. */
typedef struct {
    uint32_t t0, t1;
    size_t step, pixels; /* floats per step (N*h*w*C), pixels per step (N*h*w) */
    uint32_t N, C, c0, c1; /* samples; channels [c0, c1) of this task */
} task;

static task task_of(const sq_layer *l, const batchnorm *b, uint32_t N, size_t k)
{
    uint32_t blocks = (l->shape.c + BLOCK - 1) / BLOCK, s = (uint32_t)(k / blocks), cb = (uint32_t)(k % blocks);
    task t = {.t0 = b->per_step ? s : 0, .t1 = b->per_step ? s + 1 : l->in_T, .N = N, .C = l->shape.c, .c0 = cb * BLOCK};
    t.c1 = t.c0 + BLOCK < t.C ? t.c0 + BLOCK : t.C;
    t.pixels = (size_t)N * l->shape.h * l->shape.w;
    t.step = t.pixels * t.C;
    return t;
}

/* Channels [c0, c1) of the input at pixel p of step t (p over N*h*w) unpacked from bits into buf:
 * pixel p is element (p % hw) * C + c0 of image t * N + p / hw. */
static const float *bits_pixel(const task *tk, const sq_tensor *x, uint32_t t, size_t p, float *buf)
{
    size_t hw = tk->pixels / tk->N;
    return sq_tensor_row(x, (size_t)t * tk->N + p / hw, (p % hw) * tk->C + tk->c0, tk->c1 - tk->c0, buf);
}

/* One pixel of channel_sums: a is dy when `with_dy`, else x. */
static inline void sums_pixel(uint32_t nc, const float *restrict x, const float *restrict a, int with_dy,
                              const double *restrict center, double *restrict s1, double *restrict s2)
{
    for (uint32_t c = 0; c < nc; c++) {
        double v = a[c], d = (double)x[c] - center[c];
        s1[c] += v;
        s2[c] += (with_dy ? v : d) * d;
    }
}

/* One pixel of channel_affine (dy read only when `with_dy`). */
static inline void affine_pixel(uint32_t nc, const float *restrict x, const float *restrict dy, int with_dy,
                                float *restrict out, const float *A, const float *B, const float *C)
{
    if (with_dy)
        for (uint32_t c = 0; c < nc; c++)
            out[c] += A[c] * dy[c] + B[c] * x[c] + C[c];
    else
        for (uint32_t c = 0; c < nc; c++)
            out[c] = A[c] * x[c] + B[c];
}

/* Per-channel sums over the task's elements of the input x, in double: s1[c] += x, s2[c] +=
 * (x - center[c])^2 (dy NULL), or s1[c] += dy, s2[c] += dy (x - center[c]) (dy given). A float
 * input is read in place and bits are unpacked, in two loops: a test per pixel of 16 channels
 * costs 10 to 15 % here. */
__attribute__((target_clones("avx2", "default"))) static void channel_sums(const task *tk, const sq_tensor *x,
                                                                           const float *restrict dy,
                                                                           const double *restrict center,
                                                                           double *restrict s1, double *restrict s2)
{
    uint32_t nc = tk->c1 - tk->c0;
    int with_dy = dy != NULL;
    for (uint32_t c = 0; c < nc; c++)
        s1[c] = s2[c] = 0.0;
    if (x->store == SQ_STORE_FLOAT) {
        for (uint32_t t = tk->t0; t < tk->t1; t++)
            for (size_t p = 0, base = t * tk->step + tk->c0; p < tk->pixels; p++, base += tk->C)
                sums_pixel(nc, x->f + base, (with_dy ? dy : x->f) + base, with_dy, center, s1, s2);
        return;
    }
    float buf[BLOCK];
    for (uint32_t t = tk->t0; t < tk->t1; t++)
        for (size_t p = 0, base = t * tk->step + tk->c0; p < tk->pixels; p++, base += tk->C) {
            const float *xp = bits_pixel(tk, x, t, p, buf);
            sums_pixel(nc, xp, with_dy ? dy + base : xp, with_dy, center, s1, s2);
        }
}

/* out[c] = A[c] x[c] + B[c] (add: out[c] += A[c] dy[c] + B[c] x[c] + C[c]) over the task, x the
 * input; two loops as in channel_sums. */
__attribute__((target_clones("avx2", "default"))) static void channel_affine(const task *tk, const sq_tensor *x,
                                                                             const float *restrict dy,
                                                                             float *restrict out, const float *A,
                                                                             const float *B, const float *C)
{
    uint32_t nc = tk->c1 - tk->c0;
    int with_dy = dy != NULL;
    const float *d = with_dy ? dy : out; /* never read without dy: a valid pointer to offset */
    if (x->store == SQ_STORE_FLOAT) {
        for (uint32_t t = tk->t0; t < tk->t1; t++)
            for (size_t p = 0, base = t * tk->step + tk->c0; p < tk->pixels; p++, base += tk->C)
                affine_pixel(nc, x->f + base, d + base, with_dy, out + base, A, B, C);
        return;
    }
    float buf[BLOCK];
    for (uint32_t t = tk->t0; t < tk->t1; t++)
        for (size_t p = 0, base = t * tk->step + tk->c0; p < tk->pixels; p++, base += tk->C)
            affine_pixel(nc, bits_pixel(tk, x, t, p, buf), d + base, with_dy, out + base, A, B, C);
}

static void forward(sq_layer *l, const sq_step_ctx *ctx)
{
    batchnorm *b = l->priv;
    uint32_t C = l->shape.c, blocks = (C + BLOCK - 1) / BLOCK;
    float *gamma = param(l, "gamma", 0), *beta = param(l, "beta", 0);
    float *rmean = param(l, "running_mean", 0), *rvar = param(l, "running_var", 0);
    size_t tasks = (size_t)b->S * blocks;
    b->stats_from_batch = ctx->training;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1)
    for (size_t k = 0; k < tasks; k++) {
        task tk = task_of(l, b, ctx->N, k);
        size_t s = k / blocks, M = (size_t)(tk.t1 - tk.t0) * tk.pixels;
        double sum[BLOCK], sq[BLOCK], mean[BLOCK] = {0};
        float A[BLOCK], B[BLOCK];
        if (ctx->training) {
            channel_sums(&tk, l->in_val[0], NULL, mean, sum, sq);
            for (uint32_t c = 0; c < tk.c1 - tk.c0; c++)
                mean[c] = sum[c] / (double)M;
            channel_sums(&tk, l->in_val[0], NULL, mean, sum, sq);
        }
        for (uint32_t c = tk.c0; c < tk.c1; c++) {
            size_t i = s * C + c;
            uint32_t j = c - tk.c0;
            if (ctx->training) {
                double var = sq[j] / (double)M, unbiased = M > 1 ? var * (double)M / (double)(M - 1) : var;
                b->mean[i] = mean[j];
                b->invstd[i] = 1.0 / sqrt(var + b->eps);
                rmean[i] = (float)((1.0 - b->momentum) * rmean[i] + b->momentum * mean[j]);
                rvar[i] = (float)((1.0 - b->momentum) * rvar[i] + b->momentum * unbiased);
            } else {
                b->mean[i] = rmean[i];
                b->invstd[i] = 1.0 / sqrt((double)rvar[i] + b->eps);
            }
            double scale = (gamma ? gamma[i] : 1.0) * b->invstd[i];
            A[j] = (float)scale;
            B[j] = (float)((beta ? beta[i] : 0.0) - b->mean[i] * scale);
        }
        channel_affine(&tk, l->in_val[0], NULL, l->out.f, A, B, NULL); /* real values: floats */
    }
}

/* dx = gamma invstd (dy - mean(dy) - xhat mean(dy xhat)) with batch statistics, gamma invstd dy with
 * running ones: per channel, dx += A dy + B x + C. */
static void backward(sq_layer *l, const sq_step_ctx *ctx)
{
    batchnorm *b = l->priv;
    uint32_t C = l->shape.c, blocks = (C + BLOCK - 1) / BLOCK;
    float *gamma = param(l, "gamma", 0), *dgamma = param(l, "gamma", 1), *dbeta = param(l, "beta", 1);
    float *dx = l->in_grad[0];
    size_t tasks = (size_t)b->S * blocks;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1)
    for (size_t k = 0; k < tasks; k++) {
        task tk = task_of(l, b, ctx->N, k);
        size_t s = k / blocks, M = (size_t)(tk.t1 - tk.t0) * tk.pixels;
        double sum_dy[BLOCK], sum_dyx[BLOCK], center[BLOCK];
        float A[BLOCK], B[BLOCK], Cc[BLOCK];
        for (uint32_t c = tk.c0; c < tk.c1; c++)
            center[c - tk.c0] = b->mean[s * C + c];
        channel_sums(&tk, l->in_val[0], l->grad, center, sum_dy, sum_dyx);
        for (uint32_t c = tk.c0; c < tk.c1; c++) {
            size_t i = s * C + c;
            uint32_t j = c - tk.c0;
            double invstd = b->invstd[i], dyxhat = sum_dyx[j] * invstd; /* sum of dy * xhat */
            if (dgamma) {
                dgamma[i] = (float)dyxhat;
                dbeta[i] = (float)sum_dy[j];
            }
            double a = (gamma ? gamma[i] : 1.0) * invstd, bx = 0.0, c0 = 0.0;
            if (b->stats_from_batch) {
                bx = -a * invstd * dyxhat / (double)M;
                c0 = -a * sum_dy[j] / (double)M - bx * b->mean[i];
            }
            A[j] = (float)a, B[j] = (float)bx, Cc[j] = (float)c0;
        }
        if (dx)
            channel_affine(&tk, l->in_val[0], l->grad, dx, A, B, Cc);
    }
}

static void destroy(sq_layer *l)
{
    batchnorm *b = l->priv;
    if (b) {
        free(b->mean);
        free(b->invstd);
    }
    free(b);
}

const sq_layer_type sq_layer_batchnorm = {
    .name = "batchnorm", .summary = "batch normalisation, shared over time or per step (BNTT: per_step, eps, momentum, affine)",
    .n_inputs = 1, .keys = keys, .n_keys = SQ_COUNT(keys), .setup = setup, .prepare = prepare, .init = init,
    .forward = forward, .backward = backward, .destroy = destroy};
