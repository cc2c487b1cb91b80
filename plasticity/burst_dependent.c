/* plasticity/burst_dependent.c: burst-dependent plasticity of Payeur, Guerguiev, Zenke, Richards &
 * Naud 2021 (Nat Neurosci 24:1010), the "AdaptiveEBCP" rule of their code (apayeur/spikingburstprop),
 * specs/learning.md section 2.1.2:  dW_ij/dt = eta [B_i(t) - P_i(t) E_i(t)] Etilde_j(t).
 * Spikes are classified into events, burst markers and later burst spikes (neurons/bursts.h), on
 * both sides, from the times at which they reach the synapse.
 *   pre:  Etilde_j, a trace (tau_pre) of presynaptic EVENTS only
 *   post: moving averages Ebar_i, Bbar_i (tau_avg) of events and bursts, read as rates Ebar/tau_avg
 *   post EVENT:  valence = -min(Bbar/Ebar, 1) (before Ebar += 1);   post BURST: valence = +1, Bbar += 1
 *                W += eta (valence + h_i) Etilde_j,  h_i = -(E_i - r_max)/E_i when the event rate
 *                E_i > r_max, else 0 (homeostasis from above)
 *   pre EVENT:   W += eta (r_min - E_i) when E_i < r_min (homeostasis from below)
 *   W is clipped to [0, w_max] after every change.
 * `transmit` filters what the synapse passes on: 0 every spike, 1 only events, 2 only burst markers
 * (the TransmitEventConnection / TransmitBurstConnection of their XOR network); eta = 0 makes such a
 * filter static. The learning rate is multiplied by a gate (1 at the start) that sq_sim_modulate()
 * adds to (modulate by -1 to stop learning, +1 to resume), so an experiment can switch learning off and on (their XOR's prediction and learning
 * phases). Tested in tests/test_burst_dependent.c. */
#include "../neurons/bursts.h"
#include "bounds.h"
#include "rule.h"
#include "traces.h"

enum { P_ETA, P_TAU_PRE, P_TAU_AVG, P_TAU_BURST, P_R_MIN, P_R_MAX, P_W_MAX, P_TRANSMIT, P_COUNT };
enum { PRE_Z, PRE_BURST_STATE, PRE_E, PRE_COUNT };
enum { POST_Z, POST_BURST_STATE, POST_E, POST_B, POST_FACTOR };

static const sq_param_info params[P_COUNT] = {
    {"eta", "w", 1e-3, SQ_ANY, "learning rate (weight units per unit of trace)"},
    {"tau_pre", "ms", 100.0, SQ_POSITIVE, "time constant of the presynaptic event trace"},
    {"tau_avg", "ms", 2000.0, SQ_POSITIVE, "time constant of the postsynaptic event and burst averages"},
    {"tau_burst", "ms", SQ_BURST_TAU_MS, SQ_POSITIVE, "time constant of the burst detectors"},
    {"r_min", "Hz", 2.0, SQ_NONNEGATIVE, "event rate below which presynaptic events potentiate"},
    {"r_max", "Hz", 12.0, SQ_NONNEGATIVE, "event rate above which the rule depresses"},
    {"w_max", "w", 1.0, SQ_NONNEGATIVE, "upper weight bound (the lower is 0)"},
    {"transmit", "1", 0.0, SQ_NONNEGATIVE, "0: every spike, 1: events only, 2: burst markers only"},
};

static int check(const double *p, const char *where, sq_err *err)
{
    double t = p[P_TRANSMIT];
    if (t != 0.0 && t != 1.0 && t != 2.0)
        return sq_fail(err, SQ_ECONFIG, "%s.transmit: expected 0, 1 or 2, got %g", where, t);
    return 0;
}

/* Classifies a spike at t with the detector kept in s[z], s[burst_state] since t_last. */
static sq_spike_class classify(double *s, int z, int burst_state, double t_last, double t, double tau)
{
    sq_burst_detector b = {s[z], t_last == -INFINITY ? t : t_last, tau, (int)s[burst_state]};
    sq_spike_class c = sq_burst_classify(&b, t);
    s[z] = b.z;
    s[burst_state] = b.burst_state;
    return c;
}

static double pre_arrival(const double *p, const double *d, double *pre, double t_last, double t)
{
    (void)d;
    sq_spike_class c = classify(pre, PRE_Z, PRE_BURST_STATE, t_last, t, p[P_TAU_BURST]);
    pre[PRE_E] = sq_trace_at(pre[PRE_E], t_last, t, p[P_TAU_PRE]) + (c == SQ_SPIKE_EVENT);
    if (p[P_TRANSMIT] == 1.0)
        return c == SQ_SPIKE_EVENT;
    if (p[P_TRANSMIT] == 2.0)
        return c == SQ_SPIKE_BURST;
    return 1.0;
}

/* The event rate (Hz) of an average a of events, read with time constant tau (ms). */
static double rate_of(double a, double tau)
{
    return a / tau * 1000.0;
}

static void post_spike(const double *p, const double *d, double *post, double t_last, double t)
{
    (void)d;
    post[POST_E] = sq_trace_at(post[POST_E], t_last, t, p[P_TAU_AVG]);
    post[POST_B] = sq_trace_at(post[POST_B], t_last, t, p[P_TAU_AVG]);
    sq_spike_class c = classify(post, POST_Z, POST_BURST_STATE, t_last, t, p[P_TAU_BURST]);
    double valence = 0.0;
    if (c == SQ_SPIKE_EVENT) {
        double ratio = post[POST_E] > 0.0 ? post[POST_B] / post[POST_E] : 0.0;
        valence = -(ratio < 1.0 ? ratio : 1.0);
        post[POST_E] += 1.0;
    } else if (c == SQ_SPIKE_BURST) {
        valence = 1.0;
        post[POST_B] += 1.0;
    }
    double e = rate_of(post[POST_E], p[P_TAU_AVG]), hom = e > p[P_R_MAX] ? -(e - p[P_R_MAX]) / e : 0.0;
    post[POST_FACTOR] = c == SQ_SPIKE_INBURST ? 0.0 : valence + hom;
}

static void on_post(const double *p, const double *d, const double *pre, double t_pre, const double *post, double t,
                    const double *mod, float *w, float *syn)
{
    (void)d, (void)syn;
    sq_bounds b = {0.0, p[P_W_MAX], 0.0, 0.0};
    double e = sq_trace_at(pre[PRE_E], t_pre, t, p[P_TAU_PRE]);
    if (post[POST_FACTOR] != 0.0 && e != 0.0)
        *w = (float)sq_bounds_clip(&b, *w + p[P_ETA] * (1.0 + mod[0]) * post[POST_FACTOR] * e);
}

static double on_pre(const double *p, const double *d, const double *pre, double t_pre, const double *post,
                     double t_post, double t, const double *mod, float *w, float *syn)
{
    (void)d, (void)syn;
    double sent = *w;
    /* Whether this arrival is an event: classified on a copy, as pre_arrival() will classify it. */
    double copy[PRE_COUNT] = {pre[PRE_Z], pre[PRE_BURST_STATE], pre[PRE_E]};
    int event = classify(copy, PRE_Z, PRE_BURST_STATE, t_pre, t, p[P_TAU_BURST]) == SQ_SPIKE_EVENT;
    double e = rate_of(sq_trace_at(post[POST_E], t_post, t, p[P_TAU_AVG]), p[P_TAU_AVG]);
    if (event && e < p[P_R_MIN]) {
        sq_bounds b = {0.0, p[P_W_MAX], 0.0, 0.0};
        *w = (float)sq_bounds_clip(&b, *w + p[P_ETA] * (1.0 + mod[0]) * (p[P_R_MIN] - e));
    }
    return sent;
}

/* The gate on the learning rate: 1 + the sum of the modulate() amounts. */
static void modulate(const double *p, const double *d, double *mod, double t_last, double t, double amount)
{
    (void)p, (void)d, (void)t_last, (void)t;
    mod[0] += amount;
}

const sq_plasticity_rule sq_rule_burst_dependent = {
    .name = "burst_dependent",
    .doc = "burst-dependent plasticity of Payeur et al. 2021 (events, bursts, homeostasis; event/burst transmission)",
    .params = params,
    .n_params = P_COUNT,
    .n_pre = PRE_COUNT,
    .n_post = 5,
    .n_mod = 1,
    .check = check,
    .pre_arrival = pre_arrival,
    .post_spike = post_spike,
    .on_post = on_post,
    .on_pre = on_pre,
    .modulate = modulate,
};
