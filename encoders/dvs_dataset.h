/* encoders/dvs_dataset.h: a folder of event recordings laid out one folder per class, as CIFAR10-DVS
 * is distributed (<root>/<class>/cifar10_<class>_<i>.aedat, ../shared/specs/data.md §2.2) and as
 * N-MNIST is (<root>/<digit>/<id>.bin, §2.3). Classes are the sub-folders of root in lexicographic
 * (byte) order, which for CIFAR10-DVS is SpikingJelly's and tonic's class order (airplane 0 ...
 * truck 9); samples are a class's .aedat / .bin files in lexicographic order (cifar10_cat_0,
 * cifar10_cat_1, cifar10_cat_10, ...), i.e. torchvision DatasetFolder's order that SpikingJelly uses.
 * Any folder names work, so an emulated dataset is read by the same code.
 *
 * Splits (data.md §2.2, §2.6): "train"/"test" take, per class, the first ceil(n * ratio) samples in
 * that order (SpikingJelly's split_to_train_test_set with random_split=False, ratio 0.9); "tebn-test"
 * is the samples whose file-name index (the integer ending the stem) is 0-99 and "tebn-train" the rest
 * (CIFAR10DVSTEBNSplit). */
#ifndef SQ_DVS_DATASET_H
#define SQ_DVS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "dvs_events.h"

typedef enum { SQ_DVS_FILE_AEDAT, SQ_DVS_FILE_NMNIST } sq_dvs_file_kind;

/* Public value: one recording of a dataset. */
typedef struct {
    char *path;         /* <root>/<class>/<file> */
    uint32_t label;     /* index into the dataset's classes */
    int64_t file_index; /* the integer ending the file stem (cifar10_cat_17.aedat -> 17), -1 if none */
    sq_dvs_file_kind kind;
} sq_dvs_sample;

/* Public value: a listed dataset; everything is owned by the struct (sq_dvs_dataset_free). */
typedef struct {
    char *root;
    char **classes;
    uint32_t n_classes;
    sq_dvs_sample *samples; /* class by class, files in lexicographic order within a class */
    size_t n;
} sq_dvs_dataset;

typedef enum {
    SQ_DVS_SPLIT_ALL,
    SQ_DVS_SPLIT_TRAIN,      /* first ceil(n_c * ratio) of each class */
    SQ_DVS_SPLIT_TEST,       /* the rest of each class */
    SQ_DVS_SPLIT_TEBN_TRAIN, /* file index >= 100 */
    SQ_DVS_SPLIT_TEBN_TEST   /* file index 0-99 */
} sq_dvs_split;

/* SpikingJelly's CIFAR10DVS_CLASS_NAMES, in label order. */
extern const char *const sq_cifar10dvs_classes[10];

/* Lists root. Returns 0, SQ_EIO (root or a class folder cannot be read), SQ_EFORMAT (no class folders,
 * or a class folder without .aedat/.bin files; the message names the folder) or SQ_ENOMEM. On failure
 * *out is zeroed. Thread: any. */
int sq_dvs_dataset_open(const char *root, sq_dvs_dataset *out, sq_err *err);
void sq_dvs_dataset_free(sq_dvs_dataset *d);

/* Indices (into d->samples, in dataset order) of a split; *idx is malloc'd (free it), *n may be 0.
 * train_ratio (in (0, 1]) is used by SQ_DVS_SPLIT_TRAIN/TEST only. Returns 0, SQ_EINVAL (a ratio
 * outside (0, 1]), SQ_EFORMAT (a TEBN split over a file without an index; the message names it) or
 * SQ_ENOMEM. Thread: any. */
int sq_dvs_dataset_split(const sq_dvs_dataset *d, sq_dvs_split split, double train_ratio, size_t **idx, size_t *n,
                         sq_err *err);

/* "all", "train", "test", "tebn-train", "tebn-test". Returns 0 or SQ_EINVAL. */
int sq_dvs_split_parse(const char *name, sq_dvs_split *out);

/* The kind of a recording from its file name: ".aedat" or ".bin". Returns 0 or SQ_EINVAL. */
int sq_dvs_file_kind_of(const char *path, sq_dvs_file_kind *out);

/* Reads one recording with the reader its file name calls for. Returns what that reader returns, or
 * SQ_EINVAL for an unknown extension. Thread: any. */
int sq_dvs_file_read(const char *path, sq_dvs_stream *out, sq_err *err);

/* The path a sample of the CIFAR10-DVS layout has: "<root>/<class>/<prefix>_<class>_<i>.aedat"
 * (prefix "cifar10" for CIFAR10-DVS). Returns 0, or SQ_ERANGE if it does not fit in len bytes. */
int sq_dvs_dataset_sample_path(char *buf, size_t len, const char *root, const char *prefix, const char *class_name,
                               uint32_t i);

#endif
