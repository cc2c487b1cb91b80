/* encoders/dvs_frames.c: an event-camera recording binned into T frames exactly as SpikingJelly
 * frames CIFAR10-DVS for clock-driven SNNs (encoders/frames.h: split by event number, or with
 * by_time by equal time windows; the last frame takes the remainder; optional downsampling to
 * size x size), and frame i presented at t0 + i dt: each (channel, pixel) with a non-zero count
 * fires once (binary, the default) or count times, into the 2 x H x W population with the index
 * convention of the dvs encoder, p * H * W + y * W + x. Tested in tests/test_encoders.c against
 * frames counted by hand. */
#include <math.h>

#include "encoder.h"
#include "frames.h"

enum { T_FRAMES, DT, BY_TIME, BINARY, SIZE };

static const sq_param_info params[] = {
    {"T", "1", 10.0, SQ_POSITIVE, "frames a sample is binned into"},
    {"dt", "ms", 1.0, SQ_POSITIVE, "time between frames: frame i at i dt"},
    {"by_time", "bool", 0.0, SQ_ANY, "split by equal time windows (false: by equal event numbers)"},
    {"binary", "bool", 1.0, SQ_ANY, "one spike for a non-zero count (false: count spikes)"},
    {"size", "1", 0.0, SQ_NONNEGATIVE, "downsample to size x size pixels (0: the sensor's size)"},
};

static int check(const double *v, double sample_time, const char *where, sq_err *err)
{
    if (v[T_FRAMES] != floor(v[T_FRAMES]) || v[T_FRAMES] > 1e5)
        return sq_fail(err, SQ_ECONFIG, "%s.T: expected an integer from 1 to 1e5, got %g", where, v[T_FRAMES]);
    if (!((v[T_FRAMES] - 1.0) * v[DT] < sample_time))
        return sq_fail(err, SQ_ECONFIG, "%s.dt: expected T frames dt apart within sample_time = %g ms, got the last at "
                       "%g ms", where, sample_time, (v[T_FRAMES] - 1.0) * v[DT]);
    if (v[SIZE] != floor(v[SIZE]) || v[SIZE] > 4096)
        return sq_fail(err, SQ_ECONFIG, "%s.size: expected an integer from 0 to 4096, got %g", where, v[SIZE]);
    return 0;
}

/* Binary frames give at most one spike per frame and neuron; counts are bounded only by the
 * recording, so they rely on the list's limit (0: no bound known in advance). */
static double spikes_per_sample(const double *v, double sample_time, uint32_t n)
{
    (void)sample_time;
    return v[BINARY] != 0.0 ? v[T_FRAMES] * n : 0.0;
}

static uint32_t out_side(const double *v)
{
    return (uint32_t)v[SIZE];
}

static int emit(const sq_encode_ctx *c, const sq_dvs_frames *f, sq_spike_list *out, sq_err *err)
{
    size_t per_frame = 2 * (size_t)f->width * f->height;
    for (uint32_t i = 0; i < f->T; i++) {
        const uint32_t *counts = f->counts + i * per_frame;
        double t = c->t0 + (double)i * c->v[DT];
        for (size_t id = 0; id < per_frame; id++) {
            uint32_t k = c->v[BINARY] != 0.0 && counts[id] ? 1 : counts[id];
            for (uint32_t j = 0; j < k; j++) {
                int rc = sq__encode_push(c, out, (uint32_t)id, t, err);
                if (rc < 0)
                    return rc;
            }
        }
    }
    return 0;
}

static int encode(const sq_encode_ctx *c, const sq_dvs_stream *s, uint32_t n, sq_spike_list *out, sq_err *err)
{
    uint32_t side = out_side(c->v), w = side ? side : s->width, h = side ? side : s->height;
    if (n != 2 * w * h)
        return sq_fail(err, SQ_ECONFIG, "%s: expected a population of 2 x %u x %u = %u neurons for sample %llu, "
                       "got n = %u", c->where, h, w, 2 * w * h, (unsigned long long)c->sample, n);
    sq_dvs_frames f;
    int rc = sq_dvs_frames_make(s, c->v[BY_TIME] != 0.0 ? SQ_SPLIT_TIME : SQ_SPLIT_NUMBER, (uint32_t)c->v[T_FRAMES],
                                w, h, &f, err);
    if (rc < 0)
        return rc;
    rc = emit(c, &f, out, err);
    sq_dvs_frames_free(&f);
    return rc;
}

const sq_encoder sq_encoder_dvs_frames = {
    .name = "dvs_frames",
    .doc = "event-camera recording binned into T frames (SpikingJelly's split), frame i at i dt",
    .events = 1,
    .params = params,
    .n_params = SQ_COUNT(params),
    .check = check,
    .spikes_per_sample = spikes_per_sample,
    .stream = encode,
    .out_side = out_side,
};
