/* encoders/nmnist.c: N-MNIST recordings (Orchard et al. 2015, Front. Neurosci. 9:437), the ATIS
 * binary format of ../shared/specs/data.md §2.3: 5 bytes an event, x = byte0, y = byte1,
 * p = byte2 bit 7 (1 = ON), t = (byte2 & 0x7F) << 16 | byte3 << 8 | byte4 in us, on a 34 x 34 sensor.
 * y == 240 marks a timestamp overflow (Orchard's eventvision and tonic's read_mnist_file): the marker
 * is dropped and every later event gets 2^13 us more. Tested in tests/test_dvs_files.c (the spec's
 * test vector 05 07 80 03 E8, round trips, every error path); fuzzed by tests/fuzz/fuzz_nmnist.c. */
#include <stdlib.h>
#include <string.h>

#include "dvs_events.h"
#include "file_bytes.h"

#define NMNIST_SIZE 34u
#define OVERFLOW_Y 240u
#define OVERFLOW_US (1 << 13)
#define MAX_T (1 << 23)

int sq_nmnist_decode(const uint8_t *buf, size_t len, const char *name, sq_dvs_stream *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    if (len % 5)
        return sq_fail(err, SQ_EFORMAT, "%s: events: expected 5-byte records, got %zu bytes (a partial record at "
                       "byte offset %zu)", name, len, len - len % 5);
    size_t n = len / 5;
    if (sq_dvs_stream_reserve(out, n ? n : 1) < 0)
        return sq_fail(err, SQ_ENOMEM, "%s: cannot allocate %zu events", name, n);
    int64_t t_add = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = buf + 5 * i;
        if (r[1] == OVERFLOW_Y) {
            t_add += OVERFLOW_US;
            continue;
        }
        if (r[0] >= NMNIST_SIZE || r[1] >= NMNIST_SIZE) {
            sq_dvs_stream_free(out);
            return sq_fail(err, SQ_EFORMAT, "%s: event %zu at byte offset %zu: expected x, y < 34 (the N-MNIST "
                           "sensor), got (%u, %u)", name, i, 5 * i, r[0], r[1]);
        }
        out->ev[k++] = (sq_dvs_event){.t = t_add + ((int64_t)(r[2] & 0x7F) << 16 | r[3] << 8 | r[4]),
                                      .x = r[0], .y = r[1], .p = r[2] >> 7};
    }
    out->n = k;
    out->width = out->height = NMNIST_SIZE;
    return 0;
}

static int decode(const uint8_t *buf, size_t len, const char *name, void *out, sq_err *err)
{
    return sq_nmnist_decode(buf, len, name, out, err);
}

int sq_nmnist_read(const char *path, sq_dvs_stream *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    return sq__file_decode(path, decode, out, err);
}

int sq_nmnist_write(const char *path, const sq_dvs_stream *s, sq_err *err)
{
    if (s->width != NMNIST_SIZE || s->height != NMNIST_SIZE)
        return sq_fail(err, SQ_EINVAL, "%s: expected a 34 x 34 (N-MNIST) stream, got %u x %u", path, s->width,
                       s->height);
    if (s->n > SIZE_MAX / 5)
        return sq_fail(err, SQ_ENOMEM, "%s: %zu events are too many to write", path, s->n);
    uint8_t *buf = malloc(s->n ? 5 * s->n : 1);
    if (!buf)
        return sq_fail(err, SQ_ENOMEM, "%s: cannot allocate %zu bytes", path, 5 * s->n);
    int rc = 0;
    for (size_t i = 0; i < s->n; i++) {
        const sq_dvs_event *e = &s->ev[i];
        if (e->x >= NMNIST_SIZE || e->y >= NMNIST_SIZE || e->p > 1 || e->t < 0 || e->t >= MAX_T) {
            rc = sq_fail(err, SQ_EINVAL, "%s: event %zu: expected x, y < 34, p 0 or 1 and t in [0, 2^23) us, "
                         "got (%u, %u, %u, %lld)", path, i, e->x, e->y, e->p, (long long)e->t);
            break;
        }
        uint8_t *r = buf + 5 * i;
        r[0] = (uint8_t)e->x;
        r[1] = (uint8_t)e->y;
        r[2] = (uint8_t)(e->p << 7 | (e->t >> 16 & 0x7F));
        r[3] = (uint8_t)(e->t >> 8);
        r[4] = (uint8_t)e->t;
    }
    if (rc == 0)
        rc = sq__file_write_all(path, buf, 5 * s->n, err);
    free(buf);
    return rc;
}
