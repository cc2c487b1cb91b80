/* io/sonata_reader.c: reads SONATA spike files (summary per population, or one population whole).
 * Spec: the project spec shared/specs/data.md 1.4 "Reader rules" (sorting as enum or string, units default ms
 * and "s" scaled by 1000, legacy flat /spikes layout) and 1.1 (the SONATA spike-file layout).
 * Every HDF5 failure becomes SQ_EIO/SQ_EFORMAT naming the file and the object. Tested in
 * tests/test_sonata.c. */
#include "sonata_reader.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sonata_h5.h"

#define BLOCK ((hsize_t)1 << 20) /* elements read at once: 8 MiB per array */

/* One population's datasets, opened. */
typedef struct {
    char where[300]; /* "/spikes/<name>" or "/spikes" */
    hid_t grp, ts, ids;
    const char *ids_name;
    hsize_t n;
    double scale; /* to ms */
} pop_ds;

static void close_id(hid_t *id, herr_t (*fn)(hid_t))
{
    if (*id >= 0)
        fn(*id);
    *id = -1;
}

static void pop_close(pop_ds *d)
{
    close_id(&d->ids, H5Dclose);
    close_id(&d->ts, H5Dclose);
    close_id(&d->grp, H5Gclose);
}

static int open_file(const char *path, hid_t *file, sq_err *err)
{
    char why[256];
    *file = -1;
    if (access(path, R_OK) != 0)
        return sq_fail(err, SQ_EIO, "%s: cannot open the spike file: %s", path, strerror_r(errno, why, sizeof why));
    if (H5Fis_hdf5(path) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return sq_fail(err, SQ_EFORMAT, "%s: expected an HDF5 file, got no HDF5 signature", path);
    }
    if ((*file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: cannot open as HDF5 (damaged or truncated?): %s", path,
                       sq__h5_reason(why, sizeof why));
    return 0;
}

/* Reads a one-element string attribute, variable or fixed length, into buf. Returns 1 when found,
 * 0 when absent, -1 when it is not a readable string. */
static int read_str_attr(hid_t obj, const char *name, char *buf, size_t n)
{
    if (H5Aexists(obj, name) <= 0)
        return 0;
    int rc = -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), ft = a >= 0 ? H5Aget_type(a) : -1, mt = -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    if (ft < 0 || sp < 0 || H5Tget_class(ft) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1)
        goto done;
    if (H5Tis_variable_str(ft) > 0) {
        char *s = NULL;
        mt = H5Tcopy(H5T_C_S1);
        if (mt >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0 && H5Tset_cset(mt, H5Tget_cset(ft)) >= 0 &&
            H5Aread(a, mt, &s) >= 0 && s) {
            snprintf(buf, n, "%s", s);
            H5free_memory(s);
            rc = 1;
        }
    } else {
        size_t sz = H5Tget_size(ft);
        char *s = calloc(sz + 1, 1);
        mt = H5Tcopy(ft);
        if (s && mt >= 0 && H5Aread(a, mt, s) >= 0) {
            while (sz > 0 && (s[sz - 1] == ' ' || s[sz - 1] == '\0'))
                s[--sz] = '\0';
            snprintf(buf, n, "%s", s);
            rc = 1;
        }
        free(s);
    }
done:
    close_id(&mt, H5Tclose);
    close_id(&sp, H5Sclose);
    close_id(&ft, H5Tclose);
    close_id(&a, H5Aclose);
    return rc;
}

/* Reads a scalar numeric attribute converted to mem_type. 1 found, 0 absent, -1 wrong class. */
static int read_num_attr(hid_t obj, const char *name, H5T_class_t cls, hid_t mem_type, void *v)
{
    if (H5Aexists(obj, name) <= 0)
        return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), ft = a >= 0 ? H5Aget_type(a) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    int rc = ft >= 0 && sp >= 0 && H5Tget_class(ft) == cls && H5Sget_simple_extent_npoints(sp) == 1 &&
                     H5Aread(a, mem_type, v) >= 0
                 ? 1
                 : -1;
    close_id(&sp, H5Sclose);
    close_id(&ft, H5Tclose);
    close_id(&a, H5Aclose);
    return rc;
}

static sq_spike_sorting sorting_from_name(const char *s)
{
    if (strcmp(s, "none") == 0)
        return SQ_SORTING_NONE;
    if (strcmp(s, "by_id") == 0 || strcmp(s, "id") == 0 || strcmp(s, "by_gid") == 0)
        return SQ_SORTING_BY_ID;
    if (strcmp(s, "by_time") == 0 || strcmp(s, "time") == 0)
        return SQ_SORTING_BY_TIME;
    return SQ_SORTING_UNKNOWN;
}

/* `sorting` as an HDF5 enum (SONATA, libsonata) or a string (bmtk). Never fails: anything else is
 * "unknown", which only costs an optimisation (data.md 1.4 rule 4). */
static sq_spike_sorting read_sorting(hid_t obj)
{
    char name[64] = "";
    if (H5Aexists(obj, "sorting") <= 0)
        return SQ_SORTING_UNKNOWN;
    hid_t a = H5Aopen(obj, "sorting", H5P_DEFAULT), ft = a >= 0 ? H5Aget_type(a) : -1, mt = -1;
    if (ft >= 0 && H5Tget_class(ft) == H5T_ENUM && H5Tget_size(ft) <= 8) {
        unsigned char raw[8] = {0};
        mt = H5Tget_native_type(ft, H5T_DIR_DEFAULT);
        if (mt < 0 || H5Aread(a, mt, raw) < 0 || H5Tenum_nameof(mt, raw, name, sizeof name) < 0)
            name[0] = '\0';
    }
    close_id(&mt, H5Tclose);
    close_id(&ft, H5Tclose);
    close_id(&a, H5Aclose);
    if (!name[0] && read_str_attr(obj, "sorting", name, sizeof name) != 1)
        name[0] = '\0';
    H5Eclear2(H5E_DEFAULT);
    return sorting_from_name(name);
}

static int open_1d(const char *path, const pop_ds *d, const char *name, H5T_class_t cls, hid_t *out,
                   hsize_t *n, sq_err *err)
{
    char why[256];
    if (H5Lexists(d->grp, name, H5P_DEFAULT) <= 0)
        return sq_fail(err, SQ_EFORMAT, "%s: %s/%s: expected a dataset, got nothing", path, d->where, name);
    if ((*out = H5Dopen2(d->grp, name, H5P_DEFAULT)) < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: %s/%s: expected a dataset, cannot open it: %s", path, d->where,
                       name, sq__h5_reason(why, sizeof why));
    hid_t t = H5Dget_type(*out), sp = H5Dget_space(*out);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (rank == 1)
        H5Sget_simple_extent_dims(sp, n, NULL);
    close_id(&sp, H5Sclose);
    close_id(&t, H5Tclose);
    if (c != cls || rank != 1)
        return sq_fail(err, SQ_EFORMAT, "%s: %s/%s: expected a 1-D %s dataset, got rank %d of class %d", path,
                       d->where, name, cls == H5T_FLOAT ? "floating-point" : "integer", rank, (int)c);
    return 0;
}

/* Opens group `name` of /spikes (NULL: /spikes itself, the legacy layout) and checks its datasets. */
static int pop_open(const char *path, hid_t spikes, const char *name, pop_ds *d, sq_err *err)
{
    char why[256], units[32];
    hsize_t n_ids = 0;
    int rc;
    snprintf(d->where, sizeof d->where, name ? "/spikes/%s" : "/spikes", name);
    d->ts = d->ids = -1;
    d->n = 0;
    d->scale = 1.0;
    if ((d->grp = H5Gopen2(spikes, name ? name : ".", H5P_DEFAULT)) < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: %s: cannot open the group: %s", path, d->where,
                       sq__h5_reason(why, sizeof why));
    d->ids_name = H5Lexists(d->grp, "node_ids", H5P_DEFAULT) > 0 || H5Lexists(d->grp, "gids", H5P_DEFAULT) <= 0
                      ? "node_ids"
                      : "gids";
    if ((rc = open_1d(path, d, "timestamps", H5T_FLOAT, &d->ts, &d->n, err)) < 0 ||
        (rc = open_1d(path, d, d->ids_name, H5T_INTEGER, &d->ids, &n_ids, err)) < 0)
        return rc;
    if (n_ids != d->n)
        return sq_fail(err, SQ_EFORMAT, "%s: %s: timestamps and %s: expected the same length, got %llu and %llu",
                       path, d->where, d->ids_name, (unsigned long long)d->n, (unsigned long long)n_ids);
    int found = read_str_attr(d->ts, "units", units, sizeof units);
    if (found < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: %s/timestamps: units: expected a string, got another type", path,
                       d->where);
    if (found && strcmp(units, "s") == 0)
        d->scale = 1000.0;
    else if (found && strcmp(units, "ms") != 0)
        return sq_fail(err, SQ_EFORMAT, "%s: %s/timestamps: units: expected \"ms\" or \"s\", got \"%s\"", path,
                       d->where, units);
    return 0;
}

static int read_block(const char *path, const pop_ds *d, int ids, hsize_t off, hsize_t k, void *buf, sq_err *err)
{
    char why[256];
    hid_t ds = ids ? d->ids : d->ts, fs = H5Dget_space(ds), ms = H5Screate_simple(1, &k, NULL);
    int ok = fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &k, NULL) >= 0 &&
             H5Dread(ds, ids ? H5T_NATIVE_UINT64 : H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) >= 0;
    close_id(&ms, H5Sclose);
    close_id(&fs, H5Sclose);
    if (!ok)
        return sq_fail(err, SQ_EFORMAT, "%s: %s/%s: cannot read elements %llu..%llu: %s", path, d->where,
                       ids ? d->ids_name : "timestamps", (unsigned long long)off,
                       (unsigned long long)(off + k), sq__h5_reason(why, sizeof why));
    return 0;
}

/* Names of the populations: the child groups of /spikes, or one "" for the legacy flat layout. */
static int list_pops(const char *path, hid_t file, hid_t *spikes, char ***names, size_t *n, int *legacy,
                     sq_err *err)
{
    char why[256];
    H5G_info_t info;
    *n = 0;
    *names = NULL;
    if (H5Lexists(file, "spikes", H5P_DEFAULT) <= 0 || (*spikes = H5Gopen2(file, "spikes", H5P_DEFAULT)) < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: /spikes: expected a group of spike populations, got nothing", path);
    *legacy = H5Lexists(*spikes, "timestamps", H5P_DEFAULT) > 0;
    if (*legacy) {
        if (!(*names = calloc(1, sizeof **names)) || !((*names)[0] = strdup("")))
            return sq_fail(err, SQ_ENOMEM, "%s: out of memory", path);
        *n = 1;
        return 0;
    }
    if (H5Gget_info(*spikes, &info) < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: /spikes: cannot list: %s", path, sq__h5_reason(why, sizeof why));
    if (info.nlinks > 0 && !(*names = calloc(info.nlinks, sizeof **names)))
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", path);
    for (hsize_t i = 0; i < info.nlinks; i++) {
        char name[256];
        ssize_t len = H5Lget_name_by_idx(*spikes, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        if (len < 0 || (size_t)len >= sizeof name)
            return sq_fail(err, SQ_EFORMAT, "%s: /spikes: link %llu: expected a name under 256 bytes", path,
                           (unsigned long long)i);
        hid_t o = H5Oopen(*spikes, name, H5P_DEFAULT);
        int is_group = o >= 0 && H5Iget_type(o) == H5I_GROUP;
        close_id(&o, H5Oclose);
        H5Eclear2(H5E_DEFAULT);
        if (!is_group)
            continue; /* a dangling link or a stray dataset is not a population */
        if (!((*names)[*n] = strdup(name)))
            return sq_fail(err, SQ_ENOMEM, "%s: out of memory", path);
        (*n)++;
    }
    return 0;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Distinct ids of a population without n_nodes: a bitmap over [0, max_id] when that is not much
 * larger than the data, else sort a copy. */
static int count_distinct(const char *path, const pop_ds *d, uint64_t max_id, uint64_t *buf, uint64_t *out,
                          sq_err *err)
{
    int rc = 0;
    uint64_t count = 0, bits = max_id + 1;
    if (max_id < ((uint64_t)1 << 27) || max_id < 8 * (uint64_t)d->n) {
        unsigned char *seen = calloc(bits / 8 + 1, 1);
        if (!seen)
            return sq_fail(err, SQ_ENOMEM, "%s: %s: out of memory counting neurons", path, d->where);
        for (hsize_t off = 0; rc == 0 && off < d->n; off += BLOCK) {
            hsize_t k = d->n - off < BLOCK ? d->n - off : BLOCK;
            if ((rc = read_block(path, d, 1, off, k, buf, err)) < 0)
                break;
            for (hsize_t i = 0; i < k; i++) {
                count += !(seen[buf[i] >> 3] & (1u << (buf[i] & 7)));
                seen[buf[i] >> 3] |= (unsigned char)(1u << (buf[i] & 7));
            }
        }
        free(seen);
    } else {
        uint64_t *all = malloc(d->n * sizeof *all);
        if (!all)
            return sq_fail(err, SQ_ENOMEM, "%s: %s: out of memory counting neurons", path, d->where);
        if ((rc = read_block(path, d, 1, 0, d->n, all, err)) == 0) {
            qsort(all, d->n, sizeof *all, cmp_u64);
            for (hsize_t i = 0; i < d->n; i++)
                count += i == 0 || all[i] != all[i - 1];
        }
        free(all);
    }
    *out = count;
    return rc;
}

/* One pass over the population in blocks: count, time range, ids checked against n_nodes and
 * counted in a bitmap when n_nodes is known. */
static int scan_pop(const char *path, const pop_ds *d, sq_spike_pop_summary *s, sq_err *err)
{
    int rc = 0;
    uint64_t max_id = 0;
    hsize_t cap = d->n < BLOCK ? d->n : BLOCK;
    double *t = malloc((cap ? cap : 1) * sizeof *t);
    uint64_t *ids = malloc((cap ? cap : 1) * sizeof *ids);
    unsigned char *seen = s->n_nodes ? calloc(s->n_nodes / 8 + 1, 1) : NULL;
    if (!t || !ids || (s->n_nodes && !seen)) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: %s: out of memory", path, d->where);
        goto done;
    }
    for (hsize_t off = 0; off < d->n; off += BLOCK) {
        hsize_t k = d->n - off < BLOCK ? d->n - off : BLOCK;
        if ((rc = read_block(path, d, 0, off, k, t, err)) < 0 || (rc = read_block(path, d, 1, off, k, ids, err)) < 0)
            goto done;
        for (hsize_t i = 0; i < k; i++) {
            double ti = t[i] * d->scale;
            s->t_first = off + i == 0 || ti < s->t_first ? ti : s->t_first;
            s->t_last = off + i == 0 || ti > s->t_last ? ti : s->t_last;
            max_id = ids[i] > max_id ? ids[i] : max_id;
            if (!seen)
                continue;
            if (ids[i] >= s->n_nodes) {
                rc = sq_fail(err, SQ_EFORMAT, "%s: %s/%s: expected ids below n_nodes = %llu, got %llu", path,
                             d->where, d->ids_name, (unsigned long long)s->n_nodes, (unsigned long long)ids[i]);
                goto done;
            }
            s->n_active += !(seen[ids[i] >> 3] & (1u << (ids[i] & 7)));
            seen[ids[i] >> 3] |= (unsigned char)(1u << (ids[i] & 7));
        }
    }
    if (!seen && d->n > 0)
        rc = count_distinct(path, d, max_id, ids, &s->n_active, err);
done:
    free(seen);
    free(ids);
    free(t);
    return rc;
}

static int summarize_pop(const char *path, hid_t spikes, const char *name, int legacy, sq_spike_pop_summary *s,
                         sq_err *err)
{
    pop_ds d;
    int rc = pop_open(path, spikes, legacy ? NULL : name, &d, err);
    if (rc < 0)
        goto done;
    if (!(s->name = strdup(name))) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    s->sorting = read_sorting(d.grp);
    if (s->sorting == SQ_SORTING_UNKNOWN)
        s->sorting = read_sorting(d.ids); /* the legacy place (data.md 1.4 rule 2) */
    if (read_num_attr(d.grp, "n_nodes", H5T_INTEGER, H5T_NATIVE_UINT64, &s->n_nodes) < 0) {
        rc = sq_fail(err, SQ_EFORMAT, "%s: %s: n_nodes: expected a scalar integer attribute", path, d.where);
        goto done;
    }
    s->n_spikes = d.n;
    s->t_first = s->t_last = NAN;
    rc = scan_pop(path, &d, s, err);
done:
    pop_close(&d);
    return rc;
}

void sq_spike_file_summary_free(sq_spike_file_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->pops && i < s->n_pops; i++)
        free(s->pops[i].name);
    free(s->pops);
    free(s);
}

static int read_interval(const char *path, hid_t spikes, sq_spike_file_summary *s, sq_err *err)
{
    int a = read_num_attr(spikes, "t_start", H5T_FLOAT, H5T_NATIVE_DOUBLE, &s->t_start);
    int b = read_num_attr(spikes, "t_stop", H5T_FLOAT, H5T_NATIVE_DOUBLE, &s->t_stop);
    if (a < 0 || b < 0)
        return sq_fail(err, SQ_EFORMAT, "%s: /spikes: %s: expected a scalar floating-point attribute in ms", path,
                       a < 0 ? "t_start" : "t_stop");
    if (a == 0)
        s->t_start = NAN;
    if (b == 0)
        s->t_stop = NAN;
    return 0;
}

int sq_spike_file_read_summary(const char *path, sq_spike_file_summary **out, sq_err *err)
{
    hid_t file = -1, spikes = -1;
    char **names = NULL;
    size_t n = 0;
    int legacy = 0, rc;
    sq_spike_file_summary *s = NULL;
    sq__h5_quiet q;
    if (out)
        *out = NULL;
    if (!path || !out)
        return sq_fail(err, SQ_EINVAL, "sq_spike_file_read_summary: arguments: expected a path and an out pointer, "
                       "got NULL");
    sq__h5_quiet_begin(&q);
    if ((rc = open_file(path, &file, err)) < 0 || (rc = list_pops(path, file, &spikes, &names, &n, &legacy, err)) < 0)
        goto done;
    if (!(s = calloc(1, sizeof *s)) || (n > 0 && !(s->pops = calloc(n, sizeof *s->pops)))) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    s->n_pops = n;
    if ((rc = read_interval(path, spikes, s, err)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if ((rc = summarize_pop(path, spikes, names[i], legacy, &s->pops[i], err)) < 0)
            goto done;
    }
    *out = s;
    s = NULL;
done:
    sq_spike_file_summary_free(s);
    free_names(names, n);
    close_id(&spikes, H5Gclose);
    close_id(&file, H5Fclose);
    H5Eclear2(H5E_DEFAULT);
    sq__h5_quiet_end(&q);
    return rc;
}

double sq_spike_file_mean_rate_hz(const sq_spike_file_summary *s, size_t pop)
{
    if (!s || pop >= s->n_pops || s->pops[pop].n_nodes == 0 || !(s->t_stop > s->t_start))
        return NAN;
    /* spikes per neuron per ms, times 1000 ms/s */
    return (double)s->pops[pop].n_spikes / (double)s->pops[pop].n_nodes / (s->t_stop - s->t_start) * 1000.0;
}

int sq_spike_file_read_population(const char *path, const char *pop, double **t, uint64_t **ids, size_t *n,
                                  sq_err *err)
{
    hid_t file = -1, spikes = -1;
    char **names = NULL;
    size_t n_names = 0;
    int legacy = 0, rc;
    pop_ds d = {.grp = -1, .ts = -1, .ids = -1};
    double *tv = NULL;
    uint64_t *iv = NULL;
    sq__h5_quiet q;
    if (!path || !pop || !t || !ids || !n)
        return sq_fail(err, SQ_EINVAL, "sq_spike_file_read_population: arguments: expected a path, a population "
                       "and three out pointers, got NULL");
    *t = NULL;
    *ids = NULL;
    *n = 0;
    sq__h5_quiet_begin(&q);
    if ((rc = open_file(path, &file, err)) < 0 ||
        (rc = list_pops(path, file, &spikes, &names, &n_names, &legacy, err)) < 0)
        goto done;
    size_t i = 0;
    while (i < n_names && strcmp(names[i], pop) != 0)
        i++;
    if (i == n_names) {
        rc = sq_fail(err, SQ_EINVAL, "%s: /spikes/%s: expected a population of the file, got no such group", path,
                     pop);
        goto done;
    }
    if ((rc = pop_open(path, spikes, legacy ? NULL : pop, &d, err)) < 0)
        goto done;
    if (!(tv = malloc((d.n ? d.n : 1) * sizeof *tv)) || !(iv = malloc((d.n ? d.n : 1) * sizeof *iv))) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: %s: out of memory for %llu spikes", path, d.where, (unsigned long long)d.n);
        goto done;
    }
    if (d.n > 0 && ((rc = read_block(path, &d, 0, 0, d.n, tv, err)) < 0 || (rc = read_block(path, &d, 1, 0, d.n, iv, err)) < 0))
        goto done;
    for (hsize_t k = 0; k < d.n && d.scale != 1.0; k++)
        tv[k] *= d.scale;
    if (d.n > 0) {
        *t = tv;
        *ids = iv;
        tv = NULL;
        iv = NULL;
    }
    *n = d.n;
done:
    free(iv);
    free(tv);
    pop_close(&d);
    free_names(names, n_names);
    close_id(&spikes, H5Gclose);
    close_id(&file, H5Fclose);
    H5Eclear2(H5E_DEFAULT);
    sq__h5_quiet_end(&q);
    return rc;
}
