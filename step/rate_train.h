/* step/rate_train.h: training and evaluating a rate network (step/rate_net.h) by one of the rules
 * of step/rate_rule.h (training.rule = "backprop", "burstprop" or "burstccn"; README "Burst-
 * dependent learning"):
 *   data      a sample set of still images (encoders/sample_set.h, source "idx"; data.T is 1)
 *   network   sizes [inputs, hidden..., classes], init_gain (Xavier normal's gain, 1)
 *   training  rule, epochs (50), batch (32), lr (a number, or one per weight layer), momentum (0),
 *             weight_decay (0), reduction ("mean": gradients are means over the batch; "sum"),
 *             alignment_every (100 batches; 0: never), seed (1), threads, and the rule's own
 *             section training.<rule> (its fields: the rule's file)
 * The protocol is the authors': targets are one-hot labels, every epoch a new order (the
 * counter-based stream of (seed, epoch), step/batches.h) in batches of `batch` (the last one
 * smaller), the whole test set after every epoch, a sample correct when its label unit has the
 * largest rate (the first maximum, PyTorch's argmax). The loss reported is the mean squared error
 * over the batch and the classes (F.mse_loss).
 *
 * Alignment: every alignment_every batches of a rule other than backprop, the trainer also computes
 * backprop's gradient on the same batch and weights, and log.jsonl's "alignment" holds, per weight
 * layer, the epoch's mean cosine between the rule's weight update and backprop's (1: the same
 * direction) - where a rule that falls short of backprop loses it.
 *
 * Files in <out_dir>: checkpoint.h5 (after every epoch and on a stop request: weights, the rule's
 * weights, the momentum buffers and where the run is; a resumed run gives the weights of an
 * uninterrupted one, bit for bit), best.h5 (weights file: /layers/fc<l>/weight [n_l][n_{l-1}],
 * /layers/fc<l>/bias [n_l], l = 1 .. L, and the rule's /<rule>/<name>), log.jsonl. The same seed
 * gives the same weights at any thread count. Tested in tests/test_rate_rules.c and
 * tests/test_rate_cli.py. */
#ifndef SQ_RATE_TRAIN_H
#define SQ_RATE_TRAIN_H

#include <jansson.h>

#include "../encoders/sample_set.h"
#include "rate_rule.h"
#include "train.h"

typedef struct {
    const sq_rate_rule *rule;
    uint32_t layers, sizes[SQ_RATE_MAX_LAYERS + 1];
    double init_gain;
    uint32_t epochs, batch, alignment_every;
    float lr[SQ_RATE_MAX_LAYERS + 1]; /* l = 1 .. L */
    float momentum, weight_decay;
    int reduction_sum;
    uint64_t seed;
    int threads;
} sq_rate_recipe;

/* Reads "network" and "training"; unknown fields are errors naming them. Returns 0 or SQ_ECONFIG. */
int sq_rate_recipe_read(const json_t *config, const char *origin, sq_rate_recipe *out, sq_err *err);

typedef struct sq_rate_trainer sq_rate_trainer;

/* As sq_trainer_create; options.synthetic is refused (sq_rate_trainer_benchmark times real
 * batches). Returns 0 or the first error, naming the file and field. */
int sq_rate_trainer_create(const json_t *config, const sq_train_options *o, sq_rate_trainer **out, sq_err *err);
void sq_rate_trainer_destroy(sq_rate_trainer *t);
int sq_rate_trainer_run(sq_rate_trainer *t, sq_err *err);
void sq_rate_trainer_request_stop(sq_rate_trainer *t); /* async-signal-safe */

/* The whole test set: r's test fields, and the output rates [n][classes] when out is not NULL. */
int sq_rate_trainer_evaluate(sq_rate_trainer *t, sq_epoch_report *r, float *out, sq_err *err);

/* Times `batches` training batches of the first epoch's order (after 3 untimed ones) and the
 * whole test set's inference; the weights change. */
int sq_rate_trainer_benchmark(sq_rate_trainer *t, uint32_t batches, double *train_samples_per_s,
                              double *infer_samples_per_s, sq_err *err);

/* Trains on the training samples idx[0 .. n) in that order, in batches of the recipe's batch (the
 * last smaller), outside the epochs (tests and oracles: tests/rate_oracle.py). */
int sq_rate_trainer_train_samples(sq_rate_trainer *t, const size_t *idx, size_t n, sq_err *err);

/* Weights files as above. Loading reads everything first: a bad file leaves the weights as they
 * were. The rule's weights are optional in a file (a file without them keeps the current ones). */
int sq_rate_trainer_load(sq_rate_trainer *t, const char *path, sq_err *err);
int sq_rate_trainer_save(sq_rate_trainer *t, const char *path, sq_err *err);

const sq_rate_recipe *sq_rate_trainer_recipe(const sq_rate_trainer *t);
const sq_sample_set *sq_rate_trainer_samples(const sq_rate_trainer *t, int test); /* NULL if not opened */
sq_rate_net *sq_rate_trainer_net(sq_rate_trainer *t);
int sq_rate_trainer_threads(const sq_rate_trainer *t);
/* The rule's parameters in one line (sq_rate_rule.describe). */
void sq_rate_trainer_describe_rule(const sq_rate_trainer *t, char *buf, size_t cap);
uint32_t sq_rate_trainer_epoch(const sq_rate_trainer *t);
double sq_rate_trainer_best_accuracy(const sq_rate_trainer *t, uint32_t *epoch);

#endif
