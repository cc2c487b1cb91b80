/* tests/test_encoders.c: the input encoders of encoders/ called directly, against closed forms:
 * Poisson counts within 5 standard errors of x * max_rate * T (and gaps exponential: P(gap > mean)
 * = 1/e within 5 standard errors), deterministic rate coding at the steps where floor((n+1) x)
 * passes floor(n x) (exact for dyadic intensities), latency times from the formulas to 1e-12 ms,
 * rank order against an independent O(n^2) ranking (exact), DVS replay event for event (lossless)
 * and DVS frames against counts made by hand. The dataset layer: tests/test_encoding.c. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "encoder_fixture.h"
#include "run_suite.h"

START_TEST(poisson_counts_are_within_five_standard_errors_of_intensity_times_max_rate)
{
    const float x[] = {1.0f, 0.5f, 0.25f, 0.0f};
    const double v[] = {100.0}; /* Hz */
    const int samples = 400;
    double count[4] = {0}, gaps = 0, long_gaps = 0;
    for (int s = 0; s < samples; s++) {
        sq_spike_list l = run_image("poisson", v, 1000.0, 5000.0, 3, (uint64_t)s, x, 4);
        double last[4] = {-1, -1, -1, -1};
        for (size_t k = 0; k < l.n; k++) {
            ck_assert(l.t[k] >= 5000.0 && l.t[k] < 6000.0);
            uint32_t i = l.id[k];
            count[i]++;
            if (i == 0 && last[0] >= 0) { /* neuron 0: rate 0.1 / ms, mean gap 10 ms */
                gaps++;
                long_gaps += l.t[k] - last[0] > 10.0;
            }
            last[i] = l.t[k];
        }
        sq_spike_list_free(&l);
    }
    for (int i = 0; i < 4; i++) {
        double lambda = x[i] * 100.0; /* per 1000 ms sample */
        ck_assert_double_eq_tol(count[i] / samples, lambda, 5.0 * sqrt(lambda / samples) + 1e-12);
    }
    double p = exp(-1.0);
    ck_assert_double_eq_tol(long_gaps / gaps, p, 5.0 * sqrt(p * (1 - p) / gaps));
}
END_TEST

START_TEST(poisson_spikes_are_fixed_by_seed_population_sample_and_neuron)
{
    float x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (float)(i + 1) / 8.0f;
    const double v[] = {200.0};
    sq_spike_list a = run_image("poisson", v, 100.0, 0.0, 11, 7, x, 8);
    sq_spike_list b = run_image("poisson", v, 100.0, 300.0, 11, 7, x, 8); /* same sample, elsewhere in time */
    sq_spike_list c = run_image("poisson", v, 100.0, 0.0, 12, 7, x, 8);
    ck_assert_uint_gt(a.n, 50);
    ck_assert_uint_eq(a.n, b.n);
    for (size_t k = 0; k < a.n; k++) {
        ck_assert_uint_eq(a.id[k], b.id[k]);
        ck_assert_double_eq_tol(b.t[k] - 300.0, a.t[k], 1e-9);
    }
    int differ = c.n != a.n;
    for (size_t k = 0; k < a.n && !differ; k++)
        differ = a.t[k] != c.t[k];
    ck_assert(differ);
    sq_spike_list_free(&a);
    sq_spike_list_free(&b);
    sq_spike_list_free(&c);
}
END_TEST

START_TEST(rate_coding_fires_where_the_integrated_intensity_passes_each_threshold)
{
    const float x[] = {1.0f, 0.5f, 0.25f, 0.75f, 0.125f, 0.0f, 0.625f};
    const double v[] = {1.0, 1.0}; /* dt 1 ms, theta 1 */
    sq_spike_list l = run_image("rate", v, 20.0, 40.0, 1, 0, x, 7);
    size_t k = 0;
    for (uint32_t i = 0; i < 7; i++)
        for (int n = 0; n < 20; n++) {
            if (floor((n + 1) * x[i]) == floor(n * x[i]))
                continue; /* exact: dyadic intensities sum without rounding in float32 */
            ck_assert_uint_lt(k, l.n);
            ck_assert_uint_eq(l.id[k], i);
            ck_assert_double_eq(l.t[k], 40.0 + n);
            k++;
        }
    ck_assert_uint_eq(k, l.n);
    /* learning.md §1.1: a pixel of 0.5 spikes every other step, starting at step 1. */
    ck_assert_double_eq(l.t[20], 41.0);
    ck_assert_double_eq(l.t[21], 43.0);
    sq_spike_list_free(&l);
}
END_TEST

START_TEST(rate_coding_of_every_pixel_value_matches_float32_integration)
{
    float x[256];
    for (int p = 0; p < 256; p++)
        x[p] = (float)p / 255.0f;
    const double v[] = {1.0, 1.0};
    sq_spike_list l = run_image("rate", v, 20.0, 0.0, 1, 0, x, 256);
    int count[256] = {0};
    for (size_t k = 0; k < l.n; k++)
        count[l.id[k]]++;
    for (int p = 0; p < 256; p++) {
        /* The reference: PyTorch's float32 recurrence, written out independently. */
        volatile float vm = 0.0f;
        int ref = 0;
        for (int n = 0; n < 20; n++) {
            vm = vm + x[p];
            if (vm >= 1.0f) {
                vm = vm - 1.0f;
                ref++;
            }
        }
        ck_assert_int_eq(count[p], ref);
        ck_assert_int_le(abs(count[p] - (int)floor(20.0 * p / 255.0)), 1);
    }
    sq_spike_list_free(&l);
}
END_TEST

START_TEST(latency_times_follow_the_linear_and_logarithmic_formulas)
{
    const float x[] = {1.0f, 0.8f, 0.5f, 0.1f, 0.0f};
    const double v[] = {0.0, 1.0, 0.0}; /* t_max = sample_time - dt = 19 ms; threshold 0 */
    sq_spike_list lin = run_image("latency", v, 20.0, 100.0, 1, 0, x, 5);
    sq_spike_list lg = run_image("latency_log", v, 20.0, 100.0, 1, 0, x, 5);
    ck_assert_uint_eq(lin.n, 4); /* intensity 0 stays silent */
    ck_assert_uint_eq(lg.n, 4);
    double a = exp(19.0) - 1.0;
    for (size_t k = 0; k < 4; k++) {
        ck_assert_uint_eq(lin.id[k], k);
        ck_assert_double_eq_tol(lin.t[k], 100.0 + 19.0 * (1.0 - x[k]), 1e-12);
        /* SpikingJelly: t_f = (T - 1) - ln(a x + 1), a = e^(T-1) - 1, T = 20 steps of 1 ms. */
        ck_assert_double_eq_tol(lg.t[k], 100.0 + 19.0 - log(a * x[k] + 1.0), 1e-9);
    }
    ck_assert_double_eq_tol(lg.t[0], 100.0, 1e-9);
    const double all[] = {0.0, 1.0, -1.0}; /* threshold -1: every input fires, the dark ones at t_max */
    sq_spike_list every = run_image("latency", all, 20.0, 0.0, 1, 0, x, 5);
    ck_assert_uint_eq(every.n, 5);
    ck_assert_double_eq_tol(every.t[4], 19.0, 1e-12);
    sq_spike_list_free(&lin);
    sq_spike_list_free(&lg);
    sq_spike_list_free(&every);
}
END_TEST

START_TEST(rank_order_fires_inputs_in_decreasing_intensity_dt_apart)
{
    float x[64];
    for (int i = 0; i < 64; i++)
        x[i] = (float)((i * 37) % 11) / 10.0f; /* ties and zeros */
    const double v[] = {0.25, 0.0};
    sq_spike_list l = run_image("rank_order", v, 100.0, 10.0, 1, 0, x, 64);
    uint32_t firing = 0;
    for (int i = 0; i < 64; i++)
        firing += x[i] > 0.0f;
    ck_assert_uint_eq(l.n, firing);
    for (size_t k = 0; k < l.n; k++) {
        uint32_t i = l.id[k], rank = 0;
        for (uint32_t j = 0; j < 64; j++)
            rank += x[j] > x[i] || (x[j] == x[i] && j < i);
        ck_assert_uint_eq(rank, k);
        ck_assert_double_eq_tol(l.t[k], 10.0 + 0.25 * (double)k, 1e-12);
    }
    sq_spike_list_free(&l);
    const double wide[] = {2.0, 0.0}; /* 58 ranks 2 ms apart need 114 ms > 100 ms */
    const sq_encoder *enc = sq_encoder_find("rank_order");
    sq_encode_ctx c = {wide, 100.0, 0.0, 1, 0, 5, "net.json: populations[0].encoder"};
    sq_spike_list m = {.max = 1000};
    sq_err err = {0};
    ck_assert_int_eq(enc->image(&c, x, 64, &m, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.json: populations[0].encoder.dt: sample 5 ranks 58 inputs 2 ms apart, which needs "
                              "114 ms, more than sample_time = 100 ms (lower dt or raise threshold)");
    sq_spike_list_free(&m);
}
END_TEST

static void random_stream(sq_dvs_stream *s, uint16_t w, uint16_t h, size_t n, int64_t t0)
{
    *s = (sq_dvs_stream){.width = w, .height = h};
    int64_t t = t0;
    for (size_t k = 0; k < n; k++) {
        t += (int64_t)((k * 7919) % 13); /* repeated timestamps too */
        sq_dvs_event e = {t, (uint16_t)((k * 31) % w), (uint16_t)((k * 17) % h), (uint8_t)((k * 5) % 3 == 0)};
        ck_assert_int_eq(sq_dvs_stream_push(s, e), 0);
    }
}

START_TEST(dvs_replay_gives_one_spike_per_event_at_its_timestamp_losslessly)
{
    sq_dvs_stream s;
    random_stream(&s, 34, 34, 5000, 123456);
    const sq_encoder *enc = sq_encoder_find("dvs");
    const double v[] = {0.0, 0.0, 1.0}; /* truncate false, size 0, time_scale 1 */
    sq_encode_ctx c = {v, 1000.0, 50.0, 1, 0, 0, "test"};
    sq_spike_list l = {.max = 100000};
    sq_err err = {0};
    ck_assert_msg(enc->stream(&c, &s, 2 * 34 * 34, &l, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(l.n, s.n);
    for (size_t k = 0; k < s.n; k++) {
        const sq_dvs_event *e = &s.ev[k];
        ck_assert_uint_eq(l.id[k], (uint32_t)e->p * 34 * 34 + (uint32_t)e->y * 34 + e->x);
        ck_assert_double_eq_tol(l.t[k], 50.0 + (double)(e->t - 123456) / 1000.0, 1e-9);
    }
    sq_spike_list_free(&l);
    /* A recording longer than sample_time: an error, or with truncate the events before it. */
    c.sample_time = 10.0;
    ck_assert_int_eq(enc->stream(&c, &s, 2 * 34 * 34, &l, &err), SQ_ECONFIG);
    ck_assert_msg(strstr(err.msg, "test.sample_time: expected at least the recording's length, got 10 ms") == err.msg,
                  "%s", err.msg);
    sq_spike_list_free(&l);
    const double trunc[] = {1.0, 0.0, 1.0};
    c.v = trunc;
    ck_assert_int_eq(enc->stream(&c, &s, 2 * 34 * 34, &l, &err), 0);
    size_t before = 0;
    for (size_t k = 0; k < s.n; k++)
        before += s.ev[k].t - 123456 < 10000;
    ck_assert_uint_eq(l.n, before);
    sq_spike_list_free(&l);
    ck_assert_int_eq(enc->stream(&c, &s, 100, &l, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "test: expected a population of 2 x 34 x 34 = 2312 neurons for sample 0, got n = 100");
    sq_dvs_stream_free(&s);
}
END_TEST

/* Ten events on a 128 x 128 sensor, counted into frames by hand below. */
static const sq_dvs_event ten[10] = {{0, 10, 20, 1},  {5, 10, 20, 1},  {7, 11, 20, 0},  {9, 100, 3, 1}, {20, 50, 50, 0},
                                     {21, 51, 50, 0}, {40, 10, 20, 1}, {41, 127, 127, 1}, {60, 0, 0, 0},  {61, 3, 3, 1}};

static sq_spike_list frames_of(double t_frames, double by_time, double binary, double size, uint32_t n)
{
    sq_dvs_stream s = {(sq_dvs_event *)ten, 10, 10, 128, 128};
    const double v[] = {t_frames, 2.0, by_time, binary, size}; /* T, dt = 2 ms, by_time, binary, size */
    sq_encode_ctx c = {v, 100.0, 50.0, 1, 0, 0, "test"};
    sq_spike_list l = {.max = 1000};
    sq_err err = {0};
    ck_assert_msg(sq_encoder_find("dvs_frames")->stream(&c, &s, n, &l, &err) == 0, "%s", err.msg);
    return l;
}

/* Spike k must be neuron p * W * W + y * W + x of frame f (at 50 + 2 f ms), in (frame, neuron) order. */
static void expect(const sq_spike_list *l, const int (*want)[4], size_t n, uint32_t w)
{
    ck_assert_uint_eq(l->n, n);
    for (size_t k = 0; k < n; k++) {
        ck_assert_double_eq(l->t[k], 50.0 + 2.0 * want[k][0]);
        ck_assert_uint_eq(l->id[k], (uint32_t)(want[k][1] * w * w + want[k][2] * w + want[k][3]));
    }
}

START_TEST(dvs_frames_fire_each_non_empty_count_at_its_frame_time)
{
    /* {frame, p, y, x}: by number, frame 0 = events 0-4 and frame 1 = events 5-9 (N / T = 5). */
    static const int binary[][4] = {{0, 0, 20, 11}, {0, 0, 50, 50}, {0, 1, 3, 100}, {0, 1, 20, 10},
                                    {1, 0, 0, 0},   {1, 0, 50, 51}, {1, 1, 3, 3},   {1, 1, 20, 10}, {1, 1, 127, 127}};
    sq_spike_list l = frames_of(2, 0, 1, 0, 2 * 128 * 128);
    expect(&l, binary, 9, 128);
    sq_spike_list_free(&l);
    /* Counts: pixel (10, 20) ON has two events in frame 0. */
    static const int counts[][4] = {{0, 0, 20, 11}, {0, 0, 50, 50}, {0, 1, 3, 100}, {0, 1, 20, 10}, {0, 1, 20, 10},
                                    {1, 0, 0, 0},   {1, 0, 50, 51}, {1, 1, 3, 3},   {1, 1, 20, 10}, {1, 1, 127, 127}};
    l = frames_of(2, 0, 0, 0, 2 * 128 * 128);
    expect(&l, counts, 10, 128);
    sq_spike_list_free(&l);
    /* By time: dt = (61 - 0) / 2 = 30 us, frame 0 = t < 30 (events 0-5), frame 1 the rest. */
    static const int by_time[][4] = {{0, 0, 20, 11}, {0, 0, 50, 50}, {0, 0, 50, 51}, {0, 1, 3, 100}, {0, 1, 20, 10},
                                     {1, 0, 0, 0},   {1, 1, 3, 3},   {1, 1, 20, 10}, {1, 1, 127, 127}};
    l = frames_of(2, 1, 1, 0, 2 * 128 * 128);
    expect(&l, by_time, 9, 128);
    sq_spike_list_free(&l);
    /* Downsampled to 64 x 64: x' = x / 2, y' = y / 2; events 0 and 1 (ON) and 2 (OFF) share (5, 10). */
    static const int half[][4] = {{0, 0, 10, 5}, {0, 0, 25, 25}, {0, 1, 1, 50}, {0, 1, 10, 5},  {1, 0, 0, 0},
                                  {1, 0, 25, 25}, {1, 1, 1, 1},  {1, 1, 10, 5}, {1, 1, 63, 63}};
    l = frames_of(2, 0, 1, 64, 2 * 64 * 64);
    expect(&l, half, 9, 64);
    sq_spike_list_free(&l);
}
END_TEST

START_TEST(dvs_replay_downsampled_and_time_scaled_maps_each_event_to_its_halved_pixel_and_time)
{
    sq_dvs_stream s = {(sq_dvs_event *)ten, 10, 10, 128, 128};
    const double v[] = {0.0, 64.0, 0.5}; /* and time at half speed: 0.5 ms of simulation per ms */
    sq_encode_ctx c = {v, 100.0, 0.0, 1, 0, 0, "test"};
    sq_spike_list l = {.max = 100};
    ck_assert_int_eq(sq_encoder_find("dvs")->stream(&c, &s, 2 * 64 * 64, &l, NULL), 0);
    ck_assert_uint_eq(l.n, 10);
    for (size_t k = 0; k < 10; k++) {
        ck_assert_uint_eq(l.id[k], (uint32_t)ten[k].p * 64 * 64 + (uint32_t)(ten[k].y / 2) * 64 + ten[k].x / 2);
        ck_assert_double_eq_tol(l.t[k], 0.5 * (double)ten[k].t / 1000.0, 1e-12);
    }
    ck_assert_int_eq(ten[1].x, 10); /* the input stream is left as it was */
    sq_spike_list_free(&l);
}
END_TEST

START_TEST(spike_list_stops_at_its_limit)
{
    sq_spike_list l = {.max = 3};
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(sq_spike_list_push(&l, 0, i), 0);
    ck_assert_int_eq(sq_spike_list_push(&l, 0, 3), SQ_ERANGE);
    ck_assert_uint_eq(l.n, 3);
    ck_assert_uint_le(l.cap, 3);
    sq_spike_list_free(&l);
    ck_assert_uint_eq(l.max, 3);
    const float x[] = {1.0f};
    const double v[] = {1000.0};
    sq_encode_ctx c = {v, 100.0, 0.0, 1, 0, 4, "in"};
    l.max = 10;
    sq_err err = {0};
    ck_assert_int_eq(sq_encoder_find("poisson")->image(&c, x, 1, &l, &err), SQ_ERANGE);
    ck_assert_str_eq(err.msg, "in: expected at most max_spikes = 10 spikes, got more (at sample 4)");
    sq_spike_list_free(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("encoders");
    TCase *tc = tcase_create("encoders");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, poisson_counts_are_within_five_standard_errors_of_intensity_times_max_rate);
    tcase_add_test(tc, poisson_spikes_are_fixed_by_seed_population_sample_and_neuron);
    tcase_add_test(tc, rate_coding_fires_where_the_integrated_intensity_passes_each_threshold);
    tcase_add_test(tc, rate_coding_of_every_pixel_value_matches_float32_integration);
    tcase_add_test(tc, latency_times_follow_the_linear_and_logarithmic_formulas);
    tcase_add_test(tc, rank_order_fires_inputs_in_decreasing_intensity_dt_apart);
    tcase_add_test(tc, dvs_replay_gives_one_spike_per_event_at_its_timestamp_losslessly);
    tcase_add_test(tc, dvs_frames_fire_each_non_empty_count_at_its_frame_time);
    tcase_add_test(tc, dvs_replay_downsampled_and_time_scaled_maps_each_event_to_its_halved_pixel_and_time);
    tcase_add_test(tc, spike_list_stops_at_its_limit);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
