#!/usr/bin/python3
"""experiments/burst_multiplexing/analyse.py: reads the spikes of a burst-multiplexing run (Payeur et
al. 2021, Fig. 2) and the signals make_config.py drew, classifies pyr's spikes into events and burst
markers (specs learning.md §2.1.1: trace z, tau 16 ms, read before the spike is added; z < e^-1 an
event, else the burst's second spike is its marker), bins the population's event rate, burst rate
and burst probability (bursts / events), and prints their Pearson correlations with the somatic
signal s1 and the dendritic signal s2 (after `--t0` ms of settling), and those of the decoders' rates.
`--png FILE` draws the figure (matplotlib, Agg).

usage: analyse.py SPIKES.h5 SIGNALS.npz [--bin 50] [--t0 500] [--png FIG.png] [--json]"""
import argparse
import json
import math

import h5py
import numpy as np

TAU_BURST = 16.0


def classify(times):
    """Event and burst-marker flags of one neuron's sorted spike times."""
    ev = np.zeros(len(times), bool)
    bu = np.zeros(len(times), bool)
    z, t_last, in_burst = 0.0, -math.inf, False
    for k, t in enumerate(times):
        z *= math.exp(-(t - t_last) / TAU_BURST)
        if z < math.exp(-1.0):
            ev[k], in_burst = True, False
        elif not in_burst:
            bu[k], in_burst = True, True
        z += 1.0
        t_last = t
    return ev, bu


def read(h5, pop):
    with h5py.File(h5) as f:
        g = f["spikes/" + pop]
        return g["timestamps"][:], g["node_ids"][:], int(g.attrs["n_nodes"])


def events_bursts(h5, pop="pyr"):
    """Times of the population's events and burst markers."""
    t, ids, _ = read(h5, pop)
    order = np.lexsort((t, ids))
    t, ids = t[order], ids[order]
    cuts = np.flatnonzero(np.diff(ids)) + 1
    evs, bus = [], []
    for chunk in np.split(t, cuts):
        e, b = classify(chunk)
        evs.append(chunk[e])
        bus.append(chunk[b])
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0)
    return cat(evs), cat(bus)


def binned(times, n, edges):
    """Population rate (Hz per neuron) in the bins."""
    return np.histogram(times, edges)[0] / (n * np.diff(edges) * 1e-3)


def corr(a, b):
    return float(np.corrcoef(a, b)[0, 1])


def measure(h5, npz, bin_ms=50.0, t0=500.0):
    sig = np.load(npz)
    step = float(sig["step"])
    t_stop = len(sig["s1"]) * step
    edges = np.arange(t0, t_stop + 1e-9, bin_ms)
    per = int(round(bin_ms / step))
    k0 = int(round(t0 / step))
    s1 = sig["s1"][k0:k0 + per * (len(edges) - 1)].reshape(-1, per).mean(1)
    s2 = sig["s2"][k0:k0 + per * (len(edges) - 1)].reshape(-1, per).mean(1)
    _, _, n = read(h5, "pyr")
    ev, bu = events_bursts(h5)
    e_rate, b_rate = binned(ev, n, edges), binned(bu, n, edges)
    bp = b_rate / np.maximum(e_rate, 1e-9)
    dec = {}
    for pop in ("dep", "fac"):
        t, _, m = read(h5, pop)
        dec[pop] = binned(t, m, edges)
    # The decoders' ratio estimates the burst probability (burst rate / event rate).
    ratio = dec["fac"] / np.maximum(dec["dep"], 1e-9)
    r = {"event_rate_Hz": float(e_rate.mean()), "burst_rate_Hz": float(b_rate.mean()),
         "burst_prob": float(b_rate.sum() / max(e_rate.sum(), 1e-9)),
         "dep_rate_Hz": float(dec["dep"].mean()), "fac_rate_Hz": float(dec["fac"].mean()),
         "r_s1_s2": corr(s1, s2), "r_event_s1": corr(e_rate, s1), "r_event_s2": corr(e_rate, s2),
         "r_bp_s2": corr(bp, s2), "r_bp_s1": corr(bp, s1),
         "r_dep_event": corr(dec["dep"], e_rate), "r_dep_burst": corr(dec["dep"], b_rate),
         "r_fac_burst": corr(dec["fac"], b_rate), "r_fac_event": corr(dec["fac"], e_rate),
         "r_dep_s1": corr(dec["dep"], s1), "r_dep_s2": corr(dec["dep"], s2),
         "r_fac_s1": corr(dec["fac"], s1), "r_fac_s2": corr(dec["fac"], s2),
         "r_ratio_s2": corr(ratio, s2), "r_ratio_s1": corr(ratio, s1)}
    series = {"t": 0.5 * (edges[1:] + edges[:-1]), "s1": s1, "s2": s2, "e": e_rate, "b": b_rate, "bp": bp,
              "dep": dec["dep"], "fac": dec["fac"]}
    return r, series


def plot(series, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = series["t"] / 1000.0
    fig, ax = plt.subplots(4, 1, figsize=(9, 8), sharex=True)
    z = lambda x: (x - x.mean()) / (x.std() + 1e-12)
    rows = [("somatic input s1 / event rate", "s1", "e", "C0"), ("dendritic input s2 / burst probability", "s2", "bp", "C3"),
            ("event rate / depressing decoder", "e", "dep", "C2"), ("burst rate / facilitating decoder", "b", "fac", "C4")]
    for a, (title, ref, key, col) in zip(ax, rows):
        a.plot(t, z(series[ref]), color="0.6", lw=2, label=ref)
        a.plot(t, z(series[key]), color=col, lw=1, label=key)
        a.set_title(title + " (z-scored)", fontsize=9)
        a.legend(fontsize=7, loc="upper right")
    ax[-1].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(png, dpi=100)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("h5")
    p.add_argument("npz")
    p.add_argument("--bin", type=float, default=50.0)
    p.add_argument("--t0", type=float, default=500.0)
    p.add_argument("--png")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    r, series = measure(a.h5, a.npz, a.bin, a.t0)
    print(json.dumps(r) if a.json else "\n".join("%-14s %8.3f" % kv for kv in r.items()))
    if a.png:
        plot(series, a.png)


if __name__ == "__main__":
    main()
