/* tests/test_saccade.c: the moving-image recording of encoders/saccade.c: bilinear rendering against
 * exact cases (a uniform image, whole-pixel shifts), the paths' geometry (closed, constant speed,
 * corners where they belong), the locality of events (data.md §4.3: a 1-px line moved by 1 px makes
 * events in the two touched columns only), and recordings that are deterministic, time-ordered,
 * inside the sensor and inside the path's duration. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "encoders/saccade.h"
#include "run_suite.h"

START_TEST(uniform_image_upscaled_fills_its_square_and_leaves_the_rest_dark)
{
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    uint8_t img[16 * 16];
    memset(img, 255, sizeof img);
    static float f[128 * 128];
    ck_assert_int_eq(sq_saccade_render(&p, img, 16, 16, 0.0, 0.0, f), 0); /* 16 x 4 = 64 px, columns and rows 32 .. 95 */
    for (int v = 0; v < 128; v++)
        for (int u = 0; u < 128; u++) {
            int inside = u >= 34 && u <= 93 && v >= 34 && v <= 93; /* half a source pixel from the edge */
            int outside = u < 30 || u > 97 || v < 30 || v > 97;
            if (inside)
                ck_assert_float_eq(f[v * 128 + u], 1.0f);
            if (outside)
                ck_assert_float_eq(f[v * 128 + u], 0.0f);
        }
}
END_TEST

START_TEST(whole_pixel_shift_moves_the_frame_by_that_many_pixels)
{
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    p.width = p.height = 64;
    p.scale = 2.0;
    uint8_t img[28 * 28];
    for (int i = 0; i < 28 * 28; i++)
        img[i] = (uint8_t)((i * 91) % 256);
    static float a[64 * 64], b[64 * 64];
    ck_assert_int_eq(sq_saccade_render(&p, img, 28, 28, 0.0, 0.0, a), 0);
    ck_assert_int_eq(sq_saccade_render(&p, img, 28, 28, 3.0, -2.0, b), 0);
    for (int v = 0; v < 62; v++)
        for (int u = 3; u < 64; u++)
            ck_assert_float_eq_tol(b[v * 64 + u], a[(v + 2) * 64 + u - 3], 1e-6f);
}
END_TEST

START_TEST(paths_are_closed_and_followed_at_constant_speed)
{
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    p.amplitude = 4.0;
    p.speed = 0.2;
    for (int path = 0; path < 3; path++) {
        p.path = (sq_saccade_path)path;
        double dur = sq_saccade_duration(&p), x0, y0, x1, y1;
        sq_saccade_position(&p, 0.0, &x0, &y0);
        sq_saccade_position(&p, dur, &x1, &y1);
        ck_assert_double_eq_tol(x0, x1, 1e-9);
        ck_assert_double_eq_tol(y0, y1, 1e-9);
        /* Chord between close times equals the arc (speed * dt) except across a corner. */
        int straight = 0;
        for (int k = 0; k < 200; k++) {
            double t = dur * k / 200.0, xa, ya, xb, yb;
            sq_saccade_position(&p, t, &xa, &ya);
            sq_saccade_position(&p, t + 0.01, &xb, &yb);
            double chord = hypot(xb - xa, yb - ya);
            ck_assert_double_le(chord, p.speed * 0.01 + 1e-12);
            straight += fabs(chord - p.speed * 0.01) < 1e-6;
        }
        ck_assert_int_ge(straight, 190);
    }
    p.path = SQ_PATH_SQUARE; /* perimeter 8 A = 32 px: 160 ms; the first corner after 2 A = 40 ms */
    ck_assert_double_eq_tol(sq_saccade_duration(&p), 160.0, 1e-9);
    double x, y;
    sq_saccade_position(&p, 40.0, &x, &y);
    ck_assert_double_eq_tol(x, 4.0, 1e-9);
    ck_assert_double_eq_tol(y, -4.0, 1e-9);
    p.path = SQ_PATH_CIRCLE;
    sq_saccade_position(&p, 17.0, &x, &y);
    ck_assert_double_eq_tol(hypot(x, y), 4.0, 1e-9);
}
END_TEST

START_TEST(one_pixel_line_moved_by_one_pixel_gives_events_only_in_the_two_touched_columns)
{
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    p.width = p.height = 16;
    p.scale = 1.0;
    uint8_t img[16 * 16] = {0};
    for (int v = 0; v < 16; v++)
        img[v * 16 + 5] = 255;
    sq_emulator *e = NULL;
    ck_assert_int_eq(sq_emulator_create(16, 16, &p.pixel, &e, NULL), 0);
    float f[256];
    ck_assert_int_eq(sq_saccade_render(&p, img, 16, 16, 0.0, 0.0, f), 0);
    sq_emulator_reset(e, f, 0.0);
    sq_dvs_stream s = {0};
    for (int k = 1; k <= 20; k++) {
        ck_assert_int_eq(sq_saccade_render(&p, img, 16, 16, k / 20.0, 0.0, f), 0);
        ck_assert_int_eq(sq_emulator_step(e, f, k * 1000.0, &s, NULL), 0);
    }
    size_t on = 0, off = 0;
    for (size_t k = 0; k < s.n; k++) {
        ck_assert(s.ev[k].x == 5 || s.ev[k].x == 6);
        ck_assert_int_eq(s.ev[k].p, s.ev[k].x == 6); /* the line leaves column 5 and enters column 6 */
        on += s.ev[k].p;
        off += !s.ev[k].p;
    }
    ck_assert_uint_gt(on, 16 * 20);
    ck_assert_uint_gt(off, 16 * 20);
    sq_dvs_stream_free(&s);
    sq_emulator_destroy(e);
}
END_TEST

static void disc(uint8_t *img)
{
    for (int v = 0; v < 28; v++)
        for (int u = 0; u < 28; u++)
            img[v * 28 + u] = hypot(u - 13.5, v - 13.5) < 9.0 ? 200 : 0;
}

/* Field by field: the struct has padding bytes that memcmp would compare. */
static int same_events(const sq_dvs_stream *a, const sq_dvs_stream *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t k = 0; k < a->n; k++) {
        const sq_dvs_event *x = &a->ev[k], *y = &b->ev[k];
        if (x->t != y->t || x->x != y->x || x->y != y->y || x->p != y->p)
            return 0;
    }
    return 1;
}

static size_t record(const sq_saccade_params *p, const uint8_t *img, sq_dvs_stream *s)
{
    sq_saccade *sc = NULL;
    sq_err err = {0};
    ck_assert_msg(sq_saccade_create(p, 28, 28, &sc, &err) == 0, "%s", err.msg);
    ck_assert_msg(sq_saccade_record(sc, img, s, &err) == 0, "%s", err.msg);
    sq_saccade_destroy(sc);
    return s->n;
}

START_TEST(recording_is_deterministic_time_ordered_and_inside_sensor_and_duration)
{
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    uint8_t img[28 * 28];
    disc(img);
    sq_dvs_stream a = {0}, b = {0};
    record(&p, img, &a);
    record(&p, img, &b);
    ck_assert_uint_gt(a.n, 1000);
    ck_assert(same_events(&a, &b));
    ck_assert_uint_eq(a.width, 128);
    double dur_us = sq_saccade_duration(&p) * 1000.0;
    size_t on = 0;
    for (size_t k = 0; k < a.n; k++) {
        ck_assert(a.ev[k].t > 0 && a.ev[k].t <= dur_us);
        ck_assert(k == 0 || a.ev[k].t >= a.ev[k - 1].t);
        ck_assert(a.ev[k].x < 128 && a.ev[k].y < 128);
        on += a.ev[k].p;
    }
    /* A closed path brings every pixel back: ON and OFF nearly balance. */
    ck_assert_double_lt(fabs((double)on / a.n - 0.5), 0.1);
    p.pixel.seed = 9; /* another sensor: another mismatch, other events */
    sq_dvs_stream c = {0};
    record(&p, img, &c);
    ck_assert(!same_events(&a, &c));
    sq_dvs_stream_free(&a);
    sq_dvs_stream_free(&b);
    sq_dvs_stream_free(&c);
}
END_TEST

/* A 60 Hz monitor: the image moves only at t_k = k / 60 s, so every event falls in a frame
 * interval (1000 j, 1000 (j + 1)] us that contains some t_k (the only ones whose two frames differ),
 * to the rounding of timestamps to whole us. */
START_TEST(monitor_refresh_confines_events_to_the_frames_around_each_refresh)
{
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    p.refresh = 60.0;
    uint8_t img[28 * 28];
    disc(img);
    sq_dvs_stream s = {0};
    ck_assert_uint_gt(record(&p, img, &s), 1000);
    double period_us = 1e6 / 60.0;
    for (size_t k = 0; k < s.n; k++) {
        int ok = 0;
        for (int d = -1; d <= 1; d += 2) { /* the timestamp is rounded to the us: either side of it */
            double t = (double)s.ev[k].t + 0.5 * d;
            long j = (long)ceil(t / 1000.0) - 1;
            long r = (long)floor(1000.0 * (double)(j + 1) / period_us + 1e-9); /* the last refresh by the end */
            ok |= (double)r * period_us > 1000.0 * (double)j - 1e-6;
        }
        ck_assert_msg(ok, "event at %lld us", (long long)s.ev[k].t);
    }
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(still_image_gives_no_events)
{
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    p.speed = 0.0;
    uint8_t img[28 * 28];
    disc(img);
    sq_dvs_stream s = {0};
    ck_assert_uint_eq(record(&p, img, &s), 0);
    sq_dvs_stream_free(&s);
}
END_TEST

START_TEST(too_many_events_and_bad_parameters_are_errors_naming_the_field)
{
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    p.max_events = 100;
    uint8_t img[28 * 28];
    disc(img);
    sq_saccade *sc = NULL;
    sq_err err = {0};
    ck_assert_int_eq(sq_saccade_create(&p, 28, 28, &sc, &err), 0);
    sq_dvs_stream s = {0};
    ck_assert_int_eq(sq_saccade_record(sc, img, &s, &err), SQ_ERANGE);
    ck_assert_msg(strncmp(err.msg, "emulator: expected at most max_events = 100 events a recording, got ", 68) == 0,
                  "%s", err.msg);
    sq_saccade_destroy(sc);
    sq_dvs_stream_free(&s);
    sq_saccade_params_default(&p);
    p.speed = -1.0;
    ck_assert_int_eq(sq_saccade_create(&p, 28, 28, &sc, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "emulator.speed: expected a number in [0, 1000] px/ms, got -1");
    ck_assert_ptr_null(sc);
    sq_saccade_params_default(&p);
    p.step = 1e-3;
    p.repeats = 1000;
    ck_assert_int_eq(sq_saccade_create(&p, 28, 28, &sc, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "emulator: expected at most 1e7 frames a recording (duration / step), got 2.4e+08");
    ck_assert_int_eq(sq_saccade_path_find("circle"), SQ_PATH_CIRCLE);
    ck_assert_int_eq(sq_saccade_path_find("zigzag"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("saccade");
    TCase *tc = tcase_create("saccade");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, uniform_image_upscaled_fills_its_square_and_leaves_the_rest_dark);
    tcase_add_test(tc, whole_pixel_shift_moves_the_frame_by_that_many_pixels);
    tcase_add_test(tc, paths_are_closed_and_followed_at_constant_speed);
    tcase_add_test(tc, one_pixel_line_moved_by_one_pixel_gives_events_only_in_the_two_touched_columns);
    tcase_add_test(tc, recording_is_deterministic_time_ordered_and_inside_sensor_and_duration);
    tcase_add_test(tc, monitor_refresh_confines_events_to_the_frames_around_each_refresh);
    tcase_add_test(tc, still_image_gives_no_events);
    tcase_add_test(tc, too_many_events_and_bad_parameters_are_errors_naming_the_field);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
