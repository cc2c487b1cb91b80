/* step/rules.c: the registry of learning rules (step/rules.h). */
#include <stdlib.h>
#include <string.h>

#include "rate_rule.h"
#include "rules.h"

static const char *const names[SQ_RULE_COUNT] = {"bptt", "desire", "rate network"};

const char *sq_rule_name(sq_rule r) { return r < SQ_RULE_COUNT ? names[r] : "?"; }

int sq_rule_of(const json_t *config, const char *origin, sq_rule *out, sq_err *err)
{
    const json_t *training = json_object_get(config, "training");
    const json_t *v = json_is_object(training) ? json_object_get(training, "rule") : NULL;
    *out = SQ_RULE_BPTT;
    if (!v)
        return 0;
    for (int r = 0; r < SQ_RULE_RATE && json_is_string(v); r++)
        if (strcmp(json_string_value(v), names[r]) == 0) {
            *out = (sq_rule)r;
            return 0;
        }
    if (json_is_string(v) && sq_rate_rule_find(json_string_value(v))) {
        *out = SQ_RULE_RATE;
        return 0;
    }
    char *got = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    int rc = sq_fail(err, SQ_ECONFIG, "%s: training.rule: expected \"bptt\", \"desire\", \"backprop\", \"burstprop\" or "
                     "\"burstccn\", got %s", origin,
                     got ? got : "?");
    free(got);
    return rc;
}
