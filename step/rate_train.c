/* step/rate_train.c: the trainer of rate networks (step/rate_train.h): the config, the epochs, the
 * evaluation, the alignment measure, checkpoints and weights files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../layers/layer_config.h"
#include "batches.h"
#include "net_file.h"
#include "rate_learner.h"
#include "rate_train.h"
#include "run_state.h"
#include "tensor_file.h"

enum { EVAL_BATCH = 500, REPORT_BATCHES = 100 };

struct sq_rate_trainer {
    sq_rate_recipe r;
    sq_train_options opts;
    sq_sample_set *train, *test;
    sq_rate_net *net;
    void *rule_state;
    sq_rate_learner *learner;
    int threads;
    float *x, *y, *scratch;    /* a batch's inputs and targets; a sample per thread */
    uint32_t *labels;
    float *eval_e[SQ_RATE_MAX_LAYERS + 1];
    size_t *order;
    char *out_dir;
    sq_run_state s;
    /* This epoch's alignment sums, per weight layer, and how many batches were measured. */
    double align_sum[SQ_RATE_MAX_LAYERS];
    uint32_t align_n;
    volatile sig_atomic_t stop;
};

/* ---- the config ---- */

static int read_network(const sq_layer_cfg *c, const json_t *net, sq_rate_recipe *r)
{
    static const char *const keys[] = {"sizes", "init_gain"};
    int rc;
    if (!json_is_object(net))
        return sq__lcfg_fail(c, "", "network", "an object {\"sizes\": [784, 500, 500, 500, 10], ...}", net);
    if ((rc = sq__lcfg_keys(c, net, "network", keys, SQ_COUNT(keys))) < 0)
        return rc;
    const json_t *sizes = json_object_get(net, "sizes");
    size_t n = json_is_array(sizes) ? json_array_size(sizes) : 0;
    if (n < 2 || n > SQ_RATE_MAX_LAYERS + 1)
        return sq__lcfg_fail(c, "network", "sizes", "an array of 2 to 9 layer sizes [inputs, ..., classes]", sizes);
    r->layers = (uint32_t)n - 1;
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "sizes[%zu]", i);
        const json_t *v = json_array_get(sizes, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > (1 << 20))
            return sq__lcfg_fail(c, "network", key, "an integer from 1 to 1048576", v);
        r->sizes[i] = (uint32_t)json_integer_value(v);
    }
    return sq__lcfg_number(c, net, "network", "init_gain", SQ_NUM_POSITIVE, 1.0, &r->init_gain);
}

/* training.lr: one number for every weight layer, or an array of one per layer. */
static int read_lr(const sq_layer_cfg *c, const json_t *tr, sq_rate_recipe *r)
{
    const json_t *lr = json_object_get(tr, "lr");
    char expected[96];
    snprintf(expected, sizeof expected, "a number >= 0 or an array of %u of them (one per weight layer)", r->layers);
    for (uint32_t l = 1; l <= r->layers; l++) {
        const json_t *v = json_is_array(lr) ? json_array_get(lr, l - 1) : lr;
        double x = v ? json_number_value(v) : 0.1;
        if ((v && !json_is_number(v)) || !isfinite(x) || x < 0 || (json_is_array(lr) && json_array_size(lr) != r->layers))
            return sq__lcfg_fail(c, "training", "lr", expected, lr);
        r->lr[l] = (float)x;
    }
    return 0;
}

int sq_rate_recipe_read(const json_t *config, const char *origin, sq_rate_recipe *out, sq_err *err)
{
    static const char *const base_keys[] = {"rule",         "epochs",    "batch",           "lr",   "momentum",
                                            "weight_decay", "reduction", "alignment_every", "seed", "threads"};
    static const char *const reductions[] = {"mean", "sum"};
    sq_layer_cfg c = {.origin = origin, .err = err};
    *out = (sq_rate_recipe){.epochs = 50, .batch = 32, .alignment_every = 100, .seed = 1};
    int rc = read_network(&c, json_object_get(config, "network"), out);
    if (rc < 0)
        return rc;
    const json_t *tr = json_object_get(config, "training"), *rule = json_object_get(tr, "rule");
    if (!json_is_object(tr))
        return sq__lcfg_fail(&c, "", "training", "an object {\"rule\": \"burstccn\", ...}", tr);
    if (!json_is_string(rule) || !(out->rule = sq_rate_rule_find(json_string_value(rule))))
        return sq__lcfg_fail(&c, "training", "rule", "\"backprop\", \"burstprop\" or \"burstccn\"", rule);
    /* The known fields: the common ones and the rule's own section. */
    const char *keys[SQ_COUNT(base_keys) + 1];
    memcpy(keys, base_keys, sizeof base_keys);
    keys[SQ_COUNT(base_keys)] = out->rule->name;
    uint32_t seed = 1, threads = 0;
    double momentum, decay;
    int reduction;
    if ((rc = sq__lcfg_keys(&c, tr, "training", keys, SQ_COUNT(keys))) < 0 ||
        (rc = sq__lcfg_uint(&c, tr, "training", "epochs", 0, 1000000, 0, 50, &out->epochs)) < 0 ||
        (rc = sq__lcfg_uint(&c, tr, "training", "batch", 1, 65536, 0, 32, &out->batch)) < 0 ||
        (rc = read_lr(&c, tr, out)) < 0 ||
        (rc = sq__lcfg_number(&c, tr, "training", "momentum", SQ_NUM_UNIT_CLOSED, 0, &momentum)) < 0 ||
        (rc = sq__lcfg_number(&c, tr, "training", "weight_decay", SQ_NUM_NONNEGATIVE, 0, &decay)) < 0 ||
        (rc = sq__lcfg_choice(&c, tr, "training", "reduction", reductions, 2, 0, &reduction)) < 0 ||
        (rc = sq__lcfg_uint(&c, tr, "training", "alignment_every", 0, UINT32_MAX, 0, 100, &out->alignment_every)) < 0 ||
        (rc = sq__lcfg_uint(&c, tr, "training", "seed", 0, UINT32_MAX, 0, 1, &seed)) < 0 ||
        (rc = sq__lcfg_uint(&c, tr, "training", "threads", 0, 1024, 0, 0, &threads)) < 0)
        return rc;
    const json_t *section = json_object_get(tr, out->rule->name);
    if (section && !json_is_object(section)) {
        char where[64];
        snprintf(where, sizeof where, "an object of %s's parameters", out->rule->name);
        return sq__lcfg_fail(&c, "training", out->rule->name, where, section);
    }
    out->momentum = (float)momentum, out->weight_decay = (float)decay, out->reduction_sum = reduction == 1;
    out->seed = seed, out->threads = (int)threads;
    return 0;
}

/* ---- weights files and checkpoints ---- */

/* Everything a file holds for this trainer: the network, the rule's weights and, in checkpoints,
 * the optimiser state. name gets the dataset's path. */
typedef struct {
    char name[64];
    uint32_t rank, dims[2];
    float *v;
    int state_only;
} entry;

static uint32_t entries(sq_rate_trainer *t, entry *out, size_t cap)
{
    sq_rate_tensor rt[SQ_RATE_MAX_TENSORS], lt[2 * SQ_RATE_MAX_LAYERS];
    uint32_t k = 0, nr = t->r.rule->tensors(t->rule_state, rt), nl = sq_rate_learner_tensors(t->learner, lt);
    for (uint32_t l = 1; l <= t->net->layers && k + 2 <= cap; l++) {
        out[k] = (entry){.rank = 2, .dims = {t->net->sizes[l], t->net->sizes[l - 1]}, .v = t->net->w[l]};
        snprintf(out[k++].name, sizeof out->name, "/layers/fc%u/weight", l);
        out[k] = (entry){.rank = 1, .dims = {t->net->sizes[l]}, .v = t->net->b[l]};
        snprintf(out[k++].name, sizeof out->name, "/layers/fc%u/bias", l);
    }
    for (uint32_t i = 0; i < nr + nl && k < cap; i++) {
        const sq_rate_tensor *x = i < nr ? &rt[i] : &lt[i - nr];
        out[k] = (entry){.rank = x->rows ? 2 : 1, .v = x->v, .state_only = x->state_only || i >= nr};
        out[k].dims[0] = x->rows ? x->rows : x->cols, out[k].dims[1] = x->cols;
        snprintf(out[k++].name, sizeof out->name, "/%s/%s", i < nr ? t->r.rule->name : "optimizer", x->name);
    }
    return k;
}

enum { MAX_ENTRIES = 2 * SQ_RATE_MAX_LAYERS + SQ_RATE_MAX_TENSORS + 2 * SQ_RATE_MAX_LAYERS };

static int write_file(sq_rate_trainer *t, const char *path, int checkpoint, sq_err *err)
{
    entry e[MAX_ENTRIES];
    uint32_t n = entries(t, e, MAX_ENTRIES);
    sq_tensor_file *f;
    int rc = sq_tensor_file_create(path, &f, err);
    if (rc < 0)
        return rc;
    if ((rc = sq_tensor_file_put_attr_str(f, "format", SQ_WEIGHTS_FORMAT, err)) < 0 ||
        (rc = sq_tensor_file_put_attr(f, "version", 1, err)) < 0 ||
        (!checkpoint && (rc = sq_tensor_file_put_attr_str(f, "rule", t->r.rule->name, err)) < 0) ||
        (checkpoint && (rc = sq_run_state_put(f, t->r.rule->name, t->r.seed, &t->s, err)) < 0))
        goto fail;
    for (uint32_t l = 0; checkpoint && l < t->net->layers && rc == 0; l++) {
        char name[32];
        snprintf(name, sizeof name, "alignment_sum%u", l + 1);
        rc = sq_tensor_file_put_attr(f, name, t->align_sum[l], err);
    }
    if (rc == 0 && checkpoint)
        rc = sq_tensor_file_put_attr(f, "alignment_count", t->align_n, err);
    for (uint32_t i = 0; i < n && rc == 0; i++)
        if (checkpoint || !e[i].state_only)
            rc = sq_tensor_file_put(f, e[i].name, e[i].rank, e[i].dims, e[i].v, err);
    if (rc < 0)
        goto fail;
    return sq_tensor_file_close(f, err);
fail:
    sq_tensor_file_abandon(f);
    return rc;
}

/* Reads the file's entries into copies first, then into place: a bad file changes nothing. The
 * network's weights are required; the rule's are optional in a weights file (not in a
 * checkpoint); the optimiser's are read from checkpoints only. */
static int read_file(sq_rate_trainer *t, sq_tensor_file *f, int checkpoint, sq_err *err)
{
    entry e[MAX_ENTRIES];
    uint32_t n = entries(t, e, MAX_ENTRIES);
    float *copy[MAX_ENTRIES] = {0};
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        int network = strncmp(e[i].name, "/layers/", 8) == 0;
        if ((!checkpoint && e[i].state_only) || (!checkpoint && !network && !sq_tensor_file_has(f, e[i].name)))
            continue;
        size_t count = (size_t)e[i].dims[0] * (e[i].rank == 2 ? e[i].dims[1] : 1);
        if (!(copy[i] = malloc(count * sizeof(float))))
            rc = sq_fail(err, SQ_ENOMEM, "out of memory");
        else
            rc = sq_tensor_file_get(f, e[i].name, e[i].rank, e[i].dims, copy[i], err);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (rc == 0 && copy[i])
            memcpy(e[i].v, copy[i], (size_t)e[i].dims[0] * (e[i].rank == 2 ? e[i].dims[1] : 1) * sizeof(float));
        free(copy[i]);
    }
    return rc;
}

int sq_rate_trainer_load(sq_rate_trainer *t, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_open(path, &f, err);
    if (rc < 0)
        return rc;
    rc = read_file(t, f, 0, err);
    sq_tensor_file_close(f, NULL);
    return rc;
}

int sq_rate_trainer_save(sq_rate_trainer *t, const char *path, sq_err *err) { return write_file(t, path, 0, err); }

static int checkpoint_save(sq_rate_trainer *t, sq_err *err)
{
    if (!t->out_dir)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/checkpoint.h5", t->out_dir);
    return write_file(t, path, 1, err);
}

static int checkpoint_load(sq_rate_trainer *t, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_open(path, &f, err);
    if (rc < 0)
        return rc;
    sq_run_state s;
    size_t n = t->train ? sq_sample_set_info_get(t->train)->n : 0;
    if ((rc = sq_run_state_get(f, t->r.rule->name, t->r.seed, n, &s, err)) == 0 && (rc = read_file(t, f, 1, err)) == 0)
        t->s = s;
    for (uint32_t l = 0; rc == 0 && l < t->net->layers; l++) {
        char name[32];
        snprintf(name, sizeof name, "alignment_sum%u", l + 1);
        rc = sq_tensor_file_get_attr(f, name, &t->align_sum[l], 1, err);
    }
    double an = 0;
    if (rc == 0 && (rc = sq_tensor_file_get_attr(f, "alignment_count", &an, 1, err)) == 0)
        t->align_n = (uint32_t)an;
    sq_tensor_file_close(f, NULL);
    return rc;
}

/* ---- the trainer ---- */

static int allocate(sq_rate_trainer *t, sq_err *err)
{
    uint32_t B = t->r.batch, L = t->r.layers;
    size_t n_train = t->train ? sq_sample_set_info_get(t->train)->n : 0;
    int ok = (t->x = malloc((size_t)B * t->r.sizes[0] * sizeof(float))) != NULL;
    ok &= (t->y = malloc((size_t)B * t->r.sizes[L] * sizeof(float))) != NULL;
    ok &= (t->labels = malloc((B > EVAL_BATCH ? B : EVAL_BATCH) * sizeof(uint32_t))) != NULL;
    ok &= (t->scratch = malloc((size_t)t->threads * t->r.sizes[0] * sizeof(float))) != NULL;
    ok &= (t->order = malloc((n_train ? n_train : 1) * sizeof(size_t))) != NULL;
    for (uint32_t l = 0; l <= L; l++)
        ok &= (t->eval_e[l] = malloc((size_t)EVAL_BATCH * t->r.sizes[l] * sizeof(float))) != NULL;
    return ok ? 0 : sq_fail(err, SQ_ENOMEM, "out of memory for batches of %u", B);
}

int sq_rate_trainer_create(const json_t *config, const sq_train_options *o, sq_rate_trainer **out, sq_err *err)
{
    *out = NULL;
    sq_rate_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    t->opts = *o;
    t->opts.origin = o->origin ? o->origin : "config";
    int rc;
    if (o->synthetic) {
        rc = sq_fail(err, SQ_EINVAL, "%s: --benchmark: rate networks are timed on real batches "
                     "(sq_rate_trainer_benchmark)", t->opts.origin);
        goto fail;
    }
    if ((rc = sq_rate_recipe_read(config, t->opts.origin, &t->r, err)) < 0)
        goto fail;
    if (o->seed >= 0)
        t->r.seed = (uint64_t)o->seed;
    if (o->epochs >= 0)
        t->r.epochs = (uint32_t)o->epochs;
    if ((rc = sq_run_prepare(&t->opts, t->r.threads, &t->threads, &t->out_dir, err)) < 0)
        goto fail;
    sq_layer_cfg c = {.origin = t->opts.origin, .err = err};
    sq_rate_sgd_spec sgd = {.momentum = t->r.momentum, .weight_decay = t->r.weight_decay,
                            .reduction_sum = t->r.reduction_sum};
    memcpy(sgd.lr, t->r.lr, sizeof sgd.lr);
    const json_t *section = json_object_get(json_object_get(config, "training"), t->r.rule->name);
    if ((rc = sq_run_open_images(config, &t->opts, t->threads, t->r.sizes[0], t->r.sizes[t->r.layers],
                                 "a rate network sees each image once", &t->train, &t->test, err)) < 0 ||
        (rc = allocate(t, err)) < 0 ||
        (rc = sq_rate_net_create(t->r.layers, t->r.sizes, t->threads, &t->net, err)) < 0 ||
        (rc = t->r.rule->create(&c, section, t->net, t->r.batch, &t->rule_state)) < 0 ||
        (rc = sq_rate_learner_create(t->net, t->r.rule, t->rule_state, &sgd, t->r.batch, &t->learner, err)) < 0)
        goto fail;
    sq_rate_net_init(t->net, t->r.seed, t->r.init_gain);
    t->r.rule->init(t->rule_state, t->net, t->r.seed);
    if (o->weights && (rc = sq_rate_trainer_load(t, o->weights, err)) < 0)
        goto fail;
    if (o->resume && (rc = checkpoint_load(t, o->resume, err)) < 0)
        goto fail;
    if (o->resume && t->out_dir && (rc = sq_train_log_truncate(t->out_dir, t->s.epoch, err)) < 0)
        goto fail;
    *out = t;
    return 0;
fail:
    sq_rate_trainer_destroy(t);
    return rc;
}

void sq_rate_trainer_destroy(sq_rate_trainer *t)
{
    if (!t)
        return;
    sq_rate_learner_destroy(t->learner);
    if (t->rule_state)
        t->r.rule->destroy(t->rule_state);
    sq_rate_net_destroy(t->net);
    for (uint32_t l = 0; l <= SQ_RATE_MAX_LAYERS; l++)
        free(t->eval_e[l]);
    free(t->x), free(t->y), free(t->labels), free(t->scratch), free(t->order), free(t->out_dir);
    sq_sample_set_close(t->train), sq_sample_set_close(t->test);
    free(t);
}

void sq_rate_trainer_request_stop(sq_rate_trainer *t) { t->stop = 1; }

/* Reads samples idx[0 .. B) into x and their one-hot targets into y (when not NULL). */
static int fill(sq_rate_trainer *t, const sq_sample_set *set, const size_t *idx, uint32_t B, float *x, float *y,
                sq_err *err)
{
    int rc = sq_batch_fill(set, idx, B, x, t->labels, t->scratch, t->threads, err);
    uint32_t K = t->r.sizes[t->r.layers];
    if (rc == 0 && y) {
        memset(y, 0, (size_t)B * K * sizeof *y);
        for (uint32_t s = 0; s < B; s++)
            y[(size_t)s * K + t->labels[s]] = 1.0f;
    }
    return rc;
}

int sq_rate_trainer_evaluate(sq_rate_trainer *t, sq_epoch_report *r, float *out, sq_err *err)
{
    size_t n = sq_sample_set_info_get(t->test)->n, correct = 0, idx[EVAL_BATCH];
    uint32_t L = t->r.layers, K = t->r.sizes[L];
    double sse = 0, t0 = omp_get_wtime();
    for (size_t b = 0; b < n; b += EVAL_BATCH) {
        uint32_t B = (uint32_t)(n - b < EVAL_BATCH ? n - b : EVAL_BATCH);
        for (uint32_t s = 0; s < B; s++)
            idx[s] = b + s;
        int rc = fill(t, t->test, idx, B, t->eval_e[0], NULL, err);
        if (rc < 0)
            return rc;
        sq_rate_forward(t->net, B, t->eval_e);
        for (uint32_t s = 0; s < B; s++) {
            const float *e = t->eval_e[L] + (size_t)s * K;
            correct += sq_rate_argmax(e, K) == t->labels[s];
            for (uint32_t k = 0; k < K; k++) {
                double d = e[k] - (k == t->labels[s]);
                sse += d * d;
            }
        }
        if (out)
            memcpy(out + b * K, t->eval_e[L], (size_t)B * K * sizeof *out);
        if (t->opts.on_progress) {
            sq_train_progress p = {.epoch = t->s.epoch, .epochs = t->r.epochs, .batch = b + B, .batches = n,
                                   .accuracy = (double)correct / (double)(b + B), .evaluating = 1};
            t->opts.on_progress(t->opts.user, &p);
        }
    }
    r->test_samples = n, r->test_correct = correct;
    r->test_accuracy = n ? (double)correct / (double)n : 0;
    r->test_loss = n ? sse / ((double)n * K) : 0;
    r->test_seconds = omp_get_wtime() - t0;
    return 0;
}

/* One training batch at the run's position (samples order[position ..]). */
static int train_batch(sq_rate_trainer *t, const size_t *order, size_t n, sq_err *err)
{
    uint32_t B = (uint32_t)(n - t->s.position < t->r.batch ? n - t->s.position : t->r.batch), L = t->r.layers;
    uint32_t K = t->r.sizes[L];
    int rc = fill(t, t->train, order + t->s.position, B, t->x, t->y, err);
    if (rc < 0)
        return rc;
    size_t batch_index = t->s.position / t->r.batch;
    int measure = t->r.rule != &sq_rule_backprop && t->r.alignment_every &&
                  batch_index % t->r.alignment_every == 0;
    double alignment[SQ_RATE_MAX_LAYERS];
    t->s.error_sum += sq_rate_learner_step(t->learner, B, t->x, t->y, measure ? alignment : NULL) / K;
    const float *e = sq_rate_learner_rates(t->learner, L);
    for (uint32_t s = 0; s < B; s++)
        t->s.correct += sq_rate_argmax(e + (size_t)s * K, K) == t->labels[s];
    if (measure) {
        for (uint32_t l = 0; l < L; l++)
            t->align_sum[l] += alignment[l];
        t->align_n++;
    }
    t->s.position += B;
    return 0;
}

static int end_epoch(sq_rate_trainer *t, size_t n, sq_err *err)
{
    double alignment[SQ_RATE_MAX_LAYERS];
    for (uint32_t l = 0; l < t->r.layers; l++)
        alignment[l] = t->align_n ? t->align_sum[l] / t->align_n : 0;
    sq_epoch_report r = {.epoch = t->s.epoch + 1, .lr = t->r.lr[1], .train_samples = n,
                         .train_loss = n ? t->s.error_sum / (double)n : 0,
                         .train_accuracy = n ? (double)t->s.correct / (double)n : 0,
                         .train_seconds = t->s.train_seconds, .alignment = t->align_n ? alignment : NULL,
                         .n_alignment = t->align_n ? t->r.layers : 0};
    int rc = sq_rate_trainer_evaluate(t, &r, NULL, err);
    if (rc < 0)
        return rc;
    r.best = t->s.best_epoch == 0 || r.test_accuracy > t->s.best_accuracy;
    t->s.epoch++, t->s.position = 0, t->s.correct = 0, t->s.error_sum = 0, t->s.train_seconds = 0;
    memset(t->align_sum, 0, sizeof t->align_sum), t->align_n = 0;
    if (r.best) {
        t->s.best_accuracy = r.test_accuracy, t->s.best_epoch = r.epoch;
        char path[4096];
        snprintf(path, sizeof path, "%s/best.h5", t->out_dir ? t->out_dir : ".");
        if (t->out_dir && (rc = sq_rate_trainer_save(t, path, err)) < 0)
            return rc;
    }
    if ((t->out_dir && (rc = sq_train_log_append(t->out_dir, &r, err)) < 0) || (rc = checkpoint_save(t, err)) < 0)
        return rc;
    if (t->opts.on_epoch)
        t->opts.on_epoch(t->opts.user, &r);
    return 0;
}

int sq_rate_trainer_run(sq_rate_trainer *t, sq_err *err)
{
    if (!t->train)
        return sq_fail(err, SQ_EINVAL, "sq_rate_trainer_run: the trainer was opened for evaluation only");
    size_t n = sq_sample_set_info_get(t->train)->n;
    int rc;
    while (t->s.epoch < t->r.epochs) {
        sq_epoch_order(t->r.seed, t->s.epoch, n, t->order);
        while (t->s.position < n) {
            if (t->stop) {
                if ((rc = checkpoint_save(t, err)) < 0)
                    return rc;
                return sq_fail(err, SQ_EINTR, "stopped in epoch %u after sample %zu of %zu", t->s.epoch + 1,
                               t->s.position, n);
            }
            double t0 = omp_get_wtime();
            for (int b = 0; b < REPORT_BATCHES && t->s.position < n && !t->stop; b++)
                if ((rc = train_batch(t, t->order, n, err)) < 0)
                    return rc;
            t->s.train_seconds += omp_get_wtime() - t0;
            if (t->opts.on_progress) {
                size_t done = t->s.position;
                sq_train_progress p = {.epoch = t->s.epoch, .epochs = t->r.epochs, .batch = done, .batches = n,
                                       .loss = t->s.error_sum / (double)done,
                                       .accuracy = (double)t->s.correct / (double)done,
                                       .samples_per_s = t->s.train_seconds > 0 ? (double)done / t->s.train_seconds : 0,
                                       .seconds = t->s.train_seconds};
                t->opts.on_progress(t->opts.user, &p);
            }
        }
        if ((rc = end_epoch(t, n, err)) < 0)
            return rc;
    }
    return 0;
}

int sq_rate_trainer_benchmark(sq_rate_trainer *t, uint32_t batches, double *train_samples_per_s,
                              double *infer_samples_per_s, sq_err *err)
{
    if (!t->train)
        return sq_fail(err, SQ_EINVAL, "sq_rate_trainer_benchmark: the trainer was opened for evaluation only");
    size_t n = sq_sample_set_info_get(t->train)->n;
    sq_epoch_order(t->r.seed, 0, n, t->order);
    double seconds = 0;
    size_t samples = 0;
    int rc = 0;
    for (uint32_t b = 0; b < batches + 3 && rc == 0; b++) {
        if (t->s.position >= n)
            t->s.position = 0;
        size_t before = t->s.position;
        double t0 = omp_get_wtime();
        rc = train_batch(t, t->order, n, err);
        if (b >= 3)
            seconds += omp_get_wtime() - t0, samples += t->s.position - before;
    }
    *train_samples_per_s = seconds > 0 ? (double)samples / seconds : 0;
    sq_epoch_report r = {0};
    if (rc == 0 && (rc = sq_rate_trainer_evaluate(t, &r, NULL, err)) == 0)
        *infer_samples_per_s = r.test_seconds > 0 ? (double)r.test_samples / r.test_seconds : 0;
    t->s = (sq_run_state){0};
    return rc;
}

int sq_rate_trainer_train_samples(sq_rate_trainer *t, const size_t *idx, size_t n, sq_err *err)
{
    if (!t->train)
        return sq_fail(err, SQ_EINVAL, "sq_rate_trainer_train_samples: the trainer was opened for evaluation only");
    sq_run_state saved = t->s;
    t->s.position = 0;
    int rc = 0;
    while (t->s.position < n && rc == 0)
        rc = train_batch(t, idx, n, err);
    t->s = saved;
    return rc;
}

const sq_rate_recipe *sq_rate_trainer_recipe(const sq_rate_trainer *t) { return &t->r; }
const sq_sample_set *sq_rate_trainer_samples(const sq_rate_trainer *t, int test) { return test ? t->test : t->train; }
sq_rate_net *sq_rate_trainer_net(sq_rate_trainer *t) { return t->net; }
int sq_rate_trainer_threads(const sq_rate_trainer *t) { return t->threads; }
void sq_rate_trainer_describe_rule(const sq_rate_trainer *t, char *buf, size_t cap)
{
    t->r.rule->describe(t->rule_state, buf, cap);
}
uint32_t sq_rate_trainer_epoch(const sq_rate_trainer *t) { return t->s.epoch; }

double sq_rate_trainer_best_accuracy(const sq_rate_trainer *t, uint32_t *epoch)
{
    if (epoch)
        *epoch = t->s.best_epoch;
    return t->s.best_accuracy;
}
