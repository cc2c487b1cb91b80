/* cli/cmd_eval.c: `spikeq eval`: a layered network's test accuracy from a weights file (a thin
 * shell over sq_trainer_evaluate), and optionally its logits and predictions as HDF5. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../step/net_spikes.h"
#include "../step/rules.h"
#include "../step/tensor_file.h"
#include "../step/train.h"
#include "cli.h"
#include "cmd_desire.h"
#include "cmd_rate.h"
#include "train_report.h"

static const char usage[] =
    "usage: spikeq eval CONFIG.json --weights FILE.h5 [options]\n"
    "\n"
    "Evaluates the layered network of a config on its test set with the given weights (a best.h5 or\n"
    "checkpoint.h5 of spikeq train, or a converted PyTorch model) and prints\n"
    "`test accuracy: P % (K/N)` (the first maximum of the readout is the answer, as torch.argmax; for\n"
    "training.rule = \"desire\" the label neuron's spike count must be the unique maximum, and\n"
    "--predictions writes /counts [n][outputs], /labels and /predicted, -1 where no maximum is unique).\n"
    "\n"
    "  --weights FILE.h5      the weights (required)\n"
    "  --predictions OUT.h5   write /logits [n][classes], /labels [n] and /predicted [n] (float32)\n"
    "  --threads N            OpenMP threads (the result does not depend on them)\n"
    "  --batch N              samples per forward pass (default: training.eval_batch)\n"
    "  --spikes OUT.h5        the spikes of --layers (default: every spiking layer) for test samples\n"
    "                         --samples I,J,... (default 0) as a SONATA spike report: population\n"
    "                         <layer>_s<I>, node ids in (C, H, W) order, time = step x --dt MS (1)\n"
    "  -q, --quiet            no progress line\n";

static void on_progress(void *user, const sq_train_progress *p)
{
    if (*(const int *)user || !isatty(2))
        return;
    fprintf(stderr, "\r\033[Ktesting %zu/%zu  acc %.2f %%", p->batch, p->batches, 100 * p->accuracy);
    fflush(stderr);
}

static int write_predictions(const char *path, const float *logits, const sq_trainer *t, size_t n, uint32_t K,
                             const sq_epoch_report *r, sq_err *err)
{
    float *labels = malloc((n ? n : 1) * sizeof *labels), *pred = malloc((n ? n : 1) * sizeof *pred);
    if (!labels || !pred) {
        free(labels), free(pred);
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        pred[i] = (float)sq_argmax(logits + i * K, K);
        labels[i] = (float)sq_sample_set_label(sq_trainer_samples(t, 1), i);
    }
    sq_tensor_file *f;
    int rc = sq_tensor_file_create(path, &f, err);
    uint32_t d2[2] = {(uint32_t)n, K}, d1 = (uint32_t)n;
    if (rc == 0 && ((rc = sq_tensor_file_put(f, "/logits", 2, d2, logits, err)) < 0 ||
                    (rc = sq_tensor_file_put(f, "/labels", 1, &d1, labels, err)) < 0 ||
                    (rc = sq_tensor_file_put(f, "/predicted", 1, &d1, pred, err)) < 0 ||
                    (rc = sq_tensor_file_put_attr(f, "accuracy", r->test_accuracy, err)) < 0))
        sq_tensor_file_abandon(f);
    else if (rc == 0)
        rc = sq_tensor_file_close(f, err);
    free(labels), free(pred);
    return rc;
}

/* Comma-separated list of up to cap entries: layer names into indices, or sample numbers. */
static int parse_list(const char *s, sq_net *net, int *layers, size_t *samples, size_t cap, size_t *n)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", s);
    *n = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == cap)
            return -1;
        if (layers) {
            int i = sq_net_layer_find(net, tok);
            if (i < 0) {
                fprintf(stderr, "spikeq eval: --layers: no layer named \"%s\"\n", tok);
                return -1;
            }
            layers[(*n)++] = i;
        } else {
            char *end;
            unsigned long long v = strtoull(tok, &end, 10);
            if (*end || tok[0] == '-') {
                fprintf(stderr, "spikeq eval: --samples: expected sample numbers, got \"%s\"\n", tok);
                return -1;
            }
            samples[(*n)++] = (size_t)v;
        }
    }
    return 0;
}

/* --spikes: the chosen samples' forward pass, then their layers' spikes. */
static int write_spikes(sq_trainer *t, const char *path, const char *layer_list, const char *sample_list, double dt,
                        sq_err *err)
{
    enum { CAP = 256 };
    int layers[CAP];
    size_t samples[CAP], nl = 0, ns = 0;
    sq_net *net = sq_trainer_net(t);
    if (layer_list) {
        if (parse_list(layer_list, net, layers, NULL, CAP, &nl) < 0)
            return sq_fail(err, SQ_EINVAL, "--layers: expected up to %d layer names", CAP);
    } else
        for (size_t i = 0; i < sq_net_layer_count(net) && nl < CAP; i++)
            if (sq_net_layer(net, i)->values != SQ_VALUES_REAL)
                layers[nl++] = (int)i;
    if (sample_list ? parse_list(sample_list, NULL, NULL, samples, CAP, &ns) < 0 : (samples[ns++] = 0, 0))
        return sq_fail(err, SQ_EINVAL, "--samples: expected up to %d sample numbers", CAP);
    uint32_t pos[CAP];
    uint64_t ids[CAP];
    for (size_t k = 0; k < ns; k++)
        pos[k] = (uint32_t)k, ids[k] = samples[k];
    int rc = sq_trainer_forward_test(t, samples, (uint32_t)ns, err);
    return rc < 0 ? rc : sq_net_write_spikes(net, path, layers, nl, pos, ids, ns, dt, err);
}

int sq_cli_eval(int argc, char **argv)
{
    if (sq_cli_wants_help(argc, argv, usage))
        return 0;
    const char *config_path = NULL, *weights = NULL, *predictions = NULL, *spikes = NULL, *layer_list = NULL,
               *sample_list = NULL;
    double dt = 1.0;
    int threads = 0, quiet = 0;
    long batch = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
            quiet = 1;
        else if ((strcmp(a, "--spikes") == 0 || strcmp(a, "--layers") == 0 || strcmp(a, "--samples") == 0 ||
                  strcmp(a, "--dt") == 0) && ++i) {
            if (!v) {
                fprintf(stderr, "spikeq eval: %s: expected a value\n", a);
                return 2;
            }
            if (strcmp(a, "--dt") == 0) {
                char *end;
                dt = strtod(v, &end);
                if (*end || !(dt > 0)) {
                    fprintf(stderr, "spikeq eval: --dt: expected a positive number of ms, got %s\n", v);
                    return 2;
                }
            } else
                *(strcmp(a, "--spikes") == 0 ? &spikes : strcmp(a, "--layers") == 0 ? &layer_list : &sample_list) = v;
        } else if ((strcmp(a, "--weights") == 0 || strcmp(a, "--predictions") == 0 || strcmp(a, "--threads") == 0 ||
                  strcmp(a, "--batch") == 0) && ++i) {
            if (!v) {
                fprintf(stderr, "spikeq eval: %s: expected a value\n", a);
                return 2;
            }
            if (strcmp(a, "--weights") == 0)
                weights = v;
            else if (strcmp(a, "--predictions") == 0)
                predictions = v;
            else {
                char *end;
                long x = strtol(v, &end, 10);
                if (*end || x < 1 || x > 65536) {
                    fprintf(stderr, "spikeq eval: %s: expected an integer from 1 to 65536, got %s\n", a, v);
                    return 2;
                }
                if (strcmp(a, "--threads") == 0)
                    threads = (int)x;
                else
                    batch = x;
            }
        } else if (a[0] == '-' || config_path) {
            fprintf(stderr, "spikeq eval: unknown option or extra argument \"%s\" (see spikeq eval --help)\n", a);
            return 2;
        } else
            config_path = a;
    }
    if (!config_path || !weights) {
        fputs(usage, stderr);
        return 2;
    }
    json_t *config = sq_cli_training_config(config_path, "eval_batch", batch);
    if (!config)
        return 1;
    sq_train_options o = {.origin = config_path, .weights = weights, .threads = threads, .seed = -1, .epochs = -1,
                          .eval_only = 1, .on_progress = on_progress, .user = &quiet};
    sq_err err = {0};
    sq_rule rule;
    if (sq_rule_of(config, config_path, &rule, &err) < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        json_decref(config);
        return 1;
    }
    if (rule == SQ_RULE_DESIRE) {
        int drc = spikes || batch ? (fprintf(stderr, "spikeq eval: --spikes and --batch: not available for desire "
                                                      "backpropagation networks\n"), SQ_EINVAL)
                                  : sq_cli_desire_eval(config, &o, predictions);
        json_decref(config);
        return drc < 0 ? 1 : 0;
    }
    if (rule == SQ_RULE_RATE) {
        int rrc = spikes || batch ? (fprintf(stderr, "spikeq eval: --spikes and --batch: not available for rate "
                                                      "networks\n"), SQ_EINVAL)
                                  : sq_cli_rate_eval(config, &o, predictions);
        json_decref(config);
        return rrc < 0 ? 1 : 0;
    }
    sq_trainer *t;
    double t0 = omp_get_wtime();
    int rc = sq_trainer_create(config, &o, &t, &err);
    json_decref(config);
    if (rc < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return 1;
    }
    size_t n = sq_trainer_data(t, 1)->n;
    uint32_t K = sq_net_outputs(sq_trainer_net(t));
    float *logits = predictions ? malloc((n ? n : 1) * K * sizeof *logits) : NULL;
    sq_epoch_report r = {0};
    if (predictions && !logits)
        rc = sq_fail(&err, SQ_ENOMEM, "out of memory for %zu x %u logits", n, K);
    if (rc == 0)
        rc = sq_trainer_evaluate(t, &r, logits, &err);
    if (!quiet && isatty(2))
        fputs("\r\033[K", stderr);
    if (rc == 0) {
        printf("test data: %s\n", sq_trainer_data(t, 1)->description);
        printf("weights: %s\n", weights);
        printf("test loss: %.6f\n", r.test_loss);
        printf("test accuracy: %.2f %% (%zu/%zu)\n", 100 * r.test_accuracy, r.test_correct, r.test_samples);
        printf("wall time: %.1f s (%.1f samples/s, %d threads)\n", omp_get_wtime() - t0,
               r.test_seconds > 0 ? (double)n / r.test_seconds : 0, sq_net_threads(sq_trainer_net(t)));
    }
    if (rc == 0 && predictions && (rc = write_predictions(predictions, logits, t, n, K, &r, &err)) == 0)
        printf("predictions: %s\n", predictions);
    if (rc == 0 && spikes && (rc = write_spikes(t, spikes, layer_list, sample_list, dt, &err)) == 0)
        printf("spikes: %s\n", spikes);
    free(logits);
    sq_trainer_destroy(t);
    if (rc < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return 1;
    }
    return 0;
}
