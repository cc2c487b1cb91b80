/* step/rule_backprop.c: backpropagation for rate networks, the baseline the burst-dependent rules
 * are measured against (step/rate_rule.h): delta_L = -(y - e_L) e_L (1 - e_L), the gradient of
 * 0.5 sum (e_L - y)^2 with respect to the output's pre-activation, and
 * delta_l = (delta_{l+1} W_{l+1}) e_l (1 - e_l) below it (the weights before the batch's update).
 * These are the `delta_bp` of both authors' codes (jordan-g/Burstprop layers.py, neuralml/BurstCCN
 * modules/layers_burstccn.py). No state and no weights of its own. */
#include <stdlib.h>

#include "rate_rule.h"

void sq_rate_backprop_deltas(const sq_rate_net *net, const sq_rate_batch *b)
{
    uint32_t L = net->layers, B = b->B;
    size_t n = (size_t)B * net->sizes[L];
    const float *e = b->e[L];
    for (size_t i = 0; i < n; i++)
        b->delta[L][i] = -(b->y[i] - e[i]) * e[i] * (1 - e[i]);
    for (uint32_t l = L - 1; l >= 1; l--) {
        sq_rate_mm_nn(net->threads, B, net->sizes[l], net->sizes[l + 1], b->delta[l + 1], net->w[l + 1], b->delta[l], 0);
        size_t m = (size_t)B * net->sizes[l];
        const float *el = b->e[l];
        float *d = b->delta[l];
        for (size_t i = 0; i < m; i++)
            d[i] *= el[i] * (1 - el[i]);
    }
}

static int create(const sq_layer_cfg *c, const json_t *section, const sq_rate_net *net, uint32_t max_batch, void **state)
{
    (void)net, (void)max_batch;
    *state = NULL;
    return sq__lcfg_keys(c, section, "training.backprop", NULL, 0);
}

static void destroy(void *state) { (void)state; }
static void init(void *state, const sq_rate_net *net, uint64_t seed) { (void)state, (void)net, (void)seed; }
static void deltas(void *state, const sq_rate_net *net, const sq_rate_batch *b)
{
    (void)state;
    sq_rate_backprop_deltas(net, b);
}
static uint32_t tensors(void *state, sq_rate_tensor *out) { (void)state, (void)out; return 0; }
static void describe(const void *state, char *buf, size_t cap)
{
    (void)state;
    snprintf(buf, cap, "the exact gradient of 0.5 sum (e_L - y)^2");
}

const sq_rate_rule sq_rule_backprop = {"backprop", create, destroy, init, deltas, NULL, tensors, describe};
