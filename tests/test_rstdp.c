/* tests/test_rstdp.c: reward-modulated STDP (plasticity/rstdp.c) through the engine: pairings
 * change the eligibility, not the weight; a modulator pulse turns the eligibility into a weight
 * change equal to the closed-form sum over the update times; the sign of the pairing sets the sign
 * of the change; MSTDP's point eligibility lasts one step; the end of a sample consolidates; and
 * the errors of sq_sim_modulate and sq_sim_end_sample. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plastic_protocol.h"
#include "run_suite.h"

static const char *names[] = {"A_plus", "A_minus", "tau_plus", "tau_minus", "tau_c", "update_interval", "gamma",
                              "tonic", "tau_mod", "w_min", "w_max"};
static const double TAU = 20.0, TAU_C = 1000.0, DT = 10.0, TAU_M = 200.0, GAMMA = 0.5;

/* One pairing (arrival at 1000, post at 1000 + dt), a modulator pulse of 1 at 1500, run to 3000. */
static double paired_then_rewarded(double dt, double tau_c, double *w_before_reward)
{
    static protocol pr;
    memset(&pr, 0, sizeof pr);
    arrive(&pr, 0, 1000.0);
    fire(&pr, 1000.0 + dt);
    double vals[] = {0.1, 0.1, TAU, TAU, tau_c, DT, GAMMA, 0.0, TAU_M, -10.0, 10.0};
    sq_plasticity_spec pl = {.rule = "rstdp", .param_names = names, .param_values = vals, .n_params = 11};
    sq_test_spikes rec = {0};
    sq_sim *sim = protocol_sim(&pr, &pl, &rec);
    ck_assert_int_eq(sq_sim_run(sim, 1500.0, NULL), 0);
    sq_weights w = weights_of(sim, "pre_to_post");
    *w_before_reward = w.weight[0];
    sq_weights_free(&w);
    sq_err err = {0};
    ck_assert_msg(sq_sim_modulate(sim, NULL, 1.0, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sq_sim_run(sim, 3000.0, NULL), 0);
    w = weights_of(sim, "pre_to_post");
    double out = w.weight[0];
    sq_weights_free(&w);
    sq_sim_destroy(sim);
    free(rec.s);
    return out;
}

/* The closed form: the pairing (at the post spike for LTP, at the arrival for LTD) leaves c0 = +-0.1 e^{-|dt|/tau} at the first update after it, which
 * then decays by e^{-DT/tau_c} an update; the updates at t_k >= 1500 add GAMMA e^{-(t_k - 1500)/TAU_M} c_k. */
static double expected(double dt)
{
    double c = dt >= 0 ? 0.1 * exp(-dt / TAU) : -0.1 * exp(dt / TAU), t_first = dt >= 0 ? 1000.0 + dt : 1000.0;
    double t = ceil(t_first / DT) * DT, sum = 0.0;
    if (t == t_first)
        t += DT; /* a pairing at an update time is applied at the next one */
    for (; t < 3000.0 - 1e-9; t += DT) {
        if (t >= 1500.0)
            sum += GAMMA * exp(-(t - 1500.0) / TAU_M) * c;
        c *= exp(-DT / TAU_C);
    }
    return 0.5 + sum;
}

START_TEST(pairing_changes_the_weight_only_once_the_modulator_arrives)
{
    for (int k = 0; k < 4; k++) {
        double dt = (double[]){7.3, 23.1, -7.3, -23.1}[k], before;
        double w = paired_then_rewarded(dt, TAU_C, &before);
        ck_assert_msg(before == 0.5f, "dt %g: w = %.9g before the reward", dt, before);
        ck_assert_msg(fabs(w - expected(dt)) < 5e-6, /* 150 float additions */ "dt %g: w = %.9g, expected %.9g", dt, w, expected(dt));
        ck_assert_msg(dt > 0 ? w > 0.5 : w < 0.5, "dt %g: w = %g", dt, w);
    }
}
END_TEST

START_TEST(point_eligibility_is_gone_one_update_later)
{
    /* tau_c = 0 (MSTDP): the eligibility is cleared by the first update after the pairing, long
     * before the reward. */
    double before, w = paired_then_rewarded(7.3, 0.0, &before);
    ck_assert_float_eq(w, 0.5f);
}
END_TEST

START_TEST(end_of_sample_consolidates_the_eligibility_under_the_signal_then)
{
    /* No periodic update within the run (interval 1e9 ms): a pairing at +7.3 ms, a reward of 1 at
     * 500 ms, the end of the sample at 700 ms: w = 0.5 + GAMMA e^{-200/TAU_M} 0.1 e^{-7.3/TAU}. */
    static protocol pr;
    memset(&pr, 0, sizeof pr);
    arrive(&pr, 0, 100.0);
    fire(&pr, 107.3);
    double vals[] = {0.1, 0.1, TAU, TAU, 0.0, 1e9, GAMMA, 0.0, TAU_M, -10.0, 10.0};
    sq_plasticity_spec pl = {.rule = "rstdp", .param_names = names, .param_values = vals, .n_params = 11};
    sq_test_spikes rec = {0};
    sq_sim *sim = protocol_sim(&pr, &pl, &rec);
    sq_err err = {0};
    ck_assert_int_eq(sq_sim_run(sim, 500.0, NULL), 0);
    ck_assert_int_eq(sq_sim_modulate(sim, NULL, 1.0, &err), 0);
    ck_assert_int_eq(sq_sim_run(sim, 700.0, NULL), 0);
    sq_weights w = weights_of(sim, "pre_to_post");
    ck_assert_float_eq(w.weight[0], 0.5f);
    sq_weights_free(&w);
    ck_assert_msg(sq_sim_end_sample(sim, "pre_to_post", &err) == 0, "%s", err.msg);
    w = weights_of(sim, "pre_to_post");
    double expect = 0.5 + GAMMA * exp(-200.0 / TAU_M) * 0.1 * exp(-7.3 / TAU);
    ck_assert_msg(fabs(w.weight[0] - expect) < 1e-7, "w = %.9g, expected %.9g", w.weight[0], expect);
    sq_weights_free(&w);
    /* tau_c = 0: the eligibility is used up; a second end of sample changes nothing. */
    ck_assert_int_eq(sq_sim_end_sample(sim, NULL, &err), 0);
    w = weights_of(sim, "pre_to_post");
    ck_assert(fabs(w.weight[0] - expect) < 1e-7);
    sq_weights_free(&w);
    ck_assert_int_eq(sq_sim_end_sample(sim, "EE", &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "test: end of sample: expected the projection \"EE\" with a rule that acts on it, found none");
    sq_sim_destroy(sim);
    free(rec.s);
}
END_TEST

START_TEST(modulating_a_network_without_a_modulated_rule_is_refused)
{
    static protocol pr;
    memset(&pr, 0, sizeof pr);
    arrive(&pr, 0, 10.0);
    sq_plasticity_spec pl = {.rule = "stdp"};
    sq_test_spikes rec = {0};
    sq_sim *sim = protocol_sim(&pr, &pl, &rec);
    sq_err err = {0};
    ck_assert_int_eq(sq_sim_modulate(sim, NULL, 1.0, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "test: modulate: expected a projection with a modulated rule, found none");
    ck_assert_int_eq(sq_sim_modulate(sim, "EE", 1.0, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "test: modulate: expected the projection \"EE\" with a modulated rule, found none");
    ck_assert_int_eq(sq_sim_modulate(sim, NULL, NAN, &err), SQ_EINVAL);
    sq_sim_destroy(sim);
    free(rec.s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rstdp");
    TCase *tc = tcase_create("rstdp");
    tcase_add_test(tc, pairing_changes_the_weight_only_once_the_modulator_arrives);
    tcase_add_test(tc, point_eligibility_is_gone_one_update_later);
    tcase_add_test(tc, end_of_sample_consolidates_the_eligibility_under_the_signal_then);
    tcase_add_test(tc, modulating_a_network_without_a_modulated_rule_is_refused);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
