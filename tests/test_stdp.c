/* tests/test_stdp.c: pair STDP (plasticity/stdp_pair.c) through the engine, against closed forms
 * and an independent sum over spike pairs: the pairing window A+- e^{-|dt|/tau+-}, all-to-all
 * against nearest-neighbour pairing, multiplicative weight dependence, hard bounds, the dendritic
 * delay, and a recurrent network whose final weights equal w0 + the sum of the kernel over every
 * (arrival, post spike) pair of its recorded spikes, at 1 and 3 threads, run in pieces. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "sim/sim.h"
#include "sim/weights.h"
#include "plastic_protocol.h"

static const char *ltp_names[] = {"A_plus", "A_minus", "tau_plus", "tau_minus"};

START_TEST(pairing_protocol_recovers_the_exponential_window)
{
    /* One pair a second, dt = t_post - t_arrival from -100 to +100 ms: partners a second away add
     * e^{-45} of A, below a float's resolution of w. dt = 0 counts as potentiation. */
    const double A_plus = 0.01, A_minus = 0.0105, tau_plus = 16.8, tau_minus = 33.7;
    double vals[] = {A_plus, A_minus, tau_plus, tau_minus};
    static protocol pr;
    memset(&pr, 0, sizeof pr);
    for (int k = 0; k <= 40; k++) {
        double dt = -100.0 + 5.0 * k, t = 200.0 + 1000.0 * k;
        arrive(&pr, (uint32_t)k, t - dt);
        fire(&pr, t);
    }
    sq_weights w = run_protocol(&pr, ltp_names, vals, 4, 0.0, 41500.0);
    for (int k = 0; k <= 40; k++) {
        double dt = -100.0 + 5.0 * k;
        double expect = dt >= 0 ? 0.5 + A_plus * exp(-dt / tau_plus) : 0.5 - A_minus * exp(dt / tau_minus);
        ck_assert_msg(fabs(w.weight[k] - expect) < 1.5e-7, "dt = %g: w = %.9g, expected %.9g", dt, w.weight[k], expect);
    }
    sq_weights_free(&w);
}
END_TEST

/* Two arrivals 30 and 10 ms before a post spike (neuron 0), and two post spikes 30 and 10 ms before
 * an arrival (neuron 1). */
static protocol two_partners(void)
{
    protocol pr = {0};
    arrive(&pr, 0, 970.0);
    arrive(&pr, 0, 990.0);
    fire(&pr, 1000.0);
    fire(&pr, 2970.0);
    fire(&pr, 2990.0);
    arrive(&pr, 1, 3000.0);
    return pr;
}

START_TEST(all_to_all_pairing_sums_every_partner_and_nearest_only_the_closest)
{
    const double A = 0.01, tau = 20.0, e10 = exp(-10.0 / tau), e30 = exp(-30.0 / tau);
    const char *names[] = {"A_plus", "A_minus", "nearest"};
    protocol pr = two_partners();
    double all[] = {A, A, 0.0}, nearest[] = {A, A, 1.0};
    sq_weights wa = run_protocol(&pr, names, all, 3, 0.0, 4000.0);
    sq_weights wn = run_protocol(&pr, names, nearest, 3, 0.0, 4000.0);
    ck_assert_double_eq_tol(wa.weight[0], 0.5 + A * (e10 + e30), 1.5e-7);
    ck_assert_double_eq_tol(wa.weight[1], 0.5 - A * (e10 + e30), 1.5e-7);
    ck_assert_double_eq_tol(wn.weight[0], 0.5 + A * e10, 1.5e-7);
    ck_assert_double_eq_tol(wn.weight[1], 0.5 - A * e10, 1.5e-7);
    sq_weights_free(&wa);
    sq_weights_free(&wn);
}
END_TEST

START_TEST(multiplicative_rule_scales_potentiation_by_headroom_and_depression_by_weight)
{
    /* w0 = 0.5 of [0, 2]: w~ = 0.25, so LTP is scaled by 0.75 and LTD by 0.25. */
    const char *names[] = {"A_plus", "A_minus", "mu_plus", "mu_minus", "w_max"};
    double vals[] = {0.1, 0.1, 1.0, 1.0, 2.0};
    static protocol pr;
    memset(&pr, 0, sizeof pr);
    arrive(&pr, 0, 990.0);
    fire(&pr, 1000.0);
    fire(&pr, 2990.0);
    arrive(&pr, 1, 3000.0);
    sq_weights w = run_protocol(&pr, names, vals, 5, 0.0, 4000.0);
    double e = exp(-10.0 / 20.0);
    ck_assert_double_eq_tol(w.weight[0], 0.5 + 0.1 * e * 0.75, 1.5e-7);
    ck_assert_double_eq_tol(w.weight[1], 0.5 - 0.1 * e * 0.25, 1.5e-7);
    sq_weights_free(&w);
}
END_TEST

START_TEST(additive_rule_stops_at_the_hard_bounds)
{
    const char *names[] = {"A_plus", "A_minus", "w_min", "w_max"};
    double vals[] = {5.0, 5.0, 0.1, 0.8};
    protocol pr = two_partners();
    sq_weights w = run_protocol(&pr, names, vals, 4, 0.0, 4000.0);
    ck_assert_float_eq(w.weight[0], 0.8f);
    ck_assert_float_eq(w.weight[1], 0.1f);
    sq_weights_free(&w);
}
END_TEST

START_TEST(dendritic_delay_shifts_the_post_spike_seen_by_the_synapse)
{
    /* d = 5 ms: a post spike at t reaches the synapse at t + 5. An arrival 3 ms after the post spike
     * is then 2 ms before it (LTP), one 3 ms before it 8 ms before (LTP), one 7 ms after 2 ms after (LTD). */
    const double A = 0.01, tau = 20.0;
    double vals[] = {A, A, tau, tau};
    static protocol pr;
    memset(&pr, 0, sizeof pr);
    arrive(&pr, 0, 1003.0);
    fire(&pr, 1000.0);
    arrive(&pr, 1, 1997.0);
    fire(&pr, 2000.0);
    arrive(&pr, 2, 3007.0);
    fire(&pr, 3000.0);
    sq_weights w = run_protocol(&pr, ltp_names, vals, 4, 5.0, 4000.0);
    ck_assert_double_eq_tol(w.weight[0], 0.5 + A * exp(-2.0 / tau), 1.5e-7);
    ck_assert_double_eq_tol(w.weight[1], 0.5 + A * exp(-8.0 / tau), 1.5e-7);
    ck_assert_double_eq_tol(w.weight[2], 0.5 - A * exp(-2.0 / tau), 1.5e-7);
    sq_weights_free(&w);
}
END_TEST

START_TEST(two_arrivals_of_one_synapse_in_one_window_both_count)
{
    /* The window is the 1 ms delay: arrivals at 1000 and 1000.2 ms fall in one window, and the
     * second must see the first's depression. */
    const double A = 0.01, tau = 20.0;
    double vals[] = {A, A, tau, tau};
    static protocol pr;
    memset(&pr, 0, sizeof pr);
    fire(&pr, 990.0);
    arrive(&pr, 0, 1000.0);
    arrive(&pr, 0, 1000.2);
    sq_weights w = run_protocol(&pr, ltp_names, vals, 4, 0.0, 2000.0);
    ck_assert_double_eq_tol(w.weight[0], 0.5 - A * exp(-10.0 / tau) - A * exp(-10.2 / tau), 1.5e-7);
    sq_weights_free(&w);
}
END_TEST

/* ---- a recurrent network against the sum over its spike pairs ------------------------------- */

enum { N_IN = 200, N_E = 150 };
#define A_PLUS 1e-4
#define A_MINUS 1.05e-4
#define TAU 20.0
#define D_DEND 0.73 /* off the 0.1 ms grid: no exact ties between arrivals and post spikes, whose side a rounding would decide */

typedef struct {
    sq_test_spikes rec;
    sq_weights w0, w1;
} net_run;

static net_run run_network(uint32_t threads)
{
    static const char *names[] = {"A_plus", "A_minus", "tau_plus", "tau_minus", "w_max"};
    static const double vals[] = {A_PLUS, A_MINUS, TAU, TAU, 10.0};
    sq_pop_spec pops[] = {
        {.name = "in", .n = N_IN, .model = "poisson_source", .rate = 20.0, .start = 0.0, .stop = 2000.0},
        {.name = "E", .n = N_E, .model = "lif_delta", .param_names = lif_names, .param_values = lif_vals, .n_params = 6}};
    sq_plasticity_spec stdp = {.rule = "stdp", .param_names = names, .param_values = vals, .n_params = 5,
                               .dendritic_delay = D_DEND};
    sq_dist w_ee = {.kind = SQ_DIST_UNIFORM, .low = 0.2, .high = 0.8};
    sq_dist d_ee = {.kind = SQ_DIST_UNIFORM, .low = 1.0, .high = 3.0};
    sq_proj_spec projs[] = {
        {.source = "in", .target = "E", .connector = {.rule = SQ_CONN_FIXED_INDEGREE, .n = 40, .autapses = 1, .multapses = 1},
         .weight = sq_dist_constant(1.2), .delay = sq_dist_constant(1.0)},
        {.source = "E", .target = "E", .name = "EE",
         .connector = {.rule = SQ_CONN_FIXED_INDEGREE, .n = 20, .autapses = 0, .multapses = 0},
         .weight = w_ee, .delay = d_ee, .plasticity = &stdp}};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 7, .threads = threads, .pops = pops, .n_pops = 2,
                        .projs = projs, .n_projs = 2};
    net_run r = {0};
    sq_sim *sim = make(&spec, &r.rec);
    r.w0 = weights_of(sim, "EE");
    ck_assert_int_eq(sq_sim_run(sim, 700.0, NULL), 0);
    sq_weights mid = weights_of(sim, "EE"); /* settles in the middle of the run */
    sq_weights_free(&mid);
    ck_assert_int_eq(sq_sim_run(sim, 2000.0, NULL), 0);
    r.w1 = weights_of(sim, "EE");
    sq_sim_destroy(sim);
    return r;
}

/* The spike times of population `pop` neuron `id`, in order. */
static size_t times_of(const sq_test_spikes *rec, uint32_t pop, uint32_t id, double *out)
{
    size_t n = 0;
    for (size_t i = 0; i < rec->n; i++)
        if (rec->s[i].pop == pop && rec->s[i].id == id)
            out[n++] = rec->s[i].t;
    return n;
}

START_TEST(network_weights_equal_the_sum_of_the_kernel_over_all_spike_pairs)
{
    net_run r = run_network(1);
    ck_assert_uint_eq(r.w0.n, (size_t)N_E * 20);
    double *pre = malloc(4096 * sizeof *pre), *post = malloc(4096 * sizeof *post);
    double max_err = 0.0, max_dw = 0.0;
    size_t n_e = 0;
    for (size_t i = 0; i < r.rec.n; i++)
        n_e += r.rec.s[i].pop == 1;
    ck_assert_msg(n_e > 2000 && n_e < 60000, "E fired %zu spikes in 2 s: not the regime this test needs", n_e);
    for (size_t k = 0; k < r.w0.n; k++) {
        ck_assert_uint_eq(r.w0.source[k], r.w1.source[k]);
        ck_assert_uint_eq(r.w0.target[k], r.w1.target[k]);
        size_t np = times_of(&r.rec, 1, r.w0.source[k], pre), nq = times_of(&r.rec, 1, r.w0.target[k], post);
        double dw = 0.0, d = r.w0.delay[k];
        for (size_t a = 0; a < np; a++)
            for (size_t b = 0; b < nq; b++) {
                double dt = (post[b] + D_DEND) - (pre[a] + d);
                if (pre[a] + d >= 2000.0 || post[b] + D_DEND >= 2000.0)
                    continue; /* reaches the synapse after the end: not applied yet */
                dw += dt >= 0.0 ? A_PLUS * exp(-dt / TAU) : -A_MINUS * exp(dt / TAU);
            }
        double err = fabs(r.w1.weight[k] - (r.w0.weight[k] + dw));
        max_err = fmax(max_err, err);
        max_dw = fmax(max_dw, fabs(dw));
    }
    /* Float weights: each of some hundred updates rounds by up to 3e-8. */
    ck_assert_msg(max_err < 1e-5, "largest deviation from the pair sum %.3g (largest change %.3g)", max_err, max_dw);
    ck_assert_msg(max_dw > 1e-3, "largest change %.3g: the test would not see a missing pair", max_dw);
    free(pre);
    free(post);
    sq_weights_free(&r.w0);
    sq_weights_free(&r.w1);
    free(r.rec.s);
}
END_TEST

START_TEST(plastic_network_is_identical_at_one_and_three_threads)
{
    net_run a = run_network(1), b = run_network(3);
    ck_assert_uint_eq(a.rec.n, b.rec.n);
    for (size_t i = 0; i < a.rec.n; i++) {
        ck_assert(a.rec.s[i].t == b.rec.s[i].t);
        ck_assert_uint_eq(a.rec.s[i].id, b.rec.s[i].id);
    }
    ck_assert_uint_eq(a.w1.n, b.w1.n);
    ck_assert_int_eq(memcmp(a.w1.weight, b.w1.weight, a.w1.n * sizeof *a.w1.weight), 0);
    sq_weights_free(&a.w0);
    sq_weights_free(&a.w1);
    sq_weights_free(&b.w0);
    sq_weights_free(&b.w1);
    free(a.rec.s);
    free(b.rec.s);
}
END_TEST

/* ---- configuration errors ------------------------------------------------------------------ */

static int create_with(const sq_plasticity_spec *pl, const char *receptor, sq_err *err)
{
    sq_pop_spec pops[] = {
        {.name = "a", .n = 2, .model = "lif_delta"},
        {.name = "b", .n = 2, .model = "lif_delta"}};
    sq_proj_spec proj = {.source = "a", .target = "b", .connector = {.rule = SQ_CONN_ALL_TO_ALL, .autapses = 1, .multapses = 1},
                         .weight = sq_dist_constant(0.5), .delay = sq_dist_constant(1.0), .plasticity = pl,
                         .receptor = receptor};
    sq_net_spec spec = {.origin = "net.json", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 2, .projs = &proj,
                        .n_projs = 1};
    sq_sim *sim = NULL;
    int rc = sq_sim_create(&spec, &sim, err);
    sq_sim_destroy(sim);
    return rc;
}

START_TEST(bad_plasticity_settings_name_the_field)
{
    sq_err err = {0};
    sq_plasticity_spec pl = {.rule = "stpd"};
    ck_assert_int_eq(create_with(&pl, NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: projections[0].plasticity.rule: expected a plasticity rule (spikeq models lists them), got \"stpd\"");
    const char *names[] = {"tau_plus"}, *bad[] = {"tau_plas"};
    double neg[] = {-1.0};
    pl = (sq_plasticity_spec){.rule = "stdp", .param_names = names, .param_values = neg, .n_params = 1};
    ck_assert_int_eq(create_with(&pl, NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: projections[0].plasticity.params.tau_plus: expected a positive number in ms, got -1");
    pl.param_names = bad;
    ck_assert_int_eq(create_with(&pl, NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: projections[0].plasticity.params.tau_plas: expected a parameter of stdp, which has none of that name");
    const char *bounds[] = {"w_min", "w_max"};
    double inverted[] = {1.0, 0.5};
    pl = (sq_plasticity_spec){.rule = "stdp", .param_names = bounds, .param_values = inverted, .n_params = 2};
    ck_assert_int_eq(create_with(&pl, NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: projections[0].plasticity.params.w_max: expected at least w_min = 1, got 0.5");
    pl = (sq_plasticity_spec){.rule = "stdp_triplet", .preset = "visual_cortex"};
    ck_assert_int_eq(create_with(&pl, NULL, &err), SQ_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "projections[0].plasticity.preset: expected one of the presets of stdp_triplet (visual_cortex_full_all_to_all, "));
    pl = (sq_plasticity_spec){.rule = "stdp", .dendritic_delay = -1.0};
    ck_assert_int_eq(create_with(&pl, NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: projections[0].plasticity.dendritic_delay: expected a non-negative number in ms, got -1");
    ck_assert_int_eq(create_with(NULL, "dendrite", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: projections[0].receptor: expected no receptor, since model lif_delta has one input site, got \"dendrite\"");
    sq_pop_spec pops[] = {{.name = "a", .n = 2, .model = "lif_delta"}, {.name = "p", .n = 2, .model = "two_compartment"}};
    sq_proj_spec proj = {.source = "a", .target = "p", .connector = {.rule = SQ_CONN_ALL_TO_ALL, .autapses = 1, .multapses = 1},
                         .weight = sq_dist_constant(0.5), .delay = sq_dist_constant(1.0), .receptor = "apical"};
    sq_net_spec spec = {.origin = "net.json", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 2, .projs = &proj,
                        .n_projs = 1};
    sq_sim *sim = NULL;
    ck_assert_int_eq(sq_sim_create(&spec, &sim, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: projections[0].receptor: expected one of soma, dendrite (the input sites of two_compartment), got \"apical\"");
    proj.receptor = "dendrite";
    ck_assert_msg(sq_sim_create(&spec, &sim, &err) == 0, "%s", err.msg);
    sq_sim_destroy(sim);
}
END_TEST

START_TEST(weights_of_an_unknown_or_static_projection_are_refused)
{
    sq_pop_spec pops[] = {{.name = "a", .n = 2, .model = "lif_delta"}};
    sq_proj_spec proj = {.source = "a", .target = "a", .connector = {.rule = SQ_CONN_ALL_TO_ALL, .autapses = 1, .multapses = 1},
                         .weight = sq_dist_constant(0.5), .delay = sq_dist_constant(1.0)};
    sq_net_spec spec = {.origin = "net.json", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 1, .projs = &proj,
                        .n_projs = 1};
    sq_sim *sim;
    sq_err err = {0};
    ck_assert_int_eq(sq_sim_create(&spec, &sim, &err), 0);
    sq_weights w;
    ck_assert_int_eq(sq_sim_get_weights(sim, "a_to_a", &w, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "net.json: weights of \"a_to_a\": expected the name of a plastic projection or one with record_weights");
    ck_assert_uint_eq(w.n, 0);
    size_t n_set;
    ck_assert_int_eq(sq_sim_set_weight(sim, "a_to_a", 0, 1, 1.0f, &n_set, &err), SQ_EINVAL);
    ck_assert_uint_eq(n_set, 0);
    sq_sim_destroy(sim);
}
END_TEST

START_TEST(set_weight_changes_exactly_the_named_synapses)
{
    static protocol pr;
    memset(&pr, 0, sizeof pr);
    arrive(&pr, 2, 100.0); /* three pre neurons, all-to-all onto one post neuron */
    sq_plasticity_spec pl = {.rule = "stdp"};
    sq_test_spikes rec = {0};
    sq_sim *sim = protocol_sim(&pr, &pl, &rec);
    sq_err err = {0};
    size_t n_set;
    ck_assert_int_eq(sq_sim_set_weight(sim, "pre_to_post", 1, 0, 0.25f, &n_set, &err), 0);
    ck_assert_uint_eq(n_set, 1);
    sq_weights w = weights_of(sim, "pre_to_post");
    ck_assert(w.weight[0] == 0.5f && w.weight[1] == 0.25f && w.weight[2] == 0.5f);
    sq_weights_free(&w);
    ck_assert_int_eq(sq_sim_set_weight(sim, "pre_to_post", 3, 0, 0.25f, &n_set, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "test: set weight of pre_to_post: expected source < 3 and target < 1, got 3 -> 0");
    sq_sim_destroy(sim);
    free(rec.s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stdp");
    TCase *tc = tcase_create("pair");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, pairing_protocol_recovers_the_exponential_window);
    tcase_add_test(tc, all_to_all_pairing_sums_every_partner_and_nearest_only_the_closest);
    tcase_add_test(tc, multiplicative_rule_scales_potentiation_by_headroom_and_depression_by_weight);
    tcase_add_test(tc, additive_rule_stops_at_the_hard_bounds);
    tcase_add_test(tc, dendritic_delay_shifts_the_post_spike_seen_by_the_synapse);
    tcase_add_test(tc, two_arrivals_of_one_synapse_in_one_window_both_count);
    tcase_add_test(tc, network_weights_equal_the_sum_of_the_kernel_over_all_spike_pairs);
    tcase_add_test(tc, plastic_network_is_identical_at_one_and_three_threads);
    tcase_add_test(tc, bad_plasticity_settings_name_the_field);
    tcase_add_test(tc, weights_of_an_unknown_or_static_projection_are_refused);
    tcase_add_test(tc, set_weight_changes_exactly_the_named_synapses);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
