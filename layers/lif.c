/* layers/lif.c: leaky integrate-and-fire step neurons with surrogate gradients, the discrete LIF of
 * SpikingJelly's LIFNode / S-ResNet (Vicente-Sola et al. 2022; ../shared/specs/learning.md §6.2,
 * deep_learning_cpu.md §2; Neftci, Mostafa & Zenke 2019, IEEE Signal Process. Mag. 36:51 for the
 * surrogate-gradient method). Per neuron, u_{-1} = 0:
 *   h_t = beta u_{t-1} + x_t;  s_t = H(h_t - theta) (H(0) = 0 when strict);
 *   u_t = h_t - theta s_t (reset by subtraction) or h_t (1 - s_t) (reset to zero).
 * beta is exp(-dt / tau) of the continuous LIF sampled every dt with its input as a delta pulse at
 * the start of the step, so it is the exact propagator of the event engine's lif_delta over one
 * step. Backward through time (BPTT): ds/dh = g((h - theta) / theta) / theta with g the surrogate
 * (triangle, sigmoid, arctan); a detached reset carries no gradient. Only the input and the spikes
 * (1 bit each, layers/tensor.h) are stored: the backward pass recomputes h_t, which costs one
 * multiply-add per neuron-step and saves 4 bytes each.
 * Tested against PyTorch in tests/layered_oracle.py and against the closed form in tests/test_layers.c. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "layer_config.h"

typedef enum { SURR_TRIANGLE, SURR_SIGMOID, SURR_ARCTAN } surrogate_kind;

typedef struct {
    double beta, theta;
    int reset_zero, strict, detach;
    surrogate_kind surr;
    double a, width, alpha; /* triangle scale and half-width; sigmoid / arctan alpha */
} lif;

/* Neurons one task handles, features [e0, e0 + BLOCK) of one sample: the backward pass keeps their T
 * potentials in the workspace. A multiple of 64, so that tasks write whole words of spikes. */
#define BLOCK 256

static const char *const keys[] = {"beta", "tau", "dt", "threshold", "reset", "strict", "detach_reset", "surrogate"};

static int read_surrogate(lif *p, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    static const char *const kinds[] = {"triangle", "sigmoid", "arctan"};
    p->surr = SURR_TRIANGLE, p->a = 0.3, p->width = 1.0, p->alpha = 4.0;
    const json_t *v = json_object_get(obj, "surrogate");
    if (!v)
        return 0;
    char path[300];
    snprintf(path, sizeof path, "%s.surrogate", where);
    if (!json_is_object(v))
        return sq__lcfg_fail(c, where, "surrogate", "an object {\"type\": \"triangle\"|\"sigmoid\"|\"arctan\", ...}", v);
    int kind, rc;
    if ((rc = sq__lcfg_choice(c, v, path, "type", kinds, 3, 0, &kind)) < 0)
        return rc;
    p->surr = (surrogate_kind)kind;
    if ((rc = sq__lcfg_number(c, v, path, "scale", SQ_NUM_POSITIVE, 0.3, &p->a)) < 0 ||
        (rc = sq__lcfg_number(c, v, path, "width", SQ_NUM_POSITIVE, 1.0, &p->width)) < 0)
        return rc;
    return sq__lcfg_number(c, v, path, "alpha", SQ_NUM_POSITIVE, kind == SURR_ARCTAN ? 2.0 : 4.0, &p->alpha);
}

static int setup(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    lif *p = calloc(1, sizeof *p);
    if (!(l->priv = p))
        return sq_fail(c->err, SQ_ENOMEM, "%s: %s: out of memory", c->origin, where);
    static const char *const resets[] = {"subtract", "zero"};
    double tau = 0, dt = 1;
    int rc;
    if ((rc = sq__lcfg_number(c, obj, where, "beta", SQ_NUM_UNIT_CLOSED, 0.9, &p->beta)) < 0 ||
        (rc = sq__lcfg_number(c, obj, where, "tau", SQ_NUM_POSITIVE, 0, &tau)) < 0 ||
        (rc = sq__lcfg_number(c, obj, where, "dt", SQ_NUM_POSITIVE, 1, &dt)) < 0 ||
        (rc = sq__lcfg_number(c, obj, where, "threshold", SQ_NUM_POSITIVE, 1.0, &p->theta)) < 0 ||
        (rc = sq__lcfg_choice(c, obj, where, "reset", resets, 2, 0, &p->reset_zero)) < 0 ||
        (rc = sq__lcfg_bool(c, obj, where, "strict", 1, &p->strict)) < 0 ||
        (rc = sq__lcfg_bool(c, obj, where, "detach_reset", 1, &p->detach)) < 0 || (rc = read_surrogate(p, c, obj, where)) < 0)
        return rc;
    if (json_object_get(obj, "tau") && json_object_get(obj, "beta"))
        return sq__lcfg_fail(c, where, "tau", "either beta or tau (with dt), not both", json_object_get(obj, "tau"));
    if (tau > 0)
        p->beta = exp(-dt / tau);
    l->shape = l->in_shape[0];
    l->values = SQ_VALUES_SPIKES;
    l->T = l->in_T;
    return 0;
}

static size_t workspace(const sq_layer *l, uint32_t N, int threads)
{
    (void)N;
    return (size_t)threads * BLOCK * l->in_T;
}

/* ds/dh at potential h (the general form; bptt inlines the triangle). */
static float surrogate(const lif *p, float h)
{
    double x = ((double)h - p->theta) / p->theta, g;
    if (p->surr == SURR_TRIANGLE)
        g = p->a * fmax(0.0, 1.0 - fabs(x) / p->width);
    else if (p->surr == SURR_SIGMOID) {
        double s = 1.0 / (1.0 + exp(-p->alpha * x));
        g = p->alpha * s * (1.0 - s);
    } else {
        double z = M_PI / 2 * p->alpha * x;
        g = p->alpha / (2.0 * (1.0 + z * z));
    }
    return (float)(g / p->theta);
}

/* The recursion for features [e0, e1) of sample n over the T steps of N samples, written without
 * branches so that it vectorises: s_t = [h > theta] (+ [h == theta] when not strict) and
 * u_t = h - s (theta or h). Forward: spikes into s. Backward's recomputation: potentials before
 * reset into h, [t][e - e0]. */
__attribute__((target_clones("avx2", "default"))) static void run(const lif *p, const sq_tensor *x, sq_tensor *s,
                                                                  float *restrict h, uint32_t T, uint32_t N,
                                                                  uint32_t n, size_t e0, size_t e1)
{
    float u[BLOCK] = {0}, xb[BLOCK], sb[BLOCK], beta = (float)p->beta, theta = (float)p->theta;
    float eq = p->strict ? 0.0f : 1.0f, rz = p->reset_zero ? 1.0f : 0.0f;
    size_t len = e1 - e0;
    for (uint32_t t = 0; t < T; t++) {
        size_t image = (size_t)t * N + n;
        const float *restrict xt = sq_tensor_row(x, image, e0, len, xb);
        float *restrict st = s ? sb : h + t * len;
        for (size_t i = 0; i < len; i++) {
            float hv = beta * u[i] + xt[i];
            float sv = (float)(hv > theta) + eq * (float)(hv == theta);
            u[i] = hv - sv * (rz * hv + (1.0f - rz) * theta);
            st[i] = s ? sv : hv;
        }
        if (s)
            sq_tensor_write(s, image, e0, len, sb);
    }
}

/* Tasks of BLOCK features of one sample: the neurons are independent, so the cut changes nothing
 * but who writes which words. */
static size_t tasks_of(const sq_layer *l, uint32_t N, size_t *per_sample)
{
    *per_sample = (sq_fshape_size(l->shape) + BLOCK - 1) / BLOCK;
    return *per_sample * N;
}

static void forward(sq_layer *l, const sq_step_ctx *ctx)
{
    const lif *p = l->priv;
    size_t F = sq_fshape_size(l->shape), per, tasks = tasks_of(l, ctx->N, &per);
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
    for (size_t k = 0; k < tasks; k++) {
        size_t e0 = (k % per) * BLOCK, e1 = e0 + BLOCK < F ? e0 + BLOCK : F;
        run(p, l->in_val[0], &l->out, NULL, l->T, ctx->N, (uint32_t)(k / per), e0, e1);
    }
}

/* dL/dx for one block, backwards in time: dL/dh_t = dL/ds_t g(h_t) + dL/du_t du_t/dh_t, and
 * dL/du_{t-1} = beta dL/dh_t. The triangle surrogate, S-ResNet's, is inlined in float. */
__attribute__((target_clones("avx2", "default"))) static void bptt(const lif *p, const float *restrict h,
                                                                   const float *restrict gs_all,
                                                                   float *restrict gx_all, uint32_t T, size_t stride,
                                                                   size_t i0, size_t n)
{
    float gu[BLOCK] = {0}, beta = (float)p->beta, theta = (float)p->theta, inv = (float)(1.0 / p->theta);
    float eq = p->strict ? 0.0f : 1.0f, rz = p->reset_zero ? 1.0f : 0.0f, keep = p->detach ? 0.0f : 1.0f;
    float a = (float)(p->a / p->theta), inv_w = (float)(1.0 / p->width);
    int triangle = p->surr == SURR_TRIANGLE;
    for (uint32_t t = T; t-- > 0;) {
        const float *gs = gs_all + t * stride + i0, *ht = h + t * n;
        float *gx = gx_all + t * stride + i0;
        for (size_t i = 0; i < n; i++) {
            float hv = ht[i], sg;
            if (triangle) {
                float d = 1.0f - fabsf((hv - theta) * inv) * inv_w;
                sg = a * (d > 0.0f ? d : 0.0f);
            } else
                sg = surrogate(p, hv);
            float sv = (float)(hv > theta) + eq * (float)(hv == theta);
            /* subtract: du/dh = 1 - theta g; zero: (1 - s) - h g; the g terms vanish when detached. */
            float du_dh = rz * (1.0f - sv) + (1.0f - rz) - keep * sg * (rz * hv + (1.0f - rz) * theta);
            float gh = gs[i] * sg + gu[i] * du_dh;
            gx[i] += gh;
            gu[i] = beta * gh;
        }
    }
}

static void backward(sq_layer *l, const sq_step_ctx *ctx)
{
    const lif *p = l->priv;
    if (!l->in_grad[0])
        return;
    size_t F = sq_fshape_size(l->shape), stride = sq_layer_step_size(l, ctx->N), per, tasks = tasks_of(l, ctx->N, &per);
#pragma omp parallel for num_threads(ctx->threads) schedule(static)
    for (size_t k = 0; k < tasks; k++) {
        size_t n = k / per, e0 = (k % per) * BLOCK, e1 = e0 + BLOCK < F ? e0 + BLOCK : F;
        float *h = ctx->work + (size_t)omp_get_thread_num() * BLOCK * l->T;
        run(p, l->in_val[0], NULL, h, l->T, ctx->N, (uint32_t)n, e0, e1);
        bptt(p, h, l->grad, l->in_grad[0], l->T, stride, n * F + e0, e1 - e0);
    }
}

const sq_layer_type sq_layer_lif = {
    .name = "lif", .summary = "LIF step neurons (beta or tau/dt, threshold, reset, strict, detach_reset, surrogate)",
    .n_inputs = 1, .keys = keys, .n_keys = SQ_COUNT(keys), .setup = setup, .workspace = workspace,
    .forward = forward, .backward = backward};
