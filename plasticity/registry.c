/* plasticity/registry.c: the one table of plasticity rules; a new rule is one file plus one line
 * here. */
#include <string.h>

#include "rule.h"

extern const sq_plasticity_rule sq_rule_stdp;
extern const sq_plasticity_rule sq_rule_stdp_triplet;
extern const sq_plasticity_rule sq_rule_tsodyks_markram;
extern const sq_plasticity_rule sq_rule_etm;
extern const sq_plasticity_rule sq_rule_rstdp;
extern const sq_plasticity_rule sq_rule_burst_dependent;

static const sq_plasticity_rule *const rules[] = {&sq_rule_stdp, &sq_rule_stdp_triplet, &sq_rule_tsodyks_markram,
                                                  &sq_rule_etm, &sq_rule_rstdp, &sq_rule_burst_dependent};

const sq_plasticity_rule *sq_plasticity_rule_find(const char *name)
{
    for (size_t i = 0; i < SQ_COUNT(rules); i++)
        if (strcmp(rules[i]->name, name) == 0)
            return rules[i];
    return NULL;
}

const sq_plasticity_rule *const *sq_plasticity_rules(size_t *n)
{
    *n = SQ_COUNT(rules);
    return rules;
}
