#!/usr/bin/python3
"""experiments/layered/bench_torch.py: the PyTorch side of the speed comparison of the C layered
engine (../shared/specs/deep_learning_cpu.md, "Measured on this project's 2-core machine"). Builds the
model of a layered-network config (torch_net.py) or, with --original, the S-ResNet authors' class
(experiments/sresnet/sresnet_torch.py, n and filters read off a make_config.py config) instead, and
times it on random event-count frames of the configured shape [N, T, C, H, W]: 5 % of the entries
non-zero (as the anchors), each 1 or 2 events.
  training:  SGD step of the config's optimizer on cross entropy, forward + backward + step
  inference: evaluation mode under torch.no_grad()
Warm-up iterations are not timed. Prints
  torch train samples/s: X
  torch infer samples/s: Y
  torch peak RSS MiB: Z          (getrusage ru_maxrss of this process, training included)

usage: bench_torch.py CONFIG.json [--threads 1] [--batch B (config's)] [--iters 3] [--warmup 1]
                      [--infer-iters I (= iters)] [--mode both|train|infer] [--original] [--seed 0]"""
import argparse
import json
import os
import resource
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torch_net  # noqa: E402


def original_from_config(cfg):
    sys.path.insert(0, os.path.join(HERE, "..", "sresnet"))
    import sresnet_torch
    layers = torch_net.normalise_layers(cfg["network"]["layers"])
    convs = [l for l in layers if l["type"] == "conv2d" and not l["name"].startswith("skip_")]
    lifs = [l for l in layers if l["type"] == "lif"]
    fc = [l for l in layers if l["type"] == "linear"][-1]
    if (len(convs) - 1) % 6:
        raise SystemExit("--original: %d 3x3 convs, not an S-ResNet (6n+1) config of make_config.py" % len(convs))
    T = torch_net.input_shape_of(cfg)[0]
    return sresnet_torch.SResnetNM((len(convs) - 1) // 6, int(convs[0]["out_channels"]), T,
                                   leak_mem=float(lifs[0].get("beta", 0.9)), num_cls=int(fc["out_features"]), resize=None)


def frames(shape, gen):
    """Event counts: 5 % of the entries non-zero, 1 or 2 events each."""
    return ((torch.rand(shape, generator=gen) < 0.05) * torch.randint(1, 3, shape, generator=gen)).float()


def main(argv=None):
    p = argparse.ArgumentParser(description="PyTorch training / inference speed of a layered-network config")
    p.add_argument("config")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=0)
    p.add_argument("--iters", type=int, default=3)
    p.add_argument("--infer-iters", type=int, default=0)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--mode", choices=("both", "train", "infer"), default="both")
    p.add_argument("--original", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    with open(a.config) as f:
        cfg = json.load(f)
    T, C, H, W = torch_net.input_shape_of(cfg)
    B = a.batch or int(cfg.get("training", {}).get("batch", 16))
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    if a.original:
        model = original_from_config(cfg)
        layout = lambda x: x  # noqa: E731  the original takes [N, T, C, H, W]
    else:
        model = torch_net.build(cfg)
        torch_net.init_weights(model, a.seed)
        layout = lambda x: x.permute(1, 0, 2, 3, 4).contiguous()  # noqa: E731
    print("model: %s, T %d, input %dx%dx%d, batch %d, threads %d" % (
        "sresnet_torch.SResnetNM" if a.original else "torch_net", T, C, H, W, B, a.threads))
    classes = model.num_cls if a.original else model.shapes[model.specs[-1]["name"]][0]
    tr = cfg.get("training", {"optimizer": {"type": "sgd", "lr": 0.01}})
    batches = [(layout(frames((B, T, C, H, W), gen)), torch.randint(0, classes, (B,), generator=gen))
               for _ in range(2)]

    if a.mode in ("both", "train"):
        model.train()
        opt = torch_net.make_optimizer(model, tr)
        elapsed = 0.0
        for i in range(a.warmup + a.iters):
            x, y = batches[i % 2]
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = torch_net.loss_fn(model(x), y, tr.get("loss", "cross_entropy"))
            loss.backward()
            opt.step()
            if i >= a.warmup:
                elapsed += time.perf_counter() - t0
        print("torch train samples/s: %.4g" % (B * a.iters / elapsed))
    if a.mode in ("both", "infer"):
        model.eval()
        n = a.infer_iters or a.iters
        elapsed = 0.0
        with torch.no_grad():
            for i in range(a.warmup + n):
                x, _ = batches[i % 2]
                t0 = time.perf_counter()
                model(x)
                if i >= a.warmup:
                    elapsed += time.perf_counter() - t0
        print("torch infer samples/s: %.4g" % (B * n / elapsed))
    print("torch peak RSS MiB: %.1f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))


if __name__ == "__main__":
    main()
