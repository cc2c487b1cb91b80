/* step/schedule.h: learning-rate schedules per epoch, as PyTorch's lr_scheduler stepped once per
 * epoch: constant; multistep (epoch e uses lr * gamma^(number of milestones <= e), MultiStepLR);
 * cosine (lr_e = eta_min + (lr - eta_min) (1 + cos(pi e / t_max)) / 2, the closed form of
 * CosineAnnealingLR; Loshchilov & Hutter 2017). Tested in tests/test_net.c. */
#ifndef SQ_SCHEDULE_H
#define SQ_SCHEDULE_H

#include <jansson.h>
#include <stdint.h>

#include "../sim/error.h"

typedef enum { SQ_SCHEDULE_CONSTANT, SQ_SCHEDULE_MULTISTEP, SQ_SCHEDULE_COSINE } sq_schedule_kind;

#define SQ_SCHEDULE_MAX_MILESTONES 16

/* Public value: the "schedule" object of a training config. */
typedef struct {
    sq_schedule_kind kind;
    uint32_t milestones[SQ_SCHEDULE_MAX_MILESTONES];
    uint32_t n_milestones;
    double gamma, t_max, eta_min;
} sq_schedule;

/* Reads obj (training.schedule; NULL: constant). epochs is the default t_max. */
int sq_schedule_read(const json_t *obj, const char *origin, uint32_t epochs, sq_schedule *out, sq_err *err);
/* The learning rate of epoch e (0-based) for base rate lr. */
double sq_schedule_lr(const sq_schedule *s, double lr, uint32_t epoch);

#endif
