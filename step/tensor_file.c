/* step/tensor_file.c: HDF5 files of named float tensors (step/tensor_file.h). Core C API only, as
 * io/sonata_h5.h explains; the HDF5 error stack is silenced and its reason put in our messages. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../io/sonata_h5.h"
#include "tensor_file.h"

struct sq_tensor_file {
    hid_t file;
    char *path, *tmp; /* tmp: the name being written, NULL when reading */
    int failed;
};

static int fail_h5(sq_err *err, int code, const char *path, const char *what)
{
    char reason[256];
    return sq_fail(err, code, "%s: %s (%s)", path, what, sq__h5_reason(reason, sizeof reason));
}

int sq_tensor_file_create(const char *path, sq_tensor_file **out, sq_err *err)
{
    *out = NULL;
    sq_tensor_file *f = calloc(1, sizeof *f);
    size_t n = strlen(path) + 32;
    if (!f || !(f->path = strdup(path)) || !(f->tmp = malloc(n))) {
        if (f)
            free(f->path);
        free(f);
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", path);
    }
    snprintf(f->tmp, n, "%s.tmp-%ld", path, (long)getpid());
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0)
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    f->file = H5Fcreate(f->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl >= 0 ? fapl : H5P_DEFAULT);
    if (fapl >= 0)
        H5Pclose(fapl);
    int rc = 0;
    if (f->file < 0)
        rc = fail_h5(err, SQ_EIO, f->tmp, "cannot create the file");
    sq__h5_quiet_end(&q);
    if (rc < 0) {
        free(f->tmp);
        free(f->path);
        free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int sq_tensor_file_open(const char *path, sq_tensor_file **out, sq_err *err)
{
    *out = NULL;
    sq_tensor_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return sq_fail(err, SQ_ENOMEM, "%s: out of memory", path);
    }
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    if (access(path, R_OK) != 0)
        rc = sq_fail(err, SQ_EIO, "%s: cannot read the file", path);
    else if (H5Fis_hdf5(path) <= 0)
        rc = sq_fail(err, SQ_EFORMAT, "%s: not an HDF5 file (or a truncated one)", path);
    else if ((f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        rc = fail_h5(err, SQ_EFORMAT, path, "cannot open the HDF5 file");
    sq__h5_quiet_end(&q);
    if (rc < 0) {
        free(f->path);
        free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int sq_tensor_file_close(sq_tensor_file *f, sq_err *err)
{
    if (!f)
        return 0;
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    if (f->tmp && H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0)
        rc = fail_h5(err, SQ_EIO, f->tmp, "cannot flush the file");
    if (H5Fclose(f->file) < 0 && rc == 0)
        rc = fail_h5(err, SQ_EIO, f->tmp ? f->tmp : f->path, "cannot close the file");
    sq__h5_quiet_end(&q);
    if (f->tmp) {
        if (rc == 0 && f->failed)
            rc = sq_fail(err, SQ_EIO, "%s: not written, an earlier write failed", f->path);
        if (rc == 0 && rename(f->tmp, f->path) != 0)
            rc = sq_fail(err, SQ_EIO, "%s: cannot rename %s into place", f->path, f->tmp);
        if (rc < 0)
            unlink(f->tmp);
    }
    free(f->tmp);
    free(f->path);
    free(f);
    return rc;
}

void sq_tensor_file_abandon(sq_tensor_file *f)
{
    if (f)
        f->failed = 1;
    sq_tensor_file_close(f, NULL);
}

/* Creates every missing group on the way to name's last component. */
static int make_groups(hid_t file, const char *name)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", name);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
            hid_t g = H5Gcreate2(file, buf, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (g < 0)
                return -1;
            H5Gclose(g);
        }
        *p = '/';
    }
    return 0;
}

int sq_tensor_file_put(sq_tensor_file *f, const char *name, uint32_t rank, const uint32_t *dims, const float *v,
                       sq_err *err)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    hsize_t hd[8];
    for (uint32_t i = 0; i < rank && i < 8; i++)
        hd[i] = dims[i];
    hid_t sp = -1, d = -1;
    int ok = make_groups(f->file, name) == 0 && (sp = H5Screate_simple((int)rank, hd, NULL)) >= 0 &&
             (d = H5Dcreate2(f->file, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0;
    int rc = ok ? 0 : fail_h5(err, SQ_EIO, f->tmp ? f->tmp : f->path, name);
    if (d >= 0)
        H5Dclose(d);
    if (sp >= 0)
        H5Sclose(sp);
    sq__h5_quiet_end(&q);
    if (rc < 0)
        f->failed = 1;
    return rc;
}

static void shape_text(char *buf, size_t cap, uint32_t rank, const hsize_t *d)
{
    buf[0] = '\0';
    for (uint32_t i = 0; i < rank; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%llu", i ? " x " : "", (unsigned long long)d[i]);
    }
    if (rank == 0)
        snprintf(buf, cap, "a scalar");
}

int sq_tensor_file_get(sq_tensor_file *f, const char *name, uint32_t rank, const uint32_t *dims, float *v,
                       sq_err *err)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    hid_t d = -1, sp = -1;
    hsize_t want[8], got[8] = {0};
    for (uint32_t i = 0; i < rank && i < 8; i++)
        want[i] = dims[i];
    char ws[96], gs[96];
    shape_text(ws, sizeof ws, rank, want);
    if (H5Lexists(f->file, name, H5P_DEFAULT) <= 0 || (d = H5Dopen2(f->file, name, H5P_DEFAULT)) < 0) {
        rc = sq_fail(err, SQ_EFORMAT, "%s: %s: expected a dataset of %s floats, got nothing", f->path, name, ws);
        goto done;
    }
    sp = H5Dget_space(d);
    int r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (r >= 0 && r <= 8)
        H5Sget_simple_extent_dims(sp, got, NULL);
    int same = r == (int)rank;
    for (uint32_t i = 0; same && i < rank; i++)
        same = got[i] == want[i];
    if (!same) {
        shape_text(gs, sizeof gs, r < 0 || r > 8 ? 0 : (uint32_t)r, got);
        rc = sq_fail(err, SQ_EFORMAT, "%s: %s: expected shape %s, got %s", f->path, name, ws, gs);
        goto done;
    }
    if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        rc = fail_h5(err, SQ_EFORMAT, f->path, name);
done:
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    sq__h5_quiet_end(&q);
    return rc;
}

int sq_tensor_file_dims(sq_tensor_file *f, const char *name, uint32_t *rank, uint32_t dims[8], sq_err *err)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    hid_t d = -1, sp = -1;
    hsize_t got[8];
    if (!sq_tensor_file_has(f, name) || (d = H5Dopen2(f->file, name, H5P_DEFAULT)) < 0)
        rc = sq_fail(err, SQ_EFORMAT, "%s: %s: expected a dataset, got nothing", f->path, name);
    int r = rc == 0 && (sp = H5Dget_space(d)) >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (rc == 0 && (r < 0 || r > 8))
        rc = sq_fail(err, SQ_EFORMAT, "%s: %s: expected a dataset of at most 8 axes", f->path, name);
    if (rc == 0) {
        H5Sget_simple_extent_dims(sp, got, NULL);
        *rank = (uint32_t)r;
        for (int i = 0; i < r; i++)
            dims[i] = got[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)got[i];
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    sq__h5_quiet_end(&q);
    return rc;
}

int sq_tensor_file_has(sq_tensor_file *f, const char *name)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", name);
    int ok = 1;
    /* H5Lexists needs every intermediate group to exist. */
    for (char *p = buf + 1; ok && *p; p++)
        if (*p == '/') {
            *p = '\0';
            ok = H5Lexists(f->file, buf, H5P_DEFAULT) > 0;
            *p = '/';
        }
    ok = ok && H5Lexists(f->file, buf, H5P_DEFAULT) > 0;
    sq__h5_quiet_end(&q);
    return ok;
}

int sq_tensor_file_put_attr(sq_tensor_file *f, const char *name, double v, sq_err *err)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = sq__h5_attr_put(f->file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &v) == 0
                 ? 0
                 : fail_h5(err, SQ_EIO, f->tmp ? f->tmp : f->path, name);
    sq__h5_quiet_end(&q);
    if (rc < 0)
        f->failed = 1;
    return rc;
}

int sq_tensor_file_put_attr_str(sq_tensor_file *f, const char *name, const char *v, sq_err *err)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = sq__h5_attr_put_str(f->file, name, v) == 0 ? 0 : fail_h5(err, SQ_EIO, f->tmp ? f->tmp : f->path, name);
    sq__h5_quiet_end(&q);
    if (rc < 0)
        f->failed = 1;
    return rc;
}

int sq_tensor_file_get_attr(sq_tensor_file *f, const char *name, double *v, int def_ok, sq_err *err)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    if (H5Aexists(f->file, name) <= 0) {
        if (!def_ok)
            rc = sq_fail(err, SQ_EFORMAT, "%s: attribute %s: expected a number, got nothing", f->path, name);
    } else {
        hid_t a = H5Aopen(f->file, name, H5P_DEFAULT);
        if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
            rc = fail_h5(err, SQ_EFORMAT, f->path, name);
        if (a >= 0)
            H5Aclose(a);
    }
    sq__h5_quiet_end(&q);
    return rc;
}

int sq_tensor_file_get_attr_str(sq_tensor_file *f, const char *name, char *buf, size_t cap, sq_err *err)
{
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    buf[0] = '\0';
    if (H5Aexists(f->file, name) > 0) {
        hid_t a = H5Aopen(f->file, name, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1;
        if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
            char *s = NULL;
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(t));
            if (H5Aread(a, mt, &s) >= 0 && s) {
                snprintf(buf, cap, "%s", s);
                H5free_memory(s);
            } else
                rc = fail_h5(err, SQ_EFORMAT, f->path, name);
            H5Tclose(mt);
        } else if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
            size_t n = H5Tget_size(t);
            char *s = calloc(n + 1, 1);
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, n);
            H5Tset_cset(mt, H5Tget_cset(t));
            if (s && H5Aread(a, mt, s) >= 0)
                snprintf(buf, cap, "%s", s);
            else
                rc = fail_h5(err, SQ_EFORMAT, f->path, name);
            free(s);
            H5Tclose(mt);
        } else
            rc = sq_fail(err, SQ_EFORMAT, "%s: attribute %s: expected a string", f->path, name);
        if (t >= 0)
            H5Tclose(t);
        if (a >= 0)
            H5Aclose(a);
    }
    sq__h5_quiet_end(&q);
    return rc;
}

const char *sq_tensor_file_path(const sq_tensor_file *f) { return f->path; }
