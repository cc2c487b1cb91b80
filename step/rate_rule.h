/* step/rate_rule.h: the learning rules of rate networks (step/rate_net.h), by the name a training
 * config gives in training.rule: "backprop" (step/rule_backprop.c), "burstprop" (Payeur et al.
 * 2021, step/rule_burstprop.c) and "burstccn" (Greedy et al. 2022, step/rule_burstccn.c). A rule is
 * one file defining one sq_rate_rule plus its line in step/rate_rules.c.
 *
 * A rule computes, for a batch whose forward rates e_0 .. e_L are known, each layer's delta_l
 * ([B][n_l]); the trainer (step/rate_train.h) turns them into grad_W_l = delta_l^T e_{l-1} and
 * grad_b_l = sum over the batch of delta_l (divided by B when training.reduction is "mean"), takes
 * the SGD step (sq_rate_sgd), and then calls the rule's learn() for the weights only the rule has
 * (feedback Y, Q, recurrent W_r). For backprop, delta is the exact gradient of
 * 0.5 sum (e_L - y)^2 with respect to each layer's pre-activation. */
#ifndef SQ_RATE_RULE_H
#define SQ_RATE_RULE_H

#include <jansson.h>

#include "../layers/layer_config.h"
#include "rate_net.h"

/* One batch's backward pass. */
typedef struct {
    uint32_t B;
    float *const *e;   /* e[0 .. L]: the forward rates, [B][n_l] */
    const float *y;    /* the targets [B][n_L] (one-hot labels in training) */
    float *const *delta; /* written: delta[1 .. L], [B][n_l] */
} sq_rate_batch;

/* The SGD step the trainer has just taken (rules whose feedback learns as W does repeat it). */
typedef struct {
    const float *lr;                       /* lr[l], l = 1 .. L */
    float momentum, weight_decay;
    float scale;                           /* 1/B ("mean") or 1 ("sum") */
    float *const *grad_w;                  /* grad_W[l] as applied, [n_l][n_{l-1}] */
} sq_rate_step;

/* A rule's own weights, for weights files and checkpoints: "/<rule>/<name>". */
typedef struct {
    char name[32];
    uint32_t rows, cols; /* rows 0: a vector of cols */
    float *v;
    int state_only; /* optimiser state: in checkpoints, not in weights files */
} sq_rate_tensor;

#define SQ_RATE_MAX_TENSORS (4 * SQ_RATE_MAX_LAYERS)

typedef struct {
    const char *name;
    /* Reads the config section training.<name> (NULL: absent, all defaults; unknown fields are
     * errors) and allocates the state for batches of up to max_batch. Returns 0 or SQ_ECONFIG /
     * SQ_ENOMEM. */
    int (*create)(const sq_layer_cfg *c, const json_t *section, const sq_rate_net *net, uint32_t max_batch,
                  void **state);
    void (*destroy)(void *state);
    /* The initial values of the rule's weights (after the network's own init), from seed. */
    void (*init)(void *state, const sq_rate_net *net, uint64_t seed);
    /* Fills b->delta from the network's weights before this batch's update. */
    void (*deltas)(void *state, const sq_rate_net *net, const sq_rate_batch *b);
    /* After the W step: the rule's own learning (may be NULL). */
    void (*learn)(void *state, const sq_rate_net *net, const sq_rate_batch *b, const sq_rate_step *s);
    /* The rule's weights (at most SQ_RATE_MAX_TENSORS); returns their count. */
    uint32_t (*tensors)(void *state, sq_rate_tensor *out);
    /* One line for the run's header ("p_b 0.5, Y random N(0, 0.5), Q learned lr 0.000731"). */
    void (*describe)(const void *state, char *buf, size_t cap);
} sq_rate_rule;

extern const sq_rate_rule sq_rule_backprop, sq_rule_burstprop, sq_rule_burstccn;

/* The rule called name, or NULL. */
const sq_rate_rule *sq_rate_rule_find(const char *name);

/* Backprop's deltas (sq_rule_backprop.deltas without a state): the trainer's alignment measure. */
void sq_rate_backprop_deltas(const sq_rate_net *net, const sq_rate_batch *b);

/* The output layer's burst teaching signal, shared by burstprop and burstccn: with p_b the
 * baseline burst probability, b_L = p_b e_L and btilde_L = p_b ((y - e_L)(1 - e_L) + 1) e_L; writes
 * delta_L = -(btilde_L - b_L), and btilde (may be NULL) and b (may be NULL). */
void sq_rate_output_bursts(const sq_rate_net *net, const sq_rate_batch *bt, float p_b, float *btilde, float *b);

#endif
