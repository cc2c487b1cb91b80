/* plasticity/bounds.h: the weight dependence and bounds of every STDP-like rule, in one place.
 * With w~ = (w - w_min)/(w_max - w_min), a potentiation by a and a depression by b (weight units) are
 *   w += a (1 - w~)^mu_plus        w -= b w~^mu_minus
 * (Guetig, Aharonov, Rotter & Sompolinsky 2003, J Neurosci 23:3697; NEST stdp_synapse): mu = 0 is
 * the additive rule with hard bounds (Song, Miller & Abbott 2000, clipped to [w_min, w_max]), mu = 1
 * the multiplicative rule with soft bounds (van Rossum, Bi & Turrigiano 2000), values in between
 * interpolate. The result is always clipped to [w_min, w_max]. */
#ifndef SQ_PLASTICITY_BOUNDS_H
#define SQ_PLASTICITY_BOUNDS_H

#include <math.h>

#include "../sim/error.h"

typedef struct {
    double w_min, w_max;
    double mu_plus, mu_minus;
} sq_bounds;

static inline double sq_bounds_clip(const sq_bounds *b, double w)
{
    return w < b->w_min ? b->w_min : w > b->w_max ? b->w_max : w;
}

/* Weight dependence of a change: (1 - w~)^mu for potentiation, w~^mu for depression; 1 when mu = 0
 * (0^0 = 1 keeps an additive rule additive at the bounds, where the clip stops it). */
static inline double sq_bounds_factor(double x, double mu)
{
    if (mu == 0.0)
        return 1.0;
    x = x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
    return mu == 1.0 ? x : pow(x, mu);
}

/* w after a change dw (weight units): potentiation when dw > 0, depression when dw < 0. */
static inline double sq_bounds_apply(const sq_bounds *b, double w, double dw)
{
    double span = b->w_max - b->w_min;
    double x = span > 0.0 ? (w - b->w_min) / span : 0.0;
    double f = dw >= 0.0 ? sq_bounds_factor(1.0 - x, b->mu_plus) : sq_bounds_factor(x, b->mu_minus);
    return sq_bounds_clip(b, w + dw * f);
}

/* The checks every rule with bounds makes: w_min <= w_max, and a 0/1 flag (nearest) that is 0 or 1.
 * `where` is the rule's params path. Returns 0 or SQ_ECONFIG. */
static inline int sq_bounds_check(double w_min, double w_max, const char *where, sq_err *err)
{
    if (!(w_min <= w_max))
        return sq_fail(err, SQ_ECONFIG, "%s.w_max: expected at least w_min = %g, got %g", where, w_min, w_max);
    return 0;
}

static inline int sq_flag_check(double v, const char *name, const char *where, sq_err *err)
{
    if (v != 0.0 && v != 1.0)
        return sq_fail(err, SQ_ECONFIG, "%s.%s: expected 0 or 1, got %g", where, name, v);
    return 0;
}

/* The check() of an STDP-like rule: p[w_min] <= p[w_max] and p[nearest] a 0/1 flag. */
static inline int sq_bounds_rule_check(const double *p, int w_min, int w_max, int nearest, const char *where, sq_err *err)
{
    int rc = sq_bounds_check(p[w_min], p[w_max], where, err);
    return rc < 0 ? rc : sq_flag_check(p[nearest], "nearest", where, err);
}

#endif
