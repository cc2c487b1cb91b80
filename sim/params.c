/* sim/params.c: lookup, defaults and constraint checks over a model's sq_param_info table. */
#include "params.h"

#include <math.h>
#include <string.h>

int sq_param_find(const sq_param_info *info, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(info[i].name, name) == 0)
            return (int)i;
    return -1;
}

void sq_param_defaults(const sq_param_info *info, size_t n, double *values)
{
    for (size_t i = 0; i < n; i++)
        values[i] = info[i].def;
}

static const char *expectation(sq_constraint c)
{
    switch (c) {
    case SQ_POSITIVE: return "a positive number";
    case SQ_NONNEGATIVE: return "a non-negative number";
    default: return "a finite number";
    }
}

int sq_param_check(const sq_param_info *info, size_t n, const double *values, const char *where,
                   sq_err *err)
{
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        /* Written so that NaN fails every branch. */
        int ok = isfinite(v) && (info[i].constraint == SQ_ANY ||
                                 (info[i].constraint == SQ_POSITIVE && v > 0.0) ||
                                 (info[i].constraint == SQ_NONNEGATIVE && v >= 0.0));
        if (!ok)
            return sq_fail(err, SQ_ECONFIG, "%s.%s: expected %s in %s, got %g", where, info[i].name,
                           expectation(info[i].constraint), info[i].unit, v);
    }
    return 0;
}
