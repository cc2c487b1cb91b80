/* encoders/encoding.h: a dataset fed sample by sample through an encoder into one input
 * population: sample first_sample + k occupies [k (sample_time + gap), k (sample_time + gap) +
 * sample_time) ms (counted in dataset order, or in a seeded permutation of it: Fisher-Yates with
 * the stream keyed by (seed, population), so a DVS dataset, stored class by class, can be fed
 * mixed), and the whole run becomes one spike list (what a spike_source population
 * replays, so the engine needs nothing new). Sizes are checked before anything is allocated: the
 * dataset must hold the samples, the population must match a sample's size, and the encoder's
 * bound (its mean, for Poisson) on the spike count must stay within max_spikes, which the list
 * also enforces while it grows. Tested in tests/test_encoders.c and tests/test_config_encoder.c. */
#ifndef SQ_ENCODING_H
#define SQ_ENCODING_H

#include "dataset_samples.h"
#include "encoder.h"

/* Public value: one encoded input. Pointers are borrowed for the call. */
typedef struct {
    const sq_encoder *encoder;
    const double *params;     /* encoder->n_params values, in its table's order */
    sq_dataset_spec dataset;
    uint64_t first_sample, samples;
    int shuffle;              /* 0: dataset order; 1: a permutation of it fixed by (seed, pop) */
    double sample_time, gap;  /* ms */
    size_t max_spikes;
    uint64_t seed;
    uint32_t pop;             /* population index (< 256), part of the random key */
    uint32_t n;               /* neurons of the population */
    const char *where;        /* message prefix, e.g. "net.json: populations[0].encoder" */
} sq_encoding;

/* Encodes every sample into out (a list with max = e->max_spikes is made here; the caller frees it
 * with sq_spike_list_free). Returns 0, SQ_ECONFIG (sizes, parameters), SQ_ERANGE (too many
 * spikes), SQ_ENOMEM, or the dataset reader's SQ_EIO / SQ_EFORMAT. Thread: any. */
int sq_encoding_expand(const sq_encoding *e, sq_spike_list *out, sq_err *err);

#endif
