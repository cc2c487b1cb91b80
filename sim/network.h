/* sim/network.h: the network description a caller fills in (plain data, caller-owned), which
 * sq_sim_create() validates and builds. The config reader (io/config.c) fills it from JSON, tests
 * fill it by hand. Field paths in error messages follow this layout, which is also the JSON layout:
 * "<origin>: populations[2].params.tau_m: expected a positive number in ms, got -5". */
#ifndef SQ_NETWORK_H
#define SQ_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A value drawn per synapse or per neuron. */
typedef enum {
    SQ_DIST_CONSTANT, /* value */
    SQ_DIST_UNIFORM,  /* on [low, high) */
    SQ_DIST_NORMAL    /* mean, std; redrawn until inside [low, high] (use -INFINITY/INFINITY for none) */
} sq_dist_kind;

typedef struct {
    sq_dist_kind kind;
    double value;
    double low, high;
    double mean, std;
} sq_dist;

static inline sq_dist sq_dist_constant(double v)
{
    sq_dist d = {SQ_DIST_CONSTANT, v, 0.0, 0.0, 0.0, 0.0};
    return d;
}

typedef enum {
    SQ_CONN_ALL_TO_ALL,
    SQ_CONN_ONE_TO_ONE,
    SQ_CONN_FIXED_PROBABILITY, /* p: each (source, target) pair independently */
    SQ_CONN_FIXED_INDEGREE,    /* n sources for every target */
    SQ_CONN_FIXED_OUTDEGREE,   /* n targets for every source */
    SQ_CONN_FIXED_TOTAL_NUMBER /* n synapses in all, (source, target) uniform over the pairs */
} sq_conn_rule;

typedef struct {
    sq_conn_rule rule;
    double p;      /* fixed_probability */
    uint64_t n;    /* fixed_indegree, fixed_outdegree, fixed_total_number */
    int autapses;  /* allow i -> i when source and target are the same population (default 1) */
    int multapses; /* allow repeated (source, target) pairs (default 1) */
} sq_connector;

typedef struct {
    uint32_t id;       /* population-local neuron index */
    const char *param; /* parameter name */
    double value;
} sq_override;

typedef struct {
    const char *name;
    uint32_t n;
    const char *model;               /* a neuron model name, "spike_source" or "poisson_source" */
    const char *const *param_names;  /* the parameters the user set; the rest keep defaults */
    const double *param_values;
    size_t n_params;
    int has_v_init;                  /* 0: V_m starts at the model's rest (E_L) */
    sq_dist v_init;                  /* mV */
    const sq_override *overrides;    /* per-neuron parameter values */
    size_t n_overrides;
    /* spike_source only: spike (spike_ids[k], spike_times[k] in ms), any order. */
    const uint32_t *spike_ids;
    const double *spike_times;
    size_t n_spikes;
    /* poisson_source only: every neuron fires its own Poisson train at rate Hz on [start, stop) ms
     * (stop finite), drawn when the network is built; each train reaches all of its neuron's
     * targets (NEST's poisson_generator -> parrot_neuron). */
    double rate, start, stop;
} sq_pop_spec;

/* A projection's plasticity rule (plasticity/rule.h) and its parameters. */
typedef struct {
    const char *rule;                /* a rule name, e.g. "stdp" */
    const char *preset;              /* NULL, or one of the rule's named parameter sets */
    const char *const *param_names;  /* the parameters the user set (after the preset's) */
    const double *param_values;
    size_t n_params;
    double dendritic_delay;          /* ms >= 0: a post spike at t reaches the synapse at t + this */
} sq_plasticity_spec;

typedef struct {
    const char *source, *target; /* population names */
    sq_connector connector;
    sq_dist weight;              /* the target model's weight unit (mV, pA or nS); sign = excitation or inhibition */
    sq_dist delay;               /* ms, rounded to the resolution; must be >= resolution */
    const char *name;            /* NULL: "<source>_to_<target>"; names weight snapshots */
    const char *receptor;        /* NULL: the target model's first input site (neurons/model.h) */
    const sq_plasticity_spec *plasticity; /* NULL: static synapses */
    int record_weights;          /* 1: keep the synapses apart so sq_sim_get_weights can read them
                                    (implied by plasticity and receptor) */
} sq_proj_spec;

typedef enum {
    SQ_DEVICE_POISSON, /* an independent Poisson train into every target (NEST poisson_generator) */
    SQ_DEVICE_DC       /* a constant current between start and stop (NEST dc_generator) */
} sq_device_kind;

typedef struct {
    const char *name;
    sq_device_kind kind;
    double rate;             /* Hz (poisson) */
    double amplitude;        /* pA (dc) */
    double start, stop;      /* ms; active on [start, stop); stop may be INFINITY */
    double weight;           /* poisson: target model's weight unit */
    double delay;            /* poisson: ms, shifts start and stop as in NEST */
    const char *const *targets; /* population names; every neuron of each is a target */
    size_t n_targets;
    const char *receptor;    /* NULL: each target model's first input site; else one of its receptors */
} sq_device_spec;

/* Sampled membrane potential of chosen neurons of one population. */
typedef struct {
    const char *population;
    const uint32_t *ids; /* population-local; NULL with n_ids 0 means all */
    size_t n_ids;
    double interval;     /* ms, > 0 */
} sq_vm_spec;

typedef struct {
    const char *origin;   /* prefix of error messages, usually the config file's name */
    double resolution;    /* ms; delays are rounded to it (default 0.1) */
    uint64_t seed;
    uint32_t threads;     /* threads the run uses, each owning a part of the neurons; 0 = OpenMP's
                             default (OMP_NUM_THREADS, else one per core). The spikes do not depend on it. */
    const sq_pop_spec *pops;
    size_t n_pops;
    const sq_proj_spec *projs;
    size_t n_projs;
    const sq_device_spec *devices;
    size_t n_devices;
    const sq_vm_spec *vm;
    size_t n_vm;
} sq_net_spec;

#endif
