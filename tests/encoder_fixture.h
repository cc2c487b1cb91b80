/* tests/encoder_fixture.h: one image encoded by a named encoder, shared by the encoder suites. */
#ifndef SQ_TEST_ENCODER_FIXTURE_H
#define SQ_TEST_ENCODER_FIXTURE_H

#include <check.h>

#include "encoders/encoder.h"

static inline sq_spike_list run_image(const char *name, const double *v, double sample_time, double t0, uint64_t seed,
                               uint64_t sample, const float *x, uint32_t n)
{
    const sq_encoder *enc = sq_encoder_find(name);
    ck_assert_ptr_nonnull(enc);
    sq_encode_ctx c = {v, sample_time, t0, seed, 0, sample, "test"};
    sq_spike_list l = {.max = 10000000};
    sq_err err = {0};
    ck_assert_msg(enc->image(&c, x, n, &l, &err) == 0, "%s", err.msg);
    return l;
}

#endif
