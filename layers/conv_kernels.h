/* layers/conv_kernels.h: the convolution both conv2d and linear layers run (a linear layer is a
 * convolution whose kernel covers its whole input), channels last, over a batch of T * N images.
 *
 * Dense path: im2col + SGEMM (OpenBLAS, one thread per call; our OpenMP loop runs the calls), the
 * method of Chellapilla et al. 2006 and of Caffe; "direct" geometries (1 x 1 stride 1 without
 * padding, or a kernel as large as the input) use the input itself as the im2col matrix (spikes
 * stored as bits are unpacked into floats there first).
 * Sparse path, for inputs of spikes or counts: an event-driven scatter, each non-zero input adds
 * value * W[:, ci, ky, kx] (a contiguous C_out vector of transposed weights) to the outputs it
 * reaches, in the forward pass and for the weight gradient (the same loop with dL/dy in place of
 * the weights). Spikes stored as bits (layers/tensor.h) are found a 64-bit word at a time and
 * their density is a population count. The input gradient is always dense: every input, firing
 * or not, has one.
 *
 * Work is cut into chunks of images that depend on the geometry only, and weight gradients are
 * summed in SQ_CONV_GROUPS fixed groups, so the result does not depend on the thread count. */
#ifndef SQ_CONV_KERNELS_H
#define SQ_CONV_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "layer.h"
#include "layer_config.h"

#define SQ_CONV_GROUPS 16

typedef struct {
    uint32_t h, w, ci;    /* input */
    uint32_t oh, ow, co;  /* output */
    uint32_t kh, kw, sh, sw, ph, pw;
    int bias;
    int direct;           /* the im2col matrix is the input itself */
    size_t K;             /* kh * kw * ci: the length of a weight row */
    uint32_t chunk;       /* images per chunk */
} sq_conv_geom;

/* Fills the derived fields (oh, ow, K, direct, chunk) from the others. Returns 0, or -1 when the
 * kernel does not fit the padded input. */
int sq__conv_geom_init(sq_conv_geom *g);

/* The private state (l->priv) of conv2d and linear layers: the geometry, the initialisation and
 * the transposed weights of the sparse path. */
typedef struct {
    sq_conv_geom g;
    sq_init_spec init;
    float *wt;            /* [kh][kw][ci][co] */
    int sparse;           /* the path the last forward took; backward's weight gradient follows it */
    int linear;           /* a linear layer: fan_out is out_features (PyTorch's), not out * kh * kw */
} sq_conv_state;

/* Allocates l->priv (zeroed) for setup(); returns 0 or SQ_ENOMEM. */
int sq__conv_state_new(sq_layer *l, const sq_layer_cfg *c, const char *where, sq_conv_state **out);
/* After the geometry is complete: derived fields, the output shape and the parameters (weight
 * [out][in][kh][kw] in the file, [out][kh][kw][in] inside; bias [out]). Returns 0 or SQ_ECONFIG. */
int sq__conv_state_finish(sq_layer *l, const sq_layer_cfg *c, const char *where);

/* The layer hooks both types share (layer.h). forward: out = conv(in, weight) + bias for T * N
 * images, the path chosen from the input's kind and measured density (ctx->sparse_max_density).
 * backward: weight (and bias) gradients, and dL/din added to l->in_grad[0] when it is not NULL. */
int sq__conv_prepare(sq_layer *l, uint32_t max_batch, int threads, sq_err *err);
size_t sq__conv_workspace(const sq_layer *l, uint32_t N, int threads);
void sq__conv_init(sq_layer *l, uint64_t seed);
void sq__conv_forward(sq_layer *l, const sq_step_ctx *ctx);
void sq__conv_backward(sq_layer *l, const sq_step_ctx *ctx);
void sq__conv_destroy(sq_layer *l);

/* Uniform(-bound, bound) initial values from the stream keyed by (seed, layer, param). */
void sq__init_uniform(float *w, size_t n, double bound, uint64_t seed, int layer, int param);
void sq__init_normal(float *w, size_t n, double std, uint64_t seed, int layer, int param);

#endif
