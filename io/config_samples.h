/* io/config_samples.h: reads a training config's "data" object into the parameters of a sample set
 * (encoders/sample_set.h). Keys by source, with their defaults, are README.md "Sample sets"; every
 * key has a default (an absent or empty object is Fashion-MNIST images, direct-encoded, T = 10),
 * unknown keys are errors, and so is a key of another source. Messages read "<origin>: data.<key>:
 * expected ..., got ...". Tested in tests/test_sample_set.c. */
#ifndef SQ_CONFIG_SAMPLES_H
#define SQ_CONFIG_SAMPLES_H

#include <jansson.h>

#include "../encoders/sample_set.h"
#include "../sim/error.h"

/* Fills *p from data (NULL: all defaults), then checks it (sq_sample_set_params_check), so that a
 * wrong value is reported here. p->where becomes "<origin>: data", so errors of a later
 * sq_sample_set_open name the config too. Strings in *p are borrowed from data: keep the JSON tree
 * until the set is open. Returns 0 or SQ_ECONFIG. Thread: any. */
int sq_config_sample_set(const json_t *data, const char *origin, sq_sample_set_params *p, sq_err *err);

#endif
