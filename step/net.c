/* step/net.c: building a layered network from its JSON description and running its forward and
 * backward passes (step/net.h). Storage is decided here, once: an output of kind spikes is kept as
 * bits, any other as floats (layers/tensor.h), and every layer reads its inputs in either. */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/config_internal.h"
#include "net.h"

struct sq_net {
    sq_net_input in;
    uint32_t max_batch, N;
    int threads;
    double sparse_max_density;
    sq_layer *layers;
    size_t n_layers;
    float *work;
    size_t work_floats;
    float *param_mem;      /* every parameter's value and grad */
    sq_tensor x;           /* the input of the last forward: the caller's floats, only read */
    size_t bytes;
    uint64_t *default_keys;
    sq_pass last_pass;     /* of the last forward: the backward pass runs in the same mode */
    /* Gradient buffers are shared: a layer's output gradient lives only from the backward step of
     * its last consumer (first_write) to its own, so buffers are reused along the backward pass. */
    float **slots;
    size_t n_slots;
    size_t *first_write;   /* per layer: the backward step that first writes its gradient */
};

static const char *const net_keys[] = {"layers", "sparse_max_density"};
static const char *const common_keys[] = {"type", "name", "inputs"};

static int valid_name(const char *s)
{
    if (!*s || strlen(s) >= SQ_LAYER_NAME)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* The input names of layer i: "inputs" or, by default, the previous layer (the data for the first). */
static int read_inputs(sq_net *net, sq__cfg_ctx *c, const json_t *obj, const char *where, size_t i, int n_wanted)
{
    sq_layer *l = &net->layers[i];
    const json_t *v = json_object_get(obj, "inputs");
    char path[SQ__CFG_PATH], what[96];
    sq__cfg_join(path, where, "inputs");
    snprintf(what, sizeof what, "a list of %d earlier layer name%s or \"input\"", n_wanted, n_wanted > 1 ? "s" : "");
    if (!v) {
        if (n_wanted != 1)
            return sq__cfg_expected(c, path, what, v);
        l->n_in = 1;
        l->in[0] = (int)i - 1;
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) != (size_t)n_wanted)
        return sq__cfg_expected(c, path, what, v);
    l->n_in = n_wanted;
    for (int k = 0; k < n_wanted; k++) {
        const json_t *e = json_array_get(v, (size_t)k);
        const char *name = json_is_string(e) ? json_string_value(e) : "";
        int found = strcmp(name, "input") == 0 ? -1 : -2;
        for (size_t j = 0; j < i && found == -2; j++)
            if (strcmp(net->layers[j].name, name) == 0)
                found = (int)j;
        if (found == -2) {
            char p2[SQ__CFG_PATH];
            sq__cfg_index(p2, path, (size_t)k);
            return sq__cfg_expected(c, p2, "the name of an earlier layer, or \"input\"", e);
        }
        l->in[k] = found;
    }
    return 0;
}

static int setup_layer(sq_net *net, sq__cfg_ctx *c, const json_t *obj, size_t i)
{
    char where[SQ__CFG_PATH];
    sq__cfg_index(where, "network.layers", i);
    sq_layer *l = &net->layers[i];
    l->index = (int)i;
    if (!json_is_object(obj))
        return sq__cfg_expected(c, where, "an object {\"type\": ..., ...}", obj);
    const json_t *type = json_object_get(obj, "type");
    l->type = json_is_string(type) ? sq_layer_type_find(json_string_value(type)) : NULL;
    if (!l->type) {
        char path[SQ__CFG_PATH], what[512] = "one of ";
        size_t n;
        const sq_layer_type *const *all = sq_layer_types(&n);
        for (size_t k = 0; k < n; k++) {
            sq__cfg_append(what, sizeof what, k ? ", " : "");
            sq__cfg_append(what, sizeof what, all[k]->name);
        }
        sq__cfg_join(path, where, "type");
        return sq__cfg_expected(c, path, what, type);
    }
    const char *keys[24];
    size_t nk = 0;
    for (size_t k = 0; k < SQ_COUNT(common_keys); k++)
        keys[nk++] = common_keys[k];
    for (size_t k = 0; k < l->type->n_keys && nk < SQ_COUNT(keys); k++)
        keys[nk++] = l->type->keys[k];
    int rc;
    if ((rc = sq__cfg_object(c, obj, where, keys, nk)) < 0)
        return rc;
    const json_t *name = json_object_get(obj, "name");
    if (name) {
        char path[SQ__CFG_PATH];
        sq__cfg_join(path, where, "name");
        if (!json_is_string(name) || !valid_name(json_string_value(name)) || strcmp(json_string_value(name), "input") == 0)
            return sq__cfg_expected(c, path, "a name of letters, digits and _ (at most 63, not \"input\")", name);
        snprintf(l->name, sizeof l->name, "%s", json_string_value(name));
    } else
        snprintf(l->name, sizeof l->name, "%s%zu", l->type->name, i);
    for (size_t j = 0; j < i; j++)
        if (strcmp(net->layers[j].name, l->name) == 0)
            return sq_fail(c->err, SQ_ECONFIG, "%s: %s.name: expected a name no other layer has, got \"%s\" (layer %zu)",
                           c->origin, where, l->name, j);
    if ((rc = read_inputs(net, c, obj, where, i, l->type->n_inputs)) < 0)
        return rc;
    for (int k = 0; k < l->n_in; k++) {
        const sq_layer *src = l->in[k] < 0 ? NULL : &net->layers[l->in[k]];
        l->in_shape[k] = src ? src->shape : (sq_fshape){net->in.h, net->in.w, net->in.c};
        l->in_values[k] = src ? src->values : net->in.values;
        uint32_t T = src ? src->T : net->in.T;
        if (k > 0 && T != l->in_T)
            return sq_fail(c->err, SQ_ECONFIG, "%s: %s.inputs: expected inputs with the same number of steps, got %u and %u",
                           c->origin, where, l->in_T, T);
        l->in_T = T;
        if (src && src->type == sq_layer_type_find("readout"))
            return sq_fail(c->err, SQ_ECONFIG, "%s: %s.inputs: expected a layer before the readout, got \"%s\" (a readout "
                           "is the last layer)", c->origin, where, src->name);
    }
    sq_layer_cfg lc = {.origin = c->origin, .err = c->err, .T = net->in.T};
    return l->type->setup(l, &lc, obj, where);
}

/* Which outputs need a gradient: a layer's, when it or anything before it learns. */
static void mark_gradients(sq_net *net, int *needs)
{
    for (size_t i = 0; i < net->n_layers; i++) {
        sq_layer *l = &net->layers[i];
        needs[i] = 0;
        for (int p = 0; p < l->n_params; p++)
            needs[i] |= l->params[p].trainable;
        for (int k = 0; k < l->n_in; k++)
            needs[i] |= l->in[k] >= 0 && needs[l->in[k]];
    }
}

/* The gradient buffers: an interval allocation over the backward pass (steps n, n-1, ..., 0; the
 * last layer's gradient is set at step n). At step k the gradients first written by layer k's
 * backward are taken from the free buffers (the smallest that fits, else the largest, grown), and
 * after it layer k's own is given back. Buffers are sized for the largest tensor they hold. */
static int assign_gradients(sq_net *net, const int *needs, sq_err *err)
{
    size_t n = net->n_layers, *size = calloc(n, sizeof *size), *slot_size = calloc(n, sizeof *slot_size);
    int *slot_of = calloc(n, sizeof *slot_of), *busy = calloc(n, sizeof *busy);
    net->first_write = calloc(n, sizeof *net->first_write);
    net->slots = calloc(n, sizeof *net->slots);
    int rc = size && slot_size && slot_of && busy && net->first_write && net->slots ? 0 : sq_fail(err, SQ_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const sq_layer *l = &net->layers[i];
        size[i] = (size_t)l->T * net->max_batch * sq_fshape_size(l->shape);
        net->first_write[i] = i + 1 == n ? n : i; /* a layer nothing reads starts (zero) at its own step */
        for (size_t j = i + 1; j < n; j++)
            for (int k = 0; k < net->layers[j].n_in; k++)
                if (net->layers[j].in[k] == (int)i && (net->first_write[i] == i || j > net->first_write[i]))
                    net->first_write[i] = j;
    }
    for (size_t step = n + 1; rc == 0 && step-- > 0;) {
        for (size_t i = 0; i < n; i++) {
            if (!needs[i] || net->first_write[i] != step)
                continue;
            int best = -1;
            for (size_t s = 0; s < net->n_slots; s++)
                if (!busy[s] && (best < 0 || (slot_size[s] >= size[i]) > (slot_size[best] >= size[i]) ||
                                 ((slot_size[s] >= size[i]) == (slot_size[best] >= size[i]) &&
                                  (slot_size[best] >= size[i] ? slot_size[s] < slot_size[best] : slot_size[s] > slot_size[best]))))
                    best = (int)s;
            if (best < 0)
                best = (int)net->n_slots++;
            if (slot_size[best] < size[i])
                slot_size[best] = size[i];
            busy[best] = 1;
            slot_of[i] = best;
        }
        if (step < n && needs[step])
            busy[slot_of[step]] = 0;
    }
    for (size_t s = 0; rc == 0 && s < net->n_slots; s++) {
        if (!(net->slots[s] = calloc(slot_size[s], sizeof(float))))
            rc = sq_fail(err, SQ_ENOMEM, "out of memory for %zu gradients", slot_size[s]);
        net->bytes += slot_size[s] * sizeof(float);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        net->layers[i].grad = needs[i] ? net->slots[slot_of[i]] : NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sq_layer *l = &net->layers[i];
        for (int k = 0; k < l->n_in; k++)
            l->in_grad[k] = l->in[k] >= 0 && needs[l->in[k]] ? net->layers[l->in[k]].grad : NULL;
    }
    free(size), free(slot_size), free(slot_of), free(busy);
    return rc;
}

/* The output tensor of l for T x max_batch images (bits when its values are spikes: layers/tensor.h),
 * and its inputs' tensors. */
static int allocate_output(sq_net *net, sq_layer *l, sq_err *err)
{
    size_t images = (size_t)l->T * net->max_batch, F = sq_fshape_size(l->shape), bytes;
    l->out = (sq_tensor){.store = l->values == SQ_VALUES_SPIKES ? SQ_STORE_BITS : SQ_STORE_FLOAT, .image = F};
    if (l->out.store == SQ_STORE_BITS) {
        l->out.words = sq_tensor_words(F);
        bytes = images * l->out.words * sizeof *l->out.bits;
        /* calloc: the unused bits of each image's last word are 0 before any write too. */
        l->out.bits = calloc(images * l->out.words, sizeof *l->out.bits);
    } else {
        bytes = images * F * sizeof *l->out.f;
        l->out.f = malloc(bytes);
    }
    net->bytes += bytes;
    if (!l->out.f && !l->out.bits)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory for %zu activations", l->name, images * F);
    for (int k = 0; k < l->n_in; k++)
        l->in_val[k] = l->in[k] < 0 ? &net->x : &net->layers[l->in[k]].out;
    return 0;
}

static int allocate(sq_net *net, sq_err *err)
{
    int *needs = calloc(net->n_layers, sizeof *needs);
    if (!needs)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    mark_gradients(net, needs);
    size_t params = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        for (int p = 0; p < net->layers[i].n_params; p++)
            params += net->layers[i].params[p].n * (net->layers[i].params[p].trainable ? 2 : 1);
    net->param_mem = calloc(params ? params : 1, sizeof *net->param_mem);
    int rc = 0;
    if (!net->param_mem) {
        rc = sq_fail(err, SQ_ENOMEM, "out of memory for %zu parameters", params);
        goto done;
    }
    float *next = net->param_mem;
    net->bytes = params * sizeof(float);
    for (size_t i = 0; i < net->n_layers && rc == 0; i++) {
        sq_layer *l = &net->layers[i];
        for (int p = 0; p < l->n_params; p++) {
            l->params[p].value = next, next += l->params[p].n;
            if (l->params[p].trainable)
                l->params[p].grad = next, next += l->params[p].n;
        }
        if ((rc = allocate_output(net, l, err)) < 0)
            break;
        if (l->type->prepare && (rc = l->type->prepare(l, net->max_batch, net->threads, err)) < 0)
            break;
        size_t w = l->type->workspace ? l->type->workspace(l, net->max_batch, net->threads) : 0;
        if (w > net->work_floats)
            net->work_floats = w;
    }
    if (rc == 0)
        rc = assign_gradients(net, needs, err);
    if (rc == 0 && !(net->work = malloc((net->work_floats ? net->work_floats : 1) * sizeof *net->work)))
        rc = sq_fail(err, SQ_ENOMEM, "out of memory for %zu floats of workspace", net->work_floats);
    net->bytes += net->work_floats * sizeof(float);
    if (rc == 0 && !(net->default_keys = malloc(net->max_batch * sizeof *net->default_keys)))
        rc = sq_fail(err, SQ_ENOMEM, "out of memory");
    for (uint32_t n = 0; rc == 0 && n < net->max_batch; n++)
        net->default_keys[n] = n;
done:
    free(needs);
    return rc;
}

int sq_net_create(const json_t *network, const char *origin, const sq_net_input *in, uint32_t max_batch,
                  int threads, sq_net **out, sq_err *err)
{
    *out = NULL;
    sq__cfg_ctx c = {.origin = origin, .err = err};
    int rc;
    /* Our OpenMP loops call SGEMM from every thread on fixed chunks (the same bits at any thread
     * count); OpenBLAS's own thread pool on top would oversubscribe the cores. */
    openblas_set_num_threads(1);
    if ((rc = sq__cfg_object(&c, network, "network", net_keys, SQ_COUNT(net_keys))) < 0)
        return rc;
    const json_t *layers = json_object_get(network, "layers");
    if (!json_is_array(layers) || json_array_size(layers) == 0)
        return sq__cfg_expected(&c, "network.layers", "a non-empty list of layers", layers);
    if (max_batch == 0 || in->T == 0 || in->h == 0 || in->w == 0 || in->c == 0)
        return sq_fail(err, SQ_EINVAL, "%s: network: expected a positive batch and input shape, got batch %u, %u x %u x %u x %u",
                       origin, max_batch, in->T, in->c, in->h, in->w);
    sq_net *net = calloc(1, sizeof *net);
    if (!net)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    net->in = *in;
    net->x = (sq_tensor){.store = SQ_STORE_FLOAT, .image = (size_t)in->h * in->w * in->c};
    net->max_batch = max_batch;
    net->threads = threads > 0 ? threads : 1;
    net->n_layers = json_array_size(layers);
    net->sparse_max_density = 0.3;
    if (!(net->layers = calloc(net->n_layers, sizeof *net->layers))) {
        free(net);
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    }
    double d;
    const json_t *dv = json_object_get(network, "sparse_max_density");
    if (dv && (!json_is_number(dv) || !((d = json_number_value(dv)) >= 0 && d <= 1))) {
        rc = sq__cfg_expected(&c, "network.sparse_max_density", "a number in [0, 1]", dv);
        goto fail;
    }
    if (dv)
        net->sparse_max_density = d;
    for (size_t i = 0; i < net->n_layers; i++)
        if ((rc = setup_layer(net, &c, json_array_get(layers, i), i)) < 0)
            goto fail;
    sq_layer *last = &net->layers[net->n_layers - 1];
    if (last->type != sq_layer_type_find("readout")) {
        rc = sq_fail(err, SQ_ECONFIG, "%s: network.layers[%zu].type: expected the last layer to be a \"readout\", got \"%s\"",
                     origin, net->n_layers - 1, last->type->name);
        goto fail;
    }
    if ((rc = allocate(net, err)) < 0)
        goto fail;
    *out = net;
    return 0;
fail:
    sq_net_destroy(net);
    return rc;
}

void sq_net_destroy(sq_net *net)
{
    if (!net)
        return;
    for (size_t i = 0; i < net->n_layers; i++) {
        sq_layer *l = &net->layers[i];
        if (l->type && l->type->destroy)
            l->type->destroy(l);
        else
            free(l->priv);
        free(l->out.f);
        free(l->out.bits);
    }
    for (size_t s = 0; s < net->n_slots; s++)
        free(net->slots[s]);
    free(net->slots);
    free(net->first_write);
    free(net->layers);
    free(net->param_mem);
    free(net->work);
    free(net->default_keys);
    free(net);
}

void sq_net_init(sq_net *net, uint64_t seed)
{
    for (size_t i = 0; i < net->n_layers; i++)
        if (net->layers[i].type->init)
            net->layers[i].type->init(&net->layers[i], seed);
}

void sq_net_set_threads(sq_net *net, int threads) { net->threads = threads > 0 ? threads : 1; }
int sq_net_threads(const sq_net *net) { return net->threads; }

static sq_step_ctx context(const sq_net *net, const sq_pass *pass)
{
    return (sq_step_ctx){.T = net->in.T, .N = net->N, .training = pass ? pass->training : 0,
                         .threads = net->threads, .seed = pass ? pass->seed : 0,
                         .sample_keys = pass && pass->sample_keys ? pass->sample_keys : net->default_keys,
                         .work = net->work, .sparse_max_density = net->sparse_max_density};
}

int sq_net_forward(sq_net *net, const float *x, uint32_t N, const sq_pass *pass, sq_err *err)
{
    if (N == 0 || N > net->max_batch)
        return sq_fail(err, SQ_EINVAL, "sq_net_forward: expected 1 to %u samples, got %u", net->max_batch, N);
    net->N = N;
    net->x.f = (float *)x; /* layers read their inputs only (layer.h), so x is never written */
    sq_step_ctx ctx = context(net, pass);
    for (size_t i = 0; i < net->n_layers; i++) {
        sq_layer *l = &net->layers[i];
        double t0 = omp_get_wtime();
        l->type->forward(l, &ctx);
        l->stats.forward_s += omp_get_wtime() - t0;
    }
    net->last_pass = pass ? *pass : (sq_pass){0};
    return 0;
}

/* The readout's values are real, so its output is floats. */
const float *sq_net_output(const sq_net *net) { return net->layers[net->n_layers - 1].out.f; }
uint32_t sq_net_outputs(const sq_net *net) { return net->layers[net->n_layers - 1].shape.c; }
uint32_t sq_net_batch(const sq_net *net) { return net->N; }

void sq_net_backward(sq_net *net, const float *d_output)
{
    sq_layer *last = &net->layers[net->n_layers - 1];
    if (!last->grad)
        return;
    memcpy(last->grad, d_output, (size_t)net->N * sq_net_outputs(net) * sizeof *last->grad);
    sq_step_ctx ctx = context(net, &net->last_pass);
    for (size_t i = net->n_layers; i-- > 0;) {
        sq_layer *l = &net->layers[i];
        for (size_t j = 0; j < net->n_layers; j++) {
            sq_layer *g = &net->layers[j];
            if (g->grad && net->first_write[j] == i)
                memset(g->grad, 0, (size_t)g->T * net->N * sq_fshape_size(g->shape) * sizeof *g->grad);
        }
        if (!l->grad)
            continue;
        double t0 = omp_get_wtime();
        l->type->backward(l, &ctx);
        l->stats.backward_s += omp_get_wtime() - t0;
    }
}

size_t sq_net_layer_count(const sq_net *net) { return net->n_layers; }
sq_layer *sq_net_layer(sq_net *net, size_t i) { return i < net->n_layers ? &net->layers[i] : NULL; }

int sq_net_layer_find(const sq_net *net, const char *name)
{
    for (size_t i = 0; i < net->n_layers; i++)
        if (strcmp(net->layers[i].name, name) == 0)
            return (int)i;
    return -1;
}

size_t sq_net_param_count(const sq_net *net)
{
    size_t n = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        n += (size_t)net->layers[i].n_params;
    return n;
}

sq_param *sq_net_param(sq_net *net, size_t k, const sq_layer **owner)
{
    for (size_t i = 0; i < net->n_layers; i++) {
        if (k < (size_t)net->layers[i].n_params) {
            if (owner)
                *owner = &net->layers[i];
            return &net->layers[i].params[k];
        }
        k -= (size_t)net->layers[i].n_params;
    }
    return NULL;
}

size_t sq_net_trainable_size(const sq_net *net)
{
    size_t n = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        for (int p = 0; p < net->layers[i].n_params; p++)
            n += net->layers[i].params[p].trainable ? net->layers[i].params[p].n : 0;
    return n;
}

size_t sq_net_bytes(const sq_net *net) { return net->bytes; }

double sq_net_neuron_steps(const sq_net *net)
{
    double n = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        if (net->layers[i].values == SQ_VALUES_SPIKES)
            n += (double)net->layers[i].T * net->max_batch * sq_fshape_size(net->layers[i].shape);
    return n;
}

/* Visits every element: f = file offset, i = internal offset. Internal axis a runs over
 * dims[perm[a]] with file stride of axis perm[a]. */
static void permute(const sq_param *p, const float *src, float *dst, int to_file)
{
    size_t fstride[4], idims[4], istride[4];
    fstride[3] = 1;
    for (int a = 2; a >= 0; a--)
        fstride[a] = fstride[a + 1] * p->dims[a + 1];
    for (int a = 0; a < 4; a++)
        idims[a] = p->dims[p->perm[a]];
    istride[3] = 1;
    for (int a = 2; a >= 0; a--)
        istride[a] = istride[a + 1] * idims[a + 1];
    for (size_t i0 = 0; i0 < idims[0]; i0++)
        for (size_t i1 = 0; i1 < idims[1]; i1++)
            for (size_t i2 = 0; i2 < idims[2]; i2++)
                for (size_t i3 = 0; i3 < idims[3]; i3++) {
                    size_t in = i0 * istride[0] + i1 * istride[1] + i2 * istride[2] + i3;
                    size_t f = i0 * fstride[p->perm[0]] + i1 * fstride[p->perm[1]] + i2 * fstride[p->perm[2]] +
                               i3 * fstride[p->perm[3]];
                    if (to_file)
                        dst[f] = src[in];
                    else
                        dst[in] = src[f];
                }
}

void sq_param_to_file(const sq_param *p, const float *internal, float *file) { permute(p, internal, file, 1); }
void sq_param_from_file(const sq_param *p, const float *file, float *internal) { permute(p, file, internal, 0); }

void sq_channels_last(const float *src, float *dst, size_t images, sq_fshape s)
{
    size_t hw = (size_t)s.h * s.w, img = hw * s.c;
    for (size_t i = 0; i < images; i++)
        for (uint32_t c = 0; c < s.c; c++)
            for (size_t p = 0; p < hw; p++)
                dst[i * img + p * s.c + c] = src[i * img + c * hw + p];
}

void sq_channels_first(const float *src, float *dst, size_t images, sq_fshape s)
{
    size_t hw = (size_t)s.h * s.w, img = hw * s.c;
    for (size_t i = 0; i < images; i++)
        for (uint32_t c = 0; c < s.c; c++)
            for (size_t p = 0; p < hw; p++)
                dst[i * img + c * hw + p] = src[i * img + p * s.c + c];
}
