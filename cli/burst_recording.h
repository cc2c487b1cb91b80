/* cli/burst_recording.h: output.record_bursts of `spikeq run`: the events and burst markers of
 * chosen populations (neurons/bursts.h, Payeur et al. 2021) written as SONATA spike populations of
 * their own, "<pop>_events" and "<pop>_bursts", beside the spikes. */
#ifndef SQ_CLI_BURST_RECORDING_H
#define SQ_CLI_BURST_RECORDING_H

#include <stddef.h>
#include <stdint.h>

#include "../io/config.h"
#include "../sim/sim.h"

typedef struct sq_cli_bursts sq_cli_bursts;

/* A classifier for the populations of run->record_bursts (*out NULL when none). Their output
 * populations get writer indices first_index, first_index + 1, ... in the order of names(). */
int sq_cli_bursts_create(const sq_sim *sim, const sq_run_spec *run, uint32_t first_index, sq_cli_bursts **out,
                         sq_err *err);

/* The output populations' names (malloc'd, the caller frees each; NULL when out of memory) and
 * sizes; returns their count. */
size_t sq_cli_bursts_populations(const sq_cli_bursts *b, const sq_sim *sim, char **names, uint64_t *sizes);

/* Classifies the spikes s[0..n) of one window (sim population indices, time order) and writes the
 * events and burst markers among them to out (writer indices; room for n). Returns how many. */
size_t sq_cli_bursts_classify(sq_cli_bursts *b, const sq_spike *s, size_t n, sq_spike *out);

void sq_cli_bursts_destroy(sq_cli_bursts *b);

#endif
