/* encoders/sample_set_folder.c: the "dvs_folder" source of sample_set.h: a class-folder event
 * dataset (CIFAR10-DVS layout, dvs_dataset.h; learning.md §6.1) framed exactly as SpikingJelly
 * frames it (frames.h: T frames split by number or time, event-level downsampling to size x size,
 * channel 0 OFF). train/test are dvs_dataset's splits: "ratio" (the first ceil(train_ratio n) files of
 * each class in lexicographic order, and the rest) or "tebn" (files 100-999 and 0-99). The first
 * recording of the split gives the sensor; every other must have the same one. Files are read on
 * each get, or, with a cache folder, framed once into the frame cache (frame_cache.h) keyed by the
 * split's files (path, size, mtime), T, split_by, size and samples. Tested in
 * tests/test_sample_set.c and tests/test_sample_set.py (against `spikeq dataset frames --raw`). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dvs_dataset.h"
#include "sample_set_internal.h"

typedef struct {
    sq_dvs_dataset d;
    size_t *idx;              /* dataset indices of the split's samples */
    uint16_t sensor_w, sensor_h;
    sq_split_by split_by;
} folder_source;

static int folder_events(void *ctx, void *ts, size_t k, sq_dvs_stream *ev, sq_err *err)
{
    (void)ts;
    const folder_source *f = ctx;
    const char *path = f->d.samples[f->idx[k]].path;
    sq_dvs_stream_free(ev); /* the readers make a new stream */
    int rc = sq_dvs_file_read(path, ev, err);
    if (rc == 0 && (ev->width != f->sensor_w || ev->height != f->sensor_h))
        rc = sq_fail(err, SQ_EFORMAT, "%s: expected a recording of the dataset's %u x %u sensor (as its first), got "
                     "%u x %u", path, f->sensor_w, f->sensor_h, ev->width, ev->height);
    return rc;
}

static int folder_get(const sq_sample_set *s, size_t i, float *x, sq_err *err)
{
    const folder_source *f = s->impl;
    const sq_sample_set_info *in = &s->info;
    sq_dvs_stream ev = {0};
    sq_dvs_frames fr;
    int rc = folder_events(s->impl, NULL, i, &ev, err);
    if (rc == 0 && (rc = sq_dvs_frames_make(&ev, f->split_by, in->T, in->width, in->height, &fr, err)) == 0) {
        sq__frames_hwc_u32(fr.counts, in->T, in->height, in->width, s->scale, x);
        sq_dvs_frames_free(&fr);
    }
    sq_dvs_stream_free(&ev);
    return rc;
}

static void folder_close(sq_sample_set *s)
{
    folder_source *f = s->impl;
    if (!f)
        return;
    sq_dvs_dataset_free(&f->d);
    free(f->idx);
    free(f);
}

/* The split's files, their sensor (from the first) and the frame size. */
static int list_split(const sq_sample_set_params *p, int test, folder_source *f, sq_sample_set *s, sq_err *err)
{
    const char *w = sq__sample_where(p);
    sq_dvs_split which = p->split == SQ_SAMPLE_SPLIT_TEBN ? (test ? SQ_DVS_SPLIT_TEBN_TEST : SQ_DVS_SPLIT_TEBN_TRAIN)
                                                          : (test ? SQ_DVS_SPLIT_TEST : SQ_DVS_SPLIT_TRAIN);
    size_t n;
    int rc = sq_dvs_dataset_open(p->root, &f->d, err);
    if (rc < 0 || (rc = sq_dvs_dataset_split(&f->d, which, p->train_ratio, &f->idx, &n, err)) < 0)
        return rc;
    if (p->samples > n)
        return sq_fail(err, SQ_ECONFIG, "%s.samples: expected at most %zu (the recordings of the %s split), got %zu",
                       w, n, test ? "test" : "train", p->samples);
    s->info.n = p->samples ? p->samples : n;
    if (s->info.n == 0)
        return 0; /* the front end names the empty split */
    sq_dvs_stream ev = {0};
    if ((rc = sq_dvs_file_read(f->d.samples[f->idx[0]].path, &ev, err)) < 0)
        return rc;
    f->sensor_w = ev.width;
    f->sensor_h = ev.height;
    sq_dvs_stream_free(&ev);
    unsigned side = f->sensor_w < f->sensor_h ? f->sensor_w : f->sensor_h;
    if (p->size > side)
        return sq_fail(err, SQ_ECONFIG, "%s.size: expected 1 to %u (the sensor of %s is %u x %u), got %u", w, side,
                       f->d.samples[f->idx[0]].path, f->sensor_w, f->sensor_h, p->size);
    s->info.width = p->size ? p->size : f->sensor_w;
    s->info.height = p->size ? p->size : f->sensor_h;
    return 0;
}

/* FNV-1a over "path size mtime" of every file of the split, as 16 hex digits. */
static void files_digest(const folder_source *f, size_t n, char *out)
{
    uint64_t h = sq__frame_cache_hash("");
    for (size_t k = 0; k < n; k++) {
        json_t *j = sq__sample_file_key(f->d.samples[f->idx[k]].path);
        char *t = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
        for (const char *c = t ? t : ""; *c; c++)
            h = (h ^ (uint8_t)*c) * 1099511628211ull;
        h = (h ^ '\n') * 1099511628211ull;
        free(t);
        json_decref(j);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static char *cache_key(const sq_sample_set_params *p, int test, const folder_source *f, const sq_sample_set *s)
{
    char real[PATH_MAX], digest[17];
    if (!realpath(p->root, real))
        snprintf(real, sizeof real, "%s", p->root);
    files_digest(f, s->info.n, digest);
    json_t *k = json_pack("{s:s, s:i, s:s, s:s, s:f, s:s, s:s, s:I, s:i, s:s, s:i, s:i}", "source", "dvs_folder",
                          "version", 1, "root", real, "split", p->split == SQ_SAMPLE_SPLIT_TEBN ? "tebn" : "ratio",
                          "train_ratio", p->train_ratio, "which", test ? "test" : "train", "files", digest, "samples",
                          (json_int_t)s->info.n, "T", (int)p->T, "split_by", sq_split_by_name(p->split_by), "height",
                          (int)s->info.height, "width", (int)s->info.width);
    char *text = k ? json_dumps(k, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(k);
    return text;
}

int sq__sample_source_folder(const sq_sample_set_params *p, int test, sq_sample_set *s, sq_err *err)
{
    folder_source *f = calloc(1, sizeof *f);
    if (!f)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", sq__sample_where(p));
    f->split_by = p->split_by;
    s->impl = f;
    s->close = folder_close;
    s->get = folder_get;
    snprintf(s->name, sizeof s->name, "%s", p->root);
    s->info.T = p->T;
    s->info.channels = 2;
    s->info.values = p->scale == 1.0 ? SQ_SAMPLE_VALUES_COUNTS : SQ_SAMPLE_VALUES_REAL;
    s->info.n_classes = 0;
    int rc = list_split(p, test, f, s, err);
    if (rc < 0 || s->info.n == 0)
        return rc;
    s->info.n_classes = f->d.n_classes;
    if (!(s->labels = malloc(s->info.n * sizeof *s->labels)))
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", sq__sample_where(p));
    for (size_t k = 0; k < s->info.n; k++)
        s->labels[k] = f->d.samples[f->idx[k]].label;
    if (!p->cache)
        return 0;
    char *key = cache_key(p, test, f, s);
    sq__event_source src = {f, NULL, NULL, folder_events};
    rc = sq__sample_cached_open(p, s, "dvs_folder", key, &src, err);
    free(key);
    return rc;
}
