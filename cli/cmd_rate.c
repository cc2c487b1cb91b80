/* cli/cmd_rate.c: `spikeq train` and `spikeq eval` of a config whose training.rule is a rule of
 * rate networks (step/rate_train.h): thin shells called by cli/cmd_train.c and cli/cmd_eval.c with
 * the options they parsed (the progress, epoch and cache callbacks are theirs). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <omp.h>

#include "../step/rate_train.h"
#include "../step/tensor_file.h"
#include "cmd_rate.h"
#include "train_report.h"

static sq_rate_trainer *volatile running;

void sq_cli_rate_stop(void)
{
    if (running)
        sq_rate_trainer_request_stop(running);
}

static void print_header(sq_rate_trainer *t, const char *config, const char *out_dir, const char *resume)
{
    const sq_rate_recipe *r = sq_rate_trainer_recipe(t);
    const sq_sample_set *train = sq_rate_trainer_samples(t, 0), *test = sq_rate_trainer_samples(t, 1);
    char rule[256];
    sq_rate_trainer_describe_rule(t, rule, sizeof rule);
    printf("config: %s\n", config);
    if (train)
        printf("train data: %s\n", sq_sample_set_info_get(train)->description);
    printf("test data: %s\n", sq_sample_set_info_get(test)->description);
    printf("network: sigmoid rate units ");
    for (uint32_t l = 0; l <= r->layers; l++)
        printf("%s%u", l ? "-" : "", r->sizes[l]);
    printf(", Xavier normal gain %g\n", r->init_gain);
    printf("training: %s (%s), %u epochs, batch %u, lr", r->rule->name, rule, r->epochs, r->batch);
    for (uint32_t l = 1; l <= r->layers; l++)
        printf("%s%g", l > 1 ? " / " : " ", r->lr[l]);
    printf(", momentum %g, weight decay %g, %s over the batch, seed %llu, threads %d\n", r->momentum, r->weight_decay,
           r->reduction_sum ? "gradients summed" : "mean gradients", (unsigned long long)r->seed,
           sq_rate_trainer_threads(t));
    if (resume)
        printf("resumed: %s (epoch %u done)\n", resume, sq_rate_trainer_epoch(t));
    if (out_dir)
        printf("output: %s/\n", out_dir);
    fflush(stdout);
}

int sq_cli_rate_train(const json_t *config, const char *config_path, const sq_train_options *o, int bench,
                      int stop_pending)
{
    sq_err err = {0};
    sq_rate_trainer *t;
    double t0 = omp_get_wtime();
    sq_train_options opts = *o;
    opts.synthetic = 0; /* timed on real batches */
    if (bench)
        opts.out_dir = NULL;
    int rc = sq_rate_trainer_create(config, &opts, &t, &err);
    if (rc < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return rc;
    }
    running = t;
    if (stop_pending)
        sq_rate_trainer_request_stop(t);
    print_header(t, config_path, opts.out_dir, o->resume);
    if (bench) {
        double train_sps = 0, infer_sps = 0;
        if ((rc = sq_rate_trainer_benchmark(t, (uint32_t)bench, &train_sps, &infer_sps, &err)) == 0) {
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            printf("batch: %u, iterations: %d, threads: %d\n", sq_rate_trainer_recipe(t)->batch, bench,
                   sq_rate_trainer_threads(t));
            printf("train samples/s: %.1f\n", train_sps);
            printf("infer samples/s: %.1f\n", infer_sps);
            printf("peak RSS MiB: %.1f\n", (double)ru.ru_maxrss / 1024.0);
        }
    } else {
        rc = sq_rate_trainer_run(t, &err);
        uint32_t best_epoch;
        double best = sq_rate_trainer_best_accuracy(t, &best_epoch);
        sq_cli_run_summary(sq_rate_trainer_epoch(t), sq_rate_trainer_recipe(t)->epochs, best, best_epoch,
                           omp_get_wtime() - t0, opts.out_dir, rc == SQ_EINTR ? err.msg : NULL, NULL);
    }
    running = NULL;
    if (rc < 0 && rc != SQ_EINTR)
        fprintf(stderr, "spikeq: %s\n", err.msg);
    sq_rate_trainer_destroy(t);
    return rc;
}

/* /outputs [n][classes] (the output rates), /labels [n], /predicted [n] (the first maximum). */
static int write_predictions(const char *path, sq_rate_trainer *t, const float *outputs, size_t n, uint32_t K,
                             double accuracy, sq_err *err)
{
    float *labels = malloc((n ? n : 1) * sizeof *labels), *pred = malloc((n ? n : 1) * sizeof *pred);
    int rc = labels && pred ? 0 : sq_fail(err, SQ_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        labels[i] = (float)sq_sample_set_label(sq_rate_trainer_samples(t, 1), i);
        pred[i] = (float)sq_rate_argmax(outputs + i * K, K);
    }
    if (rc == 0)
        rc = sq_cli_write_predictions(path, "outputs", outputs, labels, pred, n, K, accuracy, err);
    free(labels), free(pred);
    return rc;
}

int sq_cli_rate_eval(const json_t *config, const sq_train_options *o, const char *predictions)
{
    sq_err err = {0};
    sq_rate_trainer *t;
    double t0 = omp_get_wtime();
    int rc = sq_rate_trainer_create(config, o, &t, &err);
    if (rc < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return rc;
    }
    const sq_rate_recipe *r = sq_rate_trainer_recipe(t);
    size_t n = sq_sample_set_info_get(sq_rate_trainer_samples(t, 1))->n;
    uint32_t K = r->sizes[r->layers];
    float *outputs = predictions ? malloc((n ? n : 1) * K * sizeof *outputs) : NULL;
    sq_epoch_report rep = {0};
    if (predictions && !outputs)
        rc = sq_fail(&err, SQ_ENOMEM, "out of memory for %zu x %u outputs", n, K);
    if (rc == 0)
        rc = sq_rate_trainer_evaluate(t, &rep, outputs, &err);
    if (rc == 0) {
        printf("test data: %s\n", sq_sample_set_info_get(sq_rate_trainer_samples(t, 1))->description);
        printf("weights: %s\n", o->weights);
        printf("test accuracy: %.2f %% (%zu/%zu)\n", 100 * rep.test_accuracy, rep.test_correct, rep.test_samples);
        printf("wall time: %.1f s (%.1f samples/s, %d threads)\n", omp_get_wtime() - t0,
               rep.test_seconds > 0 ? (double)n / rep.test_seconds : 0, sq_rate_trainer_threads(t));
    }
    if (rc == 0 && predictions && (rc = write_predictions(predictions, t, outputs, n, K, rep.test_accuracy, &err)) == 0)
        printf("predictions: %s\n", predictions);
    if (rc < 0)
        fprintf(stderr, "spikeq: %s\n", err.msg);
    free(outputs);
    sq_rate_trainer_destroy(t);
    return rc;
}
