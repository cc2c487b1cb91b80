/* sim/dist.h: drawing per-synapse and per-neuron values from an sq_dist (constant, uniform, normal
 * redrawn into [low, high] as NEST's nest.math.redraw does). */
#ifndef SQ_DIST_H
#define SQ_DIST_H

#include "error.h"
#include "network.h"
#include "rng.h"

/* Checks the parameters: finite numbers, low < high for uniform, std >= 0 for normal, and for a
 * redrawn normal a window [low, high] that holds at least 1e-6 of the probability (else redrawing
 * could go on for ever). `where` and `unit` go into messages ("net.json: projections[0].delay:
 * expected std >= 0 in ms, got -1"). Returns 0 or SQ_ECONFIG. Thread: any. */
int sq_dist_check(const sq_dist *d, const char *where, const char *unit, sq_err *err);

/* One value. Thread: any (the rng is the caller's). */
double sq_dist_sample(const sq_dist *d, sq_rng *rng);

/* Smallest and largest value the distribution can produce (for delay bounds). */
double sq_dist_min(const sq_dist *d);
double sq_dist_max(const sq_dist *d);

#endif
