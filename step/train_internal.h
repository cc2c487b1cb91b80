/* step/train_internal.h: the trainer's state, shared by step/train.c (the loop) and
 * step/train_checkpoint.c (saving and resuming it). Not installed. */
#ifndef SQ_TRAIN_INTERNAL_H
#define SQ_TRAIN_INTERNAL_H

#include <signal.h>

#include "train.h"

struct sq_trainer {
    sq_train_spec spec;
    sq_sample_set *train, *test;
    sq_net_input shape;
    uint32_t classes, max_batch;
    int threads;
    sq_net *net;
    sq_optim *opt;
    char *out_dir;
    /* Batch buffers. */
    float *x, *dy, *scratch;
    uint32_t *labels;
    uint64_t *keys;
    size_t *order;
    /* Where the run is: epochs completed, batches done in the current epoch and their sums. */
    uint32_t epoch;
    size_t batch;
    double loss_sum, train_seconds;
    size_t correct, seen;
    double best_accuracy;
    uint32_t best_epoch;
    volatile sig_atomic_t stop;
    sq_train_options opts;
};

/* <out_dir>/<name> into buf. */
void sq__train_path(const sq_trainer *t, const char *name, char *buf, size_t cap);

/* The checkpoint (weights, BN statistics, optimizer state, the position and the partial epoch's
 * sums) at path; and reading one back into t (the network and optimizer must match it). */
int sq__train_checkpoint_save(sq_trainer *t, const char *path, sq_err *err);
int sq__train_checkpoint_load(sq_trainer *t, const char *path, sq_err *err);

#endif
