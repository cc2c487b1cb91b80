/* step/rule_burstccn.c: BurstCCN (Greedy, Zhu, Pemberton, Mellor & Costa, "Single-phase deep
 * learning in cortico-cortical networks", NeurIPS 2022; the authors' neuralml/BurstCCN
 * modules/layers_burstccn.py and networks_burstccn.py; ../shared/specs/learning.md §2.2), a
 * learning rule of rate networks (step/rate_rule.h).
 *
 * Events e_l travel up through W; bursts travel down through the feedback weights Y_l and the
 * events through Q_l (both [n_{l+1}][n_l]), in a single phase:
 *   output   btilde_L = p_b ((y - e_L)(1 - e_L) + 1) e_L,  b_L = p_b e_L
 *   hidden   a_l = btilde_{l+1} Y_l - e_{l+1} Q_l          (the apical potential)
 *            btilde_l = sigma(4 a_l (1 - e_l)) e_l,        b_l = p_b e_l
 *   update   delta_l = -(btilde_l - b_l)                    (the trainer's SGD step on W, b)
 *            Q_l += Q_lr e_{l+1}^T a_l / B                  (drives a -> 0 without a teaching signal)
 *            Y_l -= Y_lr e_{l+1}^T a_l / B                  (optional)
 * 4 = 1 / sigma'(0), so that btilde_l - b_l ~ a_l (1 - e_l) e_l for a small a: with Q = p_b Y
 * and Y = W_{l+1}, the backprop recursion. Y: "random" N(0, Y_scale), "symmetric" Y_scale W_{l+1}
 * at the start, "tied" Y_scale W_{l+1} after every step. Q: "learned" (p_b Y at the start, then
 * learned at Q_lr) or "tied" (p_b Y after every step). The defaults are the authors' notebook's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/rng.h"
#include "rate_rule.h"

enum { Y_RANDOM, Y_SYMMETRIC, Y_TIED };
enum { Q_LEARNED, Q_TIED };

typedef struct {
    int y_mode, q_mode;
    float p_b, y_scale, y_lr, q_lr;
    uint32_t layers, max_batch, sizes[SQ_RATE_MAX_LAYERS + 1];
    float *y[SQ_RATE_MAX_LAYERS], *q[SQ_RATE_MAX_LAYERS];    /* hidden l = 1 .. L-1: [n_{l+1}][n_l] */
    float *btilde[SQ_RATE_MAX_LAYERS + 1];                    /* [B][n_l], l = 1 .. L */
    float *apical[SQ_RATE_MAX_LAYERS];                        /* [B][n_l], l = 1 .. L-1 */
    float *scratch;                                           /* [B][max n_l] and the largest Y */
} burstccn;

static void destroy(void *state)
{
    burstccn *s = state;
    if (!s)
        return;
    for (uint32_t l = 0; l <= SQ_RATE_MAX_LAYERS; l++) {
        free(s->btilde[l]);
        if (l < SQ_RATE_MAX_LAYERS)
            free(s->y[l]), free(s->q[l]), free(s->apical[l]);
    }
    free(s->scratch);
    free(s);
}

static int create(const sq_layer_cfg *c, const json_t *section, const sq_rate_net *net, uint32_t max_batch, void **state)
{
    static const char *const keys[] = {"p_baseline", "Y", "Y_scale", "Y_lr", "Q", "Q_lr"};
    static const char *const y_modes[] = {"random", "symmetric", "tied"}, *const q_modes[] = {"learned", "tied"};
    const char *where = "training.burstccn";
    double p_b, y_scale, y_lr, q_lr;
    int y_mode, q_mode, rc;
    *state = NULL;
    if ((rc = sq__lcfg_keys(c, section, where, keys, SQ_COUNT(keys))) < 0 ||
        (rc = sq__lcfg_number(c, section, where, "p_baseline", SQ_NUM_UNIT_OPEN, 0.5, &p_b)) < 0 ||
        (rc = sq__lcfg_choice(c, section, where, "Y", y_modes, 3, Y_RANDOM, &y_mode)) < 0 ||
        (rc = sq__lcfg_number(c, section, where, "Y_scale", SQ_NUM_NONNEGATIVE, 0.5, &y_scale)) < 0 ||
        (rc = sq__lcfg_number(c, section, where, "Y_lr", SQ_NUM_NONNEGATIVE, 0, &y_lr)) < 0 ||
        (rc = sq__lcfg_choice(c, section, where, "Q", q_modes, 2, Q_LEARNED, &q_mode)) < 0 ||
        (rc = sq__lcfg_number(c, section, where, "Q_lr", SQ_NUM_NONNEGATIVE, 0.000731, &q_lr)) < 0)
        return rc;
    if (y_mode == Y_TIED && y_lr > 0)
        return sq__lcfg_fail(c, where, "Y_lr", "0 with Y = \"tied\" (tied feedback follows W)",
                             json_object_get(section, "Y_lr"));
    burstccn *s = calloc(1, sizeof *s);
    if (!s)
        return sq_fail(c->err, SQ_ENOMEM, "out of memory");
    *s = (burstccn){.y_mode = y_mode, .q_mode = q_mode, .p_b = (float)p_b, .y_scale = (float)y_scale,
                    .y_lr = (float)y_lr, .q_lr = (float)q_lr, .layers = net->layers, .max_batch = max_batch};
    memcpy(s->sizes, net->sizes, sizeof s->sizes);
    size_t widest = 0, largest_y = 0;
    int ok = 1;
    for (uint32_t l = 1; l <= net->layers; l++) {
        widest = net->sizes[l] > widest ? net->sizes[l] : widest;
        ok &= (s->btilde[l] = malloc((size_t)max_batch * net->sizes[l] * sizeof(float))) != NULL;
        if (l < net->layers) {
            size_t ny = (size_t)net->sizes[l + 1] * net->sizes[l];
            largest_y = ny > largest_y ? ny : largest_y;
            ok &= (s->y[l] = calloc(ny, sizeof(float))) != NULL;
            ok &= (s->q[l] = calloc(ny, sizeof(float))) != NULL;
            ok &= (s->apical[l] = malloc((size_t)max_batch * net->sizes[l] * sizeof(float))) != NULL;
        }
    }
    size_t scratch = (size_t)max_batch * widest > largest_y ? (size_t)max_batch * widest : largest_y;
    ok &= (s->scratch = malloc(scratch * sizeof(float))) != NULL;
    if (!ok) {
        destroy(s);
        return sq_fail(c->err, SQ_ENOMEM, "out of memory for burstccn's feedback weights");
    }
    *state = s;
    return 0;
}

/* Tied feedback follows the forward weights: Y_l = Y_scale W_{l+1}, Q_l = p_b Y_l. */
static void tie(burstccn *s, const sq_rate_net *net, int init)
{
    for (uint32_t l = 1; l < net->layers; l++) {
        size_t n = (size_t)net->sizes[l + 1] * net->sizes[l];
        if (s->y_mode == Y_TIED || (init && s->y_mode == Y_SYMMETRIC))
            for (size_t i = 0; i < n; i++)
                s->y[l][i] = s->y_scale * net->w[l + 1][i];
        if (s->q_mode == Q_TIED || init)
            for (size_t i = 0; i < n; i++)
                s->q[l][i] = s->p_b * s->y[l][i];
    }
}

static void init(void *state, const sq_rate_net *net, uint64_t seed)
{
    burstccn *s = state;
    for (uint32_t l = 1; l < net->layers && s->y_mode == Y_RANDOM; l++) {
        sq_rng r;
        sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_LAYER, 32 + l, 0));
        size_t n = (size_t)net->sizes[l + 1] * net->sizes[l];
        for (size_t i = 0; i < n; i++)
            s->y[l][i] = (float)(s->y_scale * sq_rng_normal(&r));
    }
    tie(s, net, 1);
}

static void deltas(void *state, const sq_rate_net *net, const sq_rate_batch *b)
{
    burstccn *s = state;
    uint32_t L = net->layers, B = b->B;
    sq_rate_output_bursts(net, b, s->p_b, s->btilde[L], NULL);
    for (uint32_t l = L - 1; l >= 1; l--) {
        uint32_t n = net->sizes[l], up = net->sizes[l + 1];
        float *a = s->apical[l], *eq = s->scratch;
        sq_rate_mm_nn(net->threads, B, n, up, s->btilde[l + 1], s->y[l], a, 0);
        sq_rate_mm_nn(net->threads, B, n, up, b->e[l + 1], s->q[l], eq, 0);
        const float *e = b->e[l];
        float *bt = s->btilde[l], *d = b->delta[l];
        for (size_t i = 0; i < (size_t)B * n; i++) {
            a[i] -= eq[i];
            bt[i] = sq_sigmoidf(4.0f * a[i] * (1 - e[i])) * e[i];
            d[i] = -(bt[i] - s->p_b * e[i]);
        }
    }
}

static void learn(void *state, const sq_rate_net *net, const sq_rate_batch *b, const sq_rate_step *st)
{
    (void)st;
    burstccn *s = state;
    for (uint32_t l = 1; l < net->layers; l++) {
        size_t n = (size_t)net->sizes[l + 1] * net->sizes[l];
        if (s->q_mode == Q_LEARNED && s->q_lr > 0) { /* Q += Q_lr e^T a / B, and Y -= Y_lr e^T a / B */
            float *g = s->scratch;
            sq_rate_mm_tn(net->threads, net->sizes[l + 1], net->sizes[l], b->B, b->e[l + 1], s->apical[l], g, 0);
            float kq = s->q_lr / (float)b->B, ky = s->y_lr / (float)b->B;
            for (size_t i = 0; i < n; i++) {
                s->q[l][i] += kq * g[i];
                s->y[l][i] -= ky * g[i];
            }
        } else if (s->y_lr > 0) {
            float *g = s->scratch;
            sq_rate_mm_tn(net->threads, net->sizes[l + 1], net->sizes[l], b->B, b->e[l + 1], s->apical[l], g, 0);
            float ky = s->y_lr / (float)b->B;
            for (size_t i = 0; i < n; i++)
                s->y[l][i] -= ky * g[i];
        }
    }
    tie(s, net, 0);
}

static uint32_t tensors(void *state, sq_rate_tensor *out)
{
    burstccn *s = state;
    uint32_t k = 0;
    for (uint32_t l = 1; l < s->layers; l++) {
        out[k] = (sq_rate_tensor){.rows = s->sizes[l + 1], .cols = s->sizes[l], .v = s->y[l]};
        snprintf(out[k++].name, sizeof out->name, "Y%u", l);
        out[k] = (sq_rate_tensor){.rows = s->sizes[l + 1], .cols = s->sizes[l], .v = s->q[l]};
        snprintf(out[k++].name, sizeof out->name, "Q%u", l);
    }
    return k;
}

static void describe(const void *state, char *buf, size_t cap)
{
    const burstccn *s = state;
    static const char *const y_modes[] = {"random N(0, s)", "symmetric s W_{l+1}", "tied s W_{l+1}"};
    snprintf(buf, cap, "p_b %g, Y %s with s = %g%s, Q %s", s->p_b, y_modes[s->y_mode], s->y_scale,
             s->y_lr > 0 ? " learned" : "",
             s->q_mode == Q_TIED ? "tied p_b Y" : "learned");
    if (s->q_mode == Q_LEARNED) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, " lr %g", s->q_lr);
    }
}

const sq_rate_rule sq_rule_burstccn = {"burstccn", create, destroy, init, deltas, learn, tensors, describe};
