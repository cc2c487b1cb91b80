/* sim/barrier.h (internal): the meeting point of the engine's threads, twice per window.
 *
 * A sense-reversing spin barrier (Mellor-Crummey & Scott 1991, ACM TOCS 9:21) rather than OpenMP's
 * own: libgomp lets a waiting thread spin only ~1000 times before it sleeps on a futex whenever the
 * process has more OpenMP threads than cores in all its thread pools, and a library run from
 * another thread than the one that built the network (as the CLI does) always has two pools. A
 * futex sleep and wake per meeting cost ~30 us, more than a 0.1 ms window's work in the
 * Vogels-Abbott networks, and made two threads slower than one. This barrier spins with a pause
 * hint and only yields the core after many spins, so that more threads than cores still progress.
 * The atomics are sequentially consistent: everything written before the barrier is visible
 * after it. */
#ifndef SQ_BARRIER_H
#define SQ_BARRIER_H

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct {
    _Atomic uint32_t arrived;
    _Atomic uint32_t sense;
    uint32_t n;
} sq__barrier;

static inline void sq__barrier_init(sq__barrier *b, uint32_t n)
{
    atomic_init(&b->arrived, 0);
    atomic_init(&b->sense, 0);
    b->n = n;
}

/* *local is the caller's own sense, 0 before its first wait. */
static inline void sq__barrier_wait(sq__barrier *b, uint32_t *local)
{
    uint32_t s = *local ^= 1u;
    if (atomic_fetch_add(&b->arrived, 1) == b->n - 1) {
        atomic_store(&b->arrived, 0);
        atomic_store(&b->sense, s);
        return;
    }
    for (uint32_t spins = 0; atomic_load(&b->sense) != s; spins++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (spins >= 20000) {
            sched_yield();
            spins = 0;
        }
    }
}

#endif
