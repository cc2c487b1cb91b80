/* tests/test_dvs_emulator.c: the ESIM/v2e pixel model of encoders/dvs_emulator.c against closed forms.
 * With L(t) = ln(eps + I(t)) linear in time, the k-th ON crossing is at t_k = k C / b exactly (b the
 * slope), whatever the frame times, because the model interpolates L linearly between frames;
 * timestamps are whole microseconds, so they are compared with round(t_k) to +-1 us (the float32
 * intensities move L by ~1e-7, i.e. ~1e-3 us at these slopes). A step from I0 to I1 gives
 * floor(ln((eps + I1) / (eps + I0)) / C) events per pixel, exactly. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "encoders/dvs_emulator.h"
#include "run_suite.h"

static sq_emulator_params ideal(void)
{
    sq_emulator_params p;
    sq_emulator_params_default(&p);
    p.sigma = 0.0;
    return p;
}

static sq_emulator *make(uint16_t w, uint16_t h, const sq_emulator_params *p)
{
    sq_emulator *e = NULL;
    sq_err err = {0};
    int rc = sq_emulator_create(w, h, p, &e, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    return e;
}

static void fill(float *f, size_t n, float v)
{
    for (size_t i = 0; i < n; i++)
        f[i] = v;
}

START_TEST(static_scene_gives_no_events)
{
    sq_emulator_params p;
    sq_emulator_params_default(&p); /* with threshold mismatch */
    sq_emulator *e = make(32, 32, &p);
    float f[32 * 32];
    for (size_t i = 0; i < 32 * 32; i++)
        f[i] = (float)((i * 37) % 256) / 255.0f;
    sq_emulator_reset(e, f, 0.0);
    sq_dvs_stream s = {0};
    for (int k = 1; k <= 50; k++)
        ck_assert_int_eq(sq_emulator_step(e, f, k * 1000.0, &s, NULL), 0);
    ck_assert_uint_eq(s.n, 0);
    sq_dvs_stream_free(&s);
    sq_emulator_destroy(e);
}
END_TEST

/* One pixel whose log intensity rises linearly from ln(eps + 0.05) to ln(eps + 0.9) over 10 ms,
 * sampled at irregular frame times (or at the two ends only): the ON events are at k C / b. */
static void ramp_events(const double *frame_t, int n_frames, sq_dvs_stream *s, double *b_out, double *l0_out)
{
    sq_emulator_params p = ideal();
    sq_emulator *e = make(1, 1, &p);
    double l0 = log(p.eps + 0.05), l1 = log(p.eps + 0.9), T = 10000.0, b = (l1 - l0) / T;
    for (int k = 0; k < n_frames; k++) {
        float f = (float)(exp(l0 + b * frame_t[k]) - p.eps);
        if (k == 0)
            sq_emulator_reset(e, &f, frame_t[0]);
        else
            ck_assert_int_eq(sq_emulator_step(e, &f, frame_t[k], s, NULL), 0);
    }
    *b_out = b;
    *l0_out = l0;
    sq_emulator_destroy(e);
}

START_TEST(brightening_pixel_fires_on_events_at_the_log_threshold_crossings)
{
    const double fine[] = {0, 700, 1900, 3100, 3150, 5000, 6400, 8000, 9999, 10000};
    const double coarse[] = {0, 10000};
    for (int pass = 0; pass < 2; pass++) {
        sq_dvs_stream s = {0};
        double b, l0;
        ramp_events(pass ? coarse : fine, pass ? 2 : 10, &s, &b, &l0);
        int k_max = (int)floor((b * 10000.0) / 0.2); /* ln(0.901 / 0.051) / 0.2 = 14.36 -> 14 */
        ck_assert_int_eq(k_max, 14);
        ck_assert_uint_eq(s.n, (size_t)k_max);
        for (int k = 1; k <= k_max; k++) {
            double t_k = k * 0.2 / b;
            ck_assert_int_eq(s.ev[k - 1].p, 1);
            ck_assert_msg(llabs(s.ev[k - 1].t - llround(t_k)) <= 1, "crossing %d: %lld us, closed form %.3f us", k,
                          (long long)s.ev[k - 1].t, t_k);
        }
        sq_dvs_stream_free(&s);
    }
}
END_TEST

START_TEST(event_counts_scale_with_the_log_contrast)
{
    sq_emulator_params p = ideal();
    const float i0 = 0.1f;
    const float i1[] = {0.12f, 0.2f, 0.35f, 0.6f, 1.0f, 0.05f, 0.01f, 0.0f};
    for (size_t c = 0; c < SQ_COUNT(i1); c++) {
        sq_emulator *e = make(4, 4, &p);
        float f[16];
        fill(f, 16, i0);
        sq_emulator_reset(e, f, 0.0);
        fill(f, 16, i1[c]);
        sq_dvs_stream s = {0};
        ck_assert_int_eq(sq_emulator_step(e, f, 1000.0, &s, NULL), 0);
        double dl = log(p.eps + (double)i1[c]) - log(p.eps + (double)i0);
        size_t per_pixel = (size_t)floor(fabs(dl) / 0.2);
        ck_assert_uint_eq(s.n, 16 * per_pixel);
        for (size_t k = 0; k < s.n; k++)
            ck_assert_int_eq(s.ev[k].p, dl > 0 ? 1 : 0);
        sq_dvs_stream_free(&s);
        sq_emulator_destroy(e);
    }
}
END_TEST

/* v2e's lin_log: linear below 20 (of 255), logarithmic above; from black the counts are
 * floor(L(255 I) / C) with L(0) = 0. */
START_TEST(lin_log_pixels_count_crossings_of_the_linear_then_logarithmic_curve)
{
    sq_emulator_params p = ideal();
    p.lin_log = 1;
    const float i1[] = {1.0f, 10.0f / 255.0f, 20.0f / 255.0f, 100.0f / 255.0f};
    const double want_l[] = {log(255.0), 10.0 * log(20.0) / 20.0, log(20.0), log(100.0)};
    for (size_t c = 0; c < SQ_COUNT(i1); c++) {
        sq_emulator *e = make(2, 2, &p);
        float f[4] = {0};
        sq_emulator_reset(e, f, 0.0);
        fill(f, 4, i1[c]);
        sq_dvs_stream s = {0};
        ck_assert_int_eq(sq_emulator_step(e, f, 1000.0, &s, NULL), 0);
        ck_assert_uint_eq(s.n, 4 * (size_t)floor(want_l[c] / 0.2 + 1e-9));
        sq_dvs_stream_free(&s);
        sq_emulator_destroy(e);
    }
}
END_TEST

START_TEST(per_pixel_thresholds_give_floor_of_contrast_over_each_pixels_threshold)
{
    sq_emulator_params p;
    sq_emulator_params_default(&p);
    p.seed = 77;
    sq_emulator *e = make(16, 16, &p);
    float f[256];
    fill(f, 256, 0.02f);
    sq_emulator_reset(e, f, 0.0);
    fill(f, 256, 0.8f);
    sq_dvs_stream s = {0};
    ck_assert_int_eq(sq_emulator_step(e, f, 5000.0, &s, NULL), 0);
    size_t count[256] = {0};
    for (size_t k = 0; k < s.n; k++)
        count[s.ev[k].y * 16 + s.ev[k].x]++;
    double dl = log(p.eps + 0.8f) - log(p.eps + 0.02f);
    for (uint16_t i = 0; i < 256; i++) {
        double on, off;
        sq_emulator_thresholds(e, i % 16, i / 16, &on, &off);
        ck_assert_uint_eq(count[i], (size_t)floor(dl / on));
    }
    sq_dvs_stream_free(&s);
    sq_emulator_destroy(e);
}
END_TEST

/* 5 standard errors on the mean (sigma / sqrt(n)) and on the std (sigma / sqrt(2 n)) of 16,384 draws. */
START_TEST(threshold_mismatch_has_the_requested_mean_and_spread_and_follows_the_seed)
{
    sq_emulator_params p;
    sq_emulator_params_default(&p);
    sq_emulator *a = make(128, 128, &p), *b = make(128, 128, &p);
    p.seed = 2;
    sq_emulator *c = make(128, 128, &p);
    double sum = 0, sum2 = 0;
    int same = 1, differ = 0;
    for (uint16_t y = 0; y < 128; y++)
        for (uint16_t x = 0; x < 128; x++) {
            double on, off, on2, off2, on3, off3;
            sq_emulator_thresholds(a, x, y, &on, &off);
            sq_emulator_thresholds(b, x, y, &on2, &off2);
            sq_emulator_thresholds(c, x, y, &on3, &off3);
            same &= on == on2 && off == off2;
            differ += on != on3;
            sum += on;
            sum2 += on * on;
        }
    double n = 128.0 * 128.0, mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
    ck_assert(same);
    ck_assert_int_gt(differ, 16000);
    ck_assert_double_eq_tol(mean, 0.2, 5 * 0.03 / sqrt(n));
    ck_assert_double_eq_tol(sd, 0.03, 5 * 0.03 / sqrt(2 * n));
    sq_emulator_destroy(a);
    sq_emulator_destroy(b);
    sq_emulator_destroy(c);
}
END_TEST

/* Crossings every D = C / b us; with a refractory period of 2.5 D only every third is emitted, but
 * the reference still follows all of them, so a later static frame adds nothing. */
START_TEST(refractory_period_drops_events_but_the_reference_still_moves)
{
    sq_emulator_params p = ideal();
    double l0 = log(p.eps + 0.05f), l1 = log(p.eps + 0.9f), b = (l1 - l0) / 10000.0, d = 0.2 / b;
    p.refractory_us = 2.5 * d;
    sq_emulator *e = make(1, 1, &p);
    float f = 0.05f;
    sq_emulator_reset(e, &f, 0.0);
    f = 0.9f;
    sq_dvs_stream s = {0};
    ck_assert_int_eq(sq_emulator_step(e, &f, 10000.0, &s, NULL), 0);
    const int want[] = {1, 4, 7, 10, 13};
    ck_assert_uint_eq(s.n, SQ_COUNT(want));
    for (size_t k = 0; k < s.n; k++)
        ck_assert(llabs(s.ev[k].t - llround(want[k] * d)) <= 1);
    for (size_t k = 1; k < s.n; k++)
        ck_assert_double_ge((double)(s.ev[k].t - s.ev[k - 1].t) + 1.0, p.refractory_us);
    /* Back down over 10 s (OFF crossings ~700 ms apart, far beyond the refractory period): the
     * reference sits at l0 + 14 C, so 14 OFF events, not the 13 it would give had it stopped at
     * the last emitted crossing. */
    f = 0.05f;
    ck_assert_int_eq(sq_emulator_step(e, &f, 1e7, &s, NULL), 0);
    ck_assert_uint_eq(s.n, SQ_COUNT(want) + 14);
    for (size_t k = SQ_COUNT(want); k < s.n; k++)
        ck_assert_int_eq(s.ev[k].p, 0);
    sq_dvs_stream_free(&s);
    sq_emulator_destroy(e);
}
END_TEST

START_TEST(events_of_one_frame_are_sorted_by_time_then_row_then_column)
{
    sq_emulator_params p;
    sq_emulator_params_default(&p);
    sq_emulator *e = make(8, 8, &p);
    float f[64];
    for (int i = 0; i < 64; i++)
        f[i] = (float)(i % 7) / 10.0f;
    sq_emulator_reset(e, f, 0.0);
    for (int i = 0; i < 64; i++)
        f[i] = 1.0f - (float)(i % 5) / 6.0f;
    sq_dvs_stream s = {0};
    ck_assert_int_eq(sq_emulator_step(e, f, 3000.0, &s, NULL), 0);
    ck_assert_uint_gt(s.n, 100);
    for (size_t k = 1; k < s.n; k++) {
        const sq_dvs_event *a = &s.ev[k - 1], *b = &s.ev[k];
        int ordered = a->t < b->t || (a->t == b->t && (a->y < b->y || (a->y == b->y && a->x <= b->x)));
        ck_assert(ordered);
        ck_assert(b->t > 0 && b->t <= 3000);
    }
    sq_dvs_stream_free(&s);
    sq_emulator_destroy(e);
}
END_TEST

START_TEST(bad_parameters_and_frame_times_are_errors_naming_the_field)
{
    sq_emulator_params p;
    sq_emulator_params_default(&p);
    p.c_on = -1.0;
    sq_emulator *e = (sq_emulator *)&e;
    sq_err err = {0};
    ck_assert_int_eq(sq_emulator_create(8, 8, &p, &e, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "emulator.c_on: expected a number in [0.001, 100], got -1");
    ck_assert_ptr_null(e);
    sq_emulator_params_default(&p);
    p.eps = NAN;
    ck_assert_int_eq(sq_emulator_create(8, 8, &p, &e, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "emulator.eps: expected a number in [1e-06, 1], got nan");
    sq_emulator_params_default(&p);
    ck_assert_int_eq(sq_emulator_create(0, 8, &p, &e, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "emulator: sensor: expected 1 to 4096 pixels a side, got 0 x 8");
    e = make(2, 2, &p);
    float f[4] = {0};
    sq_emulator_reset(e, f, 1000.0);
    sq_dvs_stream s = {0};
    ck_assert_int_eq(sq_emulator_step(e, f, 1000.0, &s, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "emulator: frame time: expected more than the previous frame's 1000 us (and less than "
                              "1e9 us after it), got 1000");
    sq_emulator_destroy(e);
    /* Black to white is 34 crossings a pixel: 136 for 4 pixels, more than a limit of 100. */
    p.max_frame_events = 100;
    e = make(2, 2, &p);
    sq_emulator_reset(e, f, 0.0);
    fill(f, 4, 1.0f);
    ck_assert_int_eq(sq_emulator_step(e, f, 1000.0, &s, &err), SQ_ERANGE);
    ck_assert_str_eq(err.msg, "emulator: expected at most max_frame_events = 100 events in one frame interval, got "
                              "more (lower the contrast, raise the thresholds or shorten the step)");
    ck_assert_uint_eq(s.n, 0);
    sq_emulator_destroy(e);
    sq_dvs_stream_free(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dvs_emulator");
    TCase *tc = tcase_create("pixel model");
    tcase_add_test(tc, static_scene_gives_no_events);
    tcase_add_test(tc, brightening_pixel_fires_on_events_at_the_log_threshold_crossings);
    tcase_add_test(tc, event_counts_scale_with_the_log_contrast);
    tcase_add_test(tc, per_pixel_thresholds_give_floor_of_contrast_over_each_pixels_threshold);
    tcase_add_test(tc, lin_log_pixels_count_crossings_of_the_linear_then_logarithmic_curve);
    tcase_add_test(tc, threshold_mismatch_has_the_requested_mean_and_spread_and_follows_the_seed);
    tcase_add_test(tc, refractory_period_drops_events_but_the_reference_still_moves);
    tcase_add_test(tc, events_of_one_frame_are_sorted_by_time_then_row_then_column);
    tcase_add_test(tc, bad_parameters_and_frame_times_are_errors_naming_the_field);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
