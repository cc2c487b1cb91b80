/* step/run_state.h: where a training run is, as the root attributes of its checkpoint (kind
 * "checkpoint", rule, epoch, position, seed, train_correct, train_error_sum, train_seconds,
 * best_accuracy, best_epoch), for the trainers that keep their own loop (desire backpropagation,
 * step/desire_train.h; rate networks, step/rate_train.h). A checkpoint is resumed only by a run of
 * the same rule and seed. */
#ifndef SQ_RUN_STATE_H
#define SQ_RUN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "tensor_file.h"

/* Public value. */
typedef struct {
    uint32_t epoch;            /* epochs completed */
    size_t position, correct;  /* samples done in the current epoch, and how many were right */
    double error_sum, train_seconds, best_accuracy;
    uint32_t best_epoch;
} sq_run_state;

int sq_run_state_put(sq_tensor_file *f, const char *rule, uint64_t seed, const sq_run_state *s, sq_err *err);

/* Reads and checks: kind and rule as expected (SQ_EFORMAT naming the file otherwise), the seed the
 * run's (SQ_ECONFIG, saying how to continue that run), position at most n_train. */
int sq_run_state_get(sq_tensor_file *f, const char *rule, uint64_t seed, size_t n_train, sq_run_state *out,
                     sq_err *err);

#endif
