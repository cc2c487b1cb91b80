/* cli/png_frames.c: the PNG picture of a set of frames (see png_frames.h). */
#include "png_frames.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_ROW 10u
#define GAP 2u
#define MIN_FRAME_PX 96u

typedef struct {
    uint32_t scale, cols, rows, w, h, max;
} layout;

static layout plan(const sq_dvs_frames *f)
{
    layout l = {.scale = (MIN_FRAME_PX + f->width - 1) / f->width};
    l.scale = l.scale ? l.scale : 1;
    l.cols = f->T < PER_ROW ? f->T : PER_ROW;
    l.rows = (f->T + PER_ROW - 1) / PER_ROW;
    l.w = l.cols * (f->width * l.scale + GAP) - GAP;
    l.h = l.rows * (f->height * l.scale + GAP) - GAP;
    for (size_t k = 0; k < (size_t)f->T * 2 * f->width * f->height; k++)
        l.max = f->counts[k] > l.max ? f->counts[k] : l.max;
    l.max += !l.max;
    return l;
}

/* Fills one image row (3 bytes a pixel). */
static void draw_row(const sq_dvs_frames *f, const layout *l, uint32_t py, uint8_t *row)
{
    memset(row, 40, (size_t)l->w * 3); /* the gaps: dark grey */
    uint32_t cell_h = f->height * l->scale + GAP, cell_w = f->width * l->scale + GAP;
    uint32_t r = py / cell_h, y = (py % cell_h) / l->scale;
    if (py % cell_h >= f->height * l->scale)
        return;
    for (uint32_t c = 0; c < l->cols; c++) {
        uint32_t i = r * PER_ROW + c;
        if (i >= f->T)
            break;
        const uint32_t *off = f->counts + ((size_t)i * 2 * f->height + y) * f->width;
        const uint32_t *on = off + (size_t)f->height * f->width;
        for (uint32_t px = 0; px < f->width * l->scale; px++) {
            uint8_t *p = row + 3 * ((size_t)c * cell_w + px);
            uint32_t x = px / l->scale;
            p[0] = (uint8_t)(255u * (uint64_t)on[x] / l->max);
            p[1] = (uint8_t)(255u * (uint64_t)off[x] / l->max);
            p[2] = 0;
        }
    }
}

int sq_cli_frames_png(const char *path, const sq_dvs_frames *f, sq_err *err)
{
    layout l = plan(f);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return sq_fail(err, SQ_EIO, "%s: cannot create: %s", path, strerror(errno));
    uint8_t *row = malloc((size_t)l.w * 3);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int rc = 0;
    if (!row || !info) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if (setjmp(png_jmpbuf(png))) { /* libpng reports write errors by longjmp */
        rc = sq_fail(err, SQ_EIO, "%s: PNG write failed", path);
        goto done;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, l.w, l.h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < l.h; y++) {
        draw_row(f, &l, y, row);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
done:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(row);
    if (fclose(fp) != 0 && rc == 0)
        rc = sq_fail(err, SQ_EIO, "%s: close failed: %s", path, strerror(errno));
    return rc;
}
