/* sim/weights.h: the learning side of a simulation's API: the synapses of a plastic projection (or
 * one with record_weights) read back out of it (what weight snapshots are made of), and the
 * modulatory signal that reward-modulated rules read. */
#ifndef SQ_WEIGHTS_H
#define SQ_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* Public value: n synapses sorted by (source, target, delay, weight); ids population-local. */
typedef struct {
    size_t n;
    uint32_t *source, *target;
    float *delay;   /* ms */
    float *weight;  /* the target model's weight unit */
} sq_weights;

/* The name a projection goes by (weight snapshots, sq_sim_get_weights, sq_sim_modulate): its
 * `name`, else "<source>_to_<target>", written to buf (cap bytes). Returns buf. Thread: any. */
const char *sq_proj_spec_name(const sq_proj_spec *p, char *buf, size_t cap);

/* Projections whose weights can be read: the plastic ones and those with record_weights, in spec
 * order, by name (sq_proj_spec.name, default "<source>_to_<target>"). Thread: any. */
size_t sq_sim_weight_projection_count(const sq_sim *sim);
const char *sq_sim_weight_projection_name(const sq_sim *sim, size_t k);

/* The synapses of `projection` now (at sq_sim_time()): every post spike before it applied. *out is
 * the caller's to free with sq_weights_free(). Returns 0, SQ_EINVAL (no such projection; the message
 * names it) or SQ_ENOMEM. Thread: not during sq_sim_run. */
int sq_sim_get_weights(sq_sim *sim, const char *projection, sq_weights *out, sq_err *err);

/* Sets the weight of every synapse source -> target (population-local ids) of `projection` to w;
 * *n_set receives how many there were (0 when the two are not connected). Returns 0 or SQ_EINVAL
 * (no such projection, ids out of range). Thread: not during sq_sim_run. */
int sq_sim_set_weight(sq_sim *sim, const char *projection, uint32_t source, uint32_t target, float w, size_t *n_set,
                      sq_err *err);

/* Adds `amount` to the modulatory signal (reward, dopamine) of `projection`'s rule, or of every
 * modulated rule when projection is NULL, at the current time sq_sim_time(): a driver runs to the
 * time of a reward and calls this. Returns 0, or SQ_EINVAL when no such rule is there (the message
 * names the projection) or amount is not finite. Thread: not during sq_sim_run. */
int sq_sim_modulate(sq_sim *sim, const char *projection, double amount, sq_err *err);

/* The end of a sample or trial at the current time, for `projection`'s rule or every rule that acts
 * on it (NULL): rstdp consolidates its eligibility then. Returns 0, or SQ_EINVAL when no such rule
 * is there. Thread: not during sq_sim_run. */
int sq_sim_end_sample(sq_sim *sim, const char *projection, sq_err *err);

/* Frees the arrays of w (not w). NULL is a no-op. */
void sq_weights_free(sq_weights *w);

#endif
