"""experiments/desire/desire_torch.py: desire backpropagation (Gerlinghoff, Luo, Goh & Wong,
Neurocomputing 2023, doi:10.1016/j.neucom.2023.126773, arXiv 2211.05412) in plain PyTorch on the CPU,
written from ../shared/specs/learning.md section 1, which reads the authors' desire_pytorch.py
(DanielGerlinghoff/desire-backpropagation @ b93267d). It is the reference the simulator's own
implementation is checked against, so it computes the way the authors' code does: dense float32 tensor
ops, one sample at a time (online learning, batch size 1), one thread unless --threads says otherwise.

Model (spec section 1.1): a fully connected net 784-1000-100-10 (Fashion-MNIST) or 784-1600-800-10
(MNIST), no bias, T = 20 steps per sample. Pixels x = pixel/255 drive non-leaky integrate-and-fire
inputs; every layer is LIF with V = 0.75 V + W input, spike if V >= 1, reset by subtracting 1. Layer 1
sees the input spikes of the same step, every deeper layer the spikes of the layer below one step
earlier. Training draws dropout masks once per sample (input and hidden neurons), then computes the
ternary desire of every neuron from the spike counts (1.2) and applies the causal STDP-like update
W += eta * sum over the desired neurons' spikes of sign * presynaptic trace (1.3).
Evaluation: no dropout; a sample is correct iff the label neuron's spike count is the unique maximum.

numpy_forward_counts() is a second, pure-numpy float32 forward pass written independently of the torch
one (no T+1 spike arrays, its own data path); --check-numpy N compares the two on N test samples.

Usage (Debian's /usr/bin/python3, which has torch, numpy and h5py):
  desire_torch.py --eval-only --weights ../shared/data/desire_fashion_mnist_weights.h5 [--check-numpy N]
                  [--predictions OUT.h5]                  # paper: 87.56 %, spec 1.8: 87.60 % (8760/10000)
  desire_torch.py [--dataset fashion-mnist|mnist] [--epochs E] [--train-samples N] [--test-samples N]
                  [--seed S] [--threads K] [--out DIR] [--save FILE.h5]
  MNIST is not packaged: --dataset mnist --data DIR, with DIR holding the four IDX files (gzip or not).
Weight files are HDF5 with float32 datasets W1, W2, W3 at the root, shape [out][in].
"""
import argparse
import gzip
import math
import os
import struct
import sys
import time


def _threads_from_argv(argv):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_known_args(argv)[0].threads


if __name__ == "__main__":
    # Debian's torch and numpy both call OpenBLAS, which reads its thread count once, when it is
    # loaded; torch.set_num_threads does not reach it. So set it before the imports below.
    os.environ["OPENBLAS_NUM_THREADS"] = str(_threads_from_argv(sys.argv[1:]))

import h5py
import numpy as np
import torch

# Hyperparameters (spec 1.5), the same for both datasets.
T_STEPS = 20
THETA = 1.0            # membrane threshold, also the amount subtracted at a spike
LEAK = 0.75            # (2^k - 1) / 2^k with mempot_decay k = 2; also the trace decay
MARGIN = 4             # error margin M: a spike count of T - M = 16 counts as "enough"
THETA_OUT = 0.30       # desire threshold of the output layer (compared with >)
THETA_HID = 0.05       # desire threshold of the hidden layers (compared with >=)
ETA0 = 1e-5            # learning rate of linear layers at epoch 0
ETA_DECAY = 0.04       # eta(epoch) = ETA0 * exp(-ETA_DECAY * epoch)

DATASETS = {
    "fashion-mnist": {"sizes": (784, 1000, 100, 10), "dropout": (0.05, 0.40), "epochs": 600,
                      "data": "/usr/share/datasets/fashion-mnist"},
    "mnist": {"sizes": (784, 1600, 800, 10), "dropout": (0.0, 0.3), "epochs": 150, "data": None},
}


# ---------------------------------------------------------------------------------------------------
# Data

def read_idx(path):
    """An IDX file (gzip'd if the name ends in .gz) of unsigned bytes, as a numpy uint8 array."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0:2] != b"\0\0" or raw[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if data.size != math.prod(dims):
        raise ValueError(f"{path}: {data.size} bytes of data for dimensions {dims}")
    return data.reshape(dims)


def load_split(data_dir, split):
    """Raw (images [n][784] uint8, labels [n] uint8) of split "train" or "t10k"."""
    def find(stem):
        for name in (stem + ".gz", stem):
            if os.path.exists(os.path.join(data_dir, name)):
                return os.path.join(data_dir, name)
        raise FileNotFoundError(f"{data_dir}: no {stem}[.gz]")
    images = read_idx(find(f"{split}-images-idx3-ubyte"))
    labels = read_idx(find(f"{split}-labels-idx1-ubyte"))
    if len(images) != len(labels):
        raise ValueError(f"{data_dir}: {len(images)} {split} images but {len(labels)} labels")
    return images.reshape(len(images), -1), labels


def to_torch(images, labels):
    # Like torchvision's ToTensor: float32 division of the bytes by 255, no normalisation.
    return torch.from_numpy(images.copy()).to(torch.float32) / 255.0, torch.from_numpy(labels.astype(np.int64))


def read_weights(path):
    with h5py.File(path, "r") as f:
        weights, l = [], 1
        while f"W{l}" in f:
            weights.append(np.asarray(f[f"W{l}"], dtype=np.float32))
            l += 1
    if not weights:
        raise ValueError(f"{path}: no dataset W1")
    for l in range(1, len(weights)):
        if weights[l].shape[1] != weights[l - 1].shape[0]:
            raise ValueError(f"{path}: W{l + 1} is {weights[l].shape}, W{l} is {weights[l - 1].shape}")
    return weights


def write_weights(path, weights, note):
    with h5py.File(path, "w") as f:
        for l, w in enumerate(weights, 1):
            f.create_dataset(f"W{l}", data=np.asarray(w, dtype=np.float32))
        f.attrs["network"] = note


# ---------------------------------------------------------------------------------------------------
# The torch model (spec 1.1 - 1.3)

class DesireNet:
    """Weights W[l] ([out][in] float32 tensors) of a fully connected spiking net and the three steps
    of one training sample: forward (T steps), desire (backward), update."""

    def __init__(self, weights, p_in=0.0, p_hid=0.0):
        self.W = [torch.as_tensor(np.asarray(w, dtype=np.float32)).clone() for w in weights]
        self.p_in, self.p_hid = p_in, p_hid
        self.sizes = [self.W[0].shape[1]] + [w.shape[0] for w in self.W]
        # Weight-change buffers, reused every sample: a fresh 3 MB tensor per sample sits above glibc's
        # mmap threshold, and mapping and zeroing it again each time made training 4 times slower.
        self.dW = [torch.empty_like(w) for w in self.W]

    @classmethod
    def kaiming(cls, sizes, p_in, p_hid):
        # Kaiming normal, fan_in, gain sqrt(2): W ~ N(0, 2/fan_in), drawn from torch's global RNG.
        weights = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            w = torch.empty(n_out, n_in)
            torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
            weights.append(w)
        return cls(weights, p_in, p_hid)

    def draw_masks(self):
        """Dropout masks (Bernoulli(1 - p), bool) of the input and each hidden layer, for one sample."""
        probs = [self.p_in] + [self.p_hid] * (len(self.W) - 1)
        return [torch.bernoulli(torch.full((n,), 1.0 - p)).bool() for n, p in zip(self.sizes, probs)]

    def forward(self, x, masks=None):
        """Run one sample x ([784] float32) for T steps. masks=None is test mode (no dropout);
        with masks (from draw_masks) it is training mode, which also records the presynaptic traces.
        Returns (spk, traces): spk[l] is [T+1][n_l] binary float32, row n+1 = spikes of layer l at step
        n (row 0 = 0); traces[l] (l >= 1, training only) is [T][n_{l-1}], row n = trace of layer l's
        input after the input of step n was added."""
        train = masks is not None
        L = len(self.W)
        # keep[l] = 1 - p of layer l's dropout: the scaling of its spikes into the next membrane.
        keep = [1.0 - self.p_in] + [1.0 - self.p_hid] * (L - 1) + [1.0] if train else [1.0] * (L + 1)
        spk = [torch.zeros(T_STEPS + 1, n) for n in self.sizes]
        v = [torch.zeros(n) for n in self.sizes]           # v[0]: the input encoder's potentials
        trace = [None] + [torch.zeros(n) for n in self.sizes[:-1]]
        traces = [None] + [torch.zeros(T_STEPS, n) for n in self.sizes[:-1]] if train else None
        for n in range(T_STEPS):
            # Input encoder: non-leaky IF per pixel. A dropped input keeps integrating and is never reset.
            v[0] += x
            s = v[0] >= THETA
            if train:
                s &= masks[0]
            spk[0][n + 1] = s
            v[0] -= THETA * spk[0][n + 1]
            for l in range(1, L + 1):
                # Layer 1 reads the encoder's spikes of this step (row n+1); deeper layers read row n,
                # the spikes of the layer below one step earlier. This delay is the authors' (spec 1.7).
                a = (spk[l - 1][n + 1] if l == 1 else spk[l - 1][n]) / keep[l - 1]
                v[l] = LEAK * v[l] + self.W[l - 1] @ a     # leak first, then integrate
                s = v[l] >= THETA
                if train and l < L:
                    s &= masks[l]                          # a dropped neuron integrates but never fires
                spk[l][n + 1] = s
                v[l] -= THETA * spk[l][n + 1]
                if train:
                    # The trace sees the binary spike: min(., 1) removes the dropout scaling.
                    trace[l] = LEAK * trace[l] + torch.clamp(a, max=1.0)
                    traces[l][n] = trace[l]
        return spk, traces

    def desire(self, counts, label, masks):
        """Ternary desire (spec 1.2) from the spike counts (counts[l], float32, l = 1..L), with the
        current weights. Returns act[l], pos[l] (bool, l = 1..L): desire +1 = act & pos, -1 = act & !pos."""
        L = len(self.W)
        target = float(T_STEPS - MARGIN)
        act, pos = [None] * (L + 1), [None] * (L + 1)
        pos[L] = torch.zeros(self.sizes[L], dtype=torch.bool)
        pos[L][label] = True
        err = counts[L] / target                          # wrong neurons: they should not spike
        err[label] = 1.0 - err[label]                     # label neuron: signed, negative if above 16
        act[L] = err > THETA_OUT
        for l in range(L, 1, -1):
            p = pos[l].to(torch.float32)
            e = (p - counts[l] / target).abs()            # L1 loss of each neuron of layer l
            mask = masks[l].to(torch.float32) if l < L else 1.0
            sgn = (2.0 * p - 1.0) * act[l].to(torch.float32) * mask
            s = self.W[l - 1].t() @ (e * sgn)              # S_j = sum_i W[i][j] e_i sgn_i
            act[l - 1] = s.abs() >= THETA_HID
            pos[l - 1] = s > 0
        return act, pos

    def update(self, spk, traces, act, pos, masks, eta):
        """W += eta * sum over the steps where a neuron with a desire spiked of sign * trace (spec 1.3):
        causal only, summed over steps (not averaged); a desired neuron that never spikes gets nothing."""
        L = len(self.W)
        for l in range(1, L + 1):
            gate = act[l] & masks[l] if l < L else act[l]
            sgn = (2.0 * pos[l].to(torch.float32) - 1.0) * gate.to(torch.float32)
            post = spk[l][1:] * sgn                        # [T][n_l]: +-1 at the gated spikes
            dw = torch.mm(post.t(), traces[l], out=self.dW[l - 1])
            dw *= eta                                      # eta rounded to float32 by torch
            self.W[l - 1] += dw

    def train_sample(self, x, label, eta):
        masks = self.draw_masks()
        spk, traces = self.forward(x, masks)
        counts = [s.sum(0) for s in spk]
        act, pos = self.desire(counts, label, masks)      # before any weight changes
        self.update(spk, traces, act, pos, masks, eta)

    def output_counts(self, x):
        spk, _ = self.forward(x)
        return spk[-1].sum(0).to(torch.int32)


def torch_counts(net, images):
    return torch.stack([net.output_counts(x) for x in images]).numpy()


def score(counts, labels):
    """Correct iff the label neuron's count is the unique maximum (ties and all-zero are wrong)."""
    counts = np.asarray(counts, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    label_count = counts[np.arange(len(labels)), labels]
    others = counts.copy()
    others[np.arange(len(labels)), labels] = -1
    return int(np.sum(label_count > others.max(axis=1)))


# ---------------------------------------------------------------------------------------------------
# Independent numpy forward pass (test mode)

def numpy_forward_counts(weights, images, T=20, leak=0.75, theta=1.0):
    """Output spike counts [n][n_out] (int32) of the test-mode forward pass (no dropout), in numpy
    float32 only: images [n][784] float32 in [0, 1] (or uint8 bytes, then divided by 255 in float32)."""
    ws = [np.ascontiguousarray(w, dtype=np.float32) for w in weights]
    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / np.float32(255.0)
    images = images.astype(np.float32, copy=False).reshape(len(images), -1)
    leak, theta = np.float32(leak), np.float32(theta)
    counts = np.zeros((len(images), ws[-1].shape[0]), dtype=np.int32)
    for k, x in enumerate(images):
        v_in = np.zeros(x.shape, np.float32)
        v = [np.zeros(w.shape[0], np.float32) for w in ws]
        last = [np.zeros(w.shape[0], np.float32) for w in ws]     # each layer's spikes one step ago
        for _ in range(T):
            v_in += x
            inp = (v_in >= theta).astype(np.float32)
            v_in -= theta * inp
            now = []
            for l, w in enumerate(ws):
                v[l] = leak * v[l] + w @ inp
                s = (v[l] >= theta).astype(np.float32)
                v[l] -= theta * s
                now.append(s)
                inp = last[l]               # the next layer integrates this layer's previous spikes
            last = now
            counts[k] += now[-1].astype(np.int32)
    return counts


# ---------------------------------------------------------------------------------------------------

def accuracy_line(correct, n):
    return f"test accuracy: {100.0 * correct / n:.2f} % ({correct}/{n})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", choices=sorted(DATASETS), default="fashion-mnist")
    ap.add_argument("--data", help="folder of the four IDX files (default: the Debian Fashion-MNIST folder)")
    ap.add_argument("--dropout", type=float, nargs=2, metavar=("P_IN", "P_HID"),
                    help="dropout probabilities (default: per dataset, spec 1.5)")
    ap.add_argument("--epochs", type=int, help="default: 600 Fashion-MNIST, 150 MNIST (spec 1.5)")
    ap.add_argument("--train-samples", type=int, help="train on the first N of each shuffle (default all)")
    ap.add_argument("--test-samples", type=int, help="test on the first N test samples (default all)")
    ap.add_argument("--weights", help="start from these weights (HDF5, W1.. [out][in]) instead of Kaiming")
    ap.add_argument("--eval-only", action="store_true", help="only test the weights, no training")
    ap.add_argument("--predictions", help="with --eval-only: write counts [n][n_out] and labels [n] here")
    ap.add_argument("--check-numpy", type=int, metavar="N", default=0,
                    help="compare the torch and numpy forward passes on the first N test samples")
    ap.add_argument("--seed", type=int, default=0, help="seeds the init, the dropout and the shuffles")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", help="folder for history.csv and best.h5 (weights of the best test epoch)")
    ap.add_argument("--save", help="write the final weights here (HDF5, W1.. [out][in])")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    cfg = DATASETS[args.dataset]
    data_dir = args.data or cfg["data"]
    if data_dir is None:
        ap.error(f"{args.dataset} is not packaged: give --data DIR with its four IDX files")
    p_in, p_hid = args.dropout if args.dropout else cfg["dropout"]
    epochs = cfg["epochs"] if args.epochs is None else args.epochs

    test_raw, test_labels_raw = load_split(data_dir, "t10k")
    n_test = len(test_raw) if args.test_samples is None else min(args.test_samples, len(test_raw))
    test_x, test_y = to_torch(test_raw[:n_test], test_labels_raw[:n_test])

    torch.manual_seed(args.seed)
    if args.weights:
        net = DesireNet(read_weights(args.weights), p_in, p_hid)
    else:
        net = DesireNet.kaiming(cfg["sizes"], p_in, p_hid)
    if net.sizes[0] != test_x.shape[1]:
        sys.exit(f"the net has {net.sizes[0]} inputs, the images {test_x.shape[1]} pixels")
    note = (f"{'-'.join(map(str, net.sizes))}, T={T_STEPS} steps, leak {LEAK}, threshold {THETA}, "
            f"reset by subtraction; desire backpropagation, experiments/desire/desire_torch.py")

    counts = None
    if args.eval_only:
        counts = torch_counts(net, test_x)
        print(accuracy_line(score(counts, test_y.numpy()), n_test), flush=True)
        if args.predictions:
            with h5py.File(args.predictions, "w") as f:
                f.create_dataset("counts", data=counts.astype(np.int32))
                f.create_dataset("labels", data=test_y.numpy().astype(np.int32))
    else:
        train_raw, train_labels_raw = load_split(data_dir, "train")
        train_x, train_y = to_torch(train_raw, train_labels_raw)
        n_train = len(train_x) if args.train_samples is None else min(args.train_samples, len(train_x))
        shuffle = torch.Generator().manual_seed(args.seed)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            history = open(os.path.join(args.out, "history.csv"), "w")
            history.write("epoch,train_seconds,ms_per_sample,correct,test_samples,accuracy_percent\n")
        best, best_epoch, train_seconds = -1, -1, []
        for epoch in range(epochs):
            eta = ETA0 * math.exp(-ETA_DECAY * epoch)
            order = torch.randperm(len(train_x), generator=shuffle)[:n_train]
            t0 = time.perf_counter()
            for i in order.tolist():
                net.train_sample(train_x[i], int(train_y[i]), eta)
            train_seconds.append(time.perf_counter() - t0)
            correct = score(torch_counts(net, test_x), test_y.numpy())
            ms = 1e3 * train_seconds[-1] / max(n_train, 1)
            print(f"epoch {epoch}: train {train_seconds[-1]:.1f} s ({ms:.2f} ms/sample) "
                  f"{accuracy_line(correct, n_test)}", flush=True)
            if args.out:
                history.write(f"{epoch},{train_seconds[-1]:.3f},{ms:.4f},{correct},{n_test},"
                              f"{100.0 * correct / n_test:.2f}\n")
                history.flush()
            if correct > best:                     # the paper reports the best epoch
                best, best_epoch = correct, epoch
                if args.out:
                    write_weights(os.path.join(args.out, "best.h5"), net.W, note)
        if epochs > 0:
            mean = sum(train_seconds) / len(train_seconds)
            print(f"best {accuracy_line(best, n_test)} at epoch {best_epoch}")
            print(f"seconds per epoch: {mean:.1f}")
            if n_train < 60000:
                print(f"seconds per 60000 samples: {mean * 60000 / max(n_train, 1):.1f}")
        if args.out:
            history.close()
        if args.save:
            write_weights(args.save, net.W, note)

    if args.check_numpy > 0:
        n = min(args.check_numpy, n_test)
        ref = counts[:n] if counts is not None else torch_counts(net, test_x[:n])
        mine = numpy_forward_counts([w.numpy() for w in net.W], test_raw[:n])
        same = int(np.sum(np.all(ref == mine, axis=1)))
        print(f"numpy check: {same} of {n} samples give the same counts as torch "
              f"(numpy {accuracy_line(score(mine, test_labels_raw[:n]), n)})")


if __name__ == "__main__":
    main()
