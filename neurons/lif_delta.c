/* neurons/lif_delta.c: leaky integrate-and-fire neuron with delta-shaped synaptic input (NEST
 * iaf_psc_delta: same parameter names, defaults and refractory semantics).
 *   dV/dt = -(V - E_L)/tau_m + (I_e + I_dc)/C_m;  an input of weight w (mV) makes V += w at once;
 *   V >= V_th: spike, V = V_reset, held there for t_ref; inputs arriving while refractory are dropped.
 * Model: Lapicque (1907); NEST iaf_psc_delta (Gewaltig & Diesmann 2007, Scholarpedia 2:1430).
 * Integration: exact. Between events V relaxes to V_inf = E_L + (I_e + I_dc) tau_m/C_m in closed
 * form, V(t) = V_inf + (V0 - V_inf) e^{-(t-t0)/tau_m}; when V_inf > V_th the crossing time is
 * t* = t0 + tau_m ln((V_inf - V0)/(V_inf - V_th)), also in closed form (no grid, no root finding).
 * The refractory period is [t_spike, t_spike + t_ref): an input at exactly t_spike + t_ref counts.
 * Tested in tests/test_lif_delta.c against these closed forms, 1e-12 relative / 1e-9 ms. */
#include <math.h>

#include "fastexp.h"
#include "integrate_steps.h"
#include "model.h"

enum { P_TAU_M, P_C_M, P_E_L, P_V_TH, P_V_RESET, P_T_REF, P_I_E, P_COUNT };
enum { D_INV_TAU, D_R, D_V_INF0, D_COUNT };
enum { S_T, S_V, S_REF_END, S_I_DC, S_COUNT };

static const sq_param_info params[P_COUNT] = {
    {"tau_m", "ms", 10.0, SQ_POSITIVE, "membrane time constant"},
    {"C_m", "pF", 250.0, SQ_POSITIVE, "membrane capacitance"},
    {"E_L", "mV", -70.0, SQ_ANY, "resting potential"},
    {"V_th", "mV", -55.0, SQ_ANY, "spike threshold"},
    {"V_reset", "mV", -70.0, SQ_ANY, "reset potential, held during t_ref"},
    {"t_ref", "ms", 2.0, SQ_NONNEGATIVE, "absolute refractory period"},
    {"I_e", "pA", 0.0, SQ_ANY, "constant external current"},
};

static const char *const state_names[S_COUNT] = {"t", "V_m", "t_ref_end", "I_dc"};

static int check(const double *p, const char *where, sq_err *err)
{
    if (!(p[P_V_RESET] < p[P_V_TH]))
        return sq_fail(err, SQ_ECONFIG, "%s.V_reset: expected less than V_th = %g mV, got %g mV", where,
                       p[P_V_TH], p[P_V_RESET]);
    return 0;
}

static void prepare(const double *p, double *d, double h)
{
    (void)h;
    d[D_INV_TAU] = 1.0 / p[P_TAU_M];
    d[D_R] = p[P_TAU_M] / p[P_C_M];
    d[D_V_INF0] = p[P_E_L] + p[P_I_E] * d[D_R];
}

static void init(const double *p, const double *d, double *s, double t0)
{
    (void)d;
    s[S_T] = t0;
    s[S_V] = p[P_E_L];
    s[S_REF_END] = t0;
    s[S_I_DC] = 0.0;
}

/* Time at which V, free from (t0, v0) towards v_inf, reaches V_th; INFINITY if it never does. Both
 * advance() and next_check() call this, so the time next_check() promises is bit for bit the one
 * advance() fires at. log1p keeps the small-ratio case (v0 just below V_th) accurate. */
static double crossing(const double *p, double t0, double v0, double v_inf)
{
    double v_th = p[P_V_TH];
    if (v0 >= v_th)
        return t0;
    if (!(v_inf > v_th))
        return INFINITY;
    return t0 + p[P_TAU_M] * log1p((v_th - v0) / (v_inf - v_th));
}

/* V after relaxing for x membrane time constants towards v_inf. Written as v E + v_inf (1 - E) so
 * that the dependency on v is one multiply and one add; advance() and integrate() both use it,
 * which keeps the two paths bit-identical. */
static inline double relax(double v, double v_inf, double x)
{
    double e = sq_exp_neg(x);
    return v * e + v_inf * (1.0 - e);
}

static void fire(const double *p, double *s, double t_spike)
{
    s[S_T] = t_spike;
    s[S_V] = p[P_V_RESET];
    s[S_REF_END] = t_spike + p[P_T_REF];
}

static int advance(const double *p, const double *d, double *s, double t, double *t_spike)
{
    double t0 = s[S_T];
    if (t0 < s[S_REF_END]) {
        /* V is held at V_reset (set by fire()) until the refractory period ends. */
        if (t <= s[S_REF_END]) {
            s[S_T] = t;
            return 0;
        }
        t0 = s[S_REF_END];
    }
    double v0 = s[S_V];
    double v_inf = d[D_V_INF0] + d[D_R] * s[S_I_DC];
    if (v0 >= p[P_V_TH] || v_inf > p[P_V_TH]) {
        double tc = crossing(p, t0, v0, v_inf);
        if (tc <= t) {
            fire(p, s, tc);
            *t_spike = tc;
            return 1;
        }
    }
    if (t > t0)
        s[S_V] = relax(v0, v_inf, (t - t0) * d[D_INV_TAU]);
    s[S_T] = t;
    return 0;
}

static int input(const double *p, const double *d, double *s, double w)
{
    (void)d;
    if (s[S_T] < s[S_REF_END])
        return 0;
    s[S_V] += w;
    if (s[S_V] >= p[P_V_TH]) {
        fire(p, s, s[S_T]);
        return 1;
    }
    return 0;
}

static void add_current(const double *p, const double *d, double *s, double di)
{
    (void)p;
    (void)d;
    s[S_I_DC] += di;
}

static double next_check(const double *p, const double *d, const double *s)
{
    double t0 = s[S_T], v0 = s[S_V];
    if (t0 < s[S_REF_END])
        t0 = s[S_REF_END];
    return crossing(p, t0, v0, d[D_V_INF0] + d[D_R] * s[S_I_DC]);
}

/* The engine's fast path: the same arithmetic as advance() + input() in one loop that also merges
 * the synaptic and the Poisson inputs. Which list comes next is a coin toss no branch predictor
 * learns, so the choice is made with selects, not branches. It covers the common case where V can
 * only reach threshold through an input (V_inf <= V_th, V below threshold); otherwise it falls back
 * to advance()/input(). */
static double integrate(const double *p, const double *d, double *s, const double *ta, const float *wa, size_t na,
                        const double *tb, const float *wb, size_t nb, double t_end,
                        void (*emit)(void *ctx, double t_spike), void *ctx)
{
    double v_inf = d[D_V_INF0] + d[D_R] * s[S_I_DC], v_th = p[P_V_TH];
    size_t i = 0, j = 0, n = na + nb;
    if (v_inf > v_th || s[S_V] >= v_th)
        return sq_integrate_steps(advance, input, next_check, p, d, s, ta, wa, na, tb, wb, nb, t_end, emit, ctx);
    double tt = s[S_T], v = s[S_V], ref_end = s[S_REF_END];
    const double inv_tau = d[D_INV_TAU], v_reset = p[P_V_RESET], t_ref = p[P_T_REF];
    for (size_t k = 0; k < n; k++) {
        size_t take_b = tb[j] < ta[i];
        double tk = take_b ? tb[j] : ta[i];
        float wk = take_b ? wb[j] : wa[i];
        j += take_b;
        i += 1 - take_b;
        double start = tt < ref_end ? ref_end : tt;
        tt = tk;
        if (tk < ref_end)
            continue; /* refractory: the input is dropped, V stays at V_reset */
        if (tk > start)
            v = relax(v, v_inf, (tk - start) * inv_tau);
        v += wk;
        if (v >= v_th) {
            emit(ctx, tk);
            v = v_reset;
            ref_end = tk + t_ref;
        }
    }
    /* V_inf <= V_th and V < V_th: no crossing without input, so the neuron stays at its last input
     * (next_check() is INFINITY, and the lazy rule does not advance it). */
    (void)t_end;
    s[S_T] = tt;
    s[S_V] = v;
    s[S_REF_END] = ref_end;
    return INFINITY;
}

const sq_neuron_model sq_model_lif_delta = {
    .name = "lif_delta",
    .doc = "leaky integrate-and-fire, delta synapses (NEST iaf_psc_delta), exact integration",
    .params = params,
    .n_params = P_COUNT,
    .n_derived = D_COUNT,
    .n_state = S_COUNT,
    .state_names = state_names,
    .v_index = S_V,
    .weight_unit = "mV",
    .check = check,
    .prepare = prepare,
    .init = init,
    .advance = advance,
    .input = input,
    .add_current = add_current,
    .next_check = next_check,
    .integrate = integrate,
};
