#!/usr/bin/python3
"""experiments/spiking_xor/run_xor.py: the reduced spiking XOR of Payeur et al. (2021, Fig. 4) end to
end: writes the config (make_config.py, options after `--` go to it), runs xor_run (which gates
learning by phases), and summarises the output population's event rate by XOR class, in the first
epoch (examples 0-3, before learning has acted much) and in the test examples after training:
the separation is mean(rate | 01, 10) - mean(rate | 00, 11). `--png` draws the rates per example;
`--frozen` runs the same schedule with learning off (the control).

usage: run_xor.py XOR_RUN OUT_DIR [--png FIG.png] [--frozen] [-- make_config options]"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_config  # noqa: E402

COLS = ("in1", "in2", "hid1", "hid2", "out")


def parse_output(text):
    rows, weights = [], {}
    for line in text.splitlines():
        f = line.split()
        if f and f[0] in ("train", "test"):
            rows.append({"phase": f[0], "k": int(f[1]), "x": (int(f[2]), int(f[3])), "y": int(f[4]),
                         **{c: float(v) for c, v in zip(COLS, f[5:])}})
        elif f and f[0] == "weights":
            weights.setdefault(f[1], []).append(float(f[2]))
    return rows, weights


def separation(rows):
    one = [r["out"] for r in rows if r["y"] == 1]
    zero = [r["out"] for r in rows if r["y"] == 0]
    return sum(one) / len(one) - sum(zero) / len(zero)


def plot(rows, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for y, col in ((1, "C3"), (0, "C0")):
        pts = [(i, r["out"]) for i, r in enumerate(rows) if r["y"] == y]
        ax.plot(*zip(*pts), "o", color=col, ms=4, label="target %d (XOR %s)" % (y, "01, 10" if y else "00, 11"))
    n_train = sum(r["phase"] == "train" for r in rows)
    ax.axvline(n_train - 0.5, color="0.5", ls="--")
    ax.set_xlabel("example (after the dashed line: test, no learning)")
    ax.set_ylabel("output event rate (Hz)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=100)


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("xor_run")
    p.add_argument("out_dir")
    p.add_argument("--png")
    p.add_argument("--frozen", action="store_true", help="control: the same run with learning off")
    a = p.parse_args(argv)
    os.makedirs(a.out_dir, exist_ok=True)
    cfg = os.path.join(a.out_dir, "xor.json")
    m = make_config.main([cfg] + extra)
    r = subprocess.run([a.xor_run] + (["--frozen"] if a.frozen else []) + [cfg, str(m.train), str(m.durex), str(m.learn), str(m.durex - m.learn - 500.0),
                        str(m.warmup)], capture_output=True, text=True, check=True)
    with open(os.path.join(a.out_dir, "xor_run.txt"), "w") as f:
        f.write(r.stdout)
    rows, weights = parse_output(r.stdout)
    first = [x for x in rows if x["phase"] == "train"][:4]
    test = [x for x in rows if x["phase"] == "test"]
    summary = {"separation_first_epoch_Hz": separation(first), "separation_test_Hz": separation(test),
               "test_out_Hz": {"%d%d" % x["x"]: x["out"] for x in test},
               "first_epoch_out_Hz": {"%d%d" % x["x"]: x["out"] for x in first},
               "weights_before_after_nS": weights}
    print(json.dumps(summary, indent=1))
    if a.png:
        plot(rows, a.png)


if __name__ == "__main__":
    main()
