/* encoders/frames.c: SpikingJelly's frame integration (spikingjelly/datasets/utils.py:
 * cal_fixed_frames_number_segment_index and integrate_events_segment_to_frame; ../shared/specs/data.md
 * §2.5) and event-level downsampling (§2.6). Tested in tests/test_frames.c (hand-computed bounds and
 * counts, empty windows, unsorted times) and tests/test_frames_sj.py (a fixture file framed by the
 * CLI against numpy re-implementing SJ); framing speed in the dvs_decode benchmark. */
#include "frames.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COUNTS (1u << 31)

int sq_split_by_parse(const char *name, sq_split_by *out)
{
    if (strcmp(name, "number") == 0)
        *out = SQ_SPLIT_NUMBER;
    else if (strcmp(name, "time") == 0)
        *out = SQ_SPLIT_TIME;
    else
        return SQ_EINVAL;
    return 0;
}

const char *sq_split_by_name(sq_split_by split)
{
    return split == SQ_SPLIT_TIME ? "time" : "number";
}

/* 'time' split in one pass: an event's window is floor((t - t0) / dt) when that lies in [0, T); the
 * first and last event of each window (in stream order) give j_l and j_r, as SJ's masks do. Unsigned
 * differences, taken only when t >= t0, cannot overflow whatever the int64 times. */
static void time_bounds(const sq_dvs_event *ev, size_t n, uint32_t T, size_t *j_l, size_t *j_r)
{
    for (uint32_t i = 0; i < T; i++)
        j_l[i] = SIZE_MAX, j_r[i] = 0;
    int64_t t0 = n ? ev[0].t : 0;
    uint64_t dt = n && ev[n - 1].t > t0 ? ((uint64_t)ev[n - 1].t - (uint64_t)t0) / T : 0;
    for (size_t j = 0; dt > 0 && j < n; j++) {
        if (ev[j].t < t0)
            continue;
        uint64_t w = ((uint64_t)ev[j].t - (uint64_t)t0) / dt;
        if (w >= T)
            continue;
        if (j_l[w] == SIZE_MAX)
            j_l[w] = j;
        j_r[w] = j + 1;
    }
    size_t prev = 0; /* an empty window starts and ends where the previous frame ended */
    for (uint32_t i = 0; i < T; i++) {
        if (j_l[i] == SIZE_MAX)
            j_l[i] = j_r[i] = prev;
        prev = j_r[i];
    }
}

int sq_dvs_frame_bounds(const sq_dvs_event *ev, size_t n, sq_split_by split, uint32_t T, size_t *j_l, size_t *j_r,
                        sq_err *err)
{
    if (T == 0)
        return sq_fail(err, SQ_EINVAL, "frames: T: expected at least 1 frame, got 0");
    if (split == SQ_SPLIT_TIME) {
        time_bounds(ev, n, T, j_l, j_r);
    } else {
        size_t di = n / T;
        for (uint32_t i = 0; i < T; i++)
            j_l[i] = i * di, j_r[i] = i * di + di;
    }
    j_r[T - 1] = n;
    return 0;
}

static int check_size(const sq_dvs_stream *s, uint32_t width, uint32_t height, sq_err *err)
{
    if (width == 0 || height == 0 || width > s->width || height > s->height)
        return sq_fail(err, SQ_EINVAL, "frames: size: expected 1 to %u x %u (the sensor), got %u x %u", s->width,
                       s->height, width, height);
    return 0;
}

static int check_events(const sq_dvs_stream *s, sq_err *err)
{
    for (size_t j = 0; j < s->n; j++)
        if (s->ev[j].x >= s->width || s->ev[j].y >= s->height || s->ev[j].p > 1)
            return sq_fail(err, SQ_EINVAL, "frames: event %zu: expected x < %u, y < %u and p 0 or 1, got (%u, %u, %u)",
                           j, s->width, s->height, s->ev[j].x, s->ev[j].y, s->ev[j].p);
    return 0;
}

/* Counts events [lo, hi) into one frame. col[x] and row[y] (y's scaled row times the frame width)
 * hold the downsampled coordinates, so the loop does no division. */
static void integrate(const sq_dvs_event *ev, size_t lo, size_t hi, const uint32_t *col, const uint32_t *row,
                      size_t plane, uint32_t *frame)
{
    for (size_t j = lo; j < hi; j++)
        frame[ev[j].p * plane + row[ev[j].y] + col[ev[j].x]]++;
}

static int integrate_all(const sq_dvs_stream *s, sq_dvs_frames *f, sq_err *err)
{
    uint32_t *col = malloc((s->width + (size_t)s->height) * sizeof *col), *row = col + s->width;
    if (!col)
        return sq_fail(err, SQ_ENOMEM, "frames: out of memory");
    for (uint32_t x = 0; x < s->width; x++)
        col[x] = x * f->width / s->width;
    for (uint32_t y = 0; y < s->height; y++)
        row[y] = y * f->height / s->height * f->width;
    size_t plane = (size_t)f->width * f->height;
    for (uint32_t i = 0; i < f->T; i++)
        if (f->j_l[i] < f->j_r[i])
            integrate(s->ev, f->j_l[i], f->j_r[i], col, row, plane, f->counts + (size_t)i * 2 * plane);
    free(col);
    return 0;
}

int sq_dvs_frames_make(const sq_dvs_stream *s, sq_split_by split, uint32_t T, uint32_t width, uint32_t height,
                       sq_dvs_frames *out, sq_err *err)
{
    memset(out, 0, sizeof *out);
    int rc;
    if ((rc = check_size(s, width, height, err)) < 0 || (rc = check_events(s, err)) < 0)
        return rc;
    if (T == 0)
        return sq_fail(err, SQ_EINVAL, "frames: T: expected at least 1 frame, got 0");
    uint64_t n_counts = (uint64_t)T * 2 * width * height;
    if (n_counts > MAX_COUNTS)
        return sq_fail(err, SQ_ERANGE, "frames: T x 2 x %u x %u = %llu counts: expected at most 2^31", height, width,
                       (unsigned long long)n_counts);
    sq_dvs_frames f = {.T = T, .width = width, .height = height};
    f.counts = calloc((size_t)n_counts, sizeof *f.counts);
    f.j_l = malloc(T * sizeof *f.j_l);
    f.j_r = malloc(T * sizeof *f.j_r);
    if (!f.counts || !f.j_l || !f.j_r) {
        sq_dvs_frames_free(&f);
        return sq_fail(err, SQ_ENOMEM, "frames: cannot allocate %llu counts", (unsigned long long)n_counts);
    }
    sq_dvs_frame_bounds(s->ev, s->n, split, T, f.j_l, f.j_r, err);
    if ((rc = integrate_all(s, &f, err)) < 0) {
        sq_dvs_frames_free(&f);
        return rc;
    }
    *out = f;
    return 0;
}

void sq_dvs_frames_free(sq_dvs_frames *f)
{
    if (!f)
        return;
    free(f->counts);
    free(f->j_l);
    free(f->j_r);
    memset(f, 0, sizeof *f);
}

int sq_dvs_downsample(sq_dvs_stream *s, uint32_t width, uint32_t height, sq_err *err)
{
    int rc = check_size(s, width, height, err);
    if (rc < 0)
        return rc;
    for (size_t j = 0; j < s->n; j++) {
        s->ev[j].x = (uint16_t)((uint32_t)s->ev[j].x * width / s->width);
        s->ev[j].y = (uint16_t)((uint32_t)s->ev[j].y * height / s->height);
    }
    s->width = (uint16_t)width;
    s->height = (uint16_t)height;
    return 0;
}
