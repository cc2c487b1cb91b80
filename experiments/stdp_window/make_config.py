#!/usr/bin/python3
"""Writes stdp_window.json: the pairing protocol that measures the STDP window. Pre neuron k spikes
once so that its spike reaches the synapse dt_k = -100 + 5 k ms before the post neuron fires
(k = 0..40), one pairing a second; the post neuron (lif_delta) fires exactly when a driver's 50 mV
input arrives; the plastic synapses (0.5 mV) never make it fire. Usage: make_config.py > stdp_window.json"""
import json

DELAY = 1.0
pre, drv = [], []
for k in range(41):
    dt = -100.0 + 5.0 * k           # t_post - t_arrival
    t_post = 200.0 + 1000.0 * k
    pre.append([round(t_post - dt - DELAY, 6)])
    drv.append(round(t_post - DELAY, 6))
config = {
    "description": "STDP window by the pairing protocol (Bi & Poo 1998; kernel A+- exp(-|dt|/tau+-), Song et al. 2000 "
                   "form, tau_plus 16.8 ms and tau_minus 33.7 ms of Bi & Poo's fit). Weight k is paired once at dt_k = "
                   "-100 + 5 k ms (t_post - t_arrival); analyse.py compares the final weights with the kernel.",
    "simulation": {"t_stop": 41500, "resolution": 0.1, "seed": 1},
    "populations": [
        {"name": "pre", "n": 41, "model": "spike_source", "spike_times": pre},
        {"name": "driver", "n": 1, "model": "spike_source", "spike_times": [drv]},
        {"name": "post", "n": 1, "model": "lif_delta",
         "params": {"tau_m": 20, "E_L": 0, "V_th": 20, "V_reset": 0, "t_ref": 2}},
    ],
    "projections": [
        {"name": "plastic", "source": "pre", "target": "post", "connector": {"rule": "all_to_all"}, "weight": 0.5,
         "delay": DELAY,
         "plasticity": {"rule": "stdp", "params": {"tau_plus": 16.8, "tau_minus": 33.7, "A_plus": 0.01,
                                                   "A_minus": 0.0105, "w_min": 0, "w_max": 1}}},
        {"source": "driver", "target": "post", "connector": {"rule": "all_to_all"}, "weight": 50, "delay": DELAY},
    ],
    "output": {"spikes_file": "stdp_window.h5", "weights": [{"projection": "plastic", "times": [0, 41500]}]},
}
print(json.dumps(config, indent=1))
