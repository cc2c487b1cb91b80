#!/usr/bin/python3
"""tests/test_encoder_cli.py: input encoders end to end through `spikeq run`: a config feeds
Fashion-MNIST (Debian's dataset-fashion-mnist) into a spike_source, and the SONATA file read back
with h5py holds exactly the spikes that a numpy float32 re-implementation of desire
backpropagation's rate coding (../shared/specs/learning.md §1.1) gives for the same images, read here
with Python's gzip; Poisson input is fixed by --seed; a bad encoder field exits 1 with its message.

usage: test_encoder_cli.py SPIKEQ_BINARY"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from checks import check, finish

SPIKEQ = sys.argv[1]
IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"



def config(tmp, encoder, t_stop):
    cfg = {"simulation": {"t_stop": t_stop, "seed": 1},
           "populations": [{"name": "in", "model": "spike_source", "n": 784, "encoder": encoder},
                           {"name": "out", "model": "lif_delta", "n": 10}],
           "projections": [{"source": "in", "target": "out", "connector": {"rule": "all_to_all"},
                            "weight": 0.01, "delay": 1.0}]}
    path = os.path.join(tmp, "net.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


def run_spikes(tmp, cfg, *extra):
    out = os.path.join(tmp, "spikes.h5")
    r = subprocess.run([SPIKEQ, "run", cfg, "--out", out, "-q", *extra], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        return None, r
    with h5py.File(out) as f:
        return (f["spikes/in/timestamps"][:], f["spikes/in/node_ids"][:]), r


def reference_rate(first, samples, steps, sample_time, gap):
    """learning.md §1.1: V += x (x = pixel / 255 in float32), spike when V >= 1, then V -= 1."""
    raw = gzip.open(IMAGES).read()
    im = np.frombuffer(raw[16:], dtype=np.uint8).reshape(-1, 784)
    spikes = []
    for k in range(samples):
        x = im[first + k].astype(np.float32) / np.float32(255.0)
        v = np.zeros(784, dtype=np.float32)
        for n in range(steps):
            v = v + x
            fired = v >= np.float32(1.0)
            v = np.where(fired, v - np.float32(1.0), v).astype(np.float32)
            spikes += [(k * (sample_time + gap) + n, int(i)) for i in np.nonzero(fired)[0]]
    return sorted(spikes)


def main(tmp):
    enc = {"kind": "rate", "dt": 1.0, "dataset": {"kind": "fashion-mnist", "split": "test"}, "samples": 3,
           "first_sample": 5, "sample_time": 20.0, "gap": 5.0}
    got, r = run_spikes(tmp, config(tmp, enc, 80.0))
    check("rate-coded Fashion-MNIST runs", got is not None, r.stderr)
    if got is not None:
        have = sorted(zip(got[0].tolist(), got[1].tolist()))
        want = reference_rate(5, 3, 20, 20.0, 5.0)
        check("input spikes equal the float32 reference", have == [(float(t), i) for t, i in want],
              (len(have), len(want)))
    enc = {"kind": "poisson", "max_rate": 50.0, "dataset": {"kind": "fashion-mnist", "split": "test"},
           "samples": 2, "sample_time": 100.0}
    cfg = config(tmp, enc, 200.0)
    a, _ = run_spikes(tmp, cfg)
    b, _ = run_spikes(tmp, cfg)
    c, _ = run_spikes(tmp, cfg, "--seed", "2")
    check("poisson input is fixed by the seed", a is not None and b is not None and
          np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]))
    check("another seed, other poisson input", a is not None and c is not None and
          (a[0].size != c[0].size or not np.array_equal(a[0], c[0])))
    enc["max_rate"] = "fast"
    r = subprocess.run([SPIKEQ, "run", config(tmp, enc, 200.0), "--out", os.path.join(tmp, "x.h5")],
                       capture_output=True, text=True, timeout=600)
    check("bad encoder field exits 1 naming it", r.returncode == 1 and
          "populations[0].encoder.max_rate: expected a non-negative number in Hz, got \"fast\"" in r.stderr,
          (r.returncode, r.stderr))


with tempfile.TemporaryDirectory() as tmp:
    main(tmp)
sys.exit(finish())
