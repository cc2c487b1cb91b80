/* encoders/frame_cache.c: finding, validating and reading a frame cache (frame_cache.h; the build is
 * in frame_cache_build.c). A sample is read as its raw chunk (H5Dread_chunk, under HDF5's lock) and
 * inflated and unshuffled outside it, so concurrent readers overlap their decompression. Tested in
 * tests/test_sample_set.c (reuse, corrupt and truncated files, concurrent reads). */
#include "frame_cache.h"

#include <errno.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../io/sonata_h5.h"

struct sq__frame_cache {
    char *path;
    hid_t file, counts;
    size_t n, elems; /* samples; counts a sample */
    uint64_t saturated;
};

uint64_t sq__frame_cache_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static int corrupt(sq_err *err, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int corrupt(sq_err *err, const char *path, const char *fmt, ...)
{
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sq_fail(err, SQ_EFORMAT, "%s: corrupt frame cache: %s; delete it to rebuild", path, what);
}

/* mkdir -p: each missing component of dir, in order. */
static int make_dirs(const char *dir, sq_err *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return sq_fail(err, SQ_ERANGE, "%s: cache folder path too long", dir);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && (errno != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)))
            return sq_fail(err, SQ_EIO, "%s: cannot create the cache folder: %s", buf, strerror(errno));
        if ((*p = c) == '\0')
            return 0;
    }
}

/* A scalar string attribute (variable-length or fixed) into a malloc'd string, or NULL. */
static char *read_str_attr(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1, mt = -1;
    char *out = NULL;
    /* The memory type takes the file's character set: HDF5 does not convert ASCII to UTF-8. */
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && (mt = H5Tcopy(H5T_C_S1)) >= 0 &&
        H5Tset_cset(mt, H5Tget_cset(t)) >= 0) {
        if (H5Tis_variable_str(t) > 0) {
            char *v = NULL;
            if (H5Tset_size(mt, H5T_VARIABLE) >= 0 && H5Aread(a, mt, &v) >= 0 && v) {
                out = strdup(v);
                H5free_memory(v);
            }
        } else {
            size_t len = H5Tget_size(t);
            if ((out = calloc(len + 1, 1)) && (H5Tset_size(mt, len + 1) < 0 || H5Aread(a, mt, out) < 0)) {
                free(out);
                out = NULL;
            }
        }
    }
    if (mt >= 0)
        H5Tclose(mt);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return out;
}

static int check_attrs(sq__frame_cache *c, const sq__frame_cache_spec *sp, sq_err *err)
{
    char *format = read_str_attr(c->file, "format"), *params = read_str_attr(c->file, "params");
    int ok_format = format && strcmp(format, "spikeq-frame-cache") == 0, ok_params = params && !strcmp(params, sp->key);
    free(format);
    free(params);
    if (!ok_format)
        return corrupt(err, c->path, "expected the root attribute format = \"spikeq-frame-cache\"");
    if (!ok_params)
        return corrupt(err, c->path, "its params attribute is not this data set's parameters");
    int version = 0;
    hid_t a = H5Aexists(c->file, "version") > 0 ? H5Aopen(c->file, "version", H5P_DEFAULT) : -1;
    hid_t s = H5Aexists(c->file, "saturated") > 0 ? H5Aopen(c->file, "saturated", H5P_DEFAULT) : -1;
    int ok = a >= 0 && H5Aread(a, H5T_NATIVE_INT, &version) >= 0 && version == 1 && s >= 0 &&
             H5Aread(s, H5T_NATIVE_UINT64, &c->saturated) >= 0;
    if (a >= 0)
        H5Aclose(a);
    if (s >= 0)
        H5Aclose(s);
    return ok ? 0 : corrupt(err, c->path, "expected the attributes version = 1 and saturated");
}

/* /counts: uint16 [n][T][2][H][W], chunks of one sample through shuffle then deflate, all stored. */
static int check_counts(sq__frame_cache *c, const sq__frame_cache_spec *sp, sq_err *err)
{
    const hsize_t want[5] = {sp->n, sp->T, 2, sp->height, sp->width};
    hsize_t dims[5] = {0}, chunk[5] = {0}, stored = 0;
    hid_t space = H5Dget_space(c->counts), type = H5Dget_type(c->counts), dcpl = H5Dget_create_plist(c->counts);
    int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
    int ok_shape = rank == 5 && memcmp(dims, want, sizeof want) == 0;
    int ok_type = type >= 0 && H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 2 &&
                  H5Tget_sign(type) == H5T_SGN_NONE;
    unsigned flags, cd[8];
    size_t ncd = 8;
    int ok_layout = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 5, chunk) == 5 &&
                    chunk[0] == 1 && memcmp(chunk + 1, want + 1, 4 * sizeof *chunk) == 0 && H5Pget_nfilters(dcpl) == 2 &&
                    H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_SHUFFLE &&
                    (ncd = 8, H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_DEFLATE);
    int ok_stored = ok_shape && H5Dget_num_chunks(c->counts, space, &stored) >= 0 && stored == sp->n;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (!ok_shape)
        return corrupt(err, c->path, "/counts: expected [%zu][%u][2][%u][%u] (n, T, 2, H, W), got %d dimensions "
                       "[%llu][%llu]...", sp->n, sp->T, sp->height, sp->width, rank, (unsigned long long)dims[0],
                       (unsigned long long)dims[1]);
    if (!ok_type || !ok_layout)
        return corrupt(err, c->path, "/counts: expected uint16 in chunks of one sample, shuffled and deflated");
    if (!ok_stored)
        return corrupt(err, c->path, "/counts: expected %zu stored samples, got %llu", sp->n,
                       (unsigned long long)stored);
    return 0;
}

static int check_labels(sq__frame_cache *c, const sq__frame_cache_spec *sp, sq_err *err)
{
    uint32_t *lab = malloc((sp->n ? sp->n : 1) * sizeof *lab);
    if (!lab)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", c->path);
    hsize_t dims[1] = {0};
    hid_t d = H5Lexists(c->file, "labels", H5P_DEFAULT) > 0 ? H5Dopen2(c->file, "labels", H5P_DEFAULT) : -1;
    hid_t space = d >= 0 ? H5Dget_space(d) : -1;
    int ok = space >= 0 && H5Sget_simple_extent_dims(space, dims, NULL) == 1 && dims[0] == sp->n &&
             H5Dread(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, lab) >= 0;
    size_t k = 0;
    while (ok && k < sp->n && lab[k] == sp->labels[k])
        k++;
    int rc = 0;
    if (!ok)
        rc = corrupt(err, c->path, "/labels: expected %zu labels", sp->n);
    else if (k < sp->n)
        rc = corrupt(err, c->path, "/labels: expected the source's labels, got %u for sample %zu (the source has %u)",
                     lab[k], k, sp->labels[k]);
    if (space >= 0)
        H5Sclose(space);
    if (d >= 0)
        H5Dclose(d);
    free(lab);
    return rc;
}

static int open_file(sq__frame_cache *c, const sq__frame_cache_spec *sp, sq_err *err)
{
    char why[256];
    if ((c->file = H5Fopen(c->path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return corrupt(err, c->path, "HDF5 cannot open it (%s)", sq__h5_reason(why, sizeof why));
    int rc = check_attrs(c, sp, err);
    if (rc < 0)
        return rc;
    if (H5Lexists(c->file, "counts", H5P_DEFAULT) <= 0 || (c->counts = H5Dopen2(c->file, "counts", H5P_DEFAULT)) < 0)
        return corrupt(err, c->path, "expected a /counts dataset");
    if ((rc = check_counts(c, sp, err)) < 0)
        return rc;
    return check_labels(c, sp, err);
}

int sq__frame_cache_open(const sq__frame_cache_spec *sp, sq__frame_cache **out, int *built, sq_err *err)
{
    *out = NULL;
    *built = 0;
    char path[4200];
    int len = snprintf(path, sizeof path, "%s/%s-%016llx.h5", sp->dir, sp->prefix,
                       (unsigned long long)sq__frame_cache_hash(sp->key));
    if (len < 0 || len >= (int)sizeof path - 32)
        return sq_fail(err, SQ_ERANGE, "%s: cache folder path too long", sp->dir);
    sq__frame_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        return sq_fail(err, SQ_ENOMEM, "frame cache: out of memory");
    }
    c->file = c->counts = -1;
    c->n = sp->n;
    c->elems = (size_t)sp->T * 2 * sp->height * sp->width;
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    if (access(path, F_OK) != 0) {
        if ((rc = make_dirs(sp->dir, err)) == 0 && (rc = sq__frame_cache_build(sp, path, err)) == 0)
            *built = 1;
    }
    if (rc == 0)
        rc = open_file(c, sp, err);
    sq__h5_quiet_end(&q);
    if (rc < 0) {
        sq__frame_cache_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* The raw chunk of sample k, under HDF5's lock: *buf malloc'd, *len bytes. */
static int read_chunk(const sq__frame_cache *c, size_t k, uint8_t **buf, hsize_t *len, sq_err *err)
{
    hsize_t off[5] = {k, 0, 0, 0, 0};
    uint32_t mask = 0;
    char why[256];
    *buf = NULL;
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    if (H5Dget_chunk_storage_size(c->counts, off, len) < 0 || *len == 0 || *len > compressBound(2 * c->elems))
        rc = corrupt(err, c->path, "sample %zu: no chunk of a plausible size is stored", k);
    else if (!(*buf = malloc(*len)))
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", c->path);
    else if (H5Dread_chunk(c->counts, H5P_DEFAULT, off, &mask, *buf) < 0)
        rc = sq_fail(err, SQ_EIO, "%s: cannot read sample %zu: %s", c->path, k, sq__h5_reason(why, sizeof why));
    else if (mask != 0)
        rc = corrupt(err, c->path, "sample %zu: stored with filters skipped (mask %u)", k, mask);
    sq__h5_quiet_end(&q);
    if (rc < 0) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

int sq__frame_cache_read(const sq__frame_cache *c, size_t k, uint16_t *counts, sq_err *err)
{
    uint8_t *z;
    hsize_t zlen;
    int rc = read_chunk(c, k, &z, &zlen, err);
    if (rc < 0)
        return rc;
    size_t n = c->elems;
    uint8_t *shuf = malloc(2 * n);
    uLongf len = (uLongf)(2 * n);
    int zrc = shuf ? uncompress(shuf, &len, z, (uLong)zlen) : Z_MEM_ERROR;
    if (zrc == Z_MEM_ERROR)
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", c->path);
    else if (zrc != Z_OK || len != 2 * n)
        rc = corrupt(err, c->path, "sample %zu: the chunk does not inflate to %zu bytes (zlib: %s)", k, 2 * n,
                     zrc != Z_OK ? zError(zrc) : "wrong length");
    for (size_t e = 0; rc == 0 && e < n; e++)
        counts[e] = (uint16_t)(shuf[e] | (uint16_t)shuf[n + e] << 8);
    free(shuf);
    free(z);
    return rc;
}

const char *sq__frame_cache_path(const sq__frame_cache *c)
{
    return c->path;
}

uint64_t sq__frame_cache_saturated(const sq__frame_cache *c)
{
    return c->saturated;
}

void sq__frame_cache_close(sq__frame_cache *c)
{
    if (!c)
        return;
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    if (c->counts >= 0)
        H5Dclose(c->counts);
    if (c->file >= 0)
        H5Fclose(c->file);
    sq__h5_quiet_end(&q);
    free(c->path);
    free(c);
}
