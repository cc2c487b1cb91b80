/* sim/engine.c: the run loop: conservative discrete-event simulation in windows of the minimum
 * delay.
 *
 * A spike emitted in window k reaches its targets no earlier than window k+1, so within a window
 * every neuron's inputs are already known. For each window the engine
 *   1. delivers the queued (spike, delay group) entries in (arrival time, source, group) order: each
 *      target is advanced exactly to the arrival time (after its device events up to that time),
 *      takes the input, and its next possible threshold crossing is recomputed;
 *   2. plays the device streams (Poisson inputs, DC switches, V_m samples) due in the window;
 *   3. advances to the window's end the neurons whose predicted crossing (sq_neuron_model
 *      next_check, kept in a min-heap) falls inside it, which finds spikes no input announced;
 *   4. sorts the window's spikes by (time, neuron id), hands them to the observer, and queues one
 *      entry per spike and delay group.
 * Neurons are only touched by events: no per-step update. The order in 1 and 4 fixes every tie,
 * so a seed fixes every spike. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- the heap of next checks ------------------------------------------------------------- */

static void heap_swap(sq__heap *h, uint32_t a, uint32_t b)
{
    uint32_t ia = h->ids[a], ib = h->ids[b];
    h->ids[a] = ib;
    h->ids[b] = ia;
    h->pos[ib] = a;
    h->pos[ia] = b;
}

static int heap_less(const sq__heap *h, uint32_t a, uint32_t b)
{
    double ka = h->key[h->ids[a]], kb = h->key[h->ids[b]];
    return ka < kb || (ka == kb && h->ids[a] < h->ids[b]);
}

static void heap_up(sq__heap *h, uint32_t i)
{
    while (i > 0 && heap_less(h, i, (i - 1) / 2)) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(sq__heap *h, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && heap_less(h, l, m))
            m = l;
        if (r < h->n && heap_less(h, r, m))
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

void sq__heap_update(sq__heap *h, uint32_t id, double key)
{
    uint32_t at = h->pos[id];
    if (at == UINT32_MAX) {
        if (key == INFINITY)
            return;
        h->key[id] = key;
        h->ids[h->n] = id;
        h->pos[id] = h->n;
        heap_up(h, h->n++);
        return;
    }
    if (key == INFINITY) {
        h->n--;
        if (at != h->n) {
            heap_swap(h, at, h->n);
            h->pos[id] = UINT32_MAX;
            heap_down(h, at);
            heap_up(h, at);
        }
        h->pos[id] = UINT32_MAX;
        h->key[id] = INFINITY;
        return;
    }
    double old = h->key[id];
    h->key[id] = key;
    if (key < old)
        heap_up(h, at);
    else
        heap_down(h, at);
}

/* ---- per-neuron operations ---------------------------------------------------------------- */

void sq__emit(sq_sim *sim, double t, uint32_t gid)
{
    if (sim->n_out == sim->cap_out) {
        /* Geometric growth: after the first windows of a run the outbox is large enough. */
        size_t cap = sim->cap_out ? 2 * sim->cap_out : 1024;
        sq_spike *out = realloc(sim->out, cap * sizeof *out);
        if (!out) {
            sim->oom = 1;
            return;
        }
        sim->out = out;
        sim->cap_out = cap;
    }
    sim->out[sim->n_out++] = (sq_spike){t, 0, gid};
}

void sq__recheck(sq_sim *sim, uint32_t gid)
{
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const double *s = sq__state(p, gid);
    double t = p->model->next_check(sq__params(sim, p, gid), sq__derived(p, gid), s);
    if (t < s[SQ_STATE_T])
        t = s[SQ_STATE_T];
    if (t != sim->heap.key[gid])
        sq__heap_update(&sim->heap, gid, t);
}

void sq__advance_to(sq_sim *sim, uint32_t gid, double t)
{
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const double *pp = sq__params(sim, p, gid), *dd = sq__derived(p, gid);
    double *s = sq__state(p, gid), t_spike;
    int fired = 0;
    while (p->model->advance(pp, dd, s, t, &t_spike)) {
        sq__emit(sim, t_spike, gid);
        fired = 1;
    }
    if (fired)
        sq__recheck(sim, gid);
}

/* Input of weight w to neuron gid at time t: device events up to t first, then the input. */
static inline void deliver(sq_sim *sim, uint32_t gid, double t, double w)
{
    while (sim->next_stream[gid] <= t)
        sq__stream_fire(sim, gid);
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const double *pp = sq__params(sim, p, gid), *dd = sq__derived(p, gid);
    double *s = sq__state(p, gid), t_spike;
    while (p->model->advance(pp, dd, s, t, &t_spike))
        sq__emit(sim, t_spike, gid);
    if (p->model->input(pp, dd, s, w))
        sq__emit(sim, t, gid);
    sq__recheck(sim, gid);
}

/* ---- one window ---------------------------------------------------------------------------- */

static void deliver_entries(sq_sim *sim, double t_end)
{
    size_t n, k;
    sq__entry *e = sq__queue_take(&sim->queue, &n);
    const sq__synapses *syn = &sim->syn;
    for (k = 0; k < n && e[k].t < t_end; k++) {
        uint64_t a = syn->syn_off[e[k].group], b = syn->syn_off[e[k].group + 1];
        for (uint64_t j = a; j < b; j++)
            deliver(sim, syn->target[j], e[k].t, syn->weight[j]);
        sim->n_events += b - a;
    }
    sq__queue_consume(&sim->queue, k);
}

static void play_sources(sq_sim *sim, double t_end)
{
    for (size_t i = 0; i < sim->n_pops; i++) {
        sq__pop *p = &sim->pops[i];
        while (!p->model && p->next_src < p->n_src && p->src_t[p->next_src] < t_end) {
            sq__emit(sim, p->src_t[p->next_src], p->first + p->src_id[p->next_src]);
            p->next_src++;
        }
    }
}

static void play_streams_and_checks(sq_sim *sim, double t_end)
{
    for (uint32_t k = 0; k < sim->n_stream_neurons; k++) {
        uint32_t gid = sim->stream_neurons[k];
        while (sim->next_stream[gid] < t_end)
            sq__stream_fire(sim, gid);
    }
    sq__heap *h = &sim->heap;
    while (h->n && h->key[h->ids[0]] < t_end) {
        uint32_t gid = h->ids[0];
        sq__advance_to(sim, gid, t_end);
        sq__recheck(sim, gid); /* >= t_end now, so the loop moves on */
    }
}

static int spike_order(const void *a, const void *b)
{
    const sq_spike *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Sorts the window's spikes, queues their deliveries, and passes them on. */
static int finish_spikes(sq_sim *sim)
{
    qsort(sim->out, sim->n_out, sizeof *sim->out, spike_order);
    const sq__synapses *syn = &sim->syn;
    for (size_t i = 0; i < sim->n_out; i++) {
        sq_spike *sp = &sim->out[i];
        uint32_t gid = sp->id;
        for (uint64_t g = syn->group_off[gid]; g < syn->group_off[gid + 1]; g++) {
            sq__entry e = {sp->t + (double)syn->group_delay[g] * sim->resolution, gid, (uint32_t)g};
            if (sq__queue_push(&sim->queue, e) < 0)
                return SQ_ENOMEM;
        }
        uint16_t pop = sim->pop_of[gid];
        sim->pops[pop].spikes++;
        sp->pop = pop;
        sp->id = gid - sim->pops[pop].first;
    }
    if (sim->obs.spikes && sim->n_out)
        sim->obs.spikes(sim->obs.ud, sim->out, sim->n_out);
    atomic_fetch_add(&sim->progress_spikes, sim->n_out);
    sim->n_out = 0;
    return 0;
}

static void begin_samples(sq_sim *sim)
{
    for (size_t r = 0; r < sim->n_recs; r++) {
        sq__recording *rec = &sim->recs[r];
        int64_t j = (int64_t)ceil(sim->t_now / rec->interval);
        while (j > 0 && (double)(j - 1) * rec->interval >= sim->t_now)
            j--;
        while ((double)j * rec->interval < sim->t_now)
            j++;
        rec->j_first = j;
    }
}

static void finish_samples(sq_sim *sim, double t_end)
{
    for (size_t r = 0; r < sim->n_recs; r++) {
        const sq__recording *rec = &sim->recs[r];
        for (int64_t j = rec->j_first; (double)j * rec->interval < t_end; j++)
            if (sim->obs.samples)
                sim->obs.samples(sim->obs.ud, r, (double)j * rec->interval,
                                 rec->rows + (size_t)(j - rec->j_first) * rec->n, rec->n);
    }
}

int sq_sim_run(sq_sim *sim, double t_stop, sq_err *err)
{
    if (!(t_stop >= sim->t_now) || !isfinite(t_stop))
        return sq_fail(err, SQ_EINVAL, "t_stop: expected a finite time of at least %g ms (the current time), got %g",
                       sim->t_now, t_stop);
    while (sim->t_now < t_stop) {
        if (atomic_exchange(&sim->stop_requested, 0))
            return sq_fail(err, SQ_EINTR, "interrupted at t = %g ms of %g ms", sim->t_now, t_stop);
        double window_end = (double)(sim->queue.current + 1) * sim->window;
        double t_end = window_end < t_stop ? window_end : t_stop;
        begin_samples(sim);
        deliver_entries(sim, t_end);
        play_sources(sim, t_end);
        play_streams_and_checks(sim, t_end);
        if (sim->oom || finish_spikes(sim) < 0)
            return sq_fail(err, SQ_ENOMEM, "out of memory at t = %g ms", sim->t_now);
        finish_samples(sim, t_end);
        sim->t_now = t_end;
        if (t_end == window_end)
            sq__queue_advance(&sim->queue);
        atomic_store(&sim->progress_t, sim->t_now);
    }
    return 0;
}
