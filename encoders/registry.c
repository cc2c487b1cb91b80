/* encoders/registry.c: the one table of input encoders; a new encoder is one file plus one line
 * here and one in meson.build. */
#include <string.h>

#include "encoder.h"

extern const sq_encoder sq_encoder_poisson;
extern const sq_encoder sq_encoder_rate;
extern const sq_encoder sq_encoder_latency;
extern const sq_encoder sq_encoder_latency_log;
extern const sq_encoder sq_encoder_rank_order;
extern const sq_encoder sq_encoder_dvs;
extern const sq_encoder sq_encoder_dvs_frames;

static const sq_encoder *const encoders[] = {&sq_encoder_poisson,     &sq_encoder_rate,
                                             &sq_encoder_latency,     &sq_encoder_latency_log,
                                             &sq_encoder_rank_order, &sq_encoder_dvs,
                                             &sq_encoder_dvs_frames};

const sq_encoder *sq_encoder_find(const char *name)
{
    for (size_t i = 0; i < SQ_COUNT(encoders); i++)
        if (strcmp(encoders[i]->name, name) == 0)
            return encoders[i];
    return NULL;
}

const sq_encoder *const *sq_encoders(size_t *n)
{
    *n = SQ_COUNT(encoders);
    return encoders;
}
