/* tests/siegert.h: mean-field (diffusion-approximation) predictions for leaky integrate-and-fire
 * neurons, used by the tests to check simulated networks against theory.
 *
 * Siegert transfer function (Siegert 1951; Amit & Brunel 1997, Cereb Cortex 7:237; Brunel 2000,
 * J Comput Neurosci 8:183): a LIF neuron with membrane time constant tau, refractory period
 * t_ref, threshold theta and reset V_r, driven by white noise of mean mu and standard deviation sigma
 * (tau dV/dt = -V + mu + sigma sqrt(tau) xi(t), potentials relative to E_L = 0), fires at nu with
 *     1/nu = t_ref + tau sqrt(pi) Int_{(V_r - mu)/sigma}^{(theta - mu)/sigma} e^{u^2} (1 + erf u) du,
 * and the coefficient of variation of its inter-spike intervals is (from the second moment of the
 * first-passage time, Tuckwell 1988; the form Brunel 2000 uses for the stationary state)
 *     CV^2 = 2 pi (nu tau)^2 Int_{y_r}^{y_th} e^{x^2} dx Int_{-inf}^{x} e^{y^2} (1 + erf y)^2 dy.
 * Brunel's model A (identical E and I neurons, in-degrees C_E and C_I, weights J and -g J, external
 * Poisson input at nu_ext = eta nu_thr through C_E synapses of weight J, nu_thr = theta / (J C_E tau))
 * sees, when every neuron fires at nu (Brunel 2000, eqs. 4-5),
 *     mu = C_E J tau (nu_ext + nu (1 - g gamma)),  sigma^2 = C_E J^2 tau (nu_ext + nu (1 + g^2 gamma)),
 * with gamma = C_I / C_E; the self-consistent rate nu0 solves nu = phi(mu(nu), sigma(nu)).
 *
 * Numerics: e^{u^2}(1 + erf u) = erfcx(-u), computed without cancellation or overflow (sq_erfcx);
 * integrals by composite 10-point Gauss-Legendre with doubling until the relative change is below
 * 1e-13; the fixed point by bisection on nu in [0, 1/t_ref) (phi < 1/t_ref, so the bracket holds).
 * Units: ms, mV; rates in the results are in Hz.
 *
 * Tested in tests/test_siegert.c against SciPy (quad on scipy.special.erfcx) and against the
 * noise-free limit. Not part of the library: tests link it directly. */
#ifndef SQ_TEST_SIEGERT_H
#define SQ_TEST_SIEGERT_H

#include "../sim/error.h"

/* One LIF neuron for the diffusion approximation: potentials relative to E_L = 0. */
typedef struct {
    double tau_m;   /* ms, > 0 */
    double t_ref;   /* ms, >= 0 */
    double theta;   /* mV, threshold, > v_reset */
    double v_reset; /* mV */
} sq_siegert_lif;

/* Brunel's model A. */
typedef struct {
    sq_siegert_lif lif;
    double j;   /* mV, excitatory PSP jump, > 0 */
    double g;   /* relative inhibition: inhibitory weight is -g j */
    double eta; /* nu_ext / nu_thr, > 0 */
    double c_e; /* excitatory in-degree, > 0 (also the number of external synapses) */
    double c_i; /* inhibitory in-degree, >= 0 */
} sq_brunel_model;

/* The scaled complementary error function erfcx(x) = e^{x^2} erfc(x), accurate to a few ulp for all
 * x; +INFINITY where it overflows (x < -26.6). Thread: any. */
double sq_erfcx(double x);

/* The Siegert rate (Hz) of `lif` under input mean mu (mV) and standard deviation sigma (mV).
 * Returns 0, or SQ_EINVAL for a bad neuron or sigma <= 0, with a message such as
 * "siegert: sigma: expected a positive number in mV, got 0". A rate below ~1e-300 Hz is returned
 * as 0. Thread: any. */
int sq_siegert_rate(const sq_siegert_lif *lif, double mu, double sigma, double *out_hz, sq_err *err);

/* The CV of the inter-spike intervals under the same input. Returns 0, SQ_EINVAL as
 * sq_siegert_rate, or SQ_ERANGE when (theta - mu)/sigma > 18, where the nested integral overflows
 * (the neuron then fires below ~1e-130 Hz and is a Poisson process, CV -> 1). Thread: any. */
int sq_siegert_cv(const sq_siegert_lif *lif, double mu, double sigma, double *out_cv, sq_err *err);

/* nu_thr = theta / (J C_E tau_m) in Hz (Brunel 2000, eq. 6). Thread: any. */
double sq_brunel_nu_thr(const sq_brunel_model *m);

/* mu and sigma (mV) of model A's input when every neuron fires at nu_hz (Brunel 2000, eqs. 4-5).
 * Thread: any. */
void sq_brunel_input(const sq_brunel_model *m, double nu_hz, double *mu, double *sigma);

/* The self-consistent stationary rate nu0 (Hz) of model A. Returns 0, or SQ_EINVAL for a bad model
 * ("brunel: j: expected a positive number in mV, got -0.1"). Thread: any. */
int sq_brunel_rate(const sq_brunel_model *m, double *out_hz, sq_err *err);

#endif
