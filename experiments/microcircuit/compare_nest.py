#!/usr/bin/python3
"""experiments/microcircuit/compare_nest.py: per-population firing rates of a spikeq microcircuit run
against NEST's reference for the 0.1-scaled network (reference/, see its README): the mean rate of
each population and the two-sample Kolmogorov-Smirnov distance D between the per-neuron rate
distributions (silent neurons included, as NEST's rate files include them), printed as a table.

NEST's reference: NEST's Potjans_2014 example at N_scaling = K_scaling = 0.1, Poisson background, one
run, rates counted over 500-1500 ms. Compare a run of the same setting
(experiments/microcircuit/microcircuit_0.1.json, t_stop 1500 ms) over the same window.

A full-scale run has no per-neuron reference: --full-scale compares the mean rates only, with the
example's full_mean_rates (NEST, one run at full scale; simulators.md §3.6), and the goal of 10 %.

usage: compare_nest.py SPIKES.h5 [--t0 500] [--t1 1500] [--reference DIR] [--check-means TOL_JSON]
                       [--full-scale]
  --check-means '{"L23E": 0.35, ...}'  exit 1 unless every population's mean rate is within that
                                       relative tolerance of NEST's (used by the fast test)"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
POPS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
FULL_MEAN_RATES = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]  # network_params.py


def reference_rates(ref_dir):
    """NEST's per-neuron rates (Hz), one array per population, in POPS order."""
    ranges = np.loadtxt(os.path.join(ref_dir, "population_nodeids.dat"), dtype=int)
    out = []
    for i in range(len(POPS)):
        r = np.atleast_1d(np.loadtxt(os.path.join(ref_dir, f"rate{i}.dat")))
        n = ranges[i, 1] - ranges[i, 0] + 1
        if len(r) != n:
            sys.exit(f"compare_nest.py: {ref_dir}/rate{i}.dat: expected {n} rates (population_nodeids.dat), "
                     f"got {len(r)}")
        out.append(r)
    return out


def spikeq_rates(path, t0, t1):
    """Our per-neuron rates (Hz) over [t0, t1) ms, one array per population, silent neurons included."""
    out = []
    with h5py.File(path, "r") as f:
        for name in POPS:
            g = f["spikes"][name]
            n = int(g.attrs["n_nodes"])
            t, ids = g["timestamps"][:], g["node_ids"][:]
            sel = (t >= t0) & (t < t1)
            counts = np.bincount(ids[sel].astype(np.int64), minlength=n)[:n]
            out.append(counts / ((t1 - t0) * 1e-3))
        t_stop = float(f["spikes"].attrs.get("t_stop", np.nan))
    if t_stop < t1:
        sys.exit(f"compare_nest.py: {path}: the run stops at {t_stop:g} ms, before the window's end {t1:g} ms")
    return out


def ks_distance(a, b):
    """Two-sample Kolmogorov-Smirnov statistic sup_x |F_a(x) - F_b(x)| (ties handled exactly)."""
    a, b = np.sort(a), np.sort(b)
    x = np.concatenate([a, b])
    fa = np.searchsorted(a, x, side="right") / len(a)
    fb = np.searchsorted(b, x, side="right") / len(b)
    return float(np.max(np.abs(fa - fb)))


def ks_critical(n, m, c_alpha=1.358):
    """Asymptotic 5 % critical value of D for samples of n and m."""
    return c_alpha * np.sqrt((n + m) / (n * m))


def full_scale(ours):
    """Mean rates against NEST's full-scale means; returns the populations off by more than 10 %."""
    print(f"{'population':<10} {'n':>6} {'spikeq Hz':>9} {'NEST Hz':>8} {'rel.diff':>8}")
    off = []
    for name, r, ref in zip(POPS, ours, FULL_MEAN_RATES):
        rel = (r.mean() - ref) / ref
        print(f"{name:<10} {len(r):>6} {r.mean():>9.3f} {ref:>8.3f} {rel:>+8.1%}" + ("  >10 %" if abs(rel) > 0.1 else ""))
        off += [name] if abs(rel) > 0.1 else []
    return off


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spikes")
    ap.add_argument("--t0", type=float, default=500.0)
    ap.add_argument("--t1", type=float, default=1500.0)
    ap.add_argument("--reference", default=os.path.join(HERE, "reference"))
    ap.add_argument("--check-means", help="JSON object: population -> allowed relative deviation of the mean")
    ap.add_argument("--full-scale", action="store_true", help="compare mean rates with NEST's full-scale means")
    a = ap.parse_args()
    ours = spikeq_rates(a.spikes, a.t0, a.t1)
    if a.full_scale:
        print(f"window {a.t0:g}-{a.t1:g} ms; NEST: full_mean_rates of the example (one run, full scale)")
        off = full_scale(ours)
        print("all within 10 %" if not off else "more than 10 % off: " + ", ".join(off))
        return
    ref = reference_rates(a.reference)
    tol = json.loads(a.check_means) if a.check_means else {}
    print(f"window {a.t0:g}-{a.t1:g} ms (NEST reference: 500-1500 ms)")
    print(f"{'population':<10} {'n':>5} {'n NEST':>6} {'spikeq Hz':>9} {'NEST Hz':>8} {'rel.diff':>8} "
          f"{'KS D':>6} {'D_0.05':>6}" + (f" {'allowed':>8}" if tol else ""))
    bad = []
    for i, name in enumerate(POPS):
        m_us, m_ref = ours[i].mean(), ref[i].mean()
        rel = (m_us - m_ref) / m_ref
        d = ks_distance(ours[i], ref[i])
        line = (f"{name:<10} {len(ours[i]):>5} {len(ref[i]):>6} {m_us:>9.3f} {m_ref:>8.3f} {rel:>+8.1%} "
                f"{d:>6.3f} {ks_critical(len(ours[i]), len(ref[i])):>6.3f}")
        if tol:
            line += f" {tol[name]:>8.0%}" + ("" if abs(rel) <= tol[name] else "  OUTSIDE")
            if abs(rel) > tol[name]:
                bad.append(name)
        print(line)
    all_us, all_ref = np.concatenate(ours), np.concatenate(ref)
    print(f"{'all':<10} {len(all_us):>5} {len(all_ref):>6} {all_us.mean():>9.3f} {all_ref.mean():>8.3f} "
          f"{(all_us.mean() - all_ref.mean()) / all_ref.mean():>+8.1%}")
    if bad:
        print("mean rate outside the band: " + ", ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
