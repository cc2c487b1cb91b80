/* encoders/dvs_emulator.h: an event camera emulated from a sequence of intensity frames (the ESIM /
 * v2e pixel model, ../shared/specs/data.md §4.2-4.3).
 *
 * Each pixel compares its log intensity L = ln(eps + I) (I in [0, 1]; or, with lin_log, v2e's
 * lin_log(255 I): x ln(20) / 20 for x <= 20, ln(x) above, which is linear near black instead of
 * diving towards ln(eps)) with a reference level. Between
 * two frames L is taken to change linearly in time; every time it crosses ref + C_on (ON) or
 * ref - C_off (OFF) the reference moves by that threshold and an event is emitted at the linearly
 * interpolated crossing time, so one frame interval can give a pixel several events (Gehrig et al.,
 * ESIM, CoRL 2018; rpg_esim event_simulator.cpp). A pixel that emitted an event less than the
 * refractory period ago emits nothing, but its reference still moves (as in ESIM). Thresholds are per
 * pixel: C = max(c_min, c + sigma * N(0, 1)) with the normal draws taken from the counter-based
 * stream keyed by (seed, pixel), as v2e draws its per-pixel mismatch once (Hu, Liu & Delbruck,
 * CVPRW 2021). Everything is a pure function of the frames and the seed.
 * Tested in tests/test_dvs_emulator.c (crossing times against the closed form, counts against
 * floor(dL / C), refractoriness, no events from a static scene). */
#ifndef SQ_DVS_EMULATOR_H
#define SQ_DVS_EMULATOR_H

#include <stdint.h>

#include "../sim/error.h"
#include "dvs_events.h"

/* Public value: the pixel model's parameters (defaults from sq_emulator_params_default). */
typedef struct {
    double c_on, c_off;    /* contrast thresholds in ln units (0.2 each, v2e's default) */
    double sigma;          /* std of the per-pixel thresholds (0.03, v2e); 0 = identical pixels */
    double c_min;          /* lower clamp of a drawn threshold (0.01, v2e) */
    double eps;            /* L = ln(eps + I) (1e-3, ESIM's log_eps) */
    int lin_log;           /* 1: L = v2e's lin_log(255 I) instead (0) */
    double refractory_us;  /* us (0) */
    uint64_t seed;         /* keys the threshold mismatch (1) */
    size_t max_frame_events; /* events of one frame interval; more is an error (2^24, 256 MiB of buffer) */
} sq_emulator_params;

/* Thread: any. */
void sq_emulator_params_default(sq_emulator_params *p);

/* Checks the parameters; messages read "<where>.c_on: expected a positive number, got -1".
 * Returns 0 or SQ_ECONFIG. Thread: any. */
int sq_emulator_params_check(const sq_emulator_params *p, const char *where, sq_err *err);

typedef struct sq_emulator sq_emulator;

/* A sensor of width x height pixels (each 1..4096). p is copied. Thread: any. */
int sq_emulator_create(uint16_t width, uint16_t height, const sq_emulator_params *p, sq_emulator **out,
                       sq_err *err);
/* NULL is a no-op. */
void sq_emulator_destroy(sq_emulator *e);

/* The thresholds of pixel (x, y) (for tests and summaries). Thread: any. */
void sq_emulator_thresholds(const sq_emulator *e, uint16_t x, uint16_t y, double *c_on, double *c_off);

/* Starts a recording: frame (width * height intensities in [0, 1], row-major, values outside are
 * clamped) at time t_us becomes every pixel's reference; no events. Thread: owner of e. */
void sq_emulator_reset(sq_emulator *e, const float *frame, double t_us);

/* The next frame, at t_us > the previous frame's time: appends the interval's events to out, sorted
 * by time, then row, then column (timestamps rounded to the nearest us). Returns 0, SQ_EINVAL for a
 * time not after the previous one, SQ_ERANGE for more than max_frame_events events (the state is
 * then undefined: reset before the next step), or SQ_ENOMEM. Thread: owner of e and out. */
int sq_emulator_step(sq_emulator *e, const float *frame, double t_us, sq_dvs_stream *out, sq_err *err);

#endif
