/* tests/test_two_compartment.c: neurons/two_compartment.c, the soma + dendrite bursting neuron of
 * Naud & Sprekeler (2018) as Auryn's NaudGroup integrates it (its spikes classified with
 * neurons/bursts.h, which tests/test_bursts.c tests on its own).
 * The model against: its ODEs written out here as a plain Euler loop (same spike steps, V_s and V_d
 * to 1e-12); its rest and dendritic steady state from their fixed-point equations solved here by
 * bisection; conductance decay against e^{-t/tau}; the bAP jump against its closed forms; isolated
 * spikes under somatic current and bursts when the dendrite is driven too (Naud & Sprekeler 2018,
 * Fig. 1 kind of result); the engine's run against the model driven directly. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "neuron_fixture.h"
#include "neurons/bursts.h"
#include "run_suite.h"
#include "sim/sim.h"
#include "spike_record.h"

static double state(const neuron *n, const char *name)
{
    return n->s[sidx(n, name)];
}

/* Runs to t_end and stores the spike times in ts[0..cap); returns their number. */
static size_t run_spikes(neuron *n, double t_end, double *ts, size_t cap)
{
    size_t k = 0;
    double t_spike;
    while (adv(n, t_end, &t_spike)) {
        ck_assert_uint_lt(k, cap);
        ts[k++] = t_spike;
    }
    return k;
}

/* The Euler loop of the spec's ODEs (learning.md §2.1.3) in the order of Auryn's NaudGroup::evolve:
 * right-hand sides at t_n, the bAP box as a current zeta for t_bap after a spike, exact decay of the
 * conductances and of w_s, w_d from the new V_d, the threshold test after the step. Written from
 * the equations in C dV/dt form, not from the model's precomputed factors. */
typedef struct {
    double vs, vd, ws, wd, thr, ga_s, gg_s, ga_d, gg_d, i_dc;
    int bap;
} ref_state;

static int ref_step(const neuron *n, ref_state *r, double h)
{
    double el = get(n, "E_L"), cs = get(n, "C_s"), cd = get(n, "C_d"), eex = get(n, "E_exc"), ein = get(n, "E_inh");
    double f = 1.0 / (1.0 + exp(-(r->vd - get(n, "E_d")) / get(n, "D_t")));
    double k = r->bap > 0 ? 1.0 : 0.0;
    double dvs = (-(cs / get(n, "tau_s")) * (r->vs - el) + get(n, "g_s") * f + get(n, "b_ws") * r->ws +
                  r->ga_s * (eex - r->vs) + r->gg_s * (ein - r->vs) + get(n, "I_e_soma") + r->i_dc) / cs;
    double dvd = (-(cd / get(n, "tau_d")) * (r->vd - el) + get(n, "g_d") * f + get(n, "a_wd") * r->wd +
                  get(n, "zeta") * k + r->ga_d * (eex - r->vd) + r->gg_d * (ein - r->vd) + get(n, "I_e_dend")) / cd;
    r->vs += h * dvs;
    r->vd += h * dvd;
    if (r->bap > 0)
        r->bap--;
    r->ga_s *= exp(-h / get(n, "tau_ampa"));
    r->ga_d *= exp(-h / get(n, "tau_ampa"));
    r->gg_s *= exp(-h / get(n, "tau_gaba"));
    r->gg_d *= exp(-h / get(n, "tau_gaba"));
    r->ws *= exp(-h / get(n, "tau_ws"));
    r->wd += h * ((r->vd - el) - r->wd) / get(n, "tau_wd");
    r->thr += h * (get(n, "thr_base") - r->thr) / get(n, "tau_thr");
    if (r->vs > r->thr) {
        r->vs = get(n, "E_reset");
        r->thr += get(n, "thr_jump");
        r->ws += 1.0;
        r->bap = (int)lround(get(n, "t_bap") / h);
        return 1;
    }
    return 0;
}

START_TEST(steps_equal_the_euler_odes_written_out_with_currents_and_inputs_on_both_receptors)
{
    const double h = 0.1;
    neuron n;
    setup_model(&n, "two_compartment");
    set(&n, "I_e_soma", 450.0);
    set(&n, "I_e_dend", 150.0);
    start(&n);
    ref_state r = {state(&n, "V_s"), state(&n, "V_d"), 0.0, state(&n, "w_d"), -50.0, 0, 0, 0, 0, 0, 0};
    const double ws[4] = {3.0, -4.0, 8.0, -1.5};
    sq_rng rng;
    sq_rng_init(&rng, 2018, 3);
    int spikes = 0, short_isi = 0;
    double t_prev = -1e9;
    for (int k = 1; k <= 6000; k++) {
        double ts;
        int fired_ref = ref_step(&n, &r, h), fired = adv(&n, k * h, &ts);
        ck_assert_int_eq(fired, fired_ref);
        if (fired) {
            ck_assert_double_eq_tol(ts, k * h, 1e-9);
            ck_assert_int_eq(adv(&n, k * h, &ts), 0);
            short_isi += ts - t_prev < 16.0;
            t_prev = ts;
            spikes++;
        }
        ck_assert_double_eq_tol(v(&n), r.vs, 1e-12);
        ck_assert_double_eq_tol(state(&n, "V_d"), r.vd, 1e-12);
        if (k == 2500) { /* a DC step onto the soma */
            n.m->add_current(n.p, n.d, n.s, 200.0);
            r.i_dc += 200.0;
        }
        if (sq_rng_below(&rng, 4) == 0) { /* an input at this grid point acts from the next step on */
            double w = ws[sq_rng_below(&rng, 4)];
            unsigned rec = (unsigned)sq_rng_below(&rng, 2);
            double *g = rec ? (w >= 0 ? &r.ga_d : &r.gg_d) : (w >= 0 ? &r.ga_s : &r.gg_s);
            *g += fabs(w);
            n.m->input_receptor(n.p, n.d, n.s, w, rec);
        }
    }
    /* Measured: 30 spikes, 19 of them less than 16 ms after the previous one (bursts, so the bAP
     * path is covered); the largest |difference| of V_s or V_d is 4e-14 mV (rounding). */
    ck_assert_int_gt(spikes, 20);
    ck_assert_int_gt(short_isi, 10);
}
END_TEST

/* The smallest root in [lo, hi] of (C_d/tau_d - a_wd) u = g_d f(E_L + u) + i_d, by bisection, where
 * the caller knows the left side minus the right changes sign once on [lo, hi]. */
static double dendritic_rest(const neuron *n, double i_d, double lo, double hi)
{
    double g = get(n, "C_d") / get(n, "tau_d") - get(n, "a_wd");
    for (int i = 0; i < 200; i++) {
        double u = 0.5 * (lo + hi);
        double f = 1.0 / (1.0 + exp(-(get(n, "E_L") + u - get(n, "E_d")) / get(n, "D_t")));
        if (g * u - get(n, "g_d") * f - i_d < 0.0)
            lo = u;
        else
            hi = u;
    }
    return 0.5 * (lo + hi);
}

static double somatic_rest(const neuron *n, double v_d, double i_s)
{
    double f = 1.0 / (1.0 + exp(-(v_d - get(n, "E_d")) / get(n, "D_t")));
    return get(n, "E_L") + get(n, "tau_s") / get(n, "C_s") * (get(n, "g_s") * f + i_s);
}

START_TEST(rest_is_the_fixed_point_of_the_equations_and_not_e_l)
{
    /* f(E_L) = sigma(-32/6) = 0.0048 drives both compartments, so the rest is V_d* = -69.8412 mV,
     * V_s* = -69.7227 mV (u = V_d - E_L solves 37.29 nS u = 1200 pA f; F' > 0 on [0, 5] mV). */
    neuron n;
    setup_model(&n, "two_compartment");
    start(&n);
    double u = dendritic_rest(&n, 0.0, 0.0, 5.0), vd = -70.0 + u, vs = somatic_rest(&n, vd, 0.0);
    ck_assert_double_eq_tol(vd, -69.8412384118, 1e-9);
    ck_assert_double_eq_tol(vs, -69.7226882530, 1e-9);
    ck_assert_double_eq_tol(state(&n, "V_d"), vd, 1e-12);
    ck_assert_double_eq_tol(v(&n), vs, 1e-12);
    ck_assert_double_eq_tol(state(&n, "w_d"), u, 1e-12);
    double ts;
    for (int ms = 1; ms <= 1000; ms++) {
        ck_assert_int_eq(adv(&n, ms, &ts), 0);
        ck_assert_double_eq_tol(v(&n), vs, 1e-12);
        ck_assert_double_eq_tol(state(&n, "V_d"), vd, 1e-12);
    }
    /* From E_L, where Auryn starts, the neuron relaxes to the same rest (slowest mode 13.6 ms). */
    neuron a;
    setup_model(&a, "two_compartment");
    start(&a);
    a.s[sidx(&a, "V_s")] = a.s[sidx(&a, "V_d")] = -70.0;
    a.s[sidx(&a, "w_d")] = 0.0;
    ck_assert_int_eq(adv(&a, 1000.0, &ts), 0);
    ck_assert_double_eq_tol(v(&a), vs, 1e-9);
    ck_assert_double_eq_tol(state(&a, "V_d"), vd, 1e-9);
    /* Without the dendritic drive the rest is E_L itself. */
    neuron b;
    setup_model(&b, "two_compartment");
    set(&b, "g_s", 0.0);
    set(&b, "g_d", 0.0);
    start(&b);
    ck_assert_int_eq(adv(&b, 1000.0, &ts), 0);
    ck_assert_double_eq_tol(v(&b), -70.0, 1e-12);
    ck_assert_double_eq_tol(state(&b, "V_d"), -70.0, 1e-12);
}
END_TEST

START_TEST(subthreshold_current_steps_settle_at_the_fixed_point_with_dendritic_adaptation)
{
    /* 100 pA into the dendrite and 150 pA into the soma from rest: V_d* solves
     * (C_d/tau_d - a_wd) u = g_d f + 100 pA with w_d* = u, V_s* = E_L + tau_s (g_s f + 150 pA)/C_s.
     * The slowest mode of the linearised dendrite decays with 12 ms, the soma with 16 ms, so after
     * 500 ms the Euler trajectory sits on its fixed point, which is the ODE's, to rounding: 1e-9 mV. */
    neuron n;
    setup_model(&n, "two_compartment");
    set(&n, "I_e_dend", 100.0);
    set(&n, "I_e_soma", 150.0);
    start(&n);
    double u = dendritic_rest(&n, 100.0, 0.0, 10.0), vd = -70.0 + u, vs = somatic_rest(&n, vd, 150.0);
    double ts;
    ck_assert_int_eq(adv(&n, 500.0, &ts), 0);
    ck_assert_double_eq_tol(state(&n, "V_d"), vd, 1e-9);
    ck_assert_double_eq_tol(state(&n, "w_d"), u, 1e-9);
    ck_assert_double_eq_tol(v(&n), vs, 1e-9);
    ck_assert_double_gt(u, 2.5); /* the step really moved the dendrite (u = 2.93 mV) */
}
END_TEST

START_TEST(conductances_decay_as_exp_minus_t_over_tau_on_each_receptor)
{
    /* Auryn decays conductances by the exact factor e^{-h/tau} per step, so after n steps
     * g = w e^{-n h/tau} up to n roundings: 1e-12 relative over 300 steps. */
    neuron n;
    setup_model(&n, "two_compartment");
    start(&n);
    n.m->input_receptor(n.p, n.d, n.s, 5.0, 0);
    n.m->input_receptor(n.p, n.d, n.s, -7.0, 0);
    n.m->input_receptor(n.p, n.d, n.s, 2.0, 1);
    n.m->input_receptor(n.p, n.d, n.s, -3.0, 1);
    const char *names[4] = {"g_ampa_s", "g_gaba_s", "g_ampa_d", "g_gaba_d"};
    const double w[4] = {5.0, 7.0, 2.0, 3.0}, tau[4] = {5.0, 10.0, 5.0, 10.0};
    double ts;
    for (int k = 1; k <= 300; k++) {
        ck_assert_int_eq(adv(&n, k * 0.1, &ts), 0);
        for (int i = 0; i < 4; i++) {
            double g = w[i] * exp(-k * 0.1 / tau[i]);
            ck_assert_double_eq_tol(state(&n, names[i]), g, 1e-12 * g);
        }
    }
}
END_TEST

/* Classifies spike times with bursts.h: counts of events, burst markers, later burst spikes, and
 * inter-spike intervals below 16 ms. */
static void classify(const double *ts, size_t k, int *ev, int *bu, int *in, int *isi_short)
{
    sq_burst_detector b;
    sq_burst_init(&b, SQ_BURST_TAU_MS);
    *ev = *bu = *in = *isi_short = 0;
    for (size_t i = 0; i < k; i++) {
        sq_spike_class c = sq_burst_classify(&b, ts[i]);
        *ev += c == SQ_SPIKE_EVENT;
        *bu += c == SQ_SPIKE_BURST;
        *in += c == SQ_SPIKE_INBURST;
        *isi_short += i > 0 && ts[i] - ts[i - 1] < 16.0;
    }
}

static size_t drive(double i_soma, double i_dend, double zeta, double *ts, size_t cap)
{
    neuron n;
    setup_model(&n, "two_compartment");
    set(&n, "I_e_soma", i_soma);
    set(&n, "I_e_dend", i_dend);
    set(&n, "zeta", zeta);
    start(&n);
    return run_spikes(&n, 1000.0, ts, cap);
}

START_TEST(dendritic_drive_turns_isolated_spikes_into_bursts)
{
    /* One second of constant current (Naud & Sprekeler 2018, Fig. 1 kind of result). Measured:
     * soma 600 pA alone: 11 spikes, inter-spike intervals 58.9-98.4 ms, all 11 events, no burst;
     * soma 600 pA + dendrite 300 pA: 24 spikes in 4 bursts of 6 (intervals 6.8-13.4 ms inside a
     * burst, 194-200 ms between bursts), 4 events each followed by its burst marker (burst
     * probability 1), 16 later burst spikes, 20 of 23 intervals below 16 ms;
     * the same without the bAP (zeta = 0): 12 spikes, intervals 50.8-90.7 ms, all events: the
     * dendritic drive makes bursts through the backpropagating spike (BAC firing), not alone. */
    double ts[256];
    int ev, bu, in, isi_short;
    size_t k = drive(600.0, 0.0, 2600.0, ts, 256);
    classify(ts, k, &ev, &bu, &in, &isi_short);
    ck_assert_uint_ge(k, 5);
    ck_assert_int_eq(ev, (int)k);
    ck_assert_int_eq(bu, 0);
    for (size_t i = 1; i < k; i++)
        ck_assert_double_gt(ts[i] - ts[i - 1], 16.0);
    k = drive(600.0, 300.0, 2600.0, ts, 256);
    classify(ts, k, &ev, &bu, &in, &isi_short);
    ck_assert_int_ge(bu, 3);
    ck_assert_int_eq(bu, ev);
    ck_assert_int_ge(in, 2 * bu);
    ck_assert_double_ge((double)isi_short, 0.75 * (double)(k - 1));
    k = drive(600.0, 300.0, 0.0, ts, 256);
    classify(ts, k, &ev, &bu, &in, &isi_short);
    ck_assert_uint_ge(k, 5);
    ck_assert_int_eq(bu, 0);
}
END_TEST

START_TEST(a_somatic_spike_raises_v_d_by_the_bap_box)
{
    /* A spike at t = h (V_s set above threshold), then round(t_bap/h) = 20 steps add h zeta/C_d
     * each. With the dendrite linear (g_d = a_wd = 0) and no leak (tau_d = 1e12 ms) V_d rises by
     * zeta t_bap/C_d = 30.588 mV (1e-9 mV: the leak's 2e-12 relative); with the leak (7 ms) it rises
     * by Euler's geometric sum (h zeta/C_d) sum_k (1 - h/tau_d)^k (1e-9 mV), which is the continuous
     * box response zeta tau_d/C_d (1 - e^{-t_bap/tau_d}) = 26.608 mV within Euler's O(h/tau_d):
     * 1 %. After the box V_d only decays. */
    const double h = 0.1, zeta = 2600.0, cd = 170.0, taus[2] = {1e12, 7.0};
    for (int i = 0; i < 2; i++) {
        neuron n;
        setup_model(&n, "two_compartment");
        set(&n, "g_d", 0.0);
        set(&n, "a_wd", 0.0);
        set(&n, "tau_d", taus[i]);
        start(&n);
        n.s[n.m->v_index] = -40.0;
        double ts, vd0 = state(&n, "V_d");
        ck_assert_int_eq(adv(&n, 1.0, &ts), 1);
        ck_assert_double_eq_tol(ts, h, 1e-12);
        ck_assert_double_eq(state(&n, "bap_steps"), 20.0);
        ck_assert_int_eq(adv(&n, h + 2.0, &ts), 0);
        double jump = state(&n, "V_d") - vd0, q = 1.0 - h / taus[i];
        if (i == 0) {
            ck_assert_double_eq_tol(jump, zeta * 2.0 / cd, 1e-9);
        } else {
            ck_assert_double_eq_tol(jump, h * zeta / cd * (1.0 - pow(q, 20)) / (1.0 - q), 1e-9);
            ck_assert_double_eq_tol(jump, zeta * taus[i] / cd * (1.0 - exp(-2.0 / taus[i])), 0.01 * jump);
        }
        double top = state(&n, "V_d");
        ck_assert_int_eq(adv(&n, 2.0 * h + 2.0, &ts), 0);
        ck_assert_double_le(state(&n, "V_d"), top);
        ck_assert_double_eq(state(&n, "bap_steps"), 0.0);
    }
}
END_TEST

START_TEST(inputs_go_to_the_receptor_and_compartment_they_name)
{
    neuron n;
    setup_model(&n, "two_compartment");
    ck_assert_uint_eq(n.m->n_receptors, 2);
    ck_assert_str_eq(n.m->receptors[0], "soma");
    ck_assert_str_eq(n.m->receptors[1], "dendrite");
    ck_assert_str_eq(n.m->weight_unit, "nS");
    ck_assert_int_eq(n.m->every_window, 1);
    start(&n);
    ck_assert_int_eq(sidx(&n, "V_s"), (int)n.m->v_index);
    double vs = v(&n), vd = state(&n, "V_d"), ts;
    ck_assert_int_eq(n.m->input_receptor(n.p, n.d, n.s, 4.0, 0), 0);
    ck_assert_int_eq(n.m->input_receptor(n.p, n.d, n.s, -2.0, 0), 0);
    ck_assert_int_eq(n.m->input_receptor(n.p, n.d, n.s, 3.0, 1), 0);
    ck_assert_int_eq(n.m->input_receptor(n.p, n.d, n.s, -5.0, 1), 0);
    ck_assert_int_eq(n.m->input(n.p, n.d, n.s, 6.0), 0); /* input() is the soma */
    n.m->add_current(n.p, n.d, n.s, 100.0);
    ck_assert_double_eq(state(&n, "g_ampa_s"), 10.0);
    ck_assert_double_eq(state(&n, "g_gaba_s"), 2.0);
    ck_assert_double_eq(state(&n, "g_ampa_d"), 3.0);
    ck_assert_double_eq(state(&n, "g_gaba_d"), 5.0);
    ck_assert_double_eq(state(&n, "I_dc"), 100.0);
    ck_assert_double_eq(v(&n), vs); /* nothing moves before the next grid point */
    ck_assert_double_eq(n.m->next_check(n.p, n.d, n.s), 0.05);
    ck_assert_int_eq(adv(&n, 0.07, &ts), 0); /* off the grid: stays at the grid point before */
    ck_assert_double_eq(n.s[0], 0.0);
    ck_assert_int_eq(adv(&n, 0.1, &ts), 0);
    /* One Euler step of the somatic and dendritic synaptic and injected currents. */
    double dvs = 0.1 / 370.0 * (10.0 * (0.0 - vs) + 2.0 * (-80.0 - vs) + 100.0);
    double dvd = 0.1 / 170.0 * (3.0 * (0.0 - vd) + 5.0 * (-80.0 - vd));
    ck_assert_double_eq_tol(v(&n) - vs, dvs, 1e-12);
    ck_assert_double_eq_tol(state(&n, "V_d") - vd, dvd, 1e-12);
}
END_TEST

static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    sq_test_spikes_add(ud, s, n);
}

/* Runs the network through the engine with the inputs on `receptor` (NULL: the default, the soma)
 * and checks its spikes against the model driven directly; returns the number of spikes. */
static size_t engine_matches_direct(const char *receptor, unsigned index, double *first_spikes)
{
    /* A bursting neuron (600 pA soma, 300 pA dendrite) gets 3 nS AMPA inputs from a spike source
     * through a 1 ms delay; the engine (windows of 1 ms, every-window visits) must give exactly the
     * spikes of the model advanced to each arrival and fed input() there (both on the 0.1 ms grid). */
    static const char *names[] = {"I_e_soma", "I_e_dend"};
    double vals[] = {600.0, 300.0}, times[] = {30.05, 120.0, 121.0, 122.0, 400.0, 655.5};
    uint32_t ids[6] = {0};
    sq_pop_spec pops[] = {
        {.name = "src", .n = 1, .model = "spike_source", .spike_ids = ids, .spike_times = times, .n_spikes = 6},
        {.name = "P", .n = 1, .model = "two_compartment", .param_names = names, .param_values = vals, .n_params = 2}};
    sq_proj_spec proj = {"src", "P", {SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1}, sq_dist_constant(3.0), sq_dist_constant(1.0), NULL, receptor, NULL, 0};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 2, .projs = &proj,
                        .n_projs = 1};
    sq_sim *sim;
    sq_err err = {0, ""};
    ck_assert_msg(sq_sim_create(&spec, &sim, &err) == 0, "%s", err.msg);
    sq_test_spikes rec = {0};
    sq_sim_observer obs = {on_spikes, NULL, &rec};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, 1000.0, NULL), 0);
    sq_sim_destroy(sim);

    neuron n;
    setup_model(&n, "two_compartment");
    set(&n, "I_e_soma", 600.0);
    set(&n, "I_e_dend", 300.0);
    start(&n);
    double direct[256];
    size_t k = 0;
    for (int i = 0; i <= 6; i++) {
        k += run_spikes(&n, i < 6 ? times[i] + 1.0 : 1000.0, direct + k, 256 - k);
        if (i < 6)
            n.m->input_receptor(n.p, n.d, n.s, 3.0, index);
    }
    size_t m = 0;
    for (size_t i = 0; i < rec.n; i++) {
        if (rec.s[i].pop != 1)
            continue;
        ck_assert_uint_lt(m, k);
        ck_assert_double_eq_tol(rec.s[i].t, direct[m], 1e-9);
        m++;
    }
    ck_assert_uint_eq(m, k);
    ck_assert_uint_gt(k, 20);
    for (size_t i = 0; i < 20; i++)
        first_spikes[i] = direct[i];
    free(rec.s);
    return k;
}

START_TEST(the_engine_runs_it_on_the_grid_as_the_model_driven_directly)
{
    double soma[20], dend[20];
    engine_matches_direct(NULL, 0, soma);
    engine_matches_direct("dendrite", 1, dend);
    /* The same inputs on the dendrite move the spikes: the engine routed them there. */
    int differ = 0;
    for (int i = 0; i < 20; i++)
        differ |= soma[i] != dend[i];
    ck_assert(differ);
}
END_TEST

/* Spikes of one two_compartment neuron (600 pA into the soma) driven by the devices given. */
static sq_test_spikes run_with_devices(const char *const *names, const double *vals, size_t n_params,
                                       const sq_device_spec *dev, size_t n_dev)
{
    sq_pop_spec pop = {.name = "P", .n = 1, .model = "two_compartment", .param_names = names, .param_values = vals,
                       .n_params = n_params};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 3, .pops = &pop, .n_pops = 1, .devices = dev,
                        .n_devices = n_dev};
    sq_sim *sim;
    sq_err err = {0, ""};
    ck_assert_msg(sq_sim_create(&spec, &sim, &err) == 0, "%s", err.msg);
    sq_test_spikes rec = {0};
    sq_sim_observer obs = {on_spikes, NULL, &rec};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, 2000.0, NULL), 0);
    sq_sim_destroy(sim);
    return rec;
}

START_TEST(devices_drive_the_receptor_they_name)
{
    /* A dc_generator of 300 pA into the dendrite from t = 0 is I_e_dend = 300 pA: the same spikes. */
    static const char *targets[] = {"P"};
    static const char *one[] = {"I_e_soma"}, *two[] = {"I_e_soma", "I_e_dend"};
    double v1[] = {600.0}, v2[] = {600.0, 300.0};
    sq_device_spec dc = {.name = "dc", .kind = SQ_DEVICE_DC, .amplitude = 300.0, .start = 0.0, .stop = INFINITY,
                         .targets = targets, .n_targets = 1, .receptor = "dendrite"};
    sq_test_spikes a = run_with_devices(one, v1, 1, &dc, 1), b = run_with_devices(two, v2, 2, NULL, 0);
    ck_assert_uint_gt(a.n, 20);
    ck_assert_uint_eq(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        ck_assert_double_eq_tol(a.s[i].t, b.s[i].t, 1e-9);
    /* The same Poisson drive bursts more on the dendrite than on the soma (Naud & Sprekeler). */
    sq_device_spec pg = {.name = "pg", .kind = SQ_DEVICE_POISSON, .rate = 2000.0, .weight = 1.0, .delay = 0.1,
                         .start = 0.0, .stop = INFINITY, .targets = targets, .n_targets = 1};
    double bursts[2];
    for (int r = 0; r < 2; r++) {
        pg.receptor = r ? "dendrite" : NULL;
        sq_test_spikes c = run_with_devices(one, v1, 1, &pg, 1);
        size_t close = 0;
        for (size_t i = 1; i < c.n; i++)
            close += c.s[i].t - c.s[i - 1].t < 16.0;
        bursts[r] = c.n > 1 ? (double)close / (double)(c.n - 1) : 0.0;
        free(c.s);
    }
    ck_assert_msg(bursts[1] > bursts[0] + 0.2, "intervals < 16 ms: soma %.2f, dendrite %.2f", bursts[0], bursts[1]);
    pg.receptor = "apical";
    sq_pop_spec pop = {.name = "P", .n = 1, .model = "two_compartment"};
    sq_net_spec spec = {.origin = "net.json", .resolution = 0.1, .seed = 3, .pops = &pop, .n_pops = 1, .devices = &pg,
                        .n_devices = 1};
    sq_sim *sim = NULL;
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_sim_create(&spec, &sim, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: devices[0].receptor: expected one of soma, dendrite (the input sites of "
                              "two_compartment, the model of P), got \"apical\"");
    free(a.s);
    free(b.s);
}
END_TEST

static void expect_rejected(const char *field, double value, const char *msg)
{
    neuron n;
    setup_model(&n, "two_compartment");
    set(&n, field, value);
    sq_err err = {0, ""};
    const char *where = "net.json: populations[1].params";
    int rc = sq_param_check(n.m->params, n.m->n_params, n.p, where, &err);
    if (rc == 0)
        rc = n.m->check(n.p, where, &err);
    ck_assert_int_eq(rc, SQ_ECONFIG);
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(bad_parameters_are_rejected_naming_the_field_and_value)
{
    expect_rejected("tau_s", -1.0, "net.json: populations[1].params.tau_s: expected a positive number in ms, got -1");
    expect_rejected("D_t", 0.0, "net.json: populations[1].params.D_t: expected a positive number in mV, got 0");
    expect_rejected("t_bap", -2.0,
                    "net.json: populations[1].params.t_bap: expected a non-negative number in ms, got -2");
    expect_rejected("g_d", NAN, "net.json: populations[1].params.g_d: expected a non-negative number in pA, got nan");
    expect_rejected("E_reset", -50.0,
                    "net.json: populations[1].params.E_reset: expected less than thr_base = -50 mV, got -50 mV");
    expect_rejected("E_inh", 0.0, "net.json: populations[1].params.E_inh: expected less than E_exc = 0 mV, got 0 mV");
    expect_rejected("a_wd", 30.0,
                    "net.json: populations[1].params.a_wd: expected less than C_d/tau_d = 24.2857 nS (else the "
                    "dendrite has no stable rest), got 30 nS");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("two_compartment");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, steps_equal_the_euler_odes_written_out_with_currents_and_inputs_on_both_receptors);
    tcase_add_test(tc, rest_is_the_fixed_point_of_the_equations_and_not_e_l);
    tcase_add_test(tc, subthreshold_current_steps_settle_at_the_fixed_point_with_dendritic_adaptation);
    tcase_add_test(tc, conductances_decay_as_exp_minus_t_over_tau_on_each_receptor);
    tcase_add_test(tc, dendritic_drive_turns_isolated_spikes_into_bursts);
    tcase_add_test(tc, a_somatic_spike_raises_v_d_by_the_bap_box);
    tcase_add_test(tc, inputs_go_to_the_receptor_and_compartment_they_name);
    tcase_add_test(tc, the_engine_runs_it_on_the_grid_as_the_model_driven_directly);
    tcase_add_test(tc, devices_drive_the_receptor_they_name);
    tcase_add_test(tc, bad_parameters_are_rejected_naming_the_field_and_value);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
