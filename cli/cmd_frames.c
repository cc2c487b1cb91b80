/* cli/cmd_frames.c: `spikeq dataset frames FILE ...`: one recording binned into T frames exactly as
 * SpikingJelly does (encoders/frames.h), with an optional downsampling, a summary line per frame, and
 * optionally a PNG of the frames and the raw counts (little-endian uint32 [T][2][H][W], channel 0
 * OFF, 1 ON, the layout numpy.fromfile(..., '<u4').reshape(T, 2, H, W) reads). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../encoders/dvs_dataset.h"
#include "../encoders/frames.h"
#include "cli.h"
#include "png_frames.h"

static const char frames_usage[] =
    "usage: spikeq dataset frames FILE [--T N] [--split number|time] [--size S] [--png OUT.png] [--raw OUT]\n"
    "\n"
    "Bins the events of FILE (.aedat: CIFAR10-DVS; .bin: N-MNIST) into N frames of 2-channel event\n"
    "counts as SpikingJelly does: split by number (N/T events a frame) or by time ((t_last - t_first)\n"
    "// T us a frame); the last frame takes the remainder. Prints one line per frame.\n"
    "\n"
    "options:\n"
    "  --T N          number of frames (default 10)\n"
    "  --split S      number (default) or time\n"
    "  --size S       frames of S x S pixels, downsampled at event level as x * S / sensor\n"
    "                 (128 -> 64: the exact 2 x 2 sum; 128 -> 48: floor(x * 0.375)); default the sensor\n"
    "  --png OUT.png  draw the frames (ON red, OFF green)\n"
    "  --raw OUT      write the counts as little-endian uint32 [T][2][S][S] (channel 0 OFF, 1 ON)\n"
    "  -h, --help     this help\n";

typedef struct {
    const char *file, *png, *raw;
    unsigned long T, size;
    sq_split_by split;
} frames_args;

static int bad_usage(const char *what, const char *value)
{
    fprintf(stderr, "spikeq: dataset frames: %s \"%s\" (see spikeq dataset frames --help)\n", what, value);
    return 2;
}

static int parse_count(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || end == s || s[0] == '-' || v == 0 || v > max) {
        fprintf(stderr, "spikeq: dataset frames: %s: expected an integer in [1, %lu], got \"%s\"\n", opt, max, s);
        return 2;
    }
    *out = v;
    return 0;
}

static int parse(int argc, char **argv, frames_args *a)
{
    *a = (frames_args){.T = 10, .split = SQ_SPLIT_NUMBER};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (o[0] != '-' && !a->file) {
            a->file = o;
            continue;
        }
        if (!v)
            return bad_usage("expected a value after", o);
        i++;
        if (strcmp(o, "--T") == 0)
            rc = parse_count(o, v, 1u << 20, &a->T);
        else if (strcmp(o, "--size") == 0)
            rc = parse_count(o, v, 65535, &a->size);
        else if (strcmp(o, "--split") == 0 && sq_split_by_parse(v, &a->split) != 0)
            rc = bad_usage("--split: expected number or time, got", v);
        else if (strcmp(o, "--png") == 0)
            a->png = v;
        else if (strcmp(o, "--raw") == 0)
            a->raw = v;
        else if (strcmp(o, "--split") != 0)
            rc = bad_usage("unknown option", o);
        if (rc)
            return rc;
    }
    if (!a->file)
        return bad_usage("expected a recording FILE, got", "");
    return 0;
}

static int write_raw(const char *path, const sq_dvs_frames *f, sq_err *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return sq_fail(err, SQ_EIO, "%s: cannot create: %s", path, strerror(errno));
    size_t n = (size_t)f->T * 2 * f->width * f->height, ok = 1;
    for (size_t k = 0; k < n && ok; k++) {
        uint32_t c = f->counts[k];
        uint8_t le[4] = {(uint8_t)c, (uint8_t)(c >> 8), (uint8_t)(c >> 16), (uint8_t)(c >> 24)};
        ok = fwrite(le, 1, 4, fp) == 4;
    }
    if (fclose(fp) != 0 || !ok)
        return sq_fail(err, SQ_EIO, "%s: write failed", path);
    return 0;
}

static void summary(const frames_args *a, const sq_dvs_stream *s, const sq_dvs_frames *f)
{
    printf("file: %s\nevents: %zu on a %u x %u sensor\nframes: %u, split by %s, %u x %u pixels\n", a->file, s->n,
           s->width, s->height, f->T, sq_split_by_name(a->split), f->width, f->height);
    printf("%5s %10s %10s %9s %9s %9s %7s %12s %12s\n", "frame", "first", "end", "events", "ON", "OFF", "max",
           "t_first_us", "t_last_us");
    size_t plane = (size_t)f->width * f->height;
    for (uint32_t i = 0; i < f->T; i++) {
        const uint32_t *c = f->counts + (size_t)i * 2 * plane;
        uint64_t on = 0, off = 0;
        uint32_t max = 0;
        for (size_t k = 0; k < plane; k++) {
            off += c[k];
            on += c[plane + k];
            max = c[k] > max ? c[k] : max;
            max = c[plane + k] > max ? c[plane + k] : max;
        }
        size_t lo = f->j_l[i], hi = f->j_r[i];
        printf("%5u %10zu %10zu %9llu %9llu %9llu %7u", i, lo, hi, (unsigned long long)(on + off),
               (unsigned long long)on, (unsigned long long)off, max);
        if (hi > lo)
            printf(" %12lld %12lld\n", (long long)s->ev[lo].t, (long long)s->ev[hi - 1].t);
        else
            printf(" %12s %12s\n", "-", "-");
    }
}

int sq_cli_dataset_frames(int argc, char **argv)
{
    if (sq_cli_wants_help(argc, argv, frames_usage))
        return 0;
    frames_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc;
    sq_dvs_stream s;
    sq_dvs_frames f = {0};
    sq_err err = {0};
    if ((rc = sq_dvs_file_read(a.file, &s, &err)) < 0)
        goto done;
    uint32_t w = a.size ? (uint32_t)a.size : s.width, h = a.size ? (uint32_t)a.size : s.height;
    if ((rc = sq_dvs_frames_make(&s, a.split, (uint32_t)a.T, w, h, &f, &err)) < 0)
        goto done;
    summary(&a, &s, &f);
    if (a.png && (rc = sq_cli_frames_png(a.png, &f, &err)) == 0)
        printf("png: %s\n", a.png);
    if (rc == 0 && a.raw && (rc = write_raw(a.raw, &f, &err)) == 0)
        printf("raw: %s (uint32 little-endian, %u x 2 x %u x %u)\n", a.raw, f.T, f.height, f.width);
done:
    sq_dvs_frames_free(&f);
    sq_dvs_stream_free(&s);
    if (rc < 0)
        fprintf(stderr, "spikeq: %s\n", err.msg);
    return rc < 0 ? 1 : 0;
}
