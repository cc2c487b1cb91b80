/* tests/sample_set_fixture.h: fixture data of the sample-set suites (tests/test_sample_set.c,
 * tests/test_sample_set_errors.c): small IDX splits with known pixels, a class folder of AEDAT
 * recordings with known events, and a set read whole. */
#ifndef SQ_TEST_SAMPLE_SET_FIXTURE_H
#define SQ_TEST_SAMPLE_SET_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "encoders/dvs_events.h"
#include "encoders/idx.h"
#include "encoders/sample_set.h"
#include "tmp_fixture.h"

/* Pixel (r, c) of image i of a fixture split. */
static inline uint8_t fx_pixel(uint32_t i, uint32_t r, uint32_t c)
{
    return (uint8_t)((i * 31 + r * 7 + c * 3 + 5) % 256);
}

/* <dir>/<stem>-images-idx3-ubyte.gz and -labels-idx1-ubyte.gz: n images of rows x cols, label
 * (i * 3) % 7 (so the largest label depends on n). */
static inline void fx_idx_split(const char *dir, const char *stem, uint32_t n, uint32_t rows, uint32_t cols)
{
    uint8_t *px = malloc((size_t)n * rows * cols), *lab = malloc(n);
    for (uint32_t i = 0; i < n; i++) {
        lab[i] = (uint8_t)((i * 3) % 7);
        for (uint32_t r = 0; r < rows; r++)
            for (uint32_t c = 0; c < cols; c++)
                px[(i * rows + r) * cols + c] = fx_pixel(i, r, c);
    }
    char p[600];
    sq_idx_images im = {n, rows, cols, px};
    sq_idx_labels lb = {n, lab};
    snprintf(p, sizeof p, "%s/%s-images-idx3-ubyte.gz", dir, stem);
    ck_assert_int_eq(sq_idx_write_images(p, &im, 1, NULL), 0);
    snprintf(p, sizeof p, "%s/%s-labels-idx1-ubyte.gz", dir, stem);
    ck_assert_int_eq(sq_idx_write_labels(p, &lb, 1, NULL), 0);
    free(px);
    free(lab);
}

/* A new folder in the scratch directory (a static buffer per call site). */
static inline const char *fx_dir(char *buf, size_t len, const char *name)
{
    sq_tmp_path(buf, len, name);
    ck_assert_int_eq(mkdir(buf, 0755), 0);
    return buf;
}

/* A recording of n events on a 128 x 128 sensor from an LCG keyed by seed: sorted times, every
 * pixel and polarity possible. */
static inline sq_dvs_stream fx_stream(uint32_t seed, size_t n)
{
    sq_dvs_stream s = {.width = 128, .height = 128};
    uint64_t z = seed * 2654435761u + 1;
    int64_t t = 1000;
    for (size_t j = 0; j < n; j++) {
        z = z * 6364136223846793005ull + 1442695040888963407ull;
        t += (int64_t)((z >> 60) & 7);
        sq_dvs_event e = {.t = t, .x = (uint16_t)((z >> 20) & 127), .y = (uint16_t)((z >> 30) & 127),
                          .p = (uint8_t)((z >> 40) & 1)};
        ck_assert_int_eq(sq_dvs_stream_push(&s, e), 0);
    }
    return s;
}

/* <root>/<class>/cifar10_<class>_<i>.aedat for classes a, b, c with 3, 4 and 2 files. */
static inline const char *fx_folder(char *root, size_t len)
{
    static const char *const cls[3] = {"a", "b", "c"};
    static const int files[3] = {3, 4, 2};
    fx_dir(root, len, "dvs");
    for (int c = 0; c < 3; c++) {
        char p[700];
        snprintf(p, sizeof p, "%s/%s", root, cls[c]);
        ck_assert_int_eq(mkdir(p, 0755), 0);
        for (int i = 0; i < files[c]; i++) {
            sq_dvs_stream s = fx_stream((uint32_t)(c * 10 + i), 500 + 97 * (size_t)i);
            snprintf(p, sizeof p, "%s/%s/cifar10_%s_%d.aedat", root, cls[c], cls[c], i);
            ck_assert_int_eq(sq_aedat_write(p, &s, NULL), 0);
            sq_dvs_stream_free(&s);
        }
    }
    return root;
}

/* Every sample of s, in order (malloc'd), and its labels into lab (n entries) when not NULL. */
static inline float *fx_read_all(const sq_sample_set *s, uint32_t *lab)
{
    const sq_sample_set_info *in = sq_sample_set_info_get(s);
    size_t per = (size_t)in->T * in->height * in->width * in->channels;
    float *x = malloc(in->n * per * sizeof *x);
    sq_err err = {0};
    for (size_t i = 0; i < in->n; i++)
        ck_assert_msg(sq_sample_set_get(s, i, x + i * per, lab ? &lab[i] : NULL, &err) == 0, "%s", err.msg);
    return x;
}

#endif
