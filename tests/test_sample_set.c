/* tests/test_sample_set.c: the sample sets of encoders/sample_set.h, each source against a closed
 * form computed here: IDX pixels / 255 repeated over T; an HDF5 tensors file read back transposed
 * exactly; a DVS folder's samples equal to the SpikingJelly frames (frames.h) of each recording,
 * times scale; emulated samples equal to the frames of the same image recorded by sq_saccade_record,
 * written as AEDAT and read back (what `spikeq dataset emulate` does). Then the frame cache: reused
 * without a rebuild (mtime unchanged), the same arrays and bytes at 1 and 2 threads, progress
 * reports and an interrupted build that leaves no file, and concurrent get() calls. All exact (float
 * equality: the values are small integers times a power of two, or byte / 255 computed the same way).
 * Errors are in tests/test_sample_set_errors.c; tests/test_sample_set.py checks against h5py and
 * the CLI. */
#include <check.h>
#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#include "encoders/dvs_dataset.h"
#include "encoders/frames.h"
#include "encoders/saccade.h"
#include "run_suite.h"
#include "sample_set_fixture.h"

START_TEST(idx_source_repeats_pixel_over_255_at_each_step)
{
    char dir[300];
    fx_dir(dir, sizeof dir, "idx");
    fx_idx_split(dir, "train", 5, 3, 4);
    fx_idx_split(dir, "t10k", 3, 3, 4);
    sq_sample_set_params p;
    sq_sample_set_params_default(&p);
    p.dir = dir;
    p.T = 3;
    sq_sample_set *s;
    sq_err err = {0};
    ck_assert_msg(sq_sample_set_open(&p, "train", &s, &err) == 0, "%s", err.msg);
    const sq_sample_set_info *in = sq_sample_set_info_get(s);
    ck_assert_uint_eq(in->n, 5);
    ck_assert_uint_eq(in->T, 3);
    ck_assert_uint_eq(in->height, 3);
    ck_assert_uint_eq(in->width, 4);
    ck_assert_uint_eq(in->channels, 1);
    ck_assert_uint_eq(in->n_classes, 7); /* labels 0 3 6 2 5 */
    ck_assert_int_eq(in->values, SQ_SAMPLE_VALUES_REAL);
    ck_assert_ptr_null(in->cache);
    char want[600];
    snprintf(want, sizeof want, "idx %s/train-images-idx3-ubyte.gz train: 5 samples, T=3, 1x3x4", dir);
    ck_assert_str_eq(in->description, want);
    uint32_t lab[5];
    float *x = fx_read_all(s, lab);
    for (uint32_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(lab[i], (i * 3) % 7);
        ck_assert_uint_eq(sq_sample_set_label(s, i), (i * 3) % 7);
        for (uint32_t t = 0; t < 3; t++)
            for (uint32_t r = 0; r < 3; r++)
                for (uint32_t c = 0; c < 4; c++)
                    ck_assert_float_eq(x[((i * 3 + t) * 3 + r) * 4 + c], (float)fx_pixel(i, r, c) / 255.0f);
    }
    free(x);
    sq_sample_set_close(s);
    p.samples = 2; /* the test split, first two (labels 0 3): n_classes from all three (0 3 6) */
    ck_assert_msg(sq_sample_set_open(&p, "test", &s, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(sq_sample_set_info_get(s)->n, 2);
    ck_assert_uint_eq(sq_sample_set_info_get(s)->n_classes, 7);
    sq_sample_set_close(s);
    sq_sample_set_close(NULL);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(idx_source_reads_debian_fashion_mnist)
{
    sq_sample_set_params p;
    sq_sample_set_params_default(&p);
    p.samples = 8;
    p.T = 1;
    sq_sample_set *s;
    sq_err err = {0};
    ck_assert_msg(sq_sample_set_open(&p, "train", &s, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(sq_sample_set_info_get(s)->description, "idx fashion-mnist train: 8 samples, T=1, 1x28x28");
    ck_assert_uint_eq(sq_sample_set_info_get(s)->n_classes, 10);
    static const uint32_t first[8] = {9, 0, 0, 3, 0, 2, 7, 2}; /* data.md §3.2 */
    for (size_t i = 0; i < 8; i++)
        ck_assert_uint_eq(sq_sample_set_label(s, i), first[i]);
    sq_sample_set_close(s);
}
END_TEST

/* /split/inputs [n][T][C][H][W] = value(i, t, c, h, w), labels, and the n_classes attribute. */
static float tensor_value(int real, size_t i, size_t t, size_t c, size_t h, size_t w)
{
    return (float)(i * 1000 + t * 100 + c * 10 + h * 3 + w) + (real ? 0.5f : 0.0f);
}

static void write_tensors(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    const char *splits[2] = {"train", "test"};
    for (int k = 0; k < 2; k++) {
        hsize_t n = k ? 2 : 3, dims[5] = {n, 2, 3, 4, 5};
        float *x = malloc(n * 2 * 3 * 4 * 5 * sizeof *x), *q = x;
        for (size_t i = 0; i < n; i++)
            for (size_t t = 0; t < 2; t++)
                for (size_t c = 0; c < 3; c++)
                    for (size_t h = 0; h < 4; h++)
                        for (size_t w = 0; w < 5; w++)
                            *q++ = tensor_value(k == 0, i, t, c, h, w);
        int64_t lab[3] = {4, 1, 2};
        hid_t g = H5Gcreate2(f, splits[k], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        hid_t sp = H5Screate_simple(5, dims, NULL), ls = H5Screate_simple(1, &n, NULL);
        hid_t d = H5Dcreate2(g, "inputs", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        hid_t l = H5Dcreate2(g, "labels", H5T_STD_I64LE, ls, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        ck_assert_int_ge(H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x), 0);
        ck_assert_int_ge(H5Dwrite(l, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, lab), 0);
        H5Dclose(l), H5Dclose(d), H5Sclose(ls), H5Sclose(sp), H5Gclose(g);
        free(x);
    }
    int nc = 7;
    hid_t as = H5Screate(H5S_SCALAR), a = H5Acreate2(f, "n_classes", H5T_STD_I32LE, as, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(H5Awrite(a, H5T_NATIVE_INT, &nc), 0);
    H5Aclose(a), H5Sclose(as), H5Fclose(f);
}

START_TEST(tensors_file_is_read_back_transposed_to_time_height_width_channels)
{
    char path[300];
    write_tensors(sq_tmp_path(path, sizeof path, "x.h5"));
    sq_sample_set_params p;
    sq_sample_set_params_default(&p);
    p.source = SQ_SAMPLES_TENSORS;
    p.file = path;
    for (int k = 0; k < 2; k++) {
        sq_sample_set *s;
        sq_err err = {0};
        ck_assert_msg(sq_sample_set_open(&p, k ? "test" : "train", &s, &err) == 0, "%s", err.msg);
        const sq_sample_set_info *in = sq_sample_set_info_get(s);
        ck_assert_uint_eq(in->n, k ? 2 : 3);
        ck_assert_uint_eq(in->T, 2);
        ck_assert_uint_eq(in->channels, 3);
        ck_assert_uint_eq(in->height, 4);
        ck_assert_uint_eq(in->width, 5);
        ck_assert_uint_eq(in->n_classes, 7);
        ck_assert_int_eq(in->values, k ? SQ_SAMPLE_VALUES_COUNTS : SQ_SAMPLE_VALUES_REAL);
        static const uint32_t want[3] = {4, 1, 2};
        uint32_t lab[3];
        float *x = fx_read_all(s, lab), *q = x;
        for (size_t i = 0; i < in->n; i++) {
            ck_assert_uint_eq(lab[i], want[i]);
            for (size_t t = 0; t < 2; t++)
                for (size_t h = 0; h < 4; h++)
                    for (size_t w = 0; w < 5; w++)
                        for (size_t c = 0; c < 3; c++)
                            ck_assert_float_eq(*q++, tensor_value(k == 0, i, t, c, h, w));
        }
        free(x);
        sq_sample_set_close(s);
    }
    sq_tmp_cleanup();
}
END_TEST

/* Sample k of recording `path` as the folder source must give it: frames.h counts times scale,
 * [T][2][S][S] -> [T][S][S][2]. */
static void check_frames_of(const char *path, const float *x, uint32_t T, uint32_t S, float scale)
{
    sq_dvs_stream ev;
    sq_dvs_frames f;
    ck_assert_int_eq(sq_aedat_read(path, &ev, NULL), 0);
    ck_assert_int_eq(sq_dvs_frames_make(&ev, SQ_SPLIT_NUMBER, T, S, S, &f, NULL), 0);
    for (uint32_t t = 0; t < T; t++)
        for (uint32_t y = 0; y < S; y++)
            for (uint32_t xx = 0; xx < S; xx++)
                for (uint32_t c = 0; c < 2; c++)
                    ck_assert_float_eq(x[((t * S + y) * S + xx) * 2 + c],
                                       (float)f.counts[((t * 2 + c) * S + y) * S + xx] * scale);
    sq_dvs_frames_free(&f);
    sq_dvs_stream_free(&ev);
}

START_TEST(dvs_folder_samples_are_spikingjelly_frames_times_scale_with_and_without_cache)
{
    char root[300], cache[300];
    fx_folder(root, sizeof root);
    sq_tmp_path(cache, sizeof cache, "cache");
    sq_sample_set_params p;
    sq_sample_set_params_default(&p);
    p.source = SQ_SAMPLES_DVS_FOLDER;
    p.root = root;
    p.T = 5;
    p.size = 64;
    p.scale = 0.25;
    p.train_ratio = 0.5; /* per class ceil(n / 2): a 2 of 3, b 2 of 4, c 1 of 2 */
    sq_dvs_dataset d;
    size_t *idx[2], n[2];
    ck_assert_int_eq(sq_dvs_dataset_open(root, &d, NULL), 0);
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TRAIN, 0.5, &idx[0], &n[0], NULL), 0);
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TEST, 0.5, &idx[1], &n[1], NULL), 0);
    ck_assert_uint_eq(n[0], 5);
    for (int cached = 0; cached < 2; cached++) {
        p.cache = cached ? cache : NULL;
        for (int k = 0; k < 2; k++) {
            sq_sample_set *s;
            sq_err err = {0};
            ck_assert_msg(sq_sample_set_open(&p, k ? "test" : "train", &s, &err) == 0, "%s", err.msg);
            const sq_sample_set_info *in = sq_sample_set_info_get(s);
            ck_assert_uint_eq(in->n, n[k]);
            ck_assert_uint_eq(in->n_classes, 3);
            ck_assert_uint_eq(in->channels, 2);
            ck_assert_uint_eq(in->height, 64);
            ck_assert_int_eq(in->values, SQ_SAMPLE_VALUES_REAL); /* scale 0.25 */
            ck_assert_int_eq(in->cache != NULL, cached);
            ck_assert_int_eq(in->cache_built, cached);
            uint32_t lab[9];
            float *x = fx_read_all(s, lab);
            for (size_t i = 0; i < n[k]; i++) {
                ck_assert_uint_eq(lab[i], d.samples[idx[k][i]].label);
                check_frames_of(d.samples[idx[k][i]].path, x + i * 5 * 64 * 64 * 2, 5, 64, 0.25f);
            }
            free(x);
            sq_sample_set_close(s);
        }
    }
    p.size = 0; /* the sensor's size, counts as they are */
    p.scale = 1.0;
    p.cache = NULL;
    sq_sample_set *s;
    ck_assert_int_eq(sq_sample_set_open(&p, "train", &s, NULL), 0);
    ck_assert_uint_eq(sq_sample_set_info_get(s)->width, 128);
    ck_assert_int_eq(sq_sample_set_info_get(s)->values, SQ_SAMPLE_VALUES_COUNTS);
    float *x = fx_read_all(s, NULL);
    check_frames_of(d.samples[idx[0][4]].path, x + 4 * 5 * 128 * 128 * 2, 5, 128, 1.0f);
    free(x);
    sq_sample_set_close(s);
    free(idx[0]);
    free(idx[1]);
    sq_dvs_dataset_free(&d);
    sq_tmp_cleanup();
}
END_TEST

static void emulated_params(sq_sample_set_params *p, const char *cache, size_t samples, int threads)
{
    sq_sample_set_params_default(p);
    p->source = SQ_SAMPLES_DVS_EMULATED;
    p->samples = samples;
    p->cache = cache;
    p->threads = threads;
}

START_TEST(dvs_emulated_samples_are_the_frames_of_the_recorded_images)
{
    char cache[300], aedat[300];
    sq_tmp_path(cache, sizeof cache, "cache");
    sq_tmp_path(aedat, sizeof aedat, "rec.aedat");
    sq_sample_set_params p;
    emulated_params(&p, cache, 4, 2);
    p.scale = 0.5;
    sq_sample_set *s;
    sq_err err = {0};
    ck_assert_msg(sq_sample_set_open(&p, "test", &s, &err) == 0, "%s", err.msg);
    const sq_sample_set_info *in = sq_sample_set_info_get(s);
    ck_assert_str_eq(in->description, "dvs_emulated fashion-mnist test: 4 samples, T=10, 2x32x32, counts x 0.5");
    ck_assert_uint_eq(in->n_classes, 10);
    ck_assert_uint_eq(in->saturated, 0);
    ck_assert_int_eq(in->cache_built, 1);
    ck_assert_int_eq(strncmp(in->cache, cache, strlen(cache)), 0);
    uint32_t lab[4];
    float *x = fx_read_all(s, lab);
    sq_idx_images im;
    sq_idx_labels lb;
    ck_assert_int_eq(sq_idx_read_split(SQ_FASHION_MNIST_DIR, "t10k", &im, &lb, NULL), 0);
    sq_saccade_params sp;
    sq_saccade_params_default(&sp);
    sq_saccade *sc;
    ck_assert_int_eq(sq_saccade_create(&sp, 28, 28, &sc, NULL), 0);
    for (uint32_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(lab[i], lb.labels[i]);
        sq_dvs_stream ev = {0};
        ck_assert_int_eq(sq_saccade_record(sc, im.pixels + i * 28 * 28, &ev, NULL), 0);
        ck_assert_int_eq(sq_aedat_write(aedat, &ev, NULL), 0); /* as `spikeq dataset emulate` stores it */
        sq_dvs_stream_free(&ev);
        check_frames_of(aedat, x + (size_t)i * 10 * 32 * 32 * 2, 10, 32, 0.5f);
    }
    sq_saccade_destroy(sc);
    sq_idx_images_free(&im);
    sq_idx_labels_free(&lb);
    free(x);
    sq_sample_set_close(s);
    sq_tmp_cleanup();
}
END_TEST

static int record_progress(void *user, size_t done, size_t total)
{
    size_t *log = user; /* log[0] = entries; then (done, total) pairs */
    log[1 + 2 * log[0]] = done;
    log[2 + 2 * log[0]] = total;
    log[0]++;
    return 0;
}

START_TEST(emulated_cache_is_reused_and_the_same_for_one_and_two_threads)
{
    char c1[300], c2[300];
    sq_tmp_path(c1, sizeof c1, "c1");
    sq_tmp_path(c2, sizeof c2, "c2");
    sq_sample_set_params p;
    emulated_params(&p, c1, 20, 1);
    size_t log[64] = {0};
    p.progress = record_progress;
    p.progress_user = log;
    sq_sample_set *a, *b;
    sq_err err = {0};
    ck_assert_msg(sq_sample_set_open(&p, "train", &a, &err) == 0, "%s", err.msg);
    /* 1 thread: blocks of 8 samples, reported at 0, 8, 16, 20 */
    static const size_t done[4] = {0, 8, 16, 20};
    ck_assert_uint_eq(log[0], 4);
    for (size_t k = 0; k < 4; k++) {
        ck_assert_uint_eq(log[1 + 2 * k], done[k]);
        ck_assert_uint_eq(log[2 + 2 * k], 20);
    }
    struct stat st1, st2;
    char file1[600];
    snprintf(file1, sizeof file1, "%s", sq_sample_set_info_get(a)->cache);
    ck_assert_int_eq(stat(file1, &st1), 0);
    sq_sample_set_close(a);
    log[0] = 0;
    ck_assert_msg(sq_sample_set_open(&p, "train", &a, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sq_sample_set_info_get(a)->cache_built, 0);
    ck_assert_uint_eq(log[0], 0); /* nothing built, nothing reported */
    ck_assert_int_eq(stat(file1, &st2), 0);
    ck_assert_int_eq(st1.st_mtim.tv_sec, st2.st_mtim.tv_sec);
    ck_assert_int_eq(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);
    p.cache = c2;
    p.threads = 2;
    p.progress = NULL;
    ck_assert_msg(sq_sample_set_open(&p, "train", &b, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sq_sample_set_info_get(b)->cache_built, 1);
    float *xa = fx_read_all(a, NULL), *xb = fx_read_all(b, NULL);
    size_t bytes = 20 * 10 * 2 * 32 * 32 * sizeof *xa;
    ck_assert_int_eq(memcmp(xa, xb, bytes), 0);
    double sum = 0;
    for (size_t k = 0; k < bytes / sizeof *xa; k++)
        sum += xa[k];
    ck_assert(sum > 1e6); /* ~2e5 events an image (README: events per image), all inside 32 x 32 */
    /* The files too, byte for byte: chunks are written in sample order, without timestamps. */
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", file1, sq_sample_set_info_get(b)->cache);
    ck_assert_int_eq(system(cmd), 0);
    free(xa);
    free(xb);
    sq_sample_set_close(a);
    sq_sample_set_close(b);
    sq_tmp_cleanup();
}
END_TEST

static int stop_after_first_block(void *user, size_t done, size_t total)
{
    (void)user;
    (void)total;
    return done > 0;
}

static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

START_TEST(interrupted_build_returns_eintr_and_leaves_no_file)
{
    char cache[300];
    sq_tmp_path(cache, sizeof cache, "cache");
    sq_sample_set_params p;
    emulated_params(&p, cache, 20, 2);
    p.progress = stop_after_first_block;
    sq_sample_set *s = (sq_sample_set *)&p;
    sq_err err = {0};
    ck_assert_int_eq(sq_sample_set_open(&p, "train", &s, &err), SQ_EINTR);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(err.msg, "frame cache: build stopped after 16 of 20 samples");
    ck_assert_uint_eq(files_in(cache), 0);
    p.progress = NULL;
    ck_assert_msg(sq_sample_set_open(&p, "train", &s, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sq_sample_set_info_get(s)->cache_built, 1);
    ck_assert_uint_eq(files_in(cache), 1);
    sq_sample_set_close(s);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(concurrent_gets_equal_serial_ones)
{
    char cache[300];
    sq_tmp_path(cache, sizeof cache, "cache");
    sq_sample_set_params p;
    emulated_params(&p, cache, 12, 2);
    sq_sample_set *s;
    ck_assert_int_eq(sq_sample_set_open(&p, "train", &s, NULL), 0);
    size_t per = 10 * 32 * 32 * 2;
    float *serial = fx_read_all(s, NULL), *par = malloc(12 * per * sizeof *par);
    int failed = 0;
#pragma omp parallel for num_threads(2) schedule(dynamic, 1) reduction(| : failed)
    for (int r = 0; r < 48; r++) /* each sample read four times */
        failed |= sq_sample_set_get(s, (size_t)r % 12, par + (size_t)(r % 12) * per, NULL, NULL) != 0;
    ck_assert_int_eq(failed, 0);
    ck_assert_int_eq(memcmp(serial, par, 12 * per * sizeof *par), 0);
    free(serial);
    free(par);
    sq_sample_set_close(s);
    sq_tmp_cleanup();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sample_set");
    TCase *tc = tcase_create("sample_set");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, idx_source_repeats_pixel_over_255_at_each_step);
    tcase_add_test(tc, idx_source_reads_debian_fashion_mnist);
    tcase_add_test(tc, tensors_file_is_read_back_transposed_to_time_height_width_channels);
    tcase_add_test(tc, dvs_folder_samples_are_spikingjelly_frames_times_scale_with_and_without_cache);
    tcase_add_test(tc, dvs_emulated_samples_are_the_frames_of_the_recorded_images);
    tcase_add_test(tc, emulated_cache_is_reused_and_the_same_for_one_and_two_threads);
    tcase_add_test(tc, interrupted_build_returns_eintr_and_leaves_no_file);
    tcase_add_test(tc, concurrent_gets_equal_serial_ones);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
