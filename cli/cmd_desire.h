/* cli/cmd_desire.h: `spikeq train` / `spikeq eval` for training.rule = "desire" (cli/cmd_desire.c). */
#ifndef SQ_CLI_CMD_DESIRE_H
#define SQ_CLI_CMD_DESIRE_H

#include <jansson.h>

#include "../step/train.h"

/* Trains; prints the header, the summary and any error. Returns 0, SQ_EINTR or an error code.
 * stop_pending: a stop signal came before the trainer existed. */
int sq_cli_desire_train(const json_t *config, const char *config_path, const sq_train_options *o, int stop_pending);
/* Asks the running desire training (if any) to stop. Async-signal-safe. */
void sq_cli_desire_stop(void);
/* Evaluates o->weights on the test set; predictions (NULL: none) receives the counts. Returns 0 or
 * an error code (printed). */
int sq_cli_desire_eval(const json_t *config, const sq_train_options *o, const char *predictions);

#endif
