/* tests/test_lif_delta.c: neurons/lif_delta.c (NEST iaf_psc_delta semantics) against the closed
 * forms of the LIF membrane: free relaxation V = E_L + (V0 - E_L) e^{-t/tau_m}; step response
 * V = E_L + I tau_m/C_m (1 - e^{-t/tau_m}); ISI under suprathreshold DC
 * t_ref + tau_m ln((V_reset - V_inf)/(V_th - V_inf)). Tolerances: 1e-12 relative on V, 1e-9 ms on
 * spike times (the maths is exact; only rounding separates model and formula). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <string.h>

#include "neuron_fixture.h"
#include "neurons/model.h"
#include "sim/rng.h"
#include "run_suite.h"

START_TEST(descriptor_has_nest_defaults_and_state_layout)
{
    neuron n;
    setup_model(&n, "lif_delta");
    ck_assert_str_eq(n.m->name, "lif_delta");
    ck_assert_str_eq(n.m->weight_unit, "mV");
    ck_assert_uint_eq(n.m->n_state, 4);
    ck_assert_str_eq(n.m->state_names[0], "t");
    ck_assert_str_eq(n.m->state_names[n.m->v_index], "V_m");
    ck_assert_double_eq(get(&n, "tau_m"), 10.0);
    ck_assert_double_eq(get(&n, "C_m"), 250.0);
    ck_assert_double_eq(get(&n, "E_L"), -70.0);
    ck_assert_double_eq(get(&n, "V_th"), -55.0);
    ck_assert_double_eq(get(&n, "V_reset"), -70.0);
    ck_assert_double_eq(get(&n, "t_ref"), 2.0);
    ck_assert_double_eq(get(&n, "I_e"), 0.0);
    start(&n);
    ck_assert_double_eq(n.s[0], 0.0);
    ck_assert_double_eq(v(&n), -70.0);
}
END_TEST

START_TEST(relaxes_to_rest_as_the_closed_form)
{
    neuron n;
    setup_model(&n, "lif_delta");
    start(&n);
    n.s[n.m->v_index] = -58.0;
    double t_spike, ts[] = {0.3, 1.7, 7.3, 25.0, 80.0};
    for (size_t i = 0; i < SQ_COUNT(ts); i++) {
        ck_assert_int_eq(adv(&n, ts[i], &t_spike), 0);
        double exact = -70.0 + 12.0 * exp(-ts[i] / 10.0);
        ck_assert_double_eq_tol(v(&n), exact, 1e-12 * fabs(exact));
        ck_assert_double_eq(n.s[0], ts[i]);
    }
    ck_assert(n.m->next_check(n.p, n.d, n.s) == INFINITY);
}
END_TEST

START_TEST(step_current_response_matches_closed_form_via_i_e_and_add_current)
{
    /* I = 300 pA: V_inf = -70 + 300 * 10/250 = -58 mV, below threshold. */
    neuron a, b;
    setup_model(&a, "lif_delta");
    set(&a, "I_e", 300.0);
    start(&a);
    setup_model(&b, "lif_delta");
    start(&b);
    b.m->add_current(b.p, b.d, b.s, 300.0);
    double t_spike;
    for (double t = 0.25; t < 60.0; t += 2.75) {
        ck_assert_int_eq(adv(&a, t, &t_spike), 0);
        ck_assert_int_eq(adv(&b, t, &t_spike), 0);
        double exact = -70.0 + 300.0 * 10.0 / 250.0 * (1.0 - exp(-t / 10.0));
        ck_assert_double_eq_tol(v(&a), exact, 1e-12 * fabs(exact));
        ck_assert_double_eq_tol(v(&b), exact, 1e-12 * fabs(exact));
    }
    /* Switching the current off relaxes V back from where it is. */
    double t1 = b.s[0], v1 = v(&b);
    b.m->add_current(b.p, b.d, b.s, -300.0);
    ck_assert_int_eq(adv(&b, t1 + 5.0, &t_spike), 0);
    double exact = -70.0 + (v1 + 70.0) * exp(-0.5);
    ck_assert_double_eq_tol(v(&b), exact, 1e-12 * fabs(exact));
}
END_TEST

START_TEST(isi_under_suprathreshold_current_matches_closed_form)
{
    /* I_e = 500 pA: V_inf = -50 mV > V_th. From V_reset = E_L the first crossing is at
     * tau_m ln((V_reset - V_inf)/(V_th - V_inf)) = 10 ln 4, then every t_ref + 10 ln 4. */
    neuron n;
    setup_model(&n, "lif_delta");
    set(&n, "I_e", 500.0);
    start(&n);
    double t_free = 10.0 * log(20.0 / 5.0), isi = 2.0 + t_free, t_spike;
    int k = 0;
    double t_last = 0.0;
    for (double t = 0.7; t < 200.0; t += 0.7) {
        t_last = t;
        while (adv(&n, t, &t_spike)) {
            ck_assert_double_eq_tol(t_spike, t_free + k * isi, 1e-9);
            ck_assert_double_eq(v(&n), -70.0);
            k++;
        }
        ck_assert_double_eq(n.s[0], t);
    }
    ck_assert_int_eq(k, (int)floor((t_last - t_free) / isi) + 1);
}
END_TEST

START_TEST(next_check_gives_the_exact_crossing_and_advance_fires_there)
{
    neuron n;
    setup_model(&n, "lif_delta");
    set(&n, "I_e", 500.0);
    start(&n);
    double t_free = 10.0 * log(4.0), t_spike;
    for (int k = 0; k < 5; k++) {
        double tc = n.m->next_check(n.p, n.d, n.s);
        ck_assert_double_eq_tol(tc, t_free + k * (2.0 + t_free), 1e-9);
        /* Called while refractory, it already accounts for the refractory period. */
        ck_assert_int_eq(adv(&n, tc, &t_spike), 1);
        ck_assert_double_eq(t_spike, tc);
        ck_assert_double_eq_tol(n.m->next_check(n.p, n.d, n.s), tc + 2.0 + t_free, 1e-9);
    }
}
END_TEST

START_TEST(input_crossing_threshold_fires_at_that_instant_and_resets)
{
    neuron n;
    setup_model(&n, "lif_delta");
    set(&n, "V_reset", -65.0);
    start(&n);
    double t_spike;
    ck_assert_int_eq(adv(&n, 3.0, &t_spike), 0);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 10.0), 0);
    ck_assert_double_eq(v(&n), -60.0);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 4.999), 0);
    ck_assert_double_eq_tol(v(&n), -55.001, 1e-12);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 0.001), 1);
    ck_assert_double_eq(v(&n), -65.0);
    ck_assert_double_eq(n.s[0], 3.0);
}
END_TEST

START_TEST(input_during_refractoriness_is_discarded_and_v_held_at_reset)
{
    neuron n;
    setup_model(&n, "lif_delta");
    set(&n, "V_reset", -65.0);
    start(&n);
    double t_spike;
    ck_assert_int_eq(adv(&n, 1.0, &t_spike), 0);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 20.0), 1); /* spike at 1.0, refractory until 3.0 */
    ck_assert_int_eq(adv(&n, 2.0, &t_spike), 0);
    ck_assert_double_eq(v(&n), -65.0);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 30.0), 0);
    ck_assert_double_eq(v(&n), -65.0);
    ck_assert_int_eq(adv(&n, 3.0, &t_spike), 0);
    ck_assert_double_eq(v(&n), -65.0);
    /* At exactly t_spike + t_ref the neuron takes input again (refractory period [1, 3)). */
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 1.0), 0);
    ck_assert_double_eq(v(&n), -64.0);
}
END_TEST

START_TEST(refractory_end_releases_v_from_reset)
{
    /* V_reset = -65 and E_L = -70: held at -65 until t = 3, then -70 + 5 e^{-(t-3)/10}. */
    neuron n;
    setup_model(&n, "lif_delta");
    set(&n, "V_reset", -65.0);
    start(&n);
    double t_spike;
    ck_assert_int_eq(adv(&n, 1.0, &t_spike), 0);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 20.0), 1);
    ck_assert_int_eq(adv(&n, 2.5, &t_spike), 0);
    ck_assert_double_eq(v(&n), -65.0);
    ck_assert_int_eq(adv(&n, 10.0, &t_spike), 0);
    double exact = -70.0 + 5.0 * exp(-0.7);
    ck_assert_double_eq_tol(v(&n), exact, 1e-12 * fabs(exact));
}
END_TEST

START_TEST(check_rejects_v_reset_not_below_v_th)
{
    neuron n;
    setup_model(&n, "lif_delta");
    set(&n, "V_reset", -55.0);
    sq_err err = {0, ""};
    ck_assert_int_eq(n.m->check(n.p, "net.json: populations[1].params", &err), SQ_ECONFIG);
    ck_assert_int_eq(err.code, SQ_ECONFIG);
    ck_assert_str_eq(err.msg,
                     "net.json: populations[1].params.V_reset: expected less than V_th = -55 mV, got -55 mV");
    set(&n, "V_reset", -54.5);
    ck_assert_int_eq(n.m->check(n.p, "p", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "p.V_reset: expected less than V_th = -55 mV, got -54.5 mV");
    ck_assert_int_eq(n.m->check(n.p, "p", NULL), SQ_ECONFIG);
}
END_TEST

START_TEST(integrate_is_bit_for_bit_the_advance_input_sequence)
{
    /* Brunel-like drive: 2000 windows of 1.5 ms with up to 40 inputs in two lists (synaptic and
     * Poisson, as the engine passes them), through integrate() on one copy and advance()/input()
     * over the merged list on the other: the same spikes and the same state bits, as model.h
     * requires. Once with V_inf below threshold (integrate's own loop), once above (its fallback). */
    for (int tonic = 0; tonic < 2; tonic++) {
        neuron a, b;
        setup_model(&a, "lif_delta");
        set(&a, "tau_m", 20.0);
        set(&a, "E_L", 0.0);
        set(&a, "V_th", 20.0);
        set(&a, "V_reset", 10.0);
        set(&a, "I_e", tonic ? 260.0 : 0.0); /* V_inf = 20.8 mV when tonic */
        start(&a);
        b = a;
        sq_rng rng;
        sq_rng_init(&rng, 77, (uint64_t)tonic);
        spikes *sa = calloc(1, sizeof *sa), *sb = calloc(1, sizeof *sb);
        for (int k = 0; k < 2000; k++) {
            double t0 = 1.5 * k, t_end = 1.5 * (k + 1), ta[41], tb[41], tm[80];
            float wa[41], wb[41], wm[80];
            size_t na = 0, nb = 0, n = sq_rng_below(&rng, 41);
            for (size_t i = 0; i < n; i++) {
                tm[i] = t0 + 1.5 * (i + sq_rng_uniform(&rng)) / (double)n;
                wm[i] = sq_rng_below(&rng, 5) == 0 ? -0.5f : 0.1f * (float)(1 + sq_rng_below(&rng, 40));
                if (sq_rng_below(&rng, 2)) {
                    ta[na] = tm[i];
                    wa[na++] = wm[i];
                } else {
                    tb[nb] = tm[i];
                    wb[nb++] = wm[i];
                }
            }
            ta[na] = tb[nb] = INFINITY;
            double next_a = a.m->integrate(a.p, a.d, a.s, ta, wa, na, tb, wb, nb, t_end, collect, sa);
            double next_b = reference_window(&b, tm, wm, n, t_end, sb);
            ck_assert(next_a == next_b);
            ck_assert_int_eq(memcmp(a.s, b.s, a.m->n_state * sizeof(double)), 0);
        }
        ck_assert_uint_eq(sa->n, sb->n);
        ck_assert_uint_gt(sa->n, 100);
        ck_assert_int_eq(memcmp(sa->t, sb->t, sa->n * sizeof(double)), 0);
        free(sa);
        free(sb);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lif_delta");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor_has_nest_defaults_and_state_layout);
    tcase_add_test(tc, relaxes_to_rest_as_the_closed_form);
    tcase_add_test(tc, step_current_response_matches_closed_form_via_i_e_and_add_current);
    tcase_add_test(tc, isi_under_suprathreshold_current_matches_closed_form);
    tcase_add_test(tc, next_check_gives_the_exact_crossing_and_advance_fires_there);
    tcase_add_test(tc, input_crossing_threshold_fires_at_that_instant_and_resets);
    tcase_add_test(tc, input_during_refractoriness_is_discarded_and_v_held_at_reset);
    tcase_add_test(tc, refractory_end_releases_v_from_reset);
    tcase_add_test(tc, check_rejects_v_reset_not_below_v_th);
    tcase_add_test(tc, integrate_is_bit_for_bit_the_advance_input_sequence);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
