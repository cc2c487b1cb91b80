#!/usr/bin/python3
"""experiments/spiking_xor/make_config.py: writes the spikeq config of a reduced spiking XOR after
Payeur, Guerguiev, Zenke, Richards & Naud (2021, Nat Neurosci 24:1010, Fig. 4; spec learning.md
§2.1.5; apayeur/spikingburstprop sim/sim_xor.cpp), to be run by xor_run (which gates learning).
Five populations of two_compartment neurons, in1, in2 -> hid1, hid2 -> out, each with the Poisson
background of the burst-multiplexing experiment:
  feedforward excitation: burst_dependent (their AdaptiveEBCP), transmitting events only, plastic;
      initial in1->hid1 and in2->hid2 stronger than the crossed ones (their 0.8 / 0.5)
  feedforward inhibition: static, crossed stronger (their 2x / 0.5x)
  feedback: out -> hid dendrites, burst markers only (burst_dependent, eta 0), excitatory
  inputs: somatic current +I_on / -I_off per example, case k % 4 = 00, 10, 01, 11
  teaching, in the last LEARN ms of each training example: Poisson excitation of out's dendrites
      when the target is 1, inhibition when it is 0 (their code injects a dendritic current that
      depends on the output's rate; here it is fixed).
After N_TRAIN examples, 4 test examples of DUREX - LEARN ms each (no teaching).

usage: make_config.py OUT.json [--n 100] [--train 40] [--durex 2000] [--learn 500] ..."""
import argparse
import importlib.util
import json
import os

import numpy as np

# The background of the burst-multiplexing experiment (a module of the same file name, hence by path).
_spec = importlib.util.spec_from_file_location(
    "bm_make_config", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "burst_multiplexing",
                                   "make_config.py"))
_bm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bm)
background = _bm.background

CASES = ((0, 0), (1, 0), (0, 1), (1, 1))


def schedule(a):
    """(start, stop, inputs, target, learning-phase start or None) of every example."""
    out, t = [], a.warmup
    for k in range(a.train + 4):
        test = k >= a.train
        dur = a.durex - a.learn if test else a.durex
        x = CASES[(k - a.train if test else k) % 4]   # the test examples are 00, 10, 01, 11
        out.append((t, t + dur, x, x[0] != x[1], None if test else t + dur - a.learn))
        t += dur
    return out


def poisson_trains(rng, n, windows, rate):
    """n Poisson trains of `rate` Hz inside the windows [(t0, t1), ...]."""
    trains = [[] for _ in range(n)]
    for t0, t1 in windows:
        for i in range(n):
            k = rng.poisson(rate * (t1 - t0) * 1e-3)
            trains[i].extend(np.round(np.sort(rng.uniform(t0, t1, k)), 4).tolist())
    return trains


def plastic(a, src, dst, w, eta, transmit=1.0, receptor=None):
    p = {"name": src + "_to_" + dst, "source": src, "target": dst, "connector": {"rule": "fixed_indegree", "indegree": a.k},
         "weight": w, "delay": 1.0,
         "plasticity": {"rule": "burst_dependent",
                        "params": {"eta": eta, "tau_pre": 100.0, "tau_avg": a.tau_avg, "r_min": a.r_min, "r_max": 10.0,
                                   "w_max": a.w_max, "transmit": transmit}}}
    if receptor:
        p["receptor"] = receptor
    return p


def static(a, src, dst, w, receptor=None):
    p = {"name": src + "_to_" + dst + ("_inh" if w < 0 else ""), "source": src, "target": dst, "connector": {"rule": "fixed_indegree", "indegree": a.k},
         "weight": w, "delay": 1.0}
    if receptor:
        p["receptor"] = receptor
    return p


def network(a):
    bias = {"in1": 0.0, "in2": 0.0, "hid1": a.bias_hid, "hid2": a.bias_hid, "out": a.bias_out}
    pops = [{"name": p, "n": a.n, "model": "two_compartment",
             "params": {"I_e_soma": b, "I_e_dend": a.bias_out_dend if p == "out" else 0.0}} for p, b in bias.items()]
    projs, devs = [], []
    for p in bias:
        bp, bq, bd = background(a.n, a.t_stop, p)
        pops += bp
        projs += bq
        devs += bd
    for i, j, same in (("1", "1", True), ("2", "1", False), ("1", "2", False), ("2", "2", True)):
        projs.append(plastic(a, "in" + i, "hid" + j, a.w_ih * (0.8 if same else 0.5), a.eta_ih))
        projs.append(static(a, "in" + i, "hid" + j, -a.w_ih_inh * (0.5 if same else 2.0)))
    for j in ("1", "2"):
        projs.append(plastic(a, "hid" + j, "out", a.w_ho, a.eta_ho))
        projs.append(static(a, "hid" + j, "out", -a.w_ho_inh))
        projs.append(plastic(a, "out", "hid" + j, a.w_fb, 0.0, transmit=2.0, receptor="dendrite"))
    return pops, projs, devs


def build(a):
    rng = np.random.default_rng(a.seed)
    sched = schedule(a)
    a.t_stop = sched[-1][1]
    pops, projs, devs = network(a)
    for k, (t0, t1, x, _, _) in enumerate(sched):
        for i in (0, 1):
            devs.append({"name": "x%d_%d" % (i + 1, k), "type": "dc_generator", "start": t0, "stop": t1,
                         "amplitude": a.i_on if x[i] else -a.i_off, "targets": ["in%d" % (i + 1)]})
    for name, target, w in (("teach_up", True, a.w_teach), ("teach_down", False, -a.w_teach_inh)):
        win = [(tl, t1) for _, t1, _, y, tl in sched if tl is not None and y == target]
        pops.append({"name": name, "n": a.n, "model": "spike_source",
                     "spike_times": poisson_trains(rng, a.n, win, a.teach_rate)})
        projs.append({"source": name, "target": "out", "connector": {"rule": "one_to_one"}, "weight": w,
                      "delay": 0.1, "receptor": "dendrite"})
    return {"description": "Spiking XOR (Payeur et al. 2021, Fig. 4), reduced; generated by make_config.py",
            "simulation": {"t_stop": a.t_stop, "resolution": 0.1, "seed": a.seed},
            "populations": pops, "projections": projs, "devices": devs}


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--n", type=int, default=100, help="neurons per population")
    p.add_argument("--k", type=int, default=50, help="in-degree of every projection between populations")
    p.add_argument("--train", type=int, default=40, help="training examples")
    p.add_argument("--durex", type=float, default=2000.0, help="ms per training example")
    p.add_argument("--learn", type=float, default=500.0, help="ms of learning at the end of each")
    p.add_argument("--warmup", type=float, default=1000.0, help="ms before the first example")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--i-on", type=float, default=200.0, help="pA, input current for 1")
    p.add_argument("--i-off", type=float, default=200.0, help="pA, minus the input current for 0")
    p.add_argument("--bias-hid", type=float, default=-100.0, help="pA, hidden somatic bias")
    p.add_argument("--bias-out", type=float, default=-100.0, help="pA, output somatic bias")
    p.add_argument("--bias-out-dend", type=float, default=150.0, help="pA, output dendritic bias")
    p.add_argument("--w-ih", type=float, default=4.0, help="nS, input->hidden excitation (x0.8 same, x0.5 crossed)")
    p.add_argument("--w-ih-inh", type=float, default=2.5, help="nS, input->hidden inhibition (x0.5 same, x2 crossed)")
    p.add_argument("--w-ho", type=float, default=2.0, help="nS, hidden->output excitation")
    p.add_argument("--w-ho-inh", type=float, default=0.5, help="nS, hidden->output inhibition")
    p.add_argument("--w-fb", type=float, default=4.0, help="nS, output->hidden dendrites, burst markers")
    p.add_argument("--w-max", type=float, default=8.0, help="nS, upper bound of plastic weights")
    p.add_argument("--eta-ih", type=float, default=0.5, help="nS, learning rate input->hidden")
    p.add_argument("--eta-ho", type=float, default=0.5, help="nS, learning rate hidden->output")
    p.add_argument("--r-min", type=float, default=0.2, help="Hz, homeostasis from below (their 2 Hz pushed silent hidden cells' crossed inputs up)")
    p.add_argument("--tau-avg", type=float, default=2000.0, help="ms, moving averages of the rule")
    p.add_argument("--teach-rate", type=float, default=300.0, help="Hz, teaching trains (one per out neuron)")
    p.add_argument("--w-teach", type=float, default=2.0, help="nS, excitatory teaching (target 1)")
    p.add_argument("--w-teach-inh", type=float, default=3.0, help="nS, inhibitory teaching (target 0)")
    return p.parse_args(argv)


def main(argv=None):
    a = parse(argv)
    cfg = build(a)
    with open(a.out, "w") as f:
        json.dump(cfg, f)
    return a


if __name__ == "__main__":
    main()
