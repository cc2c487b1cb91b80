/* io/json_set.h: applies one command-line override "path=value" to a parsed JSON tree (the `--set`
 * option of `spikeq run`; schema in README.md "Configuration"). Tested in tests/test_config.c. */
#ifndef SQ_JSON_SET_H
#define SQ_JSON_SET_H

#include <jansson.h>

#include "../sim/error.h"

/* Sets the value at `path` in root, where `assignment` is "path=value" (split at the first '=').
 * The path is dot-separated keys; an array element is chosen by index (`populations[0]`) or, in an
 * array of objects with a "name" string, by name (`populations.E`). The value is parsed as JSON
 * when it parses (number, true, false, null, "string", object, array), and is taken as a plain
 * string otherwise. A missing final key is created; a missing intermediate key, an unknown name, an
 * index out of range or a step into a non-container is an error naming the path.
 *
 * `origin` names the source of the assignment in messages; NULL means "--set", which gives e.g.
 * "--set populations.X.params.tau_m=3: no population named X". Returns 0, SQ_ECONFIG (bad
 * assignment; root unchanged) or SQ_ENOMEM. root stays owned by the caller. Thread: any, one
 * thread per tree. */
int sq_json_set(json_t *root, const char *assignment, const char *origin, sq_err *err);

#endif
