/* sim/poisson.c: Poisson trains drawn per resolution step (see poisson.h). */
#include "poisson.h"

#include <math.h>
#include <stdlib.h>

#include "rng.h"

void sq__poisson_dev_init(sq__poisson_dev *dev, double rate_hz, double start, double stop, double h)
{
    dev->a = start;
    dev->b = stop;
    dev->rate = rate_hz * 1e-3;
    dev->h = h;
    dev->n_thr = 0;
    for (unsigned k = 0; k < SQ__POISSON_TABLE; k++)
        dev->thr[k] = UINT32_MAX; /* padding read by the branch-free first compares */
    double mu = dev->rate * h;
    if (!(mu <= 16.0))
        return;
    /* Stop once the remaining mass is below 2^-33: the 32-bit uniform can no longer reach it. */
    double p = exp(-mu), cdf = p;
    unsigned k = 0;
    while (k < SQ__POISSON_TABLE && 1.0 - cdf > 0x1p-33) {
        dev->thr[k++] = (uint32_t)fmin(cdf * 0x1p32, 4294967295.0);
        p *= mu / k;
        cdf += p;
    }
    if (k == SQ__POISSON_TABLE)
        return; /* not reached for mu <= 16 (the tail below 2^-33 ends near k = 45) */
    dev->thr[k++] = UINT32_MAX;
    dev->n_thr = k;
}

int sq__grow_events(double **t, float **w, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    double *nt = realloc(*t, c * sizeof *nt);
    if (nt)
        *t = nt;
    float *nw = realloc(*w, c * sizeof *nw);
    if (nw)
        *w = nw;
    if (!nt || !nw)
        return -1;
    *cap = c;
    return 0;
}

/* Count of step m: a full step with a table inverts the word's low half; partial steps (at a
 * generator's start or stop) use the general sampler. */
static uint64_t step_count(const sq__poisson_dev *dev, uint64_t key, int64_t m, double lo, double hi, uint64_t word,
                           int full)
{
    uint64_t k = 0;
    if (full && dev->n_thr) {
        /* Inversion: count the thresholds below u, the first four without branches (the table
         * is padded with UINT32_MAX), the rare rest by search. k never passes n_thr - 1. */
        uint32_t u = (uint32_t)word;
        const uint32_t *thr = dev->thr;
        k = (uint64_t)(u >= thr[0]) + (u >= thr[1]) + (u >= thr[2]) + (u >= thr[3]);
        if (k == 4)
            while (k + 1 < dev->n_thr && u >= thr[k])
                k++;
        return k < dev->n_thr - 1 ? k : dev->n_thr - 1;
    }
    sq_rng r;
    sq_rng_init(&r, key, (uint64_t)m);
    return sq_rng_poisson(&r, dev->rate * (hi - lo));
}

size_t sq__poisson_events(const sq__poisson_dev *dev, uint64_t seed, uint32_t device, uint32_t gid, double t0,
                          double t1, float w, double **t, float **wv, size_t n, size_t *cap)
{
    double lo_all = fmax(t0, dev->a), hi_all = fmin(t1, dev->b), h = dev->h;
    if (!(hi_all > lo_all) || dev->rate <= 0.0)
        return n;
    uint64_t key = sq_mix_key(seed, sq_stream_id(SQ_STREAM_DEVICE, device, gid));
    int64_t m0 = (int64_t)floor(lo_all / h);
    while ((double)m0 * h > lo_all) /* the step bounds are the products m*h: agree with them */
        m0--;
    double *tv = *t;
    float *wv_ = *wv;
    for (int64_t m = m0; (double)m * h < hi_all; m++) {
        double step_lo = (double)m * h, step_hi = (double)(m + 1) * h;
        double lo = step_lo > dev->a ? step_lo : dev->a, hi = step_hi < dev->b ? step_hi : dev->b;
        if (!(hi > lo))
            continue;
        uint64_t ctr = (uint64_t)m << 20, word = sq_splitmix(key, ctr++);
        uint64_t k = step_count(dev, key, m, lo, hi, word, lo == step_lo && hi == step_hi);
        if (k == 0)
            continue;
        if (n + k > *cap) {
            if (sq__grow_events(t, wv, cap, n + k) < 0)
                return (size_t)-1;
            tv = *t;
            wv_ = *wv;
        }
        int inside = lo >= t0 && hi <= t1; /* the usual case: no event of the step is outside */
        double width = (hi - lo) * 0x1p-32;
        size_t first = n;
        for (uint64_t i = 0; i < k; i++) {
            /* Positions use the upper half of the count's word, then both halves of new words. */
            uint32_t u = (i & 1) == 0 ? (uint32_t)(word >> 32) : (uint32_t)(word = sq_splitmix(key, ctr++));
            double x = lo + ((double)u + 0.5) * width;
            if (x >= hi) /* rounding, possible only far from t = 0; the event belongs to this step */
                x = nextafter(hi, lo);
            if (!inside && (x < t0 || x >= t1))
                continue; /* outside this call's interval: another call will draw it again */
            size_t j = n++;
            while (j > first && tv[j - 1] > x) { /* insertion sort: k is a handful */
                tv[j] = tv[j - 1];
                j--;
            }
            tv[j] = x;
            wv_[n - 1] = w;
        }
    }
    return n;
}
