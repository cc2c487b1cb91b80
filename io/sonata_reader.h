/* io/sonata_reader.h: reads SONATA spike files, ours or other tools' (bmtk, libsonata, NEST).
 * Spec: the project spec shared/specs/data.md 1.4 "Reader rules": populations are the groups under /spikes that
 * hold timestamps and node_ids (or the legacy gids); the legacy flat layout (datasets directly in
 * /spikes) is one population named ""; `sorting` may be an enum or a string and is never trusted;
 * a missing `units` means ms, and "s" is scaled by 1000. All times returned are in ms.
 * Bad files (not HDF5, truncated, missing datasets, lengths that differ) give SQ_EIO or SQ_EFORMAT
 * with a message naming the file and the object; HDF5's own error printing is silenced.
 * Tested in tests/test_sonata.c. */
#ifndef SQ_SONATA_READER_H
#define SQ_SONATA_READER_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

typedef enum {
    SQ_SORTING_UNKNOWN = -1, /* attribute missing or not understood */
    SQ_SORTING_NONE = 0,
    SQ_SORTING_BY_ID = 1,
    SQ_SORTING_BY_TIME = 2
} sq_spike_sorting;

/* Public value. */
typedef struct {
    char *name;           /* "" for the legacy flat layout */
    uint64_t n_nodes;     /* the `n_nodes` attribute (population size), 0 if absent */
    uint64_t n_spikes;
    uint64_t n_active;    /* distinct node ids that fired at least once */
    double t_first;       /* ms; NaN when n_spikes == 0 */
    double t_last;        /* ms; NaN when n_spikes == 0 */
    sq_spike_sorting sorting;
} sq_spike_pop_summary;

typedef struct {
    double t_start, t_stop; /* ms, the /spikes attributes of spikeq files; NaN when absent */
    size_t n_pops;
    sq_spike_pop_summary *pops; /* in the file's (alphabetical) link order */
} sq_spike_file_summary;

/* Reads every population of the file in blocks (memory stays bounded by the largest population's
 * node ids only when ids exceed the n_nodes range). On success *out is owned by the caller, who
 * frees it with sq_spike_file_summary_free; on failure *out is NULL. Returns 0, SQ_EIO (cannot
 * open), SQ_EFORMAT (not a SONATA spike file, damaged) or SQ_ENOMEM. Thread: any. */
int sq_spike_file_read_summary(const char *path, sq_spike_file_summary **out, sq_err *err);

/* NULL is a no-op. Thread: any. */
void sq_spike_file_summary_free(sq_spike_file_summary *s);

/* Mean firing rate of population pop in Hz: n_spikes / n_nodes / ((t_stop - t_start) / 1000),
 * times in ms. NaN when n_nodes is 0 or the interval is not positive or unknown. Thread: any. */
double sq_spike_file_mean_rate_hz(const sq_spike_file_summary *s, size_t pop);

/* Reads population `pop` whole, in file order: *t (ms) and *ids, n spikes each, caller-owned (free
 * with free(); NULL when *n is 0). On failure the outputs are NULL/0. Thread: any. */
int sq_spike_file_read_population(const char *path, const char *pop, double **t, uint64_t **ids, size_t *n,
                                  sq_err *err);

#endif
