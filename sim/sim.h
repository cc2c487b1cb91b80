/* sim/sim.h: a simulation is a value: created from a network description, run (possibly in
 * several pieces), observed through callbacks, destroyed. Two can live in one process. */
#ifndef SQ_SIM_H
#define SQ_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "network.h"

typedef struct sq_sim sq_sim;

/* One spike: exact time in ms, population index, population-local neuron index. */
typedef struct {
    double t;
    uint32_t pop;
    uint32_t id;
} sq_spike;

/* qsort comparator of sq_spike: (time, population, id), the order observers receive spikes in.
 * Thread: any. */
int sq_spike_compare(const void *a, const void *b);

/* Callbacks from the thread that runs sq_sim_run(), once per synchronisation window. Spikes come
 * in (time, population, id) order; the arrays are borrowed for the call only. */
typedef struct {
    void (*spikes)(void *ud, const sq_spike *spikes, size_t n);
    /* Sampled V_m of recording `rec` (index into spec->vm) at time t: values[0..n) in the order of
     * that recording's ids. */
    void (*samples)(void *ud, size_t rec, double t, const double *values, size_t n);
    void *ud;
} sq_sim_observer;

typedef struct {
    uint64_t n_neurons;
    uint64_t n_synapses;
    uint64_t synapse_bytes;   /* connectivity storage: targets, weights, delay-group headers */
    double min_delay;         /* ms: the synchronisation window */
    double max_delay;
    double resolution;
    uint64_t n_events;        /* synaptic events delivered so far (device inputs not counted) */
    uint32_t threads;         /* threads the last run used (before a run: the parts, one per thread asked) */
    uint64_t n_plastic;       /* synapses of plastic projections (included in n_synapses) */
    uint64_t plasticity_bytes; /* what plasticity keeps beyond synapse_bytes: group classes and pre
                                  states, per-synapse rule state, post states and spike histories */
} sq_sim_stats;

/* Validates spec and builds the network (connectivity, initial states, devices). On failure
 * *out is NULL and err names the field. spec is borrowed for the call only. Thread: any. */
int sq_sim_create(const sq_net_spec *spec, sq_sim **out, sq_err *err);

/* NULL is a no-op. Thread: the one that created sim, after any sq_sim_run has returned. */
void sq_sim_destroy(sq_sim *sim);

/* Replaces the observer (copied). Thread: not during sq_sim_run. */
void sq_sim_set_observer(sq_sim *sim, const sq_sim_observer *obs);

/* Advances the simulation from its current time to t_stop (ms). Returns 0, or SQ_EINTR when
 * sq_sim_request_stop() ended it early at a window boundary (sq_sim_time() tells where), every
 * spike up to that time having been passed to the observer. Thread: one at a time. */
int sq_sim_run(sq_sim *sim, double t_stop, sq_err *err);

/* Asks a running sq_sim_run to stop at the next window boundary. Thread: any; async-signal-safe. */
void sq_sim_request_stop(sq_sim *sim);

/* Progress readable while running. Thread: any. */
double sq_sim_time(const sq_sim *sim);
uint64_t sq_sim_spike_count(const sq_sim *sim);

void sq_sim_get_stats(const sq_sim *sim, sq_sim_stats *out);

/* Populations, in spec order. Names are borrowed until sq_sim_destroy(). Thread: any. */
size_t sq_sim_population_count(const sq_sim *sim);
const char *sq_sim_population_name(const sq_sim *sim, size_t pop);
uint32_t sq_sim_population_size(const sq_sim *sim, size_t pop);
/* Spikes emitted by the population so far. */
uint64_t sq_sim_population_spikes(const sq_sim *sim, size_t pop);

#endif
