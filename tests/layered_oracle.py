#!/usr/bin/python3
"""tests/layered_oracle.py: the C layered-network step engine computes what layers/CONFIG.md says,
checked against the PyTorch model of the same config (experiments/layered/torch_net.py, run in float64
as the reference).

Two small configs are written to a temporary directory with random weights (torch, fixed seeds; BN
gamma, beta and running statistics random too, so that they matter), random event-count inputs (small
non-negative integers, about 30 % non-zero) and labels:
  A  S-ResNet-like (Vicente-Sola et al. 2022, learning.md §6.2): conv 2->4 3x3 + BNTT + lif, conv + BNTT
     + lif, add (spike addition with the first lif), avgpool 2, conv 4->8 + BNTT + lif, and a real-valued
     skip path conv 1x1 stride 2 + BNTT from the first add, add, global_avgpool, linear, readout mean;
     cross entropy, SGD lr 0.05 momentum 0.9 weight decay 1e-4; input 2x8x8, T = 3, batch 4, 10 classes.
  B  the other options: reset zero, strict false, detach_reset false, sigmoid and arctan surrogates, a
     threshold of 0.8, beta from tau, batchnorm per_step false (one without affine), a 3x1 kernel with
     [1, 0] padding, conv and linear biases, linear on a spatial 6x4x4 input (the C, H, W flatten
     order), readout leaky, loss mse, Adam with weight decay.
The seeds are chosen so that no membrane value of the reference comes within MARGIN of its threshold
in any of the passes, so spikes must be identical; a mismatch at a value closer than that is reported
as a rounding tie.

The C driver
  BUILD/tests/layered_oracle_driver CONFIG.json WEIGHTS.h5 INPUTS.h5 OUT.h5 --steps 5 [--threads K]
reads /inputs float32 [N][T][C][H][W] and /labels int64 [N], trains `steps` optimizer steps on that one
batch (the config's loss and optimizer, the lr of epoch 0) and writes
  /loss                  float64 scalar, loss of the first forward pass (training mode)
  /outputs/<layer>       float32, that pass's outputs: sequences [T][N][C][H][W], the readout [N][F]
  /grads/<layer>/<param> float32, that pass's gradients in the weights-file layouts
  /losses                float64 [steps], the loss before each optimizer step
  /after/<layer>/<param> the parameters and BN running statistics after the steps.
(The driver takes the input shape from INPUTS.h5; the configs' data sections only give it to torch_net.)
Checks: spikes of every lif identical; other outputs within 1e-5, the loss within 1e-5 relative;
gradients within 1e-4 (max|a-b| / max|b| per tensor); later losses, parameters and running statistics
after the steps within 1e-4. Exit 77 (skip) without the driver.

usage: layered_oracle.py BUILD_DIR SOURCE_DIR [--torch-driver] [--keep DIR]
  --torch-driver  stands in a float32 PyTorch run for the C driver (a check of this script and of
                  how far float32 rounding alone moves the results)"""
import copy
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SKIP = 77
MARGIN = 1e-4          # no reference membrane value closer than this to its threshold
TIE = 1e-5             # a spike mismatch at |h - threshold| below this is a rounding tie
TOL_OUT, TOL_LOSS, TOL_GRAD, TOL_AFTER = 1e-5, 1e-5, 1e-4, 1e-4
STEPS, T, N, C, H, W, CLASSES = 5, 3, 4, 2, 8, 8, 10

args = [a for a in sys.argv[1:] if not a.startswith("--")]
opts = sys.argv[1:]
if len(args) < 2:
    sys.exit(__doc__.strip().splitlines()[-3].strip())
BUILD, SRC = args[0], args[1]
TORCH_DRIVER = "--torch-driver" in opts
KEEP = opts[opts.index("--keep") + 1] if "--keep" in opts else None
DRIVER = os.path.join(BUILD, "tests", "layered_oracle_driver")

try:
    import torch
except ImportError:
    print("SKIP: no torch in %s" % sys.executable)
    sys.exit(SKIP)
sys.path.insert(0, os.path.join(SRC, "experiments", "layered"))
import torch_net  # noqa: E402

passed, failed = [], []


def check(name, ok, detail=""):
    print("%-66s %s  %s" % (name, "ok" if ok else "FAIL", detail))
    (passed if ok else failed).append(name)


def rel(a, b):
    """max|a - b| / max|b| (the absolute difference when b is all zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    d = np.abs(a - b).max() if a.size else 0.0
    s = np.abs(b).max() if b.size else 0.0
    return float(d / s) if s > 0 else float(d)


def check_close(name, got, want, tol):
    if got is None:
        check(name, False, "missing in OUT.h5")
        return
    got = np.asarray(got)
    if got.size != want.size:
        check(name, False, "shape %s, expected %s" % (got.shape, want.shape))
        return
    e = rel(got.reshape(want.shape), want)
    check(name, e <= tol, "max rel err %.3g (tol %g)" % (e, tol))


# ---------------------------------------------------------------------------------------------

LIF_A = {"beta": 0.8744, "threshold": 1.0, "reset": "subtract", "strict": True, "detach_reset": True,
         "surrogate": {"type": "triangle", "scale": 0.3, "width": 1.0}}
BNTT = {"per_step": True, "eps": 1e-4, "momentum": 0.1}


def L(kind, name, inputs=None, **params):
    d = {"type": kind, "name": name}
    if inputs is not None:
        d["inputs"] = inputs
    d.update(params)
    return d


CONFIG_A = {
    "data": {"T": T, "channels": C, "size": [H, W]},
    "network": {"layers": [
        L("conv2d", "conv0", ["input"], out_channels=4, kernel=3, stride=1, padding=1),
        L("batchnorm", "bn0", **BNTT), L("lif", "lif0", **LIF_A),
        L("conv2d", "conv1", out_channels=4, kernel=3, padding=1),
        L("batchnorm", "bn1", **BNTT), L("lif", "lif1", **LIF_A),
        L("add", "add1", ["lif1", "lif0"]),
        L("avgpool", "pool1", kernel=2),
        L("conv2d", "conv2", out_channels=8, kernel=3, padding=1),
        L("batchnorm", "bn2", **BNTT), L("lif", "lif2", **LIF_A),
        L("conv2d", "skip_conv2", ["add1"], out_channels=8, kernel=1, stride=2),
        L("batchnorm", "skip_bn2", **BNTT),
        L("add", "add2", ["lif2", "skip_bn2"]),
        L("global_avgpool", "gap"),
        L("linear", "fc", out_features=CLASSES),
        L("readout", "readout", mode="mean")]},
    "training": {"epochs": 1, "batch": N, "seed": 1, "loss": "cross_entropy",
                 "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4},
                 "schedule": {"type": "constant"}},
}

# default names (type + index) and default inputs (the previous layer) are used here on purpose.
# No bias feeds a batchnorm: its gradient would be zero up to rounding (the mean removes it), which
# no relative tolerance can check.
CONFIG_B = {
    "data": {"T": T, "channels": C, "size": [H, W]},
    "network": {"layers": [
        {"type": "conv2d", "out_channels": 4, "kernel": [3, 3], "padding": [1, 1]},
        {"type": "batchnorm", "momentum": 0.2},
        {"type": "lif", "beta": 0.7, "threshold": 0.8, "reset": "zero", "strict": False, "detach_reset": False,
         "surrogate": {"type": "sigmoid", "alpha": 4.0}},
        {"type": "avgpool", "kernel": 2},
        {"type": "conv2d", "out_channels": 6, "kernel": [3, 1], "padding": [1, 0], "bias": True,
         "init": {"type": "normal", "std": 0.8}},
        {"type": "lif", "tau": 5.0, "dt": 1.0, "threshold": 1.0, "reset": "subtract", "strict": False,
         "detach_reset": False, "surrogate": {"type": "arctan", "alpha": 2.0}},
        {"type": "conv2d", "out_channels": 6, "kernel": 1},
        {"type": "batchnorm", "affine": False, "eps": 1e-3},
        {"type": "linear", "out_features": CLASSES, "bias": True},
        {"type": "readout", "mode": "leaky", "beta": 0.8}]},
    "training": {"epochs": 1, "batch": N, "seed": 1, "loss": "mse",
                 "optimizer": {"type": "adam", "lr": 0.01, "betas": [0.9, 0.99], "eps": 1e-8, "weight_decay": 1e-4},
                 "schedule": {"type": "constant"}},
}


def random_model(cfg, seed):
    model = torch_net.build(cfg)
    torch_net.init_weights(model, seed)
    g = torch.Generator().manual_seed(seed + 1000)
    with torch.no_grad():
        for name, m in model.param_layers():
            if isinstance(m, (torch_net.Conv2d, torch_net.Linear)):
                continue
            bns = list(m) if m.per_step else [m]
            for bn in bns:
                c = bn.num_features
                if bn.affine:
                    bn.weight.copy_(0.5 + torch.rand(c, generator=g))
                    bn.bias.copy_(0.8 * torch.rand(c, generator=g) - 0.2)
                bn.running_mean.copy_(0.2 * torch.randn(c, generator=g))
                bn.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=g))
    return model


def random_batch(seed):
    g = torch.Generator().manual_seed(seed + 2000)
    shape = (N, T, C, H, W)
    x = (torch.rand(shape, generator=g) < 0.3) * torch.randint(1, 4, shape, generator=g)
    return x.float(), torch.randint(0, CLASSES, (N,), generator=g)


def train_run(cfg, w_path, in_path, steps, dtype):
    """What the driver does, in PyTorch: returns the OUT.h5 contents, plus the membranes of the first
    pass and the smallest |h - threshold| over all passes."""
    model = torch_net.build(cfg)
    torch_net.load_weights(model, w_path)
    model = model.to(dtype).train()
    with h5py.File(in_path, "r") as f:
        x = torch.from_numpy(f["inputs"][()]).to(dtype).permute(1, 0, 2, 3, 4).contiguous()
        labels = torch.from_numpy(f["labels"][()]).long()
    tr = cfg["training"]
    opt = torch_net.make_optimizer(model, tr)
    torch_net.set_lr(opt, torch_net.lr_at(tr, 0))
    thresholds = {l["name"]: model.layers[l["name"]].threshold for l in model.specs if l["type"] == "lif"}
    res = {"losses": [], "margin": float("inf")}
    for k in range(steps):
        opt.zero_grad()
        logits, outs = model(x, keep=True)
        loss = torch_net.loss_fn(logits, labels, tr.get("loss", "cross_entropy"))
        loss.backward()
        for name, h in model.membranes.items():
            res["margin"] = min(res["margin"], float((h - thresholds[name]).abs().min()))
        if k == 0:
            res["loss"] = float(loss)
            res["outputs"] = {n: v.detach().numpy().copy() for n, v in outs.items()}
            res["membranes"] = {n: v.numpy().copy() for n, v in model.membranes.items()}
            res["grads"] = {n: {p: v.detach().numpy().copy() for p, v in d.items()} for n, d in model.file_grads().items()}
        res["losses"].append(float(loss))
        opt.step()
    res["after"] = {n: {p: v.detach().numpy().copy() for p, v in d.items()} for n, d in model.file_params().items()}
    res["kinds"] = {l["name"]: l["type"] for l in model.specs}
    return res


def torch_driver(cfg_path, w_path, in_path, out_path, steps):
    """Stands in for the C driver (--torch-driver): float32 PyTorch, the same file interface."""
    with open(cfg_path) as f:
        cfg = json.load(f)
    r = train_run(cfg, w_path, in_path, steps, torch.float32)
    with h5py.File(out_path, "w") as f:
        f["loss"] = np.float64(r["loss"])
        f["losses"] = np.array(r["losses"], dtype=np.float64)
        for n, v in r["outputs"].items():
            f["outputs/" + n] = v.astype(np.float32)
        for key in ("grads", "after"):
            for n, d in r[key].items():
                for p, v in d.items():
                    f["%s/%s/%s" % (key, n, p)] = v.astype(np.float32)


def read_out(path):
    out = {"outputs": {}, "grads": {}, "after": {}}
    with h5py.File(path, "r") as f:
        out["loss"] = float(f["loss"][()]) if "loss" in f else None
        out["losses"] = f["losses"][()] if "losses" in f else None
        for n, v in f.get("outputs", {}).items():
            out["outputs"][n] = v[()]
        for key in ("grads", "after"):
            for n, g in f.get(key, {}).items():
                out[key][n] = {p: v[()] for p, v in g.items()}
    return out


def choose_seed(cfg, base, tmp):
    """The first seed from `base` whose reference keeps every membrane value MARGIN away from its
    threshold in all passes (so that float32 rounding cannot flip a spike)."""
    for seed in range(base, base + 50):
        w_path, in_path = os.path.join(tmp, "weights.h5"), os.path.join(tmp, "inputs.h5")
        torch_net.save_weights(random_model(cfg, seed), w_path)
        x, labels = random_batch(seed)
        with h5py.File(in_path, "w") as f:
            f["inputs"] = x.numpy().astype(np.float32)
            f["labels"] = labels.numpy().astype(np.int64)
        ref = train_run(cfg, w_path, in_path, STEPS, torch.float64)
        if ref["margin"] > MARGIN:
            return seed, w_path, in_path, ref
    raise RuntimeError("no seed in [%d, %d) keeps membranes %g from threshold" % (base, base + 50, MARGIN))


def compare_spikes(tag, name, got, ref):
    want, h = ref["outputs"][name], ref["membranes"][name]
    if got is None or got.size != want.size:
        check("%s %s: spikes" % (tag, name), False,
              "missing in OUT.h5" if got is None else "shape %s, expected %s" % (got.shape, want.shape))
        return
    bad = got.reshape(want.shape) != want
    nbad = int(bad.sum())
    if nbad == 0:
        check("%s %s: spikes identical" % (tag, name), True, "%d spikes of %d" % (int(want.sum()), want.size))
        return
    near = np.abs(h[bad] - ref["thresholds"][name])
    if np.all(near < TIE):
        check("%s %s: spikes identical" % (tag, name), False,
              "%d mismatches, ALL at a rounding tie (|h - threshold| < %g): change the seed" % (nbad, TIE))
    else:
        first = tuple(int(i[0]) for i in np.nonzero(bad))
        check("%s %s: spikes identical" % (tag, name), False,
              "%d of %d differ; first at [t,n,c,y,x] = %s (C %g, torch %g, h %.6g)"
              % (nbad, want.size, first, got.reshape(want.shape)[first], want[first], h[first]))


def compare(tag, out, ref):
    check("%s loss (first pass)" % tag, out["loss"] is not None and abs(out["loss"] - ref["loss"]) <= TOL_LOSS * abs(ref["loss"]),
          "C %r, torch %r, rel err %.3g (tol %g)" % (out["loss"], ref["loss"],
                                                     abs((out["loss"] or 0) - ref["loss"]) / abs(ref["loss"]), TOL_LOSS))
    for name, want in ref["outputs"].items():
        got = out["outputs"].get(name)
        if ref["kinds"][name] == "lif":
            compare_spikes(tag, name, got, ref)
        else:
            check_close("%s %s: output" % (tag, name), got, want, TOL_OUT)
    for name, d in ref["grads"].items():
        for p, want in d.items():
            check_close("%s %s/%s: gradient" % (tag, name, p), out["grads"].get(name, {}).get(p), want, TOL_GRAD)
    losses = out["losses"]
    ok = losses is not None and len(losses) == STEPS
    e = rel(losses, ref["losses"]) if ok else float("inf")
    check("%s losses of the %d steps" % (tag, STEPS), ok and e <= TOL_AFTER,
          "max rel err %.3g (tol %g); torch %s" % (e, TOL_AFTER, " ".join("%.5f" % v for v in ref["losses"])))
    for name, d in ref["after"].items():
        for p, want in d.items():
            check_close("%s %s/%s after %d steps" % (tag, name, p, STEPS), out["after"].get(name, {}).get(p), want,
                        TOL_AFTER)


def run_case(tag, cfg, base_seed, threads, tmp):
    d = os.path.join(tmp, tag)
    os.makedirs(d, exist_ok=True)
    cfg = copy.deepcopy(cfg)
    seed, w_path, in_path, ref = choose_seed(cfg, base_seed, d)
    cfg_path = os.path.join(d, "config.json")
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=1)
    model = torch_net.build(cfg)
    ref["thresholds"] = {l["name"]: model.layers[l["name"]].threshold for l in model.specs if l["type"] == "lif"}
    rates = " ".join("%s %.2f" % (n, float(v.mean())) for n, v in ref["outputs"].items() if ref["kinds"][n] == "lif")
    print("%s: seed %d, smallest |h - threshold| %.2g, spike rates %s" % (tag, seed, ref["margin"], rates))
    for k in threads:
        out_path = os.path.join(d, "out_threads%s.h5" % k)
        label = "%s%s" % (tag, "" if k is None else " threads %d" % k)
        if TORCH_DRIVER:
            torch_driver(cfg_path, w_path, in_path, out_path, STEPS)
        else:
            cmd = [DRIVER, cfg_path, w_path, in_path, out_path, "--steps", str(STEPS)]
            if k is not None:
                cmd += ["--threads", str(k)]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            check("%s: driver exits 0" % label, r.returncode == 0, r.stderr.strip()[-400:])
            if r.returncode != 0:
                continue
        compare(label, read_out(out_path), ref)


def main():
    if not TORCH_DRIVER and not os.access(DRIVER, os.X_OK):
        print("SKIP: no C driver %s (the layered step engine's oracle driver is not built)" % DRIVER)
        return SKIP
    torch.set_num_threads(1)
    if KEEP:
        os.makedirs(KEEP, exist_ok=True)
        tmp = KEEP
        run_case("A", CONFIG_A, 1, (1, 2), tmp)
        run_case("B", CONFIG_B, 101, (2,), tmp)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run_case("A", CONFIG_A, 1, (1, 2), tmp)
            run_case("B", CONFIG_B, 101, (2,), tmp)
    print("%d passed, %d failed" % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
