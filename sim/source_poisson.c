/* sim/source_poisson.c: a population of Poisson spike sources (model "poisson_source"): neuron j
 * fires at the times of a homogeneous Poisson process of rate `rate` on [start, stop), the
 * intervals drawn as exponentials of mean 1000/rate ms (inversion, sim/rng.c) from its own
 * counter-based stream (seed, SQ_STREAM_SOURCE, population, j). Unlike a poisson_generator device,
 * which gives every target its own train, a source neuron's one train reaches all its targets
 * through ordinary projections: NEST's poisson_generator -> parrot_neuron construction (the
 * thalamic input of Potjans & Diesmann 2014). Trains are drawn twice, once to count (so the
 * allocation is exact and bounded) and once to store; the same streams give the same spikes.
 * Tested in tests/test_poisson_source.c. */
#include "source_poisson.h"

#include <math.h>
#include <stdlib.h>

#include "rng.h"

static int check(const sq_net_spec *spec, size_t i, sq_err *err)
{
    const sq_pop_spec *ps = &spec->pops[i];
    if (!(ps->rate >= 0.0) || !isfinite(ps->rate))
        return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].rate: expected a non-negative number in Hz, got %g",
                       spec->origin, i, ps->rate);
    if (!(ps->start >= 0.0) || !isfinite(ps->start))
        return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].start: expected a non-negative time in ms, got %g",
                       spec->origin, i, ps->start);
    if (!(ps->stop >= ps->start) || !isfinite(ps->stop))
        return sq_fail(err, SQ_ECONFIG,
                       "%s: populations[%zu].stop: expected a finite time in ms, not before start (%g), got %g",
                       spec->origin, i, ps->start, ps->stop);
    return 0;
}

/* Neuron j's train; with ids/times NULL only counts. Returns the number of spikes. */
static size_t train(const sq_net_spec *spec, size_t i, uint32_t j, uint32_t *ids, double *times)
{
    const sq_pop_spec *ps = &spec->pops[i];
    if (ps->rate == 0.0)
        return 0;
    sq_rng r;
    sq_rng_init(&r, spec->seed, sq_stream_id(SQ_STREAM_SOURCE, i, j));
    double mean_isi = 1000.0 / ps->rate, t = ps->start;
    size_t k = 0;
    for (;;) {
        t += mean_isi * sq_rng_exponential(&r);
        if (t >= ps->stop)
            return k;
        if (ids) {
            ids[k] = j;
            times[k] = t;
        }
        k++;
    }
}

int sq__poisson_source_draw(const sq_net_spec *spec, size_t i, uint32_t **ids, double **times, size_t *n,
                            sq_err *err)
{
    const sq_pop_spec *ps = &spec->pops[i];
    *ids = NULL;
    *times = NULL;
    *n = 0;
    int rc = check(spec, i, err);
    if (rc < 0)
        return rc;
    /* A bound before counting, so that an absurd rate cannot keep us drawing for hours. */
    double expected = (double)ps->n * ps->rate * (ps->stop - ps->start) * 1e-3;
    uint64_t total = 0;
    for (uint32_t j = 0; j < ps->n && expected <= 2.0 * SQ_SOURCE_MAX_SPIKES; j++)
        total += train(spec, i, j, NULL, NULL);
    if (expected > 2.0 * SQ_SOURCE_MAX_SPIKES || total > SQ_SOURCE_MAX_SPIKES)
        return sq_fail(err, SQ_ERANGE,
                       "%s: populations[%zu]: expected at most %llu spikes in all (n * rate * (stop - start)), "
                       "got an expected %.3g", spec->origin, i, SQ_SOURCE_MAX_SPIKES, expected);
    *ids = malloc((total ? total : 1) * sizeof **ids);
    *times = malloc((total ? total : 1) * sizeof **times);
    if (!*ids || !*times) {
        free(*ids);
        free(*times);
        *ids = NULL;
        *times = NULL;
        return sq_fail(err, SQ_ENOMEM, "%s: populations[%zu]: out of memory for %llu source spikes", spec->origin,
                       i, (unsigned long long)total);
    }
    size_t k = 0;
    for (uint32_t j = 0; j < ps->n; j++)
        k += train(spec, i, j, *ids + k, *times + k);
    *n = k;
    return 0;
}
