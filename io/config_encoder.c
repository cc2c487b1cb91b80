/* io/config_encoder.c: reads a spike_source population's "encoder" object and expands it, at load
 * time, into the population's spike list (encoders/encoding.h): the dataset, the encoder named by
 * "kind" with the parameters of its table (encoders/registry.c), and how many samples are fed, for
 * how long and with what gap. Schema: README.md "Input encoders". Unknown keys are errors; messages
 * name the file, the field, what was expected and what was found. Tested in
 * tests/test_config_encoder.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../encoders/encoding.h"
#include "../encoders/idx.h"
#include "config_internal.h"

static const char *const common_keys[] = {"kind", "dataset", "samples", "first_sample", "order", "sample_time",
                                          "gap", "max_spikes"};
static const char *const idx_keys[] = {"kind", "images", "labels"};
static const char *const fmnist_keys[] = {"kind", "split", "dir"};
static const char *const dvs_keys[] = {"kind", "root", "split"};

static int read_kind(sq__cfg_ctx *c, const json_t *v, const char *where, const sq_encoder **out)
{
    char path[SQ__CFG_PATH], what[256] = "one of ";
    sq__cfg_join(path, where, "kind");
    const json_t *kind = json_object_get(v, "kind");
    if (json_is_string(kind) && (*out = sq_encoder_find(json_string_value(kind))))
        return 0;
    size_t n;
    const sq_encoder *const *all = sq_encoders(&n);
    for (size_t i = 0; i < n; i++) {
        sq__cfg_append(what, sizeof what, i ? ", " : "");
        sq__cfg_append(what, sizeof what, all[i]->name);
    }
    return sq__cfg_expected(c, path, what, kind);
}

/* A string field into a pool copy (so that composed paths live as long as the config). */
static int read_path(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key, int required,
                     const char *def, const char **out)
{
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    const json_t *v = json_object_get(obj, key);
    if (!v && !required) {
        *out = def;
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return sq__cfg_expected(c, path, "a non-empty string (a path)", v);
    *out = json_string_value(v);
    return 0;
}

static int read_split(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *const *allowed, size_t n,
                      const char **out)
{
    char path[SQ__CFG_PATH], what[96] = "one of ";
    sq__cfg_join(path, where, "split");
    const json_t *v = json_object_get(obj, "split");
    *out = allowed[0];
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (json_is_string(v) && strcmp(json_string_value(v), allowed[i]) == 0) {
            *out = allowed[i];
            return 0;
        }
    for (size_t i = 0; i < n; i++) {
        sq__cfg_append(what, sizeof what, i ? ", " : "");
        sq__cfg_append(what, sizeof what, allowed[i]);
    }
    return sq__cfg_expected(c, path, what, v);
}

/* Fashion-MNIST from Debian's dataset-fashion-mnist: <dir>/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz. */
static int fashion_mnist(sq__cfg_ctx *c, const json_t *v, const char *where, sq_dataset_spec *d)
{
    static const char *const splits[] = {"train", "test"};
    const char *split, *dir;
    int rc = sq__cfg_object(c, v, where, fmnist_keys, SQ_COUNT(fmnist_keys));
    if (rc < 0 || (rc = read_split(c, v, where, splits, 2, &split)) < 0 ||
        (rc = read_path(c, v, where, "dir", 0, SQ_FASHION_MNIST_DIR, &dir)) < 0)
        return rc;
    size_t len = strlen(dir) + 40;
    char *images = sq__cfg_alloc(c, len, 1), *labels = sq__cfg_alloc(c, len, 1);
    if (!images || !labels)
        return SQ_ENOMEM;
    const char *stem = strcmp(split, "train") == 0 ? "train" : "t10k";
    snprintf(images, len, "%s/%s-images-idx3-ubyte.gz", dir, stem);
    snprintf(labels, len, "%s/%s-labels-idx1-ubyte.gz", dir, stem);
    d->kind = SQ_DATASET_IDX;
    d->images = images;
    d->labels = labels;
    return 0;
}

static int read_dataset(sq__cfg_ctx *c, const json_t *v, const char *where, sq_dataset_spec *d)
{
    static const char *const dvs_splits[] = {"all", "train", "test", "tebn-train", "tebn-test"};
    char path[SQ__CFG_PATH], sub[SQ__CFG_PATH];
    sq__cfg_join(path, where, "dataset");
    const json_t *kind = json_object_get(v, "kind");
    const char *k = json_is_string(kind) ? json_string_value(kind) : "";
    int rc;
    if (strcmp(k, "fashion-mnist") == 0)
        return fashion_mnist(c, v, path, d);
    if (strcmp(k, "idx") == 0) {
        d->kind = SQ_DATASET_IDX;
        if ((rc = sq__cfg_object(c, v, path, idx_keys, SQ_COUNT(idx_keys))) < 0 ||
            (rc = read_path(c, v, path, "images", 1, NULL, &d->images)) < 0)
            return rc;
        return read_path(c, v, path, "labels", 0, NULL, &d->labels);
    }
    if (strcmp(k, "dvs") == 0) {
        d->kind = SQ_DATASET_DVS;
        if ((rc = sq__cfg_object(c, v, path, dvs_keys, SQ_COUNT(dvs_keys))) < 0 ||
            (rc = read_path(c, v, path, "root", 1, NULL, &d->root)) < 0)
            return rc;
        return read_split(c, v, path, dvs_splits, SQ_COUNT(dvs_splits), &d->split);
    }
    if (!json_is_object(v))
        return sq__cfg_expected(c, path, "a dataset object {\"kind\": ...}", v);
    sq__cfg_join(sub, path, "kind");
    return sq__cfg_expected(c, sub, "one of idx, fashion-mnist, dvs", kind);
}

/* The encoder's own parameters, by its table: numbers with the table's unit and constraint, or
 * true/false for the "bool" ones. */
static int read_params(sq__cfg_ctx *c, const json_t *v, const char *where, const sq_encoder *enc, double *vals)
{
    static const char *const what[] = {"a number in %s", "a positive number in %s", "a non-negative number in %s"};
    char path[SQ__CFG_PATH], exp[64];
    for (size_t i = 0; i < enc->n_params; i++) {
        const sq_param_info *p = &enc->params[i];
        const json_t *x = json_object_get(v, p->name);
        vals[i] = p->def;
        if (!x)
            continue;
        sq__cfg_join(path, where, p->name);
        if (strcmp(p->unit, "bool") == 0) {
            if (!json_is_boolean(x))
                return sq__cfg_expected(c, path, "true or false", x);
            vals[i] = json_is_true(x);
            continue;
        }
        double d = json_is_number(x) ? json_number_value(x) : 0.0;
        int ok = json_is_number(x) && (p->constraint == SQ_ANY || (p->constraint == SQ_POSITIVE && d > 0.0) ||
                                       (p->constraint == SQ_NONNEGATIVE && d >= 0.0));
        if (!ok) {
            snprintf(exp, sizeof exp, what[p->constraint], p->unit);
            if (strcmp(p->unit, "1") == 0)
                exp[strlen(exp) - 5] = '\0'; /* drop " in 1": dimensionless */
            return sq__cfg_expected(c, path, exp, x);
        }
        vals[i] = d;
    }
    return 0;
}

static int check_keys(sq__cfg_ctx *c, const json_t *v, const char *where, const sq_encoder *enc)
{
    const char *keys[SQ_COUNT(common_keys) + 16];
    size_t n = 0;
    for (size_t i = 0; i < SQ_COUNT(common_keys); i++)
        keys[n++] = common_keys[i];
    for (size_t i = 0; i < enc->n_params && n < SQ_COUNT(keys); i++)
        keys[n++] = enc->params[i].name;
    return sq__cfg_object(c, v, where, keys, n);
}

static int read_counts(sq__cfg_ctx *c, const json_t *v, const char *where, sq_encoding *e)
{
    char path[SQ__CFG_PATH];
    uint64_t max_spikes = 10000000;
    int rc = 0;
    e->samples = 1;
    sq__cfg_join(path, where, "samples");
    if (json_object_get(v, "samples"))
        rc = sq__cfg_uint(c, json_object_get(v, "samples"), path, 1, 1u << 24, "a positive integer", &e->samples);
    sq__cfg_join(path, where, "first_sample");
    if (rc == 0 && json_object_get(v, "first_sample"))
        rc = sq__cfg_uint(c, json_object_get(v, "first_sample"), path, 0, 1u << 24, "a non-negative integer",
                          &e->first_sample);
    sq__cfg_join(path, where, "max_spikes");
    /* 2^31 spikes are ~70 GiB through the build: far beyond any machine this runs on. */
    if (rc == 0 && json_object_get(v, "max_spikes"))
        rc = sq__cfg_uint(c, json_object_get(v, "max_spikes"), path, 1, 1u << 31, "a positive integer", &max_spikes);
    const json_t *order = json_object_get(v, "order");
    sq__cfg_join(path, where, "order");
    if (rc == 0 && order && !(json_is_string(order) && (strcmp(json_string_value(order), "dataset") == 0 ||
                                                        strcmp(json_string_value(order), "shuffle") == 0)))
        rc = sq__cfg_expected(c, path, "dataset or shuffle", order);
    e->shuffle = json_is_string(order) && strcmp(json_string_value(order), "shuffle") == 0;
    if (rc == 0)
        rc = sq__cfg_opt_time(c, v, where, "sample_time", 100.0, 0, &e->sample_time);
    if (rc == 0)
        rc = sq__cfg_opt_time(c, v, where, "gap", 0.0, 1, &e->gap);
    e->max_spikes = (size_t)max_spikes;
    return rc;
}

int sq__cfg_encoder(sq__cfg_ctx *c, const json_t *v, const char *where, size_t pop_index, sq_pop_spec *p)
{
    char path[SQ__CFG_PATH], prefix[SQ__CFG_PATH + 1024]; /* "<origin>: <path>", origin a file path */
    sq__cfg_join(path, where, "encoder");
    const sq_encoder *enc = NULL;
    if (!json_is_object(v))
        return sq__cfg_expected(c, path, "an encoder object {\"kind\": ..., \"dataset\": ...}", v);
    int rc = read_kind(c, v, path, &enc);
    if (rc < 0 || (rc = check_keys(c, v, path, enc)) < 0)
        return rc;
    double *vals = sq__cfg_alloc(c, enc->n_params, sizeof *vals);
    if (!vals)
        return SQ_ENOMEM;
    sq_encoding e = {.encoder = enc, .params = vals, .seed = c->seed, .pop = (uint32_t)pop_index, .n = p->n};
    if ((rc = read_params(c, v, path, enc, vals)) < 0 || (rc = read_counts(c, v, path, &e)) < 0 ||
        (rc = read_dataset(c, json_object_get(v, "dataset"), path, &e.dataset)) < 0)
        return rc;
    snprintf(prefix, sizeof prefix, "%s: %s", c->origin, path);
    e.where = prefix;
    sq_spike_list list;
    if ((rc = sq_encoding_expand(&e, &list, c->err)) < 0)
        return rc;
    uint32_t *ids = sq__cfg_alloc(c, list.n, sizeof *ids);
    double *times = sq__cfg_alloc(c, list.n, sizeof *times);
    if (ids && times) {
        if (list.n) { /* memcpy from NULL is undefined even for 0 bytes */
            memcpy(ids, list.id, list.n * sizeof *ids);
            memcpy(times, list.t, list.n * sizeof *times);
        }
        p->spike_ids = ids;
        p->spike_times = times;
        p->n_spikes = list.n;
    }
    sq_spike_list_free(&list);
    return ids && times ? 0 : SQ_ENOMEM;
}
