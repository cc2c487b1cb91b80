#!/usr/bin/python3
"""experiments/compare_brian2.py: runs the same three networks in Brian2 (C++ standalone) and in spikeq
and prints one table of simulation times and mean rates.

Models (parameters are read from the spikeq configs, so both simulators build the same network):
  brunel  experiments/brunel/brunel.json, Brunel (2000) model A in the AI state (g = 5, eta = 2), 1 s.
          Brian2: lif with method 'exact', delta synapses `v += J` with delay D, refractory t_ref, fixed
          in-degree drawn in NumPy (multapses allowed, no autapses), external drive as Brian's own
          examples do it: PoissonInput(N = C_E, rate = eta nu_thr, weight = J). Inputs that arrive during
          the refractory period are discarded (NEST iaf_psc_delta semantics, V is clamped at V_reset).
  cuba    experiments/vogels_abbott/cuba.json, Vogels & Abbott (2005) / Brette et al. (2007) benchmark 2,
          as Brian2's examples/CUBA.py (method 'exact', no delay), 10 s.
  coba    experiments/vogels_abbott/coba.json, Vogels & Abbott (2005) / Brette et al. (2007) benchmark 1, as
          Brian's COBA benchmark script (Brette et al. 2007): conductances in nS, no delay, method 'euler'
          by default (the script's; --coba-method exponential_euler or rk4 for a more accurate Brian side),
          V(0) ~ N(-65, 5) mV; initial conductances zero as in coba.json (the script draws them at random,
          spikeq's configs set only V_m), 10 s.
Brian2 runs in C++ standalone mode, one thread, no OpenMP, default compiler flags. Its time is
device._last_run_time: the Network.run loop only, without code generation, compilation, synapse
creation or writing results. spikeq's time is the `wall time (simulation): X s` line of its summary.

Usage: /usr/bin/python3 experiments/compare_brian2.py [--spikeq PATH] [--only brunel|cuba|coba] [--coba-method M]
       [--repeat N] [--brian-only] [--seed N] [--brunel-config PATH] [--t-stop MS]
Best of N runs is reported for both simulators (Brian2 re-runs its compiled binary)."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = {
    "brunel": (os.path.join(HERE, "brunel", "brunel.json"), 1000.0),
    "cuba": (os.path.join(HERE, "vogels_abbott", "cuba.json"), 10000.0),
    "coba": (os.path.join(HERE, "vogels_abbott", "coba.json"), 10000.0),
}
COBA_METHOD = "euler"


def load(path):
    with open(path) as f:
        return json.load(f)


def pops(cfg):
    return {p["name"]: p for p in cfg["populations"]}


def value(x):
    """A number, or a constant distribution object."""
    if isinstance(x, dict):
        if x.get("dist") != "constant":
            raise SystemExit(f"compare_brian2.py: expected a constant, got {x}")
        return x["value"]
    return x


def fixed_indegree(rng, n_pre, n_post, k, same_population):
    """(i, j) arrays: each target draws k sources uniformly with replacement, never itself."""
    import numpy as np
    j = np.repeat(np.arange(n_post), k)
    if not same_population:
        return rng.integers(0, n_pre, size=j.size), j
    i = rng.integers(0, n_pre - 1, size=j.size)
    i[i >= j] += 1  # skip the target itself: uniform over the n_pre - 1 others
    return i, j


def brian_brunel(cfg, t_stop_ms, seed):
    """Builds Brunel's model A from a spikeq config; returns (network objects, spike monitor, N)."""
    import numpy as np
    from brian2 import NeuronGroup, Synapses, PoissonInput, SpikeMonitor, ms, mV, Hz, seed as bseed
    bseed(seed)
    rng = np.random.default_rng(seed)
    p = pops(cfg)
    n_e, n_i = p["E"]["n"], p["I"]["n"]
    prm = p["E"]["params"]
    ns = {"tau": prm["tau_m"] * ms, "theta": prm["V_th"] * mV, "V_r": prm["V_reset"] * mV,
          "E_L": prm.get("E_L", 0.0) * mV}
    vi = p["E"]["v_init"]
    neurons = NeuronGroup(n_e + n_i, "dv/dt = (E_L - v) / tau : volt (unless refractory)",
                          threshold="v > theta", reset="v = V_r", refractory=prm["t_ref"] * ms,
                          method="exact", namespace=ns)
    neurons.v = (vi["low"] + rng.random(n_e + n_i) * (vi["high"] - vi["low"])) * mV
    offset = {"E": 0, "I": n_e}
    objs = [neurons]
    for k, pr in enumerate(cfg["projections"]):
        src, tgt = pr["source"], pr["target"]
        syn = Synapses(neurons, neurons, model="w : volt (constant, shared)",
                       on_pre="v_post += w * int(not_refractory_post)",
                       delay=value(pr["delay"]) * ms, name=f"proj{k}")
        i, j = fixed_indegree(rng, p[src]["n"], p[tgt]["n"], pr["connector"]["indegree"], src == tgt)
        syn.connect(i=i + offset[src], j=j + offset[tgt])
        syn.w = value(pr["weight"]) * mV
        objs.append(syn)
    ext = cfg["devices"][0]
    c_e = cfg["projections"][0]["connector"]["indegree"]
    # A Poisson train at rate R equals C_E trains at R / C_E: PoissonInput draws the binomial count.
    # Brian applies it in the 'synapses' slot, so an input lands one step later than in continuous time;
    # the delay D of the spikeq device has no effect on the stationary rate.
    objs.append(PoissonInput(neurons, "v", c_e, ext["rate"] / c_e * Hz,
                             weight=f"{ext['weight']}*mV*int(not_refractory)"))
    mon = SpikeMonitor(neurons, record=False)
    objs.append(mon)
    return objs, mon, n_e + n_i


def brian_cuba(cfg, t_stop_ms, seed):
    """Brian2's examples/CUBA.py with the config's numbers (weights converted back to mV of ge)."""
    from brian2 import NeuronGroup, Synapses, SpikeMonitor, ms, mV, seed as bseed
    bseed(seed)
    p = pops(cfg)
    prm = p["E"]["params"]
    mv_per_pa = prm["tau_m"] / prm["C_m"]  # ge (mV) = I_syn (pA) * tau_m / C_m
    ns = {"taum": prm["tau_m"] * ms, "taue": prm["tau_syn_ex"] * ms, "taui": prm["tau_syn_in"] * ms,
          "Vt": prm["V_th"] * mV, "Vr": prm["V_reset"] * mV, "El": prm["E_L"] * mV}
    eqs = """dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
             dge/dt = -ge / taue : volt
             dgi/dt = -gi / taui : volt"""
    n_exc, n = p["E"]["n"], p["E"]["n"] + p["I"]["n"]
    P = NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr", refractory=prm["t_ref"] * ms,
                    method="exact", namespace=ns)
    P.v = "Vr + rand() * (Vt - Vr)"
    w = {pr["source"]: value(pr["weight"]) * mv_per_pa * mV for pr in cfg["projections"]}
    p_conn = cfg["projections"][0]["connector"]["p"]
    Ce = Synapses(P, P, on_pre="ge += we", namespace={"we": w["E"]})
    Ci = Synapses(P, P, on_pre="gi += wi", namespace={"wi": w["I"]})
    Ce.connect(f"i < {n_exc}", p=p_conn)
    Ci.connect(f"i >= {n_exc}", p=p_conn)
    mon = SpikeMonitor(P, record=False)
    return [P, Ce, Ci, mon], mon, n


def brian_coba(cfg, t_stop_ms, seed):
    """Brian's COBA benchmark (Brette et al. 2007) with the config's numbers, conductances in nS."""
    from brian2 import NeuronGroup, Synapses, SpikeMonitor, ms, mV, nS, pF, pA, seed as bseed
    bseed(seed)
    p = pops(cfg)
    prm = p["E"]["params"]
    ns = {"Cm": prm["C_m"] * pF, "gl": prm["g_L"] * nS, "El": prm["E_L"] * mV, "Ee": prm["E_ex"] * mV,
          "Ei": prm["E_in"] * mV, "taue": prm["tau_syn_ex"] * ms, "taui": prm["tau_syn_in"] * ms,
          "Vt": prm["V_th"] * mV, "Vr": prm["V_reset"] * mV, "Ie": prm["I_e"] * pA}
    eqs = """dv/dt = (gl * (El - v) + ge * (Ee - v) + gi * (Ei - v) + Ie) / Cm : volt (unless refractory)
             dge/dt = -ge / taue : siemens
             dgi/dt = -gi / taui : siemens"""
    n_exc, n = p["E"]["n"], p["E"]["n"] + p["I"]["n"]
    P = NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr", refractory=prm["t_ref"] * ms,
                    method=COBA_METHOD, namespace=ns)
    vi = p["E"]["v_init"]
    P.v = f"({vi['mean']} + randn() * {vi['std']}) * mV"
    w = {pr["source"]: abs(value(pr["weight"])) * nS for pr in cfg["projections"]}
    p_conn = cfg["projections"][0]["connector"]["p"]
    Ce = Synapses(P, P, on_pre="ge += we", namespace={"we": w["E"]})
    Ci = Synapses(P, P, on_pre="gi += wi", namespace={"wi": w["I"]})
    Ce.connect(f"i < {n_exc}", p=p_conn)
    Ci.connect(f"i >= {n_exc}", p=p_conn)
    mon = SpikeMonitor(P, record=False)
    return [P, Ce, Ci, mon], mon, n


BUILDERS = {"brunel": brian_brunel, "cuba": brian_cuba, "coba": brian_coba}


def run_brian(model, cfg, t_stop_ms, repeat, seed):
    """Returns (best simulation time in s, mean rate in Hz, spikes, synapses)."""
    from brian2 import Network, device, set_device, ms, prefs
    tmp = tempfile.mkdtemp(prefix=f"brian2_{model}_")
    try:
        prefs.devices.cpp_standalone.openmp_threads = 0
        set_device("cpp_standalone", directory=tmp, build_on_run=False)
        objs, mon, n = BUILDERS[model](cfg, t_stop_ms, seed)
        net = Network(*objs)
        net.run(t_stop_ms * ms)
        device.build(directory=tmp, compile=True, run=True, with_output=False)
        times = [device._last_run_time]
        for _ in range(repeat - 1):
            device.run(tmp, with_output=False, run_args=[])
            times.append(device._last_run_time)
        spikes = int(mon.num_spikes)
        n_syn = sum(len(o) for o in objs if type(o).__name__ == "Synapses")
        return min(times), spikes / n / (t_stop_ms / 1000.0), spikes, n_syn
    finally:
        device.reinit()
        device.activate()
        set_device("runtime")
        shutil.rmtree(tmp, ignore_errors=True)


def find_spikeq(given):
    if given:
        return given
    for cand in ("build/cli/spikeq", "build/spikeq", "builddir/spikeq"):
        path = os.path.join(ROOT, cand)
        if os.access(path, os.X_OK):
            return path
    return shutil.which("spikeq")


def number_after(label, text):
    m = re.search(label + r"[^0-9+\-.]*([-+0-9.eE]+)", text, re.IGNORECASE)
    return float(m.group(1)) if m else None


def run_spikeq(exe, cfg_path, t_stop_ms, repeat, seed):
    """Returns (best simulation time in s, mean rate in Hz or None, spikes or None)."""
    out_dir = tempfile.mkdtemp(prefix="spikeq_cmp_")
    n = sum(p["n"] for p in load(cfg_path)["populations"])
    best, spikes = None, None
    try:
        for _ in range(repeat):
            out = os.path.join(out_dir, "spikes.h5")
            cmd = [exe, "run", cfg_path, "--t-stop", str(t_stop_ms), "--seed", str(seed),
                   "--threads", "1", "--out", out]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                sys.stderr.write(f"spikeq failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}\n")
                return None, None, None
            text = r.stdout + r.stderr
            t = number_after(r"wall time \(simulation\)", text)
            if t is not None and (best is None or t < best):
                best = t
            spikes = count_spikes(out)
            if spikes is None:
                s = number_after(r"\bspikes:", text)
                spikes = int(s) if s is not None else None
        rate = spikes / n / (t_stop_ms / 1000.0) if spikes is not None else None
        return best, rate, spikes
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def count_spikes(path):
    """Spikes in a SONATA file (/spikes/<pop>/timestamps), or None if it cannot be read."""
    try:
        import h5py
        with h5py.File(path, "r") as f:
            return sum(g["timestamps"].shape[0] for g in f["spikes"].values()
                       if isinstance(g, h5py.Group) and "timestamps" in g)
    except Exception:
        return None


def fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spikeq", help="spikeq binary (default: build/cli/spikeq, build/spikeq, PATH)")
    ap.add_argument("--only", choices=sorted(MODELS), help="run one model")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--brian-only", action="store_true", help="skip spikeq")
    ap.add_argument("--brunel-config", help="another Brunel config, e.g. brunel/brunel_small.json")
    ap.add_argument("--t-stop", type=float, help="bio time in ms for every model (default 1 s / 10 s)")
    ap.add_argument("--coba-method", default="euler", help="Brian2 integration method for COBA (default euler)")
    args = ap.parse_args()
    global COBA_METHOD
    COBA_METHOD = args.coba_method
    exe = None if args.brian_only else find_spikeq(args.spikeq)
    if not args.brian_only and not exe:
        sys.stderr.write("compare_brian2.py: spikeq not found (use --spikeq PATH or --brian-only); "
                         "running Brian2 only\n")
    rows = []
    for model in ([args.only] if args.only else ["brunel", "cuba", "coba"]):
        cfg_path, t_stop = MODELS[model]
        if model == "brunel" and args.brunel_config:
            cfg_path = os.path.abspath(args.brunel_config)
        t_stop = args.t_stop or t_stop
        cfg = load(cfg_path)
        b_t, b_rate, b_spk, b_syn = run_brian(model, cfg, t_stop, args.repeat, args.seed)
        s_t, s_rate, s_spk = (run_spikeq(exe, cfg_path, t_stop, args.repeat, args.seed)
                              if exe else (None, None, None))
        rows.append((model, t_stop, b_t, s_t, s_t / b_t if s_t and b_t else None, b_rate, s_rate,
                     b_spk, s_spk, b_syn))
    print(f"{'model':8} {'bio (s)':>8} {'brian2 sim (s)':>15} {'spikeq sim (s)':>15} {'spikeq/brian2':>14} "
          f"{'brian2 rate (Hz)':>17} {'spikeq rate (Hz)':>17} {'brian2 spikes':>14} {'spikeq spikes':>14} "
          f"{'brian2 synapses':>16}")
    for m, t, bt, st, ratio, br, sr, bs, ss, bsyn in rows:
        print(f"{m:8} {t / 1000:8g} {fmt(bt, '15.3f')} {fmt(st, '15.3f'):>15} {fmt(ratio, '14.2f'):>14} "
              f"{fmt(br, '17.2f')} {fmt(sr, '17.2f'):>17} {bs:14d} {fmt(ss, '14d'):>14} {bsyn:16d}")


if __name__ == "__main__":
    main()
