/* sim/sim.c: sq_sim_create (validation of a network description, populations and initial states),
 * sq_sim_destroy and the read-only queries. Connectivity is built in synapses.c, devices in
 * devices.c, Poisson source trains in source_poisson.c, and the run loop lives in engine.c. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "internal.h"
#include "source_poisson.h"

static int is_source(const char *model)
{
    return model && (strcmp(model, "spike_source") == 0 || strcmp(model, "poisson_source") == 0);
}

#ifdef _OPENMP
#include <omp.h>
#endif

static int check_pop_model(const sq_net_spec *spec, size_t i, const sq_neuron_model **out, sq_err *err)
{
    const sq_pop_spec *ps = &spec->pops[i];
    *out = NULL;
    if (!ps->name || !ps->name[0])
        return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].name: expected a non-empty string",
                       spec->origin, i);
    if (ps->n == 0)
        return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].n: expected a positive integer, got 0",
                       spec->origin, i);
    if (is_source(ps->model))
        return 0;
    *out = ps->model ? sq_neuron_model_find(ps->model) : NULL;
    if (!*out) {
        size_t n;
        const sq_neuron_model *const *all = sq_neuron_models(&n);
        char names[256] = "";
        for (size_t k = 0; k < n; k++) {
            strncat(names, all[k]->name, sizeof names - strlen(names) - 1);
            strncat(names, ", ", sizeof names - strlen(names) - 1);
        }
        return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].model: expected one of %sspike_source, poisson_source, got \"%s\"",
                       spec->origin, i, names, ps->model ? ps->model : "(none)");
    }
    return 0;
}

/* The table's constraints, the model's cross-field checks, then its needs on the resolution. */
static int check_values(const sq_net_spec *spec, const sq_neuron_model *m, const double *values, const char *where,
                        sq_err *err)
{
    int rc = sq_param_check(m->params, m->n_params, values, where, err);
    if (rc == 0 && m->check)
        rc = m->check(values, where, err);
    if (rc == 0 && m->check_resolution) {
        char res_where[256];
        snprintf(res_where, sizeof res_where, "%s: simulation.resolution", spec->origin);
        rc = m->check_resolution(values, spec->resolution, res_where, err);
    }
    return rc;
}

static int set_params(const sq_net_spec *spec, size_t i, const sq_neuron_model *m, double *values, sq_err *err)
{
    const sq_pop_spec *ps = &spec->pops[i];
    sq_param_defaults(m->params, m->n_params, values);
    for (size_t k = 0; k < ps->n_params; k++) {
        int idx = sq_param_find(m->params, m->n_params, ps->param_names[k]);
        if (idx < 0)
            return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].params.%s: unknown parameter of model %s",
                           spec->origin, i, ps->param_names[k], m->name);
        values[idx] = ps->param_values[k];
    }
    char where[256];
    snprintf(where, sizeof where, "%s: populations[%zu].params", spec->origin, i);
    return check_values(spec, m, values, where, err);
}

/* Applies per-neuron overrides: params/derived become n-long arrays. */
static int apply_overrides(const sq_net_spec *spec, size_t i, sq__pop *p, sq_err *err)
{
    const sq_pop_spec *ps = &spec->pops[i];
    const sq_neuron_model *m = p->model;
    double *pn = malloc((size_t)p->n * m->n_params * sizeof *pn);
    double *dn = malloc((size_t)p->n * (m->n_derived ? m->n_derived : 1) * sizeof *dn);
    if (!pn || !dn) {
        free(pn);
        free(dn);
        return sq_fail(err, SQ_ENOMEM, "%s: populations[%zu]: out of memory for per-neuron parameters",
                       spec->origin, i);
    }
    for (uint32_t j = 0; j < p->n; j++)
        memcpy(pn + (size_t)j * m->n_params, p->params, m->n_params * sizeof *pn);
    free(p->params);
    free(p->derived);
    p->params = pn;
    p->derived = dn;
    p->per_neuron = 1;
    for (size_t k = 0; k < ps->n_overrides; k++) {
        const sq_override *o = &ps->overrides[k];
        int idx = sq_param_find(m->params, m->n_params, o->param);
        if (o->id >= p->n)
            return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].overrides[%zu].id: expected a neuron index below %u, got %u",
                           spec->origin, i, k, p->n, o->id);
        if (idx < 0)
            return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].overrides[%zu].params.%s: unknown parameter of model %s",
                           spec->origin, i, k, o->param, m->name);
        pn[(size_t)o->id * m->n_params + (size_t)idx] = o->value;
    }
    for (size_t k = 0; k < ps->n_overrides; k++) {
        uint32_t id = ps->overrides[k].id;
        char where[256];
        snprintf(where, sizeof where, "%s: populations[%zu].overrides[%zu].params", spec->origin, i, k);
        int rc = check_values(spec, m, pn + (size_t)id * m->n_params, where, err);
        if (rc < 0)
            return rc;
    }
    for (uint32_t j = 0; j < p->n; j++)
        m->prepare(pn + (size_t)j * m->n_params, dn + (size_t)j * m->n_derived, spec->resolution);
    return 0;
}

int sq_spike_compare(const void *a, const void *b)
{
    const sq_spike *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->pop != y->pop)
        return x->pop < y->pop ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* The population's spikes (ids[k], times[k]), checked and sorted by (time, id) into src_t, src_id. */
static int store_source(const sq_net_spec *spec, size_t i, sq__pop *p, const uint32_t *ids, const double *times,
                        size_t n, sq_err *err)
{
    sq_spike *tmp = malloc((n ? n : 1) * sizeof *tmp);
    p->src_t = malloc((n ? n : 1) * sizeof *p->src_t);
    p->src_id = malloc((n ? n : 1) * sizeof *p->src_id);
    if (!tmp || !p->src_t || !p->src_id) {
        free(tmp);
        return sq_fail(err, SQ_ENOMEM, "%s: populations[%zu].spike_times: out of memory", spec->origin, i);
    }
    for (size_t k = 0; k < n; k++) {
        double t = times[k];
        if (ids[k] >= p->n || !(t >= 0.0) || !isfinite(t)) {
            free(tmp);
            if (ids[k] >= p->n)
                return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].spike_times: expected neuron indices below %u, got %u",
                               spec->origin, i, p->n, ids[k]);
            return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].spike_times[%u]: expected times >= 0 in ms, got %g",
                           spec->origin, i, ids[k], t);
        }
        tmp[k] = (sq_spike){t, 0, ids[k]};
    }
    qsort(tmp, n, sizeof *tmp, sq_spike_compare); /* pop 0 throughout: (time, id) */
    for (size_t k = 0; k < n; k++) {
        p->src_t[k] = tmp[k].t;
        p->src_id[k] = tmp[k].id;
    }
    p->n_src = n;
    free(tmp);
    return 0;
}

static int build_source(const sq_net_spec *spec, size_t i, sq__pop *p, sq_err *err)
{
    const sq_pop_spec *ps = &spec->pops[i];
    if (strcmp(ps->model, "spike_source") == 0)
        return store_source(spec, i, p, ps->spike_ids, ps->spike_times, ps->n_spikes, err);
    uint32_t *ids;
    double *times;
    size_t n;
    int rc = sq__poisson_source_draw(spec, i, &ids, &times, &n, err);
    if (rc == 0)
        rc = store_source(spec, i, p, ids, times, n, err);
    free(ids);
    free(times);
    return rc;
}

static int build_pop(sq_sim *sim, const sq_net_spec *spec, size_t i, sq_err *err)
{
    const sq_pop_spec *ps = &spec->pops[i];
    sq__pop *p = &sim->pops[i];
    const sq_neuron_model *m;
    int rc = check_pop_model(spec, i, &m, err);
    if (rc < 0)
        return rc;
    for (size_t k = 0; k < i; k++)
        if (strcmp(spec->pops[k].name, ps->name) == 0)
            return sq_fail(err, SQ_ECONFIG, "%s: populations[%zu].name: expected a unique name, got \"%s\" again",
                           spec->origin, i, ps->name);
    p->name = strdup(ps->name);
    p->n = ps->n;
    p->model = m;
    /* Assert, not an error: the registry's models are ours, and model.h caps n_state. */
    assert(!m || m->n_state <= SQ_MAX_STATE);
    if (!p->name)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    if (!m)
        return build_source(spec, i, p, err);
    p->params = malloc(m->n_params * sizeof *p->params);
    p->derived = malloc((m->n_derived ? m->n_derived : 1) * sizeof *p->derived);
    p->state = sq__zalloc_lines((size_t)p->n * m->n_state * sizeof *p->state);
    if (!p->params || !p->derived || !p->state)
        return sq_fail(err, SQ_ENOMEM, "%s: populations[%zu]: out of memory for %u neurons", spec->origin, i, p->n);
    if ((rc = set_params(spec, i, m, p->params, err)) < 0)
        return rc;
    m->prepare(p->params, p->derived, spec->resolution);
    if (ps->n_overrides && (rc = apply_overrides(spec, i, p, err)) < 0)
        return rc;
    if (ps->has_v_init) {
        char where[256];
        snprintf(where, sizeof where, "%s: populations[%zu].v_init", spec->origin, i);
        if ((rc = sq_dist_check(&ps->v_init, where, "mV", err)) < 0)
            return rc;
    }
    for (uint32_t j = 0; j < p->n; j++) {
        uint32_t gid = p->first + j;
        double *s = sq__state(p, gid);
        m->init(sq__params(p, gid), sq__derived(p, gid), s, 0.0);
        if (m->seed)
            m->seed(s, sim->seed, sq_stream_id(SQ_STREAM_NEURON, i, j));
        if (ps->has_v_init) {
            sq_rng r;
            sq_rng_init(&r, sim->seed, sq_stream_id(SQ_STREAM_INIT, i, j));
            s[m->v_index] = sq_dist_sample(&ps->v_init, &r);
        }
    }
    return 0;
}

static uint32_t resolve_threads(uint32_t threads)
{
#ifdef _OPENMP
    return threads ? threads : (uint32_t)omp_get_max_threads();
#else
    (void)threads;
    return 1;
#endif
}

int sq_sim_create(const sq_net_spec *spec, sq_sim **out, sq_err *err)
{
    int rc;
    *out = NULL;
    const char *origin = spec->origin ? spec->origin : "network";
    sq_net_spec sp = *spec;
    sp.origin = origin;
    if (!(sp.resolution > 0.0) || !isfinite(sp.resolution))
        return sq_fail(err, SQ_ECONFIG, "%s: simulation.resolution: expected a positive number in ms, got %g",
                       origin, sp.resolution);
    if (sp.n_pops == 0)
        return sq_fail(err, SQ_ECONFIG, "%s: populations: expected at least one population, got none", origin);
    if (sp.n_pops > UINT16_MAX)
        return sq_fail(err, SQ_ERANGE, "%s: populations: expected at most %d populations, got %zu", origin,
                       UINT16_MAX, sp.n_pops);
    sq_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    sim->origin = strdup(origin);
    sim->seed = sp.seed;
    sim->resolution = sp.resolution;
    sim->pops = calloc(sp.n_pops, sizeof *sim->pops);
    sim->n_pops = sp.n_pops;
    if (!sim->origin || !sim->pops) {
        rc = sq_fail(err, SQ_ENOMEM, "out of memory");
        goto fail;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < sp.n_pops; i++) {
        sim->pops[i].first = (uint32_t)total;
        total += sp.pops[i].n;
        if (total >= UINT32_MAX) {
            rc = sq_fail(err, SQ_ERANGE, "%s: populations[%zu].n: expected at most %u neurons in all, got %llu",
                         origin, i, UINT32_MAX - 1, (unsigned long long)total);
            goto fail;
        }
    }
    sim->n_neurons = (uint32_t)total;
    for (size_t i = 0; i < sp.n_pops; i++)
        if ((rc = build_pop(sim, &sp, i, err)) < 0)
            goto fail;
    sim->pop_of = malloc((size_t)sim->n_neurons * sizeof *sim->pop_of + 1);
    if (!sim->pop_of) {
        rc = sq_fail(err, SQ_ENOMEM, "out of memory for %u neurons", sim->n_neurons);
        goto fail;
    }
    for (size_t i = 0; i < sp.n_pops; i++)
        for (uint32_t j = 0; j < sim->pops[i].n; j++)
            sim->pop_of[sim->pops[i].first + j] = (uint16_t)i;
    if ((rc = sq__parts_create(sim, resolve_threads(sp.threads), err)) < 0)
        goto fail;
    if ((rc = sq__learning_build(sim, &sp, err)) < 0)
        goto fail;
    if ((rc = sq__synapses_build(sim, &sp, err)) < 0)
        goto fail;
    if ((rc = sq__devices_build(sim, &sp, err)) < 0)
        goto fail;
    sim->in_count = sq__zalloc_lines(((size_t)sim->n_neurons + 1) * sizeof *sim->in_count);
    sim->in_end = sq__zalloc_lines(((size_t)sim->n_neurons + 1) * sizeof *sim->in_end);
    sim->in_listed = sq__zalloc_lines(((size_t)sim->n_neurons + 1) * sizeof *sim->in_listed);
    if (!sim->in_count || !sim->in_end || !sim->in_listed || sq__parts_prepare_run(sim) < 0 ||
        sq__learning_prepare_parts(sim) < 0) {
        rc = sq_fail(err, SQ_ENOMEM, "out of memory for the spike queue");
        goto fail;
    }
    atomic_init(&sim->progress_t, 0.0);
    atomic_init(&sim->progress_spikes, 0);
    atomic_init(&sim->stop_requested, 0);
    *out = sim;
    return 0;
fail:
    sq_sim_destroy(sim);
    return rc;
}

void sq_sim_destroy(sq_sim *sim)
{
    if (!sim)
        return;
    for (size_t i = 0; sim->pops && i < sim->n_pops; i++) {
        sq__pop *p = &sim->pops[i];
        free(p->name);
        free(p->params);
        free(p->derived);
        free(p->state);
        free(p->src_t);
        free(p->src_id);
    }
    if (sim->parts)
        sq__learning_free(sim);
    free(sim->pops);
    free(sim->pop_of);
    sq__parts_free(sim);
    free(sim->stream_off);
    free(sim->streams);
    free(sim->next_stream);
    free(sim->poisson_devs);
    free(sim->poisson_off);
    free(sim->poisson_links);
    free(sim->active);
    free(sim->in_count);
    free(sim->in_end);
    free(sim->in_listed);
    for (size_t r = 0; sim->recs && r < sim->n_recs; r++) {
        free(sim->recs[r].gids);
        free(sim->recs[r].rows);
    }
    free(sim->recs);
    free(sim->out);
    free(sim->origin);
    free(sim);
}

void sq_sim_set_observer(sq_sim *sim, const sq_sim_observer *obs)
{
    if (obs)
        sim->obs = *obs;
    else
        memset(&sim->obs, 0, sizeof sim->obs);
}

void sq_sim_request_stop(sq_sim *sim)
{
    atomic_store(&sim->stop_requested, 1);
}

double sq_sim_time(const sq_sim *sim)
{
    return atomic_load(&((sq_sim *)sim)->progress_t);
}

uint64_t sq_sim_spike_count(const sq_sim *sim)
{
    return atomic_load(&((sq_sim *)sim)->progress_spikes);
}

void sq_sim_get_stats(const sq_sim *sim, sq_sim_stats *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t k = 0; k < sim->n_parts; k++) {
        const sq__synapses *s = &sim->parts[k].syn;
        out->n_synapses += s->n_synapses;
        out->synapse_bytes += s->n_synapses * (sizeof *s->target + sizeof *s->weight) +
                              s->n_groups * (sizeof *s->syn_off + sizeof *s->group_delay) +
                              ((uint64_t)sim->n_neurons + 1) * sizeof *s->group_off;
        out->n_events += sim->parts[k].n_events;
    }
    sq__learning_stats(sim, &out->n_plastic, &out->plasticity_bytes);
    out->n_neurons = sim->n_neurons;
    out->threads = sim->team ? sim->team : sim->n_parts;
    out->min_delay = sim->min_delay;
    out->max_delay = sim->max_delay;
    out->resolution = sim->resolution;
}

size_t sq_sim_population_count(const sq_sim *sim) { return sim->n_pops; }

const char *sq_sim_population_name(const sq_sim *sim, size_t pop)
{
    return pop < sim->n_pops ? sim->pops[pop].name : NULL;
}

uint32_t sq_sim_population_size(const sq_sim *sim, size_t pop)
{
    return pop < sim->n_pops ? sim->pops[pop].n : 0;
}

uint64_t sq_sim_population_spikes(const sq_sim *sim, size_t pop)
{
    return pop < sim->n_pops ? sim->pops[pop].spikes : 0;
}
