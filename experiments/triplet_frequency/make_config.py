#!/usr/bin/python3
"""Writes pairing.json, the template of pairing.py: 60 pairings at 20 Hz, t_post - t_pre = -10 ms."""
import json

t = [1000.0 + 50.0 * k for k in range(60)]
config = {
    "description": "Triplet STDP (Pfister & Gerstner 2006), pairing protocol of Sjostrom et al. 2001: 60 pairings "
                   "at 20 Hz, post 10 ms before pre. pairing.py rewrites the spike times for other frequencies.",
    "simulation": {"t_stop": t[-1] + 1000.0, "resolution": 0.1, "seed": 1},
    "populations": [
        {"name": "pre", "n": 1, "model": "spike_source", "spike_times": [[x + 10.0 - 1.0 for x in t]]},
        {"name": "driver", "n": 1, "model": "spike_source", "spike_times": [[x - 1.0 for x in t]]},
        {"name": "post", "n": 1, "model": "lif_delta",
         "params": {"tau_m": 20, "E_L": 0, "V_th": 20, "V_reset": 0, "t_ref": 2}},
    ],
    "projections": [
        {"name": "plastic", "source": "pre", "target": "post", "connector": {"rule": "all_to_all"}, "weight": 0.5,
         "delay": 1.0,
         "plasticity": {"rule": "stdp_triplet", "preset": "visual_cortex_full_all_to_all",
                        "params": {"w_min": -100, "w_max": 100}}},
        {"source": "driver", "target": "post", "connector": {"rule": "all_to_all"}, "weight": 50, "delay": 1.0},
    ],
    "output": {"spikes_file": "pairing.h5", "weights": [{"projection": "plastic", "times": [0, t[-1] + 1000.0]}]},
}
print(json.dumps(config, indent=1))
