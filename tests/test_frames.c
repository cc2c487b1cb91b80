/* tests/test_frames.c: SpikingJelly's frame integration (encoders/frames.c) against bounds and counts
 * worked out by hand from SJ's rules (../shared/specs/data.md §2.5): split by number (the last frame
 * takes the remainder), split by time (windows of (t[N-1]-t[0]) // T us, first and last event of each
 * window in stream order, empty windows, unsorted times), channel = polarity, and the event-level
 * downsampling of §2.6 (64 = exact 2 x 2 sum of the 128 frames, 48 = bins of 3, 3, 2 pixels). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "encoders/frames.h"
#include "run_suite.h"

static sq_dvs_stream stream_of_times(const int64_t *t, size_t n)
{
    sq_dvs_stream s = {.width = 128, .height = 128};
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(sq_dvs_stream_push(&s, (sq_dvs_event){.t = t[i], .x = (uint16_t)i, .y = 0, .p = 1}), 0);
    return s;
}

static void expect_bounds(const int64_t *t, size_t n, sq_split_by split, uint32_t T, const size_t *want_l,
                          const size_t *want_r)
{
    size_t j_l[16], j_r[16];
    sq_dvs_event ev[32];
    for (size_t i = 0; i < n; i++)
        ev[i] = (sq_dvs_event){.t = t[i]};
    ck_assert_int_eq(sq_dvs_frame_bounds(ev, n, split, T, j_l, j_r, NULL), 0);
    for (uint32_t i = 0; i < T; i++) {
        ck_assert_msg(j_l[i] == want_l[i] && j_r[i] == want_r[i], "frame %u: [%zu, %zu), expected [%zu, %zu)", i,
                      j_l[i], j_r[i], want_l[i], want_r[i]);
    }
}

START_TEST(split_by_number_gives_n_over_t_events_a_frame_and_the_remainder_to_the_last)
{
    int64_t t[10] = {0};
    expect_bounds(t, 10, SQ_SPLIT_NUMBER, 3, (size_t[]){0, 3, 6}, (size_t[]){3, 6, 10});
    expect_bounds(t, 2, SQ_SPLIT_NUMBER, 3, (size_t[]){0, 0, 0}, (size_t[]){0, 0, 2});
    expect_bounds(t, 0, SQ_SPLIT_NUMBER, 2, (size_t[]){0, 0}, (size_t[]){0, 0});
}
END_TEST

START_TEST(split_by_time_uses_integer_windows_from_the_first_event)
{
    /* dt = (200 - 100) // 4 = 25: [100,125) [125,150) [150,175) [175,200), then the last takes 200 */
    int64_t t[8] = {100, 105, 110, 130, 160, 161, 199, 200};
    expect_bounds(t, 8, SQ_SPLIT_TIME, 4, (size_t[]){0, 3, 4, 6}, (size_t[]){3, 4, 6, 8});
    /* dt = (103 - 100) // 2 = 1: [100,101) [101,102); 102 and 103 only through j_r[T-1] = N */
    int64_t u[5] = {100, 100, 101, 102, 103};
    expect_bounds(u, 5, SQ_SPLIT_TIME, 2, (size_t[]){0, 2}, (size_t[]){2, 5});
}
END_TEST

START_TEST(split_by_time_leaves_empty_windows_empty_where_spikingjelly_raises)
{
    /* dt = 25: [0,25) holds 0..2, [25,50) and [50,75) are empty, [75,100) holds 90, then 100 */
    int64_t t[5] = {0, 1, 2, 90, 100};
    expect_bounds(t, 5, SQ_SPLIT_TIME, 4, (size_t[]){0, 3, 3, 3}, (size_t[]){3, 3, 3, 5});
    /* one distinct time: dt = 0, every window empty, the last frame takes all */
    int64_t c[3] = {7, 7, 7};
    expect_bounds(c, 3, SQ_SPLIT_TIME, 3, (size_t[]){0, 0, 0}, (size_t[]){0, 0, 3});
}
END_TEST

START_TEST(split_by_time_on_unsorted_times_takes_first_and_last_index_of_each_window)
{
    /* dt = (30 - 10) // 2 = 10: [10,20) holds index 0 only; [20,30) holds index 2 (t 20) first and
     * last, and j_r[T-1] = N; index 1 (t 50) is in no window and no frame */
    int64_t t[5] = {10, 50, 20, 40, 30};
    expect_bounds(t, 5, SQ_SPLIT_TIME, 2, (size_t[]){0, 2}, (size_t[]){1, 5});
    sq_dvs_stream s = stream_of_times(t, 5);
    sq_dvs_frames f;
    ck_assert_int_eq(sq_dvs_frames_make(&s, SQ_SPLIT_TIME, 2, 128, 128, &f, NULL), 0);
    /* event i sits at x = i, ON: frame 0 has x 0, frame 1 has x 2, 3, 4 */
    const uint32_t *on0 = f.counts + 128 * 128, *on1 = f.counts + 3 * 128 * 128;
    ck_assert_uint_eq(on0[0], 1);
    ck_assert_uint_eq(on0[1], 0);
    ck_assert_uint_eq(on1[1], 0);
    ck_assert_uint_eq(on1[2] + on1[3] + on1[4], 3);
    sq_dvs_frames_free(&f);
    sq_dvs_stream_free(&s);
}
END_TEST

static size_t at(const sq_dvs_frames *f, uint32_t i, uint32_t c, uint32_t x, uint32_t y)
{
    return (((size_t)i * 2 + c) * f->height + y) * f->width + x;
}

START_TEST(counts_go_to_channel_p_row_y_column_x)
{
    sq_dvs_stream s = {.width = 128, .height = 128};
    sq_dvs_event ev[5] = {{0, 3, 5, 0}, {1, 3, 5, 0}, {2, 3, 5, 1}, {3, 127, 0, 1}, {4, 0, 127, 0}};
    for (int i = 0; i < 5; i++)
        sq_dvs_stream_push(&s, ev[i]);
    sq_dvs_frames f;
    sq_err err = {0};
    ck_assert_int_eq(sq_dvs_frames_make(&s, SQ_SPLIT_NUMBER, 2, 128, 128, &f, &err), 0);
    /* frame 0: events 0, 1 (di = 2); frame 1: events 2..4 */
    ck_assert_uint_eq(f.counts[at(&f, 0, 0, 3, 5)], 2);
    ck_assert_uint_eq(f.counts[at(&f, 1, 1, 3, 5)], 1);
    ck_assert_uint_eq(f.counts[at(&f, 1, 1, 127, 0)], 1);
    ck_assert_uint_eq(f.counts[at(&f, 1, 0, 0, 127)], 1);
    uint64_t total = 0;
    for (size_t k = 0; k < (size_t)2 * 2 * 128 * 128; k++)
        total += f.counts[k];
    ck_assert_uint_eq(total, 5);
    sq_dvs_frames_free(&f);
    sq_dvs_stream_free(&s);
}
END_TEST

static sq_dvs_stream random_stream(size_t n)
{
    sq_dvs_stream s = {.width = 128, .height = 128};
    uint64_t lcg = 99;
    for (size_t i = 0; i < n; i++) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        sq_dvs_event e = {.t = (int64_t)(i * 3 + (lcg >> 62)), .x = (uint16_t)(lcg >> 33 & 127),
                          .y = (uint16_t)(lcg >> 41 & 127), .p = (uint8_t)(lcg >> 50 & 1)};
        sq_dvs_stream_push(&s, e);
    }
    return s;
}

START_TEST(downsampling_to_64_is_the_exact_2x2_sum_of_the_128_frames)
{
    sq_dvs_stream s = random_stream(20000);
    sq_dvs_frames full, half;
    for (int split = 0; split < 2; split++) {
        ck_assert_int_eq(sq_dvs_frames_make(&s, (sq_split_by)split, 7, 128, 128, &full, NULL), 0);
        ck_assert_int_eq(sq_dvs_frames_make(&s, (sq_split_by)split, 7, 64, 64, &half, NULL), 0);
        for (uint32_t i = 0; i < 7; i++)
            for (uint32_t c = 0; c < 2; c++)
                for (uint32_t y = 0; y < 64; y++)
                    for (uint32_t x = 0; x < 64; x++) {
                        uint32_t sum = full.counts[at(&full, i, c, 2 * x, 2 * y)] +
                                       full.counts[at(&full, i, c, 2 * x + 1, 2 * y)] +
                                       full.counts[at(&full, i, c, 2 * x, 2 * y + 1)] +
                                       full.counts[at(&full, i, c, 2 * x + 1, 2 * y + 1)];
                        ck_assert_uint_eq(half.counts[at(&half, i, c, x, y)], sum);
                    }
        sq_dvs_frames_free(&full);
        sq_dvs_frames_free(&half);
    }
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(downsampling_to_48_bins_columns_3_3_2_as_floor_of_x_times_0_375)
{
    sq_dvs_stream s = {.width = 128, .height = 128};
    for (uint16_t x = 0; x < 128; x++)
        sq_dvs_stream_push(&s, (sq_dvs_event){.t = x, .x = x, .y = x, .p = 1});
    sq_dvs_frames f;
    ck_assert_int_eq(sq_dvs_frames_make(&s, SQ_SPLIT_NUMBER, 1, 48, 48, &f, NULL), 0);
    /* columns 0-2 -> 0, 3-5 -> 1, 6-7 -> 2, then the pattern repeats every 8 columns (3 bins) */
    for (uint32_t b = 0; b < 48; b++)
        ck_assert_uint_eq(f.counts[at(&f, 0, 1, b, b)], b % 3 == 2 ? 2 : 3);
    sq_dvs_frames_free(&f);
    ck_assert_int_eq(sq_dvs_downsample(&s, 48, 48, NULL), 0);
    ck_assert_uint_eq(s.width, 48);
    ck_assert_uint_eq(s.ev[5].x, 1);
    ck_assert_uint_eq(s.ev[6].x, 2);
    ck_assert_uint_eq(s.ev[8].x, 3);
    ck_assert_uint_eq(s.ev[127].y, 47);
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(bad_frame_requests_are_rejected_with_a_message)
{
    sq_dvs_stream s = random_stream(10);
    sq_dvs_frames f;
    sq_err err = {0};
    ck_assert_int_eq(sq_dvs_frames_make(&s, SQ_SPLIT_NUMBER, 0, 128, 128, &f, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "frames: T: expected at least 1 frame, got 0");
    ck_assert_int_eq(sq_dvs_frames_make(&s, SQ_SPLIT_NUMBER, 2, 256, 128, &f, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "frames: size: expected 1 to 128 x 128 (the sensor), got 256 x 128");
    ck_assert_int_eq(sq_dvs_frames_make(&s, SQ_SPLIT_NUMBER, 100000, 128, 128, &f, &err), SQ_ERANGE);
    ck_assert_str_eq(err.msg, "frames: T x 2 x 128 x 128 = 3276800000 counts: expected at most 2^31");
    s.ev[3] = (sq_dvs_event){.t = s.ev[3].t, .x = 130, .y = 55, .p = 1};
    ck_assert_int_eq(sq_dvs_frames_make(&s, SQ_SPLIT_TIME, 2, 64, 64, &f, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "frames: event 3: expected x < 128, y < 128 and p 0 or 1, got (130, 55, 1)");
    ck_assert_ptr_null(f.counts);
    sq_split_by sp;
    ck_assert_int_eq(sq_split_by_parse("time", &sp), 0);
    ck_assert_int_eq(sp, SQ_SPLIT_TIME);
    ck_assert_int_eq(sq_split_by_parse("frames", &sp), SQ_EINVAL);
    sq_dvs_stream_free(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("frames");
    TCase *tc = tcase_create("frames");
    tcase_add_test(tc, split_by_number_gives_n_over_t_events_a_frame_and_the_remainder_to_the_last);
    tcase_add_test(tc, split_by_time_uses_integer_windows_from_the_first_event);
    tcase_add_test(tc, split_by_time_leaves_empty_windows_empty_where_spikingjelly_raises);
    tcase_add_test(tc, split_by_time_on_unsorted_times_takes_first_and_last_index_of_each_window);
    tcase_add_test(tc, counts_go_to_channel_p_row_y_column_x);
    tcase_add_test(tc, downsampling_to_64_is_the_exact_2x2_sum_of_the_128_frames);
    tcase_add_test(tc, downsampling_to_48_bins_columns_3_3_2_as_floor_of_x_times_0_375);
    tcase_add_test(tc, bad_frame_requests_are_rejected_with_a_message);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
