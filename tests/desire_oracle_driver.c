/* tests/desire_oracle_driver.c: runs step/desire.h on Fashion-MNIST test images for
 * tests/desire_oracle.py, which checks every number against its own numpy computation of
 * learning.md §1:
 *   desire_oracle_driver WEIGHTS.h5 OUT.h5 INFER LEARN ETA SEED
 * loads the weights (authors' /W<l> or /layers/fc<l>/weight), writes the test-mode output counts
 * of the first INFER test images (/counts [INFER][10]), then trains on the first LEARN images in
 * order (sample k with dropout key k) and writes, for each, the masks (/mask<l>_<k>), every
 * layer's spike counts (/count<l>_<k>) and desires (/desire<l>_<k>), and the final weights
 * (/layers/fc<l>/weight). */
#include <stdio.h>
#include <stdlib.h>

#include "encoders/sample_set.h"
#include "step/desire_train.h"
#include "step/tensor_file.h"

static int put_u32(sq_tensor_file *f, const char *name, uint32_t rank, const uint32_t *dims, size_t n,
                   float (*get)(const sq_desire_work *, uint32_t, uint32_t), const sq_desire_work *w, uint32_t l,
                   sq_err *err)
{
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = get(w, l, (uint32_t)i);
    int rc = sq_tensor_file_put(f, name, rank, dims, v, err);
    free(v);
    return rc;
}

static float get_count(const sq_desire_work *w, uint32_t l, uint32_t i) { return (float)sq_desire_work_count(w, l, i); }
static float get_desire(const sq_desire_work *w, uint32_t l, uint32_t i) { return (float)sq_desire_work_desire(w, l, i); }
static float get_mask(const sq_desire_work *w, uint32_t l, uint32_t i) { return (float)sq_desire_work_mask(w, l, i); }

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s WEIGHTS.h5 OUT.h5 INFER LEARN ETA SEED\n", argv[0]);
        return 2;
    }
    size_t infer = strtoul(argv[3], NULL, 10), learn = strtoul(argv[4], NULL, 10);
    float eta = strtof(argv[5], NULL);
    uint64_t seed = strtoull(argv[6], NULL, 10);
    sq_err err = {0};
    sq_desire_spec s;
    sq_desire_spec_default(&s);
    sq_sample_set_params p;
    sq_sample_set_params_default(&p);
    p.T = 1;
    p.samples = infer > learn ? infer : learn;
    sq_sample_set *set = NULL;
    sq_desire *d = NULL;
    sq_tensor_file *f = NULL;
    int rc;
    if ((rc = sq_sample_set_open(&p, "test", &set, &err)) < 0 || (rc = sq_desire_create(&s, &d, &err)) < 0 ||
        (rc = sq_desire_load(d, argv[1], &err)) < 0 || (rc = sq_tensor_file_create(argv[2], &f, &err)) < 0)
        goto done;
    sq_desire_work *w = sq_desire_work_create(d);
    float x[784];
    uint32_t label, *counts = malloc(infer * 10 * sizeof *counts);
    float *fc = malloc(infer * 10 * sizeof *fc);
    for (size_t i = 0; i < infer && rc == 0; i++) {
        rc = sq_sample_set_get(set, i, x, &label, &err);
        sq_desire_infer(d, w, x, counts + i * 10);
    }
    for (size_t i = 0; i < infer * 10; i++)
        fc[i] = (float)counts[i];
    uint32_t dims[2] = {(uint32_t)infer, 10};
    if (rc == 0)
        rc = sq_tensor_file_put(f, "/counts", 2, dims, fc, &err);
    for (size_t k = 0; k < learn && rc == 0; k++) {
        uint32_t out[10];
        if ((rc = sq_sample_set_get(set, k, x, &label, &err)) < 0)
            break;
        sq_desire_learn(d, w, x, label, eta, seed, k, out);
        for (uint32_t l = 0; l <= s.layers && rc == 0; l++) {
            char name[64];
            uint32_t n = s.sizes[l];
            snprintf(name, sizeof name, "/mask%u_%zu", l, k);
            rc = put_u32(f, name, 1, &n, n, get_mask, w, l, &err);
            snprintf(name, sizeof name, "/count%u_%zu", l, k);
            if (rc == 0)
                rc = put_u32(f, name, 1, &n, n, get_count, w, l, &err);
            snprintf(name, sizeof name, "/desire%u_%zu", l, k);
            if (rc == 0 && l > 0)
                rc = put_u32(f, name, 1, &n, n, get_desire, w, l, &err);
        }
    }
    for (uint32_t l = 1; l <= s.layers && rc == 0; l++) {
        uint32_t wd[2] = {s.sizes[l], s.sizes[l - 1]};
        float *v = malloc((size_t)wd[0] * wd[1] * sizeof *v);
        char name[64];
        snprintf(name, sizeof name, "/layers/fc%u/weight", l);
        sq_desire_get_weights(d, l, v);
        rc = sq_tensor_file_put(f, name, 2, wd, v, &err);
        free(v);
    }
    free(counts), free(fc);
    sq_desire_work_destroy(w);
    if (rc == 0) {
        rc = sq_tensor_file_close(f, &err);
        f = NULL;
    }
done:
    if (f)
        sq_tensor_file_abandon(f);
    sq_desire_destroy(d);
    sq_sample_set_close(set);
    if (rc < 0) {
        fprintf(stderr, "desire_oracle_driver: %s\n", err.msg);
        return 1;
    }
    return 0;
}
