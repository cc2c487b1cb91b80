/* sim/engine.c: the run loop: conservative discrete-event simulation in windows of the minimum
 * delay.
 *
 * A spike emitted in window k reaches its targets no earlier than window k+1, so when window k
 * starts every neuron's synaptic inputs for it are known. The engine therefore works neuron by
 * neuron inside a window, which keeps each neuron's state in registers while it runs through its
 * inputs, and is the unit of ownership for threads:
 *   1. the queued (spike, delay group) entries of the window, sorted by (arrival time, source,
 *      group), are scattered into per-neuron input lists in two passes over their synapses (count,
 *      then place), so each list is in (time, source) order without sorting it;
 *   2. every neuron with inputs, Poisson drive, device streams or a predicted threshold crossing
 *      inside the window (sq_neuron_model.next_check, kept in a calendar: wake.h) is advanced exactly
 *      through its inputs, merged with its Poisson events of the window; then to the window's end
 *      only if it could fire before it (else it stays lazily at its last input);
 *   3. the window's spikes are sorted by (time, neuron id), handed to the observer, and queued as
 *      one entry per spike and delay group.
 * Neurons are only touched by events: no per-step update of all neurons. The orders in 1 and 3
 * fix every tie, so a seed fixes every spike. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

/* Files neuron gid's next check, never before the time its state refers to. */
static void set_wake(sq_sim *sim, uint32_t gid, const double *s, double next)
{
    sq__wake_set(&sim->wake, gid, next < s[SQ_STATE_T] ? s[SQ_STATE_T] : next);
}

void sq__recheck(sq_sim *sim, uint32_t gid)
{
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const double *s = sq__state(p, gid);
    set_wake(sim, gid, s, p->model->next_check(sq__params(p, gid), sq__derived(p, gid), s));
}

void sq__advance_to(sq_sim *sim, uint32_t gid, double t)
{
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const double *pp = sq__params(p, gid), *dd = sq__derived(p, gid);
    double *s = sq__state(p, gid), t_spike;
    while (p->model->advance(pp, dd, s, t, &t_spike))
        sq__emit(sim, t_spike, gid);
}

/* ---- one window ---------------------------------------------------------------------------- */

static int grow_inputs(sq_sim *sim, size_t need)
{
    if (need <= sim->in_cap)
        return 0;
    size_t cap = sim->in_cap ? sim->in_cap : 4096;
    while (cap < need)
        cap *= 2;
    sq__input *in = realloc(sim->in, cap * sizeof *in);
    if (!in)
        return SQ_ENOMEM;
    sim->in = in;
    sim->in_cap = cap;
    return 0;
}

static void list_neuron(sq_sim *sim, uint32_t gid, uint32_t *n)
{
    if (!sim->in_listed[gid]) {
        sim->in_listed[gid] = 1;
        sim->touched[(*n)++] = gid;
    }
}

/* Step 1: the window's synaptic inputs into per-neuron lists. Returns the number of neurons listed. */
static uint32_t scatter_inputs(sq_sim *sim, double t_end)
{
    size_t n, k_end = 0;
    sq__entry *e = sq__queue_take(&sim->queue, &n);
    const sq__synapses *syn = &sim->syn;
    uint64_t total = 0;
    uint32_t n_listed = 0;
    while (k_end < n && e[k_end].t < t_end)
        k_end++;
    for (size_t k = 0; k < k_end; k++) {
        uint64_t a = syn->syn_off[e[k].group], b = syn->syn_off[e[k].group + 1];
        for (uint64_t j = a; j < b; j++) {
            uint32_t g = syn->target[j];
            if (sim->in_count[g]++ == 0)
                list_neuron(sim, g, &n_listed);
        }
        total += b - a;
    }
    if (grow_inputs(sim, total) < 0) {
        sim->oom = 1;
        total = 0;
        k_end = 0;
        for (uint32_t i = 0; i < n_listed; i++)
            sim->in_count[sim->touched[i]] = 0;
    }
    if (n_listed > sim->n_neurons / 8) {
        /* Many neurons: list them in id order instead of discovery order. A group's synapses are
         * in target order, so placing them then writes forwards through memory, and the neurons
         * are later visited in the order their state is stored. */
        n_listed = 0;
        for (uint32_t g = 0; g < sim->n_neurons; g++)
            if (sim->in_count[g])
                sim->touched[n_listed++] = g;
    }
    uint64_t pos = 0;
    for (uint32_t i = 0; i < n_listed; i++) {
        uint32_t g = sim->touched[i];
        sim->in_end[g] = pos; /* a fill cursor now; the end of g's inputs after placing */
        pos += sim->in_count[g];
    }
    for (size_t k = 0; k < k_end; k++) {
        uint64_t a = syn->syn_off[e[k].group], b = syn->syn_off[e[k].group + 1];
        for (uint64_t j = a; j < b; j++)
            sim->in[sim->in_end[syn->target[j]]++] = (sq__input){(uint32_t)k, syn->weight[j]};
    }
    sim->window_entries = e;
    sim->window_n_entries = k_end;
    sim->n_events += total;
    return n_listed;
}

typedef struct {
    sq_sim *sim;
    uint32_t gid;
} emit_ctx;

static void emit_cb(void *ctx, double t)
{
    emit_ctx *c = ctx;
    sq__emit(c->sim, t, c->gid);
}

/* The neuron's synaptic inputs as times (from their queue entries) and weights in sim->at/aw, and
 * its Poisson events of [t_now, t_end) in sim->pt/pw, both ending in an INFINITY sentinel.
 * Returns 0 or -1 when out of memory. */
static int gather_inputs(sq_sim *sim, uint32_t gid, double t_end, size_t *na, size_t *np)
{
    const sq__input *in = sim->in + (sim->in_end[gid] - sim->in_count[gid]);
    size_t n = sim->in_count[gid], p = 0;
    if (sim->poisson_off[gid] < sim->poisson_off[gid + 1] &&
        (p = sq__poisson_window(sim, gid, sim->t_now, t_end)) == (size_t)-1)
        return -1;
    if (sq__grow_events(&sim->at, &sim->aw, &sim->a_cap, n + 1) < 0 ||
        sq__grow_events(&sim->pt, &sim->pw, &sim->p_cap, p + 1) < 0)
        return -1;
    const sq__entry *e = sim->window_entries;
    for (size_t i = 0; i < n; i++) {
        sim->at[i] = e[in[i].entry].t;
        sim->aw[i] = in[i].w;
    }
    sim->at[n] = sim->pt[p] = INFINITY;
    sim->aw[n] = sim->pw[p] = 0.0f;
    *na = n;
    *np = p;
    return 0;
}

/* The general path: device streams (DC switches, V_m samples) interleaved with the inputs, one
 * advance()/input() per event, synaptic before Poisson inputs on equal times, then the lazy end of
 * model.h's integrate(). Returns the neuron's next check. */
static double run_general(sq_sim *sim, uint32_t gid, size_t na, size_t np, double t_end)
{
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const sq_neuron_model *m = p->model;
    const double *pp = sq__params(p, gid), *dd = sq__derived(p, gid);
    double *s = sq__state(p, gid), t_spike;
    size_t i = 0, j = 0;
    for (size_t k = 0; k < na + np; k++) {
        int take_b = sim->pt[j] < sim->at[i];
        double t = take_b ? sim->pt[j] : sim->at[i], w = take_b ? sim->pw[j++] : sim->aw[i++];
        while (sim->next_stream[gid] <= t)
            sq__stream_fire(sim, gid);
        while (m->advance(pp, dd, s, t, &t_spike))
            sq__emit(sim, t_spike, gid);
        if (m->input(pp, dd, s, w))
            sq__emit(sim, t, gid);
    }
    while (sim->next_stream[gid] < t_end)
        sq__stream_fire(sim, gid);
    double next = m->next_check(pp, dd, s);
    if (next < t_end) {
        while (m->advance(pp, dd, s, t_end, &t_spike))
            sq__emit(sim, t_spike, gid);
        next = m->next_check(pp, dd, s);
    }
    return next;
}

/* Step 2 for one neuron: through its inputs and Poisson events to t_end, exactly. */
static void run_neuron(sq_sim *sim, uint32_t gid, double t_end)
{
    size_t na, np;
    if (gather_inputs(sim, gid, t_end, &na, &np) < 0) {
        sim->oom = 1;
        return;
    }
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const sq_neuron_model *m = p->model;
    double next, *s = sq__state(p, gid);
    if (m->integrate && sim->stream_off[gid] == sim->stream_off[gid + 1]) {
        emit_ctx ctx = {sim, gid};
        next = m->integrate(sq__params(p, gid), sq__derived(p, gid), s, sim->at, sim->aw, na, sim->pt, sim->pw,
                            np, t_end, emit_cb, &ctx);
    } else {
        next = run_general(sim, gid, na, np, t_end);
    }
    /* >= t_end: the lazy end advanced the neuron to t_end unless its next check was beyond. */
    set_wake(sim, gid, s, next);
}

static void run_neurons(sq_sim *sim, double t_end, int window_end)
{
    uint32_t n = scatter_inputs(sim, t_end);
    for (uint32_t k = 0; k < sim->n_active; k++)
        list_neuron(sim, sim->active[k], &n);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t gid = sim->touched[k];
        run_neuron(sim, gid, t_end);
        sim->in_count[gid] = 0;
        sim->in_listed[gid] = 0;
    }
    /* Neurons with nothing in this window but a crossing predicted inside it. */
    size_t n_due;
    const uint32_t *due = sq__wake_take(&sim->wake, t_end, window_end, &n_due);
    for (size_t k = 0; k < n_due; k++)
        if (sim->wake.time[due[k]] < t_end) /* not yet handled: it may be listed twice */
            run_neuron(sim, due[k], t_end);
    sq__queue_consume(&sim->queue, sim->window_n_entries);
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
    if (sim->n_out > 1)
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
        run_neurons(sim, t_end, t_end == window_end);
        play_sources(sim, t_end);
        if (sim->oom || sim->wake.oom || finish_spikes(sim) < 0)
            return sq_fail(err, SQ_ENOMEM, "out of memory at t = %g ms", sim->t_now);
        finish_samples(sim, t_end);
        sim->t_now = t_end;
        if (t_end == window_end)
            sq__queue_advance(&sim->queue);
        atomic_store(&sim->progress_t, sim->t_now);
    }
    return 0;
}
