/* neurons/two_compartment.c: two-compartment (soma + apical dendrite) bursting pyramidal neuron with
 * conductance synapses on each compartment, on the simulation's time grid.
 *   C_s dV_s/dt = -(C_s/tau_s)(V_s - E_L) + g_s f(V_d) + b_ws w_s + I_syn,s + I_e_soma + I_dc
 *   C_d dV_d/dt = -(C_d/tau_d)(V_d - E_L) + g_d f(V_d) + a_wd w_d + zeta K(t) + I_syn,d + I_e_dend
 *   f(V_d) = 1/(1 + exp(-(V_d - E_d)/D_t));   dw_s/dt = -w_s/tau_ws;   tau_wd dw_d/dt = (V_d - E_L) - w_d
 *   I_syn,x = g_ampa,x (E_exc - V_x) + g_gaba,x (E_inh - V_x),  dg/dt = -g/tau_ampa (tau_gaba)
 *   dthr/dt = (thr_base - thr)/tau_thr;   V_s > thr: spike, V_s = E_reset, thr += thr_jump, w_s += 1,
 *   and K(t) = 1 for t_bap after the spike (the backpropagating action potential, a box kernel).
 * g_s and g_d are current amplitudes (pA), as in the code. There is no absolute refractory period: the
 * threshold jump plays its part, as in Auryn.
 * Model: Naud & Sprekeler (2018), PNAS 115:E6329; as simulated by Payeur, Guerguiev, Zenke, Richards
 * & Naud (2021), Nat Neurosci 24:1010, with Auryn's NaudGroup (apayeur/auryn src/auryn/NaudGroup.cpp);
 * parameters and equations from spec learning.md §2.1.3.
 * Integration: forward Euler on the resolution h (Auryn runs 0.1 ms), one step t_n -> t_n + h in
 * Auryn's order: f, the synaptic currents and every right-hand side are taken at t_n; V_s and V_d
 * step by Euler; the bAP adds h zeta/C_d to V_d in each of the round(t_bap/h) steps after a spike;
 * the conductances and w_s decay by their exact factors e^{-h/tau} (Auryn's choice, not Euler's
 * 1 - h/tau); w_d steps by Euler from the new V_d; thr relaxes by Euler; then V_s > thr is tested
 * at t_n + h. Euler is first order (error O(h/tau), 0.6 % of a step for tau_d = 7 ms at 0.1 ms) and
 * stable only for h < 2 min(tau): the resolution should stay at 0.1 ms or below.
 * Where this differs from Auryn's code (spec: "follow the code and note the disagreement"; here the
 * spec's synapse table is followed): Auryn's dendritic synapses take the somatic V as their driving
 * force and its excitatory synapses (LinearComboSynapse, AMPA/NMDA ratio 1) send half the
 * conductance through an NMDA-like 100 ms filter shared by both compartments; here each
 * compartment's synapses are driven by its own potential and are AMPA only (the spec's "NMDA off").
 * Auryn's conductances are in units of the leak conductance; here they are in nS. Auryn starts at
 * E_L; init() starts at the model's true rest (below), which is not E_L since f(E_L) > 0.
 * Grid semantics as lif_exp_grid: the state lives on grid points, advance(t) takes every grid point
 * <= t, an input at t is added to its conductance at the grid point at or before t and first moves
 * V one step later (Auryn transmits spikes after the step), next_check() is half a step ahead, and
 * the engine visits the neuron every window.
 * Tested in tests/test_two_compartment.c: the Euler ODE written out in the test (V_s, V_d and spike
 * steps identical, 1e-12), the rest and dendritic steady states from their fixed-point equations,
 * conductance decay against e^{-t/tau}, the bAP jump against its closed form, isolated spikes under
 * somatic current and bursts under somatic plus dendritic current (classified by neurons/bursts.h),
 * the engine's run against the model driven directly. */
#include <math.h>

#include "model.h"

enum {
    P_E_L, P_E_RESET, P_E_INH, P_E_EXC, P_TAU_S, P_C_S, P_G_S, P_TAU_WS, P_B_WS, P_TAU_D, P_C_D, P_G_D, P_TAU_WD,
    P_A_WD, P_ZETA, P_T_BAP, P_E_D, P_D_T, P_THR_BASE, P_THR_JUMP, P_TAU_THR, P_TAU_AMPA, P_TAU_GABA, P_I_E_SOMA,
    P_I_E_DEND, P_COUNT
};
enum {
    D_H, D_INV_H, D_H_TAU_S, D_H_C_S, D_H_TAU_D, D_H_C_D, D_H_TAU_WD, D_H_TAU_THR, D_P_AMPA, D_P_GABA, D_P_WS,
    D_BAP_STEPS, D_BAP_STEP, D_INV_D_T, D_VS_REST, D_VD_REST, D_COUNT
};
enum {
    S_T, S_VS, S_VD, S_WS, S_WD, S_THR, S_GA_S, S_GG_S, S_GA_D, S_GG_D, S_BAP, S_I_DC, S_K, S_I_DC_D, S_COUNT
};

static const sq_param_info params[P_COUNT] = {
    {"E_L", "mV", -70.0, SQ_ANY, "resting (leak reversal) potential of both compartments"},
    {"E_reset", "mV", -70.0, SQ_ANY, "somatic reset potential"},
    {"E_inh", "mV", -80.0, SQ_ANY, "GABA reversal potential"},
    {"E_exc", "mV", 0.0, SQ_ANY, "AMPA reversal potential"},
    {"tau_s", "ms", 16.0, SQ_POSITIVE, "somatic membrane time constant"},
    {"C_s", "pF", 370.0, SQ_POSITIVE, "somatic capacitance"},
    {"g_s", "pA", 1300.0, SQ_NONNEGATIVE, "drive of the dendritic nonlinearity f(V_d) onto the soma"},
    {"tau_ws", "ms", 100.0, SQ_POSITIVE, "time constant of the somatic adaptation w_s"},
    {"b_ws", "pA", -200.0, SQ_ANY, "somatic adaptation current per unit w_s (w_s += 1 per spike)"},
    {"tau_d", "ms", 7.0, SQ_POSITIVE, "dendritic membrane time constant"},
    {"C_d", "pF", 170.0, SQ_POSITIVE, "dendritic capacitance"},
    {"g_d", "pA", 1200.0, SQ_NONNEGATIVE, "regenerative drive of f(V_d) onto the dendrite"},
    {"tau_wd", "ms", 30.0, SQ_POSITIVE, "time constant of the dendritic adaptation w_d"},
    {"a_wd", "nS", -13.0, SQ_ANY, "subthreshold coupling of w_d (mV) to the dendrite"},
    {"zeta", "pA", 2600.0, SQ_NONNEGATIVE, "amplitude of the backpropagating action potential (box)"},
    {"t_bap", "ms", 2.0, SQ_NONNEGATIVE, "duration of the bAP box, rounded to whole steps"},
    {"E_d", "mV", -38.0, SQ_ANY, "half-activation potential of the dendritic nonlinearity"},
    {"D_t", "mV", 6.0, SQ_POSITIVE, "slope factor of the dendritic nonlinearity"},
    {"thr_base", "mV", -50.0, SQ_ANY, "resting value of the moving somatic threshold"},
    {"thr_jump", "mV", 2.0, SQ_NONNEGATIVE, "threshold increment per spike"},
    {"tau_thr", "ms", 27.0, SQ_POSITIVE, "time constant of the threshold's return to thr_base"},
    {"tau_ampa", "ms", 5.0, SQ_POSITIVE, "AMPA conductance time constant (both compartments)"},
    {"tau_gaba", "ms", 10.0, SQ_POSITIVE, "GABA conductance time constant (both compartments)"},
    {"I_e_soma", "pA", 0.0, SQ_ANY, "constant current injected into the soma"},
    {"I_e_dend", "pA", 0.0, SQ_ANY, "constant current injected into the dendrite"},
};

static const char *const state_names[S_COUNT] = {"t",        "V_s",      "V_d",      "w_s",       "w_d",
                                                 "thr",      "g_ampa_s", "g_gaba_s", "g_ampa_d",  "g_gaba_d",
                                                 "bap_steps", "I_dc",    "step",     "I_dc_dend"};

static const char *const receptors[] = {"soma", "dendrite"};

static int check(const double *p, const char *where, sq_err *err)
{
    if (!(p[P_E_RESET] < p[P_THR_BASE]))
        return sq_fail(err, SQ_ECONFIG, "%s.E_reset: expected less than thr_base = %g mV, got %g mV", where,
                       p[P_THR_BASE], p[P_E_RESET]);
    if (!(p[P_E_INH] < p[P_E_EXC]))
        return sq_fail(err, SQ_ECONFIG, "%s.E_inh: expected less than E_exc = %g mV, got %g mV", where, p[P_E_EXC],
                       p[P_E_INH]);
    /* The linear dendrite (V_d, w_d) is stable, and has a rest, only if the adaptation does not
     * outweigh the leak: its determinant is (C_d/tau_d - a_wd)/(C_d tau_d tau_wd). */
    double g_leak_d = p[P_C_D] / p[P_TAU_D];
    if (!(p[P_A_WD] < g_leak_d))
        return sq_fail(err, SQ_ECONFIG,
                       "%s.a_wd: expected less than C_d/tau_d = %g nS (else the dendrite has no stable rest), "
                       "got %g nS",
                       where, g_leak_d, p[P_A_WD]);
    return 0;
}

static inline double nonlinearity(const double *p, const double *d, double v_d)
{
    return 1.0 / (1.0 + exp(-(v_d - p[P_E_D]) * d[D_INV_D_T]));
}

/* The rest with no input: w_s = 0, w_d = u = V_d - E_L, and (C_d/tau_d - a_wd) u = g_d f(E_L + u).
 * The right side is increasing in u and lies in [0, g_d), so the iteration u <- g_d f(E_L + u)/G
 * from u = 0 rises monotonically to the smallest root: the rest below the dendritic plateau when
 * the nonlinearity makes the dendrite bistable (it converges at the rate g_d f'/G < 1, 0.03 for the
 * defaults). V_s then solves its linear equation. The Euler step has the ODE's fixed points. */
static void rest(const double *p, double *d)
{
    double g = p[P_C_D] / p[P_TAU_D] - p[P_A_WD], u = 0.0;
    for (int i = 0; i < 10000; i++) {
        double next = p[P_G_D] * nonlinearity(p, d, p[P_E_L] + u) / g;
        int done = fabs(next - u) <= 1e-14;
        u = next;
        if (done)
            break;
    }
    d[D_VD_REST] = p[P_E_L] + u;
    d[D_VS_REST] = p[P_E_L] + p[P_TAU_S] / p[P_C_S] * p[P_G_S] * nonlinearity(p, d, d[D_VD_REST]);
}

static void prepare(const double *p, double *d, double h)
{
    d[D_H] = h;
    d[D_INV_H] = 1.0 / h;
    d[D_H_TAU_S] = h / p[P_TAU_S];
    d[D_H_C_S] = h / p[P_C_S];
    d[D_H_TAU_D] = h / p[P_TAU_D];
    d[D_H_C_D] = h / p[P_C_D];
    d[D_H_TAU_WD] = h / p[P_TAU_WD];
    d[D_H_TAU_THR] = h / p[P_TAU_THR];
    d[D_P_AMPA] = exp(-h / p[P_TAU_AMPA]);
    d[D_P_GABA] = exp(-h / p[P_TAU_GABA]);
    d[D_P_WS] = exp(-h / p[P_TAU_WS]);
    d[D_BAP_STEPS] = round(p[P_T_BAP] / h);
    d[D_BAP_STEP] = h * p[P_ZETA] / p[P_C_D];
    d[D_INV_D_T] = 1.0 / p[P_D_T];
    rest(p, d);
}

/* The last grid index at or before t >= 0 (as lif_exp_grid: the cast truncates). */
static inline double grid_index(const double *d, double t)
{
    return (double)(long long)(t * d[D_INV_H] + 1e-6);
}

static void init(const double *p, const double *d, double *s, double t0)
{
    s[S_K] = grid_index(d, t0);
    s[S_T] = s[S_K] * d[D_H];
    s[S_VS] = d[D_VS_REST];
    s[S_VD] = d[D_VD_REST];
    s[S_WS] = 0.0;
    s[S_WD] = d[D_VD_REST] - p[P_E_L];
    s[S_THR] = p[P_THR_BASE];
    s[S_GA_S] = s[S_GG_S] = s[S_GA_D] = s[S_GG_D] = 0.0;
    s[S_BAP] = 0.0;
    s[S_I_DC] = 0.0;
    s[S_I_DC_D] = 0.0;
}

/* One Euler step to the next grid point in Auryn's order (header); returns 1 on a spike there. */
static inline int step(const double *p, const double *d, double *s)
{
    const double e_l = p[P_E_L], e_exc = p[P_E_EXC], e_inh = p[P_E_INH];
    double vs = s[S_VS], vd = s[S_VD], f = nonlinearity(p, d, vd);
    double i_s = s[S_GA_S] * (e_exc - vs) + s[S_GG_S] * (e_inh - vs) + p[P_G_S] * f + p[P_B_WS] * s[S_WS] +
                 p[P_I_E_SOMA] + s[S_I_DC];
    double i_d = s[S_GA_D] * (e_exc - vd) + s[S_GG_D] * (e_inh - vd) + p[P_G_D] * f + p[P_A_WD] * s[S_WD] +
                 p[P_I_E_DEND] + s[S_I_DC_D];
    vs += d[D_H_TAU_S] * (e_l - vs) + d[D_H_C_S] * i_s;
    vd += d[D_H_TAU_D] * (e_l - vd) + d[D_H_C_D] * i_d;
    if (s[S_BAP] > 0.0) {
        vd += d[D_BAP_STEP];
        s[S_BAP] -= 1.0;
    }
    s[S_GA_S] *= d[D_P_AMPA];
    s[S_GA_D] *= d[D_P_AMPA];
    s[S_GG_S] *= d[D_P_GABA];
    s[S_GG_D] *= d[D_P_GABA];
    s[S_WS] *= d[D_P_WS];
    s[S_WD] += d[D_H_TAU_WD] * (vd - e_l - s[S_WD]);
    s[S_THR] += d[D_H_TAU_THR] * (p[P_THR_BASE] - s[S_THR]);
    s[S_VD] = vd;
    s[S_K] += 1.0;
    s[S_T] = s[S_K] * d[D_H];
    if (vs > s[S_THR]) {
        s[S_VS] = p[P_E_RESET];
        s[S_THR] += p[P_THR_JUMP];
        s[S_WS] += 1.0;
        s[S_BAP] = d[D_BAP_STEPS];
        return 1;
    }
    s[S_VS] = vs;
    return 0;
}

static int advance(const double *p, const double *d, double *s, double t, double *t_spike)
{
    double k_end = grid_index(d, t);
    while (s[S_K] < k_end)
        if (step(p, d, s)) {
            *t_spike = s[S_T];
            return 1;
        }
    return 0;
}

/* Receptor 0 is the soma, 1 the dendrite; w >= 0 adds w nS to that compartment's AMPA conductance,
 * w < 0 adds -w nS to its GABA conductance. The input acts from the next step on, so it never makes
 * the neuron fire at this instant. */
static int input_receptor(const double *p, const double *d, double *s, double w, unsigned receptor)
{
    (void)p;
    (void)d;
    int dend = receptor == 1;
    if (w >= 0.0)
        s[dend ? S_GA_D : S_GA_S] += w;
    else
        s[dend ? S_GG_D : S_GG_S] -= w;
    return 0;
}

static int input(const double *p, const double *d, double *s, double w)
{
    return input_receptor(p, d, s, w, 0);
}

static void add_current_receptor(const double *p, const double *d, double *s, double di, unsigned receptor)
{
    (void)p;
    (void)d;
    s[receptor == 1 ? S_I_DC_D : S_I_DC] += di;
}

static void add_current(const double *p, const double *d, double *s, double di)
{
    add_current_receptor(p, d, s, di, 0);
}

/* The threshold is tested at every grid point; half a step ahead for the reason given in
 * lif_exp_grid.c (a window then always steps through the grid point at its end). */
static double next_check(const double *p, const double *d, const double *s)
{
    (void)p;
    return s[S_T] + 0.5 * d[D_H];
}

const sq_neuron_model sq_model_two_compartment = {
    .name = "two_compartment",
    .doc = "soma + apical dendrite bursting pyramidal neuron (Naud & Sprekeler 2018; Auryn NaudGroup), "
           "conductance synapses, forward Euler on the time grid",
    .params = params,
    .n_params = P_COUNT,
    .n_derived = D_COUNT,
    .n_state = S_COUNT,
    .state_names = state_names,
    .v_index = S_VS,
    .weight_unit = "nS",
    .every_window = 1,
    .check = check,
    .prepare = prepare,
    .init = init,
    .advance = advance,
    .input = input,
    .receptors = receptors,
    .n_receptors = 2,
    .input_receptor = input_receptor,
    .add_current = add_current,
    .add_current_receptor = add_current_receptor,
    .next_check = next_check,
};
