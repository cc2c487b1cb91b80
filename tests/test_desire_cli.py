#!/usr/bin/python3
"""tests/test_desire_cli.py: `spikeq train` and `spikeq eval` with training.rule = "desire" as a
user meets them, on Debian's Fashion-MNIST (dataset-fashion-mnist):
- `spikeq eval experiments/desire/fashion_mnist.json --weights <the authors' weights>` prints
  `test accuracy: 87.60 % (8760/10000)` (learning.md §1.8), and --predictions holds /counts
  [10000][10], /labels (the dataset's) and /predicted consistent with that accuracy (unique
  maximum, -1 otherwise);
- the paper's network on the first 2,000 images learns (test accuracy after 2 epochs >= 40 %,
  chance 10 %); the per-epoch lines, log.jsonl, checkpoint.h5, best.h5, learning_curve.png;
- the weights after training are bit-identical at --threads 1 and 2, after a resume from the
  epoch-1 checkpoint, and after a SIGINT at an arbitrary moment and a resume;
- bad input gets a clear error, exit 1 or 2: data.T other than 1, network.sizes[0] not the image
  size, an unknown field, an unknown training.rule, weights of the wrong shape (the dataset and
  both shapes named), a BPTT checkpoint given to --resume, --benchmark.
usage: test_desire_cli.py SPIKEQ_BINARY SOURCE_ROOT"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from checks import check, finish

SPIKEQ, ROOT = sys.argv[1], sys.argv[2]
CONFIG = os.path.join(ROOT, "experiments", "desire", "fashion_mnist.json")
# The authors' weights (../shared/data/desire_fashion_mnist_weights.h5), copied into the tree.
AUTHORS = os.path.join(ROOT, "experiments", "desire", "authors_weights.h5")


def run(*args, **kw):
    return subprocess.run([SPIKEQ, *args], capture_output=True, text=True, **kw)


def small_config(tmp, **changes):
    c = json.load(open(CONFIG))
    c["data"]["samples"] = 2000
    c["training"].update({"epochs": 2, "seed": 5})
    for k, v in changes.items():
        section, key = k.split("__")
        c[section][key] = v
    path = os.path.join(tmp, "desire_%d.json" % len(os.listdir(tmp)))
    json.dump(c, open(path, "w"))
    return path


def weights(path):
    with h5py.File(path, "r") as f:
        return {k: np.asarray(f["layers"][k]["weight"]) for k in f["layers"]}


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def main():
    # The authors' weights.
    if os.path.exists(AUTHORS):
        with tempfile.TemporaryDirectory() as tmp:
            pred = os.path.join(tmp, "pred.h5")
            r = run("eval", CONFIG, "--weights", AUTHORS, "--predictions", pred, "--threads", "2")
            check("authors' weights: exit 0", r.returncode == 0, r.stderr)
            check("authors' weights: 87.60 % (8760/10000)", "test accuracy: 87.60 % (8760/10000)" in r.stdout, r.stdout)
            if r.returncode == 0:
                with h5py.File(pred, "r") as f:
                    counts, labels, predicted = (np.asarray(f[k]) for k in ("counts", "labels", "predicted"))
                check("predictions: shapes", counts.shape == (10000, 10) and labels.shape == (10000,), str(counts.shape))
                top = counts.max(1)
                unique = (counts == top[:, None]).sum(1) == 1
                ref = np.where(unique, counts.argmax(1), -1)
                check("predictions: /predicted is the unique maximum", np.array_equal(ref, predicted))
                check("predictions: 8760 correct", int((predicted == labels).sum()) == 8760,
                      str(int((predicted == labels).sum())))
    else:
        check("the authors' weights are at " + AUTHORS, False)

    with tempfile.TemporaryDirectory() as tmp:
        cfg = small_config(tmp)
        runs = {}
        for threads in (1, 2):
            out = os.path.join(tmp, "t%d" % threads)
            r = run("train", cfg, "--out", out, "--threads", str(threads), "-q")
            check("train --threads %d: exit 0" % threads, r.returncode == 0, r.stderr)
            runs[threads] = out
        out = runs[1]
        lines = [l for l in open(os.path.join(out, "log.jsonl"))]
        check("log.jsonl: one line an epoch", len(lines) == 2, str(len(lines)))
        last = json.loads(lines[-1])
        check("learns: test accuracy >= 40 %", last["test_accuracy"] >= 0.40, str(last["test_accuracy"]))
        for name in ("checkpoint.h5", "best.h5", "learning_curve.png"):
            check("file " + name, os.path.exists(os.path.join(out, name)))
        final = weights(os.path.join(out, "checkpoint.h5"))
        check("threads 1 and 2: identical weights", same(final, weights(os.path.join(runs[2], "checkpoint.h5"))))
        # Resume from the epoch-1 checkpoint.
        part = os.path.join(tmp, "part")
        run("train", cfg, "--out", part, "--epochs", "1", "-q")
        r = run("train", cfg, "--out", part, "--resume", os.path.join(part, "checkpoint.h5"), "-q")
        check("resume after epoch 1: exit 0", r.returncode == 0, r.stderr)
        check("resume after epoch 1: identical weights", same(final, weights(os.path.join(part, "checkpoint.h5"))))
        check("resume: log has 2 lines", len(open(os.path.join(part, "log.jsonl")).readlines()) == 2)
        # SIGINT at some moment, then resume: whatever the position, the same weights.
        big = small_config(tmp, data__samples=6000, training__epochs=2)
        ref = os.path.join(tmp, "ref")
        t0 = time.time()
        run("train", big, "--out", ref, "-q")
        wall = time.time() - t0
        stop = os.path.join(tmp, "stop")
        p = subprocess.Popen([SPIKEQ, "train", big, "--out", stop, "-q"], stdout=subprocess.PIPE, text=True)
        time.sleep(wall * 0.4)
        p.send_signal(signal.SIGINT)
        o, _ = p.communicate()
        check("SIGINT: exit 130 (or done before the signal)", p.returncode in (130, 0), str(p.returncode))
        if p.returncode == 130:
            check("SIGINT: says how to resume", "resume with --resume" in o, o)
            r = run("train", big, "--out", stop, "--resume", os.path.join(stop, "checkpoint.h5"), "-q")
            check("resume after SIGINT: exit 0", r.returncode == 0, r.stderr)
        check("resume after SIGINT: identical weights",
              same(weights(os.path.join(ref, "checkpoint.h5")), weights(os.path.join(stop, "checkpoint.h5"))))

        # Bad input.
        def bad(name, cfg_or_args, needle, code=1):
            args = ["train", cfg_or_args, "--out", os.path.join(tmp, "bad"), "-q"] if isinstance(cfg_or_args, str) \
                else cfg_or_args
            r = run(*args)
            check(name + ": exit %d" % code, r.returncode == code, "%d %s" % (r.returncode, r.stderr))
            check(name + ": message", needle in r.stderr, r.stderr)

        bad("data.T = 10", small_config(tmp, data__T=10), "data.T: expected 1")
        bad("sizes[0]", small_config(tmp, network__sizes=[100, 10]), "network.sizes[0]: expected the data's 28x28x1 = 784 inputs, got 100")
        bad("unknown field", small_config(tmp, network__layers=[]), "network.layers: unknown field")
        bad("unknown rule", small_config(tmp, training__rule="hebb"), "training.rule: expected \"bptt\", \"desire\", \"backprop\"")
        bad("--benchmark", ["train", cfg, "--benchmark", "2"], "desire backpropagation trains online")
        wrong = os.path.join(tmp, "wrong.h5")
        with h5py.File(wrong, "w") as f:
            f["W1"] = np.zeros((1000, 700), np.float32)
        bad("eval: wrong shape", ["eval", cfg, "--weights", wrong], "/W1")
        r = run("eval", cfg, "--weights", wrong)
        check("eval: wrong shape names both shapes", "1000 x 784" in r.stderr.replace("[", "").replace("]", "")
              or ("784" in r.stderr and "700" in r.stderr), r.stderr)
        bptt = os.path.join(tmp, "bptt.h5")
        with h5py.File(bptt, "w") as f:
            f.attrs["kind"] = "checkpoint"
        bad("--resume of a BPTT checkpoint", ["train", cfg, "--out", os.path.join(tmp, "bad2"), "--resume", bptt],
            "expected \"checkpoint\", \"desire\"")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
