/* step/desire_train.c: the desire backpropagation trainer (step/desire_train.h): the config, the
 * epochs, the evaluation, checkpoints and weights files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <omp.h>

#include "../io/config_samples.h"
#include "../layers/layer_config.h"
#include "batches.h"
#include "desire_train.h"
#include "net_file.h"
#include "run_state.h"
#include "tensor_file.h"

struct sq_desire_trainer {
    sq_desire_recipe r;
    sq_train_options opts;
    sq_sample_set *train, *test;
    sq_desire *net;
    int threads;
    sq_desire_work **work; /* one per thread */
    float *x;              /* threads x inputs */
    size_t *order;
    char *out_dir;
    /* Where the run is: epochs completed, samples done in the current epoch and their sums. */
    uint32_t epoch;
    size_t position, correct;
    double error_sum, train_seconds, best_accuracy;
    uint32_t best_epoch;
    volatile sig_atomic_t stop;
};

static int read_network(const json_t *net, const char *origin, sq_desire_spec *s, sq_err *err)
{
    static const char *const keys[] = {"sizes", "T", "threshold", "leak", "dropout"};
    sq_layer_cfg c = {.origin = origin, .err = err};
    sq_desire_spec_default(s);
    if (!json_is_object(net))
        return sq__lcfg_fail(&c, "", "network", "an object {\"sizes\": [784, 1000, 100, 10], ...}", net);
    int rc = sq__lcfg_keys(&c, net, "network", keys, SQ_COUNT(keys));
    if (rc < 0)
        return rc;
    const json_t *sizes = json_object_get(net, "sizes");
    if (sizes) {
        size_t n = json_is_array(sizes) ? json_array_size(sizes) : 0;
        if (n < 2 || n > SQ_DESIRE_MAX_LAYERS + 1)
            return sq__lcfg_fail(&c, "network", "sizes", "an array of 2 to 9 layer sizes [inputs, ..., outputs]", sizes);
        s->layers = (uint32_t)n - 1;
        for (size_t i = 0; i < n; i++) {
            char key[32];
            snprintf(key, sizeof key, "sizes[%zu]", i);
            const json_t *v = json_array_get(sizes, i);
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > (1 << 20))
                return sq__lcfg_fail(&c, "network", key, "an integer from 1 to 1048576", v);
            s->sizes[i] = (uint32_t)json_integer_value(v);
        }
    }
    double threshold, leak, p_in = s->dropout_input, p_hid = s->dropout_hidden;
    const json_t *dropout = json_object_get(net, "dropout");
    static const char *const dropout_keys[] = {"input", "hidden"};
    if (dropout && !json_is_object(dropout))
        return sq__lcfg_fail(&c, "network", "dropout", "an object {\"input\": p, \"hidden\": p}", dropout);
    if ((rc = sq__lcfg_uint(&c, net, "network", "T", 1, 100000, 0, s->T, &s->T)) < 0 ||
        (rc = sq__lcfg_number(&c, net, "network", "threshold", SQ_NUM_POSITIVE, s->threshold, &threshold)) < 0 ||
        (rc = sq__lcfg_number(&c, net, "network", "leak", SQ_NUM_UNIT_CLOSED, s->leak, &leak)) < 0 ||
        (rc = sq__lcfg_keys(&c, dropout, "network.dropout", dropout_keys, 2)) < 0 ||
        (rc = sq__lcfg_number(&c, dropout, "network.dropout", "input", SQ_NUM_UNIT_CLOSED, p_in, &p_in)) < 0 ||
        (rc = sq__lcfg_number(&c, dropout, "network.dropout", "hidden", SQ_NUM_UNIT_CLOSED, p_hid, &p_hid)) < 0)
        return rc;
    if (p_in >= 1 || p_hid >= 1)
        return sq__lcfg_fail(&c, "network.dropout", p_in >= 1 ? "input" : "hidden", "a probability in [0, 1)",
                             json_object_get(dropout, p_in >= 1 ? "input" : "hidden"));
    s->threshold = (float)threshold, s->leak = (float)leak;
    s->dropout_input = (float)p_in, s->dropout_hidden = (float)p_hid;
    return 0;
}

int sq_desire_recipe_read(const json_t *config, const char *origin, sq_desire_recipe *out, sq_err *err)
{
    static const char *const keys[] = {"rule", "epochs", "lr", "lr_decay", "error_margin", "desire_threshold",
                                       "seed", "threads"};
    sq_layer_cfg c = {.origin = origin, .err = err};
    *out = (sq_desire_recipe){.epochs = 600, .lr = 1e-5, .lr_decay = 0.04, .seed = 1};
    int rc = read_network(json_object_get(config, "network"), origin, &out->net, err);
    if (rc < 0)
        return rc;
    const json_t *tr = json_object_get(config, "training"), *thr = json_object_get(tr, "desire_threshold");
    static const char *const thr_keys[] = {"output", "hidden"};
    if ((rc = sq__lcfg_keys(&c, tr, "training", keys, SQ_COUNT(keys))) < 0)
        return rc;
    if (thr && !json_is_object(thr))
        return sq__lcfg_fail(&c, "training", "desire_threshold", "an object {\"output\": 0.3, \"hidden\": 0.05}", thr);
    uint32_t seed = 1, threads = 0;
    double out_thr = out->net.desire_output, hid_thr = out->net.desire_hidden;
    if ((rc = sq__lcfg_uint(&c, tr, "training", "epochs", 0, 1000000, 0, 600, &out->epochs)) < 0 ||
        (rc = sq__lcfg_number(&c, tr, "training", "lr", SQ_NUM_NONNEGATIVE, 1e-5, &out->lr)) < 0 ||
        (rc = sq__lcfg_number(&c, tr, "training", "lr_decay", SQ_NUM_NONNEGATIVE, 0.04, &out->lr_decay)) < 0 ||
        (rc = sq__lcfg_uint(&c, tr, "training", "error_margin", 0, 100000, 0, out->net.error_margin,
                            &out->net.error_margin)) < 0 ||
        (rc = sq__lcfg_keys(&c, thr, "training.desire_threshold", thr_keys, 2)) < 0 ||
        (rc = sq__lcfg_number(&c, thr, "training.desire_threshold", "output", SQ_NUM_NONNEGATIVE, out_thr, &out_thr)) < 0 ||
        (rc = sq__lcfg_number(&c, thr, "training.desire_threshold", "hidden", SQ_NUM_NONNEGATIVE, hid_thr, &hid_thr)) < 0 ||
        (rc = sq__lcfg_uint(&c, tr, "training", "seed", 0, UINT32_MAX, 0, 1, &seed)) < 0 ||
        (rc = sq__lcfg_uint(&c, tr, "training", "threads", 0, 1024, 0, 0, &threads)) < 0)
        return rc;
    out->net.desire_output = (float)out_thr, out->net.desire_hidden = (float)hid_thr;
    out->seed = seed, out->threads = (int)threads;
    if (out->net.error_margin >= out->net.T)
        return sq_fail(err, SQ_ECONFIG, "%s: training.error_margin: expected fewer than network.T = %u steps, got %u",
                       origin, out->net.T, out->net.error_margin);
    return 0;
}

/* ---- weights files ---- */

static void weight_name(char *buf, size_t cap, uint32_t l, int authors)
{
    if (authors)
        snprintf(buf, cap, "/W%u", l);
    else
        snprintf(buf, cap, "/layers/fc%u/weight", l);
}

static int read_weights(sq_desire *d, sq_tensor_file *f, sq_err *err)
{
    const sq_desire_spec *s = sq_desire_spec_of(d);
    char name[64];
    weight_name(name, sizeof name, 1, 0);
    int authors = !sq_tensor_file_has(f, name), rc = 0;
    size_t total = 0;
    for (uint32_t l = 1; l <= s->layers; l++)
        total += (size_t)s->sizes[l] * s->sizes[l - 1];
    float *all = malloc(total * sizeof *all), *next = all;
    if (!all)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    /* Everything is read first, so that a bad file leaves the weights as they were. */
    for (uint32_t l = 1; l <= s->layers && rc == 0; l++) {
        uint32_t dims[2] = {s->sizes[l], s->sizes[l - 1]};
        weight_name(name, sizeof name, l, authors);
        rc = sq_tensor_file_get(f, name, 2, dims, next, err);
        next += (size_t)dims[0] * dims[1];
    }
    next = all;
    for (uint32_t l = 1; l <= s->layers && rc == 0; l++) {
        sq_desire_set_weights(d, l, next);
        next += (size_t)s->sizes[l] * s->sizes[l - 1];
    }
    free(all);
    return rc;
}

static int write_weights(const sq_desire *d, sq_tensor_file *f, sq_err *err)
{
    const sq_desire_spec *s = sq_desire_spec_of(d);
    int rc;
    if ((rc = sq_tensor_file_put_attr_str(f, "format", SQ_WEIGHTS_FORMAT, err)) < 0 ||
        (rc = sq_tensor_file_put_attr(f, "version", 1, err)) < 0 ||
        (rc = sq_tensor_file_put_attr_str(f, "rule", "desire", err)) < 0)
        return rc;
    for (uint32_t l = 1; l <= s->layers && rc == 0; l++) {
        uint32_t dims[2] = {s->sizes[l], s->sizes[l - 1]};
        float *w = malloc((size_t)dims[0] * dims[1] * sizeof *w);
        if (!w)
            return sq_fail(err, SQ_ENOMEM, "out of memory");
        char name[64];
        weight_name(name, sizeof name, l, 0);
        sq_desire_get_weights(d, l, w);
        rc = sq_tensor_file_put(f, name, 2, dims, w, err);
        free(w);
    }
    return rc;
}

int sq_desire_load(sq_desire *d, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_open(path, &f, err);
    if (rc < 0)
        return rc;
    rc = read_weights(d, f, err);
    sq_tensor_file_close(f, NULL);
    return rc;
}

int sq_desire_save(const sq_desire *d, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_create(path, &f, err);
    if (rc < 0)
        return rc;
    if ((rc = write_weights(d, f, err)) < 0) {
        sq_tensor_file_abandon(f);
        return rc;
    }
    return sq_tensor_file_close(f, err);
}

/* ---- checkpoints: the weights plus where the run is ---- */

static sq_run_state run_state(const sq_desire_trainer *t)
{
    return (sq_run_state){.epoch = t->epoch, .position = t->position, .correct = t->correct, .error_sum = t->error_sum,
                          .train_seconds = t->train_seconds, .best_accuracy = t->best_accuracy,
                          .best_epoch = t->best_epoch};
}

static int checkpoint_save(sq_desire_trainer *t, sq_err *err)
{
    if (!t->out_dir)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/checkpoint.h5", t->out_dir);
    sq_run_state s = run_state(t);
    sq_tensor_file *f;
    int rc = sq_tensor_file_create(path, &f, err);
    if (rc < 0)
        return rc;
    if ((rc = write_weights(t->net, f, err)) < 0 || (rc = sq_run_state_put(f, "desire", t->r.seed, &s, err)) < 0) {
        sq_tensor_file_abandon(f);
        return rc;
    }
    return sq_tensor_file_close(f, err);
}

static int checkpoint_load(sq_desire_trainer *t, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_open(path, &f, err);
    if (rc < 0)
        return rc;
    sq_run_state s;
    size_t n = t->train ? sq_sample_set_info_get(t->train)->n : 0;
    if ((rc = sq_run_state_get(f, "desire", t->r.seed, n, &s, err)) == 0 && (rc = read_weights(t->net, f, err)) == 0) {
        t->epoch = s.epoch, t->position = s.position, t->correct = s.correct, t->error_sum = s.error_sum;
        t->train_seconds = s.train_seconds, t->best_accuracy = s.best_accuracy, t->best_epoch = s.best_epoch;
    }
    sq_tensor_file_close(f, NULL);
    return rc;
}

/* ---- the trainer ---- */

int sq_desire_trainer_create(const json_t *config, const sq_train_options *o, sq_desire_trainer **out, sq_err *err)
{
    *out = NULL;
    sq_desire_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    t->opts = *o;
    t->opts.origin = o->origin ? o->origin : "config";
    int rc;
    if (o->synthetic) {
        rc = sq_fail(err, SQ_EINVAL, "%s: --benchmark: desire backpropagation has no synthetic benchmark (see "
                     "experiments/desire/compare_torch.py)", t->opts.origin);
        goto fail;
    }
    if ((rc = sq_desire_recipe_read(config, t->opts.origin, &t->r, err)) < 0)
        goto fail;
    if (o->seed >= 0)
        t->r.seed = (uint64_t)o->seed;
    if (o->epochs >= 0)
        t->r.epochs = (uint32_t)o->epochs;
    if ((rc = sq_run_prepare(&t->opts, t->r.threads, &t->threads, &t->out_dir, err)) < 0 ||
        (rc = sq_run_open_images(config, &t->opts, t->threads, t->r.net.sizes[0], t->r.net.sizes[t->r.net.layers],
                                 "the network encodes each image over network.T steps itself", &t->train, &t->test,
                                 err)) < 0 ||
        (rc = sq_desire_create(&t->r.net, &t->net, err)) < 0)
        goto fail;
    size_t n_train = t->train ? sq_sample_set_info_get(t->train)->n : 0;
    t->work = calloc((size_t)t->threads, sizeof *t->work);
    t->x = malloc((size_t)t->threads * t->r.net.sizes[0] * sizeof *t->x);
    t->order = malloc((n_train ? n_train : 1) * sizeof *t->order);
    for (int i = 0; t->work && i < t->threads; i++)
        t->work[i] = sq_desire_work_create(t->net);
    if (!t->work || !t->x || !t->order || !t->work[t->threads - 1]) {
        rc = sq_fail(err, SQ_ENOMEM, "out of memory for %d threads' working state", t->threads);
        goto fail;
    }
    sq_desire_init(t->net, t->r.seed);
    if (o->weights && (rc = sq_desire_load(t->net, o->weights, err)) < 0)
        goto fail;
    if (o->resume && (rc = checkpoint_load(t, o->resume, err)) < 0)
        goto fail;
    if (o->resume && t->out_dir && (rc = sq_train_log_truncate(t->out_dir, t->epoch, err)) < 0)
        goto fail;
    *out = t;
    return 0;
fail:
    sq_desire_trainer_destroy(t);
    return rc;
}

void sq_desire_trainer_destroy(sq_desire_trainer *t)
{
    if (!t)
        return;
    for (int i = 0; t->work && i < t->threads; i++)
        sq_desire_work_destroy(t->work[i]);
    free(t->work), free(t->x), free(t->order), free(t->out_dir);
    sq_desire_destroy(t->net);
    sq_sample_set_close(t->train), sq_sample_set_close(t->test);
    free(t);
}

void sq_desire_trainer_request_stop(sq_desire_trainer *t) { t->stop = 1; }

int sq_desire_trainer_evaluate(sq_desire_trainer *t, sq_epoch_report *r, uint32_t *counts, sq_err *err)
{
    const sq_desire_spec *s = &t->r.net;
    size_t n = sq_sample_set_info_get(t->test)->n, correct = 0;
    uint32_t K = s->sizes[s->layers], inputs = s->sizes[0];
    double error = 0, t0 = omp_get_wtime();
    int rc = 0;
    sq_err first = {0};
    /* Blocks of samples, in order, so that progress is reported and the first failing sample wins. */
    enum { BLOCK = 1000 };
    for (size_t b = 0; b < n && rc == 0; b += BLOCK) {
        size_t e = b + BLOCK < n ? b + BLOCK : n;
        long long failed = -1;
#pragma omp parallel for num_threads(t->threads) schedule(dynamic, 16) reduction(+ : correct, error)
        for (size_t i = b; i < e; i++) {
            int id = omp_get_thread_num();
            float *x = t->x + (size_t)id * inputs;
            uint32_t label, c[SQ_DESIRE_MAX_OUT], *cnt = counts ? counts + i * K : c;
            sq_err e1;
            if (sq_sample_set_get(t->test, i, x, &label, &e1) < 0) {
#pragma omp critical
                if (failed < 0 || (long long)i < failed)
                    failed = (long long)i, first = e1;
                continue;
            }
            sq_desire_infer(t->net, t->work[id], x, cnt);
            correct += (size_t)sq_desire_correct(cnt, K, label);
            error += sq_desire_error(s, cnt, label);
        }
        if (failed >= 0) {
            *err = first;
            rc = first.code ? first.code : SQ_EIO;
        }
        if (t->opts.on_progress) {
            sq_train_progress p = {.epoch = t->epoch, .epochs = t->r.epochs, .batch = e, .batches = n,
                                   .accuracy = (double)correct / (double)e, .evaluating = 1};
            t->opts.on_progress(t->opts.user, &p);
        }
    }
    r->test_samples = n, r->test_correct = correct;
    r->test_accuracy = n ? (double)correct / (double)n : 0;
    r->test_loss = n ? error / (double)n : 0;
    r->test_seconds = omp_get_wtime() - t0;
    return rc;
}

static double eta_of(const sq_desire_trainer *t, uint32_t epoch) { return t->r.lr * exp(-t->r.lr_decay * epoch); }

static int end_epoch(sq_desire_trainer *t, size_t n, sq_err *err)
{
    sq_epoch_report r = {.epoch = t->epoch + 1, .lr = eta_of(t, t->epoch), .train_samples = n,
                         .train_loss = n ? t->error_sum / (double)n : 0,
                         .train_accuracy = n ? (double)t->correct / (double)n : 0, .train_seconds = t->train_seconds};
    int rc = sq_desire_trainer_evaluate(t, &r, NULL, err);
    if (rc < 0)
        return rc;
    r.best = t->best_epoch == 0 || r.test_accuracy > t->best_accuracy;
    t->epoch++, t->position = 0, t->correct = 0, t->error_sum = 0, t->train_seconds = 0;
    if (r.best) {
        t->best_accuracy = r.test_accuracy, t->best_epoch = r.epoch;
        char path[4096];
        snprintf(path, sizeof path, "%s/best.h5", t->out_dir ? t->out_dir : ".");
        if (t->out_dir && (rc = sq_desire_save(t->net, path, err)) < 0)
            return rc;
    }
    if ((t->out_dir && (rc = sq_train_log_append(t->out_dir, &r, err)) < 0) || (rc = checkpoint_save(t, err)) < 0)
        return rc;
    if (t->opts.on_epoch)
        t->opts.on_epoch(t->opts.user, &r);
    return 0;
}

int sq_desire_trainer_run(sq_desire_trainer *t, sq_err *err)
{
    if (!t->train)
        return sq_fail(err, SQ_EINVAL, "sq_desire_trainer_run: the trainer was opened for evaluation only");
    const sq_desire_spec *s = &t->r.net;
    size_t n = sq_sample_set_info_get(t->train)->n;
    uint32_t K = s->sizes[s->layers], counts[SQ_DESIRE_MAX_OUT];
    enum { REPORT = 1000 }; /* samples between progress reports */
    int rc;
    while (t->epoch < t->r.epochs) {
        float eta = (float)eta_of(t, t->epoch);
        sq_epoch_order(t->r.seed, t->epoch, n, t->order);
        while (t->position < n) {
            if (t->stop) {
                if ((rc = checkpoint_save(t, err)) < 0)
                    return rc;
                return sq_fail(err, SQ_EINTR, "stopped in epoch %u after sample %zu of %zu", t->epoch + 1, t->position, n);
            }
            double t0 = omp_get_wtime();
            size_t end = t->position + REPORT < n ? t->position + REPORT : n;
            for (; t->position < end; t->position++) {
                uint32_t label;
                if ((rc = sq_sample_set_get(t->train, t->order[t->position], t->x, &label, err)) < 0)
                    return rc;
                sq_desire_learn(t->net, t->work[0], t->x, label, eta, t->r.seed, (uint64_t)t->epoch * n + t->position,
                                counts);
                t->correct += (size_t)sq_desire_correct(counts, K, label);
                t->error_sum += sq_desire_error(s, counts, label);
            }
            t->train_seconds += omp_get_wtime() - t0;
            if (t->opts.on_progress) {
                sq_train_progress p = {.epoch = t->epoch, .epochs = t->r.epochs, .batch = t->position, .batches = n,
                                       .loss = t->error_sum / (double)t->position,
                                       .accuracy = (double)t->correct / (double)t->position,
                                       .samples_per_s = t->train_seconds > 0 ? (double)t->position / t->train_seconds : 0,
                                       .seconds = t->train_seconds};
                t->opts.on_progress(t->opts.user, &p);
            }
        }
        if ((rc = end_epoch(t, n, err)) < 0)
            return rc;
    }
    return 0;
}

const sq_desire_recipe *sq_desire_trainer_recipe(const sq_desire_trainer *t) { return &t->r; }
const sq_sample_set *sq_desire_trainer_samples(const sq_desire_trainer *t, int test) { return test ? t->test : t->train; }
sq_desire *sq_desire_trainer_net(sq_desire_trainer *t) { return t->net; }
int sq_desire_trainer_threads(const sq_desire_trainer *t) { return t->threads; }
uint32_t sq_desire_trainer_epoch(const sq_desire_trainer *t) { return t->epoch; }

double sq_desire_trainer_best_accuracy(const sq_desire_trainer *t, uint32_t *epoch)
{
    if (epoch)
        *epoch = t->best_epoch;
    return t->best_accuracy;
}
