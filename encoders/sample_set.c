/* encoders/sample_set.c: the sample-set front end (sample_set.h): defaults, the parameter checks,
 * the split, the dispatch to a source's open, the index check of get, and the helpers the sources
 * share (frames to [T][H][W][C] floats, the cache folder). Tested in tests/test_sample_set.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample_set_internal.h"

static const char *const source_names[] = {"tensors", "idx", "dvs_folder", "dvs_emulated"};

void sq_sample_set_params_default(sq_sample_set_params *p)
{
    *p = (sq_sample_set_params){.source = SQ_SAMPLES_IDX, .dir = SQ_FASHION_MNIST_DIR, .split = SQ_SAMPLE_SPLIT_RATIO,
                                .train_ratio = 0.9, .T = 10, .split_by = SQ_SPLIT_NUMBER, .scale = 1.0};
    sq_saccade_params_default(&p->emulator);
}

const char *sq_sample_source_name(sq_sample_source s)
{
    return (unsigned)s < SQ_COUNT(source_names) ? source_names[s] : "?";
}

int sq_sample_source_find(const char *name)
{
    for (size_t i = 0; i < SQ_COUNT(source_names); i++)
        if (strcmp(name, source_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *sq__sample_where(const sq_sample_set_params *p)
{
    return p->where[0] ? p->where : "data";
}

/* Frame sources: size against the emulated sensor (a folder's sensor is only known from its
 * files, sample_set_folder.c), scale, split_by. */
static int check_frames(const sq_sample_set_params *p, const char *w, sq_err *err)
{
    if (p->split_by != SQ_SPLIT_NUMBER && p->split_by != SQ_SPLIT_TIME)
        return sq_fail(err, SQ_ECONFIG, "%s.split_by: expected number or time, got %d", w, (int)p->split_by);
    if (!(p->scale > 0.0 && p->scale < 1e30))
        return sq_fail(err, SQ_ECONFIG, "%s.scale: expected a positive number, got %g", w, p->scale);
    if (p->source != SQ_SAMPLES_DVS_EMULATED)
        return 0;
    char where[300];
    snprintf(where, sizeof where, "%s.emulator", w);
    int rc = sq_saccade_params_check(&p->emulator, where, err);
    if (rc < 0)
        return rc;
    unsigned side = p->emulator.width < p->emulator.height ? p->emulator.width : p->emulator.height;
    if ((p->size ? p->size : 32u) > side) /* 32: the source's default size (sample_set_emulated.c) */
        return sq_fail(err, SQ_ECONFIG, "%s.size: expected 1 to %u (the emulated sensor is %u x %u), got %u", w, side,
                       p->emulator.width, p->emulator.height, p->size ? p->size : 32u);
    return 0;
}

int sq_sample_set_params_check(const sq_sample_set_params *p, sq_err *err)
{
    const char *w = sq__sample_where(p);
    if ((unsigned)p->source >= SQ_COUNT(source_names))
        return sq_fail(err, SQ_ECONFIG, "%s.source: expected tensors, idx, dvs_folder or dvs_emulated, got %d", w,
                       (int)p->source);
    if (p->source == SQ_SAMPLES_TENSORS && !(p->file && p->file[0]))
        return sq_fail(err, SQ_ECONFIG, "%s.file: expected the HDF5 file of the tensors, got nothing", w);
    if (p->source == SQ_SAMPLES_DVS_FOLDER && !(p->root && p->root[0]))
        return sq_fail(err, SQ_ECONFIG, "%s.root: expected the dataset folder, got nothing", w);
    if ((p->source == SQ_SAMPLES_IDX || p->source == SQ_SAMPLES_DVS_EMULATED) && !(p->dir && p->dir[0]) &&
        !(p->train_images && p->test_images))
        return sq_fail(err, SQ_ECONFIG, "%s.dir: expected the folder of the IDX files, got nothing", w);
    if (p->source == SQ_SAMPLES_TENSORS)
        return 0;
    if (p->T < 1 || p->T > 1u << 20)
        return sq_fail(err, SQ_ECONFIG, "%s.T: expected 1 to 1048576 time steps, got %u", w, p->T);
    if (p->source == SQ_SAMPLES_IDX)
        return 0;
    if (p->split != SQ_SAMPLE_SPLIT_RATIO && p->split != SQ_SAMPLE_SPLIT_TEBN)
        return sq_fail(err, SQ_ECONFIG, "%s.split: expected ratio or tebn, got %d", w, (int)p->split);
    if (!(p->train_ratio > 0.0 && p->train_ratio <= 1.0))
        return sq_fail(err, SQ_ECONFIG, "%s.train_ratio: expected a number in (0, 1], got %g", w, p->train_ratio);
    return check_frames(p, w, err);
}

static void describe(sq_sample_set *s, const sq_sample_set_params *p, const char *split, const char *what)
{
    const sq_sample_set_info *in = &s->info;
    int n = snprintf(s->description, sizeof s->description, "%s %s %s: %zu samples, T=%u, %ux%ux%u",
                     sq_sample_source_name(p->source), what, split, in->n, in->T, in->channels, in->height, in->width);
    if (n > 0 && (size_t)n < sizeof s->description && p->source >= SQ_SAMPLES_DVS_FOLDER && p->scale != 1.0)
        snprintf(s->description + n, sizeof s->description - (size_t)n, ", counts x %g", p->scale);
    s->info.description = s->description;
}

int sq_sample_set_open(const sq_sample_set_params *p, const char *split, sq_sample_set **out, sq_err *err)
{
    *out = NULL;
    int test = split && strcmp(split, "test") == 0;
    if (!split || (!test && strcmp(split, "train") != 0))
        return sq_fail(err, SQ_EINVAL, "%s: split: expected train or test, got \"%s\"", sq__sample_where(p),
                       split ? split : "(null)");
    int rc = sq_sample_set_params_check(p, err);
    if (rc < 0)
        return rc;
    static int (*const open_source[])(const sq_sample_set_params *, int, sq_sample_set *, sq_err *) = {
        sq__sample_source_tensors, sq__sample_source_idx, sq__sample_source_folder, sq__sample_source_emulated};
    sq_sample_set *s = calloc(1, sizeof *s);
    if (!s)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", sq__sample_where(p));
    s->scale = (float)p->scale;
    if ((rc = open_source[p->source](p, test, s, err)) < 0) {
        sq_sample_set_close(s);
        return rc;
    }
    if (s->info.n == 0) {
        sq_sample_set_close(s);
        return sq_fail(err, SQ_EFORMAT, "%s: split %s: expected at least one sample, got none", sq__sample_where(p),
                       split);
    }
    if (s->cache) {
        s->info.cache = sq__frame_cache_path(s->cache);
        s->info.saturated = sq__frame_cache_saturated(s->cache);
    }
    describe(s, p, split, s->name);
    *out = s;
    return 0;
}

void sq_sample_set_close(sq_sample_set *s)
{
    if (!s)
        return;
    if (s->close)
        s->close(s);
    sq__frame_cache_close(s->cache);
    free(s->labels);
    free(s);
}

const sq_sample_set_info *sq_sample_set_info_get(const sq_sample_set *s)
{
    return &s->info;
}

uint32_t sq_sample_set_label(const sq_sample_set *s, size_t i)
{
    return i < s->info.n ? s->labels[i] : 0;
}

int sq_sample_set_get(const sq_sample_set *s, size_t i, float *x, uint32_t *label, sq_err *err)
{
    if (i >= s->info.n)
        return sq_fail(err, SQ_EINVAL, "%s: sample %zu: expected an index below %zu", s->description, i, s->info.n);
    if (label)
        *label = s->labels[i];
    return s->get(s, i, x, err);
}

void sq__frames_hwc_u16(const uint16_t *counts, uint32_t T, uint32_t h, uint32_t w, float scale, float *x)
{
    size_t plane = (size_t)h * w;
    for (size_t t = 0; t < T; t++, counts += 2 * plane, x += 2 * plane)
        for (size_t k = 0; k < plane; k++) {
            x[2 * k] = (float)counts[k] * scale;
            x[2 * k + 1] = (float)counts[plane + k] * scale;
        }
}

void sq__frames_hwc_u32(const uint32_t *counts, uint32_t T, uint32_t h, uint32_t w, float scale, float *x)
{
    size_t plane = (size_t)h * w;
    for (size_t t = 0; t < T; t++, counts += 2 * plane, x += 2 * plane)
        for (size_t k = 0; k < plane; k++) {
            x[2 * k] = (float)counts[k] * scale;
            x[2 * k + 1] = (float)counts[plane + k] * scale;
        }
}

int sq__sample_cache_dir(const sq_sample_set_params *p, char *buf, size_t len, sq_err *err)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (p->cache && p->cache[0])
        n = snprintf(buf, len, "%s", p->cache);
    else if (xdg && xdg[0] == '/') /* the XDG spec: a relative path is invalid and must be ignored */
        n = snprintf(buf, len, "%s/spikeq", xdg);
    else if (home && home[0])
        n = snprintf(buf, len, "%s/.cache/spikeq", home);
    else
        return sq_fail(err, SQ_ECONFIG, "%s.cache: expected a cache folder (neither XDG_CACHE_HOME nor HOME is set), "
                       "got nothing", sq__sample_where(p));
    if (n < 0 || (size_t)n >= len)
        return sq_fail(err, SQ_ERANGE, "%s.cache: expected a path of at most %zu bytes, got %d", sq__sample_where(p),
                       len - 1, n);
    return 0;
}
