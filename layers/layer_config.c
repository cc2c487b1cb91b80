/* layers/layer_config.c: the JSON field readers of layer types (layer_config.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../io/config_internal.h"
#include "conv_kernels.h"
#include "layer_config.h"

int sq__lcfg_fail(const sq_layer_cfg *c, const char *where, const char *key, const char *expected, const json_t *got)
{
    char desc[128];
    sq__cfg_describe(got, desc, sizeof desc);
    return sq_fail(c->err, SQ_ECONFIG, "%s: %s%s%s: expected %s, got %s", c->origin, where, key && *where ? "." : "",
                   key ? key : "", expected, desc);
}

static int as_uint(const json_t *v, uint32_t min, uint32_t max, uint32_t *out)
{
    double d;
    if (json_is_integer(v))
        d = (double)json_integer_value(v);
    else if (json_is_real(v))
        d = json_real_value(v);
    else
        return -1;
    if (!(d >= min && d <= max) || d != floor(d))
        return -1;
    *out = (uint32_t)d;
    return 0;
}

int sq__lcfg_keys(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *const *keys, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        int known = strcmp(key, "comment") == 0;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(key, keys[i]) == 0;
        if (known)
            continue;
        char list[512] = "";
        for (size_t i = 0; i < n; i++) {
            sq__cfg_append(list, sizeof list, i ? ", " : "");
            sq__cfg_append(list, sizeof list, keys[i]);
        }
        return sq_fail(c->err, SQ_ECONFIG, "%s: %s.%s: unknown field (expected one of: %s)", c->origin, where, key, list);
    }
    return 0;
}

int sq__lcfg_uint(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key, uint32_t min,
                  uint32_t max, int required, uint32_t def, uint32_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v && !required) {
        *out = def;
        return 0;
    }
    if (as_uint(v, min, max, out) == 0)
        return 0;
    char what[96];
    snprintf(what, sizeof what, "an integer from %u to %u", min, max);
    return sq__lcfg_fail(c, where, key, what, v);
}

int sq__lcfg_pair(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key, uint32_t min,
                  uint32_t max, uint32_t def, uint32_t out[2])
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        out[0] = out[1] = def;
        return 0;
    }
    if (as_uint(v, min, max, &out[0]) == 0) {
        out[1] = out[0];
        return 0;
    }
    if (json_is_array(v) && json_array_size(v) == 2 && as_uint(json_array_get(v, 0), min, max, &out[0]) == 0 &&
        as_uint(json_array_get(v, 1), min, max, &out[1]) == 0)
        return 0;
    char what[128];
    snprintf(what, sizeof what, "an integer from %u to %u or a pair [h, w] of them", min, max);
    return sq__lcfg_fail(c, where, key, what, v);
}

int sq__lcfg_number(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key, sq_num_range range,
                    double def, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    static const char *const what[] = {"a finite number", "a positive number", "a non-negative number",
                                       "a number in (0, 1)", "a number in [0, 1]"};
    double d = json_is_number(v) ? json_number_value(v) : NAN;
    int ok = isfinite(d);
    if (ok && range == SQ_NUM_POSITIVE)
        ok = d > 0;
    if (ok && range == SQ_NUM_NONNEGATIVE)
        ok = d >= 0;
    if (ok && range == SQ_NUM_UNIT_OPEN)
        ok = d > 0 && d < 1;
    if (ok && range == SQ_NUM_UNIT_CLOSED)
        ok = d >= 0 && d <= 1;
    if (!ok)
        return sq__lcfg_fail(c, where, key, what[range], v);
    *out = d;
    return 0;
}

int sq__lcfg_bool(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key, int def, int *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return sq__lcfg_fail(c, where, key, "true or false", v);
    *out = json_is_true(v);
    return 0;
}

int sq__lcfg_choice(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key,
                    const char *const *choices, int n, int def, int *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    for (int i = 0; json_is_string(v) && i < n; i++)
        if (strcmp(json_string_value(v), choices[i]) == 0) {
            *out = i;
            return 0;
        }
    char what[256] = "one of ";
    for (int i = 0; i < n; i++) {
        sq__cfg_append(what, sizeof what, i ? ", \"" : "\"");
        sq__cfg_append(what, sizeof what, choices[i]);
        sq__cfg_append(what, sizeof what, "\"");
    }
    return sq__lcfg_fail(c, where, key, what, v);
}

int sq__lcfg_init(const sq_layer_cfg *c, const json_t *obj, const char *where, sq_init_spec *out)
{
    static const char *const kinds[] = {"kaiming_uniform", "xavier_uniform", "normal"};
    *out = (sq_init_spec){SQ_INIT_KAIMING_UNIFORM, 1.0, 0.01};
    const json_t *v = json_object_get(obj, "init");
    if (!v)
        return 0;
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, "init");
    if (!json_is_object(v))
        return sq__lcfg_fail(c, where, "init", "an object {\"type\": ..., ...}", v);
    int kind, rc;
    if ((rc = sq__lcfg_choice(c, v, path, "type", kinds, 3, 0, &kind)) < 0)
        return rc;
    out->kind = (sq_init_kind)kind;
    if ((rc = sq__lcfg_number(c, v, path, "gain", SQ_NUM_POSITIVE, 1.0, &out->gain)) < 0)
        return rc;
    return sq__lcfg_number(c, v, path, "std", SQ_NUM_POSITIVE, 0.01, &out->std);
}

void sq__init_apply(const sq_init_spec *spec, sq_layer *l, size_t fan_in, size_t fan_out, uint64_t seed)
{
    sq_param *w = &l->params[0];
    if (spec->kind == SQ_INIT_NORMAL)
        sq__init_normal(w->value, w->n, spec->std, seed, l->index, 0);
    else {
        /* PyTorch's default, kaiming_uniform_(a = sqrt(5)), is U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
        double bound = spec->kind == SQ_INIT_XAVIER_UNIFORM ? spec->gain * sqrt(6.0 / (double)(fan_in + fan_out))
                                                             : 1.0 / sqrt((double)fan_in);
        sq__init_uniform(w->value, w->n, bound, seed, l->index, 0);
    }
    if (l->n_params > 1 && strcmp(l->params[1].name, "bias") == 0)
        sq__init_uniform(l->params[1].value, l->params[1].n, 1.0 / sqrt((double)fan_in), seed, l->index, 1);
}
