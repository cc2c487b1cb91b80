/* encoders/file_bytes.h: whole-file access shared by the dataset readers and writers (IDX, AEDAT,
 * N-MNIST). Readers map a file and decode it from memory in one tight loop, which is what makes
 * decoding fast and lets the fuzz harnesses drive the very decoders the readers run. */
#ifndef SQ_FILE_BYTES_H
#define SQ_FILE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

/* Reads all of path into a new buffer (*out, free() it; a 0-byte file gives a 1-byte buffer and
 * *len 0). The allocation is the file's size as fstat reports it, never more. Returns 0, SQ_EIO
 * (naming the file and the system error) or SQ_ENOMEM. Thread: any. */
int sq__file_read_all(const char *path, uint8_t **out, size_t *len, sq_err *err);

/* Maps all of path read-only (*out, *len; release with sq__file_unmap). Cheaper than a read for a
 * large recording decoded once: no copy, pages come straight from the page cache. A 0-byte file gives
 * a non-NULL *out and *len 0. Returns 0 or SQ_EIO. Thread: any. */
int sq__file_map(const char *path, const uint8_t **out, size_t *len, sq_err *err);
void sq__file_unmap(const uint8_t *p, size_t len);

/* Maps path and runs decode(bytes, len, path, out, err) on it: what every reader does. Returns
 * what sq__file_map or decode returns. Thread: any. */
typedef int (*sq__decode_fn)(const uint8_t *buf, size_t len, const char *name, void *out, sq_err *err);
int sq__file_decode(const char *path, sq__decode_fn decode, void *out, sq_err *err);

/* Writes len bytes to path (created or truncated). Returns 0 or SQ_EIO. Thread: any. */
int sq__file_write_all(const char *path, const void *buf, size_t len, sq_err *err);

/* Big-endian loads and stores: the byte order of IDX, AEDAT 2.0 and N-MNIST fields. */
static inline uint32_t sq__be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void sq__put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#endif
