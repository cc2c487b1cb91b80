/* neurons/model.h: the interface every neuron model implements, so that the engine (sim/) advances
 * any model through the same few calls and never sees its equations.
 *
 * A model works on one neuron at a time: `p` its parameters (sq_param_info order), `d` the derived
 * constants computed once by prepare(), `s` its state (n_state doubles; s[0] is always the time in
 * ms the state refers to). Units everywhere: ms, mV, pA, pF, nS, Hz.
 *
 * Event-driven contract: the engine calls advance() to move a neuron to the time of its next input,
 * input() to apply that input, and next_check() to learn when it must look at the neuron again if no
 * input comes. Between those calls the model is exact: closed-form propagation where the ODE allows
 * it, and threshold crossings located in continuous time, not on a grid. */
#ifndef SQ_NEURON_MODEL_H
#define SQ_NEURON_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"
#include "../sim/params.h"

/* s[0] of every model's state: the time in ms the state refers to. */
#define SQ_STATE_T 0

/* The largest n_state a model may have (the engine copies states onto the stack to sample V_m). */
#define SQ_MAX_STATE 16

typedef struct sq_neuron_model {
    const char *name; /* as configs name it, e.g. "lif_delta" */
    const char *doc;  /* one line for --help and the README */
    const sq_param_info *params;
    size_t n_params;
    size_t n_derived;
    size_t n_state;                  /* doubles per neuron, s[0] included */
    const char *const *state_names;  /* n_state names; state_names[0] is "t" */
    size_t v_index;                  /* index of V_m (mV) in the state */
    const char *weight_unit;         /* unit of a synaptic weight for this model: "mV" or "pA" */
    int every_window;                /* 1: a model on the time grid, whose threshold is tested at every
                                        grid point; the engine visits its neurons every window instead
                                        of filing next_check() in its wake calendar */

    /* Cross-field checks beyond the table's constraints (e.g. V_reset < V_th). Messages start with
     * `where` ("net.json: populations[0].params") and name the fields and values. Returns 0 or
     * SQ_ECONFIG. */
    int (*check)(const double *p, const char *where, sq_err *err);

    /* Optional, for models with a time step of their own: checks that the simulation's resolution
     * h (ms) suits the parameters p (e.g. divides the model's step). `where` is
     * "<origin>: simulation.resolution"; the message names the model and the value. Called with the
     * population's parameters and with each neuron's that has overrides. Returns 0 or SQ_ECONFIG. */
    int (*check_resolution)(const double *p, double h, const char *where, sq_err *err);

    /* Computes the derived constants d[0..n_derived) from p and the simulation's resolution h (ms),
     * which models integrated in continuous time ignore. Cannot fail after check(). */
    void (*prepare)(const double *p, double *d, double h);

    /* Resting state at time t0 (V_m = E_L, currents 0, not refractory). The engine may then
     * overwrite s[v_index] with a user-given initial value. */
    void (*init)(const double *p, const double *d, double *s, double t0);

    /* Advances s from s[0] to t (t >= s[0]) with no input in between. If V_m reaches threshold at
     * some t* in (s[0], t], stops there: s becomes the state just after the reset at t*,
     * *t_spike = t*, and it returns 1; the engine records the spike and calls again. Otherwise s
     * is the state at t and it returns 0. */
    int (*advance)(const double *p, const double *d, double *s, double t, double *t_spike);

    /* Applies a synaptic input of weight w at time s[0] (the engine has advanced s there). The sign
     * of w selects the receptor where the model has two (w >= 0 excitatory). Returns 1 if the
     * input makes the neuron fire at that instant (s is then reset), else 0. */
    int (*input)(const double *p, const double *d, double *s, double w);

    /* Optional, for models with more than one input site (a soma and a dendrite): receptors[0 ..
     * n_receptors) name them ("soma", "dendrite"), a projection or device picks one by name
     * ("receptor" in the config; default the first), and the engine calls input_receptor() with its
     * index instead of input(); the sign of w still selects excitation or inhibition. NULL / 0 for
     * models with one site, which the engine feeds through input(). */
    const char *const *receptors;
    size_t n_receptors;
    int (*input_receptor)(const double *p, const double *d, double *s, double w, unsigned receptor);
    /* add_current() into one input site (a dc_generator with a "receptor"); NULL: only the first. */
    void (*add_current_receptor)(const double *p, const double *d, double *s, double di, unsigned receptor);

    /* Optional: gives a model with its own noise a key of its own, after init(): the engine passes
     * a counter-based stream id unique to the neuron and the seed (sim/rng.h), and the model keeps
     * what it needs of them in its state, so its noise does not depend on threads or visit order. */
    void (*seed)(double *s, uint64_t seed, uint64_t stream);

    /* Adds di pA to the injected current from s[0] on (DC generators switching on and off). */
    void (*add_current)(const double *p, const double *d, double *s, double di);

    /* The earliest time at which, with no further input, V_m could reach threshold: a lower bound
     * on the next crossing, or INFINITY when none can happen. The engine calls advance() up to
     * that time when it comes due, so a bound that is too early only costs time, never accuracy;
     * a bound that is too late would miss a spike. */
    double (*next_check)(const double *p, const double *d, const double *s);

    /* Optional fast path (NULL: the engine calls advance/input per input instead). Applies the
     * inputs of two lists, each sorted by time and all in [s[0], t_end): (ta[k], wa[k]), k < na
     * (synaptic inputs) and (tb[k], wb[k]), k < nb (Poisson inputs), merged in time order with a's
     * input first on equal times, calling emit(ctx, t_spike) for every spike in time order. Both
     * lists carry a sentinel ta[na] = tb[nb] = INFINITY, so a merge needs no bounds checks. Then,
     * lazily: only if next_check() of the state is before t_end does it advance to t_end (and
     * emit what fires); a neuron that cannot fire before t_end stays at its last input. Returns
     * next_check() of the state it leaves. Must give exactly the state, spikes and result of
     * advance(t) + input(w) per merged input followed by that same lazy rule. */
    double (*integrate)(const double *p, const double *d, double *s, const double *ta, const float *wa, size_t na,
                        const double *tb, const float *wb, size_t nb, double t_end,
                        void (*emit)(void *ctx, double t_spike), void *ctx);
} sq_neuron_model;

/* The model called `name`, or NULL. Thread: any. */
const sq_neuron_model *sq_neuron_model_find(const char *name);

/* All models, in registry order; *n receives the count. Thread: any. */
const sq_neuron_model *const *sq_neuron_models(size_t *n);

#endif
