#!/usr/bin/python3
"""PSP amplitudes of tsodyks_markram.json against the Tsodyks-Markram ODEs, integrated here by
RK4 (0.01 ms steps) between spikes with the jumps at spikes (the same ODEs as tests/test_stp.c).
Usage: analyse.py SPIKEQ [OUT_DIR]: prints the largest relative deviation per set and writes
tsodyks_markram.png (release u_n R_n against spike number)."""
import json
import os
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PRESETS = {("tsodyks_markram", "depressing"): (0.5, 800.0, 0.0, 0.0),
           ("tsodyks_markram", "facilitating"): (0.03, 130.0, 530.0, 0.0),
           ("etm", "depressing"): (0.9, 20.0, 1000.0, 0.1), ("etm", "facilitating"): (0.02, 100.0, 100.0, 0.1)}


def rk4(f, y, dt, h=0.01):
    n = int(np.ceil(dt / h))
    h = dt / n
    for _ in range(n):
        k1 = f(y)
        k2 = f(y + 0.5 * h * k1)
        k3 = f(y + 0.5 * h * k2)
        k4 = f(y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def ode_releases(rule, preset, n, interval):
    U, tau_rec, tau_fac, f = PRESETS[(rule, preset)]
    etm = rule == "etm"
    u_inf = U if etm else 0.0
    deriv = lambda y: np.array([(u_inf - y[0]) / tau_fac if tau_fac > 0 else 0.0, (1 - y[1]) / tau_rec])
    y = np.array([U if etm else 0.0, 1.0])
    out = []
    for k in range(n):
        if k:
            y = rk4(deriv, y, interval)
        u, x = y
        if etm:
            out.append(u * x)
            y = np.array([u + f * (1 - u), x - u * x])
        else:
            u = u + U * (1 - u) if tau_fac > 0 else U
            out.append(u * x)
            y = np.array([u, x - u * x])
    return np.array(out)


def measure(spikeq, out_dir):
    """{projection: (measured releases, ODE releases)}."""
    cfg = json.load(open(os.path.join(HERE, "tsodyks_markram.json")))
    out = os.path.join(out_dir, "tsodyks_markram.h5")
    subprocess.run([spikeq, "run", os.path.join(HERE, "tsodyks_markram.json"), "--out", out, "-q"], check=True,
                   stdout=subprocess.DEVNULL)
    res = {}
    with h5py.File(out, "r") as f:
        for p in cfg["projections"]:
            v = f[f"report/{p['target']}/data"][:, 0].astype(float)
            jumps = (v[5::2] - v[4::2])[:20] / p["weight"]   # samples at 100 + 50 k and 125 + 50 k
            pl = p["plasticity"]
            res[p["name"]] = (jumps, ode_releases(pl["rule"], pl["preset"], 20, 50.0))
    return res


def main():
    spikeq = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else "."
    res = measure(spikeq, out_dir)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.figure(figsize=(5, 3.5))
    for name, (got, ode) in res.items():
        print(f"{name}: release 1 {got[0]:.4f}, 20 {got[-1]:.4f}; largest relative deviation from the ODE "
              f"{np.max(np.abs(got - ode) / ode):.2g} (float weights)")
        line, = plt.plot(np.arange(1, 21), ode, "-", lw=1, label=name + " (ODE)")
        plt.plot(np.arange(1, 21), got, "o", ms=3, color=line.get_color())
    plt.xlabel("spike number (20 Hz)")
    plt.ylabel("release u R (PSP / w)")
    plt.legend(frameon=False, fontsize=8)
    plt.tight_layout()
    path = os.path.join(out_dir, "tsodyks_markram.png")
    plt.savefig(path, dpi=120)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
