/* sim/devices.c: devices and membrane-potential recordings as per-neuron event streams.
 *
 * A device acts on each target through its own stream of timed events: a Poisson generator is an
 * independent Poisson train per target (NEST poisson_generator), drawn from the counter-based
 * stream (seed, device, target), so it does not depend on thread count or on other targets; a DC
 * generator is two events (switch on, switch off); a V_m recording is one event per sample time.
 * The engine applies a neuron's stream events in time order, before any synaptic input at the
 * same or a later time, so a sample sees V_m just before an input arriving at that instant. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int find_neuron_pop(const sq_sim *sim, const char *name)
{
    for (size_t i = 0; name && i < sim->n_pops; i++)
        if (strcmp(sim->pops[i].name, name) == 0)
            return (int)i;
    return -1;
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

/* Calls fn for every (neuron, stream) pair in a fixed order: devices in spec order, then
 * recordings; count is 1 on the counting pass. */
typedef void (*stream_fn)(sq_sim *sim, uint32_t gid, const sq__stream *proto, size_t device);

static void for_each_stream(sq_sim *sim, const sq_net_spec *spec, stream_fn fn)
{
    for (size_t i = 0; i < spec->n_devices; i++) {
        const sq_device_spec *d = &spec->devices[i];
        sq__stream proto = {0};
        proto.stop = d->stop;
        if (d->kind == SQ_DEVICE_POISSON) {
            proto.kind = SQ__STREAM_POISSON;
            proto.value = d->weight;
            proto.rate = d->rate * 1e-3; /* Hz -> per ms */
            proto.next_t = d->start + d->delay;
            proto.stop = d->stop + d->delay;
        } else {
            proto.kind = SQ__STREAM_DC;
            proto.value = d->amplitude;
            proto.next_t = d->start;
        }
        for (size_t k = 0; k < d->n_targets; k++) {
            const sq__pop *p = &sim->pops[find_neuron_pop(sim, d->targets[k])];
            for (uint32_t j = 0; j < p->n; j++)
                fn(sim, p->first + j, &proto, i);
        }
    }
    for (size_t r = 0; r < spec->n_vm; r++) {
        const sq__recording *rec = &sim->recs[r];
        for (size_t k = 0; k < rec->n; k++) {
            sq__stream proto = {0};
            proto.kind = SQ__STREAM_SAMPLE;
            proto.next_t = 0.0;
            proto.rate = rec->interval;
            proto.rec = (uint32_t)r;
            proto.slot = (uint32_t)k;
            fn(sim, rec->gids[k], &proto, 0);
        }
    }
}

static void count_stream(sq_sim *sim, uint32_t gid, const sq__stream *proto, size_t device)
{
    (void)proto;
    (void)device;
    sim->stream_off[gid + 1]++;
}

static void place_stream(sq_sim *sim, uint32_t gid, const sq__stream *proto, size_t device)
{
    /* stream_off[gid] is used as a fill cursor here and restored afterwards. */
    sq__stream *s = &sim->streams[sim->stream_off[gid]++];
    *s = *proto;
    if (s->kind == SQ__STREAM_POISSON) {
        sq_rng_init(&s->rng, sim->seed, sq_stream_id(SQ_STREAM_DEVICE, device, gid));
        s->next_t = s->rate > 0.0 ? s->next_t + sq_rng_exponential(&s->rng) / s->rate : INFINITY;
        if (!(s->next_t < s->stop))
            s->next_t = INFINITY;
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
    sim->next_stream = malloc(((size_t)n + 1) * sizeof *sim->next_stream);
    if (!sim->stream_off || !sim->next_stream || build_recordings(sim, spec) < 0)
        return sq_fail(err, SQ_ENOMEM, "out of memory for devices");
    for_each_stream(sim, spec, count_stream);
    uint32_t with = 0;
    for (uint32_t i = 0; i < n; i++) {
        with += sim->stream_off[i + 1] > 0;
        sim->stream_off[i + 1] += sim->stream_off[i];
    }
    sim->streams = malloc((sim->stream_off[n] + 1) * sizeof *sim->streams);
    sim->stream_neurons = malloc(((size_t)with + 1) * sizeof *sim->stream_neurons);
    if (!sim->streams || !sim->stream_neurons)
        return sq_fail(err, SQ_ENOMEM, "out of memory for devices");
    for_each_stream(sim, spec, place_stream);
    for (uint32_t i = n; i > 0; i--) /* undo the fill cursors: stream_off[i] = end of i-1 */
        sim->stream_off[i] = sim->stream_off[i - 1];
    sim->stream_off[0] = 0;
    sim->n_stream_neurons = 0;
    for (uint32_t i = 0; i < n; i++) {
        double t = INFINITY;
        for (uint64_t k = sim->stream_off[i]; k < sim->stream_off[i + 1]; k++)
            t = fmin(t, sim->streams[k].next_t);
        sim->next_stream[i] = t;
        if (sim->stream_off[i + 1] > sim->stream_off[i])
            sim->stream_neurons[sim->n_stream_neurons++] = i;
    }
    return 0;
}

void sq__stream_fire(sq_sim *sim, uint32_t gid)
{
    const sq__pop *p = &sim->pops[sim->pop_of[gid]];
    const sq_neuron_model *m = p->model;
    sq__stream *first = &sim->streams[sim->stream_off[gid]], *last = &sim->streams[sim->stream_off[gid + 1]];
    sq__stream *s = first;
    for (sq__stream *x = first + 1; x < last; x++)
        if (x->next_t < s->next_t)
            s = x;
    double t = s->next_t;
    sq__advance_to(sim, gid, t);
    double *st = sq__state(p, gid);
    const double *pp = sq__params(sim, p, gid), *dd = sq__derived(p, gid);
    switch (s->kind) {
    case SQ__STREAM_POISSON:
        if (m->input(pp, dd, st, s->value))
            sq__emit(sim, t, gid);
        sq__recheck(sim, gid);
        s->next_t = t + sq_rng_exponential(&s->rng) / s->rate;
        if (!(s->next_t < s->stop))
            s->next_t = INFINITY;
        break;
    case SQ__STREAM_DC:
        m->add_current(pp, dd, st, s->dc_on ? -s->value : s->value);
        sq__recheck(sim, gid);
        s->dc_on = !s->dc_on;
        s->next_t = s->dc_on && isfinite(s->stop) ? s->stop : INFINITY;
        break;
    default: { /* SQ__STREAM_SAMPLE; s->rate holds the interval */
        sq__recording *rec = &sim->recs[s->rec];
        int64_t j = llround(t / s->rate);
        rec->rows[(size_t)(j - rec->j_first) * rec->n + s->slot] = st[m->v_index];
        s->next_t = (double)(j + 1) * s->rate;
    }
    }
    double next = INFINITY;
    for (sq__stream *x = first; x < last; x++)
        next = fmin(next, x->next_t);
    sim->next_stream[gid] = next;
}
