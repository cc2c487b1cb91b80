/* layers/layer.h: the interface every layer type of a layered network implements (conv2d, linear,
 * pooling, batch norm, LIF step neurons, residual add, dropout, readout), and the tensors they share.
 * The contract of each layer (what it computes, its parameters and their file layouts) is
 * layers/CONFIG.md; the step engine that drives them over T steps and a batch is step/net.h.
 *
 * Tensors are sequences over T steps of a batch of N samples, each a feature map stored channels
 * last: element (t, n, y, x, c) of a layer's output is element (y * w + x) * c_count + c of image
 * t * N + n. Outputs are sq_tensor (layers/tensor.h): spikes (SQ_VALUES_SPIKES) are stored one bit
 * each, everything else as floats, and layers read their inputs only through the accessors there,
 * so every layer takes either storage. Gradients are always floats, [T][N][h][w][c].
 * A layer reads its inputs' outputs and, in the backward pass, ADDS its contribution to its inputs'
 * gradients (an output may feed several layers, as a residual skip does); the engine zeroes every
 * gradient before a backward pass.
 *
 * Determinism: every kernel splits its work into pieces that depend on the shapes only, never on
 * the number of threads, and sums partial results in a fixed order, so any thread count gives the
 * same bits. */
#ifndef SQ_LAYER_H
#define SQ_LAYER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"
#include "tensor.h"

/* What a tensor holds: the sparse (event-driven) kernels take spikes and counts. */
typedef enum {
    SQ_VALUES_REAL,   /* any float */
    SQ_VALUES_SPIKES, /* 0 or 1 */
    SQ_VALUES_COUNTS  /* non-negative integers: event counts, sums of spikes */
} sq_values;

/* One sample's feature map at one step: h x w x c, stored [h][w][c]. */
typedef struct {
    uint32_t h, w, c;
} sq_fshape;

static inline size_t sq_fshape_size(sq_fshape s) { return (size_t)s.h * s.w * s.c; }

#define SQ_LAYER_NAME 64
#define SQ_LAYER_MAX_PARAMS 4
#define SQ_LAYER_MAX_INPUTS 2

/* A parameter tensor (weights, biases, BN's gamma and beta) or a buffer (BN's running statistics:
 * saved and loaded, never optimised). value and grad hold n floats in the internal layout, which is
 * the file layout (PyTorch's) with its axes permuted: internal axis i is file axis perm[i] of the
 * logical shape dims[0..4) (unused trailing axes are 1). The HDF5 dataset has file_rank axes whose
 * sizes multiply to n (a linear layer's [out][C*H*W] is the logical [out][C][H][W]). */
typedef struct {
    const char *name;        /* "weight", "bias", "gamma", "beta", "running_mean", "running_var" */
    float *value, *grad;     /* grad is NULL for buffers */
    size_t n;
    uint32_t dims[4];        /* logical shape in file axis order */
    uint8_t perm[4];         /* internal axis i = file axis perm[i] */
    uint32_t file_rank, file_dims[4];
    int trainable;           /* 0: a buffer */
} sq_param;

/* Everything a forward or backward pass needs to know besides the layer. Borrowed for the call. */
typedef struct {
    uint32_t T, N;              /* steps and samples of this pass */
    int training;               /* 1: batch statistics, dropout, saved state for backward */
    int threads;                /* OpenMP threads of every parallel loop */
    uint64_t seed;              /* keys dropout masks, with sample_keys */
    const uint64_t *sample_keys; /* N keys, one per sample of the batch: unique within a run */
    float *work;                /* scratch shared by all layers: at least the largest workspace() */
    double sparse_max_density;  /* spikes/counts inputs at or below this density use the sparse path */
} sq_step_ctx;

typedef struct sq_layer sq_layer;
typedef struct sq_layer_type sq_layer_type;

/* The per-layer measurements the engine reports (density of the input, time in each pass). */
typedef struct {
    double input_nonzero, input_total; /* summed over forward passes in training */
    uint64_t sparse_passes, dense_passes;
    double forward_s, backward_s;
} sq_layer_stats;

struct sq_layer {
    const sq_layer_type *type;
    char name[SQ_LAYER_NAME];
    int index;                               /* position in the network */
    int n_in;
    int in[SQ_LAYER_MAX_INPUTS];             /* layer indices; -1 is the network input */
    sq_fshape in_shape[SQ_LAYER_MAX_INPUTS], shape;
    sq_values in_values[SQ_LAYER_MAX_INPUTS], values;
    uint32_t T;                              /* steps of the output: the network's T, or 1 after a readout */
    uint32_t in_T;                           /* steps of the inputs */
    sq_param params[SQ_LAYER_MAX_PARAMS];
    int n_params;
    void *priv;                              /* the type's own state, freed by destroy */
    /* Set by the engine: out (its storage) and in_val before prepare(), the gradients before a pass. */
    sq_tensor out;                           /* T * N images; bits exactly when values is spikes */
    float *grad;                             /* [T][N][h][w][c]; NULL when nothing upstream learns */
    const sq_tensor *in_val[SQ_LAYER_MAX_INPUTS]; /* the inputs' outputs (the network input: floats) */
    float *in_grad[SQ_LAYER_MAX_INPUTS];     /* NULL: that input needs no gradient */
    sq_layer_stats stats;
};

/* Reading a layer's own JSON fields: what setup() gets. origin prefixes messages ("net.json"). */
typedef struct {
    const char *origin;
    sq_err *err;
    uint32_t T;          /* the network's steps */
} sq_layer_cfg;

struct sq_layer_type {
    const char *name;
    const char *summary;      /* one line for `spikeq models` */
    int n_inputs;             /* 1, or 2 for add */
    const char *const *keys;  /* the JSON fields it reads besides type, name, inputs */
    size_t n_keys;
    /* Reads obj (at JSON path `where`), checks it against l->in_shape / in_values / in_T, and sets
     * l->shape, l->values, l->T and the parameters' shapes (n, dims, perm, file layout, trainable;
     * value/grad are allocated by the engine). Returns 0 or SQ_ECONFIG with the message in c->err. */
    int (*setup)(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where);
    /* Allocates l->priv for batches of up to max_batch samples (NULL hook: nothing). */
    int (*prepare)(sq_layer *l, uint32_t max_batch, int threads, sq_err *err);
    /* Floats of ctx->work a pass of N samples needs (NULL hook: none). */
    size_t (*workspace)(const sq_layer *l, uint32_t N, int threads);
    /* Initial parameter values from the counter-based RNG keyed by (seed, layer index). */
    void (*init)(sq_layer *l, uint64_t seed);
    /* Writes l->out for l->T * ctx->N images in its storage: a layer whose values can be spikes
     * (lif; dropout when p = 0) writes bits through sq_tensor_write. */
    void (*forward)(sq_layer *l, const sq_step_ctx *ctx);
    /* Adds dL/d(input) to l->in_grad[i] (where not NULL) and sets the parameters' grad (it
     * overwrites them: the engine calls backward once per optimizer step). */
    void (*backward)(sq_layer *l, const sq_step_ctx *ctx);
    void (*destroy)(sq_layer *l);             /* frees priv; NULL hook: free(priv) */
};

/* The registry (layers/registry.c). Thread: any. */
const sq_layer_type *sq_layer_type_find(const char *name);
const sq_layer_type *const *sq_layer_types(size_t *n);

/* Elements of one step of a layer's output for N samples. */
static inline size_t sq_layer_step_size(const sq_layer *l, uint32_t N) { return (size_t)N * sq_fshape_size(l->shape); }

#endif
