/* io/sonata_layout.c: the HDF5 layout of the SONATA spike file: sq_spike_writer_open (root
 * attributes, one group per population), sq_spike_writer_add_report (a SONATA-style report group)
 * and the final attributes written at close. Spec: the project spec shared/specs/data.md 1.3 and 1.4; the
 * report layout follows the SONATA developer guide "Output file formats > Report file".
 * Tested in tests/test_sonata.c. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sonata_h5.h"
#include "sonata_writer_internal.h"

static int valid_name(const char *s)
{
    return s && s[0] && !strchr(s, '/') && strcmp(s, ".") != 0;
}

static void close_id(hid_t *id, herr_t (*fn)(hid_t))
{
    if (*id >= 0)
        fn(*id);
    *id = -1;
}

/* A chunked dataset extendible along its first dimension: 1-D when cols == 0, else rows x cols.
 * The chunk cache holds two chunks, so appends that straddle a chunk boundary never re-read and
 * re-compress a chunk (HDF5's default cache is 1 MiB, smaller than a large chunk). */
static hid_t create_dset(hid_t loc, const char *name, hid_t type, hsize_t cols, hsize_t chunk_rows,
                         int deflate)
{
    int rank = cols ? 2 : 1;
    hsize_t dims[2] = {0, cols}, maxd[2] = {H5S_UNLIMITED, cols}, ch[2] = {chunk_rows, cols};
    size_t chunk_bytes = (size_t)chunk_rows * (cols ? cols : 1) * H5Tget_size(type);
    size_t cache = 2 * chunk_bytes > ((size_t)1 << 20) ? 2 * chunk_bytes : (size_t)1 << 20;
    hid_t d = -1, sp = H5Screate_simple(rank, dims, maxd);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), dapl = H5Pcreate(H5P_DATASET_ACCESS);
    /* Shuffle before deflate groups the bytes of equal significance: sorted times and small ids
     * then compress several times better, at little cost. */
    if (sp >= 0 && dcpl >= 0 && dapl >= 0 && H5Pset_chunk(dcpl, rank, ch) >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0 &&
        (deflate == 0 || (H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, (unsigned)deflate) >= 0)) &&
        H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, cache, H5D_CHUNK_CACHE_W0_DEFAULT) >= 0)
        d = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, dcpl, dapl);
    close_id(&dapl, H5Pclose);
    close_id(&dcpl, H5Pclose);
    close_id(&sp, H5Sclose);
    return d;
}

/* A small contiguous 1-D dataset written at once. */
static hid_t put_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, hsize_t n,
                       const void *v)
{
    hid_t sp = H5Screate_simple(1, &n, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), d = -1;
    if (sp >= 0 && dcpl >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0)
        d = H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    close_id(&dcpl, H5Pclose);
    close_id(&sp, H5Sclose);
    if (d >= 0 && H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        close_id(&d, H5Dclose);
    return d;
}

static int create_pop(sq_spike_writer *w, sq__pop *p, hid_t sorting_type)
{
    unsigned char by_time = 2;
    if ((p->grp = sq__h5_group(w->spikes, p->name)) < 0 ||
        sq__h5_attr_put(p->grp, "sorting", sorting_type, sorting_type, 0, &by_time) < 0 ||
        sq__h5_attr_put(p->grp, "n_nodes", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &p->n_nodes) < 0)
        return -1;
    if ((p->ts = create_dset(p->grp, "timestamps", H5T_IEEE_F64LE, 0, w->chunk, w->deflate)) < 0 ||
        sq__h5_attr_put_str(p->ts, "units", "ms") < 0)
        return -1;
    p->ids = create_dset(p->grp, "node_ids", H5T_STD_U64LE, 0, w->chunk, w->deflate);
    return p->ids < 0 ? -1 : 0;
}

static int create_file(sq_spike_writer *w, sq_err *err)
{
    char why[256];
    int fd = open(w->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    /* Probing with open(2) first gives the reason in plain words (HDF5's stack would say
     * "unable to open file: name = ..., errno = 2, ..."). */
    if (fd < 0)
        return sq_fail(err, SQ_EIO, "%s: cannot create the spike file: %s", w->path,
                       strerror_r(errno, why, sizeof why));
    close(fd);
    if ((w->file = H5Fcreate(w->path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        return sq_fail(err, SQ_EIO, "%s: cannot create the spike file: %s", w->path,
                       sq__h5_reason(why, sizeof why));
    unsigned magic = 0x0A7A, version[2] = {0, 1};
    if (sq__h5_attr_put(w->file, "magic", H5T_STD_U32LE, H5T_NATIVE_UINT, 0, &magic) < 0 ||
        sq__h5_attr_put(w->file, "version", H5T_STD_U32LE, H5T_NATIVE_UINT, 2, version) < 0 ||
        (w->spikes = sq__h5_group(w->file, "spikes")) < 0)
        return sq_fail(err, SQ_EIO, "%s: cannot create the spike file: %s", w->path,
                       sq__h5_reason(why, sizeof why));
    hid_t et = sq__h5_sorting_type();
    for (size_t i = 0; i < w->n_pops; i++) {
        if (et < 0 || create_pop(w, &w->pops[i], et) < 0) {
            if (et >= 0)
                H5Tclose(et);
            return sq_fail(err, SQ_EIO, "%s: cannot create the spike file: /spikes/%s: %s", w->path,
                           w->pops[i].name, sq__h5_reason(why, sizeof why));
        }
    }
    if (et >= 0)
        H5Tclose(et);
    return 0;
}

static int check_open_args(const char *path, const char *const *names, const uint64_t *sizes,
                           size_t n_pops, const sq_spike_writer_options *o, sq_err *err)
{
    if (o->deflate_level < 0 || o->deflate_level > 9)
        return sq_fail(err, SQ_EINVAL, "%s: deflate_level: expected 0 (off) to 9, got %d", path, o->deflate_level);
    if (o->chunk > ((size_t)1 << 26))
        return sq_fail(err, SQ_EINVAL, "%s: chunk: expected at most %zu elements, got %zu", path,
                       (size_t)1 << 26, o->chunk);
    for (size_t i = 0; i < n_pops; i++) {
        if (!valid_name(names[i]))
            return sq_fail(err, SQ_EINVAL, "%s: pop_names[%zu]: expected a non-empty name without '/', got '%s'",
                           path, i, names[i] ? names[i] : "(null)");
        if (sizes[i] == 0 || sizes[i] > UINT32_MAX)
            return sq_fail(err, SQ_EINVAL, "%s: pop_sizes[%zu]: expected 1 to %u neurons, got %llu", path, i,
                           UINT32_MAX, (unsigned long long)sizes[i]);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(names[i], names[j]) == 0)
                return sq_fail(err, SQ_EINVAL, "%s: pop_names[%zu]: expected a name not used before, got '%s'",
                               path, i, names[i]);
        }
    }
    return 0;
}

static int alloc_writer(sq_spike_writer *w, const char *path, const char *const *names,
                        const uint64_t *sizes)
{
    if (!(w->path = strdup(path)) || !(w->pops = calloc(w->n_pops ? w->n_pops : 1, sizeof *w->pops)) ||
        !(w->streams = calloc(1, sizeof *w->streams)) || !(w->offs = calloc(w->n_pops + 1, sizeof *w->offs)) ||
        !(w->scratch_t = malloc(w->chunk * sizeof *w->scratch_t)) ||
        !(w->scratch_id = malloc(w->chunk * sizeof *w->scratch_id)))
        return SQ_ENOMEM;
    for (size_t i = 0; i < w->n_pops; i++) {
        sq__pop *p = &w->pops[i];
        p->grp = p->ts = p->ids = -1;
        p->n_nodes = sizes[i];
        p->t_last = -INFINITY;
    }
    for (size_t i = 0; i < w->n_pops; i++) {
        if (!(w->pops[i].name = strdup(names[i])))
            return SQ_ENOMEM;
    }
    w->streams[0].item_bytes = sizeof(sq_spike);
    w->streams[0].cap = w->chunk;
    w->streams[0].bytes = sizeof(sq__buffer) + w->chunk * sizeof(sq_spike);
    return 0;
}

int sq_spike_writer_open(uv_loop_t *loop, const char *path, const char *const *pop_names,
                         const uint64_t *pop_sizes, size_t n_pops, const sq_spike_writer_options *opt,
                         sq_spike_writer **out, sq_err *err)
{
    sq_spike_writer_options o = opt ? *opt : sq_spike_writer_options_default();
    int rc;
    if (out)
        *out = NULL;
    if (!loop || !path || !out || (n_pops > 0 && (!pop_names || !pop_sizes)))
        return sq_fail(err, SQ_EINVAL, "sq_spike_writer_open: arguments: expected a loop, a path, an out "
                       "pointer and %zu population names and sizes, got NULL", n_pops);
    if ((rc = check_open_args(path, pop_names, pop_sizes, n_pops, &o, err)) < 0)
        return rc;
    sq_spike_writer *w = calloc(1, sizeof *w);
    if (!w)
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory for the spike writer", path);
    if (pthread_mutex_init(&w->mu, NULL) != 0 || pthread_cond_init(&w->cv, NULL) != 0) {
        free(w);
        return sq_fail(err, SQ_ENOMEM, "%s: cannot create the spike writer's lock", path);
    }
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    w->file = w->spikes = w->report_grp = -1;
    w->n_pops = n_pops;
    w->chunk = o.chunk ? o.chunk : SQ__WRITER_DEFAULT_CHUNK;
    w->deflate = o.deflate_level;
    w->max_bytes = o.max_queued_bytes ? o.max_queued_bytes : SQ__WRITER_DEFAULT_QUEUE_BYTES;
    if ((rc = alloc_writer(w, path, pop_names, pop_sizes)) < 0) {
        rc = sq_fail(err, rc, "%s: out of memory for the spike writer", path);
        goto fail;
    }
    if ((rc = create_file(w, err)) < 0)
        goto fail;
    if ((rc = sq__writer_start(w, loop)) < 0) {
        rc = sq_fail(err, rc, "%s: cannot create the writer's libuv async handle", path);
        goto fail;
    }
    sq__h5_quiet_end(&q);
    *out = w;
    return 0;
fail:
    sq__writer_free(w);
    sq__h5_quiet_end(&q);
    return rc;
}

/* /report/<name>/{data, mapping/{node_ids, index_pointers, element_ids, time}}. */
static int create_report(sq_spike_writer *w, sq__report *r, const uint64_t *node_ids, size_t chunk_rows)
{
    hid_t m = -1, d = -1;
    int rc = -1;
    double tm[3] = {r->t_start, r->t_start, r->dt};
    uint64_t *ptr = malloc((r->n_ids + 1) * sizeof *ptr);
    unsigned *elem = calloc(r->n_ids, sizeof *elem);
    if (!ptr || !elem)
        goto done;
    for (size_t i = 0; i <= r->n_ids; i++)
        ptr[i] = i; /* one element (the soma) per node */
    if ((r->grp = sq__h5_group(w->report_grp, r->name)) < 0 ||
        (r->data = create_dset(r->grp, "data", H5T_IEEE_F32LE, r->n_ids, chunk_rows, w->deflate)) < 0 ||
        sq__h5_attr_put_str(r->data, "units", "mV") < 0 ||
        (m = sq__h5_group(r->grp, "mapping")) < 0 ||
        (d = put_array(m, "node_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, r->n_ids, node_ids)) < 0)
        goto done;
    close_id(&d, H5Dclose);
    if ((d = put_array(m, "index_pointers", H5T_STD_U64LE, H5T_NATIVE_UINT64, r->n_ids + 1, ptr)) < 0)
        goto done;
    close_id(&d, H5Dclose);
    if ((d = put_array(m, "element_ids", H5T_STD_U32LE, H5T_NATIVE_UINT, r->n_ids, elem)) < 0 ||
        (r->time = put_array(m, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, tm)) < 0 ||
        sq__h5_attr_put_str(r->time, "units", "ms") < 0)
        goto done;
    rc = 0;
done:
    close_id(&d, H5Dclose);
    close_id(&m, H5Gclose);
    free(elem);
    free(ptr);
    return rc;
}

static int check_report_args(sq_spike_writer *w, const char *name, const uint64_t *node_ids, size_t n_ids,
                             double t_start, double dt, sq_err *err)
{
    if (!valid_name(name))
        return sq_fail(err, SQ_EINVAL, "%s: report pop_name: expected a non-empty name without '/', got '%s'",
                       w->path, name ? name : "(null)");
    if (n_ids == 0 || !node_ids)
        return sq_fail(err, SQ_EINVAL, "%s: /report/%s: node_ids: expected at least one id, got none", w->path, name);
    if (n_ids > ((size_t)1 << 28))
        return sq_fail(err, SQ_ERANGE, "%s: /report/%s: node_ids: expected at most %zu ids, got %zu", w->path,
                       name, (size_t)1 << 28, n_ids);
    if (!(dt > 0) || !isfinite(dt) || !isfinite(t_start))
        return sq_fail(err, SQ_EINVAL, "%s: /report/%s: (t_start, dt): expected finite ms with dt > 0, got (%g, %g)",
                       w->path, name, t_start, dt);
    for (size_t i = 0; i < w->n_reports; i++) {
        if (strcmp(w->reports[i].name, name) == 0)
            return sq_fail(err, SQ_EINVAL, "%s: report pop_name: expected a name not used by another report, "
                           "got '%s'", w->path, name);
    }
    return 0;
}

int sq_spike_writer_add_report(sq_spike_writer *w, const char *pop_name, const uint64_t *node_ids,
                               size_t n_ids, double t_start, double dt, size_t *out_report, sq_err *err)
{
    int rc;
    char why[256];
    if (!w || !out_report)
        return sq_fail(err, SQ_EINVAL, "sq_spike_writer_add_report: arguments: expected a writer and an out "
                       "pointer, got NULL");
    if ((rc = check_report_args(w, pop_name, node_ids, n_ids, t_start, dt, err)) < 0)
        return rc;
    sq__report *rs = realloc(w->reports, (w->n_reports + 1) * sizeof *rs);
    if (rs)
        w->reports = rs;
    sq__stream *ss = rs ? realloc(w->streams, (w->n_reports + 2) * sizeof *ss) : NULL;
    if (!ss)
        return sq_fail(err, SQ_ENOMEM, "%s: /report/%s: out of memory", w->path, pop_name);
    w->streams = ss;
    sq__report *r = &w->reports[w->n_reports];
    memset(r, 0, sizeof *r);
    r->grp = r->data = r->time = -1;
    r->n_ids = n_ids;
    r->t_start = t_start;
    r->dt = dt;
    sq__stream *s = &w->streams[w->n_reports + 1];
    memset(s, 0, sizeof *s);
    s->item_bytes = n_ids * sizeof(float);
    /* Rows per buffer = rows per chunk, so that each hand-over fills whole chunks. */
    s->cap = w->chunk / n_ids ? w->chunk / n_ids : 1;
    s->bytes = sizeof(sq__buffer) + s->cap * s->item_bytes;
    if (!(r->name = strdup(pop_name)))
        return sq_fail(err, SQ_ENOMEM, "%s: /report/%s: out of memory", w->path, pop_name);
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    if (w->report_grp < 0)
        w->report_grp = sq__h5_group(w->file, "report");
    if (w->report_grp < 0 || create_report(w, r, node_ids, s->cap) < 0) {
        rc = sq_fail(err, SQ_EIO, "%s: /report/%s: cannot create: %s", w->path, pop_name,
                     sq__h5_reason(why, sizeof why));
        close_id(&r->time, H5Dclose);
        close_id(&r->data, H5Dclose);
        close_id(&r->grp, H5Gclose);
        free(r->name);
        sq__h5_quiet_end(&q);
        return rc;
    }
    sq__h5_quiet_end(&q);
    *out_report = w->n_reports++;
    return 0;
}

void sq__writer_finish_file(sq_spike_writer *w, double t_start, double t_stop)
{
    char why[256];
    unsigned char none = 0;
    int ok = w->file >= 0;
    hid_t et = sq__h5_sorting_type();
    for (size_t i = 0; ok && i < w->n_pops; i++) {
        sq__pop *p = &w->pops[i];
        hsize_t n = p->n;
        /* After a failed append the two datasets can differ in length; cut both back to the
         * spikes that were written whole, so that the file stays consistent. */
        if (w->write_failed && (H5Dset_extent(p->ts, &n) < 0 || H5Dset_extent(p->ids, &n) < 0))
            ok = 0;
        if (p->unsorted && (et < 0 || sq__h5_attr_put(p->grp, "sorting", et, et, 0, &none) < 0))
            ok = 0;
    }
    if (et >= 0)
        H5Tclose(et);
    if (ok && (sq__h5_attr_put(w->spikes, "t_start", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &t_start) < 0 ||
               sq__h5_attr_put(w->spikes, "t_stop", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &t_stop) < 0))
        ok = 0;
    for (size_t i = 0; ok && i < w->n_reports; i++) {
        sq__report *r = &w->reports[i];
        double tm[3] = {r->t_start, r->t_start + (double)r->rows * r->dt, r->dt};
        if (H5Dwrite(r->time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, tm) < 0)
            ok = 0;
    }
    if (!ok && w->file >= 0)
        sq__writer_note(w, SQ_EIO, "%s: cannot write the final attributes: %s", w->path,
                        sq__h5_reason(why, sizeof why));
    sq__writer_free_objects(w);
    if (w->file >= 0 && H5Fclose(w->file) < 0)
        sq__writer_note(w, SQ_EIO, "%s: cannot close the spike file: %s", w->path, sq__h5_reason(why, sizeof why));
    w->file = -1;
}

void sq__writer_free_objects(sq_spike_writer *w)
{
    for (size_t i = 0; i < w->n_pops; i++) {
        close_id(&w->pops[i].ids, H5Dclose);
        close_id(&w->pops[i].ts, H5Dclose);
        close_id(&w->pops[i].grp, H5Gclose);
    }
    for (size_t i = 0; i < w->n_reports; i++) {
        close_id(&w->reports[i].time, H5Dclose);
        close_id(&w->reports[i].data, H5Dclose);
        close_id(&w->reports[i].grp, H5Gclose);
    }
    close_id(&w->report_grp, H5Gclose);
    close_id(&w->spikes, H5Gclose);
}

static void free_chain(sq__buffer *b)
{
    while (b) {
        sq__buffer *next = b->next;
        free(b);
        b = next;
    }
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

void sq__writer_free(sq_spike_writer *w)
{
    if (!w)
        return;
    sq__writer_free_objects(w);
    close_id(&w->file, H5Fclose);
    free_chain(w->head);
    for (size_t i = 0; w->streams && i < 1 + w->n_reports; i++) {
        free(w->streams[i].cur);
        free_chain(w->streams[i].free);
    }
    for (size_t i = 0; w->pops && i < w->n_pops; i++)
        free(w->pops[i].name);
    for (size_t i = 0; i < w->n_reports; i++)
        free(w->reports[i].name);
    if (w->async)
        uv_close((uv_handle_t *)w->async, free_handle);
    free(w->reports);
    free(w->streams);
    free(w->offs);
    free(w->scratch_id);
    free(w->scratch_t);
    free(w->pops);
    free(w->path);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
