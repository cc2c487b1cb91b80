/* layers/readout.c: the non-spiking output of a layered network, reduced over the T steps into one
 * value per feature: "mean" (S-ResNet's mem_fc / num_steps, Vicente-Sola et al. 2022), "sum",
 * "last", or a leaky integrator v_t = beta v_{t-1} + x_t read at the last step. Features are
 * flattened in PyTorch's (C, H, W) order, so class k is the k-th output as torch.flatten gives it.
 * Tested against PyTorch in tests/layered_oracle.py. */
#include <math.h>
#include <stdlib.h>

#include "layer_config.h"

typedef enum { MODE_MEAN, MODE_SUM, MODE_LAST, MODE_LEAKY } mode;

typedef struct {
    mode m;
    double beta;
} readout;

static const char *const keys[] = {"mode", "beta"};

static int setup(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    static const char *const modes[] = {"mean", "sum", "last", "leaky"};
    readout *r = calloc(1, sizeof *r);
    if (!(l->priv = r))
        return sq_fail(c->err, SQ_ENOMEM, "%s: %s: out of memory", c->origin, where);
    int m, rc;
    if ((rc = sq__lcfg_choice(c, obj, where, "mode", modes, 4, 0, &m)) < 0 ||
        (rc = sq__lcfg_number(c, obj, where, "beta", SQ_NUM_UNIT_CLOSED, 0.9, &r->beta)) < 0)
        return rc;
    r->m = (mode)m;
    l->shape = (sq_fshape){1, 1, (uint32_t)sq_fshape_size(l->in_shape[0])};
    l->values = SQ_VALUES_REAL;
    l->T = 1;
    return 0;
}

/* The weight of step t in the output. */
static float step_weight(const readout *r, uint32_t t, uint32_t T)
{
    switch (r->m) {
    case MODE_MEAN: return 1.0f / (float)T;
    case MODE_SUM: return 1.0f;
    case MODE_LAST: return t + 1 == T ? 1.0f : 0.0f;
    default: return (float)pow(r->beta, (double)(T - 1 - t));
    }
}

/* Output feature f = c * h * w + y * w + x (PyTorch's flatten) of the input element (y, x, c). */
static size_t flat_index(sq_fshape s, size_t e)
{
    size_t c = e % s.c, pix = e / s.c;
    return c * ((size_t)s.h * s.w) + pix;
}

static void forward(sq_layer *l, const sq_step_ctx *ctx)
{
    const readout *r = l->priv;
    sq_fshape in = l->in_shape[0];
    size_t F = sq_fshape_size(in);
    for (uint32_t n = 0; n < ctx->N; n++)
        for (size_t e = 0; e < F; e++) {
            /* The leaky integrator is run as the recursion (as a PyTorch loop would), the others summed
             * in step order then scaled, as mem_fc / num_steps. */
            float acc = 0.0f;
            for (uint32_t t = 0; t < l->in_T; t++) {
                float x = sq_tensor_get(l->in_val[0], (size_t)t * ctx->N + n, e);
                if (r->m == MODE_LEAKY)
                    acc = (float)r->beta * acc + x;
                else if (r->m != MODE_LAST || t + 1 == l->in_T)
                    acc += x;
            }
            if (r->m == MODE_MEAN)
                acc /= (float)l->in_T;
            l->out.f[(size_t)n * F + flat_index(in, e)] = acc;
        }
}

static void backward(sq_layer *l, const sq_step_ctx *ctx)
{
    const readout *r = l->priv;
    if (!l->in_grad[0])
        return;
    sq_fshape in = l->in_shape[0];
    size_t F = sq_fshape_size(in), step = (size_t)ctx->N * F;
    for (uint32_t t = 0; t < l->in_T; t++) {
        float w = step_weight(r, t, l->in_T);
        for (uint32_t n = 0; n < ctx->N; n++)
            for (size_t e = 0; e < F; e++)
                l->in_grad[0][t * step + (size_t)n * F + e] += w * l->grad[(size_t)n * F + flat_index(in, e)];
    }
}

const sq_layer_type sq_layer_readout = {.name = "readout", .summary = "non-spiking output over T steps (mode mean|sum|last|leaky, beta)",
                                        .n_inputs = 1, .keys = keys, .n_keys = SQ_COUNT(keys), .setup = setup,
                                        .forward = forward, .backward = backward};
