/* step/rate_rules.c: the registry of rate-network learning rules (step/rate_rule.h), and the output
 * layer's teaching signal that burstprop and burstccn share (learning.md §2.1.6, §2.2). */
#include <string.h>

#include "rate_rule.h"

static const sq_rate_rule *const rules[] = {&sq_rule_backprop, &sq_rule_burstprop, &sq_rule_burstccn};

const sq_rate_rule *sq_rate_rule_find(const char *name)
{
    for (size_t i = 0; i < SQ_COUNT(rules); i++)
        if (strcmp(rules[i]->name, name) == 0)
            return rules[i];
    return NULL;
}

void sq_rate_output_bursts(const sq_rate_net *net, const sq_rate_batch *bt, float p_b, float *btilde, float *b)
{
    uint32_t L = net->layers;
    size_t n = (size_t)bt->B * net->sizes[L];
    const float *e = bt->e[L], *y = bt->y;
    float *delta = bt->delta[L];
    for (size_t i = 0; i < n; i++) {
        float bt_i = p_b * ((y[i] - e[i]) * (1 - e[i]) + 1) * e[i], b_i = p_b * e[i];
        delta[i] = -(bt_i - b_i);
        if (btilde)
            btilde[i] = bt_i;
        if (b)
            b[i] = b_i;
    }
}
