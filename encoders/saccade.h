/* encoders/saccade.h: a still image recorded by an emulated DVS the way CIFAR10-DVS was made (Li et
 * al. 2017, Front. Neurosci. 11:309; ../shared/specs/data.md §4.1, §4.3): the image, upscaled and
 * centred on the sensor, moves along a closed path at constant speed (the camera stays still), is
 * rendered with bilinear interpolation every `step` ms, and each frame drives the pixel model of
 * encoders/dvs_emulator.h. The path is traversed `repeats` times; the recording lasts
 * repeats * perimeter / speed. One sensor (one threshold mismatch, keyed by the seed) records every
 * image, as one camera recorded a whole dataset. Tested in tests/test_saccade.c. */
#ifndef SQ_SACCADE_H
#define SQ_SACCADE_H

#include <stddef.h>
#include <stdint.h>

#include "dvs_emulator.h"

typedef enum {
    SQ_PATH_SQUARE,   /* corners (-A,-A), (A,-A), (A,A), (-A,A): a closed loop as CIFAR10-DVS's RCLS */
    SQ_PATH_CIRCLE,   /* radius A around the centre, starting at (A, 0) */
    SQ_PATH_TRIANGLE  /* N-MNIST's three saccades (0,0) -> (A/2,A) -> (A,0) -> (0,0), centred */
} sq_saccade_path;

/* Public value: the recording set-up (defaults from sq_saccade_params_default). */
typedef struct {
    uint16_t width, height;  /* sensor pixels (128 x 128, a DVS128) */
    double scale;            /* sensor pixels per image pixel (4: 28 x 28 -> 112 x 112) */
    sq_saccade_path path;    /* (square) */
    double amplitude;        /* A, sensor pixels (3) */
    double speed;            /* sensor pixels per ms along the path (0.1) */
    unsigned repeats;        /* traversals of the path (1) */
    double step;             /* ms between rendered frames (1) */
    double refresh;          /* Hz: the monitor shows a new position only at multiples of 1 / refresh
                              * (0, the default: continuous motion). CIFAR10-DVS's timestamps show the
                              * 60 Hz of its LCD (Li et al. 2017, Fig. 3). */
    size_t max_events;       /* per recording; more is an error (2^24) */
    sq_emulator_params pixel;
} sq_saccade_params;

/* Thread: any (as every function here that takes no sq_saccade). */
void sq_saccade_params_default(sq_saccade_params *p);

/* Checks every field; messages read "<where>.speed: expected ..., got ...". Thread: any. */
int sq_saccade_params_check(const sq_saccade_params *p, const char *where, sq_err *err);

/* The path's name ("square", "circle", "triangle") and the reverse lookup (-1 when unknown). */
const char *sq_saccade_path_name(sq_saccade_path p);
int sq_saccade_path_find(const char *name);

/* Length of the recording in ms: repeats * perimeter / speed (0 when speed or amplitude is 0). */
double sq_saccade_duration(const sq_saccade_params *p);

/* Offset (sensor pixels) of the image from the centre at time t ms, constant speed along the path
 * (sampled at the last refresh instant when refresh > 0). */
void sq_saccade_position(const sq_saccade_params *p, double t, double *dx, double *dy);

/* The frame (p->width * p->height intensities in [0, 1]) of image img (iw x ih bytes, row-major,
 * 0..255) upscaled by p->scale, centred and shifted by (dx, dy): bilinear interpolation of the
 * pixel centres, zero outside the image. Returns 0 or SQ_ENOMEM. Thread: any. */
int sq_saccade_render(const sq_saccade_params *p, const uint8_t *img, uint16_t iw, uint16_t ih, double dx,
                       double dy, float *frame);

typedef struct sq_saccade sq_saccade;

/* A recorder for iw x ih images; p is copied. Thread: any. */
int sq_saccade_create(const sq_saccade_params *p, uint16_t iw, uint16_t ih, sq_saccade **out, sq_err *err);
/* NULL is a no-op. */
void sq_saccade_destroy(sq_saccade *s);

/* Records one image: out (emptied first; its sensor size set) receives the events, timestamps in us
 * from 0 (the first frame) to the recording's end. Returns 0, SQ_ERANGE when more than max_events
 * events would be made, or SQ_ENOMEM. Thread: owner of s and out. */
int sq_saccade_record(sq_saccade *s, const uint8_t *img, sq_dvs_stream *out, sq_err *err);

#endif
