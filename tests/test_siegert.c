/* tests/test_siegert.c: the mean-field helper tests/siegert.c against SciPy and closed forms.
 *
 * Reference numbers were computed with SciPy 1.10 (/usr/bin/python3): scipy.special.erfcx, and
 * scipy.integrate.quad(erfcx(-u), y_r, y_th, epsrel=1e-13) for the Siegert integral, the CV's nested
 * integral with quad from -inf, and scipy.optimize.brentq for the fixed point (the script is
 * experiments/brunel/meanfield.py). Tolerances: 1e-13 relative for erfcx (a few ulp), 1e-9 for
 * rates and CVs (our quadrature asks for 1e-12, SciPy's for 1e-13). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "siegert.h"
#include "run_suite.h"

/* Brunel (2000) model A neuron: tau 20 ms, t_ref 2 ms, theta 20 mV, V_r 10 mV. */
static const sq_siegert_lif brunel_lif = {20.0, 2.0, 20.0, 10.0};

static sq_brunel_model brunel(double g, double eta, double c_e, double j)
{
    sq_brunel_model m = {brunel_lif, j, g, eta, c_e, c_e / 4.0};
    return m;
}

#define ck_rel(x, ref, tol) ck_assert_double_eq_tol((x), (ref), (tol) * fabs(ref))

START_TEST(erfcx_matches_scipy_over_the_whole_range)
{
    static const double table[][2] = {
        {-26.0, 7.657724931490568e+293}, {-5.0, 144009798674.66104}, {-1.0, 5.008980080762283},
        {0.0, 1.0},                      {0.5, 0.6156903441929258},  {3.0, 0.17900115118138998},
        {10.0, 0.05614099274382259},     {25.9, 0.021767181150738214}, {26.1, 0.02160062772634621},
        {100.0, 0.005641613782989433},   {1e5, 5.6418958351954685e-06},
    };
    for (size_t i = 0; i < SQ_COUNT(table); i++)
        ck_rel(sq_erfcx(table[i][0]), table[i][1], 1e-13);
    ck_assert(isinf(sq_erfcx(-27.0)));
}
END_TEST

START_TEST(siegert_rate_and_cv_match_scipy_quadrature)
{
    /* mu, sigma (mV); rate (Hz); CV: from fluctuation-driven (mu < theta) to mean-driven. */
    static const double table[][4] = {
        {15.0, 5.0, 9.460799805759127, 0.8147572116594496},
        {21.0252, 7.68291, 37.94987611687765, 0.67532745326715},
        {10.0, 1.0, 1.0441131540846247e-41, 0.9999999999999946},
        {25.0, 3.0, 44.07059177362892, 0.29482087458849093},
        {-20.0, 5.0, 3.590676763692272e-26, 1.0000000000009266},
    };
    for (size_t i = 0; i < SQ_COUNT(table); i++) {
        double rate, cv;
        sq_err err = {0};
        ck_assert_int_eq(sq_siegert_rate(&brunel_lif, table[i][0], table[i][1], &rate, &err), 0);
        ck_rel(rate, table[i][2], 1e-9);
        ck_assert_int_eq(sq_siegert_cv(&brunel_lif, table[i][0], table[i][1], &cv, &err), 0);
        ck_rel(cv, table[i][3], 1e-9);
    }
}
END_TEST

START_TEST(siegert_rate_tends_to_the_noise_free_lif_rate_when_sigma_is_small)
{
    /* sigma -> 0 with mu > theta: 1/nu = t_ref + tau ln((mu - V_r)/(mu - theta)); the correction is
     * O(sigma^2/(mu - theta)^2) = 1e-6 here. The ISI becomes regular: CV -> 0 (O(sigma)). */
    double rate, cv, mu = 30.0, sigma = 0.01;
    double exact = 1000.0 / (brunel_lif.t_ref + brunel_lif.tau_m * log((mu - 10.0) / (mu - 20.0)));
    ck_assert_int_eq(sq_siegert_rate(&brunel_lif, mu, sigma, &rate, NULL), 0);
    ck_rel(rate, exact, 1e-5);
    ck_assert_int_eq(sq_siegert_cv(&brunel_lif, mu, sigma, &cv, NULL), 0);
    ck_assert_double_lt(cv, 1e-3);
}
END_TEST

START_TEST(brunel_threshold_rate_is_theta_over_j_ce_tau)
{
    sq_brunel_model full = brunel(5.0, 2.0, 1000.0, 0.1), small = brunel(5.0, 2.0, 200.0, 0.2);
    ck_rel(sq_brunel_nu_thr(&full), 10.0, 1e-15); /* 20 mV / (0.1 mV * 1000 * 20 ms) */
    ck_rel(sq_brunel_nu_thr(&small), 25.0, 1e-15);
}
END_TEST

START_TEST(brunel_ai_rate_is_the_fixed_point_and_matches_scipy)
{
    /* g = 5, eta = 2, C_E = 1000, J = 0.1 mV (experiments/brunel/brunel.json, Fig. 8C). */
    sq_brunel_model m = brunel(5.0, 2.0, 1000.0, 0.1);
    double nu, mu, sigma, phi, cv;
    ck_assert_int_eq(sq_brunel_rate(&m, &nu, NULL), 0);
    ck_rel(nu, 37.949697085763376, 1e-9);
    sq_brunel_input(&m, nu, &mu, &sigma);
    ck_assert_int_eq(sq_siegert_rate(&m.lif, mu, sigma, &phi, NULL), 0);
    ck_rel(phi, nu, 1e-12);
    ck_assert_int_eq(sq_siegert_cv(&m.lif, mu, sigma, &cv, NULL), 0);
    ck_rel(cv, 0.675328586007268, 1e-9);
}
END_TEST

START_TEST(brunel_small_and_slow_rates_match_scipy)
{
    /* brunel_small.json (C_E = 200, J = 0.2 mV) and si_slow.json (g = 4.5, eta = 0.9). */
    sq_brunel_model small = brunel(5.0, 2.0, 200.0, 0.2), slow = brunel(4.5, 0.9, 1000.0, 0.1);
    double nu, mu, sigma, cv;
    ck_assert_int_eq(sq_brunel_rate(&small, &nu, NULL), 0);
    ck_rel(nu, 62.99357663959813, 1e-9);
    sq_brunel_input(&small, nu, &mu, &sigma);
    ck_assert_int_eq(sq_siegert_cv(&small.lif, mu, sigma, &cv, NULL), 0);
    ck_rel(cv, 0.5965291319113574, 1e-9);
    ck_assert_int_eq(sq_brunel_rate(&slow, &nu, NULL), 0);
    ck_rel(nu, 6.516702268415073, 1e-9);
}
END_TEST

START_TEST(siegert_rejects_bad_input_with_code_and_message)
{
    sq_err err = {0};
    double out = -1.0;
    ck_assert_int_eq(sq_siegert_rate(&brunel_lif, 15.0, 0.0, &out, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "siegert: sigma: expected a positive number in mV, got 0");
    ck_assert_int_eq(sq_siegert_rate(&brunel_lif, NAN, 1.0, &out, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "siegert: mu: expected a finite number in mV, got nan");
    sq_siegert_lif bad = brunel_lif;
    bad.tau_m = -20.0;
    ck_assert_int_eq(sq_siegert_cv(&bad, 15.0, 5.0, &out, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "siegert: tau_m: expected a positive number in ms, got -20");
    bad = brunel_lif;
    bad.t_ref = -1.0;
    ck_assert_int_eq(sq_siegert_rate(&bad, 15.0, 5.0, &out, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "siegert: t_ref: expected a non-negative number in ms, got -1");
    bad = brunel_lif;
    bad.theta = 10.0;
    ck_assert_int_eq(sq_siegert_rate(&bad, 15.0, 5.0, &out, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "siegert: theta: expected a number above v_reset (10 mV) in mV, got 10");
    ck_assert_int_eq(sq_siegert_cv(&brunel_lif, -200.0, 10.0, &out, &err), SQ_ERANGE);
    ck_assert_str_eq(err.msg, "siegert: (theta - mu)/sigma: expected at most 18 for the CV, got 22");
    ck_assert_double_eq(out, -1.0); /* untouched on failure */
}
END_TEST

START_TEST(brunel_rate_rejects_bad_model_with_code_and_message)
{
    sq_err err = {0};
    double nu = -1.0;
    sq_brunel_model m = brunel(5.0, 2.0, 1000.0, -0.1);
    ck_assert_int_eq(sq_brunel_rate(&m, &nu, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "brunel: j: expected a positive number in mV, got -0.1");
    m = brunel(-1.0, 2.0, 1000.0, 0.1);
    ck_assert_int_eq(sq_brunel_rate(&m, &nu, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "brunel: g: expected a non-negative number, got -1");
    m = brunel(5.0, 0.0, 1000.0, 0.1);
    ck_assert_int_eq(sq_brunel_rate(&m, &nu, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "brunel: eta: expected a positive number, got 0");
    m = brunel(5.0, 2.0, 0.0, 0.1);
    ck_assert_int_eq(sq_brunel_rate(&m, &nu, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "brunel: c_e: expected a positive in-degree, got 0");
    m = brunel(5.0, 2.0, 1000.0, 0.1);
    m.c_i = -1.0;
    ck_assert_int_eq(sq_brunel_rate(&m, &nu, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "brunel: c_i: expected a non-negative in-degree, got -1");
    m = brunel(5.0, 2.0, 1000.0, 0.1);
    m.lif.theta = -5.0;
    m.lif.v_reset = -10.0;
    ck_assert_int_eq(sq_brunel_rate(&m, &nu, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "brunel: theta: expected a positive number in mV, got -5");
    ck_assert_double_eq(nu, -1.0);
}
END_TEST

static Suite *siegert_suite(void)
{
    Suite *s = suite_create("siegert");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, erfcx_matches_scipy_over_the_whole_range);
    tcase_add_test(tc, siegert_rate_and_cv_match_scipy_quadrature);
    tcase_add_test(tc, siegert_rate_tends_to_the_noise_free_lif_rate_when_sigma_is_small);
    tcase_add_test(tc, brunel_threshold_rate_is_theta_over_j_ce_tau);
    tcase_add_test(tc, brunel_ai_rate_is_the_fixed_point_and_matches_scipy);
    tcase_add_test(tc, brunel_small_and_slow_rates_match_scipy);
    tcase_add_test(tc, siegert_rejects_bad_input_with_code_and_message);
    tcase_add_test(tc, brunel_rate_rejects_bad_model_with_code_and_message);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sq_test_run(siegert_suite());
}
