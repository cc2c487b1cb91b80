/* sim/poisson.h (internal): Poisson generators' trains, drawn per resolution step.
 * A Poisson process restricted to disjoint intervals is a set of independent Poisson counts with
 * uniform positions, so the train of generator `device` into neuron `gid` is generated step by
 * step: step m (the interval [m h, (m+1) h) cut to the generator's active interval) takes its
 * count and positions from the counter-based generator keyed by (seed, device, gid) at counter
 * m << 20 (sq_splitmix in rng.h). Every
 * event is a pure function of (seed, device, target, step): the same whatever the window, the
 * thread or the length of the run pieces, and no per-train state is stored. Counts come from an
 * inversion table (mean <= 16 per step) or Hörmann's PTRS; positions are 32-bit uniforms (a
 * resolution of h / 2^32, 2e-14 ms for h = 0.1 ms). Tested in tests/test_sim.c (rates, independence,
 * runs in pieces). */
#ifndef SQ_POISSON_H
#define SQ_POISSON_H

#include <stddef.h>
#include <stdint.h>

#define SQ__POISSON_TABLE 64

typedef struct {
    double a, b;       /* active interval [start + delay, stop + delay), ms */
    double rate;       /* events per ms */
    double h;          /* step, ms (the resolution) */
    uint32_t thr[SQ__POISSON_TABLE]; /* P(count <= k) scaled to 2^32; used when n_thr > 0 */
    unsigned n_thr;
} sq__poisson_dev;

/* Fills the inversion table for rate (Hz) and step h (ms). */
void sq__poisson_dev_init(sq__poisson_dev *dev, double rate_hz, double start, double stop, double h);

/* Events of the train (seed, device, gid) in [t0, t1), sorted, appended at *t / *w with weight w,
 * growing the arrays (capacity *cap) as needed. Returns the new count, or (size_t)-1 when out of
 * memory. */
size_t sq__poisson_events(const sq__poisson_dev *dev, uint64_t seed, uint32_t device, uint32_t gid, double t0,
                          double t1, float w, double **t, float **wv, size_t n, size_t *cap);

/* Grows the parallel arrays *t and *w (capacity *cap) to hold at least `need` events, doubling.
 * Returns 0, or -1 when out of memory (contents and *cap are then as before). */
int sq__grow_events(double **t, float **w, size_t *cap, size_t need);

#endif
