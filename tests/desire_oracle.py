#!/usr/bin/python3
"""tests/desire_oracle.py: desire backpropagation (step/desire.h) against an independent numpy
computation of ../shared/specs/learning.md §1, written here literally: spike arrays of length T + 1
with the one-step delay between hidden layers, the presynaptic trace X = lambda X + min(input, 1)
stepped every step, and the update summed at each postsynaptic spike. Checked, on Fashion-MNIST
test images (Debian's dataset-fashion-mnist) and the authors' trained weights:

  1. test-mode output spike counts of 300 images: identical (the numpy membrane sums the weights of
     the inputs that spiked in ascending order, as the C code does, so the float32 bits agree);
  2. twenty training steps with the masks the C code drew (read back from its output): every layer's
     spike counts and ternary desires identical, and the weights after the twenty updates within
     1e-6 of the largest change plus two float32 steps of each weight (the C code regroups the
     update's double sum: the same sum in another float32 order).

usage: desire_oracle.py BUILD_DIR"""
import gzip
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"
# The authors' weights (../shared/data/desire_fashion_mnist_weights.h5), copied into the tree so that
# a clean clone tests them.
WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "experiments", "desire", "authors_weights.h5")
T, THETA, LEAK, M = 20, np.float32(1.0), np.float32(0.75), 4
P_IN, P_HID, THR_OUT, THR_HID = 0.05, 0.40, np.float32(0.30), np.float32(0.05)
INFER, LEARN, ETA, SEED = 300, 20, 1e-3, 7


def images(n):
    with gzip.open(os.path.join(DATA, "t10k-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(os.path.join(DATA, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return (raw[: n * 784].reshape(n, 784).astype(np.float32) / np.float32(255)), labels[:n].astype(int)


def membrane_input(W, spikes):
    """sum_j W[:, j] over the inputs j that spiked, added in ascending j (float32, sequential)."""
    idx = np.flatnonzero(spikes)
    if idx.size == 0:
        return np.zeros(W.shape[0], np.float32)
    return np.cumsum(W[:, idx].T, axis=0, dtype=np.float32)[-1]


def forward(Ws, x, masks=None):
    """§1.1. masks: None (test) or the per-layer keep masks (input, hidden..., output all ones).
    Returns spikes[l] of shape [T + 1][n_l] (binary), where spikes[l][n + 1] is layer l's output at
    step n for hidden/output layers and spikes[0][n] the input's at step n."""
    training = masks is not None
    L = len(Ws)
    sizes = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    if masks is None:
        masks = [np.ones(n, bool) for n in sizes]
    spikes = [np.zeros((T + 1, n), np.float32) for n in sizes]
    vin = np.zeros(sizes[0], np.float32)
    for n in range(T):
        vin += x
        s = (vin >= THETA) & masks[0]
        vin -= THETA * s
        spikes[0][n] = s
    for l in range(1, L + 1):
        v = np.zeros(sizes[l], np.float32)
        p = P_IN if l == 1 else P_HID
        scale = np.float32(1.0) / (np.float32(1.0) - np.float32(p)) if training else np.float32(1.0)
        for n in range(T):
            consumed = spikes[0][n] if l == 1 else spikes[l - 1][n]  # layer l-1 wrote its step n-1 at [n]
            acc = membrane_input(Ws[l - 1], consumed)
            v = LEAK * v + (acc if scale == 1 else scale * acc)
            s = (v >= THETA) & masks[l]
            v -= THETA * s
            spikes[l][n + 1] = s
    return spikes


def counts_of(spikes, l):
    return spikes[l][:T].sum(0) if l == 0 else spikes[l][1:].sum(0)


def desire(Ws, spikes, label, masks):
    """§1.2: returns (act, pos) per layer 1..L, with the weights before the update."""
    L = len(Ws)
    target = np.float32(T - M)
    c = counts_of(spikes, L).astype(np.float32)
    pos = {L: np.arange(c.size) == label}
    err = np.where(pos[L], np.float32(1) - c / target, c / target).astype(np.float32)
    act = {L: err > THR_OUT}
    for l in range(L, 1, -1):
        cl = counts_of(spikes, l).astype(np.float32)
        e = np.abs(pos[l].astype(np.float32) - cl / target)
        sgn = (2 * pos[l].astype(np.float32) - 1) * act[l] * masks[l]
        S = Ws[l - 1].T @ (e * sgn)
        act[l - 1] = np.abs(S) >= THR_HID
        pos[l - 1] = S > 0
    return act, pos


def update(Ws, spikes, act, pos, eta):
    """§1.3 literally: the trace stepped every step, the change summed at postsynaptic spikes."""
    new = []
    for l in range(1, len(Ws) + 1):
        W = Ws[l - 1]
        X = np.zeros(W.shape[1], np.float32)
        dW = np.zeros_like(W)
        sgn = (2 * pos[l].astype(np.float32) - 1) * act[l]
        for n in range(T):
            consumed = spikes[0][n] if l == 1 else spikes[l - 1][n]
            X = LEAK * X + np.minimum(consumed, 1)
            post = spikes[l][n + 1] * sgn
            rows = np.flatnonzero(post)
            dW[rows] += post[rows, None] * X[None, :]
        new.append(W + np.float32(eta) * dW)
    return new


def main():
    build = sys.argv[1]
    driver = os.path.join(build, "tests", "desire_oracle_driver")
    with h5py.File(WEIGHTS, "r") as f:
        Ws = [np.asarray(f["W%d" % l], np.float32) for l in (1, 2, 3)]
    x, labels = images(max(INFER, LEARN))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.h5")
        subprocess.run([driver, WEIGHTS, out, str(INFER), str(LEARN), str(ETA), str(SEED)], check=True)
        with h5py.File(out, "r") as f:
            c_counts = np.asarray(f["counts"]).astype(int)
            got = {k: np.asarray(f[k]) for k in f.keys() if k != "layers"}
            c_W = [np.asarray(f["layers/fc%d/weight" % l]) for l in (1, 2, 3)]
    # 1. test-mode counts
    np_counts = np.stack([counts_of(forward(Ws, x[i]), 3) for i in range(INFER)]).astype(int)
    bad = np.flatnonzero((np_counts != c_counts).any(1))
    print("test-mode counts: %d of %d samples identical" % (INFER - bad.size, INFER))
    if bad.size:
        failures.append("test-mode counts differ for samples %s" % bad[:10].tolist())
    # 2. training steps with the C code's masks
    W = [w.copy() for w in Ws]
    for k in range(LEARN):
        masks = [got["mask%d_%d" % (l, k)].astype(bool) for l in range(4)]
        if masks[0].mean() > 0.99 or masks[1].mean() > 0.8:
            failures.append("sample %d: the masks do not look like dropout 0.05 / 0.40" % k)
        spikes = forward(W, x[k], masks)
        act, pos = desire(W, spikes, labels[k], masks)
        for l in range(4):
            if not np.array_equal(counts_of(spikes, l), got["count%d_%d" % (l, k)]):
                failures.append("sample %d layer %d: spike counts differ" % (k, l))
        for l in range(1, 4):
            ref = np.where(act[l], np.where(pos[l], 1, -1), 0)
            if not np.array_equal(ref, got["desire%d_%d" % (l, k)].astype(int)):
                failures.append("sample %d layer %d: desires differ at %d neurons" %
                                (k, l, int((ref != got["desire%d_%d" % (l, k)]).sum())))
        W = update(W, spikes, act, pos, ETA)
        print("training step %d: label %d, output counts %s, desires +%d/-%d (layer 1)" %
              (k, labels[k], counts_of(spikes, 3).astype(int).tolist(), int((act[1] & pos[1]).sum()),
               int((act[1] & ~pos[1]).sum())))
    for l in range(3):
        change = np.abs(W[l] - Ws[l]).max()
        diff = np.abs(c_W[l] - W[l])
        # Either order of the sum is exact to a few float32 steps of the weight itself (some of the
        # authors' weights exceed 100, where a step is 1.5e-5) plus 1e-6 of the largest change.
        limit = 1e-6 * change + 2 * np.spacing(np.abs(W[l]))
        print("layer %d: largest weight change %.4g, largest difference C - numpy %.3g, worst difference / limit %.2f" %
              (l + 1, change, diff.max(), (diff / limit).max()))
        if change == 0:
            failures.append("layer %d: the training steps did not change its weights" % (l + 1))
        elif (diff > limit).any():
            failures.append("layer %d: weights after the updates differ by up to %.3g, over the limit at %d weights" %
                            (l + 1, diff.max(), int((diff > limit).sum())))
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
