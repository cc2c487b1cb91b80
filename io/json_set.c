/* io/json_set.c: one `--set path=value` override applied to a jansson tree. Paths are dot-separated
 * keys with [index] suffixes, and a key on an array of objects picks the element whose "name" is
 * that key (populations.E), following README.md "Configuration". Tested in tests/test_config.c. */
#include "json_set.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One step of a path: a key (of an object, or a name in an array) or an [index]. */
typedef struct {
    int is_index;
    size_t index;
    char *key;       /* NUL-terminated copy; NULL for an index */
    size_t end;      /* offset just past the step */
} step;

typedef struct {
    const char *who;         /* "--set" */
    const char *assignment;
    const char *path;
    sq_err *err;
} set_ctx;

static int fail(const set_ctx *s, const char *fmt, const char *a, const char *b)
{
    char detail[SQ_ERR_MSG_LEN];
    snprintf(detail, sizeof detail, fmt, a, b);
    return sq_fail(s->err, SQ_ECONFIG, "%s %s: %s", s->who, s->assignment, detail);
}

/* Splits path[0..len) into steps; *steps is malloc'd (keys too) and freed by free_steps. */
static int parse_path(const set_ctx *s, size_t len, step **steps, size_t *n_steps)
{
    const char *p = s->path;
    size_t cap = 8, n = 0, i = 0;
    step *st = malloc(cap * sizeof *st);
    if (!st)
        return sq_fail(s->err, SQ_ENOMEM, "%s %s: out of memory", s->who, s->assignment);
    while (i < len) {
        if (n == cap) {
            step *bigger = realloc(st, 2 * cap * sizeof *st);
            if (!bigger)
                goto nomem;
            st = bigger;
            cap *= 2;
        }
        step *cur = &st[n];
        memset(cur, 0, sizeof *cur);
        if (p[i] == '[') {
            size_t j = i + 1, idx = 0;
            /* A huge index saturates; it is out of range of any array either way. */
            for (; j < len && p[j] >= '0' && p[j] <= '9'; j++)
                idx = idx < SIZE_MAX / 16 ? idx * 10 + (size_t)(p[j] - '0') : SIZE_MAX;
            if (j == i + 1 || j >= len || p[j] != ']')
                goto bad;
            cur->is_index = 1;
            cur->index = idx;
            i = j + 1;
        } else {
            size_t j = i;
            while (j < len && p[j] != '.' && p[j] != '[' && p[j] != ']')
                j++;
            if (j == i)
                goto bad;
            if (!(cur->key = strndup(p + i, j - i)))
                goto nomem;
            i = j;
        }
        cur->end = i;
        n++;
        /* A '.' must be followed by a key; a '[' starts the next step; anything else ends the path. */
        if (i < len && p[i] == '.' && (i + 1 == len || p[i + 1] == '.' || p[i + 1] == '['))
            goto bad;
        if (i < len && p[i] == '.')
            i++;
        else if (i < len && p[i] != '[')
            goto bad;
    }
    *steps = st;
    *n_steps = n;
    return 0;
bad:
    *steps = st;
    *n_steps = n;
    return sq_fail(s->err, SQ_ECONFIG,
                   "%s %s: expected a path of keys separated by '.' with [index] suffixes before '='",
                   s->who, s->assignment);
nomem:
    *steps = st;
    *n_steps = n;
    return sq_fail(s->err, SQ_ENOMEM, "%s %s: out of memory", s->who, s->assignment);
}

static void free_steps(step *st, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(st[i].key);
    free(st);
}

/* The element of array `arr` whose "name" is key, or -1. */
static long find_named(const json_t *arr, const char *key)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *name = json_object_get(json_array_get(arr, i), "name");
        if (json_is_string(name) && strcmp(json_string_value(name), key) == 0)
            return (long)i;
    }
    return -1;
}

/* The path up to (not including) step k, for messages. */
static void prefix(const set_ctx *s, const step *st, size_t k, char *buf, size_t cap)
{
    size_t end = k ? st[k - 1].end : 0;
    snprintf(buf, cap, "%.*s", (int)end, s->path);
}

/* Resolves step k inside cur: *index receives the array slot (or -1 for an object key). Returns
 * the child (NULL when absent, which is an error unless the step is the last one on an object). */
static int resolve(const set_ctx *s, json_t *cur, const step *st, size_t k, long *index, json_t **child)
{
    char where[256];
    prefix(s, st, k, where, sizeof where);
    *index = -1;
    *child = NULL;
    if (st[k].is_index) {
        if (!json_is_array(cur))
            return fail(s, "%s is not an array", where[0] ? where : "the top level", "");
        if (st[k].index >= json_array_size(cur)) {
            char detail[300];
            snprintf(detail, sizeof detail, "index %zu out of range (%s has %zu element%s)",
                     st[k].index, where, json_array_size(cur), json_array_size(cur) == 1 ? "" : "s");
            return fail(s, "%s", detail, "");
        }
        *index = (long)st[k].index;
        *child = json_array_get(cur, st[k].index);
        return 0;
    }
    if (json_is_object(cur)) {
        *child = json_object_get(cur, st[k].key);
        return 0;
    }
    if (json_is_array(cur)) {
        *index = find_named(cur, st[k].key);
        if (*index >= 0) {
            *child = json_array_get(cur, (size_t)*index);
            return 0;
        }
        /* "populations" names its elements "population"; other arrays get a generic word. */
        const char *parent = k && !st[k - 1].is_index ? st[k - 1].key : NULL;
        size_t plen = parent ? strlen(parent) : 0;
        char detail[300];
        if (plen > 1 && parent[plen - 1] == 's')
            snprintf(detail, sizeof detail, "no %.*s named %s", (int)(plen - 1), parent, st[k].key);
        else
            snprintf(detail, sizeof detail, "no element named %s in %s", st[k].key, where);
        return fail(s, "%s", detail, "");
    }
    return fail(s, "%s is not an object or an array", where, "");
}

/* The value text as JSON when it parses, else as a plain string. Text that starts like a JSON
 * array, object or string but does not parse is an error: the user meant JSON. */
static int parse_value(const set_ctx *s, const char *text, json_t **out)
{
    json_error_t je;
    *out = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (*out)
        return 0;
    size_t skip = strspn(text, " \t");
    if (text[skip] == '[' || text[skip] == '{' || text[skip] == '"')
        return fail(s, "malformed JSON value: %s", je.text, "");
    *out = json_string(text);
    if (!*out)
        return fail(s, "expected a value in UTF-8, got invalid bytes", "", "");
    return 0;
}

static int apply(const set_ctx *s, json_t *root, const step *st, size_t n, json_t *value)
{
    json_t *cur = root;
    for (size_t k = 0; k < n; k++) {
        long index;
        json_t *child;
        int rc = resolve(s, cur, st, k, &index, &child);
        if (rc < 0)
            return rc;
        if (k + 1 == n) {
            /* The setters take their own reference; the caller drops value's. */
            rc = index >= 0 ? json_array_set(cur, (size_t)index, value)
                            : json_object_set(cur, st[k].key, value);
            return rc == 0 ? 0 : sq_fail(s->err, SQ_ENOMEM, "%s %s: out of memory", s->who,
                                         s->assignment);
        }
        if (!child) {
            char where[256];
            prefix(s, st, k, where, sizeof where);
            if (where[0] == '\0')
                return fail(s, "no top-level field %s", st[k].key, "");
            return fail(s, "%s has no field %s", where, st[k].key);
        }
        cur = child;
    }
    return 0;
}

int sq_json_set(json_t *root, const char *assignment, const char *origin, sq_err *err)
{
    set_ctx s = {origin ? origin : "--set", assignment ? assignment : "", assignment, err};
    if (!root || !assignment)
        return sq_fail(err, SQ_EINVAL, "sq_json_set: expected a tree and an assignment, got NULL");
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return fail(&s, "expected path=value, got no '='", "", "");
    if (eq == assignment)
        return fail(&s, "expected a path before '='", "", "");
    step *st = NULL;
    size_t n = 0;
    int rc = parse_path(&s, (size_t)(eq - assignment), &st, &n);
    json_t *value = NULL;
    if (rc == 0 && (rc = parse_value(&s, eq + 1, &value)) == 0)
        rc = apply(&s, root, st, n, value);
    json_decref(value);
    free_steps(st, n);
    return rc;
}
