/* step/desire_train.h: training and evaluating a network by desire backpropagation (step/desire.h)
 * from a training config with training.rule = "desire" (README "Desire backpropagation"):
 *   data      a sample set of still images (encoders/sample_set.h, source "idx"; data.T is 1: the
 *             network encodes each image over its own T steps)
 *   network   sizes, T, threshold, leak, dropout {input, hidden}
 *   training  rule, epochs, lr (eta0), lr_decay, error_margin, desire_threshold {output, hidden},
 *             seed, threads
 * The protocol is the authors' (learning.md §1.4): online, the training set shuffled every epoch
 * (the counter-based stream of (seed, epoch), step/batches.h), the learning rate eta0
 * exp(-lr_decay epoch), the whole test set after every epoch without dropout, a sample correct
 * when its label neuron's spike count is the unique maximum. Dropout masks come from the stream of
 * (seed, epoch n + position), so a run stopped anywhere (a checkpoint after every epoch and on a
 * stop request) resumes to the weights of an uninterrupted one, bit for bit. The files of
 * <out_dir> are those of step/train.h: checkpoint.h5, best.h5 (weights /layers/fc<l>/weight
 * [out][in], the layered weights format), log.jsonl (train_loss and test_loss are the output
 * layer's mean L1 error, sq_desire_error) and the learning curve the CLI draws. The evaluation
 * runs test samples in parallel (threads) and gives the same result at any thread count; training
 * is sequential, as the rule is. Tested in tests/test_desire_cli.py. */
#ifndef SQ_DESIRE_TRAIN_H
#define SQ_DESIRE_TRAIN_H

#include <jansson.h>

#include "../encoders/sample_set.h"
#include "desire.h"
#include "train.h"

typedef struct {
    sq_desire_spec net;
    uint32_t epochs;  /* (600) */
    double lr;        /* eta0 (1e-5) */
    double lr_decay;  /* (0.04) */
    uint64_t seed;    /* (1) */
    int threads;      /* 0: OMP_NUM_THREADS or 1 */
} sq_desire_recipe;

/* Reads "network" and "training" (with training.rule = "desire"); unknown fields are errors
 * naming them. Returns 0 or SQ_ECONFIG. */
int sq_desire_recipe_read(const json_t *config, const char *origin, sq_desire_recipe *out, sq_err *err);

typedef struct sq_desire_trainer sq_desire_trainer;

/* As sq_trainer_create (options.synthetic is not supported). Returns 0 or the first error. */
int sq_desire_trainer_create(const json_t *config, const sq_train_options *o, sq_desire_trainer **out, sq_err *err);
void sq_desire_trainer_destroy(sq_desire_trainer *t);
int sq_desire_trainer_run(sq_desire_trainer *t, sq_err *err);
void sq_desire_trainer_request_stop(sq_desire_trainer *t);

/* The whole test set: r's test fields, and counts [n][outputs] when not NULL. */
int sq_desire_trainer_evaluate(sq_desire_trainer *t, sq_epoch_report *r, uint32_t *counts, sq_err *err);

/* Weights files: "/layers/fc<l>/weight" [sizes[l]][sizes[l-1]], or the authors' "/W<l>" of the same
 * shape (../shared/data/desire_fashion_mnist_weights.h5). A bad file leaves the weights as they
 * were. */
int sq_desire_load(sq_desire *d, const char *path, sq_err *err);
int sq_desire_save(const sq_desire *d, const char *path, sq_err *err);

const sq_desire_recipe *sq_desire_trainer_recipe(const sq_desire_trainer *t);
const sq_sample_set *sq_desire_trainer_samples(const sq_desire_trainer *t, int test); /* NULL if not opened */
sq_desire *sq_desire_trainer_net(sq_desire_trainer *t);
int sq_desire_trainer_threads(const sq_desire_trainer *t);
uint32_t sq_desire_trainer_epoch(const sq_desire_trainer *t);
double sq_desire_trainer_best_accuracy(const sq_desire_trainer *t, uint32_t *epoch);

#endif
