/* cli/cmd_train.c: `spikeq train`: a thin shell over step/train.h. Reads the config, shows a
 * progress line on a terminal, prints a line per epoch and a summary, redraws the learning curve
 * (cli/learning_curve.c) after each epoch; SIGINT/SIGTERM stop after the current batch with a
 * checkpoint (exit 130/143). `--benchmark ITERS` times training and inference on random event
 * frames of the configured shape instead of training. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <omp.h>

#include "../step/net.h"
#include "../step/rules.h"
#include "../step/train.h"
#include "cli.h"
#include "cmd_desire.h"
#include "cmd_rate.h"
#include "train_report.h"

static const char usage[] =
    "usage: spikeq train CONFIG.json [options]\n"
    "\n"
    "Trains the layered spiking network a config describes (data, network, training; see README.md\n"
    "\"Layered networks\") with backpropagation through time and surrogate gradients, or, with\n"
    "training.rule = \"desire\", by desire backpropagation (README \"Desire backpropagation\"), or, with\n"
    "\"backprop\", \"burstprop\" or \"burstccn\", a rate network (README \"Burst-dependent learning\"). After each epoch\n"
    "it evaluates the test set and writes, in the output folder: checkpoint.h5 (weights, BN statistics,\n"
    "optimizer state, position), best.h5 (the best epoch's weights), log.jsonl (one JSON line per\n"
    "epoch) and learning_curve.png. Ctrl-C stops after the current batch with a checkpoint; --resume\n"
    "continues from it and ends with the weights an uninterrupted run would have, bit for bit.\n"
    "\n"
    "  --epochs N        epochs to train in all (default: training.epochs)\n"
    "  --threads N       OpenMP threads (default: training.threads, OMP_NUM_THREADS or 1); the\n"
    "                    trained weights do not depend on it\n"
    "  --seed S          initial weights, shuffling and dropout (default: training.seed)\n"
    "  --out DIR         output folder (default: out/<config name>)\n"
    "  --batch N         training batch (default: training.batch)\n"
    "  --resume FILE.h5  continue from a checkpoint\n"
    "  --weights FILE.h5 start from these weights instead of the seeded initialisation\n"
    "  --benchmark ITERS time ITERS training iterations and ITERS inference batches on random event\n"
    "                    frames (5 %% ones) of the configured shape and batch; nothing is written\n"
    "                    (rate networks: ITERS real training batches, then the test set)\n"
    "  -q, --quiet       no progress line\n";

static sq_trainer *volatile running;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
    if (running)
        sq_trainer_request_stop(running);
    sq_cli_desire_stop();
    sq_cli_rate_stop();
}

typedef struct {
    int quiet;
    double t0;
    const char *out_dir;
} ui;

static void on_progress(void *user, const sq_train_progress *p)
{
    const ui *u = user;
    if (u->quiet || !isatty(STDERR_FILENO))
        return;
    if (p->evaluating) {
        fprintf(stderr, "\r\033[Kepoch %u/%u  testing %zu/%zu  acc %.2f %%", p->epoch + 1, p->epochs, p->batch, p->batches,
                100 * p->accuracy);
    } else {
        double eta = p->batch ? p->seconds / (double)p->batch * (double)(p->batches - p->batch) : 0;
        fprintf(stderr, "\r\033[Kepoch %u/%u  batch %zu/%zu  loss %.4f  acc %.2f %%  %.1f samples/s  ETA(epoch) %.0f s",
                p->epoch + 1, p->epochs, p->batch, p->batches, p->loss, 100 * p->accuracy, p->samples_per_s, eta);
    }
    fflush(stderr);
}

static void on_epoch(void *user, const sq_epoch_report *r)
{
    const ui *u = user;
    if (!u->quiet && isatty(STDERR_FILENO))
        fputs("\r\033[K", stderr);
    printf("epoch %u: lr %.4g  train loss %.4f acc %.2f %%  test loss %.4f acc %.2f %% (%zu/%zu)%s  %.0f s, %.1f samples/s\n",
           r->epoch, r->lr, r->train_loss, 100 * r->train_accuracy, r->test_loss, 100 * r->test_accuracy, r->test_correct,
           r->test_samples, r->best ? "  best" : "", r->train_seconds,
           r->train_seconds > 0 ? (double)r->train_samples / r->train_seconds : 0);
    fflush(stdout);
    if (u->out_dir)
        sq_cli_learning_curve(u->out_dir);
}

static int on_cache(void *user, size_t done, size_t total)
{
    const ui *u = user;
    if (!u->quiet && isatty(STDERR_FILENO)) {
        fprintf(stderr, "\r\033[Kbuilding the frame cache: %zu/%zu samples", done, total);
        fflush(stderr);
    }
    return stop_signal != 0;
}

/* out/<config file name without .json>. */
static void default_out(const char *config, char *buf, size_t cap)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".json") == 0)
        len -= 5;
    snprintf(buf, cap, "out/%.*s", (int)len, base);
}

/* mkdir -p. */
static int mkdir_parents(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

static int parse_int(const char *opt, const char *v, long long lo, long long hi, long long *out)
{
    char *end;
    long long x = v ? strtoll(v, &end, 10) : 0;
    if (!v || *end || x < lo || x > hi) {
        fprintf(stderr, "spikeq train: %s: expected an integer from %lld to %lld, got %s\n", opt, lo, hi, v ? v : "nothing");
        return -1;
    }
    *out = x;
    return 0;
}

int sq_cli_train(int argc, char **argv)
{
    if (sq_cli_wants_help(argc, argv, usage))
        return 0;
    const char *config_path = NULL, *out_dir = NULL;
    sq_train_options o = {.seed = -1, .epochs = -1};
    long long bench = 0, batch = 0, v;
    ui u = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
            u.quiet = 1;
        else if (strcmp(a, "--epochs") == 0 && ++i) {
            if (parse_int(a, val, 0, 1000000, &v) < 0)
                return 2;
            o.epochs = v;
        } else if (strcmp(a, "--threads") == 0 && ++i) {
            if (parse_int(a, val, 1, 1024, &v) < 0)
                return 2;
            o.threads = (int)v;
        } else if (strcmp(a, "--seed") == 0 && ++i) {
            if (parse_int(a, val, 0, 4294967295LL, &v) < 0)
                return 2;
            o.seed = v;
        } else if (strcmp(a, "--batch") == 0 && ++i) {
            if (parse_int(a, val, 1, 65536, &batch) < 0)
                return 2;
        } else if (strcmp(a, "--benchmark") == 0 && ++i) {
            if (parse_int(a, val, 1, 1000000, &bench) < 0)
                return 2;
        } else if ((strcmp(a, "--out") == 0 || strcmp(a, "--resume") == 0 || strcmp(a, "--weights") == 0) && ++i) {
            if (!val) {
                fprintf(stderr, "spikeq train: %s: expected a path\n", a);
                return 2;
            }
            *(strcmp(a, "--out") == 0 ? &out_dir : strcmp(a, "--resume") == 0 ? &o.resume : &o.weights) = val;
        } else if (a[0] == '-' || config_path) {
            fprintf(stderr, "spikeq train: unknown option or extra argument \"%s\" (see spikeq train --help)\n", a);
            return 2;
        } else
            config_path = a;
    }
    if (!config_path) {
        fputs(usage, stderr);
        return 2;
    }
    json_t *config = sq_cli_training_config(config_path, "batch", batch);
    if (!config)
        return 1;
    char out_buf[4096];
    if (!out_dir) {
        default_out(config_path, out_buf, sizeof out_buf);
        out_dir = out_buf;
    }
    if (!bench && mkdir_parents(out_dir) < 0) {
        fprintf(stderr, "spikeq: %s: cannot create the output folder\n", out_dir);
        json_decref(config);
        return 1;
    }
    o.origin = config_path;
    o.out_dir = bench ? NULL : out_dir;
    o.synthetic = bench > 0;
    o.on_progress = on_progress, o.on_epoch = on_epoch, o.on_cache = on_cache, o.user = &u;
    u.out_dir = o.out_dir;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    sq_err err = {0};
    sq_rule rule;
    if (sq_rule_of(config, config_path, &rule, &err) < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        json_decref(config);
        return 1;
    }
    if (rule == SQ_RULE_DESIRE) {
        int drc = bench || batch ? (fprintf(stderr, "spikeq train: --benchmark and --batch: desire backpropagation "
                                                    "trains online, one sample at a time\n"), SQ_EINVAL)
                                 : sq_cli_desire_train(config, config_path, &o, stop_signal != 0);
        json_decref(config);
        if (drc == SQ_EINTR)
            return stop_signal == SIGTERM ? 143 : 130;
        return drc < 0 ? 1 : 0;
    }
    if (rule == SQ_RULE_RATE) {
        int rrc = sq_cli_rate_train(config, config_path, &o, bench, stop_signal != 0);
        json_decref(config);
        if (rrc == SQ_EINTR)
            return stop_signal == SIGTERM ? 143 : 130;
        return rrc < 0 ? 1 : 0;
    }
    sq_trainer *t;
    double t0 = omp_get_wtime();
    int rc = sq_trainer_create(config, &o, &t, &err);
    json_decref(config);
    if (!u.quiet && isatty(STDERR_FILENO))
        fputs("\r\033[K", stderr);
    if (rc < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return rc == SQ_EINTR ? (stop_signal == SIGTERM ? 143 : 130) : 1;
    }
    running = t;
    if (stop_signal) /* a signal that came while the trainer was being made */
        sq_trainer_request_stop(t);
    sq_cli_train_header(t, config_path, o.out_dir, o.resume);
    if (bench) {
        sq_benchmark_result r;
        rc = sq_trainer_benchmark(t, (uint32_t)bench, &r, &err);
        if (rc == 0) {
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            printf("batch: %u, iterations: %u, threads: %d\n", r.batch, r.iters, sq_net_threads(sq_trainer_net(t)));
            printf("train samples/s: %.3f\n", r.train_samples_per_s);
            printf("infer samples/s: %.3f\n", r.infer_samples_per_s);
            printf("peak RSS MiB: %.1f\n", (double)ru.ru_maxrss / 1024.0);
            sq_cli_layer_table(sq_trainer_net(t), stdout);
        }
    } else {
        rc = sq_trainer_run(t, &err);
        sq_cli_train_summary(t, omp_get_wtime() - t0, o.out_dir, rc == SQ_EINTR ? err.msg : NULL);
    }
    running = NULL;
    sq_trainer_destroy(t);
    if (rc == SQ_EINTR)
        return stop_signal == SIGTERM ? 143 : 130;
    if (rc < 0) {
        fprintf(stderr, "spikeq: %s\n", err.msg);
        return 1;
    }
    return 0;
}
