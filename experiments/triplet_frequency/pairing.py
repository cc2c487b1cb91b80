#!/usr/bin/python3
"""The pairing-frequency protocol of Sjostrom, Turrigiano & Nelson (2001) with the triplet rule of
Pfister & Gerstner (2006), their Fig. 3 (visual cortex, full all-to-all set): 60 pre-post pairings
at t_post - t_pre = +10 ms or -10 ms, repeated at rho = 0.1 ... 50 Hz. Each point is a spikeq run
of a config written from pairing.json (the 20 Hz, -10 ms case). Usage:
  pairing.py SPIKEQ [OUT_DIR]    prints dw for every rho and order, writes triplet_frequency.png"""
import copy
import json
import os
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RHO = [0.1, 1.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0]
DELAY = 1.0


def config_for(rho, dt, preset="visual_cortex_full_all_to_all"):
    """pairing.json with the 60 pairings at rho Hz and t_post - t_arrival = dt ms."""
    c = copy.deepcopy(json.load(open(os.path.join(HERE, "pairing.json"))))
    t = [1000.0 + 1000.0 * k / rho for k in range(60)]
    pre = [x if dt > 0 else x - dt for x in t]
    post = [x + dt if dt > 0 else x for x in t]
    c["populations"][0]["spike_times"] = [[round(x - DELAY, 6) for x in pre]]
    c["populations"][1]["spike_times"] = [[round(x - DELAY, 6) for x in post]]
    c["simulation"]["t_stop"] = post[-1] + 1000.0
    c["projections"][0]["plasticity"]["preset"] = preset
    c["output"]["weights"][0]["times"] = [0, c["simulation"]["t_stop"]]
    return c


def dw(spikeq, rho, dt, out_dir, preset="visual_cortex_full_all_to_all"):
    cfg = os.path.join(out_dir, f"pairing_{rho}_{dt}.json")
    out = os.path.join(out_dir, f"pairing_{rho}_{dt}.h5")
    json.dump(config_for(rho, dt, preset), open(cfg, "w"))
    subprocess.run([spikeq, "run", cfg, "--out", out, "-q"], check=True, stdout=subprocess.DEVNULL)
    with h5py.File(out, "r") as f:
        w = f["weights/plastic/weights"][:]
    return float(w[-1][0] - w[0][0])


def main():
    spikeq = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else "."
    plus = [dw(spikeq, r, 10.0, out_dir) for r in RHO]
    minus = [dw(spikeq, r, -10.0, out_dir) for r in RHO]
    for r, p, m in zip(RHO, plus, minus):
        print(f"rho {r:4.1f} Hz: dw(+10 ms) {p:+.4f}  dw(-10 ms) {m:+.4f}")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.figure(figsize=(5, 3.5))
    plt.plot(RHO, plus, "o-", label="+10 ms (pre before post)")
    plt.plot(RHO, minus, "s-", label="-10 ms (post before pre)")
    plt.axhline(0, color="gray", lw=0.5)
    plt.xlabel("pairing frequency (Hz)")
    plt.ylabel("weight change after 60 pairings")
    plt.title("triplet STDP, visual cortex set (P&G 2006 Fig. 3)", fontsize=9)
    plt.legend(frameon=False)
    plt.tight_layout()
    path = os.path.join(out_dir, "triplet_frequency.png")
    plt.savefig(path, dpi=120)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
