/* experiments/dvs_decode_bench.c: how fast recordings are decoded and framed (issue 4 goal:
 * >= 1e8 events/s decoding on one core). Writes a CIFAR10-DVS-like AEDAT 2.0 file of N random events
 * (sorted times) with sq_aedat_write, then reports, best of several repetitions, one figure a line:
 * decoding from memory, reading + decoding the (page-cached) file, and SpikingJelly framing (T = 10,
 * split by number) at 128 x 128 and at 48 x 48. The file is removed at the end.
 *
 * usage: dvs_decode_bench FILE.aedat [N_EVENTS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "encoders/dvs_events.h"
#include "encoders/file_bytes.h"
#include "encoders/frames.h"

#define REPS 5

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int make_file(const char *path, size_t n)
{
    sq_dvs_stream s = {.width = 128, .height = 128};
    if (sq_dvs_stream_reserve(&s, n) < 0)
        return 1;
    uint64_t lcg = 1;
    int64_t t = 0;
    for (size_t i = 0; i < n; i++) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        t += (int64_t)(lcg >> 61); /* mean 3.5 us between events, as CIFAR10-DVS's ~3.2 us */
        s.ev[i] = (sq_dvs_event){.t = t & 0xFFFFFFFF, .x = (uint16_t)(lcg >> 20 & 127),
                                 .y = (uint16_t)(lcg >> 30 & 127), .p = (uint8_t)(lcg >> 40 & 1)};
    }
    s.n = n;
    sq_err err = {0};
    int rc = sq_aedat_write(path, &s, &err);
    sq_dvs_stream_free(&s);
    if (rc < 0)
        fprintf(stderr, "%s\n", err.msg);
    return rc < 0;
}

static double best_decode(const uint8_t *buf, size_t len, size_t *n)
{
    double best = 1e30;
    for (int r = 0; r < REPS; r++) {
        sq_dvs_stream s;
        double t0 = now_s();
        if (sq_aedat_decode(buf, len, "bench", 0, &s, NULL) < 0)
            return -1;
        double dt = now_s() - t0;
        best = dt < best ? dt : best;
        *n = s.n;
        sq_dvs_stream_free(&s);
    }
    return best;
}

static double best_read(const char *path)
{
    double best = 1e30;
    for (int r = 0; r < REPS; r++) {
        sq_dvs_stream s;
        double t0 = now_s();
        if (sq_aedat_read(path, &s, NULL) < 0)
            return -1;
        double dt = now_s() - t0;
        best = dt < best ? dt : best;
        sq_dvs_stream_free(&s);
    }
    return best;
}

static double best_frames(const sq_dvs_stream *s, uint32_t size)
{
    double best = 1e30;
    for (int r = 0; r < REPS; r++) {
        sq_dvs_frames f;
        double t0 = now_s();
        if (sq_dvs_frames_make(s, SQ_SPLIT_NUMBER, 10, size, size, &f, NULL) < 0)
            return -1;
        double dt = now_s() - t0;
        best = dt < best ? dt : best;
        sq_dvs_frames_free(&f);
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fprintf(stderr, "usage: dvs_decode_bench FILE.aedat [N_EVENTS]\n"), 2;
    size_t n = argc > 2 ? (size_t)strtod(argv[2], NULL) : 50000000;
    if (make_file(argv[1], n))
        return 1;
    uint8_t *buf;
    size_t len, got = 0;
    sq_err err = {0};
    if (sq__file_read_all(argv[1], &buf, &len, &err) < 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    double dec = best_decode(buf, len, &got), rd = best_read(argv[1]);
    free(buf);
    sq_dvs_stream s;
    if (dec < 0 || rd < 0 || got != n || sq_aedat_read(argv[1], &s, &err) < 0)
        return fprintf(stderr, "decode failed\n"), 1;
    printf("events: %zu (%.0f MB file)\n", n, (double)len / 1e6);
    printf("aedat decode from memory: %.3g events/s (best of %d)\n", (double)n / dec, REPS);
    printf("aedat read + decode (page cache): %.3g events/s\n", (double)n / rd);
    printf("frames T=10 number 128x128: %.3g events/s\n", (double)n / best_frames(&s, 128));
    printf("frames T=10 number 48x48: %.3g events/s\n", (double)n / best_frames(&s, 48));
    sq_dvs_stream_free(&s);
    unlink(argv[1]);
    return 0;
}
