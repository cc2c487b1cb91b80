#!/usr/bin/python3
"""experiments/dvs_fashion_mnist/torch_train.py: the training recipe of `spikeq train CONFIG` (layers/CONFIG.md
"Training", step/train.c) carried out in PyTorch, on the very frames spikeq trains on, so that the two
learning curves can be compared (compare_curves.py).

  model      torch_net.build(config), initialised by torch_net.init_weights from the config's `init`
             specs (the same distributions as the C init, not the same numbers: its RNG is its own)
  data       spikeq's frame cache (README "The frame cache"): <data.cache>/<source>-<hash>.h5, `counts`
             uint16 [n][T][2][H][W] and `labels` [n]; the train and test files are found by their root
             attribute `params` (JSON: source, T, size, split_by, split = "train" / "test", and the
             emulator keys the config sets), or given with --cache / --test-cache. data.scale
             multiplies the counts, as spikeq does on read. --train-samples / --test-samples take the
             first N samples of each file. The selected samples are held in memory as uint16
             (60000 x 10 x 2 x 32 x 32: 2.4 GB), converted to float one batch at a time.
  training   per epoch: lr from the schedule (torch_net.lr_at: constant, multistep, cosine over t_max),
             a shuffle, batches of training.batch (drop_last as configured), the config's loss (cross
             entropy or mse) and optimizer (torch_net.make_optimizer: SGD with momentum / weight decay,
             Adam, AdamW), then evaluation of every selected test sample in eval mode, in batches of
             training.eval_batch (default max(batch, 64), as spikeq). Accuracy = argmax correct / total.
  output     DIR/log.jsonl, one line per epoch in the format of spikeq's (step/train.c append_log),
             DIR/best.h5 (the best epoch's weights, a CONFIG.md weights file, as spikeq's best.h5),
             and one printed line per epoch. A run starts a new log.

Seeding: torch is seeded with training.seed (or --seed): initial weights, shuffles and dropout masks
are reproducible from run to run, but they are NOT spikeq's: spikeq shuffles and draws dropout with
its counter-based RNG keyed by (seed, epoch), which this script does not reproduce. The two curves
therefore differ by the noise of a different sample order and initialisation, not only by the engines.

usage: torch_train.py CONFIG.json [--cache FILE.h5 --test-cache FILE.h5] [--train-samples N]
                      [--test-samples N] [--epochs E] [--threads K] [--seed S] [--out DIR]"""
import argparse
import glob
import json
import math
import os
import sys
import time

import h5py
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "layered"))
import torch_net  # noqa: E402

CACHE_FORMAT = "spikeq-frame-cache"
# README "Sample sets": the dvs sources' defaults, which a cache's params record explicitly.
DEFAULTS = {"T": 10, "size": 32, "split_by": "number"}


def _str(v):
    return v.decode() if isinstance(v, bytes) else v


def cache_params(path):
    """The `params` JSON of a frame cache, or None when the file is not one."""
    try:
        with h5py.File(path, "r") as f:
            if _str(f.attrs.get("format")) != CACHE_FORMAT:
                return None
            return json.loads(_str(f.attrs["params"]))
    except (OSError, KeyError, ValueError):
        return None


def cache_folder(data):
    """data.cache as spikeq resolves it: relative to the working directory (spikeq is run from the
    repository root, so that is tried as well), default $XDG_CACHE_HOME/spikeq or ~/.cache/spikeq."""
    c = data.get("cache")
    if c is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(base, "spikeq")
    if os.path.isabs(c) or os.path.isdir(c):
        return c
    return os.path.join(ROOT, c)


def _same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return str(a) == str(b)


def matches(params, data, split):
    """Whether a cache holds `split` of the config's data: source, T, size, split_by, the emulator keys
    the config sets under the cache's names, the image file names, and data.samples when given."""
    if params.get("split") != split or params.get("source") != data.get("source", "dvs_emulated"):
        return False
    for k, d in DEFAULTS.items():
        if not _same(params.get(k), data.get(k, d)):
            return False
    if "samples" in data and not _same(params.get("samples"), data["samples"]):
        return False
    emu = params.get("emulator", {})
    for k, v in data.get("emulator", {}).items():
        if k in emu and not _same(emu[k], v):
            return False
    img = data.get(split + "_images")
    if img and os.path.basename(params.get("images", {}).get("path", "")) != os.path.basename(img):
        return False
    return True


def find_cache(data, split):
    folder = cache_folder(data)
    found = []
    for path in sorted(glob.glob(os.path.join(folder, "%s-*.h5" % data.get("source", "dvs_emulated")))):
        if ".tmp." in os.path.basename(path):  # a build in progress or one left by a killed process
            continue
        params = cache_params(path)
        if params is not None and matches(params, data, split):
            found.append(path)
    if not found:
        raise SystemExit("torch_train: no %s frame cache for this config's data in %s (run spikeq train once to "
                         "build it, or give --%s)" % (split, folder, "cache" if split == "train" else "test-cache"))
    if len(found) > 1:
        raise SystemExit("torch_train: several %s frame caches match this config's data: %s; choose one with --%s"
                         % (split, ", ".join(found), "cache" if split == "train" else "test-cache"))
    return found[0]


def load_cache(path, n, shape, split):
    """The first n samples (all when n is 0) of a cache: counts uint16 [n][T][C][H][W], labels int64 [n]."""
    with h5py.File(path, "r") as f:
        if _str(f.attrs.get("format")) != CACHE_FORMAT:
            raise SystemExit("torch_train: %s: not a spikeq frame cache" % path)
        p = json.loads(_str(f.attrs["params"]))
        if p.get("split") != split:
            raise SystemExit("torch_train: %s holds the %r split, not %r" % (path, p.get("split"), split))
        d = f["counts"]
        total = d.shape[0]
        if tuple(d.shape[1:]) != tuple(shape):
            raise SystemExit("torch_train: %s: counts of shape %s per sample, the network takes %s"
                             % (path, tuple(d.shape[1:]), tuple(shape)))
        n = total if n <= 0 else min(n, total)
        counts = np.empty((n,) + tuple(d.shape[1:]), dtype=d.dtype)
        step = 2000  # blocks of whole chunks (one a sample): h5py needs no full-size temporary
        for i in range(0, n, step):
            d.read_direct(counts, np.s_[i:min(n, i + step)], np.s_[i:min(n, i + step)])
        labels = f["labels"][:n].astype(np.int64)
    return counts, labels


def to_input(counts, scale):
    """uint16 [N][T][C][H][W] -> float [T, N, C, H, W], the layout torch_net takes."""
    x = torch.from_numpy(counts.astype(np.float32))
    if scale != 1.0:
        x = x * scale
    return x.permute(1, 0, 2, 3, 4).contiguous()


def evaluate(model, counts, labels, eval_batch, loss_kind, scale):
    model.eval()
    n, loss_sum, correct = len(labels), 0.0, 0
    t0 = time.perf_counter()
    with torch.no_grad():
        for i in range(0, n, eval_batch):
            y = torch.from_numpy(labels[i:i + eval_batch])
            out = model(to_input(counts[i:i + eval_batch], scale))
            loss_sum += float(torch_net.loss_fn(out, y, loss_kind)) * len(y)
            correct += int((out.argmax(1) == y).sum())
    return loss_sum / max(n, 1), correct, time.perf_counter() - t0


def log_line(r):
    # The exact text of step/train.c append_log, so tools that read one log read the other.
    return ('{"epoch": %d, "lr": %.9g, "train_loss": %.9g, "train_accuracy": %.6f, "test_loss": %.9g, '
            '"test_accuracy": %.6f, "test_correct": %d, "test_samples": %d, "train_samples": %d, '
            '"train_seconds": %.3f, "test_seconds": %.3f, "best": %s}\n') % (
        r["epoch"], r["lr"], r["train_loss"], r["train_accuracy"], r["test_loss"], r["test_accuracy"],
        r["test_correct"], r["test_samples"], r["train_samples"], r["train_seconds"], r["test_seconds"],
        "true" if r["best"] else "false")


def main(argv=None):
    p = argparse.ArgumentParser(description="spikeq's training recipe in PyTorch on spikeq's frame cache")
    p.add_argument("config")
    p.add_argument("--cache", help="the training split's frame cache (default: found from data.cache)")
    p.add_argument("--test-cache", help="the test split's frame cache (default: found from data.cache)")
    p.add_argument("--train-samples", type=int, default=0, help="first N training samples (default all)")
    p.add_argument("--test-samples", type=int, default=0, help="first N test samples (default all)")
    p.add_argument("--epochs", type=int, default=0, help="default: training.epochs")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=None, help="default: training.seed")
    p.add_argument("--out", help="default: out/<config name>_torch")
    a = p.parse_args(argv)
    with open(a.config) as f:
        cfg = json.load(f)
    data, tr = cfg.get("data", {}), dict(cfg.get("training", {}))
    # step/train_config.c defaults
    epochs = a.epochs or int(tr.get("epochs", 1))
    batch = int(tr.get("batch", 16))
    eval_batch = int(tr.get("eval_batch", max(batch, 64)))
    drop_last = bool(tr.get("drop_last", False))
    seed = int(tr.get("seed", 1)) if a.seed is None else a.seed
    loss_kind = tr.get("loss", "cross_entropy")
    tr.setdefault("optimizer", {"type": "sgd", "lr": 0.1})
    scale = float(data.get("scale", 1.0))
    out_dir = a.out or os.path.join("out", os.path.splitext(os.path.basename(a.config))[0] + "_torch")

    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(seed)  # dropout masks (torch_net.Dropout draws from the global generator)
    T, C, H, W = torch_net.input_shape_of(cfg)

    train_path = a.cache or find_cache(data, "train")
    test_path = a.test_cache or find_cache(data, "test")
    t0 = time.perf_counter()
    xtr, ytr = load_cache(train_path, a.train_samples, (T, C, H, W), "train")
    xte, yte = load_cache(test_path, a.test_samples, (T, C, H, W), "test")
    print("train data: %s, %d samples; test data: %s, %d samples (%.1f s to read)" % (
        train_path, len(ytr), test_path, len(yte), time.perf_counter() - t0), flush=True)

    model = torch_net.build(cfg)
    torch_net.init_weights(model, seed)
    opt = torch_net.make_optimizer(model, tr)
    n = len(ytr)
    batches = n // batch if drop_last else (n + batch - 1) // batch
    if batches == 0:
        raise SystemExit("torch_train: batch %d with drop_last leaves no batch of the %d training samples" % (batch, n))
    print("network: %d layers, %d trainable parameters; training: %d epochs, batch %d (%d batches), %s, %s lr %g, "
          "seed %d, threads %d; output %s/" % (len(model.specs), sum(q.numel() for q in model.parameters()), epochs,
                                               batch, batches, loss_kind, tr["optimizer"].get("type", "sgd"),
                                               float(tr["optimizer"].get("lr", 1e-3)), seed, a.threads, out_dir),
          flush=True)

    os.makedirs(out_dir, exist_ok=True)
    log_path = os.path.join(out_dir, "log.jsonl")
    open(log_path, "w").close()
    shuffle = torch.Generator().manual_seed(seed)
    best, best_epoch = -1.0, 0
    for epoch in range(epochs):
        lr = torch_net.lr_at(tr, epoch)
        torch_net.set_lr(opt, lr)
        model.train()
        order = torch.randperm(n, generator=shuffle).numpy()
        loss_sum, correct, seen, train_s = 0.0, 0, 0, 0.0
        for b in range(batches):
            idx = order[b * batch:(b + 1) * batch]
            t1 = time.perf_counter()  # as spikeq's train_seconds: batch fill through optimizer step
            x, y = to_input(xtr[idx], scale), torch.from_numpy(ytr[idx])
            opt.zero_grad()
            out = model(x)
            loss = torch_net.loss_fn(out, y, loss_kind)
            lv = float(loss)
            if not math.isfinite(lv):
                raise SystemExit("torch_train: training diverged: the loss of epoch %d, batch %d is %g"
                                 % (epoch + 1, b + 1, lv))
            loss.backward()
            opt.step()
            train_s += time.perf_counter() - t1
            loss_sum += lv * len(y)
            correct += int((out.detach().argmax(1) == y).sum())
            seen += len(y)
        test_loss, test_correct, test_s = evaluate(model, xte, yte, eval_batch, loss_kind, scale)
        acc = test_correct / max(len(yte), 1)
        is_best = best_epoch == 0 or acc > best  # as step/train.c end_epoch: strictly better
        if is_best:
            best, best_epoch = acc, epoch + 1
            torch_net.save_weights(model, os.path.join(out_dir, "best.h5"))
        r = {"epoch": epoch + 1, "lr": lr, "train_loss": loss_sum / seen, "train_accuracy": correct / seen,
             "test_loss": test_loss, "test_accuracy": acc, "test_correct": test_correct, "test_samples": len(yte),
             "train_samples": seen, "train_seconds": train_s, "test_seconds": test_s, "best": is_best}
        with open(log_path, "a") as f:
            f.write(log_line(r))
        print("epoch %d/%d: lr %.4g, train loss %.4f acc %.2f %%, test loss %.4f acc %.2f %% (%d/%d), "
              "%.1f s train %.1f s test%s" % (epoch + 1, epochs, lr, r["train_loss"], 100 * r["train_accuracy"],
                                              test_loss, 100 * acc, test_correct, len(yte), train_s, test_s,
                                              ", best" if is_best else ""), flush=True)
    print("best: %.2f %% (epoch %d); log %s" % (100 * best, best_epoch, log_path))


if __name__ == "__main__":
    main()
