/* io/weights_writer.h: writes a projection's weight snapshots into the output file's /weights group
 * (layout in io/weights_writer.c). */
#ifndef SQ_WEIGHTS_WRITER_H
#define SQ_WEIGHTS_WRITER_H

#include "../sim/weights.h"
#include "sonata_writer.h"

/* Public value: the snapshots of one projection, all borrowed for the call. */
typedef struct {
    const char *projection, *source, *target, *units;
    const sq_weights *synapses;  /* connectivity (its weights are not used) */
    const double *times;         /* ms, n_times */
    size_t n_times;
    const float *weights;        /* n_times rows of synapses->n */
} sq_weight_series;

/* Writes /weights/<projection>. Returns 0 or SQ_EIO with the file and group named. Thread: loop,
 * before sq_spike_writer_close(w). */
int sq_spike_writer_put_weights(sq_spike_writer *w, const sq_weight_series *s, sq_err *err);

#endif
