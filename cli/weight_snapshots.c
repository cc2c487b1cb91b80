/* cli/weight_snapshots.c: the weight snapshots of `spikeq run`. The run is cut into pieces at the
 * snapshot times (sq_sim_run to each; a piece boundary changes no spike), and after each piece the
 * due projections' weights are read (sim/weights.h, exact: every post spike before the time is in
 * them) and kept in memory; the loop thread writes them into the output file before closing it
 * (io/weights_writer.c), so an interrupted run still gets every snapshot taken. */
#include "weight_snapshots.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../io/weights_writer.h"
#include "../neurons/model.h"
#include "../sim/weights.h"

typedef struct {
    const char *name, *source, *target, *units;
    sq_weights syn;       /* connectivity, from the first read */
    double *due;          /* planned times */
    size_t n_due, next;
    double *times;        /* taken */
    float *rows;          /* n_taken rows of syn.n */
    size_t n_taken;
} series;

struct sq_cli_snapshots {
    series *s;
    size_t n;
};

static const sq_proj_spec *find_proj(const sq_net_spec *net, const char *name)
{
    for (size_t i = 0; i < net->n_projs; i++) {
        char own[512];
        if (strcmp(sq_proj_spec_name(&net->projs[i], own, sizeof own), name) == 0)
            return &net->projs[i];
    }
    return NULL;
}

static const char *unit_of(const sq_net_spec *net, const char *pop)
{
    for (size_t i = 0; i < net->n_pops; i++)
        if (strcmp(net->pops[i].name, pop) == 0) {
            const sq_neuron_model *m = sq_neuron_model_find(net->pops[i].model);
            return m ? m->weight_unit : "1";
        }
    return "1";
}

static int plan(series *s, const sq_weights_spec *w, double t_stop)
{
    size_t n = w->times ? w->n_times : (size_t)floor(t_stop / w->interval + 1e-9) + 1;
    s->due = malloc((n + 1) * sizeof *s->due);
    if (!s->due)
        return SQ_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        double t = w->times ? w->times[k] : (double)k * w->interval;
        if (t <= t_stop)
            s->due[s->n_due++] = t;
    }
    return 0;
}

int sq_cli_snapshots_create(sq_sim *sim, const sq_net_spec *net, const sq_run_spec *run, double t_stop,
                            sq_cli_snapshots **out, sq_err *err)
{
    *out = NULL;
    if (run->n_weights == 0)
        return 0;
    sq_cli_snapshots *c = calloc(1, sizeof *c);
    if (!c || !(c->s = calloc(run->n_weights, sizeof *c->s))) {
        free(c);
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    }
    c->n = run->n_weights;
    for (size_t i = 0; i < c->n; i++) {
        series *s = &c->s[i];
        const sq_proj_spec *p = find_proj(net, run->weights[i].projection);
        s->name = run->weights[i].projection;
        s->source = p ? p->source : "";
        s->target = p ? p->target : "";
        s->units = p ? unit_of(net, p->target) : "1";
        int rc = sq_sim_get_weights(sim, s->name, &s->syn, err);
        if (rc == 0 && plan(s, &run->weights[i], t_stop) < 0)
            rc = sq_fail(err, SQ_ENOMEM, "out of memory");
        if (rc < 0) {
            sq_cli_snapshots_destroy(c);
            return rc;
        }
    }
    *out = c;
    return 0;
}

double sq_cli_snapshots_next(const sq_cli_snapshots *c)
{
    double t = INFINITY;
    for (size_t i = 0; c && i < c->n; i++)
        if (c->s[i].next < c->s[i].n_due && c->s[i].due[c->s[i].next] < t)
            t = c->s[i].due[c->s[i].next];
    return t;
}

static int take(series *s, sq_sim *sim, sq_err *err)
{
    sq_weights now;
    int rc = sq_sim_get_weights(sim, s->name, &now, err);
    if (rc < 0)
        return rc;
    double *t = realloc(s->times, (s->n_taken + 1) * sizeof *t);
    if (t)
        s->times = t;
    float *rows = t ? realloc(s->rows, (s->n_taken + 1) * (s->syn.n + 1) * sizeof *rows) : NULL;
    if (!rows) {
        sq_weights_free(&now);
        return sq_fail(err, SQ_ENOMEM, "out of memory for the weight snapshots of %s", s->name);
    }
    s->rows = rows;
    memcpy(rows + s->n_taken * s->syn.n, now.weight, s->syn.n * sizeof *rows);
    s->times[s->n_taken++] = sq_sim_time(sim);
    s->next++;
    sq_weights_free(&now);
    return 0;
}

int sq_cli_snapshots_take(sq_cli_snapshots *c, sq_sim *sim, sq_err *err)
{
    for (size_t i = 0; c && i < c->n; i++) {
        series *s = &c->s[i];
        if (s->next < s->n_due && s->due[s->next] <= sq_sim_time(sim)) {
            int rc = take(s, sim, err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

int sq_cli_snapshots_write(const sq_cli_snapshots *c, sq_spike_writer *w, sq_err *err)
{
    for (size_t i = 0; c && i < c->n; i++) {
        const series *s = &c->s[i];
        sq_weight_series ws = {s->name, s->source, s->target, s->units, &s->syn, s->times, s->n_taken, s->rows};
        int rc = sq_spike_writer_put_weights(w, &ws, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

size_t sq_cli_snapshots_count(const sq_cli_snapshots *c)
{
    size_t n = 0;
    for (size_t i = 0; c && i < c->n; i++)
        n += c->s[i].n_taken;
    return n;
}

void sq_cli_snapshots_destroy(sq_cli_snapshots *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        sq_weights_free(&c->s[i].syn);
        free(c->s[i].due);
        free(c->s[i].times);
        free(c->s[i].rows);
    }
    free(c->s);
    free(c);
}
