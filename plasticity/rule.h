/* plasticity/rule.h: the interface every synaptic plasticity rule implements (STDP, triplet STDP,
 * Tsodyks-Markram short-term plasticity, burst-dependent plasticity, ...), so that the engine (sim/)
 * runs any rule through the same few hooks and never sees its equations.
 *
 * State lives in three places, each beside what it belongs to (ARCHITECTURE.md "Learning"):
 *   - pre: n_pre doubles per (source neuron, delay group) of a plastic projection. Every synapse of
 *     a group receives the same spike train, so presynaptic traces (x_j, r1/r2, TM's u and R) are
 *     kept once per group, not once per synapse. They hold the values just after the group's last
 *     arrival; the engine keeps its time.
 *   - post: n_post doubles per target neuron of the projection, just after the neuron's last spike,
 *     and a record of the same n_post doubles for each recent spike (the engine's post history),
 *     so that a synapse can catch up on the post spikes since its last arrival when its next
 *     arrival comes (Morrison, Diesmann & Gerstner 2008, Biol Cybern 98:459, section 4; NEST's
 *     archiving node). That keeps the update exact and event-driven with no post-to-pre index.
 *   - syn: the weight (float, in the target model's weight unit) plus n_syn floats per synapse.
 * Traces are evaluated lazily and exactly: a hook receives a state and the time it refers to and
 * decays it to the time it needs (plasticity/traces.h).
 *
 * Order of the hooks for one synapse, with d the dendritic delay (a post spike at t_p reaches the
 * synapse at t_p + d): at an arrival at time t,
 *   1. on_post() once for every post spike with t_last <= t_p + d < t, in time order, with pre the
 *      group's state after its previous arrival at t_last (LTP side);
 *   2. on_pre() with pre that same state and post the neuron's state after its last spike with
 *      t_p + d < t (LTD side); it returns the weight the arrival delivers;
 *   3. pre_arrival() moves the group's state to t (once per group, not per synapse).
 * A post spike at the same time as an arrival is so paired with it as potentiation (Brian2's order:
 * pre pathway first), and every post spike is used by every synapse exactly once.
 *
 * Global signals: modulate() (reward, dopamine; later error or desire) and sample_end() reach the
 * rules of a projection from a driver between pieces of a run (sim/weights.h).
 *
 * Rules without on_pre and on_post (short-term plasticity) scale each arrival's weight by what
 * pre_arrival() returns and run on the engine's fast path.
 *
 * Bursts: a rule that needs events and bursts classifies the spikes in its own pre and post states
 * with neurons/bursts.h (burst_dependent.c does), so every synapse sees the classification of the
 * spike train as it reaches it. A modulatory signal (modulate(), below) is applied after every post
 * spike before it has been applied under the old signal. */
#ifndef SQ_PLASTICITY_RULE_H
#define SQ_PLASTICITY_RULE_H

#include <stddef.h>

#include "../sim/error.h"
#include "../sim/params.h"

/* The largest n_pre / n_post a rule may have (the engine keeps one state of each on the stack). */
#define SQ_MAX_RULE_STATE 8

/* A named parameter set of a rule (a paper's fitted values): a config selects it with "preset"
 * and may still override single parameters. */
typedef struct {
    const char *name;
    const char *doc;                 /* where the values come from */
    const char *const *param_names;
    const double *param_values;
    size_t n;
} sq_rule_preset;

typedef struct sq_plasticity_rule {
    const char *name; /* as configs name it, e.g. "stdp" */
    const char *doc;  /* one line for --help and the README */
    const sq_param_info *params;
    size_t n_params;
    size_t n_derived;
    size_t n_pre, n_post, n_syn;
    const sq_rule_preset *presets;
    size_t n_presets;

    /* Cross-field checks beyond the table's constraints; messages start with `where`
     * ("net.json: projections[0].plasticity.params"). Returns 0 or SQ_ECONFIG. */
    int (*check)(const double *p, const char *where, sq_err *err);
    /* Derived constants d[0..n_derived) from p. Cannot fail after check(). */
    void (*prepare)(const double *p, double *d);

    /* Moves the group's pre state from just after the arrival at t_last (-INFINITY and zeros
     * before the first) to just after the arrival at t >= t_last. Returns the factor by which this
     * arrival's weight is scaled (1 for rules that do not change the transmitted weight). */
    double (*pre_arrival)(const double *p, const double *d, double *pre, double t_last, double t);

    /* Moves the target's post state from just after its spike at t_last (-INFINITY and zeros
     * before the first) to just after its spike at t. NULL: the rule keeps no post state. */
    void (*post_spike)(const double *p, const double *d, double *post, double t_last, double t);

    /* One post spike reaching the synapse at time t: post is the state just after that spike, pre
     * the group's state after its last arrival at t_pre <= t. Updates *w (and syn). NULL: none. */
    void (*on_post)(const double *p, const double *d, const double *pre, double t_pre, const double *post, double t,
                    const double *mod, float *w, float *syn);

    /* An arrival at time t: pre is the group's state after its previous arrival at t_pre < t (or
     * -INFINITY), post the target's state after its last spike at t_post < t as the synapse sees it
     * (or -INFINITY and zeros). Both hooks also get the rule's modulatory state mod (see n_mod) as it
     * was after the last modulate(). Updates *w (and syn) and returns the weight to transmit. NULL:
     * the weight transmitted is *w times pre_arrival()'s factor. */
    double (*on_pre)(const double *p, const double *d, const double *pre, double t_pre, const double *post,
                     double t_post, double t, const double *mod, float *w, float *syn);

    /* Optional, for rules gated by a modulatory signal (reward, dopamine): n_mod doubles of state per
     * projection, just after the last modulate() at the engine-kept time t_last (-INFINITY and zeros
     * before the first). modulate() adds `amount` to the signal at time t (sq_sim_modulate). */
    size_t n_mod;
    void (*modulate)(const double *p, const double *d, double *mod, double t_last, double t, double amount);

    /* Optional: a clock-driven update of every synapse of the projection every sweep_interval(p) ms,
     * at the first window boundary at or after each multiple of it (the weight consolidation of
     * reward-modulated STDP: w += (modulator) * eligibility). The engine applies every post spike
     * before t first, so the synapse state is exact at t. mod is the modulatory state as of t_mod.
     * One call sweeps n synapses of one group: weights w[0..n), their states syn + k * syn_stride. */
    double (*sweep_interval)(const double *p);
    void (*sweep)(const double *p, const double *d, const double *mod, double t_mod, double t, float *w, float *syn,
                  size_t n, size_t syn_stride);

    /* Optional: the end of a sample or trial (sq_sim_end_sample), same arguments as sweep(): what
     * the rule does once a trial is over (rstdp: consolidate the eligibility under the signal now). */
    void (*sample_end)(const double *p, const double *d, const double *mod, double t_mod, double t, float *w, float *syn,
                       size_t n, size_t syn_stride);
} sq_plasticity_rule;

/* The rule called `name`, or NULL. Thread: any. */
const sq_plasticity_rule *sq_plasticity_rule_find(const char *name);

/* All rules, in registry order; *n receives the count. Thread: any. */
const sq_plasticity_rule *const *sq_plasticity_rules(size_t *n);

#endif
