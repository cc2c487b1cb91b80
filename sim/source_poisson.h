/* sim/source_poisson.h: the spike trains of a "poisson_source" population, drawn when the network
 * is built (internal to sim/, not installed). */
#ifndef SQ_SOURCE_POISSON_H
#define SQ_SOURCE_POISSON_H

#include <stddef.h>
#include <stdint.h>

#include "network.h"

/* More spikes than this in one population is refused (SQ_ERANGE) rather than allocated: 12 bytes
 * a spike, so at most 1.2 GB. */
#define SQ_SOURCE_MAX_SPIKES 100000000ull

/* Checks populations[i]'s rate, start and stop, then draws neuron j's train from the stream
 * (seed, SQ_STREAM_SOURCE, i, j): exponential intervals of mean 1000/rate ms from start, every spike
 * before stop kept. *ids and *times (malloc'd, the caller frees them) receive the (id, time) pairs
 * in neuron order, *n their number. Returns 0 or SQ_ECONFIG / SQ_ERANGE / SQ_ENOMEM with a message
 * naming the field. Thread: any (pure function of the spec and the seed). */
int sq__poisson_source_draw(const sq_net_spec *spec, size_t i, uint32_t **ids, double **times, size_t *n,
                            sq_err *err);

#endif
