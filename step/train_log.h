/* step/train_log.h: what a training run reports, whatever its learning rule (BPTT in step/train.h,
 * desire backpropagation in step/desire_train.h): the per-epoch report, the progress inside an
 * epoch, and <out_dir>/log.jsonl, one JSON line per epoch (README "Layered networks": its fields).
 * Tested in tests/test_train_cli.py. */
#ifndef SQ_TRAIN_LOG_H
#define SQ_TRAIN_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

/* What happened in one epoch (the log line). */
typedef struct {
    uint32_t epoch;                  /* 1-based: epochs completed */
    double lr, train_loss, train_accuracy, test_loss, test_accuracy;
    size_t train_samples, test_samples, test_correct;
    double train_seconds, test_seconds;
    int best;                        /* the best test accuracy so far */
    const double *alignment;         /* per weight layer (rate networks, step/rate_train.h), or NULL */
    uint32_t n_alignment;
} sq_epoch_report;

/* Progress inside an epoch. */
typedef struct {
    uint32_t epoch, epochs;          /* 0-based epoch being trained */
    size_t batch, batches;           /* batches done in this epoch */
    double loss, accuracy;           /* running means over the epoch so far */
    double samples_per_s;            /* training samples per second in this epoch */
    double seconds;                  /* training time of this epoch so far */
    int evaluating;                  /* 1 while the test set runs (batch, batches count its batches) */
} sq_train_progress;

/* Appends r to <out_dir>/log.jsonl. Returns 0 or SQ_EIO naming the file. */
int sq_train_log_append(const char *out_dir, const sq_epoch_report *r, sq_err *err);

/* Keeps the first `epochs` lines of <out_dir>/log.jsonl (a resumed run rewrites what follows; a
 * missing log is fine). Returns 0 or SQ_EIO. */
int sq_train_log_truncate(const char *out_dir, uint32_t epochs, sq_err *err);

#endif
