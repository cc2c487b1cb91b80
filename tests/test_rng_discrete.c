/* tests/test_rng_discrete.c: binomial, Poisson and hypergeometric samplers of sim/rng_discrete.c.
 * Moments are compared with their closed forms within 5 standard errors (SE(mean) = sigma/sqrt(N),
 * SE(variance) = sqrt((mu4 - sigma^4)/N) with the distribution's fourth central moment mu4), in
 * both the inversion and the rejection (BTRS/PTRS) regimes. Goodness of fit: Pearson's chi-square
 * against the exact pmf, tails lumped into two end bins, at p = 0.001; critical values
 * chi2_0.999(df) from scipy.stats.chi2.ppf(0.999, df). All seeds are fixed. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "sim/rng.h"
#include "sim/rng_discrete.h"
#include "run_suite.h"

typedef enum { BINOMIAL, POISSON, HYPERGEOMETRIC } kind;

typedef struct {
    kind k;
    double a, b, c; /* binomial (n, p); Poisson (mean); hypergeometric (total, good, sample) */
} law;

static uint64_t draw(const law *l, sq_rng *r)
{
    switch (l->k) {
    case BINOMIAL: return sq_rng_binomial(r, (uint64_t)l->a, l->b);
    case POISSON: return sq_rng_poisson(r, l->a);
    default: return sq_rng_hypergeometric(r, (uint64_t)l->a, (uint64_t)l->b, (uint64_t)l->c);
    }
}

static double log_choose(double n, double k)
{
    return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

/* Exact pmf (0 outside the support). */
static double pmf(const law *l, double k)
{
    switch (l->k) {
    case BINOMIAL:
        if (k > l->a)
            return 0.0;
        return exp(log_choose(l->a, k) + k * log(l->b) + (l->a - k) * log1p(-l->b));
    case POISSON:
        return exp(k * log(l->a) - l->a - lgamma(k + 1.0));
    default:
        if (k > l->b || k > l->c || l->c - k > l->a - l->b)
            return 0.0;
        return exp(log_choose(l->b, k) + log_choose(l->a - l->b, l->c - k) - log_choose(l->a, l->c));
    }
}

/* Mean, variance and fourth central moment. */
static void moments(const law *l, double *mean, double *var, double *mu4)
{
    if (l->k == BINOMIAL) {
        double n = l->a, p = l->b, q = 1.0 - p;
        *mean = n * p;
        *var = n * p * q;
        *mu4 = n * p * q * (1.0 + 3.0 * p * q * (n - 2.0));
    } else if (l->k == POISSON) {
        *mean = *var = l->a;
        *mu4 = l->a * (1.0 + 3.0 * l->a);
    } else {
        double N = l->a, K = l->b, n = l->c, f = K / N;
        *mean = n * f;
        *var = n * f * (1.0 - f) * (N - n) / (N - 1.0);
        /* mu4 summed from the pmf over mean +- 40 sd (the rest weighs < 1e-300). */
        double sd = sqrt(*var), lo = fmax(0.0, floor(*mean - 40.0 * sd)), hi = ceil(*mean + 40.0 * sd);
        *mu4 = 0.0;
        for (double k = lo; k <= hi; k++)
            *mu4 += pmf(l, k) * pow(k - *mean, 4.0);
    }
}

static void check_moments(const law *l, uint64_t seed, int n_draws)
{
    sq_rng r;
    sq_rng_init(&r, seed, 0);
    double mean, var, mu4;
    moments(l, &mean, &var, &mu4);
    double s1 = 0.0, s2 = 0.0;
    for (int i = 0; i < n_draws; i++) {
        double x = (double)draw(l, &r) - mean; /* centred for precision */
        s1 += x;
        s2 += x * x;
    }
    double m = s1 / n_draws, v = s2 / n_draws - m * m, sample_mean = mean + m;
    ck_assert_double_eq_tol(sample_mean, mean, 5.0 * sqrt(var / n_draws));
    ck_assert_double_eq_tol(v, var, 5.0 * sqrt((mu4 - var * var) / n_draws));
}

START_TEST(binomial_moments_match_in_inversion_and_btrs_regimes)
{
    check_moments(&(law){BINOMIAL, 20, 0.1, 0}, 1, 200000);       /* np = 2: inversion */
    check_moments(&(law){BINOMIAL, 1e9, 5e-9, 0}, 2, 200000);      /* np = 5, huge n: inversion */
    check_moments(&(law){BINOMIAL, 1000, 0.3, 0}, 3, 200000);      /* np = 300: BTRS */
    check_moments(&(law){BINOMIAL, 1000, 0.8, 0}, 4, 200000);      /* p > 1/2: symmetry, BTRS */
    check_moments(&(law){BINOMIAL, 10000000, 0.4, 0}, 5, 200000);  /* np = 4e6: BTRS */
    check_moments(&(law){BINOMIAL, 1e12, 0.25, 0}, 6, 100000);     /* np = 2.5e11: BTRS at large n */
}
END_TEST

START_TEST(poisson_moments_match_in_inversion_and_ptrs_regimes)
{
    check_moments(&(law){POISSON, 0.05, 0, 0}, 7, 200000);
    check_moments(&(law){POISSON, 3.5, 0, 0}, 8, 200000);
    check_moments(&(law){POISSON, 10.0, 0, 0}, 9, 200000);
    check_moments(&(law){POISSON, 250.0, 0, 0}, 10, 200000);
    check_moments(&(law){POISSON, 1e7, 0, 0}, 11, 200000);
    check_moments(&(law){POISSON, 1e12, 0, 0}, 12, 100000);
}
END_TEST

START_TEST(hypergeometric_moments_match_small_and_large)
{
    check_moments(&(law){HYPERGEOMETRIC, 50, 20, 15}, 13, 200000);
    check_moments(&(law){HYPERGEOMETRIC, 10000, 100, 3000}, 14, 200000);
    check_moments(&(law){HYPERGEOMETRIC, 1e9, 1e5, 1e7}, 15, 50000);
}
END_TEST

/* Pearson chi-square over bins {k <= lo}, lo+1, ..., hi-1, {k >= hi}: df = hi - lo. */
static double chi_square(const law *l, uint64_t seed, int n_draws, int lo, int hi)
{
    int bins = hi - lo + 1;
    double *obs = calloc((size_t)bins, sizeof *obs), *expect = calloc((size_t)bins, sizeof *expect);
    ck_assert(obs && expect);
    sq_rng r;
    sq_rng_init(&r, seed, 0);
    for (int i = 0; i < n_draws; i++) {
        uint64_t x = draw(l, &r);
        int bin = x <= (uint64_t)lo ? 0 : x >= (uint64_t)hi ? bins - 1 : (int)x - lo;
        obs[bin] += 1.0;
    }
    double below = 0.0;
    for (int k = 0; k <= lo; k++)
        below += pmf(l, k);
    expect[0] = below;
    double inner = 0.0;
    for (int k = lo + 1; k < hi; k++)
        inner += expect[k - lo] = pmf(l, k);
    expect[bins - 1] = 1.0 - below - inner;
    double x2 = 0.0;
    for (int b = 0; b < bins; b++) {
        double e = expect[b] * n_draws;
        ck_assert_double_gt(e, 5.0); /* the bins were chosen so that Pearson's approximation holds */
        x2 += (obs[b] - e) * (obs[b] - e) / e;
    }
    free(obs);
    free(expect);
    return x2;
}

START_TEST(binomial_fits_exact_pmf_by_chi_square)
{
    ck_assert_double_lt(chi_square(&(law){BINOMIAL, 20, 0.3, 0}, 21, 200000, 1, 12), 31.264);      /* df 11 */
    ck_assert_double_lt(chi_square(&(law){BINOMIAL, 100000, 5e-5, 0}, 22, 200000, 0, 12), 32.909); /* df 12 */
    ck_assert_double_lt(chi_square(&(law){BINOMIAL, 1000, 0.01, 0}, 23, 200000, 3, 18), 37.697);   /* df 15 */
    ck_assert_double_lt(chi_square(&(law){BINOMIAL, 100, 0.4, 0}, 24, 200000, 28, 52), 51.179);    /* df 24 */
    ck_assert_double_lt(chi_square(&(law){BINOMIAL, 60, 0.75, 0}, 25, 200000, 36, 54), 42.312);    /* df 18 */
}
END_TEST

START_TEST(poisson_fits_exact_pmf_by_chi_square)
{
    ck_assert_double_lt(chi_square(&(law){POISSON, 3.5, 0, 0}, 31, 200000, 0, 10), 29.588);        /* df 10 */
    ck_assert_double_lt(chi_square(&(law){POISSON, 25.0, 0, 0}, 32, 200000, 13, 38), 52.620);      /* df 25 */
    ck_assert_double_lt(chi_square(&(law){POISSON, 1000.0, 0, 0}, 33, 200000, 920, 1080), 221.019); /* df 160 */
}
END_TEST

START_TEST(hypergeometric_fits_exact_pmf_by_chi_square)
{
    ck_assert_double_lt(chi_square(&(law){HYPERGEOMETRIC, 50, 20, 15}, 41, 200000, 2, 10), 26.124);      /* df 8 */
    ck_assert_double_lt(chi_square(&(law){HYPERGEOMETRIC, 10000, 100, 3000}, 42, 200000, 18, 42), 51.179); /* df 24 */
    ck_assert_double_lt(chi_square(&(law){HYPERGEOMETRIC, 30, 25, 20}, 43, 200000, 15, 19), 18.467);     /* df 4 */
}
END_TEST

START_TEST(degenerate_parameters_give_the_only_possible_value)
{
    sq_rng r;
    sq_rng_init(&r, 50, 0);
    ck_assert_uint_eq(sq_rng_binomial(&r, 0, 0.5), 0);
    ck_assert_uint_eq(sq_rng_binomial(&r, 1000, 0.0), 0);
    ck_assert_uint_eq(sq_rng_binomial(&r, 1000, 1.0), 1000);
    ck_assert_uint_eq(sq_rng_binomial(&r, 1000, NAN), 0);
    ck_assert_uint_eq(sq_rng_poisson(&r, 0.0), 0);
    ck_assert_uint_eq(sq_rng_poisson(&r, -3.0), 0);
    ck_assert_uint_eq(sq_rng_poisson(&r, NAN), 0);
    ck_assert_uint_eq(sq_rng_hypergeometric(&r, 100, 0, 50), 0);
    ck_assert_uint_eq(sq_rng_hypergeometric(&r, 100, 30, 0), 0);
    ck_assert_uint_eq(sq_rng_hypergeometric(&r, 100, 100, 50), 50);
    ck_assert_uint_eq(sq_rng_hypergeometric(&r, 100, 30, 100), 30);
}
END_TEST

START_TEST(samples_stay_in_the_support)
{
    sq_rng r;
    sq_rng_init(&r, 51, 0);
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        bad += sq_rng_binomial(&r, 30, 0.45) > 30;
        bad += sq_rng_binomial(&r, 25, 0.9) > 25;
        uint64_t h = sq_rng_hypergeometric(&r, 100, 60, 90);
        bad += h < 50 || h > 60;
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(same_stream_reproduces_samples)
{
    sq_rng a, b;
    sq_rng_init(&a, 60, 3);
    sq_rng_init(&b, 60, 3);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        differ += sq_rng_binomial(&a, 500, 0.3) != sq_rng_binomial(&b, 500, 0.3);
        differ += sq_rng_poisson(&a, 40.0) != sq_rng_poisson(&b, 40.0);
    }
    ck_assert_int_eq(differ, 0);
}
END_TEST

static Suite *rng_discrete_suite(void)
{
    Suite *s = suite_create("rng_discrete");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, binomial_moments_match_in_inversion_and_btrs_regimes);
    tcase_add_test(tc, poisson_moments_match_in_inversion_and_ptrs_regimes);
    tcase_add_test(tc, hypergeometric_moments_match_small_and_large);
    tcase_add_test(tc, binomial_fits_exact_pmf_by_chi_square);
    tcase_add_test(tc, poisson_fits_exact_pmf_by_chi_square);
    tcase_add_test(tc, hypergeometric_fits_exact_pmf_by_chi_square);
    tcase_add_test(tc, degenerate_parameters_give_the_only_possible_value);
    tcase_add_test(tc, samples_stay_in_the_support);
    tcase_add_test(tc, same_stream_reproduces_samples);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sq_test_run(rng_discrete_suite());
}
