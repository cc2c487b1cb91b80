/* neurons/lif_cond_exp.c: leaky integrate-and-fire neuron with exponentially decaying synaptic
 * conductances (NEST iaf_cond_exp: same parameter names and defaults).
 *   C_m dV/dt = -g_L (V - E_L) - g_ex(t) (V - E_ex) - g_in(t) (V - E_in) + I_e + I_dc;
 *   dg_x/dt = -g_x/tau_syn_x;  an input of weight w (nS) adds w to g_ex (w >= 0) or -w to g_in (w < 0);
 *   V >= V_th: spike, V = V_reset and clamped there for t_ref while the conductances keep decaying.
 * Model: NEST iaf_cond_exp (after Meffin, Burkitt & Grayden 2004, J Comput Neurosci 16:159); the
 * Vogels & Abbott (2005) / Brette et al. (2007) COBA benchmark network uses it.
 * Integration. The conductances are exact exponentials. V obeys a linear ODE with time-varying
 * coefficients that has no elementary closed form; it is integrated by a Taylor series whose
 * coefficients come from an O(1)-per-order recurrence, with a rigorous bound of the truncation error:
 *  - variable: y = 1 - e^{-(t - t0)/tau_s}, tau_s = max(tau_syn_ex, tau_syn_in). Then g_s = G_s (1 - y)
 *    and g_f = G_f (1 - y)^r, r = tau_s/tau_f, are polynomials in y when r is an integer (5/10 ms:
 *    r = 2; NEST's 0.2/2 ms: r = 10), and u = V - E_f (E_f the fast receptor's reversal) obeys
 *    (1 - y) du/dy = tau_s (F(y) - k(y) u), k = (g_L + g_s + g_f)/C_m, F = (g_L (E_L - E_f) + I +
 *    g_s (E_s - E_f))/C_m. Its Taylor coefficients follow from
 *    u_{n+1} = ((n - k_0) u_n - sum_{j=1..r} k_j u_{n-j} + F_n)/(n+1) (tau_s folded into k_j, F_n),
 *    r + 2 multiply-adds per order, degree N = r + 18 (lif_cond_exp_series.c). The series converges
 *    for |y| < 1.
 *    When r is not an integer (or above 16), (1 - y)^r is kept to 24 binomial terms and
 *    y <= min(1/8, 1/(4r)), where the rest is below 1e-26 of g_f (checked for r = 1.2 to 1000), and
 *    the degree is 40: slower, as accurate.
 *  - error control: with T_m = |u_m| y^m, the recurrence bounds every later term by a geometric
 *    majorant, so the terms after degree N sum to at most (r + 1) M rho/(1 - rho), M = max T_{N-r..N},
 *    rho = y max(1, (N + A)/(N + 1)), A = k_0 + sum |k_j| y^j. Each step takes the largest
 *    y = Y_cap 2^{-m/2}, Y_cap = min(1/2, 2/k_0) (k_0 y <= 2: no cancellation), for which that bound
 *    is below 1e-11 mV, or the remaining interval if shorter. The step depends on the state only,
 *    so that advance() to any time runs through the same polynomials (next_check() relies on it).
 *    Truncation error per step <= 1e-11 mV; the ODE is contracting, so the error after many steps
 *    stays at most their sum over the last few membrane time constants (tested: within 1e-9 mV of
 *    RK4 over 300 COBA-like inputs; observed 1.4e-13 mV).
 *  - with no conductance (g_ex = g_in = 0) V relaxes in closed form to E_L + I/g_L (exact, and the
 *    crossing time too); conductances whose whole future effect on V is below 1e-15 mV are dropped.
 * Threshold crossing, in continuous time: on each step [0, Y] an upper bound of the polynomial, the
 * maximum of the quadratic u_0 + u_1 y + c y^2 with c = u_2 + sum_{n>=3} max(u_n, 0) Y^{n-2}, rules a
 * crossing out in the common case (exact at a concave peak below threshold); otherwise the first root of the
 * polynomial is found exactly (lif_cond_exp_series.c: pieces proved clear or monotone by bounds of
 * P and P', split otherwise), and solved by safeguarded Newton to 1e-14 in y (~1e-13 ms): a crossing
 * that goes above V_th and back inside one step is found.
 * next_check(), a lower bound of the next crossing: V' = k(t)(W(t) - V), W the conductance-weighted
 * mean of E_L + I/g_L, E_ex and E_in. When the fast receptor's reversal lies above the bound L below,
 * sup over the future of W is L = max(W(now), E_L + I/g_L) (the condition for W(t) <= L is convex in
 * the slow decay factor, so it holds between its ends); otherwise L is the largest W over the corners
 * of the box of conductances. W < V_th for ever means V never reaches V_th: INFINITY; else
 * V(t) <= L - (L - V0) e^{-k(now) t} gives the bound t_b = C_m/g_tot ln((L - V0)/(L - V_th)). Both use
 * V_th - 1e-9 mV (the series is within 1e-10 mV of the true V). When t_b < 0.05 ms, a copy of the
 * state is advanced 1 ms ahead and the crossing it finds (or the horizon) is the answer.
 * Tested in tests/test_lif_cond_exp.c against the closed form without conductance, the
 * integrating-factor solution by quadrature and a fine RK4 reference: 1e-9 mV, 1e-9 ms. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "integrate_steps.h"
#include "lif_cond_exp_series.h"
#include "model.h"

enum { S_T, S_V, S_G_EX, S_G_IN, S_REF_END, S_I_DC, S_COUNT };

#define MARGIN 1e-9   /* mV: next_check()'s bounds prove V < V_th - MARGIN for the true ODE */
#define D_FAR 0.05    /* ms: a bound at least this far is returned; nearer, the state is run ahead */
#define HORIZON 1.0   /* ms: how far next_check() runs a copy ahead */

static const sq_param_info params[P_COUNT] = {
    {"C_m", "pF", 250.0, SQ_POSITIVE, "membrane capacitance"},
    {"g_L", "nS", 16.6667, SQ_POSITIVE, "leak conductance"},
    {"E_L", "mV", -70.0, SQ_ANY, "leak reversal potential"},
    {"E_ex", "mV", 0.0, SQ_ANY, "excitatory reversal potential"},
    {"E_in", "mV", -85.0, SQ_ANY, "inhibitory reversal potential"},
    {"tau_syn_ex", "ms", 0.2, SQ_POSITIVE, "excitatory synaptic time constant"},
    {"tau_syn_in", "ms", 2.0, SQ_POSITIVE, "inhibitory synaptic time constant"},
    {"t_ref", "ms", 2.0, SQ_NONNEGATIVE, "absolute refractory period"},
    {"V_reset", "mV", -60.0, SQ_ANY, "reset potential, V is clamped there during t_ref"},
    {"V_th", "mV", -55.0, SQ_ANY, "spike threshold"},
    {"I_e", "pA", 0.0, SQ_ANY, "constant external current"},
};

static const char *const state_names[S_COUNT] = {"t", "V_m", "g_ex", "g_in", "t_ref_end", "I_dc"};

static int check(const double *p, const char *where, sq_err *err)
{
    if (!(p[P_V_RESET] < p[P_V_TH]))
        return sq_fail(err, SQ_ECONFIG, "%s.V_reset: expected less than V_th = %g mV, got %g mV", where,
                       p[P_V_TH], p[P_V_RESET]);
    return 0;
}

static void prepare(const double *p, double *d, double h)
{
    (void)h;
    int ex_fast = p[P_TAU_EX] <= p[P_TAU_IN];
    double tau_s = ex_fast ? p[P_TAU_IN] : p[P_TAU_EX], tau_f = ex_fast ? p[P_TAU_EX] : p[P_TAU_IN];
    double r = tau_s / tau_f;
    int r_int = r == floor(r) && r <= SQ__CE_R_INT_MAX;
    d[D_INV_C] = 1.0 / p[P_C_M];
    d[D_TAU_S] = tau_s;
    d[D_RATE_S] = 1.0 / tau_s;
    d[D_RATE_F] = 1.0 / tau_f;
    d[D_R] = r;
    d[D_R_INT] = r_int ? r : 0.0;
    d[D_J] = r_int ? r : SQ__CE_J_MAX;
    d[D_N] = r_int ? fmin(SQ__CE_N_MAX, r + SQ__CE_N_INT) : SQ__CE_N_FRAC;
    d[D_Y_MAX] = r_int ? 0.5 : fmin(0.125, 0.25 / r);
    d[D_EX_FAST] = ex_fast;
    d[D_E_F] = ex_fast ? p[P_E_EX] : p[P_E_IN];
    d[D_E_S] = ex_fast ? p[P_E_IN] : p[P_E_EX];
    d[D_TS_C] = tau_s / p[P_C_M];
    d[D_INV_GL] = 1.0 / p[P_G_L];
    d[D_RATE_L] = p[P_G_L] / p[P_C_M];
}

static void init(const double *p, const double *d, double *s, double t0)
{
    (void)d;
    s[S_T] = t0;
    s[S_V] = p[P_E_L];
    s[S_G_EX] = 0.0;
    s[S_G_IN] = 0.0;
    s[S_REF_END] = t0;
    s[S_I_DC] = 0.0;
}

static inline double min2(double x, double y)
{
    return x < y ? x : y;
}

static inline double max2(double x, double y)
{
    return x > y ? x : y;
}

/* x^m for an integer 1 <= m <= 16 by binary powering. */
static inline double ipow(double x, int m)
{
    double r = 1.0;
    for (; m; m >>= 1, x *= x)
        if (m & 1)
            r *= x;
    return r;
}

/* 1 - e^{-x}, x >= 0: the steps between inputs are mostly below tau_s/8, where the Taylor series to
 * x^10 (Estrin's scheme) has a remainder below (1/8)^10/11! < 3e-17 relative; expm1 above. */
static inline double one_minus_exp_neg(double x)
{
    if (x < 0.015625)
        return sq_one_minus_exp_neg_small(x);
    if (x < 0.125) {
        double x2 = x * x, x4 = x2 * x2;
        double lo = (1.0 - x * (1.0 / 2)) + x2 * (1.0 / 6 - x * (1.0 / 24));
        double mid = (1.0 / 120 - x * (1.0 / 720)) + x2 * (1.0 / 5040 - x * (1.0 / 40320));
        double hi = 1.0 / 362880 - x * (1.0 / 3628800);
        return x * (lo + x4 * (mid + x4 * hi));
    }
    return -expm1(-x);
}

/* The conductances after dt, y = 1 - e^{-dt/tau_s}: slow by 1 - y, fast by (1 - y)^r. */
static inline void decay(const double *d, double *s, double y, double dt)
{
    double x = 1.0 - y, xf = d[D_R_INT] != 0.0 ? ipow(x, (int)d[D_R_INT]) : exp(-dt * d[D_RATE_F]);
    int f = d[D_EX_FAST] != 0.0 ? S_G_EX : S_G_IN;
    s[f] *= xf;
    s[S_G_EX + S_G_IN - f] *= x;
}

/* No conductance: V relaxes to E_L + I/g_L in closed form, and so does the crossing time. */
static int leak_only(const double *p, const double *d, double *s, double t, double i, double *tc)
{
    double v_inf = p[P_E_L] + i * d[D_INV_GL], v0 = s[S_V];
    double v_end = v_inf + (v0 - v_inf) * sq_exp_neg((t - s[S_T]) * d[D_RATE_L]);
    if (v_end >= p[P_V_TH]) {
        *tc = min2(s[S_T] + log((v_inf - v0) / (v_inf - p[P_V_TH])) / d[D_RATE_L], t);
        s[S_T] = *tc;
        return 1;
    }
    s[S_V] = v_end;
    s[S_T] = t;
    return 0;
}

/* Drops conductances whose whole future effect on V, at most (g_s tau_s + g_f tau_f) |E - V|/C_m
 * with V in the hull of the potentials involved, is below 1e-15 mV (long quiet intervals). */
static void drop_negligible(const double *p, const double *d, double *s, double i)
{
    double e_l = p[P_E_L] + i * d[D_INV_GL];
    double hi = max2(max2(s[S_V], e_l), max2(p[P_E_EX], max2(p[P_E_IN], p[P_V_RESET])));
    double lo = min2(min2(s[S_V], e_l), min2(p[P_E_EX], min2(p[P_E_IN], p[P_V_RESET])));
    double g_tau = s[S_G_EX] * p[P_TAU_EX] + s[S_G_IN] * p[P_TAU_IN];
    if (g_tau * (hi - lo) * d[D_INV_C] < 1e-15) {
        s[S_G_EX] = 0.0;
        s[S_G_IN] = 0.0;
    }
}

/* Moves a non-refractory state from s[S_T] to t by series steps. Returns 1 at the first crossing
 * (s at that time, V not yet reset, *tc its time), else 0 with s at t. */
static int run_free(const double *p, const double *d, double *s, double t, double *tc)
{
    double i = p[P_I_E] + s[S_I_DC], lvl = p[P_V_TH] - d[D_E_F];
    int f = d[D_EX_FAST] != 0.0 ? S_G_EX : S_G_IN;
    if (s[S_V] >= p[P_V_TH]) {
        *tc = s[S_T];
        return 1;
    }
    while (s[S_T] < t) {
        double dt = t - s[S_T], y_t = one_minus_exp_neg(dt * d[D_RATE_S]);
        if (y_t > d[D_Y_MAX])
            drop_negligible(p, d, s, i);
        if (s[S_G_EX] == 0.0 && s[S_G_IN] == 0.0)
            return leak_only(p, d, s, t, i, tc);
        sq__ce_series sr;
        sq__ce_build(p, d, s[S_V], s[f], s[S_G_EX + S_G_IN - f], i, y_t, &sr);
        int last = sr.last;
        double Y = sr.y_step, up, pv = sq__ce_eval(&sr, Y, &up);
        if (!(up < lvl)) {
            double yr = sq__ce_first_root(&sr, lvl, Y);
            if (yr < 0.0 && pv >= lvl)
                yr = Y; /* only a rounding-level disagreement between the search and P(Y) gets here */
            if (yr >= 0.0) {
                double dtr = -d[D_TAU_S] * log1p(-yr);
                *tc = min2(s[S_T] + dtr, t);
                decay(d, s, yr, dtr);
                s[S_T] = *tc;
                return 1;
            }
        }
        double dts = last ? dt : -d[D_TAU_S] * log1p(-Y);
        decay(d, s, Y, dts);
        s[S_V] = d[D_E_F] + pv;
        /* A step below the resolution of s[S_T] (only with absurd conductances, ~1e12 nS) would make
         * no progress: the state is then taken to t as it stands rather than looping. */
        s[S_T] = last || !(s[S_T] + dts > s[S_T]) ? t : min2(s[S_T] + dts, t);
    }
    return 0;
}

static int advance(const double *p, const double *d, double *s, double t, double *t_spike)
{
    if (s[S_T] < s[S_REF_END]) {
        /* V stays at V_reset (set at the spike) while the conductances decay. */
        double te = min2(t, s[S_REF_END]), dt = te - s[S_T];
        if (dt > 0.0) { /* (never moves the state back, should a caller ask for an earlier time) */
            decay(d, s, one_minus_exp_neg(dt * d[D_RATE_S]), dt);
            s[S_T] = te;
        }
        if (t <= te)
            return 0;
    }
    double tc;
    if (!run_free(p, d, s, t, &tc))
        return 0;
    s[S_V] = p[P_V_RESET];
    s[S_REF_END] = tc + p[P_T_REF];
    *t_spike = tc;
    return 1;
}

static int input(const double *p, const double *d, double *s, double w)
{
    (void)p;
    (void)d;
    if (w >= 0.0)
        s[S_G_EX] += w;
    else
        s[S_G_IN] -= w;
    return 0;
}

static void add_current(const double *p, const double *d, double *s, double di)
{
    (void)p;
    (void)d;
    s[S_I_DC] += di;
}

/* W = (g_L e_l + g_ex E_ex + g_in E_in)/(g_L + g_ex + g_in). */
static inline double mean_reversal(const double *p, double e_l, double g_ex, double g_in)
{
    return (p[P_G_L] * e_l + g_ex * p[P_E_EX] + g_in * p[P_E_IN]) / (p[P_G_L] + g_ex + g_in);
}

/* An upper bound of W over the whole future of conductances g_ex, g_in (see the header). */
static double reversal_bound(const double *p, const double *d, double e_l, double g_ex, double g_in)
{
    double l = max2(mean_reversal(p, e_l, g_ex, g_in), e_l);
    int ex_fast = d[D_EX_FAST] != 0.0;
    double g_f = ex_fast ? g_ex : g_in, e_f = d[D_E_F];
    if (g_f == 0.0 || e_f >= l)
        return l;
    double c1 = mean_reversal(p, e_l, g_ex, 0.0), c2 = mean_reversal(p, e_l, 0.0, g_in);
    return max2(l, max2(c1, c2));
}

/* Runs a copy ahead HORIZON ms: its crossing, or the horizon (a lower bound: advance() to any time
 * before it runs through the same steps, see run_free()). The crossing is nudged up by ulps until
 * advance() to it, from this state, fires: the root and the step's end are evaluated differently,
 * and a neuron grazing V_th could otherwise be woken a rounding error short, again and again. */
__attribute__((noinline)) static double look_ahead(const double *p, const double *d, const double *s, double t0)
{
    double c[S_COUNT], t_spike;
    memcpy(c, s, sizeof c);
    if (!advance(p, d, c, t0 + HORIZON, &t_spike))
        return t0 + HORIZON;
    double tc = t_spike, step = fabs(tc) * DBL_EPSILON + DBL_MIN;
    for (int k = 0; k < 64; k++, tc += step, step *= 2.0) {
        memcpy(c, s, sizeof c);
        if (advance(p, d, c, tc, &t_spike))
            break;
    }
    return tc;
}

static double next_check(const double *p, const double *d, const double *s)
{
    double t0 = s[S_T], v0 = s[S_V];
    if (t0 < s[S_REF_END]) {
        /* The conductances only shrink until the release: bound from V_reset there. */
        t0 = s[S_REF_END];
        v0 = p[P_V_RESET];
    }
    if (v0 >= p[P_V_TH])
        return t0;
    double e_l = p[P_E_L] + (p[P_I_E] + s[S_I_DC]) * d[D_INV_GL], lvl = p[P_V_TH] - MARGIN;
    double l = reversal_bound(p, d, e_l, s[S_G_EX], s[S_G_IN]);
    if (v0 < lvl) {
        if (l < lvl)
            return INFINITY;
        /* t_b = ln(y)/k, y = num/den >= 1; 2 (y - 1)/(y + 1) <= ln y spares the log. */
        double num = l - v0, den = l - lvl, g_tot = p[P_G_L] + s[S_G_EX] + s[S_G_IN];
        double t_b = p[P_C_M] / g_tot * 2.0 * (num - den) / (num + den);
        if (t_b >= D_FAR)
            return t0 + t_b;
    }
    return look_ahead(p, d, s, t0);
}

/* The engine's fast path: the advance()/input() sequence of model.h with direct calls. */
static double integrate(const double *p, const double *d, double *s, const double *ta, const float *wa, size_t na,
                        const double *tb, const float *wb, size_t nb, double t_end,
                        void (*emit)(void *ctx, double t_spike), void *ctx)
{
    return sq_integrate_steps(advance, input, next_check, p, d, s, ta, wa, na, tb, wb, nb, t_end, emit, ctx);
}

const sq_neuron_model sq_model_lif_cond_exp = {
    .name = "lif_cond_exp",
    .doc = "leaky integrate-and-fire, exponential conductance synapses (NEST iaf_cond_exp), "
           "error-controlled Taylor series",
    .params = params,
    .n_params = P_COUNT,
    .n_derived = D_COUNT,
    .n_state = S_COUNT,
    .state_names = state_names,
    .v_index = S_V,
    .weight_unit = "nS",
    .check = check,
    .prepare = prepare,
    .init = init,
    .advance = advance,
    .input = input,
    .add_current = add_current,
    .next_check = next_check,
    .integrate = integrate,
};
