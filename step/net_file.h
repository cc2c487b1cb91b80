/* step/net_file.h: a layered network's parameters in HDF5 (layers/CONFIG.md "Weights file"):
 * /layers/<layer>/<param> float32 in PyTorch's layouts, root attributes format =
 * "spikeq-layered-weights" and version = 1. Checkpoints (step/train.h) add to the same file.
 * Tested in tests/test_net.c and, with PyTorch's state, in tests/layered_oracle.py. */
#ifndef SQ_NET_FILE_H
#define SQ_NET_FILE_H

#include "net.h"
#include "tensor_file.h"

#define SQ_WEIGHTS_FORMAT "spikeq-layered-weights"

/* Writes every parameter and buffer, and the format attributes. */
int sq_net_write_params(sq_net *net, sq_tensor_file *f, sq_err *err);
/* Reads every parameter and buffer; a missing one or a wrong shape is SQ_EFORMAT naming the file, the
 * dataset and both shapes, and leaves the network unchanged. */
int sq_net_read_params(sq_net *net, sq_tensor_file *f, sq_err *err);

/* Whole-file forms. Thread: main (not during a pass). */
int sq_net_save(sq_net *net, const char *path, sq_err *err);
int sq_net_load(sq_net *net, const char *path, sq_err *err);

#endif
