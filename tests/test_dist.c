/* tests/test_dist.c: value distributions of sim/dist.c. A constant is exact; a uniform stays in
 * [low, high) with mean (low + high)/2 within 5 SE (SE = (high - low)/sqrt(12 N)); a redrawn
 * normal never leaves [low, high] and its mean and variance match the truncated normal's closed
 * forms (Johnson, Kotz & Balakrishnan 1994, Continuous Univariate Distributions 1, sec. 10.1):
 *   mean = mu + sigma (phi(a) - phi(b))/Z,
 *   var  = sigma^2 [1 + (a phi(a) - b phi(b))/Z - ((phi(a) - phi(b))/Z)^2],  Z = Phi(b) - Phi(a),
 * within 5 SE. Every sq_dist_check error is checked for its code and its exact message. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "sim/dist.h"
#include "run_suite.h"

#define N_DRAWS 200000

static double phi(double x) { return exp(-0.5 * x * x) / sqrt(2.0 * M_PI); }
static double Phi(double x) { return 0.5 * erfc(-x / M_SQRT2); }

static sq_dist uniform(double low, double high)
{
    sq_dist d = {SQ_DIST_UNIFORM, 0.0, low, high, 0.0, 0.0};
    return d;
}

static sq_dist normal(double mean, double std, double low, double high)
{
    sq_dist d = {SQ_DIST_NORMAL, 0.0, low, high, mean, std};
    return d;
}

START_TEST(constant_returns_its_value_exactly)
{
    sq_dist d = sq_dist_constant(1.5);
    sq_rng r;
    sq_rng_init(&r, 1, 0);
    ck_assert_int_eq(sq_dist_check(&d, "x", "ms", NULL), 0);
    int differ = 0;
    for (int i = 0; i < 100; i++)
        differ += sq_dist_sample(&d, &r) != 1.5;
    ck_assert_int_eq(differ, 0);
    ck_assert_double_eq(sq_dist_min(&d), 1.5);
    ck_assert_double_eq(sq_dist_max(&d), 1.5);
}
END_TEST

START_TEST(uniform_stays_in_range_with_the_midpoint_as_mean)
{
    sq_dist d = uniform(-2.0, 6.0);
    sq_rng r;
    sq_rng_init(&r, 2, 0);
    ck_assert_int_eq(sq_dist_check(&d, "x", "mV", NULL), 0);
    double sum = 0.0;
    int outside = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        double v = sq_dist_sample(&d, &r);
        outside += !(v >= -2.0 && v < 6.0);
        sum += v;
    }
    ck_assert_int_eq(outside, 0);
    ck_assert_double_eq_tol(sum / N_DRAWS, 2.0, 5.0 * 8.0 / sqrt(12.0 * N_DRAWS));
    ck_assert_double_eq(sq_dist_min(&d), -2.0);
    ck_assert_double_eq(sq_dist_max(&d), 6.0);
}
END_TEST

/* Draws N values, checks that none leaves [low, high] and that mean and variance match the
 * truncated-normal closed forms within 5 SE (SE(var) from the sample's own fourth moment). */
static void check_truncated_normal(double mu, double sigma, double low, double high, uint64_t seed)
{
    sq_dist d = normal(mu, sigma, low, high);
    ck_assert_int_eq(sq_dist_check(&d, "x", "ms", NULL), 0);
    double a = (low - mu) / sigma, b = (high - mu) / sigma;
    double pa = isinf(a) ? 0.0 : phi(a), pb = isinf(b) ? 0.0 : phi(b);
    double apa = isinf(a) ? 0.0 : a * pa, bpb = isinf(b) ? 0.0 : b * pb;
    double z = Phi(b) - Phi(a);
    double mean = mu + sigma * (pa - pb) / z;
    double var = sigma * sigma * (1.0 + (apa - bpb) / z - ((pa - pb) / z) * ((pa - pb) / z));
    sq_rng r;
    sq_rng_init(&r, seed, 0);
    double *v = malloc(N_DRAWS * sizeof *v);
    ck_assert_ptr_nonnull(v);
    int outside = 0;
    double sum = 0.0;
    for (int i = 0; i < N_DRAWS; i++) {
        v[i] = sq_dist_sample(&d, &r);
        outside += !(v[i] >= low && v[i] <= high);
        sum += v[i];
    }
    double m = sum / N_DRAWS, s2 = 0.0, s4 = 0.0;
    for (int i = 0; i < N_DRAWS; i++) {
        double e = (v[i] - m) * (v[i] - m);
        s2 += e;
        s4 += e * e;
    }
    free(v);
    double sample_var = s2 / N_DRAWS, mu4 = s4 / N_DRAWS;
    ck_assert_int_eq(outside, 0);
    ck_assert_double_eq_tol(m, mean, 5.0 * sqrt(var / N_DRAWS));
    ck_assert_double_eq_tol(sample_var, var, 5.0 * sqrt((mu4 - sample_var * sample_var) / N_DRAWS));
}

START_TEST(redrawn_normal_stays_in_window_and_matches_truncated_normal_moments)
{
    check_truncated_normal(1.5, 2.0, 0.1, 4.0, 3);      /* a delay-like window cutting both sides */
    check_truncated_normal(0.0, 1.0, -INFINITY, 0.0, 4); /* half normal: mean -sqrt(2/pi) */
    check_truncated_normal(10.0, 3.0, 14.0, INFINITY, 5); /* upper tail only, 9% of the mass */
}
END_TEST

START_TEST(normal_without_window_has_mean_and_std)
{
    check_truncated_normal(-65.0, 5.0, -INFINITY, INFINITY, 6);
    sq_dist d = normal(-65.0, 5.0, -INFINITY, INFINITY);
    ck_assert(isinf(sq_dist_min(&d)) && sq_dist_min(&d) < 0.0);
    ck_assert(isinf(sq_dist_max(&d)) && sq_dist_max(&d) > 0.0);
}
END_TEST

START_TEST(normal_with_zero_std_returns_the_mean)
{
    sq_dist d = normal(2.5, 0.0, 0.0, 5.0);
    sq_rng r;
    sq_rng_init(&r, 7, 0);
    ck_assert_int_eq(sq_dist_check(&d, "x", "ms", NULL), 0);
    ck_assert_double_eq(sq_dist_sample(&d, &r), 2.5);
    ck_assert_double_eq(sq_dist_min(&d), 2.5);
    ck_assert_double_eq(sq_dist_max(&d), 2.5);
}
END_TEST

START_TEST(same_stream_reproduces_values)
{
    sq_dist d = normal(1.0, 0.5, 0.2, 3.0);
    sq_rng a, b;
    sq_rng_init(&a, 8, 1);
    sq_rng_init(&b, 8, 1);
    int differ = 0;
    for (int i = 0; i < 1000; i++)
        differ += sq_dist_sample(&d, &a) != sq_dist_sample(&d, &b);
    ck_assert_int_eq(differ, 0);
}
END_TEST

static void expect_error(sq_dist d, const char *unit, const char *msg)
{
    sq_err err = {0};
    ck_assert_int_eq(sq_dist_check(&d, "net.json: projections[0].delay", unit, &err), SQ_ECONFIG);
    ck_assert_int_eq(err.code, SQ_ECONFIG);
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(check_rejects_non_finite_constant)
{
    expect_error(sq_dist_constant(NAN), "ms", "net.json: projections[0].delay: expected a finite value in ms, got nan");
    expect_error(sq_dist_constant(INFINITY), "", "net.json: projections[0].delay: expected a finite value, got inf");
}
END_TEST

START_TEST(check_rejects_uniform_with_bad_bounds)
{
    expect_error(uniform(1.0, INFINITY), "ms",
                 "net.json: projections[0].delay: expected finite low and high in ms, got low = 1, high = inf");
    expect_error(uniform(NAN, 1.0), "ms",
                 "net.json: projections[0].delay: expected finite low and high in ms, got low = nan, high = 1");
    expect_error(uniform(2.0, 2.0), "ms", "net.json: projections[0].delay: expected low < high in ms, got low = 2, high = 2");
    expect_error(uniform(3.0, 2.0), NULL, "net.json: projections[0].delay: expected low < high, got low = 3, high = 2");
}
END_TEST

START_TEST(check_rejects_normal_with_bad_mean_or_std)
{
    expect_error(normal(NAN, 1.0, -INFINITY, INFINITY), "ms",
                 "net.json: projections[0].delay: expected a finite mean in ms, got nan");
    expect_error(normal(1.0, -1.0, -INFINITY, INFINITY), "ms",
                 "net.json: projections[0].delay: expected std >= 0 in ms, got -1");
    expect_error(normal(1.0, NAN, -INFINITY, INFINITY), "ms",
                 "net.json: projections[0].delay: expected std >= 0 in ms, got nan");
    expect_error(normal(1.0, INFINITY, -INFINITY, INFINITY), "ms",
                 "net.json: projections[0].delay: expected a finite std in ms, got inf");
}
END_TEST

START_TEST(check_rejects_normal_with_inverted_or_nan_window)
{
    expect_error(normal(1.0, 1.0, 2.0, 1.0), "ms",
                 "net.json: projections[0].delay: expected low <= high in ms (either may be infinite), got low = 2, high = 1");
    expect_error(normal(1.0, 1.0, NAN, 1.0), "ms",
                 "net.json: projections[0].delay: expected low <= high in ms (either may be infinite), got low = nan, high = 1");
}
END_TEST

START_TEST(check_rejects_redraw_window_holding_too_little_mass)
{
    /* Phi(6) - Phi(5) = 2.8567e-7 < 1e-6: redrawing would need 3.5 million draws per value. */
    expect_error(normal(0.0, 1.0, 5.0, 6.0), "ms",
                 "net.json: projections[0].delay: expected a redraw window [low, high] holding at least 1e-6 of "
                 "the normal's probability (else redrawing would hardly ever end), got [5, 6] in ms, which holds "
                 "2.86e-07 of normal(mean 0, std 1)");
    expect_error(normal(5.0, 0.0, 0.0, 1.0), "ms",
                 "net.json: projections[0].delay: expected a redraw window [low, high] holding at least 1e-6 of "
                 "the normal's probability (else redrawing would hardly ever end), got [0, 1] in ms, which holds "
                 "0 of normal(mean 5, std 0)");
    /* Phi(-4.5) = 3.4e-6 is enough (in the far tail, computed without cancellation). */
    sq_dist ok = normal(0.0, 1.0, -INFINITY, -4.5);
    ck_assert_int_eq(sq_dist_check(&ok, "x", "ms", NULL), 0);
}
END_TEST

START_TEST(check_rejects_unknown_kind)
{
    sq_dist d = {(sq_dist_kind)7, 0.0, 0.0, 0.0, 0.0, 0.0};
    expect_error(d, "ms",
                 "net.json: projections[0].delay: expected a distribution kind (constant, uniform or normal), got 7");
}
END_TEST

static Suite *dist_suite(void)
{
    Suite *s = suite_create("dist");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, constant_returns_its_value_exactly);
    tcase_add_test(tc, uniform_stays_in_range_with_the_midpoint_as_mean);
    tcase_add_test(tc, redrawn_normal_stays_in_window_and_matches_truncated_normal_moments);
    tcase_add_test(tc, normal_without_window_has_mean_and_std);
    tcase_add_test(tc, normal_with_zero_std_returns_the_mean);
    tcase_add_test(tc, same_stream_reproduces_values);
    tcase_add_test(tc, check_rejects_non_finite_constant);
    tcase_add_test(tc, check_rejects_uniform_with_bad_bounds);
    tcase_add_test(tc, check_rejects_normal_with_bad_mean_or_std);
    tcase_add_test(tc, check_rejects_normal_with_inverted_or_nan_window);
    tcase_add_test(tc, check_rejects_redraw_window_holding_too_little_mass);
    tcase_add_test(tc, check_rejects_unknown_kind);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sq_test_run(dist_suite());
}
