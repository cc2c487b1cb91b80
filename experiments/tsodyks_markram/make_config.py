#!/usr/bin/python3
"""Writes tsodyks_markram.json: one presynaptic neuron firing 20 spikes at 20 Hz onto four targets
through the two Tsodyks-Markram sets (depressing, facilitating; Tsodyks, Pawelzik & Markram 1998)
and the two eTM sets of Payeur et al. 2021. The targets neither leak (tau_m 1e15 ms) nor fire, so
each arrival raises V by w times the release u R; V is sampled 25 ms after each spike."""
import json

DELAY = 1.0
spikes = [round(100.0 + 50.0 * k - DELAY + 12.5, 6) for k in range(20)]   # arrivals at 112.5 + 50 k
target = {"tau_m": 1e15, "E_L": 0, "V_th": 1e9, "V_reset": 0}
sets = [("tm_depressing", "tsodyks_markram", "depressing"), ("tm_facilitating", "tsodyks_markram", "facilitating"),
        ("etm_depressing", "etm", "depressing"), ("etm_facilitating", "etm", "facilitating")]
config = {
    "description": "Tsodyks-Markram short-term plasticity: 20 Hz trains of 20 spikes through the depressing and "
                   "facilitating sets (NEST tsodyks2 ordering) and the eTM sets of Payeur et al. 2021; analyse.py "
                   "compares each PSP with the ODE solution.",
    "simulation": {"t_stop": 1200, "resolution": 0.1, "seed": 1},
    "populations": [{"name": "pre", "n": 1, "model": "spike_source", "spike_times": [spikes]}] +
                   [{"name": n, "n": 1, "model": "lif_delta", "params": target} for n, _, _ in sets],
    "projections": [{"name": n, "source": "pre", "target": n, "connector": {"rule": "all_to_all"}, "weight": 10.0,
                     "delay": DELAY, "plasticity": {"rule": r, "preset": p}} for n, r, p in sets],
    "output": {"spikes_file": "tsodyks_markram.h5",
               "record_v": [{"population": n, "interval": 25.0} for n, _, _ in sets]},
}
print(json.dumps(config, indent=1))
