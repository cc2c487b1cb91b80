/* neurons/lif_exp.c: leaky integrate-and-fire neuron with exponentially decaying synaptic currents
 * (NEST iaf_psc_exp: same parameter names and defaults).
 *   dV/dt = -(V - E_L)/tau_m + (I_ex + I_in + I_e + I_dc)/C_m;  dI_x/dt = -I_x/tau_syn_x;
 *   an input of weight w (pA) adds to I_ex (w >= 0) or I_in (w < 0);  V >= V_th: spike,
 *   V = V_reset and clamped there for t_ref while the currents keep decaying.
 * Model: Tsodyks, Uziel & Markram (2000), J Neurosci 20:RC50; NEST iaf_psc_exp.
 * Integration: exact propagator between events (Rotter & Diesmann 1999, Biol Cybern 81:381). With
 * u = V - V_inf, a = 1/tau_m, b = 1/tau_syn: u(t) = u0 e^{-at} + (I0/C_m) P(t),
 * P(t) = (e^{-bt} - e^{-at})/(a - b), evaluated as e^{-at} expm1((a-b)t)/(a-b) (or the mirror form
 * around the slower exponential), which is exact at a == b (P = t e^{-at}) and has no cancellation
 * or 1/(a-b) blow-up when a and b are close.
 * Threshold crossing, in continuous time: V' = -a u + (I_ex + I_in)/C_m is an exponential sum whose
 * zeros are those of w(t) = V'(t) e^{at}, and w'(t) = J'(t) e^{at}/C_m with J = I_ex + I_in; J' is a
 * two-term exponential sum with at most one zero t_w, in closed form. So w, hence V', has at most
 * one zero on each side of t_w (Descartes' rule of signs for exponential sums): each is bracketed
 * by a sign change and solved by safeguarded Newton/bisection. Between 0, those zeros and the
 * interval end, V is monotone, so the first piece whose right end reaches V_th brackets the first
 * crossing, solved by safeguarded Newton/bisection to 1e-12 ms. A crossing that goes above V_th and
 * back below inside one interval is therefore found. When tau_syn_ex == tau_syn_in (the default),
 * J is one exponential, V' has at most one zero and it is in closed form (extremum_time()), so
 * the maximum is known without root finding and next_check() can prove "never" exactly. A cheap
 * upper bound of V over the whole future (no exp; see upper_bound()) skips all this in the common
 * case. next_check() gives the exact crossing (nudged by ulps so that advance() to it fires), the
 * search horizon 10 max(tau) when it finds none there, or INFINITY when none can happen.
 * Tested in tests/test_lif_exp.c against closed forms and a dense-sampling reference, 1e-9. */
#include <float.h>
#include <math.h>

#include "fastexp.h"
#include "model.h"
#include <stdio.h>
static long long st_adv, st_adv_search, st_nc, st_nc_ref, st_nc_inf, st_nc_far, st_nc_exact, st_int, st_adv_short, st_nc_exact_none;
__attribute__((destructor)) static void st_print(void) { fprintf(stderr, "adv %lld search %lld short %lld | nc %lld ref %lld inf %lld far %lld exact %lld (none %lld) | int %lld\n", st_adv, st_adv_search, st_adv_short, st_nc, st_nc_ref, st_nc_inf, st_nc_far, st_nc_exact, st_nc_exact_none, st_int); }

enum { P_C_M, P_TAU_M, P_TAU_EX, P_TAU_IN, P_T_REF, P_E_L, P_V_RESET, P_V_TH, P_I_E, P_COUNT };
enum {
    D_A,        /* 1/tau_m, 1/ms */
    D_INV_C,    /* 1/C_m, 1/pF */
    D_R,        /* tau_m/C_m, mV/pA */
    D_V_INF0,   /* E_L + R I_e, mV */
    D_B_EX,     /* 1/tau_syn_ex */
    D_DD_EX,    /* a - b_ex */
    D_INV_DD_EX, /* 1/(a - b_ex), 0 when a == b_ex */
    D_B_IN,
    D_DD_IN,
    D_INV_DD_IN,
    D_PK_EX,    /* max over t of P_ex(t)/C_m: PSP peak in mV per pA */
    D_PK_IN,
    D_SAME,     /* 1 when tau_syn_ex == tau_syn_in: one propagator serves both */
    D_HORIZON,  /* how far ahead next_check() searches, ms */
    D_T_PEAK,   /* PSP peak time ln(a/b_ex)/(a - b_ex), ms (1/a when a == b_ex) */
    D_IN_SLOW,  /* 1 when tau_syn_in >= tau_syn_ex (the bound may then net I_in against I_ex) */
    D_RATE0,    /* 1/max(tau_m, tau_syn_ex, tau_syn_in), 1/ms */
    D_M_A,      /* a = m_a rate0, b_ex = m_ex rate0, b_in = m_in rate0 exactly with m_x in 1..8: the */
    D_M_EX,     /* time constants are commensurate and one exp gives all three decays; 0 otherwise */
    D_M_IN,
    D_K_EX,     /* |m_a - m_ex| */
    D_K_IN,     /* |m_a - m_in| */
    D_S_EX,     /* tau_slow/k_ex, ms (0 when k_ex = 0) */
    D_S_IN,
    D_FAR,      /* next_check() answers with a bound instead of a root when the bound is this far, ms */
    D_COUNT
};
enum { S_T, S_V, S_I_EX, S_I_IN, S_REF_END, S_I_DC, S_COUNT };

#define SOLVE_TOL 1e-12 /* ms: width of the final bracket of every root */

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

/* Plain max/min: libm's fmax/fmin are calls (NaN rules) on the hot path; inputs here are finite. */
static inline double max2(double x, double y)
{
    return x > y ? x : y;
}

static inline double min2(double x, double y)
{
    return x < y ? x : y;
}

/* log1p(y)/y, continuous at y = 0: the stable core of ln(x/y)/(x - y) forms. */
static double log1p_ratio(double y)
{
    return y != 0.0 ? log1p(y) / y : 1.0;
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

static void prepare(const double *p, double *d)
{
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
    d[D_FAR] = 1.0;
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

/* e^{-x}, x >= 0, as accurate as libm's exp. Below 1/64 (the common case: the engine's windows are
 * short) the Taylor series to degree 7, remainder < (1/64)^8/8! < 3e-19, in Estrin's scheme so
 * that its few products run in parallel; above, sq_exp_neg(). */
static inline double exp_neg(double x)
{
    if (x < 0.015625 && x >= 0.0) {
        double y = -x, y2 = y * y;
        double lo = (1.0 + y) + y2 * (1.0 / 2 + y * (1.0 / 6));
        double hi = (1.0 / 24 + y * (1.0 / 120)) + y2 * (1.0 / 720 + y * (1.0 / 5040));
        return lo + (y2 * y2) * hi;
    }
    return sq_exp_neg(x);
}

/* exprel(x) = (e^x - 1)/x for |x| < 1/8 by its Taylor series, in Estrin's scheme: to x^6 when
 * |x| < 1/64 (remainder < (1/64)^7/8! < 6e-18), else to x^10 (remainder < (1/8)^11/12! < 3e-19). */
static inline double exprel_small(double x)
{
    double x2 = x * x, x4 = x2 * x2;
    double lo = (1.0 + x * (1.0 / 2)) + x2 * (1.0 / 6 + x * (1.0 / 24));
    if (fabs(x) < 0.015625)
        return lo + x4 * ((1.0 / 120 + x * (1.0 / 720)) + x2 * (1.0 / 5040));
    double mid = (1.0 / 120 + x * (1.0 / 720)) + x2 * (1.0 / 5040 + x * (1.0 / 40320));
    double hi = (1.0 / 362880 + x * (1.0 / 3628800)) + x2 * (1.0 / 39916800);
    return lo + x4 * (mid + x4 * hi);
}

/* P(tau) = (e^{-b tau} - e^{-a tau})/(a - b) from e_a = e^{-a tau} and e_b = e^{-b tau}, both within
 * an ulp. With x = (a - b) tau, |x| >= 1/8: the difference of the two loses at most a factor
 * 2/(1 - e^{-1/8}) < 17 of relative precision (4e-15). |x| < 1/8: P = e_a tau exprel(x), as accurate
 * as e_a and continuous through a == b, where P = tau e^{-a tau}. No overflow for any tau >= 0. */
static inline double kernel(double e_a, double e_b, double dd, double inv_dd, double tau)
{
    double x = dd * tau;
    if (fabs(x) >= 0.125)
        return (e_b - e_a) * inv_dd;
    return e_a * tau * exprel_small(x);
}

/* Everything that moves a free state over tau >= 0: e^{-a tau}, e^{-b_x tau}, P_x(tau). */
typedef struct {
    double e_a, e_ex, e_in, p_ex, p_in;
} props;

/* e^m for m in 1..8 by at most four products (m is fixed per population, so the branches are
 * predicted); the result is within m + 3 ulp of e^m when e is within an ulp. */
static inline double ipow(double e, int m)
{
    double e2 = e * e, r = (m & 1) ? e : 1.0;
    if (m & 2)
        r *= e2;
    if (m & 4)
        r *= e2 * e2;
    if (m & 8)
        r *= (e2 * e2) * (e2 * e2);
    return r;
}

/* 1 - e^{-x} for 0 <= x < 1/64: Taylor series to x^8 in Estrin's scheme, remainder below
 * (1/64)^8/9! < 1e-20 relative. */
static inline double one_minus_exp_neg_small(double x)
{
    double x2 = x * x;
    double lo = (1.0 - x * (1.0 / 2)) + x2 * (1.0 / 6 - x * (1.0 / 24));
    double hi = (1.0 / 120 - x * (1.0 / 720)) + x2 * (1.0 / 5040 - x * (1.0 / 40320));
    return x * (lo + (x2 * x2) * hi);
}

/* Commensurate time constants (D_M_A != 0): with e = e^{-x}, x = tau/tau_slow, e^{-b tau} = e^m and
 * P = (e^{m_b} - e^{m_a})/((m_a - m_b)/tau_slow) = e^{min(m_a, m_b)} (1 - e) (1 + e + ... + e^{k-1}) tau_slow/k,
 * k = |m_a - m_b|: a product of positive terms, so no cancellation, and P = tau e^{-a tau} at k = 0.
 * Only 1 - e needs a transcendental, accurate however small it is: a series below 1/64, expm1 up
 * to ln 2 (e = 1 - (1 - e) then keeps full precision), exp above. */
static inline double comm_kernel(double e, double h, double e_a, double e_b, int k, double scale, double tau)
{
    if (k == 0)
        return tau * e_a;
    double sum = 1.0;
    for (int j = 1; j < k; j++)
        sum = 1.0 + e * sum;
    return max2(e_a, e_b) * h * sum * scale;
}

__attribute__((always_inline)) static inline void props_at(const double *d, double tau, props *pr)
{
    if (d[D_M_A] != 0.0) {
        double x = d[D_RATE0] * tau, e, h;
        if (x < 0.015625) {
            h = one_minus_exp_neg_small(x);
            e = 1.0 - h;
        } else {
            e = exp(-x);
            h = 1.0 - e;
        }
        pr->e_a = ipow(e, (int)d[D_M_A]);
        pr->e_ex = ipow(e, (int)d[D_M_EX]);
        pr->e_in = ipow(e, (int)d[D_M_IN]);
        pr->p_ex = comm_kernel(e, h, pr->e_a, pr->e_ex, (int)d[D_K_EX], d[D_S_EX], tau);
        pr->p_in = comm_kernel(e, h, pr->e_a, pr->e_in, (int)d[D_K_IN], d[D_S_IN], tau);
        return;
    }
    pr->e_a = exp_neg(d[D_A] * tau);
    pr->e_ex = exp_neg(d[D_B_EX] * tau);
    pr->e_in = d[D_SAME] != 0.0 ? pr->e_ex : exp_neg(d[D_B_IN] * tau);
    pr->p_ex = kernel(pr->e_a, pr->e_ex, d[D_DD_EX], d[D_INV_DD_EX], tau);
    pr->p_in = d[D_SAME] != 0.0 ? pr->p_ex : kernel(pr->e_a, pr->e_in, d[D_DD_IN], d[D_INV_DD_IN], tau);
}

/* A free trajectory from u0 = V - V_inf, I_ex, I_in at tau = 0. */
typedef struct {
    const double *d;
    double u0, i_ex, i_in;
} traj;

/* q[0..5) = u, u', u'', I_ex, I_in at tau >= 0; no exp() at tau == 0. */
static void eval(const traj *tr, double tau, double *q)
{
    const double *d = tr->d;
    props pr;
    props_at(d, tau, &pr);
    double i_ex = tr->i_ex * pr.e_ex, i_in = tr->i_in * pr.e_in;
    double u = tr->u0 * pr.e_a + (tr->i_ex * pr.p_ex + tr->i_in * pr.p_in) * d[D_INV_C];
    double du = -d[D_A] * u + (i_ex + i_in) * d[D_INV_C];
    q[0] = u;
    q[1] = du;
    q[2] = -d[D_A] * du - (d[D_B_EX] * i_ex + d[D_B_IN] * i_in) * d[D_INV_C];
    q[3] = i_ex;
    q[4] = i_in;
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

/* Root of f = sign (q[k] - target) in [l, r] with f(l) < 0 <= f(r), by Newton steps kept inside the
 * bracket (bisection otherwise) until the bracket is SOLVE_TOL wide. Returns its right end, a point
 * where f >= 0 was evaluated, so that a crossing reported is one the state really reaches. */
static double solve(const traj *tr, int k, double sign, double target, double l, double r)
{
    double tol = fmax(SOLVE_TOL, 8.0 * DBL_EPSILON * r);
    double x = 0.5 * (l + r), q[5];
    if (l == 0.0) {
        /* A first Newton step from 0 is free (no exp at 0), and from there the rise of a PSP, being
         * concave, is approached from below. */
        eval(tr, 0.0, q);
        double xn = -sign * (q[k] - target) / (sign * q[k + 1]);
        if (xn > l && xn < r)
            x = xn;
    }
    for (int it = 0; it < 200 && r - l > tol; it++, tol = max2(SOLVE_TOL, 8.0 * DBL_EPSILON * r)) {
        eval(tr, x, q);
        double f = sign * (q[k] - target);
        if (f >= 0.0)
            r = x;
        else
            l = x;
        double xn = x - f / (sign * q[k + 1]);
        if (!(xn > l && xn < r))
            xn = 0.5 * (l + r);
        /* Newton converging from one side would never move the other end: step a little past. */
        x = min2(max2(xn, l + 0.25 * tol), r - 0.25 * tol);
    }
    return r;
}

/* One time constant for both currents (tau_syn_ex == tau_syn_in): J = J0 e^{-bt} and
 * u' = e^{-at} (-a u0 + (J0/C_m)(b e^{(a-b)t} - a)/(a - b)) has at most one zero, where
 * e^{(a-b)t} = (a/b)(1 - k (a - b)), k = u0 C_m/J0: t* = ln(a/b)/(a-b) - k log1p(-k(a-b))/(-k(a-b)),
 * which tends to 1/a - k at a == b. Returns t* > 0, or INFINITY when u' never changes sign. */
static double extremum_time(const traj *tr)
{
    const double *d = tr->d;
    double j0 = tr->i_ex + tr->i_in;
    if (j0 == 0.0)
        return INFINITY;
    double k = tr->u0 / (j0 * d[D_INV_C]), y = -k * d[D_DD_EX];
    if (!(y > -1.0))
        return INFINITY;
    double t = d[D_T_PEAK] - k * log1p_ratio(y);
    return t > 0.0 ? t : INFINITY;
}

/* u at T: u_T when the caller already has it (not NaN), else evaluated. */
static double u_at(const traj *tr, double T, double u_T)
{
    double q[5];
    if (!isnan(u_T))
        return u_T;
    eval(tr, T, q);
    return q[0];
}

/* first_crossing() for one time constant. V either rises to its single maximum at t* and then
 * falls for ever, or has no maximum after 0 and tends monotonically (at the end) to V_inf: then the
 * supremum of the future is max(u0, 0). So the whole future is decided here; *never says so. */
static double first_crossing_single(const traj *tr, double u_th, double T, double u_T, int *never)
{
    const double *d = tr->d;
    double du0 = -d[D_A] * tr->u0 + (tr->i_ex + tr->i_in) * d[D_INV_C];
    double ts = du0 > 0.0 ? extremum_time(tr) : INFINITY;
    if (ts < T) {
        /* At the maximum u' = 0, so u = R J(t*): one exp instead of a full evaluation. */
        *never = d[D_R] * (tr->i_ex + tr->i_in) * exp(-d[D_B_EX] * ts) < u_th;
        return *never ? INFINITY : solve(tr, 0, 1.0, u_th, 0.0, ts);
    }
    if (!(du0 > 0.0 && ts < INFINITY) && !(u_th < 0.0)) {
        *never = 1;
        return INFINITY;
    }
    /* u(0) < u_th and u has one crossing at most on [0, T] here, so [0, T] is a bracket. */
    return u_at(tr, T, u_T) >= u_th ? solve(tr, 0, 1.0, u_th, 0.0, T) : INFINITY;
}

/* First tau in (0, T] where u reaches u_th, or INFINITY; requires u0 < u_th. u_T is u(T) if the
 * caller has it, else NaN. *never is set to 1 when no crossing can happen after T either. See the
 * header for the method. */
static double first_crossing(const traj *tr, double u_th, double T, double u_T, int *never)
{
    const double *d = tr->d;
    *never = 0;
    if (d[D_SAME] != 0.0)
        return first_crossing_single(tr, u_th, T, u_T, never);
    double w_pts[3] = {0.0, 0.0, T}, v_pts[4] = {0.0, 0.0, 0.0, 0.0};
    int n_w = 1, n_v = 1;
    double b_ex = d[D_B_EX], b_in = d[D_B_IN];
    if (tr->i_ex * tr->i_in < 0.0) {
        double t_w = log(-(b_in * tr->i_in) / (b_ex * tr->i_ex)) / (b_in - b_ex);
        if (t_w > 0.0 && t_w < T)
            w_pts[n_w++] = t_w;
    }
    w_pts[n_w++] = T;
    double q[5], du_l;
    eval(tr, 0.0, q);
    du_l = q[1];
    for (int i = 1; i < n_w; i++) {
        eval(tr, w_pts[i], q);
        double du_r = q[1];
        if ((du_l > 0.0 && du_r < 0.0) || (du_l < 0.0 && du_r > 0.0))
            v_pts[n_v++] = solve(tr, 1, du_l < 0.0 ? 1.0 : -1.0, 0.0, w_pts[i - 1], w_pts[i]);
        du_l = du_r;
    }
    v_pts[n_v++] = T;
    for (int i = 1; i < n_v; i++) {
        double u = i == n_v - 1 ? u_at(tr, T, u_T) : u_at(tr, v_pts[i], NAN);
        if (u >= u_th)
            return solve(tr, 0, 1.0, u_th, v_pts[i - 1], v_pts[i]);
    }
    return INFINITY;
}

static void decay_currents(const double *d, double *s, double dt)
{
    double e_ex = exp_neg(d[D_B_EX] * dt);
    s[S_I_EX] *= e_ex;
    s[S_I_IN] *= d[D_SAME] != 0.0 ? e_ex : exp_neg(d[D_B_IN] * dt);
}

/* advance()'s rare part: the search on (0, T] once the bounds could not rule a crossing out, and the
 * reset when there is one. t0 is the start of the free interval. Returns 1 when it fired. */
__attribute__((noinline)) static int search_and_fire(const double *p, const traj *tr, double *s, double t0, double T, double u_th,
                           double u_T, double *t_spike)
{
    double tc = 0.0;
    if (tr->u0 < u_th) {
        int never;
        st_adv_search++;
        tc = first_crossing(tr, u_th, T, u_T, &never);
        if (u_T >= u_th && !(tc <= T))
            tc = T; /* only a rounding-level disagreement between the search and u(T) gets here */
        if (!(tc <= T))
            return 0;
    }
    double q[5];
    eval(tr, tc, q);
    s[S_T] = min2(t0 + tc, t0 + T);
    s[S_V] = p[P_V_RESET];
    s[S_I_EX] = q[3];
    s[S_I_IN] = q[4];
    s[S_REF_END] = s[S_T] + p[P_T_REF];
    *t_spike = s[S_T];
    return 1;
}

__attribute__((always_inline)) static inline int advance(const double *p, const double *d, double *s, double t, double *t_spike)
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
    props pr;
    st_adv++; st_adv_short += T < 0.1;
    props_at(d, T, &pr);
    double u_T = tr.u0 * pr.e_a + (tr.i_ex * pr.p_ex + tr.i_in * pr.p_in) * d[D_INV_C];
    /* Firing whenever u(T) >= u_th, before any search, is what lets next_check() promise that
     * advance() to its answer fires (see there). The search runs only when neither bound rules a
     * crossing out. */
    if (tr.u0 >= u_th || u_T >= u_th ||
        (!stays_below(&tr, d[D_R] * current_bound(d, tr.i_ex, tr.i_in), u_th, pr.e_a) && upper_bound(&tr) >= u_th)) {
        if (search_and_fire(p, &tr, s, t0, T, u_th, u_T, t_spike))
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

/* When the comparison bound of stays_below() puts the crossing at least D_FAR ahead, returns half
 * of that bound (no root solve): waking there, advance() to the end of the engine's window still
 * passes stays_below() while the window is under half the bound. Otherwise the exact crossing,
 * when the bound cannot rule one out; the search looks D_HORIZON ahead and returns that horizon
 * (a valid lower bound) when it finds nothing. The exact time is nudged up by ulps until the state
 * evaluated there, exactly as advance() will, is at threshold, so that advance(next_check())
 * fires instead of stopping a rounding error short. While refractory, the bound starts from
 * V_reset at the refractory end (the currents only shrink in between). */
/* next_check()'s rare part: the exact crossing of the free trajectory tr from t0, nudged. */
__attribute__((noinline)) static double exact_check(const double *d, const traj *tr, double t0, double u_th)
{
    int never;
    st_nc_exact++;
    double tau = first_crossing(tr, u_th, d[D_HORIZON], NAN, &never);
    st_nc_exact_none += !(tau < INFINITY);
    if (!(tau < INFINITY))
        return never ? INFINITY : t0 + d[D_HORIZON];
    double tc = t0 + tau, q[5];
    for (int i = 0; i < 64; i++) {
        eval(tr, tc - t0, q);
        if (q[0] >= u_th)
            break;
        tc = nextafter(tc, INFINITY);
    }
    return tc;
}

static double next_check(const double *p, const double *d, const double *s)
{
    double t0 = s[S_T];
    double v_inf = d[D_V_INF0] + d[D_R] * s[S_I_DC];
    double u_th = p[P_V_TH] - v_inf;
    int refractory = t0 < s[S_REF_END];
    traj tr = {d, (refractory ? p[P_V_RESET] : s[S_V]) - v_inf, s[S_I_EX], s[S_I_IN]};
    st_nc++;
    if (refractory)
        t0 = s[S_REF_END], st_nc_ref++;
    if (tr.u0 >= u_th)
        return t0;
    double u_U = d[D_R] * current_bound(d, tr.i_ex, tr.i_in);
    if (u_U > u_th) {
        /* t_b = tau_m ln y, y = num/den >= 1, is the bound; 2 (y - 1)/(y + 1) <= ln y spares the log. */
        double num = u_U - tr.u0, den = u_U - u_th + 8.0 * DBL_EPSILON * (fabs(u_U) + fabs(u_th));
        double t_b = p[P_TAU_M] * 2.0 * (num - den) / (num + den);
        if (t_b >= d[D_FAR])
            return st_nc_far++, t0 + 0.5 * t_b;
    }
    if (upper_bound(&tr) < u_th)
        return st_nc_inf++, INFINITY;
    return refractory ? t0 : exact_check(d, &tr, t0, u_th);
}

/* The engine's fast path: the advance()/input() sequence of the contract, with direct calls. */
static void integrate(const double *p, const double *d, double *s, const double *t, const float *w, size_t n,
                      double t_end, void (*emit)(void *ctx, double t_spike), void *ctx)
{
    double t_spike;
    st_int++;
    for (size_t k = 0; k < n; k++) {
        while (advance(p, d, s, t[k], &t_spike))
            emit(ctx, t_spike);
        input(p, d, s, w[k]); /* never fires: an input only changes a current */
    }
    while (advance(p, d, s, t_end, &t_spike))
        emit(ctx, t_spike);
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
