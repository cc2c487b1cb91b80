/* cli/weight_snapshots.h: the weight snapshots of `spikeq run` (output.weights): when they are due,
 * taking them between pieces of the run, and writing them out at the end. */
#ifndef SQ_CLI_WEIGHT_SNAPSHOTS_H
#define SQ_CLI_WEIGHT_SNAPSHOTS_H

#include "../io/config.h"
#include "../io/sonata_writer.h"
#include "../sim/sim.h"

typedef struct sq_cli_snapshots sq_cli_snapshots;

/* Plans the snapshots of run->weights up to t_stop and reads each projection's connectivity.
 * *out is NULL when there are none. Thread: any, not during a run. */
int sq_cli_snapshots_create(sq_sim *sim, const sq_net_spec *net, const sq_run_spec *run, double t_stop,
                            sq_cli_snapshots **out, sq_err *err);

/* The time of the next snapshot, or INFINITY. */
double sq_cli_snapshots_next(const sq_cli_snapshots *s);

/* Takes every snapshot due at the simulation's current time. Thread: the run's, between pieces. */
int sq_cli_snapshots_take(sq_cli_snapshots *s, sq_sim *sim, sq_err *err);

/* Writes /weights/<projection> for every projection (the snapshots taken so far). Thread: loop. */
int sq_cli_snapshots_write(const sq_cli_snapshots *s, sq_spike_writer *w, sq_err *err);

/* Snapshots taken so far, over all projections. */
size_t sq_cli_snapshots_count(const sq_cli_snapshots *s);

void sq_cli_snapshots_destroy(sq_cli_snapshots *s);

#endif
