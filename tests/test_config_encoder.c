/* tests/test_config_encoder.c: every encoder kind fed from a config into a small network (a
 * spike_source "in" with the encoder, one-to-one into a lif_delta "out" whose 20 mV synapses make
 * every input spike fire its target 1 ms later), run through the library: the input spikes are the
 * closed-form ones of each encoder and the output follows them. Then Fashion-MNIST from the Debian
 * package, and every error of the "encoder" object, code and message. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encoders/dvs_dataset.h"
#include "encoders/idx.h"
#include "encoders/saccade.h"
#include "io/config.h"
#include "sim/sim.h"
#include "run_suite.h"
#include "tmp_fixture.h"

#define FMNIST "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

typedef struct {
    sq_spike *s;
    size_t n, cap;
} record;

static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    record *r = ud;
    if (r->n + n > r->cap) {
        r->cap = (r->n + n) * 2;
        r->s = realloc(r->s, r->cap * sizeof *r->s);
    }
    memcpy(r->s + r->n, s, n * sizeof *s);
    r->n += n;
}

/* Four 2 x 2 images: sample s has pixel k = ((k + s) % 4) * 85 (0, 1/3, 2/3, 1 of full scale). */
static const char *fixture(void)
{
    static char path[512];
    uint8_t px[16];
    for (int s = 0; s < 4; s++)
        for (int k = 0; k < 4; k++)
            px[s * 4 + k] = (uint8_t)(((k + s) % 4) * 85);
    sq_idx_images im = {4, 2, 2, px};
    sq_tmp_path(path, sizeof path, "img.idx.gz");
    ck_assert_int_eq(sq_idx_write_images(path, &im, 1, NULL), 0);
    return path;
}

static float pixel(int s, int k)
{
    return (float)(((k + s) % 4) * 85) / 255.0f;
}

/* The network around an encoder object (text with ' for " and %s for the dataset path). */
static char *network(const char *encoder, const char *path, uint32_t n)
{
    static const char *fmt =
        "{'simulation': {'seed': 5}, 'populations': ["
        "{'name': 'in', 'model': 'spike_source', 'n': %u, 'encoder': %s},"
        "{'name': 'out', 'model': 'lif_delta', 'n': %u, 'params': {'t_ref': 0.1}}],"
        "'projections': [{'source': 'in', 'target': 'out', 'connector': {'rule': 'one_to_one'},"
        "'weight': 20.0, 'delay': 1.0}]}";
    char enc[1024], *text = malloc(4096);
    snprintf(enc, sizeof enc, encoder, path);
    snprintf(text, 4096, fmt, n, enc, n);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    return text;
}

/* Loads the config, runs it for t_stop ms, returns every spike; with `echo`, every in-population
 * spike must fire its target (inputs at least t_ref = 0.1 ms apart). */
static record run_echo(const char *encoder, const char *path, uint32_t n, double t_stop, int echo)
{
    char *text = network(encoder, path, n);
    sq_config *cfg = NULL;
    sq_err err = {0};
    int rc = sq_config_parse(text, "net.json", NULL, 0, &cfg, &err);
    free(text);
    ck_assert_msg(rc == 0, "%s", err.msg);
    sq_sim *sim = NULL;
    ck_assert_msg(sq_sim_create(sq_config_net(cfg), &sim, &err) == 0, "%s", err.msg);
    record r = {0};
    sq_sim_observer obs = {on_spikes, NULL, &r};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, t_stop, &err), 0);
    size_t n_in = 0, n_out = 0;
    for (size_t k = 0; k < r.n; k++) {
        n_in += r.s[k].pop == 0;
        n_out += r.s[k].pop == 1;
    }
    if (echo)
        ck_assert_uint_eq(n_in, n_out);
    sq_sim_destroy(sim);
    sq_config_destroy(cfg);
    return r;
}

static record run(const char *encoder, const char *path, uint32_t n, double t_stop)
{
    return run_echo(encoder, path, n, t_stop, 1);
}

/* The in-population's spikes as (id, t) in the engine's (time, id) order, and their echo in "out". */
static size_t inputs(const record *r, sq_spike *out, size_t cap)
{
    size_t m = 0;
    for (size_t k = 0; k < r->n; k++) {
        if (r->s[k].pop != 0)
            continue;
        ck_assert_uint_lt(m, cap);
        out[m++] = r->s[k];
        int echoed = 0;
        for (size_t j = 0; j < r->n && !echoed; j++)
            echoed = r->s[j].pop == 1 && r->s[j].id == r->s[k].id && fabs(r->s[j].t - r->s[k].t - 1.0) < 1e-9;
        ck_assert(echoed);
    }
    return m;
}

START_TEST(rate_encoder_from_config_feeds_each_sample_in_its_window)
{
    const char *path = fixture();
    record r = run("{'kind': 'rate', 'dataset': {'kind': 'idx', 'images': '%s'}, 'samples': 3, 'first_sample': 1,"
                   "'sample_time': 6, 'gap': 4, 'dt': 1}", path, 4, 40.0);
    static sq_spike in[1000];
    size_t m = inputs(&r, in, 1000);
    /* Expected: sample 1 + k in [10 k, 10 k + 6), pixel x fires at steps where floor passes. */
    size_t want = 0;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 4; i++) {
            float v = 0.0f, x = pixel(k + 1, i);
            for (int step = 0; step < 6; step++) {
                v += x;
                if (v < 1.0f)
                    continue;
                v -= 1.0f;
                int found = 0;
                for (size_t j = 0; j < m && !found; j++)
                    found = in[j].id == (uint32_t)i && in[j].t == 10.0 * k + step;
                ck_assert_msg(found, "sample %d pixel %d step %d", k + 1, i, step);
                want++;
            }
        }
    ck_assert_uint_eq(m, want);
    free(r.s);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(latency_and_rank_order_encoders_from_config_give_their_exact_times)
{
    const char *path = fixture();
    record lin = run("{'kind': 'latency', 'dataset': {'kind': 'idx', 'images': '%s'}, 'sample_time': 10, 't_max': 8}",
                     path, 4, 20.0);
    record lg = run("{'kind': 'latency_log', 'dataset': {'kind': 'idx', 'images': '%s'}, 'sample_time': 10, 'dt': 2}",
                    path, 4, 20.0);
    record rank = run("{'kind': 'rank_order', 'dataset': {'kind': 'idx', 'images': '%s'}, 'sample_time': 10,"
                      "'dt': 0.5}", path, 4, 20.0);
    sq_spike a[8], b[8], c[8];
    ck_assert_uint_eq(inputs(&lin, a, 8), 3); /* sample 0: pixel 0 is dark */
    ck_assert_uint_eq(inputs(&lg, b, 8), 3);
    ck_assert_uint_eq(inputs(&rank, c, 8), 3);
    double s = 8.0 / 2.0; /* log: t_max = sample_time - dt = 8, steepness t_max / dt = 4 */
    for (int k = 0; k < 3; k++) {
        /* Brightest first: pixel 3 (1), 2 (2/3), 1 (1/3). */
        uint32_t i = 3 - (uint32_t)k;
        float x = pixel(0, (int)i);
        ck_assert_uint_eq(a[k].id, i);
        ck_assert_double_eq_tol(a[k].t, 8.0 * (1.0 - x), 1e-12);
        ck_assert_uint_eq(b[k].id, i);
        ck_assert_double_eq_tol(b[k].t, 8.0 * (1.0 - log1p(expm1(s) * x) / s), 1e-12);
        ck_assert_uint_eq(c[k].id, i);
        ck_assert_double_eq_tol(c[k].t, 0.5 * k, 1e-12);
    }
    free(lin.s);
    free(lg.s);
    free(rank.s);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(encoder_that_fires_nothing_gives_an_empty_source)
{
    const char *path = fixture();
    record r = run("{'kind': 'latency', 'threshold': 2, 'dataset': {'kind': 'idx', 'images': '%s'}, 'samples': 4}",
                   path, 4, 500.0);
    ck_assert_uint_eq(r.n, 0);
    free(r.s);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(poisson_encoder_from_config_is_seeded_and_near_its_rate)
{
    const char *path = fixture();
    const char *enc = "{'kind': 'poisson', 'max_rate': 200, 'dataset': {'kind': 'idx', 'images': '%s'},"
                      "'samples': 4, 'sample_time': 250}";
    record a = run_echo(enc, path, 4, 1000.0, 0), b = run_echo(enc, path, 4, 1000.0, 0);
    ck_assert_uint_eq(a.n, b.n);
    for (size_t k = 0; k < a.n; k++)
        ck_assert(a.s[k].t == b.s[k].t && a.s[k].id == b.s[k].id && a.s[k].pop == b.s[k].pop);
    /* Over the 4 samples every pixel value appears once per neuron: mean (0 + 1/3 + 2/3 + 1) / 4 = 1/2,
     * so 4 neurons x 200 Hz x 1/2 x 1 s = 400 spikes expected; 5 standard errors = 100. */
    size_t n_in = 0;
    for (size_t k = 0; k < a.n; k++)
        n_in += a.s[k].pop == 0;
    ck_assert_double_eq_tol((double)n_in, 400.0, 5.0 * sqrt(400.0));
    free(a.s);
    free(b.s);
    sq_tmp_cleanup();
}
END_TEST

START_TEST(fashion_mnist_from_the_debian_package_feeds_its_first_images)
{
    sq_idx_images im;
    ck_assert_int_eq(sq_idx_read_images(FMNIST, &im, NULL), 0);
    record r = run("{'kind': 'rate', 'dataset': {'kind': 'fashion-mnist', 'split': 'train'}, 'samples': 2,"
                   "'sample_time': 20}%s", "", 784, 41.0);
    size_t count[2] = {0}, want[2] = {0};
    for (size_t k = 0; k < r.n; k++)
        if (r.s[k].pop == 0)
            count[r.s[k].t >= 20.0]++;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < 784; i++) {
            float v = 0.0f, x = (float)im.pixels[s * 784 + i] / 255.0f;
            for (int n = 0; n < 20; n++)
                if ((v += x) >= 1.0f) {
                    v -= 1.0f;
                    want[s]++;
                }
        }
    ck_assert_uint_gt(want[0], 1000);
    ck_assert_uint_eq(count[0], want[0]);
    ck_assert_uint_eq(count[1], want[1]);
    sq_idx_images_free(&im);
    free(r.s);
}
END_TEST

static void fails(const char *encoder, const char *path, uint32_t n, int code, const char *msg);

static int by_time_then_id(const void *a, const void *b)
{
    const sq_spike *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* An emulated dataset (two classes, one recording each of a bright block) written with the AEDAT
 * writer into the CIFAR10-DVS layout, read back by the "dvs" encoder through the folder listing
 * and the AEDAT reader: every event becomes exactly one spike of neuron p*H*W + y*W + x. */
START_TEST(dvs_encoders_replay_and_frame_an_emulated_dataset_read_through_the_folder_layout)
{
    char root[512], dir[600], file[700];
    sq_tmp_path(root, sizeof root, "dvs");
    ck_assert_int_eq(mkdir(root, 0777), 0);
    sq_saccade_params sp;
    sq_saccade_params_default(&sp);
    sq_saccade *sc = NULL;
    ck_assert_int_eq(sq_saccade_create(&sp, 28, 28, &sc, NULL), 0);
    static sq_dvs_stream rec[2];
    const char *classes[] = {"a", "b"};
    for (int k = 0; k < 2; k++) {
        uint8_t img[28 * 28] = {0};
        for (int v = 4 + 10 * k; v < 10 + 10 * k; v++)
            for (int u = 8; u < 14; u++)
                img[v * 28 + u] = 200;
        ck_assert_int_eq(sq_saccade_record(sc, img, &rec[k], NULL), 0);
        snprintf(dir, sizeof dir, "%s/%s", root, classes[k]);
        ck_assert_int_eq(mkdir(dir, 0777), 0);
        ck_assert_int_eq(sq_dvs_dataset_sample_path(file, sizeof file, root, "emu", classes[k], 0), 0);
        ck_assert_int_eq(sq_aedat_write(file, &rec[k], NULL), 0);
    }
    sq_saccade_destroy(sc);
    record r = run_echo("{'kind': 'dvs', 'dataset': {'kind': 'dvs', 'root': '%s'}, 'samples': 2, 'sample_time': 300}",
                        root, 2 * 128 * 128, 600.0, 0);
    size_t total = rec[0].n + rec[1].n, m = 0;
    sq_spike *want = malloc(total * sizeof *want);
    for (int k = 0; k < 2; k++)
        for (size_t j = 0; j < rec[k].n; j++) {
            const sq_dvs_event *e = &rec[k].ev[j];
            want[m++] = (sq_spike){300.0 * k + (double)(e->t - rec[k].ev[0].t) / 1000.0, 0,
                                   (uint32_t)e->p * 128 * 128 + (uint32_t)e->y * 128 + e->x};
        }
    qsort(want, total, sizeof *want, by_time_then_id);
    ck_assert_uint_gt(total, 1000);
    m = 0;
    for (size_t k = 0; k < r.n; k++) {
        if (r.s[k].pop != 0)
            continue;
        ck_assert_uint_lt(m, total);
        ck_assert_uint_eq(r.s[k].id, want[m].id);
        ck_assert_double_eq_tol(r.s[k].t, want[m].t, 1e-9);
        m++;
    }
    ck_assert_uint_eq(m, total);
    free(want);
    free(r.s);
    /* The same dataset as 4 binary frames of 64 x 64, 2 ms apart: the spikes are the distinct
     * (frame, neuron) pairs, frame = min(j / (N / 4), 3) for event j (split by number). */
    r = run_echo("{'kind': 'dvs_frames', 'T': 4, 'dt': 2, 'size': 64, 'dataset': {'kind': 'dvs', 'root': '%s'},"
                 "'samples': 2, 'sample_time': 300}", root, 2 * 64 * 64, 600.0, 0);
    static unsigned char hit[2][4][2 * 64 * 64];
    memset(hit, 0, sizeof hit);
    size_t distinct = 0;
    for (int k = 0; k < 2; k++)
        for (size_t j = 0; j < rec[k].n; j++) {
            const sq_dvs_event *e = &rec[k].ev[j];
            size_t f = j / (rec[k].n / 4) < 3 ? j / (rec[k].n / 4) : 3;
            uint32_t id = (uint32_t)e->p * 4096 + (uint32_t)(e->y / 2) * 64 + e->x / 2;
            distinct += !hit[k][f][id];
            hit[k][f][id] = 1;
        }
    size_t got = 0;
    for (size_t k = 0; k < r.n; k++) {
        if (r.s[k].pop != 0)
            continue;
        int sample = r.s[k].t >= 300.0, f = (int)lround((r.s[k].t - 300.0 * sample) / 2.0);
        ck_assert(f >= 0 && f < 4 && hit[sample][f][r.s[k].id]);
        hit[sample][f][r.s[k].id] = 0; /* each pair once */
        got++;
    }
    ck_assert_uint_eq(got, distinct);
    free(r.s);
    fails("{'kind': 'dvs_frames', 'size': 200, 'dataset': {'kind': 'dvs', 'root': '%s'}}", root, 80000, SQ_ECONFIG,
          "net.json: populations[0].encoder.size: expected at most the sensor's 128 x 128, got 200");
    fails("{'kind': 'dvs_frames', 'T': 2.5, 'dataset': {'kind': 'dvs', 'root': '%s'}}", root, 32768, SQ_ECONFIG,
          "net.json: populations[0].encoder.T: expected an integer from 1 to 1e5, got 2.5");
    fails("{'kind': 'dvs', 'dataset': {'kind': 'dvs', 'root': '%s'}}", root, 784, SQ_ECONFIG,
          "net.json: populations[0].encoder: expected a population of 32768 neurons, one per (polarity, pixel) of a "
          "sample, got n = 784");
    sq_dvs_stream_free(&rec[0]);
    sq_dvs_stream_free(&rec[1]);
    sq_tmp_cleanup();
}
END_TEST

/* Parses the network around `encoder` and checks the failure's code and exact message. */
static void fails(const char *encoder, const char *path, uint32_t n, int code, const char *msg)
{
    char *text = network(encoder, path, n);
    sq_config *cfg = NULL;
    sq_err err = {0};
    int rc = sq_config_parse(text, "net.json", NULL, 0, &cfg, &err);
    free(text);
    ck_assert_int_eq(rc, code);
    ck_assert_str_eq(err.msg, msg);
    ck_assert_ptr_null(cfg);
}

START_TEST(encoder_errors_name_the_file_field_expectation_and_value)
{
    const char *p = fixture();
    fails("{'kind': 'morse', 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.kind: expected one of poisson, rate, latency, latency_log, rank_order, "
          "dvs, dvs_frames, got \"morse\"");
    fails("{'kind': 'poisson', 'max_rat': 5, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.max_rat: unknown field (expected one of: kind, dataset, samples, "
          "first_sample, order, sample_time, gap, max_spikes, max_rate)");
    fails("{'kind': 'rate', 'order': 'random', 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.order: expected dataset or shuffle, got \"random\"");
    fails("{'kind': 'poisson', 'max_rate': -5, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.max_rate: expected a non-negative number in Hz, got -5");
    fails("{'kind': 'latency', 'threshold': 'x', 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.threshold: expected a number, got \"x\"");
    fails("{'kind': 'latency', 't_max': 200, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.t_max: expected a latency in (0, sample_time = 100) ms, got 200");
    fails("{'kind': 'dvs', 'truncate': 1, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.truncate: expected true or false, got 1");
    fails("{'kind': 'rate', 'dt': 200, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.dt: expected 1 to 1e7 steps in sample_time 100 ms, got 0 (dt = 200 ms)");
    fails("{'kind': 'rate', 'sample_time': 0, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.sample_time: expected a positive number in ms, got 0");
    fails("{'kind': 'rate', 'samples': 0, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.samples: expected a positive integer, got 0");
    fails("{'kind': 'rate'}%s", "", 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.dataset: expected a dataset object {\"kind\": ...}, got nothing");
    fails("{'kind': 'rate', 'dataset': {'kind': 'png'}}%s", "", 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.dataset.kind: expected one of idx, fashion-mnist, dvs, got \"png\"");
    fails("{'kind': 'rate', 'dataset': {'kind': 'idx'}}%s", "", 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.dataset.images: expected a non-empty string (a path), got nothing");
    fails("{'kind': 'rate', 'dataset': {'kind': 'fashion-mnist', 'split': 'val'}}%s", "", 784, SQ_ECONFIG,
          "net.json: populations[0].encoder.dataset.split: expected one of train, test, got \"val\"");
    fails("{'kind': 'rate', 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 5, SQ_ECONFIG,
          "net.json: populations[0].encoder: expected a population of 4 neurons, one per pixel of a sample, got n = 5");
    fails("{'kind': 'rate', 'samples': 5, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4, SQ_ECONFIG,
          "net.json: populations[0].encoder.samples: expected at most the 4 samples from first_sample = 0 of the "
          "dataset, got 5");
    fails("{'kind': 'poisson', 'max_rate': 1e7, 'samples': 4, 'dataset': {'kind': 'idx', 'images': '%s'}}", p, 4,
          SQ_ERANGE, "net.json: populations[0].encoder: expected at most max_spikes = 10000000 spikes, got up to "
          "1.6e+07 (4 samples of 4 neurons)");
    fails("{'kind': 'rate', 'dataset': {'kind': 'idx', 'images': '/nonexistent/img.idx'}}%s", "", 4, SQ_EIO,
          "/nonexistent/img.idx: cannot open: No such file or directory");
    sq_tmp_cleanup();
}
END_TEST

START_TEST(encoder_is_only_for_spike_sources_and_excludes_spike_times)
{
    const char *a = "{'populations': [{'name': 'x', 'model': 'lif_delta', 'n': 1, 'encoder': {}}]}";
    const char *b = "{'populations': [{'name': 'x', 'model': 'spike_source', 'n': 1, 'spike_times': [[1]],"
                    "'encoder': {}}]}";
    const char *texts[] = {a, b};
    const char *msgs[] = {"net.json: populations[0].encoder: not allowed for model lif_delta (only for spike_source)",
                          "net.json: populations[0].encoder: expected either spike_times or an encoder, got both"};
    for (int i = 0; i < 2; i++) {
        char *t = strdup(texts[i]);
        for (char *q = t; *q; q++)
            if (*q == '\'')
                *q = '"';
        sq_config *cfg = NULL;
        sq_err err = {0};
        ck_assert_int_eq(sq_config_parse(t, "net.json", NULL, 0, &cfg, &err), SQ_ECONFIG);
        ck_assert_str_eq(err.msg, msgs[i]);
        free(t);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_encoder");
    TCase *tc = tcase_create("config_encoder");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, rate_encoder_from_config_feeds_each_sample_in_its_window);
    tcase_add_test(tc, latency_and_rank_order_encoders_from_config_give_their_exact_times);
    tcase_add_test(tc, encoder_that_fires_nothing_gives_an_empty_source);
    tcase_add_test(tc, poisson_encoder_from_config_is_seeded_and_near_its_rate);
    tcase_add_test(tc, fashion_mnist_from_the_debian_package_feeds_its_first_images);
    tcase_add_test(tc, dvs_encoders_replay_and_frame_an_emulated_dataset_read_through_the_folder_layout);
    tcase_add_test(tc, encoder_errors_name_the_file_field_expectation_and_value);
    tcase_add_test(tc, encoder_is_only_for_spike_sources_and_excludes_spike_times);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
