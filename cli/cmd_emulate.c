/* cli/cmd_emulate.c: `spikeq dataset emulate`: still images (Fashion-MNIST from Debian's
 * dataset-fashion-mnist, or any IDX image file with its labels) recorded by the emulated DVS128 of
 * encoders/saccade.h and written as a DVS dataset in the CIFAR10-DVS layout and format:
 * <out>/<class>/<prefix>_<class>_<i>.aedat, AEDAT 2.0, 128 x 128, so that `spikeq dataset info`,
 * the frame binning and the "dvs" encoder read emulated and real recordings through one path.
 * With --format nmnist it records as N-MNIST was made instead (34 x 34, the 28 x 28 image unscaled
 * with a 3-pixel margin, three saccades of (3.5, 7) px in ~290 ms; <out>/<class>/<i>.bin).
 * Class folders are named "<label>_<name>" so that their lexicographic order (the dataset's class
 * order, encoders/dvs_dataset.h) is the label order. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../encoders/dvs_dataset.h"
#include "../encoders/idx.h"
#include "../encoders/saccade.h"
#include "cli.h"

#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"

static const char emulate_usage[] =
    "usage: spikeq dataset emulate --from fashion-mnist|IMAGES.idx[.gz] --out DIR [options]\n"
    "\n"
    "Records still images with an emulated DVS128 as CIFAR10-DVS was recorded: each image, upscaled\n"
    "and centred on the 128 x 128 sensor, moves along a closed path at constant speed; the pixels\n"
    "follow the ESIM/v2e model (log-intensity change detection, per-pixel thresholds, interpolated\n"
    "timestamps, refractory period). Writes DIR/<label>_<class>/<prefix>_<label>_<class>_<i>.aedat\n"
    "(AEDAT 2.0), one folder per class. A progress line on a terminal; a summary at the end.\n"
    "\n"
    "  --from SRC        fashion-mnist (Debian's dataset-fashion-mnist) or an IDX images file\n"
    "  --split S         fashion-mnist: train (default) or test\n"
    "  --labels FILE     IDX labels (default: the images path with images-idx3 -> labels-idx1)\n"
    "  --out DIR         a new or empty folder\n"
    "  --samples N       images to record (default: all), from --first K (default 0)\n"
    "  --seed S          the sensor's threshold mismatch (default 1)\n"
    "  --threshold C     ON and OFF contrast thresholds, ln units (0.2)\n"
    "  --sigma S         per-pixel threshold std (0.03); --eps E: L = ln(eps + I) (0.001)\n"
    "  --lin-log         L = v2e's lin_log(255 I): linear up to 20 of 255, ln above (instead of eps)\n"
    "  --refractory MS   refractory period (0)\n"
    "  --path P          square (default), circle or triangle; --amplitude PX (3), --speed PX/MS (0.1),\n"
    "                    --repeats R (1), --scale S (4: sensor px per image px), --step MS (1: frame interval)\n"
    "  --refresh HZ      the monitor shows a new position only every 1/HZ s (0: continuous; CIFAR10-DVS: 60)\n"
    "  --max-events N    per recording (16777216)\n"
    "  --format F        cifar10dvs (default: 128 x 128 AEDAT 2.0) or nmnist (34 x 34 .bin, scale 1,\n"
    "                    triangle path of N-MNIST's saccades: amplitude 7, 0.0783 px/ms, ~290 ms);\n"
    "                    options after it still override\n"
    "  -q, --quiet       no progress line\n";

static const char *const fmnist_classes[10] = {"tshirt_top", "trouser", "pullover", "dress", "coat",
                                               "sandal", "shirt", "sneaker", "bag", "ankle_boot"};

typedef struct {
    const char *from, *split, *labels, *out;
    int nmnist;                   /* --format nmnist */
    unsigned long long samples, first;
    int has_samples, quiet;
    sq_saccade_params par;
    char images_path[4096], labels_path[4096];
} options;

/* Numeric options: name and where the value goes (double, or an integer when `u` is set). */
static int number_option(options *o, const char *name, const char *val)
{
    struct { const char *name; double *d; unsigned long long *u; } table[] = {
        {"--threshold", &o->par.pixel.c_on, NULL}, {"--sigma", &o->par.pixel.sigma, NULL},
        {"--eps", &o->par.pixel.eps, NULL},        {"--refractory", &o->par.pixel.refractory_us, NULL},
        {"--amplitude", &o->par.amplitude, NULL},  {"--speed", &o->par.speed, NULL},
        {"--scale", &o->par.scale, NULL},          {"--step", &o->par.step, NULL},
        {"--refresh", &o->par.refresh, NULL},
        {"--samples", NULL, &o->samples},          {"--first", NULL, &o->first},
    };
    for (size_t i = 0; i < SQ_COUNT(table); i++) {
        if (strcmp(name, table[i].name) != 0)
            continue;
        char *end;
        errno = 0;
        double d = strtod(val, &end);
        if (end == val || *end || errno || (table[i].u && (d < 0 || d != (double)(unsigned long long)d))) {
            fprintf(stderr, "spikeq: dataset emulate: %s: expected a %s, got \"%s\"\n", name,
                    table[i].u ? "non-negative integer" : "number", val);
            return -1;
        }
        if (table[i].d)
            *table[i].d = d;
        else
            *table[i].u = (unsigned long long)d;
        o->has_samples |= table[i].u == &o->samples;
        return 1;
    }
    return 0;
}

/* N-MNIST's recording (Orchard et al. 2015; data.md §2.3, §4.3): an ATIS 34 x 34 crop, the digit
 * unscaled (28 px with a 3 px margin), three saccades along (0,0) -> (3.5,7) -> (7,0) -> (0,0) of
 * ~100 ms each. */
static void set_format(options *o, int nmnist)
{
    sq_saccade_params d;
    sq_saccade_params_default(&d);
    o->nmnist = nmnist;
    o->par.width = o->par.height = nmnist ? 34 : d.width;
    o->par.scale = nmnist ? 1.0 : d.scale;
    o->par.path = nmnist ? SQ_PATH_TRIANGLE : d.path;
    o->par.amplitude = nmnist ? 7.0 : d.amplitude;
    o->par.speed = nmnist ? 0.0783 : d.speed;
}

/* A decimal integer option (seed, repeats, max-events): 1 if name is one, -1 on a bad value, 0 if
 * name is not one of them. */
static int integer_option(options *o, const char *name, const char *val)
{
    struct { const char *name; unsigned long long max; } table[] = {
        {"--seed", ULLONG_MAX}, {"--repeats", 100000}, {"--max-events", SIZE_MAX}};
    for (size_t i = 0; i < SQ_COUNT(table); i++) {
        if (strcmp(name, table[i].name) != 0)
            continue;
        char *end;
        errno = 0;
        unsigned long long u = strtoull(val, &end, 10);
        if (!*val || *end || val[0] == '-' || errno || u > table[i].max) {
            fprintf(stderr, "spikeq: dataset emulate: %s: expected an integer from 0 to %llu, got \"%s\"\n", name,
                    table[i].max, val);
            return -1;
        }
        if (i == 0)
            o->par.pixel.seed = u;
        else if (i == 1)
            o->par.repeats = (unsigned)u;
        else
            o->par.max_events = (size_t)u;
        return 1;
    }
    return 0;
}

static int other_option(options *o, const char *name, const char *val)
{
    int rc = integer_option(o, name, val);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (strcmp(name, "--from") == 0)
        o->from = val;
    else if (strcmp(name, "--split") == 0)
        o->split = val;
    else if (strcmp(name, "--labels") == 0)
        o->labels = val;
    else if (strcmp(name, "--out") == 0)
        o->out = val;
    else if (strcmp(name, "--format") == 0 && (strcmp(val, "cifar10dvs") == 0 || strcmp(val, "nmnist") == 0))
        set_format(o, strcmp(val, "nmnist") == 0);
    else if (strcmp(name, "--path") == 0 && sq_saccade_path_find(val) >= 0)
        o->par.path = (sq_saccade_path)sq_saccade_path_find(val);
    else {
        fprintf(stderr, "spikeq: dataset emulate: %s: unknown option or bad value \"%s\" (see --help)\n", name, val);
        return -1;
    }
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    sq_saccade_params_default(&o->par);
    o->split = "train";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "--lin-log") == 0) {
            o->quiet |= argv[i][2] != 'l';
            o->par.pixel.lin_log |= argv[i][2] == 'l';
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "spikeq: dataset emulate: %s: expected a value after it\n", argv[i]);
            return -1;
        }
        int rc = number_option(o, argv[i], argv[i + 1]);
        if (rc < 0 || (rc == 0 && other_option(o, argv[i], argv[i + 1]) < 0))
            return -1;
        i++;
    }
    o->par.pixel.c_off = o->par.pixel.c_on;
    o->par.pixel.refractory_us *= 1000.0; /* ms on the command line, us in the model */
    if (!o->from || !o->out) {
        fprintf(stderr, "spikeq: dataset emulate: expected --from and --out (see --help)\n");
        return -1;
    }
    return 0;
}

/* The images and labels files: Debian's Fashion-MNIST, or a path and its labels. */
static int resolve_sources(options *o)
{
    if (strcmp(o->from, "fashion-mnist") == 0) {
        if (strcmp(o->split, "train") != 0 && strcmp(o->split, "test") != 0) {
            fprintf(stderr, "spikeq: dataset emulate: --split: expected train or test, got \"%s\"\n", o->split);
            return -1;
        }
        const char *stem = o->split[1] == 'r' ? "train" : "t10k";
        snprintf(o->images_path, sizeof o->images_path, "%s/%s-images-idx3-ubyte.gz", FMNIST_DIR, stem);
        snprintf(o->labels_path, sizeof o->labels_path, "%s/%s-labels-idx1-ubyte.gz", FMNIST_DIR, stem);
        return 0;
    }
    snprintf(o->images_path, sizeof o->images_path, "%s", o->from);
    if (o->labels) {
        snprintf(o->labels_path, sizeof o->labels_path, "%s", o->labels);
        return 0;
    }
    char *at = strstr(o->images_path, "images-idx3");
    snprintf(o->labels_path, sizeof o->labels_path, "%s", o->images_path);
    if (at)
        memcpy(o->labels_path + (at - o->images_path), "labels-idx1", 11);
    if (!at || access(o->labels_path, R_OK) != 0) {
        fprintf(stderr, "spikeq: dataset emulate: %s: expected its labels with --labels FILE%s\n", o->from,
                at ? " (the guessed labels file is not readable)" : "");
        return -1;
    }
    return 0;
}

/* Creates dir (one level, or accepts an existing empty one). */
static int make_empty_dir(const char *dir)
{
    if (mkdir(dir, 0777) == 0)
        return 0;
    DIR *d = errno == EEXIST ? opendir(dir) : NULL;
    if (!d) {
        fprintf(stderr, "spikeq: %s: cannot create the folder: %s\n", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) && empty)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    if (!empty)
        fprintf(stderr, "spikeq: %s: expected a new or empty folder, got one with files in it\n", dir);
    return empty ? 0 : -1;
}

static void class_name(char *buf, size_t len, int fmnist, unsigned label, unsigned max_label)
{
    if (fmnist && label < 10)
        snprintf(buf, len, "%u_%s", label, fmnist_classes[label]);
    else /* zero-padded, so that lexicographic order is numeric order */
        snprintf(buf, len, "%0*u", max_label >= 100 ? 3 : max_label >= 10 ? 2 : 1, label);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    size_t per_class[256];
    double events, lo, hi, t0, last_shown;
} tally;

static void progress(const options *o, tally *t, unsigned long long done, unsigned long long total)
{
    double now = now_s(), wall = now - t->t0;
    if (o->quiet || !isatty(STDERR_FILENO) || (now - t->last_shown < 0.2 && done < total))
        return;
    t->last_shown = now; /* at most five updates a second */
    double rate = wall > 0 ? (double)done / wall : 0.0;
    fprintf(stderr, "\r[%3.0f%%] %llu / %llu images   %.1f images/s   %.0f events/image   ETA %.0f s   ",
            100.0 * (double)done / (double)total, done, total, rate, done ? t->events / (double)done : 0.0,
            rate > 0 ? (double)(total - done) / rate : 0.0);
    fflush(stderr);
}

static void summary(const options *o, const tally *t, unsigned long long n, int fmnist, unsigned max_label)
{
    double wall = now_s() - t->t0;
    const sq_saccade_params *p = &o->par;
    if (!o->quiet && isatty(STDERR_FILENO))
        fputs("\r\033[K", stderr);
    printf("source: %s (images %llu to %llu)\n", o->images_path, o->first, o->first + n - 1);
    if (o->nmnist)
        printf("output: %s (N-MNIST layout: <class>/<i>.bin, 5 bytes an event, %u x %u)\n", o->out, p->width,
               p->height);
    else
        printf("output: %s (CIFAR10-DVS layout: <class>/<prefix>_<class>_<i>.aedat, AEDAT 2.0, %u x %u)\n", o->out,
               p->width, p->height);
    printf("motion: %s path, amplitude %g px, %g px/ms, %u repeat(s): %g ms a recording, a frame every %g ms, "
           "image scaled x%g\n", sq_saccade_path_name(p->path), p->amplitude, p->speed, p->repeats,
           sq_saccade_duration(p), p->step, p->scale);
    if (p->refresh > 0)
        printf("monitor refresh: %g Hz\n", p->refresh);
    char curve[48];
    snprintf(curve, sizeof curve, p->pixel.lin_log ? "lin_log(255 I)" : "ln(%g + I)", p->pixel.eps);
    printf("pixels: L = %s, thresholds %g (std %g, seed %llu), refractory %g ms\n", curve, p->pixel.c_on,
           p->pixel.sigma, (unsigned long long)p->pixel.seed, p->pixel.refractory_us / 1000.0);
    printf("images: %llu\n", n);
    for (unsigned c = 0; c <= max_label; c++) {
        char name[64];
        class_name(name, sizeof name, fmnist, c, max_label);
        if (t->per_class[c])
            printf("  class %s: %zu\n", name, t->per_class[c]);
    }
    printf("events: %.0f (per image: min %.0f, mean %.1f, max %.0f)\n", t->events, t->lo, t->events / (double)n,
           t->hi);
    printf("wall time: %.2f s\nimages/s: %.2f\nevents/image: %.0f\n", wall, (double)n / wall, t->events / (double)n);
}

/* Writes to "<path>.part" and renames, so that an interrupted run never leaves a truncated
 * recording under a name the dataset listing would pick up. */
static int write_recording(const options *o, const char *path, const sq_dvs_stream *ev, sq_err *err)
{
    char part[4500];
    snprintf(part, sizeof part, "%s.part", path);
    int rc = o->nmnist ? sq_nmnist_write(part, ev, err) : sq_aedat_write(part, ev, err);
    if (rc == 0 && rename(part, path) != 0)
        rc = sq_fail(err, SQ_EIO, "%s: cannot rename to %s: %s", part, path, strerror(errno));
    return rc;
}

/* Records images [first, first + n) into the class folders. Returns 0 or prints the error and
 * returns -1. */
static int emulate_all(const options *o, const sq_idx_images *im, const sq_idx_labels *lb, unsigned long long n,
                       tally *t)
{
    int fmnist = strcmp(o->from, "fashion-mnist") == 0;
    unsigned max_label = 0;
    for (uint32_t i = 0; i < lb->n; i++)
        max_label = lb->labels[i] > max_label ? lb->labels[i] : max_label;
    sq_saccade *sc = NULL;
    sq_dvs_stream ev = {0};
    sq_err err = {0};
    int rc = sq_saccade_create(&o->par, (uint16_t)im->cols, (uint16_t)im->rows, &sc, &err);
    t->lo = 1e300;
    t->t0 = now_s();
    for (unsigned long long k = 0; k < n && rc == 0; k++) {
        uint64_t i = o->first + k;
        unsigned label = lb->labels[i];
        char name[64], dir[4200], path[4400];
        class_name(name, sizeof name, fmnist, label, max_label);
        snprintf(dir, sizeof dir, "%s/%s", o->out, name);
        if (t->per_class[label] == 0 && mkdir(dir, 0777) != 0 && errno != EEXIST) {
            rc = sq_fail(&err, SQ_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
            break;
        }
        if (o->nmnist)
            snprintf(path, sizeof path, "%s/%zu.bin", dir, t->per_class[label]);
        else if (sq_dvs_dataset_sample_path(path, sizeof path, o->out, fmnist ? "fmnist" : "idx", name,
                                            (uint32_t)t->per_class[label]) < 0) {
            rc = sq_fail(&err, SQ_ERANGE, "%s: output path too long", o->out);
            break;
        }
        const uint8_t *img = im->pixels + (size_t)i * im->rows * im->cols;
        if ((rc = sq_saccade_record(sc, img, &ev, &err)) < 0 || (rc = write_recording(o, path, &ev, &err)) < 0)
            break;
        t->per_class[label]++;
        t->events += (double)ev.n;
        t->lo = (double)ev.n < t->lo ? (double)ev.n : t->lo;
        t->hi = (double)ev.n > t->hi ? (double)ev.n : t->hi;
        progress(o, t, k + 1, n);
    }
    sq_dvs_stream_free(&ev);
    sq_saccade_destroy(sc);
    if (rc < 0)
        fprintf(stderr, "%sspikeq: %s\n", !o->quiet && isatty(STDERR_FILENO) ? "\n" : "", err.msg);
    else
        summary(o, t, n, fmnist, max_label);
    return rc < 0 ? -1 : 0;
}

static int check_counts(const options *o, const sq_idx_images *im, const sq_idx_labels *lb, unsigned long long *n)
{
    if (lb->n != im->n) {
        fprintf(stderr, "spikeq: %s: expected %u labels, one per image of %s, got %u\n", o->labels_path, im->n,
                o->images_path, lb->n);
        return -1;
    }
    if (im->rows > 4096 || im->cols > 4096 || o->first >= im->n) {
        fprintf(stderr, "spikeq: %s: expected images of at most 4096 x 4096 and --first below %u, got %u x %u and "
                "%llu\n", o->images_path, im->n, im->rows, im->cols, o->first);
        return -1;
    }
    *n = o->has_samples ? o->samples : im->n - o->first;
    if (*n == 0 || *n > im->n - o->first) {
        fprintf(stderr, "spikeq: dataset emulate: --samples: expected 1 to %llu (the images from --first %llu), "
                "got %llu\n", (unsigned long long)(im->n - o->first), o->first, *n);
        return -1;
    }
    return 0;
}

int sq_cli_dataset_emulate(int argc, char **argv)
{
    if (sq_cli_wants_help(argc, argv, emulate_usage))
        return 0;
    static options o; /* large path buffers: not on the stack */
    memset(&o, 0, sizeof o);
    if (parse(argc, argv, &o) < 0 || resolve_sources(&o) < 0)
        return 2;
    sq_err err = {0};
    sq_saccade *probe = NULL;
    if (sq_saccade_create(&o.par, 28, 28, &probe, &err) < 0) {
        fprintf(stderr, "spikeq: dataset emulate: %s\n", err.msg);
        return 2;
    }
    sq_saccade_destroy(probe);
    sq_idx_images im = {0};
    sq_idx_labels lb = {0};
    unsigned long long n = 0;
    int rc = 1;
    if (sq_idx_read_images(o.images_path, &im, &err) < 0 || sq_idx_read_labels(o.labels_path, &lb, &err) < 0)
        fprintf(stderr, "spikeq: %s\n", err.msg);
    else if (check_counts(&o, &im, &lb, &n) == 0 && make_empty_dir(o.out) == 0 && emulate_all(&o, &im, &lb, n, &(tally){0}) == 0)
        rc = 0;
    sq_idx_images_free(&im);
    sq_idx_labels_free(&lb);
    return rc;
}
