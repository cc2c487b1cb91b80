/* layers/tensor.h: how a layer's output is stored, and the accessors through which every consumer
 * reads it (layers/layer.h, step/net.h).
 *
 * A tensor is a sequence of images, one image being one sample at one step: image i = t * N + n
 * holds `image` elements [h][w][c] (layer.h). Two storages:
 * - SQ_STORE_FLOAT: float [images][image], element e of image i at f[i * image + e].
 * - SQ_STORE_BITS, for spikes (exactly 0 or 1): element e of image i is bit e % 64 of the word
 *   bits[i * words + e / 64], words = ceil(image / 64). Each image starts at a word, so threads that
 *   write different images, or 64-aligned ranges of one image, never write the same word; the bits
 *   of a last word past the image's end are 0. A spike takes 1 bit instead of 4 bytes.
 * The step engine stores a layer's output as bits exactly when its kind is SQ_VALUES_SPIKES, and
 * as floats otherwise. Reading bits gives 0.0f or 1.0f, the floats a float tensor would hold, so
 * every result is the same to the bit whichever the storage.
 *
 * Thread: any; a writer owns the words it writes (above). */
#ifndef SQ_TENSOR_H
#define SQ_TENSOR_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
    SQ_STORE_FLOAT, /* float per element */
    SQ_STORE_BITS   /* 1 bit per element, for spikes */
} sq_store;

typedef struct {
    sq_store store;
    size_t image;    /* elements of one image */
    size_t words;    /* SQ_STORE_BITS: 64-bit words of one image */
    float *f;        /* SQ_STORE_FLOAT: [images][image] */
    uint64_t *bits;  /* SQ_STORE_BITS: [images][words] */
} sq_tensor;

/* Bit j of a 32-bit half word: the (un)packing loops test against this table rather than shift by
 * j, because the baseline x86-64 target (SSE2) has no per-lane shift and would not vectorise them. */
static const uint32_t sq__tensor_bit[32] = {
    1u << 0,  1u << 1,  1u << 2,  1u << 3,  1u << 4,  1u << 5,  1u << 6,  1u << 7,  1u << 8,  1u << 9,  1u << 10,
    1u << 11, 1u << 12, 1u << 13, 1u << 14, 1u << 15, 1u << 16, 1u << 17, 1u << 18, 1u << 19, 1u << 20, 1u << 21,
    1u << 22, 1u << 23, 1u << 24, 1u << 25, 1u << 26, 1u << 27, 1u << 28, 1u << 29, 1u << 30, 1u << 31};

/* Words of an image of `image` elements stored as bits. */
static inline size_t sq_tensor_words(size_t image) { return (image + 63) / 64; }

/* Element e of image i, as a float. */
static inline float sq_tensor_get(const sq_tensor *t, size_t i, size_t e)
{
    if (t->store == SQ_STORE_FLOAT)
        return t->f[i * t->image + e];
    return (float)((t->bits[i * t->words + e / 64] >> (e % 64)) & 1u);
}

/* Elements [e0, e0 + n) of image i, as floats, into dst (n floats). */
static inline void sq_tensor_read(const sq_tensor *t, size_t i, size_t e0, size_t n, float *restrict dst)
{
    if (t->store == SQ_STORE_FLOAT) {
        memcpy(dst, t->f + i * t->image + e0, n * sizeof *dst);
        return;
    }
    /* Pieces of at most 32 bits inside one word, each unpacked by a loop that vectorises. */
    const uint64_t *w = t->bits + i * t->words;
    for (size_t k = 0; k < n;) {
        size_t e = e0 + k, b = e % 64, m = n - k;
        m = m < 64 - b ? m : 64 - b;
        m = m < 32 ? m : 32;
        uint32_t h = (uint32_t)(w[e / 64] >> b);
        for (size_t j = 0; j < m; j++)
            dst[k + j] = (h & sq__tensor_bit[j]) ? 1.0f : 0.0f;
        k += m;
    }
}

/* Elements [e0, e0 + n) of image i, as floats: a pointer into the tensor when it holds floats,
 * otherwise buf (n floats) filled by sq_tensor_read. Borrowed until the tensor or buf changes. */
static inline const float *sq_tensor_row(const sq_tensor *t, size_t i, size_t e0, size_t n, float *restrict buf)
{
    if (t->store == SQ_STORE_FLOAT)
        return t->f + i * t->image + e0;
    sq_tensor_read(t, i, e0, n, buf);
    return buf;
}

/* Writes src[0..n) to elements [e0, e0 + n) of image i. Bits: a non-zero value is 1 (the caller
 * writes spikes), and the range covers whole words: e0 is a multiple of 64, and n is too or the
 * range ends the image, whose last word's unused bits are cleared. */
static inline void sq_tensor_write(sq_tensor *t, size_t i, size_t e0, size_t n, const float *restrict src)
{
    if (t->store == SQ_STORE_FLOAT) {
        memcpy(t->f + i * t->image + e0, src, n * sizeof *src);
        return;
    }
    /* Callers cut their work at multiples of 64 inside an image: other words belong to other threads. */
    assert(e0 % 64 == 0 && (n % 64 == 0 || e0 + n == t->image));
    uint64_t *w = t->bits + i * t->words + e0 / 64;
    for (size_t k0 = 0; k0 < n; k0 += 64) {
        uint32_t half[2] = {0, 0};
        for (size_t k = 0; k0 + k < n && k < 64; k += 32) {
            size_t m = n - k0 - k < 32 ? n - k0 - k : 32;
            uint32_t h = 0;
            for (size_t j = 0; j < m; j++)
                h |= src[k0 + k + j] != 0.0f ? sq__tensor_bit[j] : 0u;
            half[k / 32] = h;
        }
        w[k0 / 64] = (uint64_t)half[0] | (uint64_t)half[1] << 32;
    }
}

/* The first `images` images as floats, dst [images][image] (tests, reports). */
static inline void sq_tensor_unpack(const sq_tensor *t, size_t images, float *dst)
{
    for (size_t i = 0; i < images; i++)
        sq_tensor_read(t, i, 0, t->image, dst + i * t->image);
}

#endif
