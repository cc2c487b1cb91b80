/* tests/test_desire.c: the details of desire backpropagation that learning.md §1.1 and §1.7 single
 * out, each on a network of one to three neurons where the answer is computed here by hand:
 * the one-step delay between hidden layers but not from the input; the rate code of the input IF
 * neuron; the input dropout scaling that enters the membrane but not the trace; the update summed
 * (not averaged) over spikes; the output threshold compared with > and the hidden one with >=; a
 * desired neuron that does not fire is not updated; a dropped neuron never fires; the unique-maximum
 * rule; bad specs. The full network against an independent numpy computation is
 * tests/desire_oracle.py. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "run_suite.h"
#include "step/desire.h"

static sq_desire *make(uint32_t layers, const uint32_t *sizes, float p_in, float p_hid)
{
    sq_desire_spec s;
    sq_desire_spec_default(&s);
    s.layers = layers;
    memcpy(s.sizes, sizes, (layers + 1) * sizeof *sizes);
    s.dropout_input = p_in, s.dropout_hidden = p_hid;
    sq_desire *d;
    sq_err err;
    ck_assert_int_eq(sq_desire_create(&s, &d, &err), 0);
    return d;
}

static void set1(sq_desire *d, uint32_t l, float w) { sq_desire_set_weights(d, l, &w); }

static float get1(const sq_desire *d, uint32_t l)
{
    float w;
    sq_desire_get_weights(d, l, &w);
    return w;
}

START_TEST(delay_between_hidden_layers_not_from_the_input)
{
    uint32_t sizes[] = {1, 1, 1, 1};
    sq_desire *d = make(3, sizes, 0, 0);
    for (uint32_t l = 1; l <= 3; l++)
        set1(d, l, 1.5f); /* every consumed spike makes the neuron fire */
    sq_desire_work *w = sq_desire_work_create(d);
    float x = 1.0f;
    uint32_t c;
    sq_desire_infer(d, w, &x, &c);
    ck_assert_uint_eq(sq_desire_work_count(w, 0, 0), 20); /* a pixel of 1 fires every step */
    ck_assert_uint_eq(sq_desire_work_count(w, 1, 0), 20); /* same step as the input: no delay */
    ck_assert_uint_eq(sq_desire_work_count(w, 2, 0), 19); /* reads layer 1's step n - 1 */
    ck_assert_uint_eq(c, 18);                             /* so the output fires from step 2 */
    x = 0.5f; /* every other step from step 1: 10 spikes */
    sq_desire_infer(d, w, &x, &c);
    ck_assert_uint_eq(sq_desire_work_count(w, 0, 0), 10);
    sq_desire_work_destroy(w);
    sq_desire_destroy(d);
}
END_TEST

/* A key whose dropout mask of neuron 0 of layer l is `keep`. */
static uint64_t key_with_mask(sq_desire *d, sq_desire_work *w, uint32_t l, int keep)
{
    float x = 0;
    uint32_t c[2];
    for (uint64_t key = 0; key < 1000; key++) {
        sq_desire_learn(d, w, &x, 0, 0.0f, 1, key, c); /* eta 0, silent input: nothing changes */
        if (sq_desire_work_mask(w, l, 0) == keep)
            return key;
    }
    ck_abort_msg("no key gives mask %d", keep);
    return 0;
}

START_TEST(input_dropout_scales_the_membrane_not_the_trace_and_the_update_is_summed)
{
    uint32_t sizes[] = {1, 1};
    sq_desire *d = make(1, sizes, 0.5f, 0);
    sq_desire_work *w = sq_desire_work_create(d);
    const float W = 0.3f, eta = 1e-3f;
    uint64_t key = key_with_mask(d, w, 0, 1);
    set1(d, 1, W);
    float x = 1.0f;
    uint32_t c;
    sq_desire_learn(d, w, &x, 0, eta, 1, key, &c);
    /* By hand: the input fires every step and enters the membrane as 2 W; the trace counts it as 1. */
    float v = 0;
    double X = 0, sum = 0;
    uint32_t spikes = 0;
    for (int n = 0; n < 20; n++) {
        v = 0.75f * v + 2.0f * W;
        X = 0.75 * X + 1.0;
        if (v >= 1.0f) {
            v -= 1.0f;
            spikes++;
            sum += X;
        }
    }
    ck_assert_uint_eq(c, spikes);
    ck_assert_uint_lt(spikes, 12); /* the label neuron wants more: desire +1 */
    ck_assert_int_eq(sq_desire_work_desire(w, 1, 0), 1);
    double dw = get1(d, 1) - W;
    ck_assert_msg(fabs(dw - eta * sum) <= 1e-6 * eta * sum + 1e-7, "dW %g, expected %g (summed, trace of 1s)", dw,
                  eta * sum);
    sq_desire_work_destroy(w);
    sq_desire_destroy(d);
}
END_TEST

/* The weight from an always-on input that gives the single output neuron `count` spikes. */
static float weight_for_count(sq_desire *d, sq_desire_work *w, uint32_t count)
{
    float x = 1.0f;
    for (float W = 0.05f; W < 1.0f; W += 0.0005f) {
        uint32_t c;
        set1(d, 1, W);
        sq_desire_infer(d, w, &x, &c);
        if (c == count)
            return W;
    }
    ck_abort_msg("no weight gives %u spikes", count);
    return 0;
}

START_TEST(output_threshold_is_strict)
{
    uint32_t sizes[] = {1, 1};
    sq_desire *d = make(1, sizes, 0, 0);
    sq_desire_work *w = sq_desire_work_create(d);
    float x = 1.0f;
    uint32_t c;
    /* Label neuron: error 1 - c / 16 > 0.3 iff c <= 11. */
    float W = weight_for_count(d, w, 11);
    sq_desire_learn(d, w, &x, 0, 0.0f, 1, 0, &c);
    ck_assert_int_eq(sq_desire_work_desire(w, 1, 0), 1);
    W = weight_for_count(d, w, 12);
    sq_desire_learn(d, w, &x, 0, 0.0f, 1, 0, &c);
    ck_assert_int_eq(sq_desire_work_desire(w, 1, 0), 0);
    /* Another class's neuron: error c / 16 > 0.3 iff c >= 5. */
    W = weight_for_count(d, w, 5);
    sq_desire_learn(d, w, &x, 1, 0.0f, 1, 0, &c);
    ck_assert_int_eq(sq_desire_work_desire(w, 1, 0), -1);
    W = weight_for_count(d, w, 4);
    sq_desire_learn(d, w, &x, 1, 0.0f, 1, 0, &c);
    ck_assert_int_eq(sq_desire_work_desire(w, 1, 0), 0);
    (void)W;
    sq_desire_work_destroy(w);
    sq_desire_destroy(d);
}
END_TEST

START_TEST(hidden_threshold_is_inclusive)
{
    sq_desire_spec s;
    for (int above = 0; above < 2; above++) {
        sq_desire_spec_default(&s);
        s.layers = 2, s.sizes[0] = s.sizes[1] = s.sizes[2] = 1, s.dropout_input = s.dropout_hidden = 0;
        /* The output never fires (W2 = 1/16 cannot reach the threshold): desire +1, e = 1, so
         * S = W2 * 1 * 1 = 0.0625 exactly. */
        s.desire_hidden = above ? 0.0626f : 0.0625f;
        sq_desire *d;
        sq_err err;
        ck_assert_int_eq(sq_desire_create(&s, &d, &err), 0);
        set1(d, 1, 1.5f);
        set1(d, 2, 0.0625f);
        sq_desire_work *w = sq_desire_work_create(d);
        float x = 1.0f;
        uint32_t c;
        sq_desire_learn(d, w, &x, 0, 0.0f, 1, 0, &c);
        ck_assert_uint_eq(c, 0);
        ck_assert_int_eq(sq_desire_work_desire(w, 2, 0), 1);
        ck_assert_int_eq(sq_desire_work_desire(w, 1, 0), above ? 0 : 1);
        sq_desire_work_destroy(w);
        sq_desire_destroy(d);
    }
}
END_TEST

START_TEST(a_desired_neuron_that_does_not_fire_is_not_updated)
{
    uint32_t sizes[] = {1, 1};
    sq_desire *d = make(1, sizes, 0, 0);
    set1(d, 1, 0.01f);
    sq_desire_work *w = sq_desire_work_create(d);
    float x = 1.0f;
    uint32_t c;
    sq_desire_learn(d, w, &x, 0, 1.0f, 1, 0, &c);
    ck_assert_uint_eq(c, 0);
    ck_assert_int_eq(sq_desire_work_desire(w, 1, 0), 1);
    ck_assert_float_eq(get1(d, 1), 0.01f);
    sq_desire_work_destroy(w);
    sq_desire_destroy(d);
}
END_TEST

START_TEST(a_dropped_hidden_neuron_never_fires)
{
    uint32_t sizes[] = {1, 1, 1};
    sq_desire *d = make(2, sizes, 0, 0.5f);
    sq_desire_work *w = sq_desire_work_create(d);
    uint64_t dropped = key_with_mask(d, w, 1, 0), kept = key_with_mask(d, w, 1, 1);
    set1(d, 1, 5.0f);
    set1(d, 2, 5.0f);
    float x = 1.0f;
    uint32_t c;
    sq_desire_learn(d, w, &x, 0, 0.0f, 1, dropped, &c);
    ck_assert_uint_eq(sq_desire_work_count(w, 1, 0), 0);
    ck_assert_uint_eq(c, 0);
    sq_desire_learn(d, w, &x, 0, 0.0f, 1, kept, &c);
    ck_assert_uint_eq(sq_desire_work_count(w, 1, 0), 20);
    ck_assert_uint_eq(c, 19);
    /* The same key gives the same mask: a resumed run sees the masks of an uninterrupted one. */
    sq_desire_learn(d, w, &x, 0, 0.0f, 1, dropped, &c);
    ck_assert_int_eq(sq_desire_work_mask(w, 1, 0), 0);
    sq_desire_work_destroy(w);
    sq_desire_destroy(d);
}
END_TEST

START_TEST(correct_only_when_the_label_is_the_unique_maximum)
{
    uint32_t a[] = {3, 5, 1}, tie[] = {5, 5, 1}, zero[] = {0, 0, 0};
    ck_assert(sq_desire_correct(a, 3, 1));
    ck_assert(!sq_desire_correct(a, 3, 0));
    ck_assert(!sq_desire_correct(tie, 3, 0));
    ck_assert(!sq_desire_correct(zero, 3, 2));
    ck_assert(!sq_desire_correct(a, 3, 7));
}
END_TEST

START_TEST(bad_specs_name_the_field)
{
    sq_desire_spec s;
    sq_err err;
    sq_desire *d = (sq_desire *)&s;
    sq_desire_spec_default(&s);
    s.dropout_hidden = 1.0f;
    ck_assert_int_eq(sq_desire_create(&s, &d, &err), SQ_ECONFIG);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(err.msg, "network.dropout.hidden: expected a probability in [0, 1), got 1");
    sq_desire_spec_default(&s);
    s.error_margin = 20;
    ck_assert_int_eq(sq_desire_spec_check(&s, "net", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.error_margin: expected fewer than T = 20 steps, got 20");
    sq_desire_spec_default(&s);
    s.sizes[2] = 0;
    ck_assert_int_eq(sq_desire_spec_check(&s, "net", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "net.sizes[2]: expected 1 to 1048576 neurons, got 0");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("desire");
    TCase *tc = tcase_create("rule");
    tcase_add_test(tc, delay_between_hidden_layers_not_from_the_input);
    tcase_add_test(tc, input_dropout_scales_the_membrane_not_the_trace_and_the_update_is_summed);
    tcase_add_test(tc, output_threshold_is_strict);
    tcase_add_test(tc, hidden_threshold_is_inclusive);
    tcase_add_test(tc, a_desired_neuron_that_does_not_fire_is_not_updated);
    tcase_add_test(tc, a_dropped_hidden_neuron_never_fires);
    tcase_add_test(tc, correct_only_when_the_label_is_the_unique_maximum);
    tcase_add_test(tc, bad_specs_name_the_field);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
