/* step/run_state.c: a training run's position in its checkpoint (step/run_state.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../io/config_samples.h"
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

int sq_run_prepare(const sq_train_options *o, int config_threads, int *threads, char **out_dir, sq_err *err)
{
    const char *env = getenv("OMP_NUM_THREADS");
    *threads = o->threads > 0 ? o->threads : config_threads > 0 ? config_threads : env && atoi(env) > 0 ? atoi(env) : 1;
    *out_dir = NULL;
    if (!o->out_dir)
        return 0;
    if (!(*out_dir = strdup(o->out_dir)))
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    if (mkdir(*out_dir, 0777) != 0 && errno != EEXIST)
        return sq_fail(err, SQ_EIO, "%s: cannot create the output folder: %s", *out_dir, strerror(errno));
    return 0;
}

int sq_run_open_images(const json_t *config, const sq_train_options *o, int threads, uint32_t inputs,
                       uint32_t classes, const char *why, sq_sample_set **train, sq_sample_set **test, sq_err *err)
{
    const json_t *data = json_object_get(config, "data");
    sq_sample_set_params p;
    int rc = sq_config_sample_set(data, o->origin, &p, err);
    if (rc < 0)
        return rc;
    const json_t *T = json_object_get(data, "T");
    if (T && !(json_is_integer(T) && json_integer_value(T) == 1))
        return sq_fail(err, SQ_ECONFIG, "%s: data.T: expected 1 (%s), got %" JSON_INTEGER_FORMAT, o->origin, why,
                       json_is_integer(T) ? json_integer_value(T) : -1);
    p.T = 1;
    p.threads = threads;
    p.progress = o->on_cache;
    p.progress_user = o->user;
    if ((!o->eval_only && (rc = sq_sample_set_open(&p, "train", train, err)) < 0) ||
        (rc = sq_sample_set_open(&p, "test", test, err)) < 0)
        return rc;
    const sq_sample_set_info *info = sq_sample_set_info_get(*test);
    size_t n = (size_t)info->height * info->width * info->channels;
    if (n != inputs)
        return sq_fail(err, SQ_ECONFIG, "%s: network.sizes[0]: expected the data's %ux%ux%u = %zu inputs, got %u",
                       o->origin, info->height, info->width, info->channels, n, inputs);
    if (info->n_classes > classes)
        return sq_fail(err, SQ_ECONFIG, "%s: network.sizes: expected at least the data's %u classes in the last layer, "
                       "got %u", o->origin, info->n_classes, classes);
    return 0;
}
