/* sim/dist.c: per-synapse and per-neuron value distributions (see dist.h): a constant, a uniform on
 * [low, high), and a normal redrawn until it falls inside [low, high], which is how NEST's
 * nest.math.redraw(nest.random.normal(...), min, max) behaves; the result is the normal truncated
 * to the window. Tested in tests/test_dist.c (range, mean against the truncated-normal closed
 * form, every check message). */
#include "dist.h"

#include <math.h>
#include <stdio.h>

/* Redrawing takes 1/mass draws on average; below this mass a run could stall for hours, and it
 * almost always means a unit mistake (a delay window in s, a std in the wrong scale). */
#define MIN_WINDOW_MASS 1e-6

/* P(a <= Z <= b) for a standard normal Z, computed on the side of the smaller tail so that a window
 * far out in one tail keeps its relative precision. */
static double normal_mass(double a, double b)
{
    if (a > 0.0)
        return 0.5 * (erfc(a / M_SQRT2) - erfc(b / M_SQRT2));
    return 0.5 * (erfc(-b / M_SQRT2) - erfc(-a / M_SQRT2));
}

static int check_normal(const sq_dist *d, const char *where, const char *in_unit, sq_err *err)
{
    if (!isfinite(d->mean))
        return sq_fail(err, SQ_ECONFIG, "%s: expected a finite mean%s, got %g", where, in_unit, d->mean);
    if (!(d->std >= 0.0))
        return sq_fail(err, SQ_ECONFIG, "%s: expected std >= 0%s, got %g", where, in_unit, d->std);
    if (isinf(d->std))
        return sq_fail(err, SQ_ECONFIG, "%s: expected a finite std%s, got %g", where, in_unit, d->std);
    if (isnan(d->low) || isnan(d->high) || !(d->low <= d->high))
        return sq_fail(err, SQ_ECONFIG, "%s: expected low <= high%s (either may be infinite), got low = %g, high = %g",
                       where, in_unit, d->low, d->high);
    double mass;
    if (d->std == 0.0)
        mass = d->low <= d->mean && d->mean <= d->high ? 1.0 : 0.0;
    else
        mass = normal_mass((d->low - d->mean) / d->std, (d->high - d->mean) / d->std);
    if (!(mass >= MIN_WINDOW_MASS))
        return sq_fail(err, SQ_ECONFIG,
                       "%s: expected a redraw window [low, high] holding at least 1e-6 of the normal's "
                       "probability (else redrawing would hardly ever end), got [%g, %g]%s, which holds %.3g "
                       "of normal(mean %g, std %g)",
                       where, d->low, d->high, in_unit, mass, d->mean, d->std);
    return 0;
}

int sq_dist_check(const sq_dist *d, const char *where, const char *unit, sq_err *err)
{
    char in_unit[48] = "";
    if (unit && unit[0])
        snprintf(in_unit, sizeof in_unit, " in %s", unit);
    switch (d->kind) {
    case SQ_DIST_CONSTANT:
        if (!isfinite(d->value))
            return sq_fail(err, SQ_ECONFIG, "%s: expected a finite value%s, got %g", where, in_unit, d->value);
        return 0;
    case SQ_DIST_UNIFORM:
        if (!isfinite(d->low) || !isfinite(d->high))
            return sq_fail(err, SQ_ECONFIG, "%s: expected finite low and high%s, got low = %g, high = %g", where,
                           in_unit, d->low, d->high);
        if (!(d->low < d->high))
            return sq_fail(err, SQ_ECONFIG, "%s: expected low < high%s, got low = %g, high = %g", where, in_unit,
                           d->low, d->high);
        return 0;
    case SQ_DIST_NORMAL:
        return check_normal(d, where, in_unit, err);
    }
    return sq_fail(err, SQ_ECONFIG, "%s: expected a distribution kind (constant, uniform or normal), got %d", where,
                   (int)d->kind);
}

double sq_dist_sample(const sq_dist *d, sq_rng *rng)
{
    switch (d->kind) {
    case SQ_DIST_CONSTANT:
        return d->value;
    case SQ_DIST_UNIFORM:
        for (;;) {
            /* u < 1, but low + (high - low) u can round up to high; redrawing keeps [low, high). */
            double v = d->low + (d->high - d->low) * sq_rng_uniform(rng);
            if (v < d->high)
                return v;
        }
    case SQ_DIST_NORMAL:
        if (d->std == 0.0)
            return d->mean;
        for (;;) {
            double v = d->mean + d->std * sq_rng_normal(rng);
            if (d->low <= v && v <= d->high)
                return v;
        }
    }
    return NAN; /* unreachable for a checked distribution */
}

double sq_dist_min(const sq_dist *d)
{
    switch (d->kind) {
    case SQ_DIST_CONSTANT:
        return d->value;
    case SQ_DIST_UNIFORM:
        return d->low;
    case SQ_DIST_NORMAL:
        return d->std == 0.0 ? d->mean : d->low;
    }
    return NAN;
}

double sq_dist_max(const sq_dist *d)
{
    switch (d->kind) {
    case SQ_DIST_CONSTANT:
        return d->value;
    case SQ_DIST_UNIFORM:
        return d->high;
    case SQ_DIST_NORMAL:
        return d->std == 0.0 ? d->mean : d->high;
    }
    return NAN;
}
