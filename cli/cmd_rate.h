/* cli/cmd_rate.h: `spikeq train` / `spikeq eval` for the rules of rate networks (training.rule =
 * "backprop", "burstprop" or "burstccn"; cli/cmd_rate.c). */
#ifndef SQ_CLI_CMD_RATE_H
#define SQ_CLI_CMD_RATE_H

#include <jansson.h>

#include "../step/train.h"

/* Trains (bench > 0: times that many training batches instead); prints the header, the summary and
 * any error. Returns 0, SQ_EINTR or an error code. stop_pending: a stop signal came before the
 * trainer existed. */
int sq_cli_rate_train(const json_t *config, const char *config_path, const sq_train_options *o, int bench,
                      int stop_pending);
/* Asks the running training (if any) to stop. Async-signal-safe. */
void sq_cli_rate_stop(void);
/* Evaluates o->weights on the test set; predictions (NULL: none) receives the output rates. */
int sq_cli_rate_eval(const json_t *config, const sq_train_options *o, const char *predictions);

#endif
