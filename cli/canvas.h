/* cli/canvas.h: an RGB picture in memory for `spikeq raster`: pixels, filled rectangles, text in a
 * built-in 5x7 bitmap font (digits, A-Z with a-z drawn as capitals, space - . / : _ and ? for the
 * rest), written as PNG through libpng's simplified API (libpng 1.6). */
#ifndef SQ_CLI_CANVAS_H
#define SQ_CLI_CANVAS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int w, h;
    uint8_t *px; /* w * h * 3 bytes, row-major, top row first */
} sq_canvas;

typedef struct {
    uint8_t r, g, b;
} sq_rgb;

/* A w x h canvas filled with bg. Returns 0, or -1 when out of memory. */
int sq_canvas_init(sq_canvas *c, int w, int h, sq_rgb bg);
void sq_canvas_free(sq_canvas *c);

/* Pixels outside the canvas are ignored. */
void sq_canvas_set(sq_canvas *c, int x, int y, sq_rgb col);
void sq_canvas_fill(sq_canvas *c, int x0, int y0, int x1, int y1, sq_rgb col); /* [x0, x1) x [y0, y1) */

/* Draws text with its top-left corner at (x, y), each font pixel a scale x scale square; returns the
 * width drawn. sq_canvas_text_width gives the same width without drawing. */
int sq_canvas_text(sq_canvas *c, int x, int y, const char *text, int scale, sq_rgb col);
int sq_canvas_text_width(const char *text, int scale);

/* Writes the canvas as an 8-bit RGB PNG. Returns 0, or -1 with a libpng message in msg. */
int sq_canvas_write_png(const sq_canvas *c, const char *path, char *msg, size_t msg_size);

#endif
