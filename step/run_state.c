/* step/run_state.c: a training run's position in its checkpoint (step/run_state.h). */
#include <string.h>

#include "run_state.h"

typedef struct {
    const char *name;
    double v;
} attr;

enum { N_ATTRS = 8 };

static void to_attrs(const sq_run_state *s, uint64_t seed, attr a[N_ATTRS])
{
    attr v[N_ATTRS] = {{"epoch", s->epoch},
                       {"position", (double)s->position},
                       {"seed", (double)seed},
                       {"train_correct", (double)s->correct},
                       {"train_error_sum", s->error_sum},
                       {"train_seconds", s->train_seconds},
                       {"best_accuracy", s->best_accuracy},
                       {"best_epoch", s->best_epoch}};
    memcpy(a, v, sizeof v);
}

int sq_run_state_put(sq_tensor_file *f, const char *rule, uint64_t seed, const sq_run_state *s, sq_err *err)
{
    attr a[N_ATTRS];
    to_attrs(s, seed, a);
    int rc;
    if ((rc = sq_tensor_file_put_attr_str(f, "kind", "checkpoint", err)) < 0 ||
        (rc = sq_tensor_file_put_attr_str(f, "rule", rule, err)) < 0)
        return rc;
    for (int i = 0; i < N_ATTRS && rc == 0; i++)
        rc = sq_tensor_file_put_attr(f, a[i].name, a[i].v, err);
    return rc;
}

int sq_run_state_get(sq_tensor_file *f, const char *rule, uint64_t seed, size_t n_train, sq_run_state *out,
                     sq_err *err)
{
    const char *path = sq_tensor_file_path(f);
    char kind[32], got_rule[32];
    int rc;
    if ((rc = sq_tensor_file_get_attr_str(f, "kind", kind, sizeof kind, err)) < 0 ||
        (rc = sq_tensor_file_get_attr_str(f, "rule", got_rule, sizeof got_rule, err)) < 0)
        return rc;
    if (strcmp(kind, "checkpoint") != 0 || strcmp(got_rule, rule) != 0)
        return sq_fail(err, SQ_EFORMAT, "%s: attributes kind, rule: expected \"checkpoint\", \"%s\" (a checkpoint of "
                       "spikeq train with training.rule = \"%s\"), got \"%s\", \"%s\"", path, rule, rule, kind, got_rule);
    attr a[N_ATTRS];
    to_attrs(&(sq_run_state){0}, 0, a);
    for (int i = 0; i < N_ATTRS && rc == 0; i++)
        rc = sq_tensor_file_get_attr(f, a[i].name, &a[i].v, 0, err);
    if (rc < 0)
        return rc;
    if ((uint64_t)a[2].v != seed)
        return sq_fail(err, SQ_ECONFIG, "%s: attribute seed: expected the run's seed %llu, got %.0f (pass --seed %.0f to "
                       "continue that run)", path, (unsigned long long)seed, a[2].v, a[2].v);
    if (a[1].v > (double)n_train)
        return sq_fail(err, SQ_EFORMAT, "%s: attribute position: expected at most the %zu training samples, got %.0f",
                       path, n_train, a[1].v);
    *out = (sq_run_state){.epoch = (uint32_t)a[0].v, .position = (size_t)a[1].v, .correct = (size_t)a[3].v,
                          .error_sum = a[4].v, .train_seconds = a[5].v, .best_accuracy = a[6].v,
                          .best_epoch = (uint32_t)a[7].v};
    return 0;
}
