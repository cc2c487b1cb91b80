#!/usr/bin/python3
"""experiments/burstccn/rate_torch.py: three learning rules of sigmoid rate networks (multi-layer
perceptrons) in PyTorch, written as their authors' code runs them: dense float32 tensor ops and the
explicit update equations, no autograd. It reads the spikeq training config that the C rate trainer
reads (step/rule_backprop.c, step/rule_burstprop.c, step/rule_burstccn.c; learning.md §2.1.6, §2.2)
and serves
  (a) as the speed anchor of the C implementation (same network, batch and threads), and
  (b) as an independent oracle: from given initial weights it runs N batches in a given order and
      saves every weight, for a test to compare with the C code's.

Rules (training.rule), e_l = sigmoid(e_{l-1} W_l^T + b_l), y = one-hot target, p_b = p_baseline:
  backprop   the gradient of 0.5 * sum of squared errors: delta_L = -(y - e_L) e_L (1 - e_L),
             delta_l = (delta_{l+1} W_{l+1}) e_l (1 - e_l).
  burstprop  Payeur, Guerguiev, Zenke, Richards & Naud, "Burst-dependent synaptic plasticity can
             coordinate learning in hierarchical circuits", Nat. Neurosci. 24:1010 (2021); authors'
             code github.com/jordan-g/Burstprop. Bursts of layer l+1 go down through feedback Y_{l+1}
             (W_{l+1}'s shape), with and without the teaching signal; the burst probability of
             layer l is sigmoid(F (1 - e_l) - R), R a learned recurrent inhibition through W_r_l.
  burstccn   Greedy, Zhu, Pemberton, Mellor & Costa, "Single-phase deep learning in cortico-cortical
             networks" (BurstCCN), NeurIPS 2022; authors' code github.com/neuralml/BurstCCN. Apical
             potential a_l = btilde_{l+1} Y_l - e_{l+1} Q_l; burst probability sigmoid(4 a_l (1 - e_l));
             Q learned to cancel the bursts' baseline (or tied to p_b Y).
  All three: delta_l = -(btilde_l - b_l) for the burst rules, and the authors' burstprop SGD step:
  dW = -lr_l grad_W + momentum dW; W += dW - weight_decay W (biases: no decay),
  grad_W = delta_l^T e_{l-1}, grad_b = sum_batch delta_l, both / B when reduction = "mean".

Data: the IDX files of data.dir (gzip'd or not), pixels / 255, flattened to 784; data.samples (or
--samples) keeps the first N training and the first N test images. Weights start xavier_normal
(gain network.init_gain), biases 0, seeded with torch.manual_seed(training.seed): torch's stream,
not the C side's (use --init to start both from the same weights).

Weights file (HDF5, float32; --init reads it, --save writes it):
  /layers/fc<l>/weight [n_l][n_{l-1}], /layers/fc<l>/bias [n_l]       l = 1 .. L
  /burstccn/Y<l>, /burstccn/Q<l> [n_{l+1}][n_l]                        l = 1 .. L-1
  /burstprop/Y<l> [n_l][n_{l-1}] (l = 2 .. L), /burstprop/W_r<l> [n_l][n_l] (l = 1 .. L-1)
  Extra weights missing from an --init file get their random init. Tied feedback (burstccn Y / Q
  "tied") is always derived from W, whatever the file holds.

usage: rate_torch.py CONFIG.json [--epochs N] [--threads N] [--seed N] [--samples N]
                     [--init FILE.h5] [--save FILE.h5]
                     [--order FILE.npy | --no-shuffle] [--batches N]
                     [--time-batches N] [--check-autograd] [--teach-scale S]
  default          epochs of shuffled training, each followed by a test; prints per epoch
                   "epoch E: train loss L, train accuracy A %, test accuracy A %, S s training
                   (N samples/s)" (loss: MSE, mean over batch x classes, of the batches' forward pass
                   before their update), then "training samples/s: X" (mean over epochs, training
                   time only) and "test accuracy: A %" (last epoch).
  --batches N      run exactly N training batches and stop (no test). The order: --order FILE.npy
                   (1-D: a sequence of training indices, cut into batches of training.batch with
                   the last partial batch kept, and repeated if N batches need more; 2-D [N][B]:
                   one row per batch), --no-shuffle (0, 1, 2, ...), or else seeded randperm passes.
                   --order / --no-shuffle without --batches: one pass over the order.
  --time-batches N speed only: 5 warm-up batches, then N timed batches of random training samples;
                   prints "training samples/s: X" and exits.
  --check-autograd on the first training batch from the initial weights: the manual backprop
                   gradients against torch autograd of 0.5 * sum((e_L - y)^2) (max relative
                   difference, float32 and float64), and for a burst rule the cosine of each
                   layer's weight gradient with backprop's; then exits.
  --teach-scale S  multiply the output error (y - e_L) by S in the burst rules (a small S makes
                   tied-feedback BurstCCN approach backprop's direction).
Threads: --threads (else training.threads, else 1) sets torch's intra-op and inter-op pools and, when
torch's BLAS is OpenBLAS, OpenBLAS's own pool; OMP_WAIT_POLICY defaults to PASSIVE (see below)."""
import argparse
import copy
import gzip
import json
import os
import sys
import time

# Before torch loads libgomp: its OpenMP workers otherwise busy-wait after every parallel region,
# and with a BLAS that keeps a pthread pool of its own (Debian's torch calls the system OpenBLAS)
# the two pools fight over the cores: on 2 cores, --threads 2 ran ~3x slower than --threads 1.
# setdefault, so that OMP_WAIT_POLICY=ACTIVE in the environment still wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

RULES = ("backprop", "burstprop", "burstccn")
RULE_DEFAULTS = {
    "burstccn": {"p_baseline": 0.5, "Y": "random", "Y_scale": 0.5, "Y_lr": 0.0, "Q": "learned", "Q_lr": 0.000731},
    "burstprop": {"p_baseline": 0.2, "Y_scale": 1.0, "Y_learning": False, "recurrent": True,
                  "W_r_range": 0.01, "recurrent_lr": 1e-4},
    "backprop": {},
}
TRAINING_DEFAULTS = {"epochs": 1, "batch": 32, "lr": 0.1, "momentum": 0.0, "weight_decay": 0.0,
                     "reduction": "mean", "seed": 1, "threads": 1}


def fail(msg):
    raise SystemExit("rate_torch.py: " + msg)


# ----------------------------------------------------------------------------------------- config

def load_config(path, args):
    with open(path) as f:
        raw = json.load(f)
    data, network, training = raw.get("data", {}), raw.get("network", {}), raw.get("training", {})
    cfg = {k: training.get(k, v) for k, v in TRAINING_DEFAULTS.items()}
    cfg["rule"] = training.get("rule", "backprop")
    if cfg["rule"] not in RULES:
        fail("training.rule %r is not one of %s" % (cfg["rule"], ", ".join(RULES)))
    extra = dict(RULE_DEFAULTS[cfg["rule"]])
    unknown = set(training.get(cfg["rule"], {})) - set(extra)
    if unknown:
        fail("training.%s: unknown key(s) %s" % (cfg["rule"], ", ".join(sorted(unknown))))
    extra.update(training.get(cfg["rule"], {}))
    cfg["params"] = extra
    for key in ("epochs", "threads", "seed", "samples"):
        if getattr(args, key, None) is not None:
            cfg[key] = getattr(args, key)
    cfg["sizes"] = [int(n) for n in network.get("sizes", [])]
    if len(cfg["sizes"]) < 2 or min(cfg["sizes"]) < 1:
        fail("network.sizes must list at least the inputs and the outputs, all >= 1")
    cfg["init_gain"] = float(network.get("init_gain", 1.0))
    L = len(cfg["sizes"]) - 1
    lr = cfg["lr"]
    cfg["lr"] = [float(v) for v in lr] if isinstance(lr, list) else [float(lr)] * L
    if len(cfg["lr"]) != L:
        fail("training.lr has %d values for %d weight layers" % (len(cfg["lr"]), L))
    if cfg["reduction"] not in ("mean", "sum"):
        fail("training.reduction must be \"mean\" or \"sum\"")
    cfg["data_dir"] = data.get("dir", "/usr/share/datasets/fashion-mnist")
    if data.get("source", "idx") != "idx":
        fail("data.source %r: only \"idx\" is read here" % data.get("source"))
    if "samples" not in cfg:
        cfg["samples"] = data.get("samples")
    return cfg


# ------------------------------------------------------------------------------------------- data

def read_idx(directory, name):
    """An IDX file (train-images-idx3-ubyte etc.), gzip'd or not, as a numpy array of its dims."""
    for path, opener in ((os.path.join(directory, name + ".gz"), gzip.open), (os.path.join(directory, name), open)):
        if os.path.exists(path):
            with opener(path, "rb") as f:
                raw = f.read()
            break
    else:
        fail("no %s(.gz) in %s" % (name, directory))
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        fail("%s: not an unsigned-byte IDX file" % name)
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(directory, prefix, samples, n_in, n_classes):
    images = read_idx(directory, prefix + "-images-idx3-ubyte")
    labels = read_idx(directory, prefix + "-labels-idx1-ubyte")
    if samples is not None:
        images, labels = images[:int(samples)], labels[:int(samples)]
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0))
    if x.shape[1] != n_in:
        fail("%s images have %d pixels, network.sizes[0] is %d" % (prefix, x.shape[1], n_in))
    labels = torch.from_numpy(labels.astype(np.int64))
    if int(labels.max()) >= n_classes:
        fail("%s labels reach %d, network has %d outputs" % (prefix, int(labels.max()), n_classes))
    return x, labels


# ---------------------------------------------------------------------------------------- network

class Net:
    """W[l], b[l] for l = 1 .. L (index 0 unused, so that indices read as in the equations)."""

    def __init__(self, sizes):
        self.sizes = sizes
        self.L = len(sizes) - 1
        self.W = [None] + [torch.empty(sizes[l], sizes[l - 1]) for l in range(1, self.L + 1)]
        self.b = [None] + [torch.zeros(sizes[l]) for l in range(1, self.L + 1)]

    def init_random(self, gain):
        for l in range(1, self.L + 1):
            torch.nn.init.xavier_normal_(self.W[l], gain=gain)  # std = gain sqrt(2 / (fan_in + fan_out))

    def forward(self, x):
        """e[0] = x, ..., e[L]: every layer's rates, which the rules need for their updates."""
        e = [x]
        for l in range(1, self.L + 1):
            e.append(torch.addmm(self.b[l], e[-1], self.W[l].t()).sigmoid_())
        return e

    def to(self, dtype):
        other = copy.copy(self)
        other.W = [None] + [w.to(dtype).clone() for w in self.W[1:]]
        other.b = [None] + [b.to(dtype).clone() for b in self.b[1:]]
        return other


class SGD:
    """The authors' burstprop optimiser step, shared by all rules (and by burstprop's Y learning)."""

    def __init__(self, cfg, net):
        self.lr, self.momentum, self.decay = cfg["lr"], float(cfg["momentum"]), float(cfg["weight_decay"])
        self.mean = cfg["reduction"] == "mean"
        self.dW = [None] + [torch.zeros_like(w) for w in net.W[1:]]
        self.db = [None] + [torch.zeros_like(b) for b in net.b[1:]]

    def apply(self, param, buf, grad, lr, decay):
        # buf = -lr grad + momentum buf; param += buf - decay param (decay of the pre-step param)
        buf.mul_(self.momentum).add_(grad, alpha=-lr)
        if decay and self.decay:
            param.add_(buf - self.decay * param)
        else:
            param.add_(buf)

    def grads(self, e, delta):
        """grad_W[l] = delta_l^T e_{l-1}, grad_b[l] = sum over the batch of delta_l (/ B for mean)."""
        scale = 1.0 / e[0].shape[0] if self.mean else 1.0
        gW, gb = [None], [None]
        for l in range(1, len(delta)):
            gW.append(torch.mm(delta[l].t(), e[l - 1]))
            gb.append(delta[l].sum(0))
            if scale != 1.0:
                gW[l].mul_(scale)
                gb[l].mul_(scale)
        return gW, gb

    def step(self, net, gW, gb):
        for l in range(1, net.L + 1):
            self.apply(net.W[l], self.dW[l], gW[l], self.lr[l - 1], True)
            self.apply(net.b[l], self.db[l], gb[l], self.lr[l - 1], False)


# ------------------------------------------------------------------------------------------ rules

class Backprop:
    name, group = "backprop", None

    def __init__(self, params, net, teach_scale=1.0):
        self.net = net
        self.extra = {}

    def init_extra(self, loaded):
        pass

    def deltas(self, e, y):
        net, L = self.net, self.net.L
        d = [None] * (L + 1)
        d[L] = -(y - e[L]) * e[L] * (1 - e[L])
        for l in range(L - 1, 0, -1):
            d[l] = torch.mm(d[l + 1], net.W[l + 1]) * e[l] * (1 - e[l])
        return d

    def learn(self, e, gW, opt):
        pass

    def to(self, dtype, net):
        other = copy.copy(self)
        other.net = net
        other.extra = {k: v.to(dtype).clone() for k, v in self.extra.items()}
        return other


def output_bursts(e_L, y, p_b, teach_scale):
    """The teaching signal both burst rules share: b_L = p_b e_L (the burst rate the output would
    have without a target), btilde_L = p_b ((y - e_L)(1 - e_L) + 1) e_L (with it)."""
    ptilde = p_b * ((y - e_L) * teach_scale * (1 - e_L) + 1)
    return p_b * e_L, ptilde * e_L


class BurstCCN(Backprop):
    name, group = "burstccn", "burstccn"

    def __init__(self, params, net, teach_scale=1.0):
        super().__init__(params, net)
        self.p_b = float(params["p_baseline"])
        self.y_mode, self.q_mode = params["Y"], params["Q"]
        if self.y_mode not in ("random", "symmetric", "tied"):
            fail("training.burstccn.Y must be \"random\", \"symmetric\" or \"tied\"")
        if self.q_mode not in ("learned", "tied"):
            fail("training.burstccn.Q must be \"learned\" or \"tied\"")
        self.y_scale, self.y_lr, self.q_lr = float(params["Y_scale"]), float(params["Y_lr"]), float(params["Q_lr"])
        if self.y_lr > 0 and self.y_mode == "tied":
            print("rate_torch.py: note: Y_lr is ignored with Y \"tied\" (tied feedback follows W)", file=sys.stderr)
            self.y_lr = 0.0
        self.teach_scale = teach_scale

    # extra["Y<l>"], extra["Q<l>"]: [n_{l+1}][n_l], hidden l = 1 .. L-1
    def Y(self, l):
        return self.extra["Y%d" % l]

    def Q(self, l):
        return self.extra["Q%d" % l]

    def init_extra(self, loaded):
        net = self.net
        for l in range(1, net.L):
            shape = (net.sizes[l + 1], net.sizes[l])
            if self.y_mode == "tied" or ("Y%d" % l not in loaded and self.y_mode == "symmetric"):
                self.extra["Y%d" % l] = self.y_scale * net.W[l + 1]
            elif "Y%d" % l in loaded:
                self.extra["Y%d" % l] = loaded["Y%d" % l]
            else:
                self.extra["Y%d" % l] = torch.randn(shape) * self.y_scale
            if self.q_mode == "learned" and "Q%d" % l in loaded:
                self.extra["Q%d" % l] = loaded["Q%d" % l]
            else:
                self.extra["Q%d" % l] = self.p_b * self.Y(l)

    def deltas(self, e, y):
        L, p_b = self.net.L, self.p_b
        d = [None] * (L + 1)
        b, btilde = output_bursts(e[L], y, p_b, self.teach_scale)
        d[L] = -(btilde - b)
        self.apical = [None] * L  # kept for the Q / Y learning after the W step
        for l in range(L - 1, 0, -1):
            # bursts of the layer above excite through Y, its events inhibit through Q: with
            # Q = p_b Y the two cancel unless the layer above bursts more or less than p_b.
            a = torch.mm(btilde, self.Y(l)) - torch.mm(e[l + 1], self.Q(l))
            self.apical[l] = a
            # 4 = 1 / sigmoid'(0): for small a, btilde - p_b e ~ a (1 - e) e when p_b = 0.5
            btilde = torch.sigmoid(4 * a * (1 - e[l])) * e[l]
            d[l] = -(btilde - p_b * e[l])
        return d

    def learn(self, e, gW, opt):
        B = e[0].shape[0]
        for l in range(1, self.net.L):
            learn_q = self.q_mode == "learned" and self.q_lr > 0
            if learn_q or self.y_lr > 0:
                g = torch.mm(e[l + 1].t(), self.apical[l])  # e_{l+1}^T a_l: drives a -> 0
                if learn_q:
                    self.Q(l).add_(g, alpha=self.q_lr / B)
                if self.y_lr > 0:
                    self.Y(l).add_(g, alpha=-self.y_lr / B)
            # re-tie after the W step: Y first, as tied Q follows Y
            if self.y_mode == "tied":
                torch.mul(self.net.W[l + 1], self.y_scale, out=self.Y(l))
            if self.q_mode == "tied":
                torch.mul(self.Y(l), self.p_b, out=self.Q(l))


class Burstprop(Backprop):
    name, group = "burstprop", "burstprop"

    def __init__(self, params, net, teach_scale=1.0):
        super().__init__(params, net)
        self.p_b = float(params["p_baseline"])
        self.y_scale, self.y_learning = float(params["Y_scale"]), bool(params["Y_learning"])
        self.recurrent, self.wr_range = bool(params["recurrent"]), float(params["W_r_range"])
        self.recurrent_lr = float(params["recurrent_lr"])
        self.teach_scale = teach_scale

    # extra["Y<l>"] [n_l][n_{l-1}] (l = 2 .. L), extra["W_r<l>"] [n_l][n_l] (l = 1 .. L-1)
    def init_extra(self, loaded):
        net = self.net
        for l in range(2, net.L + 1):
            key = "Y%d" % l
            self.extra[key] = loaded[key] if key in loaded else torch.randn(net.sizes[l], net.sizes[l - 1]) * self.y_scale
        for l in range(1, net.L):
            key = "W_r%d" % l
            self.extra[key] = loaded[key] if key in loaded else \
                torch.empty(net.sizes[l], net.sizes[l]).uniform_(-self.wr_range, self.wr_range)
        self.dY = {l: torch.zeros_like(self.extra["Y%d" % l]) for l in range(2, net.L + 1)}

    def deltas(self, e, y):
        L = self.net.L
        d = [None] * (L + 1)
        b, btilde = output_bursts(e[L], y, self.p_b, self.teach_scale)
        d[L] = -(btilde - b)
        self.u, self.bpre = [None] * L, [None] * L
        for l in range(L - 1, 0, -1):
            Y = self.extra["Y%d" % (l + 1)]
            F, Ftilde = torch.mm(b, Y), torch.mm(btilde, Y)  # the layer above's bursts, without / with target
            if self.recurrent:
                # recurrent inhibition R, learned to cancel the feedback's drive without a target
                bpre = torch.sigmoid(F) * e[l]
                R = torch.mm(bpre, self.extra["W_r%d" % l].t())
                u = F * (1 - e[l]) - R
                self.u[l], self.bpre[l] = u, bpre
                b = torch.sigmoid(u) * e[l]
                btilde = torch.sigmoid(Ftilde * (1 - e[l]) - R) * e[l]
            else:
                b = torch.sigmoid(F * (1 - e[l])) * e[l]
                btilde = torch.sigmoid(Ftilde * (1 - e[l])) * e[l]
            d[l] = -(btilde - b)
        return d

    def learn(self, e, gW, opt):
        if self.recurrent and self.recurrent_lr > 0:
            for l in range(1, self.net.L):
                # a sum over the batch, as the authors' (never divided by B)
                self.extra["W_r%d" % l].addmm_(self.u[l].t(), self.bpre[l], alpha=self.recurrent_lr)
        if self.y_learning:
            for l in range(2, self.net.L + 1):  # Y_l takes W_l's step (its own momentum buffer)
                opt.apply(self.extra["Y%d" % l], self.dY[l], gW[l], opt.lr[l - 1], True)


RULE_CLASSES = {"backprop": Backprop, "burstccn": BurstCCN, "burstprop": Burstprop}


# ------------------------------------------------------------------------------------ weight files

def load_init(path, net, rule):
    import h5py
    loaded = {}
    with h5py.File(path, "r") as f:
        for l in range(1, net.L + 1):
            for name, dst in (("weight", net.W[l]), ("bias", net.b[l])):
                key = "/layers/fc%d/%s" % (l, name)
                if key not in f:
                    fail("%s: no %s" % (path, key))
                v = torch.from_numpy(np.asarray(f[key], dtype=np.float32))
                if tuple(v.shape) != tuple(dst.shape):
                    fail("%s: %s is %s, the network needs %s" % (path, key, tuple(v.shape), tuple(dst.shape)))
                dst.copy_(v)
        if rule.group and rule.group in f:
            for key in f[rule.group]:
                loaded[key] = torch.from_numpy(np.array(f[rule.group][key], dtype=np.float32))
    return loaded


def check_extra_shapes(rule, loaded, path):
    for key, v in loaded.items():
        if key in rule.extra and tuple(v.shape) != tuple(rule.extra[key].shape):
            fail("%s: /%s/%s is %s, the network needs %s" % (path, rule.group, key, tuple(v.shape),
                                                            tuple(rule.extra[key].shape)))


def save_weights(path, net, rule):
    import h5py
    with h5py.File(path, "w") as f:
        for l in range(1, net.L + 1):
            f["/layers/fc%d/weight" % l] = net.W[l].numpy().astype(np.float32)
            f["/layers/fc%d/bias" % l] = net.b[l].numpy().astype(np.float32)
        for key, v in rule.extra.items():
            f["/%s/%s" % (rule.group, key)] = v.numpy().astype(np.float32)


# --------------------------------------------------------------------------------------- training

def train_batch(net, rule, opt, x, y):
    """One batch: forward, the rule's full backward pass with the pre-update weights, the W / b
    step, then the rule's own weights. Returns e_L (before the update) for loss and accuracy."""
    e = net.forward(x)
    d = rule.deltas(e, y)
    gW, gb = opt.grads(e, d)
    opt.step(net, gW, gb)
    rule.learn(e, gW, opt)
    return e[-1]


def run_batches(net, rule, opt, x, y, batches):
    """Trains on each index tensor of `batches`; returns (sum of squared errors, correct, samples)."""
    sse, correct, n = torch.zeros((), dtype=torch.float64), torch.zeros((), dtype=torch.int64), 0
    for idx in batches:
        xb, yb = x[idx], y[idx]
        out = train_batch(net, rule, opt, xb, yb)
        sse += ((out - yb) ** 2).sum()
        correct += (out.argmax(1) == yb.argmax(1)).sum()
        n += len(idx)
    return float(sse), int(correct), n


def test_accuracy(net, x, labels):
    correct = 0
    for i in range(0, len(x), 1000):
        e = net.forward(x[i:i + 1000])
        correct += int((e[-1].argmax(1) == labels[i:i + 1000]).sum())
    return 100.0 * correct / len(x)


def order_batches(order, B, n_batches):
    """Index batches from a 1-D order (cut into B-sized batches, last partial one kept, repeated as
    needed) or a 2-D one (one row per batch)."""
    if order.ndim == 2:
        rows = [torch.from_numpy(r) for r in order]
    else:
        rows = [torch.from_numpy(order[i:i + B]) for i in range(0, len(order), B)]
    if not rows:
        fail("empty order")
    n_batches = len(rows) if n_batches is None else n_batches
    return [rows[k % len(rows)] for k in range(n_batches)]


def shuffled_batches(n, B, n_batches):
    out = []
    while len(out) < n_batches:
        perm = torch.randperm(n)
        out += [perm[i:i + B] for i in range(0, n, B)]
    return out[:n_batches]


def check_autograd(cfg, net, rule, x, y):
    """Manual backprop against autograd on one batch, and the rule's gradient directions."""
    B = min(cfg["batch"], len(x))
    xb, yb = x[:B], y[:B]
    auto = {}
    for dtype in (torch.float32, torch.float64):
        W = [None] + [w.to(dtype).clone().requires_grad_() for w in net.W[1:]]
        b = [None] + [v.to(dtype).clone().requires_grad_() for v in net.b[1:]]
        h = xb.to(dtype)
        for l in range(1, net.L + 1):
            h = torch.sigmoid(h @ W[l].t() + b[l])
        loss = 0.5 * ((h - yb.to(dtype)) ** 2).sum()
        loss.backward()
        auto[dtype] = [w.grad for w in W[1:]]
        # the manual equations, on a copy in the same precision; reduction "sum" as the loss is a sum
        mnet = net.to(dtype)
        bp = Backprop({}, mnet)
        e = mnet.forward(xb.to(dtype))
        d = bp.deltas(e, yb.to(dtype))
        worst = 0.0
        for l in range(1, net.L + 1):
            gW, gb = torch.mm(d[l].t(), e[l - 1]), d[l].sum(0)
            for g, ga in ((gW, W[l].grad), (gb, b[l].grad)):
                worst = max(worst, float((g - ga).abs().max() / ga.abs().max().clamp_min(1e-300)))
        print("autograd check (batch %d, %s): max relative difference of manual backprop gradients %.3g"
              % (B, str(dtype).replace("torch.", ""), worst))
    if rule.name == "backprop":
        return
    for dtype in (torch.float32, torch.float64):
        rnet = net.to(dtype)
        r = rule.to(dtype, rnet)
        e = rnet.forward(xb.to(dtype))
        d = r.deltas(e, yb.to(dtype))
        cos = []
        for l in range(1, net.L + 1):
            # the cosine itself in float64, so that float32 rounding cannot push it past 1
            g = torch.mm(d[l].t(), e[l - 1]).flatten().double()
            ga = auto[dtype][l - 1].flatten().double()
            cos.append(float(torch.dot(g, ga) / (g.norm() * ga.norm()).clamp_min(1e-300)))
        print("%s vs backprop weight-gradient cosine (%s), layers 1..%d: %s"
              % (rule.name, str(dtype).replace("torch.", ""), net.L, " ".join("%.5f" % c for c in cos)))


def set_threads(n):
    """n threads for everything: torch's intra-op (OpenMP) and inter-op pools, and the BLAS that
    does the matmuls. A torch built with BLAS_INFO=generic (Debian's) calls the system libblas,
    which may be OpenBLAS with a pthread pool of its own sized to every core; torch.set_num_threads
    does not reach it, so --threads 1 would still multiply on all cores. Set it directly."""
    torch.set_num_threads(n)
    torch.set_num_interop_threads(n)
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if line.count("/")}
    except OSError:
        paths = set()
    for path in sorted(p for p in paths if "blas" in os.path.basename(p) and ".so" in os.path.basename(p)):
        try:
            fn = getattr(ctypes.CDLL(path), "openblas_set_num_threads", None)
        except OSError:
            continue
        if fn is not None:
            fn(ctypes.c_int(n))


def main(argv=None):
    p = argparse.ArgumentParser(description="PyTorch rate-network learning rules (backprop, burstprop, burstccn)")
    p.add_argument("config")
    p.add_argument("--epochs", type=int)
    p.add_argument("--threads", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--samples", type=int)
    p.add_argument("--init", metavar="FILE.h5")
    p.add_argument("--save", metavar="FILE.h5")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--order", metavar="FILE.npy")
    g.add_argument("--no-shuffle", action="store_true")
    p.add_argument("--batches", type=int)
    p.add_argument("--time-batches", type=int)
    p.add_argument("--check-autograd", action="store_true")
    p.add_argument("--teach-scale", type=float, default=1.0)
    args = p.parse_args(argv)

    cfg = load_config(args.config, args)
    threads = int(cfg["threads"])
    set_threads(threads)
    torch.manual_seed(int(cfg["seed"]))
    sizes, B = cfg["sizes"], int(cfg["batch"])

    t0 = time.perf_counter()
    x_train, l_train = load_split(cfg["data_dir"], "train", cfg["samples"], sizes[0], sizes[-1])
    x_test, l_test = load_split(cfg["data_dir"], "t10k", cfg["samples"], sizes[0], sizes[-1])
    y_train = torch.nn.functional.one_hot(l_train, sizes[-1]).float()
    t_load = time.perf_counter() - t0

    net = Net(sizes)
    rule = RULE_CLASSES[cfg["rule"]](cfg["params"], net, args.teach_scale)
    loaded = {}
    if args.init:
        loaded = load_init(args.init, net, rule)
    else:
        net.init_random(cfg["init_gain"])
    rule.init_extra(loaded)
    if args.init:
        check_extra_shapes(rule, loaded, args.init)
    opt = SGD(cfg, net)
    print("rate_torch: %s, sizes %s, batch %d, lr %s, momentum %g, weight decay %g, reduction %s, "
          "%d training / %d test samples (loaded in %.1f s), threads %d"
          % (cfg["rule"], "-".join(map(str, sizes)), B, cfg["lr"], cfg["momentum"], cfg["weight_decay"],
             cfg["reduction"], len(x_train), len(x_test), t_load, threads), flush=True)

    if args.check_autograd:
        check_autograd(cfg, net, rule, x_train, y_train)
        return

    if args.time_batches:
        idx = torch.randint(0, len(x_train), (5 + args.time_batches, B))
        run_batches(net, rule, opt, x_train, y_train, idx[:5])
        t = time.perf_counter()
        run_batches(net, rule, opt, x_train, y_train, idx[5:])
        t = time.perf_counter() - t
        print("training samples/s: %.1f" % (args.time_batches * B / t))
        return

    if args.batches is not None or args.order or args.no_shuffle:
        if args.order:
            order = np.load(args.order).astype(np.int64)
        elif args.no_shuffle:
            order = np.arange(len(x_train), dtype=np.int64)
        else:
            order = None
        if order is not None:
            if order.size and (order.min() < 0 or order.max() >= len(x_train)):
                fail("order indices must lie in 0 .. %d" % (len(x_train) - 1))
            batches = order_batches(order, B, args.batches)
        else:
            batches = shuffled_batches(len(x_train), B, args.batches)
        t = time.perf_counter()
        sse, correct, n = run_batches(net, rule, opt, x_train, y_train, batches)
        t = time.perf_counter() - t
        if n:  # --batches 0 is allowed: it saves the initial weights
            print("trained %d batches (%d samples) in %.3f s (%.1f samples/s), train loss %.6f, train accuracy %.2f %%"
                  % (len(batches), n, t, n / t, sse / (n * sizes[-1]), 100.0 * correct / n))
    else:
        rates, acc = [], float("nan")
        for epoch in range(1, int(cfg["epochs"]) + 1):
            t = time.perf_counter()
            batches = shuffled_batches(len(x_train), B, (len(x_train) + B - 1) // B)
            sse, correct, n = run_batches(net, rule, opt, x_train, y_train, batches)
            t = time.perf_counter() - t
            acc = test_accuracy(net, x_test, l_test)
            rates.append(n / t)
            print("epoch %d: train loss %.6f, train accuracy %.2f %%, test accuracy %.2f %%, %.2f s training (%.1f samples/s)"
                  % (epoch, sse / (n * sizes[-1]), 100.0 * correct / n, acc, t, n / t), flush=True)
        if rates:
            print("training samples/s: %.1f" % (sum(rates) / len(rates)))
            print("test accuracy: %.2f %%" % acc)

    if args.save:
        save_weights(args.save, net, rule)
        print("saved %s" % args.save)


if __name__ == "__main__":
    main()
