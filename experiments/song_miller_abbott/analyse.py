#!/usr/bin/python3
"""Song, Miller & Abbott (2000) with song2000.json: runs it, prints the weight histogram every 10 s
next to Brian2's run of the same model (reference/brian2_100s.txt, from brian2_reference.py), and
writes song2000.png (histograms at 0 and 100 s; output rate over time).
Usage: analyse.py SPIKEQ [OUT_DIR]"""
import os
import re
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GMAX = 0.1  # nS


def brian2_reference():
    """[(t s, histogram of w/gmax in 10 bins, extremes fraction, rate Hz)] of the Brian2 run."""
    rows = []
    for line in open(os.path.join(HERE, "reference", "brian2_100s.txt")):
        m = re.match(r"t=(\d+) s hist=\[([^\]]*)\] extremes=([\d.]+) rate=([\d.]+) Hz", line)
        if m:
            rows.append((float(m[1]), np.array([int(x) for x in m[2].split(",")]), float(m[3]), float(m[4])))
    return rows


def measure(spikeq, out_dir, t_stop_ms=100000):
    """Runs song2000.json; returns (snapshot times s, histograms, extremes fractions, rates per 10 s)."""
    out = os.path.join(out_dir, "song2000.h5")
    subprocess.run([spikeq, "run", os.path.join(HERE, "song2000.json"), "--out", out, "--t-stop", str(t_stop_ms), "-q"],
                   check=True, stdout=subprocess.DEVNULL)
    with h5py.File(out, "r") as f:
        w = f["weights/input_synapses/weights"][:] / GMAX
        t = f["weights/input_synapses/times"][:] / 1000.0
        spikes = f["spikes/neuron/timestamps"][:] / 1000.0
    hist = np.array([np.histogram(row, bins=10, range=(0, 1))[0] for row in w])
    extremes = np.mean((w <= 0.1) | (w >= 0.9), axis=1)
    rates = np.array([np.sum((spikes >= a) & (spikes < a + 10)) / 10.0 for a in t[:-1]])
    return t, hist, extremes, rates


def main():
    spikeq = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else "."
    t, hist, extremes, rates = measure(spikeq, out_dir)
    ref = {r[0]: r for r in brian2_reference()}
    for k in range(1, len(t)):
        b = ref.get(round(t[k]))
        print(f"t {t[k]:5.0f} s  spikeq hist {list(hist[k])} extremes {extremes[k]:.3f} rate {rates[k - 1]:.1f} Hz"
              + (f"\n          Brian2 hist {list(b[1])} extremes {b[2]:.3f} rate {b[3]:.1f} Hz" if b else ""))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(8, 3.2))
    x = np.arange(10) / 10 + 0.05
    ax[0].bar(x, hist[0], width=0.09, alpha=0.4, label="0 s")
    ax[0].bar(x, hist[-1], width=0.06, label="100 s, spikeq")
    if 100.0 in ref:
        ax[0].plot(x, ref[100.0][1], "k.", label="100 s, Brian2")
    ax[0].set_xlabel("w / g_max")
    ax[0].set_ylabel("synapses")
    ax[0].legend(frameon=False, fontsize=8)
    ax[1].plot(t[1:], rates, "o-", label="spikeq")
    if ref:
        ax[1].plot([r[0] for r in ref.values()], [r[3] for r in ref.values()], "k.", label="Brian2")
    ax[1].set_xlabel("time (s)")
    ax[1].set_ylabel("output rate (Hz)")
    ax[1].legend(frameon=False, fontsize=8)
    fig.tight_layout()
    path = os.path.join(out_dir, "song2000.png")
    fig.savefig(path, dpi=120)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
