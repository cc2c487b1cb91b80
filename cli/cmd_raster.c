/* cli/cmd_raster.c: `spikeq raster FILE.h5 -o raster.png [--t0 MS --t1 MS] [--width W --height H]`:
 * a spike raster of a SONATA spike file as a PNG, the way the Potjans & Diesmann (2014) microcircuit
 * figures of NEST's example look: populations stacked top to bottom in the file's order (for the
 * microcircuit L2/3 on top, L6 at the bottom), each band as tall as its share of the neurons, one
 * dot per spike, excitatory populations (name ending in E) in #595289 and inhibitory ones (ending
 * in I) in #af143c as in that example's plot_raster, others in a fixed palette; population names
 * to the left of their band and the time range under the plot in a built-in bitmap font. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/sonata_reader.h"
#include "canvas.h"
#include "cli.h"

static const char raster_usage[] =
    "usage: spikeq raster FILE.h5 -o OUT.png [--t0 MS] [--t1 MS] [--width W] [--height H]\n"
    "\n"
    "Draws the spikes of a SONATA spike file as a raster picture (PNG): populations stacked top to\n"
    "bottom in the file's order, each band as tall as its share of the neurons, one dot per spike;\n"
    "excitatory populations (name ending in E) dark blue, inhibitory ones (ending in I) dark red.\n"
    "\n"
    "options:\n"
    "  -o, --out OUT.png  the picture to write (required)\n"
    "  --t0 MS, --t1 MS   the time window [t0, t1) in ms (default: the file's recorded interval)\n"
    "  --width W          picture width in pixels, 200 to 8000 (default 1200)\n"
    "  --height H         picture height in pixels, 120 to 8000 (default 800)\n";

static const sq_rgb BG = {255, 255, 255}, INK = {40, 40, 40}, RULE = {200, 200, 200};
static const sq_rgb EXC = {0x59, 0x52, 0x89}, INH = {0xaf, 0x14, 0x3c};
static const sq_rgb PALETTE[] = {{0x2c, 0xa0, 0x2c}, {0xff, 0x7f, 0x0e}, {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b}};

typedef struct {
    const char *in, *out;
    double t0, t1;
    int has_t0, has_t1;
    long width, height;
} raster_args;

typedef struct {
    const char *name;
    uint64_t n;   /* rows: n_nodes, or the largest id + 1 when the file does not say */
    double *t;
    uint64_t *ids;
    size_t n_spikes;
} band;

/* Prints "spikeq raster: <message> (see spikeq raster --help)" and returns the usage status 2. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("spikeq raster: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see spikeq raster --help)\n", stderr);
    va_end(ap);
    return 2;
}

/* The value of option o: a time (--t0, --t1) or a pixel count (--width, --height). */
static int option_value(raster_args *a, const char *o, const char *v)
{
    char *end = NULL;
    errno = 0;
    if (strcmp(o, "--t0") == 0 || strcmp(o, "--t1") == 0) {
        double x = strtod(v, &end);
        if (end == v || *end || !isfinite(x) || errno)
            return usage_error("%s: expected a time in ms, got \"%s\"", o, v);
        *(o[3] == '0' ? &a->t0 : &a->t1) = x;
        *(o[3] == '0' ? &a->has_t0 : &a->has_t1) = 1;
        return 0;
    }
    long lo = strcmp(o, "--width") == 0 ? 200 : 120, x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > 8000)
        return usage_error("%s: expected an integer from %ld to 8000, got \"%s\"", o, lo, v);
    *(lo == 200 ? &a->width : &a->height) = x;
    return 0;
}

static int parse_args(int argc, char **argv, raster_args *a)
{
    static const char *const with_value[] = {"-o", "--out", "--t0", "--t1", "--width", "--height"};
    *a = (raster_args){.width = 1200, .height = 800};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int known = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            known |= strcmp(o, with_value[k]) == 0;
        if (known && i + 1 >= argc)
            return usage_error("%s needs a value", o);
        int rc = 0;
        if (known && (strcmp(o, "-o") == 0 || strcmp(o, "--out") == 0))
            a->out = argv[++i];
        else if (known)
            rc = option_value(a, o, argv[++i]);
        else if (o[0] == '-' && o[1])
            rc = usage_error("unknown option \"%s\"", o);
        else if (!a->in)
            a->in = o;
        else
            rc = usage_error("one spike file expected, got \"%s\" and \"%s\"", a->in, o);
        if (rc)
            return rc;
    }
    if (!a->in || !a->out)
        return usage_error("%s is required", !a->in ? "a spike file FILE.h5" : "-o OUT.png");
    if (a->has_t0 && a->has_t1 && !(a->t0 < a->t1))
        return usage_error("--t0 (%g ms) must be below --t1 (%g ms)", a->t0, a->t1);
    return 0;
}

static void free_bands(band *b, size_t n)
{
    for (size_t i = 0; b && i < n; i++) {
        free(b[i].t);
        free(b[i].ids);
    }
    free(b);
}

/* Every population's spikes, and the window: the file's interval unless given. */
static int load(const raster_args *a, const sq_spike_file_summary *s, band *b, double *t0, double *t1)
{
    double first = INFINITY, last = -INFINITY;
    for (size_t i = 0; i < s->n_pops; i++) {
        sq_err err = {0};
        b[i].name = s->pops[i].name[0] ? s->pops[i].name : "(flat)";
        if (sq_spike_file_read_population(a->in, s->pops[i].name, &b[i].t, &b[i].ids, &b[i].n_spikes, &err) < 0) {
            fprintf(stderr, "spikeq: %s\n", err.msg);
            return 1;
        }
        uint64_t rows = s->pops[i].n_nodes;
        for (size_t k = 0; k < b[i].n_spikes; k++) {
            rows = b[i].ids[k] >= rows ? b[i].ids[k] + 1 : rows;
            first = fmin(first, b[i].t[k]);
            last = fmax(last, b[i].t[k]);
        }
        b[i].n = rows ? rows : 1;
    }
    *t0 = a->has_t0 ? a->t0 : !isnan(s->t_start) ? s->t_start : first;
    *t1 = a->has_t1 ? a->t1 : !isnan(s->t_stop) ? s->t_stop : nextafter(last, INFINITY);
    size_t in_range = 0;
    for (size_t i = 0; i < s->n_pops; i++)
        for (size_t k = 0; k < b[i].n_spikes; k++)
            in_range += b[i].t[k] >= *t0 && b[i].t[k] < *t1;
    if (in_range == 0 || !(*t0 < *t1)) {
        if (isinf(first))
            fprintf(stderr, "spikeq raster: %s: no spikes in the file\n", a->in);
        else
            fprintf(stderr, "spikeq raster: %s: no spikes in [%g, %g) ms (the file's spikes span %g to %g ms)\n",
                    a->in, *t0, *t1, first, last);
        return 1;
    }
    return 0;
}

static sq_rgb colour(const char *name, size_t i)
{
    size_t n = strlen(name);
    char last = n ? name[n - 1] : 0;
    if (last == 'E' || last == 'e')
        return EXC;
    if (last == 'I' || last == 'i')
        return INH;
    return PALETTE[i % (sizeof PALETTE / sizeof PALETTE[0])];
}

/* Bands, dots, labels and the time axis onto the canvas. */
static void draw(sq_canvas *c, const band *b, size_t n, double t0, double t1)
{
    int scale = c->w >= 1000 && c->h >= 500 ? 2 : 1, label_w = 0;
    for (size_t i = 0; i < n; i++) {
        int w = sq_canvas_text_width(b[i].name, scale);
        label_w = w > label_w ? w : label_w;
    }
    label_w = label_w > c->w / 4 ? c->w / 4 : label_w; /* long names are cut, the plot stays */
    int left = label_w + 6 * scale + 4, right = 8, top = 8, bottom = 7 * scale + 10;
    int pw = c->w - left - right, ph = c->h - top - bottom;
    uint64_t total = 0, cum = 0;
    for (size_t i = 0; i < n; i++)
        total += b[i].n;
    for (size_t i = 0; i < n; i++) {
        int y0 = top + (int)((double)cum / (double)total * ph);
        cum += b[i].n;
        int y1 = top + (int)((double)cum / (double)total * ph), h = y1 - y0;
        sq_rgb col = colour(b[i].name, i);
        if (i > 0) /* the rule first: a spike of the band's first row is drawn over it */
            sq_canvas_fill(c, left, y0, left + pw, y0 + 1, RULE);
        for (size_t k = 0; k < b[i].n_spikes; k++) {
            if (!(b[i].t[k] >= t0 && b[i].t[k] < t1))
                continue;
            int x = left + (int)((b[i].t[k] - t0) / (t1 - t0) * pw);
            int y = y0 + (int)((double)b[i].ids[k] / (double)b[i].n * h);
            sq_canvas_set(c, x < left + pw ? x : left + pw - 1, y, col);
        }
        int ty = y0 + h / 2 - 7 * scale / 2;
        sq_canvas_text(c, 4, ty < y0 ? y0 : ty, b[i].name, scale, col);
    }
    sq_canvas_fill(c, left - 1, top, left, top + ph + 1, INK);
    sq_canvas_fill(c, left - 1, top + ph, left + pw, top + ph + 1, INK);
    char s0[48], s1[48];
    snprintf(s0, sizeof s0, "%g ms", t0);
    snprintf(s1, sizeof s1, "%g ms", t1);
    sq_canvas_text(c, left, top + ph + 5, s0, scale, INK);
    sq_canvas_text(c, left + pw - sq_canvas_text_width(s1, scale), top + ph + 5, s1, scale, INK);
}

int sq_cli_raster(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(raster_usage, stdout);
        return 0;
    }
    raster_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    sq_spike_file_summary *s = NULL;
    sq_err err = {0};
    if (sq_spike_file_read_summary(a.in, &s, &err) < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return 1;
    }
    band *b = calloc(s->n_pops ? s->n_pops : 1, sizeof *b);
    double t0 = 0, t1 = 0;
    sq_canvas c = {0};
    if (!b || s->n_pops == 0) {
        fprintf(stderr, b ? "spikeq raster: %s: no populations in the file\n" : "spikeq raster: %s: out of memory\n",
                a.in);
        rc = 1;
    } else if ((rc = load(&a, s, b, &t0, &t1)) == 0) {
        char msg[256] = "";
        if (sq_canvas_init(&c, (int)a.width, (int)a.height, BG) < 0) {
            fprintf(stderr, "spikeq raster: out of memory for a %ld x %ld picture\n", a.width, a.height);
            rc = 1;
        } else {
            draw(&c, b, s->n_pops, t0, t1);
            if (sq_canvas_write_png(&c, a.out, msg, sizeof msg) < 0) {
                fprintf(stderr, "spikeq raster: %s: cannot write the PNG: %s\n", a.out, msg);
                rc = 1;
            } else {
                printf("raster: %s (%ld x %ld, %g to %g ms)\n", a.out, a.width, a.height, t0, t1);
            }
        }
    }
    sq_canvas_free(&c);
    free_bands(b, s->n_pops);
    sq_spike_file_summary_free(s);
    return rc;
}
