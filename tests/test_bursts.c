/* tests/test_bursts.c: neurons/bursts.h, the event/burst classification of Payeur, Guerguiev, Zenke,
 * Richards & Naud (2021) (apayeur/spikingburstprop BCPConnection::compute_burst_rate), on hand-made
 * spike trains whose classes follow from the trace z = sum e^{-(t - t_k)/tau_burst} computed by hand,
 * the z = e^-1 boundary included. */
#include <check.h>
#include <math.h>

#include "neurons/bursts.h"
#include "run_suite.h"

/* Feeds times ts[0..n) to a fresh detector and checks each class against want[]. */
static void expect_classes(double tau, const double *ts, const sq_spike_class *want, size_t n)
{
    sq_burst_detector b;
    sq_burst_init(&b, tau);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(sq_burst_classify(&b, ts[i]) == want[i], "spike %zu at %g ms", i, ts[i]);
}

START_TEST(bursts_are_classified_by_the_trace_read_before_the_spike)
{
    const sq_spike_class E = SQ_SPIKE_EVENT, B = SQ_SPIKE_BURST, I = SQ_SPIKE_INBURST;
    /* z before each spike: 0; e^{-100/16} = 0.002; (1.002) e^{-5/16} = 0.733; 1.27; 0.0014; 0.83. */
    const double t1[6] = {0.0, 100.0, 105.0, 110.0, 200.0, 203.0};
    const sq_spike_class c1[6] = {E, E, B, I, E, B};
    expect_classes(16.0, t1, c1, 6);
    /* An event ends a burst: the next burst gets its own marker. */
    const double t2[6] = {0.0, 5.0, 10.0, 12.0, 50.0, 55.0};
    const sq_spike_class c2[6] = {E, B, I, I, E, B};
    expect_classes(16.0, t2, c2, 6);
    /* Regular firing every 20 ms: z = e^{-1.25} = 0.2865 < e^-1 (event), then 1.2865 * 0.2865 =
     * 0.36860 > e^-1 = 0.36788 (marker), then 0.3922 (in burst): the trace sums over spikes. */
    const double t3[4] = {0.0, 20.0, 40.0, 60.0};
    const sq_spike_class c3[4] = {E, E, B, I};
    expect_classes(16.0, t3, c3, 4);
    /* tau_burst is a parameter: with 10 ms, 9 ms apart is a burst (e^{-0.9} = 0.41) and 11 ms apart
     * two events (e^{-1.1} = 0.33), where 16 ms would make the latter a burst too (e^{-11/16} = 0.50). */
    const double t4[4] = {0.0, 9.0, 100.0, 111.0};
    const sq_spike_class c4[4] = {E, B, E, E}, c5[4] = {E, B, E, B};
    expect_classes(10.0, t4, c4, 4);
    expect_classes(16.0, t4, c5, 4);
}
END_TEST

START_TEST(a_trace_of_exactly_e_minus_one_is_neither_event_nor_burst)
{
    /* 16 ms after a lone spike z = e^{-16/16} = e^-1 exactly, which fails both strict tests of
     * BCPConnection::compute_burst_rate: no event, no marker, burst_state stays 0, so the next
     * spike (z = (1 + e^-1) e^{-1/16} = 1.284) is the marker. Just inside and outside the boundary
     * the spike is a marker or an event. */
    sq_burst_detector b;
    sq_burst_init(&b, SQ_BURST_TAU_MS);
    ck_assert_int_eq(sq_burst_classify(&b, 100.0), SQ_SPIKE_EVENT);
    ck_assert_double_eq(sq_burst_trace(&b, 116.0), exp(-1.0));
    ck_assert_int_eq(sq_burst_classify(&b, 116.0), SQ_SPIKE_INBURST);
    ck_assert_int_eq(b.burst_state, 0);
    ck_assert_double_eq_tol(sq_burst_trace(&b, 117.0), (1.0 + exp(-1.0)) * exp(-1.0 / 16.0), 1e-15);
    ck_assert_int_eq(sq_burst_classify(&b, 117.0), SQ_SPIKE_BURST);
    ck_assert_int_eq(b.burst_state, 1);
    const double t1[2] = {100.0, 115.999}, t2[2] = {100.0, 116.001};
    const sq_spike_class c1[2] = {SQ_SPIKE_EVENT, SQ_SPIKE_BURST}, c2[2] = {SQ_SPIKE_EVENT, SQ_SPIKE_EVENT};
    expect_classes(16.0, t1, c1, 2);
    expect_classes(16.0, t2, c2, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bursts");
    TCase *tc = tcase_create("classify");
    tcase_add_test(tc, bursts_are_classified_by_the_trace_read_before_the_spike);
    tcase_add_test(tc, a_trace_of_exactly_e_minus_one_is_neither_event_nor_burst);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
