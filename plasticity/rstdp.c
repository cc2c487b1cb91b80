/* plasticity/rstdp.c: reward-modulated STDP with an eligibility trace (specs/learning.md section 4).
 * STDP pairings do not change the weight; they accumulate in a per-synapse eligibility c:
 *   post spike reaching the synapse at t:  c += A_plus x(t)      arrival at t:  c -= A_minus y(t)
 * (pair traces x, y as in plasticity/stdp_pair.c, all-to-all or nearest). Every update_interval ms
 * the weight takes up the eligibility gated by the modulatory signal, which then decays:
 *   w <- clip(w + gamma (tonic + m(t)) c, w_min, w_max);   c <- c e^{-update_interval/tau_c}
 * (tau_c = 0: c <- 0, a point eligibility). The signal m jumps by the amount of each
 * sq_sim_modulate() and decays with tau_mod (0: held until the next modulate()).
 * Presets: Izhikevich 2007 (Cereb Cortex 17:2443) as his daspnet.m discretises it -- traces set to
 * 0.1 and decaying by 0.95 a ms, c decaying by 0.99 every 10 ms, dopamine by 0.995 a ms, tonic
 * dopamine 0.002, s_max 4 -- and Florian 2007 (Neural Comput 19:1468) MSTDP (point eligibility)
 * and MSTDPET (tau_z = 25 ms) on a 1 ms step, as BindsNET runs them (the weight update uses the
 * previous step's eligibility). The end of a sample (sq_sim_end_sample) consolidates the same way,
 * for trial-based rewards (set update_interval longer than a trial). Tested in tests/test_rstdp.c. */
#include "bounds.h"
#include "rule.h"
#include "traces.h"

enum {
    P_TAU_PLUS, P_TAU_MINUS, P_A_PLUS, P_A_MINUS, P_NEAREST, P_TAU_C, P_INTERVAL, P_GAMMA, P_TONIC, P_TAU_MOD,
    P_W_MIN, P_W_MAX, P_COUNT
};
enum { D_DECAY_C, D_COUNT };
enum { SYN_C };
enum { MOD_M };

static const sq_param_info params[P_COUNT] = {
    {"tau_plus", "ms", 20.0, SQ_POSITIVE, "time constant of the pre trace"},
    {"tau_minus", "ms", 20.0, SQ_POSITIVE, "time constant of the post trace"},
    {"A_plus", "w", 1.0, SQ_NONNEGATIVE, "eligibility added per pre-before-post pair at dt = 0+"},
    {"A_minus", "w", 1.0, SQ_NONNEGATIVE, "eligibility removed per post-before-pre pair at dt = 0-"},
    {"nearest", "1", 0.0, SQ_NONNEGATIVE, "1: nearest-neighbour traces (set to 1), 0: all-to-all"},
    {"tau_c", "ms", 1000.0, SQ_NONNEGATIVE, "decay time constant of the eligibility; 0: reset after each update"},
    {"update_interval", "ms", 10.0, SQ_POSITIVE, "period of the weight update"},
    {"gamma", "1", 1.0, SQ_ANY, "learning rate applied to modulator x eligibility"},
    {"tonic", "1", 0.0, SQ_ANY, "modulator baseline (tonic dopamine)"},
    {"tau_mod", "ms", 200.0, SQ_NONNEGATIVE, "decay time constant of the modulator; 0: held"},
    {"w_min", "w", 0.0, SQ_ANY, "lower weight bound"},
    {"w_max", "w", 1.0, SQ_ANY, "upper weight bound"},
};

/* daspnet.m: decays per step written as time constants, so that the exact decay over one step is
 * the script's factor: -1/ln(0.95) ms, -10/ln(0.99) ms, -1/ln(0.995) ms; the trace amplitude 0.1
 * and the LTD factor 1.5 go into A_plus = 0.1 and A_minus = 0.15. */
static const char *const names[] = {"tau_plus", "tau_minus", "A_plus", "A_minus", "nearest", "tau_c",
                                    "update_interval", "gamma", "tonic", "tau_mod", "w_min", "w_max"};
#define SET(name, doc, ...) {name, doc, names, (const double[]){__VA_ARGS__}, SQ_COUNT(names)}
static const sq_rule_preset presets[] = {
    SET("izhikevich2007", "Izhikevich 2007, daspnet.m", 19.4957257, 19.4957257, 0.1, 0.15, 1, 994.991625, 10, 1, 0.002,
        199.499582, 0, 4),
    SET("florian2007_mstdp", "Florian 2007 MSTDP, 1 ms step (BindsNET)", 20, 20, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1),
    SET("florian2007_mstdpet", "Florian 2007 MSTDPET, tau_z 25 ms, 1 ms step (BindsNET)", 20, 20, 1, 1, 0, 25, 1, 1,
        0, 0, 0, 1),
};
#undef SET

static int check(const double *p, const char *where, sq_err *err)
{
    return sq_bounds_rule_check(p, P_W_MIN, P_W_MAX, P_NEAREST, where, err);
}

static void prepare(const double *p, double *d)
{
    d[D_DECAY_C] = p[P_TAU_C] > 0.0 ? exp(-p[P_INTERVAL] / p[P_TAU_C]) : 0.0;
}

static double pre_arrival(const double *p, const double *d, double *pre, double t_last, double t)
{
    (void)d;
    pre[0] = sq_trace_spike(pre[0], t_last, t, p[P_TAU_PLUS], p[P_NEAREST] != 0.0);
    return 1.0;
}

static void post_spike(const double *p, const double *d, double *post, double t_last, double t)
{
    (void)d;
    post[0] = sq_trace_spike(post[0], t_last, t, p[P_TAU_MINUS], p[P_NEAREST] != 0.0);
}

static void on_post(const double *p, const double *d, const double *pre, double t_pre, const double *post, double t,
                    const double *mod, float *w, float *syn)
{
    (void)d, (void)mod, (void)post, (void)w;
    syn[SYN_C] += (float)(p[P_A_PLUS] * sq_trace_at(pre[0], t_pre, t, p[P_TAU_PLUS]));
}

static double on_pre(const double *p, const double *d, const double *pre, double t_pre, const double *post,
                     double t_post, double t, const double *mod, float *w, float *syn)
{
    (void)d, (void)mod, (void)pre, (void)t_pre;
    syn[SYN_C] -= (float)(p[P_A_MINUS] * sq_trace_at(post[0], t_post, t, p[P_TAU_MINUS]));
    return *w;
}

/* The modulator at t, from its value after the last modulate() at t_mod. */
static double modulator_at(const double *p, const double *mod, double t_mod, double t)
{
    return p[P_TAU_MOD] > 0.0 ? sq_trace_at(mod[MOD_M], t_mod, t, p[P_TAU_MOD]) : mod[MOD_M];
}

static void modulate(const double *p, const double *d, double *mod, double t_last, double t, double amount)
{
    (void)d;
    mod[MOD_M] = modulator_at(p, mod, t_last, t) + amount;
}

static double sweep_interval(const double *p)
{
    return p[P_INTERVAL];
}

static void sweep(const double *p, const double *d, const double *mod, double t_mod, double t, float *w, float *syn,
                  size_t n, size_t syn_stride)
{
    sq_bounds b = {p[P_W_MIN], p[P_W_MAX], 0.0, 0.0};
    double gm = p[P_GAMMA] * (p[P_TONIC] + modulator_at(p, mod, t_mod, t)), decay = d[D_DECAY_C];
    for (size_t k = 0; k < n; k++) {
        float *c = syn + k * syn_stride + SYN_C;
        w[k] = (float)sq_bounds_clip(&b, w[k] + gm * *c);
        *c = (float)(*c * decay);
    }
}

const sq_plasticity_rule sq_rule_rstdp = {
    .name = "rstdp",
    .doc = "reward-modulated STDP with an eligibility trace (Izhikevich 2007; Florian 2007 MSTDP/MSTDPET)",
    .params = params,
    .n_params = P_COUNT,
    .n_derived = D_COUNT,
    .n_pre = 1,
    .n_post = 1,
    .n_syn = 1,
    .n_mod = 1,
    .presets = presets,
    .n_presets = SQ_COUNT(presets),
    .check = check,
    .prepare = prepare,
    .pre_arrival = pre_arrival,
    .post_spike = post_spike,
    .on_post = on_post,
    .on_pre = on_pre,
    .modulate = modulate,
    .sweep_interval = sweep_interval,
    .sweep = sweep,
    .sample_end = sweep, /* a trial's end consolidates as an update does (trial-based reward) */
};
