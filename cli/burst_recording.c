/* cli/burst_recording.c: output.record_bursts. One burst detector per neuron of each chosen
 * population (neurons/bursts.h: z with tau_burst = 16 ms, read before the spike is added), fed the
 * spikes in time order as the simulation hands them over; an EVENT goes to "<pop>_events", a BURST
 * marker (the second spike of a burst) to "<pop>_bursts". */
#include "burst_recording.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../neurons/bursts.h"

typedef struct {
    uint32_t pop;                 /* sim population */
    uint32_t index;               /* writer index of its events; bursts are index + 1 */
    sq_burst_detector *detectors; /* one per neuron */
} watched;

struct sq_cli_bursts {
    watched *w;
    size_t n;
    int *of_pop;                  /* sim population -> index in w, or -1 */
};

int sq_cli_bursts_create(const sq_sim *sim, const sq_run_spec *run, uint32_t first_index, sq_cli_bursts **out,
                         sq_err *err)
{
    *out = NULL;
    if (run->n_record_bursts == 0)
        return 0;
    size_t n_pops = sq_sim_population_count(sim);
    sq_cli_bursts *b = calloc(1, sizeof *b);
    if (!b || !(b->w = calloc(run->n_record_bursts, sizeof *b->w)) || !(b->of_pop = malloc(n_pops * sizeof *b->of_pop))) {
        sq_cli_bursts_destroy(b);
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    }
    for (size_t p = 0; p < n_pops; p++)
        b->of_pop[p] = -1;
    for (size_t k = 0; k < run->n_record_bursts; k++)
        for (size_t p = 0; p < n_pops; p++) {
            if (strcmp(sq_sim_population_name(sim, p), run->record_bursts[k]) != 0)
                continue;
            watched *w = &b->w[b->n];
            uint32_t size = sq_sim_population_size(sim, p);
            w->pop = (uint32_t)p;
            w->index = first_index + 2 * (uint32_t)b->n;
            if (!(w->detectors = malloc(((size_t)size + 1) * sizeof *w->detectors))) {
                sq_cli_bursts_destroy(b);
                return sq_fail(err, SQ_ENOMEM, "out of memory");
            }
            for (uint32_t i = 0; i < size; i++)
                sq_burst_init(&w->detectors[i], SQ_BURST_TAU_MS);
            b->of_pop[p] = (int)b->n++;
        }
    *out = b;
    return 0;
}

size_t sq_cli_bursts_populations(const sq_cli_bursts *b, const sq_sim *sim, char **names, uint64_t *sizes)
{
    static const char *const kinds[] = {"events", "bursts"};
    for (size_t k = 0; b && k < b->n; k++)
        for (int kind = 0; kind < 2; kind++) {
            const char *pop = sq_sim_population_name(sim, b->w[k].pop);
            size_t len = strlen(pop) + 8;
            if ((names[2 * k + kind] = malloc(len)))
                snprintf(names[2 * k + kind], len, "%s_%s", pop, kinds[kind]);
            sizes[2 * k + kind] = sq_sim_population_size(sim, b->w[k].pop);
        }
    return b ? 2 * b->n : 0;
}

size_t sq_cli_bursts_classify(sq_cli_bursts *b, const sq_spike *s, size_t n, sq_spike *out)
{
    size_t m = 0;
    for (size_t i = 0; b && i < n; i++) {
        int k = b->of_pop[s[i].pop];
        if (k < 0)
            continue;
        const watched *w = &b->w[k];
        sq_spike_class c = sq_burst_classify(&w->detectors[s[i].id], s[i].t);
        if (c != SQ_SPIKE_INBURST)
            out[m++] = (sq_spike){s[i].t, w->index + (c == SQ_SPIKE_BURST), s[i].id};
    }
    return m;
}

void sq_cli_bursts_destroy(sq_cli_bursts *b)
{
    if (!b)
        return;
    for (size_t k = 0; b->w && k < b->n; k++)
        free(b->w[k].detectors);
    free(b->w);
    free(b->of_pop);
    free(b);
}
