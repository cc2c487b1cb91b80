/* plasticity/stdp_pair.c: pair-based STDP with exponential traces (Bi & Poo 1998; Song, Miller &
 * Abbott 2000, Nat Neurosci 3:919; trace formalism of Morrison, Diesmann & Gerstner 2008, Biol
 * Cybern 98:459), specs/learning.md section 3.1. A pre trace x (tau_plus) and a post trace y
 * (tau_minus):
 *   post spike reaching the synapse at t:  w += F+(w) A_plus  x(t)     (pre before post: LTP)
 *   pre spike arriving at t:               w -= F-(w) A_minus y(t)     (post before pre: LTD)
 * so a single pair with dt = t_post - t_pre changes w by A_plus e^{-dt/tau_plus} (dt >= 0) or
 * -A_minus e^{dt/tau_minus} (dt < 0). Interaction: all-to-all (traces += 1, NEST stdp_synapse) or
 * nearest-neighbour symmetric (traces = 1, NEST stdp_nn_symm_synapse). Weight dependence and bounds
 * (additive/hard, multiplicative/soft): plasticity/bounds.h. An arrival transmits the weight it
 * finds, then depresses it (Brian2's on_pre order; NEST transmits the depressed weight).
 * Tested in tests/test_stdp.c (the window, exactly). */
#include "bounds.h"
#include "rule.h"
#include "traces.h"

enum { P_TAU_PLUS, P_TAU_MINUS, P_A_PLUS, P_A_MINUS, P_W_MIN, P_W_MAX, P_MU_PLUS, P_MU_MINUS, P_NEAREST, P_COUNT };

static const sq_param_info params[P_COUNT] = {
    {"tau_plus", "ms", 20.0, SQ_POSITIVE, "time constant of the pre trace (LTP window)"},
    {"tau_minus", "ms", 20.0, SQ_POSITIVE, "time constant of the post trace (LTD window)"},
    {"A_plus", "w", 0.01, SQ_NONNEGATIVE, "potentiation per pair at dt = 0+, in weight units"},
    {"A_minus", "w", 0.0105, SQ_NONNEGATIVE, "depression per pair at dt = 0-, in weight units"},
    {"w_min", "w", 0.0, SQ_ANY, "lower weight bound"},
    {"w_max", "w", 1.0, SQ_ANY, "upper weight bound"},
    {"mu_plus", "1", 0.0, SQ_NONNEGATIVE, "weight dependence of LTP: 0 additive, 1 multiplicative"},
    {"mu_minus", "1", 0.0, SQ_NONNEGATIVE, "weight dependence of LTD: 0 additive, 1 multiplicative"},
    {"nearest", "1", 0.0, SQ_NONNEGATIVE, "1: nearest-neighbour pairing (traces set to 1), 0: all-to-all"},
};

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
    (void)d, (void)mod, (void)post, (void)syn;
    sq_bounds b = bounds_of(p);
    *w = (float)sq_bounds_apply(&b, *w, p[P_A_PLUS] * sq_trace_at(pre[0], t_pre, t, p[P_TAU_PLUS]));
}

static double on_pre(const double *p, const double *d, const double *pre, double t_pre, const double *post,
                     double t_post, double t, const double *mod, float *w, float *syn)
{
    (void)d, (void)mod, (void)pre, (void)t_pre, (void)syn;
    sq_bounds b = bounds_of(p);
    double sent = *w;
    *w = (float)sq_bounds_apply(&b, *w, -p[P_A_MINUS] * sq_trace_at(post[0], t_post, t, p[P_TAU_MINUS]));
    return sent;
}

const sq_plasticity_rule sq_rule_stdp = {
    .name = "stdp",
    .doc = "pair-based STDP, all-to-all or nearest-neighbour, additive or multiplicative (Song et al. 2000)",
    .params = params,
    .n_params = P_COUNT,
    .n_pre = 1,
    .n_post = 1,
    .check = check,
    .pre_arrival = pre_arrival,
    .post_spike = post_spike,
    .on_post = on_post,
    .on_pre = on_pre,
};
