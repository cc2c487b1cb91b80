/* tests/test_layers.c: layered networks (layers/CONFIG.md) built with sq_net_create from JSON:
 * - LIF spike trains against the recursion of CONFIG.md run by hand in double (spike times exact),
 *   for both resets, strict and non-strict thresholds and beta = exp(-dt/tau);
 * - the event-driven (sparse) and im2col + SGEMM (dense) convolution paths against each other
 *   (outputs and weight gradients within 1e-5 relative);
 * - analytic gradients against double-precision central differences (a smooth net without LIF:
 *   conv2d + batchnorm + avgpool + global_avgpool + linear + readout, mse through step/loss.h);
 * - dropout (one mask per sample for all steps, keep rate, 1/(1-p) scaling, evaluation identity,
 *   backward through the mask, masks keyed by sample key and not by position or threads);
 * - bit-identical outputs and gradients at 1, 2 and 3 threads;
 * - spikes stored one bit each (layers/tensor.h): the bits read back at any offset, and every layer
 *   type, on both convolution paths, gives the same bits from them as from the same spikes in floats;
 * - optimizer steps, schedules and losses against hand-computed values (PyTorch 1.13's rules);
 * - the epoch order (step/batches.h);
 * - every config error of networks, optimizers, schedules and training objects (code and message);
 * - weights files (step/net_file.h): exact round trip, shape and missing-dataset errors that leave
 *   the network unchanged, non-HDF5 files. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fixture.h"
#include "run_suite.h"
#include "step/batches.h"
#include "step/loss.h"
#include "step/net.h"
#include "step/net_file.h"
#include "step/optim.h"
#include "step/schedule.h"
#include "step/tensor_file.h"
#include "step/train.h"
#include "tmp_fixture.h"

/* ---- helpers ---------------------------------------------------------------------------------- */

/* The JSON text with ' for " (config_fixture.h's dq), parsed. */
static json_t *json_of(const char *text)
{
    char *s = dq(text);
    json_error_t e;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    ck_assert_msg(j != NULL, "test JSON, line %d: %s: %s", e.line, e.text, s);
    free(s);
    return j;
}

static sq_net_input shape(uint32_t T, uint32_t h, uint32_t w, uint32_t c, sq_values v)
{
    return (sq_net_input){T, h, w, c, v};
}

static int net_try(const char *network, sq_net_input in, uint32_t batch, int threads, sq_net **net, sq_err *err)
{
    json_t *j = json_of(network);
    int rc = sq_net_create(j, "net.json", &in, batch, threads, net, err);
    json_decref(j);
    return rc;
}

static sq_net *net_new(const char *network, sq_net_input in, uint32_t batch, int threads)
{
    sq_net *net = NULL;
    sq_err err = {0, ""};
    int rc = net_try(network, in, batch, threads, &net, &err);
    ck_assert_msg(rc == 0, "sq_net_create: %s", err.msg);
    return net;
}

static void net_fails(const char *network, sq_net_input in, const char *msg)
{
    sq_net *net = (sq_net *)&net; /* must be reset to NULL */
    sq_err err = {0, ""};
    int rc = net_try(network, in, 4, 1, &net, &err);
    ck_assert_int_eq(rc, SQ_ECONFIG);
    ck_assert_int_eq(err.code, SQ_ECONFIG);
    ck_assert_str_eq(err.msg, msg);
    ck_assert_ptr_null(net);
}

static sq_layer *layer(sq_net *net, const char *name)
{
    int i = sq_net_layer_find(net, name);
    ck_assert_msg(i >= 0, "no layer %s", name);
    return sq_net_layer(net, (size_t)i);
}

static size_t out_size(const sq_layer *l, uint32_t N) { return (size_t)l->T * sq_layer_step_size(l, N); }

/* The output of l for N samples as floats [T][N][h][w][c] (spikes are stored as bits). Caller frees. */
static float *out_values(const sq_layer *l, uint32_t N)
{
    float *v = malloc(out_size(l, N) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    sq_tensor_unpack(&l->out, (size_t)l->T * N, v);
    return v;
}

/* A uniform number in [0, 1) of (seed, i): splitmix64. */
static double hash01(uint64_t seed, uint64_t i)
{
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + i + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* n input values: spikes (1 with probability density), counts (1 or 2 with that probability) or
 * reals in [-1, 1). Caller frees. */
static float *input_new(size_t n, sq_values kind, double density, uint64_t seed)
{
    float *x = malloc(n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    for (size_t i = 0; i < n; i++) {
        double u = hash01(seed, i);
        if (kind == SQ_VALUES_REAL)
            x[i] = (float)(2.0 * u - 1.0);
        else
            x[i] = u < density ? (kind == SQ_VALUES_COUNTS && u < density / 2 ? 2.0f : 1.0f) : 0.0f;
    }
    return x;
}

static void forward_ok(sq_net *net, const float *x, uint32_t N, const sq_pass *pass)
{
    sq_err err = {0, ""};
    ck_assert_msg(sq_net_forward(net, x, N, pass, &err) == 0, "%s", err.msg);
}

/* Forward in training mode, then backward from a fixed dL/dy pattern. */
static void forward_backward(sq_net *net, const float *x, uint32_t N)
{
    sq_pass pass = {.training = 1, .seed = 3};
    forward_ok(net, x, N, &pass);
    size_t n = (size_t)N * sq_net_outputs(net);
    float *dy = malloc(n * sizeof *dy);
    for (size_t i = 0; i < n; i++)
        dy[i] = (float)(hash01(99, i) - 0.5);
    sq_net_backward(net, dy);
    free(dy);
}

/* |a_i - b_i| <= rel * max_j |b_j| for every i (relative to the tensor's largest magnitude: a
 * weight gradient sums thousands of products, and one float sum in another order differs from the
 * other by ~1e-8 of the sum of their magnitudes, not of the result, which may cancel). */
static void expect_close(const float *a, const float *b, size_t n, double rel, const char *what)
{
    double scale = 0;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(b[i]));
    ck_assert_msg(scale > 0, "%s: all zero: nothing is compared", what);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs((double)a[i] - b[i]) <= rel * scale, "%s[%zu]: %.9g vs %.9g (largest %.9g)", what, i, a[i],
                      b[i], scale);
}

static sq_param *param_of(sq_net *net, const char *layer_name, const char *param)
{
    sq_layer *l = layer(net, layer_name);
    for (int i = 0; i < l->n_params; i++)
        if (strcmp(l->params[i].name, param) == 0)
            return &l->params[i];
    ck_abort_msg("%s has no %s", layer_name, param);
    return NULL;
}

/* ---- LIF ----------------------------------------------------------------------------------------- */

typedef struct {
    double beta, theta;
    int reset_zero, strict;
} lif_ref;

/* CONFIG.md's recursion in double for a constant input x: h_t = beta u_{t-1} + x, s_t = H(h_t - theta),
 * u_t = h_t - theta s_t or h_t (1 - s_t). *margin is lowered to the smallest |h_t - theta| of the steps
 * where h_t is not exactly theta (those steps decide the spike by the strict flag alone). */
static void lif_recursion(const lif_ref *p, double x, uint32_t T, float *s, double *margin)
{
    double u = 0;
    for (uint32_t t = 0; t < T; t++) {
        double h = p->beta * u + x;
        int fire = p->strict ? h > p->theta : h >= p->theta;
        if (h != p->theta && fabs(h - p->theta) < *margin)
            *margin = fabs(h - p->theta);
        s[t] = (float)fire;
        u = p->reset_zero ? h * (1 - fire) : h - p->theta * fire;
    }
}

enum { LIF_T = 40, LIF_C = 8 };
/* Constant inputs, per channel: silent, slow, fast, at the threshold exactly (x = theta, exact in
 * float), above it, and several threshold crossings per step's worth. */
static const double lif_inputs[LIF_C] = {0.05, 0.13, 0.3, 0.55, 1.0, 1.0 + 1.0 / 64, 1.7, 2.5};

/* The LIF layer `fields` (JSON members) on constant inputs x_c * theta: its spikes equal the recursion's. */
static void expect_lif_matches_recursion(const char *fields, const lif_ref *p)
{
    char text[512];
    snprintf(text, sizeof text, "{'layers': [{'type': 'lif', %s}, {'type': 'readout', 'mode': 'sum'}]}", fields);
    sq_net *net = net_new(text, shape(LIF_T, 1, 1, LIF_C, SQ_VALUES_REAL), 1, 1);
    float x[LIF_T * LIF_C], want[LIF_C][LIF_T];
    double margin = INFINITY;
    for (uint32_t c = 0; c < LIF_C; c++) {
        double xc = lif_inputs[c] * p->theta;
        for (uint32_t t = 0; t < LIF_T; t++)
            x[t * LIF_C + c] = (float)xc;
        lif_recursion(p, (float)xc, LIF_T, want[c], &margin);
    }
    /* Float rounding (~1e-7) cannot move a potential across the threshold by more than this. */
    ck_assert_msg(margin > 1e-4, "%s: a potential comes within %g of the threshold", fields, margin);
    sq_pass eval = {0};
    forward_ok(net, x, 1, &eval);
    float *s = out_values(sq_net_layer(net, 0), 1);
    const float *count = sq_net_output(net);
    for (uint32_t c = 0; c < LIF_C; c++) {
        float n = 0;
        for (uint32_t t = 0; t < LIF_T; t++) {
            ck_assert_msg(s[t * LIF_C + c] == want[c][t], "%s: x = %g theta: step %u: spike %g, expected %g", fields,
                          lif_inputs[c], t, s[t * LIF_C + c], want[c][t]);
            n += want[c][t];
        }
        ck_assert_float_eq(count[c], n);
    }
    free(s);
    sq_net_destroy(net);
}

START_TEST(lif_spike_times_follow_the_recursion_for_every_reset_and_threshold_rule)
{
    static const struct {
        const char *fields;
        lif_ref p;
    } cases[] = {
        {"'beta': 0.9, 'threshold': 1.0, 'reset': 'subtract', 'strict': true", {0.9, 1.0, 0, 1}},
        {"'beta': 0.9, 'threshold': 1.0, 'reset': 'subtract', 'strict': false", {0.9, 1.0, 0, 0}},
        {"'beta': 0.8, 'threshold': 0.5, 'reset': 'zero', 'strict': true", {0.8, 0.5, 1, 1}},
        {"'beta': 0.8, 'threshold': 0.5, 'reset': 'zero', 'strict': false", {0.8, 0.5, 1, 0}},
        {"'beta': 0.97, 'threshold': 2.0, 'reset': 'subtract'", {0.97, 2.0, 0, 1}},
        {"'beta': 0.0, 'threshold': 1.0, 'reset': 'zero', 'strict': false", {0.0, 1.0, 1, 0}},
        {"'surrogate': {'type': 'sigmoid', 'alpha': 2}", {0.9, 1.0, 0, 1}}, /* the defaults */
    };
    for (size_t i = 0; i < SQ_COUNT(cases); i++)
        expect_lif_matches_recursion(cases[i].fields, &cases[i].p);
}
END_TEST

START_TEST(lif_input_exactly_at_threshold_fires_only_when_not_strict)
{
    /* x = theta: h_0 = theta exactly. Strict: no spike at step 0, then h_1 = beta theta + theta fires.
     * Non-strict: a spike at step 0, u_0 = 0 (both resets), and so at every step. */
    for (int strict = 0; strict <= 1; strict++)
        for (int zero = 0; zero <= 1; zero++) {
            char text[256];
            snprintf(text, sizeof text, "{'layers': [{'type': 'lif', 'threshold': 0.5, 'reset': '%s', 'strict': %s}, "
                     "{'type': 'readout', 'mode': 'sum'}]}", zero ? "zero" : "subtract", strict ? "true" : "false");
            sq_net *net = net_new(text, shape(4, 1, 1, 1, SQ_VALUES_REAL), 1, 1);
            float x[4] = {0.5f, 0.5f, 0.5f, 0.5f};
            sq_pass eval = {0};
            forward_ok(net, x, 1, &eval);
            float *s = out_values(sq_net_layer(net, 0), 1);
            if (!strict)
                for (int t = 0; t < 4; t++)
                    ck_assert_float_eq(s[t], 1.0f);
            else {
                ck_assert_float_eq(s[0], 0.0f);
                ck_assert_float_eq(s[1], 1.0f);
                /* subtract: u_1 = 0.95 - 0.5 = 0.45, h_2 = 0.905 fires; zero: u_1 = 0, h_2 = theta does not. */
                ck_assert_float_eq(s[2], zero ? 0.0f : 1.0f);
            }
            free(s);
            sq_net_destroy(net);
        }
}
END_TEST

START_TEST(lif_beta_from_tau_and_dt_is_exp_of_minus_dt_over_tau)
{
    lif_ref p = {exp(-0.2), 1.0, 0, 1};
    expect_lif_matches_recursion("'tau': 5.0, 'dt': 1.0", &p);
    expect_lif_matches_recursion("'tau': 10, 'dt': 2", &p);
    p.reset_zero = 1;
    expect_lif_matches_recursion("'tau': 2.5, 'dt': 0.5, 'reset': 'zero'", &p);
    /* The test tells the two apart: beta 0.9 (the default) gives other spike trains. */
    float a[LIF_T], b[LIF_T];
    double margin = INFINITY;
    lif_ref d = {0.9, 1.0, 0, 1}, e = {exp(-0.2), 1.0, 0, 1};
    lif_recursion(&d, 0.3, LIF_T, a, &margin);
    lif_recursion(&e, 0.3, LIF_T, b, &margin);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
}
END_TEST

/* ---- sparse and dense convolution ------------------------------------------------------------------ */

/* One net with "sparse_max_density" 1 (every spikes/counts input takes the scatter) and one with 0
 * (always im2col + SGEMM): the same outputs and weight gradients within 1e-5 of the tensor's largest
 * magnitude (expect_close; against a double-precision sum, both paths are off by ~1e-8 of the sum
 * of the products' magnitudes on the 24 x 24 case). */
static void expect_sparse_equals_dense(const char *layer_json, sq_net_input in, uint32_t N)
{
    sq_net *net[2];
    for (int k = 0; k < 2; k++) {
        char text[512];
        snprintf(text, sizeof text, "{'sparse_max_density': %d, 'layers': [%s, {'type': 'readout', 'mode': 'leaky', "
                 "'beta': 0.5}]}", k == 0 ? 1 : 0, layer_json);
        net[k] = net_new(text, in, N, 2);
        sq_net_init(net[k], 7);
    }
    size_t n = (size_t)in.T * N * in.h * in.w * in.c;
    float *x = input_new(n, in.values, 0.2, 11);
    for (int k = 0; k < 2; k++)
        forward_backward(net[k], x, N);
    const sq_layer *a = sq_net_layer(net[0], 0), *b = sq_net_layer(net[1], 0);
    ck_assert_uint_eq(a->stats.sparse_passes, 1);
    ck_assert_uint_eq(b->stats.dense_passes, 1);
    float *ya = out_values(a, N), *yb = out_values(b, N);
    expect_close(ya, yb, out_size(a, N), 1e-5, layer_json);
    free(ya), free(yb);
    for (int p = 0; p < a->n_params; p++) {
        char what[600];
        snprintf(what, sizeof what, "%s: %s gradient", layer_json, a->params[p].name);
        expect_close(a->params[p].grad, b->params[p].grad, a->params[p].n, 1e-5, what);
    }
    free(x);
    sq_net_destroy(net[0]);
    sq_net_destroy(net[1]);
}

START_TEST(sparse_and_dense_conv2d_agree_with_stride_2_and_padding_1)
{
    expect_sparse_equals_dense("{'type': 'conv2d', 'out_channels': 5, 'kernel': 3, 'stride': 2, 'padding': 1, 'bias': true}",
                               shape(3, 9, 9, 3, SQ_VALUES_SPIKES), 4);
    /* Many chunks of images (576 output pixels: 3 images a chunk, 32 images). */
    expect_sparse_equals_dense("{'type': 'conv2d', 'out_channels': 4, 'kernel': 3, 'padding': 1}",
                               shape(4, 24, 24, 2, SQ_VALUES_SPIKES), 8);
    /* Rectangular kernel, stride and padding, on counts. */
    expect_sparse_equals_dense("{'type': 'conv2d', 'out_channels': 3, 'kernel': [3, 2], 'stride': [1, 2], 'padding': [0, 1]}",
                               shape(2, 7, 8, 2, SQ_VALUES_COUNTS), 3);
}
END_TEST

START_TEST(sparse_and_dense_agree_for_a_1x1_conv2d)
{
    expect_sparse_equals_dense("{'type': 'conv2d', 'out_channels': 6, 'kernel': 1, 'bias': true}",
                               shape(3, 7, 7, 4, SQ_VALUES_SPIKES), 3);
}
END_TEST

START_TEST(sparse_and_dense_agree_for_linear_on_a_spatial_input)
{
    expect_sparse_equals_dense("{'type': 'linear', 'out_features': 7, 'bias': true}", shape(3, 5, 4, 3, SQ_VALUES_SPIKES), 5);
    expect_sparse_equals_dense("{'type': 'linear', 'out_features': 4}", shape(2, 3, 3, 2, SQ_VALUES_COUNTS), 2);
}
END_TEST

/* ---- gradients against finite differences ---------------------------------------------------------- */

enum { FD_T = 2, FD_N = 3 };
static const uint32_t fd_labels[FD_N] = {0, 2, 3};

static double fd_loss(sq_net *net, const float *x, float *dy)
{
    sq_pass pass = {.training = 1, .seed = 1};
    forward_ok(net, x, FD_N, &pass);
    return sq_loss(SQ_LOSS_MSE, sq_net_output(net), fd_labels, FD_N, sq_net_outputs(net), dy, NULL);
}

/* Every element of every trainable parameter: dL/dw of the backward pass against
 * (L(w + eps) - L(w - eps)) / (2 eps) with eps = 1e-2: |fd - g| <= 1e-2 |g| + 2e-5 (float32 losses of
 * about 1 have rounding ~1e-7, which the difference quotient turns into ~1e-5; the O(eps^2)
 * truncation of the smooth net is below 1e-2 relative). */
static void expect_gradients_match_finite_differences(const char *network)
{
    sq_net *net = net_new(network, shape(FD_T, 6, 6, 2, SQ_VALUES_REAL), FD_N, 1);
    sq_net_init(net, 5);
    /* Gamma and beta away from 1 and 0, so that their gradients are general. */
    for (size_t i = 0; i < sq_net_param_count(net); i++) {
        sq_param *p = sq_net_param(net, i, NULL);
        for (size_t j = 0; j < p->n && p->trainable; j++) {
            if (strcmp(p->name, "gamma") == 0)
                p->value[j] = (float)(0.7 + 0.1 * j);
            if (strcmp(p->name, "beta") == 0)
                p->value[j] = (float)(0.05 * j - 0.1);
        }
    }
    float *x = input_new((size_t)FD_T * FD_N * 6 * 6 * 2, SQ_VALUES_REAL, 0, 21);
    float dy[FD_N * 8];
    ck_assert_uint_le(sq_net_outputs(net), 8);
    fd_loss(net, x, dy);
    sq_net_backward(net, dy);
    size_t checked = 0;
    for (size_t i = 0; i < sq_net_param_count(net); i++) {
        const sq_layer *owner;
        sq_param *p = sq_net_param(net, i, &owner);
        if (!p->trainable)
            continue;
        float *g = malloc(p->n * sizeof *g);
        memcpy(g, p->grad, p->n * sizeof *g);
        for (size_t j = 0; j < p->n; j++) {
            const double eps = 1e-2;
            float w = p->value[j];
            p->value[j] = (float)(w + eps);
            double lp = fd_loss(net, x, NULL);
            p->value[j] = (float)(w - eps);
            double lm = fd_loss(net, x, NULL);
            p->value[j] = w;
            double fd = (lp - lm) / (2 * eps);
            ck_assert_msg(fabs(fd - g[j]) <= 1e-2 * fabs(g[j]) + 2e-5, "%s.%s[%zu]: backward %.8g, central difference %.8g",
                          owner->name, p->name, j, g[j], fd);
            checked++;
        }
        free(g);
    }
    ck_assert_uint_ge(checked, 79); /* 54 + 3 conv, 3 or 6 gamma and beta, 12 + 4 fc */
    free(x);
    sq_net_destroy(net);
}

#define FD_NET(bn)                                                                                               \
    "{'layers': [{'type': 'conv2d', 'name': 'conv', 'out_channels': 3, 'kernel': 3, 'padding': 1, 'bias': true}, " \
    bn ", {'type': 'avgpool', 'kernel': 2}, {'type': 'global_avgpool'}, "                                          \
    "{'type': 'linear', 'name': 'fc', 'out_features': 4, 'bias': true}, {'type': 'readout', 'mode': 'mean'}]}"

START_TEST(gradients_match_central_differences_with_per_step_batchnorm)
{
    expect_gradients_match_finite_differences(FD_NET("{'type': 'batchnorm', 'name': 'bn', 'per_step': true}"));
}
END_TEST

START_TEST(gradients_match_central_differences_with_shared_batchnorm)
{
    expect_gradients_match_finite_differences(FD_NET("{'type': 'batchnorm', 'name': 'bn', 'eps': 1e-3}"));
}
END_TEST

START_TEST(conv_bias_before_training_batchnorm_gets_a_zero_gradient)
{
    /* BN in training subtracts each channel's batch mean, so a constant shift of the conv output (its
     * bias) changes nothing: dL/db = 0 exactly in real arithmetic (here: below 1e-6 of dL/dW). */
    sq_net *net = net_new(FD_NET("{'type': 'batchnorm', 'name': 'bn', 'per_step': true}"),
                          shape(FD_T, 6, 6, 2, SQ_VALUES_REAL), FD_N, 1);
    sq_net_init(net, 5);
    float *x = input_new((size_t)FD_T * FD_N * 72, SQ_VALUES_REAL, 0, 21), dy[FD_N * 4];
    fd_loss(net, x, dy);
    sq_net_backward(net, dy);
    const sq_param *w = param_of(net, "conv", "weight"), *b = param_of(net, "conv", "bias");
    double wmax = 0;
    for (size_t i = 0; i < w->n; i++)
        wmax = fmax(wmax, fabs(w->grad[i]));
    ck_assert_double_gt(wmax, 1e-4);
    for (size_t i = 0; i < b->n; i++)
        ck_assert_double_le(fabs(b->grad[i]), 1e-6 * wmax + 1e-9);
    free(x);
    sq_net_destroy(net);
}
END_TEST

/* ---- dropout --------------------------------------------------------------------------------------- */

/* 250 x 200 = 50000 features a sample, through a 1x1 conv of weight 1 (so that dropout's input has a
 * gradient), dropout p = 0.3 and a summing readout. */
enum { DROP_T = 3, DROP_H = 250, DROP_W = 200, DROP_F = DROP_H * DROP_W };
static const char drop_net[] = "{'layers': [{'type': 'conv2d', 'out_channels': 1, 'kernel': 1}, "
                               "{'type': 'dropout', 'name': 'drop', 'p': 0.3}, {'type': 'readout', 'mode': 'sum'}]}";

static sq_net *drop_net_new(uint32_t max_batch, int threads)
{
    sq_net *net = net_new(drop_net, shape(DROP_T, DROP_H, DROP_W, 1, SQ_VALUES_REAL), max_batch, threads);
    sq_net_layer(net, 0)->params[0].value[0] = 1.0f;
    return net;
}

/* Positive inputs of (sample key, step, feature), so that a zero output is a dropped feature. */
static float *drop_input(const uint64_t *keys, uint32_t N)
{
    float *x = malloc((size_t)DROP_T * N * DROP_F * sizeof *x);
    for (uint32_t t = 0; t < DROP_T; t++)
        for (uint32_t n = 0; n < N; n++)
            for (size_t f = 0; f < DROP_F; f++)
                x[((size_t)t * N + n) * DROP_F + f] = (float)(0.5 + hash01(keys[n] * 16 + t, f));
    return x;
}

/* The [N][F] masks of a training pass (0/1 from step 0's outputs). */
static uint8_t *drop_masks(sq_net *net, uint32_t N, const uint64_t *keys, uint64_t seed)
{
    float *x = drop_input(keys, N);
    sq_pass pass = {.training = 1, .seed = seed, .sample_keys = keys};
    forward_ok(net, x, N, &pass);
    const float *y = layer(net, "drop")->out.f; /* p > 0: real values, floats */
    uint8_t *m = malloc((size_t)N * DROP_F);
    for (size_t i = 0; i < (size_t)N * DROP_F; i++)
        m[i] = y[i] != 0.0f;
    free(x);
    return m;
}

START_TEST(dropout_holds_one_mask_for_all_steps_scales_by_1_over_1_minus_p_and_keeps_70_percent)
{
    const uint32_t N = 2;
    const uint64_t keys[2] = {11, 12};
    sq_net *net = drop_net_new(N, 2);
    float *x = drop_input(keys, N);
    sq_pass pass = {.training = 1, .seed = 5, .sample_keys = keys};
    forward_ok(net, x, N, &pass);
    const float *y = layer(net, "drop")->out.f, scale = (float)(1.0 / (1.0 - 0.3));
    size_t step = (size_t)N * DROP_F, kept = 0;
    for (size_t i = 0; i < step; i++) {
        int keep = y[i] != 0.0f;
        kept += (size_t)keep;
        for (uint32_t t = 0; t < DROP_T; t++)
            ck_assert_msg(y[t * step + i] == (keep ? x[t * step + i] * scale : 0.0f), "step %u, element %zu: %g (input %g)",
                          t, i, y[t * step + i], x[t * step + i]);
    }
    /* Binomial(10^5, 0.7): sigma = sqrt(0.7 * 0.3 / 10^5) = 1.45e-3; 5 sigma. */
    double rate = (double)kept / (double)step, sigma = sqrt(0.7 * 0.3 / (double)step);
    ck_assert_msg(fabs(rate - 0.7) < 5 * sigma, "keep rate %.5f, expected 0.7 +- %.5f", rate, 5 * sigma);

    /* Backward: the readout sums, so dL/d(dropout out) = dL/dy at every step; the conv's output
     * gradient is that times the mask / (1 - p). */
    float *dy = malloc(step * sizeof *dy);
    for (size_t i = 0; i < step; i++)
        dy[i] = (float)(hash01(4, i) - 0.5);
    sq_net_backward(net, dy);
    const float *g = sq_net_layer(net, 0)->grad;
    for (uint32_t t = 0; t < DROP_T; t++)
        for (size_t i = 0; i < step; i++)
            ck_assert_msg(g[t * step + i] == (y[i] != 0.0f ? dy[i] * scale : 0.0f), "step %u, element %zu: gradient %g",
                          t, i, g[t * step + i]);
    free(dy);
    free(x);
    sq_net_destroy(net);
}
END_TEST

START_TEST(dropout_is_the_identity_in_evaluation)
{
    const uint64_t keys[1] = {0};
    sq_net *net = drop_net_new(1, 1);
    float *x = drop_input(keys, 1);
    sq_pass eval = {.training = 0, .seed = 5};
    forward_ok(net, x, 1, &eval);
    ck_assert_int_eq(memcmp(layer(net, "drop")->out.f, x, (size_t)DROP_T * DROP_F * sizeof *x), 0);
    free(x);
    sq_net_destroy(net);
}
END_TEST

START_TEST(dropout_masks_depend_on_sample_keys_not_on_batch_position_or_threads)
{
    const uint64_t ab[2] = {11, 12}, ba[2] = {12, 11}, b[1] = {12};
    sq_net *one = drop_net_new(2, 1), *three = drop_net_new(2, 3);
    uint8_t *m_ab = drop_masks(one, 2, ab, 5), *m_ba = drop_masks(one, 2, ba, 5), *m_b = drop_masks(one, 1, b, 5);
    uint8_t *m_ab3 = drop_masks(three, 2, ab, 5), *m_seed = drop_masks(one, 2, ab, 6);
    /* Key 12 at position 1, at position 0 and alone. */
    ck_assert_int_eq(memcmp(m_ab + DROP_F, m_ba, DROP_F), 0);
    ck_assert_int_eq(memcmp(m_ab + DROP_F, m_b, DROP_F), 0);
    ck_assert_int_eq(memcmp(m_ab, m_ba + DROP_F, DROP_F), 0);
    ck_assert_int_eq(memcmp(m_ab, m_ab3, 2 * DROP_F), 0);
    /* Other keys and other seeds draw other masks: two independent masks differ at 2 p (1 - p) = 42 %. */
    size_t differ_keys = 0, differ_seed = 0;
    for (size_t f = 0; f < DROP_F; f++) {
        differ_keys += m_ab[f] != m_ab[DROP_F + f];
        differ_seed += m_ab[f] != m_seed[f];
    }
    ck_assert_msg(fabs(differ_keys / (double)DROP_F - 0.42) < 0.02, "keys 11 and 12 differ at %zu features", differ_keys);
    ck_assert_msg(fabs(differ_seed / (double)DROP_F - 0.42) < 0.02, "seeds 5 and 6 differ at %zu features", differ_seed);
    free(m_ab), free(m_ba), free(m_b), free(m_ab3), free(m_seed);
    sq_net_destroy(one);
    sq_net_destroy(three);
}
END_TEST

/* ---- threads ---------------------------------------------------------------------------------------- */

/* A residual net with every layer type; the first conv has 576 output pixels, 3 images a chunk,
 * 56 images: 19 chunks in 16 gradient groups. */
static const char thread_net[] =
    "{'sparse_max_density': %s, 'layers': ["
    "{'type': 'conv2d', 'out_channels': 8, 'kernel': 3, 'padding': 1},"
    "{'type': 'batchnorm', 'per_step': true},"
    "{'type': 'lif', 'name': 's1', 'beta': 0.5, 'threshold': 0.5},"
    "{'type': 'conv2d', 'out_channels': 8, 'kernel': 1, 'bias': true},"
    "{'type': 'batchnorm'},"
    "{'type': 'lif', 'name': 's2', 'surrogate': {'type': 'sigmoid'}},"
    "{'type': 'add', 'inputs': ['s1', 's2']},"
    "{'type': 'conv2d', 'out_channels': 8, 'kernel': 3, 'stride': 2, 'padding': 1},"
    "{'type': 'lif', 'name': 's3', 'reset': 'zero', 'threshold': 0.3, 'surrogate': {'type': 'arctan'}},"
    "{'type': 'dropout', 'p': 0.2},"
    "{'type': 'avgpool', 'kernel': 3},"
    "{'type': 'linear', 'out_features': 10, 'bias': true},"
    "{'type': 'readout'}]}";
enum { THR_T = 4, THR_N = 14 };

/* Two training iterations (forward, cross-entropy, backward, SGD with momentum) at `threads`; returns
 * the net for comparison. */
static sq_net *train_twice(const char *density, int threads, const float *x)
{
    char text[1200];
    snprintf(text, sizeof text, thread_net, density);
    sq_net *net = net_new(text, shape(THR_T, 24, 24, 2, SQ_VALUES_SPIKES), THR_N, threads);
    sq_net_init(net, 9);
    sq_optim_spec spec = {.kind = SQ_OPTIM_SGD, .lr = 0.1, .momentum = 0.9, .weight_decay = 1e-3};
    sq_optim *o;
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_optim_create(&spec, net, &o, &err), 0);
    uint32_t labels[THR_N];
    for (uint32_t n = 0; n < THR_N; n++)
        labels[n] = n % 10;
    float dy[THR_N * 10];
    for (int it = 0; it < 2; it++) {
        sq_pass pass = {.training = 1, .seed = 4};
        forward_ok(net, x, THR_N, &pass);
        sq_loss(SQ_LOSS_CROSS_ENTROPY, sq_net_output(net), labels, THR_N, 10, dy, NULL);
        sq_net_backward(net, dy);
        if (it == 0)
            sq_optim_step(o, spec.lr);
    }
    sq_optim_destroy(o);
    return net;
}

START_TEST(one_two_and_three_threads_give_bit_identical_outputs_and_gradients)
{
    float *x = input_new((size_t)THR_T * THR_N * 24 * 24 * 2, SQ_VALUES_SPIKES, 0.1, 31);
    static const char *const densities[] = {"1", "0"}; /* every spike input sparse, then every one dense */
    for (size_t d = 0; d < 2; d++) {
        sq_net *ref = train_twice(densities[d], 1, x);
        const sq_layer *s1 = layer(ref, "s1"), *s3 = layer(ref, "s3");
        double spikes1 = 0, spikes3 = 0;
        float *v1 = out_values(s1, THR_N), *v3 = out_values(s3, THR_N);
        for (size_t i = 0; i < out_size(s1, THR_N); i++)
            spikes1 += v1[i];
        for (size_t i = 0; i < out_size(s3, THR_N); i++)
            spikes3 += v3[i];
        free(v1), free(v3);
        ck_assert_msg(spikes1 > 100 && spikes3 > 100, "too few spikes to test anything: %g, %g", spikes1, spikes3);
        for (int threads = 2; threads <= 3; threads++) {
            sq_net *net = train_twice(densities[d], threads, x);
            for (size_t i = 0; i < sq_net_layer_count(net); i++) {
                const sq_layer *a = sq_net_layer(net, i), *b = sq_net_layer(ref, i);
                float *ya = out_values(a, THR_N), *yb = out_values(b, THR_N);
                int same = memcmp(ya, yb, out_size(a, THR_N) * sizeof(float)) == 0;
                free(ya), free(yb);
                ck_assert_msg(same, "%d threads: %s output", threads, a->name);
                ck_assert_msg(!a->grad || memcmp(a->grad, b->grad, out_size(a, THR_N) * sizeof(float)) == 0,
                              "%d threads: %s output gradient", threads, a->name);
            }
            for (size_t i = 0; i < sq_net_param_count(net); i++) {
                const sq_layer *owner;
                const sq_param *p = sq_net_param(net, i, &owner), *q = sq_net_param(ref, i, NULL);
                ck_assert_msg(memcmp(p->value, q->value, p->n * sizeof(float)) == 0, "%d threads: %s.%s", threads,
                              owner->name, p->name);
                ck_assert_msg(!p->trainable || memcmp(p->grad, q->grad, p->n * sizeof(float)) == 0,
                              "%d threads: %s.%s gradient", threads, owner->name, p->name);
            }
            sq_net_destroy(net);
        }
        sq_net_destroy(ref);
    }
    free(x);
}
END_TEST

/* ---- spike storage ---------------------------------------------------------------------------------- */

/* Spikes are stored one bit each (layers/tensor.h); 5 x 7 x 3 = 105 features a sample, so an
 * image's bits end inside its second word and a 3-channel pixel (bits 63..65) straddles two. */
enum { BITS_T = 4, BITS_N = 3, BITS_H = 5, BITS_W = 7, BITS_C = 3, BITS_F = BITS_H * BITS_W * BITS_C };

START_TEST(tensor_bits_read_back_what_was_written_at_every_offset_and_length)
{
    enum { IMAGES = 3 };
    sq_tensor t = {.store = SQ_STORE_BITS, .image = BITS_F, .words = sq_tensor_words(BITS_F)};
    ck_assert_uint_eq(t.words, 2);
    uint64_t bits[IMAGES * 2];
    memset(bits, 0xff, sizeof bits); /* sq_tensor_write clears every bit it owns, padding included */
    t.bits = bits;
    float *x = input_new((size_t)IMAGES * BITS_F, SQ_VALUES_SPIKES, 0.4, 5), got[BITS_F];
    for (size_t i = 0; i < IMAGES; i++)
        for (size_t e0 = 0; e0 < BITS_F; e0 += 64) /* whole words, as the writers cut their work */
            sq_tensor_write(&t, i, e0, BITS_F - e0 < 64 ? BITS_F - e0 : 64, x + i * BITS_F + e0);
    for (size_t i = 0; i < IMAGES; i++) {
        ck_assert_uint_eq(bits[i * 2 + 1] >> (BITS_F - 64), 0); /* the unused bits of the last word */
        for (size_t e = 0; e < BITS_F; e++)
            ck_assert_float_eq(sq_tensor_get(&t, i, e), x[i * BITS_F + e]);
        for (size_t e0 = 0; e0 < BITS_F; e0++)
            for (size_t n = 0; e0 + n <= BITS_F; n++) {
                memset(got, 0xff, sizeof got);
                sq_tensor_read(&t, i, e0, n, got);
                ck_assert_msg(memcmp(got, x + i * BITS_F + e0, n * sizeof *got) == 0, "image %zu, [%zu, %zu)", i, e0, e0 + n);
            }
    }
    free(x);
}
END_TEST

/* The layer `consumer` (JSON, reading the layer "s") after a spike source s, in two nets fed the same
 * 0/1 inputs: s is a dropout with p = 0 on counts (its output: floats) or an LIF with beta 0 and
 * threshold 0.5 (s_t = x_t, stored as bits). The consumer's output, its parameters' gradients and
 * the readout must be the same bits: spikes are exact, whichever their storage. */
static void expect_bits_read_as_floats(const char *consumer, const char *density)
{
    static const char *const sources[2] = {"{'type': 'dropout', 'name': 's', 'p': 0}",
                                           "{'type': 'lif', 'name': 's', 'beta': 0, 'threshold': 0.5}"};
    sq_net *net[2];
    float *x = input_new((size_t)BITS_T * BITS_N * BITS_F, SQ_VALUES_SPIKES, 0.3, 17);
    for (int k = 0; k < 2; k++) {
        char text[1024];
        snprintf(text, sizeof text, "{'sparse_max_density': %s, 'layers': [%s, %s, {'type': 'readout', 'mode': 'leaky', "
                 "'beta': 0.5}]}", density, sources[k], consumer);
        net[k] = net_new(text, shape(BITS_T, BITS_H, BITS_W, BITS_C, k ? SQ_VALUES_REAL : SQ_VALUES_COUNTS), BITS_N, 2);
        sq_net_init(net[k], 3);
        forward_backward(net[k], x, BITS_N);
    }
    ck_assert_int_eq(layer(net[0], "s")->out.store, SQ_STORE_FLOAT);
    ck_assert_int_eq(layer(net[1], "s")->out.store, SQ_STORE_BITS);
    for (size_t i = 1; i < sq_net_layer_count(net[0]); i++) {
        const sq_layer *a = sq_net_layer(net[0], i), *b = sq_net_layer(net[1], i);
        float *ya = out_values(a, BITS_N), *yb = out_values(b, BITS_N);
        int same = memcmp(ya, yb, out_size(a, BITS_N) * sizeof *ya) == 0;
        free(ya), free(yb);
        ck_assert_msg(same, "%s (density %s): %s output", consumer, density, a->name);
        for (int p = 0; p < a->n_params; p++)
            ck_assert_msg(!a->params[p].trainable ||
                              memcmp(a->params[p].grad, b->params[p].grad, a->params[p].n * sizeof(float)) == 0,
                          "%s (density %s): %s.%s gradient", consumer, density, a->name, a->params[p].name);
    }
    free(x);
    sq_net_destroy(net[0]);
    sq_net_destroy(net[1]);
}

START_TEST(every_layer_reads_spikes_stored_as_bits_exactly_as_floats)
{
    static const char *const consumers[] = {
        "{'type': 'conv2d', 'out_channels': 4, 'kernel': 3, 'padding': 1, 'bias': true}",
        "{'type': 'conv2d', 'out_channels': 4, 'kernel': [2, 3], 'stride': 2}",
        "{'type': 'conv2d', 'out_channels': 4, 'kernel': 1}", /* direct: the input is the SGEMM matrix */
        "{'type': 'linear', 'out_features': 6, 'bias': true}", /* direct over the whole map */
        "{'type': 'avgpool', 'kernel': 2, 'padding': 1}",
        "{'type': 'global_avgpool'}",
        "{'type': 'add', 'inputs': ['s', 's']}",
        "{'type': 'dropout', 'p': 0}", /* spikes in, spikes out */
        "{'type': 'dropout', 'p': 0.3}",
        "{'type': 'batchnorm', 'per_step': true}",
        "{'type': 'batchnorm'}",
        "{'type': 'lif', 'beta': 0.7, 'threshold': 0.9}",
    };
    for (size_t i = 0; i < SQ_COUNT(consumers); i++) {
        expect_bits_read_as_floats(consumers[i], "1"); /* every spike input takes the event-driven path */
        expect_bits_read_as_floats(consumers[i], "0"); /* and then im2col + SGEMM */
    }
}
END_TEST

START_TEST(a_spiking_layer_is_stored_in_one_bit_a_neuron_step)
{
    /* LIF 5 x 7 x 3 (105 features: two 64-bit words a sample and step) between two floats layers. */
    sq_net *net = net_new("{'layers': [{'type': 'conv2d', 'out_channels': 3, 'kernel': 1}, {'type': 'lif', 'name': 's'}, "
                          "{'type': 'readout'}]}", shape(BITS_T, BITS_H, BITS_W, BITS_C, SQ_VALUES_REAL), BITS_N, 1);
    const sq_layer *s = layer(net, "s");
    ck_assert_int_eq(s->out.store, SQ_STORE_BITS);
    ck_assert_uint_eq(s->out.words, 2);
    ck_assert_ptr_null(s->out.f);
    ck_assert_int_eq(sq_net_layer(net, 0)->out.store, SQ_STORE_FLOAT);
    ck_assert_double_eq(sq_net_neuron_steps(net), (double)BITS_T * BITS_N * BITS_F);
    sq_net_destroy(net);
}
END_TEST

/* ---- optimizers ------------------------------------------------------------------------------------- */

/* A 2 x 2 linear weight: w0, then two steps on the gradients g[0], g[1]. */
static const float opt_w0[4] = {0.5f, -1.0f, 2.0f, 0.25f};
static const float opt_g[2][4] = {{0.1f, -0.2f, 0.3f, 0.05f}, {-0.05f, 0.4f, 0.1f, 0.2f}};

/* The weights after each of two steps of the optimizer the JSON describes, within 1e-6. */
static void expect_two_steps(const char *optimizer, const double want[2][4])
{
    json_t *j = json_of(optimizer);
    sq_optim_spec spec;
    sq_err err = {0, ""};
    ck_assert_msg(sq_optim_spec_read(j, "net.json", &spec, &err) == 0, "%s", err.msg);
    json_decref(j);
    sq_net *net = net_new("{'layers': [{'type': 'linear', 'out_features': 2}, {'type': 'readout'}]}",
                          shape(1, 1, 1, 2, SQ_VALUES_REAL), 1, 1);
    sq_param *w = sq_net_param(net, 0, NULL);
    ck_assert_uint_eq(w->n, 4);
    memcpy(w->value, opt_w0, sizeof opt_w0);
    sq_optim *o;
    ck_assert_int_eq(sq_optim_create(&spec, net, &o, &err), 0);
    for (int s = 0; s < 2; s++) {
        memcpy(w->grad, opt_g[s], sizeof opt_g[s]);
        sq_optim_step(o, spec.lr);
        for (int i = 0; i < 4; i++)
            ck_assert_msg(fabs(w->value[i] - want[s][i]) < 1e-6, "%s: step %d, w[%d] = %.9f, expected %.9f", optimizer,
                          s + 1, i, w->value[i], want[s][i]);
    }
    ck_assert_uint_eq(sq_optim_steps(o), 2);
    sq_optim_destroy(o);
    sq_net_destroy(net);
}

START_TEST(sgd_with_momentum_nesterov_and_weight_decay_matches_hand_values)
{
    /* g = grad + 0.01 w; buf = g (step 1), 0.9 buf + g; w -= 0.1 (g + 0.9 buf). Step 1, w[0]:
     * g = 0.1 + 0.005 = 0.105, w = 0.5 - 0.1 * 0.105 * 1.9 = 0.48005. */
    static const double nesterov[2][4] = {{0.48005, -0.9601, 1.9392, 0.240025},
                                          {0.480132905, -1.01726581, 1.89059552, 0.1973164525}};
    expect_two_steps("{'type': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'nesterov': true, 'weight_decay': 0.01}", nesterov);
    /* Dampening 0.5: buf = g at step 1 (as torch), then 0.9 buf + 0.5 g: w[0] = 0.49 - 0.1 (0.09 - 0.025). */
    static const double damp[2][4] = {{0.49, -0.98, 1.97, 0.245}, {0.4835, -0.982, 1.938, 0.2305}};
    expect_two_steps("{'type': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'dampening': 0.5}", damp);
    static const double plain[2][4] = {{0.4895, -0.979, 1.968, 0.24475}, {0.4940105, -1.018021, 1.956032, 0.22450525}};
    expect_two_steps("{'type': 'sgd', 'lr': 0.1, 'weight_decay': 0.01}", plain);
}
END_TEST

START_TEST(adam_and_adamw_two_steps_match_hand_values)
{
    /* Adam, L2 0.1: step 1 moves every weight by lr sign(g + 0.1 w) (m / sqrt(v) = +-1 after bias
     * correction), up to eps: 0.5 -> 0.49, -1 -> -0.99, 2 -> 1.99, 0.25 -> 0.24. */
    static const double adam[2][4] = {{0.4900000007, -0.9900000003, 1.9900000002, 0.2400000013},
                                      {0.4833492006, -0.9905429538, 1.9804294247, 0.2308168397}};
    expect_two_steps("{'type': 'adam', 'lr': 0.01, 'weight_decay': 0.1}", adam);
    /* AdamW, betas (0.8, 0.99): w *= 1 - 0.01 * 0.1, then the plain Adam step: 0.5 * 0.999 - 0.01. */
    static const double adamw[2][4] = {{0.4895000010, -0.9890000005, 1.9880000003, 0.2397500020},
                                       {0.4868991308, -0.9922210286, 1.9775476018, 0.2303838719}};
    expect_two_steps("{'type': 'adamw', 'lr': 0.01, 'betas': [0.8, 0.99], 'weight_decay': 0.1, 'eps': 1e-8}", adamw);
}
END_TEST

START_TEST(optimizer_defaults_follow_torch_optim)
{
    sq_optim_spec s;
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_optim_spec_read(NULL, "net.json", &s, &err), 0);
    ck_assert_int_eq(s.kind, SQ_OPTIM_SGD);
    ck_assert_double_eq(s.lr, 0.01);
    json_t *j = json_of("{'type': 'adamw'}");
    ck_assert_int_eq(sq_optim_spec_read(j, "net.json", &s, &err), 0);
    json_decref(j);
    ck_assert_double_eq(s.lr, 1e-3);
    ck_assert_double_eq(s.weight_decay, 1e-2);
    ck_assert_double_eq(s.beta1, 0.9);
    ck_assert_double_eq(s.beta2, 0.999);
    ck_assert_double_eq(s.eps, 1e-8);
}
END_TEST

/* ---- schedules --------------------------------------------------------------------------------------- */

static sq_schedule schedule_of(const char *text, uint32_t epochs)
{
    json_t *j = json_of(text);
    sq_schedule s;
    sq_err err = {0, ""};
    ck_assert_msg(sq_schedule_read(j, "net.json", epochs, &s, &err) == 0, "%s", err.msg);
    json_decref(j);
    return s;
}

START_TEST(multistep_multiplies_by_gamma_at_each_milestone_reached)
{
    sq_schedule s = schedule_of("{'type': 'multistep', 'milestones': [2, 5], 'gamma': 0.1}", 8);
    static const double want[8] = {0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001};
    for (uint32_t e = 0; e < 8; e++)
        ck_assert_double_eq_tol(sq_schedule_lr(&s, 0.1, e), want[e], 1e-15);
    s = schedule_of("{'type': 'constant'}", 8);
    ck_assert_double_eq(sq_schedule_lr(&s, 0.1, 7), 0.1);
}
END_TEST

START_TEST(cosine_follows_eta_min_plus_half_the_range_times_one_plus_cos)
{
    sq_schedule s = schedule_of("{'type': 'cosine', 't_max': 10, 'eta_min': 0.001}", 3);
    /* lr_e = 0.001 + 0.099 (1 + cos(pi e / 10)) / 2: 0.1, 0.0505 at e = 5, 0.001 at e = 10. */
    ck_assert_double_eq_tol(sq_schedule_lr(&s, 0.1, 0), 0.1, 1e-15);
    ck_assert_double_eq_tol(sq_schedule_lr(&s, 0.1, 2), 0.0905463412215599, 1e-15);
    ck_assert_double_eq_tol(sq_schedule_lr(&s, 0.1, 5), 0.0505, 1e-15);
    ck_assert_double_eq_tol(sq_schedule_lr(&s, 0.1, 9), 0.0034227024433899004, 1e-15);
    ck_assert_double_eq_tol(sq_schedule_lr(&s, 0.1, 10), 0.001, 1e-15);
    /* t_max defaults to the epochs. */
    s = schedule_of("{'type': 'cosine'}", 4);
    ck_assert_double_eq_tol(sq_schedule_lr(&s, 0.2, 2), 0.1, 1e-15);
    ck_assert_double_eq_tol(sq_schedule_lr(&s, 0.2, 4), 0.0, 1e-15);
}
END_TEST

/* ---- losses ------------------------------------------------------------------------------------------- */

static const float loss_y[9] = {1, 2, 3, 0, 0, 0, 2, 2, 1};
static const uint32_t loss_labels[3] = {2, 0, 1};

START_TEST(cross_entropy_value_and_gradient_match_the_closed_form)
{
    float dy[9];
    uint32_t correct = 99;
    double L = sq_loss(SQ_LOSS_CROSS_ENTROPY, loss_y, loss_labels, 3, 3, dy, &correct);
    /* -log softmax: log(1 + e^-1 + e^-2), log 3, log(2 + e^-1); the mean of the three. */
    double want = (log(1 + exp(-1) + exp(-2)) + log(3) + log(2 + exp(-1))) / 3;
    ck_assert_double_eq_tol(L, want, 1e-12);
    ck_assert_double_eq_tol(L, 0.789404352390, 1e-12);
    /* (softmax - onehot) / N. */
    static const double g[9] = {0.030010191057, 0.081576157018, -0.111586348075, -0.222222222222, 0.111111111111,
                                0.111111111111, 0.140772932751, -0.192560400583, 0.051787467832};
    for (int i = 0; i < 9; i++)
        ck_assert_double_eq_tol(dy[i], g[i], 1e-7);
    /* Row 3 ties (2, 2, 1): the answer is the first maximum, class 0, not the label 1. */
    ck_assert_uint_eq(correct, 2);
}
END_TEST

START_TEST(mse_value_and_gradient_match_the_closed_form)
{
    float dy[9];
    uint32_t correct;
    /* (y - onehot)^2 summed: 1 + 4 + 4, 1, 4 + 1 + 1 = 16 over 9. */
    double L = sq_loss(SQ_LOSS_MSE, loss_y, loss_labels, 3, 3, dy, &correct);
    ck_assert_double_eq_tol(L, 16.0 / 9.0, 1e-12);
    static const double diff[9] = {1, 2, 2, -1, 0, 0, 2, 1, 1};
    for (int i = 0; i < 9; i++)
        ck_assert_double_eq_tol(dy[i], 2 * diff[i] / 9, 1e-7);
    ck_assert_uint_eq(correct, 2);
    ck_assert_double_eq_tol(sq_loss(SQ_LOSS_MSE, loss_y, loss_labels, 3, 3, NULL, NULL), 16.0 / 9.0, 1e-12);
}
END_TEST

START_TEST(argmax_ties_take_the_first_maximum)
{
    static const float a[4] = {1, 3, 3, 2}, b[3] = {5, 5, 5}, c[3] = {-2, -1, -1};
    ck_assert_uint_eq(sq_argmax(a, 4), 1);
    ck_assert_uint_eq(sq_argmax(b, 3), 0);
    ck_assert_uint_eq(sq_argmax(c, 3), 1);
    ck_assert_int_eq(sq_loss_find("cross_entropy"), SQ_LOSS_CROSS_ENTROPY);
    ck_assert_int_eq(sq_loss_find("mse"), SQ_LOSS_MSE);
    ck_assert_int_eq(sq_loss_find("hinge"), -1);
    ck_assert_str_eq(sq_loss_name(SQ_LOSS_MSE), "mse");
}
END_TEST

/* ---- epoch order ---------------------------------------------------------------------------------------- */

START_TEST(epoch_order_is_a_permutation_that_depends_on_seed_and_epoch_only)
{
    enum { N = 1000 };
    size_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), *c = malloc(N * sizeof *c);
    uint8_t seen[N] = {0};
    sq_epoch_order(1, 3, N, a);
    for (size_t i = 0; i < N; i++) {
        ck_assert_uint_lt(a[i], N);
        ck_assert_uint_eq(seen[a[i]], 0);
        seen[a[i]] = 1;
    }
    sq_epoch_order(2, 0, N, c); /* other calls in between change nothing */
    sq_epoch_order(1, 3, N, b);
    ck_assert_int_eq(memcmp(a, b, N * sizeof *a), 0);
    size_t fixed = 0, same_epoch4 = 0, same_seed2 = 0;
    sq_epoch_order(1, 4, N, b);
    sq_epoch_order(2, 3, N, c);
    for (size_t i = 0; i < N; i++) {
        fixed += a[i] == i;
        same_epoch4 += a[i] == b[i];
        same_seed2 += a[i] == c[i];
    }
    /* A random permutation has about 1 fixed point, and two agree at about 1 place. */
    ck_assert_uint_lt(fixed, 10);
    ck_assert_uint_lt(same_epoch4, 10);
    ck_assert_uint_lt(same_seed2, 10);
    sq_epoch_order(1, 3, 1, a);
    ck_assert_uint_eq(a[0], 0);
    free(a), free(b), free(c);
}
END_TEST

/* ---- config errors ---------------------------------------------------------------------------------------- */

static const sq_net_input err_in = {2, 6, 6, 2, SQ_VALUES_SPIKES};

START_TEST(unknown_layer_type_is_an_error_listing_the_types)
{
    net_fails("{'layers': [{'type': 'conv3d'}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].type: expected one of conv2d, linear, avgpool, global_avgpool, batchnorm, lif, "
              "add, dropout, readout, got \"conv3d\"");
    net_fails("{'layers': [{'out_channels': 2}]}", err_in,
              "net.json: network.layers[0].type: expected one of conv2d, linear, avgpool, global_avgpool, batchnorm, lif, "
              "add, dropout, readout, got nothing");
}
END_TEST

START_TEST(unknown_key_in_a_layer_is_an_error_listing_its_keys)
{
    net_fails("{'layers': [{'type': 'conv2d', 'out_channels': 2, 'kernal': 3}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].kernal: unknown field (expected one of: type, name, inputs, out_channels, "
              "kernel, stride, padding, bias, init)");
    net_fails("{'layers': [{'type': 'lif', 'tau_m': 3}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].tau_m: unknown field (expected one of: type, name, inputs, beta, tau, dt, "
              "threshold, reset, strict, detach_reset, surrogate)");
    net_fails("{'layers': [{'type': 'readout'}], 'optimizer': {}}", err_in,
              "net.json: network.optimizer: unknown field (expected one of: layers, sparse_max_density)");
}
END_TEST

START_TEST(kernel_larger_than_the_padded_input_is_an_error)
{
    net_fails("{'layers': [{'type': 'conv2d', 'out_channels': 2, 'kernel': 9, 'padding': 1}, {'type': 'readout'}]}",
              err_in, "net.json: network.layers[0].kernel: expected at most the padded input 8 x 8, got 9 x 9");
    net_fails("{'layers': [{'type': 'avgpool', 'kernel': [2, 7]}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].kernel: expected at most the padded input 6 x 6, got 2 x 7");
    net_fails("{'layers': [{'type': 'conv2d', 'out_channels': 0}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].out_channels: expected an integer from 1 to 65536, got 0");
}
END_TEST

START_TEST(inputs_naming_a_later_or_unknown_layer_is_an_error)
{
    net_fails("{'layers': [{'type': 'lif', 'name': 'a', 'inputs': ['b']}, {'type': 'lif', 'name': 'b'}, {'type': 'readout'}]}",
              err_in, "net.json: network.layers[0].inputs[0]: expected the name of an earlier layer, or \"input\", got \"b\"");
    net_fails("{'layers': [{'type': 'lif'}, {'type': 'add', 'inputs': ['lif0', 'nope']}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[1].inputs[1]: expected the name of an earlier layer, or \"input\", got \"nope\"");
    net_fails("{'layers': [{'type': 'lif'}, {'type': 'add', 'inputs': ['lif0']}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[1].inputs: expected a list of 2 earlier layer names or \"input\", got an array");
}
END_TEST

START_TEST(add_of_two_shapes_is_an_error_naming_both)
{
    net_fails("{'layers': [{'type': 'conv2d', 'name': 'c', 'out_channels': 4, 'kernel': 3, 'stride': 2, 'padding': 1}, "
              "{'type': 'add', 'inputs': ['c', 'input']}, {'type': 'readout'}]}",
              err_in, "net.json: network.layers[1].inputs: expected two inputs of one shape, got 4 x 3 x 3 and 2 x 6 x 6");
}
END_TEST

START_TEST(last_layer_not_a_readout_is_an_error)
{
    net_fails("{'layers': [{'type': 'lif'}]}", err_in,
              "net.json: network.layers[0].type: expected the last layer to be a \"readout\", got \"lif\"");
    net_fails("{'layers': [{'type': 'readout'}, {'type': 'lif'}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[1].inputs: expected a layer before the readout, got \"readout0\" (a readout is "
              "the last layer)");
    net_fails("{'layers': []}", err_in, "net.json: network.layers: expected a non-empty list of layers, got an empty array");
}
END_TEST

START_TEST(bad_surrogate_and_negative_beta_are_errors)
{
    net_fails("{'layers': [{'type': 'lif', 'surrogate': {'type': 'relu'}}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].surrogate.type: expected one of \"triangle\", \"sigmoid\", \"arctan\", got \"relu\"");
    net_fails("{'layers': [{'type': 'lif', 'surrogate': 'triangle'}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].surrogate: expected an object {\"type\": \"triangle\"|\"sigmoid\"|\"arctan\", "
              "...}, got \"triangle\"");
    net_fails("{'layers': [{'type': 'lif', 'beta': -0.5}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].beta: expected a number in [0, 1], got -0.5");
    net_fails("{'layers': [{'type': 'lif', 'beta': 0.5, 'tau': 2}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].tau: expected either beta or tau (with dt), not both, got 2");
    net_fails("{'layers': [{'type': 'lif', 'threshold': 0}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].threshold: expected a positive number, got 0");
    net_fails("{'layers': [{'type': 'dropout', 'p': 1}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].p: expected a probability in [0, 1), got 1");
}
END_TEST

START_TEST(duplicate_layer_names_are_an_error)
{
    net_fails("{'layers': [{'type': 'lif', 'name': 'x'}, {'type': 'lif', 'name': 'x'}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[1].name: expected a name no other layer has, got \"x\" (layer 0)");
    net_fails("{'layers': [{'type': 'lif'}, {'type': 'lif', 'name': 'lif0'}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[1].name: expected a name no other layer has, got \"lif0\" (layer 0)");
    net_fails("{'layers': [{'type': 'lif', 'name': 'a-b'}, {'type': 'readout'}]}", err_in,
              "net.json: network.layers[0].name: expected a name of letters, digits and _ (at most 63, not \"input\"), "
              "got \"a-b\"");
}
END_TEST

/* The failure of reading `text` (' for ") with one of the spec readers: code and exact message. */
typedef int (*spec_reader)(const json_t *obj, sq_err *err);
static int read_optim(const json_t *o, sq_err *e)
{
    sq_optim_spec s;
    return sq_optim_spec_read(o, "net.json", &s, e);
}
static int read_schedule(const json_t *o, sq_err *e)
{
    sq_schedule s;
    return sq_schedule_read(o, "net.json", 10, &s, e);
}
static int read_training(const json_t *o, sq_err *e)
{
    sq_train_spec s;
    return sq_train_spec_read(o, "net.json", &s, e);
}

static void spec_fails(spec_reader read, const char *text, const char *msg)
{
    json_t *j = json_of(text);
    sq_err err = {0, ""};
    int rc = read(j, &err);
    json_decref(j);
    ck_assert_int_eq(rc, SQ_ECONFIG);
    ck_assert_int_eq(err.code, SQ_ECONFIG);
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(optimizer_errors_name_the_field_and_the_value)
{
    spec_fails(read_optim, "{'type': 'rmsprop'}",
               "net.json: training.optimizer.type: expected one of \"sgd\", \"adam\", \"adamw\", got \"rmsprop\"");
    spec_fails(read_optim, "{'type': 'sgd', 'lr': -0.1}", "net.json: training.optimizer.lr: expected a positive number, got -0.1");
    spec_fails(read_optim, "{'type': 'sgd', 'nesterov': true}",
               "net.json: training.optimizer.nesterov: expected false unless momentum > 0 and dampening = 0, got true");
    spec_fails(read_optim, "{'type': 'adam', 'betas': [0.9, 1.0]}",
               "net.json: training.optimizer.betas: expected a pair [beta1, beta2] of numbers in [0, 1), got an array");
    spec_fails(read_optim, "{'type': 'adam', 'beta1': 0.9}",
               "net.json: training.optimizer.beta1: unknown field (expected one of: type, lr, momentum, dampening, "
               "weight_decay, nesterov, betas, eps)");
    spec_fails(read_optim, "'sgd'",
               "net.json: training.optimizer: expected an object {\"type\": \"sgd\"|\"adam\"|\"adamw\", ...}, got \"sgd\"");
}
END_TEST

START_TEST(schedule_errors_name_the_field_and_the_value)
{
    spec_fails(read_schedule, "{'type': 'step'}",
               "net.json: training.schedule.type: expected one of \"constant\", \"multistep\", \"cosine\", got \"step\"");
    spec_fails(read_schedule, "{'type': 'multistep', 'milestones': [5, 2]}",
               "net.json: training.schedule.milestones: expected a list of up to 16 increasing epochs, got an array");
    spec_fails(read_schedule, "{'type': 'multistep'}",
               "net.json: training.schedule.milestones: expected a list of up to 16 increasing epochs, got nothing");
    spec_fails(read_schedule, "{'type': 'cosine', 'T_max': 5}",
               "net.json: training.schedule.T_max: unknown field (expected one of: type, milestones, gamma, t_max, eta_min)");
    spec_fails(read_schedule, "{'type': 'cosine', 't_max': 0}",
               "net.json: training.schedule.t_max: expected a positive number, got 0");
}
END_TEST

START_TEST(training_errors_name_the_field_and_the_value)
{
    spec_fails(read_training, "{'epoch': 3}",
               "net.json: training.epoch: unknown field (expected one of: epochs, batch, eval_batch, drop_last, loss, "
               "optimizer, schedule, seed, threads, rule)");
    spec_fails(read_training, "{'batch': 0}", "net.json: training.batch: expected an integer from 1 to 65536, got 0");
    spec_fails(read_training, "{'loss': 'nll'}",
               "net.json: training.loss: expected one of \"cross_entropy\", \"mse\", got \"nll\"");
    spec_fails(read_training, "{'drop_last': 1}", "net.json: training.drop_last: expected true or false, got 1");
    spec_fails(read_training, "[1]", "net.json: training: expected an object, got an array");
    /* The optimizer and schedule inside are read with the same messages. */
    spec_fails(read_training, "{'optimizer': {'type': 'sgd', 'momentum': 2}}",
               "net.json: training.optimizer.momentum: expected a number in [0, 1], got 2");
    spec_fails(read_training, "{'schedule': {'type': 'multistep', 'milestones': [1, 'x']}}",
               "net.json: training.schedule.milestones: expected a list of up to 16 increasing epochs, got an array");
}
END_TEST

/* ---- weights files ------------------------------------------------------------------------------------------- */

#define FILE_NET(out)                                                                                                  \
    "{'layers': [{'type': 'conv2d', 'name': 'conv', 'out_channels': 3, 'kernel': 3, 'bias': true},"                    \
    "{'type': 'batchnorm', 'name': 'bn', 'per_step': true}, {'type': 'lif'},"                                          \
    "{'type': 'linear', 'name': 'fc', 'out_features': " #out "}, {'type': 'readout'}]}"

static const sq_net_input file_in = {2, 5, 5, 2, SQ_VALUES_REAL};

/* Every parameter and buffer, in order, in one buffer (caller frees). */
static float *params_copy(sq_net *net, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < sq_net_param_count(net); i++)
        total += sq_net_param(net, i, NULL)->n;
    float *all = malloc(total * sizeof *all), *next = all;
    for (size_t i = 0; i < sq_net_param_count(net); i++) {
        const sq_param *p = sq_net_param(net, i, NULL);
        memcpy(next, p->value, p->n * sizeof *next);
        next += p->n;
    }
    *n = total;
    return all;
}

/* A net of FILE_NET with seeded weights and BN statistics moved by one training pass. */
static sq_net *file_net_new(const char *text, uint64_t seed)
{
    sq_net *net = net_new(text, file_in, 2, 1);
    sq_net_init(net, seed);
    float *x = input_new(2 * 2 * 50, SQ_VALUES_REAL, 0, seed);
    sq_pass pass = {.training = 1};
    forward_ok(net, x, 2, &pass);
    free(x);
    return net;
}

START_TEST(weights_file_round_trips_exactly_in_pytorch_layouts)
{
    char path[300];
    sq_tmp_path(path, sizeof path, "w.h5");
    sq_net *a = file_net_new(FILE_NET(4), 1), *b = file_net_new(FILE_NET(4), 2);
    sq_err err = {0, ""};
    ck_assert_msg(sq_net_save(a, path, &err) == 0, "%s", err.msg);
    ck_assert_msg(sq_net_load(b, path, &err) == 0, "%s", err.msg);
    size_t na, nb;
    float *pa = params_copy(a, &na), *pb = params_copy(b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(pa, pb, na * sizeof *pa), 0);
    /* The file holds [out][in][kh][kw] (internal [out][kh][kw][in]), nn.Linear's [out][C*H*W] in
     * (C, H, W) order (internal [out][H][W][C]), BN's [T][C]; format attributes. */
    sq_tensor_file *f;
    ck_assert_int_eq(sq_tensor_file_open(path, &f, &err), 0);
    float conv[3 * 2 * 3 * 3], fc[4 * 27], rv[2 * 3];
    ck_assert_int_eq(sq_tensor_file_get(f, "/layers/conv/weight", 4, (uint32_t[]){3, 2, 3, 3}, conv, &err), 0);
    ck_assert_int_eq(sq_tensor_file_get(f, "/layers/fc/weight", 2, (uint32_t[]){4, 27}, fc, &err), 0);
    ck_assert_int_eq(sq_tensor_file_get(f, "/layers/bn/running_var", 2, (uint32_t[]){2, 3}, rv, &err), 0);
    const float *cw = param_of(a, "conv", "weight")->value, *fw = param_of(a, "fc", "weight")->value;
    for (uint32_t o = 0; o < 3; o++)
        for (uint32_t i = 0; i < 2; i++)
            for (uint32_t ky = 0; ky < 3; ky++)
                for (uint32_t kx = 0; kx < 3; kx++)
                    ck_assert_float_eq(conv[((o * 2 + i) * 3 + ky) * 3 + kx], cw[((o * 3 + ky) * 3 + kx) * 2 + i]);
    for (uint32_t o = 0; o < 4; o++)
        for (uint32_t c = 0; c < 3; c++) /* the conv's 3 x 3 x 3 output */
            for (uint32_t p = 0; p < 9; p++)
                ck_assert_float_eq(fc[o * 27 + c * 9 + p], fw[o * 27 + p * 3 + c]);
    ck_assert_int_eq(memcmp(rv, param_of(a, "bn", "running_var")->value, sizeof rv), 0);
    ck_assert_float_ne(rv[0], 1.0f); /* moved by the training pass */
    char format[64];
    double version = 0;
    ck_assert_int_eq(sq_tensor_file_get_attr_str(f, "format", format, sizeof format, &err), 0);
    ck_assert_str_eq(format, SQ_WEIGHTS_FORMAT);
    ck_assert_int_eq(sq_tensor_file_get_attr(f, "version", &version, 0, &err), 0);
    ck_assert_double_eq(version, 1);
    sq_tensor_file_close(f, NULL);
    free(pa), free(pb);
    sq_net_destroy(a);
    sq_net_destroy(b);
    sq_tmp_cleanup();
}
END_TEST

/* Loading `path` into a net of `text` fails with SQ_EFORMAT and message `msg` (after the path and
 * ": "), and leaves every parameter as it was. */
static void load_fails(const char *text, const char *path, int code, const char *msg)
{
    sq_net *b = file_net_new(text, 2);
    size_t n0, n1;
    float *before = params_copy(b, &n0);
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_net_load(b, path, &err), code);
    ck_assert_int_eq(err.code, code);
    char want[700];
    snprintf(want, sizeof want, "%s: %s", path, msg);
    ck_assert_str_eq(err.msg, want);
    float *after = params_copy(b, &n1);
    ck_assert_int_eq(memcmp(before, after, n0 * sizeof *before), 0);
    free(before), free(after);
    sq_net_destroy(b);
}

START_TEST(loading_a_wrong_shape_names_file_dataset_and_both_shapes_and_changes_nothing)
{
    char path[300];
    sq_tmp_path(path, sizeof path, "w.h5");
    sq_net *a = file_net_new(FILE_NET(4), 1);
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_net_save(a, path, &err), 0);
    /* fc is the last layer: conv and bn would have been read when the shape check fails. */
    load_fails(FILE_NET(5), path, SQ_EFORMAT, "/layers/fc/weight: expected shape 5 x 27, got 4 x 27");
    load_fails("{'layers': [{'type': 'conv2d', 'name': 'conv', 'out_channels': 3, 'kernel': 3, 'bias': true},"
               "{'type': 'batchnorm', 'name': 'bn'}, {'type': 'lif'}, {'type': 'linear', 'name': 'fc', 'out_features': 4},"
               "{'type': 'readout'}]}",
               path, SQ_EFORMAT, "/layers/bn/gamma: expected shape 1 x 3, got 2 x 3");
    sq_net_destroy(a);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(loading_a_file_without_a_dataset_names_it_and_changes_nothing)
{
    char path[300];
    sq_tmp_path(path, sizeof path, "w.h5");
    sq_net *a = file_net_new(FILE_NET(4), 1);
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_net_save(a, path, &err), 0);
    load_fails("{'layers': [{'type': 'conv2d', 'name': 'conv', 'out_channels': 3, 'kernel': 3, 'bias': true},"
               "{'type': 'batchnorm', 'name': 'bn', 'per_step': true}, {'type': 'lif'},"
               "{'type': 'linear', 'name': 'fc2', 'out_features': 4}, {'type': 'readout'}]}",
               path, SQ_EFORMAT, "/layers/fc2/weight: expected a dataset of 4 x 27 floats, got nothing");
    /* A file saved without the conv bias, read by a net with one. */
    char nobias[300];
    sq_tmp_path(nobias, sizeof nobias, "nobias.h5");
    sq_net *c = net_new("{'layers': [{'type': 'conv2d', 'name': 'conv', 'out_channels': 3, 'kernel': 3},"
                        "{'type': 'batchnorm', 'name': 'bn', 'per_step': true}, {'type': 'lif'},"
                        "{'type': 'linear', 'name': 'fc', 'out_features': 4}, {'type': 'readout'}]}",
                        file_in, 2, 1);
    ck_assert_int_eq(sq_net_save(c, nobias, &err), 0);
    load_fails(FILE_NET(4), nobias, SQ_EFORMAT, "/layers/conv/bias: expected a dataset of 3 floats, got nothing");
    sq_net_destroy(c);
    sq_net_destroy(a);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(loading_a_file_that_is_not_hdf5_is_a_clear_error)
{
    char text_path[300], missing[300], other[300];
    sq_tmp_path(text_path, sizeof text_path, "weights.h5");
    sq_tmp_write(text_path, "{\"not\": \"hdf5\"}\n", 16);
    load_fails(FILE_NET(4), text_path, SQ_EFORMAT, "not an HDF5 file (or a truncated one)");
    sq_tmp_path(missing, sizeof missing, "missing.h5");
    load_fails(FILE_NET(4), missing, SQ_EIO, "cannot read the file");
    /* An HDF5 file of another kind. */
    sq_tmp_path(other, sizeof other, "other.h5");
    sq_tensor_file *f;
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_tensor_file_create(other, &f, &err), 0);
    ck_assert_int_eq(sq_tensor_file_put_attr_str(f, "format", "sonata", &err), 0);
    ck_assert_int_eq(sq_tensor_file_close(f, &err), 0);
    load_fails(FILE_NET(4), other, SQ_EFORMAT, "attribute format: expected \"spikeq-layered-weights\", got \"sonata\"");
    sq_tmp_cleanup();
}
END_TEST

static Suite *layers_suite(void)
{
    Suite *s = suite_create("layers");
    TCase *lif = tcase_create("lif");
    tcase_add_test(lif, lif_spike_times_follow_the_recursion_for_every_reset_and_threshold_rule);
    tcase_add_test(lif, lif_input_exactly_at_threshold_fires_only_when_not_strict);
    tcase_add_test(lif, lif_beta_from_tau_and_dt_is_exp_of_minus_dt_over_tau);
    suite_add_tcase(s, lif);
    TCase *conv = tcase_create("conv_paths");
    tcase_add_test(conv, sparse_and_dense_conv2d_agree_with_stride_2_and_padding_1);
    tcase_add_test(conv, sparse_and_dense_agree_for_a_1x1_conv2d);
    tcase_add_test(conv, sparse_and_dense_agree_for_linear_on_a_spatial_input);
    suite_add_tcase(s, conv);
    TCase *grad = tcase_create("gradients");
    tcase_add_test(grad, gradients_match_central_differences_with_per_step_batchnorm);
    tcase_add_test(grad, gradients_match_central_differences_with_shared_batchnorm);
    tcase_add_test(grad, conv_bias_before_training_batchnorm_gets_a_zero_gradient);
    suite_add_tcase(s, grad);
    TCase *drop = tcase_create("dropout");
    tcase_add_test(drop, dropout_holds_one_mask_for_all_steps_scales_by_1_over_1_minus_p_and_keeps_70_percent);
    tcase_add_test(drop, dropout_is_the_identity_in_evaluation);
    tcase_add_test(drop, dropout_masks_depend_on_sample_keys_not_on_batch_position_or_threads);
    suite_add_tcase(s, drop);
    TCase *thr = tcase_create("threads");
    tcase_add_test(thr, one_two_and_three_threads_give_bit_identical_outputs_and_gradients);

    TCase *bits = tcase_create("spike_storage");
    tcase_add_test(bits, tensor_bits_read_back_what_was_written_at_every_offset_and_length);
    tcase_add_test(bits, every_layer_reads_spikes_stored_as_bits_exactly_as_floats);
    tcase_add_test(bits, a_spiking_layer_is_stored_in_one_bit_a_neuron_step);
    suite_add_tcase(s, thr);
    suite_add_tcase(s, bits);
    TCase *opt = tcase_create("training_math");
    tcase_add_test(opt, sgd_with_momentum_nesterov_and_weight_decay_matches_hand_values);
    tcase_add_test(opt, adam_and_adamw_two_steps_match_hand_values);
    tcase_add_test(opt, optimizer_defaults_follow_torch_optim);
    tcase_add_test(opt, multistep_multiplies_by_gamma_at_each_milestone_reached);
    tcase_add_test(opt, cosine_follows_eta_min_plus_half_the_range_times_one_plus_cos);
    tcase_add_test(opt, cross_entropy_value_and_gradient_match_the_closed_form);
    tcase_add_test(opt, mse_value_and_gradient_match_the_closed_form);
    tcase_add_test(opt, argmax_ties_take_the_first_maximum);
    tcase_add_test(opt, epoch_order_is_a_permutation_that_depends_on_seed_and_epoch_only);
    suite_add_tcase(s, opt);
    TCase *cfg = tcase_create("config_errors");
    tcase_add_test(cfg, unknown_layer_type_is_an_error_listing_the_types);
    tcase_add_test(cfg, unknown_key_in_a_layer_is_an_error_listing_its_keys);
    tcase_add_test(cfg, kernel_larger_than_the_padded_input_is_an_error);
    tcase_add_test(cfg, inputs_naming_a_later_or_unknown_layer_is_an_error);
    tcase_add_test(cfg, add_of_two_shapes_is_an_error_naming_both);
    tcase_add_test(cfg, last_layer_not_a_readout_is_an_error);
    tcase_add_test(cfg, bad_surrogate_and_negative_beta_are_errors);
    tcase_add_test(cfg, duplicate_layer_names_are_an_error);
    tcase_add_test(cfg, optimizer_errors_name_the_field_and_the_value);
    tcase_add_test(cfg, schedule_errors_name_the_field_and_the_value);
    tcase_add_test(cfg, training_errors_name_the_field_and_the_value);
    suite_add_tcase(s, cfg);
    TCase *files = tcase_create("weights_files");
    tcase_add_test(files, weights_file_round_trips_exactly_in_pytorch_layouts);
    tcase_add_test(files, loading_a_wrong_shape_names_file_dataset_and_both_shapes_and_changes_nothing);
    tcase_add_test(files, loading_a_file_without_a_dataset_names_it_and_changes_nothing);
    tcase_add_test(files, loading_a_file_that_is_not_hdf5_is_a_clear_error);
    suite_add_tcase(s, files);
    return s;
}

int main(void) { return sq_test_run(layers_suite()); }
