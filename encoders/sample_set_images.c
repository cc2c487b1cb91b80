/* encoders/sample_set_images.c: the "idx" source of sample_set.h (MNIST-style images, "direct"
 * encoding: pixel / 255 in float32, as torchvision's ToTensor, the same image at each of the T
 * steps, C = 1) and the IDX split reading it shares with the "dvs_emulated" source. The files of a
 * split are <dir>/<stem>-images-idx3-ubyte[.gz] and <dir>/<stem>-labels-idx1-ubyte[.gz] (stem "train"
 * or "t10k", data.md §3.2), or the split's own "*_images" / "*_labels" paths. Tested in
 * tests/test_sample_set.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sample_set_internal.h"

typedef struct {
    sq_idx_images im;
} idx_source;

/* <dir>/<stem>-<kind>.gz when it exists, else the raw name (sq_idx_read_split's rule). */
static void split_file(char *buf, const char *dir, const char *stem, const char *kind)
{
    snprintf(buf, 4096, "%s/%s-%s.gz", dir, stem, kind);
    if (access(buf, F_OK) != 0)
        snprintf(buf, 4096, "%s/%s-%s", dir, stem, kind);
}

int sq__sample_images_read(const sq_sample_set_params *p, int test, sq_idx_images *im, sq_idx_labels *lb,
                           char *ip, char *lp, sq_err *err)
{
    const char *images = test ? p->test_images : p->train_images, *labels = test ? p->test_labels : p->train_labels;
    const char *split = test ? "test" : "train", *stem = test ? "t10k" : "train";
    memset(im, 0, sizeof *im);
    memset(lb, 0, sizeof *lb);
    if (images && !labels)
        return sq_fail(err, SQ_ECONFIG, "%s.%s_labels: expected the labels file of %s_images, got nothing",
                       sq__sample_where(p), split, split);
    if (images)
        snprintf(ip, 4096, "%s", images);
    else
        split_file(ip, p->dir, stem, "images-idx3-ubyte");
    if (labels)
        snprintf(lp, 4096, "%s", labels);
    else
        split_file(lp, p->dir, stem, "labels-idx1-ubyte");
    int rc = sq_idx_read_images(ip, im, err);
    if (rc == 0 && (rc = sq_idx_read_labels(lp, lb, err)) == 0 && lb->n != im->n)
        rc = sq_fail(err, SQ_EFORMAT, "%s: expected %u labels (as many as %s has images), got %u", lp, im->n, ip,
                     lb->n);
    if (rc < 0) {
        sq_idx_images_free(im);
        sq_idx_labels_free(lb);
    }
    return rc;
}

const char *sq__sample_images_name(const sq_sample_set_params *p, const char *images_path)
{
    int debian = !p->train_images && !p->test_images && strcmp(p->dir, SQ_FASHION_MNIST_DIR) == 0;
    return debian ? "fashion-mnist" : images_path;
}

int sq__sample_take_labels(const sq_sample_set_params *p, int test, const sq_idx_labels *lb, sq_sample_set *s,
                           sq_err *err)
{
    if (p->samples > lb->n)
        return sq_fail(err, SQ_ECONFIG, "%s.samples: expected at most %u (the images of the %s split), got %zu",
                       sq__sample_where(p), lb->n, test ? "test" : "train", p->samples);
    s->info.n = p->samples ? p->samples : lb->n;
    if (!(s->labels = malloc((s->info.n ? s->info.n : 1) * sizeof *s->labels)))
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", sq__sample_where(p));
    uint32_t top = 0;
    for (uint32_t i = 0; i < lb->n; i++)
        top = lb->labels[i] > top ? lb->labels[i] : top;
    for (size_t i = 0; i < s->info.n; i++)
        s->labels[i] = lb->labels[i];
    s->info.n_classes = top + 1;
    return 0;
}

static int idx_get(const sq_sample_set *s, size_t i, float *x, sq_err *err)
{
    (void)err;
    const idx_source *src = s->impl;
    size_t px = (size_t)src->im.rows * src->im.cols;
    const uint8_t *img = src->im.pixels + i * px;
    for (size_t k = 0; k < px; k++)
        x[k] = (float)img[k] / 255.0f; /* ToTensor: float32 division of the byte */
    for (uint32_t t = 1; t < s->info.T; t++)
        memcpy(x + t * px, x, px * sizeof *x);
    return 0;
}

static void idx_close(sq_sample_set *s)
{
    idx_source *src = s->impl;
    if (!src)
        return;
    sq_idx_images_free(&src->im);
    free(src);
}

int sq__sample_source_idx(const sq_sample_set_params *p, int test, sq_sample_set *s, sq_err *err)
{
    char ip[4096], lp[4096];
    idx_source *src = calloc(1, sizeof *src);
    if (!src)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", sq__sample_where(p));
    s->impl = src;
    s->close = idx_close;
    s->get = idx_get;
    sq_idx_labels lb;
    int rc = sq__sample_images_read(p, test, &src->im, &lb, ip, lp, err);
    if (rc < 0)
        return rc;
    rc = sq__sample_take_labels(p, test, &lb, s, err);
    sq_idx_labels_free(&lb);
    s->info.T = p->T;
    s->info.height = src->im.rows;
    s->info.width = src->im.cols;
    s->info.channels = 1;
    s->info.values = SQ_SAMPLE_VALUES_REAL;
    snprintf(s->name, sizeof s->name, "%s", sq__sample_images_name(p, ip));
    return rc;
}
