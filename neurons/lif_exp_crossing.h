/* neurons/lif_exp_crossing.h: internal to neurons/lif_exp.c and neurons/lif_exp_crossing.c: the
 * derived-constant layout, the exact propagator of a free lif_exp state (inline: it is the hot path
 * of advance()) and the exact threshold-crossing search. The equations and the method are in the
 * header comment of neurons/lif_exp.c; tested through the model in tests/test_lif_exp.c. */
#ifndef SQ_LIF_EXP_CROSSING_H
#define SQ_LIF_EXP_CROSSING_H

#include <math.h>

#include "fastexp.h"

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
static inline double log1p_ratio(double y)
{
    return y != 0.0 ? log1p(y) / y : 1.0;
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
} sq__lif_exp_props;

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

__attribute__((always_inline)) static inline void props_at(const double *d, double tau, sq__lif_exp_props *pr)
{
    if (d[D_M_A] != 0.0) {
        double x = d[D_RATE0] * tau, e, h;
        if (x < 0.015625) {
            h = sq_one_minus_exp_neg_small(x);
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

/* A free trajectory from u0 = V - V_inf, I_ex, I_in at tau = 0 (d: the derived constants). */
typedef struct {
    const double *d;
    double u0, i_ex, i_in;
} sq__lif_exp_traj;

/* q[0..5) = u, u', u'', I_ex, I_in at tau >= 0; no exp() at tau == 0. */
void sq__lif_exp_eval(const sq__lif_exp_traj *tr, double tau, double *q);

/* First tau in (0, T] where u reaches u_th, or INFINITY; requires u0 < u_th. u_T is u(T) if the
 * caller has it, else NaN. *never is set to 1 when no crossing can happen after T either. */
double sq__lif_exp_first_crossing(const sq__lif_exp_traj *tr, double u_th, double T, double u_T, int *never);

#endif
