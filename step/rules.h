/* step/rules.h: the learning rules of layered networks, by the name a training config gives in
 * training.rule: "bptt" (backpropagation through time with surrogate gradients, step/train.h; the
 * default) and "desire" (desire backpropagation, step/desire_train.h). A new rule is one entry
 * here and its trainer. */
#ifndef SQ_RULES_H
#define SQ_RULES_H

#include <jansson.h>

#include "../sim/error.h"

typedef enum { SQ_RULE_BPTT, SQ_RULE_DESIRE, SQ_RULE_COUNT } sq_rule;

/* The rule config names ("bptt" when training.rule is absent). Returns 0 or SQ_ECONFIG naming
 * origin, the field and the known rules. */
int sq_rule_of(const json_t *config, const char *origin, sq_rule *out, sq_err *err);
const char *sq_rule_name(sq_rule r);

#endif
