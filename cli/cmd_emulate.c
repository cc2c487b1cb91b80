/* cli/cmd_emulate.c: `spikeq dataset emulate`: still images (Fashion-MNIST from Debian's
 * dataset-fashion-mnist, or any IDX image file with its labels) recorded by the emulated DVS128 of
 * encoders/saccade.h and written as a DVS dataset in the CIFAR10-DVS layout and format:
 * <out>/<class>/<prefix>_<class>_<i>.aedat, AEDAT 2.0, 128 x 128, so that `spikeq dataset info`,
 * the frame binning and the "dvs" encoder read emulated and real recordings through one path.
 * With --format nmnist it records as N-MNIST was made instead (34 x 34, the 28 x 28 image unscaled
 * with a 3-pixel margin, three saccades of (3.5, 7) px in ~290 ms; <out>/<class>/<i>.bin).
 * Class folders are named "<label>_<name>" so that their lexicographic order (the dataset's class
 * order, encoders/dvs_dataset.h) is the label order. This file reads the options and the images;
 * cli/emulate_run.c records and writes them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../encoders/idx.h"
#include "../encoders/saccade.h"
#include "cli.h"
#include "emulate.h"

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
    "  --threads N       images recorded in parallel (1); the files do not depend on N\n"
    "  -q, --quiet       no progress line\n";


/* Numeric options: name and where the value goes (double, or an integer when `u` is set). */
static int number_option(sq__emulate_options *o, const char *name, const char *val)
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
static void set_format(sq__emulate_options *o, int nmnist)
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

/* A decimal integer option (seed, repeats, max-events, threads): 1 if name is one, -1 on a bad value, 0 if
 * name is not one of them. */
static int integer_option(sq__emulate_options *o, const char *name, const char *val)
{
    struct { const char *name; unsigned long long min, max; } table[] = {
        {"--seed", 0, ULLONG_MAX}, {"--repeats", 0, 100000}, {"--max-events", 0, SIZE_MAX}, {"--threads", 1, 256}};
    for (size_t i = 0; i < SQ_COUNT(table); i++) {
        if (strcmp(name, table[i].name) != 0)
            continue;
        char *end;
        errno = 0;
        unsigned long long u = strtoull(val, &end, 10);
        if (!*val || *end || val[0] == '-' || errno || u < table[i].min || u > table[i].max) {
            fprintf(stderr, "spikeq: dataset emulate: %s: expected an integer from %llu to %llu, got \"%s\"\n", name,
                    table[i].min, table[i].max, val);
            return -1;
        }
        if (i == 0)
            o->par.pixel.seed = u;
        else if (i == 1)
            o->par.repeats = (unsigned)u;
        else if (i == 2)
            o->par.max_events = (size_t)u;
        else
            o->threads = (unsigned)u;
        return 1;
    }
    return 0;
}

static int other_option(sq__emulate_options *o, const char *name, const char *val)
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

static int parse(int argc, char **argv, sq__emulate_options *o)
{
    sq_saccade_params_default(&o->par);
    o->split = "train";
    o->threads = 1;
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
static int resolve_sources(sq__emulate_options *o)
{
    if (strcmp(o->from, "fashion-mnist") == 0) {
        if (strcmp(o->split, "train") != 0 && strcmp(o->split, "test") != 0) {
            fprintf(stderr, "spikeq: dataset emulate: --split: expected train or test, got \"%s\"\n", o->split);
            return -1;
        }
        const char *stem = o->split[1] == 'r' ? "train" : "t10k";
        snprintf(o->images_path, sizeof o->images_path, "%s/%s-images-idx3-ubyte.gz", SQ_FASHION_MNIST_DIR, stem);
        snprintf(o->labels_path, sizeof o->labels_path, "%s/%s-labels-idx1-ubyte.gz", SQ_FASHION_MNIST_DIR, stem);
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

static int check_counts(const sq__emulate_options *o, const sq_idx_images *im, const sq_idx_labels *lb,
                        unsigned long long *n)
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
    static sq__emulate_options o; /* large path buffers: not on the stack */
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
    else if (check_counts(&o, &im, &lb, &n) == 0 && make_empty_dir(o.out) == 0 &&
             sq__emulate_run(&o, &im, &lb, n) == 0)
        rc = 0;
    sq_idx_images_free(&im);
    sq_idx_labels_free(&lb);
    return rc;
}
