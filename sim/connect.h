/* sim/connect.h: connection rules (NEST's connection management semantics) that turn a connector
 * spec into (source, target) pairs. Every rule draws from counter-based streams keyed by the
 * projection and the generating neuron (target for all rules but fixed_outdegree, which is keyed
 * by source), so which synapses exist never depends on the order of generation or on thread count. */
#ifndef SQ_CONNECT_H
#define SQ_CONNECT_H

#include <stdint.h>

#include "error.h"
#include "network.h"

/* Receives one synapse. Returns 0 to go on, or a negative SQ_E* code to stop generation (which
 * sq_connect then returns). */
typedef int (*sq_synapse_fn)(void *ud, uint32_t src, uint32_t tgt);

/* Checks c against the population sizes: p in [0, 1]; indegree <= n_pre (or n_pre - 1 without
 * autapses) when multapses are off; and so on. `where` prefixes messages ("net.json:
 * projections[3].connector"). Returns 0 or SQ_ECONFIG. Thread: any. */
int sq_connector_check(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same_population,
                       const char *where, sq_err *err);

/* Generates the synapses of projection number `proj` (its index; it keys the random streams) and
 * passes those whose target lies in [tgt_lo, tgt_hi) to fn. Synapses of one target are passed
 * together and targets come in increasing order, except for fixed_outdegree, which goes source by
 * source. The set of synapses does not depend on [tgt_lo, tgt_hi). Thread: any. */
int sq_connect(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same_population,
               uint64_t seed, uint32_t proj, uint32_t tgt_lo, uint32_t tgt_hi, sq_synapse_fn fn,
               void *ud, sq_err *err);

/* The targets one call generates, for a thread that owns blocks of neurons (sim/parts.c): the
 * population-local targets t in [lo, hi) whose block ((first + t) >> block_shift), first being the
 * population's first global id, is congruent to phase modulo stride. stride 1 is the whole range. */
typedef struct {
    uint32_t lo, hi;
    uint32_t first, block_shift, stride, phase;
} sq_target_set;

/* sq_connect for the targets of set only: the synapses of those targets are exactly the ones
 * sq_connect over [0, n_post) makes for them, in the same order. Thread: any. */
int sq_connect_set(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same_population,
                   uint64_t seed, uint32_t proj, const sq_target_set *set, sq_synapse_fn fn, void *ud,
                   sq_err *err);

/* Expected number of synapses (exact for all rules but fixed_probability, where it is the mean),
 * used to size arrays before generation. Thread: any. */
double sq_connect_expected(const sq_connector *c, uint32_t n_pre, uint32_t n_post,
                           int same_population);

#endif
