/* tests/layered_oracle_driver.c: runs a layered network through libspikeq for the PyTorch oracle
 * (tests/layered_oracle.py): one training-mode forward and backward pass on a batch, then `steps`
 * optimizer steps on the same batch, written to an HDF5 file the oracle compares with PyTorch.
 *   layered_oracle_driver CONFIG.json WEIGHTS.h5 INPUTS.h5 OUT.h5 [--steps K] [--threads N]
 * INPUTS.h5: /inputs float32 [N][T][C][H][W], /labels [N]. OUT.h5: /loss, /outputs/<layer>
 * ([T][N][C][H][W], the readout [N][F]), /grads/<layer>/<param>, /losses [K], /after/<layer>/<param>. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../step/loss.h"
#include "../step/net.h"
#include "../step/net_file.h"
#include "../step/optim.h"
#include "../step/tensor_file.h"

static int die(const sq_err *err)
{
    fprintf(stderr, "layered_oracle_driver: %s\n", err->msg);
    return 1;
}

static int write_params(sq_net *net, sq_tensor_file *f, const char *top, int grads, sq_err *err)
{
    for (size_t i = 0; i < sq_net_param_count(net); i++) {
        const sq_layer *l;
        sq_param *p = sq_net_param(net, i, &l);
        if (grads && !p->trainable)
            continue;
        float *buf = malloc(p->n * sizeof *buf);
        char name[200];
        snprintf(name, sizeof name, "/%s/%s/%s", top, l->name, p->name);
        sq_param_to_file(p, grads ? p->grad : p->value, buf);
        int rc = sq_tensor_file_put(f, name, p->file_rank, p->file_dims, buf, err);
        free(buf);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: layered_oracle_driver CONFIG.json WEIGHTS.h5 INPUTS.h5 OUT.h5 [--steps K] [--threads N]\n");
        return 2;
    }
    int steps = 5, threads = 1;
    for (int i = 5; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--steps") == 0)
            steps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = atoi(argv[i + 1]);
    }
    sq_err err = {0};
    json_error_t jerr;
    json_t *cfg = json_load_file(argv[1], 0, &jerr);
    if (!cfg) {
        fprintf(stderr, "layered_oracle_driver: %s: %s\n", argv[1], jerr.text);
        return 1;
    }
    sq_tensor_file *in;
    if (sq_tensor_file_open(argv[3], &in, &err) < 0)
        return die(&err);
    uint32_t rank, d[8];
    if (sq_tensor_file_dims(in, "/inputs", &rank, d, &err) < 0 || rank != 5)
        return die(&err);
    uint32_t N = d[0], T = d[1];
    sq_fshape s = {d[3], d[4], d[2]};
    size_t img = sq_fshape_size(s);
    float *raw = malloc((size_t)N * T * img * sizeof *raw), *x = malloc((size_t)N * T * img * sizeof *x),
          *tmp = malloc(img * sizeof *tmp), *lab = malloc(N * sizeof *lab);
    uint32_t *labels = malloc(N * sizeof *labels);
    if (sq_tensor_file_get(in, "/inputs", 5, d, raw, &err) < 0 || sq_tensor_file_get(in, "/labels", 1, d, lab, &err) < 0)
        return die(&err);
    sq_tensor_file_close(in, NULL);
    for (uint32_t n = 0; n < N; n++) {
        labels[n] = (uint32_t)lab[n];
        for (uint32_t t = 0; t < T; t++) {
            sq_channels_last(raw + ((size_t)n * T + t) * img, tmp, 1, s);
            memcpy(x + ((size_t)t * N + n) * img, tmp, img * sizeof *tmp);
        }
    }
    int values = SQ_VALUES_COUNTS;
    for (size_t i = 0; i < (size_t)N * T * img; i++)
        if (x[i] < 0 || x[i] != (float)(long)x[i])
            values = SQ_VALUES_REAL;
    sq_net_input shape = {T, s.h, s.w, s.c, (sq_values)values};
    sq_net *net;
    if (sq_net_create(json_object_get(cfg, "network"), argv[1], &shape, N, threads, &net, &err) < 0)
        return die(&err);
    if (sq_net_load(net, argv[2], &err) < 0)
        return die(&err);
    const json_t *training = json_object_get(cfg, "training");
    const json_t *loss_name = json_object_get(training, "loss");
    sq_loss_kind loss = loss_name ? (sq_loss_kind)sq_loss_find(json_string_value(loss_name)) : SQ_LOSS_CROSS_ENTROPY;
    sq_optim_spec spec;
    sq_optim *opt;
    if (sq_optim_spec_read(json_object_get(training, "optimizer"), argv[1], &spec, &err) < 0 ||
        sq_optim_create(&spec, net, &opt, &err) < 0)
        return die(&err);
    uint32_t K = sq_net_outputs(net);
    float *dy = malloc((size_t)N * K * sizeof *dy);
    double *losses = malloc((size_t)(steps + 1) * sizeof *losses);
    /* One pass a step (the first is the one written out), then its update. */
    sq_tensor_file *out;
    if (sq_tensor_file_create(argv[4], &out, &err) < 0)
        return die(&err);
    sq_pass pass = {.training = 1, .seed = 1};
    for (int k = 0; k < (steps > 0 ? steps : 1); k++) {
        if (sq_net_forward(net, x, N, &pass, &err) < 0)
            return die(&err);
        losses[k] = sq_loss(loss, sq_net_output(net), labels, N, K, dy, NULL);
        sq_net_backward(net, dy);
        if (k == 0) {
            float l0 = (float)losses[0];
            uint32_t one = 1;
            if (sq_tensor_file_put(out, "/loss", 1, &one, &l0, &err) < 0)
                return die(&err);
            for (size_t i = 0; i < sq_net_layer_count(net); i++) {
                sq_layer *l = sq_net_layer(net, i);
                size_t images = (size_t)l->T * N, n = images * sq_fshape_size(l->shape);
                float *buf = malloc(n * sizeof *buf), *val = malloc(n * sizeof *val);
                sq_tensor_unpack(&l->out, images, val); /* spikes are stored as bits */
                sq_channels_first(val, buf, images, l->shape);
                free(val);
                char name[200];
                snprintf(name, sizeof name, "/outputs/%s", l->name);
                uint32_t dims5[5] = {l->T, N, l->shape.c, l->shape.h, l->shape.w}, dims2[2] = {N, l->shape.c};
                int rc = l->T == 1 && i + 1 == sq_net_layer_count(net) ? sq_tensor_file_put(out, name, 2, dims2, buf, &err)
                                                                      : sq_tensor_file_put(out, name, 5, dims5, buf, &err);
                free(buf);
                if (rc < 0)
                    return die(&err);
            }
            if (write_params(net, out, "grads", 1, &err) < 0)
                return die(&err);
        }
        if (k < steps)
            sq_optim_step(opt, spec.lr);
    }
    float *lf = malloc((size_t)steps * sizeof *lf);
    for (int k = 0; k < steps; k++)
        lf[k] = (float)losses[k];
    uint32_t ns = (uint32_t)steps;
    if (sq_tensor_file_put(out, "/losses", 1, &ns, lf, &err) < 0 || write_params(net, out, "after", 0, &err) < 0 ||
        sq_tensor_file_close(out, &err) < 0)
        return die(&err);
    free(lf);
    free(losses);
    free(dy);
    sq_optim_destroy(opt);
    sq_net_destroy(net);
    free(raw), free(x), free(tmp), free(lab), free(labels);
    json_decref(cfg);
    return 0;
}
