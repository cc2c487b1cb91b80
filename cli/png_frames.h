/* cli/png_frames.h: frames drawn side by side in one PNG (libpng), for `spikeq dataset frames --png`. */
#ifndef SQ_CLI_PNG_FRAMES_H
#define SQ_CLI_PNG_FRAMES_H

#include "../encoders/frames.h"

/* Writes f as an RGB PNG: frames left to right (10 a row), each pixel red for ON and green for OFF
 * events, brightness linear in the count up to the largest count of any frame; pixels enlarged to
 * make each frame at least 96 pixels wide, frames 2 px apart. Returns 0, SQ_EIO or SQ_ENOMEM. */
int sq_cli_frames_png(const char *path, const sq_dvs_frames *f, sq_err *err);

#endif
