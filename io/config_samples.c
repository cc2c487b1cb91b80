/* io/config_samples.c: a training config's "data" object read into sq_sample_set_params
 * (io/config_samples.h; schema README.md "Sample sets"). Types and integer ranges are checked here
 * with the config reader's helpers (io/config_internal.h); the other ranges by
 * sq_sample_set_params_check, called at the end with the same "<origin>: data" prefix. Tested in
 * tests/test_sample_set.c. */
#include <stdio.h>
#include <string.h>

#include "config_internal.h"
#include "config_samples.h"

static const char *const tensors_keys[] = {"source", "samples", "file"};
static const char *const idx_keys[] = {"source", "samples", "dir", "T", "train_images", "train_labels",
                                       "test_images", "test_labels"};
static const char *const folder_keys[] = {"source", "samples", "root", "T", "split_by", "size", "scale", "split",
                                          "train_ratio", "cache"};
static const char *const emulated_keys[] = {"source", "samples", "dir", "T", "train_images", "train_labels",
                                            "test_images", "test_labels", "split_by", "size", "scale", "emulator",
                                            "cache"};
static const char *const emulator_keys[] = {"width", "height", "scale", "path", "amplitude", "speed",
                                            "repeats", "step", "refresh", "threshold", "sigma", "seed",
                                            "eps", "lin_log", "refractory", "max_events"};

/* obj[key], when present, as a non-empty string (a path). */
static int opt_path(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key, const char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return sq__cfg_expected(c, path, "a non-empty string (a path)", v);
    *out = json_string_value(v);
    return 0;
}

/* obj[key], when present, as an integer in [min, max]. */
static int opt_uint(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key, uint64_t min, uint64_t max,
                    const char *what, uint64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    char path[SQ__CFG_PATH];
    sq__cfg_join(path, where, key);
    return v ? sq__cfg_uint(c, v, path, min, max, what, out) : 0;
}

/* obj[key], when present, as one of names[0..n) (its index into *out). */
static int opt_choice(sq__cfg_ctx *c, const json_t *obj, const char *where, const char *key,
                      const char *const *names, size_t n, int *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (json_is_string(v) && strcmp(json_string_value(v), names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    char path[SQ__CFG_PATH], what[128] = "one of ";
    sq__cfg_join(path, where, key);
    for (size_t i = 0; i < n; i++) {
        sq__cfg_append(what, sizeof what, i ? ", " : "");
        sq__cfg_append(what, sizeof what, names[i]);
    }
    return sq__cfg_expected(c, path, what, v);
}

static int read_source(sq__cfg_ctx *c, const json_t *v, sq_sample_set_params *p)
{
    static const char *const names[] = {"tensors", "idx", "dvs_folder", "dvs_emulated"};
    int s = (int)p->source;
    int rc = opt_choice(c, v, "data", "source", names, SQ_COUNT(names), &s);
    p->source = (sq_sample_source)s;
    return rc;
}

static int read_emulator(sq__cfg_ctx *c, const json_t *v, sq_saccade_params *e)
{
    static const char *const paths[] = {"square", "circle", "triangle"};
    const char *w = "data.emulator";
    if (!v)
        return 0;
    int rc = sq__cfg_object(c, v, w, emulator_keys, SQ_COUNT(emulator_keys));
    uint64_t width = e->width, height = e->height, repeats = e->repeats, seed = e->pixel.seed;
    uint64_t max_events = e->max_events;
    double refractory = e->pixel.refractory_us / 1000.0, threshold = e->pixel.c_on;
    int path = (int)e->path;
    if (rc < 0 || (rc = opt_uint(c, v, w, "width", 1, 4096, "an integer number of pixels", &width)) < 0 ||
        (rc = opt_uint(c, v, w, "height", 1, 4096, "an integer number of pixels", &height)) < 0 ||
        (rc = opt_uint(c, v, w, "repeats", 1, 1000, "a positive integer", &repeats)) < 0 ||
        (rc = opt_uint(c, v, w, "seed", 0, UINT64_MAX, "a non-negative integer", &seed)) < 0 ||
        (rc = opt_uint(c, v, w, "max_events", 1, UINT64_MAX, "a positive integer", &max_events)) < 0 ||
        (rc = opt_choice(c, v, w, "path", paths, SQ_COUNT(paths), &path)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "scale", NULL, e->scale, &e->scale)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "amplitude", "px", e->amplitude, &e->amplitude)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "speed", "px/ms", e->speed, &e->speed)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "step", "ms", e->step, &e->step)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "refresh", "Hz", e->refresh, &e->refresh)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "threshold", NULL, threshold, &threshold)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "sigma", NULL, e->pixel.sigma, &e->pixel.sigma)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "eps", NULL, e->pixel.eps, &e->pixel.eps)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, w, "refractory", "ms", refractory, &refractory)) < 0 ||
        (rc = sq__cfg_opt_bool(c, v, w, "lin_log", e->pixel.lin_log, &e->pixel.lin_log)) < 0)
        return rc;
    e->width = (uint16_t)width;
    e->height = (uint16_t)height;
    e->repeats = (unsigned)repeats;
    e->pixel.seed = seed;
    e->max_events = (size_t)max_events;
    e->path = (sq_saccade_path)path;
    e->pixel.c_on = e->pixel.c_off = threshold; /* one threshold for both polarities, as the CLI's --threshold */
    e->pixel.refractory_us = refractory * 1000.0;
    return 0;
}

/* The image files of the idx and dvs_emulated sources. */
static int read_images(sq__cfg_ctx *c, const json_t *v, sq_sample_set_params *p)
{
    int rc;
    if ((rc = opt_path(c, v, "data", "dir", &p->dir)) < 0 ||
        (rc = opt_path(c, v, "data", "train_images", &p->train_images)) < 0 ||
        (rc = opt_path(c, v, "data", "train_labels", &p->train_labels)) < 0 ||
        (rc = opt_path(c, v, "data", "test_images", &p->test_images)) < 0)
        return rc;
    return opt_path(c, v, "data", "test_labels", &p->test_labels);
}

/* T, split_by, size, scale, cache: the framing keys of the dvs sources. */
static int read_frames(sq__cfg_ctx *c, const json_t *v, sq_sample_set_params *p)
{
    static const char *const splits[] = {"number", "time"};
    uint64_t size = p->size;
    int split_by = (int)p->split_by;
    int rc;
    if ((rc = opt_choice(c, v, "data", "split_by", splits, 2, &split_by)) < 0 ||
        (rc = opt_uint(c, v, "data", "size", 1, 4096, "a positive integer number of pixels", &size)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, "data", "scale", NULL, p->scale, &p->scale)) < 0)
        return rc;
    p->split_by = (sq_split_by)split_by;
    p->size = (uint32_t)size;
    return opt_path(c, v, "data", "cache", &p->cache);
}

static int read_source_keys(sq__cfg_ctx *c, const json_t *v, sq_sample_set_params *p)
{
    static const char *const *const keys[] = {tensors_keys, idx_keys, folder_keys, emulated_keys};
    static const size_t n_keys[] = {SQ_COUNT(tensors_keys), SQ_COUNT(idx_keys), SQ_COUNT(folder_keys),
                                    SQ_COUNT(emulated_keys)};
    int rc = sq__cfg_object(c, v, "data", keys[p->source], n_keys[p->source]);
    uint64_t samples = 0, T = p->T;
    if (rc < 0 || (rc = opt_uint(c, v, "data", "samples", 1, SIZE_MAX, "a positive integer", &samples)) < 0 ||
        (rc = opt_uint(c, v, "data", "T", 1, 1u << 20, "a positive integer number of time steps", &T)) < 0)
        return rc;
    p->samples = (size_t)samples;
    p->T = (uint32_t)T;
    switch (p->source) {
    case SQ_SAMPLES_TENSORS: return opt_path(c, v, "data", "file", &p->file);
    case SQ_SAMPLES_IDX: return read_images(c, v, p);
    case SQ_SAMPLES_DVS_FOLDER: break;
    case SQ_SAMPLES_DVS_EMULATED:
        if ((rc = read_images(c, v, p)) < 0 || (rc = read_frames(c, v, p)) < 0)
            return rc;
        return read_emulator(c, json_object_get(v, "emulator"), &p->emulator);
    }
    static const char *const splits[] = {"ratio", "tebn"};
    int split = (int)p->split;
    if ((rc = opt_path(c, v, "data", "root", &p->root)) < 0 || (rc = read_frames(c, v, p)) < 0 ||
        (rc = opt_choice(c, v, "data", "split", splits, 2, &split)) < 0 ||
        (rc = sq__cfg_opt_number(c, v, "data", "train_ratio", NULL, p->train_ratio, &p->train_ratio)) < 0)
        return rc;
    p->split = (sq_sample_split)split;
    return 0;
}

int sq_config_sample_set(const json_t *data, const char *origin, sq_sample_set_params *p, sq_err *err)
{
    sq_sample_set_params_default(p);
    snprintf(p->where, sizeof p->where, "%s: data", origin);
    sq__cfg_pool pool = {0};
    sq__cfg_ctx c = {&pool, origin, err, 0.1, NULL, 0, 1};
    int rc = 0;
    if (data && !json_is_object(data))
        rc = sq__cfg_expected(&c, "data", "an object {\"source\": ...}", data);
    if (rc == 0 && data && (rc = read_source(&c, data, p)) == 0)
        rc = read_source_keys(&c, data, p);
    if (rc == 0)
        rc = sq_sample_set_params_check(p, err);
    sq__cfg_pool_free(&pool);
    return rc;
}
