/* neurons/lif_exp_crossing.c: the exact first threshold crossing of a free lif_exp state (Descartes'
 * rule of signs for exponential sums splits (0, T] into monotone pieces; safeguarded Newton on the
 * first piece that reaches threshold, to 1e-12 ms; see the header of neurons/lif_exp.c), and the
 * evaluation of the state with its derivatives at any time. Tested through the model in
 * tests/test_lif_exp.c against closed forms and a dense-sampling reference, 1e-9 ms. */
#include <float.h>
#include <math.h>

#include "lif_exp_crossing.h"

typedef sq__lif_exp_traj traj;

#define SOLVE_TOL 1e-12 /* ms: width of the final bracket of every root */

void sq__lif_exp_eval(const traj *tr, double tau, double *q)
{
    const double *d = tr->d;
    sq__lif_exp_props pr;
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
        sq__lif_exp_eval(tr, 0.0, q);
        double xn = -sign * (q[k] - target) / (sign * q[k + 1]);
        if (xn > l && xn < r)
            x = xn;
    }
    for (int it = 0; it < 200 && r - l > tol; it++, tol = max2(SOLVE_TOL, 8.0 * DBL_EPSILON * r)) {
        sq__lif_exp_eval(tr, x, q);
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
    sq__lif_exp_eval(tr, T, q);
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

/* See lif_exp_crossing.h; the method is in the header of neurons/lif_exp.c. */
double sq__lif_exp_first_crossing(const traj *tr, double u_th, double T, double u_T, int *never)
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
    sq__lif_exp_eval(tr, 0.0, q);
    du_l = q[1];
    for (int i = 1; i < n_w; i++) {
        sq__lif_exp_eval(tr, w_pts[i], q);
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

