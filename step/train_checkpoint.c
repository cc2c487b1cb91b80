/* step/train_checkpoint.c: a training run's checkpoint: the weights file of step/net_file.h plus the
 * optimizer state (step/optim.h) and root attributes kind = "checkpoint", epoch (completed), batch
 * (batches done in the next epoch), seed, best_accuracy, best_epoch and the partial epoch's sums,
 * so that a resumed run continues exactly where the stopped one was. Written under a temporary
 * name and renamed (step/tensor_file.h): a stop during the write keeps the previous checkpoint.
 * Tested in tests/test_train_cli.py (resume gives the uninterrupted run's weights bit for bit). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_file.h"
#include "train_internal.h"

void sq__train_path(const sq_trainer *t, const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", t->out_dir ? t->out_dir : ".", name);
}

int sq__train_checkpoint_save(sq_trainer *t, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_create(path, &f, err);
    if (rc < 0)
        return rc;
    struct {
        const char *name;
        double v;
    } attrs[] = {{"epoch", t->epoch},           {"batch", (double)t->batch},
                 {"seed", (double)t->spec.seed}, {"best_accuracy", t->best_accuracy},
                 {"best_epoch", t->best_epoch},  {"train_loss_sum", t->loss_sum},
                 {"train_correct", (double)t->correct}, {"train_seen", (double)t->seen},
                 {"train_seconds", t->train_seconds}};
    if ((rc = sq_net_write_params(t->net, f, err)) < 0 || (rc = sq_optim_write(t->opt, f, err)) < 0 ||
        (rc = sq_tensor_file_put_attr_str(f, "kind", "checkpoint", err)) < 0)
        goto fail;
    for (size_t i = 0; i < SQ_COUNT(attrs); i++)
        if ((rc = sq_tensor_file_put_attr(f, attrs[i].name, attrs[i].v, err)) < 0)
            goto fail;
    return sq_tensor_file_close(f, err);
fail:
    sq_tensor_file_abandon(f);
    return rc;
}

int sq__train_checkpoint_load(sq_trainer *t, const char *path, sq_err *err)
{
    sq_tensor_file *f;
    int rc = sq_tensor_file_open(path, &f, err);
    if (rc < 0)
        return rc;
    char kind[32];
    double epoch = 0, batch = 0, seed = 0, best = 0, best_epoch = 0, loss = 0, correct = 0, seen = 0, secs = 0;
    if ((rc = sq_tensor_file_get_attr_str(f, "kind", kind, sizeof kind, err)) < 0)
        goto done;
    if (strcmp(kind, "checkpoint") != 0) {
        rc = sq_fail(err, SQ_EFORMAT, "%s: attribute kind: expected \"checkpoint\" (a file written by spikeq train), got \"%s\"",
                     path, kind);
        goto done;
    }
    if ((rc = sq_tensor_file_get_attr(f, "epoch", &epoch, 0, err)) < 0 ||
        (rc = sq_tensor_file_get_attr(f, "batch", &batch, 0, err)) < 0 ||
        (rc = sq_tensor_file_get_attr(f, "seed", &seed, 0, err)) < 0 ||
        (rc = sq_tensor_file_get_attr(f, "best_accuracy", &best, 1, err)) < 0 ||
        (rc = sq_tensor_file_get_attr(f, "best_epoch", &best_epoch, 1, err)) < 0 ||
        (rc = sq_tensor_file_get_attr(f, "train_loss_sum", &loss, 1, err)) < 0 ||
        (rc = sq_tensor_file_get_attr(f, "train_correct", &correct, 1, err)) < 0 ||
        (rc = sq_tensor_file_get_attr(f, "train_seen", &seen, 1, err)) < 0 ||
        (rc = sq_tensor_file_get_attr(f, "train_seconds", &secs, 1, err)) < 0)
        goto done;
    if ((uint64_t)seed != t->spec.seed) {
        rc = sq_fail(err, SQ_ECONFIG, "%s: attribute seed: expected the run's seed %llu, got %.0f (pass --seed %.0f to continue "
                     "that run)", path, (unsigned long long)t->spec.seed, seed, seed);
        goto done;
    }
    if ((rc = sq_net_read_params(t->net, f, err)) < 0 || (rc = sq_optim_read(t->opt, f, err)) < 0)
        goto done;
    t->epoch = (uint32_t)epoch, t->batch = (size_t)batch;
    t->best_accuracy = best, t->best_epoch = (uint32_t)best_epoch;
    t->loss_sum = loss, t->correct = (size_t)correct, t->seen = (size_t)seen, t->train_seconds = secs;
done:
    sq_tensor_file_close(f, NULL);
    return rc;
}
