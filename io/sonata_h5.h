/* io/sonata_h5.h: small HDF5 helpers shared by the SONATA spike writer and reader (internal).
 * Core C API only (H5A/H5D/H5E/H5S/H5T), numbered calls, never H5LT: data.md section 5 says only the
 * C binding is safe in a thread-safe build. Tested through tests/test_sonata.c. */
#ifndef SQ_SONATA_H5_H
#define SQ_SONATA_H5_H

#include <hdf5.h>
#include <stddef.h>

/* HDF5 prints its error stack to stderr by default; library code must not print, so each entry
 * point silences it for the calling thread and restores the caller's setting on the way out. */
typedef struct {
    H5E_auto2_t fn;
    void *data;
    int saved;
} sq__h5_quiet;

void sq__h5_quiet_begin(sq__h5_quiet *q);
void sq__h5_quiet_end(const sq__h5_quiet *q);

/* The most specific description on the calling thread's HDF5 error stack, copied into buf, or
 * "unknown HDF5 error" when the stack is empty; clears the stack. Returns buf. */
const char *sq__h5_reason(char *buf, size_t n);

/* Creates (replacing any existing) attribute `name` on obj: a scalar when n == 0, else a 1-D array
 * of n elements. Returns 0 or -1 (details on the HDF5 error stack). */
int sq__h5_attr_put(hid_t obj, const char *name, hid_t file_type, hid_t mem_type, hsize_t n,
                    const void *value);

/* Same for a scalar variable-length UTF-8 string, the form SONATA readers expect for `units`. */
int sq__h5_attr_put_str(hid_t obj, const char *name, const char *s);

/* The SONATA `sorting` enum on uint8: none = 0, by_id = 1, by_time = 2 (data.md 1.3). The caller
 * closes it with H5Tclose. Returns a negative id on failure. */
hid_t sq__h5_sorting_type(void);

/* Extends a chunked dataset from old_rows to old_rows + rows along its first dimension and writes
 * buf there: a 1-D dataset when cols == 0, else rows x cols. Returns 0 or -1. */
int sq__h5_append(hid_t dset, hid_t mem_type, hsize_t old_rows, hsize_t rows, hsize_t cols,
                  const void *buf);

/* Creates group `name` in loc without modification times, so that the same spikes always give the
 * same bytes (HDF5 stamps objects with their creation time by default). Returns it or -1. */
hid_t sq__h5_group(hid_t loc, const char *name);

#endif
