/* io/config_pops.c: reads the "populations" array of an experiment config into sq_pop_spec values:
 * name, size, model (a neuron model from neurons/registry.c, "spike_source" or "poisson_source"),
 * parameters checked against the model's sq_param_info table, v_init, per-neuron overrides, for spike
 * sources the spike lists flattened into (id, time) pairs or an "encoder" that fills them from a
 * dataset (io/config_encoder.c), and for Poisson sources rate, start and stop. Schema: README.md
 * "Configuration". Tested through tests/test_config.c, tests/test_poisson_source.c and
 * tests/test_config_encoder.c. */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

#include "../neurons/model.h"

static const char *const pop_keys[] = {"name", "n", "model", "params", "v_init", "overrides",
                                       "spike_times", "rate", "start", "stop", "encoder"};
static const char *const poisson_source_keys[] = {"rate", "start", "stop"};
static const char *const override_keys[] = {"id", "params"};

/* Keys of an object other than "comment" (0 for a non-object, which a later check rejects). */
static size_t count_keys(const json_t *obj)
{
    return json_object_size(obj) - (json_object_get(obj, "comment") ? 1 : 0);
}

static int read_model(sq__cfg_ctx *c, const json_t *v, const char *where,
                      const sq_neuron_model **out, const char **name)
{
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, "model");
    if (json_is_string(v)) {
        *name = json_string_value(v);
        *out = sq_neuron_model_find(*name);
        if (*out || strcmp(*name, "spike_source") == 0 || strcmp(*name, "poisson_source") == 0)
            return 0;
    }
    size_t n;
    const sq_neuron_model *const *models = sq_neuron_models(&n);
    char what[256] = "one of ";
    for (size_t i = 0; i < n; i++) {
        sq__cfg_append(what, sizeof what, models[i]->name);
        sq__cfg_append(what, sizeof what, ", ");
    }
    sq__cfg_append(what, sizeof what, "spike_source, poisson_source");
    return sq__cfg_expected(c, path, what, v);
}

/* The model's parameter table, for sq__cfg_param. */
static sq__cfg_table model_table(const sq_neuron_model *m)
{
    return (sq__cfg_table){m->params, m->n_params, "model", m->name, m->weight_unit};
}

static int read_params(sq__cfg_ctx *c, const json_t *obj, const char *where, const sq_neuron_model *m,
                       sq_pop_spec *p)
{
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, "params");
    sq__cfg_table t = model_table(m);
    return sq__cfg_params(c, &t, obj, path, "an object of parameter values", &p->param_names, &p->param_values,
                          &p->n_params);
}

static int read_overrides(sq__cfg_ctx *c, const json_t *arr, const char *where,
                          const sq_neuron_model *m, sq_pop_spec *p)
{
    char path[SQ__CFG_PATH], item[SQ__CFG_PATH], sub[SQ__CFG_PATH];
    sq__cfg_join(path, where, "overrides");
    if (!json_is_array(arr))
        return sq__cfg_expected(c, path, "an array of {\"id\", \"params\"} objects", arr);
    size_t total = 0;
    for (size_t i = 0; i < json_array_size(arr); i++)
        total += count_keys(json_object_get(json_array_get(arr, i), "params"));
    sq_override *ov = sq__cfg_alloc(c, total, sizeof *ov);
    if (!ov)
        return SQ_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);
        sq__cfg_index(item, path, i);
        int rc = sq__cfg_object(c, e, item, override_keys, SQ_COUNT(override_keys));
        uint64_t id = 0;
        sq__cfg_join(sub, item, "id");
        if (rc == 0)
            rc = sq__cfg_uint(c, json_object_get(e, "id"), sub, 0, p->n - 1, "a neuron index", &id);
        if (rc < 0)
            return rc;
        const json_t *params = json_object_get(e, "params");
        sq__cfg_join(sub, item, "params");
        if (!json_is_object(params))
            return sq__cfg_expected(c, sub, "an object of parameter values", params);
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)params, key, v) {
            if (strcmp(key, "comment") == 0)
                continue;
            sq__cfg_table t = model_table(m);
            if ((rc = sq__cfg_param(c, &t, sub, key, v, &ov[k].value)) < 0)
                return rc;
            ov[k].id = (uint32_t)id;
            ov[k++].param = key;
        }
    }
    p->overrides = ov;
    p->n_overrides = k;
    return 0;
}

/* One list of times per neuron, flattened into (id, time) pairs. */
static int read_spike_times(sq__cfg_ctx *c, const json_t *arr, const char *where, sq_pop_spec *p)
{
    char path[SQ__CFG_PATH], item[SQ__CFG_PATH], elem[SQ__CFG_PATH];
    sq__cfg_join(path, where, "spike_times");
    if (!json_is_array(arr) || json_array_size(arr) != p->n) {
        char what[96];
        snprintf(what, sizeof what, "an array of %u lists of times in ms (one per neuron)", p->n);
        if (json_is_array(arr))
            return sq_fail(c->err, SQ_ECONFIG, "%s: %s: expected %s, got %zu lists", c->origin, path,
                           what, json_array_size(arr));
        return sq__cfg_expected(c, path, what, arr);
    }
    size_t total = 0;
    for (size_t i = 0; i < p->n; i++)
        total += json_array_size(json_array_get(arr, i));
    uint32_t *ids = sq__cfg_alloc(c, total, sizeof *ids);
    double *times = sq__cfg_alloc(c, total, sizeof *times);
    if (!ids || !times)
        return SQ_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
        const json_t *list = json_array_get(arr, i);
        sq__cfg_index(item, path, i);
        if (!json_is_array(list))
            return sq__cfg_expected(c, item, "an array of times in ms", list);
        for (size_t j = 0; j < json_array_size(list); j++) {
            sq__cfg_index(elem, item, j);
            int rc = sq__cfg_number(c, json_array_get(list, j), elem, "ms", &times[k]);
            if (rc < 0)
                return rc;
            if (!(times[k] >= 0.0))
                return sq__cfg_expected(c, elem, "a non-negative number in ms",
                                        json_array_get(list, j));
            ids[k++] = (uint32_t)i;
        }
    }
    p->spike_ids = ids;
    p->spike_times = times;
    p->n_spikes = k;
    return 0;
}

static int not_for_model(sq__cfg_ctx *c, const char *where, const char *key, const char *model,
                         const char *who)
{
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    return sq_fail(c->err, SQ_ECONFIG, "%s: %s: not allowed for model %s (only for %s)", c->origin, path,
                   model, who);
}

/* rate (Hz, required), start (ms, default 0) and stop (ms, required and finite: the trains are drawn
 * when the network is built). */
static int read_poisson_source(sq__cfg_ctx *c, const json_t *v, const char *where, sq_pop_spec *p)
{
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, "rate");
    int rc = sq__cfg_number(c, json_object_get(v, "rate"), path, "Hz", &p->rate);
    if (rc == 0 && !(p->rate >= 0.0))
        rc = sq__cfg_expected(c, path, "a non-negative number in Hz", json_object_get(v, "rate"));
    if (rc == 0)
        rc = sq__cfg_opt_time(c, v, where, "start", 0.0, 1, &p->start);
    sq__cfg_join(path, where, "stop");
    if (rc == 0)
        rc = sq__cfg_number(c, json_object_get(v, "stop"), path, "ms", &p->stop);
    if (rc == 0 && !(p->stop >= p->start)) {
        char what[96];
        snprintf(what, sizeof what, "a time in ms not before start (%g)", p->start);
        rc = sq__cfg_expected(c, path, what, json_object_get(v, "stop"));
    }
    return rc;
}

/* The first of keys[0..n) that v has, or NULL. */
static const char *first_key(const json_t *v, const char *const *keys, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (json_object_get(v, keys[k]))
            return keys[k];
    return NULL;
}

static int population(sq__cfg_ctx *c, const json_t *v, const char *where, size_t index, sq_pop_spec *p)
{
    char path[SQ__CFG_PATH];
    uint64_t n;
    const sq_neuron_model *m = NULL;
    int rc = sq__cfg_object(c, v, where, pop_keys, SQ_COUNT(pop_keys));
    if (rc < 0)
        return rc;
    sq__cfg_join(path, where, "name");
    if ((rc = sq__cfg_name(c, json_object_get(v, "name"), path, &p->name)) < 0)
        return rc;
    sq__cfg_join(path, where, "n");
    if ((rc = sq__cfg_uint(c, json_object_get(v, "n"), path, 1, UINT32_MAX, "a positive integer",
                           &n)) < 0)
        return rc;
    p->n = (uint32_t)n;
    if ((rc = read_model(c, json_object_get(v, "model"), where, &m, &p->model)) < 0)
        return rc;
    const json_t *params = json_object_get(v, "params");
    const json_t *v_init = json_object_get(v, "v_init");
    const json_t *overrides = json_object_get(v, "overrides");
    const json_t *spikes = json_object_get(v, "spike_times");
    const json_t *encoder = json_object_get(v, "encoder");
    const char *ps_key = first_key(v, poisson_source_keys, SQ_COUNT(poisson_source_keys));
    int poisson = strcmp(p->model, "poisson_source") == 0;
    if (ps_key && !poisson)
        return not_for_model(c, where, ps_key, p->model, "poisson_source");
    if ((spikes || encoder) && poisson)
        return not_for_model(c, where, spikes ? "spike_times" : "encoder", p->model, "spike_source");
    if (!m) {
        /* An empty params object is allowed: the reader adds one to every population (see
         * io/config.c) so that --set can create parameters. */
        int bad_params = params && (!json_is_object(params) || count_keys(params));
        if (bad_params || v_init || overrides)
            return not_for_model(c, where, bad_params ? "params" : v_init ? "v_init" : "overrides",
                                 p->model, "neuron models");
        if (poisson)
            return read_poisson_source(c, v, where, p);
        if (spikes && encoder) {
            sq__cfg_join(path, where, "encoder");
            return sq_fail(c->err, SQ_ECONFIG, "%s: %s: expected either spike_times or an encoder, got both",
                           c->origin, path);
        }
        if (encoder)
            return sq__cfg_encoder(c, encoder, where, index, p);
        return spikes ? read_spike_times(c, spikes, where, p) : 0;
    }
    if (spikes || encoder)
        return not_for_model(c, where, spikes ? "spike_times" : "encoder", p->model, "spike_source");
    if (params && (rc = read_params(c, params, where, m, p)) < 0)
        return rc;
    if (v_init) {
        sq__cfg_join(path, where, "v_init");
        if ((rc = sq__cfg_dist(c, v_init, path, "mV", &p->v_init)) < 0)
            return rc;
        p->has_v_init = 1;
    }
    return overrides ? read_overrides(c, overrides, where, m, p) : 0;
}

int sq__cfg_populations(sq__cfg_ctx *c, const json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return sq__cfg_expected(c, "populations", "a non-empty array of population objects", arr);
    size_t n = json_array_size(arr);
    sq_pop_spec *pops = sq__cfg_alloc(c, n, sizeof *pops);
    if (!pops)
        return SQ_ENOMEM;
    char where[SQ__CFG_PATH], path[SQ__CFG_PATH];
    for (size_t i = 0; i < n; i++) {
        sq__cfg_index(where, "populations", i);
        int rc = population(c, json_array_get(arr, i), where, i, &pops[i]);
        if (rc < 0)
            return rc;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(pops[j].name, pops[i].name) != 0)
                continue;
            sq__cfg_join(path, where, "name");
            return sq_fail(c->err, SQ_ECONFIG,
                           "%s: %s: expected a unique population name, got \"%s\" (also the name of "
                           "populations[%zu])",
                           c->origin, path, pops[i].name, j);
        }
    }
    c->pops = pops;
    c->n_pops = n;
    return 0;
}
