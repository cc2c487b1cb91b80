/* step/train.h: training and evaluating a layered network from a training config
 * (layers/CONFIG.md): the data ("data", encoders/sample_set.h), the network ("network",
 * step/net.h) and the recipe ("training": epochs, batch, loss, optimizer, schedule, seed).
 * Each epoch shuffles the training set (the counter-based RNG keyed by (seed, epoch)), trains on
 * its batches (forward, loss, backpropagation through time, one optimizer step), evaluates the
 * whole test set, appends a JSON line to <out>/log.jsonl and writes <out>/checkpoint.h5 (weights,
 * BN statistics, optimizer state, epoch and batch reached) and, when the test accuracy is the best
 * so far, <out>/best.h5 (weights). A stop request ends the run after the current batch with a
 * checkpoint; resuming from any checkpoint gives the same weights, bit for bit, as a run that was
 * never stopped, at any thread count (everything random is keyed by seed, epoch and position).
 * Tested in tests/test_train_cli.py. */
#ifndef SQ_TRAIN_H
#define SQ_TRAIN_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../encoders/sample_set.h"
#include "../sim/error.h"
#include "loss.h"
#include "net.h"
#include "optim.h"
#include "schedule.h"
#include "train_log.h"

/* Public value: the "training" object. */
typedef struct {
    uint32_t epochs, batch, eval_batch;
    int drop_last;
    sq_loss_kind loss;
    sq_optim_spec optimizer;
    sq_schedule schedule;
    uint64_t seed;
    int threads;          /* 0: OMP_NUM_THREADS or 1 */
} sq_train_spec;

int sq_train_spec_read(const json_t *training, const char *origin, sq_train_spec *out, sq_err *err);

/* Public value: how to run. Strings are borrowed for sq_trainer_create only, except out_dir. */
typedef struct {
    const char *origin;              /* the config's file name, for messages */
    const char *out_dir;             /* checkpoints, log (created if missing); NULL: nothing written */
    const char *resume;              /* a checkpoint to continue from, or NULL */
    const char *weights;             /* initial weights (a weights file), or NULL for the seeded init */
    int threads;                     /* > 0 overrides the config */
    int64_t seed;                    /* >= 0 overrides the config */
    int64_t epochs;                  /* >= 0 overrides the config */
    int eval_only;                   /* open only the test set (sq_trainer_evaluate) */
    int synthetic;                   /* no data: random event frames of the data's shape (benchmarks) */
    /* Called on the calling thread after each batch and each epoch (NULL: none). */
    void (*on_progress)(void *user, const sq_train_progress *p);
    void (*on_epoch)(void *user, const sq_epoch_report *r);
    /* Called while a data cache is built (sample_set.h). */
    int (*on_cache)(void *user, size_t done, size_t total);
    void *user;
} sq_train_options;

typedef struct sq_trainer sq_trainer;

/* Reads the config, opens the data, builds the network and the optimizer, and initialises (seed),
 * loads (options.weights) or resumes (options.resume). Returns 0 or the first error (SQ_ECONFIG,
 * SQ_EIO, SQ_EFORMAT, SQ_ENOMEM, SQ_EINTR while a cache was built). Thread: main. */
int sq_trainer_create(const json_t *config, const sq_train_options *o, sq_trainer **out, sq_err *err);
void sq_trainer_destroy(sq_trainer *t);

/* Trains the remaining epochs. Returns 0, SQ_EINTR (stopped on request; a checkpoint was written
 * when out_dir is set) or an error. Thread: main. */
int sq_trainer_run(sq_trainer *t, sq_err *err);

/* Asks a run to stop after the current batch. Thread: any, and async-signal-safe. */
void sq_trainer_request_stop(sq_trainer *t);

/* Evaluates the whole test set (evaluation mode). logits (NULL: not wanted) receives [n][classes].
 * Returns 0 or an error. Thread: main. */
int sq_trainer_evaluate(sq_trainer *t, sq_epoch_report *r, float *logits, sq_err *err);

/* One evaluation-mode forward pass over test samples idx[0..n) (n <= the batch): the layers' outputs
 * are then those of these samples, at batch positions 0..n-1 (step/net_spikes.h writes them). */
int sq_trainer_forward_test(sq_trainer *t, const size_t *idx, uint32_t n, sq_err *err);

/* Times iters training iterations, then iters inference batches, at the configured batch on
 * random event frames (5 % of the inputs are 1) of the data's shape, after one untimed iteration
 * of each. Thread: main. */
typedef struct {
    double train_samples_per_s, infer_samples_per_s;
    uint32_t batch, iters;
} sq_benchmark_result;
int sq_trainer_benchmark(sq_trainer *t, uint32_t iters, sq_benchmark_result *r, sq_err *err);

/* Read-only views for summaries. Borrowed until sq_trainer_destroy. */
sq_net *sq_trainer_net(sq_trainer *t);
const sq_train_spec *sq_trainer_spec(const sq_trainer *t);
const sq_sample_set_info *sq_trainer_data(const sq_trainer *t, int test);
const sq_sample_set *sq_trainer_samples(const sq_trainer *t, int test); /* NULL when not opened */
uint32_t sq_trainer_epoch(const sq_trainer *t);   /* epochs completed */
double sq_trainer_best_accuracy(const sq_trainer *t, uint32_t *epoch);

#endif
