/* step/train_config.c: the "training" object of a training config (step/train.h, layers/CONFIG.md). */
#include <string.h>

#include "../layers/layer_config.h"
#include "train.h"

static const char *const keys[] = {"epochs", "batch", "eval_batch", "drop_last", "loss", "optimizer",
                                   "schedule", "seed", "threads", "rule"};

int sq_train_spec_read(const json_t *training, const char *origin, sq_train_spec *out, sq_err *err)
{
    sq_layer_cfg c = {.origin = origin, .err = err};
    const char *where = "training";
    *out = (sq_train_spec){.epochs = 1, .batch = 16, .eval_batch = 64, .loss = SQ_LOSS_CROSS_ENTROPY, .seed = 1};
    if (training && !json_is_object(training))
        return sq__lcfg_fail(&c, "", "training", "an object", training);
    int rc = sq__lcfg_keys(&c, training, where, keys, SQ_COUNT(keys));
    if (rc < 0)
        return rc;
    static const char *const losses[] = {"cross_entropy", "mse"};
    uint32_t seed = 1, threads = 0;
    int loss;
    if ((rc = sq__lcfg_uint(&c, training, where, "epochs", 0, 1000000, 0, 1, &out->epochs)) < 0 ||
        (rc = sq__lcfg_uint(&c, training, where, "batch", 1, 1u << 16, 0, 16, &out->batch)) < 0 ||
        (rc = sq__lcfg_uint(&c, training, where, "eval_batch", 1, 1u << 16, 0, out->batch > 64 ? out->batch : 64,
                            &out->eval_batch)) < 0 ||
        (rc = sq__lcfg_bool(&c, training, where, "drop_last", 0, &out->drop_last)) < 0 ||
        (rc = sq__lcfg_choice(&c, training, where, "loss", losses, 2, 0, &loss)) < 0 ||
        (rc = sq__lcfg_uint(&c, training, where, "seed", 0, UINT32_MAX, 0, 1, &seed)) < 0 ||
        (rc = sq__lcfg_uint(&c, training, where, "threads", 0, 1024, 0, 0, &threads)) < 0)
        return rc;
    out->loss = (sq_loss_kind)loss;
    out->seed = seed;
    out->threads = (int)threads;
    if ((rc = sq_optim_spec_read(json_object_get(training, "optimizer"), origin, &out->optimizer, err)) < 0)
        return rc;
    return sq_schedule_read(json_object_get(training, "schedule"), origin, out->epochs, &out->schedule, err);
}
