/* tests/test_idx.c: the IDX reader and writer (encoders/idx.c). Fashion-MNIST from Debian's
 * dataset-fashion-mnist must decompress to the SHA-256 sums published in ../shared/specs/data.md §3.2
 * (header rebuilt from the decoded dimensions, then every decoded byte), with the class counts and
 * first labels of §3.2; hand-built raw and gzip'd files round-trip; and every malformed input gives
 * SQ_EFORMAT with a message naming the file, the field and the byte offset. */
#include <check.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "encoders/idx.h"
#include "run_suite.h"
#include "tmp_fixture.h"

#define FMNIST "/usr/share/datasets/fashion-mnist/"

/* SHA-256 of the raw IDX file our decoder implies: the header rebuilt from ndim and dims, then the data. */
static void sha256_of_decoded(const sq_idx_array *a, char hex[65])
{
    uint8_t hdr[4 + 4 * SQ_IDX_MAX_DIMS], md[32];
    hdr[0] = hdr[1] = 0;
    hdr[2] = 0x08;
    hdr[3] = a->ndim;
    for (unsigned d = 0; d < a->ndim; d++)
        for (unsigned b = 0; b < 4; b++)
            hdr[4 + 4 * d + b] = (uint8_t)(a->dims[d] >> (24 - 8 * b));
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    ck_assert(EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1);
    ck_assert(EVP_DigestUpdate(c, hdr, 4 + 4u * a->ndim) == 1);
    ck_assert(EVP_DigestUpdate(c, a->data, a->size) == 1);
    unsigned len = 0;
    ck_assert(EVP_DigestFinal_ex(c, md, &len) == 1);
    EVP_MD_CTX_free(c);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void check_sha(const char *file, const char *want)
{
    sq_idx_array a;
    sq_err err = {0};
    int rc = sq_idx_read(file, &a, &err);
    ck_assert_msg(rc == 0, "%s (is dataset-fashion-mnist installed? ./run build installs it)", err.msg);
    char hex[65];
    sha256_of_decoded(&a, hex);
    ck_assert_str_eq(hex, want);
    sq_idx_array_free(&a);
}

START_TEST(fashion_mnist_files_decompress_to_the_published_sha256_sums)
{
    check_sha(FMNIST "train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888");
    check_sha(FMNIST "train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9");
    check_sha(FMNIST "t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b");
    check_sha(FMNIST "t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");
}
END_TEST

START_TEST(fashion_mnist_has_the_spec_counts_classes_and_pixel_mean)
{
    sq_idx_images im;
    sq_idx_labels tr, te;
    sq_err err = {0};
    ck_assert_msg(sq_idx_read_images(FMNIST "train-images-idx3-ubyte.gz", &im, &err) == 0, "%s", err.msg);
    ck_assert_msg(sq_idx_read_labels(FMNIST "train-labels-idx1-ubyte.gz", &tr, &err) == 0, "%s", err.msg);
    ck_assert_msg(sq_idx_read_labels(FMNIST "t10k-labels-idx1-ubyte.gz", &te, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(im.n, 60000);
    ck_assert_uint_eq(im.rows, 28);
    ck_assert_uint_eq(im.cols, 28);
    ck_assert_uint_eq(tr.n, 60000);
    ck_assert_uint_eq(te.n, 10000);
    static const uint8_t first[8] = {9, 0, 0, 3, 0, 2, 7, 2}; /* data.md §3.2 */
    ck_assert_mem_eq(tr.labels, first, 8);
    unsigned count_tr[256] = {0}, count_te[256] = {0};
    for (uint32_t i = 0; i < tr.n; i++)
        count_tr[tr.labels[i]]++;
    for (uint32_t i = 0; i < te.n; i++)
        count_te[te.labels[i]]++;
    for (unsigned c = 0; c < 10; c++) {
        ck_assert_uint_eq(count_tr[c], 6000);
        ck_assert_uint_eq(count_te[c], 1000);
    }
    double sum = 0;
    uint8_t lo = 255, hi = 0;
    for (size_t i = 0; i < (size_t)im.n * 28 * 28; i++) {
        sum += im.pixels[i];
        lo = im.pixels[i] < lo ? im.pixels[i] : lo;
        hi = im.pixels[i] > hi ? im.pixels[i] : hi;
    }
    ck_assert_uint_eq(lo, 0);
    ck_assert_uint_eq(hi, 255);
    ck_assert_double_eq_tol(sum / ((double)im.n * 28 * 28), 72.94, 0.005); /* §3.2 gives 2 decimals */
    sq_idx_images_free(&im);
    sq_idx_labels_free(&tr);
    sq_idx_labels_free(&te);
}
END_TEST

START_TEST(a_split_reads_images_and_labels_together_and_checks_their_counts)
{
    sq_idx_images im;
    sq_idx_labels lb;
    sq_err err = {0};
    ck_assert_msg(sq_idx_read_split(SQ_FASHION_MNIST_DIR, "t10k", &im, &lb, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(im.n, 10000);
    ck_assert_uint_eq(lb.n, 10000);
    sq_idx_images_free(&im);
    sq_idx_labels_free(&lb);
    /* a raw folder whose label file is short by one */
    char dir[300], p[400];
    sq_tmp_path(dir, sizeof dir, "");
    uint8_t px[2 * 4] = {0}, l1[1] = {3};
    sq_idx_images two = {.n = 2, .rows = 2, .cols = 2, .pixels = px};
    sq_idx_labels one = {.n = 1, .labels = l1};
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte", dir);
    ck_assert_int_eq(sq_idx_write_images(p, &two, 0, &err), 0);
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte", dir);
    ck_assert_int_eq(sq_idx_write_labels(p, &one, 0, &err), 0);
    ck_assert_int_eq(sq_idx_read_split(dir, "train", &im, &lb, &err), SQ_EFORMAT);
    char want[1200];
    snprintf(want, sizeof want, "%s/train-labels-idx1-ubyte: expected 2 labels (as many as %s/train-images-idx3-ubyte "
             "has images), got 1", dir, dir);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(im.pixels);
    ck_assert_ptr_null(lb.labels);
    ck_assert_int_eq(sq_idx_read_split(dir, "t10k", &im, &lb, &err), SQ_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/t10k-images-idx3-ubyte: cannot open: No such file or directory"));
}
END_TEST

/* A 3-image 2x3 fixture with distinct pixel values. */
static sq_idx_images fixture_images(uint8_t *px)
{
    for (unsigned i = 0; i < 18; i++)
        px[i] = (uint8_t)(i * 13 + 1);
    return (sq_idx_images){.n = 3, .rows = 2, .cols = 3, .pixels = px};
}

START_TEST(raw_and_gzip_images_and_labels_written_then_read_are_identical)
{
    uint8_t px[18], lb[5] = {4, 0, 9, 9, 1};
    sq_idx_images im = fixture_images(px), back;
    sq_idx_labels labels = {.n = 5, .labels = lb}, lback;
    sq_err err = {0};
    char p[300];
    for (int gz = 0; gz <= 1; gz++) {
        sq_tmp_path(p, sizeof p, gz ? "im.gz" : "im.idx");
        ck_assert_int_eq(sq_idx_write_images(p, &im, gz, &err), 0);
        ck_assert_msg(sq_idx_read_images(p, &back, &err) == 0, "%s", err.msg);
        ck_assert_uint_eq(back.n, 3);
        ck_assert_uint_eq(back.rows, 2);
        ck_assert_uint_eq(back.cols, 3);
        ck_assert_mem_eq(back.pixels, px, 18);
        sq_idx_images_free(&back);
        sq_tmp_path(p, sizeof p, gz ? "lb.gz" : "lb.idx");
        ck_assert_int_eq(sq_idx_write_labels(p, &labels, gz, &err), 0);
        ck_assert_msg(sq_idx_read_labels(p, &lback, &err) == 0, "%s", err.msg);
        ck_assert_uint_eq(lback.n, 5);
        ck_assert_mem_eq(lback.labels, lb, 5);
        sq_idx_labels_free(&lback);
    }
}
END_TEST

START_TEST(raw_file_has_the_big_endian_layout_of_the_spec)
{
    uint8_t px[18];
    sq_idx_images im = fixture_images(px);
    char p[300];
    sq_err err = {0};
    ck_assert_int_eq(sq_idx_write_images(sq_tmp_path(p, sizeof p, "im.idx"), &im, 0, &err), 0);
    uint8_t want[16 + 18] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3};
    memcpy(want + 16, px, 18);
    uint8_t got[64];
    FILE *f = fopen(p, "rb");
    ck_assert_uint_eq(fread(got, 1, sizeof got, f), sizeof want);
    fclose(f);
    ck_assert_mem_eq(got, want, sizeof want);
}
END_TEST

START_TEST(concatenated_gzip_members_read_as_one_file)
{
    /* `cat a.gz b.gz` is a valid gzip file; the header in one member, the labels in another */
    uint8_t raw[8 + 4] = {0, 0, 8, 1, 0, 0, 0, 4, 7, 6, 5, 4};
    char p[300];
    gzFile g = gzopen(sq_tmp_path(p, sizeof p, "two.gz"), "wb");
    gzwrite(g, raw, 8);
    gzclose(g);
    g = gzopen(p, "ab");
    gzwrite(g, raw + 8, 4);
    gzclose(g);
    sq_idx_labels lb;
    sq_err err = {0};
    ck_assert_msg(sq_idx_read_labels(p, &lb, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(lb.n, 4);
    ck_assert_mem_eq(lb.labels, raw + 8, 4);
    sq_idx_labels_free(&lb);
}
END_TEST

/* Writes bytes (gzip'd when gz) to a fixture and expects the reader to fail with SQ_EFORMAT and msg. */
static void expect_error(const void *bytes, size_t n, int gz, int images, const char *msg)
{
    char p[300];
    sq_tmp_path(p, sizeof p, gz ? "bad.gz" : "bad.idx");
    if (gz) {
        gzFile g = gzopen(p, "wb");
        gzwrite(g, bytes, (unsigned)n);
        gzclose(g);
    } else {
        sq_tmp_write(p, bytes, n);
    }
    char want[600];
    snprintf(want, sizeof want, "%s: %s", p, msg);
    sq_err err = {0};
    sq_idx_images im = {.n = 99};
    sq_idx_labels lb = {.n = 99};
    int rc = images ? sq_idx_read_images(p, &im, &err) : sq_idx_read_labels(p, &lb, &err);
    ck_assert_int_eq(rc, SQ_EFORMAT);
    ck_assert_str_eq(err.msg, want);
    ck_assert_uint_eq(images ? im.n : lb.n, 0); /* zeroed on failure */
}

START_TEST(wrong_magic_numbers_are_rejected_naming_what_was_found)
{
    expect_error("\x00\x00\x09\x01\x00\x00\x00\x00", 8, 0, 0,
                 "magic at byte offset 0: expected element type 0x08 (unsigned byte), got 0x09");
    expect_error("\x50\x4b\x03\x04\x00\x00\x00\x00", 8, 0, 0,
                 "magic at byte offset 0: expected 0x0000TTDD (an IDX file), got 0x504B0304");
    expect_error("\x00\x00\x08\x05", 4, 0, 0, "magic at byte offset 0: expected 1 to 4 dimensions, got 5");
    expect_error("\x00\x00\x08\x01\x00\x00\x00\x00", 8, 1, 1,
                 "magic at byte offset 0: expected 0x00000803 (images: n x rows x cols), got 0x00000801");
    expect_error("\x00\x00\x08\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 16, 0, 0,
                 "magic at byte offset 0: expected 0x00000801 (labels: n), got 0x00000803");
}
END_TEST

START_TEST(truncated_files_are_rejected_naming_the_offset)
{
    expect_error("", 0, 0, 1, "magic: expected 4 bytes at byte offset 0, got 0 (file truncated)");
    expect_error("\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00", 10, 0, 1,
                 "dimension sizes: expected 12 bytes at byte offset 4, got 6 (file truncated)");
    /* gzip'd: 2 labels claimed, 1 present */
    expect_error("\x00\x00\x08\x01\x00\x00\x00\x02\x07", 9, 1, 0,
                 "data: expected 2 bytes at decompressed byte offset 8, got 1 (file truncated)");
    expect_error("\x00\x00\x08\x01\x00\x00\x00\x02\x07\x01\x02", 11, 0, 0,
                 "expected the end of the data at byte offset 10 (the header's dimensions), found more bytes");
    expect_error("\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x05", 16, 0, 1,
                 "dimension sizes at byte offset 8: expected rows and cols > 0, got 0 x 5");
}
END_TEST

START_TEST(absurd_dimensions_are_rejected_before_allocating)
{
    /* 2^31 images of 28 x 28 in a 16-byte file (raw): 1.7 TB claimed, 0 bytes present */
    expect_error("\x00\x00\x08\x03\x80\x00\x00\x00\x00\x00\x00\x1c\x00\x00\x00\x1c", 16, 0, 1,
                 "dimension sizes at byte offset 4: 2147483648 x 28 x 28 = 1683627180032 bytes of data, but the "
                 "file holds at most 0 after the header (file truncated or header corrupt)");
    /* the largest 4-d product does not overflow the check */
    uint8_t big[20] = {0, 0, 8, 4};
    memset(big + 4, 0xff, 16);
    char p[300];
    sq_tmp_write(sq_tmp_path(p, sizeof p, "big.idx"), big, sizeof big);
    sq_idx_array a;
    sq_err err = {0};
    ck_assert_int_eq(sq_idx_read(p, &a, &err), SQ_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, ": dimension sizes at byte offset 4: 4294967295 x 4294967295 x 4294967295 x "
                                          "4294967295 = over 2^63 bytes of data, but the file holds at most 0 "));
}
END_TEST

START_TEST(absurd_dimensions_in_a_gzip_file_are_bounded_by_the_deflate_ratio)
{
    char p[300];
    uint8_t hdr[16] = {0, 0, 8, 3, 0x80, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28};
    gzFile g = gzopen(sq_tmp_path(p, sizeof p, "claim.gz"), "wb");
    gzwrite(g, hdr, 16);
    gzclose(g);
    sq_idx_images im;
    sq_err err = {0};
    ck_assert_int_eq(sq_idx_read_images(p, &im, &err), SQ_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, ": dimension sizes at byte offset 4: 2147483648 x 28 x 28 = 1683627180032 "
                                          "bytes of data, but the file holds at most "));
}
END_TEST

START_TEST(corrupt_gzip_data_is_rejected_naming_the_compressed_offset)
{
    char p[300];
    uint8_t raw[8 + 400] = {0, 0, 8, 1, 0, 0, 1, 0x90};
    for (unsigned i = 0; i < 400; i++)
        raw[8 + i] = (uint8_t)(i * 7 % 10);
    gzFile g = gzopen(sq_tmp_path(p, sizeof p, "c.gz"), "wb");
    gzwrite(g, raw, sizeof raw);
    gzclose(g);
    FILE *f = fopen(p, "r+b");
    fseek(f, -6, SEEK_END); /* inside the CRC-32 of the trailer */
    fputc(0x5a, f);
    fclose(f);
    sq_idx_labels lb;
    sq_err err = {0};
    ck_assert_int_eq(sq_idx_read_labels(p, &lb, &err), SQ_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, ": gzip stream: corrupt data at compressed byte offset "));
    ck_assert_ptr_nonnull(strstr(err.msg, "incorrect data check"));
}
END_TEST

START_TEST(missing_file_is_an_io_error_naming_it)
{
    sq_idx_images im;
    sq_err err = {0};
    ck_assert_int_eq(sq_idx_read_images("/nonexistent/x.idx", &im, &err), SQ_EIO);
    ck_assert_str_eq(err.msg, "/nonexistent/x.idx: cannot open: No such file or directory");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("idx");
    TCase *tc = tcase_create("idx");
    tcase_add_checked_fixture(tc, NULL, sq_tmp_cleanup);
    tcase_add_test(tc, fashion_mnist_files_decompress_to_the_published_sha256_sums);
    tcase_add_test(tc, fashion_mnist_has_the_spec_counts_classes_and_pixel_mean);
    tcase_add_test(tc, a_split_reads_images_and_labels_together_and_checks_their_counts);
    tcase_add_test(tc, raw_and_gzip_images_and_labels_written_then_read_are_identical);
    tcase_add_test(tc, raw_file_has_the_big_endian_layout_of_the_spec);
    tcase_add_test(tc, concatenated_gzip_members_read_as_one_file);
    tcase_add_test(tc, wrong_magic_numbers_are_rejected_naming_what_was_found);
    tcase_add_test(tc, truncated_files_are_rejected_naming_the_offset);
    tcase_add_test(tc, absurd_dimensions_are_rejected_before_allocating);
    tcase_add_test(tc, absurd_dimensions_in_a_gzip_file_are_bounded_by_the_deflate_ratio);
    tcase_add_test(tc, corrupt_gzip_data_is_rejected_naming_the_compressed_offset);
    tcase_add_test(tc, missing_file_is_an_io_error_naming_it);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
