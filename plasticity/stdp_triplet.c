/* plasticity/stdp_triplet.c: triplet STDP (Pfister & Gerstner 2006, J Neurosci 26:9673), specs/
 * learning.md section 3.3. Pre traces r1 (tau_plus), r2 (tau_x); post traces o1 (tau_minus), o2
 * (tau_y):
 *   post spike at t:  w += r1(t) [A2_plus + A3_plus o2(t - eps)]
 *   pre spike at t:   w -= o1(t) [A2_minus + A3_minus r2(t - eps)]
 * where (t - eps) is the trace just before the current spike's own increment (NEST
 * stdp_triplet_synapse); then the spike's traces are increased by 1 (all-to-all) or set to 1
 * (nearest). The fitted parameter sets of the paper's Tables 3 and 4 are presets. Bounds:
 * plasticity/bounds.h. Tested in tests/test_stdp.c (single triplets in closed form, and the
 * pairing-frequency dependence of Sjostrom et al. 2001 / P&G Fig. 3). */
#include "bounds.h"
#include "rule.h"
#include "traces.h"

enum {
    P_TAU_PLUS, P_TAU_MINUS, P_TAU_X, P_TAU_Y, P_A2_PLUS, P_A3_PLUS, P_A2_MINUS, P_A3_MINUS, P_W_MIN, P_W_MAX,
    P_MU_PLUS, P_MU_MINUS, P_NEAREST, P_COUNT
};
enum { PRE_R1, PRE_R2 };
enum { POST_O1, POST_O2, POST_O2_BEFORE };

static const sq_param_info params[P_COUNT] = {
    {"tau_plus", "ms", 16.8, SQ_POSITIVE, "time constant of the pair pre trace r1"},
    {"tau_minus", "ms", 33.7, SQ_POSITIVE, "time constant of the pair post trace o1"},
    {"tau_x", "ms", 101.0, SQ_POSITIVE, "time constant of the triplet pre trace r2"},
    {"tau_y", "ms", 125.0, SQ_POSITIVE, "time constant of the triplet post trace o2"},
    {"A2_plus", "w", 5e-10, SQ_NONNEGATIVE, "pair potentiation amplitude"},
    {"A3_plus", "w", 6.2e-3, SQ_NONNEGATIVE, "triplet potentiation amplitude"},
    {"A2_minus", "w", 7e-3, SQ_NONNEGATIVE, "pair depression amplitude"},
    {"A3_minus", "w", 2.3e-4, SQ_NONNEGATIVE, "triplet depression amplitude"},
    {"w_min", "w", 0.0, SQ_ANY, "lower weight bound"},
    {"w_max", "w", 1.0, SQ_ANY, "upper weight bound"},
    {"mu_plus", "1", 0.0, SQ_NONNEGATIVE, "weight dependence of LTP: 0 additive, 1 multiplicative"},
    {"mu_minus", "1", 0.0, SQ_NONNEGATIVE, "weight dependence of LTD: 0 additive, 1 multiplicative"},
    {"nearest", "1", 0.0, SQ_NONNEGATIVE, "1: nearest-spike interaction (traces set to 1), 0: all-to-all"},
};

/* Pfister & Gerstner 2006, Tables 3 (visual cortex, Sjostrom et al. 2001) and 4 (hippocampal,
 * Wang et al. 2005); specs/learning.md 3.3. tau_x of a minimal set without A3_minus is irrelevant. */
static const char *const set_names[] = {"tau_x", "tau_y", "A2_plus", "A3_plus", "A2_minus", "A3_minus", "nearest"};
#define SET(name, doc, ...) {name, doc, set_names, (const double[]){__VA_ARGS__}, SQ_COUNT(set_names)}
static const sq_rule_preset presets[] = {
    SET("visual_cortex_full_all_to_all", "P&G 2006 Table 3", 101, 125, 5e-10, 6.2e-3, 7e-3, 2.3e-4, 0),
    SET("visual_cortex_minimal_all_to_all", "P&G 2006 Table 3", 101, 114, 0, 6.5e-3, 7.1e-3, 0, 0),
    SET("visual_cortex_full_nearest", "P&G 2006 Table 3", 714, 40, 8.8e-11, 5.3e-2, 6.6e-3, 3.1e-3, 1),
    SET("visual_cortex_minimal_nearest", "P&G 2006 Table 3", 714, 40, 0, 5e-2, 8e-3, 0, 1),
    SET("hippocampal_full_all_to_all", "P&G 2006 Table 4", 946, 27, 6.1e-3, 6.7e-3, 1.6e-3, 1.4e-4, 0),
    SET("hippocampal_minimal_all_to_all", "P&G 2006 Table 4", 946, 40, 5.3e-3, 8e-3, 3.5e-3, 0, 0),
    SET("hippocampal_full_nearest", "P&G 2006 Table 4", 575, 47, 4.6e-3, 9.1e-3, 3e-3, 7.5e-9, 1),
    SET("hippocampal_minimal_nearest", "P&G 2006 Table 4", 575, 48, 4.6e-3, 9.1e-3, 3e-3, 0, 1),
};
#undef SET

static int check(const double *p, const char *where, sq_err *err)
{
    return sq_bounds_rule_check(p, P_W_MIN, P_W_MAX, P_NEAREST, where, err);
}

static sq_bounds bounds_of(const double *p)
{
    return (sq_bounds){p[P_W_MIN], p[P_W_MAX], p[P_MU_PLUS], p[P_MU_MINUS]};
}

static double pre_arrival(const double *p, const double *d, double *pre, double t_last, double t)
{
    (void)d;
    int nearest = p[P_NEAREST] != 0.0;
    pre[PRE_R1] = sq_trace_spike(pre[PRE_R1], t_last, t, p[P_TAU_PLUS], nearest);
    pre[PRE_R2] = sq_trace_spike(pre[PRE_R2], t_last, t, p[P_TAU_X], nearest);
    return 1.0;
}

static void post_spike(const double *p, const double *d, double *post, double t_last, double t)
{
    (void)d;
    int nearest = p[P_NEAREST] != 0.0;
    post[POST_O2_BEFORE] = sq_trace_at(post[POST_O2], t_last, t, p[P_TAU_Y]);
    post[POST_O1] = sq_trace_spike(post[POST_O1], t_last, t, p[P_TAU_MINUS], nearest);
    post[POST_O2] = nearest ? 1.0 : post[POST_O2_BEFORE] + 1.0;
}

static void on_post(const double *p, const double *d, const double *pre, double t_pre, const double *post, double t,
                    const double *mod, float *w, float *syn)
{
    (void)d, (void)mod, (void)syn;
    sq_bounds b = bounds_of(p);
    double r1 = sq_trace_at(pre[PRE_R1], t_pre, t, p[P_TAU_PLUS]);
    *w = (float)sq_bounds_apply(&b, *w, r1 * (p[P_A2_PLUS] + p[P_A3_PLUS] * post[POST_O2_BEFORE]));
}

static double on_pre(const double *p, const double *d, const double *pre, double t_pre, const double *post,
                     double t_post, double t, const double *mod, float *w, float *syn)
{
    (void)d, (void)mod, (void)syn;
    sq_bounds b = bounds_of(p);
    double sent = *w;
    double o1 = sq_trace_at(post[POST_O1], t_post, t, p[P_TAU_MINUS]);
    double r2 = sq_trace_at(pre[PRE_R2], t_pre, t, p[P_TAU_X]);
    *w = (float)sq_bounds_apply(&b, *w, -o1 * (p[P_A2_MINUS] + p[P_A3_MINUS] * r2));
    return sent;
}

const sq_plasticity_rule sq_rule_stdp_triplet = {
    .name = "stdp_triplet",
    .doc = "triplet STDP with the fitted sets of Pfister & Gerstner 2006 as presets",
    .params = params,
    .n_params = P_COUNT,
    .n_pre = 2,
    .n_post = 3,
    .presets = presets,
    .n_presets = SQ_COUNT(presets),
    .check = check,
    .pre_arrival = pre_arrival,
    .post_spike = post_spike,
    .on_post = on_post,
    .on_pre = on_pre,
};
