/* cli/train_report.h: the printed reports of `spikeq train` / `spikeq eval` and the learning-curve
 * picture (cli/train_report.c). */
#ifndef SQ_CLI_TRAIN_REPORT_H
#define SQ_CLI_TRAIN_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "../step/train.h"

void sq_cli_train_header(sq_trainer *t, const char *config, const char *out_dir, const char *resume);
/* Per layer: type, output shape, measured input density (spikes/counts inputs), the path taken
 * (sparse, dense, mixed) and seconds in the forward and backward passes. */
void sq_cli_layer_table(sq_net *net, FILE *f);
void sq_cli_train_summary(sq_trainer *t, double wall_s, const char *out_dir, const char *stopped);
/* The end of any training run: epochs, best accuracy, time, memory, the layer table (net NULL:
 * none), how to resume a stopped run (stopped: why, or NULL) and the files written. */
void sq_cli_run_summary(uint32_t done, uint32_t epochs, double best, uint32_t best_epoch, double wall_s,
                        const char *out_dir, const char *stopped, sq_net *net);
/* The --predictions file of `spikeq eval`: /<scores_name> [n][K], /labels [n], /predicted [n] and
 * the attribute accuracy. Returns 0 or an error (nothing left behind). */
int sq_cli_write_predictions(const char *path, const char *scores_name, const float *scores, const float *labels,
                             const float *predicted, size_t n, uint32_t K, double accuracy, sq_err *err);
/* <out_dir>/learning_curve.png from <out_dir>/log.jsonl. Returns 0 or -1. */
int sq_cli_learning_curve(const char *out_dir);
/* Reads a training config, with training.<key> = value when value > 0 (a command-line override);
 * prints the reason and returns NULL when the file cannot be read or parsed. */
json_t *sq_cli_training_config(const char *path, const char *key, long long value);

#endif
