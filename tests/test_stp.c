/* tests/test_stp.c: Tsodyks-Markram short-term plasticity (plasticity/tsodyks_markram.c). The exact
 * event-driven update against the ODEs integrated by RK4 between spikes (relative 1e-9), for the
 * depressing and facilitating sets of Tsodyks, Pawelzik & Markram 1998 and both eTM sets of Payeur
 * et al. 2021; the steady state of a depressing train in closed form; and through the engine, the
 * PSP amplitudes of a 20 Hz train onto a neuron (float weights: 1e-6). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plasticity/rule.h"
#include "run_suite.h"
#include "sim/sim.h"

/* The rule's parameters: defaults, then a preset's values. */
static void rule_params(const sq_plasticity_rule *r, const char *preset, double *p)
{
    sq_param_defaults(r->params, r->n_params, p);
    for (size_t k = 0; k < r->n_presets; k++)
        if (strcmp(r->presets[k].name, preset) == 0)
            for (size_t i = 0; i < r->presets[k].n; i++)
                p[sq_param_find(r->params, r->n_params, r->presets[k].param_names[i])] = r->presets[k].param_values[i];
}

/* The relaxation ODEs between spikes: du/dt = (u_inf - u)/tau_fac (tau_fac 0: u stays), dx/dt = (1 - x)/tau_rec,
 * by RK4 over dt in steps of h. */
static void relax(double *u, double *x, double u_inf, double tau_fac, double tau_rec, double dt)
{
    int n = (int)ceil(dt / 0.01);
    double h = dt / n;
    for (int k = 0; k < n; k++) {
        if (tau_fac > 0) {
            double k1 = (u_inf - *u) / tau_fac, k2 = (u_inf - (*u + 0.5 * h * k1)) / tau_fac;
            double k3 = (u_inf - (*u + 0.5 * h * k2)) / tau_fac, k4 = (u_inf - (*u + h * k3)) / tau_fac;
            *u += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
        }
        double k1 = (1 - *x) / tau_rec, k2 = (1 - (*x + 0.5 * h * k1)) / tau_rec;
        double k3 = (1 - (*x + 0.5 * h * k2)) / tau_rec, k4 = (1 - (*x + h * k3)) / tau_rec;
        *x += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
}

/* Releases of a train through the rule and through the ODEs; returns the largest relative error. */
static double train_error(const char *rule, const char *preset, double rate, int n, double *release)
{
    const sq_plasticity_rule *r = sq_plasticity_rule_find(rule);
    ck_assert_ptr_nonnull(r);
    double p[8], pre[2] = {0, 0}, t_last = -INFINITY, worst = 0;
    rule_params(r, preset, p);
    int etm = strcmp(rule, "etm") == 0;
    double U = p[0], tau_rec = p[1], tau_fac = p[2], f = etm ? p[3] : 0;
    /* ODE state: tsodyks2 keeps u relaxing to 0 and jumping by U(1 - u) before the release; eTM
     * relaxes u to U and jumps by f(1 - u) after it. Before the first spike u = 0 (tsodyks2) or U. */
    double u = etm ? U : 0.0, x = 1.0;
    for (int k = 0; k < n; k++) {
        double t = 1000.0 * k / rate;
        if (k)
            relax(&u, &x, etm ? U : 0.0, tau_fac, tau_rec, 1000.0 / rate);
        double ode;
        if (etm) {
            ode = u * x;
            x -= u * x;
            u += f * (1 - u);
        } else {
            u = tau_fac > 0 ? u + U * (1 - u) : U;
            ode = u * x;
            x -= u * x;
        }
        double got = r->pre_arrival(p, NULL, pre, t_last, t);
        t_last = t;
        release[k] = got;
        worst = fmax(worst, fabs(got - ode) / ode);
    }
    return worst;
}

START_TEST(exact_update_matches_the_ode_for_20_hz_trains)
{
    static const struct { const char *rule, *preset; } sets[] = {
        {"tsodyks_markram", "depressing"}, {"tsodyks_markram", "facilitating"}, {"tsodyks_markram", "lsm_ee"},
        {"etm", "depressing"}, {"etm", "facilitating"}};
    double rel[20];
    for (size_t i = 0; i < SQ_COUNT(sets); i++) {
        double err = train_error(sets[i].rule, sets[i].preset, 20.0, 20, rel);
        printf("%s %s, 20 Hz: release 1 %.4f, 2 %.4f, 5 %.4f, 20 %.4f; largest relative deviation from the ODE %.2g\n",
               sets[i].rule, sets[i].preset, rel[0], rel[1], rel[4], rel[19], err);
        ck_assert_msg(err < 1e-9, "%s %s: relative error %g", sets[i].rule, sets[i].preset, err);
    }
}
END_TEST

START_TEST(depressing_train_settles_at_the_closed_form_steady_state)
{
    /* u = U: R_inf = (1 - e^{-D/tau})/(1 - (1 - U)e^{-D/tau}) (Tsodyks & Markram 1997). */
    double rel[200];
    train_error("tsodyks_markram", "depressing", 20.0, 200, rel);
    double e = exp(-50.0 / 800.0), r_inf = (1 - e) / (1 - 0.5 * e);
    ck_assert_double_eq_tol(rel[199] / rel[0], r_inf, 1e-12);
    ck_assert_double_eq_tol(rel[0], 0.5, 1e-15);
}
END_TEST

START_TEST(facilitating_train_grows_at_20_hz_and_grows_then_depresses_at_100_hz)
{
    /* U = 0.03, tau_rec 130 ms, tau_fac 530 ms: at 20 Hz facilitation wins all the way to the steady
     * state (release 0.030 -> 0.158 at spike 20); at 100 Hz the resources run out first: the
     * release peaks at spike 7 (0.112) and settles near 0.071. */
    double rel[20];
    train_error("tsodyks_markram", "facilitating", 20.0, 20, rel);
    for (int k = 1; k < 20; k++)
        ck_assert_msg(rel[k] > rel[k - 1], "20 Hz: release %d %g after %g", k + 1, rel[k], rel[k - 1]);
    train_error("tsodyks_markram", "facilitating", 100.0, 20, rel);
    int peak = 0;
    for (int k = 1; k < 20; k++)
        if (rel[k] > rel[peak])
            peak = k;
    ck_assert_int_eq(peak, 6);
    ck_assert_double_eq_tol(rel[peak], 0.1119, 1e-4);
    ck_assert_double_eq_tol(rel[19], 0.0720, 1e-4);
}
END_TEST

typedef struct {
    double t[64], v[64];
    size_t n;
} samples;

static void on_samples(void *ud, size_t rec, double t, const double *v, size_t n)
{
    samples *s = ud;
    (void)rec, (void)n;
    if (s->n < 64) {
        s->t[s->n] = t;
        s->v[s->n++] = v[0];
    }
}

START_TEST(engine_scales_each_arrival_by_the_release)
{
    /* 20 spikes at 20 Hz arriving at 12.5 + 50 k ms onto a neuron that does not leak (tau_m 1e15 ms)
     * nor fire: V rises by w u_n R_n at arrival n, read from samples every 25 ms. */
    uint32_t ids[20];
    double times[20], rel[20];
    for (int k = 0; k < 20; k++) {
        ids[k] = 0;
        times[k] = 11.5 + 50.0 * k;
    }
    train_error("tsodyks_markram", "facilitating", 20.0, 20, rel);
    static const char *names[] = {"tau_m", "E_L", "V_th", "V_reset"};
    static const double vals[] = {1e15, 0.0, 1e9, 0.0};
    sq_pop_spec pops[] = {
        {.name = "pre", .n = 1, .model = "spike_source", .spike_ids = ids, .spike_times = times, .n_spikes = 20},
        {.name = "post", .n = 1, .model = "lif_delta", .param_names = names, .param_values = vals, .n_params = 4}};
    sq_plasticity_spec tm = {.rule = "tsodyks_markram", .preset = "facilitating"};
    sq_proj_spec proj = {.source = "pre", .target = "post", .connector = {.rule = SQ_CONN_ALL_TO_ALL, .autapses = 1, .multapses = 1},
                         .weight = sq_dist_constant(10.0), .delay = sq_dist_constant(1.0), .plasticity = &tm};
    sq_vm_spec vm = {"post", NULL, 0, 25.0};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 2, .projs = &proj,
                        .n_projs = 1, .vm = &vm, .n_vm = 1};
    sq_sim *sim;
    sq_err err = {0};
    ck_assert_msg(sq_sim_create(&spec, &sim, &err) == 0, "%s", err.msg);
    samples s = {0};
    sq_sim_observer obs = {NULL, on_samples, &s};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, 1001.0, NULL), 0);
    ck_assert_uint_ge(s.n, 41);
    for (int k = 0; k < 20; k++) {
        double jump = s.v[2 * k + 1] - s.v[2 * k];
        ck_assert_msg(fabs(jump - 10.0 * rel[k]) < 1e-6 * 10.0, "arrival %d: jump %.9g, expected %.9g", k, jump, 10.0 * rel[k]);
    }
    sq_sim_destroy(sim);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stp");
    TCase *tc = tcase_create("tsodyks_markram");
    tcase_add_test(tc, exact_update_matches_the_ode_for_20_hz_trains);
    tcase_add_test(tc, depressing_train_settles_at_the_closed_form_steady_state);
    tcase_add_test(tc, facilitating_train_grows_at_20_hz_and_grows_then_depresses_at_100_hz);
    tcase_add_test(tc, engine_scales_each_arrival_by_the_release);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
