/* encoders/file_bytes.c: whole-file read and write (see file_bytes.h). */
#include "file_bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int sq__file_read_all(const char *path, uint8_t **out, size_t *len, sq_err *err)
{
    int rc = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sq_fail(err, SQ_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = sq_fail(err, SQ_EIO, "%s: expected a regular file", path);
        goto done;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: cannot allocate %zu bytes to read it", path, size);
        goto done;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = sq_fail(err, SQ_EIO, "%s: read failed at byte offset %zu: %s", path, got,
                         r < 0 ? strerror(errno) : "file shrank while reading");
            free(buf);
            goto done;
        }
        got += (size_t)r;
    }
    *out = buf;
    *len = size;
done:
    close(fd);
    return rc;
}

int sq__file_map(const char *path, const uint8_t **out, size_t *len, sq_err *err)
{
    static const uint8_t empty[1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sq_fail(err, SQ_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = sq_fail(err, SQ_EIO, "%s: expected a regular file", path);
    } else if (st.st_size == 0) {
        *out = empty;
        *len = 0;
    } else {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (p == MAP_FAILED)
            rc = sq_fail(err, SQ_EIO, "%s: cannot map: %s", path, strerror(errno));
        else
            *out = p, *len = (size_t)st.st_size;
    }
    close(fd);
    return rc;
}

void sq__file_unmap(const uint8_t *p, size_t len)
{
    if (len)
        munmap((void *)p, len);
}

int sq__file_decode(const char *path, sq__decode_fn decode, void *out, sq_err *err)
{
    const uint8_t *buf;
    size_t len;
    int rc = sq__file_map(path, &buf, &len, err);
    if (rc < 0)
        return rc;
    rc = decode(buf, len, path, out, err);
    sq__file_unmap(buf, len);
    return rc;
}

int sq__file_write_all(const char *path, const void *buf, size_t len, sq_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return sq_fail(err, SQ_EIO, "%s: cannot create: %s", path, strerror(errno));
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            return sq_fail(err, SQ_EIO, "%s: write failed at byte offset %zu: %s", path, done, strerror(e));
        }
        done += (size_t)w;
    }
    if (close(fd) != 0)
        return sq_fail(err, SQ_EIO, "%s: close failed: %s", path, strerror(errno));
    return 0;
}
