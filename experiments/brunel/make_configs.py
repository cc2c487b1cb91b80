#!/usr/bin/python3
"""experiments/brunel/make_configs.py: writes the Brunel (2000) model-A configs of this folder.

Brunel N (2000) J Comput Neurosci 8:183, model A (identical E and I neurons), delta synapses, Fig. 8 A-D;
the connectivity follows NEST's pynest/examples/brunel_delta_nest.py (fixed in-degree C_E = eps N_E,
C_I = eps N_I, multapses allowed) but without autapses, and V_reset = 10 mV as in the paper (NEST's
example uses 0 mV). The external drive is one independent Poisson train per neuron at eta nu_thr C_E,
nu_thr = theta / (J C_E tau_m), weight J, delay D. Initial V_m: uniform in [0, theta) mV.

Run: /usr/bin/python3 experiments/brunel/make_configs.py (rewrites the *.json next to this file).
The generated JSON files are committed; this script only keeps their derived numbers consistent."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def nu_thr_hz(theta_mv, j_mv, c_e, tau_m_ms):
    """Brunel (2000) eq. 6: the external rate per synapse that brings the mean input to threshold."""
    return theta_mv / (j_mv * c_e * tau_m_ms) * 1000.0


def brunel(name, g, eta, n_e=10000, n_i=2500, eps=0.1, j=0.1, t_stop=1000.0, figure="", note=""):
    c_e, c_i = int(round(eps * n_e)), int(round(eps * n_i))
    tau_m, theta, v_r, t_ref, delay = 20.0, 20.0, 10.0, 2.0, 1.5
    nu_thr = nu_thr_hz(theta, j, c_e, tau_m)
    params = {"tau_m": tau_m, "C_m": 250.0, "E_L": 0.0, "V_th": theta, "V_reset": v_r, "t_ref": t_ref}
    v_init = {"dist": "uniform", "low": 0.0, "high": theta}
    pop = lambda pname, n: {"name": pname, "n": n, "model": "lif_delta", "params": params, "v_init": v_init}
    conn = lambda k: {"rule": "fixed_indegree", "indegree": k, "autapses": False, "multapses": True}
    cfg = {
        "description": (f"Brunel (2000) model A, {figure}: g = {g}, eta = nu_ext/nu_thr = {eta}, "
                        f"N_E = {n_e}, N_I = {n_i}, C_E = {c_e}, C_I = {c_i}, J = {j} mV, D = {delay} ms. "
                        + note).strip(),
        "simulation": {"t_stop": t_stop, "resolution": 0.1, "seed": 1},
        "output": {"spikes_file": f"out/{name}_spikes.h5", "record_spikes": ["E", "I"]},
        "populations": [pop("E", n_e), pop("I", n_i)],
        "projections": [
            {"source": "E", "target": "E", "connector": conn(c_e), "weight": j, "delay": delay},
            {"source": "E", "target": "I", "connector": conn(c_e), "weight": j, "delay": delay},
            {"source": "I", "target": "E", "connector": conn(c_i), "weight": -g * j, "delay": delay},
            {"source": "I", "target": "I", "connector": conn(c_i), "weight": -g * j, "delay": delay},
        ],
        "devices": [
            {"name": "ext", "type": "poisson_generator",
             "comment": f"eta * nu_thr * C_E = {eta} * {nu_thr:g} Hz * {c_e}",
             "rate": eta * nu_thr * c_e, "weight": j, "delay": delay, "targets": ["E", "I"]},
        ],
    }
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    brunel("brunel", 5.0, 2.0, figure="Fig. 8C, asynchronous irregular (AI)")
    brunel("sr", 3.0, 2.0, figure="Fig. 8A, synchronous regular (SR)")
    brunel("si_fast", 6.0, 4.0, figure="Fig. 8B, synchronous irregular, fast oscillation (SI fast)")
    brunel("si_slow", 4.5, 0.9, figure="Fig. 8D, synchronous irregular, slow oscillation (SI slow)")
    brunel("brunel_small", 5.0, 2.0, n_e=2000, n_i=500, j=0.2, t_stop=2000.0,
           figure="reduced AI network for tests/test_brunel.c",
           note="Down-scaled 5x in N and C with J doubled (see README.md for why).")
