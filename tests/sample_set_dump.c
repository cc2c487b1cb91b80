/* tests/sample_set_dump.c: a sample set opened from a config's "data" object (io/config_samples.h)
 * and written whole, for tests/test_sample_set.py to compare with h5py and the CLI, and for
 * measuring the cache build and get() rates.
 *
 * usage: sample_set_dump CONFIG.json train|test [--out X.f32] [--threads N] [--bench R]
 * Prints one JSON object: the set's info, its labels, the open time (s) and, with --bench, get()
 * rates (samples/s) over R gets on 1 and on N threads. --out writes every sample, float32
 * [n][T][H][W][C]. */
#include <jansson.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/config_samples.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* R gets spread over `threads` threads (each with its own buffer); samples/s. */
static double bench(const sq_sample_set *s, long reps, int threads)
{
    const sq_sample_set_info *in = sq_sample_set_info_get(s);
    size_t per = (size_t)in->T * in->height * in->width * in->channels;
    int failed = 0;
    double t0 = now_s();
#pragma omp parallel num_threads(threads) reduction(| : failed)
    {
        float *x = malloc(per * sizeof *x);
#pragma omp for schedule(static)
        for (long r = 0; r < reps; r++)
            failed |= !x || sq_sample_set_get(s, (size_t)(r * 7919) % in->n, x, NULL, NULL) != 0;
        free(x);
    }
    double dt = now_s() - t0;
    return failed ? -1.0 : (double)reps / dt;
}

static int dump(const sq_sample_set *s, const char *out)
{
    const sq_sample_set_info *in = sq_sample_set_info_get(s);
    size_t per = (size_t)in->T * in->height * in->width * in->channels;
    float *x = malloc(per * sizeof *x);
    FILE *f = fopen(out, "wb");
    sq_err err = {0};
    int rc = x && f ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < in->n; i++)
        if ((rc = sq_sample_set_get(s, i, x, NULL, &err)) < 0 || fwrite(x, sizeof *x, per, f) != per)
            fprintf(stderr, "sample_set_dump: %s\n", rc < 0 ? err.msg : "write failed"), rc = -1;
    if (f && fclose(f) != 0)
        rc = -1;
    free(x);
    return rc;
}

static void print_info(const sq_sample_set *s, double open_s, double rate1, double rate_n, int threads)
{
    const sq_sample_set_info *in = sq_sample_set_info_get(s);
    json_t *labels = json_array();
    for (size_t i = 0; i < in->n; i++)
        json_array_append_new(labels, json_integer(sq_sample_set_label(s, i)));
    json_t *o = json_pack("{s:I, s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:s?, s:b, s:I, s:f, s:o}", "n", (json_int_t)in->n,
                          "T", (int)in->T, "height", (int)in->height, "width", (int)in->width, "channels",
                          (int)in->channels, "n_classes", (int)in->n_classes, "values",
                          in->values == SQ_SAMPLE_VALUES_COUNTS ? "counts" : "real", "description", in->description,
                          "cache", in->cache, "cache_built", in->cache_built, "saturated", (json_int_t)in->saturated,
                          "open_s", open_s, "labels", labels);
    if (rate1 > 0) {
        json_object_set_new(o, "get_per_s_1", json_real(rate1));
        json_object_set_new(o, "get_threads", json_integer(threads));
        json_object_set_new(o, "get_per_s_n", json_real(rate_n));
    }
    char *text = json_dumps(o, JSON_COMPACT);
    puts(text);
    free(text);
    json_decref(o);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: sample_set_dump CONFIG.json train|test [--out X.f32] [--threads N] [--bench R]\n", stderr);
        return 2;
    }
    const char *out = NULL;
    int threads = 1;
    long reps = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--out") == 0)
            out = argv[i + 1];
        else if (strcmp(argv[i], "--threads") == 0)
            threads = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--bench") == 0)
            reps = atol(argv[i + 1]);
    }
    json_error_t je;
    json_t *cfg = json_load_file(argv[1], 0, &je);
    if (!cfg) {
        fprintf(stderr, "sample_set_dump: %s: %s\n", argv[1], je.text);
        return 1;
    }
    sq_sample_set_params p;
    sq_sample_set *s = NULL;
    sq_err err = {0};
    int rc = sq_config_sample_set(json_object_get(cfg, "data"), argv[1], &p, &err);
    p.threads = threads;
    double t0 = now_s();
    if (rc == 0)
        rc = sq_sample_set_open(&p, argv[2], &s, &err);
    double open_s = now_s() - t0;
    if (rc < 0) {
        fprintf(stderr, "sample_set_dump: %s\n", err.msg);
        json_decref(cfg);
        return 1;
    }
    double r1 = reps > 0 ? bench(s, reps, 1) : 0, rn = reps > 0 ? bench(s, reps, threads) : 0;
    if (out)
        rc = dump(s, out);
    if (rc == 0)
        print_info(s, open_s, r1, rn, threads);
    sq_sample_set_close(s);
    json_decref(cfg);
    return rc < 0 ? 1 : 0;
}
