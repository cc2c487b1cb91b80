/* layers/conv2d.c: 2-d convolution of every step's feature map (PyTorch nn.Conv2d: cross-correlation,
 * zero padding, no bias by default, as S-ResNet's convolutions; Vicente-Sola et al. 2022, Neuromorph.
 * Comput. Eng. 2:044001). Connectivity is implicit: the kernels of layers/conv_kernels.c, dense or
 * event-driven. Weight file layout [out][in][kh][kw]; internal [out][kh][kw][in] (channels last).
 * Tested against PyTorch in tests/layered_oracle.py and path against path in tests/test_layers.c. */
#include "conv_kernels.h"

static const char *const keys[] = {"out_channels", "kernel", "stride", "padding", "bias", "init"};

static int setup(sq_layer *l, const sq_layer_cfg *c, const json_t *obj, const char *where)
{
    sq_conv_state *s;
    uint32_t k[2], st[2], pad[2];
    int rc;
    if ((rc = sq__conv_state_new(l, c, where, &s)) < 0)
        return rc;
    sq_conv_geom *g = &s->g;
    if ((rc = sq__lcfg_uint(c, obj, where, "out_channels", 1, 1u << 16, 1, 0, &g->co)) < 0 ||
        (rc = sq__lcfg_pair(c, obj, where, "kernel", 1, 4096, 3, k)) < 0 ||
        (rc = sq__lcfg_pair(c, obj, where, "stride", 1, 4096, 1, st)) < 0 ||
        (rc = sq__lcfg_pair(c, obj, where, "padding", 0, 4096, 0, pad)) < 0 ||
        (rc = sq__lcfg_bool(c, obj, where, "bias", 0, &g->bias)) < 0 || (rc = sq__lcfg_init(c, obj, where, &s->init)) < 0)
        return rc;
    g->h = l->in_shape[0].h, g->w = l->in_shape[0].w, g->ci = l->in_shape[0].c;
    g->kh = k[0], g->kw = k[1], g->sh = st[0], g->sw = st[1], g->ph = pad[0], g->pw = pad[1];
    return sq__conv_state_finish(l, c, where);
}

const sq_layer_type sq_layer_conv2d = {
    .name = "conv2d", .summary = "2-d convolution (out_channels, kernel, stride, padding, bias, init), dense or event-driven",
    .n_inputs = 1, .keys = keys, .n_keys = SQ_COUNT(keys), .setup = setup, .prepare = sq__conv_prepare,
    .workspace = sq__conv_workspace, .init = sq__conv_init, .forward = sq__conv_forward,
    .backward = sq__conv_backward, .destroy = sq__conv_destroy};
