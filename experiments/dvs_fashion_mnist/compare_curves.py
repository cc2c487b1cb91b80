#!/usr/bin/python3
"""experiments/dvs_fashion_mnist/compare_curves.py: the test-accuracy curves of a spikeq training run and
of its PyTorch counterpart (torch_train.py) side by side. Both logs are the log.jsonl of step/train.c
append_log (one JSON object a line: epoch, lr, train_loss, train_accuracy, test_loss, test_accuracy,
...; torch_train.py writes the same). Plots both curves on one figure (matplotlib, Agg backend, so no
display is needed), prints a table epoch / spikeq / torch / difference (test accuracy in %, difference
spikeq - torch in percentage points) and a final line
  best: spikeq X % (epoch a), torch Y % (epoch b), difference Z points
An epoch logged twice (a run repeated into the same folder appends) counts with its last line.

usage: compare_curves.py SPIKEQ_LOG.jsonl TORCH_LOG.jsonl [-o curves.png]"""
import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def read_log(path):
    """epoch -> test accuracy in %."""
    acc = {}
    with open(path) as f:
        for i, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
                acc[int(r["epoch"])] = 100.0 * float(r["test_accuracy"])
            except (ValueError, KeyError, TypeError) as e:
                raise SystemExit("compare_curves: %s: line %d: not a log line (%s)" % (path, i, e))
    if not acc:
        raise SystemExit("compare_curves: %s: no epochs" % path)
    return acc


def best_of(acc):
    # the first epoch of the highest accuracy, as spikeq's "best" (a later tie is not better)
    e = min(acc, key=lambda k: (-acc[k], k))
    return acc[e], e


def main(argv=None):
    p = argparse.ArgumentParser(description="spikeq vs PyTorch test-accuracy curves")
    p.add_argument("spikeq_log")
    p.add_argument("torch_log")
    p.add_argument("-o", "--out", default="curves.png")
    a = p.parse_args(argv)
    s, t = read_log(a.spikeq_log), read_log(a.torch_log)

    print("%5s %9s %9s %11s" % ("epoch", "spikeq %", "torch %", "difference"))
    for e in sorted(set(s) | set(t)):
        cell = lambda d: "%9.2f" % d[e] if e in d else "%9s" % "-"  # noqa: E731
        diff = "%+11.2f" % (s[e] - t[e]) if e in s and e in t else "%11s" % "-"
        print("%5d %s %s %s" % (e, cell(s), cell(t), diff))

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for d, label, style in ((s, "spikeq", "o-"), (t, "PyTorch", "s--")):
        ep = sorted(d)
        ax.plot(ep, [d[e] for e in ep], style, label=label, markersize=4)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("test accuracy: spikeq vs PyTorch")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)

    bs, es = best_of(s)
    bt, et = best_of(t)
    print("wrote %s" % a.out)
    print("best: spikeq %.2f %% (epoch %d), torch %.2f %% (epoch %d), difference %+.2f points" % (bs, es, bt, et, bs - bt))


if __name__ == "__main__":
    main()
