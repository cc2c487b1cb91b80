#!/usr/bin/python3
"""The STDP window measured by stdp_window.json against the kernel it should recover.
Usage: analyse.py SPIKEQ [OUT_DIR]: runs the config, prints the largest deviation from
A_plus e^{-dt/tau_plus} (dt >= 0) / -A_minus e^{dt/tau_minus} (dt < 0), writes stdp_window.png."""
import json
import os
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(spikeq, out_dir):
    """Runs the protocol; returns (dt, measured dw, kernel dw)."""
    cfg = os.path.join(HERE, "stdp_window.json")
    out = os.path.join(out_dir, "stdp_window.h5")
    subprocess.run([spikeq, "run", cfg, "--out", out, "-q"], check=True, stdout=subprocess.DEVNULL)
    p = json.load(open(cfg))["projections"][0]["plasticity"]["params"]
    with h5py.File(out, "r") as f:
        g = f["weights/plastic"]
        w = g["weights"][:]
        src = g["source_ids"][:]
    dt = -100.0 + 5.0 * src
    dw = (w[-1] - w[0]).astype(float)
    kernel = np.where(dt >= 0, p["A_plus"] * np.exp(-dt / p["tau_plus"]), -p["A_minus"] * np.exp(dt / p["tau_minus"]))
    return dt, dw, kernel


def main():
    spikeq = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else "."
    dt, dw, kernel = measure(spikeq, out_dir)
    print(f"pairings: {len(dt)}; largest |dw - kernel| = {np.max(np.abs(dw - kernel)):.3g} "
          f"(kernel peak {np.max(np.abs(kernel)):.3g}; float weights)")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x = np.linspace(-100, 100, 801)
    plt.figure(figsize=(5, 3.5))
    plt.plot(x, np.where(x >= 0, 0.01 * np.exp(-x / 16.8), -0.0105 * np.exp(x / 33.7)), "k-", lw=1, label="kernel")
    plt.plot(dt, dw, "o", ms=4, label="spikeq, one pairing each")
    plt.axhline(0, color="gray", lw=0.5)
    plt.xlabel("t_post - t_pre (ms)")
    plt.ylabel("weight change")
    plt.legend(frameon=False, loc="lower right")
    plt.tight_layout()
    path = os.path.join(out_dir, "stdp_window.png")
    plt.savefig(path, dpi=120)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
