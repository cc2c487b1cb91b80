/* tests/fuzz/fuzz_frames.h: frames a decoded stream with T, split and size picked by one input byte and
 * checks what must always hold: each frame holds exactly j_r - j_l events, and the last ends at N. */
#ifndef SQ_FUZZ_FRAMES_H
#define SQ_FUZZ_FRAMES_H

#include "encoders/frames.h"

static inline void sq_fuzz_check_frames(const sq_dvs_stream *s, uint8_t pick)
{
    uint32_t T = 1u + (pick >> 2) % 16u;
    sq_split_by split = (pick >> 1) & 1 ? SQ_SPLIT_TIME : SQ_SPLIT_NUMBER;
    /* sensor size, half (128 -> 64), three eighths (128 -> 48) or a sixteenth */
    static const uint32_t num[4] = {1, 1, 3, 1}, den[4] = {1, 2, 8, 16};
    unsigned z = pick >> 6;
    uint32_t w = s->width * num[z] / den[z], h = s->height * num[z] / den[z];
    w += !w;
    h += !h;
    if (z == 0) /* full-size frames cost most to clear and sum: keep them to 1-3 so the fuzzer stays fast */
        T = 1u + T % 3u;
    sq_dvs_frames f;
    sq_err err = {0};
    if (sq_dvs_frames_make(s, split, T, w, h, &f, &err) != 0)
        __builtin_trap();
    if (f.j_r[T - 1] != s->n)
        __builtin_trap();
    for (uint32_t i = 0; i < T; i++) {
        uint64_t sum = 0, want = f.j_r[i] > f.j_l[i] ? f.j_r[i] - f.j_l[i] : 0;
        for (size_t k = 0; k < (size_t)2 * w * h; k++)
            sum += f.counts[(size_t)i * 2 * w * h + k];
        if (sum != want)
            __builtin_trap();
    }
    sq_dvs_frames_free(&f);
}

#endif
