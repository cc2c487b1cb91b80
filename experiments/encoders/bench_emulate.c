/* experiments/encoders/bench_emulate.c: the speed of the image-to-event emulator on Fashion-MNIST
 * (Debian's dataset-fashion-mnist): N test images recorded with the default saccade set-up (DVS128,
 * 4x upscaling, square path), in memory (no disk). Prints one figure a line: images/s,
 * events/image, events/s. Usage: bench_emulate [N (default 200)] [IDX_IMAGES_PATH]. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "encoders/idx.h"
#include "encoders/saccade.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200;
    const char *path = argc > 2 ? argv[2] : "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    sq_idx_images im;
    sq_err err = {0};
    if (sq_idx_read_images(path, &im, &err) < 0) {
        fprintf(stderr, "bench_emulate: %s\n", err.msg);
        return 1;
    }
    if (n < 1 || (unsigned long)n > im.n)
        n = im.n;
    sq_saccade_params p;
    sq_saccade_params_default(&p);
    sq_saccade *s = NULL;
    sq_dvs_stream ev = {0};
    int rc = sq_saccade_create(&p, (uint16_t)im.cols, (uint16_t)im.rows, &s, &err);
    double events = 0, t0 = now_s();
    for (long i = 0; i < n && rc == 0; i++) {
        rc = sq_saccade_record(s, im.pixels + (size_t)i * im.rows * im.cols, &ev, &err);
        events += (double)ev.n;
    }
    double wall = now_s() - t0;
    if (rc < 0)
        fprintf(stderr, "bench_emulate: %s\n", err.msg);
    else {
        printf("images: %ld\n", n);
        printf("images/s: %.1f\n", n / wall);
        printf("events/image: %.0f\n", events / n);
        printf("events/s: %.3g\n", events / wall);
    }
    sq_dvs_stream_free(&ev);
    sq_saccade_destroy(s);
    sq_idx_images_free(&im);
    return rc < 0;
}
