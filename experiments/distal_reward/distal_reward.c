/* experiments/distal_reward/distal_reward.c: the distal reward experiment of Izhikevich 2007
 * ("Solving the distal reward problem through linkage of STDP and dopamine signaling", Cereb
 * Cortex 17:2443, Fig. 1; his daspnet.m), driving a network from a config (distal_reward.json).
 * One excitatory synapse n1 -> n2 starts at 0; every time n2 fires within 20 ms after n1, a
 * dopamine pulse of 0.5 is delivered 1-3 s later (1000 + ceil(2000 U) ms), while all the other
 * neurons keep firing and other pairs coincide too. The rewarded synapse grows to the bound s_max =
 * 4 while the bulk of the weights does not. The run is cut at every reward time (sq_sim_modulate
 * there) and at most every second, since a reward is never due sooner than 1 s after its cause;
 * where a run is cut changes no spike. Prints one line every --report seconds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/weights.h"

static const char usage[] =
    "usage: distal_reward CONFIG.json [--t-stop S] [--seed N] [--threads N] [--report S]\n"
    "Runs Izhikevich's (2007) distal reward experiment on the network of CONFIG.json (projection EE\n"
    "plastic by rstdp); prints every --report s (default 60): time, rewards, the rewarded synapse,\n"
    "and the distribution of the other excitatory weights.\n";

typedef struct {
    uint32_t n1, n2;
    double last_n1, last_n2;
    double *rewards; /* pending reward times, sorted */
    size_t n_rewards, cap;
    uint64_t n_scheduled, n_given;
    sq_rng rng;
    int oom;
} reward_ctl;

static void schedule(reward_ctl *r, double t)
{
    if (r->n_rewards == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        double *p = realloc(r->rewards, cap * sizeof *p);
        if (!p) {
            r->oom = 1;
            return;
        }
        r->rewards = p;
        r->cap = cap;
    }
    size_t k = r->n_rewards++;
    while (k > 0 && r->rewards[k - 1] > t) {
        r->rewards[k] = r->rewards[k - 1];
        k--;
    }
    r->rewards[k] = t;
    r->n_scheduled++;
}

/* daspnet: when n2 fires less than 20 ms after n1's last spike (and after it), reward later. */
static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    reward_ctl *r = ud;
    for (size_t i = 0; i < n; i++) {
        if (s[i].pop != 0)
            continue;
        if (s[i].id == r->n1)
            r->last_n1 = s[i].t;
        if (s[i].id == r->n2) {
            r->last_n2 = s[i].t;
            if (s[i].t - r->last_n1 < 20.0 && s[i].t > r->last_n1)
                schedule(r, round(s[i].t) + 1000.0 + ceil(2000.0 * sq_rng_uniform(&r->rng)));
        }
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* One report line: the rewarded synapse and the other EE weights (mean, 99th percentile, share at the bound). */
static int report(sq_sim *sim, const reward_ctl *r, double w_max, sq_err *err)
{
    sq_weights w;
    if (sq_sim_get_weights(sim, "EE", &w, err) < 0)
        return -1;
    float *rest = malloc((w.n + 1) * sizeof *rest), target = NAN;
    size_t m = 0, at_max = 0;
    double sum = 0;
    for (size_t i = 0; rest && i < w.n; i++) {
        if (w.source[i] == r->n1 && w.target[i] == r->n2) {
            target = w.weight[i];
            continue;
        }
        rest[m++] = w.weight[i];
        sum += w.weight[i];
        at_max += w.weight[i] >= 0.95 * w_max;
    }
    if (rest && m) {
        qsort(rest, m, sizeof *rest, cmp_float);
        printf("t %7.0f s  rewards %5llu  s(n1->n2) %.3f  others: mean %.3f, 99th pct %.3f, at >= 0.95 s_max %.4f %%\n",
               sq_sim_time(sim) / 1000.0, (unsigned long long)r->n_given, target, sum / m, rest[(size_t)(0.99 * m)],
               100.0 * at_max / m);
        fflush(stdout);
    }
    free(rest);
    sq_weights_free(&w);
    return 0;
}

/* Runs to t_stop in pieces, giving each reward at its time. */
static int run(sq_sim *sim, reward_ctl *r, double t_stop, double every, sq_err *err)
{
    double next_report = every;
    while (sq_sim_time(sim) < t_stop) {
        double t = sq_sim_time(sim), next = fmin(t_stop, fmin(t + 1000.0, next_report));
        if (r->n_rewards && r->rewards[0] < next)
            next = r->rewards[0];
        if (sq_sim_run(sim, next, err) < 0 || r->oom)
            return -1;
        size_t k = 0;
        while (k < r->n_rewards && r->rewards[k] <= next)
            k++;
        if (k && sq_sim_modulate(sim, NULL, 0.5 * (double)k, err) < 0)
            return -1;
        r->n_given += k;
        memmove(r->rewards, r->rewards + k, (r->n_rewards - k) * sizeof *r->rewards);
        r->n_rewards -= k;
        if (next >= next_report) {
            if (report(sim, r, 4.0, err) < 0)
                return -1;
            next_report += every;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    char sets[3][64];
    const char *set_ptrs[3];
    size_t n_sets = 0;
    double every = 60.0, t_stop_s = -1;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--t-stop") == 0)
            t_stop_s = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--report") == 0)
            every = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0 || strcmp(argv[i], "--threads") == 0)
            snprintf(sets[n_sets++], sizeof sets[0], "simulation.%s=%s", argv[i] + 2, argv[i + 1]);
        else {
            fprintf(stderr, "distal_reward: unknown option %s\n%s", argv[i], usage);
            return 2;
        }
    }
    for (size_t i = 0; i < n_sets; i++)
        set_ptrs[i] = sets[i];
    sq_config *cfg = NULL;
    sq_sim *sim = NULL;
    sq_err err = {0};
    reward_ctl r = {.n1 = 0, .last_n1 = -INFINITY, .last_n2 = -INFINITY};
    int status = 1;
    if (sq_config_load(argv[1], set_ptrs, n_sets, &cfg, &err) < 0)
        goto done;
    sq_net_spec net = *sq_config_net(cfg);
    if (net.threads == 0 && !getenv("OMP_NUM_THREADS"))
        net.threads = 1; /* as spikeq run: one thread unless asked */
    if (sq_sim_create(&net, &sim, &err) < 0)
        goto done;
    double t_stop = t_stop_s >= 0 ? t_stop_s * 1000.0 : sq_config_run(cfg)->t_stop;
    sq_rng_init(&r.rng, sq_config_run(cfg)->seed, sq_stream_id(SQ_STREAM_DEVICE, 0xffff, 0));
    /* n2: n1's first target in EE, as daspnet takes post(n1, 1); that synapse starts at 0. */
    sq_weights w;
    size_t n_set;
    if (sq_sim_get_weights(sim, "EE", &w, &err) < 0)
        goto done;
    r.n2 = w.n ? w.target[0] : 0;
    sq_weights_free(&w);
    if (sq_sim_set_weight(sim, "EE", r.n1, r.n2, 0.0f, &n_set, &err) < 0)
        goto done;
    printf("rewarded synapse: E %u -> E %u (%zu synapse%s, set to 0)\n", r.n1, r.n2, n_set, n_set == 1 ? "" : "s");
    sq_sim_observer obs = {on_spikes, NULL, &r};
    sq_sim_set_observer(sim, &obs);
    if (run(sim, &r, t_stop, every * 1000.0, &err) < 0)
        goto done;
    printf("rewards scheduled %llu, given %llu; spikes %llu\n", (unsigned long long)r.n_scheduled,
           (unsigned long long)r.n_given, (unsigned long long)sq_sim_spike_count(sim));
    status = 0;
done:
    if (status)
        fprintf(stderr, "distal_reward: %s\n", r.oom ? "out of memory" : err.msg);
    free(r.rewards);
    sq_sim_destroy(sim);
    sq_config_destroy(cfg);
    return status;
}
