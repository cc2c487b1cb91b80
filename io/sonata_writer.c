/* io/sonata_writer.c: SONATA spike report writer, fed by one producer thread through libuv.
 * Spec: the project spec shared/specs/data.md 1.3 (file profile) and 1.4 (C recipe); threading per
 * ARCHITECTURE.md ("HDF5 calls happen on one writer thread fed by libuv") and STYLE.md rule 14.
 * The producer copies spikes into fixed-size buffers; a full buffer goes onto a mutex-protected list
 * and uv_async_send wakes the loop thread, which splits it by population and appends to the chunked
 * datasets. Buffers are recycled through per-stream free lists, so after warm-up nothing allocates.
 * Tested in tests/test_sonata.c. */
#include "sonata_writer.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sonata_h5.h"
#include "sonata_writer_internal.h"

sq_spike_writer_options sq_spike_writer_options_default(void)
{
    sq_spike_writer_options o = {SQ__WRITER_DEFAULT_CHUNK, SQ__WRITER_DEFAULT_DEFLATE,
                                 SQ__WRITER_DEFAULT_QUEUE_BYTES};
    return o;
}

void sq__writer_note(sq_spike_writer *w, int code, const char *fmt, ...)
{
    pthread_mutex_lock(&w->mu);
    if (w->first.code == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->first.msg, sizeof w->first.msg, fmt, ap);
        va_end(ap);
        w->first.code = code;
    }
    pthread_mutex_unlock(&w->mu);
}

/* ---- producer side ------------------------------------------------------------------------- */

/* Takes a free buffer of stream si, allocating while the memory bound allows and waiting for the
 * loop thread otherwise. NULL (error noted) only when memory is exhausted with nothing in flight. */
static sq__buffer *obtain(sq_spike_writer *w, size_t si)
{
    sq__stream *s = &w->streams[si];
    sq__buffer *b = NULL;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        if (s->free) {
            b = s->free;
            s->free = b->next;
            break;
        }
        /* Two buffers per stream (one filling, one being written) are always allowed, whatever
         * the other streams hold: otherwise a report could wait forever for spike buffers that
         * go back to the spike free list, never to the shared budget. */
        if (s->n_alloc < 2 || w->alloc_bytes + s->bytes <= w->max_bytes) {
            b = malloc(s->bytes);
            if (b) {
                s->n_alloc++;
                w->alloc_bytes += s->bytes;
                break;
            }
            if (s->n_alloc == 0)
                break; /* nothing in flight that could come back */
        }
        pthread_cond_wait(&w->cv, &w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    if (!b) {
        sq__writer_note(w, SQ_ENOMEM, "%s: out of memory for a %zu-byte spike buffer; data dropped",
                        w->path, s->bytes);
        return NULL;
    }
    b->next = NULL;
    b->stream = si;
    b->n = 0;
    return b;
}

static void recycle(sq_spike_writer *w, sq__buffer *b)
{
    sq__stream *s = &w->streams[b->stream];
    pthread_mutex_lock(&w->mu);
    b->next = s->free;
    s->free = b;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void hand_over(sq_spike_writer *w, sq__stream *s)
{
    sq__buffer *b = s->cur;
    s->cur = NULL;
    if (!b)
        return;
    if (b->n == 0) {
        recycle(w, b);
        return;
    }
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = b;
    else
        w->head = b;
    w->tail = b;
    pthread_mutex_unlock(&w->mu);
    uv_async_send(w->async);
}

void sq_spike_writer_push(sq_spike_writer *w, const sq_spike *s, size_t n)
{
    sq__stream *st = &w->streams[0];
    while (n > 0) {
        if (!st->cur && !(st->cur = obtain(w, 0)))
            return;
        size_t k = st->cap - st->cur->n;
        if (k > n)
            k = n;
        memcpy((sq_spike *)st->cur->data + st->cur->n, s, k * sizeof *s);
        st->cur->n += k;
        s += k;
        n -= k;
        if (st->cur->n == st->cap)
            hand_over(w, st);
    }
}

void sq_spike_writer_push_samples(sq_spike_writer *w, size_t report, double t, const double *values,
                                  size_t n)
{
    if (report >= w->n_reports) {
        sq__writer_note(w, SQ_EINVAL, "%s: push_samples: report: expected an index below %zu, got %zu",
                        w->path, w->n_reports, report);
        return;
    }
    sq__report *r = &w->reports[report];
    if (n != r->n_ids || !values) {
        sq__writer_note(w, SQ_EINVAL, "%s: /report/%s: samples at t = %g ms: expected %zu values, got %zu",
                        w->path, r->name, t, r->n_ids, values ? n : 0);
        return;
    }
    double expect = r->t_start + (double)r->rows_pushed * r->dt;
    if (!(fabs(t - expect) <= 1e-6 * r->dt + 1e-12 * fabs(expect)))
        sq__writer_note(w, SQ_EINVAL, "%s: /report/%s: sample %llu: expected t = %g ms (t_start + k*dt), got %g",
                        w->path, r->name, (unsigned long long)r->rows_pushed, expect, t);
    sq__stream *st = &w->streams[1 + report];
    if (!st->cur && !(st->cur = obtain(w, 1 + report)))
        return;
    float *row = (float *)st->cur->data + st->cur->n * r->n_ids;
    for (size_t i = 0; i < n; i++)
        row[i] = (float)values[i];
    st->cur->n++;
    r->rows_pushed++;
    if (st->cur->n == st->cap)
        hand_over(w, st);
}

void sq_spike_writer_flush(sq_spike_writer *w)
{
    for (size_t i = 0; i < 1 + w->n_reports; i++)
        hand_over(w, &w->streams[i]);
}

/* ---- loop side ----------------------------------------------------------------------------- */

/* Splits one buffer by population (the buffer is in time order, populations interleaved) and
 * appends each part. Invalid spikes are dropped and noted; a failed write stops all writing. */
static void write_spikes(sq_spike_writer *w, const sq_spike *s, size_t n)
{
    size_t *end = w->offs, np = w->n_pops, bad = 0;
    memset(end, 0, (np + 1) * sizeof *end);
    for (size_t i = 0; i < n; i++) {
        if (s[i].pop < np && s[i].id < w->pops[s[i].pop].n_nodes) {
            end[s[i].pop + 1]++;
        } else if (bad++ == 0) {
            sq__writer_note(w, SQ_EINVAL, "%s: spike at t = %g ms: (pop, id): expected pop < %zu and id < its "
                            "size, got (%u, %u); dropped", w->path, s[i].t, np, s[i].pop, s[i].id);
        }
    }
    for (size_t p = 0; p < np; p++)
        end[p + 1] += end[p];
    /* Scatter with end[p] as the cursor of population p: afterwards end[p] is where p's part ends,
     * which is also where p + 1's begins. */
    for (size_t i = 0; i < n; i++) {
        if (s[i].pop >= np || s[i].id >= w->pops[s[i].pop].n_nodes)
            continue;
        sq__pop *p = &w->pops[s[i].pop];
        size_t k = end[s[i].pop]++;
        w->scratch_t[k] = s[i].t;
        w->scratch_id[k] = s[i].id;
        if (!(s[i].t >= p->t_last))
            p->unsorted = 1;
        p->t_last = s[i].t;
    }
    for (size_t q = 0; q < np; q++) {
        sq__pop *p = &w->pops[q];
        size_t begin = q ? end[q - 1] : 0, k = end[q] - begin;
        if (k == 0)
            continue;
        if (sq__h5_append(p->ts, H5T_NATIVE_DOUBLE, p->n, k, 0, w->scratch_t + begin) < 0 ||
            sq__h5_append(p->ids, H5T_NATIVE_UINT64, p->n, k, 0, w->scratch_id + begin) < 0) {
            char why[256];
            w->write_failed = 1;
            sq__writer_note(w, SQ_EIO, "%s: /spikes/%s: cannot append %zu spikes: %s", w->path, p->name, k,
                            sq__h5_reason(why, sizeof why));
            return;
        }
        p->n += k;
        w->written += k;
    }
}

static void write_rows(sq_spike_writer *w, sq__report *r, const float *v, size_t rows)
{
    if (sq__h5_append(r->data, H5T_NATIVE_FLOAT, r->rows, rows, r->n_ids, v) < 0) {
        char why[256];
        w->write_failed = 1;
        sq__writer_note(w, SQ_EIO, "%s: /report/%s/data: cannot append %zu rows: %s", w->path, r->name, rows,
                        sq__h5_reason(why, sizeof why));
        return;
    }
    r->rows += rows;
}

static void write_buffer(sq_spike_writer *w, sq__buffer *b)
{
    if (w->write_failed || b->n == 0)
        return;
    if (b->stream == 0)
        write_spikes(w, (const sq_spike *)b->data, b->n);
    else
        write_rows(w, &w->reports[b->stream - 1], (const float *)b->data, b->n);
}

/* Writes queued buffers one at a time, returning each at once so that a blocked producer resumes
 * as early as possible. */
static void drain(sq_spike_writer *w)
{
    for (;;) {
        pthread_mutex_lock(&w->mu);
        sq__buffer *b = w->head;
        if (b) {
            w->head = b->next;
            if (!w->head)
                w->tail = NULL;
        }
        pthread_mutex_unlock(&w->mu);
        if (!b)
            return;
        write_buffer(w, b);
        recycle(w, b);
    }
}

static void on_async(uv_async_t *h)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    drain(h->data);
    sq__h5_quiet_end(&q);
}

int sq__writer_start(sq_spike_writer *w, uv_loop_t *loop)
{
    if (!(w->async = malloc(sizeof *w->async)))
        return SQ_ENOMEM;
    if (uv_async_init(loop, w->async, on_async) < 0) {
        free(w->async);
        w->async = NULL;
        return SQ_EIO;
    }
    w->async->data = w;
    return 0;
}

uint64_t sq_spike_writer_spikes_written(const sq_spike_writer *w)
{
    return w ? w->written : 0;
}

int sq_spike_writer_close(sq_spike_writer *w, double t_start, double t_stop, sq_err *err)
{
    if (!w)
        return 0;
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    drain(w);
    for (size_t i = 0; i < 1 + w->n_reports; i++) {
        if (w->streams[i].cur)
            write_buffer(w, w->streams[i].cur);
    }
    sq__writer_finish_file(w, t_start, t_stop);
    int rc = w->first.code;
    if (rc < 0)
        sq_fail(err, rc, "%s", w->first.msg);
    sq__writer_free(w);
    sq__h5_quiet_end(&q);
    return rc;
}
