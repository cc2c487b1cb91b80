/* sim/parts.c: splits a network into parts, one per thread (parallel by ownership,
 * ARCHITECTURE.md): neurons are dealt to the parts in blocks of 64 ids, round robin (internal.h),
 * and each part owns its neurons' state, the synapses that end on them, a spike queue and a wake
 * calendar. Which part owns a neuron changes no spike: each neuron is integrated from the same
 * inputs in the same order whatever its part, so the output is the same at any thread count. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int sq__parts_create(sq_sim *sim, uint32_t n_threads, sq_err *err)
{
    /* No more parts than blocks: a part without neurons would only wait at the barriers. */
    uint64_t blocks = ((uint64_t)sim->n_neurons + (1u << SQ__BLOCK_SHIFT) - 1) >> SQ__BLOCK_SHIFT;
    uint32_t n = n_threads < blocks ? n_threads : (uint32_t)blocks;
    if (n == 0)
        n = 1;
    sim->parts = sq__zalloc_lines(n * sizeof *sim->parts);
    if (!sim->parts)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    sim->n_parts = n;
    for (uint32_t k = 0; k < n; k++) {
        sq__part *p = &sim->parts[k];
        p->sim = sim;
        p->index = k;
        uint32_t g0, g1;
        for (uint32_t j = 0; sq__part_block(sim, p, j, &g0, &g1); j++)
            p->n_owned += g1 - g0;
    }
    return 0;
}

static int prepare_part(sq_sim *sim, sq__part *p)
{
    p->touched = malloc(((size_t)p->n_owned + 1) * sizeof *p->touched);
    p->active = malloc(((size_t)p->n_owned + 1) * sizeof *p->active);
    if (!p->touched || !p->active || sq__queue_init(&p->queue, sim->window, sim->max_delay) < 0 ||
        sq__wake_init(&p->wake, sim->n_neurons, sim->window) < 0)
        return SQ_ENOMEM;
    /* Owned neurons with devices or a model visited every window, in id order; the others go to
     * the wake calendar. */
    p->n_active = 0;
    uint32_t a = 0, g0, g1;
    for (uint32_t j = 0; sq__part_block(sim, p, j, &g0, &g1); j++)
        for (uint32_t gid = g0; gid < g1; gid++) {
            const sq_neuron_model *m = sim->pops[sim->pop_of[gid]].model;
            while (a < sim->n_active && sim->active[a] < gid)
                a++;
            if ((a < sim->n_active && sim->active[a] == gid) || (m && m->every_window))
                p->active[p->n_active++] = gid;
            if (m && !m->every_window)
                sq__recheck(p, gid);
        }
    return p->wake.oom ? SQ_ENOMEM : 0;
}

int sq__parts_prepare_run(sq_sim *sim)
{
    for (uint32_t k = 0; k < sim->n_parts; k++)
        if (prepare_part(sim, &sim->parts[k]) < 0)
            return SQ_ENOMEM;
    return 0;
}

void sq__parts_free(sq_sim *sim)
{
    for (uint32_t k = 0; sim->parts && k < sim->n_parts; k++) {
        sq__part *p = &sim->parts[k];
        sq__synapses_free(&p->syn);
        sq__queue_free(&p->queue);
        sq__wake_free(&p->wake);
        free(p->in);
        free(p->pt);
        free(p->pw);
        free(p->pr);
        free(p->at);
        free(p->aw);
        free(p->out);
        free(p->touched);
        free(p->active);
    }
    free(sim->parts);
    sim->parts = NULL;
}

/* A 64-bit mixer (SplitMix64's finaliser): spreads each synapse's fields over all bits. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t sq__connectivity_digest(const sq_sim *sim)
{
    uint64_t h = 0;
    for (uint32_t k = 0; k < sim->n_parts; k++) {
        const sq__synapses *s = &sim->parts[k].syn;
        for (uint32_t src = 0; src < sim->n_neurons; src++)
            for (uint64_t g = s->group_off[src]; g < s->group_off[src + 1]; g++)
                for (uint64_t j = s->syn_off[g]; j < s->syn_off[g + 1]; j++) {
                    uint32_t wbits;
                    memcpy(&wbits, &s->weight[j], sizeof wbits);
                    /* A sum of per-synapse hashes: the same multiset gives the same digest in any order. */
                    h += mix(mix((uint64_t)src << 32 | s->target[j]) ^ ((uint64_t)wbits << 16 | s->group_delay[g]));
                }
    }
    return h;
}
