/* io/config_values.c: the typed readers under the config reader: numbers, integers, booleans, names,
 * distribution objects, population references, known-key checks, and the messages they give
 * ("<origin>: <json path>: expected <what, unit>, got <actual>"). Schema: README.md "Configuration".
 * Tested through tests/test_config.c. */
#include "config_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *sq__cfg_alloc(sq__cfg_ctx *c, size_t n, size_t size)
{
    sq__cfg_pool *pool = c->pool;
    if (n == 0)
        n = 1;
    if (size != 0 && n > SIZE_MAX / size) {
        sq_fail(c->err, SQ_ENOMEM, "%s: out of memory (an array of %zu elements)", c->origin, n);
        return NULL;
    }
    if (pool->n == pool->cap) {
        size_t cap = pool->cap ? 2 * pool->cap : 16;
        void **ptrs = realloc(pool->ptrs, cap * sizeof *ptrs);
        if (!ptrs) {
            sq_fail(c->err, SQ_ENOMEM, "%s: out of memory", c->origin);
            return NULL;
        }
        pool->ptrs = ptrs;
        pool->cap = cap;
    }
    void *p = calloc(n, size);
    if (!p) {
        sq_fail(c->err, SQ_ENOMEM, "%s: out of memory (an array of %zu elements)", c->origin, n);
        return NULL;
    }
    pool->ptrs[pool->n++] = p;
    return p;
}

void sq__cfg_pool_free(sq__cfg_pool *pool)
{
    for (size_t i = 0; i < pool->n; i++)
        free(pool->ptrs[i]);
    free(pool->ptrs);
    pool->ptrs = NULL;
    pool->n = pool->cap = 0;
}

void sq__cfg_join(char *buf, const char *where, const char *key)
{
    if (where[0] == '\0')
        snprintf(buf, SQ__CFG_PATH, "%s", key);
    else
        snprintf(buf, SQ__CFG_PATH, "%s.%s", where, key);
}

void sq__cfg_index(char *buf, const char *where, size_t i)
{
    snprintf(buf, SQ__CFG_PATH, "%s[%zu]", where, i);
}

void sq__cfg_append(char *buf, size_t cap, const char *s)
{
    size_t len = strlen(buf);
    if (len + 1 >= cap)
        return;
    snprintf(buf + len, cap - len, "%s", s);
}

void sq__cfg_describe(const json_t *v, char *buf, size_t cap)
{
    /* Long strings are cut so that the path and the expectation still fit in the message. */
    enum { SHOWN = 60 };
    if (!v) {
        snprintf(buf, cap, "nothing");
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        snprintf(buf, cap, "\"%.*s%s\"", SHOWN, s, strlen(s) > SHOWN ? "..." : "");
    } else if (json_is_integer(v)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(buf, cap, "%g", json_real_value(v));
    } else if (json_is_true(v)) {
        snprintf(buf, cap, "true");
    } else if (json_is_false(v)) {
        snprintf(buf, cap, "false");
    } else if (json_is_null(v)) {
        snprintf(buf, cap, "null");
    } else if (json_is_object(v)) {
        snprintf(buf, cap, "an object");
    } else {
        snprintf(buf, cap, json_array_size(v) ? "an array" : "an empty array");
    }
}

int sq__cfg_expected(sq__cfg_ctx *c, const char *path, const char *expected, const json_t *got)
{
    char desc[80];
    sq__cfg_describe(got, desc, sizeof desc);
    return sq_fail(c->err, SQ_ECONFIG, "%s: %s: expected %s, got %s", c->origin, path, expected, desc);
}

int sq__cfg_object(sq__cfg_ctx *c, const json_t *v, const char *where, const char *const *keys,
                   size_t n)
{
    if (!json_is_object(v))
        return sq__cfg_expected(c, where, "an object", v);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val) {
        int known = strcmp(key, "comment") == 0;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(key, keys[i]) == 0;
        if (known)
            continue;
        char list[256] = "";
        for (size_t i = 0; i < n; i++) {
            sq__cfg_append(list, sizeof list, i ? ", " : "");
            sq__cfg_append(list, sizeof list, keys[i]);
        }
        char path[SQ__CFG_PATH];
        sq__cfg_join(path, where, key);
        return sq_fail(c->err, SQ_ECONFIG, "%s: %s: unknown field (expected one of: %s)", c->origin,
                       path, list);
    }
    return 0;
}

int sq__cfg_number(sq__cfg_ctx *c, const json_t *v, const char *path, const char *unit, double *out)
{
    /* jansson refuses NaN and infinities when parsing and in json_real(), so the isfinite() test is a
     * second line of defence for trees built by other code. */
    if (json_is_number(v) && isfinite(json_number_value(v))) {
        *out = json_number_value(v);
        return 0;
    }
    char what[64];
    if (!unit || strcmp(unit, "1") == 0)
        snprintf(what, sizeof what, "a number");
    else
        snprintf(what, sizeof what, "a number in %s", unit);
    return sq__cfg_expected(c, path, what, v);
}

int sq__cfg_opt_number(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key,
                       const char *unit, double def, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    return sq__cfg_number(c, v, path, unit, out);
}

int sq__cfg_uint(sq__cfg_ctx *c, const json_t *v, const char *path, uint64_t min, uint64_t max,
                 const char *what, uint64_t *out)
{
    uint64_t u;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        u = (uint64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        /* 2^64 is exact in a double; below it every integral value converts without overflow. */
        double d = json_real_value(v);
        if (!(d >= 0.0 && d < 18446744073709551616.0 && d == floor(d)))
            return sq__cfg_expected(c, path, what, v);
        u = (uint64_t)d;
    } else {
        return sq__cfg_expected(c, path, what, v);
    }
    if (u < min)
        return sq__cfg_expected(c, path, what, v);
    if (u > max) {
        char bounded[128];
        snprintf(bounded, sizeof bounded, "%s no larger than %llu", what, (unsigned long long)max);
        return sq__cfg_expected(c, path, bounded, v);
    }
    *out = u;
    return 0;
}

int sq__cfg_opt_time(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key,
                     double def, int nonneg, double *out)
{
    int rc = sq__cfg_opt_number(c, obj, where, key, "ms", def, out);
    if (rc < 0 || (nonneg ? *out >= 0.0 : *out > 0.0))
        return rc;
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    return sq__cfg_expected(c, path, nonneg ? "a non-negative number in ms" : "a positive number in ms",
                            json_object_get(obj, key));
}

int sq__cfg_opt_bool(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key, int def,
                     int *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    return sq__cfg_expected(c, path, "true or false", v);
}

int sq__cfg_string(sq__cfg_ctx *c, const json_t *v, const char *path, const char **out)
{
    if (!json_is_string(v))
        return sq__cfg_expected(c, path, "a string", v);
    *out = json_string_value(v);
    return 0;
}

int sq__cfg_name(sq__cfg_ctx *c, const json_t *v, const char *path, const char **out)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s || s[0] == '\0' || strpbrk(s, "/.[]="))
        return sq__cfg_expected(c, path, "a non-empty name without '/', '.', '[', ']' or '='", v);
    *out = s;
    return 0;
}

/* A distribution's fields; `required` says which must be present. */
typedef struct {
    const char *name;
    sq_dist_kind kind;
    const char *keys[5];
    size_t n_keys;
    size_t n_required; /* keys[1..n_required] are required; keys[0] is "dist" */
} dist_form;

static const dist_form dist_forms[] = {
    {"constant", SQ_DIST_CONSTANT, {"dist", "value"}, 2, 1},
    {"uniform", SQ_DIST_UNIFORM, {"dist", "low", "high"}, 3, 2},
    {"normal", SQ_DIST_NORMAL, {"dist", "mean", "std", "low", "high"}, 5, 2},
};

static int dist_field(sq__cfg_ctx *c, const json_t *v, const char *where, const char *key,
                      const char *unit, int required, double def, double *out)
{
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    const json_t *f = json_object_get(v, key);
    if (!f && !required) {
        *out = def;
        return 0;
    }
    return sq__cfg_number(c, f, path, unit, out);
}

int sq__cfg_dist(sq__cfg_ctx *c, const json_t *v, const char *path, const char *unit, sq_dist *out)
{
    char what[96];
    if (json_is_number(v)) {
        double x;
        int rc = sq__cfg_number(c, v, path, unit, &x);
        if (rc < 0)
            return rc;
        *out = sq_dist_constant(x);
        return 0;
    }
    if (!json_is_object(v)) {
        if (unit && strcmp(unit, "1") != 0)
            snprintf(what, sizeof what, "a number in %s or a distribution object", unit);
        else
            snprintf(what, sizeof what, "a number or a distribution object");
        return sq__cfg_expected(c, path, what, v);
    }
    char dpath[SQ__CFG_PATH];
    sq__cfg_join(dpath, path, "dist");
    const json_t *kind = json_object_get(v, "dist");
    const dist_form *form = NULL;
    for (size_t i = 0; i < SQ_COUNT(dist_forms) && json_is_string(kind); i++)
        if (strcmp(json_string_value(kind), dist_forms[i].name) == 0)
            form = &dist_forms[i];
    if (!form)
        return sq__cfg_expected(c, dpath, "one of constant, uniform, normal", kind);
    int rc = sq__cfg_object(c, v, path, form->keys, form->n_keys);
    if (rc < 0)
        return rc;
    sq_dist d = sq_dist_constant(0.0);
    d.kind = form->kind;
    switch (form->kind) {
    case SQ_DIST_CONSTANT:
        rc = dist_field(c, v, path, "value", unit, 1, 0.0, &d.value);
        break;
    case SQ_DIST_UNIFORM:
        if ((rc = dist_field(c, v, path, "low", unit, 1, 0.0, &d.low)) < 0)
            return rc;
        rc = dist_field(c, v, path, "high", unit, 1, 0.0, &d.high);
        break;
    case SQ_DIST_NORMAL:
        if ((rc = dist_field(c, v, path, "mean", unit, 1, 0.0, &d.mean)) < 0 ||
            (rc = dist_field(c, v, path, "std", unit, 1, 0.0, &d.std)) < 0 ||
            (rc = dist_field(c, v, path, "low", unit, 0, -INFINITY, &d.low)) < 0)
            return rc;
        rc = dist_field(c, v, path, "high", unit, 0, INFINITY, &d.high);
        break;
    }
    if (rc < 0)
        return rc;
    *out = d;
    return 0;
}

int sq__cfg_pop_ref(sq__cfg_ctx *c, const json_t *v, const char *path, size_t *out)
{
    const char *name = json_is_string(v) ? json_string_value(v) : NULL;
    for (size_t i = 0; name && i < c->n_pops; i++) {
        if (strcmp(c->pops[i].name, name) == 0) {
            *out = i;
            return 0;
        }
    }
    char what[256] = "the name of a population (one of: ";
    for (size_t i = 0; i < c->n_pops; i++) {
        sq__cfg_append(what, sizeof what, i ? ", " : "");
        sq__cfg_append(what, sizeof what, c->pops[i].name);
    }
    sq__cfg_append(what, sizeof what, ")");
    return sq__cfg_expected(c, path, what, v);
}

int sq__cfg_list(sq__cfg_ctx *c, const json_t *arr, const char *key, size_t size,
                 int (*fn)(sq__cfg_ctx *, const json_t *, const char *, void *), void **out,
                 size_t *n)
{
    *n = 0;
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return sq__cfg_expected(c, key, "an array of objects", arr);
    char *items = sq__cfg_alloc(c, json_array_size(arr), size);
    if (!items)
        return SQ_ENOMEM;
    char where[SQ__CFG_PATH];
    for (size_t i = 0; i < json_array_size(arr); i++) {
        sq__cfg_index(where, key, i);
        int rc = fn(c, json_array_get(arr, i), where, items + i * size);
        if (rc < 0)
            return rc;
    }
    *out = items;
    *n = json_array_size(arr);
    return 0;
}

int sq__cfg_param(sq__cfg_ctx *c, const sq__cfg_table *t, const char *where, const char *key, const json_t *v,
                  double *out)
{
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    int at = sq_param_find(t->params, t->n, key);
    if (at >= 0) {
        const char *unit = strcmp(t->params[at].unit, "w") == 0 ? t->weight_unit : t->params[at].unit;
        return sq__cfg_number(c, v, path, unit, out);
    }
    char list[512] = "";
    for (size_t i = 0; i < t->n; i++) {
        sq__cfg_append(list, sizeof list, i ? ", " : "");
        sq__cfg_append(list, sizeof list, t->params[i].name);
    }
    return sq_fail(c->err, SQ_ECONFIG, "%s: %s: unknown parameter of %s %s (expected one of: %s)", c->origin, path,
                   t->kind, t->owner, list);
}

int sq__cfg_params(sq__cfg_ctx *c, const sq__cfg_table *t, const json_t *obj, const char *path, const char *expected,
                   const char *const **names, const double **values, size_t *n)
{
    if (!json_is_object(obj))
        return sq__cfg_expected(c, path, expected, obj);
    const char **k_names = sq__cfg_alloc(c, json_object_size(obj), sizeof *k_names);
    double *k_values = sq__cfg_alloc(c, json_object_size(obj), sizeof *k_values);
    if (!k_names || !k_values)
        return SQ_ENOMEM;
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (strcmp(key, "comment") == 0)
            continue;
        int rc = sq__cfg_param(c, t, path, key, v, &k_values[k]);
        if (rc < 0)
            return rc;
        k_names[k++] = key;
    }
    *names = k_names;
    *values = k_values;
    *n = k;
    return 0;
}
