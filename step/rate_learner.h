/* step/rate_learner.h: one training step of a rate network (step/rate_net.h) by a rule
 * (step/rate_rule.h), without data or files: the forward pass, the rule's deltas, the gradients
 * grad_W_l = delta_l^T e_{l-1} and grad_b_l = sum over the batch of delta_l (times 1/B for
 * "mean"), the SGD step with momentum and weight decay (sq_rate_sgd; biases without decay), and
 * the rule's own learning. It can also measure, on the same batch, how well the rule's weight
 * update aligns with backprop's (per layer, the cosine of the two gradients). Used by the trainer
 * (step/rate_train.h) and by tests/test_rate_rules.c. */
#ifndef SQ_RATE_LEARNER_H
#define SQ_RATE_LEARNER_H

#include "rate_rule.h"

/* Public value: the SGD step. */
typedef struct {
    float lr[SQ_RATE_MAX_LAYERS + 1]; /* l = 1 .. L */
    float momentum, weight_decay;
    int reduction_sum;                /* 1: gradients summed over the batch; 0: means */
} sq_rate_sgd_spec;

typedef struct sq_rate_learner sq_rate_learner;

/* Borrows net and the rule's state (rule->create'd with at least max_batch) until destroy. */
int sq_rate_learner_create(sq_rate_net *net, const sq_rate_rule *rule, void *rule_state, const sq_rate_sgd_spec *sgd,
                           uint32_t max_batch, sq_rate_learner **out, sq_err *err);
void sq_rate_learner_destroy(sq_rate_learner *l);

/* One step on x [B][n_0] with targets y [B][n_L] (B <= max_batch). alignment (NULL: not measured)
 * receives per weight layer l = 1 .. L at alignment[l - 1] the cosine between the rule's
 * grad_W_l and backprop's on this batch. Returns the batch's summed squared error sum (e_L - y)^2
 * of the forward pass. */
double sq_rate_learner_step(sq_rate_learner *l, uint32_t B, const float *x, const float *y, double *alignment);

/* The last step's forward rates e_l [B][n_l] (l = 0 .. L), deltas and weight gradients (l >= 1). */
const float *sq_rate_learner_rates(const sq_rate_learner *l, uint32_t layer);
const float *sq_rate_learner_delta(const sq_rate_learner *l, uint32_t layer);
const float *sq_rate_learner_grad(const sq_rate_learner *l, uint32_t layer);

/* The momentum buffers "dW<l>", "db<l>" (state_only tensors for checkpoints); returns the count. */
uint32_t sq_rate_learner_tensors(sq_rate_learner *l, sq_rate_tensor *out);

#endif
