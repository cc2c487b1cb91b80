/* tests/test_queue.c: the calendar spike queue against a sorted reference on random workloads,
 * including many equal arrival times; window arithmetic at exact boundaries. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "sim/queue.h"
#include "sim/rng.h"
#include "run_suite.h"

static int ref_cmp(const void *pa, const void *pb)
{
    const sq__entry *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    return (a->group > b->group) - (a->group < b->group);
}

/* Pushes entries as the engine does (each window, arrivals at least one window ahead), pops window
 * by window, and checks the concatenation equals the sorted list of everything pushed. */
static void run_workload(uint64_t seed, int coarse_times)
{
    const double window = 0.5, horizon = 7.3;
    sq__queue q;
    ck_assert_int_eq(sq__queue_init(&q, window, horizon), 0);
    sq_rng r;
    sq_rng_init(&r, seed, 1);
    size_t cap = 200000, n_ref = 0, n_got = 0;
    sq__entry *ref = malloc(cap * sizeof *ref), *got = malloc(cap * sizeof *got);
    for (int w = 0; w < 400; w++) {
        size_t n;
        sq__entry *e = sq__queue_take(&q, &n);
        for (size_t k = 0; k < n; k++)
            got[n_got++] = e[k];
        sq__queue_consume(&q, n);
        /* As in the engine: the window's spikes are queued before moving on. */
        int pushes = w >= 380 ? 0 : (int)sq_rng_below(&r, 200); /* the last windows drain the queue */
        for (int k = 0; k < pushes; k++) {
            double t0 = (w + sq_rng_uniform(&r)) * window;
            double d = window + sq_rng_uniform(&r) * (horizon - window);
            double t = t0 + d;
            if (coarse_times) /* many exact ties, and times on window boundaries */
                t = (double)((w + 1) * 10 + (int64_t)sq_rng_below(&r, 140)) * 0.05;
            sq__entry e1 = {t, (uint32_t)sq_rng_below(&r, 50), (uint32_t)sq_rng_below(&r, 4)};
            ck_assert_int_eq(sq__queue_push(&q, e1), 0);
            ref[n_ref++] = e1;
        }
        sq__queue_advance(&q);
    }
    qsort(ref, n_ref, sizeof *ref, ref_cmp);
    ck_assert_uint_eq(n_got, n_ref);
    for (size_t k = 0; k < n_ref; k++) {
        ck_assert(got[k].t == ref[k].t);
        ck_assert_uint_eq(got[k].src, ref[k].src);
        ck_assert_uint_eq(got[k].group, ref[k].group);
    }
    free(ref);
    free(got);
    sq__queue_free(&q);
}

START_TEST(queue_pops_in_sorted_order_on_random_workloads)
{
    for (uint64_t seed = 1; seed <= 5; seed++)
        run_workload(seed, 0);
}
END_TEST

START_TEST(queue_breaks_equal_times_by_source_then_group)
{
    for (uint64_t seed = 11; seed <= 15; seed++)
        run_workload(seed, 1);
}
END_TEST

START_TEST(window_of_is_exact_at_window_boundaries)
{
    sq__queue q;
    ck_assert_int_eq(sq__queue_init(&q, 0.1, 2.0), 0);
    for (int64_t k = 0; k < 100000; k++) {
        double t = (double)k * 0.1; /* the engine's own boundary arithmetic */
        ck_assert_int_eq(sq__queue_window_of(&q, t), k);
        ck_assert_int_eq(sq__queue_window_of(&q, nextafter(t, -1.0)), k - 1);
    }
    sq__queue_free(&q);
}
END_TEST

START_TEST(partially_consumed_window_keeps_the_rest_in_order)
{
    sq__queue q;
    ck_assert_int_eq(sq__queue_init(&q, 1.0, 3.0), 0);
    for (uint32_t i = 0; i < 10; i++) {
        sq__entry e = {1.0 + 0.1 * (9 - i), i, 0};
        ck_assert_int_eq(sq__queue_push(&q, e), 0);
    }
    sq__queue_advance(&q);
    size_t n;
    sq__entry *e = sq__queue_take(&q, &n);
    ck_assert_uint_eq(n, 10);
    ck_assert_uint_eq(e[0].src, 9);
    sq__queue_consume(&q, 4);
    e = sq__queue_take(&q, &n);
    ck_assert_uint_eq(n, 6);
    ck_assert_uint_eq(e[0].src, 5);
    ck_assert_uint_eq(e[5].src, 0);
    sq__queue_free(&q);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("queue");
    tcase_add_test(tc, queue_pops_in_sorted_order_on_random_workloads);
    tcase_add_test(tc, queue_breaks_equal_times_by_source_then_group);
    tcase_add_test(tc, window_of_is_exact_at_window_boundaries);
    tcase_add_test(tc, partially_consumed_window_keeps_the_rest_in_order);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
