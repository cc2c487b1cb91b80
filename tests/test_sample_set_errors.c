/* tests/test_sample_set_errors.c: the "data" object read by io/config_samples.c (every key of every
 * source, defaults) and every error of the sample sets, each with its code and its whole message:
 * unknown source and keys, T = 0, a size larger than the sensor, missing files, wrong shapes in a
 * tensors file, label counts that do not match the images, an unknown split, too many samples, and
 * truncated, garbage and bit-flipped frame caches. */
#include <check.h>
#include <hdf5.h>
#include <string.h>
#include <unistd.h>

#include "io/config_samples.h"
#include "run_suite.h"
#include "sample_set_fixture.h"

/* The JSON text (' for ") read as t.json's "data" object. */
static int read_data(const char *text, sq_sample_set_params *p, sq_err *err)
{
    char *t = strdup(text);
    for (char *q = t; *q; q++)
        if (*q == '\'')
            *q = '"';
    json_error_t je;
    json_t *root = json_loads(t, 0, &je);
    ck_assert_msg(root != NULL, "%s", je.text);
    int rc = sq_config_sample_set(json_object_get(root, "data"), "t.json", p, err);
    json_decref(root); /* the tests below read only numbers and enums from p after this */
    free(t);
    return rc;
}

START_TEST(config_reads_every_key_and_defaults_to_fashion_mnist_images)
{
    sq_sample_set_params p;
    sq_err err = {0};
    ck_assert_int_eq(read_data("{}", &p, &err), 0);
    ck_assert_int_eq(p.source, SQ_SAMPLES_IDX);
    ck_assert_str_eq(p.dir, SQ_FASHION_MNIST_DIR);
    ck_assert_uint_eq(p.T, 10);
    ck_assert_str_eq(p.where, "t.json: data");
    ck_assert_msg(read_data("{'data': {'source': 'dvs_emulated', 'T': 7, 'size': 48, 'scale': 0.25, "
                            "'split_by': 'time', 'samples': 100, 'emulator': {'width': 64, 'height': 96, 'scale': 2, "
                            "'path': 'circle', 'amplitude': 4, 'speed': 0.2, 'repeats': 2, 'step': 0.5, 'refresh': "
                            "60, 'threshold': 0.3, 'sigma': 0, 'seed': 9, 'eps': 0.01, 'lin_log': true, "
                            "'refractory': 0.5, 'max_events': 1000}}}", &p, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(p.source, SQ_SAMPLES_DVS_EMULATED);
    ck_assert_uint_eq(p.T, 7);
    ck_assert_uint_eq(p.size, 48);
    ck_assert_double_eq(p.scale, 0.25);
    ck_assert_int_eq(p.split_by, SQ_SPLIT_TIME);
    ck_assert_uint_eq(p.samples, 100);
    const sq_saccade_params *e = &p.emulator;
    ck_assert_uint_eq(e->width, 64);
    ck_assert_uint_eq(e->height, 96);
    ck_assert_double_eq(e->scale, 2);
    ck_assert_int_eq(e->path, SQ_PATH_CIRCLE);
    ck_assert_double_eq(e->amplitude, 4);
    ck_assert_double_eq(e->speed, 0.2);
    ck_assert_uint_eq(e->repeats, 2);
    ck_assert_double_eq(e->step, 0.5);
    ck_assert_double_eq(e->refresh, 60);
    ck_assert_double_eq(e->pixel.c_on, 0.3);
    ck_assert_double_eq(e->pixel.c_off, 0.3);
    ck_assert_double_eq(e->pixel.sigma, 0);
    ck_assert_uint_eq(e->pixel.seed, 9);
    ck_assert_double_eq(e->pixel.eps, 0.01);
    ck_assert_int_eq(e->pixel.lin_log, 1);
    ck_assert_double_eq(e->pixel.refractory_us, 500);
    ck_assert_uint_eq(e->max_events, 1000);
    ck_assert_int_eq(read_data("{'data': {'source': 'dvs_folder', 'root': '/r', 'split': 'tebn', 'train_ratio': 0.8,"
                               " 'cache': '/c'}}", &p, &err), 0);
    ck_assert_int_eq(p.split, SQ_SAMPLE_SPLIT_TEBN);
    ck_assert_double_eq(p.train_ratio, 0.8);
    ck_assert_uint_eq(p.size, 0);
}
END_TEST

START_TEST(config_errors_name_the_file_field_expectation_and_value)
{
    static const struct {
        const char *text;
        int code;
        const char *msg;
    } cases[] = {
        {"{'data': {'source': 'png'}}", SQ_ECONFIG,
         "t.json: data.source: expected one of tensors, idx, dvs_folder, dvs_emulated, got \"png\""},
        {"{'data': [1]}", SQ_ECONFIG, "t.json: data: expected an object {\"source\": ...}, got an array"},
        {"{'data': {'source': 'idx', 'sise': 3}}", SQ_ECONFIG,
         "t.json: data.sise: unknown field (expected one of: source, samples, dir, T, train_images, train_labels, "
         "test_images, test_labels)"},
        {"{'data': {'source': 'idx', 'root': '/x'}}", SQ_ECONFIG,
         "t.json: data.root: unknown field (expected one of: source, samples, dir, T, train_images, train_labels, "
         "test_images, test_labels)"},
        {"{'data': {'source': 'dvs_emulated', 'T': 0}}", SQ_ECONFIG,
         "t.json: data.T: expected a positive integer number of time steps, got 0"},
        {"{'data': {'source': 'dvs_emulated', 'size': 200}}", SQ_ECONFIG,
         "t.json: data.size: expected 1 to 128 (the emulated sensor is 128 x 128), got 200"},
        {"{'data': {'source': 'dvs_emulated', 'emulator': {'width': 20}}}", SQ_ECONFIG,
         "t.json: data.size: expected 1 to 20 (the emulated sensor is 20 x 128), got 32"},
        {"{'data': {'source': 'dvs_emulated', 'emulator': {'speed': -1}}}", SQ_ECONFIG,
         "t.json: data.emulator.speed: expected a number in [0, 1000] px/ms, got -1"},
        {"{'data': {'source': 'dvs_emulated', 'emulator': {'colour': 1}}}", SQ_ECONFIG,
         "t.json: data.emulator.colour: unknown field (expected one of: width, height, scale, path, amplitude, "
         "speed, repeats, step, refresh, threshold, sigma, seed, eps, lin_log, refractory, max_events)"},
        {"{'data': {'source': 'dvs_emulated', 'split_by': 'count'}}", SQ_ECONFIG,
         "t.json: data.split_by: expected one of number, time, got \"count\""},
        {"{'data': {'source': 'dvs_emulated', 'scale': 0}}", SQ_ECONFIG,
         "t.json: data.scale: expected a positive number, got 0"},
        {"{'data': {'source': 'dvs_folder'}}", SQ_ECONFIG, "t.json: data.root: expected the dataset folder, got nothing"},
        {"{'data': {'source': 'dvs_folder', 'root': '/r', 'train_ratio': 1.5}}", SQ_ECONFIG,
         "t.json: data.train_ratio: expected a number in (0, 1], got 1.5"},
        {"{'data': {'source': 'dvs_folder', 'root': '/r', 'split': 'random'}}", SQ_ECONFIG,
         "t.json: data.split: expected one of ratio, tebn, got \"random\""},
        {"{'data': {'source': 'tensors'}}", SQ_ECONFIG, "t.json: data.file: expected the HDF5 file of the tensors, got nothing"},
        {"{'data': {'source': 'tensors', 'file': ''}}", SQ_ECONFIG,
         "t.json: data.file: expected a non-empty string (a path), got \"\""},
        {"{'data': {'samples': -3}}", SQ_ECONFIG, "t.json: data.samples: expected a positive integer, got -3"},
    };
    for (size_t i = 0; i < SQ_COUNT(cases); i++) {
        sq_sample_set_params p;
        sq_err err = {0};
        ck_assert_int_eq(read_data(cases[i].text, &p, &err), cases[i].code);
        ck_assert_str_eq(err.msg, cases[i].msg);
    }
}
END_TEST

static int open_fails(const sq_sample_set_params *p, const char *split, sq_err *err)
{
    sq_sample_set *s = (sq_sample_set *)p;
    int rc = sq_sample_set_open(p, split, &s, err);
    ck_assert_ptr_null(s);
    return rc;
}

START_TEST(open_errors_name_the_file_field_expectation_and_value)
{
    char dir[300], root[300], want[1200];
    sq_sample_set_params p;
    sq_err err = {0};
    sq_sample_set_params_default(&p);
    ck_assert_int_eq(open_fails(&p, "val", &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "data: split: expected train or test, got \"val\"");
    p.T = 0;
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "data.T: expected 1 to 1048576 time steps, got 0");
    p.T = 10;
    p.dir = "/nonexistent";
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EIO);
    ck_assert_str_eq(err.msg, "/nonexistent/train-images-idx3-ubyte: cannot open: No such file or directory");
    fx_dir(dir, sizeof dir, "idx");
    fx_idx_split(dir, "train", 5, 2, 2);
    fx_idx_split(dir, "t10k", 3, 2, 2);
    char ip[400], lp[400];
    snprintf(ip, sizeof ip, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(lp, sizeof lp, "%s/t10k-labels-idx1-ubyte.gz", dir);
    p.train_images = ip;
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "data.train_labels: expected the labels file of train_images, got nothing");
    p.train_labels = lp;
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: expected 5 labels (as many as %s has images), got 3", lp, ip);
    ck_assert_str_eq(err.msg, want);
    p.train_images = p.train_labels = NULL;
    p.dir = dir;
    p.samples = 6;
    snprintf(p.where, sizeof p.where, "t.json: data");
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "t.json: data.samples: expected at most 5 (the images of the train split), got 6");
    p.samples = 0;
    p.source = SQ_SAMPLES_DVS_FOLDER;
    p.root = fx_folder(root, sizeof root);
    p.size = 200;
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_ECONFIG);
    snprintf(want, sizeof want, "t.json: data.size: expected 1 to 128 (the sensor of %s/a/cifar10_a_0.aedat is "
             "128 x 128), got 200", root);
    ck_assert_str_eq(err.msg, want);
    p.size = 0;
    p.train_ratio = 1.0;
    ck_assert_int_eq(open_fails(&p, "test", &err), SQ_EFORMAT);
    ck_assert_str_eq(err.msg, "t.json: data: split test: expected at least one sample, got none");
    /* A recording of another sensor (N-MNIST's 34 x 34) in the folder: its get() names it. */
    char bin[400];
    snprintf(bin, sizeof bin, "%s/c/cifar10_c_9.bin", root);
    sq_dvs_stream nm = {.width = 34, .height = 34};
    ck_assert_int_eq(sq_dvs_stream_push(&nm, (sq_dvs_event){.t = 5, .x = 3, .y = 4, .p = 1}), 0);
    ck_assert_int_eq(sq_nmnist_write(bin, &nm, NULL), 0);
    sq_dvs_stream_free(&nm);
    sq_sample_set *s;
    ck_assert_int_eq(sq_sample_set_open(&p, "train", &s, &err), 0);
    ck_assert_uint_eq(sq_sample_set_info_get(s)->n, 10);
    float *x = malloc(10 * 128 * 128 * 2 * sizeof *x);
    ck_assert_int_eq(sq_sample_set_get(s, 9, x, NULL, &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: expected a recording of the dataset's 128 x 128 sensor (as its first), got 34 x 34",
             bin);
    ck_assert_str_eq(err.msg, want);
    free(x);
    sq_sample_set_close(s);
    sq_tmp_cleanup();
}
END_TEST

/* A tensors file with /train/inputs of the given dims and /train/labels of n_labels entries. */
static void write_shapes(const char *path, int rank, const hsize_t *dims, hsize_t n_labels)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "train", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t s = H5Screate_simple(rank, dims, NULL), ls = H5Screate_simple(1, &n_labels, NULL);
    hid_t d = H5Dcreate2(g, "inputs", H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t l = H5Dcreate2(g, "labels", H5T_STD_I64LE, ls, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    size_t n = 1;
    for (int k = 0; k < rank; k++)
        n *= dims[k];
    float *x = calloc(n, sizeof *x);
    int64_t lab[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    ck_assert_int_ge(H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x), 0);
    ck_assert_int_ge(H5Dwrite(l, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, lab), 0);
    free(x);
    H5Dclose(l), H5Dclose(d), H5Sclose(ls), H5Sclose(s), H5Gclose(g), H5Fclose(f);
}

START_TEST(tensors_errors_name_the_file_dataset_expectation_and_value)
{
    char path[300], want[800];
    sq_sample_set_params p;
    sq_err err = {0};
    sq_sample_set_params_default(&p);
    p.source = SQ_SAMPLES_TENSORS;
    p.file = "/nonexistent/x.h5";
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EIO);
    ck_assert_str_eq(err.msg, "/nonexistent/x.h5: cannot open: No such file or directory");
    p.file = sq_tmp_path(path, sizeof path, "x.h5");
    sq_tmp_write(path, "not hdf5", 8);
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: expected an HDF5 file: ", path);
    ck_assert_int_eq(strncmp(err.msg, want, strlen(want)), 0);
    write_shapes(path, 3, (hsize_t[]){3, 4, 5}, 3);
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: /train/inputs: expected 5 dimensions [n][T][C][H][W], got 3", path);
    ck_assert_str_eq(err.msg, want);
    write_shapes(path, 5, (hsize_t[]){3, 2, 1, 4, 4}, 2);
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: /train/labels: expected 3 labels (one per sample of /train/inputs), got 1 "
             "dimension(s) of 2", path);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(open_fails(&p, "test", &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: /test: expected a group with inputs and labels, got nothing", path);
    ck_assert_str_eq(err.msg, want);
    write_shapes(path, 5, (hsize_t[]){3, 0, 1, 4, 4}, 3);
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: /train/inputs: expected T, C, H, W >= 1 and at most 2^30 values a sample, got "
             "[3][0][1][4][4]", path);
    ck_assert_str_eq(err.msg, want);
    sq_tmp_cleanup();
}
END_TEST

/* A built 6-sample emulated cache in dir; its path into file. */
static void build_cache(sq_sample_set_params *p, const char *dir, char *file, size_t len)
{
    sq_sample_set_params_default(p);
    p->source = SQ_SAMPLES_DVS_EMULATED;
    p->samples = 6;
    p->cache = dir;
    p->threads = 2;
    sq_sample_set *s;
    sq_err err = {0};
    ck_assert_msg(sq_sample_set_open(p, "train", &s, &err) == 0, "%s", err.msg);
    snprintf(file, len, "%s", sq_sample_set_info_get(s)->cache);
    sq_sample_set_close(s);
}

START_TEST(a_recording_that_fails_stops_the_build_naming_the_sample_and_leaves_no_file)
{
    char dir[300];
    sq_sample_set_params p;
    sq_err err = {0};
    sq_sample_set_params_default(&p);
    p.source = SQ_SAMPLES_DVS_EMULATED;
    p.samples = 4;
    p.threads = 2;
    p.cache = fx_dir(dir, sizeof dir, "cache");
    p.emulator.max_events = 1000; /* a Fashion-MNIST recording has ~2e5 */
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_ERANGE);
    const char *head = "emulator: expected at most max_events = 1000 events a recording, got ";
    ck_assert_msg(strncmp(err.msg, head, strlen(head)) == 0, "%s", err.msg);
    ck_assert_str_eq(err.msg + strlen(err.msg) - 11, " (sample 0)");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", dir);
    ck_assert_int_eq(system(cmd), 0);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(corrupt_caches_are_errors_naming_the_file)
{
    char dir[300], file[600], want[900];
    sq_sample_set_params p;
    sq_err err = {0};
    build_cache(&p, sq_tmp_path(dir, sizeof dir, "cache"), file, sizeof file);
    struct stat st;
    ck_assert_int_eq(stat(file, &st), 0);
    ck_assert_int_eq(truncate(file, st.st_size / 2), 0);
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: corrupt frame cache: HDF5 cannot open it (", file);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    ck_assert_str_eq(err.msg + strlen(err.msg) - 22, "; delete it to rebuild");
    sq_tmp_write(file, "garbage", 7);
    ck_assert_int_eq(open_fails(&p, "train", &err), SQ_EFORMAT);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    ck_assert_int_eq(unlink(file), 0);
    build_cache(&p, dir, file, sizeof file);
    /* Flip bytes inside sample 2's chunk: the file opens, the chunk fails its zlib checks. */
    haddr_t addr;
    hsize_t size, off[5];
    unsigned mask;
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, "counts", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    ck_assert_int_ge(H5Dget_chunk_info(d, sp, 2, off, &mask, &addr, &size), 0);
    ck_assert_uint_eq(off[0], 2);
    H5Sclose(sp), H5Dclose(d), H5Fclose(f);
    FILE *fp = fopen(file, "r+b");
    ck_assert_int_eq(fseek(fp, (long)(addr + size / 2), SEEK_SET), 0);
    ck_assert_uint_eq(fwrite("\xde\xad\xbe\xef\xde\xad\xbe\xef", 1, 8, fp), 8);
    fclose(fp);
    sq_sample_set *s;
    ck_assert_msg(sq_sample_set_open(&p, "train", &s, &err) == 0, "%s", err.msg);
    float *x = malloc(10 * 32 * 32 * 2 * sizeof *x);
    ck_assert_int_eq(sq_sample_set_get(s, 1, x, NULL, &err), 0);
    ck_assert_int_eq(sq_sample_set_get(s, 2, x, NULL, &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: corrupt frame cache: sample 2: the chunk does not inflate to 40960 bytes (zlib: ",
             file);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    ck_assert_int_eq(sq_sample_set_get(s, 6, x, NULL, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "dvs_emulated fashion-mnist train: 6 samples, T=10, 2x32x32: sample 6: expected an "
                     "index below 6");
    free(x);
    sq_sample_set_close(s);
    sq_tmp_cleanup();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sample_set_errors");
    TCase *tc = tcase_create("sample_set_errors");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, config_reads_every_key_and_defaults_to_fashion_mnist_images);
    tcase_add_test(tc, config_errors_name_the_file_field_expectation_and_value);
    tcase_add_test(tc, open_errors_name_the_file_field_expectation_and_value);
    tcase_add_test(tc, tensors_errors_name_the_file_dataset_expectation_and_value);
    tcase_add_test(tc, a_recording_that_fails_stops_the_build_naming_the_sample_and_leaves_no_file);
    tcase_add_test(tc, corrupt_caches_are_errors_naming_the_file);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
