/* step/rule_burstprop.c: burstprop (Payeur, Guerguiev, Zenke, Richards & Naud, "Burst-dependent
 * synaptic plasticity can coordinate learning in hierarchical circuits", Nat. Neurosci. 24:1010,
 * 2021; the rate form of the authors' jordan-g/Burstprop layers.py; ../shared/specs/learning.md
 * §2.1.6), a learning rule of rate networks (step/rate_rule.h).
 *
 * Each layer l >= 2 sends its burst rate down through feedback weights Y_l (W_l's shape, [n_l]
 * [n_{l-1}]), once as it is without a teaching signal (b) and once with it (btilde):
 *   output   b_L = p_b e_L,  btilde_L = p_b ((y - e_L)(1 - e_L) + 1) e_L
 *   hidden   F = b_{l+1} Y_{l+1},  Ftilde = btilde_{l+1} Y_{l+1}
 *            with recurrent inhibition: bpre = sigma(F) e_l,  R = bpre W_r^T,  u = F (1 - e_l) - R
 *            b_l = sigma(u) e_l,  btilde_l = sigma(Ftilde (1 - e_l) - R) e_l     (R = 0 without it)
 *   update   delta_l = -(btilde_l - b_l)                 (the trainer's SGD step: momentum, decay)
 *            W_r += recurrent_lr u^T bpre                 (a sum over the batch; drives u -> 0)
 *            Y_l: the same SGD step as W_l when Y_learning (Kolen-Pollack-like)
 * Y starts N(0, Y_scale), W_r U(-W_r_range, W_r_range). The defaults are the authors'
 * train_mnist.py's (p_b 0.2, Y N(0, 1), recurrent input on, W_r U(-0.01, 0.01) at 1e-4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/rng.h"
#include "rate_rule.h"

typedef struct {
    float p_b, y_scale, wr_range, recurrent_lr;
    int y_learning, recurrent;
    uint32_t layers, sizes[SQ_RATE_MAX_LAYERS + 1];
    float *y[SQ_RATE_MAX_LAYERS + 1], *dy[SQ_RATE_MAX_LAYERS + 1]; /* l = 2 .. L: [n_l][n_{l-1}] */
    float *wr[SQ_RATE_MAX_LAYERS];                                  /* l = 1 .. L-1: [n_l][n_l] */
    /* Per batch: burst rates without and with the teaching signal (l = 1 .. L), and for the hidden
     * layers the feedback F, Ftilde and the recurrent terms. [B][n_l] each. */
    float *b[SQ_RATE_MAX_LAYERS + 1], *bt[SQ_RATE_MAX_LAYERS + 1];
    float *f[SQ_RATE_MAX_LAYERS], *ft[SQ_RATE_MAX_LAYERS], *bpre[SQ_RATE_MAX_LAYERS], *u[SQ_RATE_MAX_LAYERS];
    float *scratch; /* the largest W_r */
} burstprop;

static void destroy(void *state)
{
    burstprop *s = state;
    if (!s)
        return;
    for (uint32_t l = 0; l <= SQ_RATE_MAX_LAYERS; l++) {
        free(s->y[l]), free(s->dy[l]), free(s->b[l]), free(s->bt[l]);
        if (l < SQ_RATE_MAX_LAYERS)
            free(s->wr[l]), free(s->f[l]), free(s->ft[l]), free(s->bpre[l]), free(s->u[l]);
    }
    free(s->scratch);
    free(s);
}

static int create(const sq_layer_cfg *c, const json_t *section, const sq_rate_net *net, uint32_t max_batch, void **state)
{
    static const char *const keys[] = {"p_baseline", "Y_scale", "Y_learning", "recurrent", "W_r_range", "recurrent_lr"};
    const char *where = "training.burstprop";
    double p_b, y_scale, wr_range, recurrent_lr;
    int y_learning, recurrent, rc;
    *state = NULL;
    if ((rc = sq__lcfg_keys(c, section, where, keys, SQ_COUNT(keys))) < 0 ||
        (rc = sq__lcfg_number(c, section, where, "p_baseline", SQ_NUM_UNIT_OPEN, 0.2, &p_b)) < 0 ||
        (rc = sq__lcfg_number(c, section, where, "Y_scale", SQ_NUM_NONNEGATIVE, 1.0, &y_scale)) < 0 ||
        (rc = sq__lcfg_bool(c, section, where, "Y_learning", 0, &y_learning)) < 0 ||
        (rc = sq__lcfg_bool(c, section, where, "recurrent", 1, &recurrent)) < 0 ||
        (rc = sq__lcfg_number(c, section, where, "W_r_range", SQ_NUM_NONNEGATIVE, 0.01, &wr_range)) < 0 ||
        (rc = sq__lcfg_number(c, section, where, "recurrent_lr", SQ_NUM_NONNEGATIVE, 1e-4, &recurrent_lr)) < 0)
        return rc;
    burstprop *s = calloc(1, sizeof *s);
    if (!s)
        return sq_fail(c->err, SQ_ENOMEM, "out of memory");
    *s = (burstprop){.p_b = (float)p_b, .y_scale = (float)y_scale, .wr_range = (float)wr_range,
                     .recurrent_lr = (float)recurrent_lr, .y_learning = y_learning, .recurrent = recurrent,
                     .layers = net->layers};
    memcpy(s->sizes, net->sizes, sizeof s->sizes);
    int ok = 1;
    size_t largest_wr = 1;
    for (uint32_t l = 1; l <= net->layers; l++) {
        size_t rows = (size_t)max_batch * net->sizes[l];
        ok &= (s->b[l] = malloc(rows * sizeof(float))) != NULL;
        ok &= (s->bt[l] = malloc(rows * sizeof(float))) != NULL;
        if (l >= 2) {
            ok &= (s->y[l] = calloc((size_t)net->sizes[l] * net->sizes[l - 1], sizeof(float))) != NULL;
            if (y_learning)
                ok &= (s->dy[l] = calloc((size_t)net->sizes[l] * net->sizes[l - 1], sizeof(float))) != NULL;
        }
        if (l < net->layers) {
            ok &= (s->f[l] = malloc(rows * sizeof(float))) != NULL;
            ok &= (s->ft[l] = malloc(rows * sizeof(float))) != NULL;
            ok &= (s->bpre[l] = malloc(rows * sizeof(float))) != NULL;
            ok &= (s->u[l] = malloc(rows * sizeof(float))) != NULL;
            size_t nr = (size_t)net->sizes[l] * net->sizes[l];
            largest_wr = nr > largest_wr ? nr : largest_wr;
            ok &= (s->wr[l] = calloc(nr, sizeof(float))) != NULL;
        }
    }
    ok &= (s->scratch = malloc(largest_wr * sizeof(float))) != NULL;
    if (!ok) {
        destroy(s);
        return sq_fail(c->err, SQ_ENOMEM, "out of memory for burstprop's feedback and recurrent weights");
    }
    *state = s;
    return 0;
}

static void init(void *state, const sq_rate_net *net, uint64_t seed)
{
    burstprop *s = state;
    for (uint32_t l = 1; l <= net->layers; l++) {
        sq_rng r;
        if (l >= 2) {
            sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_LAYER, 32 + l, 0));
            for (size_t i = 0; i < (size_t)net->sizes[l] * net->sizes[l - 1]; i++)
                s->y[l][i] = (float)(s->y_scale * sq_rng_normal(&r));
        }
        if (l < net->layers) {
            sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_LAYER, 64 + l, 0));
            for (size_t i = 0; i < (size_t)net->sizes[l] * net->sizes[l]; i++)
                s->wr[l][i] = (float)(s->wr_range * (2 * sq_rng_uniform(&r) - 1));
        }
    }
}

static void deltas(void *state, const sq_rate_net *net, const sq_rate_batch *b)
{
    burstprop *s = state;
    uint32_t L = net->layers, B = b->B;
    sq_rate_output_bursts(net, b, s->p_b, s->bt[L], s->b[L]);
    for (uint32_t l = L - 1; l >= 1; l--) {
        uint32_t n = net->sizes[l], up = net->sizes[l + 1];
        size_t m = (size_t)B * n;
        float *f = s->f[l], *ft = s->ft[l], *bpre = s->bpre[l], *u = s->u[l];
        sq_rate_mm_nn(net->threads, B, n, up, s->b[l + 1], s->y[l + 1], f, 0);
        sq_rate_mm_nn(net->threads, B, n, up, s->bt[l + 1], s->y[l + 1], ft, 0);
        const float *e = b->e[l];
        float *bl = s->b[l], *btl = s->bt[l], *d = b->delta[l];
        if (s->recurrent) {
            for (size_t i = 0; i < m; i++)
                bpre[i] = sq_sigmoidf(f[i]) * e[i];
            sq_rate_mm_nt(net->threads, B, n, n, bpre, s->wr[l], u, 0); /* u = R for now */
        } else
            memset(u, 0, m * sizeof *u);
        for (size_t i = 0; i < m; i++) {
            float r = u[i];
            u[i] = f[i] * (1 - e[i]) - r;
            bl[i] = sq_sigmoidf(u[i]) * e[i];
            btl[i] = sq_sigmoidf(ft[i] * (1 - e[i]) - r) * e[i];
            d[i] = -(btl[i] - bl[i]);
        }
    }
}

static void learn(void *state, const sq_rate_net *net, const sq_rate_batch *b, const sq_rate_step *st)
{
    burstprop *s = state;
    for (uint32_t l = 1; l < net->layers && s->recurrent && s->recurrent_lr > 0; l++) {
        size_t n = (size_t)net->sizes[l] * net->sizes[l];
        sq_rate_mm_tn(net->threads, net->sizes[l], net->sizes[l], b->B, s->u[l], s->bpre[l], s->scratch, 0);
        for (size_t i = 0; i < n; i++)
            s->wr[l][i] += s->recurrent_lr * s->scratch[i];
    }
    for (uint32_t l = 2; l <= net->layers && s->y_learning; l++)
        sq_rate_sgd(net->threads, s->y[l], s->dy[l], st->grad_w[l], (size_t)net->sizes[l] * net->sizes[l - 1],
                    st->lr[l], st->momentum, st->weight_decay);
}

static uint32_t tensors(void *state, sq_rate_tensor *out)
{
    burstprop *s = state;
    uint32_t k = 0;
    for (uint32_t l = 1; l <= s->layers; l++) {
        if (l >= 2) {
            out[k] = (sq_rate_tensor){.rows = s->sizes[l], .cols = s->sizes[l - 1], .v = s->y[l]};
            snprintf(out[k++].name, sizeof out->name, "Y%u", l);
            if (s->y_learning) {
                out[k] = (sq_rate_tensor){.rows = s->sizes[l], .cols = s->sizes[l - 1], .v = s->dy[l], .state_only = 1};
                snprintf(out[k++].name, sizeof out->name, "dY%u", l);
            }
        }
        if (l < s->layers) {
            out[k] = (sq_rate_tensor){.rows = s->sizes[l], .cols = s->sizes[l], .v = s->wr[l]};
            snprintf(out[k++].name, sizeof out->name, "W_r%u", l);
        }
    }
    return k;
}

static void describe(const void *state, char *buf, size_t cap)
{
    const burstprop *s = state;
    int len = snprintf(buf, cap, "p_b %g, Y N(0, %g)%s", s->p_b, s->y_scale, s->y_learning ? " learned" : " fixed");
    if (s->recurrent && len >= 0 && (size_t)len < cap)
        snprintf(buf + len, cap - (size_t)len, ", recurrent W_r U(-%g, %g) lr %g", s->wr_range, s->wr_range,
                 s->recurrent_lr);
}

const sq_rate_rule sq_rule_burstprop = {"burstprop", create, destroy, init, deltas, learn, tensors, describe};
