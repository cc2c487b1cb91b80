/* encoders/dvs_emulator.c: the ESIM / v2e pixel model (see dvs_emulator.h for the equations and the
 * sources). Per pixel the state is the reference level, the log intensity of the last frame, the
 * time of the last emitted event and the two thresholds. Invariant between frames (ESIM's, exact):
 * -C_off < L - ref < C_on, so the crossings of one interval are ref + k C for k = 1, 2, ... in the
 * direction of the change, and the loop below finds them all. */
#include "dvs_emulator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/rng.h"

/* One event of the current interval: key = (us since the interval's first us) << 32 | pixel, so
 * that sorting keys sorts by time, then row, then column. */
typedef struct {
    uint64_t key;
    uint8_t p;
} step_event;

struct sq_emulator {
    uint16_t w, h;
    sq_emulator_params par;
    double *ref, *prev, *last_t; /* per pixel: reference level, L of the last frame, last event (us) */
    float *c_on, *c_off;         /* per-pixel thresholds */
    float *prev_in;              /* the last frame's intensities: an unchanged pixel costs no log */
    double t_prev;               /* us */
    step_event *ev;              /* this interval's events */
    size_t n_ev, cap_ev;
    step_event *sorted;          /* counting-sort output, cap_ev entries */
    size_t *bucket;              /* counting-sort offsets, one per us of the interval (+1) */
    size_t n_bucket;
};

/* Intervals up to this many us are sorted by counting (events arrive in pixel order, so a stable
 * counting sort on the time gives time-then-pixel order); longer ones fall back to qsort. */
#define COUNTING_SORT_US 65536

void sq_emulator_params_default(sq_emulator_params *p)
{
    *p = (sq_emulator_params){.c_on = 0.2, .c_off = 0.2, .sigma = 0.03, .c_min = 0.01, .eps = 1e-3,
                              .refractory_us = 0.0, .seed = 1, .max_frame_events = (size_t)1 << 24};
}

/* Bounds that keep a frame interval's work finite: at most ln((1 + eps) / eps) / c_min crossings
 * per pixel, 13,800 with the smallest allowed values (ln 255 / c_min = 5,500 with lin_log). */
int sq_emulator_params_check(const sq_emulator_params *p, const char *where, sq_err *err)
{
    static const char *const names[] = {"c_on", "c_off", "sigma", "c_min", "eps", "refractory"};
    const double v[] = {p->c_on, p->c_off, p->sigma, p->c_min, p->eps, p->refractory_us};
    const double lo[] = {1e-3, 1e-3, 0.0, 1e-3, 1e-6, 0.0};
    const double hi[] = {100.0, 100.0, 100.0, 100.0, 1.0, 1e12};
    for (size_t i = 0; i < SQ_COUNT(names); i++)
        if (!(v[i] >= lo[i] && v[i] <= hi[i]))
            return sq_fail(err, SQ_ECONFIG, "%s.%s: expected a number in [%g, %g]%s, got %g", where,
                           names[i], lo[i], hi[i], i == 5 ? " us" : "", v[i]);
    if (p->max_frame_events < 1 || p->max_frame_events > ((size_t)1 << 32))
        return sq_fail(err, SQ_ECONFIG, "%s.max_frame_events: expected 1 to 2^32, got %zu", where,
                       p->max_frame_events);
    return 0;
}

int sq_emulator_create(uint16_t width, uint16_t height, const sq_emulator_params *p, sq_emulator **out,
                       sq_err *err)
{
    *out = NULL;
    if (width < 1 || height < 1 || width > 4096 || height > 4096)
        return sq_fail(err, SQ_EINVAL, "emulator: sensor: expected 1 to 4096 pixels a side, got %u x %u",
                       width, height);
    int rc = sq_emulator_params_check(p, "emulator", err);
    if (rc < 0)
        return rc;
    size_t n = (size_t)width * height;
    sq_emulator *e = calloc(1, sizeof *e);
    if (!e)
        return sq_fail(err, SQ_ENOMEM, "emulator: out of memory");
    e->w = width;
    e->h = height;
    e->par = *p;
    e->ref = malloc(n * sizeof *e->ref);
    e->prev = malloc(n * sizeof *e->prev);
    e->last_t = malloc(n * sizeof *e->last_t);
    e->c_on = malloc(n * sizeof *e->c_on);
    e->c_off = malloc(n * sizeof *e->c_off);
    e->prev_in = malloc(n * sizeof *e->prev_in);
    if (!e->ref || !e->prev || !e->last_t || !e->c_on || !e->c_off || !e->prev_in) {
        sq_emulator_destroy(e);
        return sq_fail(err, SQ_ENOMEM, "emulator: out of memory for %u x %u pixels", width, height);
    }
    for (size_t i = 0; i < n; i++) {
        /* Two draws of the pixel's own stream: ON then OFF, so a pixel's thresholds do not depend
         * on the sensor's size. */
        sq_rng r;
        sq_rng_init(&r, p->seed, sq_stream_id(SQ_STREAM_EMULATOR, 0, i));
        double on = p->c_on, off = p->c_off;
        if (p->sigma > 0.0) {
            on += p->sigma * sq_rng_normal(&r);
            off += p->sigma * sq_rng_normal(&r);
        }
        e->c_on[i] = (float)fmax(on, p->c_min);
        e->c_off[i] = (float)fmax(off, p->c_min);
    }
    *out = e;
    return 0;
}

void sq_emulator_destroy(sq_emulator *e)
{
    if (!e)
        return;
    free(e->ref);
    free(e->prev);
    free(e->last_t);
    free(e->c_on);
    free(e->c_off);
    free(e->prev_in);
    free(e->ev);
    free(e->sorted);
    free(e->bucket);
    free(e);
}

void sq_emulator_thresholds(const sq_emulator *e, uint16_t x, uint16_t y, double *c_on, double *c_off)
{
    size_t i = (size_t)y * e->w + x;
    *c_on = e->c_on[i];
    *c_off = e->c_off[i];
}

static double log_intensity(const sq_emulator *e, float v)
{
    double x = v < 0.0f ? 0.0 : v > 1.0f ? 1.0 : (double)v;
    if (!e->par.lin_log)
        return log(e->par.eps + x);
    /* v2e emulator_utils.lin_log (threshold 20 on 0-255): continuous at 20, rounding omitted. */
    x *= 255.0;
    return x <= 20.0 ? x * (log(20.0) / 20.0) : log(x);
}

void sq_emulator_reset(sq_emulator *e, const float *frame, double t_us)
{
    size_t n = (size_t)e->w * e->h;
    for (size_t i = 0; i < n; i++) {
        e->ref[i] = e->prev[i] = log_intensity(e, frame[i]);
        e->prev_in[i] = frame[i];
        e->last_t[i] = -INFINITY;
    }
    e->t_prev = t_us;
}

static int push_step_event(sq_emulator *e, uint64_t key, uint8_t p)
{
    if (e->n_ev >= e->par.max_frame_events)
        return SQ_ERANGE;
    if (e->n_ev == e->cap_ev) {
        size_t cap = e->cap_ev ? 2 * e->cap_ev : 4096;
        step_event *ev = cap <= SIZE_MAX / sizeof *ev ? realloc(e->ev, cap * sizeof *ev) : NULL;
        if (!ev)
            return SQ_ENOMEM;
        e->ev = ev;
        step_event *sorted = realloc(e->sorted, cap * sizeof *sorted);
        if (!sorted)
            return SQ_ENOMEM;
        e->sorted = sorted;
        e->cap_ev = cap;
    }
    e->ev[e->n_ev++] = (step_event){key, p};
    return 0;
}

/* ESIM's crossing loop for pixel i between L = it at t0 and L = itdt at t1 (rpg_esim
 * event_simulator.cpp): the reference moves even when refractoriness drops the event. */
static int pixel_crossings(sq_emulator *e, size_t i, double it, double itdt, double t0, double t1,
                           double us0)
{
    if (fabs(itdt - it) <= 1e-12)
        return 0;
    int up = itdt > it;
    double c = up ? e->c_on[i] : -(double)e->c_off[i];
    double slope = (t1 - t0) / (itdt - it);
    for (double cross = e->ref[i] + c; up ? (cross > it && cross <= itdt) : (cross < it && cross >= itdt);
         cross = e->ref[i] + c) {
        e->ref[i] = cross;
        /* cross is in (it, itdt], so t is in (t0, t1]; the clamp undoes rounding, which would
         * otherwise put an event past its frame (and past the sort's last bucket). */
        double t = fmin(t0 + (cross - it) * slope, t1);
        if (t - e->last_t[i] < e->par.refractory_us)
            continue;
        e->last_t[i] = t;
        uint64_t rel = (uint64_t)(llround(t) - (int64_t)us0);
        int rc = push_step_event(e, rel << 32 | i, (uint8_t)up);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int key_cmp(const void *a, const void *b)
{
    uint64_t x = ((const step_event *)a)->key, y = ((const step_event *)b)->key;
    return (x > y) - (x < y);
}

/* Orders the interval's events by key; returns the sorted array (e->ev or e->sorted), or NULL when
 * out of memory. */
static const step_event *sort_events(sq_emulator *e, size_t span_us)
{
    if (span_us > COUNTING_SORT_US) {
        qsort(e->ev, e->n_ev, sizeof *e->ev, key_cmp);
        return e->ev;
    }
    if (span_us + 1 > e->n_bucket) {
        size_t *b = realloc(e->bucket, (span_us + 1) * sizeof *b);
        if (!b)
            return NULL;
        e->bucket = b;
        e->n_bucket = span_us + 1;
    }
    memset(e->bucket, 0, (span_us + 1) * sizeof *e->bucket);
    for (size_t k = 0; k < e->n_ev; k++)
        e->bucket[e->ev[k].key >> 32]++;
    for (size_t u = 0, sum = 0; u <= span_us; u++) {
        size_t c = e->bucket[u];
        e->bucket[u] = sum;
        sum += c;
    }
    for (size_t k = 0; k < e->n_ev; k++)
        e->sorted[e->bucket[e->ev[k].key >> 32]++] = e->ev[k];
    return e->sorted;
}

int sq_emulator_step(sq_emulator *e, const float *frame, double t_us, sq_dvs_stream *out, sq_err *err)
{
    /* The upper bound keeps an event's offset within the interval in the 32 bits of its sort key. */
    if (!(t_us > e->t_prev && t_us - e->t_prev < 1e9))
        return sq_fail(err, SQ_EINVAL, "emulator: frame time: expected more than the previous frame's %g us "
                       "(and less than 1e9 us after it), got %g", e->t_prev, t_us);
    size_t n = (size_t)e->w * e->h;
    double us0 = floor(e->t_prev);
    size_t span_us = (size_t)(llround(t_us) - (int64_t)us0);
    e->n_ev = 0;
    /* Locals, so that the calls to log() do not force the arrays' addresses to be reloaded. */
    float *prev_in = e->prev_in;
    double *prev = e->prev, *ref = e->ref;
    const float *c_on = e->c_on, *c_off = e->c_off;
    for (size_t i = 0; i < n; i++) {
        if (frame[i] == prev_in[i])
            continue;
        prev_in[i] = frame[i];
        double l0 = prev[i], l1 = log_intensity(e, frame[i]);
        prev[i] = l1;
        /* Most changed pixels cross nothing: the first crossing ref +- C must lie within reach. */
        if (l1 > l0 ? ref[i] + (double)c_on[i] > l1 : ref[i] - (double)c_off[i] < l1)
            continue;
        int rc = pixel_crossings(e, i, l0, l1, e->t_prev, t_us, us0);
        if (rc == SQ_ERANGE)
            return sq_fail(err, rc, "emulator: expected at most max_frame_events = %zu events in one frame interval, "
                           "got more (lower the contrast, raise the thresholds or shorten the step)",
                           e->par.max_frame_events);
        if (rc < 0)
            return sq_fail(err, SQ_ENOMEM, "emulator: out of memory for the events of one frame");
    }
    e->t_prev = t_us;
    if (e->n_ev == 0)
        return 0;
    const step_event *se = sort_events(e, span_us);
    size_t need = out->n + e->n_ev;
    /* Geometric growth, so that a recording of many frames costs amortised O(1) per event. */
    if (!se || (need > out->cap && sq_dvs_stream_reserve(out, need > 2 * out->cap ? need : 2 * out->cap) < 0))
        return sq_fail(err, SQ_ENOMEM, "emulator: out of memory for %zu events", need);
    for (size_t k = 0; k < e->n_ev; k++) {
        uint32_t pix = (uint32_t)se[k].key;
        out->ev[out->n++] = (sq_dvs_event){(int64_t)us0 + (int64_t)(se[k].key >> 32), (uint16_t)(pix % e->w),
                                           (uint16_t)(pix / e->w), se[k].p};
    }
    return 0;
}
