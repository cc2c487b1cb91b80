#!/usr/bin/python3
"""experiments/burst_multiplexing/make_config.py: writes the spikeq config of the burst-multiplexing
experiment of Payeur, Guerguiev, Zenke, Richards & Naud (2021, Nat Neurosci 24:1010, Fig. 2; network
of apayeur/spikingburstprop sim/sim_propagation.cpp, reduced): a population "pyr" of two_compartment
neurons with Poisson background on soma and dendrite gets two independent slow signals,
  somatic:   I_s(t) = is_lo + (is_hi - is_lo) s1(t)  pA, piecewise constant in `step` ms (dc_generators)
  dendritic: excitatory Poisson spikes onto the dendrite at rate r_max s2(t) (a spike_source "dend_in"
             of inhomogeneous Poisson trains, `dend_k` inputs per neuron), on top of I_e_dend,
where s1, s2 in [0, 1] are independent smoothed random signals (seeded). The event rate of pyr should
follow s1, its burst probability s2. Two decoder populations read pyr: "dep" through depressing eTM
synapses (event rate) and "fac" through facilitating eTM synapses (burst rate), as pyr1 -> pyr2/PV and
pyr2 -> SOM in sim_propagation.cpp (the decoders here are conductance LIFs, not AdEx).
Writes CONFIG.json and CONFIG.signals.npz (time grid, s1, s2, I_s, dendritic rate).

usage: make_config.py OUT.json [--n 500] [--t-stop 6000] [--seed 1] [--spikes FILE.h5]"""
import argparse
import json

import numpy as np

# Auryn's conductances are in units of the leak: soma 370 pF / 16 ms = 23.1 nS, dendrite 170/7 = 24.3 nS.
G_LEAK_S, G_LEAK_D = 370.0 / 16.0, 170.0 / 7.0


def smooth_signal(rng, t_stop, step, tau):
    """A random signal in [0, 1] on a grid of `step` ms: white noise filtered twice by a
    first-order low-pass of time constant tau ms, then scaled by its own range."""
    n = int(round(t_stop / step))
    x = rng.standard_normal(n + int(10 * tau / step))
    a = np.exp(-step / tau)
    for _ in range(2):
        y = np.empty_like(x)
        acc = 0.0
        for i, v in enumerate(x):
            acc = a * acc + (1 - a) * v
            y[i] = acc
        x = y
    x = x[-n:]
    return (x - x.min()) / (x.max() - x.min())


def inhomogeneous_poisson(rng, rate, step, m):
    """m spike trains with piecewise-constant rate (Hz) on the grid of `step` ms, by drawing each
    bin's count and placing the spikes uniformly in it."""
    trains = []
    lam = rate * step * 1e-3
    for _ in range(m):
        counts = rng.poisson(lam)
        t = np.repeat(np.arange(len(rate)) * step, counts) + rng.uniform(0, step, counts.sum())
        trains.append(np.round(np.sort(t), 4).tolist())
    return trains


def background(n, t_stop, target="pyr"):
    """Poisson background of sim_propagation.cpp: 100 excitatory and 30 inhibitory inputs at 5 Hz on
    each compartment (here one lumped train each, private to the neuron), weights 0.17/0.26 (soma)
    and 0.0425/0.065 (dendrite) of the leak conductance. Names are prefixed by the target's when it
    is not "pyr" (the XOR experiment has five such populations)."""
    pre = "" if target == "pyr" else target + "_"
    pops, projs, devs = [], [], []
    devs.append({"name": pre + "bg_s_exc", "type": "poisson_generator", "rate": 500.0, "weight": 0.17 * G_LEAK_S,
                 "delay": 0.1, "targets": [target]})
    devs.append({"name": pre + "bg_s_inh", "type": "poisson_generator", "rate": 150.0, "weight": -0.26 * G_LEAK_S,
                 "delay": 0.1, "targets": [target]})
    for name, rate, w in (("bg_d_exc", 500.0, 0.0425 * G_LEAK_D), ("bg_d_inh", 150.0, -0.065 * G_LEAK_D)):
        pops.append({"name": pre + name, "n": n, "model": "poisson_source", "rate": rate, "start": 0.0,
                     "stop": t_stop})
        projs.append({"source": pre + name, "target": target, "connector": {"rule": "one_to_one"}, "weight": w,
                      "delay": 0.1, "receptor": "dendrite"})
    return pops, projs, devs


def decoders(a):
    """Two LIF populations reading pyr through depressing (event-rate) and facilitating (burst-rate)
    eTM synapses, with their own Poisson background."""
    lif = {"C_m": 200.0, "g_L": 10.0, "E_L": -70.0, "V_th": -52.0, "V_reset": -60.0, "t_ref": 2.0,
           "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "E_in": -80.0}
    pops, projs, devs = [], [], []
    for name, preset, w in (("dep", "depressing", a.w_dep), ("fac", "facilitating", a.w_fac)):
        pops.append({"name": name, "n": a.n_dec, "model": "lif_cond_exp", "params": lif})
        projs.append({"name": "pyr_to_" + name, "source": "pyr", "target": name,
                      "connector": {"rule": "fixed_indegree", "indegree": a.dec_k}, "weight": w, "delay": 1.0,
                      "plasticity": {"rule": "etm", "preset": preset}})
        if a.no_stp:  # control: static synapses (choose --w-dep/--w-fac for similar rates)
            del projs[-1]["plasticity"]
        devs.append({"name": "bg_" + name, "type": "poisson_generator", "rate": a.dec_bg, "weight": a.dec_bg_w,
                     "delay": 0.1, "targets": [name]})
        devs.append({"name": "bgi_" + name, "type": "poisson_generator", "rate": a.dec_bg / 2, "weight": -2 * a.dec_bg_w,
                     "delay": 0.1, "targets": [name]})
    return pops, projs, devs


def build(a):
    rng = np.random.default_rng(a.seed)
    s1 = smooth_signal(rng, a.t_stop, a.step, a.tau_signal)
    s2 = smooth_signal(rng, a.t_stop, a.step, a.tau_signal)
    # Two independent draws still correlate by chance over a few seconds (|r| ~ 0.2 for 6 s of an
    # 80 ms signal), which would pass for cross-talk: take s2's part orthogonal to s1, rescaled.
    d1, d2 = s1 - s1.mean(), s2 - s2.mean()
    s2 = d2 - d1 * (d1 @ d2) / (d1 @ d1)
    s2 = (s2 - s2.min()) / (s2.max() - s2.min())
    i_s = a.is_lo + (a.is_hi - a.is_lo) * s1
    rate_d = a.rd_max * s2
    pops = [{"name": "pyr", "n": a.n, "model": "two_compartment", "params": {"I_e_dend": a.id0}},
            {"name": "dend_in", "n": a.dend_m, "model": "spike_source",
             "spike_times": inhomogeneous_poisson(rng, rate_d, a.step, a.dend_m)}]
    projs = [{"source": "dend_in", "target": "pyr", "connector": {"rule": "fixed_indegree", "indegree": a.dend_k},
              "weight": a.w_dend, "delay": 0.1, "receptor": "dendrite"}]
    devs = [{"name": "is%d" % k, "type": "dc_generator", "amplitude": round(float(v), 3), "start": k * a.step,
             "stop": (k + 1) * a.step, "targets": ["pyr"]} for k, v in enumerate(i_s)]
    for p, q, d in (background(a.n, a.t_stop), decoders(a)):
        pops += p
        projs += q
        devs += d
    cfg = {"description": "Burst multiplexing (Payeur et al. 2021, Fig. 2), generated by make_config.py",
           "simulation": {"t_stop": a.t_stop, "resolution": 0.1, "seed": a.seed},
           "output": {"spikes_file": a.spikes, "record_spikes": ["pyr", "dep", "fac"]},
           "populations": pops, "projections": projs, "devices": devs}
    return cfg, {"step": a.step, "s1": s1, "s2": s2, "I_s": i_s, "rate_d": rate_d}


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--n", type=int, default=1000, help="pyramidal neurons")
    p.add_argument("--t-stop", type=float, default=10000.0, help="ms")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--spikes", default="burst_multiplexing.h5")
    p.add_argument("--step", type=float, default=10.0, help="ms, grid of the signals")
    p.add_argument("--tau-signal", type=float, default=80.0, help="ms, smoothing of the signals")
    p.add_argument("--is-lo", type=float, default=-100.0, help="pA, somatic current at s1 = 0")
    p.add_argument("--is-hi", type=float, default=200.0, help="pA, somatic current at s1 = 1")
    p.add_argument("--id0", type=float, default=0.0, help="pA, constant dendritic current")
    p.add_argument("--rd-max", type=float, default=40.0, help="Hz, dendritic input rate at s2 = 1")
    p.add_argument("--dend-m", type=int, default=1000, help="dendritic input trains")
    p.add_argument("--dend-k", type=int, default=50, help="dendritic inputs per neuron")
    p.add_argument("--w-dend", type=float, default=0.5, help="nS, dendritic input weight")
    p.add_argument("--n-dec", type=int, default=200, help="neurons per decoder population")
    p.add_argument("--dec-k", type=int, default=100, help="pyr inputs per decoder neuron")
    p.add_argument("--w-dep", type=float, default=0.6, help="nS, depressing synapse weight")
    p.add_argument("--w-fac", type=float, default=5.0, help="nS, facilitating synapse weight")
    p.add_argument("--dec-bg", type=float, default=2000.0, help="Hz, decoders' excitatory background (inhibitory: half)")
    p.add_argument("--dec-bg-w", type=float, default=1.0, help="nS, decoders' excitatory background weight (inhibitory: -2x)")
    p.add_argument("--no-stp", action="store_true", help="control: decoders through static synapses")
    return p.parse_args(argv)


def main(argv=None):
    a = parse(argv)
    cfg, sig = build(a)
    with open(a.out, "w") as f:
        json.dump(cfg, f)
    np.savez(a.out.rsplit(".", 1)[0] + ".signals.npz", **sig)


if __name__ == "__main__":
    main()
