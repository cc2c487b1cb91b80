/* layers/layer_config.h: reading a layer's JSON fields, with messages of the form
 * "<origin>: <where>.<key>: expected <what>, got <value>". Each reader takes the default used when
 * the key is absent; a present key of the wrong kind is an error. Tested in tests/test_layers.c. */
#ifndef SQ_LAYER_CONFIG_H
#define SQ_LAYER_CONFIG_H

#include <jansson.h>
#include <stdint.h>

#include "layer.h"

typedef enum { SQ_NUM_ANY, SQ_NUM_POSITIVE, SQ_NUM_NONNEGATIVE, SQ_NUM_UNIT_OPEN, SQ_NUM_UNIT_CLOSED } sq_num_range;

/* "<origin>: <where>.<key>: expected <expected>, got <obj[key]>"; returns SQ_ECONFIG. */
int sq__lcfg_fail(const sq_layer_cfg *c, const char *where, const char *key, const char *expected, const json_t *got);

/* obj's fields must be among keys[0..n) or "comment": an unknown field is
 * "<origin>: <where>.<field>: unknown field (expected one of: k1, k2, ...)". obj NULL: nothing to check. */
int sq__lcfg_keys(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *const *keys, size_t n);

/* An integer in [min, max]; required: absent is an error. */
int sq__lcfg_uint(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key, uint32_t min,
                  uint32_t max, int required, uint32_t def, uint32_t *out);
/* An integer or a pair [a, b] of integers in [min, max] (kernel, stride, padding: [h, w]). */
int sq__lcfg_pair(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key, uint32_t min,
                  uint32_t max, uint32_t def, uint32_t out[2]);
/* A finite number in the range (positive: > 0; unit_open: (0, 1); unit_closed: [0, 1]). */
int sq__lcfg_number(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key, sq_num_range range,
                    double def, double *out);
int sq__lcfg_bool(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key, int def, int *out);
/* One of choices[0..n) by name; *out is its index. */
int sq__lcfg_choice(const sq_layer_cfg *c, const json_t *obj, const char *where, const char *key,
                    const char *const *choices, int n, int def, int *out);

/* Weight initialisation of conv2d and linear ("init" object, layers/CONFIG.md). */
typedef enum { SQ_INIT_KAIMING_UNIFORM, SQ_INIT_XAVIER_UNIFORM, SQ_INIT_NORMAL } sq_init_kind;
typedef struct {
    sq_init_kind kind;
    double gain, std;
} sq_init_spec;
int sq__lcfg_init(const sq_layer_cfg *c, const json_t *obj, const char *where, sq_init_spec *out);
/* Fills a weight of fan_in / fan_out by the spec, and a bias (NULL: none). */
void sq__init_apply(const sq_init_spec *spec, sq_layer *l, size_t fan_in, size_t fan_out, uint64_t seed);

#endif
