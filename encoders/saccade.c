/* encoders/saccade.c: the moving-image recording of saccade.h. Rendering is separable: the sensor
 * column u samples the image at sx = (u + 1/2 - W/2 - dx) / scale + iw/2 - 1/2 (pixel centres), so
 * one (index, weight) pair per column and per row serves the whole frame. */
#include "saccade.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const path_names[] = {"square", "circle", "triangle"};

struct sq_saccade {
    sq_saccade_params par;
    uint16_t iw, ih;
    sq_emulator *em;
    float *frame;
    float *pad;             /* the current image, padded (pad_image) */
    int32_t *col_i, *row_i; /* left / top source index of each sensor column / row */
    float *col_w, *row_w;   /* weight of the right / bottom neighbour */
};

void sq_saccade_params_default(sq_saccade_params *p)
{
    *p = (sq_saccade_params){.width = 128, .height = 128, .scale = 4.0, .path = SQ_PATH_SQUARE,
                             .amplitude = 3.0, .speed = 0.1, .repeats = 1, .step = 1.0,
                             .max_events = (size_t)1 << 24};
    sq_emulator_params_default(&p->pixel);
}

const char *sq_saccade_path_name(sq_saccade_path p)
{
    return (unsigned)p < SQ_COUNT(path_names) ? path_names[p] : "?";
}

int sq_saccade_path_find(const char *name)
{
    for (size_t i = 0; i < SQ_COUNT(path_names); i++)
        if (strcmp(name, path_names[i]) == 0)
            return (int)i;
    return -1;
}

/* Bounds keep a recording's frame count (duration / step) below 10^7 and every size finite. */
int sq_saccade_params_check(const sq_saccade_params *p, const char *where, sq_err *err)
{
    if (p->width < 1 || p->height < 1 || p->width > 4096 || p->height > 4096)
        return sq_fail(err, SQ_ECONFIG, "%s.sensor: expected 1 to 4096 pixels a side, got %u x %u", where,
                       p->width, p->height);
    static const char *const names[] = {"scale", "amplitude", "speed", "step", "refresh"};
    const double v[] = {p->scale, p->amplitude, p->speed, p->step, p->refresh};
    const double lo[] = {0.01, 0.0, 0.0, 1e-3, 0.0}, hi[] = {1000.0, 4096.0, 1000.0, 1000.0, 1e6};
    const char *unit[] = {"", " px", " px/ms", " ms", " Hz"};
    for (size_t i = 0; i < SQ_COUNT(names); i++)
        if (!(v[i] >= lo[i] && v[i] <= hi[i]))
            return sq_fail(err, SQ_ECONFIG, "%s.%s: expected a number in [%g, %g]%s, got %g", where, names[i],
                           lo[i], hi[i], unit[i], v[i]);
    if ((unsigned)p->path >= SQ_COUNT(path_names))
        return sq_fail(err, SQ_ECONFIG, "%s.path: expected square, circle or triangle, got %d", where, (int)p->path);
    if (p->repeats < 1 || p->repeats > 1000)
        return sq_fail(err, SQ_ECONFIG, "%s.repeats: expected 1 to 1000, got %u", where, p->repeats);
    double frames = sq_saccade_duration(p) / p->step;
    if (!(frames <= 1e7))
        return sq_fail(err, SQ_ECONFIG, "%s: expected at most 1e7 frames a recording (duration / step), got %.3g",
                       where, frames);
    if (p->max_events < 1)
        return sq_fail(err, SQ_ECONFIG, "%s.max_events: expected a positive count, got 0", where);
    return sq_emulator_params_check(&p->pixel, where, err);
}

static double perimeter(const sq_saccade_params *p)
{
    double a = p->amplitude;
    switch (p->path) {
    case SQ_PATH_SQUARE: return 8.0 * a;
    case SQ_PATH_CIRCLE: return 2.0 * M_PI * a;
    default: return 2.0 * hypot(0.5 * a, a) + a; /* two slanted sides and the base */
    }
}

double sq_saccade_duration(const sq_saccade_params *p)
{
    double len = perimeter(p);
    return p->speed > 0.0 && len > 0.0 ? p->repeats * len / p->speed : 0.0;
}

/* Point at arc length s along the closed polyline v[0..n) (v[n] = v[0]). */
static void polyline_at(const double (*v)[2], size_t n, double s, double *x, double *y)
{
    for (size_t k = 0; k < n; k++) {
        const double *a = v[k], *b = v[(k + 1) % n];
        double len = hypot(b[0] - a[0], b[1] - a[1]);
        if (s <= len || k == n - 1) {
            double f = len > 0.0 ? fmin(s / len, 1.0) : 0.0;
            *x = a[0] + f * (b[0] - a[0]);
            *y = a[1] + f * (b[1] - a[1]);
            return;
        }
        s -= len;
    }
}

void sq_saccade_position(const sq_saccade_params *p, double t, double *dx, double *dy)
{
    double a = p->amplitude, len = perimeter(p);
    *dx = *dy = 0.0;
    if (!(len > 0.0) || !(p->speed > 0.0))
        return;
    if (p->refresh > 0.0) /* the small tolerance keeps t = k / refresh on refresh k despite rounding */
        t = floor(t * p->refresh * 1e-3 + 1e-9) / (p->refresh * 1e-3);
    double s = fmod(fmax(t, 0.0) * p->speed, len);
    if (p->path == SQ_PATH_CIRCLE) {
        *dx = a * cos(s / a);
        *dy = a * sin(s / a);
        return;
    }
    const double square[4][2] = {{-a, -a}, {a, -a}, {a, a}, {-a, a}};
    /* N-MNIST's triangle, shifted so that its centroid (a/2, a/3) sits at the centre. */
    const double tri[3][2] = {{-a / 2, -a / 3}, {0, 2 * a / 3}, {a / 2, -a / 3}};
    if (p->path == SQ_PATH_SQUARE)
        polyline_at(square, 4, s, dx, dy);
    else
        polyline_at(tri, 3, s, dx, dy);
}

/* Source index and right-neighbour weight of each of the n sensor coordinates along one axis. */
static void axis_weights(size_t n, double scale, size_t src_n, double shift, int32_t *idx, float *w)
{
    for (size_t u = 0; u < n; u++) {
        double s = ((double)u + 0.5 - 0.5 * (double)n - shift) / scale + 0.5 * (double)src_n - 0.5;
        double f = floor(s);
        idx[u] = f < -2.0 ? -2 : f > (double)src_n ? (int32_t)src_n : (int32_t)f;
        w[u] = (float)(s - f);
    }
}

/* The image as intensities in [0, 1] with a 2-pixel zero margin (pw = iw + 4 columns), so that the
 * bilinear loop needs no bounds checks: axis_weights clamps indices to [-2, src_n]. */
static void pad_image(const uint8_t *img, uint16_t iw, uint16_t ih, float *pad)
{
    size_t pw = (size_t)iw + 4;
    memset(pad, 0, pw * ((size_t)ih + 4) * sizeof *pad);
    for (size_t j = 0; j < ih; j++)
        for (size_t i = 0; i < iw; i++)
            pad[(j + 2) * pw + i + 2] = (float)img[j * iw + i] * (1.0f / 255.0f);
}

static void render_with(const sq_saccade_params *p, const float *pad, size_t pw, const int32_t *ci,
                        const float *cw, const int32_t *ri, const float *rw, float *frame)
{
    for (size_t v = 0; v < p->height; v++) {
        const float *r0 = pad + (size_t)(ri[v] + 2) * pw + 2, *r1 = r0 + pw;
        float fy = rw[v];
        for (size_t u = 0; u < p->width; u++) {
            int32_t i = ci[u];
            float fx = cw[u];
            float top = (1.0f - fx) * r0[i] + fx * r0[i + 1];
            float bot = (1.0f - fx) * r1[i] + fx * r1[i + 1];
            frame[v * p->width + u] = (1.0f - fy) * top + fy * bot;
        }
    }
}

int sq_saccade_render(const sq_saccade_params *p, const uint8_t *img, uint16_t iw, uint16_t ih, double dx,
                      double dy, float *frame)
{
    int32_t ci[4096], ri[4096];
    float cw[4096], rw[4096];
    float *pad = malloc(((size_t)iw + 4) * ((size_t)ih + 4) * sizeof *pad);
    if (!pad)
        return SQ_ENOMEM;
    pad_image(img, iw, ih, pad);
    axis_weights(p->width, p->scale, iw, dx, ci, cw);
    axis_weights(p->height, p->scale, ih, dy, ri, rw);
    render_with(p, pad, (size_t)iw + 4, ci, cw, ri, rw, frame);
    free(pad);
    return 0;
}

int sq_saccade_create(const sq_saccade_params *p, uint16_t iw, uint16_t ih, sq_saccade **out, sq_err *err)
{
    *out = NULL;
    int rc = sq_saccade_params_check(p, "emulator", err);
    if (rc < 0)
        return rc;
    if (iw < 1 || ih < 1)
        return sq_fail(err, SQ_EINVAL, "emulator: image: expected at least 1 x 1 pixels, got %u x %u", iw, ih);
    sq_saccade *s = calloc(1, sizeof *s);
    if (!s)
        return sq_fail(err, SQ_ENOMEM, "emulator: out of memory");
    s->par = *p;
    s->iw = iw;
    s->ih = ih;
    if ((rc = sq_emulator_create(p->width, p->height, &p->pixel, &s->em, err)) < 0) {
        free(s);
        return rc;
    }
    s->frame = malloc((size_t)p->width * p->height * sizeof *s->frame);
    s->pad = malloc(((size_t)iw + 4) * ((size_t)ih + 4) * sizeof *s->pad);
    s->col_i = malloc(p->width * sizeof *s->col_i);
    s->row_i = malloc(p->height * sizeof *s->row_i);
    s->col_w = malloc(p->width * sizeof *s->col_w);
    s->row_w = malloc(p->height * sizeof *s->row_w);
    if (!s->frame || !s->pad || !s->col_i || !s->row_i || !s->col_w || !s->row_w) {
        sq_saccade_destroy(s);
        return sq_fail(err, SQ_ENOMEM, "emulator: out of memory for a %u x %u frame", p->width, p->height);
    }
    *out = s;
    return 0;
}

void sq_saccade_destroy(sq_saccade *s)
{
    if (!s)
        return;
    sq_emulator_destroy(s->em);
    free(s->frame);
    free(s->pad);
    free(s->col_i);
    free(s->row_i);
    free(s->col_w);
    free(s->row_w);
    free(s);
}

static void frame_at(sq_saccade *s, double t)
{
    double dx, dy;
    sq_saccade_position(&s->par, t, &dx, &dy);
    axis_weights(s->par.width, s->par.scale, s->iw, dx, s->col_i, s->col_w);
    axis_weights(s->par.height, s->par.scale, s->ih, dy, s->row_i, s->row_w);
    render_with(&s->par, s->pad, (size_t)s->iw + 4, s->col_i, s->col_w, s->row_i, s->row_w, s->frame);
}

int sq_saccade_record(sq_saccade *s, const uint8_t *img, sq_dvs_stream *out, sq_err *err)
{
    out->n = 0;
    out->width = s->par.width;
    out->height = s->par.height;
    double dur = sq_saccade_duration(&s->par);
    /* Frame k at k * step, the last one exactly at the end of the path, so a closed path ends
     * where it started. */
    size_t frames = (size_t)ceil(dur / s->par.step - 1e-9);
    pad_image(img, s->iw, s->ih, s->pad);
    frame_at(s, 0.0);
    sq_emulator_reset(s->em, s->frame, 0.0);
    for (size_t k = 1; k <= frames; k++) {
        double t = k == frames ? dur : (double)k * s->par.step;
        frame_at(s, t);
        int rc = sq_emulator_step(s->em, s->frame, t * 1000.0, out, err);
        if (rc < 0)
            return rc;
        if (out->n > s->par.max_events)
            return sq_fail(err, SQ_ERANGE, "emulator: expected at most max_events = %zu events a recording, got %zu "
                           "by t = %g ms (lower the contrast or raise the thresholds)",
                           s->par.max_events, out->n, t);
    }
    return 0;
}
