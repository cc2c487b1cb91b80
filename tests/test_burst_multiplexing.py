#!/usr/bin/python3
"""tests/test_burst_multiplexing.py: a population of two_compartment neurons multiplexes two signals
(Payeur et al. 2021, Fig. 2; experiments/burst_multiplexing/): its event rate follows the somatic
input, its burst probability the dendritic input, and decoders behind depressing and facilitating
eTM synapses read out the event rate and the burst rate. A 6 s run of 500 neurons (seed 1), 50 ms
bins after 500 ms; Pearson correlations from analyse.py.

Tolerances, from seeds 1-3 of this short run (measured min / max in brackets):
  event rate ~ somatic s1       >= 0.65   [0.755 / 0.830]
  burst prob ~ dendritic s2     >= 0.85   [0.929 / 0.949]
  |event rate ~ s2|             <= 0.35   [-0.215 / -0.161] (bursts add adaptation: fewer events)
  |burst prob ~ s1|             <= 0.30   [0.081 / 0.140]
  facilitating decoder ~ burst rate >= 0.85 [0.924 / 0.929], and exceeds its ~ event rate by >= 0.28 [0.32 / 0.43]
  depressing decoder ~ event rate   >= 0.70 [0.820 / 0.867], and its ~ s1 exceeds its ~ s2 by >= 0.3 [0.47 / 0.66]
  |s1 ~ s2| <= 0.1 (the generator orthogonalises them) [0.007 / 0.054]
A population whose burst probability ignored the dendrite, or an event rate that ignored the soma,
fails these; so do decoders through static synapses (make_config.py --no-stp --w-dep 0.1 --w-fac 0.2,
seed 1: depressing ~ event rate 0.61, its s1 - s2 margin 0.23; facilitating margin 0.23), whose rates
follow the total spike rate.
The event/burst classifier of the analysis is checked on a hand-made train first.

usage: test_burst_multiplexing.py SPIKEQ_BINARY SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile

SPIKEQ, SRC = sys.argv[1], sys.argv[2]
HERE = os.path.join(SRC, "experiments", "burst_multiplexing")
sys.path.insert(0, HERE)
import analyse  # noqa: E402
import make_config  # noqa: E402

failures = []


def check(name, ok, detail):
    print("%-58s %s  %s" % (name, "ok" if ok else "FAIL", detail))
    if not ok:
        failures.append(name)


def classifier_marks_first_spike_event_and_second_burst():
    # 0: event; 5, 10: burst (5 its marker); 100: event (z = e^{-90/16}+... < e^-1); 110: marker
    # (z = e^{-10/16} = 0.535 > e^-1); 150: event (z = e^{-40/16} + e^{-50/16} = 0.126).
    ev, bu = analyse.classify([0.0, 5.0, 10.0, 100.0, 110.0, 150.0])
    check("classifier: events and burst markers of a hand-made train",
          list(ev) == [1, 0, 0, 1, 0, 1] and list(bu) == [0, 1, 0, 0, 1, 0], "%s %s" % (list(ev), list(bu)))


def population_multiplexes_somatic_and_dendritic_signals(tmp):
    cfg = os.path.join(tmp, "bm.json")
    h5 = os.path.join(tmp, "bm.h5")
    make_config.main([cfg, "--n", "500", "--t-stop", "6000", "--seed", "1", "--spikes", h5])
    subprocess.run([SPIKEQ, "run", cfg, "-q"], check=True, timeout=900, stdout=subprocess.DEVNULL)
    r, _ = analyse.measure(h5, os.path.join(tmp, "bm.signals.npz"), 50.0, 500.0)
    print(r)
    check("signals orthogonal: |r(s1, s2)| <= 0.1", abs(r["r_s1_s2"]) <= 0.1, "%.3f" % r["r_s1_s2"])
    check("event rate follows somatic input: r >= 0.65", r["r_event_s1"] >= 0.65, "%.3f" % r["r_event_s1"])
    check("burst probability follows dendritic input: r >= 0.85", r["r_bp_s2"] >= 0.85, "%.3f" % r["r_bp_s2"])
    check("event rate barely follows dendritic input: |r| <= 0.35", abs(r["r_event_s2"]) <= 0.35,
          "%.3f" % r["r_event_s2"])
    check("burst probability barely follows somatic input: |r| <= 0.30", abs(r["r_bp_s1"]) <= 0.30,
          "%.3f" % r["r_bp_s1"])
    check("facilitating decoder follows burst rate: r >= 0.85", r["r_fac_burst"] >= 0.85, "%.3f" % r["r_fac_burst"])
    check("facilitating decoder: burst rate beats event rate by >= 0.28", r["r_fac_burst"] - r["r_fac_event"] >= 0.28,
          "%.3f vs %.3f" % (r["r_fac_burst"], r["r_fac_event"]))
    check("depressing decoder follows event rate: r >= 0.70", r["r_dep_event"] >= 0.70, "%.3f" % r["r_dep_event"])
    check("depressing decoder: somatic beats dendritic input by >= 0.3", r["r_dep_s1"] - r["r_dep_s2"] >= 0.3,
          "%.3f vs %.3f" % (r["r_dep_s1"], r["r_dep_s2"]))


classifier_marks_first_spike_event_and_second_burst()
with tempfile.TemporaryDirectory() as tmp:
    population_multiplexes_somatic_and_dendritic_signals(tmp)
sys.exit(1 if failures else 0)
