/* encoders/sample_set_tensors.c: the "tensors" source of sample_set.h: an HDF5 file as a PyTorch
 * pipeline would save it (h5py): /<split>/inputs [n][T][C][H][W] numbers (read as float32) and
 * /<split>/labels [n] integers >= 0; n_classes is the root attribute "n_classes" when present (it
 * must exceed every label), else the largest label of the train and test splits + 1. Open reads
 * the labels and scans the inputs a block at a time to find whether every value is a non-negative
 * integer (SQ_SAMPLE_VALUES_COUNTS). get() reads one sample: C hyperslab pairs map the file's
 * [T][C][H][W] onto x's [T][H][W][C] (both selections iterate t, h, w in the same order), so there
 * is no buffer to transpose. Tested in tests/test_sample_set.c and tests/test_sample_set.py (a file
 * written by h5py read back exactly). */
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../io/sonata_h5.h"
#include "sample_set_internal.h"

typedef struct {
    char *file;
    hid_t f, inputs;
} tensors_source;

static void tensors_close(sq_sample_set *s)
{
    tensors_source *t = s->impl;
    if (!t)
        return;
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    if (t->inputs >= 0)
        H5Dclose(t->inputs);
    if (t->f >= 0)
        H5Fclose(t->f);
    sq__h5_quiet_end(&q);
    free(t->file);
    free(t);
}

static int tensors_get(const sq_sample_set *s, size_t i, float *x, sq_err *err)
{
    const tensors_source *t = s->impl;
    const sq_sample_set_info *in = &s->info;
    hsize_t mdims[4] = {in->T, in->height, in->width, in->channels};
    hsize_t mcount[4] = {in->T, in->height, in->width, 1}, fcount[5] = {1, in->T, 1, in->height, in->width};
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    hid_t fs = H5Dget_space(t->inputs), ms = H5Screate_simple(4, mdims, NULL);
    int ok = fs >= 0 && ms >= 0;
    for (uint32_t c = 0; ok && c < in->channels; c++) {
        hsize_t fstart[5] = {i, 0, c, 0, 0}, mstart[4] = {0, 0, 0, c};
        ok = H5Sselect_hyperslab(fs, H5S_SELECT_SET, fstart, NULL, fcount, NULL) >= 0 &&
             H5Sselect_hyperslab(ms, H5S_SELECT_SET, mstart, NULL, mcount, NULL) >= 0 &&
             H5Dread(t->inputs, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, x) >= 0;
    }
    char why[256];
    int rc = ok ? 0 : sq_fail(err, SQ_EIO, "%s: cannot read sample %zu: %s", t->file, i, sq__h5_reason(why, sizeof why));
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    sq__h5_quiet_end(&q);
    return rc;
}

/* /<split>/inputs: 5 dimensions of numbers, T, C, H, W >= 1. */
static int open_inputs(tensors_source *t, const char *name, sq_sample_set *s, sq_err *err)
{
    if (H5Lexists(t->f, name, H5P_DEFAULT) <= 0 || (t->inputs = H5Dopen2(t->f, name, H5P_DEFAULT)) < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: /%s: expected a dataset of numbers [n][T][C][H][W], got nothing",
                       t->file, name);
    hsize_t d[8] = {0};
    hid_t space = H5Dget_space(t->inputs), type = H5Dget_type(t->inputs);
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    if (rank >= 0 && rank <= 8)
        H5Sget_simple_extent_dims(space, d, NULL);
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (rank != 5)
        return sq_fail(err, SQ_EFORMAT, "%s: /%s: expected 5 dimensions [n][T][C][H][W], got %d", t->file, name, rank);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        return sq_fail(err, SQ_EFORMAT, "%s: /%s: expected numbers (float32), got HDF5 type class %d", t->file, name,
                       (int)cls);
    if (d[1] < 1 || d[2] < 1 || d[3] < 1 || d[4] < 1 || d[1] * d[2] * d[3] * d[4] > (1u << 30))
        return sq_fail(err, SQ_EFORMAT, "%s: /%s: expected T, C, H, W >= 1 and at most 2^30 values a sample, got "
                       "[%llu][%llu][%llu][%llu][%llu]", t->file, name, (unsigned long long)d[0],
                       (unsigned long long)d[1], (unsigned long long)d[2], (unsigned long long)d[3],
                       (unsigned long long)d[4]);
    s->info = (sq_sample_set_info){.n = d[0], .T = (uint32_t)d[1], .channels = (uint32_t)d[2],
                                   .height = (uint32_t)d[3], .width = (uint32_t)d[4]};
    return 0;
}

/* /<split>/labels into *out (malloc'd, n entries; NULL when the dataset is absent and n is 0). */
static int read_labels(const tensors_source *t, const char *name, const char *inputs, size_t n, int64_t **out,
                       sq_err *err)
{
    *out = NULL;
    if (H5Lexists(t->f, name, H5P_DEFAULT) <= 0)
        return sq_fail(err, SQ_EFORMAT, "%s: /%s: expected %zu integer labels, got nothing", t->file, name, n);
    hid_t d = H5Dopen2(t->f, name, H5P_DEFAULT), space = d >= 0 ? H5Dget_space(d) : -1;
    hid_t type = d >= 0 ? H5Dget_type(d) : -1;
    hsize_t dims[8] = {0};
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (rank == 1)
        H5Sget_simple_extent_dims(space, dims, NULL);
    int rc = 0;
    if (type < 0 || H5Tget_class(type) != H5T_INTEGER)
        rc = sq_fail(err, SQ_EFORMAT, "%s: /%s: expected integer labels, got another type", t->file, name);
    else if (rank != 1 || (inputs && dims[0] != n))
        rc = sq_fail(err, SQ_EFORMAT, "%s: /%s: expected %zu labels (one per sample of /%s), got %d dimension(s) of "
                     "%llu", t->file, name, n, inputs, rank, (unsigned long long)dims[0]);
    else if (!(*out = malloc((dims[0] ? dims[0] : 1) * sizeof **out)))
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", t->file);
    else if (dims[0] && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0)
        rc = sq_fail(err, SQ_EIO, "%s: /%s: cannot read the labels", t->file, name);
    for (size_t k = 0; rc == 0 && k < dims[0]; k++)
        if ((*out)[k] < 0 || (*out)[k] >= UINT32_MAX)
            rc = sq_fail(err, SQ_EFORMAT, "%s: /%s: expected labels from 0 to 2^32 - 2, got %lld (sample %zu)", t->file,
                         name, (long long)(*out)[k], k);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (d >= 0)
        H5Dclose(d);
    return rc;
}

/* The largest label of the other split (when it is present), so both splits get one n_classes. */
static int64_t other_split_max(const tensors_source *t, int test)
{
    const char *name = test ? "train/labels" : "test/labels";
    int64_t *lab, top = -1;
    if (H5Lexists(t->f, test ? "train" : "test", H5P_DEFAULT) <= 0 || H5Lexists(t->f, name, H5P_DEFAULT) <= 0 || read_labels(t, name, NULL, 0, &lab, NULL) < 0)
        return -1;
    hsize_t n = 0;
    hid_t d = H5Dopen2(t->f, name, H5P_DEFAULT), sp = H5Dget_space(d);
    H5Sget_simple_extent_dims(sp, &n, NULL);
    H5Sclose(sp);
    H5Dclose(d);
    for (hsize_t k = 0; k < n; k++)
        top = lab[k] > top ? lab[k] : top;
    free(lab);
    return top;
}

static int set_labels(const tensors_source *t, int test, const int64_t *lab, sq_sample_set *s, sq_err *err)
{
    int64_t top = other_split_max(t, test);
    size_t n = s->info.n;
    if (!(s->labels = malloc((n ? n : 1) * sizeof *s->labels)))
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", t->file);
    for (size_t k = 0; k < n; k++) {
        s->labels[k] = (uint32_t)lab[k];
        top = lab[k] > top ? lab[k] : top;
    }
    s->info.n_classes = (uint32_t)(top + 1);
    if (H5Aexists(t->f, "n_classes") <= 0)
        return 0;
    long long nc = 0;
    hid_t a = H5Aopen(t->f, "n_classes", H5P_DEFAULT), type = a >= 0 ? H5Aget_type(a) : -1;
    int ok = type >= 0 && H5Tget_class(type) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_LLONG, &nc) >= 0;
    if (type >= 0)
        H5Tclose(type);
    if (a >= 0)
        H5Aclose(a);
    if (!ok || nc <= top || nc > UINT32_MAX)
        return sq_fail(err, SQ_EFORMAT, "%s: n_classes: expected an integer above the largest label %lld, got %lld",
                       t->file, (long long)top, ok ? nc : -1LL);
    s->info.n_classes = (uint32_t)nc;
    return 0;
}

/* Whether every input is a non-negative integer, scanning blocks of samples. */
static int scan_counts(const tensors_source *t, const sq_sample_set *s, int *counts, sq_err *err)
{
    const sq_sample_set_info *in = &s->info;
    size_t per = (size_t)in->T * in->channels * in->height * in->width, block = (16u << 20) / per + 1;
    block = block > in->n ? in->n : block;
    float *buf = malloc(block * per * sizeof *buf);
    if (!buf)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", t->file);
    hid_t fs = H5Dget_space(t->inputs);
    int rc = 0;
    *counts = 1;
    for (size_t b0 = 0; rc == 0 && *counts && b0 < in->n; b0 += block) {
        hsize_t m = b0 + block < in->n ? block : in->n - b0;
        hsize_t start[5] = {b0, 0, 0, 0, 0}, count[5] = {m, in->T, in->channels, in->height, in->width};
        hsize_t mdim = m * per;
        hid_t ms = H5Screate_simple(1, &mdim, NULL);
        if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
            H5Dread(t->inputs, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) < 0) {
            char why[256];
            rc = sq_fail(err, SQ_EIO, "%s: cannot read samples %zu to %zu: %s", t->file, b0, b0 + (size_t)m - 1,
                         sq__h5_reason(why, sizeof why));
        }
        for (size_t k = 0; rc == 0 && k < mdim && *counts; k++)
            *counts = buf[k] >= 0.0f && buf[k] == floorf(buf[k]) && isfinite(buf[k]);
        H5Sclose(ms);
    }
    H5Sclose(fs);
    free(buf);
    return rc;
}

static int open_file(tensors_source *t, int test, sq_sample_set *s, sq_err *err)
{
    char why[256], inputs[32], labels[32];
    if (access(t->file, R_OK) != 0)
        return sq_fail(err, SQ_EIO, "%s: cannot open: %s", t->file, strerror(errno));
    if ((t->f = H5Fopen(t->file, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: expected an HDF5 file: %s", t->file, sq__h5_reason(why, sizeof why));
    snprintf(inputs, sizeof inputs, "%s/inputs", test ? "test" : "train");
    snprintf(labels, sizeof labels, "%s/labels", test ? "test" : "train");
    if (H5Lexists(t->f, test ? "test" : "train", H5P_DEFAULT) <= 0)
        return sq_fail(err, SQ_EFORMAT, "%s: /%s: expected a group with inputs and labels, got nothing", t->file,
                       test ? "test" : "train");
    int64_t *lab = NULL;
    int rc = open_inputs(t, inputs, s, err), counts = 0;
    if (rc == 0 && (rc = read_labels(t, labels, inputs, s->info.n, &lab, err)) == 0)
        rc = set_labels(t, test, lab, s, err);
    free(lab);
    if (rc == 0 && s->info.n > 0 && (rc = scan_counts(t, s, &counts, err)) == 0)
        s->info.values = counts ? SQ_SAMPLE_VALUES_COUNTS : SQ_SAMPLE_VALUES_REAL;
    return rc;
}

int sq__sample_source_tensors(const sq_sample_set_params *p, int test, sq_sample_set *s, sq_err *err)
{
    tensors_source *t = calloc(1, sizeof *t);
    if (!t || !(t->file = strdup(p->file))) {
        free(t);
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", sq__sample_where(p));
    }
    t->f = t->inputs = -1;
    s->impl = t;
    s->close = tensors_close;
    s->get = tensors_get;
    snprintf(s->name, sizeof s->name, "%s", p->file);
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = open_file(t, test, s, err);
    sq__h5_quiet_end(&q);
    if (rc == 0 && p->samples > s->info.n)
        rc = sq_fail(err, SQ_ECONFIG, "%s.samples: expected at most %zu (the samples of %s /%s), got %zu",
                     sq__sample_where(p), s->info.n, p->file, test ? "test" : "train", p->samples);
    if (rc == 0 && p->samples)
        s->info.n = p->samples;
    return rc;
}
