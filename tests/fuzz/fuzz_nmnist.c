/* tests/fuzz/fuzz_nmnist.c: libFuzzer harness for the N-MNIST decoder (encoders/nmnist.c) and the
 * framing of what it decodes. Any input must return 0 or SQ_EFORMAT without a crash or sanitizer
 * report; decoded events must lie on the 34 x 34 sensor. Built with -Dfuzz=true. */
#include <stddef.h>
#include <stdint.h>

#include "encoders/dvs_events.h"
#include "fuzz_frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sq_dvs_stream s;
    sq_err err = {0};
    if (sq_nmnist_decode(data + 1, size - 1, "fuzz", &s, &err) == 0) {
        for (size_t i = 0; i < s.n; i++)
            if (s.ev[i].x >= 34 || s.ev[i].y >= 34 || s.ev[i].p > 1 || s.ev[i].t < 0)
                __builtin_trap();
        sq_fuzz_check_frames(&s, data[0]);
    } else if (err.code != SQ_EFORMAT) {
        __builtin_trap();
    }
    sq_dvs_stream_free(&s);
    return 0;
}
