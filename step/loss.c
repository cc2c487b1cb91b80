/* step/loss.c: cross-entropy and mean squared error with their gradients (step/loss.h). */
#include <math.h>
#include <string.h>

#include "loss.h"

static const char *const names[] = {"cross_entropy", "mse"};

int sq_loss_find(const char *name)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

const char *sq_loss_name(sq_loss_kind k) { return names[k]; }

uint32_t sq_argmax(const float *y, uint32_t K)
{
    uint32_t best = 0;
    for (uint32_t k = 1; k < K; k++)
        if (y[k] > y[best])
            best = k;
    return best;
}

double sq_loss(sq_loss_kind kind, const float *y, const uint32_t *labels, uint32_t N, uint32_t K, float *dy,
               uint32_t *correct)
{
    double total = 0.0;
    uint32_t ok = 0;
    for (uint32_t n = 0; n < N; n++) {
        const float *yn = y + (size_t)n * K;
        ok += sq_argmax(yn, K) == labels[n];
        if (kind == SQ_LOSS_CROSS_ENTROPY) {
            double m = yn[sq_argmax(yn, K)], z = 0.0;
            for (uint32_t k = 0; k < K; k++)
                z += exp((double)yn[k] - m);
            double lse = m + log(z);
            total += lse - yn[labels[n]];
            for (uint32_t k = 0; dy && k < K; k++)
                dy[(size_t)n * K + k] = (float)((exp((double)yn[k] - lse) - (k == labels[n])) / N);
        } else {
            for (uint32_t k = 0; k < K; k++) {
                double d = (double)yn[k] - (k == labels[n]);
                total += d * d;
                if (dy)
                    dy[(size_t)n * K + k] = (float)(2.0 * d / ((double)N * K));
            }
        }
    }
    if (correct)
        *correct = ok;
    return kind == SQ_LOSS_CROSS_ENTROPY ? total / N : total / ((double)N * K);
}
