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

/* A step's events, in general: count, then positions from the words (the count's word's upper half,
 * then both halves of each next word), sorted, keeping those in [t0, t1). Returns the new n or -1. */
static size_t step_events(const sq__poisson_dev *dev, uint64_t key, int64_t m, double lo, double hi, double t0,
                          double t1, float w, double **t, float **wv, size_t n, size_t *cap)
{
    uint64_t ctr = (uint64_t)m << 20, word = sq_splitmix(key, ctr++);
    uint64_t k = step_count(dev, key, m, lo, hi, word, lo == (double)m * dev->h && hi == (double)(m + 1) * dev->h);
    if (k == 0)
        return n;
    if (n + k > *cap && sq__grow_events(t, wv, cap, n + k) < 0)
        return (size_t)-1;
    double *tv = *t, width = (hi - lo) * 0x1p-32;
    size_t first = n;
    for (uint64_t i = 0; i < k; i++) {
        uint32_t u = (i & 1) == 0 ? (uint32_t)(word >> 32) : (uint32_t)(word = sq_splitmix(key, ctr++));
        double x = lo + ((double)u + 0.5) * width;
        if (x >= hi) /* rounding, possible only far from t = 0; the event belongs to this step */
            x = nextafter(hi, lo);
        if (x < t0 || x >= t1)
            continue; /* outside this call's interval: another call will draw it again */
        size_t j = n++;
        while (j > first && tv[j - 1] > x) { /* insertion sort: k is a handful */
            tv[j] = tv[j - 1];
            j--;
        }
        tv[j] = x;
        (*wv)[n - 1] = w;
    }
    return n;
}

static inline void order(double *a, double *b)
{
    double lo = *a < *b ? *a : *b, hi = *a < *b ? *b : *a;
    *a = lo;
    *b = hi;
}

size_t sq__poisson_events(const sq__poisson_dev *dev, uint64_t seed, uint32_t device, uint32_t gid, double t0,
                          double t1, float w, double **t, float **wv, size_t n, size_t *cap)
{
    double lo_all = fmax(t0, dev->a), hi_all = fmin(t1, dev->b), h = dev->h;
    if (!(hi_all > lo_all) || dev->rate <= 0.0)
        return n;
    uint64_t key = sq_mix_key(seed, sq_stream_id(SQ_STREAM_DEVICE, device, gid));
    int64_t m = (int64_t)floor(lo_all / h);
    while ((double)m * h > lo_all) /* the step bounds are the products m*h: agree with them */
        m--;
    for (; (double)m * h < hi_all; m++) {
        double lo = (double)m * h, hi = (double)(m + 1) * h;
        if (!(lo >= lo_all && hi <= hi_all && dev->n_thr)) {
            /* A step cut by the generator's start or stop or by this call's interval. */
            double a = lo > dev->a ? lo : dev->a, b = hi < dev->b ? hi : dev->b;
            if (b > a && (n = step_events(dev, key, m, a, b, t0, t1, w, t, wv, n, cap)) == (size_t)-1)
                return n;
            continue;
        }
        /* The usual step: whole and inside. Up to four events without a data-dependent branch:
         * four candidate positions, those past the count set to infinity, a sorting network;
         * the same words, positions and order as step_events(), which takes the rarer k > 4. */
        uint64_t w0 = sq_splitmix(key, (uint64_t)m << 20);
        uint32_t u = (uint32_t)w0;
        const uint32_t *thr = dev->thr;
        uint64_t k = (uint64_t)(u >= thr[0]) + (u >= thr[1]) + (u >= thr[2]) + (u >= thr[3]);
        if (k == 4 && u >= thr[4] && dev->n_thr > 5) {
            if ((n = step_events(dev, key, m, lo, hi, t0, t1, w, t, wv, n, cap)) == (size_t)-1)
                return n;
            continue;
        }
        if (k > dev->n_thr - 1)
            k = dev->n_thr - 1; /* only when u is the largest word and the table is short */
        if (n + 4 > *cap && sq__grow_events(t, wv, cap, n + 4) < 0)
            return (size_t)-1;
        uint64_t w1 = sq_splitmix(key, ((uint64_t)m << 20) + 1), w2 = sq_splitmix(key, ((uint64_t)m << 20) + 2);
        double width = (hi - lo) * 0x1p-32;
        double x0 = lo + ((double)(uint32_t)(w0 >> 32) + 0.5) * width;
        double x1 = k > 1 ? lo + ((double)(uint32_t)w1 + 0.5) * width : INFINITY;
        double x2 = k > 2 ? lo + ((double)(uint32_t)(w1 >> 32) + 0.5) * width : INFINITY;
        double x3 = k > 3 ? lo + ((double)(uint32_t)w2 + 0.5) * width : INFINITY;
        if (x0 >= hi || (k > 1 && x1 >= hi) || (k > 2 && x2 >= hi) || (k > 3 && x3 >= hi)) {
            /* rounding far from t = 0: leave it to the careful path */
            if ((n = step_events(dev, key, m, lo, hi, t0, t1, w, t, wv, n, cap)) == (size_t)-1)
                return n;
            continue;
        }
        order(&x0, &x1);
        order(&x2, &x3);
        order(&x0, &x2);
        order(&x1, &x3);
        order(&x1, &x2);
        double *tv = *t + n;
        float *wv_ = *wv + n;
        tv[0] = x0;
        tv[1] = x1;
        tv[2] = x2;
        tv[3] = x3;
        wv_[0] = wv_[1] = wv_[2] = wv_[3] = w;
        n += k;
    }
    return n;
}
