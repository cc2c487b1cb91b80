/* cli/cli.h: the subcommands of the spikeq command-line tool. Each returns the process exit
 * status: 0 success, 1 bad input or failure, 2 bad usage, 130/143 interrupted by SIGINT/SIGTERM. */
#ifndef SQ_CLI_H
#define SQ_CLI_H

int sq_cli_run(int argc, char **argv);
int sq_cli_info(int argc, char **argv);
int sq_cli_models(int argc, char **argv);
int sq_cli_raster(int argc, char **argv);
int sq_cli_train(int argc, char **argv);           /* `spikeq train` (cmd_train.c) */
int sq_cli_eval(int argc, char **argv);            /* `spikeq eval` (cmd_eval.c) */
int sq_cli_dataset(int argc, char **argv);         /* `spikeq dataset <sub>`: the table in cmd_dataset.c */
int sq_cli_dataset_frames(int argc, char **argv);  /* `spikeq dataset frames` (cmd_frames.c) */
int sq_cli_dataset_emulate(int argc, char **argv); /* `spikeq dataset emulate` (cmd_emulate.c) */

/* Prints text to stdout and returns 1 if -h or --help is among argv[1..argc-1]. */
int sq_cli_wants_help(int argc, char **argv, const char *text);

/* A one-line progress report on stderr (carriage return, no newline); prints nothing unless
 * stderr is a terminal. progress_done() ends the line. */
void sq_cli_progress(double t_ms, double t_stop_ms, double wall_s, unsigned long long spikes);
void sq_cli_progress_done(void);

#endif
