#!/usr/bin/python3
"""Writes distal_reward.json, the network of Izhikevich (2007) daspnet.m: 800 regular-spiking and 200
fast-spiking Izhikevich neurons, 100 synapses a neuron (excitatory onto any neuron, inhibitory onto
excitatory ones), 1 ms delays, random input 13 (U - 0.5) every ms, excitatory synapses plastic by
dopamine-modulated STDP (rstdp preset izhikevich2007: s in [0, 4], s0 = 1). Resolution and delay are
0.5 ms so that a spike reaches its targets in the 1 ms step it was found in, as in daspnet (D = 1).
distal_reward (the driver) adds the reward: dopamine 0.5, 1-3 s after neuron n2 fires within 20 ms
of n1. Usage: make_config.py > distal_reward.json"""
import json

izh = {"I_noise": 13.0, "h_step": 1.0}
rstdp = {"rule": "rstdp", "preset": "izhikevich2007"}
config = {
    "description": "Izhikevich (2007) distal reward: daspnet.m's network (1000 neurons, 100 synapses each, DA-modulated "
                   "STDP on the excitatory synapses); run with experiments/distal_reward/distal_reward.",
    "simulation": {"t_stop": 3600000, "resolution": 0.5, "seed": 1},
    "populations": [
        {"name": "E", "n": 800, "model": "izhikevich", "params": dict(izh, a=0.02, d=8.0)},
        {"name": "I", "n": 200, "model": "izhikevich", "params": dict(izh, a=0.1, d=2.0)},
    ],
    "projections": [
        {"name": "EE", "source": "E", "target": "E", "connector": {"rule": "fixed_outdegree", "outdegree": 80},
         "weight": 1.0, "delay": 0.5, "plasticity": rstdp},
        {"name": "EI", "source": "E", "target": "I", "connector": {"rule": "fixed_outdegree", "outdegree": 20},
         "weight": 1.0, "delay": 0.5, "plasticity": rstdp},
        {"name": "IE", "source": "I", "target": "E", "connector": {"rule": "fixed_outdegree", "outdegree": 100},
         "weight": -1.0, "delay": 0.5},
    ],
    "output": {"spikes_file": "distal_reward.h5", "record_spikes": []},
}
print(json.dumps(config, indent=1))
