/* sim/internal.h (internal): the layout of a built simulation, shared by the files of sim/.
 *
 * Neurons have global ids 0..N-1, assigned population by population in spec order, so sorting by
 * global id is sorting by (population, local id). Each neuron's state is one contiguous record of
 * model->n_state doubles: the engine touches one neuron per synaptic event at random, and one cache
 * line per neuron beats one line per state variable. */
#ifndef SQ_INTERNAL_H
#define SQ_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../neurons/model.h"
#include "../plasticity/rule.h"
#include "poisson.h"
#include "queue.h"
#include "wake.h"
#include "rng.h"
#include "sim.h"

typedef struct {
    char *name;
    uint32_t n;
    uint32_t first;                /* global id of local neuron 0 */
    const sq_neuron_model *model;  /* NULL: a spike source */
    double *params;                /* n_params, or n * n_params with per-neuron overrides */
    double *derived;               /* n_derived, or n * n_derived likewise */
    int per_neuron;                /* params/derived are per neuron */
    double *state;                 /* n * n_state */
    uint64_t spikes;
    /* spike source: its spikes sorted by (time, id), and the next one to emit */
    double *src_t;
    uint32_t *src_id;
    size_t n_src, next_src;
} sq__pop;

/* Outgoing synapses, CSR by source, grouped by delay (structure of arrays). Source s owns groups
 * group_off[s] .. group_off[s+1]-1; group g holds synapses syn_off[g] .. syn_off[g+1]-1, all with
 * delay group_delay[g] resolution steps. 8 bytes per synapse plus 10 per group. */
typedef struct {
    uint64_t *group_off;    /* n_neurons + 1 */
    uint64_t *syn_off;      /* n_groups + 1 */
    uint16_t *group_delay;  /* n_groups, in resolution steps */
    uint32_t *target;       /* n_synapses, global ids */
    float *weight;          /* n_synapses, the target model's weight unit */
    uint64_t n_groups, n_synapses;
} sq__synapses;

/* A projection that is not plain static: plastic (plasticity/rule.h), or onto an input site other
 * than its target model's first. Its synapses get delay groups of their own (so a group belongs to
 * one such projection, and a rule's presynaptic state is kept once per group); the plain static
 * projections of a source share groups. sim/learning.c. */
typedef struct {
    double *rec;                 /* records of (t as the synapses see it, post state) */
    uint32_t n, cap;
} sq__history;

typedef struct {
    char *name;                  /* names the weight snapshots */
    uint32_t proj;               /* index in the spec */
    uint32_t src_pop, tgt_pop;
    unsigned receptor;           /* index into the target model's receptors */
    const sq_plasticity_rule *rule; /* NULL: static */
    double *p, *d;               /* rule parameters and derived constants */
    double dendritic_delay;      /* ms */
    int per_synapse;             /* the rule has on_pre/on_post: its targets take the general path */
    size_t stride_post;          /* 1 + rule->n_post doubles a record */
    double *base;                /* per target neuron: the last record dropped from its history */
    sq__history *hist;           /* per target neuron: its spikes not yet applied to every synapse */
    double *mod;                 /* the rule's modulatory state: t of the last modulate(), then n_mod */
    double sweep_interval;       /* ms, 0: no sweep */
    double next_sweep;           /* ms: the next multiple of it (the calling thread's) */
    int sweep_now;               /* the window being run starts with a sweep (set between windows) */
} sq__special;

/* A DC generator or a V_m recording acting on one neuron: a time-ordered stream of events.
 * (Poisson generators are not streams: their trains are drawn per window, see poisson.h.) */
enum { SQ__STREAM_DC, SQ__STREAM_SAMPLE };

typedef struct {
    double next_t;  /* time of the next event, INFINITY when none is left */
    double stop;    /* dc: the switch-off time */
    double value;   /* dc: amplitude (pA); sample: the interval (ms) */
    uint32_t kind;
    uint32_t rec;   /* sample: recording index */
    uint32_t slot;  /* sample: column in that recording */
    uint32_t dc_on; /* dc: 1 while switched on */
    uint32_t receptor; /* dc: the target model's input site */
} sq__stream;

/* A Poisson generator's link to one target. */
typedef struct {
    uint32_t device;
    float weight;
    uint32_t receptor; /* the target model's input site */
} sq__poisson_link;

typedef struct {
    uint32_t pop;
    uint32_t *gids;    /* recorded neurons */
    size_t n;
    double interval;
    double *rows;      /* samples of the current window: max_rows * n */
    size_t max_rows;
    int64_t j_first;   /* index (t = j * interval) of row 0 in the current window */
} sq__recording;

/* One synaptic input of the current window: the queue entry it came from (its time) and the
 * weight. 8 bytes, written once per synaptic event. */
typedef struct {
    uint32_t entry;
    union {
        float w;
        uint32_t syn;  /* a synapse of a per-synapse rule: its index in the part's store */
    };
} sq__input;


/* Neurons are dealt to the parts (threads) in blocks of 2^SQ__BLOCK_SHIFT consecutive ids, round
 * robin: block b belongs to part b % n_parts. Small blocks spread every population evenly over
 * the threads, whatever its size, in-degree or rate, so the parts' work is balanced without any
 * estimate of it (NEST deals neurons to its virtual processes round robin for the same reason);
 * 64 ids keep a block's state records, input counts and flags on whole cache lines. */
#define SQ__BLOCK_SHIFT 6
#define SQ__CACHE_LINE 64

/* n zeroed bytes on cache-line boundaries (free() releases them), or NULL. The per-neuron arrays
 * the parts write are allocated so: a 64-id block then starts a line in every one of them, and two
 * threads never write one line (false sharing made two threads slower than one on the
 * microcircuit in some runs and not others, as the heap's alignment varied). */
static inline void *sq__zalloc_lines(size_t n)
{
    size_t rounded = (n + SQ__CACHE_LINE - 1) / SQ__CACHE_LINE * SQ__CACHE_LINE;
    void *p = aligned_alloc(SQ__CACHE_LINE, rounded ? rounded : SQ__CACHE_LINE);
    if (p)
        memset(p, 0, rounded ? rounded : SQ__CACHE_LINE);
    return p;
}

/* One thread's share of the simulation (parallel by ownership, ARCHITECTURE.md): its blocks of
 * neurons, the synapses that end on them (their own CSR by source, so delivery touches only owned
 * neurons and needs no locks), their own spike queue and wake calendar, and the scratch of the
 * window. During a run a part's thread writes only its part and its neurons' entries of the
 * per-neuron arrays of sq_sim; it reads the rest, which does not change inside a window. */
typedef struct {
    struct sq_sim *sim;
    uint32_t index;              /* owns the blocks b with b % n_parts == index */
    uint32_t n_owned;            /* neurons in those blocks */
    sq__synapses syn;            /* synapses whose target is owned */
    sq__queue queue;             /* entries (spike, group of syn) */
    sq__wake wake;               /* global ids (sized for all neurons; only owned ones are filed) */
    uint32_t *active;            /* owned neurons with Poisson links or streams, in id order */
    uint32_t n_active;
    uint32_t *touched;           /* neurons listed in the current window (room for n_owned) */
    sq__input *in;               /* the window's inputs, grouped by neuron */
    size_t in_cap;
    const sq__entry *window_entries; /* the delivered entries of the current window */
    size_t window_n_entries;
    double *pt, *at;             /* scratch for one neuron: its Poisson events and synaptic inputs */
    float *pw, *aw;
    size_t p_cap, a_cap;
    uint8_t *pr;                 /* the Poisson events' receptors, when a generator picks one (else NULL) */
    size_t pr_cap;
    sq_spike *out;               /* spikes emitted by owned neurons in the current window, global ids */
    size_t n_out, cap_out;
    size_t n_queued;             /* sim->out entries already queued (the previous window's spikes) */
    int oom;                     /* an allocation in the run failed */
    uint64_t n_events;           /* synaptic events delivered */
    /* special projections (learning.c); all NULL/0 in a network without them */
    uint16_t *group_special;     /* per group: index + 1 into sim->specials, 0 for plain static */
    uint32_t *group_slot;        /* per group: its pre state in group_pre, UINT32_MAX for none */
    double *group_pre;           /* per plastic group: t of the last arrival, then the rule's pre state */
    double *entry_pre;           /* per entry of the window: its group's group_pre record before it */
    float *entry_factor;         /* per entry of the window: the weight factor of its arrival */
    size_t entry_cap;
    float *syn_state;            /* per synapse, stride_syn floats of its rule's state, or NULL */
    double settled;              /* post spikes reaching synapses before this are applied to all */
    uint64_t n_records;          /* records in its neurons' post histories */
} __attribute__((aligned(SQ__CACHE_LINE))) sq__part; /* whole cache lines: no line holds two parts */

struct sq_sim {
    char *origin;
    uint64_t seed;
    double resolution, window;   /* ms; window = min delay */
    double min_delay, max_delay;
    uint32_t n_neurons;
    sq__pop *pops;
    size_t n_pops;
    uint16_t *pop_of;            /* per neuron */
    sq__part *parts;             /* one per thread, neurons in id order */
    uint32_t n_parts;
    uint32_t team;               /* threads the last run got (0 before any run) */
    /* devices: streams of neuron i are stream_off[i] .. stream_off[i+1]-1 */
    uint64_t *stream_off;
    sq__stream *streams;
    double *next_stream;         /* per neuron: min next_t of its streams */
    /* Poisson generators: links of neuron i are poisson_off[i] .. poisson_off[i+1]-1 */
    sq__poisson_dev *poisson_devs; /* per device of the spec (unused for DC ones) */
    uint64_t *poisson_off;
    sq__poisson_link *poisson_links;
    uint32_t *active;            /* neurons with Poisson links or streams: visited every window */
    uint32_t n_active;
    /* per-neuron scratch of the window (see engine.c); each part uses its neurons' entries */
    uint32_t *in_count;          /* inputs in the current window */
    uint64_t *in_end;            /* end of its inputs in its part's `in` after placing */
    uint8_t *in_listed;          /* already in its part's `touched` */
    sq__recording *recs;
    size_t n_recs;
    sq__special *specials;
    uint32_t n_specials;
    size_t stride_pre;           /* 1 + the largest n_pre of the rules in use */
    size_t stride_syn;           /* the largest n_syn of the rules in use */
    int any_sweep;               /* a rule with sweep() is in use */
    uint8_t *general;            /* per neuron, or NULL: 1 = a target of a per-synapse rule or of a
                                    receptor other than the first, so it takes the general path */
    int device_receptors;        /* some generator drives a receptor other than the first */
    uint32_t **post_rules;       /* per population: the specials whose rule keeps post state of it */
    uint32_t *n_post_rules;
    /* the window's spikes of all parts and spike sources, sorted by (time, gid); queued by every
     * part at the start of the next window */
    sq_spike *out;
    size_t n_out, cap_out;
    int oom;                     /* an allocation in the run failed outside the parts */
    sq_sim_observer obs;
    double t_now;                /* everything before t_now is done */
    _Atomic double progress_t;
    _Atomic uint64_t progress_spikes;
    atomic_int stop_requested;
};

/* sim/synapses.c: builds every part's synapses from the spec's projections. */
int sq__synapses_build(sq_sim *sim, const sq_net_spec *spec, sq_err *err);
void sq__synapses_free(sq__synapses *syn);

/* sim/learning.c: the special projections (built before the synapses, which group by them), the
 * per-part state of their rules (after), and the run-time hooks of plasticity/rule.h. */
int sq__learning_build(sq_sim *sim, const sq_net_spec *spec, sq_err *err);
int sq__learning_prepare_parts(sq_sim *sim);
/* Synapses of plastic projections, and the bytes plasticity keeps (sq_sim_stats). */
void sq__learning_stats(const sq_sim *sim, uint64_t *n_plastic, uint64_t *bytes);
/* The special index + 1 of projection i, or 0 for a plain static one: what synapses are grouped by. */
uint16_t sq__learning_class(const sq_sim *sim, size_t i);
void sq__learning_free(sq_sim *sim);
/* Scatter (engine.c step 1), for entries e[0..n) of the window in order: moves the plastic groups'
 * pre states through their arrivals, keeping each entry's state before it. Returns 0 or SQ_ENOMEM. */
int sq__learning_arrivals(sq__part *part, const sq__entry *e, size_t n);
/* An input of the window to gid on the general path: the weight it transmits and its receptor. */
double sq__learning_input(sq__part *part, uint32_t gid, const sq__input *in, double t, unsigned *receptor);
/* A spike of gid at t, for the rules that keep post state of its population. */
void sq__learning_spike(sq__part *part, uint32_t gid, double t);
/* Applies every post spike that reaches a synapse before t to every synapse of part and drops them
 * from the histories; t is a window boundary, every arrival before it done and none after. */
void sq__learning_settle(sq__part *part, double t);
/* Settles every part at the current time (between runs: before weights are read or changed). */
void sq__learning_settle_all(sq_sim *sim);
/* Whether part's histories have grown enough to settle them before its next window. */
int sq__learning_due(const sq__part *part);
/* Between windows (calling thread): which rules sweep at the start of the window beginning at t0. */
void sq__learning_plan_sweeps(sq_sim *sim, double t0);
/* Start of a window at t0 (each part): settles the part when its histories are due or a sweep is,
 * then runs the sweeps planned for t0 over its synapses. */
void sq__learning_window_start(sq__part *part, double t0);

/* The index of population `name` in spec (NULL or unknown: -1). */
static inline int sq__spec_pop(const sq_net_spec *spec, const char *name)
{
    for (size_t i = 0; name && i < spec->n_pops; i++)
        if (strcmp(spec->pops[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* sim/devices.c: the index of input site `name` of model m (NULL: 0, the first), or -1; when names
 * is not NULL it receives the model's sites as "soma, dendrite", for messages. */
int sq__receptor_find(const sq_neuron_model *m, const char *name, char *names, size_t cap);

/* sim/devices.c: builds the per-neuron streams of devices and recordings. */
int sq__devices_build(sq_sim *sim, const sq_net_spec *spec, sq_err *err);
/* Processes neuron gid's next stream event (the one at next_stream[gid]); gid is part's. */
void sq__stream_fire(sq__part *part, uint32_t gid);
/* Neuron gid's Poisson events in [t0, t1), sorted, into part->pt / part->pw; returns the count or
 * (size_t)-1 when out of memory. */
size_t sq__poisson_window(sq__part *part, uint32_t gid, double t0, double t1);

/* The part that owns neuron gid. */
static inline uint32_t sq__owner(const sq_sim *sim, uint32_t gid)
{
    return (gid >> SQ__BLOCK_SHIFT) % sim->n_parts;
}

/* The ids [*g0, *g1) of part's j-th block; returns 0 when it has no j-th block. */
static inline int sq__part_block(const sq_sim *sim, const sq__part *part, uint32_t j, uint32_t *g0, uint32_t *g1)
{
    uint64_t first = ((uint64_t)j * sim->n_parts + part->index) << SQ__BLOCK_SHIFT;
    if (first >= sim->n_neurons)
        return 0;
    uint64_t last = first + (1u << SQ__BLOCK_SHIFT);
    *g0 = (uint32_t)first;
    *g1 = last < sim->n_neurons ? (uint32_t)last : sim->n_neurons;
    return 1;
}

/* sim/parts.c: the parts (before the synapses are built), then each part's queue, wake calendar
 * and lists of owned neurons (after the devices). */
int sq__parts_create(sq_sim *sim, uint32_t n_threads, sq_err *err);
int sq__parts_prepare_run(sq_sim *sim);
void sq__parts_free(sq_sim *sim);
/* A digest of the connectivity (source, target, weight, delay of every synapse) that does not
 * depend on how the synapses are split into parts or ordered: equal digests at two thread counts
 * mean the same network. For tests. */
uint64_t sq__connectivity_digest(const sq_sim *sim);

/* sim/engine.c */
void sq__emit(sq__part *part, double t, uint32_t gid);
/* Neuron gid's parameters, derived constants and state. */
static inline const double *sq__params(const sq__pop *p, uint32_t gid)
{
    return p->per_neuron ? p->params + (size_t)(gid - p->first) * p->model->n_params : p->params;
}
static inline const double *sq__derived(const sq__pop *p, uint32_t gid)
{
    return p->per_neuron ? p->derived + (size_t)(gid - p->first) * p->model->n_derived : p->derived;
}
static inline double *sq__state(const sq__pop *p, uint32_t gid)
{
    return p->state + (size_t)(gid - p->first) * p->model->n_state;
}
/* Advances neuron gid to time t, recording any threshold crossings on the way; the caller files
 * its next check. */
void sq__advance_to(sq__part *part, uint32_t gid, double t);
/* Files neuron gid's next check (sq_neuron_model.next_check) in its part's wake calendar. */
void sq__recheck(sq__part *part, uint32_t gid);

#endif
