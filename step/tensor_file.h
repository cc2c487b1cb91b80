/* step/tensor_file.h: HDF5 files of named float tensors and scalar attributes: the weights files and
 * checkpoints of layered networks (layers/CONFIG.md "Weights file"). A file is written under a
 * temporary name and renamed into place on close, so an interrupted write never replaces a good
 * file with a partial one. Reads check every dataset's shape and name the file, the dataset, the
 * expected and the actual shape. Tested in tests/test_net.c. */
#ifndef SQ_TENSOR_FILE_H
#define SQ_TENSOR_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/error.h"

typedef struct sq_tensor_file sq_tensor_file;

/* Creates path (through path.tmp-<pid>; the rename happens in sq_tensor_file_close). Thread: any. */
int sq_tensor_file_create(const char *path, sq_tensor_file **out, sq_err *err);
/* Opens an existing file for reading. */
int sq_tensor_file_open(const char *path, sq_tensor_file **out, sq_err *err);
/* Closes; a created file is renamed into place only when every write succeeded and the flush does.
 * Always frees f (NULL is a no-op and returns 0). */
int sq_tensor_file_close(sq_tensor_file *f, sq_err *err);
/* Closes a created file without renaming it into place (its temporary is removed). */
void sq_tensor_file_abandon(sq_tensor_file *f);

/* A float32 dataset at `name` ("/layers/conv0/weight"; groups are created) of rank dims. */
int sq_tensor_file_put(sq_tensor_file *f, const char *name, uint32_t rank, const uint32_t *dims, const float *v,
                       sq_err *err);
/* Reads the float dataset `name`, which must have exactly the shape dims of rank; any numeric type
 * is converted. Missing: SQ_EFORMAT naming it. */
int sq_tensor_file_get(sq_tensor_file *f, const char *name, uint32_t rank, const uint32_t *dims, float *v,
                       sq_err *err);
/* The shape of dataset `name` (at most 8 axes). Missing: SQ_EFORMAT. */
int sq_tensor_file_dims(sq_tensor_file *f, const char *name, uint32_t *rank, uint32_t dims[8], sq_err *err);
/* 1 when a dataset or group `name` exists. */
int sq_tensor_file_has(sq_tensor_file *f, const char *name);

/* Scalar attributes of the root group. */
int sq_tensor_file_put_attr(sq_tensor_file *f, const char *name, double v, sq_err *err);
int sq_tensor_file_put_attr_str(sq_tensor_file *f, const char *name, const char *v, sq_err *err);
/* Missing: SQ_EFORMAT; def_ok != 0 makes a missing attribute read as *v unchanged, returning 0. */
int sq_tensor_file_get_attr(sq_tensor_file *f, const char *name, double *v, int def_ok, sq_err *err);
/* String attribute into buf (cap bytes), "" when missing. */
int sq_tensor_file_get_attr_str(sq_tensor_file *f, const char *name, char *buf, size_t cap, sq_err *err);

const char *sq_tensor_file_path(const sq_tensor_file *f);

#endif
