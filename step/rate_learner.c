/* step/rate_learner.c: one training step of a rate network by a rule (step/rate_learner.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rate_learner.h"

struct sq_rate_learner {
    sq_rate_net *net;
    const sq_rate_rule *rule;
    void *state;
    sq_rate_sgd_spec sgd;
    uint32_t max_batch;
    float *e[SQ_RATE_MAX_LAYERS + 1], *delta[SQ_RATE_MAX_LAYERS + 1], *grad_w[SQ_RATE_MAX_LAYERS + 1],
        *grad_b[SQ_RATE_MAX_LAYERS + 1], *dw[SQ_RATE_MAX_LAYERS + 1], *db[SQ_RATE_MAX_LAYERS + 1];
    float *bp_delta[SQ_RATE_MAX_LAYERS + 1], *bp_grad; /* the alignment measure's backprop */
};

void sq_rate_learner_destroy(sq_rate_learner *l)
{
    if (!l)
        return;
    for (uint32_t k = 0; k <= SQ_RATE_MAX_LAYERS; k++)
        free(l->e[k]), free(l->delta[k]), free(l->grad_w[k]), free(l->grad_b[k]), free(l->dw[k]), free(l->db[k]),
            free(l->bp_delta[k]);
    free(l->bp_grad);
    free(l);
}

int sq_rate_learner_create(sq_rate_net *net, const sq_rate_rule *rule, void *rule_state, const sq_rate_sgd_spec *sgd,
                           uint32_t max_batch, sq_rate_learner **out, sq_err *err)
{
    *out = NULL;
    sq_rate_learner *l = calloc(1, sizeof *l);
    if (!l)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    *l = (sq_rate_learner){.net = net, .rule = rule, .state = rule_state, .sgd = *sgd, .max_batch = max_batch};
    int ok = (l->e[0] = malloc((size_t)max_batch * net->sizes[0] * sizeof(float))) != NULL;
    size_t largest = 1;
    for (uint32_t k = 1; k <= net->layers; k++) {
        size_t rows = (size_t)max_batch * net->sizes[k], nw = (size_t)net->sizes[k] * net->sizes[k - 1];
        largest = nw > largest ? nw : largest;
        ok &= (l->e[k] = malloc(rows * sizeof(float))) != NULL;
        ok &= (l->delta[k] = malloc(rows * sizeof(float))) != NULL;
        ok &= (l->bp_delta[k] = malloc(rows * sizeof(float))) != NULL;
        ok &= (l->grad_w[k] = malloc(nw * sizeof(float))) != NULL;
        ok &= (l->dw[k] = calloc(nw, sizeof(float))) != NULL;
        ok &= (l->grad_b[k] = malloc(net->sizes[k] * sizeof(float))) != NULL;
        ok &= (l->db[k] = calloc(net->sizes[k], sizeof(float))) != NULL;
    }
    ok &= (l->bp_grad = malloc(largest * sizeof(float))) != NULL;
    if (!ok) {
        sq_rate_learner_destroy(l);
        return sq_fail(err, SQ_ENOMEM, "out of memory for a batch of %u", max_batch);
    }
    *out = l;
    return 0;
}

/* grad_w = scale delta^T e_{k-1}, grad_b = scale column sums of delta (in sample order). */
static void gradients(const sq_rate_net *net, uint32_t k, uint32_t B, float *const *e, const float *delta, float scale,
                      float *grad_w, float *grad_b)
{
    uint32_t n = net->sizes[k], m = net->sizes[k - 1];
    sq_rate_mm_tn(net->threads, n, m, B, delta, e[k - 1], grad_w, 0);
    if (scale != 1.0f)
        for (size_t i = 0; i < (size_t)n * m; i++)
            grad_w[i] *= scale;
    if (!grad_b)
        return;
    for (uint32_t j = 0; j < n; j++) {
        float s = 0;
        for (uint32_t r = 0; r < B; r++)
            s += delta[(size_t)r * n + j];
        grad_b[j] = s * scale;
    }
}

double sq_rate_learner_step(sq_rate_learner *l, uint32_t B, const float *x, const float *y, double *alignment)
{
    sq_rate_net *net = l->net;
    uint32_t L = net->layers;
    memcpy(l->e[0], x, (size_t)B * net->sizes[0] * sizeof *x);
    sq_rate_forward(net, B, l->e);
    double sse = 0;
    for (size_t i = 0; i < (size_t)B * net->sizes[L]; i++) {
        double d = (double)l->e[L][i] - y[i];
        sse += d * d;
    }
    sq_rate_batch batch = {.B = B, .e = l->e, .y = y, .delta = l->delta};
    l->rule->deltas(l->state, net, &batch);
    float scale = l->sgd.reduction_sum ? 1.0f : 1.0f / (float)B;
    if (alignment) {
        sq_rate_batch bp = {.B = B, .e = l->e, .y = y, .delta = l->bp_delta};
        sq_rate_backprop_deltas(net, &bp);
    }
    for (uint32_t k = 1; k <= L; k++) {
        gradients(net, k, B, l->e, l->delta[k], scale, l->grad_w[k], l->grad_b[k]);
        if (alignment) {
            gradients(net, k, B, l->e, l->bp_delta[k], scale, l->bp_grad, NULL);
            alignment[k - 1] = sq_rate_cosine(l->grad_w[k], l->bp_grad, (size_t)net->sizes[k] * net->sizes[k - 1]);
        }
    }
    for (uint32_t k = 1; k <= L; k++) {
        sq_rate_sgd(net->threads, net->w[k], l->dw[k], l->grad_w[k], (size_t)net->sizes[k] * net->sizes[k - 1],
                    l->sgd.lr[k], l->sgd.momentum, l->sgd.weight_decay);
        sq_rate_sgd(1, net->b[k], l->db[k], l->grad_b[k], net->sizes[k], l->sgd.lr[k], l->sgd.momentum, 0);
    }
    if (l->rule->learn) {
        sq_rate_step st = {.lr = l->sgd.lr, .momentum = l->sgd.momentum, .weight_decay = l->sgd.weight_decay,
                           .scale = scale, .grad_w = l->grad_w};
        l->rule->learn(l->state, net, &batch, &st);
    }
    return sse;
}

const float *sq_rate_learner_rates(const sq_rate_learner *l, uint32_t layer) { return l->e[layer]; }
const float *sq_rate_learner_delta(const sq_rate_learner *l, uint32_t layer) { return l->delta[layer]; }
const float *sq_rate_learner_grad(const sq_rate_learner *l, uint32_t layer) { return l->grad_w[layer]; }

uint32_t sq_rate_learner_tensors(sq_rate_learner *l, sq_rate_tensor *out)
{
    uint32_t k = 0;
    for (uint32_t i = 1; i <= l->net->layers; i++) {
        out[k] = (sq_rate_tensor){.rows = l->net->sizes[i], .cols = l->net->sizes[i - 1], .v = l->dw[i], .state_only = 1};
        snprintf(out[k++].name, sizeof out->name, "dW%u", i);
        out[k] = (sq_rate_tensor){.rows = 0, .cols = l->net->sizes[i], .v = l->db[i], .state_only = 1};
        snprintf(out[k++].name, sizeof out->name, "db%u", i);
    }
    return k;
}
