/* cli/cmd_desire.c: `spikeq train` and `spikeq eval` of a config whose training.rule is "desire":
 * thin shells over step/desire_train.h, called by cli/cmd_train.c and cli/cmd_eval.c with the
 * options they parsed (the progress, epoch and cache callbacks are theirs). */
#include <stdio.h>
#include <stdlib.h>

#include <omp.h>

#include "../step/desire_train.h"
#include "../step/tensor_file.h"
#include "cmd_desire.h"
#include "train_report.h"

static sq_desire_trainer *volatile running;

void sq_cli_desire_stop(void)
{
    if (running)
        sq_desire_trainer_request_stop(running);
}

static void print_header(sq_desire_trainer *t, const char *config, const char *out_dir, const char *resume)
{
    const sq_desire_recipe *r = sq_desire_trainer_recipe(t);
    const sq_desire_spec *s = &r->net;
    const sq_sample_set *train = sq_desire_trainer_samples(t, 0), *test = sq_desire_trainer_samples(t, 1);
    printf("config: %s\n", config);
    if (train)
        printf("train data: %s\n", sq_sample_set_info_get(train)->description);
    printf("test data: %s\n", sq_sample_set_info_get(test)->description);
    printf("network: ");
    for (uint32_t l = 0; l <= s->layers; l++)
        printf("%s%u", l ? "-" : "", s->sizes[l]);
    printf(", T = %u, threshold %g, leak %g, dropout %g / %g\n", s->T, s->threshold, s->leak, s->dropout_input,
           s->dropout_hidden);
    printf("training: desire backpropagation, %u epochs, lr %g decay %g, error margin %u, desire thresholds %g / %g, "
           "seed %llu, threads %d\n", r->epochs, r->lr, r->lr_decay, s->error_margin, s->desire_output, s->desire_hidden,
           (unsigned long long)r->seed, sq_desire_trainer_threads(t));
    if (resume)
        printf("resumed: %s (epoch %u done)\n", resume, sq_desire_trainer_epoch(t));
    if (out_dir)
        printf("output: %s/\n", out_dir);
    fflush(stdout);
}

int sq_cli_desire_train(const json_t *config, const char *config_path, const sq_train_options *o, int stop_pending)
{
    sq_err err = {0};
    sq_desire_trainer *t;
    double t0 = omp_get_wtime();
    int rc = sq_desire_trainer_create(config, o, &t, &err);
    if (rc < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return rc;
    }
    running = t;
    if (stop_pending)
        sq_desire_trainer_request_stop(t);
    print_header(t, config_path, o->out_dir, o->resume);
    rc = sq_desire_trainer_run(t, &err);
    running = NULL;
    uint32_t best_epoch;
    double best = sq_desire_trainer_best_accuracy(t, &best_epoch);
    sq_cli_run_summary(sq_desire_trainer_epoch(t), sq_desire_trainer_recipe(t)->epochs, best, best_epoch,
                       omp_get_wtime() - t0, o->out_dir, rc == SQ_EINTR ? err.msg : NULL, NULL);
    if (rc < 0 && rc != SQ_EINTR)
        fprintf(stderr, "spikeq: %s\n", err.msg);
    sq_desire_trainer_destroy(t);
    return rc;
}

/* /counts [n][outputs], /labels [n] and /predicted [n] (the unique maximum, -1 when there is none). */
static int write_predictions(const char *path, sq_desire_trainer *t, const uint32_t *counts, size_t n, uint32_t K,
                             double accuracy, sq_err *err)
{
    float *c = malloc((n ? n : 1) * K * sizeof *c), *labels = malloc((n ? n : 1) * sizeof *labels),
          *pred = malloc((n ? n : 1) * sizeof *pred);
    int rc = 0;
    if (!c || !labels || !pred)
        rc = sq_fail(err, SQ_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint32_t best = 0;
        for (uint32_t k = 0; k < K; k++) {
            c[i * K + k] = (float)counts[i * K + k];
            best = counts[i * K + k] > counts[i * K + best] ? k : best;
        }
        labels[i] = (float)sq_sample_set_label(sq_desire_trainer_samples(t, 1), i);
        pred[i] = sq_desire_correct(counts + i * K, K, best) ? (float)best : -1.0f;
    }
    if (rc == 0)
        rc = sq_cli_write_predictions(path, "counts", c, labels, pred, n, K, accuracy, err);
    free(c), free(labels), free(pred);
    return rc;
}

int sq_cli_desire_eval(const json_t *config, const sq_train_options *o, const char *predictions)
{
    sq_err err = {0};
    sq_desire_trainer *t;
    double t0 = omp_get_wtime();
    int rc = sq_desire_trainer_create(config, o, &t, &err);
    if (rc < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return rc;
    }
    const sq_desire_spec *s = &sq_desire_trainer_recipe(t)->net;
    size_t n = sq_sample_set_info_get(sq_desire_trainer_samples(t, 1))->n;
    uint32_t K = s->sizes[s->layers];
    uint32_t *counts = predictions ? malloc((n ? n : 1) * K * sizeof *counts) : NULL;
    sq_epoch_report r = {0};
    if (predictions && !counts)
        rc = sq_fail(&err, SQ_ENOMEM, "out of memory for %zu x %u spike counts", n, K);
    if (rc == 0)
        rc = sq_desire_trainer_evaluate(t, &r, counts, &err);
    if (rc == 0) {
        printf("test data: %s\n", sq_sample_set_info_get(sq_desire_trainer_samples(t, 1))->description);
        printf("weights: %s\n", o->weights);
        printf("test accuracy: %.2f %% (%zu/%zu)\n", 100 * r.test_accuracy, r.test_correct, r.test_samples);
        printf("wall time: %.1f s (%.1f samples/s, %d threads)\n", omp_get_wtime() - t0,
               r.test_seconds > 0 ? (double)n / r.test_seconds : 0, sq_desire_trainer_threads(t));
    }
    if (rc == 0 && predictions && (rc = write_predictions(predictions, t, counts, n, K, r.test_accuracy, &err)) == 0)
        printf("predictions: %s\n", predictions);
    if (rc < 0)
        fprintf(stderr, "spikeq: %s\n", err.msg);
    free(counts);
    sq_desire_trainer_destroy(t);
    return rc;
}
