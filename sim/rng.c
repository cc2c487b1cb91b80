/* sim/rng.c: Philox4x32-10 and the continuous samplers built on it (see rng.h). The discrete
 * samplers (binomial, Poisson) live in rng_discrete.c. */
#include "rng.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
    uint64_t p = (uint64_t)a * b;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}

void sq_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        uint32_t hi0, lo0, hi1, lo1;
        mulhilo(PHILOX_M0, c0, &hi0, &lo0);
        mulhilo(PHILOX_M1, c2, &hi1, &lo1);
        uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

void sq_rng_init(sq_rng *r, uint64_t seed, uint64_t stream)
{
    r->seed = seed;
    r->stream = stream;
    r->counter = 0;
    r->used = 4;
    r->has_spare = 0;
    r->spare = 0.0;
}

static void refill(sq_rng *r)
{
    /* Counter words: (block index, stream id); key: the seed. Distinct streams therefore never
     * share a block, whatever their lengths. */
    uint32_t ctr[4] = {(uint32_t)r->counter, (uint32_t)(r->counter >> 32), (uint32_t)r->stream,
                       (uint32_t)(r->stream >> 32)};
    uint32_t key[2] = {(uint32_t)r->seed, (uint32_t)(r->seed >> 32)};
    sq_philox4x32(ctr, key, r->buf);
    r->counter++;
    r->used = 0;
}

uint32_t sq_rng_u32(sq_rng *r)
{
    if (r->used >= 4)
        refill(r);
    return r->buf[r->used++];
}

uint64_t sq_rng_u64(sq_rng *r)
{
    uint64_t hi = sq_rng_u32(r);
    return (hi << 32) | sq_rng_u32(r);
}

double sq_rng_uniform(sq_rng *r)
{
    /* 53 bits, shifted by half an ulp so that 0 and 1 cannot occur (log(u) stays finite). */
    return ((double)(sq_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t sq_rng_below(sq_rng *r, uint64_t n)
{
    if (n <= 0xffffffffull) {
        uint64_t m = (uint64_t)sq_rng_u32(r) * n;
        uint32_t low = (uint32_t)m;
        if (low < (uint32_t)n) {
            uint32_t threshold = (uint32_t)(-(uint32_t)n) % (uint32_t)n;
            while (low < threshold) {
                m = (uint64_t)sq_rng_u32(r) * n;
                low = (uint32_t)m;
            }
        }
        return m >> 32;
    }
    /* Rare (n >= 2^32): rejection on the smallest covering power of two. */
    uint64_t mask = n - 1;
    mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4;
    mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32;
    uint64_t v;
    do
        v = sq_rng_u64(r) & mask;
    while (v >= n);
    return v;
}

double sq_rng_normal(sq_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1 = sq_rng_uniform(r), u2 = sq_rng_uniform(r), sn, cs;
    double rad = sqrt(-2.0 * log(u1));
    sincos(2.0 * M_PI * u2, &sn, &cs);
    r->spare = rad * sn;
    r->has_spare = 1;
    return rad * cs;
}

double sq_rng_exponential(sq_rng *r)
{
    return -log(sq_rng_uniform(r));
}
