/* plasticity/tsodyks_markram.c: short-term plasticity of Tsodyks & Markram, as a factor on each
 * arrival's weight, specs/learning.md section 5.1 and 2.1.4. Both rules keep (u, x) once per
 * (source, delay group), since every synapse of a group sees the same spike train, and evaluate
 * the relaxation between spikes in closed form, so a train is exact whatever its intervals.
 *
 * "tsodyks_markram": Markram, Wang & Tsodyks 1998 (PNAS 95:5323) / Tsodyks, Pawelzik & Markram
 * 1998, in the ordering of NEST's tsodyks2_synapse (update first, then release): at spike n+1,
 * Delta after spike n,
 *   u_{n+1} = U + u_n (1 - U) e^{-Delta/tau_fac}          (u relaxes to 0; tau_fac = 0: u = U)
 *   x_{n+1} = 1 + (x_n - u_n x_n - 1) e^{-Delta/tau_rec}   (u_n x_n released at spike n)
 *   factor  = u_{n+1} x_{n+1};   first spike: u_1 = U, x_1 = 1.
 * "etm": the extended variant of Payeur et al. 2021 (Auryn's STP): u relaxes to U, the release uses
 * the values before the spike's own update,
 *   between spikes: x -> 1 + (x - 1) e^{-Delta/tau_rec},  u -> U + (u - U) e^{-Delta/tau_fac}
 *   at a spike:     factor = u x;  x <- x - u x;  u <- u + f (1 - u);    before the first: u = U, x = 1.
 * (Auryn integrates the relaxation by forward Euler at 0.1 ms; the closed form differs by
 * O(dt/tau).) Tested in tests/test_stp.c against the ODEs integrated numerically. */
#include "rule.h"
#include "traces.h"

enum { P_U, P_TAU_REC, P_TAU_FAC, P_F, P_COUNT };
enum { PRE_U, PRE_X };

static const sq_param_info tm_params[] = {
    {"U", "1", 0.5, SQ_POSITIVE, "utilisation of synaptic efficacy (release probability) at rest"},
    {"tau_rec", "ms", 800.0, SQ_POSITIVE, "recovery time constant of the resources (depression)"},
    {"tau_fac", "ms", 0.0, SQ_NONNEGATIVE, "relaxation time constant of u (facilitation); 0: none"},
};

static const sq_param_info etm_params[] = {
    {"U", "1", 0.9, SQ_POSITIVE, "value to which u relaxes"},
    {"tau_rec", "ms", 20.0, SQ_POSITIVE, "recovery time constant of the resources x"},
    {"tau_fac", "ms", 1000.0, SQ_POSITIVE, "relaxation time constant of u"},
    {"f", "1", 0.1, SQ_NONNEGATIVE, "increment of u at a spike, as a fraction of 1 - u"},
};

static const char *const tm_names[] = {"U", "tau_rec", "tau_fac"};
static const char *const etm_names[] = {"U", "tau_rec", "tau_fac", "f"};
#define SET(names, name, doc, ...) {name, doc, names, (const double[]){__VA_ARGS__}, SQ_COUNT(names)}
static const sq_rule_preset tm_presets[] = {
    SET(tm_names, "depressing", "Tsodyks, Pawelzik & Markram 1998 Fig. 1 (Markram et al. 1998)", 0.5, 800.0, 0.0),
    SET(tm_names, "facilitating", "Tsodyks, Pawelzik & Markram 1998 Fig. 1 (Markram et al. 1998)", 0.03, 130.0, 530.0),
    SET(tm_names, "lsm_ee", "Maass, Natschlaeger & Markram 2002, E->E", 0.5, 1100.0, 50.0),
    SET(tm_names, "lsm_ei", "Maass, Natschlaeger & Markram 2002, E->I", 0.05, 125.0, 1200.0),
    SET(tm_names, "lsm_ie", "Maass, Natschlaeger & Markram 2002, I->E", 0.25, 700.0, 20.0),
    SET(tm_names, "lsm_ii", "Maass, Natschlaeger & Markram 2002, I->I", 0.32, 144.0, 60.0),
};
static const sq_rule_preset etm_presets[] = {
    SET(etm_names, "depressing", "Payeur et al. 2021, feedforward (event-rate) synapses", 0.9, 20.0, 1000.0, 0.1),
    SET(etm_names, "facilitating", "Payeur et al. 2021, feedback (burst-rate) synapses", 0.02, 100.0, 100.0, 0.1),
};
#undef SET

static int check_tm(const double *p, const char *where, sq_err *err)
{
    if (!(p[P_U] <= 1.0))
        return sq_fail(err, SQ_ECONFIG, "%s.U: expected a number in (0, 1], got %g", where, p[P_U]);
    return 0;
}

static int check_etm(const double *p, const char *where, sq_err *err)
{
    int rc = check_tm(p, where, err);
    if (rc == 0 && !(p[P_F] <= 1.0))
        rc = sq_fail(err, SQ_ECONFIG, "%s.f: expected a number in [0, 1], got %g", where, p[P_F]);
    return rc;
}

static double tm_arrival(const double *p, const double *d, double *pre, double t_last, double t)
{
    (void)d;
    if (t_last == -INFINITY) {
        pre[PRE_U] = p[P_U];
        pre[PRE_X] = 1.0;
    } else {
        double u = pre[PRE_U], x = pre[PRE_X], dt = t - t_last;
        pre[PRE_U] = p[P_TAU_FAC] > 0.0 ? p[P_U] + u * (1.0 - p[P_U]) * exp(-dt / p[P_TAU_FAC]) : p[P_U];
        pre[PRE_X] = 1.0 + (x - u * x - 1.0) * exp(-dt / p[P_TAU_REC]);
    }
    return pre[PRE_U] * pre[PRE_X];
}

static double etm_arrival(const double *p, const double *d, double *pre, double t_last, double t)
{
    (void)d;
    double u = p[P_U], x = 1.0;
    if (t_last != -INFINITY) {
        u = p[P_U] + sq_trace_at(pre[PRE_U] - p[P_U], t_last, t, p[P_TAU_FAC]);
        x = 1.0 + sq_trace_at(pre[PRE_X] - 1.0, t_last, t, p[P_TAU_REC]);
    }
    double factor = u * x;
    pre[PRE_X] = x - factor;
    pre[PRE_U] = u + p[P_F] * (1.0 - u);
    return factor;
}

const sq_plasticity_rule sq_rule_tsodyks_markram = {
    .name = "tsodyks_markram",
    .doc = "Tsodyks-Markram short-term depression and facilitation, exact, NEST tsodyks2 ordering",
    .params = tm_params,
    .n_params = SQ_COUNT(tm_params),
    .n_pre = 2,
    .presets = tm_presets,
    .n_presets = SQ_COUNT(tm_presets),
    .check = check_tm,
    .pre_arrival = tm_arrival,
};

const sq_plasticity_rule sq_rule_etm = {
    .name = "etm",
    .doc = "extended Tsodyks-Markram STP of Payeur et al. 2021 (u relaxes to U, release before update)",
    .params = etm_params,
    .n_params = SQ_COUNT(etm_params),
    .n_pre = 2,
    .presets = etm_presets,
    .n_presets = SQ_COUNT(etm_presets),
    .check = check_etm,
    .pre_arrival = etm_arrival,
};
