/* encoders/aedat.c: CIFAR10-DVS recordings, AEDAT 2.0 files of a DVS128 as jAER writes them
 * (../shared/specs/data.md §2.1-2.2). A '#' header, then big-endian (uint32 address, uint32 timestamp
 * in us) records. DVS128 address bits: x_raw = (a & 0xFE) >> 1, y_raw = (a & 0x7F00) >> 8,
 * p_raw = a & 1 (raw 0 = ON, as jAER's DVS128 extractor says). spikeq uses SpikingJelly's orientation
 * and polarity (cifar10_dvs.py::_load_origin_data): x = 127 - y_raw, y = 127 - x_raw, p = 1 - p_raw,
 * which shows the images upright with x the column from the left and y the row from the top.
 * Special/external events (bit 15 or 31) are decoded like any other unless asked otherwise, as
 * SpikingJelly does (filter_dvs=False). Tested in tests/test_dvs_files.c (the spec's test vector
 * 0x1415, round trips, every error path); fuzzed by tests/fuzz/fuzz_aedat.c; speed measured by the
 * dvs_decode benchmark.
 *
 * The file is read whole and decoded in one loop without branches per event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dvs_events.h"
#include "file_bytes.h"

#define DVS128 128u

/* One code point of strict UTF-8 (Python's decoder: no overlongs, no surrogates, <= U+10FFFF) at p:
 * its length, or 0 if the bytes are not valid UTF-8. */
static size_t utf8_char(const uint8_t *p, size_t n, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t k = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (k == 0 || k > n || p[0] > 0xF4)
        return 0;
    uint32_t c = p[0] & (0x7Fu >> k);
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3Fu);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[k] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return k;
}

/* Python's str.isspace(), which str.strip() removes. */
static int is_py_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Whether line [p, p+n) is a header line by SpikingJelly's rule: it decodes as UTF-8 and its first
 * character after leading white space is '#'. */
static int is_header_line(const uint8_t *p, size_t n)
{
    int first = -1;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t k = utf8_char(p + i, n - i, &c);
        if (k == 0)
            return 0;
        if (first < 0 && !is_py_space(c))
            first = (int)c;
        i += k;
    }
    return first == '#';
}

size_t sq_aedat_header_length(const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        if (!is_header_line(buf + pos, end - pos))
            break;
        pos = end;
    }
    return pos;
}

static inline uint32_t load_be32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

static inline sq_dvs_event event_of(const uint8_t *rec)
{
    uint32_t a = load_be32(rec);
    return (sq_dvs_event){.t = load_be32(rec + 4), .x = (uint16_t)(127u - ((a >> 8) & 0x7Fu)),
                          .y = (uint16_t)(127u - ((a >> 1) & 0x7Fu)), .p = (uint8_t)(~a & 1u)};
}

/* Addresses to events: the hot loop (no branch per event). Returns the number of events kept. */
static size_t decode_records(const uint8_t *p, size_t n, unsigned flags, sq_dvs_event *ev)
{
    if (!(flags & SQ_AEDAT_DROP_SPECIAL)) {
        for (size_t i = 0; i < n; i++)
            ev[i] = event_of(p + 8 * i);
        return n;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        ev[k] = event_of(p + 8 * i);
        k += !(load_be32(p + 8 * i) & 0x80008000u); /* dropping is a conditional increment */
    }
    return k;
}

/* A version line other than 2.x means another layout (1.0: 6-byte events; 3.x: typed packets) that
 * would decode to garbage. No version line is taken as 2.0, as SpikingJelly does. */
static int check_version(const uint8_t *buf, size_t h, const char *name, sq_err *err)
{
    static const char tag[] = "#!AER-DAT";
    size_t k = sizeof tag - 1;
    if (h < k || memcmp(buf, tag, k) != 0)
        return 0;
    size_t end = k;
    while (end < h && end < 40 && buf[end] != '\r' && buf[end] != '\n')
        end++;
    if (end >= k + 2 && buf[k] == '2' && buf[k + 1] == '.')
        return 0;
    return sq_fail(err, SQ_EFORMAT, "%s: version line at byte offset 0: expected #!AER-DAT2.x (AEDAT 2.0), got %.*s",
                   name, (int)end, (const char *)buf);
}

int sq_aedat_decode(const uint8_t *buf, size_t len, const char *name, unsigned flags, sq_dvs_stream *out,
                    sq_err *err)
{
    memset(out, 0, sizeof *out);
    size_t h = sq_aedat_header_length(buf, len), body = len - h;
    int rc = check_version(buf, h, name, err);
    if (rc < 0)
        return rc;
    if (body % 8)
        return sq_fail(err, SQ_EFORMAT, "%s: events: expected 8-byte (address, timestamp) records after the "
                       "%zu-byte header, got %zu bytes (a partial record at byte offset %zu)", name, h, body,
                       len - body % 8);
    size_t n = body / 8;
    if (sq_dvs_stream_reserve(out, n ? n : 1) < 0)
        return sq_fail(err, SQ_ENOMEM, "%s: cannot allocate %zu events", name, n);
    out->n = decode_records(buf + h, n, flags, out->ev);
    out->width = out->height = DVS128;
    return 0;
}

static int decode_plain(const uint8_t *buf, size_t len, const char *name, void *out, sq_err *err)
{
    return sq_aedat_decode(buf, len, name, 0, out, err);
}

int sq_aedat_read(const char *path, sq_dvs_stream *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    return sq__file_decode(path, decode_plain, out, err);
}

/* jAER's AEDAT 2.0 header (the lines its AEFileOutputStream writes), CRLF-terminated. */
static const char header[] = "#!AER-DAT2.0\r\n"
                             "# This is a raw AE data file - do not edit\r\n"
                             "# Data format is int32 address, int32 timestamp (8 bytes total), repeated for each event\r\n"
                             "# Timestamps tick is 1 us\r\n"
                             "# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n"
                             "# created by spikeq " SQ_VERSION "\r\n";

static int check_event(const char *path, const sq_dvs_stream *s, size_t i, sq_err *err)
{
    const sq_dvs_event *e = &s->ev[i];
    if (e->x >= DVS128 || e->y >= DVS128 || e->p > 1)
        return sq_fail(err, SQ_EINVAL, "%s: event %zu: expected x, y < 128 and p 0 or 1, got (%u, %u, %u)", path, i,
                       e->x, e->y, e->p);
    if (e->t < 0 || e->t > (int64_t)UINT32_MAX)
        return sq_fail(err, SQ_EINVAL, "%s: event %zu: expected a timestamp in [0, 2^32) us, got %lld", path, i,
                       (long long)e->t);
    return 0;
}

int sq_aedat_write(const char *path, const sq_dvs_stream *s, sq_err *err)
{
    if (s->width != DVS128 || s->height != DVS128)
        return sq_fail(err, SQ_EINVAL, "%s: expected a 128 x 128 (DVS128) stream, got %u x %u", path, s->width,
                       s->height);
    size_t h = sizeof header - 1;
    if (s->n > (SIZE_MAX - h) / 8)
        return sq_fail(err, SQ_ENOMEM, "%s: %zu events are too many to write", path, s->n);
    uint8_t *buf = malloc(h + 8 * s->n);
    if (!buf)
        return sq_fail(err, SQ_ENOMEM, "%s: cannot allocate %zu bytes", path, h + 8 * s->n);
    memcpy(buf, header, h);
    int rc = 0;
    for (size_t i = 0; i < s->n && rc == 0; i++) {
        if ((rc = check_event(path, s, i, err)) < 0)
            break;
        const sq_dvs_event *e = &s->ev[i];
        uint32_t x_raw = 127u - e->y, y_raw = 127u - e->x, p_raw = 1u - e->p;
        sq__put_be32(buf + h + 8 * i, y_raw << 8 | x_raw << 1 | p_raw);
        sq__put_be32(buf + h + 8 * i + 4, (uint32_t)e->t);
    }
    if (rc == 0)
        rc = sq__file_write_all(path, buf, h + 8 * s->n, err);
    free(buf);
    return rc;
}
