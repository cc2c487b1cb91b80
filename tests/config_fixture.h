/* tests/config_fixture.h: parsing config text in the config tests: ' stands for " so the JSON
 * reads cleanly inside C strings, and failures are checked by code and exact message. */
#ifndef SQ_TEST_CONFIG_FIXTURE_H
#define SQ_TEST_CONFIG_FIXTURE_H

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"

/* The text with every ' turned into ". Caller frees. */
static inline char *dq(const char *s)
{
    char *t = strdup(s);
    ck_assert_ptr_nonnull(t);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    return t;
}

static inline sq_config *parse_ok(const char *text, const char *const *sets, size_t n_sets)
{
    char *json = dq(text);
    sq_config *c = NULL;
    sq_err err = {0, ""};
    int rc = sq_config_parse(json, "net.json", sets, n_sets, &c, &err);
    free(json);
    ck_assert_msg(rc == 0, "unexpected error %d: %s", rc, err.msg);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* Parses text (as "net.json", with ' turned into ") with the sets and checks the failure's code and
 * exact message (taken as written). */
static inline void parse_fails(const char *text, const char *const *sets, size_t n_sets, int code,
                        const char *msg)
{
    char *json = dq(text);
    sq_config *c = (sq_config *)&c; /* must be reset to NULL on failure */
    sq_err err = {0, ""};
    int rc = sq_config_parse(json, "net.json", sets, n_sets, &c, &err);
    ck_assert_int_eq(rc, code);
    ck_assert_int_eq(err.code, code);
    ck_assert_str_eq(err.msg, msg);
    ck_assert_ptr_null(c);
    free(json);
}

static inline double param(const sq_pop_spec *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->param_names[i], name) == 0)
            return p->param_values[i];
    return NAN;
}

#endif
