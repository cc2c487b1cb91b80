/* tests/spike_record.h: a growing list of the spikes an observer receives, for the engine tests. */
#ifndef SQ_TEST_SPIKE_RECORD_H
#define SQ_TEST_SPIKE_RECORD_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

typedef struct {
    sq_spike *s;
    size_t n, cap;
} sq_test_spikes;

static inline void sq_test_spikes_add(sq_test_spikes *r, const sq_spike *s, size_t n)
{
    if (r->n + n > r->cap) {
        r->cap = (r->n + n) * 2;
        r->s = realloc(r->s, r->cap * sizeof *r->s);
        ck_assert_ptr_nonnull(r->s);
    }
    memcpy(r->s + r->n, s, n * sizeof *s);
    r->n += n;
}

#endif
