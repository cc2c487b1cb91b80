/* cli/cmd_info.c: `spikeq info FILE.h5`: what a SONATA spike file holds, per population: size,
 * neurons that fired, spike count, mean rate and time range. Reads other tools' SONATA files too. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../io/sonata_reader.h"
#include "cli.h"

static const char info_usage[] =
    "usage: spikeq info FILE.h5\n"
    "\n"
    "Summarises a SONATA spike report (HDF5): for each population its size (when the file says it),\n"
    "the neurons that fired, the spike count, the mean rate over the recorded interval and the time\n"
    "of the first and last spike. Times in ms, rates in Hz.\n";

int sq_cli_info(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(info_usage, argc == 2 ? stdout : stderr);
        return argc == 2 ? 0 : 2;
    }
    sq_spike_file_summary *s = NULL;
    sq_err err = {0};
    if (sq_spike_file_read_summary(argv[1], &s, &err) < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return 1;
    }
    printf("file: %s\n", argv[1]);
    if (isnan(s->t_start) || isnan(s->t_stop))
        printf("recorded interval: unknown (not written by spikeq)\n");
    else
        printf("recorded interval: %g to %g ms\n", s->t_start, s->t_stop);
    printf("%-16s %10s %10s %12s %10s %12s %12s\n", "population", "neurons", "fired", "spikes", "rate (Hz)",
           "first (ms)", "last (ms)");
    uint64_t total = 0;
    for (size_t i = 0; i < s->n_pops; i++) {
        const sq_spike_pop_summary *p = &s->pops[i];
        double rate = sq_spike_file_mean_rate_hz(s, i);
        char neurons[32] = "?", rate_s[32] = "?";
        if (p->n_nodes)
            snprintf(neurons, sizeof neurons, "%llu", (unsigned long long)p->n_nodes);
        if (!isnan(rate))
            snprintf(rate_s, sizeof rate_s, "%.3f", rate);
        printf("%-16s %10s %10llu %12llu %10s %12.3f %12.3f\n", p->name[0] ? p->name : "(flat)", neurons,
               (unsigned long long)p->n_active, (unsigned long long)p->n_spikes, rate_s, p->t_first, p->t_last);
        total += p->n_spikes;
    }
    printf("total spikes: %llu\n", (unsigned long long)total);
    sq_spike_file_summary_free(s);
    return 0;
}
