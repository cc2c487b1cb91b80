/* encoders/idx.c: IDX reader and writer, raw or gzip'd (format: ../shared/specs/data.md §3.1; the
 * Fashion-MNIST files of Debian's dataset-fashion-mnist, §3.2). Tested in tests/test_idx.c against
 * the decompressed SHA-256 sums of data.md §3.2, hand-built files and every error path; fuzzed by
 * tests/fuzz/fuzz_idx.c.
 *
 * The file is read whole and decoded from memory through a small byte source that either copies
 * (raw) or inflates (gzip, zlib). The header is decoded first; its element count is checked against
 * what the input can hold before the one allocation of the element array. */
#include "idx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "file_bytes.h"

/* Deflate cannot expand data by more than 1032:1 (a 258-byte match in ~2 bits), so a gzip'd input of
 * len bytes cannot decompress to more than this. */
#define DEFLATE_MAX_RATIO 1032u

typedef struct {
    const uint8_t *buf;
    size_t len, pos; /* pos: next input byte (raw) */
    size_t out_off;  /* bytes produced so far (the offset messages quote) */
    int gz;
    z_stream z;
    const char *name;
} byte_src;

static int src_open(byte_src *s, const uint8_t *buf, size_t len, const char *name, sq_err *err)
{
    memset(s, 0, sizeof *s);
    s->buf = buf;
    s->len = len;
    s->name = name;
    s->gz = len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
    if (!s->gz)
        return 0;
    s->z.next_in = (Bytef *)buf;
    s->z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
    if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
        return sq_fail(err, SQ_ENOMEM, "%s: cannot initialise zlib", name);
    return 0;
}

static void src_close(byte_src *s)
{
    if (s->gz)
        inflateEnd(&s->z);
}

/* Compressed bytes not yet consumed (all remaining bytes for a raw file). */
static size_t src_remaining_input(const byte_src *s)
{
    return s->gz ? s->len - (size_t)((const uint8_t *)s->z.next_in - s->buf) : s->len - s->pos;
}

/* One inflate call into dst; handles the end of a gzip member (another member may follow, as
 * `cat a.gz b.gz` makes). Returns 1 to continue, 0 at the end of the data, or an error. */
static int inflate_step(byte_src *s, sq_err *err)
{
    size_t consumed = (size_t)((const uint8_t *)s->z.next_in - s->buf);
    s->z.avail_in = s->len - consumed > UINT32_MAX ? UINT32_MAX : (uInt)(s->len - consumed);
    int zr = inflate(&s->z, Z_NO_FLUSH);
    if (zr == Z_STREAM_END) {
        size_t left = src_remaining_input(s);
        if (left < 2 || s->z.next_in[0] != 0x1f || s->z.next_in[1] != 0x8b)
            return 0; /* trailing bytes after the last member are ignored, as gunzip does */
        inflateReset(&s->z);
        return 1;
    }
    if (zr == Z_OK)
        return 1;
    if (zr == Z_BUF_ERROR)
        return 0; /* no progress possible: the compressed input ended */
    return sq_fail(err, SQ_EFORMAT, "%s: gzip stream: corrupt data at compressed byte offset %zu: %s", s->name,
                   consumed, s->z.msg ? s->z.msg : "inflate failed");
}

/* Reads up to n bytes; *got < n only at the end of the data. Returns 0 or an error. */
static int src_read(byte_src *s, uint8_t *dst, size_t n, size_t *got, sq_err *err)
{
    if (!s->gz) {
        size_t k = s->len - s->pos < n ? s->len - s->pos : n;
        memcpy(dst, s->buf + s->pos, k);
        s->pos += k;
        s->out_off += k;
        *got = k;
        return 0;
    }
    size_t done = 0;
    while (done < n) {
        size_t want = n - done > UINT32_MAX ? UINT32_MAX : n - done;
        s->z.next_out = dst + done;
        s->z.avail_out = (uInt)want;
        int rc = inflate_step(s, err);
        done += want - s->z.avail_out;
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
    }
    s->out_off += done;
    *got = done;
    return 0;
}

static const char *offset_kind(const byte_src *s)
{
    return s->gz ? "decompressed byte offset" : "byte offset";
}

static int read_exact(byte_src *s, uint8_t *dst, size_t n, const char *field, sq_err *err)
{
    size_t at = s->out_off, got = 0;
    int rc = src_read(s, dst, n, &got, err);
    if (rc < 0)
        return rc;
    if (got < n)
        return sq_fail(err, SQ_EFORMAT, "%s: %s: expected %zu bytes at %s %zu, got %zu (file truncated)", s->name,
                       field, n, offset_kind(s), at, got);
    return 0;
}

/* Magic and dimensions; returns the element count through *count. */
static int decode_header(byte_src *s, sq_idx_array *a, uint64_t *count, sq_err *err)
{
    uint8_t h[4 * SQ_IDX_MAX_DIMS];
    int rc = read_exact(s, h, 4, "magic", err);
    if (rc < 0)
        return rc;
    uint32_t magic = sq__be32(h);
    if (h[0] != 0 || h[1] != 0)
        return sq_fail(err, SQ_EFORMAT, "%s: magic at byte offset 0: expected 0x0000TTDD (an IDX file), got 0x%08X",
                       s->name, magic);
    if (h[2] != 0x08)
        return sq_fail(err, SQ_EFORMAT, "%s: magic at byte offset 0: expected element type 0x08 (unsigned byte), "
                       "got 0x%02X", s->name, h[2]);
    if (h[3] < 1 || h[3] > SQ_IDX_MAX_DIMS)
        return sq_fail(err, SQ_EFORMAT, "%s: magic at byte offset 0: expected 1 to %d dimensions, got %u", s->name,
                       SQ_IDX_MAX_DIMS, h[3]);
    a->ndim = h[3];
    if ((rc = read_exact(s, h, 4u * a->ndim, "dimension sizes", err)) < 0)
        return rc;
    uint64_t n = 1;
    for (unsigned d = 0; d < a->ndim; d++) {
        a->dims[d] = sq__be32(h + 4 * d);
        /* each size < 2^32 and at most 4 of them: stop before the product can overflow */
        if (a->dims[d] && n > UINT64_MAX / a->dims[d] / 2)
            n = UINT64_MAX / 2;
        else
            n *= a->dims[d];
    }
    *count = n;
    return 0;
}

/* Rejects a count the input cannot hold, before any allocation. */
static int check_count(const byte_src *s, const sq_idx_array *a, uint64_t count, sq_err *err)
{
    size_t left = src_remaining_input(s);
    uint64_t most = s->gz ? (uint64_t)left * DEFLATE_MAX_RATIO + 64 : left;
    if (count <= most && count <= SIZE_MAX / 2)
        return 0;
    char dims[64];
    int k = 0;
    for (unsigned d = 0; d < a->ndim; d++)
        k += snprintf(dims + k, sizeof dims - (size_t)k, "%s%u", d ? " x " : "", a->dims[d]);
    char total[32];
    if (count >= UINT64_MAX / 2) /* decode_header saturated the product here */
        snprintf(total, sizeof total, "over 2^63");
    else
        snprintf(total, sizeof total, "%llu", (unsigned long long)count);
    return sq_fail(err, SQ_EFORMAT, "%s: dimension sizes at byte offset 4: %s = %s bytes of data, but the file "
                   "holds at most %llu after the header (file truncated or header corrupt)", s->name, dims, total,
                   (unsigned long long)most);
}

int sq_idx_decode(const uint8_t *buf, size_t len, const char *name, sq_idx_array *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    sq_idx_array a = {0};
    byte_src s;
    uint64_t count = 0;
    int rc = src_open(&s, buf, len, name, err);
    if (rc < 0)
        return rc;
    if ((rc = decode_header(&s, &a, &count, err)) < 0 || (rc = check_count(&s, &a, count, err)) < 0)
        goto fail;
    a.size = (size_t)count;
    if (!(a.data = malloc(a.size ? a.size : 1))) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: cannot allocate %zu bytes of IDX data", name, a.size);
        goto fail;
    }
    if ((rc = read_exact(&s, a.data, a.size, "data", err)) < 0)
        goto fail;
    uint8_t extra;
    size_t at = s.out_off, got = 0;
    if ((rc = src_read(&s, &extra, 1, &got, err)) < 0)
        goto fail;
    if (got) {
        rc = sq_fail(err, SQ_EFORMAT, "%s: expected the end of the data at %s %zu (the header's dimensions), "
                     "found more bytes", name, offset_kind(&s), at);
        goto fail;
    }
    src_close(&s);
    *out = a;
    return 0;
fail:
    src_close(&s);
    free(a.data);
    return rc;
}

static int decode(const uint8_t *buf, size_t len, const char *name, void *out, sq_err *err)
{
    return sq_idx_decode(buf, len, name, out, err);
}

int sq_idx_read(const char *path, sq_idx_array *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    return sq__file_decode(path, decode, out, err);
}

static int read_kind(const char *path, unsigned ndim, const char *kind, sq_idx_array *a, sq_err *err)
{
    int rc = sq_idx_read(path, a, err);
    if (rc < 0)
        return rc;
    if (a->ndim != ndim) {
        rc = sq_fail(err, SQ_EFORMAT, "%s: magic at byte offset 0: expected 0x0000080%u (%s), got 0x0000080%u", path,
                     ndim, kind, a->ndim);
        sq_idx_array_free(a);
    }
    return rc;
}

int sq_idx_read_images(const char *path, sq_idx_images *out, sq_err *err)
{
    sq_idx_array a;
    memset(out, 0, sizeof *out);
    int rc = read_kind(path, 3, "images: n x rows x cols", &a, err);
    if (rc < 0)
        return rc;
    if (a.dims[1] == 0 || a.dims[2] == 0) {
        rc = sq_fail(err, SQ_EFORMAT, "%s: dimension sizes at byte offset 8: expected rows and cols > 0, got %u x %u",
                     path, a.dims[1], a.dims[2]);
        sq_idx_array_free(&a);
        return rc;
    }
    *out = (sq_idx_images){.n = a.dims[0], .rows = a.dims[1], .cols = a.dims[2], .pixels = a.data};
    return 0;
}

int sq_idx_read_labels(const char *path, sq_idx_labels *out, sq_err *err)
{
    sq_idx_array a;
    memset(out, 0, sizeof *out);
    int rc = read_kind(path, 1, "labels: n", &a, err);
    if (rc < 0)
        return rc;
    *out = (sq_idx_labels){.n = a.dims[0], .labels = a.data};
    return 0;
}

/* <dir>/<split>-<kind>, with .gz when that file exists. */
static void split_path(char *buf, size_t len, const char *dir, const char *split, const char *kind)
{
    snprintf(buf, len, "%s/%s-%s.gz", dir, split, kind);
    if (access(buf, F_OK) != 0)
        snprintf(buf, len, "%s/%s-%s", dir, split, kind);
}

int sq_idx_read_split(const char *dir, const char *split, sq_idx_images *images, sq_idx_labels *labels, sq_err *err)
{
    char ip[4096], lp[4096];
    memset(labels, 0, sizeof *labels);
    split_path(ip, sizeof ip, dir, split, "images-idx3-ubyte");
    split_path(lp, sizeof lp, dir, split, "labels-idx1-ubyte");
    int rc = sq_idx_read_images(ip, images, err);
    if (rc < 0)
        return rc;
    if ((rc = sq_idx_read_labels(lp, labels, err)) == 0 && labels->n != images->n)
        rc = sq_fail(err, SQ_EFORMAT, "%s: expected %u labels (as many as %s has images), got %u", lp, images->n, ip,
                     labels->n);
    if (rc < 0) {
        sq_idx_images_free(images);
        sq_idx_labels_free(labels);
    }
    return rc;
}

static int write_gz(const char *path, const uint8_t *hdr, size_t hlen, const sq_idx_array *a, sq_err *err)
{
    gzFile f = gzopen(path, "wb");
    if (!f)
        return sq_fail(err, SQ_EIO, "%s: cannot create", path);
    int ok = gzwrite(f, hdr, (unsigned)hlen) == (int)hlen;
    for (size_t off = 0; ok && off < a->size; off += 1u << 30) {
        unsigned k = a->size - off < (1u << 30) ? (unsigned)(a->size - off) : 1u << 30;
        ok = gzwrite(f, a->data + off, k) == (int)k;
    }
    if (gzclose(f) != Z_OK || !ok)
        return sq_fail(err, SQ_EIO, "%s: gzip write failed", path);
    return 0;
}

int sq_idx_write(const char *path, const sq_idx_array *a, int gzip, sq_err *err)
{
    if (a->ndim < 1 || a->ndim > SQ_IDX_MAX_DIMS)
        return sq_fail(err, SQ_EINVAL, "%s: expected 1 to %d dimensions, got %u", path, SQ_IDX_MAX_DIMS, a->ndim);
    uint64_t count = 1;
    for (unsigned d = 0; d < a->ndim; d++)
        count *= a->dims[d];
    if (count != a->size)
        return sq_fail(err, SQ_EINVAL, "%s: expected %llu bytes of data for the dimensions, got %zu", path,
                       (unsigned long long)count, a->size);
    size_t hlen = 4 + 4u * a->ndim;
    uint8_t *out = malloc(gzip ? hlen : hlen + a->size);
    if (!out)
        return sq_fail(err, SQ_ENOMEM, "%s: cannot allocate %zu bytes", path, hlen + a->size);
    sq__put_be32(out, 0x0800u | a->ndim);
    for (unsigned d = 0; d < a->ndim; d++)
        sq__put_be32(out + 4 + 4 * d, a->dims[d]);
    int rc;
    if (gzip) {
        rc = write_gz(path, out, hlen, a, err);
    } else {
        if (a->size)
            memcpy(out + hlen, a->data, a->size);
        rc = sq__file_write_all(path, out, hlen + a->size, err);
    }
    free(out);
    return rc;
}

int sq_idx_write_images(const char *path, const sq_idx_images *im, int gzip, sq_err *err)
{
    sq_idx_array a = {.ndim = 3, .dims = {im->n, im->rows, im->cols}, .data = im->pixels,
                      .size = (size_t)im->n * im->rows * im->cols};
    return sq_idx_write(path, &a, gzip, err);
}

int sq_idx_write_labels(const char *path, const sq_idx_labels *lb, int gzip, sq_err *err)
{
    sq_idx_array a = {.ndim = 1, .dims = {lb->n}, .data = lb->labels, .size = lb->n};
    return sq_idx_write(path, &a, gzip, err);
}

void sq_idx_array_free(sq_idx_array *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

void sq_idx_images_free(sq_idx_images *im)
{
    if (!im)
        return;
    free(im->pixels);
    memset(im, 0, sizeof *im);
}

void sq_idx_labels_free(sq_idx_labels *lb)
{
    if (!lb)
        return;
    free(lb->labels);
    memset(lb, 0, sizeof *lb);
}
