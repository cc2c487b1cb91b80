/* step/rate_net.c: sigmoid rate networks and their blocked SGEMM products (step/rate_net.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <omp.h>

#include "../sim/rng.h"
#include "rate_net.h"

int sq_rate_net_create(uint32_t layers, const uint32_t *sizes, int threads, sq_rate_net **out, sq_err *err)
{
    *out = NULL;
    if (layers < 1 || layers > SQ_RATE_MAX_LAYERS)
        return sq_fail(err, SQ_ECONFIG, "network.sizes: expected 2 to %d layer sizes, got %u", SQ_RATE_MAX_LAYERS + 1,
                       layers + 1);
    for (uint32_t l = 0; l <= layers; l++)
        if (sizes[l] < 1 || sizes[l] > (1u << 20))
            return sq_fail(err, SQ_ECONFIG, "network.sizes[%u]: expected 1 to 1048576 units, got %u", l, sizes[l]);
    sq_rate_net *n = calloc(1, sizeof *n);
    if (!n)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    n->layers = layers;
    n->threads = threads > 0 ? threads : 1;
    memcpy(n->sizes, sizes, (layers + 1) * sizeof *sizes);
    for (uint32_t l = 1; l <= layers; l++) {
        n->w[l] = calloc((size_t)sizes[l] * sizes[l - 1], sizeof(float));
        n->b[l] = calloc(sizes[l], sizeof(float));
        if (!n->w[l] || !n->b[l]) {
            sq_rate_net_destroy(n);
            return sq_fail(err, SQ_ENOMEM, "out of memory for layer %u's %u x %u weights", l, sizes[l], sizes[l - 1]);
        }
    }
    /* The threads are ours (fixed blocks, above); OpenBLAS's own pool would oversubscribe. */
    openblas_set_num_threads(1);
    *out = n;
    return 0;
}

void sq_rate_net_destroy(sq_rate_net *n)
{
    if (!n)
        return;
    for (uint32_t l = 1; l <= n->layers; l++)
        free(n->w[l]), free(n->b[l]);
    free(n);
}

void sq_rate_net_init(sq_rate_net *n, uint64_t seed, double gain)
{
    for (uint32_t l = 1; l <= n->layers; l++) {
        size_t fan_out = n->sizes[l], fan_in = n->sizes[l - 1];
        double sd = gain * sqrt(2.0 / (double)(fan_in + fan_out));
        sq_rng r;
        sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_LAYER, l, 0));
        for (size_t i = 0; i < fan_out * fan_in; i++)
            n->w[l][i] = (float)(sd * sq_rng_normal(&r));
        memset(n->b[l], 0, fan_out * sizeof(float));
    }
}

/* c's columns [j, j + w) for each block; the caller's kernel does one block. */
#define FOR_BLOCKS(threads, n, body)                                                                                   \
    do {                                                                                                               \
        int blocks_ = (int)(((n) + SQ_RATE_BLOCK - 1) / SQ_RATE_BLOCK);                                                \
        _Pragma("omp parallel for num_threads(threads) schedule(static) if (threads > 1 && blocks_ > 1)")              \
        for (int blk_ = 0; blk_ < blocks_; blk_++) {                                                                   \
            uint32_t j = (uint32_t)blk_ * SQ_RATE_BLOCK;                                                               \
            int w = (int)((n) - j < SQ_RATE_BLOCK ? (n) - j : SQ_RATE_BLOCK);                                          \
            body;                                                                                                      \
        }                                                                                                              \
    } while (0)

void sq_rate_mm_nt(int threads, uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c,
                   int accumulate)
{
    FOR_BLOCKS(threads, n, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, w, (int)k, 1.0f, a, (int)k,
                                       b + (size_t)j * k, (int)k, accumulate ? 1.0f : 0.0f, c + j, (int)n));
}

void sq_rate_mm_nn(int threads, uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c,
                   int accumulate)
{
    FOR_BLOCKS(threads, n, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, w, (int)k, 1.0f, a, (int)k,
                                       b + j, (int)n, accumulate ? 1.0f : 0.0f, c + j, (int)n));
}

void sq_rate_mm_tn(int threads, uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c,
                   int accumulate)
{
    FOR_BLOCKS(threads, n, cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)m, w, (int)k, 1.0f, a, (int)m,
                                       b + j, (int)n, accumulate ? 1.0f : 0.0f, c + j, (int)n));
}

void sq_rate_forward(const sq_rate_net *n, uint32_t B, float *const *e)
{
    for (uint32_t l = 1; l <= n->layers; l++) {
        uint32_t out = n->sizes[l], in = n->sizes[l - 1];
        float *z = e[l];
        const float *bias = n->b[l];
        /* z = b, then z += e W^T: the bias enters the sum first, as in PyTorch's addmm. */
        for (uint32_t s = 0; s < B; s++)
            memcpy(z + (size_t)s * out, bias, out * sizeof *z);
        sq_rate_mm_nt(n->threads, B, out, in, e[l - 1], n->w[l], z, 1);
        size_t total = (size_t)B * out;
#pragma omp parallel for num_threads(n->threads) schedule(static) if (n->threads > 1 && total > 16384)
        for (size_t i = 0; i < total; i++)
            z[i] = sq_sigmoidf(z[i]);
    }
}

void sq_rate_sgd(int threads, float *w, float *d, const float *g, size_t n, float lr, float momentum, float decay)
{
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1 && n > 16384)
    for (size_t i = 0; i < n; i++) {
        d[i] = -lr * g[i] + momentum * d[i];
        w[i] += d[i] - decay * w[i];
    }
}

uint32_t sq_rate_argmax(const float *v, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

double sq_rate_cosine(const float *a, const float *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++)
        ab += (double)a[i] * b[i], aa += (double)a[i] * a[i], bb += (double)b[i] * b[i];
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}
