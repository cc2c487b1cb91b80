/* tests/cond_reference.h: independent references for a free lif_cond_exp trajectory (no threshold,
 * no reset), for tests/test_lif_cond_exp.c: classical RK4 in long double on (V, g_ex, g_in) with
 * steps of at most 1e-3 ms, its first threshold crossing (RK4 march, then bisection on the last
 * step's length), and the integrating-factor solution V(t) = e^{-K(t)} (V0 + int_0^t f(s) e^{K(s)} ds),
 * K in closed form, by composite 5-point Gauss-Legendre quadrature. They share nothing with the
 * model's series. */
#ifndef SQ_TEST_COND_REFERENCE_H
#define SQ_TEST_COND_REFERENCE_H

#include <math.h>

/* Parameters of a free trajectory, and its state. */
typedef struct {
    long double c_m, g_l, e_l, e_ex, e_in, tau_ex, tau_in, i;
} ref_par;

typedef struct {
    long double v, ge, gi;
} ref_state;

static inline ref_state deriv(const ref_par *r, ref_state x)
{
    ref_state dx = {(-r->g_l * (x.v - r->e_l) - x.ge * (x.v - r->e_ex) - x.gi * (x.v - r->e_in) + r->i) / r->c_m,
                    -x.ge / r->tau_ex, -x.gi / r->tau_in};
    return dx;
}

static inline ref_state rk4_step(const ref_par *r, ref_state x, long double h)
{
    ref_state k1 = deriv(r, x), y;
    y = (ref_state){x.v + 0.5L * h * k1.v, x.ge + 0.5L * h * k1.ge, x.gi + 0.5L * h * k1.gi};
    ref_state k2 = deriv(r, y);
    y = (ref_state){x.v + 0.5L * h * k2.v, x.ge + 0.5L * h * k2.ge, x.gi + 0.5L * h * k2.gi};
    ref_state k3 = deriv(r, y);
    y = (ref_state){x.v + h * k3.v, x.ge + h * k3.ge, x.gi + h * k3.gi};
    ref_state k4 = deriv(r, y);
    return (ref_state){x.v + h / 6 * (k1.v + 2 * k2.v + 2 * k3.v + k4.v),
                       x.ge + h / 6 * (k1.ge + 2 * k2.ge + 2 * k3.ge + k4.ge),
                       x.gi + h / 6 * (k1.gi + 2 * k2.gi + 2 * k3.gi + k4.gi)};
}

#define RK_H 1e-3L

/* RK4 from x over t (no threshold). */
static inline ref_state rk4_to(const ref_par *r, ref_state x, long double t)
{
    long n = (long)ceill(t / RK_H);
    for (long k = 0; k < n; k++)
        x = rk4_step(r, x, t / n);
    return x;
}

/* First time in (0, h] where V reaches v_th (RK4 march, then bisection on the last step's length),
 * or -1. */
static inline long double rk4_crossing(const ref_par *r, ref_state x, long double v_th, long double h)
{
    long n = (long)ceill(h / RK_H);
    for (long k = 0; k < n; k++) {
        ref_state y = rk4_step(r, x, RK_H);
        if (y.v >= v_th) {
            long double lo = 0.0L, hi = RK_H;
            while (hi - lo > 1e-15L) {
                long double mid = 0.5L * (lo + hi);
                if (rk4_step(r, x, mid).v >= v_th)
                    hi = mid;
                else
                    lo = mid;
            }
            return k * RK_H + hi;
        }
        x = y;
    }
    return -1.0L;
}

/* The integrating-factor solution from x at time t, by composite Gauss-Legendre (5 points, panels of
 * at most 0.01 ms). */
static inline long double quad_v(const ref_par *r, ref_state x, long double t)
{
    static const long double gx[5] = {-0.9061798459386639927976L, -0.5384693101056830910363L, 0.0L,
                                      0.5384693101056830910363L, 0.9061798459386639927976L};
    static const long double gw[5] = {0.2369268850561890875143L, 0.4786286704993664680413L,
                                      0.5688888888888888888889L, 0.4786286704993664680413L,
                                      0.2369268850561890875143L};
#define K_OF(s) ((r->g_l * (s) + x.ge * r->tau_ex * -expm1l(-(s) / r->tau_ex) + \
                  x.gi * r->tau_in * -expm1l(-(s) / r->tau_in)) / r->c_m)
    long double kt = K_OF(t), sum = 0.0L;
    long m = (long)ceill(t / 0.01L);
    for (long p = 0; p < m; p++) {
        long double a = t * p / m, b = t * (p + 1) / m;
        for (int q = 0; q < 5; q++) {
            long double s = 0.5L * (a + b) + 0.5L * (b - a) * gx[q];
            long double f = (r->g_l * r->e_l + r->i + x.ge * expl(-s / r->tau_ex) * r->e_ex +
                             x.gi * expl(-s / r->tau_in) * r->e_in) / r->c_m;
            sum += 0.5L * (b - a) * gw[q] * f * expl(K_OF(s) - kt);
        }
    }
    return x.v * expl(-kt) + sum;
#undef K_OF
}

#endif
