/* neurons/izhikevich.c: the Izhikevich simple spiking neuron on a grid of its own steps, computed
 * exactly as the author's scripts spnet.m and daspnet.m do, so that his networks can be
 * reproduced step for step.
 *   dv/dt = 0.04 v^2 + 5 v + 140 - u + I,   du/dt = a (b v - u),   v >= V_peak: v = c, u = u + d.
 * Model: Izhikevich (2003), IEEE Trans Neural Netw 14:1569 ("Simple model of spiking neurons";
 * regular spiking a, b, c, d = 0.02, 0.2, -65, 8, the defaults; fast spiking 0.1, 0.2, -65, 2).
 * Scheme: Izhikevich (2007), Cereb Cortex 17:2443 ("Solving the distal reward problem through
 * linkage of STDP and dopamine signaling"), script daspnet.m (the loop of spnet.m), whose step is
 * h = h_step = 1 ms (the default). Every step k, in this order:
 *   1. I = I_noise (U_n - 0.5) + I_e, then + w / h for each synaptic input of the step in arrival
 *      order (daspnet: I = 13*(rand - 0.5); I(post) += s), then + the DC generators' current;
 *   2. v += (h/2) ((0.04 v + 5) v + 140 - u + I) twice (two forward-Euler half steps, "for
 *      numerical stability"), then u += h (a (b v - u)) with the new v (daspnet writes 0.2 for b,
 *      which b is for all its neurons);
 *   3. at the grid point k + 1: v >= V_peak is a spike at t = (k + 1) h, v = c, u += d (daspnet's
 *      `fired` test at the start of its next step, before that step's input).
 * With h = 1 ms the factors are 0.5 and 1 and the arithmetic is daspnet's bit for bit. This is
 * forward Euler, O(h) and coarse at 1 ms (fast spiking at I = 10 fires 64 Hz against the ODE's
 * 136 Hz; tests/test_izhikevich.c): daspnet's results belong to the scheme, which this file
 * reproduces; a smaller h_step approaches the ODE. The simulation's resolution must divide h_step
 * (check_resolution), so the spike times (steps) and arrival times (grid) lie on one grid.
 * Units: the model is dimensionless in current: I, u, d, I_e, I_noise and the weights carry the
 * label "pA", and 1 "pA" adds 1 mV/ms to dv/dt. A weight w is the current of one 1 ms step
 * (daspnet's s); at h_step < 1 ms it enters its step as w / h, the same charge, so that v jumps by
 * about w (mV) whatever the step.
 * Inputs and delivery: an input (or DC switch) at time t counts for the step k = floor(t / h) (t
 * within 1e-6 h below a grid point counts for the next step, forgiving rounding of t). A spike
 * emitted at t_k = k h reaches its targets at t_k + delay. In daspnet (D = 1) a spike found at the
 * start of step t enters I of that same step t (zero transmission time); spikeq's delays are at
 * least the resolution, so at resolution = h_step = 1 ms the smallest delay, 1 ms, makes it act in
 * step k + 1, one step later than daspnet. The exact daspnet match is a resolution below h_step and
 * delay = resolution (e.g. 0.5 ms and 0.5 ms at h_step 1 ms): the spike arrives at t_k + 0.5,
 * inside step k. In general daspnet's delay slot j (spnet.m: D up to 20) is a spikeq delay of
 * (j - 1) ms + resolution.
 * Noise: U_n is the first uniform of block n = floor(k h / noise_period) of the neuron's own
 * counter-based stream (sim/rng.h, Philox; seed and stream id come from seed()), so the draws
 * depend on (seed, neuron, step) only, never on threads or the order neurons are visited.
 * Grid: the state lives on grid points k h: V_m and U_m after the fired test at k h (a V_m sample
 * at t shows v at floor(t / h) h after any reset), I_step the current of step k summed so far.
 * The engine visits the neurons every window (every_window) and next_check() is half a step
 * ahead, so a window ending on a grid point steps through it. A V_m set at t = 0 at or above
 * V_peak is not fired at t = 0 (a spike needs a step). v starts at -65 mV and u at b (-65 mV), as
 * in both scripts; a v_init moves v only.
 * Tested in tests/test_izhikevich.c: against daspnet's loop written out in the test (constant
 * current and noise, 10 s, 1e-12), the ODE (RK4) for Izhikevich 2003 Fig. 2's RS and FS firing,
 * the noise statistics and reproducibility, and through the engine with spike_source input at
 * both delivery rules. */
#include <math.h>

#include "../sim/rng.h"
#include "model.h"

enum { P_A, P_B, P_C, P_D, P_V_PEAK, P_I_E, P_I_NOISE, P_NOISE_PERIOD, P_H_STEP, P_COUNT };
enum { D_H, D_HALF_H, D_INV_H, D_PERIOD_STEPS, D_COUNT };
enum {
    S_T,
    S_V,
    S_U,
    S_I,         /* current of the step under way, summed so far */
    S_BASE_DUE,  /* 1 while the step's noise and I_e are not yet in S_I (added first, as daspnet does) */
    S_I_DC,
    S_K,
    S_SEED_LO,   /* the noise key, as four exact 32-bit halves (a double holds 53 bits) */
    S_SEED_HI,
    S_STREAM_LO,
    S_STREAM_HI,
    S_COUNT
};

/* The scripts' common starting potential (v = -65*ones, u = b.*v), independent of c. */
#define V_START (-65.0)

static const sq_param_info params[P_COUNT] = {
    {"a", "1/ms", 0.02, SQ_ANY, "time scale of the recovery variable u (a * h_step < 2 for the Euler step of u)"},
    {"b", "1", 0.2, SQ_ANY, "sensitivity of u to v"},
    {"c", "mV", -65.0, SQ_ANY, "reset potential after a spike"},
    {"d", "pA", 8.0, SQ_ANY, "jump of u after a spike (dimensionless current, see weight unit)"},
    {"V_peak", "mV", 30.0, SQ_ANY, "spike cut-off, tested at every step"},
    {"I_e", "pA", 0.0, SQ_ANY, "constant input current (dimensionless: 1 pA adds 1 mV/ms to dv/dt)"},
    {"I_noise", "pA", 0.0, SQ_NONNEGATIVE, "amplitude of a uniform input I_noise (U(0,1) - 0.5) (daspnet: 13)"},
    {"noise_period", "ms", 1.0, SQ_POSITIVE, "the noise is redrawn every noise_period ms (whole steps)"},
    {"h_step", "ms", 1.0, SQ_POSITIVE, "time step (daspnet: 1 ms); the resolution must divide it"},
};

static const char *const state_names[S_COUNT] = {"t",      "V_m",     "U_m",     "I_step",    "base_due",  "I_dc",
                                                 "step",   "seed_lo", "seed_hi", "stream_lo", "stream_hi"};

/* x / unit is a whole number >= 1 (to 1e-9 relative, forgiving decimal fractions like 0.1). */
static int whole_multiple(double x, double unit)
{
    double n = x / unit;
    return n >= 1.0 - 1e-9 && fabs(n - round(n)) <= 1e-9 * n;
}

static int check(const double *p, const char *where, sq_err *err)
{
    if (!(p[P_A] * p[P_H_STEP] < 2.0))
        return sq_fail(err, SQ_ECONFIG,
                       "%s.a: expected a * h_step below 2 (beyond it the Euler step of u diverges), got a = %g /ms with h_step = %g ms",
                       where, p[P_A], p[P_H_STEP]);
    if (!(p[P_C] < p[P_V_PEAK]))
        return sq_fail(err, SQ_ECONFIG, "%s.c: expected less than V_peak = %g mV, got %g mV", where, p[P_V_PEAK], p[P_C]);
    if (!whole_multiple(p[P_NOISE_PERIOD], p[P_H_STEP]))
        return sq_fail(err, SQ_ECONFIG, "%s.noise_period: expected a whole number of steps of h_step = %g ms, got %g ms",
                       where, p[P_H_STEP], p[P_NOISE_PERIOD]);
    return 0;
}

/* The spikes fall on the model's steps and the inputs arrive on the simulation's grid: when the
 * resolution divides h_step, both are one grid and a spike plus a delay lands on a known step. */
static int check_resolution(const double *p, double h, const char *where, sq_err *err)
{
    if (!whole_multiple(p[P_H_STEP], h))
        return sq_fail(err, SQ_ECONFIG,
                       "%s: expected a divisor of the izhikevich h_step = %g ms (e.g. 1, 0.5, 0.1 ms for 1 ms), got %g ms",
                       where, p[P_H_STEP], h);
    return 0;
}

static void prepare(const double *p, double *d, double h)
{
    (void)h; /* the model steps h_step, which check_resolution() made a multiple of h */
    d[D_H] = p[P_H_STEP];
    d[D_HALF_H] = 0.5 * p[P_H_STEP];
    d[D_INV_H] = 1.0 / p[P_H_STEP];
    d[D_PERIOD_STEPS] = round(p[P_NOISE_PERIOD] / p[P_H_STEP]);
}

/* The last step index at or before t >= 0 (the cast is floor for t >= 0). */
static inline double grid_index(const double *d, double t)
{
    return (double)(long long)(t * d[D_INV_H] + 1e-6);
}

static void init(const double *p, const double *d, double *s, double t0)
{
    s[S_K] = grid_index(d, t0);
    s[S_T] = s[S_K] * d[D_H];
    s[S_V] = V_START;
    s[S_U] = p[P_B] * V_START;
    s[S_I] = 0.0;
    s[S_BASE_DUE] = 1.0;
    s[S_I_DC] = 0.0;
    s[S_SEED_LO] = s[S_SEED_HI] = s[S_STREAM_LO] = s[S_STREAM_HI] = 0.0;
}

static void seed(double *s, uint64_t seed, uint64_t stream)
{
    s[S_SEED_LO] = (double)(seed & 0xffffffffu);
    s[S_SEED_HI] = (double)(seed >> 32);
    s[S_STREAM_LO] = (double)(stream & 0xffffffffu);
    s[S_STREAM_HI] = (double)(stream >> 32);
}

/* I_noise (U - 0.5) of the current step: U is the first uniform of block floor(k / period) of the
 * neuron's stream. */
static double noise(const double *p, const double *d, const double *s)
{
    if (p[P_I_NOISE] == 0.0)
        return 0.0;
    sq_rng r;
    sq_rng_init(&r, (uint64_t)s[S_SEED_LO] | ((uint64_t)s[S_SEED_HI] << 32),
                (uint64_t)s[S_STREAM_LO] | ((uint64_t)s[S_STREAM_HI] << 32));
    double period = d[D_PERIOD_STEPS]; /* a whole number >= 1; beyond 2^63 steps one draw covers any run */
    r.counter = period < 9e18 ? (uint64_t)s[S_K] / (uint64_t)period : 0;
    return p[P_I_NOISE] * (sq_rng_uniform(&r) - 0.5);
}

/* Puts the step's noise and I_e into its current before anything else, so the sum has daspnet's
 * order (noise first, then the inputs as they arrive). */
static inline void add_base(const double *p, const double *d, double *s)
{
    if (s[S_BASE_DUE] != 0.0) {
        s[S_I] = noise(p, d, s) + p[P_I_E];
        s[S_BASE_DUE] = 0.0;
    }
}

/* One step in daspnet's arithmetic, to the next grid point; returns 1 when it fires there. With
 * h_step = 1 ms, half_h = 0.5 and h = 1 make it daspnet's expressions bit for bit. */
static int step(const double *p, const double *d, double *s)
{
    add_base(p, d, s);
    double i = s[S_I] + s[S_I_DC], v = s[S_V], u = s[S_U], half_h = d[D_HALF_H];
    v = v + half_h * ((0.04 * v + 5.0) * v + 140.0 - u + i);
    v = v + half_h * ((0.04 * v + 5.0) * v + 140.0 - u + i);
    u = u + d[D_H] * (p[P_A] * (p[P_B] * v - u));
    s[S_K] += 1.0;
    s[S_T] = s[S_K] * d[D_H];
    s[S_I] = 0.0;
    s[S_BASE_DUE] = 1.0;
    int fired = v >= p[P_V_PEAK];
    s[S_V] = fired ? p[P_C] : v;
    s[S_U] = fired ? u + p[P_D] : u;
    return fired;
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

/* daspnet's I(post) += s: a current of this step only (no synaptic time course), scaled by
 * 1 ms / h_step so that the charge, and so the jump of v for short steps, is w whatever the step
 * (the factor is 1 at daspnet's 1 ms). */
static int input(const double *p, const double *d, double *s, double w)
{
    add_base(p, d, s);
    s[S_I] += w * d[D_INV_H];
    return 0;
}

static void add_current(const double *p, const double *d, double *s, double di)
{
    (void)p;
    (void)d;
    s[S_I_DC] += di;
}

/* Every grid point is due; half a step ahead so that a window ending on a grid point steps
 * through it wherever the last input fell (as in lif_exp_grid.c). */
static double next_check(const double *p, const double *d, const double *s)
{
    (void)p;
    return s[S_T] + d[D_HALF_H];
}

const sq_neuron_model sq_model_izhikevich = {
    .name = "izhikevich",
    .doc = "Izhikevich (2003) neuron in Euler steps of h_step, at 1 ms exactly as daspnet.m (Izhikevich 2007)",
    .params = params,
    .n_params = P_COUNT,
    .n_derived = D_COUNT,
    .n_state = S_COUNT,
    .state_names = state_names,
    .v_index = S_V,
    .weight_unit = "pA",
    .every_window = 1,
    .check = check,
    .check_resolution = check_resolution,
    .prepare = prepare,
    .init = init,
    .advance = advance,
    .input = input,
    .seed = seed,
    .add_current = add_current,
    .next_check = next_check,
};
