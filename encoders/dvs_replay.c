/* encoders/dvs_replay.c: an event-camera recording replayed into a 2 x H x W input population, one
 * spike per event at t0 + (t - t_first) / 1000 ms (t in us; the first event of the recording at
 * the sample's start, as SpikingJelly's framing subtracts t[0]). Neuron index of event (x, y, p):
 *     p * H * W + y * W + x     (p = 0 OFF, 1 ON; the channel-major order of SpikingJelly's
 *                                [2, H, W] frames, flattened).
 * With size > 0 the events are first downsampled to size x size (x' = x * size / W, data.md §2.6);
 * time_scale multiplies the recording's time (0.1: a 1.3 s CIFAR10-DVS recording in 130 ms).
 * Events later than sample_time after the first are an error unless truncate is set, which drops
 * them. Nothing else is dropped or merged: the replay is lossless (tests/test_encoders.c). */
#include <stdlib.h>
#include <string.h>

#include "encoder.h"
#include "frames.h"

enum { TRUNCATE, SIZE, TIME_SCALE };

static const sq_param_info params[] = {
    {"truncate", "bool", 0.0, SQ_ANY, "drop events later than sample_time (false: an error)"},
    {"size", "1", 0.0, SQ_NONNEGATIVE, "downsample to size x size pixels (0: the sensor's size)"},
    {"time_scale", "1", 1.0, SQ_POSITIVE, "ms of simulation per ms of recording"},
};

static int check(const double *v, double sample_time, const char *where, sq_err *err)
{
    (void)sample_time;
    if (v[SIZE] != (double)(uint32_t)v[SIZE] || v[SIZE] > 4096)
        return sq_fail(err, SQ_ECONFIG, "%s.size: expected an integer from 0 to 4096, got %g", where, v[SIZE]);
    return 0;
}

static uint32_t out_side(const double *v)
{
    return (uint32_t)v[SIZE];
}

static int replay(const sq_encode_ctx *c, const sq_dvs_stream *s, uint32_t n, sq_spike_list *out, sq_err *err)
{
    size_t hw = (size_t)s->width * s->height;
    if (n != 2 * hw)
        return sq_fail(err, SQ_ECONFIG, "%s: expected a population of 2 x %u x %u = %zu neurons for sample %llu, "
                       "got n = %u", c->where, s->height, s->width, 2 * hw, (unsigned long long)c->sample, n);
    if (s->n == 0)
        return 0;
    int64_t t_first = s->ev[0].t;
    for (size_t k = 0; k < s->n; k++) {
        const sq_dvs_event *e = &s->ev[k];
        double t = (double)(e->t - t_first) * 1e-3 * c->v[TIME_SCALE];
        if (t < 0.0 || e->x >= s->width || e->y >= s->height)
            return sq_fail(err, SQ_EFORMAT, "%s: sample %llu: event %zu: expected time-ordered events inside the "
                           "%u x %u sensor, got t = %lld us, x = %u, y = %u", c->where, (unsigned long long)c->sample,
                           k, s->width, s->height, (long long)e->t, e->x, e->y);
        if (!(t < c->sample_time)) {
            if (c->v[TRUNCATE] != 0.0)
                continue;
            return sq_fail(err, SQ_ECONFIG, "%s.sample_time: expected at least the recording's length, got %g ms "
                           "(sample %llu has an event at %g ms; set truncate to drop the rest)", c->where,
                           c->sample_time, (unsigned long long)c->sample, t);
        }
        uint32_t id = (uint32_t)(e->p ? hw : 0) + (uint32_t)e->y * s->width + e->x;
        int rc = sq__encode_push(c, out, id, c->t0 + t, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int encode(const sq_encode_ctx *c, const sq_dvs_stream *s, uint32_t n, sq_spike_list *out, sq_err *err)
{
    uint32_t side = out_side(c->v);
    if (!side || (side == s->width && side == s->height))
        return replay(c, s, n, out, err);
    sq_dvs_stream small = {malloc((s->n ? s->n : 1) * sizeof *small.ev), s->n, s->n, s->width, s->height};
    if (!small.ev)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory for %zu events", c->where, s->n);
    if (s->n)
        memcpy(small.ev, s->ev, s->n * sizeof *small.ev);
    int rc = sq_dvs_downsample(&small, side, side, err);
    if (rc == 0)
        rc = replay(c, &small, n, out, err);
    free(small.ev);
    return rc;
}

const sq_encoder sq_encoder_dvs = {
    .name = "dvs",
    .doc = "event-camera events replayed at their timestamps into 2 x H x W neurons (p * H * W + y * W + x)",
    .events = 1,
    .params = params,
    .n_params = SQ_COUNT(params),
    .check = check,
    .stream = encode,
    .out_side = out_side,
};
