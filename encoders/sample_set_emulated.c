/* encoders/sample_set_emulated.c: the "dvs_emulated" source of sample_set.h: still images (IDX,
 * default Debian's Fashion-MNIST; train = the train files, test = t10k) recorded by the emulated
 * DVS of saccade.h (data.md §4) and framed as SpikingJelly frames CIFAR10-DVS (frames.h: T frames,
 * event-level downsampling to size x size, 2 channels, OFF first). The events of a recording go
 * straight into framing, never to a file, and the frames are kept in the frame cache
 * (frame_cache.h), keyed by the images and labels files (real path, size, mtime), the split, the
 * emulator's parameters, T, split_by, size and samples. get() reads the cache and applies scale.
 * Tested in tests/test_sample_set.c (against sq_saccade_record + sq_aedat_write/read + frames of
 * the same image, 1 vs 2 threads, reuse) and tests/test_sample_set.py (against `spikeq dataset
 * emulate` then `spikeq dataset frames --raw`). */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sample_set_internal.h"

#define DEFAULT_SIZE 32

typedef struct {
    sq_saccade_params par;
    sq_idx_images im;
} emu_ctx;

static void *emu_begin(void *ctx, sq_err *err)
{
    emu_ctx *e = ctx;
    sq_saccade *sc = NULL;
    sq_saccade_create(&e->par, (uint16_t)e->im.cols, (uint16_t)e->im.rows, &sc, err);
    return sc;
}

static void emu_end(void *ts)
{
    sq_saccade_destroy(ts);
}

static int emu_events(void *ctx, void *ts, size_t k, sq_dvs_stream *ev, sq_err *err)
{
    const emu_ctx *e = ctx;
    return sq_saccade_record(ts, e->im.pixels + k * e->im.rows * e->im.cols, ev, err);
}

/* {"path": real path, "size": bytes, "mtime_ns": ...}: a changed or replaced file is a new key. */
json_t *sq__sample_file_key(const char *path)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) != 0)
        snprintf(real, sizeof real, "%s", path), memset(&st, 0, sizeof st);
    return json_pack("{s:s, s:I, s:I}", "path", real, "size", (json_int_t)st.st_size, "mtime_ns",
                     (json_int_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
}

static json_t *emulator_key(const sq_saccade_params *e)
{
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)e->pixel.seed); /* exact beyond 2^53 */
    const sq_emulator_params *px = &e->pixel;
    return json_pack("{s:i, s:i, s:f, s:s, s:f, s:f, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b, s:f, s:s}",
                     "width", e->width, "height", e->height, "scale", e->scale, "path", sq_saccade_path_name(e->path),
                     "amplitude", e->amplitude, "speed", e->speed, "repeats", (int)e->repeats, "step", e->step,
                     "refresh", e->refresh, "c_on", px->c_on, "c_off", px->c_off, "sigma", px->sigma, "c_min",
                     px->c_min, "eps", px->eps, "lin_log", px->lin_log, "refractory_us", px->refractory_us, "seed",
                     seed);
}

/* The canonical text of everything that changes the counts (malloc'd, NULL when out of memory). */
static char *cache_key(const sq_sample_set_params *p, int test, const char *ip, const char *lp, size_t n, uint32_t size)
{
    json_t *k = json_pack("{s:s, s:i, s:o, s:o, s:s, s:I, s:i, s:s, s:i, s:o}", "source", "dvs_emulated",
                          "version", 1, "images", sq__sample_file_key(ip), "labels", sq__sample_file_key(lp), "split",
                          test ? "test" : "train", "samples", (json_int_t)n, "T", (int)p->T, "split_by",
                          sq_split_by_name(p->split_by), "size", (int)size, "emulator", emulator_key(&p->emulator));
    char *text = k ? json_dumps(k, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(k);
    return text;
}

static int cached_get(const sq_sample_set *s, size_t i, float *x, sq_err *err)
{
    const sq_sample_set_info *in = &s->info;
    uint16_t *counts = malloc((size_t)in->T * 2 * in->height * in->width * sizeof *counts);
    if (!counts)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", in->cache);
    int rc = sq__frame_cache_read(s->cache, i, counts, err);
    if (rc == 0)
        sq__frames_hwc_u16(counts, in->T, in->height, in->width, s->scale, x);
    free(counts);
    return rc;
}

int sq__sample_cached_open(const sq_sample_set_params *p, sq_sample_set *s, const char *prefix, const char *key,
                           const sq__event_source *src, sq_err *err)
{
    char dir[4096];
    int rc = sq__sample_cache_dir(p, dir, sizeof dir, err);
    if (rc < 0)
        return rc;
    if (!key)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", sq__sample_where(p));
    sq__frame_cache_spec spec = {.dir = dir, .prefix = prefix, .key = key, .n = s->info.n, .T = s->info.T,
                                 .height = s->info.height, .width = s->info.width, .split_by = p->split_by,
                                 .labels = s->labels, .threads = p->threads, .progress = p->progress,
                                 .progress_user = p->progress_user, .src = *src};
    if ((rc = sq__frame_cache_open(&spec, &s->cache, &s->info.cache_built, err)) < 0)
        return rc;
    s->get = cached_get;
    return 0;
}

int sq__sample_source_emulated(const sq_sample_set_params *p, int test, sq_sample_set *s, sq_err *err)
{
    char ip[4096], lp[4096];
    emu_ctx e = {.par = p->emulator};
    sq_idx_labels lb;
    int rc = sq__sample_images_read(p, test, &e.im, &lb, ip, lp, err);
    if (rc < 0)
        return rc;
    if (e.im.rows > 4096 || e.im.cols > 4096)
        rc = sq_fail(err, SQ_EFORMAT, "%s: expected images of at most 4096 x 4096 pixels, got %u x %u", ip,
                     e.im.rows, e.im.cols);
    if (rc == 0)
        rc = sq__sample_take_labels(p, test, &lb, s, err);
    sq_idx_labels_free(&lb);
    uint32_t size = p->size ? p->size : DEFAULT_SIZE;
    s->info.T = p->T;
    s->info.height = s->info.width = size;
    s->info.channels = 2;
    s->info.values = p->scale == 1.0 ? SQ_SAMPLE_VALUES_COUNTS : SQ_SAMPLE_VALUES_REAL;
    snprintf(s->name, sizeof s->name, "%s", sq__sample_images_name(p, ip));
    if (rc == 0) {
        char *key = cache_key(p, test, ip, lp, s->info.n, size);
        sq__event_source src = {&e, emu_begin, emu_end, emu_events};
        rc = sq__sample_cached_open(p, s, "dvs_emulated", key, &src, err);
        free(key);
    }
    sq_idx_images_free(&e.im); /* the cache holds everything get() needs */
    return rc;
}
