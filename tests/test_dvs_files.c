/* tests/test_dvs_files.c: the CIFAR10-DVS (AEDAT 2.0) and N-MNIST readers and writers
 * (encoders/aedat.c, encoders/nmnist.c). The spec's test vectors (../shared/specs/data.md §2.2:
 * address 0x1415 at 1000 us -> SpikingJelly's x 107, y 117, OFF; §2.3: 05 07 80 03 E8 -> x 5, y 7,
 * ON, 1000 us), SpikingJelly's header rule, special events, N-MNIST overflow markers, exact round
 * trips over every pixel and polarity, and every error path (code and message). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "encoders/dvs_events.h"
#include "run_suite.h"
#include "tmp_fixture.h"

static sq_dvs_stream read_aedat_bytes(const void *bytes, size_t n)
{
    char p[300];
    sq_tmp_write(sq_tmp_path(p, sizeof p, "v.aedat"), bytes, n);
    sq_dvs_stream s;
    sq_err err = {0};
    ck_assert_msg(sq_aedat_read(p, &s, &err) == 0, "%s", err.msg);
    return s;
}

START_TEST(aedat_test_vector_0x1415_decodes_to_spikingjellys_x107_y117_off)
{
    static const char file[] = "#!AER-DAT2.0\r\n# x\r\n\x00\x00\x14\x15\x00\x00\x03\xE8";
    sq_dvs_stream s = read_aedat_bytes(file, sizeof file - 1);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(s.width, 128);
    ck_assert_uint_eq(s.height, 128);
    ck_assert_int_eq(s.ev[0].t, 1000);
    ck_assert_uint_eq(s.ev[0].x, 107); /* 127 - y_raw(20) */
    ck_assert_uint_eq(s.ev[0].y, 117); /* 127 - x_raw(10) */
    ck_assert_uint_eq(s.ev[0].p, 0);   /* p_raw 1 is OFF */
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(aedat_writer_encodes_the_test_vector_back_to_its_bytes)
{
    sq_dvs_event e = {.t = 1000, .x = 107, .y = 117, .p = 0};
    sq_dvs_stream s = {.ev = &e, .n = 1, .cap = 1, .width = 128, .height = 128};
    char p[300];
    sq_err err = {0};
    ck_assert_int_eq(sq_aedat_write(sq_tmp_path(p, sizeof p, "w.aedat"), &s, &err), 0);
    uint8_t buf[1024];
    FILE *f = fopen(p, "rb");
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert_uint_gt(n, 8);
    ck_assert_mem_eq(buf + n - 8, "\x00\x00\x14\x15\x00\x00\x03\xE8", 8);
    ck_assert_uint_eq(sq_aedat_header_length(buf, n), n - 8);
    ck_assert_mem_eq(buf, "#!AER-DAT2.0\r\n", 14);
}
END_TEST

START_TEST(aedat_header_follows_spikingjellys_line_rule)
{
    /* whole lines up to LF; leading blanks allowed; LF-only lines count */
    ck_assert_uint_eq(sq_aedat_header_length((const uint8_t *)"#a\n  #b\r\n\x00\x01", 11), 9);
    /* a blank line ends the header (SJ: empty stripped line) */
    ck_assert_uint_eq(sq_aedat_header_length((const uint8_t *)"#a\n\r\n#b\n", 8), 3);
    /* a line that is not UTF-8 ends it (SJ: UnicodeDecodeError), even if it starts with '#' */
    ck_assert_uint_eq(sq_aedat_header_length((const uint8_t *)"#a\n#\xff\n", 6), 3);
    /* U+00A0 (no-break space, C2 A0) is white space to Python's strip */
    ck_assert_uint_eq(sq_aedat_header_length((const uint8_t *)"\xc2\xa0#a\n\x00", 6), 5);
    /* an overlong encoding is not valid UTF-8 */
    ck_assert_uint_eq(sq_aedat_header_length((const uint8_t *)"#\xc0\x80\n", 4), 0);
    /* a last header line without LF takes the rest of the file */
    ck_assert_uint_eq(sq_aedat_header_length((const uint8_t *)"#a\n#b", 5), 5);
    ck_assert_uint_eq(sq_aedat_header_length((const uint8_t *)"", 0), 0);
}
END_TEST

START_TEST(aedat_without_header_and_empty_aedat_read)
{
    sq_dvs_stream s = read_aedat_bytes("\x00\x00\x00\x00\xff\xff\xff\xff", 8);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(s.ev[0].t, 4294967295LL); /* unsigned 32-bit timestamps */
    ck_assert_uint_eq(s.ev[0].x, 127);
    ck_assert_uint_eq(s.ev[0].y, 127);
    ck_assert_uint_eq(s.ev[0].p, 1);
    sq_dvs_stream_free(&s);
    s = read_aedat_bytes("#!AER-DAT2.0\r\n", 14);
    ck_assert_uint_eq(s.n, 0);
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(aedat_special_events_are_kept_by_default_and_dropped_on_request)
{
    /* bit 15 (external) on the first, bit 31 on the second, a plain event last */
    static const uint8_t body[24] = {0x00, 0x00, 0x94, 0x15, 0, 0, 0, 1, 0x80, 0x00, 0x14, 0x15, 0, 0, 0, 2,
                                     0x00, 0x00, 0x00, 0x02, 0, 0, 0, 3};
    sq_dvs_stream s;
    sq_err err = {0};
    ck_assert_int_eq(sq_aedat_decode(body, sizeof body, "mem", 0, &s, &err), 0);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_uint_eq(s.ev[0].x, 107); /* the masks ignore bit 15 */
    ck_assert_uint_eq(s.ev[1].y, 117);
    sq_dvs_stream_free(&s);
    ck_assert_int_eq(sq_aedat_decode(body, sizeof body, "mem", SQ_AEDAT_DROP_SPECIAL, &s, &err), 0);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(s.ev[0].t, 3);
    ck_assert_uint_eq(s.ev[0].x, 127);
    ck_assert_uint_eq(s.ev[0].y, 126); /* x_raw 1 */
    ck_assert_uint_eq(s.ev[0].p, 1);
    sq_dvs_stream_free(&s);
}
END_TEST

static int same_events(const sq_dvs_stream *a, const sq_dvs_stream *b)
{
    if (a->n != b->n || a->width != b->width || a->height != b->height)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->ev[i].t != b->ev[i].t || a->ev[i].x != b->ev[i].x || a->ev[i].y != b->ev[i].y ||
            a->ev[i].p != b->ev[i].p)
            return 0;
    return 1;
}

/* Every pixel with both polarities, times spread over the whole range the format allows. */
static sq_dvs_stream every_pixel(uint16_t side, int64_t t_max)
{
    sq_dvs_stream s = {.width = side, .height = side};
    uint64_t lcg = 12345;
    for (uint16_t y = 0; y < side; y++)
        for (uint16_t x = 0; x < side; x++)
            for (uint8_t p = 0; p < 2; p++) {
                lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
                sq_dvs_event e = {.t = (int64_t)((lcg >> 20) % (uint64_t)t_max), .x = x, .y = y, .p = p};
                ck_assert_int_eq(sq_dvs_stream_push(&s, e), 0);
            }
    s.ev[0].t = t_max - 1; /* the largest timestamp too */
    return s;
}

START_TEST(aedat_round_trip_is_exact_for_every_pixel_and_polarity)
{
    sq_dvs_stream s = every_pixel(128, 1LL << 32), back;
    char p[300];
    sq_err err = {0};
    ck_assert_int_eq(sq_aedat_write(sq_tmp_path(p, sizeof p, "rt.aedat"), &s, &err), 0);
    ck_assert_msg(sq_aedat_read(p, &back, &err) == 0, "%s", err.msg);
    ck_assert(same_events(&s, &back));
    sq_dvs_stream_free(&s);
    sq_dvs_stream_free(&back);
}
END_TEST

START_TEST(a_large_recording_round_trips_and_its_stream_still_grows)
{
    /* 300,000 events: past the size where the reader's array is huge-page aligned */
    sq_dvs_stream s = {.width = 128, .height = 128}, back;
    for (size_t i = 0; i < 300000; i++)
        ck_assert_int_eq(sq_dvs_stream_push(&s, (sq_dvs_event){.t = (int64_t)(i * 3), .x = (uint16_t)(i % 128),
                                                              .y = (uint16_t)(i / 128 % 128), .p = (uint8_t)(i & 1)}), 0);
    char p[300];
    sq_err err = {0};
    ck_assert_int_eq(sq_aedat_write(sq_tmp_path(p, sizeof p, "big.aedat"), &s, &err), 0);
    ck_assert_msg(sq_aedat_read(p, &back, &err) == 0, "%s", err.msg);
    ck_assert(same_events(&s, &back));
    ck_assert_int_eq(sq_dvs_stream_push(&back, (sq_dvs_event){.t = 1, .x = 2, .y = 3, .p = 1}), 0);
    ck_assert_uint_eq(back.n, 300001);
    ck_assert_uint_eq(back.ev[300000].y, 3);
    ck_assert_int_eq(back.ev[299999].t, 299999 * 3);
    sq_dvs_stream_free(&s);
    sq_dvs_stream_free(&back);
}
END_TEST

START_TEST(nmnist_test_vector_decodes_to_x5_y7_on_at_1000us)
{
    char p[300];
    sq_tmp_write(sq_tmp_path(p, sizeof p, "v.bin"), "\x05\x07\x80\x03\xE8", 5);
    sq_dvs_stream s;
    sq_err err = {0};
    ck_assert_msg(sq_nmnist_read(p, &s, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(s.width, 34);
    ck_assert_uint_eq(s.height, 34);
    ck_assert_uint_eq(s.ev[0].x, 5);
    ck_assert_uint_eq(s.ev[0].y, 7);
    ck_assert_uint_eq(s.ev[0].p, 1);
    ck_assert_int_eq(s.ev[0].t, 1000);
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(nmnist_overflow_marker_adds_2_13_us_to_later_events_and_is_dropped)
{
    static const uint8_t b[15] = {1, 2, 0x00, 0x00, 0x09, 0, 240, 0, 0, 0, 3, 4, 0x7f, 0xff, 0xff};
    sq_dvs_stream s;
    sq_err err = {0};
    ck_assert_int_eq(sq_nmnist_decode(b, sizeof b, "mem", &s, &err), 0);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_int_eq(s.ev[0].t, 9);
    ck_assert_int_eq(s.ev[1].t, 8192 + 8388607);
    ck_assert_uint_eq(s.ev[1].p, 0);
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(nmnist_round_trip_is_exact_for_every_pixel_and_polarity)
{
    sq_dvs_stream s = every_pixel(34, 1LL << 23), back;
    char p[300];
    sq_err err = {0};
    ck_assert_int_eq(sq_nmnist_write(sq_tmp_path(p, sizeof p, "rt.bin"), &s, &err), 0);
    ck_assert_msg(sq_nmnist_read(p, &back, &err) == 0, "%s", err.msg);
    ck_assert(same_events(&s, &back));
    sq_dvs_stream_free(&s);
    sq_dvs_stream_free(&back);
}
END_TEST

START_TEST(partial_records_are_format_errors_naming_the_offset)
{
    char p[300];
    sq_err err = {0};
    sq_dvs_stream s = {.n = 7};
    sq_tmp_write(sq_tmp_path(p, sizeof p, "odd.aedat"), "#h\r\n\x00\x00\x14\x15\x00\x00\x03\xE8\x00\x00\x14", 15);
    ck_assert_int_eq(sq_aedat_read(p, &s, &err), SQ_EFORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s: events: expected 8-byte (address, timestamp) records after the 4-byte header, "
             "got 11 bytes (a partial record at byte offset 12)", p);
    ck_assert_str_eq(err.msg, want);
    ck_assert_uint_eq(s.n, 0);
    sq_tmp_write(sq_tmp_path(p, sizeof p, "odd.bin"), "\x05\x07\x80\x03\xE8\x05\x07", 7);
    ck_assert_int_eq(sq_nmnist_read(p, &s, &err), SQ_EFORMAT);
    snprintf(want, sizeof want, "%s: events: expected 5-byte records, got 7 bytes (a partial record at byte offset 5)", p);
    ck_assert_str_eq(err.msg, want);
}
END_TEST

START_TEST(aedat_of_another_version_is_rejected_naming_the_version_line)
{
    char p[300];
    sq_err err = {0};
    sq_dvs_stream s;
    sq_tmp_write(sq_tmp_path(p, sizeof p, "v31.aedat"), "#!AER-DAT3.1\r\n#!END-HEADER\r\n\x01\x00", 30);
    ck_assert_int_eq(sq_aedat_read(p, &s, &err), SQ_EFORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s: version line at byte offset 0: expected #!AER-DAT2.x (AEDAT 2.0), got "
             "#!AER-DAT3.1", p);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(sq_aedat_decode((const uint8_t *)"#!AER-DAT1.0\n", 13, "m", 0, &s, &err), SQ_EFORMAT);
    ck_assert_str_eq(err.msg, "m: version line at byte offset 0: expected #!AER-DAT2.x (AEDAT 2.0), got #!AER-DAT1.0");
    ck_assert_int_eq(sq_aedat_decode((const uint8_t *)"#!AER-DAT2.0\n", 13, "m", 0, &s, &err), 0);
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(nmnist_address_outside_the_sensor_is_a_format_error_naming_the_offset)
{
    char p[300];
    sq_err err = {0};
    sq_dvs_stream s;
    sq_tmp_write(sq_tmp_path(p, sizeof p, "far.bin"), "\x05\x07\x80\x03\xE8\x22\x00\x00\x00\x01", 10);
    ck_assert_int_eq(sq_nmnist_read(p, &s, &err), SQ_EFORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s: event 1 at byte offset 5: expected x, y < 34 (the N-MNIST sensor), got (34, 0)", p);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(s.ev);
}
END_TEST

START_TEST(writers_reject_events_the_format_cannot_hold)
{
    sq_dvs_event e = {.t = 5, .x = 128, .y = 0, .p = 1};
    sq_dvs_stream s = {.ev = &e, .n = 1, .cap = 1, .width = 128, .height = 128};
    sq_err err = {0};
    ck_assert_int_eq(sq_aedat_write("/tmp/never.aedat", &s, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "/tmp/never.aedat: event 0: expected x, y < 128 and p 0 or 1, got (128, 0, 1)");
    e = (sq_dvs_event){.t = -1, .x = 1};
    ck_assert_int_eq(sq_aedat_write("/tmp/never.aedat", &s, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "/tmp/never.aedat: event 0: expected a timestamp in [0, 2^32) us, got -1");
    s.width = 64;
    ck_assert_int_eq(sq_aedat_write("/tmp/never.aedat", &s, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "/tmp/never.aedat: expected a 128 x 128 (DVS128) stream, got 64 x 128");
    s.width = s.height = 34;
    e = (sq_dvs_event){.t = 1 << 23, .x = 1};
    ck_assert_int_eq(sq_nmnist_write("/tmp/never.bin", &s, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "/tmp/never.bin: event 0: expected x, y < 34, p 0 or 1 and t in [0, 2^23) us, got "
                              "(1, 0, 0, 8388608)");
    ck_assert_int_eq(sq_aedat_read("/nonexistent.aedat", &s, &err), SQ_EIO);
    ck_assert_str_eq(err.msg, "/nonexistent.aedat: cannot open: No such file or directory");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dvs_files");
    TCase *tc = tcase_create("dvs_files");
    tcase_add_checked_fixture(tc, NULL, sq_tmp_cleanup);
    tcase_add_test(tc, aedat_test_vector_0x1415_decodes_to_spikingjellys_x107_y117_off);
    tcase_add_test(tc, aedat_writer_encodes_the_test_vector_back_to_its_bytes);
    tcase_add_test(tc, aedat_header_follows_spikingjellys_line_rule);
    tcase_add_test(tc, aedat_without_header_and_empty_aedat_read);
    tcase_add_test(tc, aedat_special_events_are_kept_by_default_and_dropped_on_request);
    tcase_add_test(tc, aedat_round_trip_is_exact_for_every_pixel_and_polarity);
    tcase_add_test(tc, a_large_recording_round_trips_and_its_stream_still_grows);
    tcase_add_test(tc, nmnist_test_vector_decodes_to_x5_y7_on_at_1000us);
    tcase_add_test(tc, nmnist_overflow_marker_adds_2_13_us_to_later_events_and_is_dropped);
    tcase_add_test(tc, nmnist_round_trip_is_exact_for_every_pixel_and_polarity);
    tcase_add_test(tc, partial_records_are_format_errors_naming_the_offset);
    tcase_add_test(tc, aedat_of_another_version_is_rejected_naming_the_version_line);
    tcase_add_test(tc, nmnist_address_outside_the_sensor_is_a_format_error_naming_the_offset);
    tcase_add_test(tc, writers_reject_events_the_format_cannot_hold);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
