#!/usr/bin/python3
"""experiments/burstccn/plot_curves.py: the test accuracy per epoch of BurstCCN, burstprop and
backprop on Fashion-MNIST, from the committed logs (experiments/burstccn/run/*.jsonl and
experiments/burstprop/run/*.jsonl, the log.jsonl files of `spikeq train`), in one PNG, and the
table of best and last accuracies the README shows. Each backprop curve is trained on its rule's
network and epochs.
usage: plot_curves.py [--out curves.png]"""
import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

HERE = os.path.dirname(os.path.abspath(__file__))
EXP = os.path.dirname(HERE)
RUNS = [("BurstCCN (784-500-500-500-10)", "burstccn/run/burstccn.jsonl", "C0", "-"),
        ("backprop, same network as BurstCCN", "burstccn/run/backprop.jsonl", "C0", ":"),
        ("burstprop (784-500-500-10)", "burstprop/run/burstprop.jsonl", "C1", "-"),
        ("backprop, same network as burstprop", "burstprop/run/backprop.jsonl", "C1", ":")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "run", "curves.png"))
    a = ap.parse_args()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    print("| run | best test accuracy (epoch) | epoch 50 |")
    print("|---|---|---|")
    for label, path, colour, style in RUNS:
        log = [json.loads(l) for l in open(os.path.join(EXP, path))]
        acc = [100 * e["test_accuracy"] for e in log]
        ax.plot([e["epoch"] for e in log], acc, color=colour, linestyle=style, label=label)
        best = max(log, key=lambda e: e["test_accuracy"])
        print("| %s | %.2f %% (%d) | %.2f %% |" % (label, 100 * best["test_accuracy"], best["epoch"], acc[-1]))
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(80, 91)
    ax.set_title("Fashion-MNIST: burst-dependent rules against backprop")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print("curves:", a.out)


if __name__ == "__main__":
    main()
