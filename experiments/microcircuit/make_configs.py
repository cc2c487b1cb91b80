#!/usr/bin/python3
"""experiments/microcircuit/make_configs.py: writes the Potjans & Diesmann (2014) cortical microcircuit
configs of this folder, with every parameter of NEST's example pynest/examples/Potjans_2014
(network_params.py, stimulus_params.py, network.py, helpers.py; see ../shared/specs/simulators.md §3).

Potjans TC, Diesmann M (2014) The cell-type specific cortical microcircuit: relating structure and
activity in a full-scale spiking network model. Cereb Cortex 24:785-806.

What is derived here, as NEST's example derives it:
- synapses per projection K_ij = ln(1 - p_ij) / ln((N_i N_j - 1) / (N_i N_j)) from the full-scale sizes
  (target i, source j), scaled by N_scaling * K_scaling and rounded; connected with fixed_total_number
  (autapses and multapses allowed, NEST's defaults);
- PSC amplitudes from PSPs: the peak of the PSP of an exponential current in an iaf_psc_exp neuron
  (Hanuschkin et al. 2010, Front Neuroinform 4:113, Eq. 5), 585.39 pA/mV for C_m 250 pF, tau_m 10 ms,
  tau_syn 0.5 ms; mean EPSP 0.15 mV, L4E -> L2/3E doubled, g = -4 for inhibitory sources;
- weights normal with relative SD 0.1, redrawn into [0, inf) (excitatory) or (-inf, 0] (inhibitory);
  delays normal (1.5 ms E sources, 0.75 ms I sources, relative SD 0.5) redrawn to >= the resolution
  (and <= mean + 10 SD, which spikeq's delay check needs and no draw reaches);
- initial V_m normal per population ("optimized" values of the example; --v0 original: N(-58, 10) mV);
- background: one Poisson generator per population at bg_rate * K_ext (default), or the DC current
  that replaces it, bg_rate * K_ext * w_ext * tau_syn * 1e-3 pA (--bg dc);
- K-scaling: weights / sqrt(K_scaling) and the DC compensation
  1e-3 tau_syn (1 - sqrt(K_scaling)) (sum_j w_ij K_ij nu_j [+ w_ext K_ext bg_rate with Poisson input]),
  K_ij the full-scale in-degree and nu_j the example's full-scale reference rates;
- optional thalamic input (off by default): 902 Poisson sources (a "poisson_source" population: one
  train per source neuron, shared by all its targets, as NEST's parrot neurons), 120 Hz from 700 ms
  for 10 ms, fixed_total_number synapses from conn_probs_th; optional DC stimulus 0.3 pA * K_ext.

Run: /usr/bin/python3 experiments/microcircuit/make_configs.py (rewrites the committed *.json next to
this file). Other scalings: --n-scaling S --k-scaling S [--bg dc] [--thalamus] --out FILE.json."""
import argparse
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))

POPS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
N_FULL = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
# conn_probs[target][source]
CONN_PROBS = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
]
# full-scale mean rates of the example (spikes/s), used only by the K-scaling DC compensation
FULL_MEAN_RATES = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]
V0_MEAN = [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43]
V0_STD = [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48]
V0_ORIGINAL = (-58.0, 10.0)  # the example's "original" V0_type: N(-58, 10) mV for every population

NEURON = {"C_m": 250.0, "tau_m": 10.0, "tau_syn": 0.5, "t_ref": 2.0, "E_L": -65.0, "V_th": -50.0,
          "V_reset": -65.0}
PSP_EXC_MEAN = 0.15   # mV
G = -4.0              # relative inhibitory PSP
WEIGHT_REL_STD = 0.1
DELAY_EXC, DELAY_INH, DELAY_REL_STD = 1.5, 0.75, 0.5  # ms
DELAY_POISSON = 1.5   # ms
BG_RATE = 8.0         # spikes/s per external synapse
RESOLUTION = 0.1      # ms
SEED = 55
T_PRESIM, T_SIM = 500.0, 1000.0

TH = {"n": 902, "rate": 120.0, "start": 700.0, "duration": 10.0, "psp": 0.15, "delay": 1.5,
      "delay_rel_std": 0.5, "conn_probs": [0.0, 0.0, 0.0983, 0.0619, 0.0, 0.0, 0.0512, 0.0196]}
DC_STIM = {"amp_per_k_ext": 0.3, "start": 650.0, "dur": 100.0}


def psc_over_psp(c_m, tau_m, tau_syn):
    """pA of PSC amplitude per mV of PSP peak for iaf_psc_exp (Hanuschkin et al. 2010, Eq. 5)."""
    sub = 1.0 / (tau_syn - tau_m)
    pre = tau_m * tau_syn / c_m * sub
    frac = (tau_m / tau_syn) ** sub
    return 1.0 / (pre * (frac ** tau_m - frac ** tau_syn))


def num_synapses_full(p, n_post, n_pre):
    """Expected number of distinct pairs p asks for, drawn with replacement (helpers.py)."""
    if p == 0.0:
        return 0.0
    prod = float(n_post) * float(n_pre)
    return math.log(1.0 - p) / math.log((prod - 1.0) / prod)


def is_exc(j):
    return j % 2 == 0


def derive(n_scaling=1.0, k_scaling=1.0, bg="poisson", thalamus=False):
    """Every number of the network at this scaling, as network.py's __derive_parameters."""
    n = len(POPS)
    full_syn = [[num_synapses_full(CONN_PROBS[i][j], N_FULL[i], N_FULL[j]) for j in range(n)] for i in range(n)]
    f = psc_over_psp(NEURON["C_m"], NEURON["tau_m"], NEURON["tau_syn"])
    psp = [[PSP_EXC_MEAN if is_exc(j) else G * PSP_EXC_MEAN for j in range(n)] for i in range(n)]
    psp[0][2] = 2.0 * PSP_EXC_MEAN  # L4E -> L2/3E
    w = [[psp[i][j] * f for j in range(n)] for i in range(n)]
    w_ext = PSP_EXC_MEAN * f
    tau = NEURON["tau_syn"]
    dc = [0.0] * n if bg == "poisson" else [BG_RATE * K_EXT[i] * w_ext * tau * 1e-3 for i in range(n)]
    sk = math.sqrt(k_scaling)
    if k_scaling != 1.0:
        for i in range(n):
            rec = sum(w[i][j] * full_syn[i][j] / N_FULL[i] * FULL_MEAN_RATES[j] for j in range(n))
            dc[i] += 1e-3 * tau * (1.0 - sk) * rec
            if bg == "poisson":
                dc[i] += 1e-3 * tau * (1.0 - sk) * w_ext * K_EXT[i] * BG_RATE
    d = {
        "n_scaling": n_scaling, "k_scaling": k_scaling, "bg": bg, "psc_over_psp": f,
        "num_neurons": [int(round(x * n_scaling)) for x in N_FULL],
        "full_num_synapses": full_syn,
        "num_synapses": [[int(round(full_syn[i][j] * n_scaling * k_scaling)) for j in range(n)] for i in range(n)],
        "weight": [[w[i][j] / sk for j in range(n)] for i in range(n)],
        "weight_ext": w_ext / sk,
        "delay": [[DELAY_EXC if is_exc(j) else DELAY_INH for j in range(n)] for i in range(n)],
        "ext_indegree": [int(round(k * k_scaling)) for k in K_EXT],
        "dc": dc,
    }
    if thalamus:
        th_full = [num_synapses_full(TH["conn_probs"][i], N_FULL[i], TH["n"]) for i in range(n)]
        # In-degrees kept as at full scale: scaled by N_scaling * K_scaling like the recurrent ones.
        d["th_num_synapses"] = [int(round(x * n_scaling * k_scaling)) for x in th_full]
        d["th_weight"] = TH["psp"] * f / sk
    return d


def normal(mean, rel_std, low=None, high=None):
    out = {"dist": "normal", "mean": mean, "std": abs(mean) * rel_std}
    if low is not None:
        out["low"] = low
    if high is not None:
        out["high"] = high
    return out


def delay_dist(mean, rel_std):
    """NEST redraws below the resolution and has no upper bound; spikeq needs a finite one for its
    delay check, so mean + 10 SD (a draw beyond it has probability 7.6e-24)."""
    return normal(mean, rel_std, low=RESOLUTION, high=mean + 10.0 * mean * rel_std)


def weight_dist(w):
    return normal(w, WEIGHT_REL_STD, low=0.0) if w >= 0 else normal(w, WEIGHT_REL_STD, high=0.0)


def populations(d, v0="optimized", model="lif_exp"):
    out = []
    for i, name in enumerate(POPS):
        params = {"C_m": NEURON["C_m"], "tau_m": NEURON["tau_m"], "tau_syn_ex": NEURON["tau_syn"],
                  "tau_syn_in": NEURON["tau_syn"], "t_ref": NEURON["t_ref"], "E_L": NEURON["E_L"],
                  "V_th": NEURON["V_th"], "V_reset": NEURON["V_reset"], "I_e": d["dc"][i]}
        out.append({"name": name, "n": d["num_neurons"][i], "model": model, "params": params,
                    "v_init": {"dist": "normal", "mean": V0_MEAN[i], "std": V0_STD[i]} if v0 == "optimized"
                    else {"dist": "normal", "mean": V0_ORIGINAL[0], "std": V0_ORIGINAL[1]}})
    return out


def projections(d):
    out = []
    for i, tgt in enumerate(POPS):
        for j, src in enumerate(POPS):
            k = d["num_synapses"][i][j]
            if k == 0:
                continue  # p = 0: NEST connects nothing either
            out.append({"source": src, "target": tgt,
                        "connector": {"rule": "fixed_total_number", "n": k, "autapses": True, "multapses": True},
                        "weight": weight_dist(d["weight"][i][j]),
                        "delay": delay_dist(d["delay"][i][j], DELAY_REL_STD)})
    return out


def devices(d, dc_stim):
    out = []
    if d["bg"] == "poisson":
        for i, name in enumerate(POPS):
            out.append({"name": "bg_" + name, "type": "poisson_generator",
                        "comment": f"bg_rate {BG_RATE:g} Hz * K_ext {d['ext_indegree'][i]}",
                        "rate": BG_RATE * d["ext_indegree"][i], "weight": d["weight_ext"],
                        "delay": DELAY_POISSON, "targets": [name]})
    if dc_stim:
        for i, name in enumerate(POPS):
            out.append({"name": "stim_" + name, "type": "dc_generator",
                        "amplitude": DC_STIM["amp_per_k_ext"] * K_EXT[i], "start": DC_STIM["start"],
                        "stop": DC_STIM["start"] + DC_STIM["dur"], "targets": [name]})
    return out


def thalamus(d, pops, projs):
    pops.append({"name": "TC", "n": TH["n"], "model": "poisson_source", "rate": TH["rate"],
                 "start": TH["start"], "stop": TH["start"] + TH["duration"]})
    for i, tgt in enumerate(POPS):
        k = d["th_num_synapses"][i]
        if k == 0:
            continue
        projs.append({"source": "TC", "target": tgt,
                      "connector": {"rule": "fixed_total_number", "n": k, "autapses": True, "multapses": True},
                      "weight": weight_dist(d["th_weight"]),
                      "delay": delay_dist(TH["delay"], TH["delay_rel_std"])})


def config(name, n_scaling=1.0, k_scaling=1.0, bg="poisson", with_thalamus=False, dc_stim=False,
           t_stop=T_PRESIM + T_SIM, record=True, v0="optimized", model="lif_exp"):
    d = derive(n_scaling, k_scaling, bg, with_thalamus)
    pops, projs = populations(d, v0, model), projections(d)
    if with_thalamus:
        thalamus(d, pops, projs)
    total = sum(map(sum, d["num_synapses"]))
    desc = (f"Potjans & Diesmann (2014) cortical microcircuit, NEST example parameters; N_scaling {n_scaling:g}, "
            f"K_scaling {k_scaling:g}: {sum(d['num_neurons'])} neurons, {total} recurrent synapses; "
            f"{bg} background; thalamic input {'on' if with_thalamus else 'off'}; neuron model {model}. "
            f"Generated by make_configs.py; rates are analysed on [{T_PRESIM:g}, {T_PRESIM + T_SIM:g}) ms.")
    return {
        "description": desc,
        "simulation": {"t_stop": t_stop, "resolution": RESOLUTION, "seed": SEED},
        "output": {"spikes_file": f"out/{name}_spikes.h5", "record_spikes": POPS if record else []},
        "populations": pops,
        "projections": projs,
        "devices": devices(d, dc_stim),
    }


def write(cfg, path):
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-scaling", type=float)
    ap.add_argument("--k-scaling", type=float)
    ap.add_argument("--bg", choices=["poisson", "dc"], default="poisson")
    ap.add_argument("--thalamus", action="store_true", help="add the thalamic input (off by default)")
    ap.add_argument("--dc-stim", action="store_true", help="add the DC stimulus 0.3 pA * K_ext, 650-750 ms")
    ap.add_argument("--v0", choices=["optimized", "original"], default="optimized",
                    help="initial V_m: per-population fits (default) or N(-58, 10) mV")
    ap.add_argument("--model", choices=["lif_exp", "lif_exp_grid"], default="lif_exp",
                    help="exact spike times (default) or NEST's iaf_psc_exp on the time grid")
    ap.add_argument("--t-stop", type=float, default=T_PRESIM + T_SIM)
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--out", help="write one config here instead of the committed set")
    a = ap.parse_args()
    if a.out or a.n_scaling is not None or a.k_scaling is not None:
        name = os.path.splitext(os.path.basename(a.out or "microcircuit_custom.json"))[0]
        write(config(name, a.n_scaling or 1.0, a.k_scaling or 1.0, a.bg, a.thalamus, a.dc_stim, a.t_stop,
                     not a.no_record, a.v0, a.model), a.out or os.path.join(HERE, name + ".json"))
        return
    write(config("microcircuit"), os.path.join(HERE, "microcircuit.json"))
    write(config("microcircuit_0.1", 0.1, 0.1), os.path.join(HERE, "microcircuit_0.1.json"))
    write(config("microcircuit_0.2", 0.2, 0.2), os.path.join(HERE, "microcircuit_0.2.json"))
    # The benchmark setting of the example's README: full scale, DC background, 0.5 s + 10 s, no recording.
    write(config("microcircuit_dc", bg="dc", t_stop=T_PRESIM + 10000.0, record=False),
          os.path.join(HERE, "microcircuit_dc.json"))
    # The same with NEST's own neuron update (iaf_psc_exp on the 0.1 ms grid): the like-for-like
    # comparison with NEST's benchmark figures.
    write(config("microcircuit_dc_grid", bg="dc", t_stop=T_PRESIM + 10000.0, record=False, model="lif_exp_grid"),
          os.path.join(HERE, "microcircuit_dc_grid.json"))
    write(config("microcircuit_thalamus", 0.1, 0.1, with_thalamus=True),
          os.path.join(HERE, "microcircuit_thalamus_0.1.json"))


if __name__ == "__main__":
    main()
