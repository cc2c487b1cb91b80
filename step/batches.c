/* step/batches.c: epoch order and batch assembly (step/batches.h). */
#include <omp.h>
#include <string.h>

#include "../sim/rng.h"
#include "batches.h"

void sq_epoch_order(uint64_t seed, uint32_t epoch, size_t n, size_t *order)
{
    sq_rng r;
    sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_EPOCH, 0, epoch));
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)sq_rng_below(&r, i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

int sq_batch_fill(const sq_sample_set *s, const size_t *idx, uint32_t N, float *x, uint32_t *labels, float *scratch,
                  int threads, sq_err *err)
{
    const sq_sample_set_info *info = sq_sample_set_info_get(s);
    size_t step = (size_t)info->height * info->width * info->channels, sample = step * info->T;
    long failed = -1;
    int code = 0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (uint32_t n = 0; n < N; n++) {
        float *buf = scratch + (size_t)omp_get_thread_num() * sample;
        sq_err e;
        int rc = sq_sample_set_get(s, idx[n], buf, &labels[n], &e);
        if (rc < 0) {
#pragma omp critical(sq_batch_error)
            if (failed < 0 || (long)n < failed) {
                failed = (long)n;
                code = rc;
                if (err)
                    *err = e;
            }
            continue;
        }
        for (uint32_t t = 0; t < info->T; t++)
            memcpy(x + ((size_t)t * N + n) * step, buf + t * step, step * sizeof *x);
    }
    return failed < 0 ? 0 : code;
}
