/* tests/test_threads.c: the promise of ARCHITECTURE.md "same seed, same spikes, any thread count":
 * 1, 2, 3 and 4 threads build the same connectivity (an order-free digest of every synapse) and
 * give bit-identical spikes (time, population, id) and V_m samples, on Brunel's network (Poisson
 * drive, lif_delta) and on a lif_exp + lif_exp_grid network with every kind of input: spike sources, a DC
 * generator, distributed weights and delays, fixed_total_number and fixed_outdegree connectors,
 * and V_m recording; on Vogels-Abbott COBA (lif_cond_exp) and on the 0.1-scale microcircuit. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"
#include "sim/internal.h"
#include "sim/sim.h"
#include "run_suite.h"
#include "spike_record.h"

typedef struct {
    sq_test_spikes sp;
    double *v;
    size_t n_v, cap_v;
} record;

static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    record *r = ud;
    sq_test_spikes_add(&r->sp, s, n);
}

static void on_samples(void *ud, size_t rec, double t, const double *v, size_t n)
{
    record *r = ud;
    if (r->n_v + n + 2 > r->cap_v) {
        r->cap_v = (r->n_v + n + 2) * 2;
        r->v = realloc(r->v, r->cap_v * sizeof *r->v);
    }
    r->v[r->n_v++] = (double)rec;
    r->v[r->n_v++] = t;
    memcpy(r->v + r->n_v, v, n * sizeof *v);
    r->n_v += n;
}

/* Runs spec on `threads` threads for t_stop ms (in two pieces, the first ending inside a window). */
static record run(const sq_net_spec *spec, uint32_t threads, double t_stop, uint64_t *digest)
{
    sq_net_spec sp = *spec;
    sp.threads = threads;
    sq_sim *sim;
    sq_err err = {0};
    ck_assert_msg(sq_sim_create(&sp, &sim, &err) == 0, "%s", err.msg);
    sq_sim_stats st;
    sq_sim_get_stats(sim, &st);
    ck_assert_uint_eq(st.threads, threads);
    record r = {0};
    sq_sim_observer obs = {on_spikes, on_samples, &r};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, t_stop * 0.37, &err), 0);
    ck_assert_int_eq(sq_sim_run(sim, t_stop, &err), 0);
    *digest = sq__connectivity_digest(sim);
    sq_sim_destroy(sim);
    return r;
}

static void expect_same_at_any_thread_count(const sq_net_spec *spec, double t_stop, size_t min_spikes)
{
    uint64_t d1, dn;
    record one = run(spec, 1, t_stop, &d1);
    ck_assert_msg(one.sp.n >= min_spikes, "only %zu spikes: the network is too quiet to test anything", one.sp.n);
    for (uint32_t threads = 2; threads <= 4; threads++) {
        record r = run(spec, threads, t_stop, &dn);
        ck_assert_msg(dn == d1, "%u threads: the connectivity differs from 1 thread's", threads);
        const sq_spike *a = r.sp.s, *b = one.sp.s;
        ck_assert_msg(r.sp.n == one.sp.n, "%u threads: %zu spikes, 1 thread: %zu", threads, r.sp.n, one.sp.n);
        for (size_t i = 0; i < r.sp.n; i++)
            ck_assert_msg(a[i].t == b[i].t && a[i].pop == b[i].pop && a[i].id == b[i].id,
                          "%u threads: spike %zu is (%.17g, %u, %u), 1 thread: (%.17g, %u, %u)", threads, i, a[i].t,
                          a[i].pop, a[i].id, b[i].t, b[i].pop, b[i].id);
        ck_assert_uint_eq(r.n_v, one.n_v);
        ck_assert_msg(r.n_v == 0 || memcmp(r.v, one.v, r.n_v * sizeof *r.v) == 0, "%u threads: V_m samples differ",
                      threads);
        free(r.sp.s);
        free(r.v);
    }
    free(one.sp.s);
    free(one.v);
}

/* Loads experiments/<rel> (relative to SQ_SOURCE_DIR). */
static sq_config *load(const char *rel)
{
    const char *src = getenv("SQ_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/experiments/%s", src ? src : ".", rel);
    sq_config *cfg;
    sq_err err = {0};
    ck_assert_msg(sq_config_load(path, NULL, 0, &cfg, &err) == 0, "%s", err.msg);
    return cfg;
}

START_TEST(scaled_microcircuit_gives_identical_spikes_on_1_to_4_threads)
{
    /* 0.1 scale: 7,717 neurons, 3e7 synapses with normal weights and delays, Poisson background;
     * 60 ms are 600 windows of 0.1 ms with every kind of exchange between the threads. */
    sq_config *cfg = load("microcircuit/microcircuit_0.1.json");
    expect_same_at_any_thread_count(sq_config_net(cfg), 60.0, 200);
    sq_config_destroy(cfg);
}
END_TEST

START_TEST(brunel_network_gives_identical_spikes_on_1_to_4_threads)
{
    sq_config *cfg = load("brunel/brunel_small.json");
    expect_same_at_any_thread_count(sq_config_net(cfg), 300.0, 10000);
    sq_config_destroy(cfg);
}
END_TEST

START_TEST(vogels_abbott_coba_gives_identical_spikes_on_1_to_4_threads)
{
    sq_config *cfg = load("vogels_abbott/coba.json");
    expect_same_at_any_thread_count(sq_config_net(cfg), 200.0, 1000);
    sq_config_destroy(cfg);
}
END_TEST

static const char *exp_names[] = {"tau_syn_ex", "tau_syn_in", "I_e"};

START_TEST(lif_exp_and_grid_network_with_every_input_kind_gives_identical_spikes_and_samples_on_1_to_4_threads)
{
    double e_vals[] = {1.0, 2.0, 300.0}, i_vals[] = {0.5, 1.0, 350.0};
    uint32_t src_ids[] = {0, 1, 2, 3, 0, 5};
    double src_times[] = {5.0, 5.0, 12.3, 40.0, 41.7, 80.05};
    sq_pop_spec pops[] = {
        {.name = "E", .n = 400, .model = "lif_exp", .param_names = exp_names, .param_values = e_vals, .n_params = 3,
         .has_v_init = 1, .v_init = {SQ_DIST_UNIFORM, 0, -70.0, -56.0, 0, 0}},
        {.name = "I", .n = 100, .model = "lif_exp", .param_names = exp_names, .param_values = i_vals, .n_params = 3},
        {.name = "stim", .n = 6, .model = "spike_source", .spike_ids = src_ids, .spike_times = src_times, .n_spikes = 6},
        {.name = "G", .n = 150, .model = "lif_exp_grid", .param_names = exp_names, .param_values = e_vals, .n_params = 3,
         .has_v_init = 1, .v_init = {SQ_DIST_UNIFORM, 0, -70.0, -56.0, 0, 0}}};
    sq_dist w_e = {SQ_DIST_NORMAL, 0, 0.0, INFINITY, 60.0, 15.0}, w_i = {SQ_DIST_NORMAL, 0, -INFINITY, 0.0, -200.0, 40.0};
    sq_dist d = {SQ_DIST_UNIFORM, 0, 0.5, 3.0, 0, 0};
    sq_proj_spec projs[] = {
        {"E", "E", {SQ_CONN_FIXED_TOTAL_NUMBER, 0, 16000, 0, 1}, w_e, d, NULL, NULL, NULL, 0},
        {"E", "I", {SQ_CONN_FIXED_PROBABILITY, 0.1, 0, 1, 1}, w_e, d, NULL, NULL, NULL, 0},
        {"I", "E", {SQ_CONN_FIXED_OUTDEGREE, 0, 50, 1, 0}, w_i, sq_dist_constant(0.5), NULL, NULL, NULL, 0},
        {"I", "I", {SQ_CONN_FIXED_INDEGREE, 0, 20, 0, 1}, w_i, d, NULL, NULL, NULL, 0},
        {"stim", "E", {SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1}, sq_dist_constant(400.0), sq_dist_constant(1.0), NULL, NULL, NULL, 0},
        {"E", "G", {SQ_CONN_FIXED_INDEGREE, 0, 40, 1, 1}, w_e, d, NULL, NULL, NULL, 0},
        {"G", "I", {SQ_CONN_FIXED_PROBABILITY, 0.05, 0, 1, 1}, w_e, d, NULL, NULL, NULL, 0}};
    const char *dc_targets[] = {"I", "G"}, *poisson_targets[] = {"E", "I", "G"};
    sq_device_spec devs[] = {
        {.name = "bias", .kind = SQ_DEVICE_DC, .amplitude = 120.0, .start = 20.0, .stop = 70.0, .targets = dc_targets,
         .n_targets = 2},
        {.name = "ext", .kind = SQ_DEVICE_POISSON, .rate = 2000.0, .weight = 40.0, .delay = 0.5, .start = 0.0,
         .stop = INFINITY, .targets = poisson_targets, .n_targets = 3}};
    uint32_t vm_ids[] = {0, 199, 399};
    sq_vm_spec vm[] = {{"E", vm_ids, 3, 0.5}, {"I", NULL, 0, 1.0}, {"G", vm_ids, 1, 0.3}};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 7, .pops = pops, .n_pops = 4, .projs = projs,
                        .n_projs = 7, .devices = devs, .n_devices = 2, .vm = vm, .n_vm = 3};
    expect_same_at_any_thread_count(&spec, 150.0, 500);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("same spikes at any thread count");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, brunel_network_gives_identical_spikes_on_1_to_4_threads);
    tcase_add_test(tc, scaled_microcircuit_gives_identical_spikes_on_1_to_4_threads);
    tcase_add_test(tc, vogels_abbott_coba_gives_identical_spikes_on_1_to_4_threads);
    tcase_add_test(tc, lif_exp_and_grid_network_with_every_input_kind_gives_identical_spikes_and_samples_on_1_to_4_threads);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
