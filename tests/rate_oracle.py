#!/usr/bin/python3
"""tests/rate_oracle.py: the rate-network rules of spikeq (step/rate_train.h) against their PyTorch
form written from the authors' codes (experiments/burstccn/rate_torch.py), on Fashion-MNIST: for
each of experiments/burstccn/burstccn.json, experiments/burstccn/backprop.json and
experiments/burstprop/burstprop.json, both start from the same random weights (the network's and
the rule's feedback and recurrent weights), train on the first 640 training images in order (20
batches of 32) and save every weight. They must agree to float32 rounding: for every tensor,
max |spikeq - torch| <= 1e-4 max |initial| + 1e-3 max |change|, and the change must be real (the
test can fail). Needs python3-torch (suite "torch").
usage: rate_oracle.py BUILD_DIR SOURCE_ROOT"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from checks import check, finish

BUILD, ROOT = sys.argv[1], sys.argv[2]
DRIVER = os.path.join(BUILD, "tests", "rate_oracle_driver")
TORCH = os.path.join(ROOT, "experiments", "burstccn", "rate_torch.py")
CASES = [("burstccn", "burstccn"), ("burstccn", "backprop"), ("burstprop", "burstprop")]
SAMPLES = 640


def init_weights(path, sizes, rule, rng):
    L = len(sizes) - 1
    with h5py.File(path, "w") as f:
        for l in range(1, L + 1):
            f["layers/fc%d/weight" % l] = (rng.standard_normal((sizes[l], sizes[l - 1])) *
                                          3.6 * np.sqrt(2 / (sizes[l] + sizes[l - 1]))).astype(np.float32)
            f["layers/fc%d/bias" % l] = (0.1 * rng.standard_normal(sizes[l])).astype(np.float32)
        if rule == "burstccn":
            for l in range(1, L):
                y = (0.5 * rng.standard_normal((sizes[l + 1], sizes[l]))).astype(np.float32)
                f["burstccn/Y%d" % l] = y
                f["burstccn/Q%d" % l] = (0.5 * y).astype(np.float32)
        if rule == "burstprop":
            for l in range(2, L + 1):
                f["burstprop/Y%d" % l] = rng.standard_normal((sizes[l], sizes[l - 1])).astype(np.float32)
            for l in range(1, L):
                f["burstprop/W_r%d" % l] = rng.uniform(-0.01, 0.01, (sizes[l], sizes[l])).astype(np.float32)


def tensors(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, np.asarray(o, np.float64)) if isinstance(o, h5py.Dataset) else None)
    return out


def main():
    rng = np.random.default_rng(11)
    with tempfile.TemporaryDirectory() as tmp:
        for folder, name in CASES:
            c = json.load(open(os.path.join(ROOT, "experiments", folder, name + ".json")))
            c["data"]["samples"] = 1000
            c["training"]["threads"] = 1
            cfg = os.path.join(tmp, "%s_%s.json" % (folder, name))
            json.dump(c, open(cfg, "w"))
            rule, sizes = c["training"]["rule"], c["network"]["sizes"]
            init = os.path.join(tmp, name + "_init.h5")
            init_weights(init, sizes, rule, rng)
            ours, theirs = os.path.join(tmp, name + "_sq.h5"), os.path.join(tmp, name + "_torch.h5")
            r = subprocess.run([DRIVER, cfg, init, str(SAMPLES), ours], capture_output=True, text=True)
            check("%s/%s: spikeq driver exit 0" % (folder, name), r.returncode == 0, r.stderr)
            r = subprocess.run(["/usr/bin/python3", TORCH, cfg, "--init", init, "--no-shuffle", "--batches",
                                str(SAMPLES // c["training"]["batch"]), "--save", theirs, "--threads", "1"],
                               capture_output=True, text=True)
            check("%s/%s: rate_torch.py exit 0" % (folder, name), r.returncode == 0, r.stderr[-2000:])
            if not (os.path.exists(ours) and os.path.exists(theirs)):
                continue
            a, b, i0 = tensors(ours), tensors(theirs), tensors(init)
            check("%s/%s: the same tensors" % (folder, name), set(i0) <= set(a) and set(i0) <= set(b),
                  "%s %s" % (sorted(a), sorted(b)))
            for k in sorted(i0):
                if k not in a or k not in b:
                    continue
                change = np.abs(a[k] - i0[k]).max()
                diff = np.abs(a[k] - b[k]).max()
                tol = 1e-4 * np.abs(i0[k]).max() + 1e-3 * change
                check("%s/%s %s: |spikeq - torch| %.3g <= %.3g (change %.3g)" % (folder, name, k, diff, tol, change),
                      diff <= tol, "")
                if k.endswith("weight"):
                    check("%s/%s %s: the weights moved" % (folder, name, k), change > 1e-4, str(change))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
