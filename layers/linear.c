/* layers/linear.c: a fully connected layer applied to every step (PyTorch nn.Linear after
 * torch.flatten(x, 1) of an NCHW map): a convolution whose kernel covers the whole input, so it
 * runs the kernels of layers/conv_kernels.c (dense SGEMM, or an event-driven scatter over spikes).
 * Weight file layout [out][C*H*W] in PyTorch's (C, H, W) flattening; internal [out][H][W][C].
 * Tested against PyTorch in tests/layered_oracle.py. */
#include "conv_kernels.h"

static const char *const keys[] = {"out_features", "bias", "init"};

static int setup(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    sq_conv_state *s;
    int rc;
    if ((rc = sq__conv_state_new(l, c, where, &s)) < 0)
        return rc;
    sq_conv_geom *g = &s->g;
    if ((rc = sq__lcfg_uint(c, obj, where, "out_features", 1, 1u << 24, 1, 0, &g->co)) < 0 ||
        (rc = sq__lcfg_bool(c, obj, where, "bias", 0, &g->bias)) < 0 || (rc = sq__lcfg_init(c, obj, where, &s->init)) < 0)
        return rc;
    g->h = g->kh = l->in_shape[0].h, g->w = g->kw = l->in_shape[0].w, g->ci = l->in_shape[0].c;
    g->sh = g->sw = 1;
    s->linear = 1;
    if ((rc = sq__conv_state_finish(l, c, where)) < 0)
        return rc;
    l->params[0].file_rank = 2; /* [out][C][H][W] is written as nn.Linear's [out][C*H*W] */
    l->params[0].file_dims[1] = (uint32_t)g->K;
    return 0;
}

const sq_layer_type sq_layer_linear = {
    .name = "linear", .summary = "fully connected on the (C, H, W)-flattened input (out_features, bias, init)",
    .n_inputs = 1, .keys = keys, .n_keys = SQ_COUNT(keys), .setup = setup, .prepare = sq__conv_prepare,
    .workspace = sq__conv_workspace, .init = sq__conv_init, .forward = sq__conv_forward,
    .backward = sq__conv_backward, .destroy = sq__conv_destroy};
