/* tests/test_poisson_source.c: the "poisson_source" population kind (sim/source_poisson.c and its
 * config form in io/config_pops.c): trains with the statistics of a Poisson process on
 * [start, stop) (count, dispersion, uniform times), one train shared by all of a source's targets
 * (a parrot neuron, not a generator), reproducible by seed, and every error path's message. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config_fixture.h"
#include "run_suite.h"
#include "sim/sim.h"
#include "sim/source_poisson.h"
#include "spike_record.h"

typedef sq_test_spikes record;

static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    sq_test_spikes_add(ud, s, n);
}

static sq_pop_spec source(uint32_t n, double rate, double start, double stop)
{
    sq_pop_spec p = {.name = "TC", .n = n, .model = "poisson_source", .rate = rate, .start = start, .stop = stop};
    return p;
}

static sq_net_spec net(const sq_pop_spec *pops, size_t n_pops, uint64_t seed)
{
    sq_net_spec s = {.origin = "net.json", .resolution = 0.1, .seed = seed, .pops = pops, .n_pops = n_pops};
    return s;
}

START_TEST(trains_have_poisson_counts_and_uniform_times_inside_start_to_stop)
{
    /* 2000 trains at 50 Hz on [100, 300) ms: 10 spikes expected each, 20000 in all. */
    sq_pop_spec p = source(2000, 50.0, 100.0, 300.0);
    sq_net_spec s = net(&p, 1, 7);
    uint32_t *ids;
    double *t;
    size_t n;
    sq_err err = {0};
    ck_assert_int_eq(sq__poisson_source_draw(&s, 0, &ids, &t, &n, &err), 0);
    /* Total: Poisson(20000), SD 141; 5 SD. */
    ck_assert_msg(fabs((double)n - 20000.0) < 5 * sqrt(20000.0), "total %zu", n);
    double *count = calloc(2000, sizeof *count);
    size_t bins[10] = {0};
    for (size_t k = 0; k < n; k++) {
        ck_assert(t[k] >= 100.0 && t[k] < 300.0);
        ck_assert_uint_lt(ids[k], 2000);
        count[ids[k]] += 1.0;
        bins[(int)((t[k] - 100.0) / 20.0)]++;
    }
    /* Dispersion var/mean = 1 for Poisson counts; its SE over 2000 trains is sqrt(2/1999) = 0.032. */
    double m = 0.0, v = 0.0;
    for (int i = 0; i < 2000; i++)
        m += count[i] / 2000.0;
    for (int i = 0; i < 2000; i++)
        v += (count[i] - m) * (count[i] - m) / 1999.0;
    ck_assert_msg(fabs(v / m - 1.0) < 5 * 0.032, "dispersion %g", v / m);
    /* Times uniform: chi-square over 10 bins (9 dof), below 33.7 (p = 1e-4). */
    double chi2 = 0.0;
    for (int b = 0; b < 10; b++)
        chi2 += (bins[b] - n / 10.0) * (bins[b] - n / 10.0) / (n / 10.0);
    ck_assert_msg(chi2 < 33.7, "chi2 %g", chi2);
    free(count);
    free(ids);
    free(t);
}
END_TEST

START_TEST(a_zero_rate_or_empty_interval_gives_no_spikes)
{
    sq_pop_spec p[2] = {source(10, 0.0, 0.0, 100.0), source(10, 100.0, 50.0, 50.0)};
    sq_net_spec s = net(p, 2, 1);
    for (size_t i = 0; i < 2; i++) {
        uint32_t *ids;
        double *t;
        size_t n = 99;
        sq_err err = {0};
        ck_assert_int_eq(sq__poisson_source_draw(&s, i, &ids, &t, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        free(ids);
        free(t);
    }
}
END_TEST

/* Runs a 3-neuron poisson_source into two lif_delta neurons that fire on every input (a 20 mV jump
 * over a 15 mV gap, no refractoriness worth speaking of), one_to_one from source 0 and all_to_all
 * from the rest muted by weight 0. Returns the spikes. */
static record run_shared(uint64_t seed)
{
    static const char *names[] = {"t_ref", "V_th", "E_L", "V_reset"};
    static const double values[] = {0.0, -55.0, -70.0, -70.0};
    sq_pop_spec pops[2] = {source(1, 200.0, 0.0, 500.0),
                           {.name = "T", .n = 2, .model = "lif_delta", .param_names = names,
                            .param_values = values, .n_params = 4}};
    sq_proj_spec proj = {.source = "TC", .target = "T", .connector = {.rule = SQ_CONN_ALL_TO_ALL, .autapses = 1,
                                                                   .multapses = 1},
                         .weight = sq_dist_constant(20.0), .delay = sq_dist_constant(1.5)};
    sq_net_spec s = net(pops, 2, seed);
    s.projs = &proj;
    s.n_projs = 1;
    sq_sim *sim;
    sq_err err = {0};
    ck_assert_msg(sq_sim_create(&s, &sim, &err) == 0, "%s", err.msg);
    record r = {0};
    sq_sim_observer obs = {on_spikes, NULL, &r};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, 510.0, &err), 0);
    sq_sim_destroy(sim);
    return r;
}

START_TEST(one_source_train_reaches_every_target_as_the_same_spikes_after_the_delay)
{
    record r = run_shared(3);
    size_t n_src = 0, n_t[2] = {0, 0};
    double *src = malloc(r.n * sizeof *src), *tgt[2] = {malloc(r.n * sizeof(double)), malloc(r.n * sizeof(double))};
    for (size_t k = 0; k < r.n; k++) {
        if (r.s[k].pop == 0)
            src[n_src++] = r.s[k].t;
        else
            tgt[r.s[k].id][n_t[r.s[k].id]++] = r.s[k].t;
    }
    /* 200 Hz for 0.5 s: 100 expected; Poisson SD 10. */
    ck_assert_msg(n_src > 50 && n_src < 150, "%zu source spikes", n_src);
    ck_assert_uint_eq(n_t[0], n_src);
    ck_assert_uint_eq(n_t[1], n_src);
    for (size_t k = 0; k < n_src; k++) {
        ck_assert_double_eq_tol(tgt[0][k], src[k] + 1.5, 1e-9);
        ck_assert_double_eq(tgt[1][k], tgt[0][k]);
    }
    free(src);
    free(tgt[0]);
    free(tgt[1]);
    free(r.s);
}
END_TEST

START_TEST(same_seed_gives_the_same_trains_and_another_seed_does_not)
{
    record a = run_shared(3), b = run_shared(3), c = run_shared(4);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_int_eq(memcmp(a.s, b.s, a.n * sizeof *a.s), 0);
    ck_assert(a.n != c.n || memcmp(a.s, c.s, a.n * sizeof *a.s) != 0);
    free(a.s);
    free(b.s);
    free(c.s);
}
END_TEST

static void create_fails(const sq_pop_spec *p, int code, const char *msg)
{
    sq_net_spec s = net(p, 1, 1);
    sq_sim *sim = (sq_sim *)&sim;
    sq_err err = {0};
    ck_assert_int_eq(sq_sim_create(&s, &sim, &err), code);
    ck_assert_str_eq(err.msg, msg);
    ck_assert_ptr_null(sim);
}

START_TEST(bad_rates_times_and_huge_trains_are_refused_with_the_field_named)
{
    sq_pop_spec p = source(1, -1.0, 0.0, 10.0);
    create_fails(&p, SQ_ECONFIG, "net.json: populations[0].rate: expected a non-negative number in Hz, got -1");
    p = source(1, 5.0, -1.0, 10.0);
    create_fails(&p, SQ_ECONFIG, "net.json: populations[0].start: expected a non-negative time in ms, got -1");
    p = source(1, 5.0, 0.0, INFINITY);
    create_fails(&p, SQ_ECONFIG,
                 "net.json: populations[0].stop: expected a finite time in ms, not before start (0), got inf");
    p = source(1, 5.0, 20.0, 10.0);
    create_fails(&p, SQ_ECONFIG,
                 "net.json: populations[0].stop: expected a finite time in ms, not before start (20), got 10");
    p = source(1000000, 1e6, 0.0, 1e6);
    create_fails(&p, SQ_ERANGE,
                 "net.json: populations[0]: expected at most 100000000 spikes in all (n * rate * (stop - start)), "
                 "got an expected 1e+15");
}
END_TEST

START_TEST(config_reads_a_poisson_source_population)
{
    sq_config *c = parse_ok("{'populations': [{'name': 'TC', 'n': 902, 'model': 'poisson_source', 'rate': 120,"
                            " 'start': 700, 'stop': 710}, {'name': 'S', 'n': 1, 'model': 'poisson_source',"
                            " 'rate': 1.5, 'stop': 2}]}",
                            NULL, 0);
    const sq_pop_spec *p = sq_config_net(c)->pops;
    ck_assert_str_eq(p[0].model, "poisson_source");
    ck_assert_uint_eq(p[0].n, 902);
    ck_assert_double_eq(p[0].rate, 120.0);
    ck_assert_double_eq(p[0].start, 700.0);
    ck_assert_double_eq(p[0].stop, 710.0);
    ck_assert_double_eq(p[1].start, 0.0);
    sq_config_destroy(c);
}
END_TEST

START_TEST(config_rejects_misplaced_or_missing_poisson_source_fields)
{
    parse_fails("{'populations': [{'name': 'TC', 'n': 2, 'model': 'poisson_source', 'rate': 10}]}", NULL, 0,
                SQ_ECONFIG, "net.json: populations[0].stop: expected a number in ms, got nothing");
    parse_fails("{'populations': [{'name': 'TC', 'n': 2, 'model': 'poisson_source', 'rate': -3, 'stop': 5}]}",
                NULL, 0, SQ_ECONFIG, "net.json: populations[0].rate: expected a non-negative number in Hz, got -3");
    parse_fails("{'populations': [{'name': 'TC', 'n': 2, 'model': 'poisson_source', 'rate': 3, 'start': 9,"
                " 'stop': 5}]}",
                NULL, 0, SQ_ECONFIG, "net.json: populations[0].stop: expected a time in ms not before start (9), got 5");
    parse_fails("{'populations': [{'name': 'E', 'n': 2, 'model': 'lif_exp', 'rate': 3}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].rate: not allowed for model lif_exp (only for poisson_source)");
    parse_fails("{'populations': [{'name': 'TC', 'n': 1, 'model': 'poisson_source', 'rate': 3, 'stop': 5,"
                " 'spike_times': [[1]]}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].spike_times: not allowed for model poisson_source (only for spike_source)");
    parse_fails("{'populations': [{'name': 'TC', 'n': 1, 'model': 'poisson_source', 'rate': 3, 'stop': 5,"
                " 'v_init': -60}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].v_init: not allowed for model poisson_source (only for neuron models)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("poisson_source");
    TCase *tc = tcase_create("poisson_source");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, trains_have_poisson_counts_and_uniform_times_inside_start_to_stop);
    tcase_add_test(tc, a_zero_rate_or_empty_interval_gives_no_spikes);
    tcase_add_test(tc, one_source_train_reaches_every_target_as_the_same_spikes_after_the_delay);
    tcase_add_test(tc, same_seed_gives_the_same_trains_and_another_seed_does_not);
    tcase_add_test(tc, bad_rates_times_and_huge_trains_are_refused_with_the_field_named);
    tcase_add_test(tc, config_reads_a_poisson_source_population);
    tcase_add_test(tc, config_rejects_misplaced_or_missing_poisson_source_fields);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
