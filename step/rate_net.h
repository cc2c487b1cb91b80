/* step/rate_net.h: rate networks, the layered networks of the burst-dependent learning rules
 * (../shared/specs/learning.md §2.1.6, §2.2): fully connected layers of sigmoid event-rate units,
 * e_l = sigma(e_{l-1} W_l^T + b_l), for a mini-batch of B samples at once (rows). Weights are stored
 * [n_l][n_{l-1}] (PyTorch's nn.Linear layout, the weights file's) and every dense product is one
 * OpenBLAS SGEMM.
 *
 * Threads: each product is cut into column blocks of a fixed width (SQ_RATE_BLOCK) whatever the
 * thread count, and the threads share the blocks; each block is one single-threaded SGEMM call.
 * An output value is therefore computed by the same call, in the same order, at any thread count,
 * and 1 and N threads give bit-identical results. Element-wise work is split the same way.
 * Tested in tests/test_rate_rules.c. */
#ifndef SQ_RATE_NET_H
#define SQ_RATE_NET_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

#define SQ_RATE_MAX_LAYERS 8
#define SQ_RATE_BLOCK 128 /* output columns per SGEMM call */

/* Public value: the weights. Layer l = 1 .. layers: w[l] [sizes[l]][sizes[l-1]], b[l] [sizes[l]]
 * (index 0 unused). */
typedef struct {
    uint32_t layers;
    uint32_t sizes[SQ_RATE_MAX_LAYERS + 1];
    float *w[SQ_RATE_MAX_LAYERS + 1], *b[SQ_RATE_MAX_LAYERS + 1];
    int threads;
} sq_rate_net;

/* sizes[0 .. layers]; every size in 1 .. 2^20, layers in 1 .. SQ_RATE_MAX_LAYERS. Weights zero. */
int sq_rate_net_create(uint32_t layers, const uint32_t *sizes, int threads, sq_rate_net **out, sq_err *err);
void sq_rate_net_destroy(sq_rate_net *n);

/* Xavier normal with the gain (std = gain sqrt(2 / (fan_in + fan_out))), biases zero, from the
 * counter-based stream of (seed, layer). */
void sq_rate_net_init(sq_rate_net *n, uint64_t seed, double gain);

/* e[0] is the input [B][sizes[0]] (read only); fills e[1 .. layers], each [B][sizes[l]]. */
void sq_rate_forward(const sq_rate_net *n, uint32_t B, float *const *e);

/* The products, blocked as above (row-major, alpha 1, beta 0 or 1 as `accumulate`):
 *   c [m][n] (+)= a [m][k] * b^T, b [n][k]      (sq_rate_mm_nt: the forward product)
 *   c [m][n] (+)= a [m][k] * b,   b [k][n]      (sq_rate_mm_nn: feedback through a weight)
 *   c [m][n] (+)= a^T * b, a [k][m], b [k][n]   (sq_rate_mm_tn: a weight's gradient over a batch) */
void sq_rate_mm_nt(int threads, uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c,
                   int accumulate);
void sq_rate_mm_nn(int threads, uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c,
                   int accumulate);
void sq_rate_mm_tn(int threads, uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c,
                   int accumulate);

static inline float sq_sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); }

/* One SGD step with momentum, the burstprop authors' form: d = -lr g + momentum d; w += d - decay w
 * (n values; biases pass decay 0). */
void sq_rate_sgd(int threads, float *w, float *d, const float *g, size_t n, float lr, float momentum, float decay);

/* The first maximum of row v[0 .. n) (PyTorch's argmax). */
uint32_t sq_rate_argmax(const float *v, uint32_t n);

/* cos(a, b) over n values (0 when either is zero), in double. */
double sq_rate_cosine(const float *a, const float *b, size_t n);

#endif
