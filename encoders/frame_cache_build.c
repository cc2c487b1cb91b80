/* encoders/frame_cache_build.c: building a frame cache (frame_cache.h). An OpenMP team takes the
 * samples a block at a time: each worker records (or reads) a sample's events, frames them
 * (frames.h), clips the counts to uint16, byte-shuffles and deflates them exactly as HDF5's shuffle
 * and deflate filters would (zlib compress2, the stream H5Z_filter_deflate writes), into the
 * sample's slot of the block; then the calling thread writes the block's chunks in sample order
 * with H5Dwrite_chunk and reports progress. Workers never call HDF5, and the bytes of a chunk depend
 * only on its sample, so the file is the same for any number of threads. Tested in
 * tests/test_sample_set.c (1 vs 2 threads, interrupted build, reuse). */
#include <errno.h>
#include <hdf5.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../io/sonata_h5.h"
#include "frame_cache.h"

/* zlib level 4: on Fashion-MNIST frames (T = 10, 32 x 32) within 3 % of level 9's size at a
 * third of its time; the build is bound by the emulator anyway. */
#define DEFLATE_LEVEL 4

typedef struct {
    uint8_t *z;       /* the compressed chunk, malloc'd by the worker */
    size_t zlen;
    uint64_t saturated;
    int rc;
    sq_err err;
} slot;

typedef struct {
    const sq__frame_cache_spec *sp;
    size_t elems;     /* counts a sample: T * 2 * H * W */
    slot *slots;      /* block entries */
    size_t block;
    hid_t dset;
    uint64_t saturated;
    int stop_rc;      /* set by the calling thread between blocks */
    sq_err stop_err;
} build_ctx;

/* Sample k framed, clipped, shuffled and deflated into s. shuf is the worker's buffer of
 * 2 * elems bytes. */
static void make_chunk(const build_ctx *b, void *ts, size_t k, sq_dvs_stream *ev, uint8_t *shuf, slot *s)
{
    const sq__frame_cache_spec *sp = b->sp;
    size_t n = b->elems;
    sq_dvs_frames f;
    if ((s->rc = sp->src.events(sp->src.ctx, ts, k, ev, &s->err)) < 0 ||
        (s->rc = sq_dvs_frames_make(ev, sp->split_by, sp->T, sp->width, sp->height, &f, &s->err)) < 0)
        return;
    for (size_t e = 0; e < n; e++) {
        uint32_t v = f.counts[e];
        if (v > UINT16_MAX) {
            v = UINT16_MAX;
            s->saturated++;
        }
        shuf[e] = (uint8_t)(v & 0xff); /* HDF5's shuffle of little-endian uint16: low bytes, then high */
        shuf[n + e] = (uint8_t)(v >> 8);
    }
    sq_dvs_frames_free(&f);
    uLongf zlen = compressBound((uLong)(2 * n));
    if (!(s->z = malloc(zlen))) {
        s->rc = sq_fail(&s->err, SQ_ENOMEM, "frame cache: sample %zu: out of memory", k);
        return;
    }
    if (compress2(s->z, &zlen, shuf, (uLong)(2 * n), DEFLATE_LEVEL) != Z_OK) {
        s->rc = sq_fail(&s->err, SQ_ENOMEM, "frame cache: sample %zu: deflate failed", k);
        return;
    }
    s->zlen = zlen;
}

/* The calling thread, after a block [b0, b1): the first failed sample stops the build, else its
 * chunks are written in order and progress is reported. */
static void finish_block(build_ctx *b, size_t b0, size_t b1, const char *path)
{
    const sq__frame_cache_spec *sp = b->sp;
    for (size_t k = b0; k < b1 && b->stop_rc == 0; k++) {
        slot *s = &b->slots[k - b0];
        if (s->rc < 0) { /* the recording's own message, with the sample (an emulated one names no file) */
            b->stop_rc = sq_fail(&b->stop_err, s->rc, "%s (sample %zu)", s->err.msg, k);
            break;
        }
        hsize_t off[5] = {k, 0, 0, 0, 0};
        if (H5Dwrite_chunk(b->dset, H5P_DEFAULT, 0, off, s->zlen, s->z) < 0) {
            char why[256];
            b->stop_rc = sq_fail(&b->stop_err, SQ_EIO, "%s: cannot write sample %zu: %s", path, k,
                                 sq__h5_reason(why, sizeof why));
        }
        b->saturated += s->saturated;
    }
    for (size_t k = b0; k < b1; k++) {
        free(b->slots[k - b0].z);
        memset(&b->slots[k - b0], 0, sizeof(slot));
    }
    if (b->stop_rc == 0 && sp->progress && sp->progress(sp->progress_user, b1, sp->n) != 0)
        b->stop_rc = sq_fail(&b->stop_err, SQ_EINTR, "frame cache: build stopped after %zu of %zu samples", b1,
                             sp->n);
}

static void run_team(build_ctx *b, int threads, const char *path)
{
    const sq__frame_cache_spec *sp = b->sp;
#pragma omp parallel num_threads(threads) default(shared)
    {
        sq_err begin_err = {0};
        void *ts = NULL;
        int begin_rc = 0;
        if (sp->src.thread_begin && !(ts = sp->src.thread_begin(sp->src.ctx, &begin_err)))
            begin_rc = begin_err.code < 0 ? begin_err.code : SQ_ENOMEM;
        sq_dvs_stream ev = {0};
        uint8_t *shuf = malloc(2 * b->elems);
        for (size_t b0 = 0; b0 < sp->n; b0 += b->block) {
            size_t b1 = b0 + b->block < sp->n ? b0 + b->block : sp->n;
#pragma omp for schedule(dynamic, 1)
            for (size_t k = b0; k < b1; k++) {
                slot *s = &b->slots[k - b0];
                if (begin_rc < 0 || !shuf) {
                    s->rc = begin_rc < 0 ? begin_rc : SQ_ENOMEM;
                    s->err = begin_rc < 0 ? begin_err : (sq_err){SQ_ENOMEM, "frame cache: out of memory"};
                } else {
                    make_chunk(b, ts, k, &ev, shuf, s);
                }
            }
#pragma omp master
            finish_block(b, b0, b1, path);
#pragma omp barrier
            if (b->stop_rc < 0)
                break;
        }
        free(shuf);
        sq_dvs_stream_free(&ev);
        if (ts)
            sp->src.thread_end(ts);
    }
}

static int create_file(const sq__frame_cache_spec *sp, const char *path, hid_t *file, hid_t *dset, sq_err *err)
{
    hsize_t dims[5] = {sp->n, sp->T, 2, sp->height, sp->width}, chunk[5] = {1, sp->T, 2, sp->height, sp->width};
    hid_t space = -1, dcpl = -1;
    char why[256];
    *dset = -1;
    if ((*file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        return sq_fail(err, SQ_EIO, "%s: cannot create the frame cache: %s", path, sq__h5_reason(why, sizeof why));
    int ok = (space = H5Screate_simple(5, dims, NULL)) >= 0 && (dcpl = H5Pcreate(H5P_DATASET_CREATE)) >= 0 &&
             H5Pset_chunk(dcpl, 5, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
             H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0 && H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0 &&
             H5Pset_obj_track_times(dcpl, 0) >= 0 &&
             (*dset = H5Dcreate2(*file, "counts", H5T_STD_U16LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (ok)
        return 0;
    int rc = sq_fail(err, SQ_EIO, "%s: cannot create /counts: %s", path, sq__h5_reason(why, sizeof why));
    H5Fclose(*file);
    return rc;
}

/* /labels and the root attributes, once every chunk is written. */
static int write_tail(const sq__frame_cache_spec *sp, hid_t file, uint64_t saturated, const char *path, sq_err *err)
{
    hsize_t n = sp->n;
    hid_t space = H5Screate_simple(1, &n, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), d = -1;
    int version = 1;
    int ok = space >= 0 && dcpl >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0 &&
             (d = H5Dcreate2(file, "labels", H5T_STD_U32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0 &&
             H5Dwrite(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, sp->labels) >= 0 &&
             sq__h5_attr_put_str(file, "format", "spikeq-frame-cache") == 0 &&
             sq__h5_attr_put(file, "version", H5T_STD_I32LE, H5T_NATIVE_INT, 0, &version) == 0 &&
             sq__h5_attr_put_str(file, "params", sp->key) == 0 &&
             sq__h5_attr_put(file, "saturated", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &saturated) == 0;
    if (d >= 0)
        H5Dclose(d);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    char why[256];
    return ok ? 0 : sq_fail(err, SQ_EIO, "%s: cannot write /labels and the attributes: %s", path,
                            sq__h5_reason(why, sizeof why));
}

/* Builds spec's cache at path: written to "<path>.tmp.<pid>", renamed when complete. HDF5 errors
 * must already be silenced on the calling thread. */
int sq__frame_cache_build(const sq__frame_cache_spec *sp, const char *path, sq_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int threads = sp->threads > 0 ? sp->threads : omp_get_max_threads();
    build_ctx b = {.sp = sp, .elems = (size_t)sp->T * 2 * sp->height * sp->width, .block = 8 * (size_t)threads};
    if (!(b.slots = calloc(b.block, sizeof *b.slots)))
        return sq_fail(err, SQ_ENOMEM, "frame cache: out of memory");
    hid_t file;
    int rc = create_file(sp, tmp, &file, &b.dset, err);
    if (rc < 0)
        goto fail_create;
    if (sp->progress && sp->progress(sp->progress_user, 0, sp->n) != 0)
        b.stop_rc = sq_fail(&b.stop_err, SQ_EINTR, "frame cache: build stopped before the first sample");
    if (b.stop_rc == 0)
        run_team(&b, threads, tmp);
    H5Dclose(b.dset);
    if ((rc = b.stop_rc) < 0) {
        if (err)
            *err = b.stop_err;
        goto fail_file;
    }
    if ((rc = write_tail(sp, file, b.saturated, tmp, err)) < 0)
        goto fail_file;
    if (H5Fclose(file) < 0) {
        char why[256];
        rc = sq_fail(err, SQ_EIO, "%s: cannot close the frame cache: %s", tmp, sq__h5_reason(why, sizeof why));
        goto fail_close;
    }
    if (rename(tmp, path) != 0) {
        rc = sq_fail(err, SQ_EIO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
        goto fail_close;
    }
    free(b.slots);
    return 0;
fail_file:
    H5Fclose(file);
fail_close:
    unlink(tmp);
fail_create:
    free(b.slots);
    return rc;
}
