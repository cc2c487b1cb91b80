#!/usr/bin/python3
"""experiments/desire/compare_torch.py: desire backpropagation's training speed in spikeq against the
same algorithm written the way its authors' code runs (desire_torch.py: PyTorch, dense float32, one
sample at a time), on the same samples, one after the other in one invocation, one thread each.

Both train the config's network (default fashion_mnist.json: 784-1000-100-10, T = 20, dropout
0.05 / 0.40) on N training images for E epochs and test on the first M test images; the script
prints each side's training seconds per epoch, both extrapolated to the 60,000 images of an epoch,
their ratio, and each side's test accuracy (the two use different random streams for the initial
weights, the masks and the order, so their accuracies agree only statistically).
spikeq takes the first N images of the training set (data.samples) and M = N test images;
desire_torch.py the first N of each epoch's shuffle.

usage: compare_torch.py [--config CONFIG.json] [--samples N] [--epochs E] [--spikeq BUILD/spikeq]"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=os.path.join(HERE, "fashion_mnist.json"))
    ap.add_argument("--samples", type=int, default=5000, help="training images (and test images)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--spikeq", default=os.path.join(ROOT, "build", "spikeq"))
    a = ap.parse_args()
    config = json.load(open(a.config))
    with tempfile.TemporaryDirectory() as tmp:
        config["data"]["samples"] = a.samples
        config["training"].update({"epochs": a.epochs, "threads": 1})
        cfg = os.path.join(tmp, "config.json")
        json.dump(config, open(cfg, "w"))
        r = subprocess.run([a.spikeq, "train", cfg, "--out", os.path.join(tmp, "spikeq"), "--threads", "1", "-q"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("spikeq train failed:\n" + r.stderr)
        log = [json.loads(l) for l in open(os.path.join(tmp, "spikeq", "log.jsonl"))]
        sq_s = sum(e["train_seconds"] for e in log) / len(log)
        sq_acc = log[-1]["test_accuracy"]
        sizes = config["network"]["sizes"]
        dropout = config["network"].get("dropout", {})
        r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "desire_torch.py"), "--train-samples", str(a.samples),
                            "--test-samples", str(a.samples), "--epochs", str(a.epochs), "--threads", "1",
                            "--dropout", str(dropout.get("input", 0.05)), str(dropout.get("hidden", 0.40))],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("desire_torch.py failed:\n" + r.stderr)
        torch_s = float(re.search(r"seconds per epoch: ([0-9.]+)", r.stdout).group(1))
        accs = re.findall(r"test accuracy: ([0-9.]+) %", r.stdout)
        torch_acc = float(accs[-2 if len(accs) > 1 else -1]) / 100 if accs else float("nan")
    scale = 60000 / a.samples
    print("network %s, %d training images, %d epoch(s), 1 thread" % ("-".join(map(str, sizes)), a.samples, a.epochs))
    print("%-28s %12s %18s %14s" % ("", "s per epoch", "s per 60000 images", "test accuracy"))
    print("%-28s %12.2f %18.1f %13.2f %%" % ("PyTorch (desire_torch.py)", torch_s, torch_s * scale, 100 * torch_acc))
    print("%-28s %12.2f %18.1f %13.2f %%" % ("spikeq", sq_s, sq_s * scale, 100 * sq_acc))
    print("ratio (PyTorch / spikeq): %.1fx" % (torch_s / sq_s))


if __name__ == "__main__":
    main()
