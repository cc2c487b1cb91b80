/* cli/emulate_run.c: the run of `spikeq dataset emulate` (options in cli/cmd_emulate.c): every
 * image's output path is fixed before any work starts (its class folder and its rank within the
 * class, in image order), then worker threads take images from a shared counter and record and
 * write each one on its own, so the files are the same whatever the number of threads. The main
 * thread shows the progress line and, at the end, the summary. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../encoders/dvs_dataset.h"
#include "emulate.h"

static const char *const fmnist_classes[10] = {"tshirt_top", "trouser", "pullover", "dress", "coat",
                                               "sandal", "shirt", "sneaker", "bag", "ankle_boot"};

typedef struct {
    const sq__emulate_options *o;
    const sq_idx_images *im;
    const uint8_t *labels;    /* of image first + k at k */
    const uint32_t *rank;     /* image first + k is the rank[k]-th of its class */
    unsigned long long n;
    int fmnist;
    unsigned max_label;
    atomic_ullong next, done, events;
    atomic_int failed;
} shared;

typedef struct {
    shared *sh;
    pthread_t thread;
    double lo, hi;            /* events of this worker's smallest and largest recording */
    int rc;
    sq_err err;
} worker;

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

/* Writes to "<path>.part" and renames, so that an interrupted run never leaves a truncated
 * recording under a name the dataset listing would pick up. */
static int write_recording(const sq__emulate_options *o, const char *path, const sq_dvs_stream *ev, sq_err *err)
{
    char part[4500];
    snprintf(part, sizeof part, "%s.part", path);
    int rc = o->nmnist ? sq_nmnist_write(part, ev, err) : sq_aedat_write(part, ev, err);
    if (rc == 0 && rename(part, path) != 0)
        rc = sq_fail(err, SQ_EIO, "%s: cannot rename to %s: %s", part, path, strerror(errno));
    return rc;
}

static int record_one(const shared *sh, sq_saccade *sc, unsigned long long k, sq_dvs_stream *ev, sq_err *err)
{
    const sq__emulate_options *o = sh->o;
    char name[64], path[4400];
    class_name(name, sizeof name, sh->fmnist, sh->labels[k], sh->max_label);
    if (o->nmnist)
        snprintf(path, sizeof path, "%s/%s/%u.bin", o->out, name, sh->rank[k]);
    else if (sq_dvs_dataset_sample_path(path, sizeof path, o->out, sh->fmnist ? "fmnist" : "idx", name, sh->rank[k]) < 0)
        return sq_fail(err, SQ_ERANGE, "%s: output path too long", o->out);
    const uint8_t *img = sh->im->pixels + (size_t)(o->first + k) * sh->im->rows * sh->im->cols;
    int rc = sq_saccade_record(sc, img, ev, err);
    return rc < 0 ? rc : write_recording(o, path, ev, err);
}

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    sq_saccade *sc = NULL;
    sq_dvs_stream ev = {0};
    w->lo = 1e300;
    w->rc = sq_saccade_create(&sh->o->par, (uint16_t)sh->im->cols, (uint16_t)sh->im->rows, &sc, &w->err);
    while (w->rc == 0 && !atomic_load(&sh->failed)) {
        unsigned long long k = atomic_fetch_add(&sh->next, 1);
        if (k >= sh->n || (w->rc = record_one(sh, sc, k, &ev, &w->err)) < 0)
            break;
        w->lo = (double)ev.n < w->lo ? (double)ev.n : w->lo;
        w->hi = (double)ev.n > w->hi ? (double)ev.n : w->hi;
        atomic_fetch_add(&sh->events, ev.n);
        atomic_fetch_add(&sh->done, 1);
    }
    if (w->rc < 0)
        atomic_store(&sh->failed, 1);
    sq_dvs_stream_free(&ev);
    sq_saccade_destroy(sc);
    return NULL;
}

static void progress(const sq__emulate_options *o, shared *sh, double t0)
{
    if (o->quiet || !isatty(STDERR_FILENO))
        return;
    unsigned long long done = atomic_load(&sh->done), total = sh->n;
    double wall = now_s() - t0, rate = wall > 0 ? (double)done / wall : 0.0;
    fprintf(stderr, "\r[%3.0f%%] %llu / %llu images   %.1f images/s   %.0f events/image   ETA %.0f s   ",
            100.0 * (double)done / (double)total, done, total, rate,
            done ? (double)atomic_load(&sh->events) / (double)done : 0.0,
            rate > 0 ? (double)(total - done) / rate : 0.0);
    fflush(stderr);
}

static void summary(const sq__emulate_options *o, shared *sh, const size_t *per_class, double lo, double hi,
                    double wall)
{
    const sq_saccade_params *p = &o->par;
    double n = (double)sh->n, events = (double)atomic_load(&sh->events);
    printf("source: %s (images %llu to %llu)\n", o->images_path, o->first, o->first + sh->n - 1);
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
    printf("images: %llu (threads: %u)\n", sh->n, o->threads);
    for (unsigned c = 0; c <= sh->max_label; c++) {
        char name[64];
        class_name(name, sizeof name, sh->fmnist, c, sh->max_label);
        if (per_class[c])
            printf("  class %s: %zu\n", name, per_class[c]);
    }
    printf("events: %.0f (per image: min %.0f, mean %.1f, max %.0f)\n", events, lo, events / n, hi);
    printf("wall time: %.2f s\nimages/s: %.2f\nevents/image: %.0f\n", wall, n / wall, events / n);
}

/* Output paths before any work: each image's rank within its class, and the class folders. */
static int plan(shared *sh, const sq_idx_labels *lb, uint32_t *rank, size_t *per_class, sq_err *err)
{
    const sq__emulate_options *o = sh->o;
    sh->labels = lb->labels + o->first;
    for (uint32_t i = 0; i < lb->n; i++)
        sh->max_label = lb->labels[i] > sh->max_label ? lb->labels[i] : sh->max_label;
    for (unsigned long long k = 0; k < sh->n; k++) {
        unsigned label = sh->labels[k];
        rank[k] = (uint32_t)per_class[label]++;
        if (rank[k] > 0)
            continue;
        char name[64], dir[4200];
        class_name(name, sizeof name, sh->fmnist, label, sh->max_label);
        snprintf(dir, sizeof dir, "%s/%s", o->out, name);
        if (mkdir(dir, 0777) != 0)
            return sq_fail(err, SQ_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
    }
    return 0;
}

/* Runs the workers; returns the first failed worker, or NULL. */
static const worker *run_workers(shared *sh, worker *w, unsigned threads, double t0)
{
    unsigned started = 0;
    for (; started < threads; started++) {
        w[started] = (worker){.sh = sh};
        if (pthread_create(&w[started].thread, NULL, work, &w[started]) != 0)
            break;
    }
    while (atomic_load(&sh->done) < sh->n && !atomic_load(&sh->failed) && started > 0) {
        progress(sh->o, sh, t0);
        nanosleep(&(struct timespec){0, 200000000}, NULL); /* five updates a second */
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    if (started == 0) {
        w[0].rc = sq_fail(&w[0].err, SQ_ENOMEM, "cannot start a worker thread");
        return &w[0];
    }
    for (unsigned i = 0; i < started; i++)
        if (w[i].rc < 0)
            return &w[i];
    return NULL;
}

int sq__emulate_run(const sq__emulate_options *o, const sq_idx_images *im, const sq_idx_labels *lb,
                    unsigned long long n)
{
    static size_t per_class[256];
    shared sh = {.o = o, .im = im, .n = n, .fmnist = strcmp(o->from, "fashion-mnist") == 0};
    uint32_t *rank = malloc(n * sizeof *rank);
    worker *w = calloc(o->threads, sizeof *w);
    sq_err err = {0};
    int rc = !rank || !w ? sq_fail(&err, SQ_ENOMEM, "out of memory for %llu images", n) : 0;
    memset(per_class, 0, sizeof per_class);
    if (rc == 0)
        rc = plan(&sh, lb, rank, per_class, &err);
    sh.rank = rank;
    double t0 = now_s();
    const worker *bad = rc == 0 ? run_workers(&sh, w, o->threads, t0) : NULL;
    if (!o->quiet && isatty(STDERR_FILENO))
        fputs("\r\033[K", stderr);
    if (rc < 0 || bad)
        fprintf(stderr, "spikeq: %s\n", bad ? bad->err.msg : err.msg);
    else {
        double lo = 1e300, hi = 0;
        for (unsigned i = 0; i < o->threads; i++) {
            lo = w[i].lo < lo ? w[i].lo : lo;
            hi = w[i].hi > hi ? w[i].hi : hi;
        }
        summary(o, &sh, per_class, lo, hi, now_s() - t0);
    }
    free(rank);
    free(w);
    return rc < 0 || bad ? -1 : 0;
}
