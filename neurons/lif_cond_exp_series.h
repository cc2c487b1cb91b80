/* neurons/lif_cond_exp_series.h: internal to neurons/lif_cond_exp.c and neurons/lif_cond_exp_series.c:
 * the derived-constant layout and the error-controlled Taylor series that moves a free lif_cond_exp
 * state (the equations, the method and its accuracy are in the header comment of
 * neurons/lif_cond_exp.c). Tested through the model in tests/test_lif_cond_exp.c. */
#ifndef SQ_LIF_COND_EXP_SERIES_H
#define SQ_LIF_COND_EXP_SERIES_H

#include "fastexp.h"

/* Parameters, in the order of the model's sq_param_info table. */
enum { P_C_M, P_G_L, P_E_L, P_E_EX, P_E_IN, P_TAU_EX, P_TAU_IN, P_T_REF, P_V_RESET, P_V_TH, P_I_E, P_COUNT };

enum {
    D_INV_C,    /* 1/C_m, 1/pF */
    D_TAU_S,    /* tau_s = max(tau_syn_ex, tau_syn_in): the slow receptor's time constant, ms */
    D_RATE_S,   /* 1/tau_s */
    D_RATE_F,   /* 1/tau_f, the fast receptor's */
    D_R,        /* r = tau_s/tau_f >= 1 */
    D_R_INT,    /* r when it is an integer 1..SQ__CE_R_INT_MAX, else 0 */
    D_J,        /* binomial coefficients of (1 - y)^r kept: r, or SQ__CE_J_MAX when r is not an integer */
    D_N,        /* series degree: SQ__CE_N_INT or SQ__CE_N_FRAC */
    D_Y_MAX,    /* largest y of one step: 1/2, or min(1/8, 1/(4r)) when r is not an integer 1..16 */
    D_EX_FAST,  /* 1 when tau_syn_ex <= tau_syn_in (the excitatory receptor is the fast one) */
    D_E_F,      /* reversal potential of the fast receptor, mV */
    D_E_S,      /* of the slow one */
    D_TS_C,     /* tau_s/C_m, ms/pF */
    D_INV_GL,   /* 1/g_L, 1/nS */
    D_RATE_L,   /* g_L/C_m, 1/ms */
    D_COUNT
};

#define SQ__CE_R_INT_MAX 16 /* r up to this integer: (1 - y)^r is a polynomial of degree r */
#define SQ__CE_J_MAX 24     /* terms of (1 - y)^r kept otherwise; with y <= min(1/8, 1/(4r)) the rest is < 1e-26 of it */
#define SQ__CE_N_INT 18     /* series degree when r is an integer */
#define SQ__CE_N_FRAC 40    /* when it is not */
#define SQ__CE_N_MAX 40
#define SQ__CE_TOL 1e-11    /* mV: bound of the truncation error of one step */

/* One step's series: u(y) = V - E_f = sum_{n <= N} u[n] y^n for y in [0, Y], y = 1 - e^{-(t - t0)/tau_s},
 * with the constants it was built from. */
typedef struct {
    double u[SQ__CE_N_MAX + 1];
    double k[SQ__CE_J_MAX + 1]; /* tau_s k_j: the total conductance over C_m, in y, scaled */
    int n, j;                   /* degree, number of k_j after k_0 */
    double y_step;              /* the step: min(y_t, Y_nat), Y_nat the largest Y_cap 2^{-m/2} whose bound holds */
    int last;                   /* 1 when the step is y_t (it reaches the caller's time) */
    double p_t, c_t;            /* P(y_t) and the c of sq__ce_eval() at y_t, when the build had them */
    int have_t;
} sq__ce_series;

/* Builds the series at the state (v, g_f, g_s conductances in nS, i the injected current in pA) and
 * the step towards y_t (the caller's time in y). */
void sq__ce_build(const double *p, const double *d, double v, double g_f, double g_s, double i, double y_t,
                  sq__ce_series *sr);

/* The largest value on [0, h] of u0 + u1 y + c y^2. */
static inline double sq__ce_quad_max(double u0, double u1, double c, double h)
{
    double end = u0 + (u1 + c * h) * h;
    if (c < 0.0 && u1 > 0.0 && u1 < -2.0 * c * h)
        return u0 - u1 * u1 / (4.0 * c);
    return end > u0 ? end : u0;
}

/* P(y) = sum u[n] y^n, and *up an upper bound of P on [0, y]: for y' in [0, y],
 * sum_{n >= 2} u_n y'^n <= y'^2 c with c = u_2 + sum_{n >= 3} max(u_n, 0) y^{n-2}, so P <= the
 * quadratic u_0 + u_1 y' + c y'^2, whose maximum is closed-form (exact at a concave peak). */
static inline double sq__ce_eval(const sq__ce_series *sr, double y, double *up)
{
    if (sr->have_t && y == sr->y_step && sr->last) {
        *up = sq__ce_quad_max(sr->u[0], sr->u[1], sr->c_t, y);
        return sr->p_t;
    }
    double p = sr->u[0] + sr->u[1] * y, c = sr->u[2], yp = y * y, q = 1.0;
    p += sr->u[2] * yp;
    for (int n = 3; n <= sr->n; n++) {
        yp *= y;
        q *= y;
        double t = sr->u[n] * q;
        p += sr->u[n] * yp;
        c += t > 0.0 ? t : 0.0;
    }
    *up = sq__ce_quad_max(sr->u[0], sr->u[1], c, y);
    return p;
}

/* The first y in [0, Y] where P(y) reaches lvl (P(0) < lvl), found to 1e-14 in y, or -1 if none.
 * Exact for the polynomial: the interval is split until each piece is proved clear by a bound or
 * monotone (Taylor shifts re-expand P at each piece's left end). */
double sq__ce_first_root(const sq__ce_series *sr, double lvl, double Y);

#endif
