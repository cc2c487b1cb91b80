/* encoders/dvs_dataset.c: the class-folder layout of CIFAR10-DVS and N-MNIST, its listing order and
 * its two common train/test splits (see dvs_dataset.h; ../shared/specs/data.md §2.2, §2.6). Tested
 * in tests/test_dvs_dataset.c on fixture folders (order, labels, both splits, errors). */
#include "dvs_dataset.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const sq_cifar10dvs_classes[10] = {"airplane", "automobile", "bird", "cat", "deer",
                                               "dog", "frog", "horse", "ship", "truck"};

typedef struct {
    char **v;
    size_t n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int names_push(name_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return SQ_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s)))
        return SQ_ENOMEM;
    l->n++;
    return 0;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int sq_dvs_file_kind_of(const char *path, sq_dvs_file_kind *out)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcmp(dot, ".aedat") == 0)
        *out = SQ_DVS_FILE_AEDAT;
    else if (dot && strcmp(dot, ".bin") == 0)
        *out = SQ_DVS_FILE_NMNIST;
    else
        return SQ_EINVAL;
    return 0;
}

/* Whether dir/name is wanted: a folder (want_dirs) or a recording file (following symlinks, as the
 * TEBN split's symlinked folders need). */
static int wanted(const char *dir, const char *name, int want_dirs)
{
    sq_dvs_file_kind k;
    if (name[0] == '.' || (!want_dirs && sq_dvs_file_kind_of(name, &k) != 0))
        return 0;
    char *p = join(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && (want_dirs ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
    free(p);
    return ok;
}

/* Sorted names of the sub-folders (want_dirs) or recording files of dir. */
static int list_dir(const char *dir, int want_dirs, name_list *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d)
        return sq_fail(err, SQ_EIO, "%s: cannot open the folder: %s", dir, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)))
        if (wanted(dir, e->d_name, want_dirs))
            rc = names_push(out, e->d_name);
    closedir(d);
    if (rc < 0) {
        names_free(out);
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory listing the folder", dir);
    }
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, by_bytes);
    return 0;
}

/* The integer that ends the file stem, or -1. */
static int64_t stem_index(const char *name)
{
    const char *dot = strrchr(name, '.'), *end = dot ? dot : name + strlen(name), *p = end;
    while (p > name && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p == end || end - p > 18)
        return -1;
    int64_t v = 0;
    for (; p < end; p++)
        v = v * 10 + (*p - '0');
    return v;
}

static int add_class(sq_dvs_dataset *d, uint32_t label, size_t *cap, sq_err *err)
{
    char *dir = join(d->root, d->classes[label]);
    if (!dir)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", d->root);
    name_list files;
    int rc = list_dir(dir, 0, &files, err);
    if (rc == 0 && files.n == 0)
        rc = sq_fail(err, SQ_EFORMAT, "%s: expected recordings (.aedat or .bin files) in the class folder, found none",
                     dir);
    for (size_t i = 0; rc == 0 && i < files.n; i++) {
        if (d->n == *cap) {
            size_t c = *cap ? 2 * *cap : 1024;
            sq_dvs_sample *s = realloc(d->samples, c * sizeof *s);
            if (!s) {
                rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", dir);
                break;
            }
            d->samples = s;
            *cap = c;
        }
        sq_dvs_sample *s = &d->samples[d->n];
        *s = (sq_dvs_sample){.path = join(dir, files.v[i]), .label = label, .file_index = stem_index(files.v[i])};
        sq_dvs_file_kind_of(files.v[i], &s->kind);
        if (!s->path)
            rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", dir);
        else
            d->n++;
    }
    names_free(&files);
    free(dir);
    return rc;
}

int sq_dvs_dataset_open(const char *root, sq_dvs_dataset *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    sq_dvs_dataset d = {0};
    name_list classes;
    int rc = list_dir(root, 1, &classes, err);
    if (rc < 0)
        return rc;
    if (classes.n == 0 || classes.n > UINT32_MAX) {
        names_free(&classes);
        return sq_fail(err, SQ_EFORMAT, "%s: expected one folder per class, found no folders", root);
    }
    d.classes = classes.v;
    d.n_classes = (uint32_t)classes.n;
    size_t cap = 0;
    if (!(d.root = strdup(root)))
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", root);
    for (uint32_t c = 0; rc == 0 && c < d.n_classes; c++)
        rc = add_class(&d, c, &cap, err);
    if (rc < 0) {
        sq_dvs_dataset_free(&d);
        return rc;
    }
    *out = d;
    return 0;
}

void sq_dvs_dataset_free(sq_dvs_dataset *d)
{
    if (!d)
        return;
    for (uint32_t c = 0; c < d->n_classes; c++)
        free(d->classes[c]);
    for (size_t i = 0; i < d->n; i++)
        free(d->samples[i].path);
    free(d->classes);
    free(d->samples);
    free(d->root);
    memset(d, 0, sizeof *d);
}

/* Whether sample i (the k-th of its class of n_c) is in the split. */
static int in_split(const sq_dvs_sample *s, sq_dvs_split split, size_t k, size_t n_c, double ratio)
{
    size_t pos = (size_t)ceil((double)n_c * ratio); /* SJ: math.ceil(len * train_ratio), same double rounding */
    switch (split) {
    case SQ_DVS_SPLIT_TRAIN: return k < pos;
    case SQ_DVS_SPLIT_TEST: return k >= pos;
    case SQ_DVS_SPLIT_TEBN_TRAIN: return s->file_index >= 100;
    case SQ_DVS_SPLIT_TEBN_TEST: return s->file_index < 100;
    default: return 1;
    }
}

int sq_dvs_dataset_split(const sq_dvs_dataset *d, sq_dvs_split split, double train_ratio, size_t **idx, size_t *n,
                         sq_err *err)
{
    *idx = NULL;
    *n = 0;
    if ((split == SQ_DVS_SPLIT_TRAIN || split == SQ_DVS_SPLIT_TEST) && !(train_ratio > 0 && train_ratio <= 1))
        return sq_fail(err, SQ_EINVAL, "split: train ratio: expected a number in (0, 1], got %g", train_ratio);
    for (size_t i = 0; i < d->n; i++)
        if ((split == SQ_DVS_SPLIT_TEBN_TRAIN || split == SQ_DVS_SPLIT_TEBN_TEST) && d->samples[i].file_index < 0)
            return sq_fail(err, SQ_EFORMAT, "%s: expected a file name ending in a sample index (the TEBN split "
                           "tests samples 0-99), found none", d->samples[i].path);
    size_t *out = malloc((d->n ? d->n : 1) * sizeof *out), m = 0;
    if (!out)
        return sq_fail(err, SQ_ENOMEM, "split: out of memory");
    for (size_t start = 0, end; start < d->n; start = end) {
        for (end = start; end < d->n && d->samples[end].label == d->samples[start].label; end++)
            ;
        for (size_t i = start; i < end; i++)
            if (in_split(&d->samples[i], split, i - start, end - start, train_ratio))
                out[m++] = i;
    }
    *idx = out;
    *n = m;
    return 0;
}

int sq_dvs_split_parse(const char *name, sq_dvs_split *out)
{
    static const char *const names[] = {"all", "train", "test", "tebn-train", "tebn-test"};
    for (size_t i = 0; i < SQ_COUNT(names); i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (sq_dvs_split)i;
            return 0;
        }
    return SQ_EINVAL;
}

int sq_dvs_file_read(const char *path, sq_dvs_stream *out, sq_err *err)
{
    sq_dvs_file_kind k;
    if (sq_dvs_file_kind_of(path, &k) != 0) {
        memset(out, 0, sizeof *out);
        return sq_fail(err, SQ_EINVAL, "%s: expected a .aedat (CIFAR10-DVS) or .bin (N-MNIST) file", path);
    }
    return k == SQ_DVS_FILE_AEDAT ? sq_aedat_read(path, out, err) : sq_nmnist_read(path, out, err);
}

int sq_dvs_dataset_sample_path(char *buf, size_t len, const char *root, const char *prefix, const char *class_name,
                               uint32_t i)
{
    int k = snprintf(buf, len, "%s/%s/%s_%s_%u.aedat", root, class_name, prefix, class_name, i);
    return k < 0 || (size_t)k >= len ? SQ_ERANGE : 0;
}
