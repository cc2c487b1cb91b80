/* tests/test_sim.c: the event engine end to end on small networks whose spike times are known in
 * closed form: exact delays, chains, DC-driven firing found through the next-check heap, Poisson
 * input rates, V_m sampling, reproducibility, runs in pieces, interruption, and the error messages
 * of sq_sim_create. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "run_suite.h"

typedef struct {
    sq_spike *s;
    size_t n, cap;
    size_t windows, stop_after; /* request a stop after this many callbacks (0 = never) */
    sq_sim *sim;
    double vt[64], v[64];
    size_t n_v;
} record;

static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    record *r = ud;
    if (r->n + n > r->cap) {
        r->cap = (r->n + n) * 2;
        r->s = realloc(r->s, r->cap * sizeof *r->s);
    }
    memcpy(r->s + r->n, s, n * sizeof *s);
    r->n += n;
    if (++r->windows == r->stop_after)
        sq_sim_request_stop(r->sim);
}

static void on_samples(void *ud, size_t rec, double t, const double *v, size_t n)
{
    record *r = ud;
    (void)rec;
    if (r->n_v < 64 && n >= 1) {
        r->vt[r->n_v] = t;
        r->v[r->n_v++] = v[0];
    }
}

static sq_sim *make(const sq_net_spec *spec, record *r)
{
    sq_sim *sim;
    sq_err err = {0};
    int rc = sq_sim_create(spec, &sim, &err);
    ck_assert_msg(rc == 0, "sq_sim_create: %s", err.msg);
    sq_sim_observer obs = {on_spikes, on_samples, r};
    sq_sim_set_observer(sim, &obs);
    r->sim = sim;
    return sim;
}

static const char *lif_names[] = {"tau_m", "E_L", "V_th", "V_reset", "t_ref", "I_e", "C_m"};

START_TEST(input_arrives_after_its_exact_delay_and_fires_at_that_instant)
{
    /* A 20 mV jump from E_L = -70 crosses V_th = -55, so the target fires exactly at arrival. */
    uint32_t ids[] = {0, 0};
    double times[] = {1.234, 7.777};
    double vals[] = {10.0, -70.0, -55.0, -70.0, 2.0, 0.0, 250.0};
    sq_pop_spec pops[] = {
        {.name = "src", .n = 1, .model = "spike_source", .spike_ids = ids, .spike_times = times, .n_spikes = 2},
        {.name = "post", .n = 1, .model = "lif_delta", .param_names = lif_names, .param_values = vals, .n_params = 7}};
    sq_proj_spec proj = {"src", "post", {SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1}, sq_dist_constant(20.0), sq_dist_constant(1.5), NULL, NULL, NULL, 0};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 2, .projs = &proj, .n_projs = 1};
    record r = {0};
    sq_sim *sim = make(&spec, &r);
    ck_assert_int_eq(sq_sim_run(sim, 20.0, NULL), 0);
    ck_assert_uint_eq(r.n, 4);
    ck_assert_double_eq_tol(r.s[0].t, 1.234, 1e-12);
    ck_assert_double_eq_tol(r.s[1].t, 1.234 + 1.5, 1e-12); /* source first, then the target */
    ck_assert_uint_eq(r.s[1].pop, 1);
    ck_assert_double_eq_tol(r.s[3].t, 7.777 + 1.5, 1e-12);
    sq_sim_destroy(sim);
    free(r.s);
}
END_TEST

START_TEST(spikes_propagate_along_a_chain_with_summed_delays)
{
    uint32_t ids[] = {0};
    double times[] = {0.5};
    double vals[] = {10.0, -70.0, -55.0, -70.0, 2.0, 0.0, 250.0};
    sq_pop_spec pops[] = {
        {.name = "src", .n = 1, .model = "spike_source", .spike_ids = ids, .spike_times = times, .n_spikes = 1},
        {.name = "a", .n = 1, .model = "lif_delta", .param_names = lif_names, .param_values = vals, .n_params = 7},
        {.name = "b", .n = 1, .model = "lif_delta", .param_names = lif_names, .param_values = vals, .n_params = 7}};
    sq_proj_spec projs[] = {
        {"src", "a", {SQ_CONN_ONE_TO_ONE, 0, 0, 1, 1}, sq_dist_constant(20.0), sq_dist_constant(2.0), NULL, NULL, NULL, 0},
        {"a", "b", {SQ_CONN_ONE_TO_ONE, 0, 0, 1, 1}, sq_dist_constant(20.0), sq_dist_constant(3.7), NULL, NULL, NULL, 0}};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 3, .projs = projs, .n_projs = 2};
    record r = {0};
    sq_sim *sim = make(&spec, &r);
    ck_assert_int_eq(sq_sim_run(sim, 50.0, NULL), 0);
    ck_assert_uint_eq(r.n, 3);
    ck_assert_double_eq_tol(r.s[1].t, 2.5, 1e-12);
    ck_assert_double_eq_tol(r.s[2].t, 6.2, 1e-12);
    ck_assert_uint_eq(r.s[2].pop, 2);
    sq_sim_destroy(sim);
    free(r.s);
}
END_TEST

START_TEST(dc_driven_neuron_fires_at_closed_form_times_without_any_input)
{
    /* V_inf = E_L + I_e tau_m / C_m = -70 + 500*10/250 = -50 > V_th = -55: tonic firing. First
     * spike from E_L after tau ln((E_L - V_inf)/(V_th - V_inf)); then every
     * t_ref + tau ln((V_reset - V_inf)/(V_th - V_inf)). */
    double vals[] = {10.0, -70.0, -55.0, -70.0, 2.0, 500.0, 250.0};
    sq_pop_spec pop = {.name = "p", .n = 3, .model = "lif_delta", .param_names = lif_names, .param_values = vals, .n_params = 7};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = &pop, .n_pops = 1};
    record r = {0};
    sq_sim *sim = make(&spec, &r);
    ck_assert_int_eq(sq_sim_run(sim, 200.0, NULL), 0);
    double v_inf = -50.0, first = 10.0 * log((-70.0 - v_inf) / (-55.0 - v_inf));
    double isi = 2.0 + 10.0 * log((-70.0 - v_inf) / (-55.0 - v_inf));
    size_t expected = (size_t)floor((200.0 - first) / isi) + 1;
    ck_assert_uint_eq(r.n, 3 * expected);
    for (size_t k = 0; k < r.n; k++) {
        ck_assert_uint_eq(r.s[k].id, k % 3); /* equal times: ordered by neuron id */
        ck_assert_double_eq_tol(r.s[k].t, first + (double)(k / 3) * isi, 1e-9);
    }
    sq_sim_destroy(sim);
    free(r.s);
}
END_TEST

START_TEST(dc_generator_switches_firing_on_and_off_at_closed_form_times)
{
    /* 500 pA from 20 to 100 ms: V_inf = -50 mV > V_th, so the neuron fires at 20 + tau ln(4), then
     * every t_ref + tau ln(4) ms while the current is on, and never after it is switched off. */
    double vals[] = {10.0, -70.0, -55.0, -70.0, 2.0, 0.0, 250.0};
    sq_pop_spec pop = {.name = "p", .n = 1, .model = "lif_delta", .param_names = lif_names, .param_values = vals, .n_params = 7};
    const char *targets[] = {"p"};
    sq_device_spec dev = {.name = "bias", .kind = SQ_DEVICE_DC, .amplitude = 500.0, .start = 20.0, .stop = 100.0,
                          .targets = targets, .n_targets = 1};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = &pop, .n_pops = 1, .devices = &dev, .n_devices = 1};
    record r = {0};
    sq_sim *sim = make(&spec, &r);
    ck_assert_int_eq(sq_sim_run(sim, 300.0, NULL), 0);
    double first = 20.0 + 10.0 * log(4.0), isi = 2.0 + 10.0 * log(4.0);
    size_t expected = (size_t)floor((100.0 - first) / isi) + 1;
    ck_assert_uint_eq(r.n, expected);
    for (size_t k = 0; k < r.n; k++)
        ck_assert_double_eq_tol(r.s[k].t, first + (double)k * isi, 1e-9);
    sq_sim_destroy(sim);
    free(r.s);
}
END_TEST

START_TEST(poisson_generator_gives_each_target_its_own_train_at_the_set_rate)
{
    /* Every input fires (20 mV jump, no refractoriness), so spikes count the Poisson events:
     * 100 targets x 500 Hz x 2 s = 1e5 expected, sd 316; 5 sd bound. */
    double vals[] = {10.0, -70.0, -55.0, -70.0, 0.0, 0.0, 250.0};
    sq_pop_spec pop = {.name = "p", .n = 100, .model = "lif_delta", .param_names = lif_names, .param_values = vals, .n_params = 7};
    const char *targets[] = {"p"};
    sq_device_spec dev = {.name = "noise", .kind = SQ_DEVICE_POISSON, .rate = 500.0, .start = 0.0, .stop = INFINITY,
                          .weight = 20.0, .delay = 0.1, .targets = targets, .n_targets = 1};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 7, .pops = &pop, .n_pops = 1, .devices = &dev, .n_devices = 1};
    record r = {0};
    sq_sim *sim = make(&spec, &r);
    ck_assert_int_eq(sq_sim_run(sim, 2000.0, NULL), 0);
    ck_assert_msg(fabs((double)r.n - 1e5) < 5.0 * sqrt(1e5), "count %zu", r.n);
    /* Targets 0 and 1 do not share spike times. */
    size_t shared = 0;
    for (size_t i = 0; i < r.n; i++)
        for (size_t j = i + 1; j < r.n && r.s[j].t == r.s[i].t; j++)
            shared++;
    ck_assert_uint_eq(shared, 0);
    sq_sim_destroy(sim);
    free(r.s);
}
END_TEST

/* A small balanced network with Poisson drive (Brunel-like), used for reproducibility tests. */
static sq_net_spec small_net(uint64_t seed, sq_pop_spec *pops, sq_proj_spec *projs, sq_device_spec *dev)
{
    static const char *names[] = {"tau_m", "E_L", "V_th", "V_reset", "t_ref", "C_m"};
    static const double vals[] = {20.0, 0.0, 20.0, 10.0, 2.0, 250.0};
    static const char *targets[] = {"E", "I"};
    sq_dist vinit = {SQ_DIST_UNIFORM, 0, 0.0, 20.0, 0, 0};
    pops[0] = (sq_pop_spec){.name = "E", .n = 400, .model = "lif_delta", .param_names = names, .param_values = vals,
                            .n_params = 6, .has_v_init = 1, .v_init = vinit};
    pops[1] = pops[0];
    pops[1].name = "I";
    pops[1].n = 100;
    sq_dist delay = {SQ_DIST_UNIFORM, 0, 1.0, 2.5, 0, 0};
    projs[0] = (sq_proj_spec){"E", "E", {SQ_CONN_FIXED_INDEGREE, 0, 40, 0, 1}, sq_dist_constant(0.4), delay, NULL, NULL, NULL, 0};
    projs[1] = (sq_proj_spec){"E", "I", {SQ_CONN_FIXED_INDEGREE, 0, 40, 1, 1}, sq_dist_constant(0.4), delay, NULL, NULL, NULL, 0};
    projs[2] = (sq_proj_spec){"I", "E", {SQ_CONN_FIXED_PROBABILITY, 0.1, 0, 1, 1}, sq_dist_constant(-2.0), sq_dist_constant(1.5), NULL, NULL, NULL, 0};
    projs[3] = (sq_proj_spec){"I", "I", {SQ_CONN_FIXED_PROBABILITY, 0.1, 0, 0, 1}, sq_dist_constant(-2.0), sq_dist_constant(1.5), NULL, NULL, NULL, 0};
    *dev = (sq_device_spec){.name = "ext", .kind = SQ_DEVICE_POISSON, .rate = 3000.0, .start = 0.0, .stop = INFINITY,
                            .weight = 0.4, .delay = 1.5, .targets = targets, .n_targets = 2};
    return (sq_net_spec){.origin = "test", .resolution = 0.1, .seed = seed, .pops = pops, .n_pops = 2,
                         .projs = projs, .n_projs = 4, .devices = dev, .n_devices = 1};
}

static record run_small(uint64_t seed, double t1, double t2)
{
    sq_pop_spec pops[2];
    sq_proj_spec projs[4];
    sq_device_spec dev;
    sq_net_spec spec = small_net(seed, pops, projs, &dev);
    record r = {0};
    sq_sim *sim = make(&spec, &r);
    ck_assert_int_eq(sq_sim_run(sim, t1, NULL), 0);
    ck_assert_int_eq(sq_sim_run(sim, t2, NULL), 0);
    sq_sim_destroy(sim);
    return r;
}

static int same_spikes(const record *a, const record *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->s[i].t != b->s[i].t || a->s[i].pop != b->s[i].pop || a->s[i].id != b->s[i].id)
            return 0;
    return 1;
}

START_TEST(same_seed_gives_the_same_spikes_and_another_seed_does_not)
{
    record a = run_small(42, 100.0, 300.0), b = run_small(42, 100.0, 300.0), c = run_small(43, 100.0, 300.0);
    ck_assert_uint_gt(a.n, 1000);
    ck_assert(same_spikes(&a, &b));
    ck_assert(!same_spikes(&a, &c));
    free(a.s);
    free(b.s);
    free(c.s);
}
END_TEST

START_TEST(a_run_in_pieces_equals_one_run)
{
    /* 123.45 ms is not a window boundary: the engine must stop inside a window and resume. */
    record a = run_small(5, 123.45, 300.0), b = run_small(5, 300.0, 300.0);
    ck_assert_uint_gt(a.n, 1000);
    ck_assert(same_spikes(&a, &b));
    free(a.s);
    free(b.s);
}
END_TEST

START_TEST(stop_request_ends_the_run_at_a_window_boundary_with_every_spike_before_it)
{
    sq_pop_spec pops[2];
    sq_proj_spec projs[4];
    sq_device_spec dev;
    sq_net_spec spec = small_net(9, pops, projs, &dev);
    record r = {0};
    r.stop_after = 50;
    sq_sim *sim = make(&spec, &r);
    sq_err err = {0};
    ck_assert_int_eq(sq_sim_run(sim, 1000.0, &err), SQ_EINTR);
    double t = sq_sim_time(sim);
    ck_assert(t > 0.0 && t < 1000.0);
    ck_assert_double_eq(t, round(t)); /* the window is the minimum delay, 1 ms */
    char msg[128];
    snprintf(msg, sizeof msg, "interrupted at t = %g ms of 1000 ms", t);
    ck_assert_str_eq(err.msg, msg);
    record full = run_small(9, t, t);
    ck_assert(same_spikes(&r, &full));
    /* The run can go on afterwards and ends where an uninterrupted run would. */
    r.stop_after = 0;
    ck_assert_int_eq(sq_sim_run(sim, 300.0, NULL), 0);
    record whole = run_small(9, 300.0, 300.0);
    ck_assert(same_spikes(&r, &whole));
    sq_sim_destroy(sim);
    free(r.s);
    free(full.s);
    free(whole.s);
}
END_TEST

START_TEST(sampled_membrane_potential_matches_the_closed_form)
{
    /* Subthreshold DC: V(t) = V_inf + (E_L - V_inf) exp(-t/tau), V_inf = -70 + 200*10/250 = -62. */
    double vals[] = {10.0, -70.0, -55.0, -70.0, 2.0, 200.0, 250.0};
    sq_pop_spec pop = {.name = "p", .n = 2, .model = "lif_delta", .param_names = lif_names, .param_values = vals, .n_params = 7};
    uint32_t ids[] = {1};
    sq_vm_spec vm = {"p", ids, 1, 0.7};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = &pop, .n_pops = 1, .vm = &vm, .n_vm = 1};
    record r = {0};
    sq_sim *sim = make(&spec, &r);
    ck_assert_int_eq(sq_sim_run(sim, 20.0, NULL), 0);
    ck_assert_uint_eq(r.n_v, 29); /* t = 0, 0.7, ..., 19.6 */
    for (size_t k = 0; k < r.n_v; k++) {
        double t = 0.7 * (double)k, v = -62.0 - 8.0 * exp(-t / 10.0);
        ck_assert_double_eq_tol(r.vt[k], t, 1e-12);
        ck_assert_double_eq_tol(r.v[k], v, 1e-9 * fabs(v));
    }
    sq_sim_destroy(sim);
    free(r.s);
}
END_TEST

START_TEST(recording_membrane_potential_does_not_change_any_spike)
{
    /* Sampling V_m reads a copy of the state: a recorded neuron integrates over exactly the same
     * intervals whether and however often it is sampled. So the spikes are bit-identical with and
     * without recording, and a neuron sampled every 1 ms and every 0.25 ms shows bit-identical V_m
     * at the common times (splitting the integration at sample times would change the last bits). */
    sq_pop_spec pops[2];
    sq_proj_spec projs[4];
    sq_device_spec dev;
    sq_net_spec spec = small_net(21, pops, projs, &dev);
    record plain = {0}, coarse = {0}, fine = {0};
    sq_sim *sim = make(&spec, &plain);
    ck_assert_int_eq(sq_sim_run(sim, 300.0, NULL), 0);
    sq_sim_destroy(sim);
    uint32_t ids[] = {7};
    sq_vm_spec vm = {"E", ids, 1, 1.0};
    spec.vm = &vm;
    spec.n_vm = 1;
    sim = make(&spec, &coarse);
    ck_assert_int_eq(sq_sim_run(sim, 300.0, NULL), 0);
    sq_sim_destroy(sim);
    vm.interval = 0.25;
    sim = make(&spec, &fine);
    ck_assert_int_eq(sq_sim_run(sim, 300.0, NULL), 0);
    sq_sim_destroy(sim);
    ck_assert_uint_gt(plain.n, 1000);
    ck_assert(same_spikes(&plain, &coarse));
    ck_assert(same_spikes(&plain, &fine));
    ck_assert_uint_eq(coarse.n_v, 64);
    ck_assert_uint_eq(fine.n_v, 64);
    for (size_t k = 0; k < 16; k++) {
        ck_assert(coarse.vt[k] == fine.vt[4 * k]);
        ck_assert_msg(coarse.v[k] == fine.v[4 * k], "t = %g ms: %.17g vs %.17g", coarse.vt[k], coarse.v[k],
                      fine.v[4 * k]);
    }
    free(plain.s);
    free(coarse.s);
    free(fine.s);
}
END_TEST

static void expect_error(const sq_net_spec *spec, int code, const char *msg)
{
    sq_sim *sim = (sq_sim *)1;
    sq_err err = {0};
    ck_assert_int_eq(sq_sim_create(spec, &sim, &err), code);
    ck_assert_ptr_null(sim);
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(create_rejects_bad_networks_naming_field_expectation_and_value)
{
    const char *names[] = {"tau_m"};
    double bad_tau[] = {-5.0};
    sq_pop_spec pops[] = {{.name = "E", .n = 10, .model = "lif_delta", .param_names = names, .param_values = bad_tau, .n_params = 1},
                          {.name = "I", .n = 10, .model = "lif_delta"}};
    sq_net_spec spec = {.origin = "net.json", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 2};
    expect_error(&spec, SQ_ECONFIG, "net.json: populations[0].params.tau_m: expected a positive number in ms, got -5");

    pops[0].n_params = 0;
    pops[1].n = 0;
    expect_error(&spec, SQ_ECONFIG, "net.json: populations[1].n: expected a positive integer, got 0");
    pops[1].n = 10;
    pops[1].model = "lif_fancy";
    expect_error(&spec, SQ_ECONFIG,
                 "net.json: populations[1].model: expected one of lif_delta, lif_exp, lif_exp_grid, lif_cond_exp, two_compartment, izhikevich, spike_source, poisson_source, got \"lif_fancy\"");
    pops[1].model = "lif_delta";

    sq_proj_spec proj = {"E", "I", {SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1}, sq_dist_constant(0.1), sq_dist_constant(0.05), NULL, NULL, NULL, 0};
    spec.projs = &proj;
    spec.n_projs = 1;
    expect_error(&spec, SQ_ECONFIG, "net.json: projections[0].delay: expected at least the resolution 0.1 ms, got 0.05");
    proj.delay = sq_dist_constant(1.0);
    proj.target = "X";
    expect_error(&spec, SQ_ECONFIG, "net.json: projections[0].target: expected the name of a population, got \"X\"");
    proj.target = "I";
    proj.delay = (sq_dist){SQ_DIST_NORMAL, 0, -INFINITY, INFINITY, 1.5, 0.5};
    expect_error(&spec, SQ_ECONFIG,
                 "net.json: projections[0].delay: expected values of at least the resolution 0.1 ms, got a distribution "
                 "reaching down to -inf ms (set its low bound)");
    spec.resolution = -1.0;
    expect_error(&spec, SQ_ECONFIG, "net.json: simulation.resolution: expected a positive number in ms, got -1");
}
END_TEST

START_TEST(fixed_indegree_network_reports_synapses_and_about_8_bytes_each)
{
    sq_pop_spec pops[2];
    sq_proj_spec projs[4];
    sq_device_spec dev;
    sq_net_spec spec = small_net(1, pops, projs, &dev);
    spec.n_projs = 2; /* the two fixed_indegree projections: 500 targets x 40 */
    projs[0].delay = projs[1].delay = sq_dist_constant(1.5);
    record r = {0};
    sq_sim *sim = make(&spec, &r);
    sq_sim_stats st;
    sq_sim_get_stats(sim, &st);
    ck_assert_uint_eq(st.n_synapses, 500 * 40);
    ck_assert_uint_eq(st.n_neurons, 500);
    /* 8 bytes per synapse, plus 10 per (source, delay) group and 8 per neuron, both once per
     * thread (each thread's store has its own groups and offsets by source). */
    double per = (double)st.synapse_bytes / (double)st.n_synapses;
    ck_assert_msg(per > 8.0 && per < 8.0 + (10.0 + 8.0) * st.threads / 40.0 + 1e-9, "%g bytes/synapse", per);
    ck_assert_double_eq(st.min_delay, 1.5);
    sq_sim_destroy(sim);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("engine");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, input_arrives_after_its_exact_delay_and_fires_at_that_instant);
    tcase_add_test(tc, spikes_propagate_along_a_chain_with_summed_delays);
    tcase_add_test(tc, dc_driven_neuron_fires_at_closed_form_times_without_any_input);
    tcase_add_test(tc, dc_generator_switches_firing_on_and_off_at_closed_form_times);
    tcase_add_test(tc, poisson_generator_gives_each_target_its_own_train_at_the_set_rate);
    tcase_add_test(tc, same_seed_gives_the_same_spikes_and_another_seed_does_not);
    tcase_add_test(tc, a_run_in_pieces_equals_one_run);
    tcase_add_test(tc, stop_request_ends_the_run_at_a_window_boundary_with_every_spike_before_it);
    tcase_add_test(tc, sampled_membrane_potential_matches_the_closed_form);
    tcase_add_test(tc, recording_membrane_potential_does_not_change_any_spike);
    tcase_add_test(tc, create_rejects_bad_networks_naming_field_expectation_and_value);
    tcase_add_test(tc, fixed_indegree_network_reports_synapses_and_about_8_bytes_each);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
