/* step/batches.h: the order of an epoch's samples and the assembly of a batch into the step
 * engine's time-major input [T][N][H][W][C]. The order is a Fisher-Yates shuffle driven by the
 * counter-based stream keyed by (seed, epoch), so epoch e's order is the same in any run that
 * reaches it: a resumed run sees the batches an uninterrupted one would. Tested in tests/test_net.c. */
#ifndef SQ_BATCHES_H
#define SQ_BATCHES_H

#include <stddef.h>
#include <stdint.h>

#include "../encoders/sample_set.h"
#include "../sim/error.h"

/* order[0..n) = a permutation of 0..n-1 for epoch `epoch`. Thread: any. */
void sq_epoch_order(uint64_t seed, uint32_t epoch, size_t n, size_t *order);

/* Reads samples idx[0..N) of s into x ([T][N][sample step], the set's T), their labels into
 * labels. scratch holds threads * (one sample) floats. Samples are read in parallel; the error of
 * the first failing sample (by position) is returned. Thread: main. */
int sq_batch_fill(const sq_sample_set *s, const size_t *idx, uint32_t N, float *x, uint32_t *labels, float *scratch,
                  int threads, sq_err *err);

#endif
