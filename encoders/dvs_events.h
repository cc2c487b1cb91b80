/* encoders/dvs_events.h: an event-camera recording held in memory, the one type every DVS reader,
 * writer, framer, emulator and spike-source replayer of spikeq works on.
 *
 * Conventions (../shared/specs/data.md §2): times in microseconds from the recording's own clock
 * (readers keep the file's timestamps; framing subtracts the first one, as SpikingJelly does);
 * x, y in sensor pixels with the orientation SpikingJelly gives CIFAR10-DVS (data.md §2.2);
 * polarity 1 = ON (brightness increase), 0 = OFF. */
#ifndef SQ_DVS_EVENTS_H
#define SQ_DVS_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

typedef struct {
    int64_t t;      /* us */
    uint16_t x, y;  /* pixel; x < width, y < height */
    uint8_t p;      /* 1 ON, 0 OFF */
} sq_dvs_event;

/* Public value: a recording. `ev` is owned by the struct (free it with sq_dvs_stream_free). */
typedef struct {
    sq_dvs_event *ev;
    size_t n, cap;
    uint16_t width, height; /* sensor size, e.g. 128 x 128 for a DVS128 (CIFAR10-DVS), 34 x 34 for N-MNIST */
} sq_dvs_stream;

/* Frees s->ev and zeroes s. NULL is a no-op. Thread: any. */
void sq_dvs_stream_free(sq_dvs_stream *s);

/* Appends one event, growing the array geometrically. Returns 0 or SQ_ENOMEM. Thread: owner of s. */
int sq_dvs_stream_push(sq_dvs_stream *s, sq_dvs_event e);

/* Makes room for at least n events in total (s->cap >= n). Returns 0 or SQ_ENOMEM. Thread: owner of s. */
int sq_dvs_stream_reserve(sq_dvs_stream *s, size_t n);

/* CIFAR10-DVS files: AEDAT 2.0 as jAER writes it for a DVS128 (data.md §2.1-2.2): '#' header lines
 * ending in CRLF, then big-endian (uint32 address, uint32 timestamp us) pairs. Reading applies
 * SpikingJelly's orientation and polarity; writing applies the inverse, so read(write(s)) == s for
 * any stream of a 128 x 128 sensor with timestamps in [0, 2^32). Errors name the file and the
 * byte offset. Thread: any (one stream per call). */
int sq_aedat_read(const char *path, sq_dvs_stream *out, sq_err *err);
int sq_aedat_write(const char *path, const sq_dvs_stream *s, sq_err *err);

/* The decoder sq_aedat_read runs on the file's bytes (also what the fuzz harness drives); `name` is
 * used in messages. With flags = SQ_AEDAT_DROP_SPECIAL, events whose address has bit 15 or bit 31 set
 * (jAER's external/special events) are dropped; with 0 they are kept and decoded through the DVS128
 * masks like any other, as SpikingJelly does (data.md §2.2). Thread: any. */
enum { SQ_AEDAT_DROP_SPECIAL = 1 };
int sq_aedat_decode(const uint8_t *buf, size_t len, const char *name, unsigned flags, sq_dvs_stream *out,
                    sq_err *err);

/* Length of the '#' header at the start of buf, by SpikingJelly's rule (_skip_header): whole lines
 * (ending in LF) that are valid UTF-8 and whose first non-blank character is '#'. Thread: any. */
size_t sq_aedat_header_length(const uint8_t *buf, size_t len);

/* N-MNIST files (data.md §2.3): 5 bytes an event, 34 x 34 sensor, 23-bit timestamps (us). An event
 * with y == 240 is a timestamp-overflow marker (Orchard's eventvision, tonic): it is dropped and every
 * later event gets 2^13 us more. Any other x or y >= 34 is an SQ_EFORMAT error naming the byte offset.
 * Same contract as above, for streams of a 34 x 34 sensor with timestamps in [0, 2^23). */
int sq_nmnist_read(const char *path, sq_dvs_stream *out, sq_err *err);
int sq_nmnist_write(const char *path, const sq_dvs_stream *s, sq_err *err);

/* The decoder sq_nmnist_read runs on the file's bytes; `name` is used in messages. Thread: any. */
int sq_nmnist_decode(const uint8_t *buf, size_t len, const char *name, sq_dvs_stream *out, sq_err *err);

#endif
