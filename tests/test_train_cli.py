#!/usr/bin/python3
"""tests/test_train_cli.py: `spikeq train` and `spikeq eval` as a user meets them, on a small tensors
dataset written with h5py (2 x 8 x 8 inputs, T = 3, 200 train / 60 test samples, 3 classes: class k
has extra events in the k-th third of the columns, on channel k % 2) and a conv + BN (per step) +
LIF + dropout + pool + linear + readout config:
- training learns it (test accuracy >= 80 %, chance 33 %); the per-epoch lines, the summary,
  log.jsonl (one JSON object a line, the same numbers), checkpoint.h5, best.h5, learning_curve.png;
- eval of best.h5 prints the best epoch's `test accuracy: P % (K/N)`, of checkpoint.h5 the last
  epoch's; --predictions holds /logits, /labels (the file's) and /predicted (their argmax) consistent
  with it; another --batch and --threads give the same answers;
- the trained weights are bit-identical at --threads 1, 2 and 3 (every dataset of best.h5 and
  checkpoint.h5, numpy array_equal);
- resuming (2 epochs, then --resume to 4, at another thread count) gives the 4-epoch run's files;
  a SIGINT mid-epoch (a heavier net on 1000 samples of 2 x 16 x 16; the signal is sent after a
  quarter of an uninterrupted run's wall time) exits 130 with a checkpoint at batch > 0, and resuming
  it gives the uninterrupted run's weights bit for bit;
- --benchmark prints positive samples/s and writes nothing;
- bad input: a missing config, malformed JSON (file and line), unknown options (exit 2), weights of
  the wrong shape for eval (dataset and both shapes), --resume of a weights file, of a truncated
  checkpoint and of a missing file: exit 1, a message naming the file, and the output folder as it was.
usage: test_train_cli.py SPIKEQ_BINARY"""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from checks import check, finish

SPIKEQ = sys.argv[1]

LAYERS = [
    {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1},
    {"type": "batchnorm", "per_step": True},
    {"type": "lif"},
    {"type": "dropout", "p": 0.1},
    {"type": "avgpool", "kernel": 4},
    {"type": "linear", "out_features": 3},
    {"type": "readout"},
]
TRAINING = {"epochs": 4, "batch": 16, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}, "seed": 3}
# The SIGINT run: enough work that an epoch takes about 2 s at one thread.
HEAVY_LAYERS = [
    {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": 1},
    {"type": "batchnorm", "per_step": True},
    {"type": "lif"},
    {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": 1},
    {"type": "batchnorm", "per_step": True},
    {"type": "lif"},
    {"type": "avgpool", "kernel": 4},
    {"type": "linear", "out_features": 3},
    {"type": "readout"},
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(args, **kw):
    return subprocess.run([SPIKEQ] + args, capture_output=True, text=True, timeout=600, **kw)


def write_dataset(path, n_train, n_test, T, H, W, seed):
    """Class k: background events (p 0.15) plus events (p 0.25) in column band k on channel k % 2."""
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        for split, n in (("train", n_train), ("test", n_test)):
            labels = rng.integers(0, 3, n)
            x = rng.random((n, T, 2, H, W)) < 0.15
            for i, k in enumerate(labels):
                band = slice(k * W // 3, (k + 1) * W // 3)
                x[i, :, k % 2, :, band] |= rng.random((T, H, band.stop - band.start)) < 0.25
            f[f"{split}/inputs"] = x.astype(np.float32)
            f[f"{split}/labels"] = labels.astype(np.int64)


def write_config(path, data, layers=LAYERS, training=TRAINING):
    with open(path, "w") as f:
        json.dump({"data": data, "network": {"layers": layers}, "training": training}, f)


def datasets(path):
    """Every dataset of an HDF5 file, by name."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def same_arrays(a, b):
    """'' when both files hold the same datasets with the same bits, else what differs."""
    try:
        da, db = datasets(a), datasets(b)
    except OSError as e:
        return str(e)
    if sorted(da) != sorted(db):
        return f"datasets {sorted(da)} vs {sorted(db)}"
    bad = [k for k in da if da[k].shape != db[k].shape or not np.array_equal(da[k], db[k])]
    return f"{bad} differ" if bad else ""


def log_lines(out):
    with open(os.path.join(out, "log.jsonl")) as f:
        return [json.loads(line) for line in f]


def snapshot(folder):
    """name -> (sha256, size, mtime) of every file of a folder."""
    snap = {}
    for name in sorted(os.listdir(folder)):
        p = os.path.join(folder, name)
        with open(p, "rb") as f:
            snap[name] = (hashlib.sha256(f.read()).hexdigest(), os.path.getsize(p), os.stat(p).st_mtime_ns)
    return snap


def attrs(path):
    with h5py.File(path, "r") as f:
        return {k: f.attrs[k] for k in f.attrs}


def check_training_outputs(r, out):
    check("train exits 0", r.returncode == 0, r.stderr)
    epochs = re.findall(r"^epoch (\d+): lr [\d.e-]+  train loss [\d.]+ acc [\d.]+ %  test loss [\d.]+ acc ([\d.]+) % "
                        r"\((\d+)/(\d+)\)", r.stdout, re.M)
    check("one line per epoch", [int(e[0]) for e in epochs] == [1, 2, 3, 4], r.stdout)
    check("summary: epochs completed", "epochs completed: 4 of 4" in r.stdout, r.stdout)
    best = re.search(r"^best test accuracy: ([\d.]+) % \(epoch (\d+)\)$", r.stdout, re.M)
    check("summary: best test accuracy", best is not None, r.stdout)
    check("summary names the outputs", f"output: {out}/checkpoint.h5, {out}/best.h5" in r.stdout, r.stdout)
    try:
        log = log_lines(out)
    except (OSError, ValueError) as e:
        check("log.jsonl: one JSON object a line", False, str(e))
        return None
    check("log.jsonl: one line per epoch", [e["epoch"] for e in log] == [1, 2, 3, 4], log)
    keys = {"epoch", "lr", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "test_correct",
            "test_samples", "train_samples", "best"}
    check("log.jsonl: the fields", all(keys <= set(e) for e in log), log[0])
    check("log.jsonl: the printed numbers", [(e["test_correct"], e["test_samples"]) for e in log] ==
          [(int(e[2]), int(e[3])) for e in epochs], (log, epochs))
    check("log.jsonl: 200 training, 60 test samples", all(e["train_samples"] == 200 and e["test_samples"] == 60
                                                         for e in log), log)
    acc = [e["test_accuracy"] for e in log]
    check("learns: last test accuracy >= 80 % (chance 33 %)", acc[-1] >= 0.8, acc)
    check("learns: the loss falls", log[-1]["train_loss"] < 0.8 * log[0]["train_loss"], log)
    first_best = 1 + int(np.argmax(acc))  # "best" is strictly better than every earlier epoch
    check("log.jsonl: best marks each new maximum", [e["best"] for e in log] ==
          [a > max(acc[:i], default=-1) for i, a in enumerate(acc)], log)
    if best:
        check("summary: the best epoch of the log", int(best.group(2)) == first_best and
              abs(float(best.group(1)) - 100 * max(acc)) < 0.006, (best.group(0), acc))
    for name in ("checkpoint.h5", "best.h5"):
        check(f"{name} written", os.path.isfile(os.path.join(out, name)))
    png = os.path.join(out, "learning_curve.png")
    check("learning_curve.png is a PNG", os.path.isfile(png) and open(png, "rb").read(8) == PNG_MAGIC)
    ck = attrs(os.path.join(out, "checkpoint.h5"))
    check("checkpoint attributes: epoch 4, batch 0, the seed", ck.get("kind") == "checkpoint" and ck.get("epoch") == 4
          and ck.get("batch") == 0 and ck.get("seed") == 3, ck)
    return log


def check_eval(tmp, cfg, data, out, log):
    best = max(log, key=lambda e: (e["test_accuracy"], -e["epoch"]))
    pred = os.path.join(tmp, "pred.h5")
    r = run(["eval", cfg, "--weights", os.path.join(out, "best.h5"), "--predictions", pred, "-q"])
    check("eval exits 0", r.returncode == 0, r.stderr)
    m = re.search(r"^test accuracy: ([\d.]+) % \((\d+)/(\d+)\)$", r.stdout, re.M)
    check("eval prints test accuracy: P % (K/N)", m is not None, r.stdout)
    if m:
        k, n = int(m.group(2)), int(m.group(3))
        check("eval of best.h5 = the best epoch of log.jsonl", (k, n) == (best["test_correct"], 60), (m.group(0), best))
        check("eval: P = 100 K / N", abs(float(m.group(1)) - 100 * k / n) < 0.006, m.group(0))
    try:
        with h5py.File(pred, "r") as f:
            logits, labels, predicted = f["logits"][()], f["labels"][()], f["predicted"][()]
            accuracy = f.attrs["accuracy"]
        with h5py.File(data, "r") as f:
            true_labels = f["test/labels"][()]
    except (OSError, KeyError) as e:
        check("--predictions: /logits /labels /predicted", False, str(e))
        return
    check("--predictions: /logits [60][3]", logits.shape == (60, 3), logits.shape)
    check("--predictions: /labels are the file's", np.array_equal(labels, true_labels), labels)
    check("--predictions: /predicted = argmax of /logits", np.array_equal(predicted, np.argmax(logits, axis=1)))
    if m:
        check("--predictions: accuracy = K / N", int(np.sum(predicted == labels)) == int(m.group(2)) and
              abs(accuracy - int(m.group(2)) / 60) < 1e-12, (np.sum(predicted == labels), accuracy))
    # Evaluation mode: a sample's answer depends on neither the batch nor the threads.
    pred7 = os.path.join(tmp, "pred7.h5")
    r = run(["eval", cfg, "--weights", os.path.join(out, "best.h5"), "--predictions", pred7, "--batch", "7",
             "--threads", "2"])
    m7 = re.search(r"^test accuracy: .*$", r.stdout, re.M)
    check("eval --batch 7 --threads 2: the same accuracy", r.returncode == 0 and m and m7 and m7.group(0) == m.group(0),
          r.stdout + r.stderr)
    if r.returncode == 0:
        with h5py.File(pred7, "r") as f:
            check("eval --batch 7 --threads 2: the same logits (1e-5)", np.allclose(f["logits"][()], logits, rtol=1e-5,
                                                                                     atol=1e-6))
    last = log[-1]
    r = run(["eval", cfg, "--weights", os.path.join(out, "checkpoint.h5")])
    check("eval of checkpoint.h5 = the last epoch", r.returncode == 0 and
          f"({last['test_correct']}/60)" in r.stdout, r.stdout + r.stderr)


def check_threads_and_resume(tmp, cfg, ref):
    for threads in ("2", "3"):
        out = os.path.join(tmp, f"t{threads}")
        r = run(["train", cfg, "--out", out, "--threads", threads, "-q"])
        check(f"--threads {threads} exits 0", r.returncode == 0, r.stderr)
        for name in ("best.h5", "checkpoint.h5"):
            diff = same_arrays(os.path.join(ref, name), os.path.join(out, name))
            check(f"{name} at {threads} threads = 1 thread's, bit for bit", diff == "", diff)
    out = os.path.join(tmp, "resumed")
    r = run(["train", cfg, "--out", out, "--epochs", "2", "--threads", "1"])
    check("2 epochs exit 0", r.returncode == 0 and "epochs completed: 2 of 2" in r.stdout, r.stdout + r.stderr)
    r = run(["train", cfg, "--out", out, "--resume", os.path.join(out, "checkpoint.h5"), "--epochs", "4",
             "--threads", "2"])
    check("--resume to 4 epochs exits 0", r.returncode == 0, r.stderr)
    check("--resume says where it starts", "(epoch 2 done)" in r.stdout, r.stdout)
    check("--resume trains epochs 3 and 4 only", re.findall(r"^epoch (\d+):", r.stdout, re.M) == ["3", "4"], r.stdout)
    for name in ("checkpoint.h5", "best.h5"):
        diff = same_arrays(os.path.join(ref, name), os.path.join(out, name))
        check(f"resumed {name} = the 4-epoch run's, bit for bit", diff == "", diff)
    check("resumed log.jsonl = the 4-epoch run's", [(e["epoch"], e["test_correct"], e["train_loss"]) for e in
                                                    log_lines(out)] ==
          [(e["epoch"], e["test_correct"], e["train_loss"]) for e in log_lines(ref)])


def check_sigint(tmp):
    data = os.path.join(tmp, "heavy.h5")
    write_dataset(data, 1000, 30, 4, 16, 16, seed=5)
    cfg = os.path.join(tmp, "heavy.json")
    write_config(cfg, {"source": "tensors", "file": data}, HEAVY_LAYERS, dict(TRAINING, epochs=2))
    ref = os.path.join(tmp, "heavy_ref")
    t0 = time.monotonic()
    r = run(["train", cfg, "--out", ref, "--threads", "1", "-q"])
    wall = time.monotonic() - t0
    check("heavy run exits 0", r.returncode == 0, r.stderr)
    out = os.path.join(tmp, "heavy_stopped")
    p = subprocess.Popen([SPIKEQ, "train", cfg, "--out", out, "--threads", "1", "-q"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(max(0.2, wall / 4))  # inside epoch 1 of 2
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=600)
    check("SIGINT: exit status 130", p.returncode == 130, f"{p.returncode} after {wall / 4:.2f} s of {wall:.2f}: {stderr}")
    check("SIGINT: says how to resume", f"resume with --resume {out}/checkpoint.h5" in stdout, stdout)
    ck = os.path.join(out, "checkpoint.h5")
    a = attrs(ck) if os.path.isfile(ck) else {}
    check("SIGINT: a checkpoint inside epoch 1 (epoch 0, batch > 0)", a.get("epoch") == 0 and a.get("batch", 0) > 0, a)
    r = run(["train", cfg, "--out", out, "--resume", ck, "--threads", "2", "-q"])
    check("resume after SIGINT exits 0", r.returncode == 0, r.stderr)
    for name in ("checkpoint.h5", "best.h5"):
        diff = same_arrays(os.path.join(ref, name), os.path.join(out, name))
        check(f"resumed after SIGINT: {name} = the uninterrupted run's, bit for bit", diff == "", diff)


def check_benchmark(tmp):
    # Synthetic inputs need a source whose shape the config gives (dvs_emulated: T, size; 10 classes).
    cfg = os.path.join(tmp, "bench.json")
    layers = [dict(l, out_features=10) if l["type"] == "linear" else l for l in LAYERS]
    write_config(cfg, {"source": "dvs_emulated", "T": 3, "size": 8}, layers)
    out = os.path.join(tmp, "bench_out")
    r = run(["train", cfg, "--benchmark", "2", "--out", out])
    check("--benchmark exits 0", r.returncode == 0, r.stderr)
    x = re.search(r"^train samples/s: ([\d.]+)$", r.stdout, re.M)
    y = re.search(r"^infer samples/s: ([\d.]+)$", r.stdout, re.M)
    check("--benchmark: train and infer samples/s > 0", x and y and float(x.group(1)) > 0 and float(y.group(1)) > 0,
          r.stdout)
    check("--benchmark writes nothing", not os.path.exists(out), os.listdir(out) if os.path.exists(out) else "")


def fails_cleanly(name, r, code, *parts):
    check(f"{name}: exit {code}", r.returncode == code, f"{r.returncode}: {r.stderr}")
    check(f"{name}: the message", all(p in r.stderr for p in parts), r.stderr)
    check(f"{name}: no crash report", "Sanitizer" not in r.stderr and "Traceback" not in r.stderr, r.stderr)


def check_bad_input(tmp, cfg, out):
    missing = os.path.join(tmp, "missing.json")
    r = run(["train", missing])
    fails_cleanly("missing config", r, 1, missing, "No such file")
    check("missing config: no made-up line number", "line -1" not in r.stderr, r.stderr)
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{"data": {\n  "source": "tensors",\n  "file": \n}}\n')
    fails_cleanly("malformed JSON (train)", run(["train", bad]), 1, bad, "line 4")
    fails_cleanly("malformed JSON (eval)", run(["eval", bad, "--weights", "x.h5"]), 1, bad, "line 4")
    fails_cleanly("unknown option (train)", run(["train", cfg, "--epoch", "3"]), 2, '"--epoch"')
    fails_cleanly("unknown option (eval)", run(["eval", cfg, "--weights", "x.h5", "--shuffle"]), 2, '"--shuffle"')
    fails_cleanly("bad --threads", run(["train", cfg, "--threads", "0"]), 2, "--threads", "got 0")
    with open(cfg) as f:
        c = json.load(f)
    c["network"]["layers"][0]["out_channels"] = 4
    wrong = os.path.join(tmp, "wrong.json")
    with open(wrong, "w") as f:
        json.dump(c, f)
    best = os.path.join(out, "best.h5")
    fails_cleanly("eval with weights of another shape", run(["eval", wrong, "--weights", best]), 1,
                  f"{best}: /layers/conv2d0/weight: expected shape 4 x 2 x 3 x 3, got 8 x 2 x 3 x 3")
    truncated = os.path.join(tmp, "truncated.h5")
    with open(os.path.join(out, "checkpoint.h5"), "rb") as f, open(truncated, "wb") as g:
        g.write(f.read(100))
    fails_cleanly("eval of a truncated file", run(["eval", cfg, "--weights", truncated]), 1, truncated)
    before = snapshot(out)
    fails_cleanly("--resume of a weights file", run(["train", cfg, "--out", out, "--resume", best]), 1,
                  f'{best}: attribute kind: expected "checkpoint"')
    fails_cleanly("--resume of a truncated checkpoint", run(["train", cfg, "--out", out, "--resume", truncated]), 1,
                  f"{truncated}: ")
    fails_cleanly("--resume of a missing file", run(["train", cfg, "--out", out, "--resume", missing]), 1,
                  f"{missing}: cannot read the file")
    check("failed resumes leave the output folder's files as they were", snapshot(out) == before,
          (before, snapshot(out)))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data.h5")
        write_dataset(data, 200, 60, 3, 8, 8, seed=0)
        cfg = os.path.join(tmp, "train.json")
        write_config(cfg, {"source": "tensors", "file": data})
        out = os.path.join(tmp, "t1")
        r = run(["train", cfg, "--out", out, "--threads", "1"])
        log = check_training_outputs(r, out)
        if log:
            check_eval(tmp, cfg, data, out, log)
            check_threads_and_resume(tmp, cfg, out)
            check_bad_input(tmp, cfg, out)
        check_benchmark(tmp)
        check_sigint(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
