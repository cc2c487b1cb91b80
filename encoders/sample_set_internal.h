/* encoders/sample_set_internal.h: what the sample-set front end (encoders/sample_set.c) and its
 * sources (sample_set_tensors.c, sample_set_images.c, sample_set_folder.c, sample_set_emulated.c)
 * share; not installed. A source's open fills the set's info, labels, get and close; the front end
 * checks the parameters and the split before, and the index after. */
#ifndef SQ_SAMPLE_SET_INTERNAL_H
#define SQ_SAMPLE_SET_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_cache.h"
#include "idx.h"
#include "sample_set.h"

struct sq_sample_set {
    sq_sample_set_info info;
    char name[400];      /* the dataset in the description ("fashion-mnist", a path): set by the source */
    char description[512];
    uint32_t *labels;    /* info.n, owned */
    float scale;         /* dvs sources: applied to the counts */
    /* Sample i (< info.n, checked by the caller) into x. Thread: any. */
    int (*get)(const sq_sample_set *s, size_t i, float *x, sq_err *err);
    void (*close)(sq_sample_set *s); /* frees impl; NULL when there is nothing to free */
    void *impl;
    sq__frame_cache *cache;          /* dvs sources with a cache (closed by the front end) */
};

/* The split's name in messages and keys: "train" or "test". test is 0 or 1. */
int sq__sample_source_tensors(const sq_sample_set_params *p, int test, sq_sample_set *s, sq_err *err);
int sq__sample_source_idx(const sq_sample_set_params *p, int test, sq_sample_set *s, sq_err *err);
int sq__sample_source_folder(const sq_sample_set_params *p, int test, sq_sample_set *s, sq_err *err);
int sq__sample_source_emulated(const sq_sample_set_params *p, int test, sq_sample_set *s, sq_err *err);

/* The images and labels of an MNIST-style split for p (dir, or the split's explicit files), their
 * paths into images_path / labels_path (4096 bytes each). Counts must agree. Thread: any. */
int sq__sample_images_read(const sq_sample_set_params *p, int test, sq_idx_images *im, sq_idx_labels *lb,
                           char *images_path, char *labels_path, sq_err *err);

/* The first p->samples (0: all) of lb as s's labels and info.n; info.n_classes from the whole split,
 * so that a short run has the classes of the full one. */
int sq__sample_take_labels(const sq_sample_set_params *p, int test, const sq_idx_labels *lb, sq_sample_set *s,
                           sq_err *err);

/* The short name of an image source in descriptions: "fashion-mnist" for Debian's folder, else the
 * images path. */
const char *sq__sample_images_name(const sq_sample_set_params *p, const char *images_path);

/* Counts [T][2][H][W] (uint16 from a cache, uint32 from frames.h) into x [T][H][W][2] times scale. */
void sq__frames_hwc_u16(const uint16_t *counts, uint32_t T, uint32_t h, uint32_t w, float scale, float *x);
void sq__frames_hwc_u32(const uint32_t *counts, uint32_t T, uint32_t h, uint32_t w, float scale, float *x);

/* A file in a cache key: {"path": its real path, "size": bytes, "mtime_ns": ...} (a new reference). */
json_t *sq__sample_file_key(const char *path);

/* Opens (building if needed) the frame cache of s (info n, T, height, width and labels set) under
 * key in p's cache folder, events from src, and makes s->get read it (sample_set_emulated.c).
 * key NULL (out of memory) fails with SQ_ENOMEM. */
int sq__sample_cached_open(const sq_sample_set_params *p, sq_sample_set *s, const char *prefix, const char *key,
                           const sq__event_source *src, sq_err *err);

/* The message prefix of p's fields: p->where or "data". */
const char *sq__sample_where(const sq_sample_set_params *p);

/* The cache folder of p: p->cache, else $XDG_CACHE_HOME/spikeq, else $HOME/.cache/spikeq, into buf
 * (len bytes). Returns 0 or SQ_ECONFIG (no folder can be named). */
int sq__sample_cache_dir(const sq_sample_set_params *p, char *buf, size_t len, sq_err *err);

#endif
