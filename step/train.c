/* step/train.c: the training loop of layered networks: epochs of shuffled batches, BPTT and an
 * optimizer step per batch, evaluation after each epoch, the log, checkpoints, best weights, stop
 * requests and resumption (step/train.h). */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../io/config_samples.h"
#include "../sim/rng.h"
#include "batches.h"
#include "net_file.h"
#include "train_internal.h"

static int resolve_threads(const sq_train_options *o, const sq_train_spec *s)
{
    if (o->threads > 0)
        return o->threads;
    if (s->threads > 0)
        return s->threads;
    const char *env = getenv("OMP_NUM_THREADS");
    int n = env ? atoi(env) : 0;
    return n > 0 ? n : 1;
}

/* The input shape of the data, or, for synthetic inputs, what the data object would give. */
static int data_shape(sq_trainer *t, const sq_sample_set_params *p, sq_err *err)
{
    const sq_sample_set_info *info = t->test ? sq_sample_set_info_get(t->test) : t->train ? sq_sample_set_info_get(t->train) : NULL;
    if (info) {
        t->shape = (sq_net_input){info->T, info->height, info->width, info->channels,
                                  info->values == SQ_SAMPLE_VALUES_COUNTS ? SQ_VALUES_COUNTS : SQ_VALUES_REAL};
        t->classes = info->n_classes;
        return 0;
    }
    if (p->source == SQ_SAMPLES_TENSORS)
        return sq_fail(err, SQ_ECONFIG, "%s: data.source: expected a source whose shape is known without its files for "
                       "synthetic inputs, got \"tensors\"", t->opts.origin);
    uint32_t size = p->size ? p->size : p->source == SQ_SAMPLES_DVS_EMULATED ? 32 : p->source == SQ_SAMPLES_IDX ? 28 : 128;
    t->shape = (sq_net_input){p->T, size, size, p->source == SQ_SAMPLES_IDX ? 1 : 2,
                              p->source == SQ_SAMPLES_IDX || p->scale != 1.0 ? SQ_VALUES_REAL : SQ_VALUES_COUNTS};
    t->classes = 10;
    return 0;
}

static int open_data(sq_trainer *t, const json_t *config, sq_err *err)
{
    sq_sample_set_params p;
    int rc = sq_config_sample_set(json_object_get(config, "data"), t->opts.origin, &p, err);
    if (rc < 0)
        return rc;
    p.threads = t->threads;
    p.progress = t->opts.on_cache;
    p.progress_user = t->opts.user;
    if (!t->opts.synthetic) {
        if (!t->opts.eval_only && (rc = sq_sample_set_open(&p, "train", &t->train, err)) < 0)
            return rc;
        if ((rc = sq_sample_set_open(&p, "test", &t->test, err)) < 0)
            return rc;
    }
    return data_shape(t, &p, err);
}

static int allocate(sq_trainer *t, sq_err *err)
{
    size_t step = (size_t)t->shape.h * t->shape.w * t->shape.c, sample = step * t->shape.T;
    size_t n_train = t->train ? sq_sample_set_info_get(t->train)->n : 0;
    t->x = malloc((size_t)t->max_batch * sample * sizeof *t->x);
    t->dy = malloc((size_t)t->max_batch * t->classes * sizeof *t->dy);
    t->scratch = malloc((size_t)t->threads * sample * sizeof *t->scratch);
    t->labels = calloc(t->max_batch, sizeof *t->labels);
    t->keys = malloc(t->max_batch * sizeof *t->keys);
    size_t n_order = n_train > t->max_batch ? n_train : t->max_batch; /* evaluation batches use it too */
    t->order = malloc(n_order * sizeof *t->order);
    if (!t->x || !t->dy || !t->scratch || !t->labels || !t->keys || !t->order)
        return sq_fail(err, SQ_ENOMEM, "out of memory for a batch of %u samples of %zu floats", t->max_batch, sample);
    return 0;
}

int sq_trainer_create(const json_t *config, const sq_train_options *o, sq_trainer **out, sq_err *err)
{
    *out = NULL;
    sq_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    t->opts = *o;
    t->opts.origin = o->origin ? o->origin : "config";
    int rc;
    if (!json_is_object(config)) {
        rc = sq_fail(err, SQ_ECONFIG, "%s: expected an object with data, network and training", t->opts.origin);
        goto fail;
    }
    if ((rc = sq_train_spec_read(json_object_get(config, "training"), t->opts.origin, &t->spec, err)) < 0)
        goto fail;
    if (o->seed >= 0)
        t->spec.seed = (uint64_t)o->seed;
    if (o->epochs >= 0)
        t->spec.epochs = (uint32_t)o->epochs;
    t->threads = resolve_threads(o, &t->spec);
    if (o->out_dir && !(t->out_dir = strdup(o->out_dir))) {
        rc = sq_fail(err, SQ_ENOMEM, "out of memory");
        goto fail;
    }
    if (t->out_dir && mkdir(t->out_dir, 0777) != 0 && errno != EEXIST) {
        rc = sq_fail(err, SQ_EIO, "%s: cannot create the output folder: %s", t->out_dir, strerror(errno));
        goto fail;
    }
    if ((rc = open_data(t, config, err)) < 0)
        goto fail;
    /* Evaluation runs in pieces of at most the training batch: in evaluation mode a sample's output
     * does not depend on the others, and the activations are sized for one piece. */
    t->max_batch = o->eval_only ? t->spec.eval_batch : t->spec.batch;
    if ((rc = sq_net_create(json_object_get(config, "network"), t->opts.origin, &t->shape, t->max_batch, t->threads,
                            &t->net, err)) < 0)
        goto fail;
    if (sq_net_outputs(t->net) < t->classes) {
        rc = sq_fail(err, SQ_ECONFIG, "%s: network: expected at least %u outputs for the data's %u classes, got %u",
                     t->opts.origin, t->classes, t->classes, sq_net_outputs(t->net));
        goto fail;
    }
    t->classes = sq_net_outputs(t->net);
    if ((rc = sq_optim_create(&t->spec.optimizer, t->net, &t->opt, err)) < 0 || (rc = allocate(t, err)) < 0)
        goto fail;
    sq_net_init(t->net, t->spec.seed);
    if (o->weights && (rc = sq_net_load(t->net, o->weights, err)) < 0)
        goto fail;
    if (o->resume && (rc = sq__train_checkpoint_load(t, o->resume, err)) < 0)
        goto fail;
    if (o->resume && t->out_dir && (rc = sq_train_log_truncate(t->out_dir, t->epoch, err)) < 0)
        goto fail;
    *out = t;
    return 0;
fail:
    sq_trainer_destroy(t);
    return rc;
}

void sq_trainer_destroy(sq_trainer *t)
{
    if (!t)
        return;
    sq_sample_set_close(t->train);
    sq_sample_set_close(t->test);
    sq_net_destroy(t->net);
    sq_optim_destroy(t->opt);
    free(t->out_dir);
    free(t->x), free(t->dy), free(t->scratch), free(t->labels), free(t->keys), free(t->order);
    free(t);
}

void sq_trainer_request_stop(sq_trainer *t) { t->stop = 1; }

int sq_trainer_evaluate(sq_trainer *t, sq_epoch_report *r, float *logits, sq_err *err)
{
    size_t n = sq_sample_set_info_get(t->test)->n;
    double loss = 0.0, t0 = omp_get_wtime();
    size_t correct = 0, batches = (n + t->max_batch - 1) / t->max_batch;
    sq_pass pass = {.training = 0, .seed = t->spec.seed};
    for (size_t b = 0; b < batches; b++) {
        size_t first = b * t->max_batch;
        uint32_t N = (uint32_t)(n - first < t->max_batch ? n - first : t->max_batch);
        for (uint32_t i = 0; i < N; i++)
            t->order[i] = first + i;
        int rc;
        if ((rc = sq_batch_fill(t->test, t->order, N, t->x, t->labels, t->scratch, t->threads, err)) < 0 ||
            (rc = sq_net_forward(t->net, t->x, N, &pass, err)) < 0)
            return rc;
        uint32_t ok;
        loss += sq_loss(t->spec.loss, sq_net_output(t->net), t->labels, N, t->classes, NULL, &ok) * N;
        correct += ok;
        if (logits)
            memcpy(logits + first * t->classes, sq_net_output(t->net), (size_t)N * t->classes * sizeof *logits);
        if (t->opts.on_progress) {
            sq_train_progress p = {.epoch = t->epoch, .epochs = t->spec.epochs, .batch = b + 1, .batches = batches,
                                   .loss = loss / (double)(first + N), .accuracy = (double)correct / (double)(first + N),
                                   .evaluating = 1};
            t->opts.on_progress(t->opts.user, &p);
        }
    }
    r->test_samples = n;
    r->test_correct = correct;
    r->test_loss = n ? loss / (double)n : 0.0;
    r->test_accuracy = n ? (double)correct / (double)n : 0.0;
    r->test_seconds = omp_get_wtime() - t0;
    return 0;
}

int sq_trainer_forward_test(sq_trainer *t, const size_t *idx, uint32_t n, sq_err *err)
{
    size_t total = sq_sample_set_info_get(t->test)->n;
    if (n == 0 || n > t->max_batch)
        return sq_fail(err, SQ_EINVAL, "expected 1 to %u samples, got %u", t->max_batch, n);
    for (uint32_t i = 0; i < n; i++)
        if (idx[i] >= total)
            return sq_fail(err, SQ_EINVAL, "sample %zu: expected an index below the %zu test samples", idx[i], total);
    sq_pass pass = {.training = 0, .seed = t->spec.seed};
    int rc = sq_batch_fill(t->test, idx, n, t->x, t->labels, t->scratch, t->threads, err);
    return rc < 0 ? rc : sq_net_forward(t->net, t->x, n, &pass, err);
}

static int checkpoint(sq_trainer *t, sq_err *err)
{
    if (!t->out_dir)
        return 0;
    char path[4096];
    sq__train_path(t, "checkpoint.h5", path, sizeof path);
    return sq__train_checkpoint_save(t, path, err);
}

/* One batch: read, forward, loss, backward, update. */
static int train_batch(sq_trainer *t, size_t n_train, size_t batches, double lr, sq_err *err)
{
    size_t first = t->batch * t->spec.batch;
    uint32_t N = (uint32_t)(n_train - first < t->spec.batch ? n_train - first : t->spec.batch);
    for (uint32_t i = 0; i < N; i++)
        t->keys[i] = (uint64_t)t->epoch * n_train + first + i;
    sq_pass pass = {.training = 1, .seed = t->spec.seed, .sample_keys = t->keys};
    int rc;
    double t0 = omp_get_wtime();
    if ((rc = sq_batch_fill(t->train, t->order + first, N, t->x, t->labels, t->scratch, t->threads, err)) < 0 ||
        (rc = sq_net_forward(t->net, t->x, N, &pass, err)) < 0)
        return rc;
    uint32_t ok;
    double loss = sq_loss(t->spec.loss, sq_net_output(t->net), t->labels, N, t->classes, t->dy, &ok);
    if (!isfinite(loss))
        return sq_fail(err, SQ_ERANGE, "%s: training diverged: the loss of epoch %u, batch %zu is %g (lower "
                       "training.optimizer.lr)", t->opts.origin, t->epoch + 1, t->batch + 1, loss);
    sq_net_backward(t->net, t->dy);
    sq_optim_step(t->opt, lr);
    t->train_seconds += omp_get_wtime() - t0;
    t->loss_sum += loss * N, t->correct += ok, t->seen += N;
    t->batch++;
    if (t->opts.on_progress) {
        sq_train_progress p = {.epoch = t->epoch, .epochs = t->spec.epochs, .batch = t->batch, .batches = batches,
                               .loss = t->loss_sum / (double)t->seen, .accuracy = (double)t->correct / (double)t->seen,
                               .samples_per_s = t->train_seconds > 0 ? (double)t->seen / t->train_seconds : 0,
                               .seconds = t->train_seconds};
        t->opts.on_progress(t->opts.user, &p);
    }
    return 0;
}

static int end_epoch(sq_trainer *t, double lr, sq_err *err)
{
    sq_epoch_report r = {.epoch = t->epoch + 1, .lr = lr, .train_samples = t->seen,
                         .train_loss = t->seen ? t->loss_sum / (double)t->seen : 0,
                         .train_accuracy = t->seen ? (double)t->correct / (double)t->seen : 0,
                         .train_seconds = t->train_seconds};
    int rc = sq_trainer_evaluate(t, &r, NULL, err);
    if (rc < 0)
        return rc;
    r.best = t->best_epoch == 0 || r.test_accuracy > t->best_accuracy;
    t->epoch++, t->batch = 0, t->loss_sum = 0, t->correct = 0, t->seen = 0, t->train_seconds = 0;
    if (r.best) {
        t->best_accuracy = r.test_accuracy, t->best_epoch = r.epoch;
        char path[4096];
        sq__train_path(t, "best.h5", path, sizeof path);
        if (t->out_dir && (rc = sq_net_save(t->net, path, err)) < 0)
            return rc;
    }
    if ((t->out_dir && (rc = sq_train_log_append(t->out_dir, &r, err)) < 0) || (rc = checkpoint(t, err)) < 0)
        return rc;
    if (t->opts.on_epoch)
        t->opts.on_epoch(t->opts.user, &r);
    return 0;
}

int sq_trainer_run(sq_trainer *t, sq_err *err)
{
    if (!t->train)
        return sq_fail(err, SQ_EINVAL, "sq_trainer_run: the trainer was opened for evaluation only");
    size_t n = sq_sample_set_info_get(t->train)->n;
    size_t batches = t->spec.drop_last ? n / t->spec.batch : (n + t->spec.batch - 1) / t->spec.batch;
    size_t n_used = t->spec.drop_last ? batches * t->spec.batch : n;
    if (batches == 0)
        return sq_fail(err, SQ_ECONFIG, "%s: training.batch: expected at most the %zu training samples with drop_last, got %u",
                       t->opts.origin, n, t->spec.batch);
    while (t->epoch < t->spec.epochs) {
        double lr = sq_schedule_lr(&t->spec.schedule, t->spec.optimizer.lr, t->epoch);
        sq_epoch_order(t->spec.seed, t->epoch, n, t->order);
        int rc;
        while (t->batch < batches) {
            if (t->stop) {
                if ((rc = checkpoint(t, err)) < 0)
                    return rc;
                return sq_fail(err, SQ_EINTR, "stopped in epoch %u after batch %zu of %zu", t->epoch + 1, t->batch, batches);
            }
            if ((rc = train_batch(t, n_used, batches, lr, err)) < 0)
                return rc;
        }
        if ((rc = end_epoch(t, lr, err)) < 0)
            return rc;
    }
    return 0;
}

int sq_trainer_benchmark(sq_trainer *t, uint32_t iters, sq_benchmark_result *r, sq_err *err)
{
    size_t sample = (size_t)t->shape.T * t->shape.h * t->shape.w * t->shape.c, n = sample * t->max_batch;
    sq_rng rng;
    sq_rng_init(&rng, t->spec.seed, sq_stream_id(SQ_STREAM_EPOCH, 1, 0));
    for (size_t i = 0; i < n; i++)
        t->x[i] = sq_rng_uniform(&rng) < 0.05 ? 1.0f : 0.0f;
    for (uint32_t i = 0; i < t->max_batch; i++)
        t->labels[i] = (uint32_t)sq_rng_below(&rng, t->classes), t->keys[i] = i;
    *r = (sq_benchmark_result){.batch = t->max_batch, .iters = iters};
    sq_pass train = {.training = 1, .seed = t->spec.seed, .sample_keys = t->keys}, infer = {.training = 0};
    int rc;
    double t0 = 0;
    for (uint32_t k = 0; k <= iters; k++) {
        if (k == 1)
            t0 = omp_get_wtime();
        if ((rc = sq_net_forward(t->net, t->x, t->max_batch, &train, err)) < 0)
            return rc;
        sq_loss(t->spec.loss, sq_net_output(t->net), t->labels, t->max_batch, t->classes, t->dy, NULL);
        sq_net_backward(t->net, t->dy);
        sq_optim_step(t->opt, t->spec.optimizer.lr);
    }
    r->train_samples_per_s = (double)iters * t->max_batch / (omp_get_wtime() - t0);
    for (uint32_t k = 0; k <= iters; k++) {
        if (k == 1)
            t0 = omp_get_wtime();
        if ((rc = sq_net_forward(t->net, t->x, t->max_batch, &infer, err)) < 0)
            return rc;
    }
    r->infer_samples_per_s = (double)iters * t->max_batch / (omp_get_wtime() - t0);
    return 0;
}

sq_net *sq_trainer_net(sq_trainer *t) { return t->net; }
const sq_train_spec *sq_trainer_spec(const sq_trainer *t) { return &t->spec; }
const sq_sample_set_info *sq_trainer_data(const sq_trainer *t, int test)
{
    const sq_sample_set *s = test ? t->test : t->train;
    return s ? sq_sample_set_info_get(s) : NULL;
}
const sq_sample_set *sq_trainer_samples(const sq_trainer *t, int test) { return test ? t->test : t->train; }
uint32_t sq_trainer_epoch(const sq_trainer *t) { return t->epoch; }
double sq_trainer_best_accuracy(const sq_trainer *t, uint32_t *epoch)
{
    if (epoch)
        *epoch = t->best_epoch;
    return t->best_accuracy;
}
