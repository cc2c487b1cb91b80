/* tests/fuzz/fuzz_aedat.c: libFuzzer harness for the AEDAT 2.0 decoder (encoders/aedat.c) and the
 * framing of what it decodes (encoders/frames.c). Any input must return 0 or SQ_EFORMAT without a
 * crash or sanitizer report; decoded events must lie on the 128 x 128 sensor, and frames must hold
 * every event exactly once. The first input byte picks the flags, T and the split. Built with
 * -Dfuzz=true. */
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
    unsigned flags = data[0] & 1 ? SQ_AEDAT_DROP_SPECIAL : 0;
    if (sq_aedat_decode(data + 1, size - 1, "fuzz", flags, &s, &err) == 0) {
        for (size_t i = 0; i < s.n; i++)
            if (s.ev[i].x >= 128 || s.ev[i].y >= 128 || s.ev[i].p > 1 || s.ev[i].t < 0)
                __builtin_trap();
        sq_fuzz_check_frames(&s, data[0]);
    } else if (err.code != SQ_EFORMAT) {
        __builtin_trap();
    }
    sq_dvs_stream_free(&s);
    return 0;
}
