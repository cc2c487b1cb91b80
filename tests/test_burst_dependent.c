/* tests/test_burst_dependent.c: the burst-dependent rule of Payeur et al. 2021
 * (plasticity/burst_dependent.c) through the engine, on hand-made trains whose every update is
 * written out here from the paper's rule: homeostasis on presynaptic events, no change at the
 * first post event (no bursts seen yet), potentiation at a burst marker by eta Etilde, depression
 * at a later event by eta min(Bbar/Ebar, 1) Etilde; the learning gate; and the event-only and
 * burst-only transmission of their XOR network. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plastic_protocol.h"
#include "run_suite.h"

static const char *names[] = {"eta", "tau_pre", "tau_avg", "r_min", "r_max", "w_max"};
static const double ETA = 0.01, TAU_PRE = 100.0, TAU_AVG = 2000.0, R_MIN = 2.0;

/* Pre event arriving at 1000; post spikes at 1010 (event), 1100 (event), 1105 (burst marker),
 * 1110 (in burst), 1300 (event). */
static protocol train(void)
{
    protocol pr = {0};
    arrive(&pr, 0, 1000.0);
    double post[] = {1010.0, 1100.0, 1105.0, 1110.0, 1300.0};
    for (int k = 0; k < 5; k++)
        fire(&pr, post[k]);
    return pr;
}

static double expected_w(void)
{
    double w = 0.5;
    w += ETA * (R_MIN - 0.0);                            /* 1000: pre event, post event rate 0 Hz < r_min */
    /* 1010 and 1100: events with no burst yet: valence -min(0/Ebar, 1) = 0 */
    w += ETA * 1.0 * exp(-105.0 / TAU_PRE);              /* 1105: burst marker, valence +1 */
    double e = exp(-290.0 / TAU_AVG) + exp(-200.0 / TAU_AVG), b = exp(-195.0 / TAU_AVG);
    w += ETA * -fmin(b / e, 1.0) * exp(-300.0 / TAU_PRE); /* 1300: event, valence -Bbar/Ebar */
    return w;
}

static sq_weights run_burst(const protocol *pr, double gate_change, double transmit)
{
    double vals[] = {ETA, TAU_PRE, TAU_AVG, R_MIN, 12.0, 1.0};
    const char *all[] = {"eta", "tau_pre", "tau_avg", "r_min", "r_max", "w_max", "transmit"};
    double allv[7];
    memcpy(allv, vals, sizeof vals);
    allv[6] = transmit;
    (void)names;
    sq_plasticity_spec pl = {.rule = "burst_dependent", .param_names = all, .param_values = allv, .n_params = 7};
    sq_test_spikes rec = {0};
    sq_sim *sim = protocol_sim(pr, &pl, &rec);
    sq_err err = {0};
    if (gate_change != 0.0)
        ck_assert_msg(sq_sim_modulate(sim, NULL, gate_change, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sq_sim_run(sim, 2000.0, NULL), 0);
    sq_weights w = weights_of(sim, "pre_to_post");
    sq_sim_destroy(sim);
    free(rec.s);
    return w;
}

START_TEST(updates_follow_events_bursts_and_homeostasis_as_written_out)
{
    protocol pr = train();
    sq_weights w = run_burst(&pr, 0.0, 0.0);
    ck_assert_msg(fabs(w.weight[0] - expected_w()) < 2e-7, "w = %.9g, expected %.9g", w.weight[0], expected_w());
    sq_weights_free(&w);
}
END_TEST

START_TEST(a_closed_gate_stops_learning)
{
    protocol pr = train();
    sq_weights w = run_burst(&pr, -1.0, 0.0);
    ck_assert_float_eq(w.weight[0], 0.5f);
    sq_weights_free(&w);
}
END_TEST

typedef struct {
    double v[64];
    size_t n;
} samples;

static void on_samples(void *ud, size_t rec, double t, const double *v, size_t n)
{
    samples *s = ud;
    (void)rec, (void)n, (void)t;
    if (s->n < 64)
        s->v[s->n++] = v[0];
}

/* V jumps (mV) of a non-leaky, non-firing neuron at arrivals 100 (event), 105 (burst marker), 110
 * (in burst), 300 (event), each read between samples 5 ms apart. */
static void jumps(double transmit, double *out)
{
    uint32_t ids[4] = {0};
    double times[] = {99.0, 104.0, 109.0, 299.0};
    static const char *lnames[] = {"tau_m", "E_L", "V_th", "V_reset"};
    static const double lvals[] = {1e15, 0.0, 1e9, 0.0};
    const char *pn[] = {"eta", "transmit"};
    double pv[] = {0.0, transmit};
    sq_pop_spec pops[] = {
        {.name = "pre", .n = 1, .model = "spike_source", .spike_ids = ids, .spike_times = times, .n_spikes = 4},
        {.name = "post", .n = 1, .model = "lif_delta", .param_names = lnames, .param_values = lvals, .n_params = 4}};
    sq_plasticity_spec pl = {.rule = "burst_dependent", .param_names = pn, .param_values = pv, .n_params = 2};
    sq_proj_spec proj = {.source = "pre", .target = "post", .connector = {.rule = SQ_CONN_ALL_TO_ALL, .autapses = 1, .multapses = 1},
                         .weight = sq_dist_constant(1.0), .delay = sq_dist_constant(1.0), .plasticity = &pl};
    sq_vm_spec vm = {"post", NULL, 0, 2.5};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 2, .projs = &proj,
                        .n_projs = 1, .vm = &vm, .n_vm = 1};
    sq_sim *sim;
    sq_err err = {0};
    ck_assert_msg(sq_sim_create(&spec, &sim, &err) == 0, "%s", err.msg);
    static samples s;
    memset(&s, 0, sizeof s);
    sq_sim_observer obs = {NULL, on_samples, &s};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, 150.0, NULL), 0);
    /* samples at 97.5, 100+2.5 ...: index 39 = 97.5, 41 = 102.5, 43 = 107.5, 45 = 112.5 */
    out[0] = s.v[41] - s.v[39];
    out[1] = s.v[43] - s.v[41];
    out[2] = s.v[45] - s.v[43];
    ck_assert_int_eq(sq_sim_run(sim, 310.0, NULL), 0);
    sq_sim_destroy(sim);
}

START_TEST(event_and_burst_filters_pass_only_their_spikes)
{
    double all[3], events[3], bursts[3];
    jumps(0.0, all);
    jumps(1.0, events);
    jumps(2.0, bursts);
    for (int k = 0; k < 3; k++)
        ck_assert_double_eq_tol(all[k], 1.0, 1e-9);
    ck_assert_double_eq_tol(events[0], 1.0, 1e-9);
    ck_assert_double_eq_tol(events[1], 0.0, 1e-9);
    ck_assert_double_eq_tol(events[2], 0.0, 1e-9);
    ck_assert_double_eq_tol(bursts[0], 0.0, 1e-9);
    ck_assert_double_eq_tol(bursts[1], 1.0, 1e-9);
    ck_assert_double_eq_tol(bursts[2], 0.0, 1e-9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("burst_dependent");
    TCase *tc = tcase_create("payeur2021");
    tcase_add_test(tc, updates_follow_events_bursts_and_homeostasis_as_written_out);
    tcase_add_test(tc, a_closed_gate_stops_learning);
    tcase_add_test(tc, event_and_burst_filters_pass_only_their_spikes);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
