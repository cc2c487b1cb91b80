/* encoders/dataset_samples.c: the numbered-sample view of an IDX image file or a DVS dataset
 * folder (see dataset_samples.h). */
#include "dataset_samples.h"

#include <stdlib.h>

#include "idx.h"

struct sq_samples {
    sq_dataset_kind kind;
    sq_idx_images im;
    sq_idx_labels lb;     /* n = 0 when there are no labels */
};

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
    int rc = d->kind == SQ_DATASET_IDX ? open_idx(d, s, err)
                                       : sq_fail(err, SQ_EINVAL, "%s: DVS datasets are not readable yet", d->root);
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
    free(s);
}

uint64_t sq_samples_count(const sq_samples *s)
{
    return s->kind == SQ_DATASET_IDX ? s->im.n : 0;
}

int sq_samples_events(const sq_samples *s)
{
    return s->kind == SQ_DATASET_DVS;
}

uint32_t sq_samples_neurons(const sq_samples *s)
{
    return s->kind == SQ_DATASET_IDX ? s->im.rows * s->im.cols : 0;
}

int sq_samples_label(const sq_samples *s, uint64_t i)
{
    if (s->kind == SQ_DATASET_IDX)
        return i < s->lb.n ? s->lb.labels[i] : -1;
    return -1;
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
    (void)s;
    (void)out;
    return sq_fail(err, SQ_EINVAL, "sample %llu: DVS datasets are not readable yet", (unsigned long long)i);
}
