/* encoders/dataset_samples.h: one dataset seen as a numbered list of samples, the input of the
 * encoders: images (an IDX file: MNIST, Fashion-MNIST) as intensities in [0, 1] (pixel / 255 in
 * float32, as torchvision's ToTensor), or event-camera recordings (a DVS dataset folder in the
 * CIFAR10-DVS layout, read through encoders/dvs_dataset.h, one file per sample, read when asked
 * for). Tested in tests/test_encoders.c and tests/test_config_encoder.c. */
#ifndef SQ_DATASET_SAMPLES_H
#define SQ_DATASET_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"
#include "dvs_events.h"

typedef enum { SQ_DATASET_IDX, SQ_DATASET_DVS } sq_dataset_kind;

/* Public value: what to open. Strings are borrowed for the open call only. */
typedef struct {
    sq_dataset_kind kind;
    const char *images;   /* IDX: the images file (raw or gzip'd) */
    const char *labels;   /* IDX: the labels file, or NULL */
    const char *root;     /* DVS: the dataset folder (class folders of .aedat files) */
    const char *split;    /* DVS: "all", "train", "test", "tebn-train", "tebn-test" (dvs_dataset.h) */
} sq_dataset_spec;

typedef struct sq_samples sq_samples;

/* Opens the dataset (an IDX file is read whole; a DVS folder is listed). Errors come from the
 * readers and name the file. Thread: any. */
int sq_samples_open(const sq_dataset_spec *d, sq_samples **out, sq_err *err);
/* NULL is a no-op. Thread: any, not concurrently with a use of s. */
void sq_samples_close(sq_samples *s);

/* Samples (in the split, for DVS), kind, neurons per sample and labels. Thread: any. */
uint64_t sq_samples_count(const sq_samples *s);
int sq_samples_events(const sq_samples *s);       /* 1 for event recordings, 0 for images */
/* Neurons one sample needs: rows * cols for images, 2 * height * width for recordings. */
uint32_t sq_samples_neurons(const sq_samples *s);
/* The sensor of a DVS dataset (its first recording's format: 128 x 128 AEDAT, 34 x 34 N-MNIST);
 * 0 x 0 for images. */
void sq_samples_sensor(const sq_samples *s, uint32_t *width, uint32_t *height);
/* Label of sample i, or -1 when the dataset has none. */
int sq_samples_label(const sq_samples *s, uint64_t i);

/* Image i as sq_samples_neurons() intensities into x. Thread: any (reads only). */
void sq_samples_image(const sq_samples *s, uint64_t i, float *x);

/* Recording i into out (replaced). Returns 0 or the reader's error. Thread: any. */
int sq_samples_stream(const sq_samples *s, uint64_t i, sq_dvs_stream *out, sq_err *err);

#endif
