/* plasticity/traces.h: exact evaluation of exponential spike traces between events, the one
 * operation every trace-based rule needs (Morrison, Diesmann & Gerstner 2008, Biol Cybern 98:459):
 * a trace that was x at t_from is x e^{-(t - t_from)/tau} at t, with no update in between. A trace
 * with no spike yet is 0 at t_from = -INFINITY, and stays 0. */
#ifndef SQ_PLASTICITY_TRACES_H
#define SQ_PLASTICITY_TRACES_H

#include <math.h>

static inline double sq_trace_at(double x, double t_from, double t, double tau)
{
    return x == 0.0 ? 0.0 : x * exp(-(t - t_from) / tau);
}

/* The trace just after a spike at t: decayed from t_from and then increased by 1 (all-to-all
 * interaction) or set to 1 (nearest-neighbour interaction). */
static inline double sq_trace_spike(double x, double t_from, double t, double tau, int nearest)
{
    return nearest ? 1.0 : sq_trace_at(x, t_from, t, tau) + 1.0;
}

#endif
