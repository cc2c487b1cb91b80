/* encoders/frame_cache.h: event recordings framed once (frames.h) and kept as uint16 counts in an
 * HDF5 file, so that training reads frames instead of recording or decoding events every epoch
 * (internal to the sample sets, encoders/sample_set.h; not installed).
 *
 * File "<dir>/<prefix>-<16 hex digits>.h5", the digits the 64-bit FNV-1a hash of `key`, the
 * canonical JSON text of every parameter that changes the counts:
 *   /counts  uint16 [n][T][2][H][W] (PyTorch's layout, channel 0 OFF), one chunk a sample, byte
 *            shuffle + deflate (HDF5's own filters, so h5py and h5dump read it); counts above 65535
 *            are stored as 65535 and counted in the "saturated" attribute
 *   /labels  uint32 [n]
 *   root attributes: format = "spikeq-frame-cache", version = 1, params = key, saturated (uint64).
 * Samples are recorded and compressed by an OpenMP team (H5Dwrite_chunk then writes the compressed
 * chunks in sample order), so the file does not depend on the thread count. The build writes
 * "<file>.tmp.<pid>" and renames it when complete; a build stopped by progress or by an error
 * removes it (one left by a killed process is never read).
 * An existing file is validated (HDF5 opens it, attributes, shape, filters, one stored chunk per
 * sample, the labels); anything wrong is SQ_EFORMAT "<file>: corrupt frame cache: ...; delete it to
 * rebuild". A chunk that fails to inflate is the same error from sq__frame_cache_read. */
#ifndef SQ_FRAME_CACHE_H
#define SQ_FRAME_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"
#include "dvs_events.h"
#include "frames.h"

/* Where the recordings come from. events() fills ev (replacing its contents) with sample k's events
 * on a sensor of at least width x height pixels. thread_begin (NULL: none) makes the calling
 * thread's state ts, thread_end frees it. Thread: each worker calls them for itself. */
typedef struct {
    void *ctx;
    void *(*thread_begin)(void *ctx, sq_err *err);
    void (*thread_end)(void *ts);
    int (*events)(void *ctx, void *ts, size_t k, sq_dvs_stream *ev, sq_err *err);
} sq__event_source;

/* What to cache. Strings and arrays are borrowed for the open call. */
typedef struct {
    const char *dir;           /* created with its parents if absent */
    const char *prefix;        /* file name prefix: the source ("dvs_emulated") */
    const char *key;           /* canonical parameters (JSON) */
    size_t n;
    uint32_t T, height, width;
    sq_split_by split_by;
    const uint32_t *labels;    /* n */
    int threads;               /* 0: OpenMP's default */
    int (*progress)(void *user, size_t done, size_t total);
    void *progress_user;
    sq__event_source src;
} sq__frame_cache_spec;

typedef struct sq__frame_cache sq__frame_cache;

/* Opens the cache of spec, building it first when absent (*built = 1). Returns 0, SQ_EIO, SQ_EFORMAT,
 * SQ_EINTR (progress stopped the build), SQ_ENOMEM or an events() error (which names the sample's
 * file). Thread: any (a build runs an OpenMP team from the calling thread). */
int sq__frame_cache_open(const sq__frame_cache_spec *spec, sq__frame_cache **out, int *built, sq_err *err);

/* Sample k's counts [T][2][H][W] into counts. Returns 0, SQ_EIO or SQ_EFORMAT. Thread: any,
 * concurrently (HDF5 is built thread-safe here, H5_HAVE_THREADSAFE; the inflate runs outside its lock). */
int sq__frame_cache_read(const sq__frame_cache *c, size_t k, uint16_t *counts, sq_err *err);

/* The file's path and its saturated count. Borrowed until close. Thread: any. */
const char *sq__frame_cache_path(const sq__frame_cache *c);
uint64_t sq__frame_cache_saturated(const sq__frame_cache *c);

/* NULL is a no-op. */
void sq__frame_cache_close(sq__frame_cache *c);

/* Builds spec's cache at path (frame_cache_build.c, called by sq__frame_cache_open): written to
 * "<path>.tmp.<pid>" and renamed when complete. HDF5's error printing must be off on the calling
 * thread. */
int sq__frame_cache_build(const sq__frame_cache_spec *spec, const char *path, sq_err *err);

/* The 64-bit FNV-1a hash of s (the file name's digits). Thread: any. */
uint64_t sq__frame_cache_hash(const char *s);

#endif
