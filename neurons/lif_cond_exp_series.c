/* neurons/lif_cond_exp_series.c: the Taylor series of a free lif_cond_exp state in y = 1 - e^{-t/tau_s},
 * its step-size control by a rigorous bound of the truncation error, and the exact first threshold
 * crossing of the series polynomial. The method and its accuracy are stated in the header comment of
 * neurons/lif_cond_exp.c; tested through the model in tests/test_lif_cond_exp.c. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "lif_cond_exp_series.h"

#define ROOT_TOL 1e-14 /* width in y of the final bracket of a crossing (tau_s 1e-14 ms) */
#define PIECE_MIN 1e-14 /* pieces of [0, Y] narrower than this are not split further */

/* 1/n for n = 0..SQ__CE_N_MAX + 1 (0 unused): the recurrence multiplies instead of dividing. */
static const double inv_n[SQ__CE_N_MAX + 2] = {
    0.0,        1.0,        1.0 / 2,  1.0 / 3,  1.0 / 4,  1.0 / 5,  1.0 / 6,  1.0 / 7,  1.0 / 8,  1.0 / 9,
    1.0 / 10, 1.0 / 11, 1.0 / 12, 1.0 / 13, 1.0 / 14, 1.0 / 15, 1.0 / 16, 1.0 / 17, 1.0 / 18, 1.0 / 19,
    1.0 / 20, 1.0 / 21, 1.0 / 22, 1.0 / 23, 1.0 / 24, 1.0 / 25, 1.0 / 26, 1.0 / 27, 1.0 / 28, 1.0 / 29,
    1.0 / 30, 1.0 / 31, 1.0 / 32, 1.0 / 33, 1.0 / 34, 1.0 / 35, 1.0 / 36, 1.0 / 37, 1.0 / 38, 1.0 / 39,
    1.0 / 40, 1.0 / 41,
};

/* True when the terms after degree n sum to at most SQ__CE_TOL at y (header of lif_cond_exp.c):
 * with T_m = |u_m| y^m, M the largest of T_{n-J..n}, A = k_0 + sum_j |k_j| y^j and
 * rho = y max(1, (n + A)/(n + 1)) < 1, the tail is at most (J + 1) M rho/(1 - rho). */
static int truncation_ok(const sq__ce_series *sr, double y)
{
    int n = sr->n, J = sr->j;
    double a = sr->k[0], yp = 1.0;
    for (int j = 1; j <= J; j++) {
        yp *= y;
        a += fabs(sr->k[j]) * yp;
    }
    double q = (n + a) * inv_n[n + 1], rho = y * (q > 1.0 ? q : 1.0);
    if (!(rho < 1.0))
        return 0;
    double ym = 1.0, x = y, m_max = 0.0;
    for (int e = n - J; e; e >>= 1, x *= x) /* y^{n-J} by binary powering */
        if (e & 1)
            ym *= x;
    for (int m = n - J; m <= n; m++, ym *= y) {
        double t = fabs(sr->u[m]) * ym;
        m_max = t > m_max ? t : m_max;
    }
    return (J + 1) * m_max * rho <= SQ__CE_TOL * (1.0 - rho);
}

/* u[3..N] by the recurrence. */
static void recur(double *u, const double *k, int J, int N)
{
    for (int n = 2; n < N; n++) {
        double acc = (n - k[0]) * u[n];
        int jm = n < J ? n : J;
        for (int j = 1; j <= jm; j++)
            acc -= k[j] * u[n - j];
        u[n + 1] = acc * inv_n[n + 1];
    }
}

/* g^b, g = 2^{-1/2}: the step grid below. */
static const double g_pow[8] = {1.0, 0.70710678118654752440, 0.5, 0.35355339059327376220, 0.25,
                                0.17677669529663688110, 0.125, 0.08838834764831844055};

/* Sets the step of sr towards y_t (k0 = k_0 of the series). The step is min(y_t, Y_nat), Y_nat the
 * largest grid value Y_cap 16^{-a} g^b (b < 8) whose truncation bound holds, Y_cap = min(Y_MAX, 2/k0)
 * (k_0 y <= 2 keeps the terms no larger than the sum: no cancellation). Y_cap 16^{-a} is exact, so a
 * grid value is the same number however it is reached: Y_nat depends on the state only, never on
 * how far the caller goes, and advancing to any time before a crossing runs through the same
 * polynomials as advancing past it. The bound grows with y, so one test at D, the least grid value
 * >= y_t, decides whether y_t <= Y_nat. */
static void choose_step(sq__ce_series *sr, const double *d, double k0, double y_t)
{
    double base = 2.0 / k0 < d[D_Y_MAX] ? 2.0 / k0 : d[D_Y_MAX];
    int b = 0;
    if (!(y_t > 0.0)) { /* an interval that underflows in y: nothing moves */
        sr->y_step = 0.0;
        sr->last = 1;
        return;
    }
    while (base * 0.0625 >= y_t)
        base *= 0.0625;
    while (b < 7 && base * g_pow[b + 1] >= y_t)
        b++;
    double dy = base * g_pow[b];
    if (y_t <= dy && truncation_ok(sr, dy)) {
        sr->y_step = y_t;
        sr->last = 1;
        return;
    }
    /* Here the bound fails at dy (or y_t is above Y_cap): Y_nat is below, and below y_t. */
    for (int m = 0; m < 2200 && (dy >= y_t || !truncation_ok(sr, dy)); m++) {
        if (++b == 8) {
            b = 0;
            base *= 0.0625;
        }
        dy = base * g_pow[b];
    }
    sr->y_step = dy;
    sr->last = 0;
}

void sq__ce_build(const double *p, const double *d, double v, double g_f, double g_s, double i, double y_t,
                  sq__ce_series *sr)
{
    int J = (int)d[D_J], N = (int)d[D_N];
    double ts_c = d[D_TS_C], r = d[D_R], e_f = d[D_E_F], e_s = d[D_E_S];
    double *k = sr->k, *u = sr->u, cf = ts_c * g_f, c = 1.0;
    /* tau_s C^{-1} (g_L + g_s (1 - y) + g_f (1 - y)^r) = sum_j k_j y^j, binomial c_j = c_{j-1} (j - 1 - r)/j. */
    k[0] = ts_c * (p[P_G_L] + g_s + g_f);
    for (int j = 1; j <= J; j++) {
        c *= (j - 1 - r) * inv_n[j];
        k[j] = cf * c;
    }
    k[1] -= ts_c * g_s;
    /* The inhomogeneous part in u = V - E_f, where the fast receptor's drive cancels. */
    double f0 = ts_c * (p[P_G_L] * (p[P_E_L] - e_f) + i + g_s * (e_s - e_f));
    double f1 = -ts_c * g_s * (e_s - e_f);
    u[0] = v - e_f;
    u[1] = f0 - k[0] * u[0];
    u[2] = ((1.0 - k[0]) * u[1] - k[1] * u[0] + f1) * 0.5;
    if (J == 2) {
        /* tau_syn 5/10 ms (Vogels-Abbott), 1/2 ms ...: u_{n+1} = alpha_n u_n - beta_n with
         * beta_n = (k_1 u_{n-1} + k_2 u_{n-2})/(n+1) computed off the chain through u_n, so that
         * each order waits for one multiply-add only. */
        double u_n = u[2], u_n1 = u[1], u_n2 = u[0], k0 = k[0], k1 = k[1], k2 = k[2], dn = 2.0;
        /* P(y_t) and the quadratic majorant's c at y_t on the way (sq__ce_eval() at the usual step). */
        double yq = 1.0, pt = u[0] + (u[1] + u[2] * y_t) * y_t, ct = u[2], y2 = y_t * y_t;
#pragma GCC unroll 4
        for (int n = 2; n < N; n++, dn += 1.0) {
            double in = inv_n[n + 1], alpha = (dn - k0) * in, beta = (k1 * u_n1 + k2 * u_n2) * in;
            double next = alpha * u_n - beta;
            u[n + 1] = next;
            u_n2 = u_n1;
            u_n1 = u_n;
            u_n = next;
            yq *= y_t;
            double t = next * yq;
            pt += t * y2;
            ct += t > 0.0 ? t : 0.0;
        }
        sr->p_t = pt;
        sr->c_t = ct;
        sr->have_t = 1;
    } else {
        sr->have_t = 0;
        recur(u, k, J, N);
    }
    sr->n = N;
    sr->j = J;
    choose_step(sr, d, k[0], y_t);
}

/* Coefficients q of P(a + z) from those of P(y) (n synthetic divisions). */
static void taylor_shift(const double *u, int n, double a, double *q)
{
    memcpy(q, u, (size_t)(n + 1) * sizeof *q);
    for (int k = 0; k < n; k++)
        for (int i = n - 1; i >= k; i--)
            q[i] += a * q[i + 1];
}

/* On [0, h], from the coefficients q at 0: P(h), an upper bound of P (as sq__ce_eval()), and bounds
 * of P'. */
typedef struct {
    double end, up, dlo, dhi;
} piece;

static piece piece_bounds(const double *q, int n, double h)
{
    piece b = {q[0] + q[1] * h, 0.0, q[1], q[1]};
    double hp = h, c = q[2]; /* hp = h^{k-1} */
    for (int k = 2; k <= n; k++, hp *= h) {
        double t = q[k] * hp;
        if (t < 0.0)
            b.dlo += k * t;
        else
            b.dhi += k * t;
        b.end += t * h;
        if (k >= 3)
            c += t > 0.0 ? t / h : 0.0;
    }
    b.up = sq__ce_quad_max(q[0], q[1], c, h);
    return b;
}

/* Root of P = lvl on [0, h], P increasing there, P(0) < lvl <= P(h): Newton kept inside the bracket
 * (bisection otherwise). Returns the right end of the final bracket, where P >= lvl was evaluated. */
static double solve(const double *q, int n, double lvl, double h)
{
    double lo = 0.0, hi = h, x = q[1] > 0.0 ? (lvl - q[0]) / q[1] : 0.5 * h;
    if (!(x > lo && x < hi))
        x = 0.5 * h;
    for (int it = 0; it < 200 && hi - lo > ROOT_TOL; it++) {
        double f = q[n], df = 0.0;
        for (int k = n - 1; k >= 0; k--) {
            df = df * x + f;
            f = f * x + q[k];
        }
        if (f >= lvl)
            hi = x;
        else
            lo = x;
        double xn = df > 0.0 ? x - (f - lvl) / df : 0.5 * (lo + hi);
        if (!(xn > lo && xn < hi))
            xn = 0.5 * (lo + hi);
        /* Newton converging from one side would never move the other end: step a little past. */
        double lo_q = lo + 0.25 * ROOT_TOL, hi_q = hi - 0.25 * ROOT_TOL;
        x = xn < lo_q ? lo_q : xn > hi_q ? hi_q : xn;
    }
    return hi;
}

double sq__ce_first_root(const sq__ce_series *sr, double lvl, double Y)
{
    /* Depth-first, left to right: a piece is clear when its bound stays below lvl, when P falls
     * through it, or when P rises through it but ends below lvl; it holds the first root when P
     * rises through it to lvl or beyond. Every piece starts below lvl (its left end closed the
     * previous clear piece), so the first piece that is not clear holds the first root. */
    double q[SQ__CE_N_MAX + 1], pend_a[64], pend_h[64], a = 0.0, h = Y;
    int n = sr->n, top = 0;
    memcpy(q, sr->u, (size_t)(n + 1) * sizeof *q);
    double end = piece_bounds(q, n, h).end;
    /* Well-scaled polynomials need a few pieces; the cap bounds the work for absurd states (NaN,
     * conductances of 1e12 nS), where the step's end decides. */
    for (int pieces = 0;; pieces++) {
        if (pieces == 4096)
            return end >= lvl ? Y : -1.0;
        piece b = piece_bounds(q, n, h);
        int clear = b.up < lvl || b.dhi < 0.0 || (b.dlo > 0.0 && b.end < lvl);
        if (!clear && (b.dlo > 0.0 || h < PIECE_MIN || top == 64)) {
            if (b.end >= lvl)
                return a + (b.dlo > 0.0 ? solve(q, n, lvl, h) : h);
            clear = 1; /* a touch of lvl narrower than PIECE_MIN that ends below it */
        }
        if (!clear) {
            h *= 0.5; /* the left half keeps q */
            pend_a[top] = a + h;
            pend_h[top++] = h;
            continue;
        }
        if (top == 0)
            return -1.0;
        a = pend_a[--top];
        h = pend_h[top];
        taylor_shift(sr->u, n, a, q);
    }
}
