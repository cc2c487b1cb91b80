/* io/sonata_writer.h: streams spikes (and sampled membrane potentials) into a SONATA spike report in
 * HDF5 without making the simulation wait on disk.
 *
 * Spec: the project spec shared/specs/data.md section 1.3 (normative file profile) and 1.4 (C recipe), after
 * the SONATA developer guide "Output file formats > Spike file" (AllenInstitute/sonata). Layout:
 *   /                         attrs magic (uint32 0x0A7A), version (uint32[2] {0, 1})
 *   /spikes                   attrs t_start, t_stop (float64, ms: the simulated interval; ours)
 *   /spikes/<pop>             attrs sorting (enum on uint8 {none=0, by_id=1, by_time=2}) = by_time,
 *                                   n_nodes (uint64, the population size; ours)
 *   /spikes/<pop>/timestamps  float64 [N], ms, attr units = "ms" (vlen UTF-8); chunked, extendible
 *   /spikes/<pop>/node_ids    uint64 [N], population-local ids; same chunking
 *   /report/<pop>/data        float32 [n_times x n_ids], mV, attr units = "mV"; chunked, extendible
 *   /report/<pop>/mapping/    node_ids (uint64 [n_ids]), time (float64 [start, stop, dt], ms),
 *                             index_pointers (uint64 [n_ids + 1]) and element_ids (uint32 [n_ids], 0)
 *                             so that SONATA compartment-report readers accept it.
 * Every population gets its group, even one that never fires (datasets of shape (0)).
 *
 * Threads (ARCHITECTURE.md, STYLE.md rule 14): every HDF5 call happens on the thread that runs the
 * libuv loop. The one producer thread (the simulation) calls push/push_samples/flush; they copy into
 * a buffer, and full buffers go to the loop thread through a mutex-protected list and uv_async_send.
 * Memory is bounded: when the buffers in flight reach max_queued_bytes, push blocks until the loop
 * thread has written some. So the loop must keep running (uv_run) while the producer pushes: a loop
 * thread that blocks waiting for the producer (e.g. pthread_join inside a callback) deadlocks.
 *
 * Tested in tests/test_sonata.c (h5py cross-check through tests/read_sonata.py). */
#ifndef SQ_SONATA_WRITER_H
#define SQ_SONATA_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "../sim/error.h"
#include "../sim/sim.h"

typedef struct sq_spike_writer sq_spike_writer;

/* Public value. All-zero fields except deflate_level mean the defaults; NULL options = all defaults.
 * Measured on the 2-core dev machine (1e7 spikes, 10 000 neurons at 10 Hz on a 0.1 ms grid, one
 * producer pushing 150-spike windows): deflate 4 (default) 2.0e6 spikes/s and 2.2 bytes/spike on
 * disk; deflate 1 2.7e6 spikes/s, 2.6 bytes/spike; off 1.4e7 spikes/s, 16.2 bytes/spike. */
typedef struct {
    size_t chunk;            /* elements per HDF5 chunk and spikes per hand-over buffer; 0 = 65536 */
    int deflate_level;       /* zlib level 0..9 (with the shuffle filter); 0 = off; default 4 */
    size_t max_queued_bytes; /* bound on buffer memory in flight before push blocks; 0 = 64 MiB */
} sq_spike_writer_options;

/* The defaults, as a value to start from. Thread: any. */
sq_spike_writer_options sq_spike_writer_options_default(void);

/* Creates the file at `path` now (truncating an existing one), so that an unwritable path fails
 * before any simulation, with SQ_EIO and "out/x.h5: cannot create the spike file: <reason>".
 * Writes the root attributes and one group per population: pop_names[i] (non-empty, no '/', unique)
 * with pop_sizes[i] neurons. Bad arguments give SQ_EINVAL. The arrays are borrowed for the call.
 * On success *out owns the open file and must be passed to sq_spike_writer_close(); on failure
 * *out is NULL and nothing is left open (a created file may remain on disk). Thread: loop. */
int sq_spike_writer_open(uv_loop_t *loop, const char *path, const char *const *pop_names,
                         const uint64_t *pop_sizes, size_t n_pops, const sq_spike_writer_options *opt,
                         sq_spike_writer **out, sq_err *err);

/* Adds a sampled membrane-potential report of population `pop_name` (any name, unique among
 * reports) for neurons node_ids[0..n_ids), sampled at t_start + k*dt (ms), k = 0, 1, ...
 * *out_report is the index to give sq_spike_writer_push_samples. node_ids is borrowed for the call.
 * Returns 0, SQ_EINVAL (bad argument) or SQ_EIO. Thread: loop, before the producer starts. */
int sq_spike_writer_add_report(sq_spike_writer *w, const char *pop_name, const uint64_t *node_ids,
                               size_t n_ids, double t_start, double dt, size_t *out_report, sq_err *err);

/* Appends n spikes, sorted by (t, pop, id) and later than those pushed before; s is borrowed for the
 * call. Never touches the disk; blocks only while max_queued_bytes of buffers are waiting for the
 * loop thread. A spike with an unknown pop or an id >= that population's size is dropped and makes
 * sq_spike_writer_close() fail; so does running out of memory. Spikes out of time order are kept,
 * and the population's `sorting` becomes none. Thread: the one producer thread. */
void sq_spike_writer_push(sq_spike_writer *w, const sq_spike *s, size_t n);

/* Appends one row of report `report`: values[0..n) in mV (n must equal that report's n_ids) at time
 * t (ms, must be t_start + k*dt for the k-th row). A wrong report, n or t makes close fail (the row
 * is dropped for a wrong report or n). Same queue and blocking rule as push. Thread: producer. */
void sq_spike_writer_push_samples(sq_spike_writer *w, size_t report, double t, const double *values,
                                  size_t n);

/* Hands the partly filled buffers to the loop thread now (e.g. at the end of a run segment), so
 * that they are on disk once the loop has run. Thread: producer. */
void sq_spike_writer_flush(sq_spike_writer *w);

/* Writes everything still queued or buffered, then t_start/t_stop (ms; after an interrupted run
 * pass the time actually reached, e.g. sq_sim_time()), then closes the file, and frees w in every
 * case (NULL is a no-op returning 0). Returns 0, or the first error seen since open: a failed
 * write, a dropped spike or row (SQ_EINVAL/SQ_ENOMEM) or the failed close (SQ_EIO). Whatever
 * was written before an error stays a valid file. The loop's async handle is released through
 * uv_close(), so run the loop once more before uv_loop_close(). Thread: loop, after the producer
 * has stopped and its last push is visible to this thread (joined or otherwise synchronised). */
int sq_spike_writer_close(sq_spike_writer *w, double t_start, double t_stop, sq_err *err);

/* Spikes and rows written to disk so far. Thread: loop. */
uint64_t sq_spike_writer_spikes_written(const sq_spike_writer *w);

#endif
