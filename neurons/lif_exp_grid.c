/* neurons/lif_exp_grid.c: leaky integrate-and-fire neuron with exponentially decaying synaptic
 * currents on the simulation's time grid, as NEST's iaf_psc_exp computes it (same parameter names,
 * defaults, update order and refractory count), for comparisons with NEST and for networks whose
 * size makes the grid cheaper than exact crossing times (lif_exp).
 *   dV/dt = -(V - E_L)/tau_m + (I_ex + I_in + I_e + I_dc)/C_m;  dI_x/dt = -I_x/tau_syn_x.
 * Model: Tsodyks, Uziel & Markram (2000), J Neurosci 20:RC50; NEST iaf_psc_exp.
 * Integration: exact propagation over each step h (the resolution; Rotter & Diesmann 1999, Biol
 * Cybern 81:381): with u = V - E_L,
 *   u <- P22 u + P21ex I_ex + P21in I_in + P20 (I_e + I_dc)   (unless refractory: V stays at V_reset)
 *   I_x <- P11x I_x,   P22 = e^{-h/tau_m}, P11x = e^{-h/tau_syn_x}, P20 = tau_m/C_m (1 - P22),
 *   P21x = e^{-h/tau_m} expm1(h (1/tau_m - 1/tau_syn_x)) / (C_m (1/tau_m - 1/tau_syn_x))  (h e^{-h/tau_m}/C_m when equal),
 * then the threshold is tested at the grid point: V >= V_th gives a spike at that grid point,
 * V = V_reset, and V is held for round(t_ref/h) steps while the currents go on decaying.
 * Grid semantics: the state lives on grid points k h; advance(t) takes every grid point <= t
 * (rounding of t by up to 1e-6 h forgiven), so an input at t is added to its current at the last
 * grid point at or before t and first moves V one step later (NEST: a spike arriving in step k acts
 * from step k + 1), a DC change likewise, and a V_m sample at t shows V after the update at t.
 * Inputs off the grid (Poisson trains, spike sources) are so moved back by less than one step.
 * A window [t0, t_end) steps through every grid point up to and including t_end (as NEST's
 * Simulate(T) records spikes up to T), since next_check() is always half a step ahead; the engine
 * so visits the neuron every window.
 * Tested in tests/test_lif_exp_grid.c: the propagators against the closed form of lif_exp, a
 * step-by-step reference written out in the test, threshold and refractory counts, integrate() ==
 * advance()/input(). */
#include <math.h>

#include "model.h"

enum { P_C_M, P_TAU_M, P_TAU_EX, P_TAU_IN, P_T_REF, P_E_L, P_V_RESET, P_V_TH, P_I_E, P_COUNT };
enum { D_P22, D_P11_EX, D_P11_IN, D_P21_EX, D_P21_IN, D_P20, D_H, D_INV_H, D_REF_STEPS, D_COUNT };
enum { S_T, S_V, S_I_EX, S_I_IN, S_REF, S_I_DC, S_K, S_COUNT };

static const sq_param_info params[P_COUNT] = {
    {"C_m", "pF", 250.0, SQ_POSITIVE, "membrane capacitance"},
    {"tau_m", "ms", 10.0, SQ_POSITIVE, "membrane time constant"},
    {"tau_syn_ex", "ms", 2.0, SQ_POSITIVE, "excitatory synaptic time constant"},
    {"tau_syn_in", "ms", 2.0, SQ_POSITIVE, "inhibitory synaptic time constant"},
    {"t_ref", "ms", 2.0, SQ_NONNEGATIVE, "absolute refractory period, rounded to whole steps"},
    {"E_L", "mV", -70.0, SQ_ANY, "resting potential"},
    {"V_reset", "mV", -70.0, SQ_ANY, "reset potential, V is held there during t_ref"},
    {"V_th", "mV", -55.0, SQ_ANY, "spike threshold, tested at every grid point"},
    {"I_e", "pA", 0.0, SQ_ANY, "constant external current"},
};

static const char *const state_names[S_COUNT] = {"t", "V_m", "I_ex", "I_in", "ref_steps", "I_dc", "step"};

static int check(const double *p, const char *where, sq_err *err)
{
    if (!(p[P_V_RESET] < p[P_V_TH]))
        return sq_fail(err, SQ_ECONFIG, "%s.V_reset: expected less than V_th = %g mV, got %g mV", where,
                       p[P_V_TH], p[P_V_RESET]);
    return 0;
}

/* P21 of one receptor: (e^{-h/tau_syn} - e^{-h/tau_m}) / (C_m (1/tau_m - 1/tau_syn)), written with
 * expm1 so that nearly equal time constants lose no digits. */
static double p21(double tau_m, double tau_syn, double c_m, double h)
{
    double a = 1.0 / tau_m, dd = a - 1.0 / tau_syn;
    if (dd == 0.0)
        return h * exp(-a * h) / c_m;
    return exp(-a * h) * expm1(dd * h) / (dd * c_m);
}

static void prepare(const double *p, double *d, double h)
{
    d[D_P22] = exp(-h / p[P_TAU_M]);
    d[D_P11_EX] = exp(-h / p[P_TAU_EX]);
    d[D_P11_IN] = exp(-h / p[P_TAU_IN]);
    d[D_P21_EX] = p21(p[P_TAU_M], p[P_TAU_EX], p[P_C_M], h);
    d[D_P21_IN] = p21(p[P_TAU_M], p[P_TAU_IN], p[P_C_M], h);
    d[D_P20] = -p[P_TAU_M] / p[P_C_M] * expm1(-h / p[P_TAU_M]);
    d[D_H] = h;
    d[D_INV_H] = 1.0 / h;
    d[D_REF_STEPS] = round(p[P_T_REF] / h);
}

/* The last grid index at or before t >= 0 (the cast truncates, which is floor for t >= 0, without
 * a libm call). */
static inline double grid_index(const double *d, double t)
{
    return (double)(long long)(t * d[D_INV_H] + 1e-6);
}

static void init(const double *p, const double *d, double *s, double t0)
{
    s[S_K] = grid_index(d, t0);
    s[S_T] = s[S_K] * d[D_H];
    s[S_V] = p[P_E_L];
    s[S_I_EX] = 0.0;
    s[S_I_IN] = 0.0;
    s[S_REF] = 0.0;
    s[S_I_DC] = 0.0;
}

/* One step to the next grid point, in NEST's order; returns 1 when the neuron fires there. */
static inline int step(const double *p, const double *d, double *s)
{
    if (s[S_REF] > 0.0)
        s[S_REF] -= 1.0;
    else
        s[S_V] = p[P_E_L] + d[D_P22] * (s[S_V] - p[P_E_L]) + d[D_P21_EX] * s[S_I_EX] + d[D_P21_IN] * s[S_I_IN] +
                 d[D_P20] * (p[P_I_E] + s[S_I_DC]);
    s[S_I_EX] *= d[D_P11_EX];
    s[S_I_IN] *= d[D_P11_IN];
    s[S_K] += 1.0;
    s[S_T] = s[S_K] * d[D_H];
    if (s[S_V] >= p[P_V_TH]) {
        s[S_V] = p[P_V_RESET];
        s[S_REF] = d[D_REF_STEPS];
        return 1;
    }
    return 0;
}

static inline int advance(const double *p, const double *d, double *s, double t, double *t_spike)
{
    double k_end = grid_index(d, t);
    while (s[S_K] < k_end)
        if (step(p, d, s)) {
            *t_spike = s[S_T];
            return 1;
        }
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

/* The threshold is tested at every grid point, so the next one is always due. Half a step ahead
 * rather than on it: then the engine's lazy end of a window (advance to t_end when the next check
 * is before t_end) always takes the grid point at t_end too, and the rule "a window steps through
 * every grid point up to and including its end" holds wherever the last input fell. */
static double next_check(const double *p, const double *d, const double *s)
{
    (void)p;
    return s[S_T] + 0.5 * d[D_H];
}

/* The merged advance()/input() loop of model.h with the state in locals: the same steps and sums
 * in the same order as advance() and input(), so bit for bit their result (tested). */
static double integrate(const double *p, const double *d, double *s, const double *ta, const float *wa, size_t na,
                        const double *tb, const float *wb, size_t nb, double t_end,
                        void (*emit)(void *ctx, double t_spike), void *ctx)
{
    const double e_l = p[P_E_L], v_th = p[P_V_TH], v_reset = p[P_V_RESET], i_e = p[P_I_E];
    const double p22 = d[D_P22], p11e = d[D_P11_EX], p11i = d[D_P11_IN], p21e = d[D_P21_EX], p21i = d[D_P21_IN];
    const double p20 = d[D_P20], h = d[D_H], ref_steps = d[D_REF_STEPS], i_dc = s[S_I_DC];
    double v = s[S_V], i_ex = s[S_I_EX], i_in = s[S_I_IN], ref = s[S_REF], k = s[S_K];
    size_t i = 0, j = 0;
    for (size_t n = 0; n <= na + nb; n++) {
        /* n == na + nb: the end of the window, where the lazy rule of model.h always advances
         * (next_check() is half a step ahead, before t_end unless the state is already there). */
        int last = n == na + nb, take_b = !last && tb[j] < ta[i];
        double t = last ? t_end : take_b ? tb[j] : ta[i];
        double k_end = grid_index(d, t);
        while (k < k_end) {
            if (ref > 0.0)
                ref -= 1.0;
            else
                v = e_l + p22 * (v - e_l) + p21e * i_ex + p21i * i_in + p20 * (i_e + i_dc);
            i_ex *= p11e;
            i_in *= p11i;
            k += 1.0;
            if (v >= v_th) {
                v = v_reset;
                ref = ref_steps;
                emit(ctx, k * h);
            }
        }
        if (last)
            break;
        double w = take_b ? wb[j++] : wa[i++];
        if (w >= 0.0)
            i_ex += w;
        else
            i_in += w;
    }
    s[S_V] = v;
    s[S_I_EX] = i_ex;
    s[S_I_IN] = i_in;
    s[S_REF] = ref;
    s[S_K] = k;
    s[S_T] = k * h;
    return s[S_T] + 0.5 * h;
}

const sq_neuron_model sq_model_lif_exp_grid = {
    .name = "lif_exp_grid",
    .doc = "leaky integrate-and-fire, exponential current synapses, on the time grid as NEST iaf_psc_exp",
    .params = params,
    .n_params = P_COUNT,
    .n_derived = D_COUNT,
    .n_state = S_COUNT,
    .state_names = state_names,
    .v_index = S_V,
    .weight_unit = "pA",
    .every_window = 1,
    .check = check,
    .prepare = prepare,
    .init = init,
    .advance = advance,
    .input = input,
    .add_current = add_current,
    .next_check = next_check,
    .integrate = integrate,
};
