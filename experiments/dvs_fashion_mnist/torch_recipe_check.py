#!/usr/bin/python3
"""experiments/dvs_fashion_mnist/torch_recipe_check.py: a quick PyTorch check that the training recipe
of sresnet.json (S-ResNet n = 1 of Vicente-Sola et al. 2022 on DVS-emulated Fashion-MNIST) learns,
before the C engine spends hours on it. It is not the spikeq pipeline: the events here come from a
crude stand-in for the C emulator (encoders/saccade.h + dvs_emulator.h, data.md §4.3): each image,
upscaled 2x and centred on a 64 x 64 sensor, moves along a square of half-side 1.5 sensor pixels in
`substeps` bilinear renderings; a pixel emits floor(|L - ref| / 0.2) ON or OFF events whenever its log
intensity L = ln(1e-3 + I) has moved that far from its reference (which then follows), and the events
are summed into T equal time bins and 2 x 2 sensor pixels (-> 2 x 32 x 32 count frames).
Trains torch_net's model of the config with the config's optimizer, a cosine schedule compressed to
--epochs, on the first --train training images, and prints the test accuracy on the first --test test
images after every epoch.

usage: torch_recipe_check.py CONFIG.json [--train 6000] [--test 2000] [--epochs 3] [--threads 1]"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "layered"))
import torch_net  # noqa: E402

FMNIST = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def emulate(images, T, chunk=500):
    """[N, 28, 28] uint8 -> [N, T, 2, 32, 32] float event counts (see the header)."""
    return torch.cat([emulate_chunk(images[i:i + chunk], T) for i in range(0, len(images), chunk)])


def emulate_chunk(images, T, substeps=48, amp=1.5, c=0.2):
    x = torch.from_numpy(images.copy()).float().div(255.0).unsqueeze(1)
    x = F.interpolate(x, size=(56, 56), mode="bilinear", align_corners=False)
    x = F.pad(x, (4, 4, 4, 4))  # 64 x 64 sensor
    n = x.shape[0]
    corners = [(-amp, -amp), (amp, -amp), (amp, amp), (-amp, amp), (-amp, -amp)]
    path = []
    for k in range(substeps + 1):
        s = 4.0 * k / substeps
        i = min(int(s), 3)
        f = s - i
        (x0, y0), (x1, y1) = corners[i], corners[i + 1]
        path.append((x0 + f * (x1 - x0), y0 + f * (y1 - y0)))
    out = torch.zeros(n, T, 2, 64, 64)
    ref = None
    for k, (dx, dy) in enumerate(path):
        theta = torch.tensor([[1.0, 0.0, -2.0 * dx / 64], [0.0, 1.0, -2.0 * dy / 64]]).expand(n, 2, 3)
        grid = F.affine_grid(theta, (n, 1, 64, 64), align_corners=False)
        L = torch.log(1e-3 + F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False))
        if ref is None:
            ref = L
            continue
        d = L - ref
        on, off = torch.floor(d.clamp(min=0) / c), torch.floor((-d).clamp(min=0) / c)
        ref = ref + (on - off) * c
        t = min((k - 1) * T // substeps, T - 1)
        out[:, t, 0] += on[:, 0]
        out[:, t, 1] += off[:, 0]
    return F.avg_pool2d(out.reshape(n * T, 2, 64, 64), 2).mul(4.0).reshape(n, T, 2, 32, 32)


def batches(x, y, b, gen=None):
    order = torch.randperm(len(x), generator=gen) if gen is not None else torch.arange(len(x))
    for i in range(0, len(x) - (b - 1 if gen is not None else 0), b):
        j = order[i:i + b]
        yield x[j].permute(1, 0, 2, 3, 4).contiguous(), y[j]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("config")
    p.add_argument("--train", type=int, default=6000)
    p.add_argument("--test", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    with open(a.config) as f:
        cfg = json.load(f)
    tr = dict(cfg["training"])
    tr["schedule"] = dict(tr.get("schedule", {}), t_max=a.epochs) if tr.get("schedule", {}).get("type") == "cosine" \
        else tr.get("schedule", {"type": "constant"})
    T = cfg["data"]["T"]
    t0 = time.time()
    xtr = emulate(idx(FMNIST + "/train-images-idx3-ubyte.gz")[:a.train], T)
    ytr = torch.from_numpy(idx(FMNIST + "/train-labels-idx1-ubyte.gz")[:a.train].astype(np.int64))
    xte = emulate(idx(FMNIST + "/t10k-images-idx3-ubyte.gz")[:a.test], T)
    yte = torch.from_numpy(idx(FMNIST + "/t10k-labels-idx1-ubyte.gz")[:a.test].astype(np.int64))
    print("emulated %d + %d samples in %.0f s; %.1f %% of the entries non-zero, mean count %.2f"
          % (len(xtr), len(xte), time.time() - t0, 100 * float((xtr > 0).float().mean()), float(xtr[xtr > 0].mean())))
    torch.manual_seed(int(tr.get("seed", 0)))
    model = torch_net.build(cfg)
    torch_net.init_weights(model, int(tr.get("seed", 0)))
    opt = torch_net.make_optimizer(model, tr)
    gen = torch.Generator().manual_seed(int(tr.get("seed", 0)))
    for epoch in range(a.epochs):
        lr = torch_net.lr_at(tr, epoch)
        torch_net.set_lr(opt, lr)
        model.train()
        t0, tot, n = time.time(), 0.0, 0
        for x, y in batches(xtr, ytr, int(tr["batch"]), gen):
            opt.zero_grad()
            loss = torch_net.loss_fn(model(x), y, tr.get("loss", "cross_entropy"))
            loss.backward()
            opt.step()
            tot, n = tot + float(loss) * len(y), n + len(y)
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in batches(xte, yte, 200):
                correct += int((model(x).argmax(1) == y).sum())
        print("epoch %d: lr %.4g, train loss %.4f, test accuracy %.2f %% (%d images), %.0f s"
              % (epoch, lr, tot / max(n, 1), 100.0 * correct / len(yte), len(yte), time.time() - t0), flush=True)
        if math.isnan(tot):
            break


if __name__ == "__main__":
    main()
