/* io/sonata_h5.c: HDF5 helpers for the SONATA spike writer and reader (see sonata_h5.h).
 * Follows data.md section 1.4 (the validated C recipe). Tested through tests/test_sonata.c. */
#include "sonata_h5.h"

#include <stdio.h>
#include <string.h>

void sq__h5_quiet_begin(sq__h5_quiet *q)
{
    q->saved = H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data) >= 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void sq__h5_quiet_end(const sq__h5_quiet *q)
{
    if (q->saved)
        H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
}

typedef struct {
    char *buf;
    size_t n;
    int found;
} reason_ctx;

static herr_t take_first(unsigned k, const H5E_error2_t *e, void *ud)
{
    reason_ctx *c = ud;
    (void)k;
    if (c->found || !e->desc || !e->desc[0])
        return 0;
    snprintf(c->buf, c->n, "%s", e->desc);
    c->found = 1;
    return 0;
}

const char *sq__h5_reason(char *buf, size_t n)
{
    reason_ctx c = {buf, n, 0};
    /* Upward starts at the innermost frame, which says what actually went wrong ("truncated file:
     * eof = ..."); the outer frames only repeat "unable to open file". */
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_first, &c);
    H5Eclear2(H5E_DEFAULT);
    if (!c.found)
        snprintf(buf, n, "unknown HDF5 error");
    return buf;
}

int sq__h5_attr_put(hid_t obj, const char *name, hid_t file_type, hid_t mem_type, hsize_t n,
                    const void *value)
{
    int rc = -1;
    if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
        return -1;
    hid_t sp = n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    if (sp < 0)
        return -1;
    hid_t a = H5Acreate2(obj, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        rc = H5Awrite(a, mem_type, value) < 0 ? -1 : 0;
        H5Aclose(a);
    }
    H5Sclose(sp);
    return rc;
}

int sq__h5_attr_put_str(hid_t obj, const char *name, const char *s)
{
    hid_t st = H5Tcopy(H5T_C_S1);
    if (st < 0)
        return -1;
    int rc = -1;
    /* A vlen string is written from a char ** (data.md 1.4: "&ptr for vlen strings"). */
    if (H5Tset_size(st, H5T_VARIABLE) >= 0 && H5Tset_cset(st, H5T_CSET_UTF8) >= 0)
        rc = sq__h5_attr_put(obj, name, st, st, 0, &s);
    H5Tclose(st);
    return rc;
}

hid_t sq__h5_sorting_type(void)
{
    static const char *const names[] = {"none", "by_id", "by_time"};
    hid_t et = H5Tenum_create(H5T_STD_U8LE);
    if (et < 0)
        return -1;
    for (unsigned char v = 0; v < 3; v++) {
        if (H5Tenum_insert(et, names[v], &v) < 0) {
            H5Tclose(et);
            return -1;
        }
    }
    return et;
}

int sq__h5_append(hid_t dset, hid_t mem_type, hsize_t old_rows, hsize_t rows, hsize_t cols,
                  const void *buf)
{
    int rank = cols == 0 ? 1 : 2;
    hsize_t size[2] = {old_rows + rows, cols}, start[2] = {old_rows, 0}, count[2] = {rows, cols};
    if (rows == 0)
        return 0;
    if (H5Dset_extent(dset, size) < 0)
        return -1;
    hid_t fs = H5Dget_space(dset);
    if (fs < 0)
        return -1;
    int rc = -1;
    hid_t ms = H5Screate_simple(rank, count, NULL);
    if (ms >= 0) {
        if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
            H5Dwrite(dset, mem_type, ms, fs, H5P_DEFAULT, buf) >= 0)
            rc = 0;
        H5Sclose(ms);
    }
    H5Sclose(fs);
    return rc;
}

hid_t sq__h5_group(hid_t loc, const char *name)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), g = -1;
    if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0)
        g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    if (gcpl >= 0)
        H5Pclose(gcpl);
    return g;
}
