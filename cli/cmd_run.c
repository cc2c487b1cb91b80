/* cli/cmd_run.c: `spikeq run CONFIG.json ...`: loads the config, builds the network, runs it on a
 * worker thread while this thread runs the libuv loop (signals, progress, and the SONATA writer, so
 * that HDF5 calls stay on one thread and the simulation never waits on disk), then prints a summary.
 * SIGINT/SIGTERM stop the run at the next window; the file is still closed valid with every spike
 * up to the time reached. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "../io/config.h"
#include "../io/sonata_writer.h"
#include "../sim/sim.h"
#include "cli.h"
#include "burst_recording.h"
#include "weight_snapshots.h"

static const char run_usage[] =
    "usage: spikeq run CONFIG.json [--set path=value]... [--seed N] [--threads N] [--t-stop MS] [--out FILE.h5]\n"
    "\n"
    "Simulates the experiment described by CONFIG.json and writes its spikes to a SONATA spike\n"
    "report (HDF5). A progress line is shown on a terminal; a summary is printed at the end.\n"
    "Ctrl-C (SIGINT) or SIGTERM stops the run at the next synchronisation window; the output file\n"
    "then holds every spike up to that time, and the exit status is 130 (143 for SIGTERM).\n"
    "\n"
    "options:\n"
    "  --set path=value  override a config value, e.g. --set populations.E.params.tau_m=10,\n"
    "                    --set projections[0].weight=0.2 (value parsed as JSON, else a string)\n"
    "  --seed N          simulation.seed: the seed that fixes every random draw (default 1)\n"
    "  --threads N       simulation.threads (default: OMP_NUM_THREADS when set, else 1); the spikes\n"
    "                    are the same at any thread count\n"
    "  --t-stop MS       simulation.t_stop, simulated time in ms (default 1000)\n"
    "  --out FILE.h5     output.spikes_file (default spikes.h5)\n"
    "  -q, --quiet       no progress line\n"
    "  -h, --help        this help\n";

typedef struct {
    sq_sim *sim;
    sq_spike_writer *writer;
    double t_stop;
    int *pop_map;          /* sim population -> writer population, -1 when not recorded */
    int all_recorded;
    sq_spike *scratch;
    size_t scratch_cap;
    int scratch_oom;
    int rc;                /* of sq_sim_run */
    sq_err err;
    uv_thread_t thread;
    const sq_net_spec *net; /* what the simulation thread builds */
    uv_sem_t built, go;     /* the thread has built the network; the loop is ready for the run */
    int build_rc, go_ok;
    sq_err build_err;
    uv_async_t done;
    uv_signal_t sigint, sigterm;
    uv_timer_t progress;
    int signal;            /* the signal that stopped the run, or 0 */
    int quiet;
    uint64_t t0_ns;
    double wall_s;
    int close_rc;
    sq_err close_err;
    sq_cli_snapshots *snaps; /* output.weights, or NULL */
    sq_cli_bursts *bursts;   /* output.record_bursts, or NULL */
} run_ctx;


static void on_spikes(void *ud, const sq_spike *s, size_t n)
{
    run_ctx *c = ud;
    if (c->all_recorded && !c->bursts) {
        sq_spike_writer_push(c->writer, s, n);
        return;
    }
    if (2 * n > c->scratch_cap) {
        sq_spike *p = realloc(c->scratch, 2 * n * sizeof *p);
        if (!p) {
            c->scratch_oom = 1;
            return;
        }
        c->scratch = p;
        c->scratch_cap = 2 * n;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (c->pop_map[s[i].pop] >= 0) {
            c->scratch[m] = s[i];
            c->scratch[m++].pop = (uint32_t)c->pop_map[s[i].pop];
        }
    if (c->bursts) {
        /* The events and bursts populations come after the recorded ones: merge in (t, pop, id) order. */
        m += sq_cli_bursts_classify(c->bursts, s, n, c->scratch + m);
        qsort(c->scratch, m, sizeof *c->scratch, sq_spike_compare);
    }
    sq_spike_writer_push(c->writer, c->scratch, m);
}

static void on_samples(void *ud, size_t rec, double t, const double *v, size_t n)
{
    run_ctx *c = ud;
    sq_spike_writer_push_samples(c->writer, rec, t, v, n);
}

/* Builds and runs the network on one thread: OpenMP keeps a thread pool per thread that starts
 * parallel work, and a second pool (building on one thread, running on another) made libgomp throttle
 * its spinning and the threads of the run slower. The loop thread opens the writer in between. */
static void run_thread(void *arg)
{
    run_ctx *c = arg;
    c->build_rc = sq_sim_create(c->net, &c->sim, &c->build_err);
    uv_sem_post(&c->built);
    if (c->build_rc < 0)
        return;
    uv_sem_wait(&c->go);
    if (!c->go_ok)
        return;
    /* In pieces at the weight snapshots: where a run is cut changes no spike. */
    double next;
    c->rc = 0;
    while (c->rc == 0 && (next = sq_cli_snapshots_next(c->snaps)) <= c->t_stop)
        if ((c->rc = sq_sim_run(c->sim, next, &c->err)) == 0)
            c->rc = sq_cli_snapshots_take(c->snaps, c->sim, &c->err);
    if (c->rc == 0)
        c->rc = sq_sim_run(c->sim, c->t_stop, &c->err);
    sq_spike_writer_flush(c->writer);
    uv_async_send(&c->done);
}

static void on_signal(uv_signal_t *h, int signum)
{
    run_ctx *c = h->data;
    c->signal = signum;
    sq_sim_request_stop(c->sim);
}

static void on_progress(uv_timer_t *h)
{
    run_ctx *c = h->data;
    if (!c->quiet)
        sq_cli_progress(sq_sim_time(c->sim), c->t_stop, (double)(uv_hrtime() - c->t0_ns) * 1e-9,
                        (unsigned long long)sq_sim_spike_count(c->sim));
}

static void on_done(uv_async_t *h)
{
    run_ctx *c = h->data;
    uv_thread_join(&c->thread);
    c->wall_s = (double)(uv_hrtime() - c->t0_ns) * 1e-9;
    if (!c->quiet)
        sq_cli_progress_done();
    c->close_rc = sq_cli_snapshots_write(c->snaps, c->writer, &c->close_err);
    int rc = sq_spike_writer_close(c->writer, 0.0, sq_sim_time(c->sim), c->close_rc < 0 ? NULL : &c->close_err);
    c->close_rc = c->close_rc < 0 ? c->close_rc : rc;
    c->writer = NULL;
    uv_close((uv_handle_t *)&c->done, NULL);
    uv_close((uv_handle_t *)&c->sigint, NULL);
    uv_close((uv_handle_t *)&c->sigterm, NULL);
    uv_close((uv_handle_t *)&c->progress, NULL);
}

/* A "path=value" assignment; with quote, value becomes a JSON string whatever it looks like. */
static char *assignment(const char *path, const char *value, int quote)
{
    char *s = malloc(strlen(path) + 2 * strlen(value) + 4);
    if (!s)
        return NULL;
    char *q = s + sprintf(s, quote ? "%s=\"" : "%s=", path);
    for (const char *p = value; *p; p++) {
        if (quote && (*p == '"' || *p == '\\'))
            *q++ = '\\';
        *q++ = *p;
    }
    strcpy(q, quote ? "\"" : "");
    return s;
}

/* Turns the command line into --set assignments, in the order given. */
static int parse_args(int argc, char **argv, const char **config, char **sets, size_t *n_sets, int *quiet)
{
    static const struct { const char *flag, *path; } shorthands[] = {
        {"--seed", "simulation.seed"}, {"--threads", "simulation.threads"},
        {"--t-stop", "simulation.t_stop"}, {"--out", "output.spikes_file"}, {"--set", NULL}};
    *n_sets = 0;
    *config = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            *quiet = 1;
            continue;
        }
        size_t k = 0;
        while (k < sizeof shorthands / sizeof shorthands[0] && strcmp(a, shorthands[k].flag) != 0)
            k++;
        if (k < sizeof shorthands / sizeof shorthands[0]) {
            if (i + 1 >= argc) {
                fprintf(stderr, "spikeq run: %s: expected a value after it\n", a);
                return 2;
            }
            const char *v = argv[++i];
            sets[*n_sets] = shorthands[k].path ? assignment(shorthands[k].path, v, strcmp(a, "--out") == 0) : strdup(v);
            if (!sets[(*n_sets)++])
                return 1;
            continue;
        }
        if (a[0] == '-') {
            fprintf(stderr, "spikeq run: unknown option \"%s\" (see spikeq run --help)\n", a);
            return 2;
        }
        if (*config) {
            fprintf(stderr, "spikeq run: expected one config file, got \"%s\" and \"%s\"\n", *config, a);
            return 2;
        }
        *config = a;
    }
    if (!*config) {
        fputs(run_usage, stderr);
        return 2;
    }
    return 0;
}

static void print_summary(const run_ctx *c, const sq_run_spec *run, double build_s, const char *out_path)
{
    sq_sim_stats st;
    sq_sim_get_stats(c->sim, &st);
    double t_ms = sq_sim_time(c->sim);
    uint64_t spikes = sq_sim_spike_count(c->sim);
    printf("neurons: %llu\n", (unsigned long long)st.n_neurons);
    printf("synapses: %llu\n", (unsigned long long)st.n_synapses);
    printf("bytes/synapse: %.2f\n", st.n_synapses ? (double)st.synapse_bytes / (double)st.n_synapses : 0.0);
    if (st.n_plastic)
        printf("plastic synapses: %llu, %.2f bytes each (8 + %.2f of plasticity state)\n", (unsigned long long)st.n_plastic,
               8.0 + (double)st.plasticity_bytes / (double)st.n_plastic, (double)st.plasticity_bytes / (double)st.n_plastic);
    printf("delays: %g to %g ms (window %g ms, resolution %g ms)\n", st.min_delay, st.max_delay, st.min_delay,
           st.resolution);
    if (run->threads)
        printf("threads: %u (%d requested)\n", st.threads, run->threads);
    else
        printf("threads: %u\n", st.threads);
    printf("build time: %.3f s\n", build_s);
    printf("simulated time: %g ms\n", t_ms);
    printf("wall time (simulation): %.3f s\n", c->wall_s);
    printf("real-time factor: %.4g\n", t_ms > 0 ? c->wall_s / (t_ms * 1e-3) : 0.0);
    printf("synaptic events: %llu\n", (unsigned long long)st.n_events);
    printf("synaptic events/s: %.4g\n", c->wall_s > 0 ? (double)st.n_events / c->wall_s : 0.0);
    printf("spikes: %llu\n", (unsigned long long)spikes);
    for (size_t p = 0; p < sq_sim_population_count(c->sim); p++) {
        uint32_t n = sq_sim_population_size(c->sim, p);
        uint64_t k = sq_sim_population_spikes(c->sim, p);
        printf("population %s: %u neurons, %llu spikes, %.3f Hz%s\n", sq_sim_population_name(c->sim, p), n,
               (unsigned long long)k, t_ms > 0 ? (double)k / n / (t_ms * 1e-3) : 0.0,
               c->pop_map[p] >= 0 ? "" : " (not recorded)");
    }
    if (c->snaps)
        printf("weight snapshots: %zu (/weights in the output)\n", sq_cli_snapshots_count(c->snaps));
    printf("output: %s\n", out_path);
}

/* Fails early, before a long build, when the spike file cannot be created where asked. */
static int check_writable(const char *path, sq_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (access(path, F_OK) == 0 ? access(path, W_OK) != 0 : access(dir, W_OK) != 0)
        return sq_fail(err, SQ_EIO, "%s: cannot create the spike file: %s", path, strerror(errno));
    return 0;
}

/* Opens the spike file with a group per recorded population and a report per V_m recording. */
static int open_writer(run_ctx *c, uv_loop_t *loop, const sq_net_spec *net, const sq_run_spec *run, sq_err *err)
{
    size_t n_pops = sq_sim_population_count(c->sim), n_rec = 0, n_extra = 2 * run->n_record_bursts;
    const char **names = calloc(n_pops + n_extra, sizeof *names);
    uint64_t *sizes = calloc(n_pops + n_extra, sizeof *sizes);
    char **extra = calloc(n_extra + 1, sizeof *extra);
    c->pop_map = calloc(n_pops, sizeof *c->pop_map);
    if (!names || !sizes || !extra || !c->pop_map) {
        free(names);
        free(sizes);
        free(extra);
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    }
    for (size_t p = 0; p < n_pops; p++) {
        const char *name = sq_sim_population_name(c->sim, p);
        int recorded = run->record_spikes == NULL;
        for (size_t k = 0; k < run->n_record_spikes && !recorded; k++)
            recorded = strcmp(run->record_spikes[k], name) == 0;
        c->pop_map[p] = recorded ? (int)n_rec : -1;
        if (recorded) {
            names[n_rec] = name;
            sizes[n_rec++] = sq_sim_population_size(c->sim, p);
        }
    }
    c->all_recorded = n_rec == n_pops;
    int rc = sq_cli_bursts_create(c->sim, run, (uint32_t)n_rec, &c->bursts, err);
    size_t n_all = n_rec + (rc == 0 ? sq_cli_bursts_populations(c->bursts, c->sim, extra, sizes + n_rec) : 0);
    for (size_t k = n_rec; k < n_all; k++)
        if (!(names[k] = extra[k - n_rec]))
            rc = sq_fail(err, SQ_ENOMEM, "out of memory");
    if (rc == 0)
        rc = sq_spike_writer_open(loop, run->spikes_file, names, sizes, n_all, NULL, &c->writer, err);
    for (size_t k = 0; k < n_extra; k++)
        free(extra[k]);
    free(extra);
    free(names);
    free(sizes);
    for (size_t r = 0; rc == 0 && r < net->n_vm; r++) {
        const sq_vm_spec *v = &net->vm[r];
        size_t n = v->n_ids, report;
        for (size_t p = 0; p < n_pops && n == 0; p++)
            if (strcmp(sq_sim_population_name(c->sim, p), v->population) == 0)
                n = sq_sim_population_size(c->sim, p);
        uint64_t *ids = malloc(n * sizeof *ids);
        if (!ids)
            return sq_fail(err, SQ_ENOMEM, "out of memory");
        for (size_t k = 0; k < n; k++)
            ids[k] = v->n_ids ? v->ids[k] : k;
        char name[300];
        /* /report/<population>; a population recorded twice gets _<index> on its later reports. */
        int seen = 0;
        for (size_t q = 0; q < r; q++)
            seen |= strcmp(net->vm[q].population, v->population) == 0;
        snprintf(name, sizeof name, seen ? "%s_%zu" : "%s", v->population, r);
        rc = sq_spike_writer_add_report(c->writer, name, ids, n, 0.0, v->interval, &report, err);
        free(ids);
    }
    return rc;
}

int sq_cli_run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(run_usage, stdout);
            return 0;
        }
    const char *config_path;
    char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t n_sets = 0;
    run_ctx c = {0};
    sq_config *cfg = NULL;
    sq_err err = {0};
    uv_loop_t loop;
    int status = 1, loop_open = 0, sems = 0;
    if (!sets)
        return 1;
    int rc = parse_args(argc, argv, &config_path, sets, &n_sets, &c.quiet);
    if (rc) {
        status = rc;
        goto done;
    }
    if (sq_config_load(config_path, (const char *const *)sets, n_sets, &cfg, &err) < 0)
        goto fail;
    const sq_net_spec *net = sq_config_net(cfg);
    const sq_run_spec *run = sq_config_run(cfg);
    c.t_stop = run->t_stop;
    if (check_writable(run->spikes_file, &err) < 0)
        goto fail;
    if (!c.quiet)
        fprintf(stderr, "spikeq: building %s ...\n", config_path);
    uint64_t b0 = uv_hrtime();
    sq_net_spec net_run = *net;
    /* Not set in the config or by --threads: OMP_NUM_THREADS when the user set it, else one. */
    if (net_run.threads == 0 && !getenv("OMP_NUM_THREADS"))
        net_run.threads = 1;
    c.net = &net_run;
    if (uv_loop_init(&loop) != 0) {
        sq_fail(&err, SQ_EIO, "cannot start the event loop");
        goto fail;
    }
    loop_open = 1;
    if (uv_sem_init(&c.built, 0) != 0 || (sems = 1, uv_sem_init(&c.go, 0) != 0) ||
        (sems = 2, uv_thread_create(&c.thread, run_thread, &c) != 0)) {
        sq_fail(&err, SQ_ENOMEM, "cannot start the simulation thread");
        goto fail;
    }
    uv_sem_wait(&c.built);
    double build_s = (double)(uv_hrtime() - b0) * 1e-9;
    if (c.build_rc < 0) {
        uv_thread_join(&c.thread);
        err = c.build_err;
        goto fail;
    }
    if (sq_cli_snapshots_create(c.sim, net, run, c.t_stop, &c.snaps, &err) < 0 || open_writer(&c, &loop, net, run, &err) < 0) {
        uv_sem_post(&c.go); /* go_ok is 0: the thread returns without running */
        uv_thread_join(&c.thread);
        goto fail;
    }
    sq_sim_observer obs = {on_spikes, on_samples, &c};
    sq_sim_set_observer(c.sim, &obs);
    uv_async_init(&loop, &c.done, on_done);
    uv_signal_init(&loop, &c.sigint);
    uv_signal_init(&loop, &c.sigterm);
    uv_timer_init(&loop, &c.progress);
    c.done.data = c.sigint.data = c.sigterm.data = c.progress.data = &c;
    uv_signal_start(&c.sigint, on_signal, SIGINT);
    uv_signal_start(&c.sigterm, on_signal, SIGTERM);
    uv_timer_start(&c.progress, on_progress, 250, 250);
    c.t0_ns = uv_hrtime();
    c.go_ok = 1;
    uv_sem_post(&c.go);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (c.close_rc < 0)
        fprintf(stderr, "spikeq: %s\n", c.close_err.msg);
    if (c.rc == SQ_EINTR) {
        print_summary(&c, run, build_s, run->spikes_file);
        fprintf(stderr, "spikeq: interrupted by %s at t = %g ms of %g ms; %s holds every spike up to then\n",
                c.signal == SIGTERM ? "SIGTERM" : "SIGINT", sq_sim_time(c.sim), c.t_stop, run->spikes_file);
        status = c.signal == SIGTERM ? 143 : 130;
    } else if (c.rc < 0) {
        fprintf(stderr, "spikeq: %s\n", c.err.msg);
    } else if (c.scratch_oom) {
        fprintf(stderr, "spikeq: out of memory while recording spikes\n");
    } else {
        print_summary(&c, run, build_s, run->spikes_file);
        status = c.close_rc < 0 ? 1 : 0;
    }
    goto done;
fail:
    fprintf(stderr, "spikeq: %s\n", err.msg);
    if (c.writer) {
        sq_spike_writer_close(c.writer, 0.0, 0.0, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
    }
done:
    if (sems >= 1)
        uv_sem_destroy(&c.built);
    if (sems >= 2)
        uv_sem_destroy(&c.go);
    if (loop_open)
        uv_loop_close(&loop);
    sq_sim_destroy(c.sim);
    sq_config_destroy(cfg);
    for (size_t i = 0; i < n_sets; i++)
        free(sets[i]);
    free(sets);
    free(c.pop_map);
    free(c.scratch);
    sq_cli_snapshots_destroy(c.snaps);
    sq_cli_bursts_destroy(c.bursts);
    return status;
}
