/* sim/rng.h: counter-based random numbers (Philox4x32-10; Salmon, Moraes, Dror & Shaw 2011, SC'11
 * "Parallel random numbers: as easy as 1, 2, 3"). A stream is keyed by (seed, stream id); its n-th
 * draw is a pure function of (seed, stream id, n), so every neuron, synapse block and device has its
 * own stream and results never depend on which thread draws first. Tested in tests/test_rng.c
 * against the Random123 known-answer vectors. */
#ifndef SQ_RNG_H
#define SQ_RNG_H

#include <stdint.h>

/* Stream purposes: the top 8 bits of a stream id, so that streams of different jobs never meet. */
enum {
    SQ_STREAM_CONNECT = 1, /* connectivity of a projection */
    SQ_STREAM_WEIGHT = 2,  /* weights and delays of a projection */
    SQ_STREAM_INIT = 3,    /* initial states of a population */
    SQ_STREAM_DEVICE = 4,  /* a device's events for one target */
    SQ_STREAM_SOURCE = 5,  /* the spike train of one poisson_source neuron */
    SQ_STREAM_ENCODER = 6, /* an input encoder's spikes for one (population, sample, neuron) */
    SQ_STREAM_EMULATOR = 7, /* an emulated event camera's per-pixel mismatch */
    SQ_STREAM_ORDER = 8,    /* the shuffled order in which an encoder feeds a dataset's samples */
    SQ_STREAM_NEURON = 9,   /* a neuron model's own noise (sq_neuron_model.seed) */
    SQ_STREAM_LAYER = 10,   /* the initial parameters of a layer of a layered network */
    SQ_STREAM_DROPOUT = 11, /* a dropout layer's masks for one sample */
    SQ_STREAM_EPOCH = 12    /* the shuffled order of one training epoch */
};

/* Stream id from (purpose, object index < 2^16, element index < 2^40). */
static inline uint64_t sq_stream_id(unsigned purpose, uint64_t object, uint64_t element)
{
    return ((uint64_t)purpose << 56) | ((object & 0xffffu) << 40) | (element & 0xffffffffffull);
}

/* Public value: a position in one stream. 16 bytes of state plus a 4-word buffer. */
typedef struct {
    uint64_t seed;
    uint64_t stream;
    uint64_t counter; /* index of the next 4-word block */
    uint32_t buf[4];
    unsigned used;    /* words of buf already consumed (4 = empty) */
    int has_spare;    /* the second normal of the last Box-Muller pair is waiting in spare */
    double spare;
} sq_rng;

/* One Philox4x32-10 block: out = philox(key, ctr). Thread: any. */
void sq_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Starts the stream (seed, stream) at draw 0. Thread: any (the sq_rng is the caller's). */
void sq_rng_init(sq_rng *r, uint64_t seed, uint64_t stream);

uint32_t sq_rng_u32(sq_rng *r);
uint64_t sq_rng_u64(sq_rng *r);
/* Uniform on (0, 1): never 0, never 1, 53 random bits. */
double sq_rng_uniform(sq_rng *r);
/* Uniform integer in [0, n), n >= 1, unbiased (Lemire's multiply-and-reject). */
uint64_t sq_rng_below(sq_rng *r, uint64_t n);
/* Standard normal: Box-Muller, both values of a pair used in turn (the second is kept in the
 * sq_rng), so two normals cost one log, one sincos and one block. */
double sq_rng_normal(sq_rng *r);
/* Exponential with mean 1. */
double sq_rng_exponential(sq_rng *r);
/* A second, cheaper counter-based generator for the hottest draws (Poisson trains): SplitMix64's
 * output function applied to key + counter * golden gamma (Steele, Lea & Flood 2014, OOPSLA
 * "Fast splittable pseudorandom number generators"; the sequence for one key is SplitMix64's own,
 * which passes BigCrush). Keys come from sq_mix_key(seed, stream). */
static inline uint64_t sq_splitmix(uint64_t key, uint64_t counter)
{
    uint64_t z = key + counter * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t sq_mix_key(uint64_t seed, uint64_t stream)
{
    return sq_splitmix(sq_splitmix(seed, 1) ^ stream, 2);
}

/* Binomial(n, p) and Poisson(mean); exact samplers (inversion for small means, BTRS/PTRS above). */
uint64_t sq_rng_binomial(sq_rng *r, uint64_t n, double p);
uint64_t sq_rng_poisson(sq_rng *r, double mean);

#endif
