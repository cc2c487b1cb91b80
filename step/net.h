/* step/net.h: a layered network on the synchronous step scheduler: layers (layers/layer.h) run one
 * after another over all T steps of a batch (each layer's whole sequence before the next layer, which
 * a feedforward network allows and which gives the dense kernels batches of T * N images), and the
 * backward pass runs them in reverse (backpropagation through time inside each LIF layer).
 * The network description is the "network" object of a training config (layers/CONFIG.md).
 * Every layer's output is kept for the backward pass, spikes one bit each and everything else as
 * floats (layers/tensor.h); nothing is allocated after sq_net_create.
 * Tested against PyTorch in tests/layered_oracle.py and in tests/test_net.c. */
#ifndef SQ_NET_H
#define SQ_NET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../layers/layer.h"
#include "../sim/error.h"

/* Public value: the shape of one input sample: T steps of h x w x c, and what it holds. */
typedef struct {
    uint32_t T, h, w, c;
    sq_values values;
} sq_net_input;

typedef struct sq_net sq_net;

/* Builds the network that `network` (the config's "network" object) describes for inputs of shape
 * *in and batches of up to max_batch samples, run on `threads` OpenMP threads. origin names the file
 * in messages ("net.json: network.layers[3].kernel: expected ..."). Parameters are left at zero:
 * call sq_net_init or load a weights file. Returns 0, SQ_ECONFIG or SQ_ENOMEM. Thread: any. */
int sq_net_create(const json_t *network, const char *origin, const sq_net_input *in, uint32_t max_batch,
                  int threads, sq_net **out, sq_err *err);
/* NULL is a no-op. */
void sq_net_destroy(sq_net *net);

/* Initial parameters, a pure function of the seed (each layer's own counter-based stream). */
void sq_net_init(sq_net *net, uint64_t seed);

/* Threads of later passes (results do not depend on it). */
void sq_net_set_threads(sq_net *net, int threads);
int sq_net_threads(const sq_net *net);

/* What one pass needs besides the input. */
typedef struct {
    int training;                /* batch statistics, dropout */
    uint64_t seed;               /* keys dropout */
    const uint64_t *sample_keys; /* N keys for dropout masks (NULL: 0, 1, ..., N-1) */
} sq_pass;

/* Forward pass over x, [T][N][h][w][c] (time-major, channels last), N <= max_batch. The output
 * is sq_net_output(). x is borrowed until the next forward. Returns 0 or SQ_EINVAL (N too large). */
int sq_net_forward(sq_net *net, const float *x, uint32_t N, const sq_pass *pass, sq_err *err);
/* [N][outputs] of the last forward pass. Borrowed until the next forward. */
const float *sq_net_output(const sq_net *net);
uint32_t sq_net_outputs(const sq_net *net);
/* Samples of the last forward pass. */
uint32_t sq_net_batch(const sq_net *net);
/* Backward pass from dL/d(output) ([N][outputs], of the last forward pass): every trainable
 * parameter's grad is set. */
void sq_net_backward(sq_net *net, const float *d_output);

/* The layers, in order. Borrowed until sq_net_destroy. */
size_t sq_net_layer_count(const sq_net *net);
sq_layer *sq_net_layer(sq_net *net, size_t i);
/* Index of the layer named `name`, or -1. */
int sq_net_layer_find(const sq_net *net, const char *name);

/* Parameters of all layers, in layer order (trainable ones and buffers). */
size_t sq_net_param_count(const sq_net *net);
sq_param *sq_net_param(sq_net *net, size_t i, const sq_layer **owner);
/* Total floats of trainable parameters. */
size_t sq_net_trainable_size(const sq_net *net);

/* LIF neuron-steps of a full batch (T x max_batch x neurons of every spiking layer); the memory
 * report divides sq_net_bytes by it. */
double sq_net_neuron_steps(const sq_net *net);

/* Bytes held for activations (spikes at 1 bit), gradients, parameters and the shared workspace
 * (the memory report). */
size_t sq_net_bytes(const sq_net *net);

/* Channels first (PyTorch's [images][C][H][W]) <-> channels last ([images][H][W][C]). */
void sq_channels_last(const float *src, float *dst, size_t images, sq_fshape s);
void sq_channels_first(const float *src, float *dst, size_t images, sq_fshape s);

/* Internal <-> file layout of a parameter (perm of sq_param): file has p->n floats. */
void sq_param_to_file(const sq_param *p, const float *internal, float *file);
void sq_param_from_file(const sq_param *p, const float *file, float *internal);

#endif
