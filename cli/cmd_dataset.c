/* cli/cmd_dataset.c: `spikeq dataset <sub>`: the dataset tools, one row of the subcommand table
 * each. `info` summarises an IDX file (MNIST, Fashion-MNIST), one event recording (AEDAT 2.0 of
 * CIFAR10-DVS, N-MNIST .bin), a folder of IDX splits (MNIST's and Debian's Fashion-MNIST layout:
 * train-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz], ...) or a class-folder dataset; `list` prints a dataset's samples in order
 * with their labels, for a split; `frames` is in cli/cmd_frames.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../encoders/dvs_dataset.h"
#include "../encoders/idx.h"
#include "cli.h"

static int ds_info(int argc, char **argv);
static int ds_list(int argc, char **argv);

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand; returns the exit status */
    const char *summary;
} subcommand;

/* Every `spikeq dataset` subcommand; a new one is one row here (its code in its own file, its entry
 * point declared in cli.h). The image-to-event emulator, `emulate`, is to be added as a row here. */
static const subcommand subcommands[] = {
    {"info", ds_info, "info PATH        what an IDX file, an event recording or a dataset folder holds"},
    {"list", ds_list, "list ROOT [--split S] [--ratio R]  a dataset's samples in order: label, class, path"},
    {"frames", sq_cli_dataset_frames, "frames FILE --T N --split number|time [--size S] [--png OUT.png] [--raw OUT]\n"
                                      "                   a recording binned into frames as SpikingJelly does"},
    {"emulate", sq_cli_dataset_emulate, "emulate --from fashion-mnist|IMAGES.idx --out DIR [--samples N] [--seed S] ...\n"
                                        "                   still images recorded by an emulated DVS128 (CIFAR10-DVS layout)"},
};

static void usage(FILE *f)
{
    fputs("usage: spikeq dataset <subcommand> [options]   (spikeq dataset <subcommand> --help)\n\nsubcommands:\n", f);
    for (size_t i = 0; i < SQ_COUNT(subcommands); i++)
        fprintf(f, "  %s\n", subcommands[i].summary);
}

int sq_cli_dataset(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < SQ_COUNT(subcommands); i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "spikeq dataset: unknown subcommand \"%s\" (see spikeq dataset --help)\n", argv[1]);
    return 2;
}

int sq_cli_wants_help(int argc, char **argv, const char *text)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(text, stdout);
            return 1;
        }
    return 0;
}

static const char info_usage[] =
    "usage: spikeq dataset info PATH\n"
    "\n"
    "PATH is an IDX file (MNIST/Fashion-MNIST images or labels, raw or .gz), one event recording\n"
    "(.aedat: AEDAT 2.0 of a DVS128, as CIFAR10-DVS; .bin: N-MNIST), a folder of IDX files in\n"
    "MNIST's layout (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...: each split's\n"
    "images, size, pixel mean and class counts) or a dataset folder with one folder of recordings per\n"
    "class. Prints the kind, samples, classes, sensor or image size and events per sample\n"
    "(min/mean/max; every recording of a folder is read).\n";

static int fail(const sq_err *err)
{
    fprintf(stderr, "spikeq: %s\n", err->msg);
    return 1;
}

static int info_idx(const char *path)
{
    sq_idx_array a;
    sq_err err = {0};
    if (sq_idx_read(path, &a, &err) < 0)
        return fail(&err);
    printf("file: %s\n", path);
    if (a.ndim == 3) {
        double sum = 0;
        for (size_t i = 0; i < a.size; i++)
            sum += a.data[i];
        printf("kind: idx images\nsamples: %u\nimage size: %u x %u (rows x cols)\npixel mean: %.3f\n", a.dims[0],
               a.dims[1], a.dims[2], a.size ? sum / (double)a.size : 0.0);
    } else if (a.ndim == 1) {
        size_t count[256] = {0};
        unsigned n_classes = 0;
        for (size_t i = 0; i < a.size; i++)
            count[a.data[i]]++;
        for (unsigned c = 0; c < 256; c++)
            n_classes += count[c] > 0;
        printf("kind: idx labels\nsamples: %u\nclasses: %u\n", a.dims[0], n_classes);
        for (unsigned c = 0; c < 256; c++)
            if (count[c])
                printf("  label %u: %zu samples\n", c, count[c]);
    } else {
        printf("kind: idx array\ndimensions:");
        for (unsigned d = 0; d < a.ndim; d++)
            printf(" %u", a.dims[d]);
        printf("\n");
    }
    sq_idx_array_free(&a);
    return 0;
}

static const char *kind_name(sq_dvs_file_kind k)
{
    return k == SQ_DVS_FILE_AEDAT ? "AEDAT 2.0 (DVS128, CIFAR10-DVS)" : "N-MNIST (ATIS, 5 bytes an event)";
}

static int info_recording(const char *path, sq_dvs_file_kind kind)
{
    sq_dvs_stream s;
    sq_err err = {0};
    if (sq_dvs_file_read(path, &s, &err) < 0)
        return fail(&err);
    size_t on = 0;
    for (size_t i = 0; i < s.n; i++)
        on += s.ev[i].p;
    printf("file: %s\nkind: event recording, %s\nsamples: 1\nsensor: %u x %u\nevents: %zu (ON %zu, OFF %zu)\n", path,
           kind_name(kind), s.width, s.height, s.n, on, s.n - on);
    if (s.n)
        printf("time: %lld to %lld us (%lld us)\n", (long long)s.ev[0].t, (long long)s.ev[s.n - 1].t,
               (long long)(s.ev[s.n - 1].t - s.ev[0].t));
    sq_dvs_stream_free(&s);
    return 0;
}

static int info_folder(const char *root)
{
    sq_dvs_dataset d;
    sq_err err = {0};
    if (sq_dvs_dataset_open(root, &d, &err) < 0)
        return fail(&err);
    size_t lo = SIZE_MAX, hi = 0, *per_class = calloc(d.n_classes, sizeof *per_class);
    double sum = 0;
    unsigned w = 0, h = 0, mixed = 0, kinds = 0;
    int rc = 0;
    for (size_t i = 0; i < d.n && per_class; i++) {
        sq_dvs_stream s;
        if ((rc = sq_dvs_file_read(d.samples[i].path, &s, &err)) < 0)
            break;
        mixed |= i > 0 && (s.width != w || s.height != h);
        w = s.width, h = s.height;
        lo = s.n < lo ? s.n : lo;
        hi = s.n > hi ? s.n : hi;
        sum += (double)s.n;
        per_class[d.samples[i].label]++;
        kinds |= 1u << d.samples[i].kind;
        sq_dvs_stream_free(&s);
    }
    if (rc == 0 && per_class) {
        printf("folder: %s\nkind: event dataset (one folder per class), %s\nsamples: %zu\nclasses: %u\n", root,
               kinds == 3 ? "mixed formats" : kind_name(kinds == 1 ? SQ_DVS_FILE_AEDAT : SQ_DVS_FILE_NMNIST), d.n,
               d.n_classes);
        for (uint32_t c = 0; c < d.n_classes; c++)
            printf("  %u %s: %zu samples\n", c, d.classes[c], per_class[c]);
        if (mixed)
            printf("sensor: mixed sizes\n");
        else
            printf("sensor: %u x %u\n", w, h);
        printf("events per sample: min %zu, mean %.1f, max %zu\n", lo, sum / (double)d.n, hi);
    }
    free(per_class);
    sq_dvs_dataset_free(&d);
    return rc < 0 ? fail(&err) : 0;
}

/* Whether dir holds split's images in MNIST's naming, gzip'd or raw (what sq_idx_read_split reads). */
static int has_idx_split(const char *dir, const char *split)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", dir, split);
    if (access(path, F_OK) == 0)
        return 1;
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, split);
    return access(path, F_OK) == 0;
}

static void idx_split_summary(const char *split, const sq_idx_images *im, const sq_idx_labels *lb)
{
    size_t count[256] = {0}, px = (size_t)im->n * im->rows * im->cols;
    unsigned n_classes = 0;
    double sum = 0;
    for (size_t i = 0; i < px; i++)
        sum += im->pixels[i];
    for (uint32_t i = 0; i < lb->n; i++)
        count[lb->labels[i]]++;
    for (unsigned c = 0; c < 256; c++)
        n_classes += count[c] > 0;
    printf("split %s:\n  images: %u\n  image size: %u x %u (rows x cols)\n  pixel mean: %.3f\n  labels: %u\n"
           "  classes: %u\n", split, im->n, im->rows, im->cols, px ? sum / (double)px : 0.0, lb->n, n_classes);
    for (unsigned c = 0; c < 256; c++)
        if (count[c])
            printf("    label %u: %zu samples\n", c, count[c]);
}

/* A folder of IDX splits (Debian's /usr/share/datasets/fashion-mnist): each split present, in the
 * order MNIST lists them. */
static int info_idx_folder(const char *dir)
{
    static const char *const splits[] = {"train", "t10k"};
    printf("folder: %s\nkind: idx dataset (MNIST layout: <split>-images-idx3-ubyte, <split>-labels-idx1-ubyte)\n",
           dir);
    for (size_t k = 0; k < SQ_COUNT(splits); k++) {
        if (!has_idx_split(dir, splits[k]))
            continue;
        sq_idx_images im;
        sq_idx_labels lb;
        sq_err err = {0};
        if (sq_idx_read_split(dir, splits[k], &im, &lb, &err) < 0)
            return fail(&err);
        idx_split_summary(splits[k], &im, &lb);
        sq_idx_images_free(&im);
        sq_idx_labels_free(&lb);
    }
    return 0;
}

static int ds_info(int argc, char **argv)
{
    if (sq_cli_wants_help(argc, argv, info_usage))
        return 0;
    if (argc != 2) {
        fputs(info_usage, stderr);
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) != 0) {
        fprintf(stderr, "spikeq: %s: no such file or folder\n", argv[1]);
        return 1;
    }
    if (S_ISDIR(st.st_mode) && (has_idx_split(argv[1], "train") || has_idx_split(argv[1], "t10k")))
        return info_idx_folder(argv[1]);
    if (S_ISDIR(st.st_mode))
        return info_folder(argv[1]);
    sq_dvs_file_kind kind;
    if (sq_dvs_file_kind_of(argv[1], &kind) == 0)
        return info_recording(argv[1], kind);
    return info_idx(argv[1]);
}

static const char list_usage[] =
    "usage: spikeq dataset list ROOT [--split all|train|test|tebn-train|tebn-test] [--ratio R]\n"
    "\n"
    "Prints a class-folder dataset's samples in dataset order (classes and files in lexicographic\n"
    "order), one a line: label, class, file-name index (-1 if none), path. Splits: train/test take the\n"
    "first ceil(n * R) samples of each class (R = 0.9 by default, SpikingJelly's split); tebn-test is\n"
    "the samples numbered 0-99 in each class and tebn-train the rest.\n";

static int ds_list(int argc, char **argv)
{
    if (sq_cli_wants_help(argc, argv, list_usage))
        return 0;
    const char *root = NULL, *split_name = "all";
    double ratio = 0.9;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--split") == 0 && i + 1 < argc)
            split_name = argv[++i];
        else if (strcmp(argv[i], "--ratio") == 0 && i + 1 < argc)
            ratio = atof(argv[++i]);
        else if (!root && argv[i][0] != '-')
            root = argv[i];
        else {
            fprintf(stderr, "spikeq: dataset list: unexpected argument \"%s\" (see spikeq dataset list --help)\n",
                    argv[i]);
            return 2;
        }
    }
    sq_dvs_split split;
    if (!root || sq_dvs_split_parse(split_name, &split) != 0) {
        fprintf(stderr, "spikeq: dataset list: %s\n", root ? "--split: expected all, train, test, tebn-train or "
                                                                "tebn-test" : "expected a dataset folder");
        return 2;
    }
    sq_dvs_dataset d;
    sq_err err = {0};
    size_t *idx, n;
    if (sq_dvs_dataset_open(root, &d, &err) < 0)
        return fail(&err);
    int rc = sq_dvs_dataset_split(&d, split, ratio, &idx, &n, &err);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        const sq_dvs_sample *s = &d.samples[idx[k]];
        printf("%u\t%s\t%lld\t%s\n", s->label, d.classes[s->label], (long long)s->file_index, s->path);
    }
    if (rc == 0)
        free(idx);
    sq_dvs_dataset_free(&d);
    return rc < 0 ? fail(&err) : 0;
}
