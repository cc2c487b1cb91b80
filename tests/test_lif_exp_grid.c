/* tests/test_lif_exp_grid.c: neurons/lif_exp_grid.c, NEST's iaf_psc_exp on the time grid.
 * One step equals lif_exp's exact continuous propagation over h (an independent formula and code
 * path) to 1e-12 relative; many steps equal NEST's update written out here step by step with
 * propagators from the textbook formulas (Rotter & Diesmann 1999), exactly; spike times under DC
 * are grid points given in closed form, with refractory counts of round(t_ref/h) steps; an input
 * at a grid point moves V from the next step on; integrate() is bit for bit advance()/input(). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "neuron_fixture.h"
#include "run_suite.h"

static void setup_grid(neuron *n, double h)
{
    setup_model(n, "lif_exp_grid");
    n->h = h;
    set(n, "tau_syn_ex", 0.5);
    set(n, "tau_syn_in", 0.8);
    set(n, "E_L", -65.0);
    set(n, "V_th", -50.0);
    set(n, "V_reset", -65.0);
}

START_TEST(one_step_equals_the_exact_continuous_propagation_over_h)
{
    /* lif_exp computes the same linear ODE in closed form (its own propagators); V_th far away
     * keeps both from firing. */
    double hs[] = {0.1, 0.05, 0.25};
    for (size_t k = 0; k < 3; k++) {
        neuron g, e;
        setup_grid(&g, hs[k]);
        set(&g, "V_th", 1000.0);
        set(&g, "I_e", 120.0);
        setup_model(&e, "lif_exp");
        for (size_t i = 0; i < g.m->n_params; i++)
            set(&e, g.m->params[i].name, g.p[i]);
        start(&g);
        start(&e);
        g.m->input(g.p, g.d, g.s, 300.0);
        g.m->input(g.p, g.d, g.s, -150.0);
        e.m->input(e.p, e.d, e.s, 300.0);
        e.m->input(e.p, e.d, e.s, -150.0);
        double ts;
        for (int step = 1; step <= 40; step++) {
            ck_assert_int_eq(adv(&g, step * hs[k], &ts), 0);
            ck_assert_int_eq(adv(&e, step * hs[k], &ts), 0);
            ck_assert_double_eq_tol(v(&g), v(&e), 1e-12 * fabs(v(&e)));
            ck_assert_double_eq(g.s[0], step * hs[k]);
        }
    }
}
END_TEST

START_TEST(steps_equal_nest_update_written_out_with_textbook_propagators)
{
    /* NEST iaf_psc_exp::update, V relative to E_L: V = P22 V + P21ex Iex + P21in Iin + P20 Ie
     * unless refractory; I *= P11; I += spikes of the step; V >= theta: spike, V = reset, r = ref. */
    const double h = 0.1, tau_m = 10.0, tex = 0.5, tin = 0.8, c = 250.0, ie = 420.0, el = -65.0;
    neuron g;
    setup_grid(&g, h);
    set(&g, "I_e", ie);
    set(&g, "t_ref", 2.0);
    start(&g);
    double p22 = exp(-h / tau_m), p11e = exp(-h / tex), p11i = exp(-h / tin), p20 = tau_m / c * (1.0 - p22);
    double p21e = tex * tau_m / (c * (tau_m - tex)) * (exp(-h / tau_m) - exp(-h / tex));
    double p21i = tin * tau_m / (c * (tau_m - tin)) * (exp(-h / tau_m) - exp(-h / tin));
    double V = 0.0, ie_ = 0.0, ii = 0.0;
    int r = 0, spikes_ref = 0, spikes_g = 0;
    sq_rng rng;
    sq_rng_init(&rng, 99, 1);
    for (int k = 1; k <= 5000; k++) {
        if (r == 0)
            V = p22 * V + p21e * ie_ + p21i * ii + p20 * ie;
        else
            r--;
        ie_ *= p11e;
        ii *= p11i;
        double ts;
        int fired_g = adv(&g, k * h, &ts);
        int fired_ref = V >= -50.0 - el;
        if (fired_ref) {
            V = 0.0;
            r = 20;
            spikes_ref++;
        }
        if (fired_g) {
            ck_assert_double_eq(ts, k * h);
            spikes_g++;
            ck_assert_int_eq(adv(&g, k * h, &ts), 0);
        }
        ck_assert_int_eq(fired_g, fired_ref);
        ck_assert_double_eq_tol(v(&g) - el, V, 1e-9);
        if (sq_rng_below(&rng, 3) == 0) { /* a spike arriving at this step acts from the next on */
            double w = sq_rng_below(&rng, 2) ? 400.0 : -300.0;
            *(w > 0 ? &ie_ : &ii) += w;
            g.m->input(g.p, g.d, g.s, w);
        }
    }
    ck_assert_int_gt(spikes_ref, 10);
    ck_assert_int_eq(spikes_g, spikes_ref);
}
END_TEST

START_TEST(spikes_under_dc_fall_on_grid_points_given_in_closed_form)
{
    /* Free from V_reset towards V_inf = E_L + I_e tau_m/C_m, V after m steps is
     * V_inf + (V_reset - V_inf) P22^m; the first m with V >= V_th is
     * ceil(tau_m/h ln((V_inf - V_reset)/(V_inf - V_th))), and spikes repeat every
     * round(t_ref/h) + m steps (V held for the refractory steps, then m free steps). */
    const double h = 0.1, ie = 500.0, vinf = -65.0 + ie * 10.0 / 250.0;
    neuron g;
    setup_grid(&g, h);
    set(&g, "I_e", ie);
    set(&g, "t_ref", 2.04); /* rounds to 20 steps, as NEST rounds t_ref to the grid */
    start(&g);
    int m = (int)ceil(10.0 / h * log((vinf + 65.0) / (vinf + 50.0)));
    double ts;
    for (int s = 0; s < 10; s++) {
        ck_assert_int_eq(adv(&g, 1000.0, &ts), 1);
        ck_assert_double_eq_tol(ts, ((double)m + s * (20.0 + m)) * h, 1e-9);
        ck_assert_double_eq(v(&g), -65.0);
    }
}
END_TEST

START_TEST(input_at_a_grid_point_moves_v_from_the_next_step_on)
{
    neuron g;
    setup_grid(&g, 0.1);
    start(&g);
    double ts;
    ck_assert_int_eq(adv(&g, 1.0, &ts), 0);
    g.m->input(g.p, g.d, g.s, 1000.0);
    ck_assert_double_eq(v(&g), -65.0);
    ck_assert_int_eq(adv(&g, 1.0, &ts), 0); /* already at 1.0: nothing to do */
    ck_assert_double_eq(v(&g), -65.0);
    ck_assert_int_eq(adv(&g, 1.1, &ts), 0);
    ck_assert_double_eq_tol(v(&g) + 65.0, g.d[3] * 1000.0, 1e-12); /* P21ex w */
    /* An input between grid points acts at the grid point before it. */
    neuron o;
    setup_grid(&o, 0.1);
    start(&o);
    ck_assert_int_eq(adv(&o, 1.07, &ts), 0);
    ck_assert_double_eq(o.s[0], 1.0);
}
END_TEST

START_TEST(integrate_is_bit_for_bit_the_advance_input_sequence)
{
    /* Windows of one step (the microcircuit's) and of 15 steps (Brunel's 1.5 ms), with inputs off
     * and on the grid. */
    const float ws[3] = {87.8f, -351.2f, 700.0f};
    neuron g;
    setup_grid(&g, 0.1);
    set(&g, "I_e", 350.0);
    start(&g);
    g.s[g.m->v_index] = -52.0;
    ck_assert_uint_gt(expect_integrate_matches_reference(&g, ws, 3, 3000, 0.1, 7), 10);
    ck_assert_uint_gt(expect_integrate_matches_reference(&g, ws, 3, 300, 1.5, 8), 10);
}
END_TEST

START_TEST(check_rejects_v_reset_not_below_v_th)
{
    neuron g;
    setup_grid(&g, 0.1);
    set(&g, "V_reset", -50.0);
    sq_err err = {0, ""};
    ck_assert_int_eq(g.m->check(g.p, "net.json: populations[0].params", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: populations[0].params.V_reset: expected less than V_th = -50 mV, got -50 mV");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lif_exp_grid");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, one_step_equals_the_exact_continuous_propagation_over_h);
    tcase_add_test(tc, steps_equal_nest_update_written_out_with_textbook_propagators);
    tcase_add_test(tc, spikes_under_dc_fall_on_grid_points_given_in_closed_form);
    tcase_add_test(tc, input_at_a_grid_point_moves_v_from_the_next_step_on);
    tcase_add_test(tc, integrate_is_bit_for_bit_the_advance_input_sequence);
    tcase_add_test(tc, check_rejects_v_reset_not_below_v_th);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
