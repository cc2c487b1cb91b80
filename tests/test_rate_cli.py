#!/usr/bin/python3
"""tests/test_rate_cli.py: `spikeq train` and `spikeq eval` of rate networks (training.rule =
"backprop", "burstprop", "burstccn"; step/rate_train.h) as a user meets them, on Debian's
Fashion-MNIST (dataset-fashion-mnist), with the configs of experiments/burstccn and
experiments/burstprop on the first 10,000 images of each split:
- every rule learns (test accuracy after 2 epochs >= 45 %, chance 10 %; measured 51-72 %); the per-epoch lines,
  log.jsonl (burst rules: "alignment", one cosine per weight layer in [-1, 1]), checkpoint.h5,
  best.h5 (with the rule's feedback weights), learning_curve.png;
- `spikeq eval --weights best.h5` reproduces the log's best test accuracy, and --predictions holds
  /outputs [n][10], /labels and /predicted (the argmax) consistent with it;
- the weights (and the rule's own) are bit-identical at --threads 1 and 2, after a resume from the
  epoch-1 checkpoint, and after a SIGINT at an arbitrary moment and a resume;
- `--benchmark` prints training and inference samples/s; the MNIST configs train from data/mnist/;
- bad input gets a clear error, exit 1 or 2: an unknown field, a bad rule section field, lr of the
  wrong length, network.sizes[0] not the image size, data.T other than 1, weights of the wrong
  shape (the dataset named), a checkpoint of another rule given to --resume, eval --batch.
usage: test_rate_cli.py SPIKEQ_BINARY SOURCE_ROOT"""
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

SPIKEQ, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
CONFIGS = {"burstccn": os.path.join(ROOT, "experiments", "burstccn", "burstccn.json"),
           "backprop": os.path.join(ROOT, "experiments", "burstccn", "backprop.json"),
           "burstprop": os.path.join(ROOT, "experiments", "burstprop", "burstprop.json")}


def run(*args, **kw):
    return subprocess.run([SPIKEQ, *args], capture_output=True, text=True, **kw)


def small_config(tmp, rule, samples=10000, **changes):
    c = json.load(open(CONFIGS[rule]))
    c["data"]["samples"] = samples
    c["training"].update({"epochs": 2, "seed": 5})
    for k, v in changes.items():
        section, key = k.split("__")
        c[section][key] = v
    path = os.path.join(tmp, "%s_%d.json" % (rule, len(os.listdir(tmp))))
    json.dump(c, open(path, "w"))
    return path


def tensors(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, np.asarray(obj)) if isinstance(obj, h5py.Dataset) else None)
    return out


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def one_rule(tmp, rule):
    cfg = small_config(tmp, rule)
    runs = {}
    for threads in (1, 2):
        out = os.path.join(tmp, "%s_t%d" % (rule, threads))
        r = run("train", cfg, "--out", out, "--threads", str(threads), "-q")
        check("%s: train --threads %d: exit 0" % (rule, threads), r.returncode == 0, r.stderr)
        runs[threads] = out
    out = runs[1]
    check("%s: per-epoch lines" % rule, r.stdout.count("\nepoch ") == 2, r.stdout)
    log = [json.loads(l) for l in open(os.path.join(out, "log.jsonl"))]
    check("%s: log.jsonl: one line an epoch" % rule, len(log) == 2, str(len(log)))
    check("%s: learns: test accuracy >= 45 %%" % rule, log[-1]["test_accuracy"] >= 0.45, str(log[-1]["test_accuracy"]))
    if rule != "backprop":
        a = log[-1].get("alignment", [])
        check("%s: alignment per weight layer in [-1, 1]" % rule, len(a) == len(json.load(open(cfg))["network"]["sizes"]) - 1
              and all(-1 <= x <= 1 for x in a), str(a))
    for name in ("checkpoint.h5", "best.h5", "learning_curve.png"):
        check("%s: file %s" % (rule, name), os.path.exists(os.path.join(out, name)))
    final = tensors(os.path.join(out, "checkpoint.h5"))
    check("%s: threads 1 and 2: identical weights" % rule, same(final, tensors(os.path.join(runs[2], "checkpoint.h5"))))
    best = tensors(os.path.join(out, "best.h5"))
    expect = {"backprop": "layers", "burstccn": "burstccn/Q1", "burstprop": "burstprop/W_r1"}[rule]
    check("%s: best.h5 holds %s" % (rule, expect), any(k.startswith(expect) for k in best), str(sorted(best)))
    check("%s: best.h5 has no optimiser state" % rule, not any(k.startswith("optimizer") for k in best))
    # eval reproduces the best epoch's accuracy.
    top = max(log, key=lambda e: e["test_accuracy"])
    pred = os.path.join(tmp, rule + "_pred.h5")
    r = run("eval", cfg, "--weights", os.path.join(out, "best.h5"), "--predictions", pred)
    want = "test accuracy: %.2f %% (%d/%d)" % (100 * top["test_accuracy"], top["test_correct"], top["test_samples"])
    check("%s: eval best.h5: %s" % (rule, want), want in r.stdout, r.stdout + r.stderr)
    if r.returncode == 0:
        with h5py.File(pred, "r") as f:
            outputs, labels, predicted = (np.asarray(f[k]) for k in ("outputs", "labels", "predicted"))
        check("%s: predictions: shapes" % rule, outputs.shape == (10000, 10) and labels.shape == (10000,), str(outputs.shape))
        check("%s: predictions: argmax" % rule, np.array_equal(outputs.argmax(1), predicted))
        check("%s: predictions: the accuracy" % rule, int((predicted == labels).sum()) == top["test_correct"])
    # Resume from the epoch-1 checkpoint.
    part = os.path.join(tmp, rule + "_part")
    run("train", cfg, "--out", part, "--epochs", "1", "-q")
    r = run("train", cfg, "--out", part, "--resume", os.path.join(part, "checkpoint.h5"), "-q")
    check("%s: resume after epoch 1: exit 0" % rule, r.returncode == 0, r.stderr)
    check("%s: resume after epoch 1: identical weights" % rule, same(final, tensors(os.path.join(part, "checkpoint.h5"))))
    check("%s: resume: log has 2 lines" % rule, len(open(os.path.join(part, "log.jsonl")).readlines()) == 2)
    check("%s: resume: the same log" % rule, [json.loads(l)["test_correct"] for l in open(os.path.join(part, "log.jsonl"))]
          == [e["test_correct"] for e in log])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for rule in CONFIGS:
            one_rule(tmp, rule)

        # SIGINT at some moment, then resume: whatever the position, the same weights.
        big = small_config(tmp, "burstccn", samples=10000, training__epochs=3)
        ref = os.path.join(tmp, "ref")
        t0 = time.time()
        run("train", big, "--out", ref, "--threads", "1", "-q")
        wall = time.time() - t0
        stop = os.path.join(tmp, "stop")
        p = subprocess.Popen([SPIKEQ, "train", big, "--out", stop, "--threads", "1", "-q"], stdout=subprocess.PIPE,
                             text=True)
        time.sleep(wall * 0.4)
        p.send_signal(signal.SIGINT)
        o, _ = p.communicate()
        check("SIGINT: exit 130 (or done before the signal)", p.returncode in (130, 0), str(p.returncode))
        if p.returncode == 130:
            check("SIGINT: says how to resume", "resume with --resume" in o, o)
            r = run("train", big, "--out", stop, "--resume", os.path.join(stop, "checkpoint.h5"), "-q")
            check("resume after SIGINT: exit 0", r.returncode == 0, r.stderr)
        check("resume after SIGINT: identical weights",
              same(tensors(os.path.join(ref, "checkpoint.h5")), tensors(os.path.join(stop, "checkpoint.h5"))))

        # The MNIST configs read data/mnist/ (relative to where spikeq runs): IDX files of MNIST's
        # names and format (here Fashion-MNIST's, which are that format) are found and trained on.
        mnist = os.path.join(tmp, "mnistrun")
        os.makedirs(os.path.join(mnist, "data", "mnist"))
        for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
            os.symlink("/usr/share/datasets/fashion-mnist/%s.gz" % name, os.path.join(mnist, "data", "mnist", name + ".gz"))
        c = json.load(open(os.path.join(ROOT, "experiments", "burstccn", "burstccn_mnist.json")))
        c["data"]["samples"] = 500
        c["training"]["epochs"] = 1
        json.dump(c, open(os.path.join(mnist, "mnist.json"), "w"))
        r = run("train", "mnist.json", "--out", "o", "-q", cwd=mnist)
        check("MNIST config: trains from data/mnist", r.returncode == 0 and os.path.exists(os.path.join(mnist, "o", "best.h5")),
              r.stderr)

        r = run("train", small_config(tmp, "burstccn"), "--benchmark", "20", "-q")
        check("--benchmark: exit 0", r.returncode == 0, r.stderr)
        check("--benchmark: samples/s", "train samples/s: " in r.stdout and "infer samples/s: " in r.stdout, r.stdout)

        # Bad input.
        def bad(name, cfg_or_args, needle, code=1):
            args = ["train", cfg_or_args, "--out", os.path.join(tmp, "bad"), "-q"] if isinstance(cfg_or_args, str) \
                else cfg_or_args
            r = run(*args)
            check(name + ": exit %d" % code, r.returncode == code, "%d %s" % (r.returncode, r.stderr))
            check(name + ": message", needle in r.stderr, r.stderr)

        cfg = small_config(tmp, "burstccn")
        bad("unknown field", small_config(tmp, "burstccn", training__momentun=0.9), "training.momentun: unknown field")
        bad("rule section", small_config(tmp, "burstccn", training__burstccn={"Y": "mirror"}),
            "training.burstccn.Y: expected one of")
        bad("section of another rule", small_config(tmp, "burstccn", training__burstprop={}),
            "training.burstprop: unknown field")
        bad("lr length", small_config(tmp, "burstccn", training__lr=[0.1, 0.2]),
            "training.lr: expected a number >= 0 or an array of 4 of them")
        bad("sizes[0]", small_config(tmp, "burstccn", network__sizes=[100, 10]),
            "network.sizes[0]: expected the data's 28x28x1 = 784 inputs, got 100")
        bad("data.T", small_config(tmp, "burstccn", data__T=5), "data.T: expected 1")
        bad("reduction", small_config(tmp, "burstccn", training__reduction="max"), "training.reduction: expected")
        wrong = os.path.join(tmp, "wrong.h5")
        with h5py.File(wrong, "w") as f:
            f["layers/fc1/weight"] = np.zeros((500, 700), np.float32)
        bad("eval: wrong shape", ["eval", cfg, "--weights", wrong], "/layers/fc1/weight")
        bad("eval --batch", ["eval", cfg, "--weights", wrong, "--batch", "8"], "not available for rate networks", 1)
        other = os.path.join(tmp, "backprop_t1", "checkpoint.h5")
        bad("--resume of another rule's checkpoint", ["train", cfg, "--out", os.path.join(tmp, "bad2"), "--resume", other],
            "expected \"checkpoint\", \"burstccn\"")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
