#!/usr/bin/python3
"""tests/sresnet_convert.py: the S-ResNet of Vicente-Sola et al. 2022 (learning.md §6.2) written as a
layered-network config (experiments/sresnet/make_config.py) computes what the authors' class computes.
A small SResnetNM (experiments/sresnet/sresnet_torch.py: n = 1, 16 filters, T = 3, 16 x 16 input, no
resize) with random weights and random BNTT gamma, beta and running statistics is saved as a state_dict
and converted (convert_state_dict.py) into our weights file; experiments/layered/torch_net.py's model of
make_config's JSON, loaded from that file, must give the original's logits within 1e-5 (relative to
max |logit|) in evaluation and in training mode (float32 and float64), the same gradients (1e-5) and the
same BN running statistics after the training pass.

If BUILD/spikeq has an `eval` command, check_spikeq_eval() also runs
  spikeq eval CONFIG.json --weights OUT.h5 --predictions PRED.h5
on the same inputs (data source "tensors") and compares PRED.h5's /logits [n][classes] with the
original's evaluation logits (1e-5).

usage: sresnet_convert.py [BUILD_DIR] SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import torch

SRC = sys.argv[-1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BUILD = sys.argv[1] if len(sys.argv) > 2 else None
sys.path.insert(0, os.path.join(SRC, "experiments", "sresnet"))
sys.path.insert(0, os.path.join(SRC, "experiments", "layered"))
import convert_state_dict  # noqa: E402
import make_config  # noqa: E402
import sresnet_torch  # noqa: E402
import torch_net  # noqa: E402

N_BLOCK, FILTERS, T, SIZE, BATCH, CLASSES = 1, 16, 3, 16, 4, 10
# (logits, gradients) tolerances; float32 gradients of the two formulations differ by up to ~1e-5
# (convolutions over [T*N] against [N] batches sum in other orders)
TOLS = {torch.float32: (1e-5, 1e-4), torch.float64: (1e-9, 1e-9)}
passed, failed = [], []


def check(name, ok, detail=""):
    print("%-64s %s  %s" % (name, "ok" if ok else "FAIL", detail))
    (passed if ok else failed).append(name)


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    scale = np.abs(b).max()
    return float(np.abs(a - b).max() / scale) if scale > 0 else float(np.abs(a - b).max())


def check_close(name, a, b, tol=1e-5):
    e = rel(a, b)
    check(name, e <= tol, "max rel err %.3g (tol %g)" % (e, tol))


def original_model(seed):
    torch.manual_seed(seed)
    m = sresnet_torch.SResnetNM(N_BLOCK, FILTERS, T, leak_mem=make_config.LEAK, img_size=SIZE, num_cls=CLASSES,
                                resize=None)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                c = mod.num_features
                mod.weight.copy_(0.5 + torch.rand(c, generator=g))
                mod.bias.copy_(0.8 * torch.rand(c, generator=g) - 0.2)
                mod.running_mean.copy_(0.2 * torch.randn(c, generator=g))
                mod.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=g))
    return m


def inputs(seed):
    """Event counts at about 30 % density, times 0.25 (a 2 x 2 average of a 2x larger recording)."""
    g = torch.Generator().manual_seed(seed)
    shape = (BATCH, T, 2, SIZE, SIZE)
    counts = (torch.rand(shape, generator=g) < 0.3) * torch.randint(1, 5, shape, generator=g)
    return 0.25 * counts.float(), torch.randint(0, CLASSES, (BATCH,), generator=g)


def grads_of_original(m):
    n = m.n
    out = {"conv%d" % i: {"weight": c.weight.grad} for i, c in enumerate(m.conv_list)}
    out.update({"bn%d" % i: {"gamma": torch.stack([b.weight.grad for b in bns]),
                             "beta": torch.stack([b.bias.grad for b in bns])} for i, bns in enumerate(m.bntt_list)})
    for k, (conv, bns) in enumerate(((m.conv_resize_1, m.resize_bn_1), (m.conv_resize_2, m.resize_bn_2))):
        i = 2 + 2 * n * (k + 1)
        out["skip_conv%d" % i] = {"weight": conv.weight.grad}
        out["skip_bn%d" % i] = {"gamma": torch.stack([b.weight.grad for b in bns]),
                                "beta": torch.stack([b.bias.grad for b in bns])}
    out["fc"] = {"weight": m.fc.weight.grad}
    return out


def check_spikeq_eval(build, tmp, cfg, weights, x, labels, want_logits):
    """spikeq eval against the original's evaluation logits, when the binary has the command. The
    data section points the evaluation at the inputs written here: the "tensors" source, an HDF5 file
    with /<split>/inputs [n][T][C][H][W] float32 and /<split>/labels [n] (both splits the same)."""
    exe = os.path.join(build, "spikeq") if build else ""
    if not exe or not os.access(exe, os.X_OK):
        print("spikeq eval: skipped (no %s)" % (exe or "BUILD_DIR"))
        return
    if subprocess.run([exe, "eval", "--help"], capture_output=True, text=True).returncode != 0:
        print("spikeq eval: skipped (%s has no eval command)" % exe)
        return
    data_path = os.path.join(tmp, "eval_inputs.h5")
    with h5py.File(data_path, "w") as f:
        f.attrs["n_classes"] = np.int64(CLASSES)
        for split in ("train", "test"):
            f[split + "/inputs"] = x.numpy().astype(np.float32)
            f[split + "/labels"] = labels.numpy().astype(np.int64)
    cfg = dict(cfg, data={"source": "tensors", "file": data_path})
    cfg_path, pred = os.path.join(tmp, "eval.json"), os.path.join(tmp, "pred.h5")
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    r = subprocess.run([exe, "eval", cfg_path, "--weights", weights, "--predictions", pred, "-q"],
                       capture_output=True, text=True, timeout=300)
    check("spikeq eval exits 0", r.returncode == 0, (r.stderr or r.stdout).strip()[-300:])
    if r.returncode == 0:
        with h5py.File(pred, "r") as f:
            check_close("spikeq eval logits = original's (eval mode)", f["logits"][()], want_logits)


def main():
    torch.set_num_threads(1)
    x, labels = inputs(7)
    orig = original_model(3)
    with tempfile.TemporaryDirectory() as tmp:
        cfg_path, sd_path, w_path = (os.path.join(tmp, f) for f in ("sresnet.json", "sd.pt", "w.h5"))
        cfg = make_config.main(["--n", str(N_BLOCK), "--filters", str(FILTERS), "--T", str(T), "--size", str(SIZE),
                                "--classes", str(CLASSES), "-o", cfg_path])
        torch.save({"global_step": 1, "state_dict": orig.state_dict(), "accuracy": 0.0}, sd_path)
        keys = set(orig.state_dict())
        check("state_dict holds the original's aliases (conv1, bntt1, conv1x1_list, ...)",
              {"conv1.weight", "conv_list.0.weight", "bntt1.0.weight", "bntt_list.0.0.weight",
               "conv1x1_list.0.weight", "bn_conv1x1_list.1.2.bias"} <= keys, "%d keys" % len(keys))
        convert_state_dict.main([sd_path, cfg_path, w_path])
        ours = torch_net.build(cfg)
        torch_net.load_weights(ours, w_path)
        with h5py.File(w_path, "r") as f:
            check("weights file: format, version, fc and per-step BN layouts",
                  f.attrs["format"] == "spikeq-layered-weights" and int(f.attrs["version"]) == 1 and
                  f["layers/fc/weight"].shape == (CLASSES, 4 * FILTERS) and
                  f["layers/bn0/gamma"].shape == (T, FILTERS) and f["layers/skip_bn4/running_var"].shape == (T, 2 * FILTERS))

        xt = x.permute(1, 0, 2, 3, 4)  # ours: [T, N, C, H, W]
        for dtype in (torch.float32, torch.float64):
            o, m = orig.to(dtype).eval(), ours.to(dtype).eval()
            with torch.no_grad():
                want = o(x.to(dtype))
                got, outs = m(xt.to(dtype), keep=True)
            tag = str(dtype).replace("torch.", "")
            rates = " ".join("%.2f" % float(v.mean()) for k, v in outs.items() if k.startswith("lif"))
            check_close("eval logits = original's (%s)" % tag, got, want, TOLS[dtype][0])
            if dtype == torch.float32:
                print("  spike rates of lif0..lif%d: %s" % (6 * N_BLOCK, rates))
            if dtype == torch.float32:
                eval_logits = want.numpy()
        # training mode: batch statistics, gradients, running statistics
        for dtype in (torch.float32, torch.float64):
            o = original_model(3).to(dtype).train()
            m = torch_net.build(cfg)
            torch_net.load_weights(m, w_path)
            m = m.to(dtype).train()
            want = o(x.to(dtype))
            got = m(xt.to(dtype))
            tag = str(dtype).replace("torch.", "")
            check_close("train logits = original's (%s)" % tag, got.detach(), want.detach(), TOLS[dtype][0])
            torch.nn.functional.cross_entropy(want, labels).backward()
            torch_net.loss_fn(got, labels).backward()
            og, mg = grads_of_original(o), m.file_grads()
            worst = max((rel(mg[l][p].detach(), og[l][p]), l + "/" + p) for l in og for p in og[l])
            check("gradients = original's, %d tensors (%s)" % (sum(len(v) for v in og.values()), tag),
                  worst[0] <= TOLS[dtype][1], "max rel err %.3g at %s (tol %g)" % (worst[0], worst[1], TOLS[dtype][1]))
            rs = m.file_params()
            worst = max((rel(rs["bn%d" % i]["running_%s" % s].detach(),
                             torch.stack([getattr(b, "running_" + s) for b in bns])), "bn%d/%s" % (i, s))
                        for i, bns in enumerate(o.bntt_list) for s in ("mean", "var"))
            check("running statistics after a training pass = original's (%s)" % tag, worst[0] <= TOLS[dtype][0],
                  "max rel err %.3g at %s (tol %g)" % (worst[0], worst[1], TOLS[dtype][0]))
        check_spikeq_eval(BUILD, tmp, cfg, w_path, x, labels, eval_logits)
    print("%d passed, %d failed" % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
