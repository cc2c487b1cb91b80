/* tests/fuzz/fuzz_idx.c: libFuzzer harness for the IDX decoder (encoders/idx.c), raw and gzip'd.
 * Any input must return 0 or SQ_EFORMAT/SQ_ENOMEM without a crash, leak or sanitizer report; a
 * successful decode must hold exactly the product of its dimensions. Built with -Dfuzz=true. */
#include <stddef.h>
#include <stdint.h>

#include "encoders/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_idx_array a;
    sq_err err = {0};
    if (sq_idx_decode(data, size, "fuzz", &a, &err) == 0) {
        uint64_t n = 1;
        for (unsigned d = 0; d < a.ndim; d++)
            n *= a.dims[d];
        if (n != a.size || a.ndim < 1 || a.ndim > SQ_IDX_MAX_DIMS)
            __builtin_trap();
        if (a.size) /* touch both ends: ASan checks the allocation covers them */
            a.data[0] ^= a.data[a.size - 1];
    } else if (err.code != SQ_EFORMAT && err.code != SQ_ENOMEM) {
        __builtin_trap();
    }
    sq_idx_array_free(&a);
    return 0;
}
