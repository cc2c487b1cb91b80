/* tests/test_encoding.c: datasets fed through encoders (encoders/encoding.c, dataset_samples.c):
 * sample k in its own window and equal to the direct encoding of its image, the size checks made
 * before anything is allocated, the seeded shuffle (a permutation that first_sample windows into),
 * and the dataset errors (label count, split name, mixed sensors), code and message. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encoder_fixture.h"
#include "encoders/encoding.h"
#include "encoders/idx.h"
#include "run_suite.h"
#include "tmp_fixture.h"

/* Three 2 x 3 images: pixel values k * 51 (k = 0 .. 5) rotated by the sample index. */
static void write_fixture(char *path, size_t len)
{
    uint8_t px[3 * 6];
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < 6; k++)
            px[s * 6 + k] = (uint8_t)(((k + s) % 6) * 51);
    sq_idx_images im = {3, 2, 3, px};
    sq_tmp_path(path, len, "images.idx");
    ck_assert_int_eq(sq_idx_write_images(path, &im, 0, NULL), 0);
}

START_TEST(expanded_dataset_puts_sample_k_in_its_own_window)
{
    char path[512];
    write_fixture(path, sizeof path);
    const double v[] = {1.0, 1.0};
    sq_encoding e = {.encoder = sq_encoder_find("rate"), .params = v, .dataset = {SQ_DATASET_IDX, path, NULL, NULL, NULL},
                     .first_sample = 1, .samples = 2, .sample_time = 20.0, .gap = 5.0, .max_spikes = 1000, .seed = 1,
                     .n = 6, .where = "w"};
    sq_spike_list l;
    sq_err err = {0};
    ck_assert_msg(sq_encoding_expand(&e, &l, &err) == 0, "%s", err.msg);
    /* Sample 1 in [0, 20), sample 2 in [25, 45): each the direct encoding of its image, shifted. */
    for (int k = 0; k < 2; k++) {
        float x[6];
        for (int i = 0; i < 6; i++)
            x[i] = (float)(((i + k + 1) % 6) * 51) / 255.0f;
        sq_spike_list d = run_image("rate", v, 20.0, 25.0 * k, 1, (uint64_t)k + 1, x, 6);
        size_t m = 0;
        for (size_t j = 0; j < l.n; j++) {
            if (l.t[j] < 25.0 * k || l.t[j] >= 25.0 * k + 20.0)
                continue;
            ck_assert_uint_lt(m, d.n);
            ck_assert_uint_eq(l.id[j], d.id[m]);
            ck_assert_double_eq(l.t[j], d.t[m]);
            m++;
        }
        ck_assert_uint_eq(m, d.n);
        sq_spike_list_free(&d);
    }
    sq_spike_list_free(&l);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(expansion_refuses_missing_samples_wrong_sizes_and_too_many_spikes_before_allocating)
{
    char path[512];
    write_fixture(path, sizeof path);
    const double v[] = {1.0, 1.0};
    sq_encoding e = {.encoder = sq_encoder_find("rate"), .params = v, .dataset = {SQ_DATASET_IDX, path, NULL, NULL, NULL},
                     .first_sample = 2, .samples = 2, .sample_time = 20.0, .max_spikes = 1000, .n = 6, .where = "w"};
    sq_spike_list l;
    sq_err err = {0};
    ck_assert_int_eq(sq_encoding_expand(&e, &l, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "w.samples: expected at most the 1 samples from first_sample = 2 of the dataset, got 2");
    e.first_sample = 0;
    e.n = 7;
    ck_assert_int_eq(sq_encoding_expand(&e, &l, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "w: expected a population of 6 neurons, one per pixel of a sample, got n = 7");
    e.n = 6;
    e.max_spikes = 100; /* 2 samples x 6 neurons x 20 steps = 240 possible */
    ck_assert_int_eq(sq_encoding_expand(&e, &l, &err), SQ_ERANGE);
    ck_assert_str_eq(err.msg, "w: expected at most max_spikes = 100 spikes, got up to 240 (2 samples of 6 neurons)");
    ck_assert_ptr_null(l.id);
    e.encoder = sq_encoder_find("dvs");
    e.max_spikes = 1000;
    ck_assert_int_eq(sq_encoding_expand(&e, &l, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "w.kind: expected an encoder of images, got dvs");
    sq_tmp_cleanup();
}
END_TEST

/* Ten 1 x 1 images of values 25 k (k = 0 .. 9): under rate coding (20 steps) image k gives
 * floor(20 * 25 k / 255) spikes, distinct for every k, which identifies the image in each window. */
static void feed(const char *path, int shuffle, uint64_t seed, uint64_t first, uint64_t samples, int *which)
{
    const double v[] = {1.0, 1.0};
    sq_encoding e = {.encoder = sq_encoder_find("rate"), .params = v, .dataset = {SQ_DATASET_IDX, path, NULL, NULL, NULL},
                     .first_sample = first, .samples = samples, .shuffle = shuffle, .sample_time = 20.0,
                     .max_spikes = 1000, .seed = seed, .n = 1, .where = "w"};
    sq_spike_list l;
    ck_assert_int_eq(sq_encoding_expand(&e, &l, NULL), 0);
    int count[10] = {0};
    for (size_t j = 0; j < l.n; j++)
        count[(int)(l.t[j] / 20.0)]++;
    for (uint64_t k = 0; k < samples; k++) {
        which[k] = -1;
        for (int img = 0; img < 10; img++)
            if (count[k] == (int)floor(20.0 * (float)(25 * img) / 255.0f + 1e-6))
                which[k] = img;
        ck_assert_int_ge(which[k], 0);
    }
    sq_spike_list_free(&l);
}

START_TEST(shuffled_order_is_a_seeded_permutation_that_first_sample_windows_into)
{
    char path[512];
    uint8_t px[10];
    for (int k = 0; k < 10; k++)
        px[k] = (uint8_t)(25 * k);
    sq_idx_images im = {10, 1, 1, px};
    sq_tmp_path(path, sizeof path, "ten.idx");
    ck_assert_int_eq(sq_idx_write_images(path, &im, 0, NULL), 0);
    int plain[10], a[10], b[10], c[10], part[4];
    feed(path, 0, 1, 0, 10, plain);
    feed(path, 1, 1, 0, 10, a);
    feed(path, 1, 1, 0, 10, b);
    feed(path, 1, 2, 0, 10, c);
    feed(path, 1, 1, 3, 4, part);
    int seen[10] = {0}, identity = 1, same = 1, other = 0;
    for (int k = 0; k < 10; k++) {
        ck_assert_int_eq(plain[k], k);
        seen[a[k]]++;
        identity &= a[k] == k;
        same &= a[k] == b[k];
        other |= a[k] != c[k];
    }
    for (int k = 0; k < 10; k++)
        ck_assert_int_eq(seen[k], 1); /* a permutation */
    ck_assert(!identity);              /* for this seed; the identity has probability 1/10! */
    ck_assert(same);
    ck_assert(other);
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(part[k], a[3 + k]);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(dataset_errors_name_the_file_and_what_was_wrong)
{
    char images[512], labels[512], root[512], dir[600], file[700];
    write_fixture(images, sizeof images); /* 3 images */
    uint8_t lb[2] = {0, 1};
    sq_idx_labels l2 = {2, lb};
    sq_tmp_path(labels, sizeof labels, "labels.idx");
    ck_assert_int_eq(sq_idx_write_labels(labels, &l2, 0, NULL), 0);
    sq_samples *s = (sq_samples *)&s;
    sq_err err = {0};
    sq_dataset_spec d = {SQ_DATASET_IDX, images, labels, NULL, NULL};
    ck_assert_int_eq(sq_samples_open(&d, &s, &err), SQ_EFORMAT);
    ck_assert_ptr_null(s);
    char want[1400];
    snprintf(want, sizeof want, "%s: expected 3 labels, one per image of %s, got 2", labels, images);
    ck_assert_str_eq(err.msg, want);
    /* A class-folder dataset mixing a DVS128 recording and an N-MNIST one. */
    sq_tmp_path(root, sizeof root, "mixed");
    ck_assert_int_eq(mkdir(root, 0777), 0);
    sq_dvs_event ev = {10, 1, 2, 1};
    sq_dvs_stream big = {&ev, 1, 1, 128, 128}, small = {&ev, 1, 1, 34, 34};
    snprintf(dir, sizeof dir, "%s/a", root);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    snprintf(file, sizeof file, "%s/a/x_0.aedat", root);
    ck_assert_int_eq(sq_aedat_write(file, &big, NULL), 0);
    snprintf(dir, sizeof dir, "%s/b", root);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    snprintf(file, sizeof file, "%s/b/0.bin", root);
    ck_assert_int_eq(sq_nmnist_write(file, &small, NULL), 0);
    sq_dataset_spec bad = {SQ_DATASET_DVS, NULL, NULL, root, "validation"};
    ck_assert_int_eq(sq_samples_open(&bad, &s, &err), SQ_EINVAL);
    snprintf(want, sizeof want, "%s: split: expected all, train, test, tebn-train or tebn-test, got \"validation\"",
             root);
    ck_assert_str_eq(err.msg, want);
    sq_dataset_spec mixed = {SQ_DATASET_DVS, NULL, NULL, root, "all"};
    ck_assert_int_eq(sq_samples_open(&mixed, &s, &err), 0);
    ck_assert_uint_eq(sq_samples_count(s), 2);
    ck_assert_uint_eq(sq_samples_neurons(s), 2 * 128 * 128);
    ck_assert_int_eq(sq_samples_label(s, 1), 1);
    sq_dvs_stream rec = {0};
    ck_assert_int_eq(sq_samples_stream(s, 0, &rec, &err), 0);
    ck_assert_uint_eq(rec.n, 1);
    ck_assert_int_eq(sq_samples_stream(s, 1, &rec, &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: expected a 128 x 128 recording like the dataset's first, got 34 x 34", file);
    ck_assert_str_eq(err.msg, want);
    sq_dvs_stream_free(&rec);
    sq_samples_close(s);
    sq_tmp_cleanup();
}
END_TEST


int main(void)
{
    Suite *s = suite_create("encoding");
    TCase *tc = tcase_create("encoding");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, expanded_dataset_puts_sample_k_in_its_own_window);
    tcase_add_test(tc, expansion_refuses_missing_samples_wrong_sizes_and_too_many_spikes_before_allocating);
    tcase_add_test(tc, shuffled_order_is_a_seeded_permutation_that_first_sample_windows_into);
    tcase_add_test(tc, dataset_errors_name_the_file_and_what_was_wrong);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
