/* tests/siegert.c: the Siegert transfer function, the ISI CV and the self-consistent rate of Brunel's
 * model A (equations, sources and numerical method in siegert.h). Tested in tests/test_siegert.c. */
#include "siegert.h"

#include <math.h>
#include <stddef.h>

#define SQRT_PI 1.7724538509055160273
/* Relative tolerances. An integrand carries ~1e-16 x (its exponent) of rounding noise, up to ~1e-13
 * at e^{676}, so the rate's integral and the CV's inner one ask for 1e-12; the CV's outer integrand
 * is itself such an integral and carries that 1e-12, so the outer one asks for 1e-10. */
#define REL_TOL 1e-12
#define CV_REL_TOL 1e-10
#define MAX_DEPTH 30

/* Positive half of the 10-point Gauss-Legendre rule on [-1, 1]: node, weight. */
static const double gl10[5][2] = {
    {0.14887433898163122, 0.295524224714753},  {0.4333953941292472, 0.2692667193099965},
    {0.6794095682990244, 0.219086362515982},   {0.8650633666889845, 0.14945134915058036},
    {0.9739065285171717, 0.06667134430868807},
};

typedef double (*integrand)(double x, const void *ctx);

/* e^{x^2}, with the rounding error of x*x put back: fma gives it exactly, and at |x| = 26 it would
 * otherwise cost ~1e-13 relative. */
static double exp_sq(double x)
{
    double x2 = x * x;
    return exp(x2) * (1.0 + fma(x, x, -x2));
}

double sq_erfcx(double x)
{
    if (x < 0.0)
        return 2.0 * exp_sq(x) - sq_erfcx(-x); /* both terms positive and the first dominant */
    if (x < 26.0)
        return exp_sq(x) * erfc(x); /* erfc(26) ~ 6e-296 is still a normal double */
    /* Asymptotic series 1/(x sqrt(pi)) sum (-1)^n (2n-1)!! / (2x^2)^n: at x >= 26 the ninth term is
     * below 1e-22 of the first. */
    double sum = 0.0, term = 1.0, r = 1.0 / (2.0 * x * x);
    for (int n = 1; n <= 9; n++) {
        sum += term;
        term *= -(2.0 * n - 1.0) * r;
    }
    return sum / (x * SQRT_PI);
}

static double gl10_panel(integrand f, const void *ctx, double a, double b)
{
    double c = 0.5 * (a + b), h = 0.5 * (b - a), s = 0.0;
    for (size_t k = 0; k < SQ_COUNT(gl10); k++)
        s += gl10[k][1] * (f(c - h * gl10[k][0], ctx) + f(c + h * gl10[k][0], ctx));
    return s * h;
}

/* Adaptive bisection: accepts a panel when the rule on it and on its halves agree within tol, or
 * within `floor` relative to the panel itself: halving tol at each level would otherwise, on a steep
 * integrand whose mass sits in one small panel, ask for less than the rounding error (or than the
 * integrand's own error, when it is itself an integral) and never stop. */
static double adapt(integrand f, const void *ctx, double a, double b, double whole, double tol,
                    double floor, int depth)
{
    double m = 0.5 * (a + b);
    double left = gl10_panel(f, ctx, a, m), right = gl10_panel(f, ctx, m, b);
    double halves = left + right;
    if (!isfinite(halves) || fabs(halves - whole) <= fmax(tol, floor * fabs(halves)) ||
        depth >= MAX_DEPTH)
        return halves;
    return adapt(f, ctx, a, m, left, 0.5 * tol, floor, depth + 1) +
           adapt(f, ctx, m, b, right, 0.5 * tol, floor, depth + 1);
}

/* Int_a^b f for a positive integrand, to ~rel_tol relative: each panel is accepted when its error is
 * below its share of rel_tol times a 16-panel first estimate, or below rel_tol times itself, so the
 * sum of the errors stays below ~2 rel_tol of the total. INFINITY when the integral overflows. */
static double integrate(integrand f, const void *ctx, double a, double b, double rel_tol)
{
    if (!(b > a))
        return 0.0;
    double first = 0.0, h = (b - a) / 16.0;
    for (int k = 0; k < 16; k++)
        first += gl10_panel(f, ctx, a + k * h, a + (k + 1) * h);
    if (!isfinite(first))
        return first;
    double tol = rel_tol * fabs(first) / 16.0, sum = 0.0;
    for (int k = 0; k < 16; k++) {
        double pa = a + k * h, pb = a + (k + 1) * h;
        sum += adapt(f, ctx, pa, pb, gl10_panel(f, ctx, pa, pb), tol, rel_tol, 0);
    }
    return sum;
}

static int check_lif(const sq_siegert_lif *l, sq_err *err)
{
    if (!(l->tau_m > 0.0) || !isfinite(l->tau_m))
        return sq_fail(err, SQ_EINVAL, "siegert: tau_m: expected a positive number in ms, got %g",
                       l->tau_m);
    if (!(l->t_ref >= 0.0) || !isfinite(l->t_ref))
        return sq_fail(err, SQ_EINVAL, "siegert: t_ref: expected a non-negative number in ms, got %g",
                       l->t_ref);
    if (!(l->theta > l->v_reset) || !isfinite(l->theta) || !isfinite(l->v_reset))
        return sq_fail(err, SQ_EINVAL,
                       "siegert: theta: expected a number above v_reset (%g mV) in mV, got %g",
                       l->v_reset, l->theta);
    return 0;
}

static int check_input(const sq_siegert_lif *l, double mu, double sigma, sq_err *err)
{
    int rc = check_lif(l, err);
    if (rc < 0)
        return rc;
    if (!isfinite(mu))
        return sq_fail(err, SQ_EINVAL, "siegert: mu: expected a finite number in mV, got %g", mu);
    if (!(sigma > 0.0) || !isfinite(sigma))
        return sq_fail(err, SQ_EINVAL, "siegert: sigma: expected a positive number in mV, got %g", sigma);
    return 0;
}

static double siegert_integrand(double u, const void *ctx)
{
    (void)ctx;
    return sq_erfcx(-u); /* = e^{u^2} (1 + erf u) */
}

/* Rate in 1/ms; no argument checks. */
static double rate_per_ms(const sq_siegert_lif *l, double mu, double sigma)
{
    double y_th = (l->theta - mu) / sigma, y_r = (l->v_reset - mu) / sigma;
    double period = l->t_ref + l->tau_m * SQRT_PI * integrate(siegert_integrand, NULL, y_r, y_th, REL_TOL);
    return isfinite(period) ? 1.0 / period : 0.0;
}

int sq_siegert_rate(const sq_siegert_lif *lif, double mu, double sigma, double *out_hz, sq_err *err)
{
    int rc = check_input(lif, mu, sigma, err);
    if (rc < 0)
        return rc;
    *out_hz = 1000.0 * rate_per_ms(lif, mu, sigma);
    return 0;
}

/* The CV's inner integral times the outer weight, as one integral that cannot overflow:
 * F(x) = e^{x^2} Int_{-inf}^x e^{y^2}(1 + erf y)^2 dy = Int_{-inf}^x e^{x^2 - y^2} erfcx(-y)^2 dy,
 * since e^{y^2}(1 + erf y)^2 = e^{-y^2} erfcx(-y)^2. Below y = -sqrt(x^2 + 750) the integrand is
 * under e^{-750} of its value near y = x and is dropped. For x << 0 the integrand is a peak of width
 * 1/(2|x|) at y = x, so it is integrated in t = (x - y)(1 + |x|), where the peak is about one wide. */
typedef struct {
    double x, scale; /* scale = 1/(1 + |x|): dy = -scale dt */
} cv_ctx;

static double cv_inner(double t, const void *ctx)
{
    const cv_ctx *c = ctx;
    /* x^2 - y^2 = (x - y)(x + y) with x - y = t scale taken from t, not from x - y, which would
     * cancel and put ~1e-9 relative noise into the exponent at x = -2000. */
    double d = t * c->scale, e = sq_erfcx(d - c->x);
    return exp(d * (2.0 * c->x - d)) * e * e * c->scale;
}

static double cv_outer(double x, const void *ctx)
{
    (void)ctx;
    cv_ctx c = {x, 1.0 / (1.0 + fabs(x))};
    return integrate(cv_inner, &c, 0.0, (x + sqrt(x * x + 750.0)) / c.scale, REL_TOL);
}

int sq_siegert_cv(const sq_siegert_lif *lif, double mu, double sigma, double *out_cv, sq_err *err)
{
    int rc = check_input(lif, mu, sigma, err);
    if (rc < 0)
        return rc;
    double y_th = (lif->theta - mu) / sigma, y_r = (lif->v_reset - mu) / sigma;
    if (y_th > 18.0)
        return sq_fail(err, SQ_ERANGE,
                       "siegert: (theta - mu)/sigma: expected at most 18 for the CV, got %g", y_th);
    double nu_tau = rate_per_ms(lif, mu, sigma) * lif->tau_m;
    double cv2 = 2.0 * M_PI * nu_tau * nu_tau * integrate(cv_outer, NULL, y_r, y_th, CV_REL_TOL);
    *out_cv = sqrt(cv2);
    return 0;
}

double sq_brunel_nu_thr(const sq_brunel_model *m)
{
    return 1000.0 * m->lif.theta / (m->j * m->c_e * m->lif.tau_m);
}

void sq_brunel_input(const sq_brunel_model *m, double nu_hz, double *mu, double *sigma)
{
    double nu = nu_hz / 1000.0, nu_ext = m->eta * sq_brunel_nu_thr(m) / 1000.0; /* 1/ms */
    double gamma = m->c_i / m->c_e, tau = m->lif.tau_m;
    *mu = m->c_e * m->j * tau * (nu_ext + nu * (1.0 - m->g * gamma));
    *sigma = sqrt(m->c_e * m->j * m->j * tau * (nu_ext + nu * (1.0 + m->g * m->g * gamma)));
}

static int check_brunel(const sq_brunel_model *m, sq_err *err)
{
    int rc = check_lif(&m->lif, err);
    if (rc < 0)
        return rc;
    if (!(m->lif.theta > 0.0))
        return sq_fail(err, SQ_EINVAL, "brunel: theta: expected a positive number in mV, got %g",
                       m->lif.theta);
    if (!(m->j > 0.0) || !isfinite(m->j))
        return sq_fail(err, SQ_EINVAL, "brunel: j: expected a positive number in mV, got %g", m->j);
    if (!(m->g >= 0.0) || !isfinite(m->g))
        return sq_fail(err, SQ_EINVAL, "brunel: g: expected a non-negative number, got %g", m->g);
    if (!(m->eta > 0.0) || !isfinite(m->eta))
        return sq_fail(err, SQ_EINVAL, "brunel: eta: expected a positive number, got %g", m->eta);
    if (!(m->c_e > 0.0) || !isfinite(m->c_e))
        return sq_fail(err, SQ_EINVAL, "brunel: c_e: expected a positive in-degree, got %g", m->c_e);
    if (!(m->c_i >= 0.0) || !isfinite(m->c_i))
        return sq_fail(err, SQ_EINVAL, "brunel: c_i: expected a non-negative in-degree, got %g", m->c_i);
    return 0;
}

/* nu - phi(mu(nu), sigma(nu)), both in 1/ms. */
static double excess(const sq_brunel_model *m, double nu)
{
    double mu, sigma;
    sq_brunel_input(m, 1000.0 * nu, &mu, &sigma);
    return nu - rate_per_ms(&m->lif, mu, sigma);
}

int sq_brunel_rate(const sq_brunel_model *m, double *out_hz, sq_err *err)
{
    int rc = check_brunel(m, err);
    if (rc < 0)
        return rc;
    /* excess(0) = -phi <= 0; phi < 1/t_ref, so excess > 0 at 1/ms for t_ref >= 1 ms, and doubling
     * finds a sign change otherwise (the transfer function grows sub-linearly in nu). */
    double lo = 0.0, hi = 1.0;
    while (excess(m, hi) <= 0.0 && hi < 1e6)
        hi *= 2.0;
    for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if (excess(m, mid) > 0.0)
            hi = mid;
        else
            lo = mid;
    }
    *out_hz = 1000.0 * 0.5 * (lo + hi);
    return 0;
}
