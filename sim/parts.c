/* sim/parts.c: splits a network into parts, one per thread (parallel by ownership,
 * ARCHITECTURE.md): each part is a contiguous range of neuron ids, and owns those neurons' state,
 * the synapses that end on them, a spike queue and a wake calendar.
 *
 * The cuts balance an estimate of each neuron's work per second of simulated time: its expected
 * synaptic in-degree times an assumed mean source rate, plus the rates of the Poisson generators
 * that drive it. The estimate only moves the cuts; where they fall changes no spike (each neuron
 * is integrated from the same inputs in the same order whatever its part), so the output is the
 * same at any thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "connect.h"
#include "internal.h"

/* A typical cortical rate; it weighs synaptic against Poisson input in the work estimate. */
#define ASSUMED_SOURCE_RATE_HZ 10.0

static int find_pop(const sq_sim *sim, const char *name)
{
    for (size_t i = 0; name && i < sim->n_pops; i++)
        if (strcmp(sim->pops[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Work estimate per neuron of each population (events per second, plus 1 for the neuron itself). */
static void population_work(const sq_sim *sim, const sq_net_spec *spec, double *work)
{
    for (size_t i = 0; i < sim->n_pops; i++)
        work[i] = sim->pops[i].model ? 1.0 : 0.0;
    for (size_t i = 0; i < spec->n_projs; i++) {
        int s = find_pop(sim, spec->projs[i].source), t = find_pop(sim, spec->projs[i].target);
        if (s < 0 || t < 0) /* reported by the synapse build */
            continue;
        double n = sq_connect_expected(&spec->projs[i].connector, sim->pops[s].n, sim->pops[t].n, s == t);
        work[t] += n / sim->pops[t].n * ASSUMED_SOURCE_RATE_HZ;
    }
    for (size_t i = 0; i < spec->n_devices; i++) {
        const sq_device_spec *d = &spec->devices[i];
        for (size_t k = 0; d->kind == SQ_DEVICE_POISSON && k < d->n_targets; k++) {
            int t = find_pop(sim, d->targets[k]);
            if (t >= 0 && isfinite(d->rate))
                work[t] += d->rate;
        }
    }
}

int sq__parts_create(sq_sim *sim, const sq_net_spec *spec, uint32_t n_threads, sq_err *err)
{
    uint32_t n = n_threads < sim->n_neurons ? n_threads : sim->n_neurons;
    if (n == 0)
        n = 1;
    double *work = malloc((sim->n_pops + 1) * sizeof *work);
    sim->parts = calloc(n, sizeof *sim->parts);
    if (!work || !sim->parts) {
        free(work);
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    }
    sim->n_parts = n;
    population_work(sim, spec, work);
    double total = 0.0;
    for (size_t i = 0; i < sim->n_pops; i++)
        total += work[i] * sim->pops[i].n;
    /* Walk the neurons once, cutting where the running sum passes k/n of the total. */
    double sum = 0.0;
    uint32_t k = 0;
    for (uint32_t gid = 0; gid + 1 < sim->n_neurons && k + 1 < n; gid++) {
        sum += work[sim->pop_of[gid]];
        if (sum >= total * (double)(k + 1) / n)
            sim->parts[++k].lo = gid + 1;
    }
    /* Fewer cuts than parts (all the work in few neurons): the rest get one neuron each. */
    for (k = k + 1; k < n; k++)
        sim->parts[k].lo = sim->parts[k - 1].lo + 1 < sim->n_neurons ? sim->parts[k - 1].lo + 1 : sim->n_neurons;
    for (k = 0; k < n; k++) {
        sim->parts[k].sim = sim;
        sim->parts[k].hi = k + 1 < n ? sim->parts[k + 1].lo : sim->n_neurons;
    }
    free(work);
    return 0;
}

int sq__parts_prepare_run(sq_sim *sim)
{
    uint32_t a = 0;
    for (uint32_t k = 0; k < sim->n_parts; k++) {
        sq__part *p = &sim->parts[k];
        p->touched = sim->touched_all + p->lo;
        while (a < sim->n_active && sim->active[a] < p->lo)
            a++;
        p->active = sim->active + a;
        p->n_active = 0;
        while (a + p->n_active < sim->n_active && sim->active[a + p->n_active] < p->hi)
            p->n_active++;
        if (sq__queue_init(&p->queue, sim->window, sim->max_delay) < 0 ||
            sq__wake_init(&p->wake, p->hi - p->lo, sim->window) < 0)
            return SQ_ENOMEM;
        for (uint32_t gid = p->lo; gid < p->hi; gid++)
            if (sim->pops[sim->pop_of[gid]].model)
                sq__recheck(p, gid);
        if (p->wake.oom)
            return SQ_ENOMEM;
    }
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
        free(p->at);
        free(p->aw);
        free(p->out);
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
