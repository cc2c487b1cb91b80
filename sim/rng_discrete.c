/* sim/rng_discrete.c: exact discrete samplers on the Philox streams of sim/rng.c.
 *   Binomial(n, p): sequential-search inversion when n*min(p, 1-p) < 10, else BTRS, the transformed
 *     rejection with squeeze of Hörmann (1993), "The generation of binomial random variates",
 *     J Stat Comput Simul 46:101-110. p > 0.5 is drawn as n - Binomial(n, 1 - p).
 *   Poisson(mean): multiplicative inversion when mean < 10, else PTRS of Hörmann (1993), "The
 *     transformed rejection method for generating Poisson random variables", Insurance: Mathematics
 *     and Economics 12:39-45.
 *   Hypergeometric: inversion, searching the support outward from the mode (declared in
 *     rng_discrete.h; used by fixed_total_number without multapses).
 * The rejection tests compare log-probabilities written with Stirling's series plus its tabulated
 * correction (Hörmann's fc), so they keep their precision for n or mean up to ~1e15.
 * Tested in tests/test_rng_discrete.c (moments within 5 sigma, chi-square against the exact pmf). */
#include "rng_discrete.h"

#include <math.h>

#include "rng.h"

#define LOG_SQRT_2PI 0.91893853320467274178

/* fc(k) = log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(sqrt(2 pi))]: the tail of Stirling's
 * series for log Gamma(k + 1). Exact values for k < 10 (as tabulated by Hörmann), the series
 * 1/(12 z) - 1/(360 z^3) + 1/(1260 z^5) with z = k + 1 above (error < 1e-10). */
static double stirling_tail(double k)
{
    static const double table[10] = {
        0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509,
        0.01664469118982119, 0.01387612882307075, 0.01189670994589177, 0.01041126526197209,
        0.009255462182712733, 0.008330563433362871};
    if (k < 10.0)
        return table[(int)k];
    double z = k + 1.0, z2 = z * z;
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / z2) / z2) / z;
}

/* log C(n, k) for 0 <= k <= n, written so that the large terms of log n! - log k! - log (n-k)!
 * cancel inside the logarithms rather than after them. */
static double log_choose(double n, double k)
{
    if (k <= 0.0 || k >= n)
        return 0.0;
    return (k + 0.5) * log((n + 1.0) / (k + 1.0)) + (n - k + 0.5) * log((n + 1.0) / (n - k + 1.0)) -
           0.5 * log(n + 1.0) + 1.0 - LOG_SQRT_2PI + stirling_tail(n) - stirling_tail(k) -
           stirling_tail(n - k);
}

/* Binomial by sequential search from 0 (for n*p < 10, p <= 1/2, so q^n >= e^-10 never
 * underflows). Draws beyond np + 10 sqrt(npq + 1) would only come from rounding in the running
 * sum (their probability is below 1e-20), so such a draw is repeated. */
static uint64_t binomial_inversion(sq_rng *r, uint64_t n, double p)
{
    double q = 1.0 - p, s = p / q, a = ((double)n + 1.0) * s;
    double p0 = exp((double)n * log1p(-p));
    double bound = fmin((double)n, (double)n * p + 10.0 * sqrt((double)n * p * q + 1.0));
    for (;;) {
        double u = sq_rng_uniform(r), pk = p0;
        uint64_t x = 0;
        while (u > pk) {
            u -= pk;
            x++;
            if ((double)x > bound)
                break;
            pk *= a / (double)x - s;
        }
        if ((double)x <= bound)
            return x;
    }
}

/* BTRS (Hörmann 1993, algorithm BTRS, with his constants); valid for n*p >= 10, p <= 1/2. */
static uint64_t binomial_btrs(sq_rng *r, uint64_t n, double p)
{
    double dn = (double)n, q = 1.0 - p;
    double spq = sqrt(dn * p * q);
    double b = 1.15 + 2.53 * spq;
    double a = -0.0873 + 0.0248 * b + 0.01 * p;
    double c = dn * p + 0.5;
    double alpha = (2.83 + 5.1 / b) * spq;
    double vr = 0.92 - 4.2 / b;
    double urvr = 0.86 * vr;
    double m = floor((dn + 1.0) * p);
    double rr = p / q;
    for (;;) {
        double u, v = sq_rng_uniform(r);
        if (v <= urvr) {
            u = v / vr - 0.43;
            double k = floor((2.0 * a / (0.5 - fabs(u)) + b) * u + c);
            if (k >= 0.0 && k <= dn) /* always true for n*p >= 10 (Hörmann); kept as a guard */
                return (uint64_t)k;
            continue;
        }
        if (v >= vr) {
            u = sq_rng_uniform(r) - 0.5;
        } else {
            u = v / vr - 0.93;
            u = copysign(0.5, u) - u;
            v = sq_rng_uniform(r) * vr;
        }
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + c);
        if (k < 0.0 || k > dn)
            continue;
        v = v * alpha / (a / (us * us) + b);
        /* log f(k)/f(m) by Stirling's series with correction terms (Hörmann's step 3.1). */
        double h = (m + 0.5) * log((m + 1.0) / (rr * (dn - m + 1.0))) +
                   (dn + 1.0) * log((dn - m + 1.0) / (dn - k + 1.0)) +
                   (k + 0.5) * log(rr * (dn - k + 1.0) / (k + 1.0)) + stirling_tail(m) +
                   stirling_tail(dn - m) - stirling_tail(k) - stirling_tail(dn - k);
        if (log(v) <= h)
            return (uint64_t)k;
    }
}

uint64_t sq_rng_binomial(sq_rng *r, uint64_t n, double p)
{
    if (n == 0 || !(p > 0.0))
        return 0;
    if (p >= 1.0)
        return n;
    if (p > 0.5)
        return n - sq_rng_binomial(r, n, 1.0 - p);
    if ((double)n * p < 10.0)
        return binomial_inversion(r, n, p);
    return binomial_btrs(r, n, p);
}

/* Poisson by multiplicative sequential search (mean < 10); draws beyond mean + 10 sqrt(mean) + 20
 * (probability < 1e-20) can only come from rounding and are repeated. */
static uint64_t poisson_inversion(sq_rng *r, double mean)
{
    double p0 = exp(-mean), bound = mean + 10.0 * sqrt(mean) + 20.0;
    for (;;) {
        double u = sq_rng_uniform(r), pk = p0;
        uint64_t k = 0;
        while (u > pk && (double)k <= bound) {
            u -= pk;
            k++;
            pk *= mean / (double)k;
        }
        if ((double)k <= bound)
            return k;
    }
}

/* PTRS (Hörmann 1993, with his constants); valid for mean >= 10. */
static uint64_t poisson_ptrs(sq_rng *r, double mean)
{
    double slam = sqrt(mean);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double log_inv_alpha = log(1.1239 + 1.1328 / (b - 3.4));
    double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = sq_rng_uniform(r) - 0.5, v = sq_rng_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr)
            return (uint64_t)k; /* the squeeze region lies inside k >= 0 for mean >= 10 */
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        /* log f(k) = k log(mean) - mean - log k!, with log k! by Stirling plus fc(k); the
         * difference mean - (k + 1) is formed before the logarithm for precision. */
        double log_fk = k * log1p((mean - k - 1.0) / (k + 1.0)) - 0.5 * log(k + 1.0) + (k + 1.0 - mean) -
                        LOG_SQRT_2PI - stirling_tail(k);
        if (log(v) + log_inv_alpha - log(a / (us * us) + b) <= log_fk)
            return (uint64_t)k;
    }
}

uint64_t sq_rng_poisson(sq_rng *r, double mean)
{
    if (!(mean > 0.0))
        return 0;
    if (!(mean <= 0x1.0p62)) /* beyond 2^62 (or +inf) no uint64 sample is meaningful */
        return UINT64_MAX;
    if (mean < 10.0)
        return poisson_inversion(r, mean);
    return poisson_ptrs(r, mean);
}

/* f(k - 1)/f(k) and f(k + 1)/f(k) for Hypergeometric(total, good, sample), bad = total - good.
 * The integer sums are exact: k + bad >= sample holds for every k above the support's minimum. */
static double hyper_ratio_down(uint64_t good, uint64_t bad, uint64_t sample, uint64_t k)
{
    return (double)k * (double)(k + bad - sample) / ((double)(good - k + 1) * (double)(sample - k + 1));
}

static double hyper_ratio_up(uint64_t good, uint64_t bad, uint64_t sample, uint64_t k)
{
    return (double)(good - k) * (double)(sample - k) / ((double)(k + 1) * (double)(k + 1 + bad - sample));
}

uint64_t sq_rng_hypergeometric(sq_rng *r, uint64_t total, uint64_t good, uint64_t sample)
{
    if (good > total)
        good = total;
    if (sample > total)
        sample = total;
    if (sample == 0 || good == 0)
        return 0;
    if (good == total)
        return sample;
    if (sample == total)
        return good;
    uint64_t bad = total - good;
    uint64_t kmin = sample > bad ? sample - bad : 0, kmax = good < sample ? good : sample;
    double mode_d = floor(((double)sample + 1.0) * ((double)good + 1.0) / ((double)total + 2.0));
    uint64_t mode = mode_d < (double)kmin ? kmin : mode_d > (double)kmax ? kmax : (uint64_t)mode_d;
    double f_mode = exp(log_choose((double)good, (double)mode) +
                        log_choose((double)bad, (double)(sample - mode)) -
                        log_choose((double)total, (double)sample));
    /* Inversion over the support taken in a fixed order (always the more probable neighbour of
     * the visited interval next), which is exact whatever that order is. Rounding can leave u
     * above the summed mass once both tails underflow; such a draw is repeated. */
    for (;;) {
        double u = sq_rng_uniform(r) - f_mode;
        if (u <= 0.0)
            return mode;
        uint64_t lo = mode, hi = mode;
        double f_lo = f_mode, f_hi = f_mode;
        for (;;) {
            double pl = lo > kmin ? f_lo * hyper_ratio_down(good, bad, sample, lo) : 0.0;
            double ph = hi < kmax ? f_hi * hyper_ratio_up(good, bad, sample, hi) : 0.0;
            if (pl == 0.0 && ph == 0.0)
                break;
            if (ph >= pl) {
                hi++;
                f_hi = ph;
                if ((u -= ph) <= 0.0)
                    return hi;
            } else {
                lo--;
                f_lo = pl;
                if ((u -= pl) <= 0.0)
                    return lo;
            }
        }
    }
}
