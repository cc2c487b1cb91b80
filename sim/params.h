/* sim/params.h: the one table that describes a model's parameters (name, unit, default, constraint).
 * Validation, error messages, the README and `--help` all read it; a model sets nothing elsewhere. */
#ifndef SQ_PARAMS_H
#define SQ_PARAMS_H

#include <stddef.h>

#include "error.h"

typedef enum {
    SQ_ANY,         /* any finite number */
    SQ_POSITIVE,    /* > 0 */
    SQ_NONNEGATIVE  /* >= 0 */
} sq_constraint;

typedef struct {
    const char *name;
    const char *unit;   /* ms, mV, pA, pF, nS, Hz or "1" */
    double def;
    sq_constraint constraint;
    const char *doc;
} sq_param_info;

/* Index of `name` in the table, or -1. Thread: any. */
int sq_param_find(const sq_param_info *info, size_t n, const char *name);

/* Fills values[0..n) with the table's defaults. Thread: any. */
void sq_param_defaults(const sq_param_info *info, size_t n, double *values);

/* Checks values[i] against its constraint. `where` prefixes the message (e.g.
 * "net.json: populations[2].params"), so it reads "net.json: populations[2].params.tau_m: expected a
 * positive number in ms, got -5". Returns 0 or SQ_ECONFIG. Thread: any. */
int sq_param_check(const sq_param_info *info, size_t n, const double *values, const char *where,
                   sq_err *err);

#endif
