/* encoders/encoder.h: input encoders, the spike sources that turn one dataset sample (an image, or
 * an event-camera recording) into spikes of an input population. An encoder is a descriptor (name,
 * parameter table, encode function) listed in encoders/registry.c; a config names it in a
 * spike_source population's "encoder" object (io/config_encoder.c), and at build time the samples
 * expand into that population's spike list, sample k occupying [k (sample_time + gap),
 * k (sample_time + gap) + sample_time) ms.
 *
 * Encoders are pure functions of (parameters, seed, population, sample, neuron): the random ones
 * draw from the counter-based stream keyed by those (sq_encoder_stream), so a seed fixes every
 * spike and a sample's spikes do not depend on which samples were encoded before it.
 * Tested in tests/test_encoders.c. */
#ifndef SQ_ENCODER_H
#define SQ_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"
#include "../sim/params.h"
#include "../sim/rng.h"
#include "dvs_events.h"

/* A growing list of (neuron, time ms) spikes with a hard limit: pushing past `max` fails, so a
 * config can never make an unbounded allocation. */
typedef struct {
    uint32_t *id;
    double *t;
    size_t n, cap;
    size_t max;
} sq_spike_list;

/* Appends one spike. Returns 0, SQ_ERANGE when the list already holds max spikes, or SQ_ENOMEM.
 * Thread: owner of l. */
int sq_spike_list_push(sq_spike_list *l, uint32_t id, double t);

/* Frees the arrays and zeroes the list (max kept). NULL is a no-op. Thread: owner of l. */
void sq_spike_list_free(sq_spike_list *l);

/* What one encode call gets besides the sample. */
typedef struct {
    const double *v;    /* parameter values, in the order of the encoder's table */
    double sample_time; /* ms: the spikes of a sample fall in [t0, t0 + sample_time) */
    double t0;          /* ms: where the sample starts */
    uint64_t seed;
    uint32_t pop;       /* population index, part of the random key */
    uint64_t sample;    /* dataset index of the sample, part of the random key */
    const char *where;  /* message prefix, e.g. "net.json: populations[0].encoder" */
} sq_encode_ctx;

typedef struct {
    const char *name;
    const char *doc;
    int events;                  /* 1: consumes event-camera recordings; 0: images */
    const sq_param_info *params; /* the only place each parameter's unit, default and range is set */
    size_t n_params;
    /* Checks relations between parameters that the table's constraints cannot express (NULL: none). */
    int (*check)(const double *v, double sample_time, const char *where, sq_err *err);
    /* Upper bound (or, for random encoders, the mean) of the spikes one sample of n neurons gives:
     * the reader refuses a config whose total exceeds the limit before allocating anything. */
    double (*spikes_per_sample)(const double *v, double sample_time, uint32_t n);
    /* Image encoders: x[0..n) intensities in [0, 1]. */
    int (*image)(const sq_encode_ctx *c, const float *x, uint32_t n, sq_spike_list *out, sq_err *err);
    /* Event encoders: a recording, into a population of n = 2 * height * width neurons. */
    int (*stream)(const sq_encode_ctx *c, const sq_dvs_stream *s, uint32_t n, sq_spike_list *out, sq_err *err);
    /* Event encoders that downsample: the side of the (square) output, or 0 (or NULL) for the
     * sensor's own size; the population is then 2 * side * side. */
    uint32_t (*out_side)(const double *v);
} sq_encoder;

/* Internal (the encoder files): what encoders call for each spike: sq_spike_list_push, and on failure the message
 * "<where>: expected at most max_spikes = M spikes, got more (at sample S)" or "out of memory".
 * Returns 0, SQ_ERANGE or SQ_ENOMEM. Thread: owner of out. */
int sq__encode_push(const sq_encode_ctx *c, sq_spike_list *out, uint32_t id, double t, sq_err *err);

/* The encoder named `name`, or NULL. Thread: any. */
const sq_encoder *sq_encoder_find(const char *name);

/* Every encoder, in the registry's order. Thread: any. */
const sq_encoder *const *sq_encoders(size_t *n);

/* Stream id of (population, sample, neuron) for SQ_STREAM_ENCODER draws: population < 256,
 * sample < 2^24, neuron < 2^24 (the config reader enforces the bounds). */
static inline uint64_t sq_encoder_stream(uint32_t pop, uint64_t sample, uint32_t neuron)
{
    return (uint64_t)SQ_STREAM_ENCODER << 56 | (uint64_t)(pop & 0xffu) << 48 | (sample & 0xffffffu) << 24 | (neuron & 0xffffffu);
}

#endif
