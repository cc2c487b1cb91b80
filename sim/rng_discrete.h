/* sim/rng_discrete.h: discrete samplers that only the connection rules need (the binomial and
 * Poisson samplers are declared in rng.h). Implemented in sim/rng_discrete.c, tested in
 * tests/test_rng_discrete.c. */
#ifndef SQ_RNG_DISCRETE_H
#define SQ_RNG_DISCRETE_H

#include <stdint.h>

#include "rng.h"

/* Hypergeometric: the number of marked items in a sample of `sample` items drawn without
 * replacement from `total` items of which `good` are marked. Needs good <= total and
 * sample <= total (arguments beyond are clamped to total). Exact: inversion with the support
 * searched outward from the mode, so a draw costs O(standard deviation) steps.
 * Thread: any (the rng is the caller's). */
uint64_t sq_rng_hypergeometric(sq_rng *r, uint64_t total, uint64_t good, uint64_t sample);

#endif
