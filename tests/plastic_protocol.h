/* tests/plastic_protocol.h: pairing protocols for the plasticity tests: pre neurons whose spikes
 * arrive at a synapse at chosen times, and a post neuron that fires exactly at chosen times (a
 * driver's 50 mV input onto V_th - E_L = 20 mV), run through the engine with a chosen rule; the
 * weights come back sorted by pre neuron. */
#ifndef SQ_TEST_PLASTIC_PROTOCOL_H
#define SQ_TEST_PLASTIC_PROTOCOL_H

#include <check.h>
#include <stdlib.h>

#include "sim/sim.h"
#include "sim/weights.h"
#include "spike_record.h"

#define SQ_PROTOCOL_MAX 4096

static inline void sq_protocol_on_spikes(void *ud, const sq_spike *s, size_t n)
{
    sq_test_spikes_add(ud, s, n);
}

static inline sq_sim *make(const sq_net_spec *spec, sq_test_spikes *rec)
{
    sq_sim *sim;
    sq_err err = {0};
    ck_assert_msg(sq_sim_create(spec, &sim, &err) == 0, "sq_sim_create: %s", err.msg);
    sq_sim_observer obs = {sq_protocol_on_spikes, NULL, rec};
    sq_sim_set_observer(sim, &obs);
    return sim;
}

static inline sq_weights weights_of(sq_sim *sim, const char *name)
{
    sq_weights w;
    sq_err err = {0};
    ck_assert_msg(sq_sim_get_weights(sim, name, &w, &err) == 0, "%s", err.msg);
    return w;
}

/* A post neuron that fires exactly when a driver spike arrives (50 mV onto V_th - E_L = 20 mV), and
 * pre neurons whose 0.5 mV inputs never make it fire. */
static const char *const lif_names[] = {"tau_m", "E_L", "V_th", "V_reset", "t_ref", "C_m"};
static const double lif_vals[] = {20.0, 0.0, 20.0, 0.0, 2.0, 250.0};

typedef struct {
    uint32_t pre_ids[SQ_PROTOCOL_MAX], drv_ids[SQ_PROTOCOL_MAX];
    double pre_t[SQ_PROTOCOL_MAX], drv_t[SQ_PROTOCOL_MAX];
    size_t n_pre, n_drv;
    uint32_t n_pre_neurons;
} protocol;

/* Pre neuron `id` arrives at the synapse at t (1 ms delay); the post neuron fires at t. */
static inline void arrive(protocol *p, uint32_t id, double t)
{
    p->pre_ids[p->n_pre] = id;
    p->pre_t[p->n_pre++] = t - 1.0;
    if (id + 1 > p->n_pre_neurons)
        p->n_pre_neurons = id + 1;
}

static inline void fire(protocol *p, double t)
{
    p->drv_ids[p->n_drv] = 0;
    p->drv_t[p->n_drv++] = t - 1.0;
}

/* The network of the protocol with the rule of pl on pre -> post (w0 = 0.5); the caller runs it. */
static inline sq_sim *protocol_sim(const protocol *pr, const sq_plasticity_spec *pl, sq_test_spikes *rec)
{
    sq_pop_spec pops[] = {
        {.name = "pre", .n = pr->n_pre_neurons, .model = "spike_source", .spike_ids = pr->pre_ids,
         .spike_times = pr->pre_t, .n_spikes = pr->n_pre},
        {.name = "drv", .n = 1, .model = "spike_source", .spike_ids = pr->drv_ids, .spike_times = pr->drv_t,
         .n_spikes = pr->n_drv},
        {.name = "post", .n = 1, .model = "lif_delta", .param_names = lif_names, .param_values = lif_vals, .n_params = 6}};
    sq_proj_spec projs[] = {
        {.source = "pre", .target = "post", .connector = {.rule = SQ_CONN_ALL_TO_ALL, .autapses = 1, .multapses = 1},
         .weight = sq_dist_constant(0.5), .delay = sq_dist_constant(1.0), .plasticity = pl},
        {.source = "drv", .target = "post", .connector = {.rule = SQ_CONN_ALL_TO_ALL, .autapses = 1, .multapses = 1},
         .weight = sq_dist_constant(50.0), .delay = sq_dist_constant(1.0)}};
    sq_net_spec spec = {.origin = "test", .resolution = 0.1, .seed = 1, .pops = pops, .n_pops = 3, .projs = projs,
                        .n_projs = 2};
    return make(&spec, rec);
}

/* Runs the protocol with the rule of pl (w0 = 0.5) and returns the weights. */
static inline sq_weights run_rule(const protocol *pr, const sq_plasticity_spec *pl, double t_stop)
{
    sq_test_spikes rec = {0};
    sq_sim *sim = protocol_sim(pr, pl, &rec);
    ck_assert_int_eq(sq_sim_run(sim, t_stop, NULL), 0);
    size_t n_post = 0;
    for (size_t i = 0; i < rec.n; i++)
        n_post += rec.s[i].pop == 2;
    ck_assert_uint_eq(n_post, pr->n_drv); /* the post neuron fired exactly when driven */
    sq_weights w = weights_of(sim, "pre_to_post");
    ck_assert_uint_eq(w.n, pr->n_pre_neurons);
    sq_sim_destroy(sim);
    free(rec.s);
    return w;
}

/* Pair STDP ("stdp") with the given parameters. */
static inline sq_weights run_protocol(const protocol *pr, const char *const *names, const double *vals, size_t n,
                                      double dendritic_delay, double t_stop)
{
    sq_plasticity_spec stdp = {.rule = "stdp", .param_names = names, .param_values = vals, .n_params = n,
                               .dendritic_delay = dendritic_delay};
    return run_rule(pr, &stdp, t_stop);
}

#endif
