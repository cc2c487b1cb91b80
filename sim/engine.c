/* sim/engine.c: the run loop: conservative discrete-event simulation in windows of the minimum
 * delay, run by one thread per part of the neurons (parts.c; ARCHITECTURE.md "parallel by
 * ownership").
 *
 * A spike emitted in window k reaches its targets no earlier than window k+1, so when window k
 * starts every neuron's synaptic inputs for it are known, and the parts can work through the window
 * independently. Each part works neuron by neuron, which keeps a neuron's state in registers while
 * it runs through its inputs:
 *   1. the part's queued (spike, delay group) entries of the window, sorted by (arrival time,
 *      source, group), are scattered into per-neuron input lists in two passes over their synapses
 *      (count, then place), so each list is in (time, source) order without sorting it;
 *   2. every owned neuron with inputs, Poisson drive, device streams or a predicted threshold
 *      crossing inside the window (sq_neuron_model.next_check, kept in a calendar: wake.h) is
 *      advanced exactly through its inputs, merged with its Poisson events of the window; then to
 *      the window's end only if it could fire before it (else it stays lazily at its last input);
 *   3. the threads meet (a barrier); the calling thread gathers every part's spikes and the spike
 *      sources', sorts them by (time, neuron id), hands them to the observer and decides the next
 *      window; the threads meet again, and each part queues the spikes' deliveries to its own
 *      synapses, one entry per spike and delay group.
 * So threads meet twice a window and nothing on the delivery path is shared for writing: no locks,
 * no atomics. Neurons are only touched by events: no per-step update of all neurons. The orders in
 * 1 and 3 fix every tie and none depends on the parts, so a seed fixes every spike at any thread
 * count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "barrier.h"
#include "internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- per-neuron operations ---------------------------------------------------------------- */

void sq__emit(sq__part *part, double t, uint32_t gid)
{
    if (part->n_out == part->cap_out) {
        /* Geometric growth: after the first windows of a run the outbox is large enough. */
        size_t cap = part->cap_out ? 2 * part->cap_out : 1024;
        sq_spike *out = realloc(part->out, cap * sizeof *out);
        if (!out) {
            part->oom = 1;
            return;
        }
        part->out = out;
        part->cap_out = cap;
    }
    part->out[part->n_out++] = (sq_spike){t, 0, gid};
    const sq_sim *sim = part->sim;
    if (sim->n_post_rules && sim->n_post_rules[sim->pop_of[gid]])
        sq__learning_spike(part, gid, t);
}

/* Files neuron gid's next check, never before the time its state refers to. */
static void set_wake(sq__part *part, uint32_t gid, const double *s, double next)
{
    sq__wake_set(&part->wake, gid, next < s[SQ_STATE_T] ? s[SQ_STATE_T] : next);
}

void sq__recheck(sq__part *part, uint32_t gid)
{
    const sq__pop *p = &part->sim->pops[part->sim->pop_of[gid]];
    const double *s = sq__state(p, gid);
    set_wake(part, gid, s, p->model->next_check(sq__params(p, gid), sq__derived(p, gid), s));
}

void sq__advance_to(sq__part *part, uint32_t gid, double t)
{
    const sq__pop *p = &part->sim->pops[part->sim->pop_of[gid]];
    const double *pp = sq__params(p, gid), *dd = sq__derived(p, gid);
    double *s = sq__state(p, gid), t_spike;
    while (p->model->advance(pp, dd, s, t, &t_spike))
        sq__emit(part, t_spike, gid);
}

/* ---- one window of one part ---------------------------------------------------------------- */

static int grow_inputs(sq__part *part, size_t need)
{
    if (need <= part->in_cap)
        return 0;
    size_t cap = part->in_cap ? part->in_cap : 4096;
    while (cap < need)
        cap *= 2;
    sq__input *in = realloc(part->in, cap * sizeof *in);
    if (!in)
        return SQ_ENOMEM;
    part->in = in;
    part->in_cap = cap;
    return 0;
}

static void list_neuron(sq__part *part, uint32_t gid, uint32_t *n)
{
    sq_sim *sim = part->sim;
    if (!sim->in_listed[gid]) {
        sim->in_listed[gid] = 1;
        part->touched[(*n)++] = gid;
    }
}

/* Step 1: the window's synaptic inputs into per-neuron lists. Returns the number of neurons listed. */
static uint32_t scatter_inputs(sq__part *part, double t_end)
{
    sq_sim *sim = part->sim;
    size_t n, k_end = 0;
    sq__entry *e = sq__queue_take(&part->queue, &n);
    const sq__synapses *syn = &part->syn;
    uint64_t total = 0;
    uint32_t n_listed = 0;
    while (k_end < n && e[k_end].t < t_end)
        k_end++;
    if (part->group_slot && sq__learning_arrivals(part, e, k_end) < 0) {
        part->oom = 1;
        k_end = 0;
    }
    for (size_t k = 0; k < k_end; k++) {
        uint64_t a = syn->syn_off[e[k].group], b = syn->syn_off[e[k].group + 1];
        for (uint64_t j = a; j < b; j++) {
            uint32_t g = syn->target[j];
            if (sim->in_count[g]++ == 0)
                list_neuron(part, g, &n_listed);
        }
        total += b - a;
    }
    if (grow_inputs(part, total) < 0) {
        part->oom = 1;
        total = 0;
        k_end = 0;
        for (uint32_t i = 0; i < n_listed; i++)
            sim->in_count[part->touched[i]] = 0;
    }
    if (n_listed > part->n_owned / 8) {
        /* Many neurons: list them in id order instead of discovery order. A group's synapses are
         * in target order, so placing them then writes forwards through memory, and the neurons
         * are later visited in the order their state is stored. */
        uint32_t g0, g1;
        n_listed = 0;
        for (uint32_t b = 0; sq__part_block(sim, part, b, &g0, &g1); b++)
            for (uint32_t g = g0; g < g1; g++)
                if (sim->in_count[g])
                    part->touched[n_listed++] = g;
    }
    uint64_t pos = 0;
    for (uint32_t i = 0; i < n_listed; i++) {
        uint32_t g = part->touched[i];
        sim->in_end[g] = pos; /* a fill cursor now; the end of g's inputs after placing */
        pos += sim->in_count[g];
    }
    for (size_t k = 0; k < k_end; k++) {
        uint64_t a = syn->syn_off[e[k].group], b = syn->syn_off[e[k].group + 1];
        uint16_t c = part->group_special ? part->group_special[e[k].group] : 0;
        if (c && sim->specials[c - 1].per_synapse) {
            /* The weight is known only when the target gets there: sq__learning_input. */
            for (uint64_t j = a; j < b; j++)
                part->in[sim->in_end[syn->target[j]]++] = (sq__input){.entry = (uint32_t)k, .syn = (uint32_t)j};
        } else if (c) {
            float f = part->entry_factor[k];
            for (uint64_t j = a; j < b; j++)
                part->in[sim->in_end[syn->target[j]]++] = (sq__input){.entry = (uint32_t)k, .w = syn->weight[j] * f};
        } else {
            for (uint64_t j = a; j < b; j++)
                part->in[sim->in_end[syn->target[j]]++] = (sq__input){.entry = (uint32_t)k, .w = syn->weight[j]};
        }
    }
    part->window_entries = e;
    part->window_n_entries = k_end;
    part->n_events += total;
    return n_listed;
}

typedef struct {
    sq__part *part;
    uint32_t gid;
} emit_ctx;

static void emit_cb(void *ctx, double t)
{
    emit_ctx *c = ctx;
    sq__emit(c->part, t, c->gid);
}

/* The neuron's synaptic inputs as times (from their queue entries) and weights in part->at/aw, and
 * its Poisson events of [t0, t_end) in part->pt/pw, both ending in an INFINITY sentinel.
 * Returns 0 or -1 when out of memory. */
static int gather_inputs(sq__part *part, uint32_t gid, double t0, double t_end, size_t *na, size_t *np)
{
    const sq_sim *sim = part->sim;
    const sq__input *in = part->in + (sim->in_end[gid] - sim->in_count[gid]);
    size_t n = sim->in_count[gid], p = 0;
    if (sim->poisson_off[gid] < sim->poisson_off[gid + 1] &&
        (p = sq__poisson_window(part, gid, t0, t_end)) == (size_t)-1)
        return -1;
    if ((n + 1 > part->a_cap && sq__grow_events(&part->at, &part->aw, &part->a_cap, n + 1) < 0) ||
        (p + 1 > part->p_cap && sq__grow_events(&part->pt, &part->pw, &part->p_cap, p + 1) < 0))
        return -1;
    const sq__entry *e = part->window_entries;
    for (size_t i = 0; i < n; i++) {
        part->at[i] = e[in[i].entry].t;
        part->aw[i] = in[i].w;
    }
    part->at[n] = part->pt[p] = INFINITY;
    part->aw[n] = part->pw[p] = 0.0f;
    *na = n;
    *np = p;
    return 0;
}

/* The general path: device streams (DC switches, V_m samples) interleaved with the inputs, one
 * advance()/input() per event, synaptic before Poisson inputs on equal times, then the lazy end of
 * model.h's integrate(). Returns the neuron's next check. */
static double run_general(sq__part *part, uint32_t gid, size_t na, size_t np, double t_end)
{
    const sq_sim *sim = part->sim;
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const sq_neuron_model *m = p->model;
    const double *pp = sq__params(p, gid), *dd = sq__derived(p, gid);
    double *s = sq__state(p, gid), t_spike;
    const double *at = part->at, *pt = part->pt;
    const sq__input *in = part->in + (sim->in_end[gid] - sim->in_count[gid]);
    int general = sim->general && sim->general[gid];
    size_t i = 0, j = 0;
    for (size_t k = 0; k < na + np; k++) {
        int take_b = pt[j] < at[i];
        double t = take_b ? pt[j] : at[i], w = take_b ? part->pw[j] : part->aw[i];
        while (sim->next_stream[gid] <= t)
            sq__stream_fire(part, gid);
        while (m->advance(pp, dd, s, t, &t_spike))
            sq__emit(part, t_spike, gid);
        /* After the advance: a plastic synapse needs the target's spikes up to t. */
        unsigned receptor = take_b && part->pr ? part->pr[j] : 0;
        if (general && !take_b)
            w = sq__learning_input(part, gid, &in[i], t, &receptor);
        i += !take_b;
        j += take_b;
        if (m->input_receptor ? m->input_receptor(pp, dd, s, w, receptor) : m->input(pp, dd, s, w))
            sq__emit(part, t, gid);
    }
    while (sim->next_stream[gid] < t_end)
        sq__stream_fire(part, gid);
    double next = m->next_check(pp, dd, s);
    if (next < t_end) {
        while (m->advance(pp, dd, s, t_end, &t_spike))
            sq__emit(part, t_spike, gid);
        next = m->next_check(pp, dd, s);
    }
    return next;
}

/* Step 2 for one neuron: through its inputs and Poisson events to t_end, exactly. */
static void run_neuron(sq__part *part, uint32_t gid, double t0, double t_end)
{
    const sq_sim *sim = part->sim;
    size_t na, np;
    if (gather_inputs(part, gid, t0, t_end, &na, &np) < 0) {
        part->oom = 1;
        return;
    }
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const sq_neuron_model *m = p->model;
    double next, *s = sq__state(p, gid);
    if (m->integrate && sim->stream_off[gid] == sim->stream_off[gid + 1] && !(sim->general && sim->general[gid])) {
        emit_ctx ctx = {part, gid};
        next = m->integrate(sq__params(p, gid), sq__derived(p, gid), s, part->at, part->aw, na, part->pt, part->pw,
                            np, t_end, emit_cb, &ctx);
    } else {
        next = run_general(part, gid, na, np, t_end);
    }
    /* >= t_end: the lazy end advanced the neuron to t_end unless its next check was beyond. A
     * model visited every window needs no wake-up. */
    if (!m->every_window)
        set_wake(part, gid, s, next);
}

static void run_part(sq__part *part, double t0, double t_end, int window_end)
{
    sq_sim *sim = part->sim;
    if (part->group_slot)
        sq__learning_window_start(part, t0);
    uint32_t n = scatter_inputs(part, t_end);
    for (uint32_t k = 0; k < part->n_active; k++)
        list_neuron(part, part->active[k], &n);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t gid = part->touched[k];
        run_neuron(part, gid, t0, t_end);
        sim->in_count[gid] = 0;
        sim->in_listed[gid] = 0;
    }
    /* Neurons with nothing in this window but a crossing predicted inside it. */
    size_t n_due;
    const uint32_t *due = sq__wake_take(&part->wake, t_end, window_end, &n_due);
    for (size_t k = 0; k < n_due; k++)
        if (part->wake.time[due[k]] < t_end) /* not yet handled: it may be listed twice */
            run_neuron(part, due[k], t0, t_end);
    sq__queue_consume(&part->queue, part->window_n_entries);
}

/* Step 3, each part: queues the deliveries of the window's spikes (sim->out, global ids) to its
 * own synapses, then moves its queue on when the window was whole. */
static void queue_spikes(sq__part *part, int window_end)
{
    const sq_sim *sim = part->sim;
    const sq__synapses *syn = &part->syn;
    for (size_t i = 0; i < sim->n_out && !part->oom; i++) {
        const sq_spike *sp = &sim->out[i];
        uint32_t gid = sp->id;
        for (uint64_t g = syn->group_off[gid]; g < syn->group_off[gid + 1]; g++) {
            sq__entry e = {sp->t + (double)syn->group_delay[g] * sim->resolution, gid, (uint32_t)g};
            if (sq__queue_push(&part->queue, e) < 0)
                part->oom = 1;
        }
    }
    if (window_end)
        sq__queue_advance(&part->queue);
}

/* ---- the window as a whole (the calling thread) -------------------------------------------- */

/* What the calling thread decides for all threads between windows. */
typedef struct {
    double t_stop;
    double t0, t_end;   /* the window to run: [t0, t_end) */
    int window_end;     /* t_end is the end of a whole window */
    int queued_window_end; /* the same for the window whose spikes are being queued */
    int64_t window;     /* its index */
    int done;           /* 1: stop before it (finished, interrupted or out of memory) */
    int rc;
} run_ctl;

static void emit_sources(sq_sim *sim, double t_end)
{
    for (size_t i = 0; i < sim->n_pops; i++) {
        sq__pop *p = &sim->pops[i];
        while (!p->model && p->next_src < p->n_src && p->src_t[p->next_src] < t_end) {
            sim->out[sim->n_out++] = (sq_spike){p->src_t[p->next_src], 0, p->first + p->src_id[p->next_src]};
            p->next_src++;
        }
    }
}

static size_t count_sources(const sq_sim *sim, double t_end)
{
    size_t n = 0;
    for (size_t i = 0; i < sim->n_pops; i++) {
        const sq__pop *p = &sim->pops[i];
        for (size_t k = p->next_src; !p->model && k < p->n_src && p->src_t[k] < t_end; k++)
            n++;
    }
    return n;
}

/* Gathers the parts' spikes and the sources' into sim->out, sorted by (time, gid). */
static int gather_spikes(sq_sim *sim, double t_end)
{
    size_t need = count_sources(sim, t_end);
    for (uint32_t k = 0; k < sim->n_parts; k++)
        need += sim->parts[k].n_out;
    if (need > sim->cap_out) {
        size_t cap = sim->cap_out ? sim->cap_out : 1024;
        while (cap < need)
            cap *= 2;
        sq_spike *out = realloc(sim->out, cap * sizeof *out);
        if (!out)
            return SQ_ENOMEM;
        sim->out = out;
        sim->cap_out = cap;
    }
    sim->n_out = 0;
    for (uint32_t k = 0; k < sim->n_parts; k++) {
        sq__part *part = &sim->parts[k];
        if (part->n_out)
            memcpy(sim->out + sim->n_out, part->out, part->n_out * sizeof *part->out);
        sim->n_out += part->n_out;
        part->n_out = 0;
    }
    emit_sources(sim, t_end);
    if (sim->n_out > 1)
        qsort(sim->out, sim->n_out, sizeof *sim->out, sq_spike_compare); /* pop 0 here: (time, gid) */
    return 0;
}

/* Hands the window's spikes to the observer with population-local ids, keeping sim->out global. */
static void observe_spikes(sq_sim *sim)
{
    for (size_t i = 0; i < sim->n_out; i++) {
        sq_spike *sp = &sim->out[i];
        uint16_t pop = sim->pop_of[sp->id];
        sim->pops[pop].spikes++;
        sp->pop = pop;
        sp->id -= sim->pops[pop].first;
    }
    if (sim->obs.spikes && sim->n_out)
        sim->obs.spikes(sim->obs.ud, sim->out, sim->n_out);
    for (size_t i = 0; i < sim->n_out; i++)
        sim->out[i].id += sim->pops[sim->out[i].pop].first;
    atomic_fetch_add(&sim->progress_spikes, sim->n_out);
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

static int any_oom(const sq_sim *sim)
{
    int oom = sim->oom;
    for (uint32_t k = 0; k < sim->n_parts; k++)
        oom |= sim->parts[k].oom | sim->parts[k].wake.oom;
    return oom;
}

/* Decides the next window, or that the run ends before it. */
static void plan_window(sq_sim *sim, run_ctl *c)
{
    if (any_oom(sim)) {
        c->done = 1;
        c->rc = SQ_ENOMEM;
        return;
    }
    if (sim->t_now >= c->t_stop) {
        c->done = 1;
        return;
    }
    if (atomic_exchange(&sim->stop_requested, 0)) {
        c->done = 1;
        c->rc = SQ_EINTR;
        return;
    }
    double window_end = (double)(c->window + 1) * sim->window;
    c->t0 = sim->t_now;
    c->t_end = window_end < c->t_stop ? window_end : c->t_stop;
    c->window_end = c->t_end == window_end;
    if (sim->any_sweep)
        sq__learning_plan_sweeps(sim, c->t0);
    begin_samples(sim);
}

/* After every part has run the window: its spikes, samples and progress, then the next window. */
static void finish_window(sq_sim *sim, run_ctl *c)
{
    if (gather_spikes(sim, c->t_end) < 0) {
        sim->oom = 1;
        sim->n_out = 0;
    }
    observe_spikes(sim);
    finish_samples(sim, c->t_end);
    sim->t_now = c->t_end;
    atomic_store(&sim->progress_t, sim->t_now);
}

int sq_sim_run(sq_sim *sim, double t_stop, sq_err *err)
{
    if (!(t_stop >= sim->t_now) || !isfinite(t_stop))
        return sq_fail(err, SQ_EINVAL, "t_stop: expected a finite time of at least %g ms (the current time), got %g",
                       sim->t_now, t_stop);
    run_ctl c = {.t_stop = t_stop, .window = sim->parts[0].queue.current};
    plan_window(sim, &c);
    sq__barrier meet;
    sq__barrier_init(&meet, 1);
#pragma omp parallel num_threads(sim->n_parts) default(shared)
    {
        /* One part per thread; should OpenMP grant fewer threads than asked (OMP_THREAD_LIMIT,
         * nesting), a thread takes every n-th part, which changes no spike. */
        uint32_t first = 0, stride = 1, sense = 0;
#ifdef _OPENMP
        first = (uint32_t)omp_get_thread_num();
        stride = (uint32_t)omp_get_num_threads();
#endif
        if (first == 0) {
            sim->team = stride;
            sq__barrier_init(&meet, stride);
        }
#pragma omp barrier
        /* Two meetings a window: after the parts have run it (so every spike is in), and after
         * the calling thread has gathered them and planned the next window (so sim->out and c are
         * ready). sim->out is rewritten only after the next first meeting, when every part has
         * queued it. */
        while (!c.done) {
            for (uint32_t k = first; k < sim->n_parts; k += stride)
                run_part(&sim->parts[k], c.t0, c.t_end, c.window_end);
            sq__barrier_wait(&meet, &sense);
            if (first == 0) {
                finish_window(sim, &c);
                c.queued_window_end = c.window_end;
                c.window += c.window_end;
                plan_window(sim, &c);
            }
            sq__barrier_wait(&meet, &sense);
            for (uint32_t k = first; k < sim->n_parts; k += stride)
                queue_spikes(&sim->parts[k], c.queued_window_end);
        }
    }
    sim->n_out = 0;
    if (c.rc == SQ_ENOMEM || any_oom(sim))
        return sq_fail(err, SQ_ENOMEM, "out of memory at t = %g ms", sim->t_now);
    if (c.rc == SQ_EINTR)
        return sq_fail(err, SQ_EINTR, "interrupted at t = %g ms of %g ms", sim->t_now, t_stop);
    return 0;
}
