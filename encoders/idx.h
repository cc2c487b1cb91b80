/* encoders/idx.h: IDX files, the format of MNIST and Fashion-MNIST (../shared/specs/data.md §3.1):
 * a big-endian magic 0x0000TTDD (TT element type, DD number of dimensions), DD big-endian uint32
 * sizes, then the elements in C order. spikeq reads the unsigned-byte type (0x08), raw or gzip'd
 * (detected from the gzip magic 1f 8b, as the Debian dataset-fashion-mnist package ships them in
 * /usr/share/datasets/fashion-mnist/, data.md §3.2).
 *
 * Errors (SQ_EFORMAT) name the file, the field and the byte offset (the offset in the decompressed
 * stream for a gzip'd file). No allocation is larger than what the file can hold: a header that
 * claims more elements than the file's bytes (or, gzip'd, than deflate's 1032:1 limit allows) is
 * rejected before anything is allocated. */
#ifndef SQ_IDX_H
#define SQ_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

#define SQ_IDX_MAX_DIMS 4

/* Public value: any unsigned-byte IDX array. `data` (size bytes, C order) is owned by the struct. */
typedef struct {
    uint8_t ndim;
    uint32_t dims[SQ_IDX_MAX_DIMS];
    uint8_t *data;
    size_t size;
} sq_idx_array;

/* Public value: images (magic 0x00000803), image i's pixel (r, c) at pixels[(i*rows + r)*cols + c],
 * 0 = background, 255 = full intensity. `pixels` is owned by the struct. */
typedef struct {
    uint32_t n, rows, cols;
    uint8_t *pixels;
} sq_idx_images;

/* Public value: labels (magic 0x00000801), one byte a sample. `labels` is owned by the struct. */
typedef struct {
    uint32_t n;
    uint8_t *labels;
} sq_idx_labels;

/* Read an unsigned-byte IDX file of 1 to 4 dimensions. Returns 0, SQ_EIO, SQ_ENOMEM or SQ_EFORMAT.
 * On failure *out is zeroed. Thread: any. */
int sq_idx_read(const char *path, sq_idx_array *out, sq_err *err);

/* Read images (3 dimensions: n, rows, cols; rows and cols > 0) or labels (1 dimension). A file of
 * the other kind is an SQ_EFORMAT error naming the magic found. Thread: any. */
int sq_idx_read_images(const char *path, sq_idx_images *out, sq_err *err);
int sq_idx_read_labels(const char *path, sq_idx_labels *out, sq_err *err);

/* Where Debian's dataset-fashion-mnist installs Fashion-MNIST (data.md §3.2). */
#define SQ_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* Reads one split of an MNIST-style folder: <dir>/<split>-images-idx3-ubyte and
 * <dir>/<split>-labels-idx1-ubyte, each gzip'd (.gz, preferred) or raw; split is "train" or "t10k"
 * (the file names MNIST and Fashion-MNIST share). Fails with SQ_EFORMAT if the counts differ, SQ_EIO
 * if neither form of a file exists. On failure both outputs are zeroed. Thread: any. */
int sq_idx_read_split(const char *dir, const char *split, sq_idx_images *images, sq_idx_labels *labels, sq_err *err);

/* Decode an IDX file already in memory (raw or gzip'd); `name` is used in messages. This is what the
 * readers above call, and what the fuzz harness drives. Thread: any. */
int sq_idx_decode(const uint8_t *buf, size_t len, const char *name, sq_idx_array *out, sq_err *err);

/* Write an unsigned-byte IDX file, gzip'd when gzip != 0 (readable by sq_idx_read, Python's gzip
 * module and numpy). Returns 0, SQ_EINVAL (ndim outside 1..4, or size != product of dims) or SQ_EIO. */
int sq_idx_write(const char *path, const sq_idx_array *a, int gzip, sq_err *err);
int sq_idx_write_images(const char *path, const sq_idx_images *im, int gzip, sq_err *err);
int sq_idx_write_labels(const char *path, const sq_idx_labels *lb, int gzip, sq_err *err);

/* Free what a read made and zero the struct. NULL is a no-op. Thread: any. */
void sq_idx_array_free(sq_idx_array *a);
void sq_idx_images_free(sq_idx_images *im);
void sq_idx_labels_free(sq_idx_labels *lb);

#endif
