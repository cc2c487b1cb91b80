/* step/optim.h: the optimizers of layered-network training, exactly the update rules of PyTorch
 * 1.13's torch.optim (float32 arithmetic in the same order):
 *   sgd:   g = grad + wd w; buf = g (first step) or momentum buf + (1 - dampening) g;
 *          g = g + momentum buf (nesterov) or buf; w -= lr g
 *   adam:  g = grad + wd w; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 *          w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)   (Kingma & Ba 2015)
 *   adamw: w *= 1 - lr wd, then adam without the L2 term (Loshchilov & Hutter 2019).
 * The update of each parameter is elementwise, so it is the same at any thread count.
 * Tested in tests/test_net.c against the closed form and in tests/layered_oracle.py. */
#ifndef SQ_OPTIM_H
#define SQ_OPTIM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "tensor_file.h"

typedef enum { SQ_OPTIM_SGD, SQ_OPTIM_ADAM, SQ_OPTIM_ADAMW } sq_optim_kind;

/* Public value: the "optimizer" object of a training config. */
typedef struct {
    sq_optim_kind kind;
    double lr, momentum, dampening, weight_decay;
    int nesterov;
    double beta1, beta2, eps;
} sq_optim_spec;

/* Reads obj (the config's training.optimizer, NULL: SGD with lr 0.01). origin prefixes messages. */
int sq_optim_spec_read(const json_t *obj, const char *origin, sq_optim_spec *out, sq_err *err);

typedef struct sq_optim sq_optim;

/* State for every trainable parameter of net (zero, step 0). */
int sq_optim_create(const sq_optim_spec *spec, sq_net *net, sq_optim **out, sq_err *err);
void sq_optim_destroy(sq_optim *o);
/* One update of every trainable parameter of the net it was made for, from their grad, with this lr. */
void sq_optim_step(sq_optim *o, double lr);
uint64_t sq_optim_steps(const sq_optim *o);

/* The state in a checkpoint: /optimizer/<layer>/<param>/<state> in the parameters' file layouts and
 * the root attribute optimizer_steps. */
int sq_optim_write(sq_optim *o, sq_tensor_file *f, sq_err *err);
int sq_optim_read(sq_optim *o, sq_tensor_file *f, sq_err *err);

#endif
