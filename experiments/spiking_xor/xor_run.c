/* experiments/spiking_xor/xor_run.c: runs the spiking XOR of Payeur, Guerguiev, Zenke, Richards &
 * Naud 2021 (Nat Neurosci 24:1010, Fig. 4; spec learning.md §2.1.5), reduced, on a config written
 * by make_config.py. The config holds the whole schedule (input currents per example, teaching input
 * in the learning phases); this driver adds what a config cannot: the learning gate. Each example
 * lasts DUREX ms: a prediction phase (learning off, sq_sim_modulate(-1)), then a learning phase of
 * LEARN ms (on, +1), as their sim_xor.cpp switches stdp_active. After N_TRAIN examples come 4 test
 * examples (00, 10, 01, 11) with learning off. For every example it prints one line: index, the two
 * inputs, the target, and the event rate (Hz, events per neuron, spec §2.1.1 classification) of
 * each population "in1 in2 hid1 hid2 out" over the last WINDOW ms of the prediction phase, after
 * "train" or "test". Example k is case k % 4: 00, 10, 01, 11 (their deterministic order). Before the
 * first example and after the last it prints the mean weight of every learned projection.
 *
 * --frozen keeps the gate closed throughout (the same schedule and teaching input, no learning): the
 * control that tells what learning changed.
 *
 * usage: xor_run [--frozen] CONFIG.json N_TRAIN DUREX LEARN WINDOW [WARMUP] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"
#include "neurons/bursts.h"
#include "sim/sim.h"
#include "sim/weights.h"

static const char *const pops[] = {"in1", "in2", "hid1", "hid2", "out"};
enum { N_POPS = 5 };

typedef struct {
    uint32_t index[N_POPS];           /* the simulation's population index of each */
    uint32_t size[N_POPS];
    sq_burst_detector *det[N_POPS];   /* one detector per neuron */
    uint64_t events[N_POPS];          /* events since the last reset */
} counter;

static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    counter *c = ud;
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < N_POPS; p++)
            if (s[i].pop == c->index[p] && sq_burst_classify(&c->det[p][s[i].id], s[i].t) == SQ_SPIKE_EVENT)
                c->events[p]++;
}

static int find_pops(sq_sim *sim, counter *c)
{
    for (int p = 0; p < N_POPS; p++) {
        size_t k = 0, n = sq_sim_population_count(sim);
        while (k < n && strcmp(sq_sim_population_name(sim, k), pops[p]) != 0)
            k++;
        if (k == n) {
            fprintf(stderr, "xor_run: the config has no population \"%s\"\n", pops[p]);
            return -1;
        }
        c->index[p] = (uint32_t)k;
        c->size[p] = sq_sim_population_size(sim, k);
        c->det[p] = malloc(c->size[p] * sizeof *c->det[p]);
        if (!c->det[p])
            return -1;
        for (uint32_t i = 0; i < c->size[p]; i++)
            sq_burst_init(&c->det[p][i], SQ_BURST_TAU_MS);
    }
    return 0;
}

/* Runs one example starting at t0: prediction with the counters reset WINDOW ms before its end,
 * then (learn > 0) the learning phase with the gate open. Prints the line. */
static int example(sq_sim *sim, counter *c, int k, double t0, const double ph[3], int frozen, sq_err *err)
{
    double durex = ph[0], learn = ph[1], window = ph[2];
    int rc = sq_sim_run(sim, t0 + durex - learn - window, err);
    memset(c->events, 0, sizeof c->events);
    if (rc == 0)
        rc = sq_sim_run(sim, t0 + durex - learn, err);
    int case_ = k % 4, a = case_ == 1 || case_ == 3, b = case_ == 2 || case_ == 3;
    printf("%s %d %d %d %d", learn > 0 ? "train" : "test", k, a, b, a != b);
    for (int p = 0; p < N_POPS; p++)
        printf(" %.3f", c->events[p] / (c->size[p] * window * 1e-3));
    printf("\n");
    fflush(stdout);
    if (rc == 0 && learn > 0) {
        double gate = frozen ? 0.0 : 1.0;
        rc = sq_sim_modulate(sim, NULL, gate, err);
        if (rc == 0)
            rc = sq_sim_run(sim, t0 + durex, err);
        if (rc == 0)
            rc = sq_sim_modulate(sim, NULL, -gate, err);
    }
    return rc;
}

static const char *const learned[] = {"in1_to_hid1", "in2_to_hid1", "in1_to_hid2", "in2_to_hid2", "hid1_to_out",
                                      "hid2_to_out"};

/* Prints the mean weight (nS) of every learned projection, one line each: "weights NAME MEAN". */
static int print_weights(sq_sim *sim, sq_err *err)
{
    for (size_t k = 0; k < sizeof learned / sizeof *learned; k++) {
        sq_weights w = {0};
        const char *name = learned[k];
        int rc = sq_sim_get_weights(sim, name, &w, err);
        if (rc < 0)
            return rc;
        double sum = 0.0;
        for (size_t i = 0; i < w.n; i++)
            sum += w.weight[i];
        printf("weights %s %.4f\n", name, w.n ? sum / (double)w.n : 0.0);
        sq_weights_free(&w);
    }
    return 0;
}

static int run(const char *path, int n_train, const double ph[3], double warmup, int frozen)
{
    sq_err err = {0};
    sq_config *cfg = NULL;
    sq_sim *sim = NULL;
    counter c = {0};
    int rc = sq_config_load(path, NULL, 0, &cfg, &err);
    if (rc == 0)
        rc = sq_sim_create(sq_config_net(cfg), &sim, &err);
    if (rc == 0 && (rc = find_pops(sim, &c)) == 0) {
        sq_sim_set_observer(sim, &(sq_sim_observer){.spikes = on_spikes, .ud = &c});
        rc = sq_sim_modulate(sim, NULL, -1.0, &err);   /* learning off outside the learning phases */
        if (rc == 0)
            rc = sq_sim_run(sim, warmup, &err);
        if (rc == 0)
            rc = print_weights(sim, &err);
        for (int k = 0; rc == 0 && k < n_train + 4; k++) {
            double test[3] = {ph[0] - ph[1], 0.0, ph[2]};   /* a test example: prediction only */
            double t0 = warmup + (k < n_train ? k * ph[0] : n_train * ph[0] + (k - n_train) * test[0]);
            rc = example(sim, &c, k < n_train ? k : k - n_train, t0, k < n_train ? ph : test, frozen, &err);
        }
    }
    if (rc == 0)
        rc = print_weights(sim, &err);
    if (rc < 0 && err.msg[0])
        fprintf(stderr, "xor_run: %s\n", err.msg);
    for (int p = 0; p < N_POPS; p++)
        free(c.det[p]);
    sq_sim_destroy(sim);
    sq_config_destroy(cfg);
    return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    int frozen = argc > 1 && strcmp(argv[1], "--frozen") == 0;
    argc -= frozen;
    argv += frozen;
    if (argc < 6 || argc > 7) {
        fprintf(stderr, "usage: xor_run [--frozen] CONFIG.json N_TRAIN DUREX LEARN WINDOW [WARMUP]\n");
        return 2;
    }
    int n_train = atoi(argv[2]);
    double ph[3] = {atof(argv[3]), atof(argv[4]), atof(argv[5])};
    double warmup = argc == 7 ? atof(argv[6]) : 0.0;
    if (n_train < 0 || !(ph[0] > 0) || ph[1] < 0 || !(ph[2] > 0) || ph[1] + ph[2] > ph[0] || warmup < 0) {
        fprintf(stderr, "xor_run: need N_TRAIN >= 0, DUREX > 0, LEARN >= 0, WINDOW > 0, LEARN + WINDOW <= DUREX\n");
        return 2;
    }
    return run(argv[1], n_train, ph, warmup, frozen);
}
