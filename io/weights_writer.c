/* io/weights_writer.c: weight snapshots of a projection into the output file, beside the spikes:
 *   /weights/<projection>              attrs source, target (population names), units (weight unit)
 *   /weights/<projection>/source_ids   uint64 [n]   population-local, sorted by (source, target, delay)
 *   /weights/<projection>/target_ids   uint64 [n]
 *   /weights/<projection>/delays       float32 [n], ms
 *   /weights/<projection>/times        float64 [k], ms: when each snapshot was taken
 *   /weights/<projection>/weights      float32 [k x n], row i = the weights at times[i]; chunked by
 *                                      row, shuffle + deflate
 * (spikeq's own group; SONATA defines none for weights.) Called on the loop thread, like every HDF5
 * call of the writer, before sq_spike_writer_close(). Tested in tests/test_cli.py (h5py). */
#include <stdio.h>
#include <stdlib.h>

#include "sonata_h5.h"
#include "sonata_writer_internal.h"
#include "weights_writer.h"

/* Writes dataset `name` of rank 1 ({n}) or 2 ({rows, cols}) at once; deflate > 0 chunks it by row
 * and compresses it (shuffle + deflate). Returns 0 or -1. */
static int put(hid_t grp, const char *name, hid_t file_type, hid_t mem_type, int rank, const hsize_t *dims, int deflate,
               const void *v)
{
    hsize_t count = rank == 1 ? dims[0] : dims[0] * dims[1];
    hsize_t chunk[2] = {1, rank == 2 && dims[1] ? dims[1] : 1};
    if (chunk[1] > ((hsize_t)1 << 22))
        chunk[1] = (hsize_t)1 << 22; /* at most 16 MiB a chunk */
    hid_t sp = H5Screate_simple(rank, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), d = -1;
    int rc = -1;
    if (sp >= 0 && dcpl >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0 &&
        (deflate == 0 || count == 0 ||
         (H5Pset_chunk(dcpl, rank, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
          H5Pset_deflate(dcpl, (unsigned)deflate) >= 0)))
        d = H5Dcreate2(grp, name, file_type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d >= 0 && (count == 0 || H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0))
        rc = 0;
    if (d >= 0)
        H5Dclose(d);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

static int put_1d(hid_t grp, const char *name, hid_t file_type, hid_t mem_type, hsize_t n, const void *v)
{
    return put(grp, name, file_type, mem_type, 1, &n, 0, v);
}

static int write_group(sq_spike_writer *w, hid_t grp, const sq_weight_series *s)
{
    size_t n = s->synapses->n;
    uint64_t *ids = malloc((n + 1) * sizeof *ids);
    int ok = ids != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ids[i] = s->synapses->source[i];
    ok = ok && put_1d(grp, "source_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, n, ids) == 0;
    for (size_t i = 0; ok && i < n; i++)
        ids[i] = s->synapses->target[i];
    ok = ok && put_1d(grp, "target_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, n, ids) == 0;
    free(ids);
    return ok && put_1d(grp, "delays", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, s->synapses->delay) == 0 &&
           put_1d(grp, "times", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s->n_times, s->times) == 0 &&
           put(grp, "weights", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, (hsize_t[]){s->n_times, n}, w->deflate, s->weights) == 0 && sq__h5_attr_put_str(grp, "source", s->source) == 0 &&
           sq__h5_attr_put_str(grp, "target", s->target) == 0 && sq__h5_attr_put_str(grp, "units", s->units) == 0
               ? 0
               : -1;
}

int sq_spike_writer_put_weights(sq_spike_writer *w, const sq_weight_series *s, sq_err *err)
{
    char why[256];
    sq__h5_quiet q;
    sq__h5_quiet_begin(&q);
    int rc = 0;
    hid_t top = -1, grp = -1;
    if (w->file < 0)
        rc = sq_fail(err, SQ_EIO, "%s: cannot write /weights/%s: the file is not open", w->path, s->projection);
    if (rc == 0 && H5Lexists(w->file, "weights", H5P_DEFAULT) > 0)
        top = H5Gopen2(w->file, "weights", H5P_DEFAULT);
    else if (rc == 0)
        top = sq__h5_group(w->file, "weights");
    if (rc == 0 && (top < 0 || (grp = sq__h5_group(top, s->projection)) < 0 || write_group(w, grp, s) < 0))
        rc = sq_fail(err, SQ_EIO, "%s: cannot write /weights/%s: %s", w->path, s->projection, sq__h5_reason(why, sizeof why));
    if (grp >= 0)
        H5Gclose(grp);
    if (top >= 0)
        H5Gclose(top);
    sq__h5_quiet_end(&q);
    return rc;
}
