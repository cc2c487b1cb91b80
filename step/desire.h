/* step/desire.h: desire backpropagation (Gerlinghoff, Luo, Goh & Wong, "Desire backpropagation: a
 * lightweight training algorithm for multi-layer spiking neural networks based on spike-timing-
 * dependent plasticity", Neurocomputing 2023; the authors' desire_pytorch.py; ../shared/specs/
 * learning.md §1), a learning rule of layered networks: fully connected layers of LIF step neurons
 * trained online, one sample at a time, by local STDP-like updates driven by a ternary "desire".
 *
 * The network (learning.md §1.1): sizes[0] inputs, deterministic rate coding by a non-leaky IF
 * neuron per input (V += x; spike when V >= theta; V -= theta), then L weight layers of LIF neurons
 * with the leak before integration (V = lambda V + W a), spike when V >= theta, reset by
 * subtraction, no bias. Layer 1 reads the input's spikes of the same step; every later layer reads
 * the spikes its input layer emitted one step earlier (the authors' spike arrays of length T + 1),
 * so the output can fire at step 2 at the earliest. In training a dropout mask per sample (drawn
 * once, held for all T steps) silences inputs and hidden neurons (a dropped neuron integrates but
 * never fires, so it is never reset), and surviving spikes enter the next membrane scaled by
 * 1 / (1 - p) but its trace as 1.
 *
 * Learning, after each sample's T steps (§1.2, §1.3): the output layer's desire is +1 for the label
 * neuron when 1 - c/(T - M) > theta_out and -1 for another when c/(T - M) > theta_out (c = its spike
 * count); each hidden layer's desire is the sign of S_j = sum_i W_ij e_i sgn_i over the layer above
 * (e_i = |pos_i - c_i/(T - M)|, sgn_i = +-1 when desired and not dropped, else 0), set when
 * |S_j| >= theta_hid, computed with the weights before this sample's update. Then every layer
 * changes W_ij += eta sgn_i sum_{n in spikes of i} X_j(n), X_j(n) = lambda X_j(n-1) + [input j at n]
 * its presynaptic trace, only for neurons with a desire; eta = eta0 exp(-decay epoch).
 *
 * How it is computed: event-driven. Each step adds the weight rows of the inputs that spiked (the
 * weights are stored [input][output] so that a row is contiguous); nothing loops over silent inputs.
 * The update's double sum over (pre spike at m, post spike at n >= m) of lambda^(n - m) is taken
 * from the presynaptic side: for each postsynaptic neuron with a desire its trace
 * Y_i(m) = sum_{n >= m, spike} lambda^(n - m) is evaluated once per step, and each input j adds
 * sum over its spike steps m of eta sgn_i Y_i(m) to its row, once. This is the paper's sum regrouped
 * (equal in exact arithmetic; float32 rounding differs from the authors' order at the 1e-7 level),
 * and it costs one row operation per input spike instead of one input loop per output spike.
 * Evaluation uses no RNG and no shared state: test samples run in parallel. Tested in
 * tests/desire_oracle.py (against an independent numpy computation of §1.1-1.3) and
 * tests/test_desire.c. */
#ifndef SQ_DESIRE_H
#define SQ_DESIRE_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

#define SQ_DESIRE_MAX_LAYERS 8
#define SQ_DESIRE_MAX_OUT 4096 /* output neurons (classes) */

/* Public value: the network and the rule's constants (defaults: sq_desire_spec_default, the
 * paper's Fashion-MNIST network 784-1000-100-10). */
typedef struct {
    uint32_t layers;                          /* weight layers L, 1 .. SQ_DESIRE_MAX_LAYERS (3) */
    uint32_t sizes[SQ_DESIRE_MAX_LAYERS + 1]; /* sizes[0] inputs, sizes[L] outputs */
    uint32_t T;                               /* steps per sample (20) */
    float threshold;                          /* theta of every neuron, input IF included (1) */
    float leak;                               /* lambda, membrane and trace (0.75) */
    float dropout_input, dropout_hidden;      /* p of the input and hidden layers, in [0, 1) (0.05, 0.40) */
    float desire_output, desire_hidden;       /* theta_out (0.30, compared with >) and theta_hid
                                               * (0.05, compared with >=) */
    uint32_t error_margin;                    /* M: the spike count wanted of the label neuron is T - M (4) */
} sq_desire_spec;

void sq_desire_spec_default(sq_desire_spec *s);
/* Checks the spec; messages name "<where>.<field>". Returns 0 or SQ_ECONFIG. */
int sq_desire_spec_check(const sq_desire_spec *s, const char *where, sq_err *err);

typedef struct sq_desire sq_desire;           /* the weights */
typedef struct sq_desire_work sq_desire_work; /* one sample's state: one per thread */

int sq_desire_create(const sq_desire_spec *s, sq_desire **out, sq_err *err);
void sq_desire_destroy(sq_desire *d);
const sq_desire_spec *sq_desire_spec_of(const sq_desire *d);

/* Kaiming normal (fan in, gain sqrt 2: N(0, 2 / sizes[l-1])), from the counter-based stream of
 * (seed, layer): the same seed gives the same weights. */
void sq_desire_init(sq_desire *d, uint64_t seed);

/* Layer l's (1 .. L) weights in the file layout, [output][input] (PyTorch's), into or from w. */
void sq_desire_get_weights(const sq_desire *d, uint32_t l, float *w);
void sq_desire_set_weights(sq_desire *d, uint32_t l, const float *w);

sq_desire_work *sq_desire_work_create(const sq_desire *d);
void sq_desire_work_destroy(sq_desire_work *w);

/* Test mode (no dropout): the output spike counts (sizes[L] of them) of input x (sizes[0] values,
 * nominally in [0, 1]). Thread: any, concurrently on one d, each with its own w. */
void sq_desire_infer(const sq_desire *d, sq_desire_work *w, const float *x, uint32_t *counts);

/* One training step on (x, label): forward with the dropout masks of stream (seed, key), desire,
 * and the update with learning rate eta. counts receives the output spike counts of this (dropout)
 * pass. Thread: one at a time on d. */
void sq_desire_learn(sq_desire *d, sq_desire_work *w, const float *x, uint32_t label, float eta, uint64_t seed,
                     uint64_t key, uint32_t *counts);

/* A sample is classified correctly when the label neuron's count is the unique maximum (ties,
 * all-zero included, are wrong: §1.4). */
int sq_desire_correct(const uint32_t *counts, uint32_t n, uint32_t label);

/* The output layer's L1 error sum_i |pos_i - c_i / (T - M)| (the training loss the log reports). */
double sq_desire_error(const sq_desire_spec *s, const uint32_t *counts, uint32_t label);

/* For tests: the state of the last pass of w. Layer l = 0 is the input. */
uint32_t sq_desire_work_count(const sq_desire_work *w, uint32_t l, uint32_t i);    /* spikes of neuron i */
int sq_desire_work_desire(const sq_desire_work *w, uint32_t l, uint32_t i);        /* -1, 0, +1 (l >= 1) */
int sq_desire_work_mask(const sq_desire_work *w, uint32_t l, uint32_t i);          /* 0 dropped, 1 kept */

#endif
