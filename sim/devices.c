/* sim/devices.c: devices and membrane-potential recordings as per-neuron event streams.
 *
 * A Poisson generator gives every target an independent train (NEST poisson_generator), drawn
 * window by window from counter-based streams (poisson.h). A DC generator (two events: switch on,
 * switch off) and a V_m recording (one event per sample time) act on each target through a stream
 * of timed events, applied in time order before any input at the same or a later time, so a
 * sample sees V_m just before an input arriving at that instant. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "poisson.h"

static int find_neuron_pop(const sq_sim *sim, const char *name)
{
    for (size_t i = 0; name && i < sim->n_pops; i++)
        if (strcmp(sim->pops[i].name, name) == 0)
            return (int)i;
    return -1;
}

int sq__receptor_find(const sq_neuron_model *m, const char *name, char *names, size_t cap)
{
    int found = name ? -1 : 0;
    if (names && cap)
        names[0] = '\0';
    for (size_t k = 0; k < m->n_receptors; k++) {
        if (name && found < 0 && strcmp(m->receptors[k], name) == 0)
            found = (int)k;
        if (names && cap)
            snprintf(names + strlen(names), cap - strlen(names), "%s%s", k ? ", " : "", m->receptors[k]);
    }
    return found;
}

static int check_time_window(const char *o, size_t i, double start, double stop, sq_err *err)
{
    if (!(start >= 0.0) || !isfinite(start))
        return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].start: expected a non-negative number in ms, got %g", o, i, start);
    if (!(stop > start))
        return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].stop: expected a time after start (%g ms) or null, got %g", o, i,
                       start, stop);
    return 0;
}

static int check_device(const sq_sim *sim, const sq_net_spec *spec, size_t i, sq_err *err)
{
    const sq_device_spec *d = &spec->devices[i];
    const char *o = spec->origin;
    int rc = check_time_window(o, i, d->start, d->stop, err);
    if (rc < 0)
        return rc;
    if (d->kind == SQ_DEVICE_POISSON) {
        if (!(d->rate >= 0.0) || !isfinite(d->rate))
            return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].rate: expected a non-negative number in Hz, got %g", o, i, d->rate);
        if (!isfinite(d->weight))
            return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].weight: expected a finite number, got %g", o, i, d->weight);
        if (!(d->delay >= spec->resolution * (1.0 - 1e-9)) || !isfinite(d->delay))
            return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].delay: expected at least the resolution %g ms, got %g", o, i,
                           spec->resolution, d->delay);
    } else if (!isfinite(d->amplitude)) {
        return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].amplitude: expected a finite number in pA, got %g", o, i, d->amplitude);
    }
    if (d->n_targets == 0)
        return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].targets: expected at least one population name, got none", o, i);
    for (size_t k = 0; k < d->n_targets; k++) {
        int p = find_neuron_pop(sim, d->targets[k]);
        if (p < 0)
            return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].targets[%zu]: expected the name of a population, got \"%s\"", o,
                           i, k, d->targets[k] ? d->targets[k] : "");
        if (!sim->pops[p].model)
            return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].targets[%zu]: expected a population of neurons, got the spike source \"%s\"",
                           o, i, k, d->targets[k]);
        const sq_neuron_model *m = sim->pops[p].model;
        char names[256];
        if (sq__receptor_find(m, d->receptor, names, sizeof names) < 0)
            return sq_fail(err, SQ_ECONFIG, "%s: devices[%zu].receptor: expected %s%s (the input sites of %s, the model of %s), got \"%s\"",
                           o, i, m->n_receptors ? "one of " : "none", names, m->name, d->targets[k], d->receptor);
    }
    return 0;
}

static int check_recording(const sq_sim *sim, const sq_net_spec *spec, size_t r, sq_err *err)
{
    const sq_vm_spec *v = &spec->vm[r];
    const char *o = spec->origin;
    int p = find_neuron_pop(sim, v->population);
    if (p < 0)
        return sq_fail(err, SQ_ECONFIG, "%s: output.record_v[%zu].population: expected the name of a population, got \"%s\"",
                       o, r, v->population ? v->population : "");
    if (!sim->pops[p].model)
        return sq_fail(err, SQ_ECONFIG, "%s: output.record_v[%zu].population: expected a population of neurons, got the spike source \"%s\"",
                       o, r, v->population);
    if (!(v->interval > 0.0) || !isfinite(v->interval))
        return sq_fail(err, SQ_ECONFIG, "%s: output.record_v[%zu].interval: expected a positive number in ms, got %g", o, r,
                       v->interval);
    for (size_t k = 0; k < v->n_ids; k++)
        if (v->ids[k] >= sim->pops[p].n)
            return sq_fail(err, SQ_ECONFIG, "%s: output.record_v[%zu].ids[%zu]: expected a neuron index below %u, got %u", o, r,
                           k, sim->pops[p].n, v->ids[k]);
    return 0;
}

/* Calls fn for every (neuron, device or recording) pair in a fixed order: devices in spec order,
 * then recordings. proto is the stream the pair starts with (for Poisson links, only .kind of -1
 * and .value = weight matter). */
typedef void (*pair_fn)(sq_sim *sim, uint32_t gid, const sq__stream *proto, size_t device, int poisson);

static void for_each_pair(sq_sim *sim, const sq_net_spec *spec, pair_fn fn)
{
    for (size_t i = 0; i < spec->n_devices; i++) {
        const sq_device_spec *d = &spec->devices[i];
        sq__stream proto = {0};
        int poisson = d->kind == SQ_DEVICE_POISSON;
        proto.kind = SQ__STREAM_DC;
        proto.value = poisson ? d->weight : d->amplitude;
        proto.next_t = d->start;
        proto.stop = d->stop;
        for (size_t k = 0; k < d->n_targets; k++) {
            const sq__pop *p = &sim->pops[find_neuron_pop(sim, d->targets[k])];
            proto.receptor = (uint32_t)sq__receptor_find(p->model, d->receptor, NULL, 0);
            for (uint32_t j = 0; j < p->n; j++)
                fn(sim, p->first + j, &proto, i, poisson);
        }
    }
    for (size_t r = 0; r < spec->n_vm; r++) {
        const sq__recording *rec = &sim->recs[r];
        for (size_t k = 0; k < rec->n; k++) {
            sq__stream proto = {0};
            proto.kind = SQ__STREAM_SAMPLE;
            proto.next_t = 0.0;
            proto.value = rec->interval;
            proto.rec = (uint32_t)r;
            proto.slot = (uint32_t)k;
            fn(sim, rec->gids[k], &proto, 0, 0);
        }
    }
}

static void count_pair(sq_sim *sim, uint32_t gid, const sq__stream *proto, size_t device, int poisson)
{
    (void)proto;
    (void)device;
    (poisson ? sim->poisson_off : sim->stream_off)[gid + 1]++;
}

/* stream_off[gid] and poisson_off[gid] serve as fill cursors here and are restored afterwards. */
static void place_pair(sq_sim *sim, uint32_t gid, const sq__stream *proto, size_t device, int poisson)
{
    if (poisson) {
        sim->poisson_links[sim->poisson_off[gid]++] = (sq__poisson_link){(uint32_t)device, (float)proto->value, proto->receptor};
        sim->device_receptors |= proto->receptor != 0;
    } else {
        sim->streams[sim->stream_off[gid]++] = *proto;
    }
}

static int build_recordings(sq_sim *sim, const sq_net_spec *spec)
{
    sim->recs = calloc(spec->n_vm + 1, sizeof *sim->recs);
    if (!sim->recs)
        return SQ_ENOMEM;
    sim->n_recs = spec->n_vm;
    for (size_t r = 0; r < spec->n_vm; r++) {
        const sq_vm_spec *v = &spec->vm[r];
        sq__recording *rec = &sim->recs[r];
        rec->pop = (uint32_t)find_neuron_pop(sim, v->population);
        const sq__pop *p = &sim->pops[rec->pop];
        rec->n = v->n_ids ? v->n_ids : p->n;
        rec->interval = v->interval;
        rec->max_rows = (size_t)ceil(sim->window / v->interval) + 2;
        rec->gids = malloc(rec->n * sizeof *rec->gids);
        rec->rows = malloc(rec->max_rows * rec->n * sizeof *rec->rows);
        if (!rec->gids || !rec->rows)
            return SQ_ENOMEM;
        for (size_t k = 0; k < rec->n; k++)
            rec->gids[k] = p->first + (v->n_ids ? v->ids[k] : (uint32_t)k);
    }
    return 0;
}

/* Turns per-neuron counts into offsets: off[i] = start of neuron i, off[n] = total. */
static void prefix(uint64_t *off, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        off[i + 1] += off[i];
}

/* Undoes the fill cursors: after placing, off[i] holds the end of neuron i = start of i+1. */
static void unshift(uint64_t *off, uint32_t n)
{
    for (uint32_t i = n; i > 0; i--)
        off[i] = off[i - 1];
    off[0] = 0;
}

/* Neurons with a Poisson generator on a receptor other than the first take the engine's general
 * path, which feeds each event to its receptor. */
static int mark_receptor_targets(sq_sim *sim)
{
    if (!sim->general && !(sim->general = calloc((size_t)sim->n_neurons + 1, 1)))
        return SQ_ENOMEM;
    for (uint32_t i = 0; i < sim->n_neurons; i++)
        for (uint64_t k = sim->poisson_off[i]; k < sim->poisson_off[i + 1]; k++)
            sim->general[i] |= sim->poisson_links[k].receptor != 0;
    return 0;
}

int sq__devices_build(sq_sim *sim, const sq_net_spec *spec, sq_err *err)
{
    int rc;
    for (size_t i = 0; i < spec->n_devices; i++)
        if ((rc = check_device(sim, spec, i, err)) < 0)
            return rc;
    for (size_t r = 0; r < spec->n_vm; r++)
        if ((rc = check_recording(sim, spec, r, err)) < 0)
            return rc;
    uint32_t n = sim->n_neurons;
    sim->stream_off = calloc((size_t)n + 1, sizeof *sim->stream_off);
    sim->poisson_off = calloc((size_t)n + 1, sizeof *sim->poisson_off);
    sim->next_stream = sq__zalloc_lines(((size_t)n + 1) * sizeof *sim->next_stream);
    sim->poisson_devs = calloc(spec->n_devices + 1, sizeof *sim->poisson_devs);
    if (!sim->stream_off || !sim->poisson_off || !sim->next_stream || !sim->poisson_devs || build_recordings(sim, spec) < 0)
        return sq_fail(err, SQ_ENOMEM, "out of memory for devices");
    for (size_t i = 0; i < spec->n_devices; i++) {
        const sq_device_spec *d = &spec->devices[i];
        if (d->kind == SQ_DEVICE_POISSON)
            sq__poisson_dev_init(&sim->poisson_devs[i], d->rate, d->start + d->delay, d->stop + d->delay, sim->resolution);
    }
    for_each_pair(sim, spec, count_pair);
    prefix(sim->stream_off, n);
    prefix(sim->poisson_off, n);
    sim->streams = malloc((sim->stream_off[n] + 1) * sizeof *sim->streams);
    sim->poisson_links = malloc((sim->poisson_off[n] + 1) * sizeof *sim->poisson_links);
    sim->active = malloc(((size_t)n + 1) * sizeof *sim->active);
    if (!sim->streams || !sim->poisson_links || !sim->active)
        return sq_fail(err, SQ_ENOMEM, "out of memory for devices");
    for_each_pair(sim, spec, place_pair);
    unshift(sim->stream_off, n);
    unshift(sim->poisson_off, n);
    if (sim->device_receptors && mark_receptor_targets(sim) < 0)
        return sq_fail(err, SQ_ENOMEM, "out of memory for devices");
    sim->n_active = 0;
    for (uint32_t i = 0; i < n; i++) {
        double t = INFINITY;
        for (uint64_t k = sim->stream_off[i]; k < sim->stream_off[i + 1]; k++)
            t = fmin(t, sim->streams[k].next_t);
        sim->next_stream[i] = t;
        if (sim->stream_off[i + 1] > sim->stream_off[i] || sim->poisson_off[i + 1] > sim->poisson_off[i])
            sim->active[sim->n_active++] = i;
    }
    return 0;
}

/* The receptors of events before..n-1 (all of link l's), in part->pr (grown to p_cap). */
static int tag_receptors(sq__part *part, size_t before, size_t n, uint32_t receptor)
{
    if (part->pr_cap < part->p_cap) {
        uint8_t *pr = realloc(part->pr, part->p_cap);
        if (!pr)
            return -1;
        part->pr = pr;
        part->pr_cap = part->p_cap;
    }
    memset(part->pr + before, (int)receptor, n - before);
    return 0;
}

size_t sq__poisson_window(sq__part *part, uint32_t gid, double t0, double t1)
{
    const sq_sim *sim = part->sim;
    size_t n = 0;
    for (uint64_t k = sim->poisson_off[gid]; k < sim->poisson_off[gid + 1] && n != (size_t)-1; k++) {
        const sq__poisson_link *l = &sim->poisson_links[k];
        size_t before = n;
        n = sq__poisson_events(&sim->poisson_devs[l->device], sim->seed, l->device, gid, t0, t1, l->weight, &part->pt,
                               &part->pw, n, &part->p_cap);
        if (n != (size_t)-1 && sim->device_receptors && tag_receptors(part, before, n, l->receptor) < 0)
            return (size_t)-1;
        if (before > 0 && n != (size_t)-1) {
            /* Several generators: merge this train into the earlier ones, stably (earlier device first). */
            for (size_t i = before; i < n; i++) {
                double t = part->pt[i];
                float w = part->pw[i];
                uint8_t r = part->pr ? part->pr[i] : 0;
                size_t j = i;
                while (j > 0 && part->pt[j - 1] > t) {
                    part->pt[j] = part->pt[j - 1];
                    part->pw[j] = part->pw[j - 1];
                    if (part->pr)
                        part->pr[j] = part->pr[j - 1];
                    j--;
                }
                part->pt[j] = t;
                part->pw[j] = w;
                if (part->pr)
                    part->pr[j] = r;
            }
        }
    }
    return n;
}

void sq__stream_fire(sq__part *part, uint32_t gid)
{
    sq_sim *sim = part->sim;
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const sq_neuron_model *m = p->model;
    sq__stream *first = &sim->streams[sim->stream_off[gid]], *last = &sim->streams[sim->stream_off[gid + 1]];
    sq__stream *s = first;
    for (sq__stream *x = first + 1; x < last; x++)
        if (x->next_t < s->next_t)
            s = x;
    double t = s->next_t;
    double *st = sq__state(p, gid);
    if (s->kind == SQ__STREAM_DC) {
        sq__advance_to(part, gid, t);
        /* The caller (the engine's general path) files the neuron's next check afterwards. */
        double di = s->dc_on ? -s->value : s->value;
        if (s->receptor && m->add_current_receptor)
            m->add_current_receptor(sq__params(p, gid), sq__derived(p, gid), st, di, s->receptor);
        else
            m->add_current(sq__params(p, gid), sq__derived(p, gid), st, di);
        s->dc_on = !s->dc_on;
        s->next_t = s->dc_on && isfinite(s->stop) ? s->stop : INFINITY;
    } else { /* SQ__STREAM_SAMPLE */
        /* V_m at t from a copy of the state: sampling must not split the neuron's integration
         * intervals, or recording a neuron would change its rounding and so, in time, its
         * spikes. The copy's spikes are the real neuron's, emitted when it gets there. */
        double copy[SQ_MAX_STATE], t_spike;
        memcpy(copy, st, m->n_state * sizeof *copy);
        while (m->advance(sq__params(p, gid), sq__derived(p, gid), copy, t, &t_spike))
            ;
        sq__recording *rec = &sim->recs[s->rec];
        int64_t j = llround(t / s->value);
        rec->rows[(size_t)(j - rec->j_first) * rec->n + s->slot] = copy[m->v_index];
        s->next_t = (double)(j + 1) * s->value;
    }
    double next = INFINITY;
    for (sq__stream *x = first; x < last; x++)
        next = fmin(next, x->next_t);
    sim->next_stream[gid] = next;
}
