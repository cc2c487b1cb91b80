/* io/config.h: reads one experiment configuration (JSON, parsed with jansson), applies command-line
 * `--set path=value` overrides to the parsed tree, and turns it into the network description
 * (sq_net_spec, sim/network.h) plus the run settings (sq_run_spec). The schema, with every default and
 * unit, is README.md "Configuration"; field paths in messages follow the JSON layout.
 *
 * What is checked here: JSON syntax, unknown keys (a "comment" key is allowed anywhere), types,
 * integers (integral and in range), unique names, references to populations, model and parameter
 * names, connector rules and their required fields, distribution objects, and that every number is
 * finite. What is checked later, by sq_sim_create() with the same paths: the numeric ranges of model
 * parameters, connector feasibility, distribution parameters and delays against the resolution.
 *
 * Defaults beyond the schema's: a projection's "delay" defaults to the resolution (as a Poisson
 * generator's does); a projection's "weight" and "connector", and a device's "name" and, for a Poisson
 * generator, "rate" are required. A record_v entry's "interval" defaults to the resolution.
 *
 * Before the --set assignments are applied, empty "simulation" and "output" objects and an empty
 * "params" object in each population are added where absent (an empty object means all defaults),
 * so that the CLI shorthands (--seed N is --set simulation.seed=N) and --set on a parameter work on
 * any file; a misspelt intermediate key (simulaton.t_stop) is still an error.
 *
 * A spike_source population's "encoder" object is expanded while loading (io/config_encoder.c): the
 * dataset it names is read and encoded into the population's spike list, so loading such a config
 * reads data files and its errors may name them (SQ_EIO, SQ_EFORMAT) or exceed max_spikes (SQ_ERANGE).
 *
 * Tested in tests/test_config.c (encoders: tests/test_config_encoder.c). */
#ifndef SQ_CONFIG_H
#define SQ_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"
#include "../sim/network.h"

/* Weight snapshots of one projection (output.weights[i]): at the listed times, or every interval
 * ms from 0 to t_stop. */
typedef struct {
    const char *projection;  /* a projection's name */
    const double *times;     /* ms, increasing; NULL when interval is used */
    size_t n_times;
    double interval;         /* ms > 0, or 0 when times are listed */
} sq_weights_spec;

/* Run settings: public value, filled by the reader (its arrays belong to the sq_config). */
typedef struct {
    double t_stop;      /* ms, > 0 (default 1000) */
    uint64_t seed;      /* default 1; also sq_net_spec.seed */
    int threads;        /* >= 1, or 0 when the config does not set it */
    const char *spikes_file;                /* default "spikes.h5", relative to the CWD */
    const char *const *record_spikes;       /* population names; all populations when the key is absent */
    size_t n_record_spikes;
    const char *const *record_bursts;       /* populations whose events and burst markers are written too */
    size_t n_record_bursts;
    const sq_weights_spec *weights;         /* output.weights: snapshots written to /weights/<projection> */
    size_t n_weights;
} sq_run_spec;

/* Opaque: owns the parsed JSON tree and every string and array that its specs point to. */
typedef struct sq_config sq_config;

/* Reads the file at `path`, applies the assignments sets[0..n_sets) in order (each "path=value", see
 * sq_json_set in io/json_set.h; sets may be NULL when n_sets is 0), and converts the result. On
 * success *out receives a new config that the caller frees with sq_config_destroy(). On failure *out
 * is NULL and the return is SQ_EIO (file unreadable: "nope.json: cannot read: No such file or
 * directory"), SQ_ECONFIG (malformed JSON: "net.json:12:5: malformed JSON: ...", or a wrong field:
 * "net.json: populations[1].params.tau_m: expected a number in ms, got \"fast\"", or a bad --set) or
 * SQ_ENOMEM. `path` is used as the origin of messages and as spec.origin. Thread: any. */
int sq_config_load(const char *path, const char *const *sets, size_t n_sets, sq_config **out,
                   sq_err *err);

/* As sq_config_load, but from JSON text already in memory (NUL-terminated); `origin` names it in
 * messages and becomes spec.origin (it is copied). Thread: any. */
int sq_config_parse(const char *json_text, const char *origin, const char *const *sets, size_t n_sets,
                    sq_config **out, sq_err *err);

/* The network description. Borrowed: valid until sq_config_destroy(c). spec->origin is the origin
 * (the file's path for sq_config_load). Thread: any. */
const sq_net_spec *sq_config_net(const sq_config *c);

/* The run settings. Borrowed: valid until sq_config_destroy(c). Thread: any. */
const sq_run_spec *sq_config_run(const sq_config *c);

/* Frees c and everything its specs point to. NULL is a no-op. Thread: any, not concurrently with a
 * use of c. */
void sq_config_destroy(sq_config *c);

#endif
