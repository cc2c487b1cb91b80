/* encoders/frames.h: event streams binned into T frames of 2-channel event counts, exactly as
 * SpikingJelly does (spikingjelly/datasets/utils.py, ../shared/specs/data.md §2.5), with the
 * event-level downsampling of data.md §2.6 (x' = x * W' / W in integers: 128 -> 64 is the exact 2 x 2
 * sum of counts, 128 -> 48 is floor(x * 0.375), tonic's Downsample).
 *
 * split "number": di = N / T; frame i integrates events [i*di, (i+1)*di), the last one up to N.
 * split "time": dt = (t[N-1] - t[0]) / T (integer us); frame i integrates from the first to the last
 * event (in file order) with t[0] + i*dt <= t < t[0] + (i+1)*dt, the last one up to N. Where SJ raises
 * (an empty time window), the frame is empty and starts where the previous one ended; with dt <= 0
 * (one distinct time, or a last event earlier than the first) every event falls in the last frame. */
#ifndef SQ_FRAMES_H
#define SQ_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "dvs_events.h"

typedef enum { SQ_SPLIT_NUMBER, SQ_SPLIT_TIME } sq_split_by;

/* Public value: frames. counts[((i * 2 + c) * height + y) * width + x] is the number of events of
 * frame i, channel c (c = p: 0 OFF, 1 ON, SpikingJelly's order) at pixel (x, y). Frame i integrates
 * events [j_l[i], j_r[i]) of the stream. Arrays are owned by the struct. */
typedef struct {
    uint32_t T, width, height;
    uint32_t *counts;
    size_t *j_l, *j_r;
} sq_dvs_frames;

/* Parses "number" or "time". Returns 0 or SQ_EINVAL. Thread: any. */
int sq_split_by_parse(const char *name, sq_split_by *out);
const char *sq_split_by_name(sq_split_by split);

/* SpikingJelly's segment bounds (cal_fixed_frames_number_segment_index) for T >= 1 frames of the
 * first n events, into caller arrays of T entries. Returns 0 or SQ_EINVAL (T == 0). Thread: any. */
int sq_dvs_frame_bounds(const sq_dvs_event *ev, size_t n, sq_split_by split, uint32_t T, size_t *j_l, size_t *j_r,
                        sq_err *err);

/* Frames of s at width x height (each at most the sensor's size and > 0; pass the sensor size for no
 * downsampling). Returns 0, SQ_EINVAL (T == 0, a size outside (0, sensor], an event outside the
 * sensor), SQ_ERANGE (more than 2^31 counts) or SQ_ENOMEM. On failure *out is zeroed. Thread: any. */
int sq_dvs_frames_make(const sq_dvs_stream *s, sq_split_by split, uint32_t T, uint32_t width, uint32_t height,
                       sq_dvs_frames *out, sq_err *err);

/* Frees the arrays and zeroes f. NULL is a no-op. Thread: any. */
void sq_dvs_frames_free(sq_dvs_frames *f);

/* Event-level downsampling in place: x' = x * width / s->width, y' likewise, then s's sensor size is
 * width x height. Returns 0 or SQ_EINVAL (a size outside (0, sensor]). Thread: owner of s. */
int sq_dvs_downsample(sq_dvs_stream *s, uint32_t width, uint32_t height, sq_err *err);

#endif
