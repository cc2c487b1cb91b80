/* tests/test_dvs_dataset.c: the class-folder layout (encoders/dvs_dataset.c) on fixture folders:
 * classes in byte order whatever the creation order, files in lexicographic order (cifar10_x_10
 * before cifar10_x_2), labels, SpikingJelly's first-90 %-per-class split (ceil(n * 0.9)), the TEBN
 * 0-99 test split, other class names and N-MNIST .bin files through the same code, and the errors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encoders/dvs_dataset.h"
#include "run_suite.h"
#include "tmp_fixture.h"

static void touch(const char *root, const char *cls, const char *name)
{
    char p[400];
    snprintf(p, sizeof p, "%s/%s", root, cls);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/%s/%s", root, cls, name);
    sq_tmp_write(p, "", 0);
}

static const char *make_root(void)
{
    static char root[300];
    sq_tmp_path(root, sizeof root, "ds");
    mkdir(root, 0755);
    return root;
}

START_TEST(classes_are_sorted_folders_and_files_lexicographic)
{
    const char *root = make_root();
    const char *cls[3] = {"truck", "airplane", "cat"};
    for (int c = 0; c < 3; c++)
        for (int i = 11; i >= 0; i--) {
            char name[64];
            snprintf(name, sizeof name, "cifar10_%s_%d.aedat", cls[c], i);
            touch(root, cls[c], name);
        }
    touch(root, "cat", "README.txt");     /* not a recording */
    touch(root, "cat", ".hidden.aedat");  /* hidden */
    touch(root, ".git", "x.aedat");       /* hidden folder */
    sq_dvs_dataset d;
    sq_err err = {0};
    ck_assert_msg(sq_dvs_dataset_open(root, &d, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(d.n_classes, 3);
    ck_assert_str_eq(d.classes[0], "airplane");
    ck_assert_str_eq(d.classes[1], "cat");
    ck_assert_str_eq(d.classes[2], "truck");
    ck_assert_uint_eq(d.n, 36);
    static const int order[12] = {0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9};
    for (size_t i = 0; i < 36; i++) {
        char want[400];
        snprintf(want, sizeof want, "%s/%s/cifar10_%s_%d.aedat", root, d.classes[i / 12], d.classes[i / 12],
                 order[i % 12]);
        ck_assert_str_eq(d.samples[i].path, want);
        ck_assert_uint_eq(d.samples[i].label, i / 12);
        ck_assert_int_eq(d.samples[i].file_index, order[i % 12]);
        ck_assert_int_eq(d.samples[i].kind, SQ_DVS_FILE_AEDAT);
    }
    /* ceil(12 * 0.9) = 11 train per class: the test sample is the 12th file, cifar10_<c>_9 */
    size_t *idx, n;
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TEST, 0.9, &idx, &n, &err), 0);
    ck_assert_uint_eq(n, 3);
    for (size_t k = 0; k < n; k++) {
        ck_assert_uint_eq(idx[k], 12 * k + 11);
        ck_assert_int_eq(d.samples[idx[k]].file_index, 9);
    }
    free(idx);
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TRAIN, 0.9, &idx, &n, &err), 0);
    ck_assert_uint_eq(n, 33);
    ck_assert_uint_eq(idx[11], 12); /* class-major, in dataset order */
    free(idx);
    sq_dvs_dataset_free(&d);
}
END_TEST

START_TEST(a_thousand_samples_split_900_100_both_ways)
{
    const char *root = make_root();
    for (int i = 0; i < 1000; i++) {
        char name[64];
        snprintf(name, sizeof name, "cifar10_bird_%d.aedat", i);
        touch(root, "bird", name);
    }
    sq_dvs_dataset d;
    sq_err err = {0};
    ck_assert_msg(sq_dvs_dataset_open(root, &d, &err) == 0, "%s", err.msg);
    size_t *tr, *te, ntr, nte;
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TRAIN, 0.9, &tr, &ntr, &err), 0);
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TEST, 0.9, &te, &nte, &err), 0);
    ck_assert_uint_eq(ntr, 900); /* ceil(1000 * 0.9) = 900 in double arithmetic, as in Python */
    ck_assert_uint_eq(nte, 100);
    ck_assert_uint_eq(tr[899], 899);
    ck_assert_uint_eq(te[0], 900);
    free(tr);
    free(te);
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TEBN_TEST, 0.9, &te, &nte, &err), 0);
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TEBN_TRAIN, 0.9, &tr, &ntr, &err), 0);
    ck_assert_uint_eq(nte, 100);
    ck_assert_uint_eq(ntr, 900);
    int seen[100] = {0};
    for (size_t k = 0; k < nte; k++) {
        ck_assert_int_lt(d.samples[te[k]].file_index, 100);
        seen[d.samples[te[k]].file_index]++;
    }
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(seen[i], 1);
    for (size_t k = 0; k < ntr; k++)
        ck_assert_int_ge(d.samples[tr[k]].file_index, 100);
    free(tr);
    free(te);
    sq_dvs_dataset_free(&d);
}
END_TEST

START_TEST(other_class_names_and_nmnist_bin_files_read_through_the_same_code)
{
    const char *root = make_root();
    touch(root, "Trouser", "fmnist_Trouser_0.aedat");
    touch(root, "Bag", "fmnist_Bag_0.aedat");
    touch(root, "7", "00012.bin");
    sq_dvs_dataset d;
    sq_err err = {0};
    ck_assert_msg(sq_dvs_dataset_open(root, &d, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(d.n_classes, 3);
    ck_assert_str_eq(d.classes[0], "7"); /* byte order: digits, then upper case */
    ck_assert_str_eq(d.classes[1], "Bag");
    ck_assert_str_eq(d.classes[2], "Trouser");
    ck_assert_int_eq(d.samples[0].kind, SQ_DVS_FILE_NMNIST);
    ck_assert_int_eq(d.samples[0].file_index, 12);
    sq_dvs_stream s;
    ck_assert_msg(sq_dvs_file_read(d.samples[0].path, &s, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(s.width, 34);
    sq_dvs_stream_free(&s);
    sq_dvs_dataset_free(&d);
}
END_TEST

START_TEST(sample_paths_follow_the_cifar10_dvs_layout)
{
    char p[64];
    ck_assert_int_eq(sq_dvs_dataset_sample_path(p, sizeof p, "/d", "cifar10", "cat", 17), 0);
    ck_assert_str_eq(p, "/d/cat/cifar10_cat_17.aedat");
    ck_assert_int_eq(sq_dvs_dataset_sample_path(p, 10, "/d", "cifar10", "cat", 17), SQ_ERANGE);
    ck_assert_str_eq(sq_cifar10dvs_classes[0], "airplane");
    ck_assert_str_eq(sq_cifar10dvs_classes[9], "truck");
    for (int c = 1; c < 10; c++) /* SJ's label order is the byte order of the folder names */
        ck_assert_int_lt(strcmp(sq_cifar10dvs_classes[c - 1], sq_cifar10dvs_classes[c]), 0);
}
END_TEST

START_TEST(bad_layouts_are_rejected_naming_the_folder_or_file)
{
    sq_dvs_dataset d;
    sq_err err = {0};
    ck_assert_int_eq(sq_dvs_dataset_open("/nonexistent/ds", &d, &err), SQ_EIO);
    ck_assert_str_eq(err.msg, "/nonexistent/ds: cannot open the folder: No such file or directory");
    const char *root = make_root();
    char want[600];
    ck_assert_int_eq(sq_dvs_dataset_open(root, &d, &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: expected one folder per class, found no folders", root);
    ck_assert_str_eq(err.msg, want);
    touch(root, "cat", "notes.txt");
    ck_assert_int_eq(sq_dvs_dataset_open(root, &d, &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s/cat: expected recordings (.aedat or .bin files) in the class folder, found none",
             root);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(d.samples);
    touch(root, "cat", "sample.aedat");
    ck_assert_int_eq(sq_dvs_dataset_open(root, &d, &err), 0);
    size_t *idx, n;
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TEBN_TEST, 0.9, &idx, &n, &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s/cat/sample.aedat: expected a file name ending in a sample index (the TEBN split "
             "tests samples 0-99), found none", root);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(sq_dvs_dataset_split(&d, SQ_DVS_SPLIT_TRAIN, 1.5, &idx, &n, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "split: train ratio: expected a number in (0, 1], got 1.5");
    sq_dvs_dataset_free(&d);
    sq_dvs_stream s;
    ck_assert_int_eq(sq_dvs_file_read("x.png", &s, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "x.png: expected a .aedat (CIFAR10-DVS) or .bin (N-MNIST) file");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dvs_dataset");
    TCase *tc = tcase_create("dvs_dataset");
    tcase_add_checked_fixture(tc, NULL, sq_tmp_cleanup);
    tcase_add_test(tc, classes_are_sorted_folders_and_files_lexicographic);
    tcase_add_test(tc, a_thousand_samples_split_900_100_both_ways);
    tcase_add_test(tc, other_class_names_and_nmnist_bin_files_read_through_the_same_code);
    tcase_add_test(tc, sample_paths_follow_the_cifar10_dvs_layout);
    tcase_add_test(tc, bad_layouts_are_rejected_naming_the_folder_or_file);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
