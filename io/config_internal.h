/* io/config_internal.h: helpers shared by the config reader's files (io/config.c, io/config_values.c,
 * io/config_pops.c); not installed. Every helper that can fail fills the context's sq_err with
 * "<origin>: <json path>: expected <what, unit>, got <actual>" and returns a negative SQ_E* code.
 * Tested through tests/test_config.c. */
#ifndef SQ_CONFIG_INTERNAL_H
#define SQ_CONFIG_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"
#include "../sim/network.h"
#include "../sim/params.h"
#include "config.h"

/* Room for a JSON path such as "populations[12].overrides[3].params.tau_m"; longer paths are
 * truncated in messages, never overflowed. */
#define SQ__CFG_PATH 256

/* Every array the specs point to, freed together by sq_config_destroy(). */
typedef struct {
    void **ptrs;
    size_t n, cap;
} sq__cfg_pool;

typedef struct {
    sq__cfg_pool *pool;
    const char *origin;       /* message prefix: the file's name */
    sq_err *err;
    double resolution;        /* ms; the default of every delay */
    const sq_pop_spec *pops;  /* populations read so far, for references by name */
    size_t n_pops;
    uint64_t seed;            /* simulation.seed: keys the random input encoders */
} sq__cfg_ctx;

/* Zeroed array of n elements (at least one, so that NULL always means failure) owned by the pool.
 * NULL with SQ_ENOMEM in the error when out of memory or n * size overflows. */
void *sq__cfg_alloc(sq__cfg_ctx *c, size_t n, size_t size);
void sq__cfg_pool_free(sq__cfg_pool *pool);

/* Paths: buf (SQ__CFG_PATH bytes) = "where.key" ("key" when where is empty) or "where[i]". */
void sq__cfg_join(char *buf, const char *where, const char *key);
void sq__cfg_index(char *buf, const char *where, size_t i);

/* Appends s to the NUL-terminated buf of capacity cap, truncating; used for "one of: a, b" lists. */
void sq__cfg_append(char *buf, size_t cap, const char *s);

/* A value as messages show it: "fast" with quotes, 3.5, true, null, "an object", "nothing" for NULL. */
void sq__cfg_describe(const json_t *v, char *buf, size_t cap);

/* Fails with "<origin>: <path>: expected <expected>, got <description of got>". Returns SQ_ECONFIG. */
int sq__cfg_expected(sq__cfg_ctx *c, const char *path, const char *expected, const json_t *got);

/* Checks that v is an object whose keys are all in keys[0..n) or "comment"; an unknown key gives
 * "<origin>: <where>.<key>: unknown field (expected one of: k1, k2)". */
int sq__cfg_object(sq__cfg_ctx *c, const json_t *v, const char *where, const char *const *keys,
                   size_t n);

/* A parameter table to read values of: a model's or a plasticity rule's. */
typedef struct {
    const sq_param_info *params;
    size_t n;
    const char *kind, *owner;  /* "model", "lif_delta": named in the unknown-parameter message */
    const char *weight_unit;   /* the unit of parameters whose unit is "w" (a rule's weight parameters) */
} sq__cfg_table;

/* One entry of a params object: `key` must be in the table -- else "<origin>: <where>.<key>:
 * unknown parameter of <kind> <owner> (expected one of: a, b, ...)" -- and the value a finite
 * number in that parameter's unit. */
int sq__cfg_param(sq__cfg_ctx *c, const sq__cfg_table *t, const char *where, const char *key, const json_t *v,
                  double *out);

/* A params object at path (not an object: "expected <expected>"), every key but "comment" read by
 * sq__cfg_param into pool arrays *names, *values of *n entries. */
int sq__cfg_params(sq__cfg_ctx *c, const sq__cfg_table *t, const json_t *obj, const char *path, const char *expected,
                   const char *const **names, const double **values, size_t *n);

/* A finite number (JSON integer or real). unit NULL or "1" means dimensionless. */
int sq__cfg_number(sq__cfg_ctx *c, const json_t *v, const char *path, const char *unit, double *out);

/* obj[key] as a number, or def when the key is absent. */
int sq__cfg_opt_number(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key,
                       const char *unit, double def, double *out);

/* obj[key] as a time in ms (def when absent) that must be > 0, or >= 0 when nonneg is set. Used for
 * times that no later stage checks (t_stop, record intervals, device start and stop). */
int sq__cfg_opt_time(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key, double def,
                     int nonneg, double *out);

/* An optional array (NULL: none) of objects, element i read by fn(c, arr[i], "<key>[i]", slot) into
 * a pool array of `size`-byte slots; *out and *n receive the array and its length. */
int sq__cfg_list(sq__cfg_ctx *c, const json_t *arr, const char *key, size_t size,
                 int (*fn)(sq__cfg_ctx *, const json_t *, const char *, void *), void **out, size_t *n);

/* An integer in [min, max]; an integral real (1e4) is accepted. `what` is e.g. "a positive integer". */
int sq__cfg_uint(sq__cfg_ctx *c, const json_t *v, const char *path, uint64_t min, uint64_t max,
                 const char *what, uint64_t *out);

/* obj[key] as true/false, or def when absent. */
int sq__cfg_opt_bool(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key, int def,
                     int *out);

/* A string (borrowed from the tree). */
int sq__cfg_string(sq__cfg_ctx *c, const json_t *v, const char *path, const char **out);

/* A name for a population or device: a non-empty string without '/', '.', '[', ']' or '=', which
 * would break HDF5 group paths and --set paths. */
int sq__cfg_name(sq__cfg_ctx *c, const json_t *v, const char *path, const char **out);

/* A number (a constant) or a distribution object {"dist": "constant"|"uniform"|"normal", ...}.
 * Parameter values are only checked for being finite numbers; sq_dist_check does the rest. */
int sq__cfg_dist(sq__cfg_ctx *c, const json_t *v, const char *path, const char *unit, sq_dist *out);

/* The index in c->pops of the population named by the string v. */
int sq__cfg_pop_ref(sq__cfg_ctx *c, const json_t *v, const char *path, size_t *out);

/* A spike_source's "encoder" object (io/config_encoder.c): reads it and expands the dataset's
 * samples into p's spike list (p->n must be set). pop_index keys the random encoders. */
int sq__cfg_encoder(sq__cfg_ctx *c, const json_t *v, const char *where, size_t pop_index, sq_pop_spec *p);

/* A projection's "plasticity" object (NULL v: static), parameters in the target's weight unit. */
int sq__cfg_plasticity(sq__cfg_ctx *c, const json_t *v, const char *where, const char *weight_unit,
                       const sq_plasticity_spec **out);

/* "output.weights" (NULL arr: none); marks each named projection record_weights. */
int sq__cfg_weights(sq__cfg_ctx *c, const json_t *arr, sq_proj_spec *projs, size_t n_projs, const sq_weights_spec **out,
                    size_t *n_out);

/* The "populations" array (io/config_pops.c). Sets c->pops and c->n_pops. */
int sq__cfg_populations(sq__cfg_ctx *c, const json_t *arr);

#endif
