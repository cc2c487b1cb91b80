/* step/net_spikes.h: the spikes of chosen layers of a layered network, for chosen samples of its
 * last forward pass, as a SONATA spike report (io/sonata_writer.h): one population per (layer,
 * sample), named "<layer>_s<sample id>", node ids the features in PyTorch's (C, H, W) flattening,
 * time = step * dt. So the rasters of a trained network open in the tools that read SONATA (h5py,
 * libsonata, bmtk, `spikeq raster`). Tested in tests/test_train_cli.py. */
#ifndef SQ_NET_SPIKES_H
#define SQ_NET_SPIKES_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* layers[0..n_layers) are layer indices of net whose outputs are spikes (or counts: a count k is k
 * spikes at that step); batch positions pos[0..n_samples) of the last forward pass are written under
 * the names "<layer>_s<ids[k]>". Returns 0, SQ_EINVAL (a layer that is not spiking, a position
 * outside the batch) or the writer's error (SQ_EIO naming the file). Thread: main. */
int sq_net_write_spikes(sq_net *net, const char *path, const int *layers, size_t n_layers, const uint32_t *pos,
                        const uint64_t *ids, size_t n_samples, double dt, sq_err *err);

#endif
