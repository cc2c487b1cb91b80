/* neurons/lif_exp.c: leaky integrate-and-fire neuron with exponentially decaying synaptic currents
 * (NEST iaf_psc_exp: same parameter names and defaults).
 *   dV/dt = -(V - E_L)/tau_m + (I_ex + I_in + I_e + I_dc)/C_m;  dI_x/dt = -I_x/tau_syn_x;
 *   an input of weight w (pA) adds to I_ex (w >= 0) or I_in (w < 0);  V >= V_th: spike,
 *   V = V_reset and clamped there for t_ref while the currents keep decaying.
 * Model: Tsodyks, Uziel & Markram (2000), J Neurosci 20:RC50; NEST iaf_psc_exp.
 * Integration: exact propagator between events (Rotter & Diesmann 1999, Biol Cybern 81:381). With
 * u = V - V_inf, a = 1/tau_m, b = 1/tau_syn: u(t) = u0 e^{-at} + (I0/C_m) P(t),
 * P(t) = (e^{-bt} - e^{-at})/(a - b) (lif_exp_crossing.h). When tau_m, tau_syn_ex, tau_syn_in are
 * integer multiples 1..8 of the slowest (20/5/10 ms, 10/2/2 ms...), e^{-t/tau_slow} gives all three
 * decays by products and P is a product of positive terms (no cancellation); otherwise each
 * exponential is computed and P is their difference over (a - b), or e^{-at} t exprel((a-b)t) by its
 * series near a == b, which is exact at a == b (P = t e^{-at}). Accuracy: a few ulp.
 * Threshold crossing, in continuous time, in three tiers, cheapest first:
 *  1. a bound: J = I_ex + I_in <= J_U for the whole future (currents only decay; see
 *     current_bound()), so u' <= -a (u - R J_U) and u(t) <= u_U + (u0 - u_U) e^{-at}, u_U = R J_U
 *     (comparison theorem). advance() needs no search when that bound stays under threshold at the
 *     interval end (it uses the e^{-at} the propagator has anyway), and next_check() returns half
 *     of the bound's crossing time tau_m ln((u_U - u0)/(u_U - u_th)), a lower bound computed without
 *     a log, when it is at least D_FAR (1 ms) ahead: a neuron woken there is simply asked again;
 *  2. upper_bound(): a bound of u over the whole future; below threshold means "never";
 *  3. the exact search (lif_exp_crossing.c): V' = -a u + J/C_m is an exponential sum whose zeros are
 *     those of w(t) = V'(t) e^{at}, and w'(t) = J'(t) e^{at}/C_m; J' is a two-term exponential sum
 *     with at most one zero t_w, in closed form. So V' has at most one zero on each side of t_w
 *     (Descartes' rule of signs for exponential sums), each bracketed and solved by safeguarded
 *     Newton/bisection. Between 0, those zeros and the interval end, V is monotone, so the first
 *     piece whose right end reaches V_th brackets the first crossing, solved to 1e-12 ms. A
 *     crossing that goes above V_th and back below inside one interval is therefore found. When
 *     tau_syn_ex == tau_syn_in, V' has at most one zero, in closed form, and next_check() can prove
 *     "never" exactly. next_check() gives the exact crossing (nudged by ulps so that advance() to it
 *     fires), the search horizon 10 max(tau) when it finds none there, or INFINITY.
 * In the Vogels-Abbott CUBA network (E_L > V_th: every neuron has a future crossing) tier 1 settles
 * ~98 % of next_check() and ~99 % of advance() calls.
 * Tested in tests/test_lif_exp.c against closed forms and a dense-sampling reference, 1e-9 ms. */
#include <float.h>
#include <math.h>

#include "lif_exp_crossing.h"
#include "integrate_steps.h"
#include "model.h"

typedef sq__lif_exp_traj traj;

enum { P_C_M, P_TAU_M, P_TAU_EX, P_TAU_IN, P_T_REF, P_E_L, P_V_RESET, P_V_TH, P_I_E, P_COUNT };
enum { S_T, S_V, S_I_EX, S_I_IN, S_REF_END, S_I_DC, S_COUNT };

static const sq_param_info params[P_COUNT] = {
    {"C_m", "pF", 250.0, SQ_POSITIVE, "membrane capacitance"},
    {"tau_m", "ms", 10.0, SQ_POSITIVE, "membrane time constant"},
    {"tau_syn_ex", "ms", 2.0, SQ_POSITIVE, "excitatory synaptic time constant"},
    {"tau_syn_in", "ms", 2.0, SQ_POSITIVE, "inhibitory synaptic time constant"},
    {"t_ref", "ms", 2.0, SQ_NONNEGATIVE, "absolute refractory period"},
    {"E_L", "mV", -70.0, SQ_ANY, "resting potential"},
    {"V_reset", "mV", -70.0, SQ_ANY, "reset potential, V is clamped there during t_ref"},
    {"V_th", "mV", -55.0, SQ_ANY, "spike threshold"},
    {"I_e", "pA", 0.0, SQ_ANY, "constant external current"},
};

static const char *const state_names[S_COUNT] = {"t", "V_m", "I_ex", "I_in", "t_ref_end", "I_dc"};

static int check(const double *p, const char *where, sq_err *err)
{
    if (!(p[P_V_RESET] < p[P_V_TH]))
        return sq_fail(err, SQ_ECONFIG, "%s.V_reset: expected less than V_th = %g mV, got %g mV", where,
                       p[P_V_TH], p[P_V_RESET]);
    return 0;
}

/* P peaks where b e^{-bt} = a e^{-at}, at t_max = ln(a/b)/(a - b) (1/a when a == b); P(t_max) =
 * e^{-a t_max}/b. */
static double psp_peak_time(double a, double b)
{
    return log1p_ratio((a - b) / b) / b;
}

/* m when tau_slow == m tau exactly for an integer m in 1..8 (then e^{-t/tau} = (e^{-t/tau_slow})^m
 * exactly in real arithmetic), else 0. */
static double multiple(double tau_slow, double tau)
{
    for (int m = 1; m <= 8; m++)
        if (tau * m == tau_slow)
            return m;
    return 0.0;
}

static void prepare(const double *p, double *d, double h)
{
    (void)h;
    double a = 1.0 / p[P_TAU_M];
    d[D_A] = a;
    d[D_INV_C] = 1.0 / p[P_C_M];
    d[D_R] = p[P_TAU_M] / p[P_C_M];
    d[D_V_INF0] = p[P_E_L] + p[P_I_E] * d[D_R];
    d[D_B_EX] = 1.0 / p[P_TAU_EX];
    d[D_DD_EX] = a - d[D_B_EX];
    d[D_INV_DD_EX] = d[D_DD_EX] != 0.0 ? 1.0 / d[D_DD_EX] : 0.0;
    d[D_B_IN] = 1.0 / p[P_TAU_IN];
    d[D_DD_IN] = a - d[D_B_IN];
    d[D_INV_DD_IN] = d[D_DD_IN] != 0.0 ? 1.0 / d[D_DD_IN] : 0.0;
    d[D_T_PEAK] = psp_peak_time(a, d[D_B_EX]);
    d[D_PK_EX] = exp(-a * d[D_T_PEAK]) / d[D_B_EX] * d[D_INV_C];
    d[D_PK_IN] = exp(-a * psp_peak_time(a, d[D_B_IN])) / d[D_B_IN] * d[D_INV_C];
    d[D_IN_SLOW] = p[P_TAU_IN] >= p[P_TAU_EX];
    d[D_SAME] = p[P_TAU_EX] == p[P_TAU_IN];
    double tau_slow = fmax(p[P_TAU_M], fmax(p[P_TAU_EX], p[P_TAU_IN]));
    d[D_RATE0] = 1.0 / tau_slow;
    d[D_M_A] = multiple(tau_slow, p[P_TAU_M]);
    d[D_M_EX] = multiple(tau_slow, p[P_TAU_EX]);
    d[D_M_IN] = multiple(tau_slow, p[P_TAU_IN]);
    if (d[D_M_A] == 0.0 || d[D_M_EX] == 0.0 || d[D_M_IN] == 0.0)
        d[D_M_A] = 0.0;
    d[D_K_EX] = fabs(d[D_M_A] - d[D_M_EX]);
    d[D_K_IN] = fabs(d[D_M_A] - d[D_M_IN]);
    d[D_S_EX] = d[D_K_EX] != 0.0 ? tau_slow / d[D_K_EX] : 0.0;
    d[D_S_IN] = d[D_K_IN] != 0.0 ? tau_slow / d[D_K_IN] : 0.0;
    d[D_FAR] = 1.0; /* ms: several engine windows, so that a wake-up at half the bound needs no search */
    d[D_HORIZON] = 10.0 * fmax(p[P_TAU_M], fmax(p[P_TAU_EX], p[P_TAU_IN]));
}

static void init(const double *p, const double *d, double *s, double t0)
{
    (void)d;
    s[S_T] = t0;
    s[S_V] = p[P_E_L];
    s[S_I_EX] = 0.0;
    s[S_I_IN] = 0.0;
    s[S_REF_END] = t0;
    s[S_I_DC] = 0.0;
}

/* An upper bound of J = I_ex + I_in over the whole future, pA. Each current keeps its sign while
 * it decays. When tau_syn_in >= tau_syn_ex and I_in <= 0, I_in e^{-b_in t} <= I_in e^{-b_ex t},
 * so J(t) <= (I_ex + I_in) e^{-b_ex t}: the inhibition is netted against the excitation. */
static inline double current_bound(const double *d, double i_ex, double i_in)
{
    if (d[D_IN_SLOW] != 0.0 && i_in <= 0.0)
        return max2(i_ex + i_in, 0.0);
    return max2(i_ex, 0.0) + max2(i_in, 0.0);
}

/* With J(t) <= jb for t >= 0, u' <= -a (u - u_U) with u_U = R jb, so u(t) <= u_U + (u0 - u_U) e^{-at}
 * (comparison), a bound monotone in t. True when it proves u < u_th on [0, tau] (e_a = e^{-a tau}),
 * with 8 ulp of margin for the rounding of the bound and of u(tau). */
static inline int stays_below(const traj *tr, double u_U, double u_th, double e_a)
{
    double ub = u_U + (tr->u0 - u_U) * e_a;
    return ub < u_th - 8.0 * DBL_EPSILON * (fabs(tr->u0) + fabs(u_U));
}

/* Upper bound of u over the whole future of tr, a few flops, no exp. With the current bounded as in
 * current_bound() (by c_x+ e^{-b_x t} per receptor), superposition gives
 * u <= max(u0,0) + sum c_x+ Pmax_x/C_m, and the comparison bound gives u <= max(u0, R sum c_x+). */
static inline double upper_bound(const traj *tr)
{
    const double *d = tr->d;
    double pe, pi;
    if (d[D_IN_SLOW] != 0.0 && tr->i_in <= 0.0) {
        pe = max2(tr->i_ex + tr->i_in, 0.0);
        pi = 0.0;
    } else {
        pe = max2(tr->i_ex, 0.0);
        pi = max2(tr->i_in, 0.0);
    }
    double b1 = max2(tr->u0, 0.0) + pe * d[D_PK_EX] + pi * d[D_PK_IN];
    double b2 = max2(tr->u0, d[D_R] * (pe + pi));
    return min2(b1, b2);
}

static void decay_currents(const double *d, double *s, double dt)
{
    double e_ex = exp_neg(d[D_B_EX] * dt);
    s[S_I_EX] *= e_ex;
    s[S_I_IN] *= d[D_SAME] != 0.0 ? e_ex : exp_neg(d[D_B_IN] * dt);
}

/* advance()'s rare part, out of line to keep the hot path small: the search on (t0, t] once the
 * bounds could not rule a crossing out, and the reset when there is one. Returns 1 when it fired. */
__attribute__((noinline)) static int search_and_fire(const double *p, const traj *tr, double *s, double t0, double t,
                                                     double u_th, double u_T, double *t_spike)
{
    double tc = 0.0, T = t - t0;
    if (tr->u0 < u_th) {
        int never;
        tc = sq__lif_exp_first_crossing(tr, u_th, T, u_T, &never);
        if (u_T >= u_th && !(tc <= T))
            tc = T; /* only a rounding-level disagreement between the search and u(T) gets here */
        if (!(tc <= T))
            return 0;
    }
    double q[5];
    sq__lif_exp_eval(tr, tc, q);
    s[S_T] = min2(t0 + tc, t);
    s[S_V] = p[P_V_RESET];
    s[S_I_EX] = q[3];
    s[S_I_IN] = q[4];
    s[S_REF_END] = s[S_T] + p[P_T_REF];
    *t_spike = s[S_T];
    return 1;
}

static inline int advance(const double *p, const double *d, double *s, double t, double *t_spike)
{
    double t0 = s[S_T];
    if (t0 < s[S_REF_END]) {
        /* V stays at V_reset (set at the spike) while the currents decay. */
        double te = min2(t, s[S_REF_END]);
        if (te > t0)
            decay_currents(d, s, te - t0);
        s[S_T] = te;
        if (t <= te)
            return 0;
        t0 = te;
    }
    double v_inf = d[D_V_INF0] + d[D_R] * s[S_I_DC];
    traj tr = {d, s[S_V] - v_inf, s[S_I_EX], s[S_I_IN]};
    double u_th = p[P_V_TH] - v_inf, T = t - t0;
    sq__lif_exp_props pr;
    props_at(d, T, &pr);
    double u_T = tr.u0 * pr.e_a + (tr.i_ex * pr.p_ex + tr.i_in * pr.p_in) * d[D_INV_C];
    /* Firing whenever u(T) >= u_th, before any search, is what lets next_check() promise that
     * advance() to its answer fires (see there). The search runs only when neither bound rules a
     * crossing out. */
    if (tr.u0 >= u_th || u_T >= u_th ||
        (!stays_below(&tr, d[D_R] * current_bound(d, tr.i_ex, tr.i_in), u_th, pr.e_a) && upper_bound(&tr) >= u_th)) {
        if (search_and_fire(p, &tr, s, t0, t, u_th, u_T, t_spike))
            return 1;
    }
    s[S_V] = v_inf + u_T;
    s[S_I_EX] = tr.i_ex * pr.e_ex;
    s[S_I_IN] = tr.i_in * pr.e_in;
    s[S_T] = t;
    return 0;
}

static inline int input(const double *p, const double *d, double *s, double w)
{
    (void)p;
    (void)d;
    if (w >= 0.0)
        s[S_I_EX] += w;
    else
        s[S_I_IN] += w;
    return 0;
}

static void add_current(const double *p, const double *d, double *s, double di)
{
    (void)p;
    (void)d;
    s[S_I_DC] += di;
}

/* next_check()'s rare part: the exact crossing of the free trajectory tr from t0, nudged. */
__attribute__((noinline)) static double exact_check(const double *d, const traj *tr, double t0, double u_th)
{
    int never;
    double tau = sq__lif_exp_first_crossing(tr, u_th, d[D_HORIZON], NAN, &never);
    if (!(tau < INFINITY))
        return never ? INFINITY : t0 + d[D_HORIZON];
    double tc = t0 + tau, q[5];
    for (int i = 0; i < 64; i++) {
        sq__lif_exp_eval(tr, tc - t0, q);
        if (q[0] >= u_th)
            break;
        tc = nextafter(tc, INFINITY);
    }
    return tc;
}

/* When the comparison bound of stays_below() puts the crossing at least D_FAR ahead, returns half
 * of that bound (no root solve): waking there, advance() to the end of the engine's window still
 * passes stays_below() while the window is under half the bound. Otherwise the exact crossing,
 * when the bound cannot rule one out; the search looks D_HORIZON ahead and returns that horizon
 * (a valid lower bound) when it finds nothing. The exact time is nudged up by ulps until the state
 * evaluated there, exactly as advance() will, is at threshold, so that advance(next_check())
 * fires instead of stopping a rounding error short. While refractory, the bound starts from
 * V_reset at the refractory end (the currents only shrink in between). */
static double next_check(const double *p, const double *d, const double *s)
{
    double t0 = s[S_T];
    double v_inf = d[D_V_INF0] + d[D_R] * s[S_I_DC];
    double u_th = p[P_V_TH] - v_inf;
    int refractory = t0 < s[S_REF_END];
    traj tr = {d, (refractory ? p[P_V_RESET] : s[S_V]) - v_inf, s[S_I_EX], s[S_I_IN]};
    if (refractory)
        t0 = s[S_REF_END];
    if (tr.u0 >= u_th)
        return t0;
    double u_U = d[D_R] * current_bound(d, tr.i_ex, tr.i_in);
    if (u_U > u_th) {
        /* t_b = tau_m ln y, y = num/den >= 1, is the bound; 2 (y - 1)/(y + 1) <= ln y spares the log. */
        double num = u_U - tr.u0, den = u_U - u_th + 8.0 * DBL_EPSILON * (fabs(u_U) + fabs(u_th));
        double t_b = p[P_TAU_M] * 2.0 * (num - den) / (num + den);
        if (t_b >= d[D_FAR])
            return t0 + 0.5 * t_b;
    }
    if (upper_bound(&tr) < u_th)
        return INFINITY;
    return refractory ? t0 : exact_check(d, &tr, t0, u_th);
}

/* The engine's fast path: the advance()/input() sequence of the contract, with direct calls. */
/* The advance()/input() loop with direct calls (an input never fires: it only changes a current),
 * ending by the lazy rule of model.h. */
static double integrate(const double *p, const double *d, double *s, const double *ta, const float *wa, size_t na,
                        const double *tb, const float *wb, size_t nb, double t_end,
                        void (*emit)(void *ctx, double t_spike), void *ctx)
{
    return sq_integrate_steps(advance, input, next_check, p, d, s, ta, wa, na, tb, wb, nb, t_end, emit, ctx);
}

const sq_neuron_model sq_model_lif_exp = {
    .name = "lif_exp",
    .doc = "leaky integrate-and-fire, exponential current synapses (NEST iaf_psc_exp), exact integration",
    .params = params,
    .n_params = P_COUNT,
    .n_derived = D_COUNT,
    .n_state = S_COUNT,
    .state_names = state_names,
    .v_index = S_V,
    .weight_unit = "pA",
    .check = check,
    .prepare = prepare,
    .init = init,
    .advance = advance,
    .input = input,
    .add_current = add_current,
    .next_check = next_check,
    .integrate = integrate,
};
