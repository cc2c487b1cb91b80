#!/usr/bin/python3
"""The Brian2 example examples/synapses/STDP.py (Song, Miller & Abbott 2000) as Brian2 runs it, for a
side-by-side check of song2000.json: prints the weight histogram (10 bins of w/gmax) every 10 s and
the output rate, in the format of analyse.py. Usage: /usr/bin/python3 brian2_reference.py [seconds]"""
import sys

import numpy as np
from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, Network, defaultclock, ms, mV, Hz, second,
                    seed, prefs)

prefs.codegen.target = "cython"
seed(1)
T = float(sys.argv[1]) if len(sys.argv) > 1 else 100.0
N = 1000
taum, taupre, taupost, taue = 10 * ms, 20 * ms, 20 * ms, 5 * ms
Ee, vt, vr, El = 0 * mV, -54 * mV, -60 * mV, -74 * mV
F, gmax = 15 * Hz, 0.01
dApre = 0.01 * gmax
dApost = -dApre * taupre / taupost * 1.05
defaultclock.dt = 0.1 * ms
neuron = NeuronGroup(1, "dv/dt = (ge * (Ee-v) + El - v) / taum : volt\ndge/dt = -ge / taue : 1",
                     threshold="v>vt", reset="v = vr", method="euler")
neuron.v = vr
inputs = PoissonGroup(N, rates=F)
S = Synapses(inputs, neuron,
             """w : 1
                dApre/dt = -Apre / taupre : 1 (event-driven)
                dApost/dt = -Apost / taupost : 1 (event-driven)""",
             on_pre="""ge += w
                    Apre += dApre
                    w = clip(w + Apost, 0, gmax)""",
             on_post="""Apost += dApost
                     w = clip(w + Apre, 0, gmax)""")
S.connect()
S.w = "rand() * gmax"
mon = SpikeMonitor(neuron)
net = Network(neuron, inputs, S, mon)
for k in range(int(T / 10)):
    net.run(10 * second)
    w = np.asarray(S.w) / gmax
    h = np.histogram(w, bins=10, range=(0, 1))[0]
    n10 = np.sum((np.asarray(mon.t / second) >= 10 * k))
    print(f"t={10 * (k + 1)} s hist={list(h)} extremes={np.mean((w <= 0.1) | (w >= 0.9)):.3f} rate={n10 / 10:.1f} Hz",
          flush=True)
