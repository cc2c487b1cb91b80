/* tests/test_lif_cond_exp.c: neurons/lif_cond_exp.c (NEST iaf_cond_exp) against references written
 * here independently of the model's series: the closed form without conductance (E_L + I/g_L
 * relaxation, its crossing time and ISI); the integrating-factor solution
 * V(t) = e^{-K(t)} (V0 + int_0^t f(s) e^{K(s)} ds), K in closed form, by composite 5-point
 * Gauss-Legendre quadrature in long double; and classical RK4 in long double on (V, g_ex, g_in) with
 * steps of 1e-3 ms (global error < 1e-11 mV here); both in tests/cond_reference.h. Tolerances: 1e-9 mV on V (the model's truncation
 * bound is 1e-11 mV per step), 1e-9 ms on spike times, 1e-12 relative for the closed forms. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cond_reference.h"
#include "neuron_fixture.h"
#include "neurons/model.h"
#include "run_suite.h"
#include "sim/rng.h"

static ref_par par_of(const neuron *n)
{
    ref_par r = {get(n, "C_m"), get(n, "g_L"), get(n, "E_L"), get(n, "E_ex"), get(n, "E_in"),
                 get(n, "tau_syn_ex"), get(n, "tau_syn_in"), get(n, "I_e")};
    return r;
}

static ref_state state_of(const neuron *n)
{
    ref_state x = {v(n), n->s[sidx(n, "g_ex")], n->s[sidx(n, "g_in")]};
    return x;
}

/* The Vogels-Abbott COBA neuron (coba.json): 5/10 ms, r = 2. */
static void setup_coba(neuron *n)
{
    setup_model(n, "lif_cond_exp");
    set(n, "C_m", 200.0);
    set(n, "g_L", 10.0);
    set(n, "E_L", -60.0);
    set(n, "E_in", -80.0);
    set(n, "tau_syn_ex", 5.0);
    set(n, "tau_syn_in", 10.0);
    set(n, "t_ref", 5.0);
    set(n, "V_reset", -60.0);
    set(n, "V_th", -50.0);
}

/* Four kinds of time constants: NEST's 0.2/2 ms (r = 10), COBA's 5/10 ms (r = 2), 4.3/2.9 ms
 * (excitation slower, ratio not an integer: the truncated-binomial path) and 0.15/7 ms (r = 46.7:
 * the truncated-binomial path with its shorter steps). */
static void setup_kind(neuron *n, int kind)
{
    if (kind == 1) {
        setup_coba(n);
        return;
    }
    setup_model(n, "lif_cond_exp");
    if (kind == 2) {
        set(n, "tau_syn_ex", 4.3);
        set(n, "tau_syn_in", 2.9);
    } else if (kind == 3) {
        set(n, "tau_syn_ex", 0.15);
        set(n, "tau_syn_in", 7.0);
    }
}

START_TEST(descriptor_has_nest_defaults_and_state_layout)
{
    neuron n;
    setup_model(&n, "lif_cond_exp");
    ck_assert_str_eq(n.m->weight_unit, "nS");
    ck_assert_uint_eq(n.m->n_state, 6);
    ck_assert_str_eq(n.m->state_names[0], "t");
    ck_assert_str_eq(n.m->state_names[n.m->v_index], "V_m");
    const char *names[] = {"V_th", "V_reset", "t_ref", "g_L", "C_m", "E_ex", "E_in", "E_L", "tau_syn_ex",
                           "tau_syn_in", "I_e"};
    const double defs[] = {-55.0, -60.0, 2.0, 16.6667, 250.0, 0.0, -85.0, -70.0, 0.2, 2.0, 0.0};
    for (size_t i = 0; i < SQ_COUNT(names); i++)
        ck_assert_double_eq(get(&n, names[i]), defs[i]);
    ck_assert_uint_le(n.m->n_derived, 32);
    ck_assert_uint_le(n.m->n_params, 16);
}
END_TEST

START_TEST(without_conductance_v_relaxes_as_the_closed_form)
{
    /* I_e = 200 pA: V_inf = -70 + 200/16.6667 mV; and the same current from add_current(). */
    neuron a, b;
    setup_model(&a, "lif_cond_exp");
    set(&a, "I_e", 200.0);
    start(&a);
    setup_model(&b, "lif_cond_exp");
    start(&b);
    b.m->add_current(b.p, b.d, b.s, 200.0);
    double t_spike, tau = 250.0 / 16.6667, v_inf = -70.0 + 200.0 / 16.6667;
    for (double t = 0.3; t < 80.0; t += 3.1) {
        ck_assert_int_eq(adv(&a, t, &t_spike), 0);
        ck_assert_int_eq(adv(&b, t, &t_spike), 0);
        double exact = v_inf + (-70.0 - v_inf) * exp(-t / tau);
        ck_assert_double_eq_tol(v(&a), exact, 1e-12 * fabs(exact));
        ck_assert_double_eq_tol(v(&b), exact, 1e-12 * fabs(exact));
    }
}
END_TEST

START_TEST(isi_under_suprathreshold_current_matches_closed_form)
{
    neuron n;
    setup_model(&n, "lif_cond_exp");
    set(&n, "I_e", 400.0); /* V_inf = -70 + 24 = -46 mV */
    start(&n);
    double tau = 250.0 / 16.6667, v_inf = -70.0 + 400.0 / 16.6667;
    double t1 = tau * log((v_inf + 70.0) / (v_inf + 55.0)), isi = 2.0 + tau * log((v_inf + 60.0) / (v_inf + 55.0));
    double t_spike;
    int k = 0;
    for (double t = 0.7; t < 300.0; t += 0.7)
        while (adv(&n, t, &t_spike)) {
            ck_assert_double_eq_tol(t_spike, k == 0 ? t1 : t1 + k * isi, 1e-9);
            ck_assert_double_eq(v(&n), -60.0);
            k++;
        }
    ck_assert_int_gt(k, 10);
}
END_TEST

/* One input of w nS at t = 0 from V0 with injected current i_e; V against the quadrature at several
 * times up to 60 ms (crossing into long steps and, for the fallback, many short ones). */
static void check_single_input(int kind, double w, double v0, double i_e)
{
    neuron n;
    setup_kind(&n, kind);
    set(&n, "I_e", i_e);
    set(&n, "V_th", 0.0); /* far: this checks the trajectory, not the threshold */
    set(&n, "V_reset", -70.0);
    start(&n);
    n.s[n.m->v_index] = v0;
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, w), 0);
    ref_par r = par_of(&n);
    ref_state x0 = state_of(&n);
    double t_spike, t = 0.0;
    for (int k = 0; k < 14; k++) {
        t += 0.061 * (k + 1) * (k + 1);
        ck_assert_int_eq(adv(&n, t, &t_spike), 0);
        double ref = (double)quad_v(&r, x0, t);
        ck_assert_msg(fabs(v(&n) - ref) <= 1e-9, "kind %d w %g t %g: V %.15g, reference %.15g", kind, w, t, v(&n), ref);
    }
    double g = n.s[sidx(&n, w >= 0 ? "g_ex" : "g_in")], tau = get(&n, w >= 0 ? "tau_syn_ex" : "tau_syn_in");
    ck_assert_double_eq_tol(g, fabs(w) * exp(-t / tau), 1e-12 * fabs(w));
}

START_TEST(single_excitatory_conductance_matches_the_quadrature)
{
    for (int kind = 0; kind < 4; kind++) {
        check_single_input(kind, 6.0, -60.0, 0.0);
        check_single_input(kind, 80.0, -65.0, 0.0);
    }
}
END_TEST

START_TEST(single_inhibitory_conductance_matches_the_quadrature)
{
    for (int kind = 0; kind < 4; kind++) {
        check_single_input(kind, -67.0, -55.0, 150.0);
        check_single_input(kind, -400.0, -58.0, 0.0);
    }
    /* The inhibitory input lands in g_in and hyperpolarises. */
    neuron n;
    setup_coba(&n);
    start(&n);
    n.m->input(n.p, n.d, n.s, -67.0);
    n.m->input(n.p, n.d, n.s, 6.0);
    ck_assert_double_eq(n.s[sidx(&n, "g_in")], 67.0);
    ck_assert_double_eq(n.s[sidx(&n, "g_ex")], 6.0);
    double t_spike;
    ck_assert_int_eq(adv(&n, 3.0, &t_spike), 0);
    ck_assert(v(&n) < -60.0);
}
END_TEST

START_TEST(suprathreshold_input_fires_at_the_reference_crossing)
{
    for (int kind = 0; kind < 4; kind++) {
        neuron n;
        setup_kind(&n, kind);
        start(&n);
        n.s[n.m->v_index] = get(&n, "V_th") - 6.0;
        double w = kind == 0 || kind == 3 ? 600.0 : 40.0; /* 0.2 and 0.15 ms need a larger conductance */
        n.m->input(n.p, n.d, n.s, w);
        ref_par r = par_of(&n);
        ref_state x0 = state_of(&n);
        long double t_true = rk4_crossing(&r, x0, get(&n, "V_th"), 30.0L);
        ck_assert(t_true > 0.0L);
        /* The quadrature agrees with the RK4 reference at the crossing. */
        ck_assert(fabsl(quad_v(&r, x0, t_true) - get(&n, "V_th")) < 1e-9L);
        double t_spike;
        ck_assert_int_eq(adv(&n, 30.0, &t_spike), 1);
        ck_assert_msg(fabs(t_spike - (double)t_true) <= 1e-9, "kind %d: spike %.15g, reference %.15Lg", kind,
                      t_spike, t_true);
        ck_assert_double_eq(v(&n), get(&n, "V_reset"));
        ck_assert_double_eq_tol(n.s[sidx(&n, "g_ex")], w * exp(-t_spike / get(&n, "tau_syn_ex")), 1e-10);
    }
}
END_TEST

START_TEST(refractory_clamps_v_while_conductances_decay)
{
    neuron n;
    setup_coba(&n);
    set(&n, "I_e", 250.0); /* V_inf = -35 mV */
    start(&n);
    double t_spike, t1 = 20.0 * log(25.0 / 15.0);
    ck_assert_int_eq(adv(&n, 50.0, &t_spike), 1);
    ck_assert_double_eq_tol(t_spike, t1, 1e-9);
    ck_assert_int_eq(adv(&n, t1 + 1.0, &t_spike), 0);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 30.0), 0);
    ck_assert_int_eq(adv(&n, t1 + 4.0, &t_spike), 0);
    ck_assert_double_eq(v(&n), -60.0);
    ck_assert_double_eq_tol(n.s[sidx(&n, "g_ex")], 30.0 * exp(-3.0 / 5.0), 1e-12 * 30.0);
    /* next_check() while refractory: not before the release at t1 + 5, not after the crossing. */
    ref_par r = par_of(&n);
    ref_state x = {-60.0L, 30.0L * expl(-4.0L / 5.0L), 0.0L};
    long double t_cross = t1 + 5.0 + rk4_crossing(&r, x, -50.0L, 30.0L);
    double tc = n.m->next_check(n.p, n.d, n.s);
    ck_assert(tc >= t1 + 5.0 && tc <= (double)t_cross + 1e-9);
    /* Released at t1 + 5 from V_reset; checked 1.5 ms later against RK4. */
    ck_assert_int_eq(adv(&n, t1 + 6.5, &t_spike), 0);
    ck_assert(fabsl(v(&n) - rk4_to(&r, x, 1.5L).v) < 1e-9L);
    ck_assert_int_eq(adv(&n, 100.0, &t_spike), 1);
    ck_assert_double_eq_tol(t_spike, (double)t_cross, 1e-9);
}
END_TEST

START_TEST(crossing_that_goes_up_and_back_down_within_one_interval_is_found)
{
    /* V0 = -50.8 mV and 4 nS of excitation: V rises just above V_th = -50 mV (peak about -49.98 mV
     * near 3.5 ms) and falls back to about -51.26 mV at the end of the 10 ms interval. */
    neuron n;
    setup_coba(&n);
    start(&n);
    n.s[n.m->v_index] = -50.8;
    n.m->input(n.p, n.d, n.s, 4.0);
    ref_par r = par_of(&n);
    ref_state x0 = state_of(&n);
    long double t_true = rk4_crossing(&r, x0, -50.0L, 10.0L);
    ck_assert(t_true > 0.0L);
    ck_assert(rk4_to(&r, x0, 10.0L).v < -51.0L);
    neuron m = n;
    double t_spike;
    ck_assert_int_eq(adv(&n, 10.0, &t_spike), 1);
    ck_assert_double_eq_tol(t_spike, (double)t_true, 1e-9);
    double tc = m.m->next_check(m.p, m.d, m.s);
    ck_assert(tc <= (double)t_true + 1e-9);
}
END_TEST

/* A random state of kind `kind` near threshold; returns the reference crossing within h, or -1. */
static long double random_state(neuron *n, int kind, sq_rng *rng, long double h)
{
    setup_kind(n, kind);
    set(n, "I_e", -100.0 + 400.0 * sq_rng_uniform(rng));
    start(n);
    double v_th = get(n, "V_th");
    n->s[n->m->v_index] = v_th - 12.0 * sq_rng_uniform(rng) * sq_rng_uniform(rng);
    n->s[sidx(n, "g_ex")] = 60.0 * sq_rng_uniform(rng);
    n->s[sidx(n, "g_in")] = 300.0 * sq_rng_uniform(rng) * sq_rng_uniform(rng);
    ref_par r = par_of(n);
    return rk4_crossing(&r, state_of(n), v_th, h);
}

START_TEST(next_check_is_never_later_than_the_true_crossing_over_random_states)
{
    sq_rng rng;
    sq_rng_init(&rng, 20261201u, 1u);
    int n_cross = 0, n_none = 0, n_inf = 0;
    for (int trial = 0; trial < 240; trial++) {
        neuron n;
        long double t_true = random_state(&n, trial % 4, &rng, 40.0L);
        double tc = n.m->next_check(n.p, n.d, n.s), t_spike;
        int fired = adv(&n, 40.0, &t_spike);
        if (t_true >= 0.0L) {
            n_cross++;
            ck_assert_msg(tc <= (double)t_true + 1e-9, "trial %d: next_check %.15g > crossing %.15Lg", trial, tc,
                          t_true);
            ck_assert_msg(fired && fabs(t_spike - (double)t_true) <= 1e-9, "trial %d: crossing at %.15Lg, got %d %.15g",
                          trial, t_true, fired, t_spike);
        } else {
            n_none++;
            n_inf += tc == INFINITY;
            ck_assert_msg(!fired, "trial %d: spike at %.15g without a reference crossing", trial, t_spike);
        }
    }
    ck_assert_int_gt(n_cross, 40);
    ck_assert_int_gt(n_none, 40);
    ck_assert_int_gt(n_inf, 10);
}
END_TEST

START_TEST(next_check_chain_reaches_the_crossing_without_being_late)
{
    /* Driven by next_check() alone (woken at each answer, asked again), as the engine does without
     * inputs: every answer is no later than the crossing, and advance() to none of them before the
     * last fires early. */
    sq_rng rng;
    sq_rng_init(&rng, 20261201u, 2u);
    int n_done = 0;
    for (int trial = 0; trial < 150; trial++) {
        neuron n;
        long double t_true = random_state(&n, trial % 4, &rng, 40.0L);
        if (t_true < 0.0L)
            continue;
        double t_spike = -1.0;
        int wakes = 0;
        for (; wakes < 10000; wakes++) {
            double tc = n.m->next_check(n.p, n.d, n.s);
            ck_assert_msg(tc <= (double)t_true + 1e-9, "trial %d: next_check %.15g > crossing %.15Lg", trial, tc,
                          t_true);
            if (adv(&n, tc, &t_spike))
                break;
        }
        ck_assert_int_lt(wakes, 10000);
        ck_assert_double_eq_tol(t_spike, (double)t_true, 1e-9);
        n_done++;
    }
    ck_assert_int_gt(n_done, 30);
}
END_TEST

/* A COBA-like input train for 200 ms: Poisson excitation (6 nS, 1.2 kHz) and inhibition (67 nS, 0.3 kHz)
 * with I_e, as times and weights; returns the count. */
static size_t input_train(sq_rng *rng, double *t, float *w, size_t cap, double t_stop)
{
    size_t n = 0;
    double te = 0.0, ti = 0.0;
    te -= log(1.0 - sq_rng_uniform(rng)) / 1.2;
    ti -= log(1.0 - sq_rng_uniform(rng)) / 0.3;
    while (n < cap && (te < t_stop || ti < t_stop)) {
        if (te <= ti) {
            t[n] = te;
            w[n++] = 6.0f;
            te -= log(1.0 - sq_rng_uniform(rng)) / 1.2;
        } else {
            t[n] = ti;
            w[n++] = -67.0f;
            ti -= log(1.0 - sq_rng_uniform(rng)) / 0.3;
        }
        if (t[n - 1] >= t_stop)
            n--;
    }
    return n;
}

START_TEST(input_train_follows_the_reference_within_1e_9_mv)
{
    /* 300 inputs through advance()/input(), V compared with RK4 through the same inputs after each
     * (V_th set out of reach, so the trajectory is compared over all 200 ms). */
    sq_rng rng;
    sq_rng_init(&rng, 20261201u, 3u);
    double *t = malloc(1000 * sizeof *t);
    float *w = malloc(1000 * sizeof *w);
    size_t count = input_train(&rng, t, w, 1000, 200.0);
    ck_assert_uint_gt(count, 250);
    neuron n;
    setup_coba(&n);
    set(&n, "I_e", 300.0);
    set(&n, "V_th", 10.0);
    start(&n);
    ref_par r = par_of(&n);
    ref_state x = state_of(&n);
    double t_spike, t_prev = 0.0, worst = 0.0;
    for (size_t k = 0; k < count; k++) {
        ck_assert_int_eq(adv(&n, t[k], &t_spike), 0);
        x = rk4_to(&r, x, t[k] - t_prev);
        t_prev = t[k];
        worst = fmax(worst, fabs(v(&n) - (double)x.v));
        n.m->input(n.p, n.d, n.s, w[k]);
        if (w[k] > 0)
            x.ge += w[k];
        else
            x.gi -= w[k];
    }
    ck_assert_msg(worst <= 1e-9, "largest |V - reference| %.3g mV", worst);
    free(t);
    free(w);
}
END_TEST

START_TEST(integrate_is_bit_for_bit_the_advance_input_sequence)
{
    /* 2000 windows of 0.1 ms with 0-3 random inputs each (6 nS, -10 nS or 30 nS), through integrate()
     * on one copy and advance()/input() on the other: the same spikes and state bits. */
    for (int kind = 0; kind < 4; kind++) {
        neuron a, b;
        setup_kind(&a, kind);
        set(&a, "I_e", 500.0);
        start(&a);
        a.s[a.m->v_index] = -55.0;
        b = a;
        ck_assert_ptr_nonnull(a.m->integrate);
        sq_rng rng;
        sq_rng_init(&rng, 20261202u, (uint64_t)kind);
        spikes *sa = calloc(1, sizeof *sa), *sb = calloc(1, sizeof *sb);
        const float ws[3] = {6.0f, kind == 3 ? -1.0f : -10.0f, 30.0f}; /* tau_syn_in 7 ms sums more */
        for (int k = 0; k < 2000; k++) {
            double t0 = 0.1 * k, t_end = 0.1 * (k + 1), t[3], ta[4], tb[4];
            float w[3], wa[4], wb[4];
            int n_in = (int)sq_rng_below(&rng, 4);
            size_t na = 0, nb = 0;
            for (int i = 0; i < n_in; i++) {
                t[i] = t0 + 0.1 * (i + sq_rng_uniform(&rng)) / n_in;
                w[i] = ws[sq_rng_below(&rng, 3)];
                if (sq_rng_below(&rng, 2)) {
                    ta[na] = t[i];
                    wa[na++] = w[i];
                } else {
                    tb[nb] = t[i];
                    wb[nb++] = w[i];
                }
            }
            ta[na] = tb[nb] = INFINITY;
            wa[na] = wb[nb] = 0.0f;
            double next_a = a.m->integrate(a.p, a.d, a.s, ta, wa, na, tb, wb, nb, t_end, collect, sa);
            double next_b = reference_window(&b, t, w, (size_t)n_in, t_end, sb);
            ck_assert(next_a == next_b);
            ck_assert_int_eq(memcmp(a.s, b.s, a.m->n_state * sizeof(double)), 0);
        }
        ck_assert_uint_eq(sa->n, sb->n);
        ck_assert_uint_gt(sa->n, 10);
        ck_assert_int_eq(memcmp(sa->t, sb->t, sa->n * sizeof(double)), 0);
        free(sa);
        free(sb);
    }
}
END_TEST

START_TEST(long_quiet_interval_then_dc_fires_at_the_closed_form_time)
{
    /* 1e6 ms after two inputs (the conductances decay to nothing and are dropped), then 1000 pA:
     * V_inf = -70 + 60 mV, crossing after tau ln((V_inf + 70)/(V_inf + 55)). */
    neuron n;
    setup_model(&n, "lif_cond_exp");
    start(&n);
    n.m->input(n.p, n.d, n.s, 20.0);
    n.m->input(n.p, n.d, n.s, -50.0);
    double t_spike;
    ck_assert_int_eq(adv(&n, 1e6, &t_spike), 0);
    ck_assert_double_eq_tol(v(&n), -70.0, 1e-12);
    ck_assert(n.m->next_check(n.p, n.d, n.s) == INFINITY);
    n.m->add_current(n.p, n.d, n.s, 1000.0);
    double v_inf = -70.0 + 1000.0 / 16.6667, expected = 1e6 + 250.0 / 16.6667 * log((v_inf + 70.0) / (v_inf + 55.0));
    double tc = n.m->next_check(n.p, n.d, n.s);
    ck_assert(tc <= expected + 1e-9);
    ck_assert_int_eq(adv(&n, 2e6, &t_spike), 1);
    ck_assert_double_eq_tol(t_spike, expected, 1e-9);
}
END_TEST

START_TEST(bad_parameters_are_rejected_with_the_field_named)
{
    neuron n;
    setup_model(&n, "lif_cond_exp");
    set(&n, "V_reset", -50.0);
    sq_err err = {0, ""};
    ck_assert_int_eq(n.m->check(n.p, "net.json: populations[0].params", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg,
                     "net.json: populations[0].params.V_reset: expected less than V_th = -55 mV, got -50 mV");
    setup_model(&n, "lif_cond_exp");
    set(&n, "g_L", 0.0);
    err = (sq_err){0, ""};
    ck_assert_int_eq(sq_param_check(n.m->params, n.m->n_params, n.p, "net.json: populations[1].params", &err),
                     SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: populations[1].params.g_L: expected a positive number in nS, got 0");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lif_cond_exp");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, descriptor_has_nest_defaults_and_state_layout);
    tcase_add_test(tc, without_conductance_v_relaxes_as_the_closed_form);
    tcase_add_test(tc, isi_under_suprathreshold_current_matches_closed_form);
    tcase_add_test(tc, single_excitatory_conductance_matches_the_quadrature);
    tcase_add_test(tc, single_inhibitory_conductance_matches_the_quadrature);
    tcase_add_test(tc, suprathreshold_input_fires_at_the_reference_crossing);
    tcase_add_test(tc, refractory_clamps_v_while_conductances_decay);
    tcase_add_test(tc, crossing_that_goes_up_and_back_down_within_one_interval_is_found);
    tcase_add_test(tc, next_check_is_never_later_than_the_true_crossing_over_random_states);
    tcase_add_test(tc, next_check_chain_reaches_the_crossing_without_being_late);
    tcase_add_test(tc, input_train_follows_the_reference_within_1e_9_mv);
    tcase_add_test(tc, integrate_is_bit_for_bit_the_advance_input_sequence);
    tcase_add_test(tc, long_quiet_interval_then_dc_fires_at_the_closed_form_time);
    tcase_add_test(tc, bad_parameters_are_rejected_with_the_field_named);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
