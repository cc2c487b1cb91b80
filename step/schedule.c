/* step/schedule.c: per-epoch learning-rate schedules (step/schedule.h). */
#include <math.h>
#include <string.h>

#include "../layers/layer_config.h"
#include "schedule.h"

int sq_schedule_read(const json_t *obj, const char *origin, uint32_t epochs, sq_schedule *out, sq_err *err)
{
    static const char *const kinds[] = {"constant", "multistep", "cosine"};
    sq_layer_cfg c = {.origin = origin, .err = err};
    const char *where = "training.schedule";
    *out = (sq_schedule){.kind = SQ_SCHEDULE_CONSTANT, .gamma = 0.1, .t_max = epochs};
    if (!obj)
        return 0;
    if (!json_is_object(obj))
        return sq__lcfg_fail(&c, "training", "schedule", "an object {\"type\": \"constant\"|\"multistep\"|\"cosine\", ...}", obj);
    static const char *const keys[] = {"type", "milestones", "gamma", "t_max", "eta_min"};
    int kind, rc = sq__lcfg_keys(&c, obj, where, keys, SQ_COUNT(keys));
    if (rc < 0)
        return rc;
    if ((rc = sq__lcfg_choice(&c, obj, where, "type", kinds, 3, 0, &kind)) < 0)
        return rc;
    out->kind = (sq_schedule_kind)kind;
    if ((rc = sq__lcfg_number(&c, obj, where, "gamma", SQ_NUM_POSITIVE, 0.1, &out->gamma)) < 0 ||
        (rc = sq__lcfg_number(&c, obj, where, "t_max", SQ_NUM_POSITIVE, epochs ? epochs : 1, &out->t_max)) < 0 ||
        (rc = sq__lcfg_number(&c, obj, where, "eta_min", SQ_NUM_NONNEGATIVE, 0, &out->eta_min)) < 0)
        return rc;
    const json_t *m = json_object_get(obj, "milestones");
    if (kind == SQ_SCHEDULE_MULTISTEP) {
        if (!json_is_array(m) || json_array_size(m) > SQ_SCHEDULE_MAX_MILESTONES)
            return sq__lcfg_fail(&c, where, "milestones", "a list of up to 16 increasing epochs", m);
        for (size_t i = 0; i < json_array_size(m); i++) {
            const json_t *e = json_array_get(m, i);
            if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > 1000000 ||
                (i > 0 && (uint32_t)json_integer_value(e) <= out->milestones[i - 1]))
                return sq__lcfg_fail(&c, where, "milestones", "a list of up to 16 increasing epochs", m);
            out->milestones[i] = (uint32_t)json_integer_value(e);
        }
        out->n_milestones = (uint32_t)json_array_size(m);
    }
    return 0;
}

double sq_schedule_lr(const sq_schedule *s, double lr, uint32_t epoch)
{
    switch (s->kind) {
    case SQ_SCHEDULE_MULTISTEP: {
        double r = lr;
        for (uint32_t i = 0; i < s->n_milestones; i++)
            if (s->milestones[i] <= epoch)
                r *= s->gamma;
        return r;
    }
    case SQ_SCHEDULE_COSINE:
        return s->eta_min + (lr - s->eta_min) * (1.0 + cos(M_PI * (double)epoch / s->t_max)) / 2.0;
    default:
        return lr;
    }
}
