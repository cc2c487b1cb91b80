/* io/config_plasticity.c: the parts of the configuration that concern plasticity: a projection's
 * "plasticity" object {"rule", "preset", "params", "dendritic_delay"} and "output.weights", the
 * weight snapshots (README.md "Configuration"). Rule names, presets and parameter names are checked
 * here against the rule's table (plasticity/rule.h); values against their constraints later, by
 * sq_sim_create(), with the same paths. Tested in tests/test_config.c and tests/test_config_errors.c. */
#include <math.h>
#include <string.h>

#include "../plasticity/rule.h"
#include "../sim/weights.h"
#include "config_internal.h"

static const char *const plasticity_keys[] = {"rule", "preset", "params", "dendritic_delay"};
static const char *const weights_keys[] = {"projection", "times", "interval"};

static int unknown_rule(sq__cfg_ctx *c, const char *path, const json_t *v)
{
    size_t n;
    const sq_plasticity_rule *const *rules = sq_plasticity_rules(&n);
    char what[512] = "one of ";
    for (size_t i = 0; i < n; i++) {
        sq__cfg_append(what, sizeof what, i ? ", " : "");
        sq__cfg_append(what, sizeof what, rules[i]->name);
    }
    return sq__cfg_expected(c, path, what, v);
}

static int read_rule_params(sq__cfg_ctx *c, const json_t *obj, const char *where, const sq_plasticity_rule *r,
                            const char *weight_unit, sq_plasticity_spec *out)
{
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, "params");
    if (!obj)
        return 0;
    sq__cfg_table t = {r->params, r->n_params, "rule", r->name, weight_unit};
    return sq__cfg_params(c, &t, obj, path, "an object of rule parameter values", &out->param_names, &out->param_values,
                          &out->n_params);
}

int sq__cfg_plasticity(sq__cfg_ctx *c, const json_t *v, const char *where, const char *weight_unit,
                       const sq_plasticity_spec **out)
{
    char path[SQ__CFG_PATH];
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_object(v))
        return sq__cfg_expected(c, where, "a plasticity object {\"rule\": ...}", v);
    int rc = sq__cfg_object(c, v, where, plasticity_keys, SQ_COUNT(plasticity_keys));
    sq_plasticity_spec *p = sq__cfg_alloc(c, 1, sizeof *p);
    if (rc < 0 || !p)
        return rc < 0 ? rc : SQ_ENOMEM;
    sq__cfg_join(path, where, "rule");
    const json_t *rule = json_object_get(v, "rule");
    const sq_plasticity_rule *r = json_is_string(rule) ? sq_plasticity_rule_find(json_string_value(rule)) : NULL;
    if (!r)
        return unknown_rule(c, path, rule);
    p->rule = r->name;
    const json_t *preset = json_object_get(v, "preset");
    sq__cfg_join(path, where, "preset");
    if (preset && (rc = sq__cfg_string(c, preset, path, &p->preset)) < 0)
        return rc;
    if ((rc = sq__cfg_opt_number(c, v, where, "dendritic_delay", "ms", 0.0, &p->dendritic_delay)) < 0 ||
        (rc = read_rule_params(c, json_object_get(v, "params"), where, r, weight_unit, p)) < 0)
        return rc;
    *out = p;
    return 0;
}

static int find_projection(sq__cfg_ctx *c, const json_t *v, const char *path, sq_proj_spec *projs, size_t n,
                           const char **out)
{
    const char *name;
    int rc = sq__cfg_string(c, v, path, &name);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        char own[512];
        if (strcmp(sq_proj_spec_name(&projs[i], own, sizeof own), name) == 0) {
            projs[i].record_weights = 1; /* keeps its synapses apart, so they can be read */
            *out = name;
            return 0;
        }
    }
    return sq__cfg_expected(c, path, "the name of a projection (its \"name\", or \"<source>_to_<target>\")", v);
}

static int read_snapshot(sq__cfg_ctx *c, const json_t *v, const char *where, sq_proj_spec *projs, size_t n,
                         sq_weights_spec *w)
{
    char path[SQ__CFG_PATH], item[SQ__CFG_PATH];
    int rc = sq__cfg_object(c, v, where, weights_keys, SQ_COUNT(weights_keys));
    sq__cfg_join(path, where, "projection");
    if (rc < 0 || (rc = find_projection(c, json_object_get(v, "projection"), path, projs, n, &w->projection)) < 0)
        return rc;
    const json_t *times = json_object_get(v, "times");
    if (!times == !json_object_get(v, "interval"))
        return sq_fail(c->err, SQ_ECONFIG, "%s: %s: expected either \"times\" or \"interval\"", c->origin, where);
    if (!times)
        return sq__cfg_opt_time(c, v, where, "interval", 0.0, 0, &w->interval);
    sq__cfg_join(path, where, "times");
    if (!json_is_array(times) || json_array_size(times) == 0)
        return sq__cfg_expected(c, path, "a non-empty array of times in ms, increasing", times);
    double *t = sq__cfg_alloc(c, json_array_size(times), sizeof *t);
    if (!t)
        return SQ_ENOMEM;
    for (size_t i = 0; i < json_array_size(times); i++) {
        sq__cfg_index(item, path, i);
        if ((rc = sq__cfg_number(c, json_array_get(times, i), item, "ms", &t[i])) < 0)
            return rc;
        if (!(t[i] >= 0.0) || (i && !(t[i] > t[i - 1])))
            return sq__cfg_expected(c, item, i ? "a time in ms later than the one before" : "a time in ms >= 0",
                                    json_array_get(times, i));
    }
    w->times = t;
    w->n_times = json_array_size(times);
    return 0;
}

int sq__cfg_weights(sq__cfg_ctx *c, const json_t *arr, sq_proj_spec *projs, size_t n_projs, const sq_weights_spec **out,
                    size_t *n_out)
{
    const char *key = "output.weights";
    *out = NULL;
    *n_out = 0;
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return sq__cfg_expected(c, key, "an array of {\"projection\", \"times\" or \"interval\"} objects", arr);
    sq_weights_spec *w = sq__cfg_alloc(c, json_array_size(arr), sizeof *w);
    if (!w)
        return SQ_ENOMEM;
    char where[SQ__CFG_PATH];
    for (size_t i = 0; i < json_array_size(arr); i++) {
        sq__cfg_index(where, key, i);
        int rc = read_snapshot(c, json_array_get(arr, i), where, projs, n_projs, &w[i]);
        if (rc < 0)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(w[j].projection, w[i].projection) == 0)
                return sq_fail(c->err, SQ_ECONFIG, "%s: %s.projection: expected a projection not listed before, got \"%s\"",
                               c->origin, where, w[i].projection);
    }
    *out = w;
    *n_out = json_array_size(arr);
    return 0;
}
