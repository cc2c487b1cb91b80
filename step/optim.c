/* step/optim.c: SGD (momentum, Nesterov, weight decay), Adam and AdamW as torch.optim (step/optim.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../layers/layer_config.h"
#include "optim.h"

struct sq_optim {
    sq_optim_spec spec;
    sq_net *net;
    size_t n;            /* trainable floats */
    float *state;        /* sgd: momentum buffers; adam: m then v, per parameter */
    uint64_t steps;
};

static const char *const keys[] = {"type", "lr", "momentum", "dampening", "weight_decay", "nesterov", "betas", "eps"};

int sq_optim_spec_read(const json_t *obj, const char *origin, sq_optim_spec *out, sq_err *err)
{
    static const char *const kinds[] = {"sgd", "adam", "adamw"};
    sq_layer_cfg c = {.origin = origin, .err = err};
    const char *where = "training.optimizer";
    *out = (sq_optim_spec){.kind = SQ_OPTIM_SGD, .lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    if (!obj)
        return 0;
    if (!json_is_object(obj))
        return sq__lcfg_fail(&c, "training", "optimizer", "an object {\"type\": \"sgd\"|\"adam\"|\"adamw\", ...}", obj);
    int kind, rc = sq__lcfg_keys(&c, obj, where, keys, SQ_COUNT(keys));
    if (rc < 0)
        return rc;
    if ((rc = sq__lcfg_choice(&c, obj, where, "type", kinds, 3, 0, &kind)) < 0)
        return rc;
    out->kind = (sq_optim_kind)kind;
    if ((rc = sq__lcfg_number(&c, obj, where, "lr", SQ_NUM_POSITIVE, kind == SQ_OPTIM_SGD ? 0.01 : 1e-3, &out->lr)) < 0 ||
        (rc = sq__lcfg_number(&c, obj, where, "momentum", SQ_NUM_UNIT_CLOSED, 0, &out->momentum)) < 0 ||
        (rc = sq__lcfg_number(&c, obj, where, "dampening", SQ_NUM_UNIT_CLOSED, 0, &out->dampening)) < 0 ||
        (rc = sq__lcfg_number(&c, obj, where, "weight_decay", SQ_NUM_NONNEGATIVE, kind == SQ_OPTIM_ADAMW ? 1e-2 : 0,
                              &out->weight_decay)) < 0 ||
        (rc = sq__lcfg_bool(&c, obj, where, "nesterov", 0, &out->nesterov)) < 0 ||
        (rc = sq__lcfg_number(&c, obj, where, "eps", SQ_NUM_POSITIVE, 1e-8, &out->eps)) < 0)
        return rc;
    const json_t *b = json_object_get(obj, "betas");
    if (b) {
        const json_t *b0 = json_array_get(b, 0), *b1 = json_array_get(b, 1);
        if (!json_is_array(b) || json_array_size(b) != 2 || !json_is_number(b0) || !json_is_number(b1) ||
            !(json_number_value(b0) >= 0 && json_number_value(b0) < 1) ||
            !(json_number_value(b1) >= 0 && json_number_value(b1) < 1))
            return sq__lcfg_fail(&c, where, "betas", "a pair [beta1, beta2] of numbers in [0, 1)", b);
        out->beta1 = json_number_value(b0), out->beta2 = json_number_value(b1);
    }
    if (out->nesterov && (out->momentum <= 0 || out->dampening != 0))
        return sq__lcfg_fail(&c, where, "nesterov", "false unless momentum > 0 and dampening = 0",
                             json_object_get(obj, "nesterov"));
    return 0;
}

static int states(const sq_optim *o) { return o->spec.kind == SQ_OPTIM_SGD ? (o->spec.momentum > 0) : 2; }

int sq_optim_create(const sq_optim_spec *spec, sq_net *net, sq_optim **out, sq_err *err)
{
    *out = NULL;
    sq_optim *o = calloc(1, sizeof *o);
    if (!o)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    o->spec = *spec;
    o->net = net;
    o->n = sq_net_trainable_size(net);
    size_t n = o->n * (size_t)states(o);
    if (!(o->state = calloc(n ? n : 1, sizeof *o->state))) {
        free(o);
        return sq_fail(err, SQ_ENOMEM, "out of memory for %zu optimizer states", n);
    }
    *out = o;
    return 0;
}

void sq_optim_destroy(sq_optim *o)
{
    if (o)
        free(o->state);
    free(o);
}

uint64_t sq_optim_steps(const sq_optim *o) { return o->steps; }

static void sgd(const sq_optim_spec *s, float *w, const float *grad, float *buf, size_t n, float lr, int first)
{
    float wd = (float)s->weight_decay, mom = (float)s->momentum, damp = (float)(1.0 - s->dampening);
    for (size_t i = 0; i < n; i++) {
        float g = wd != 0.0f ? grad[i] + wd * w[i] : grad[i];
        if (buf) {
            buf[i] = first ? g : buf[i] * mom + damp * g;
            g = s->nesterov ? g + mom * buf[i] : buf[i];
        }
        w[i] -= lr * g;
    }
}

static void adam(const sq_optim_spec *s, float *w, const float *grad, float *m, float *v, size_t n, double lr,
                 uint64_t t)
{
    float b1 = (float)s->beta1, b2 = (float)s->beta2, eps = (float)s->eps;
    double bc1 = 1.0 - pow(s->beta1, (double)t), bc2 = 1.0 - pow(s->beta2, (double)t);
    float step = (float)(lr / bc1), bc2_sqrt = (float)sqrt(bc2);
    float l2 = s->kind == SQ_OPTIM_ADAM ? (float)s->weight_decay : 0.0f;
    float decay = s->kind == SQ_OPTIM_ADAMW ? (float)(1.0 - lr * s->weight_decay) : 1.0f;
    for (size_t i = 0; i < n; i++) {
        if (decay != 1.0f)
            w[i] *= decay;
        float g = l2 != 0.0f ? grad[i] + l2 * w[i] : grad[i];
        m[i] = m[i] * b1 + (1.0f - b1) * g;
        v[i] = v[i] * b2 + (1.0f - b2) * g * g;
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        w[i] -= step * (m[i] / denom);
    }
}

void sq_optim_step(sq_optim *o, double lr)
{
    o->steps++;
    float *state = o->state;
    for (size_t i = 0; i < sq_net_param_count(o->net); i++) {
        sq_param *p = sq_net_param(o->net, i, NULL);
        if (!p->trainable)
            continue;
        if (o->spec.kind == SQ_OPTIM_SGD)
            sgd(&o->spec, p->value, p->grad, states(o) ? state : NULL, p->n, (float)lr, o->steps == 1);
        else
            adam(&o->spec, p->value, p->grad, state, state + o->n, p->n, lr, o->steps);
        state += states(o) ? p->n : 0;
    }
}

/* Visits the state tensors: fn(param, layer, state name, internal data). */
static int each_state(sq_optim *o, int (*fn)(sq_tensor_file *, const sq_param *, const sq_layer *, const char *,
                                             float *, sq_err *),
                      sq_tensor_file *f, sq_err *err)
{
    static const char *const sgd_names[] = {"momentum_buffer"}, *const adam_names[] = {"exp_avg", "exp_avg_sq"};
    const char *const *names = o->spec.kind == SQ_OPTIM_SGD ? sgd_names : adam_names;
    size_t offset = 0;
    int rc = 0;
    for (size_t i = 0; i < sq_net_param_count(o->net) && rc == 0; i++) {
        const sq_layer *l;
        sq_param *p = sq_net_param(o->net, i, &l);
        if (!p->trainable)
            continue;
        for (int s = 0; s < states(o) && rc == 0; s++)
            rc = fn(f, p, l, names[s], o->state + (size_t)s * (o->spec.kind == SQ_OPTIM_SGD ? 0 : o->n) + offset, err);
        offset += p->n;
    }
    return rc;
}

static int put_state(sq_tensor_file *f, const sq_param *p, const sq_layer *l, const char *state, float *v, sq_err *err)
{
    float *buf = malloc(p->n * sizeof *buf);
    if (!buf)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    char name[200];
    snprintf(name, sizeof name, "/optimizer/%s/%s/%s", l->name, p->name, state);
    sq_param_to_file(p, v, buf);
    int rc = sq_tensor_file_put(f, name, p->file_rank, p->file_dims, buf, err);
    free(buf);
    return rc;
}

static int get_state(sq_tensor_file *f, const sq_param *p, const sq_layer *l, const char *state, float *v, sq_err *err)
{
    float *buf = malloc(p->n * sizeof *buf);
    if (!buf)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    char name[200];
    snprintf(name, sizeof name, "/optimizer/%s/%s/%s", l->name, p->name, state);
    int rc = sq_tensor_file_get(f, name, p->file_rank, p->file_dims, buf, err);
    if (rc == 0)
        sq_param_from_file(p, buf, v);
    free(buf);
    return rc;
}

int sq_optim_write(sq_optim *o, sq_tensor_file *f, sq_err *err)
{
    int rc = sq_tensor_file_put_attr(f, "optimizer_steps", (double)o->steps, err);
    return rc < 0 ? rc : each_state(o, put_state, f, err);
}

int sq_optim_read(sq_optim *o, sq_tensor_file *f, sq_err *err)
{
    double steps = 0;
    int rc = sq_tensor_file_get_attr(f, "optimizer_steps", &steps, 0, err);
    if (rc < 0 || (rc = each_state(o, get_state, f, err)) < 0)
        return rc;
    o->steps = (uint64_t)steps;
    return 0;
}
