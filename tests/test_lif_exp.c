/* tests/test_lif_exp.c: neurons/lif_exp.c (NEST iaf_psc_exp) against closed forms written here
 * independently of the model's propagator: step response E_L + I tau_m/C_m (1 - e^{-t/tau_m}); PSP
 * w/C_m (e^{-t/tau_s} - e^{-t/tau_m})/(1/tau_m - 1/tau_s), peak at
 * t_max = tau_m tau_s/(tau_m - tau_s) ln(tau_m/tau_s), and its limit w/C_m t e^{-t/tau} at
 * tau_s == tau_m; ISI t_ref + tau_m ln((V_reset - V_inf)/(V_th - V_inf)) under DC; an up-and-down
 * threshold crossing checked against a root of the closed form (mpmath, 40 digits); next_check()
 * over random states against dense sampling of the closed form in long double. Tolerances: 1e-12
 * relative on V, 1e-9 ms on spike times, unless a test states otherwise. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neuron_fixture.h"
#include "neurons/model.h"
#include "sim/rng.h"
#include "run_suite.h"

/* V(t) of a free LIF with exponential currents, explicit-coefficient form in long double. */
typedef struct {
    long double tau_m, c_m, v_inf, v0, i_ex, tau_ex, i_in, tau_in;
} ref_traj;

static long double kernel(long double t, long double tau_m, long double tau_s)
{
    long double a = 1.0L / tau_m, b = 1.0L / tau_s;
    if (tau_m == tau_s)
        return t * expl(-a * t);
    return (expl(-b * t) - expl(-a * t)) / (a - b);
}

static long double ref_v(const ref_traj *r, long double t)
{
    return r->v_inf + (r->v0 - r->v_inf) * expl(-t / r->tau_m) +
           (r->i_ex * kernel(t, r->tau_m, r->tau_ex) + r->i_in * kernel(t, r->tau_m, r->tau_in)) / r->c_m;
}

START_TEST(descriptor_has_nest_defaults_and_state_layout)
{
    neuron n;
    setup_model(&n, "lif_exp");
    ck_assert_str_eq(n.m->weight_unit, "pA");
    ck_assert_uint_eq(n.m->n_state, 6);
    ck_assert_str_eq(n.m->state_names[0], "t");
    ck_assert_str_eq(n.m->state_names[n.m->v_index], "V_m");
    const char *names[] = {"C_m", "tau_m", "tau_syn_ex", "tau_syn_in", "t_ref", "E_L", "V_reset", "V_th", "I_e"};
    const double defs[] = {250.0, 10.0, 2.0, 2.0, 2.0, -70.0, -70.0, -55.0, 0.0};
    for (size_t i = 0; i < SQ_COUNT(names); i++)
        ck_assert_double_eq(n.p[idx(&n, names[i])], defs[i]);
    ck_assert_uint_le(n.m->n_derived, 32);
}
END_TEST

START_TEST(step_current_response_matches_closed_form)
{
    neuron a, b;
    setup_model(&a, "lif_exp");
    set(&a, "I_e", 200.0);
    start(&a);
    setup_model(&b, "lif_exp");
    start(&b);
    b.m->add_current(b.p, b.d, b.s, 200.0);
    double t_spike;
    for (double t = 0.3; t < 60.0; t += 3.1) {
        ck_assert_int_eq(adv(&a, t, &t_spike), 0);
        ck_assert_int_eq(adv(&b, t, &t_spike), 0);
        double exact = -70.0 + 200.0 * 10.0 / 250.0 * (1.0 - exp(-t / 10.0));
        ck_assert_double_eq_tol(v(&a), exact, 1e-12 * fabs(exact));
        ck_assert_double_eq_tol(v(&b), exact, 1e-12 * fabs(exact));
    }
}
END_TEST

/* One input of w pA at t = 0 from rest; checks V against the closed form at several times and at
 * the peak t_max, and that t_max is the peak (V lower 1e-3 ms either side). */
static void check_psp(double tau_s, double w, double t_max, double amp)
{
    neuron n;
    setup_model(&n, "lif_exp");
    set(&n, "tau_syn_ex", tau_s);
    set(&n, "tau_syn_in", tau_s);
    start(&n);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, w), 0);
    ref_traj r = {10.0L, 250.0L, -70.0L, -70.0L, w > 0 ? w : 0, tau_s, w < 0 ? w : 0, tau_s};
    double t_spike, t = 0.0;
    for (int k = 0; k < 12; k++) {
        t += 0.37 * (k + 1);
        ck_assert_int_eq(adv(&n, t, &t_spike), 0);
        double exact = (double)ref_v(&r, t);
        ck_assert_double_eq_tol(v(&n), exact, 1e-12 * fabs(exact));
    }
    double v_at[3];
    for (int k = -1; k <= 1; k++) {
        neuron m = n;
        m.m->init(m.p, m.d, m.s, 0.0);
        m.m->input(m.p, m.d, m.s, w);
        ck_assert_int_eq(adv(&m, t_max + 1e-3 * k, &t_spike), 0);
        v_at[k + 1] = v(&m) + 70.0;
    }
    ck_assert_double_eq_tol(v_at[1], amp, 1e-12 * fabs(amp));
    ck_assert(fabs(v_at[0]) < fabs(v_at[1]) && fabs(v_at[2]) < fabs(v_at[1]));
}

START_TEST(psp_peak_time_and_amplitude_match_closed_form)
{
    /* tau_m = 10, tau_s = 2: t_max = 20/8 ln 5; P(t_max) = tau_s e^{-t_max/tau_m}. */
    double t_max = 10.0 * 2.0 / 8.0 * log(5.0);
    check_psp(2.0, 100.0, t_max, 100.0 / 250.0 * 2.0 * exp(-t_max / 10.0));
    /* tau_s = 20 > tau_m exercises the other branch of the propagator. */
    t_max = 10.0 * 20.0 / -10.0 * log(0.5);
    check_psp(20.0, 100.0, t_max, 100.0 / 250.0 * 20.0 * exp(-t_max / 10.0));
}
END_TEST

START_TEST(psp_in_the_singular_case_tau_s_equal_tau_m_is_the_limit)
{
    /* tau_s = tau_m = 10: V - E_L = w/C t e^{-t/tau}, peak at t = tau, amplitude w/C tau/e. */
    check_psp(10.0, 100.0, 10.0, 100.0 / 250.0 * 10.0 / M_E);
}
END_TEST

START_TEST(psp_is_continuous_when_tau_s_is_within_1e_9_of_tau_m)
{
    /* Reference: the series P = e^{-at} sum_k (a-b)^{k-1} t^k / k!, exact for any a - b, in long
     * double. The naive (e^{-bt} - e^{-at})/(a - b) would lose ~9 digits here. */
    const double eps[] = {1e-9, -1e-9, 1e-12, -3e-10};
    for (size_t e = 0; e < SQ_COUNT(eps); e++) {
        double tau_s = 10.0 * (1.0 + eps[e]);
        neuron n;
        setup_model(&n, "lif_exp");
        set(&n, "tau_syn_ex", tau_s);
        start(&n);
        n.m->input(n.p, n.d, n.s, 100.0);
        double t_spike;
        for (double t = 0.5; t < 40.0; t += 4.5) {
            ck_assert_int_eq(adv(&n, t, &t_spike), 0);
            long double a = 1.0L / 10.0L, delta = a - 1.0L / (long double)tau_s, term = t, sum = 0.0L;
            for (int k = 1; k < 30; k++) {
                sum += term;
                term *= delta * t / (k + 1);
            }
            double exact = (double)(100.0L / 250.0L * expl(-a * t) * sum);
            double limit = 100.0 / 250.0 * t * exp(-t / 10.0);
            ck_assert_double_eq_tol(v(&n) + 70.0, exact, 1e-12 * exact);
            ck_assert_double_eq_tol(v(&n) + 70.0, limit, 1e-8 * limit);
        }
    }
}
END_TEST

START_TEST(inhibitory_input_goes_to_i_in_and_hyperpolarises)
{
    double t_max = 10.0 * 2.0 / 8.0 * log(5.0);
    check_psp(2.0, -100.0, t_max, -100.0 / 250.0 * 2.0 * exp(-t_max / 10.0));
    neuron n;
    setup_model(&n, "lif_exp");
    set(&n, "tau_syn_in", 5.0);
    start(&n);
    n.m->input(n.p, n.d, n.s, -40.0);
    n.m->input(n.p, n.d, n.s, 25.0);
    ck_assert_double_eq(n.s[sidx(&n, "I_in")], -40.0);
    ck_assert_double_eq(n.s[sidx(&n, "I_ex")], 25.0);
    double t_spike;
    ck_assert_int_eq(adv(&n, 3.0, &t_spike), 0);
    ck_assert_double_eq_tol(n.s[sidx(&n, "I_in")], -40.0 * exp(-3.0 / 5.0), 1e-12 * 40.0);
    ck_assert_double_eq_tol(n.s[sidx(&n, "I_ex")], 25.0 * exp(-3.0 / 2.0), 1e-12 * 25.0);
    ref_traj r = {10.0L, 250.0L, -70.0L, -70.0L, 25.0L, 2.0L, -40.0L, 5.0L};
    double exact = (double)ref_v(&r, 3.0L);
    ck_assert_double_eq_tol(v(&n), exact, 1e-12 * fabs(exact));
    ck_assert(v(&n) < -70.0);
}
END_TEST

START_TEST(isi_under_suprathreshold_current_matches_closed_form)
{
    neuron n;
    setup_model(&n, "lif_exp");
    set(&n, "I_e", 500.0); /* V_inf = -50 mV */
    start(&n);
    double t_free = 10.0 * log(20.0 / 5.0), isi = 2.0 + t_free, t_spike, t_last = 0.0;
    int k = 0;
    for (double t = 0.9; t < 200.0; t += 0.9) {
        t_last = t;
        while (adv(&n, t, &t_spike)) {
            ck_assert_double_eq_tol(t_spike, t_free + k * isi, 1e-9);
            ck_assert_double_eq(v(&n), -70.0);
            k++;
        }
    }
    ck_assert_int_eq(k, (int)floor((t_last - t_free) / isi) + 1);
    /* Driven by next_check() alone, the same spike times. */
    n.m->init(n.p, n.d, n.s, 0.0);
    for (k = 0; k < 8; k++) {
        double tc = n.m->next_check(n.p, n.d, n.s);
        while (!adv(&n, tc, &t_spike))
            tc = n.m->next_check(n.p, n.d, n.s);
        ck_assert_double_eq_tol(t_spike, t_free + k * isi, 1e-9);
    }
}
END_TEST

START_TEST(crossing_that_goes_up_and_back_down_within_one_interval_is_found)
{
    /* V0 = -56, I_ex = 800 pA at t = 0: V rises above V_th = -55 at t1 = 0.8899847263155510 ms
     * (root of the closed form, mpmath at 40 digits), peaks near -54.84 and falls back below at
     * 2.18 ms; at the interval end t = 10 it is near -61.96, far below threshold. */
    neuron n;
    setup_model(&n, "lif_exp");
    start(&n);
    n.s[n.m->v_index] = -56.0;
    n.m->input(n.p, n.d, n.s, 800.0);
    ref_traj r = {10.0L, 250.0L, -70.0L, -56.0L, 800.0L, 2.0L, 0.0L, 2.0L};
    ck_assert(ref_v(&r, 10.0L) < -61.0L);
    neuron m = n;
    double t_spike;
    ck_assert_int_eq(adv(&n, 10.0, &t_spike), 1);
    ck_assert_double_eq_tol(t_spike, 0.8899847263155510, 1e-9);
    ck_assert_double_eq(v(&n), -70.0);
    ck_assert_double_eq_tol(n.s[sidx(&n, "I_ex")], 800.0 * exp(-t_spike / 2.0), 1e-9);
    double tc = m.m->next_check(m.p, m.d, m.s);
    ck_assert(tc <= 0.8899847263155510 + 1e-12);
    ck_assert_double_eq_tol(tc, 0.8899847263155510, 1e-9);
    ck_assert_int_eq(adv(&m, tc, &t_spike), 1);
    ck_assert_double_eq(t_spike, tc);
}
END_TEST

/* First time in [0, h] where r reaches v_th: dense grid (step dt) then bisection; -1 if none. */
static long double ref_crossing(const ref_traj *r, long double v_th, long double h, long double dt)
{
    long double prev = 0.0L;
    for (long double t = dt; t <= h; t += dt) {
        if (ref_v(r, t) < v_th) {
            prev = t;
            continue;
        }
        long double lo = prev, hi = t;
        while (hi - lo > 1e-14L) {
            long double mid = 0.5L * (lo + hi);
            if (ref_v(r, mid) >= v_th)
                hi = mid;
            else
                lo = mid;
        }
        return hi;
    }
    return -1.0L;
}

START_TEST(next_check_is_never_later_than_the_true_crossing_over_random_states)
{
    const double taus_m[] = {10.0, 20.0}, taus_s[] = {0.5, 2.0, 5.0, 10.0, 20.0, 30.0};
    sq_rng rng;
    sq_rng_init(&rng, 20240611u, 7u);
    int n_cross = 0, n_none = 0, n_inf = 0;
    for (int trial = 0; trial < 600; trial++) {
        neuron n;
        setup_model(&n, "lif_exp");
        double tau_m = taus_m[sq_rng_below(&rng, 2)];
        double tau_ex = sq_rng_below(&rng, 4) == 0 ? tau_m : taus_s[sq_rng_below(&rng, 6)];
        double tau_in = taus_s[sq_rng_below(&rng, 6)];
        double i_e = -100.0 + 500.0 * sq_rng_uniform(&rng);
        set(&n, "tau_m", tau_m);
        set(&n, "tau_syn_ex", tau_ex);
        set(&n, "tau_syn_in", tau_in);
        set(&n, "I_e", i_e);
        start(&n);
        double v0 = -72.0 + 16.9 * sq_rng_uniform(&rng);
        double i_ex = 1500.0 * sq_rng_uniform(&rng), i_in = -1500.0 * sq_rng_uniform(&rng);
        n.s[n.m->v_index] = v0;
        n.s[sidx(&n, "I_ex")] = i_ex;
        n.s[sidx(&n, "I_in")] = i_in;
        ref_traj r = {tau_m, 250.0L, -70.0L + i_e * tau_m / 250.0L, v0, i_ex, tau_ex, i_in, tau_in};
        long double t_true = ref_crossing(&r, -55.0L, 60.0L, 0.005L);
        double tc = n.m->next_check(n.p, n.d, n.s), t_spike;
        int fired = adv(&n, 60.0, &t_spike);
        if (t_true >= 0.0L) {
            n_cross++;
            ck_assert_msg(tc <= (double)t_true + 1e-9, "trial %d: next_check %.15g > crossing %.15Lg", trial,
                          tc, t_true);
            ck_assert_msg(fired && t_spike <= (double)t_true + 1e-9, "trial %d: crossing at %.15Lg missed",
                          trial, t_true);
        } else {
            n_none++;
            n_inf += tc == INFINITY;
        }
        /* Any spike reported is a real crossing of the closed form, and next_check came no later. */
        if (fired) {
            ck_assert(ref_v(&r, t_spike) >= -55.0L - 1e-9L);
            ck_assert(tc <= t_spike + 1e-9);
        }
    }
    /* The sample covers both outcomes, and the cheap bound settles a share of the quiet states. */
    ck_assert_int_gt(n_cross, 100);
    ck_assert_int_gt(n_none, 100);
    ck_assert_int_gt(n_inf, 20);
}
END_TEST

START_TEST(refractory_clamps_v_while_currents_decay)
{
    neuron n;
    setup_model(&n, "lif_exp");
    set(&n, "I_e", 500.0);
    set(&n, "V_reset", -65.0);
    start(&n);
    double t_spike, t1 = 10.0 * log(20.0 / 5.0);
    ck_assert_int_eq(adv(&n, 5.0 + t1, &t_spike), 1);
    ck_assert_double_eq_tol(t_spike, t1, 1e-9);
    ck_assert_int_eq(adv(&n, t1 + 0.5, &t_spike), 0);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 300.0), 0);
    ck_assert_int_eq(adv(&n, t1 + 1.5, &t_spike), 0);
    ck_assert_double_eq(v(&n), -65.0);
    ck_assert_double_eq_tol(n.s[sidx(&n, "I_ex")], 300.0 * exp(-0.5), 1e-12 * 300.0);
    /* Released at t1 + 2 from V_reset with I_ex = 300 e^{-0.75}. next_check() while refractory:
     * no earlier than the release and no later than the crossing after it. */
    ref_traj r = {10.0L, 250.0L, -50.0L, -65.0L, 300.0L * expl(-0.75L), 2.0L, 0.0L, 2.0L};
    double tc = n.m->next_check(n.p, n.d, n.s), t_cross = t_spike + 2.0 + (double)ref_crossing(&r, -55.0L, 60.0L, 0.005L);
    ck_assert(tc >= t_spike + 2.0 && tc <= t_cross);
    /* Checked 1 ms after the release. */
    ck_assert_int_eq(adv(&n, t1 + 3.0, &t_spike), 0);
    double exact = (double)ref_v(&r, 1.0L);
    ck_assert_double_eq_tol(v(&n), exact, 1e-12 * fabs(exact));
}
END_TEST

START_TEST(long_quiet_interval_then_dc_fires_at_the_closed_form_time)
{
    /* 1e6 ms without input (the propagators must neither overflow nor lose the state), then
     * 1e4 pA: V_inf = 330 mV, crossing after 10 ln(400/385) ms. 1e-9 ms is ~8 ulp of 1e6 ms. */
    neuron n;
    setup_model(&n, "lif_exp");
    set(&n, "tau_syn_ex", 50.0);
    set(&n, "tau_syn_in", 0.1);
    start(&n);
    n.m->input(n.p, n.d, n.s, 300.0);
    n.m->input(n.p, n.d, n.s, -900.0);
    double t_spike;
    ck_assert_int_eq(adv(&n, 1e6, &t_spike), 0);
    ck_assert_double_eq_tol(v(&n), -70.0, 1e-12);
    ck_assert(n.m->next_check(n.p, n.d, n.s) == INFINITY);
    n.m->add_current(n.p, n.d, n.s, 1e4);
    double expected = 1e6 + 10.0 * log(400.0 / 385.0), tc = n.m->next_check(n.p, n.d, n.s);
    ck_assert_double_eq_tol(tc, expected, 1e-9);
    ck_assert_int_eq(adv(&n, 2e6, &t_spike), 1);
    ck_assert_double_eq_tol(t_spike, expected, 1e-9);
}
END_TEST

/* The Vogels-Abbott CUBA parameters (Brette et al. 2007, benchmark 2): E_L = -49 mV lies above
 * V_th = -50 mV, so every free state crosses threshold eventually. tau_syn_ex/in: 5/10 ms (time
 * constants commensurate with tau_m = 20 ms) or 4.3/7.7 ms (not). */
static void setup_cuba(neuron *n, double tau_ex, double tau_in)
{
    setup_model(n, "lif_exp");
    set(n, "tau_m", 20.0);
    set(n, "C_m", 250.0);
    set(n, "E_L", -49.0);
    set(n, "V_th", -50.0);
    set(n, "V_reset", -60.0);
    set(n, "t_ref", 5.0);
    set(n, "tau_syn_ex", tau_ex);
    set(n, "tau_syn_in", tau_in);
    start(n);
}

START_TEST(commensurate_propagator_matches_closed_form)
{
    /* 20/5/10 ms and 10/10/5 ms (tau_syn_ex == tau_m: P = t e^{-at}) take the commensurate path;
     * intervals from 1e-4 ms (series) to 300 ms (exp). Tolerance 1e-12 relative, as above. */
    const double taus[2][3] = {{20.0, 5.0, 10.0}, {10.0, 10.0, 5.0}};
    const double dts[] = {1e-4, 0.013, 0.1, 0.31, 2.3, 15.0, 300.0};
    for (int k = 0; k < 2; k++)
        for (size_t j = 0; j < SQ_COUNT(dts); j++) {
            neuron n;
            setup_model(&n, "lif_exp");
            set(&n, "tau_m", taus[k][0]);
            set(&n, "tau_syn_ex", taus[k][1]);
            set(&n, "tau_syn_in", taus[k][2]);
            start(&n);
            n.s[n.m->v_index] = -62.0;
            n.m->input(n.p, n.d, n.s, 310.0);
            n.m->input(n.p, n.d, n.s, -170.0);
            ref_traj r = {taus[k][0], 250.0L, -70.0L, -62.0L, 310.0L, taus[k][1], -170.0L, taus[k][2]};
            double t_spike, exact = (double)ref_v(&r, dts[j]);
            ck_assert_int_eq(adv(&n, dts[j], &t_spike), 0);
            ck_assert_double_eq_tol(v(&n), exact, 1e-12 * fabs(exact));
            ck_assert_double_eq_tol(n.s[sidx(&n, "I_ex")], 310.0 * exp(-dts[j] / taus[k][1]), 1e-12 * 310.0);
            ck_assert_double_eq_tol(n.s[sidx(&n, "I_in")], -170.0 * exp(-dts[j] / taus[k][2]), 1e-12 * 170.0);
        }
}
END_TEST

START_TEST(next_check_chain_is_never_late_when_e_l_is_above_v_th)
{
    /* Random CUBA states; the neuron is driven by next_check() alone (woken at each answer, asked
     * again), as the engine does without inputs. Every answer must come no later than the first
     * crossing of the closed form (dense sampling, 0.01 ms, then bisection), and the spike must
     * fall on it within 1e-9 ms. */
    sq_rng rng;
    sq_rng_init(&rng, 20240612u, 3u);
    for (int trial = 0; trial < 300; trial++) {
        int comm = trial % 2 == 0;
        neuron n;
        setup_cuba(&n, comm ? 5.0 : 4.3, comm ? 10.0 : 7.7);
        double v0 = -60.0 + 9.99 * sq_rng_uniform(&rng);
        double i_ex = 600.0 * sq_rng_uniform(&rng), i_in = -1200.0 * sq_rng_uniform(&rng);
        if (trial % 5 == 0)
            v0 = -50.0 - 0.05 * sq_rng_uniform(&rng); /* close to threshold: the exact tier */
        n.s[n.m->v_index] = v0;
        n.s[sidx(&n, "I_ex")] = i_ex;
        n.s[sidx(&n, "I_in")] = i_in;
        ref_traj r = {20.0L, 250.0L, -49.0L, v0, i_ex, comm ? 5.0L : 4.3L, i_in, comm ? 10.0L : 7.7L};
        long double t_true = ref_crossing(&r, -50.0L, 400.0L, 0.01L);
        ck_assert(t_true > 0.0L);
        double t_spike = -1.0;
        int wakes = 0;
        for (; wakes < 1000; wakes++) {
            double tc = n.m->next_check(n.p, n.d, n.s);
            ck_assert_msg(tc <= (double)t_true + 1e-9, "trial %d: next_check %.15g > crossing %.15Lg", trial, tc,
                          t_true);
            if (adv(&n, tc, &t_spike))
                break;
        }
        ck_assert_int_lt(wakes, 1000);
        ck_assert_msg(fabs(t_spike - (double)t_true) <= 1e-9, "trial %d: spike %.15g, crossing %.15Lg", trial,
                      t_spike, t_true);
    }
}
END_TEST

START_TEST(advance_finds_crossings_over_random_intervals_when_e_l_is_above_v_th)
{
    /* advance() over intervals of 1e-3 to 5 ms from random CUBA states (where the cheap bound
     * rules out most crossings) fires exactly when the closed form crosses inside the interval. */
    sq_rng rng;
    sq_rng_init(&rng, 20240613u, 5u);
    int n_fired = 0;
    for (int trial = 0; trial < 2000; trial++) {
        int comm = trial % 2 == 0;
        neuron n;
        setup_cuba(&n, comm ? 5.0 : 4.3, comm ? 10.0 : 7.7);
        double v0 = -50.0 - 2.0 * sq_rng_uniform(&rng) * sq_rng_uniform(&rng);
        double i_ex = 800.0 * sq_rng_uniform(&rng), i_in = -600.0 * sq_rng_uniform(&rng);
        double T = 1e-3 * pow(5000.0, sq_rng_uniform(&rng));
        n.s[n.m->v_index] = v0;
        n.s[sidx(&n, "I_ex")] = i_ex;
        n.s[sidx(&n, "I_in")] = i_in;
        ref_traj r = {20.0L, 250.0L, -49.0L, v0, i_ex, comm ? 5.0L : 4.3L, i_in, comm ? 10.0L : 7.7L};
        long double t_true = ref_crossing(&r, -50.0L, T, T / 2000.0L);
        double t_spike;
        int fired = adv(&n, T, &t_spike);
        if (t_true >= 0.0L) {
            ck_assert_msg(fired && fabs(t_spike - (double)t_true) <= 1e-9, "trial %d: crossing at %.15Lg", trial,
                          t_true);
            n_fired++;
        } else if (fired) {
            /* A crossing the sampling missed (up and down between two samples) must be real. */
            ck_assert(ref_v(&r, t_spike) >= -50.0L - 1e-9L);
        }
    }
    ck_assert_int_gt(n_fired, 200);
}
END_TEST

START_TEST(integrate_is_bit_for_bit_the_advance_input_sequence)
{
    /* 2000 windows of 0.1 ms with 0-3 random inputs each (20.25, -112.5 or 300 pA), through
     * integrate() on one copy and advance()/input() on the other, as model.h requires: the same
     * spikes and the same state bits. Both CUBA variants, so both propagators. */
    const float ws[3] = {20.25f, -112.5f, 300.0f};
    for (int comm = 0; comm < 2; comm++) {
        neuron a;
        setup_cuba(&a, comm ? 5.0 : 4.3, comm ? 10.0 : 7.7);
        a.s[a.m->v_index] = -55.0;
        ck_assert_uint_gt(expect_integrate_matches_reference(&a, ws, 3, 2000, 0.1, 20240614u + (uint64_t)comm), 10);
    }
}
END_TEST

START_TEST(check_rejects_v_reset_not_below_v_th)
{
    neuron n;
    setup_model(&n, "lif_exp");
    set(&n, "V_reset", -50.0);
    sq_err err = {0, ""};
    ck_assert_int_eq(n.m->check(n.p, "net.json: populations[0].params", &err), SQ_ECONFIG);
    ck_assert_int_eq(err.code, SQ_ECONFIG);
    ck_assert_str_eq(err.msg,
                     "net.json: populations[0].params.V_reset: expected less than V_th = -55 mV, got -50 mV");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lif_exp");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, descriptor_has_nest_defaults_and_state_layout);
    tcase_add_test(tc, step_current_response_matches_closed_form);
    tcase_add_test(tc, psp_peak_time_and_amplitude_match_closed_form);
    tcase_add_test(tc, psp_in_the_singular_case_tau_s_equal_tau_m_is_the_limit);
    tcase_add_test(tc, psp_is_continuous_when_tau_s_is_within_1e_9_of_tau_m);
    tcase_add_test(tc, inhibitory_input_goes_to_i_in_and_hyperpolarises);
    tcase_add_test(tc, isi_under_suprathreshold_current_matches_closed_form);
    tcase_add_test(tc, crossing_that_goes_up_and_back_down_within_one_interval_is_found);
    tcase_add_test(tc, next_check_is_never_later_than_the_true_crossing_over_random_states);
    tcase_add_test(tc, refractory_clamps_v_while_currents_decay);
    tcase_add_test(tc, long_quiet_interval_then_dc_fires_at_the_closed_form_time);
    tcase_add_test(tc, commensurate_propagator_matches_closed_form);
    tcase_add_test(tc, next_check_chain_is_never_late_when_e_l_is_above_v_th);
    tcase_add_test(tc, advance_finds_crossings_over_random_intervals_when_e_l_is_above_v_th);
    tcase_add_test(tc, integrate_is_bit_for_bit_the_advance_input_sequence);
    tcase_add_test(tc, check_rejects_v_reset_not_below_v_th);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
