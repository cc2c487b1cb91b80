/* cli/train_report.c: what `spikeq train` and `spikeq eval` print (the header saying what runs, the
 * per-layer table of spike densities and time, the summary) and the learning-curve PNG drawn from
 * <out>/log.jsonl (train and test accuracy per epoch), through cli/canvas.h. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "../step/train.h"
#include "canvas.h"
#include "../step/tensor_file.h"
#include "train_report.h"

void sq_cli_train_header(sq_trainer *t, const char *config, const char *out_dir, const char *resume)
{
    sq_net *net = sq_trainer_net(t);
    const sq_train_spec *s = sq_trainer_spec(t);
    const sq_sample_set_info *train = sq_trainer_data(t, 0), *test = sq_trainer_data(t, 1);
    printf("config: %s\n", config);
    if (train)
        printf("train data: %s\n", train->description);
    if (test)
        printf("test data: %s\n", test->description);
    double steps = sq_net_neuron_steps(net);
    printf("network: %zu layers, %zu trainable parameters, %.1f MiB of activations, gradients and parameters",
           sq_net_layer_count(net), sq_net_trainable_size(net), (double)sq_net_bytes(net) / 1048576.0);
    if (steps > 0)
        printf(" (%.1f bytes per LIF neuron-step)", (double)sq_net_bytes(net) / steps);
    printf("\n");
    printf("training: %u epochs, batch %u, %s loss, %s lr %g, seed %llu, threads %d\n", s->epochs, s->batch,
           sq_loss_name(s->loss), s->optimizer.kind == SQ_OPTIM_SGD ? "sgd" : s->optimizer.kind == SQ_OPTIM_ADAM ? "adam" : "adamw",
           s->optimizer.lr, (unsigned long long)s->seed, sq_net_threads(net));
    if (resume)
        printf("resumed: %s (epoch %u done)\n", resume, sq_trainer_epoch(t));
    if (out_dir)
        printf("output: %s/\n", out_dir);
    fflush(stdout);
}

void sq_cli_layer_table(sq_net *net, FILE *f)
{
    fprintf(f, "%-16s %-15s %-14s %9s %8s %10s %10s\n", "layer", "type", "output", "in dens.", "path", "fwd s", "bwd s");
    for (size_t i = 0; i < sq_net_layer_count(net); i++) {
        const sq_layer *l = sq_net_layer(net, i);
        char shape[32], dens[16] = "-", path[16] = "-";
        snprintf(shape, sizeof shape, "%ux%ux%u", l->shape.c, l->shape.h, l->shape.w);
        if (l->stats.input_total > 0)
            snprintf(dens, sizeof dens, "%.2f %%", 100.0 * l->stats.input_nonzero / l->stats.input_total);
        if (l->stats.sparse_passes + l->stats.dense_passes > 0)
            snprintf(path, sizeof path, "%s", l->stats.sparse_passes == 0 ? "dense" : l->stats.dense_passes == 0 ? "sparse" : "mixed");
        fprintf(f, "%-16s %-15s %-14s %9s %8s %10.3f %10.3f\n", l->name, l->type->name, shape, dens, path, l->stats.forward_s,
                l->stats.backward_s);
    }
}

void sq_cli_run_summary(uint32_t done, uint32_t epochs, double best, uint32_t best_epoch, double wall_s,
                        const char *out_dir, const char *stopped, sq_net *net)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("epochs completed: %u of %u\n", done, epochs);
    if (best_epoch)
        printf("best test accuracy: %.2f %% (epoch %u)\n", 100 * best, best_epoch);
    printf("wall time: %.1f s\n", wall_s);
    printf("peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
    if (net)
        sq_cli_layer_table(net, stdout);
    if (stopped)
        printf("stopped: %s; resume with --resume %s/checkpoint.h5\n", stopped, out_dir ? out_dir : ".");
    if (out_dir)
        printf("output: %s/checkpoint.h5, %s/best.h5, %s/log.jsonl, %s/learning_curve.png\n", out_dir, out_dir, out_dir,
               out_dir);
}

void sq_cli_train_summary(sq_trainer *t, double wall_s, const char *out_dir, const char *stopped)
{
    uint32_t best_epoch;
    double best = sq_trainer_best_accuracy(t, &best_epoch);
    sq_cli_run_summary(sq_trainer_epoch(t), sq_trainer_spec(t)->epochs, best, best_epoch, wall_s, out_dir, stopped,
                       sq_trainer_net(t));
}

int sq_cli_write_predictions(const char *path, const char *scores_name, const float *scores, const float *labels,
                             const float *predicted, size_t n, uint32_t K, double accuracy, sq_err *err)
{
    sq_tensor_file *f;
    char name[64];
    uint32_t d2[2] = {(uint32_t)n, K}, d1 = (uint32_t)n;
    snprintf(name, sizeof name, "/%s", scores_name);
    int rc = sq_tensor_file_create(path, &f, err);
    if (rc < 0)
        return rc;
    if ((rc = sq_tensor_file_put(f, name, 2, d2, scores, err)) < 0 ||
        (rc = sq_tensor_file_put(f, "/labels", 1, &d1, labels, err)) < 0 ||
        (rc = sq_tensor_file_put(f, "/predicted", 1, &d1, predicted, err)) < 0 ||
        (rc = sq_tensor_file_put_attr(f, "accuracy", accuracy, err)) < 0) {
        sq_tensor_file_abandon(f);
        return rc;
    }
    return sq_tensor_file_close(f, err);
}

/* Accuracy (0..1) of epoch i of a log of n epochs, for one key. */
static int read_log(const char *path, double *train, double *test, int cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[4096];
    int n = 0;
    while (n < cap && fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j)
            continue;
        train[n] = json_number_value(json_object_get(j, "train_accuracy"));
        test[n] = json_number_value(json_object_get(j, "test_accuracy"));
        n++;
        json_decref(j);
    }
    fclose(f);
    return n;
}

static void line_segment(sq_canvas *c, int x0, int y0, int x1, int y1, sq_rgb col)
{
    int steps = (x1 - x0 > 0 ? x1 - x0 : x0 - x1) + (y1 - y0 > 0 ? y1 - y0 : y0 - y1) + 1;
    for (int s = 0; s <= steps; s++) {
        int x = x0 + (x1 - x0) * s / steps, y = y0 + (y1 - y0) * s / steps;
        sq_canvas_fill(c, x - 1, y - 1, x + 2, y + 2, col);
    }
}

int sq_cli_learning_curve(const char *out_dir)
{
    enum { CAP = 4096, W = 900, H = 500, L = 70, R = 20, TOP = 40, B = 50 };
    static double train[CAP], test[CAP];
    char path[4200];
    snprintf(path, sizeof path, "%s/log.jsonl", out_dir);
    int n = read_log(path, train, test, CAP);
    if (n == 0)
        return -1;
    double lo = 1.0;
    for (int i = 0; i < n; i++)
        lo = train[i] < lo ? train[i] : test[i] < lo ? test[i] : lo;
    lo = lo > 0.5 ? (double)(int)(lo * 10) / 10 : 0.0;
    sq_canvas c;
    if (sq_canvas_init(&c, W, H, (sq_rgb){255, 255, 255}) < 0)
        return -1;
    sq_rgb axis = {80, 80, 80}, grid = {225, 225, 225}, ctrain = {89, 82, 137}, ctest = {175, 20, 60};
    for (int k = 0; k <= 10; k++) {
        double a = lo + (1.0 - lo) * k / 10;
        int y = TOP + (int)((1.0 - (a - lo) / (1.0 - lo)) * (H - TOP - B));
        sq_canvas_fill(&c, L, y, W - R, y + 1, grid);
        char lab[16];
        snprintf(lab, sizeof lab, "%.0f", 100 * a);
        sq_canvas_text(&c, L - 8 - sq_canvas_text_width(lab, 2), y - 7, lab, 2, axis);
    }
    sq_canvas_fill(&c, L, TOP, L + 1, H - B, axis);
    sq_canvas_fill(&c, L, H - B, W - R, H - B + 1, axis);
    for (int s = 0; s < 2; s++) {
        const double *v = s ? test : train;
        int px = 0, py = 0;
        for (int i = 0; i < n; i++) {
            int x = L + (n == 1 ? (W - L - R) / 2 : (int)((double)i / (n - 1) * (W - L - R)));
            int y = TOP + (int)((1.0 - (v[i] - lo) / (1.0 - lo)) * (H - TOP - B));
            if (i > 0)
                line_segment(&c, px, py, x, y, s ? ctest : ctrain);
            sq_canvas_fill(&c, x - 3, y - 3, x + 4, y + 4, s ? ctest : ctrain);
            px = x, py = y;
        }
    }
    char title[128];
    snprintf(title, sizeof title, "ACCURACY IN PERCENT - EPOCHS 1-%d: TRAIN", n);
    int x = sq_canvas_text(&c, L, 12, title, 2, axis) + L;
    x += sq_canvas_text(&c, x + 10, 12, "BLUE", 2, ctrain) + 10;
    x += sq_canvas_text(&c, x + 10, 12, "TEST", 2, axis) + 10;
    sq_canvas_text(&c, x + 10, 12, "RED", 2, ctest);
    for (int i = 0; i < n; i += n > 20 ? n / 10 : 1) {
        char lab[16];
        snprintf(lab, sizeof lab, "%d", i + 1);
        int xt = L + (n == 1 ? (W - L - R) / 2 : (int)((double)i / (n - 1) * (W - L - R)));
        sq_canvas_text(&c, xt - sq_canvas_text_width(lab, 2) / 2, H - B + 8, lab, 2, axis);
    }
    sq_canvas_text(&c, (W - sq_canvas_text_width("EPOCH", 2)) / 2, H - B + 28, "EPOCH", 2, axis);
    char msg[256];
    snprintf(path, sizeof path, "%s/learning_curve.png", out_dir);
    int rc = sq_canvas_write_png(&c, path, msg, sizeof msg);
    sq_canvas_free(&c);
    return rc;
}

/* Reads a training config, with training.<key> = value when value > 0 (a command-line override);
 * prints the reason and returns NULL when the file cannot be read or parsed. */
json_t *sq_cli_training_config(const char *path, const char *key, long long value)
{
    json_error_t jerr;
    json_t *config = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!config) {
        if (jerr.line > 0)
            fprintf(stderr, "spikeq: %s: line %d: %s\n", path, jerr.line, jerr.text);
        else
            fprintf(stderr, "spikeq: %s\n", jerr.text);
        return NULL;
    }
    if (value > 0) {
        json_t *tr = json_object_get(config, "training");
        if (!json_is_object(tr))
            json_object_set_new(config, "training", tr = json_object());
        json_object_set_new(tr, key, json_integer(value));
    }
    return config;
}
