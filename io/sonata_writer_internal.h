/* io/sonata_writer_internal.h: the body of sq_spike_writer, shared by io/sonata_writer.c (queue,
 * threads, appending) and io/sonata_layout.c (file layout: open, reports, final attributes, free).
 * Internal; tested through tests/test_sonata.c. */
#ifndef SQ_SONATA_WRITER_INTERNAL_H
#define SQ_SONATA_WRITER_INTERNAL_H

#include <hdf5.h>
#include <pthread.h>

#include "sonata_writer.h"

#define SQ__WRITER_DEFAULT_CHUNK ((size_t)65536)
#define SQ__WRITER_DEFAULT_DEFLATE 4
#define SQ__WRITER_DEFAULT_QUEUE_BYTES ((size_t)64 << 20)

/* A hand-over buffer: n spikes (stream 0) or n rows of float samples (stream 1 + report). */
typedef struct sq__buffer {
    struct sq__buffer *next;
    size_t stream;
    size_t n;
    double data[]; /* sq_spike or float storage; double gives both their alignment */
} sq__buffer;

typedef struct {
    size_t item_bytes; /* one spike, or one row of samples */
    size_t cap;        /* items per buffer */
    size_t bytes;      /* allocation size of one buffer */
    sq__buffer *cur;   /* producer only: the buffer being filled */
    sq__buffer *free;  /* under mu */
    size_t n_alloc;    /* under mu */
} sq__stream;

typedef struct {
    char *name;
    uint64_t n_nodes;
    hid_t grp, ts, ids;
    uint64_t n;     /* loop: spikes written */
    double t_last;  /* loop: to detect spikes out of time order */
    int unsorted;   /* loop */
} sq__pop;

typedef struct {
    char *name;
    size_t n_ids;
    double t_start, dt;    /* ms */
    uint64_t rows_pushed;  /* producer */
    hid_t grp, data, time;
    uint64_t rows;         /* loop: rows written */
} sq__report;

struct sq_spike_writer {
    uv_async_t *async; /* allocated apart: uv_close frees it after w is gone */
    char *path;
    size_t chunk;
    int deflate;
    size_t max_bytes;
    hid_t file, spikes, report_grp;
    sq__pop *pops;
    size_t n_pops;
    sq__report *reports;
    size_t n_reports;
    sq__stream *streams;  /* [0] spikes, [1 + r] report r */
    double *scratch_t;    /* loop: one buffer split by population */
    uint64_t *scratch_id;
    size_t *offs;         /* n_pops + 1 */
    int write_failed;     /* loop: after a failed write nothing more is appended */
    uint64_t written;     /* loop */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    sq__buffer *head, *tail; /* under mu: buffers waiting for the loop thread */
    size_t alloc_bytes;      /* under mu */
    sq_err first;            /* under mu: the first error since open (code 0: none) */
};

/* Records the first error (later ones are dropped). Thread: any. */
void sq__writer_note(sq_spike_writer *w, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Creates the async handle on loop; last step of open. Returns 0 or a negative code. Thread: loop. */
int sq__writer_start(sq_spike_writer *w, uv_loop_t *loop);

/* Fixes up and writes the final attributes, closes every HDF5 object and the file; failures are
 * noted. Thread: loop. */
void sq__writer_finish_file(sq_spike_writer *w, double t_start, double t_stop);

/* Closes every HDF5 object but the file. Thread: loop. */
void sq__writer_free_objects(sq_spike_writer *w);

/* Frees w and everything it holds, closing HDF5 objects still open and the async handle (through
 * uv_close). NULL is a no-op. Thread: loop. */
void sq__writer_free(sq_spike_writer *w);

#endif
