/* encoders/sample_set.h: a labelled dataset split seen as float tensors, the input of the layered
 * networks' step engine: sample i is T x height x width x channels floats, time-major and channels
 * last ([T][H][W][C], row-major), with an integer label.
 *
 * Sources (README.md "Sample sets"; ../shared/specs/data.md §2-4, learning.md §6.1-6.2):
 * - SQ_SAMPLES_TENSORS: an HDF5 file with /<split>/inputs [n][T][C][H][W] (PyTorch's layout,
 *   transposed on get) and /<split>/labels [n] (integers >= 0); n_classes is the root attribute
 *   "n_classes", else the largest label + 1. Read one sample at a time.
 * - SQ_SAMPLES_IDX: MNIST-style images (IDX) as pixel / 255 in float32 (torchvision's ToTensor), the
 *   same image at each of the T steps ("direct" encoding); C = 1.
 * - SQ_SAMPLES_DVS_FOLDER: a class-folder event dataset (CIFAR10-DVS layout, dvs_dataset.h) framed
 *   exactly as SpikingJelly does (frames.h: T frames split by number or time, event-level
 *   downsampling to size x size); C = 2, channel 0 = OFF. Files are read on each get, or framed
 *   once into a cache (below) when params.cache is set.
 * - SQ_SAMPLES_DVS_EMULATED: still images (IDX) recorded by the emulated DVS of saccade.h, framed as
 *   above, always through the cache.
 * Frame values are the event counts times params.scale (0.25 with 128 -> 64 px is the 2 x 2 average
 * that S-ResNet's transforms.Resize feeds its network, learning.md §6.2).
 *
 * The frame cache (encoders/frame_cache.h) is one HDF5 file per parameter set in the cache folder,
 * named by a hash of everything that changes the counts (source files with their size and mtime,
 * split, emulator parameters, T, split_by, size, samples); scale is applied on get and is not part
 * of it. It is built in parallel (OpenMP over samples; every sample is a pure function of its image
 * or file and the seed, so the file is the same for any thread count), written under a temporary
 * name and renamed, so an interrupted build leaves no cache. A later open reuses it. A cache file
 * that is truncated or corrupt is an SQ_EFORMAT error naming it (it is never deleted or rebuilt
 * silently: delete it to rebuild). Tested in tests/test_sample_set.c and tests/test_sample_set.py. */
#ifndef SQ_SAMPLE_SET_H
#define SQ_SAMPLE_SET_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"
#include "frames.h"
#include "saccade.h"

typedef enum { SQ_SAMPLES_TENSORS, SQ_SAMPLES_IDX, SQ_SAMPLES_DVS_FOLDER, SQ_SAMPLES_DVS_EMULATED } sq_sample_source;

/* counts: every value is a non-negative integer (event counts, before any scale != 1). */
typedef enum { SQ_SAMPLE_VALUES_REAL, SQ_SAMPLE_VALUES_COUNTS } sq_sample_values;

/* dvs_folder's train/test: "ratio" = the first ceil(train_ratio n) files of each class and the
 * rest (SpikingJelly's split); "tebn" = files numbered 100-999 and 0-99 (dvs_dataset.h). */
typedef enum { SQ_SAMPLE_SPLIT_RATIO, SQ_SAMPLE_SPLIT_TEBN } sq_sample_split;

/* Public value: what to open (defaults from sq_sample_set_params_default; README.md "Sample sets"
 * lists them as JSON keys, read by io/config_samples.h). Strings are borrowed for the open call. */
typedef struct {
    sq_sample_source source;   /* (idx) */
    char where[320];           /* prefix of field names in messages, e.g. "train.json: data" ("" = "data") */
    const char *file;          /* tensors: the HDF5 file (required) */
    const char *dir;           /* idx, dvs_emulated: the MNIST-style folder (SQ_FASHION_MNIST_DIR) */
    const char *train_images, *train_labels, *test_images, *test_labels; /* idx files; each overrides dir */
    const char *root;          /* dvs_folder: the dataset folder (required) */
    sq_sample_split split;     /* dvs_folder (ratio) */
    double train_ratio;        /* dvs_folder, split ratio: in (0, 1] (0.9) */
    uint32_t T;                /* idx, dvs_*: time steps / frames, >= 1 (10) */
    sq_split_by split_by;      /* dvs_*: (number) */
    uint32_t size;             /* dvs_*: frames of size x size pixels, at most the sensor's; 0 = the source's
                                * default: the sensor's size for dvs_folder, 32 for dvs_emulated (0) */
    double scale;              /* dvs_*: multiplies the counts, > 0 (1) */
    size_t samples;            /* the first `samples` of the split; 0 = all (0) */
    sq_saccade_params emulator; /* dvs_emulated (sq_saccade_params_default) */
    const char *cache;         /* the cache folder; NULL: dvs_emulated uses $XDG_CACHE_HOME/spikeq or
                                * ~/.cache/spikeq, dvs_folder reads its files on each get (NULL) */
    int threads;               /* threads building a cache; 0 = OpenMP's default (0) */
    /* Called while a cache is built, on the calling thread, with the samples done so far (0 first,
     * total last); a non-zero return stops the build: open returns SQ_EINTR and leaves no cache. */
    int (*progress)(void *user, size_t done, size_t total);
    void *progress_user;
} sq_sample_set_params;

/* Public value: what a set holds. Strings are borrowed until sq_sample_set_close(). */
typedef struct {
    uint32_t T, height, width, channels; /* one sample is T*height*width*channels floats, [T][H][W][C] */
    uint32_t n_classes;
    size_t n;                            /* samples in this split */
    sq_sample_values values;             /* COUNTS when every value is a non-negative integer */
    const char *description;             /* one line, e.g. "dvs_emulated fashion-mnist train: 60000 samples,
                                          * T=10, 2x32x32" */
    const char *cache;                   /* the cache file read, or NULL */
    int cache_built;                     /* 1 when this open built it */
    uint64_t saturated;                  /* counts the cache clipped at 65535 (uint16) */
} sq_sample_set_info;

typedef struct sq_sample_set sq_sample_set;

/* Thread: any. */
void sq_sample_set_params_default(sq_sample_set_params *p);

/* Checks the fields the source uses; messages read "<where>.T: expected ..., got 0". Returns 0 or
 * SQ_ECONFIG. Thread: any. */
int sq_sample_set_params_check(const sq_sample_set_params *p, sq_err *err);

/* "tensors", "idx", "dvs_folder", "dvs_emulated"; the lookup returns -1 for an unknown name.
 * Thread: any. */
const char *sq_sample_source_name(sq_sample_source s);
int sq_sample_source_find(const char *name);

/* Opens split "train" or "test" of p's dataset, building its cache first if needed (which can take
 * long: see progress). Returns 0, SQ_EINVAL (another split name), SQ_ECONFIG (a bad parameter),
 * SQ_EIO (a file that cannot be read or written), SQ_EFORMAT (a malformed source file or cache, named
 * in the message), SQ_ERANGE, SQ_EINTR (progress stopped the build) or SQ_ENOMEM. On failure *out is
 * NULL. Thread: any. */
int sq_sample_set_open(const sq_sample_set_params *p, const char *split, sq_sample_set **out, sq_err *err);

/* A set only reads its files (a cache is complete before open returns), so there is nothing to
 * flush and close cannot fail. NULL is a no-op. Thread: any, not concurrently with a use of s. */
void sq_sample_set_close(sq_sample_set *s);

/* Borrowed: valid until sq_sample_set_close(s). Thread: any. */
const sq_sample_set_info *sq_sample_set_info_get(const sq_sample_set *s);

/* Sample i (< n) into x (T*H*W*C floats, [T][H][W][C]) and its label (label may be NULL). Returns
 * 0, SQ_EINVAL (i out of range), or the reader's error for a file or cache that fails (SQ_EIO,
 * SQ_EFORMAT). Thread: any, concurrently with other sq_sample_set_get calls on the same set (each
 * with its own x). */
int sq_sample_set_get(const sq_sample_set *s, size_t i, float *x, uint32_t *label, sq_err *err);

/* The label of sample i (< n) without reading it. Thread: any. */
uint32_t sq_sample_set_label(const sq_sample_set *s, size_t i);

#endif
