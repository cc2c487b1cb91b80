/* tests/test_vogels_abbott.c: the Vogels-Abbott COBA network (experiments/vogels_abbott/coba.json,
 * Brette et al. 2007 benchmark 1, lif_cond_exp) against an independent simulation of the same
 * network in Brian2 2.5.1 (C++ standalone, experiments/compare_brian2.py --only coba --brian-only
 * --coba-method rk4, seed 1, dt 0.1 ms, 10 s): 792,821 spikes, 19.82 Hz (Euler, the script's method:
 * 20.04 Hz; exponential Euler: 20.15 Hz). spikeq runs 2.2 s and
 * drops the first 200 ms (the transient from V_m(0) ~ N(-65, 5) mV); both populations' rates must
 * lie within 10 % of Brian2's (the realisations differ: different random connectivity and initial
 * potentials, and Brian2 integrates on the 0.1 ms grid). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/config.h"
#include "run_suite.h"
#include "sim/sim.h"

#define BRIAN2_RATE 19.82 /* Hz, see the header */
#define T_SKIP 200.0
#define T_STOP 2200.0

typedef struct {
    uint64_t spikes[2]; /* E, I after T_SKIP */
} counts;

static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    counts *c = ud;
    for (size_t i = 0; i < n; i++)
        if (s[i].t >= T_SKIP)
            c->spikes[s[i].pop]++;
}

START_TEST(coba_rates_match_brian2_within_10_percent)
{
    const char *src = getenv("SQ_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/experiments/vogels_abbott/coba.json", src ? src : ".");
    sq_config *cfg;
    sq_err err = {0};
    ck_assert_msg(sq_config_load(path, NULL, 0, &cfg, &err) == 0, "%s", err.msg);
    const sq_net_spec *net = sq_config_net(cfg);
    ck_assert_uint_eq(net->n_pops, 2);
    sq_sim *sim;
    ck_assert_msg(sq_sim_create(net, &sim, &err) == 0, "%s", err.msg);
    counts c = {{0, 0}};
    sq_sim_observer obs = {on_spikes, NULL, &c};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, T_STOP, &err), 0);
    double rate[2];
    for (int k = 0; k < 2; k++) {
        rate[k] = (double)c.spikes[k] / net->pops[k].n / ((T_STOP - T_SKIP) * 1e-3);
        ck_assert_msg(fabs(rate[k] - BRIAN2_RATE) < 0.10 * BRIAN2_RATE, "population %d: %g Hz vs Brian2's %g Hz", k,
                      rate[k], BRIAN2_RATE);
    }
    printf("coba: E %.3f Hz, I %.3f Hz; Brian2 %.2f Hz\n", rate[0], rate[1], BRIAN2_RATE);
    sq_sim_destroy(sim);
    sq_config_destroy(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vogels_abbott");
    TCase *tc = tcase_create("coba");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, coba_rates_match_brian2_within_10_percent);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
