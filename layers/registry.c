/* layers/registry.c: every layer type of layered networks, one line each (layers/CONFIG.md). */
#include <string.h>

#include "layer.h"

extern const sq_layer_type sq_layer_conv2d, sq_layer_linear, sq_layer_avgpool, sq_layer_global_avgpool,
    sq_layer_batchnorm, sq_layer_lif, sq_layer_add, sq_layer_dropout, sq_layer_readout;

static const sq_layer_type *const types[] = {
    &sq_layer_conv2d, &sq_layer_linear, &sq_layer_avgpool, &sq_layer_global_avgpool, &sq_layer_batchnorm,
    &sq_layer_lif,    &sq_layer_add,    &sq_layer_dropout, &sq_layer_readout,
};

const sq_layer_type *const *sq_layer_types(size_t *n)
{
    *n = SQ_COUNT(types);
    return types;
}

const sq_layer_type *sq_layer_type_find(const char *name)
{
    for (size_t i = 0; i < SQ_COUNT(types); i++)
        if (strcmp(types[i]->name, name) == 0)
            return types[i];
    return NULL;
}
