/* step/rules.h: the learning rules of layered networks, by the name a training config gives in
 * training.rule: "bptt" (backpropagation through time with surrogate gradients, step/train.h; the
 * default), "desire" (desire backpropagation, step/desire_train.h), and the rules of rate networks
 * (step/rate_train.h; the rules themselves are registered in step/rate_rules.c): "backprop",
 * "burstprop", "burstccn". A new trainer is one entry here. */
#ifndef SQ_RULES_H
#define SQ_RULES_H

#include <jansson.h>

#include "../sim/error.h"

typedef enum { SQ_RULE_BPTT, SQ_RULE_DESIRE, SQ_RULE_RATE, SQ_RULE_COUNT } sq_rule; /* the trainer */

/* The trainer of the rule the config names ("bptt" when training.rule is absent). Returns 0 or SQ_ECONFIG naming
 * origin, the field and the known rules. */
int sq_rule_of(const json_t *config, const char *origin, sq_rule *out, sq_err *err);
const char *sq_rule_name(sq_rule r);

#endif
