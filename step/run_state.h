/* step/run_state.h: what the trainers that keep their own loop share (desire backpropagation,
 * step/desire_train.h; rate networks, step/rate_train.h): setting a run up, and where it is, as the root attributes of its checkpoint (kind
 * "checkpoint", rule, epoch, position, seed, train_correct, train_error_sum, train_seconds,
 * best_accuracy, best_epoch). A checkpoint is resumed only by a run of
 * the same rule and seed. */
#ifndef SQ_RUN_STATE_H
#define SQ_RUN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../encoders/sample_set.h"
#include "tensor_file.h"
#include "train.h"

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

/* The threads of a run (options, else the config's, else OMP_NUM_THREADS, else 1) and its output
 * folder (a copy of o->out_dir, created if missing; NULL when not set). */
int sq_run_prepare(const sq_train_options *o, int config_threads, int *threads, char **out_dir, sq_err *err);

/* The training (unless o->eval_only) and test splits of config.data, a set of still images seen
 * once each (data.T absent or 1; `why` ends the message otherwise), checked against the network:
 * inputs = height x width x channels, at least the data's classes. */
int sq_run_open_images(const json_t *config, const sq_train_options *o, int threads, uint32_t inputs,
                       uint32_t classes, const char *why, sq_sample_set **train, sq_sample_set **test, sq_err *err);

#endif
