/* encoders/dataset_samples.c: the numbered-sample view of an IDX image file or a DVS dataset
 * folder (see dataset_samples.h). */
#include "dataset_samples.h"

#include <stdlib.h>

#include "dvs_dataset.h"
#include "idx.h"

/* SpikingJelly's split ratio (split_to_train_test_set(0.9, ...)), data.md §2.2. */
#define TRAIN_RATIO 0.9

struct sq_samples {
    sq_dataset_kind kind;
    sq_idx_images im;
    sq_idx_labels lb;     /* n = 0 when there are no labels */
    sq_dvs_dataset ds;
    size_t *idx, n_idx;   /* the split: indices into ds.samples */
    uint16_t width, height;
};

static int open_dvs(const sq_dataset_spec *d, sq_samples *s, sq_err *err)
{
    sq_dvs_split split;
    if (sq_dvs_split_parse(d->split ? d->split : "all", &split) < 0)
        return sq_fail(err, SQ_EINVAL, "%s: split: expected all, train, test, tebn-train or tebn-test, got \"%s\"",
                       d->root, d->split);
    int rc = sq_dvs_dataset_open(d->root, &s->ds, err);
    if (rc < 0 || (rc = sq_dvs_dataset_split(&s->ds, split, TRAIN_RATIO, &s->idx, &s->n_idx, err)) < 0)
        return rc;
    /* The sensor follows from the file format: AEDAT 2.0 is a DVS128's, .bin an N-MNIST ATIS crop. */
    int aedat = s->ds.n == 0 || s->ds.samples[0].kind == SQ_DVS_FILE_AEDAT;
    s->width = s->height = aedat ? 128 : 34;
    return 0;
}

static int open_idx(const sq_dataset_spec *d, sq_samples *s, sq_err *err)
{
    int rc = sq_idx_read_images(d->images, &s->im, err);
    if (rc < 0 || !d->labels)
        return rc;
    if ((rc = sq_idx_read_labels(d->labels, &s->lb, err)) < 0)
        return rc;
    if (s->lb.n != s->im.n)
        return sq_fail(err, SQ_EFORMAT, "%s: expected %u labels, one per image of %s, got %u", d->labels, s->im.n,
                       d->images, s->lb.n);
    return 0;
}

int sq_samples_open(const sq_dataset_spec *d, sq_samples **out, sq_err *err)
{
    *out = NULL;
    sq_samples *s = calloc(1, sizeof *s);
    if (!s)
        return sq_fail(err, SQ_ENOMEM, "out of memory opening a dataset");
    s->kind = d->kind;
    int rc = d->kind == SQ_DATASET_IDX ? open_idx(d, s, err) : open_dvs(d, s, err);
    if (rc < 0) {
        sq_samples_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void sq_samples_close(sq_samples *s)
{
    if (!s)
        return;
    sq_idx_images_free(&s->im);
    sq_idx_labels_free(&s->lb);
    sq_dvs_dataset_free(&s->ds);
    free(s->idx);
    free(s);
}

uint64_t sq_samples_count(const sq_samples *s)
{
    return s->kind == SQ_DATASET_IDX ? s->im.n : s->n_idx;
}

int sq_samples_events(const sq_samples *s)
{
    return s->kind == SQ_DATASET_DVS;
}

uint32_t sq_samples_neurons(const sq_samples *s)
{
    return s->kind == SQ_DATASET_IDX ? s->im.rows * s->im.cols : 2u * s->width * s->height;
}

void sq_samples_sensor(const sq_samples *s, uint32_t *width, uint32_t *height)
{
    *width = s->kind == SQ_DATASET_DVS ? s->width : 0;
    *height = s->kind == SQ_DATASET_DVS ? s->height : 0;
}

int sq_samples_label(const sq_samples *s, uint64_t i)
{
    if (s->kind == SQ_DATASET_IDX)
        return i < s->lb.n ? s->lb.labels[i] : -1;
    return i < s->n_idx ? (int)s->ds.samples[s->idx[i]].label : -1;
}

void sq_samples_image(const sq_samples *s, uint64_t i, float *x)
{
    size_t n = (size_t)s->im.rows * s->im.cols;
    const uint8_t *px = s->im.pixels + i * n;
    for (size_t k = 0; k < n; k++)
        x[k] = (float)px[k] / 255.0f; /* float32 division, as ToTensor */
}

int sq_samples_stream(const sq_samples *s, uint64_t i, sq_dvs_stream *out, sq_err *err)
{
    const char *path = s->ds.samples[s->idx[i]].path;
    sq_dvs_stream_free(out);
    int rc = sq_dvs_file_read(path, out, err);
    if (rc == 0 && (out->width != s->width || out->height != s->height))
        return sq_fail(err, SQ_EFORMAT, "%s: expected a %u x %u recording like the dataset's first, got %u x %u",
                       path, s->width, s->height, out->width, out->height);
    return rc;
}
