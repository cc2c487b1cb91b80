/* tests/test_sonata.c: the SONATA spike writer (io/sonata_writer.c, io/sonata_layout.c) and reader
 * (io/sonata_reader.c). Files are written through a real libuv loop with a producer thread, then
 * checked by h5py (tests/read_sonata.py, against the exact records pushed) and by our C reader.
 * Spec: the project spec shared/specs/data.md 1.3 (profile) and 1.4 (reader rules). All comparisons of spike
 * times and ids are exact (the file stores the pushed doubles and integers unchanged). */
#include <check.h>
#include <hdf5.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "io/sonata_reader.h"
#include "io/sonata_writer.h"
#include "run_suite.h"

static const char *const names[] = {"exc", "silent", "inh"};
static const uint64_t sizes[] = {8000, 100, 2000};

static uint64_t mix(uint64_t x) /* splitmix64 finaliser: a fixed, seedless pseudo-random pattern */
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* n spikes 1 us apart, 4/5 in "exc", 1/5 in "inh", none in "silent"; ids pseudo-random. */
static sq_spike *make_spikes(size_t n)
{
    sq_spike *s = malloc(n * sizeof *s);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++) {
        uint64_t h = mix(i);
        s[i].t = (double)i * 1e-3;
        s[i].pop = h % 5 == 0 ? 2 : 0;
        s[i].id = (uint32_t)((h >> 8) % sizes[s[i].pop]);
    }
    return s;
}

typedef struct {
    const char *path;
    const sq_spike_writer_options *opt;
    const sq_spike *s;
    size_t n_push;        /* spikes the producer pushes (fewer than made: a simulated interrupt) */
    int flush_at_end;
    size_t n_ids, n_rows; /* V_m report: n_rows samples of n_ids neurons, 0 = none */
    double t0, dt;
    size_t report;
    double t_start, t_stop;
    sq_spike_writer *w;
    pthread_t th;
    uv_async_t done;
    int close_rc;
    sq_err close_err;
} run;

static float vm_value(size_t row, size_t j)
{
    return (float)(-70.0 + 0.01 * (double)row + (double)j);
}

static void push_rows_until(run *r, size_t *row, double t)
{
    double v[64];
    for (; *row < r->n_rows && r->t0 + (double)*row * r->dt <= t; (*row)++) {
        for (size_t j = 0; j < r->n_ids; j++)
            v[j] = vm_value(*row, j);
        sq_spike_writer_push_samples(r->w, r->report, r->t0 + (double)*row * r->dt, v, r->n_ids);
    }
}

/* The simulation's role: windows of 1..3000 spikes, V_m rows interleaved in time order. */
static void *produce(void *arg)
{
    run *r = arg;
    size_t i = 0, row = 0;
    for (uint64_t k = 0; i < r->n_push; k++) {
        size_t m = 1 + mix(k ^ 0xABCDull) % 3000;
        m = m < r->n_push - i ? m : r->n_push - i;
        sq_spike_writer_push(r->w, r->s + i, m);
        i += m;
        push_rows_until(r, &row, r->s[i - 1].t);
        if (k == 100)
            sq_spike_writer_flush(r->w); /* a partial hand-over in the middle must not break anything */
    }
    push_rows_until(r, &row, INFINITY);
    if (r->flush_at_end)
        sq_spike_writer_flush(r->w);
    uv_async_send(&r->done);
    return NULL;
}

static void on_done(uv_async_t *h)
{
    run *r = h->data;
    pthread_join(r->th, NULL);
    r->close_rc = sq_spike_writer_close(r->w, r->t_start, r->t_stop, &r->close_err);
    uv_close((uv_handle_t *)h, NULL);
}

/* Opens the writer on a fresh loop, runs the producer thread, closes from the loop thread. */
static void run_writer(run *r)
{
    uv_loop_t loop;
    sq_err err = {0};
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    int rc = sq_spike_writer_open(&loop, r->path, names, sizes, 3, r->opt, &r->w, &err);
    ck_assert_msg(rc == 0, "open: %s", err.msg);
    if (r->n_rows) {
        uint64_t ids[64];
        for (size_t j = 0; j < r->n_ids; j++)
            ids[j] = 3 * j;
        rc = sq_spike_writer_add_report(r->w, "exc", ids, r->n_ids, r->t0, r->dt, &r->report, &err);
        ck_assert_msg(rc == 0, "add_report: %s", err.msg);
    }
    ck_assert_int_eq(uv_async_init(&loop, &r->done, on_done), 0);
    r->done.data = r;
    ck_assert_int_eq(pthread_create(&r->th, NULL, produce, r), 0);
    ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}

typedef struct {
    char dir[64], file[96], expect[96];
} scratch;

static void scratch_make(scratch *d)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/sq_sonata_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d->dir));
    snprintf(d->file, sizeof d->file, "%s/spikes.h5", d->dir);
    snprintf(d->expect, sizeof d->expect, "%s/expect.bin", d->dir);
}

static void scratch_remove(const scratch *d)
{
    unlink(d->file);
    unlink(d->expect);
    rmdir(d->dir);
}

static void write_expect(const scratch *d, const sq_spike *s, size_t n)
{
    FILE *f = fopen(d->expect, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(s, sizeof *s, n, f), n);
    fclose(f);
}

/* Runs tests/read_sonata.py and returns its exit code. */
static int h5py_check(const scratch *d, const run *r, size_t chunk, int deflate, int sorting, const char *extra)
{
    const char *src = getenv("SQ_SOURCE_DIR");
    char cmd[1024];
    ck_assert_msg(src != NULL, "SQ_SOURCE_DIR is not set (tests/meson.build sets it)");
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/read_sonata.py' '%s' '%s' --pops exc:8000,silent:100,"
             "inh:2000 --chunk %zu --deflate %d --sorting %d --t-start %.17g --t-stop %.17g %s",
             src, d->file, d->expect, chunk, deflate, sorting, r->t_start, r->t_stop, extra);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The summary our C reader must give for spikes s[0..n). */
static void expect_summary(const sq_spike *s, size_t n, sq_spike_pop_summary *want)
{
    unsigned char *seen[3];
    for (int p = 0; p < 3; p++) {
        want[p] = (sq_spike_pop_summary){(char *)names[p], sizes[p], 0, 0, NAN, NAN, SQ_SORTING_BY_TIME};
        seen[p] = calloc(sizes[p], 1);
    }
    for (size_t i = 0; i < n; i++) {
        sq_spike_pop_summary *w = &want[s[i].pop];
        w->t_first = w->n_spikes == 0 ? s[i].t : w->t_first;
        w->t_last = s[i].t;
        w->n_spikes++;
        w->n_active += !seen[s[i].pop][s[i].id];
        seen[s[i].pop][s[i].id] = 1;
    }
    for (int p = 0; p < 3; p++)
        free(seen[p]);
}

static void check_summary(const char *path, const sq_spike *s, size_t n, double t_start, double t_stop)
{
    sq_spike_file_summary *sum = NULL;
    sq_spike_pop_summary want[3];
    sq_err err = {0};
    expect_summary(s, n, want);
    int rc = sq_spike_file_read_summary(path, &sum, &err);
    ck_assert_msg(rc == 0, "summary: %s", err.msg);
    ck_assert_uint_eq(sum->n_pops, 3);
    ck_assert_double_eq(sum->t_start, t_start);
    ck_assert_double_eq(sum->t_stop, t_stop);
    for (int p = 0; p < 3; p++) {
        /* The reader lists groups in alphabetical link order: exc, inh, silent. */
        const sq_spike_pop_summary *g = &sum->pops[p == 0 ? 0 : p == 1 ? 2 : 1];
        ck_assert_str_eq(g->name, want[p].name);
        ck_assert_uint_eq(g->n_nodes, want[p].n_nodes);
        ck_assert_uint_eq(g->n_spikes, want[p].n_spikes);
        ck_assert_uint_eq(g->n_active, want[p].n_active);
        ck_assert_int_eq(g->sorting, SQ_SORTING_BY_TIME);
        if (want[p].n_spikes) {
            ck_assert_double_eq(g->t_first, want[p].t_first);
            ck_assert_double_eq(g->t_last, want[p].t_last);
        } else {
            ck_assert(isnan(g->t_first) && isnan(g->t_last));
        }
    }
    sq_spike_file_summary_free(sum);
}

START_TEST(threaded_run_of_a_million_spikes_is_read_back_exactly_by_h5py_and_our_reader)
{
    scratch d;
    size_t n = 1000000;
    sq_spike *s = make_spikes(n);
    scratch_make(&d);
    write_expect(&d, s, n);
    run r = {.path = d.file, .s = s, .n_push = n, .flush_at_end = 1, .t_start = 0.0, .t_stop = 1000.0};
    run_writer(&r);
    ck_assert_msg(r.close_rc == 0, "close: %s", r.close_err.msg);
    ck_assert_int_eq(h5py_check(&d, &r, 65536, 4, 2, ""), 0);
    check_summary(d.file, s, n, 0.0, 1000.0);
    scratch_remove(&d);
    free(s);
}
END_TEST

START_TEST(tiny_memory_bound_makes_push_wait_and_loses_no_spike)
{
    /* 4 buffers of 512 spikes in flight at most, for 200000 spikes: the producer must block
     * hundreds of times; every spike must still arrive, uncompressed layout as asked. */
    scratch d;
    size_t n = 200000;
    sq_spike *s = make_spikes(n);
    sq_spike_writer_options o = {.chunk = 512, .deflate_level = 0, .max_queued_bytes = 4 * 512 * sizeof(sq_spike)};
    scratch_make(&d);
    write_expect(&d, s, n);
    run r = {.path = d.file, .opt = &o, .s = s, .n_push = n, .t_start = 0.0, .t_stop = 200.0};
    run_writer(&r);
    ck_assert_msg(r.close_rc == 0, "close: %s", r.close_err.msg);
    ck_assert_int_eq(h5py_check(&d, &r, 512, 0, 2, ""), 0);
    check_summary(d.file, s, n, 0.0, 200.0);
    scratch_remove(&d);
    free(s);
}
END_TEST

START_TEST(close_after_an_interrupt_keeps_every_pushed_spike_and_the_time_reached)
{
    /* The producer stops a third of the way through without flushing (as sq_sim_run returning
     * SQ_EINTR would); close must still write the partial buffer and t_stop = time reached. */
    scratch d;
    size_t n = 300000, pushed = 100003;
    sq_spike *s = make_spikes(n);
    scratch_make(&d);
    write_expect(&d, s, pushed);
    run r = {.path = d.file, .s = s, .n_push = pushed, .t_start = 0.0, .t_stop = s[pushed - 1].t};
    run_writer(&r);
    ck_assert_msg(r.close_rc == 0, "close: %s", r.close_err.msg);
    ck_assert_int_eq(h5py_check(&d, &r, 65536, 4, 2, ""), 0);
    check_summary(d.file, s, pushed, 0.0, s[pushed - 1].t);
    scratch_remove(&d);
    free(s);
}
END_TEST

START_TEST(vm_report_round_trips_rows_mapping_and_time)
{
    scratch d;
    size_t n = 50000, n_ids = 37, rows = 4000;
    sq_spike *s = make_spikes(n);
    scratch_make(&d);
    write_expect(&d, s, n);
    run r = {.path = d.file, .s = s, .n_push = n, .n_ids = n_ids, .n_rows = rows, .t0 = 0.1, .dt = 0.0125,
             .t_start = 0.0, .t_stop = 50.0};
    run_writer(&r);
    ck_assert_msg(r.close_rc == 0, "close: %s", r.close_err.msg);
    ck_assert_int_eq(h5py_check(&d, &r, 65536, 4, 2, "--report exc:37"), 0);

    hid_t f = H5Fopen(d.file, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, "/report/exc/data", H5P_DEFAULT), sp = H5Dget_space(ds);
    hsize_t dims[2];
    ck_assert_int_eq(H5Sget_simple_extent_dims(sp, dims, NULL), 2);
    ck_assert_uint_eq(dims[0], rows);
    ck_assert_uint_eq(dims[1], n_ids);
    float *v = malloc(rows * n_ids * sizeof *v);
    ck_assert_int_ge(H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < n_ids; j++)
            ck_assert_float_eq(v[i * n_ids + j], vm_value(i, j)); /* float32 stored exactly */
    }
    double tm[3];
    uint64_t ids[37];
    hid_t tds = H5Dopen2(f, "/report/exc/mapping/time", H5P_DEFAULT);
    hid_t ids_ds = H5Dopen2(f, "/report/exc/mapping/node_ids", H5P_DEFAULT);
    ck_assert_int_ge(H5Dread(tds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, tm), 0);
    ck_assert_int_ge(H5Dread(ids_ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids), 0);
    ck_assert_double_eq(tm[0], 0.1);
    ck_assert_double_eq_tol(tm[1], 0.1 + 4000 * 0.0125, 1e-12); /* stop = start + rows * dt */
    ck_assert_double_eq(tm[2], 0.0125);
    for (size_t j = 0; j < n_ids; j++)
        ck_assert_uint_eq(ids[j], 3 * j);
    H5Dclose(ids_ds);
    H5Dclose(tds);
    H5Sclose(sp);
    H5Dclose(ds);
    H5Fclose(f);
    free(v);
    scratch_remove(&d);
    free(s);
}
END_TEST

/* Opens, pushes from this thread (the queue never fills here, so the loop need not run), closes. */
static int write_sync(const char *path, const sq_spike *s, size_t n, double t_stop, sq_err *err)
{
    uv_loop_t loop;
    sq_spike_writer *w = NULL;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    int rc = sq_spike_writer_open(&loop, path, names, sizes, 3, NULL, &w, err);
    if (rc == 0) {
        sq_spike_writer_push(w, s, n);
        rc = sq_spike_writer_close(w, 0.0, t_stop, err);
    }
    ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    return rc;
}

START_TEST(open_in_a_missing_directory_fails_with_eio_naming_the_file)
{
    uv_loop_t loop;
    sq_spike_writer *w = (sq_spike_writer *)&loop;
    sq_err err = {0};
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    int rc = sq_spike_writer_open(&loop, "/tmp/sq_no_such_dir/out/x.h5", names, sizes, 3, NULL, &w, &err);
    ck_assert_int_eq(rc, SQ_EIO);
    ck_assert_int_eq(err.code, SQ_EIO);
    ck_assert_str_eq(err.msg, "/tmp/sq_no_such_dir/out/x.h5: cannot create the spike file: No such file or directory");
    ck_assert_ptr_null(w);
    ck_assert_int_eq(uv_loop_close(&loop), 0); /* nothing was left on the loop */
}
END_TEST

START_TEST(open_rejects_bad_names_sizes_and_deflate_levels)
{
    uv_loop_t loop;
    sq_spike_writer *w = NULL;
    sq_err err = {0};
    const char *dup[] = {"exc", "exc"}, *slash[] = {"a/b"};
    uint64_t sz[] = {10, 10}, zero[] = {0};
    sq_spike_writer_options o = {.deflate_level = 12};
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(sq_spike_writer_open(&loop, "x.h5", dup, sz, 2, NULL, &w, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "x.h5: pop_names[1]: expected a name not used before, got 'exc'");
    ck_assert_int_eq(sq_spike_writer_open(&loop, "x.h5", slash, sz, 1, NULL, &w, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "x.h5: pop_names[0]: expected a non-empty name without '/', got 'a/b'");
    ck_assert_int_eq(sq_spike_writer_open(&loop, "x.h5", dup, zero, 1, NULL, &w, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "x.h5: pop_sizes[0]: expected 1 to 4294967295 neurons, got 0");
    ck_assert_int_eq(sq_spike_writer_open(&loop, "x.h5", dup, sz, 1, &o, &w, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "x.h5: deflate_level: expected 0 (off) to 9, got 12");
    ck_assert_ptr_null(w);
    ck_assert_int_eq(access("x.h5", F_OK), -1); /* argument errors create no file */
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

START_TEST(invalid_spikes_are_dropped_and_close_reports_them_keeping_a_valid_file)
{
    scratch d;
    sq_err err = {0};
    sq_spike s[] = {{1.0, 0, 5}, {2.0, 1, 100}, {3.0, 7, 0}, {4.0, 2, 1999}};
    scratch_make(&d);
    ck_assert_int_eq(write_sync(d.file, s, 4, 5.0, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg + strlen(d.file), ": spike at t = 2 ms: (pop, id): expected pop < 3 and id < its size, "
                                               "got (1, 100); dropped");
    sq_spike kept[] = {s[0], s[3]};
    check_summary(d.file, kept, 2, 0.0, 5.0);
    scratch_remove(&d);
}
END_TEST

START_TEST(spikes_out_of_time_order_are_kept_and_marked_sorting_none)
{
    scratch d;
    sq_err err = {0};
    sq_spike s[] = {{1.0, 0, 5}, {0.5, 0, 6}, {2.0, 2, 1}};
    sq_spike_file_summary *sum = NULL;
    scratch_make(&d);
    ck_assert_int_eq(write_sync(d.file, s, 3, 5.0, &err), 0);
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), 0);
    ck_assert_int_eq(sum->pops[0].sorting, SQ_SORTING_NONE);     /* exc */
    ck_assert_int_eq(sum->pops[1].sorting, SQ_SORTING_BY_TIME);  /* inh */
    ck_assert_double_eq(sum->pops[0].t_first, 0.5);
    ck_assert_double_eq(sum->pops[0].t_last, 1.0);
    sq_spike_file_summary_free(sum);
    scratch_remove(&d);
}
END_TEST

START_TEST(mean_rate_is_count_over_neurons_over_seconds)
{
    /* 80 spikes of 8000 neurons in 500 ms: 80 / 8000 / 0.5 s = 0.02 Hz. */
    scratch d;
    sq_err err = {0};
    sq_spike s[80];
    sq_spike_file_summary *sum = NULL;
    for (size_t i = 0; i < 80; i++)
        s[i] = (sq_spike){(double)i, 0, (uint32_t)i};
    scratch_make(&d);
    ck_assert_int_eq(write_sync(d.file, s, 80, 500.0, &err), 0);
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), 0);
    ck_assert_double_eq_tol(sq_spike_file_mean_rate_hz(sum, 0), 0.02, 1e-15);
    ck_assert_double_eq(sq_spike_file_mean_rate_hz(sum, 1), 0.0);  /* inh: no spikes */
    ck_assert(isnan(sq_spike_file_mean_rate_hz(sum, 3)));            /* no such population */
    sq_spike_file_summary_free(sum);
    scratch_remove(&d);
}
END_TEST

START_TEST(read_population_returns_times_and_ids_in_file_order)
{
    scratch d;
    sq_err err = {0};
    sq_spike s[] = {{0.25, 0, 5}, {0.5, 2, 7}, {0.75, 0, 3}};
    double *t = NULL;
    uint64_t *ids = NULL;
    size_t n = 0;
    scratch_make(&d);
    ck_assert_int_eq(write_sync(d.file, s, 3, 1.0, &err), 0);
    ck_assert_int_eq(sq_spike_file_read_population(d.file, "exc", &t, &ids, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_double_eq(t[0], 0.25);
    ck_assert_double_eq(t[1], 0.75);
    ck_assert_uint_eq(ids[0], 5);
    ck_assert_uint_eq(ids[1], 3);
    free(t);
    free(ids);
    ck_assert_int_eq(sq_spike_file_read_population(d.file, "silent", &t, &ids, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(sq_spike_file_read_population(d.file, "gaba", &t, &ids, &n, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg + strlen(d.file), ": /spikes/gaba: expected a population of the file, got no such group");
    scratch_remove(&d);
}
END_TEST

START_TEST(reader_rejects_missing_garbage_and_truncated_files)
{
    scratch d;
    sq_err err = {0};
    sq_spike_file_summary *sum = (sq_spike_file_summary *)&err;
    scratch_make(&d);
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), SQ_EIO);
    ck_assert_str_eq(err.msg + strlen(d.file), ": cannot open the spike file: No such file or directory");
    ck_assert_ptr_null(sum);

    FILE *f = fopen(d.file, "w");
    fputs("time,id\n0.1,3\n", f);
    fclose(f);
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), SQ_EFORMAT);
    ck_assert_str_eq(err.msg + strlen(d.file), ": expected an HDF5 file, got no HDF5 signature");

    size_t n = 100000;
    sq_spike *s = make_spikes(n);
    ck_assert_int_eq(write_sync(d.file, s, n, 100.0, &err), 0);
    struct stat st;
    ck_assert_int_eq(stat(d.file, &st), 0);
    ck_assert_int_eq(truncate(d.file, st.st_size / 2), 0);
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), SQ_EFORMAT);
    ck_assert_ptr_null(sum);
    const char *want = ": cannot open as HDF5 (damaged or truncated?): truncated file";
    ck_assert_msg(strncmp(err.msg + strlen(d.file), want, strlen(want)) == 0, "got: %s", err.msg);
    free(s);
    scratch_remove(&d);
}
END_TEST

/* A hand-made file: /spikes/p (or /spikes itself when legacy) with n_ts timestamps and n_ids ids
 * (ids_name, none when NULL), optional string `sorting` and fixed-length string `units`. */
static void make_h5(const char *path, int legacy, size_t n_ts, const char *ids_name, size_t n_ids,
                    const char *sorting, const char *units)
{
    double t[4] = {0.001, 0.002, 0.002, 0.003};
    uint64_t id[4] = {4, 2, 4, 9};
    hsize_t nt = n_ts, ni = n_ids;
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sg = H5Gcreate2(f, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = legacy ? sg : H5Gcreate2(sg, "p", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp = H5Screate_simple(1, &nt, NULL), scalar = H5Screate(H5S_SCALAR);
    hid_t ds = H5Dcreate2(g, "timestamps", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t);
    if (units) {
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, strlen(units));
        hid_t a = H5Acreate2(ds, "units", st, scalar, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, st, units);
        H5Aclose(a);
        H5Tclose(st);
    }
    if (sorting) {
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, H5T_VARIABLE);
        hid_t a = H5Acreate2(g, "sorting", st, scalar, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, st, &sorting);
        H5Aclose(a);
        H5Tclose(st);
    }
    H5Dclose(ds);
    H5Sclose(sp);
    if (ids_name) {
        sp = H5Screate_simple(1, &ni, NULL);
        ds = H5Dcreate2(g, ids_name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, id);
        H5Dclose(ds);
        H5Sclose(sp);
    }
    H5Sclose(scalar);
    if (!legacy)
        H5Gclose(g);
    H5Gclose(sg);
    H5Fclose(f);
}

START_TEST(reader_names_missing_and_mismatched_datasets)
{
    scratch d;
    sq_err err = {0};
    sq_spike_file_summary *sum = NULL;
    scratch_make(&d);
    make_h5(d.file, 0, 4, NULL, 0, NULL, NULL);
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), SQ_EFORMAT);
    ck_assert_str_eq(err.msg + strlen(d.file), ": /spikes/p/node_ids: expected a dataset, got nothing");
    make_h5(d.file, 0, 4, "node_ids", 3, NULL, NULL);
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), SQ_EFORMAT);
    ck_assert_str_eq(err.msg + strlen(d.file),
                     ": /spikes/p: timestamps and node_ids: expected the same length, got 4 and 3");
    make_h5(d.file, 0, 4, "node_ids", 4, NULL, "us");
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), SQ_EFORMAT);
    ck_assert_str_eq(err.msg + strlen(d.file), ": /spikes/p/timestamps: units: expected \"ms\" or \"s\", got \"us\"");
    hid_t f = H5Fcreate(d.file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), SQ_EFORMAT);
    ck_assert_str_eq(err.msg + strlen(d.file), ": /spikes: expected a group of spike populations, got nothing");
    ck_assert_ptr_null(sum);
    scratch_remove(&d);
}
END_TEST

START_TEST(reader_accepts_bmtk_strings_seconds_and_the_legacy_flat_layout)
{
    scratch d;
    sq_err err = {0};
    sq_spike_file_summary *sum = NULL;
    scratch_make(&d);
    make_h5(d.file, 0, 4, "node_ids", 4, "by_time", "s"); /* bmtk writes sorting as a string */
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), 0);
    ck_assert_uint_eq(sum->n_pops, 1);
    ck_assert_str_eq(sum->pops[0].name, "p");
    ck_assert_int_eq(sum->pops[0].sorting, SQ_SORTING_BY_TIME);
    ck_assert_uint_eq(sum->pops[0].n_nodes, 0);  /* no n_nodes attribute */
    ck_assert_uint_eq(sum->pops[0].n_spikes, 4);
    ck_assert_uint_eq(sum->pops[0].n_active, 3); /* ids 4, 2, 4, 9 */
    ck_assert_double_eq_tol(sum->pops[0].t_first, 1.0, 1e-12); /* 0.001 s = 1 ms */
    ck_assert_double_eq_tol(sum->pops[0].t_last, 3.0, 1e-12);
    ck_assert(isnan(sum->t_start) && isnan(sum->t_stop));
    sq_spike_file_summary_free(sum);

    make_h5(d.file, 1, 4, "gids", 4, "by_gid", NULL); /* old flat layout, no units: ms */
    ck_assert_int_eq(sq_spike_file_read_summary(d.file, &sum, &err), 0);
    ck_assert_uint_eq(sum->n_pops, 1);
    ck_assert_str_eq(sum->pops[0].name, "");
    ck_assert_int_eq(sum->pops[0].sorting, SQ_SORTING_BY_ID);
    ck_assert_double_eq(sum->pops[0].t_last, 0.003);
    sq_spike_file_summary_free(sum);
    scratch_remove(&d);
}
END_TEST

static Suite *sonata_suite(void)
{
    Suite *s = suite_create("sonata");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, threaded_run_of_a_million_spikes_is_read_back_exactly_by_h5py_and_our_reader);
    tcase_add_test(tc, tiny_memory_bound_makes_push_wait_and_loses_no_spike);
    tcase_add_test(tc, close_after_an_interrupt_keeps_every_pushed_spike_and_the_time_reached);
    tcase_add_test(tc, vm_report_round_trips_rows_mapping_and_time);
    tcase_add_test(tc, open_in_a_missing_directory_fails_with_eio_naming_the_file);
    tcase_add_test(tc, open_rejects_bad_names_sizes_and_deflate_levels);
    tcase_add_test(tc, invalid_spikes_are_dropped_and_close_reports_them_keeping_a_valid_file);
    tcase_add_test(tc, spikes_out_of_time_order_are_kept_and_marked_sorting_none);
    tcase_add_test(tc, mean_rate_is_count_over_neurons_over_seconds);
    tcase_add_test(tc, read_population_returns_times_and_ids_in_file_order);
    tcase_add_test(tc, reader_rejects_missing_garbage_and_truncated_files);
    tcase_add_test(tc, reader_names_missing_and_mismatched_datasets);
    tcase_add_test(tc, reader_accepts_bmtk_strings_seconds_and_the_legacy_flat_layout);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sq_test_run(sonata_suite());
}
