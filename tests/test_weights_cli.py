#!/usr/bin/python3
"""tests/test_weights_cli.py: the learning outputs of the command line as a user reads them with h5py:
weight snapshots (output.weights -> /weights/<projection>): layout, units and connectivity, the same
file at 1 and 2 threads, a run interrupted by SIGINT keeps the snapshots taken, bad references fail;
and events and burst markers (output.record_bursts -> /spikes/<pop>_events, <pop>_bursts).
usage: test_weights_cli.py SPIKEQ_BINARY"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from checks import check, finish

SPIKEQ = sys.argv[1]
NET = {
    "simulation": {"t_stop": 500.0, "seed": 3},
    "populations": [{"name": "E", "n": 200, "model": "lif_delta", "params": {"tau_m": 10.0, "I_e": 520.0},
                     "v_init": {"dist": "uniform", "low": -70, "high": -56}}],
    "projections": [{"name": "EE", "source": "E", "target": "E", "connector": {"rule": "fixed_indegree", "indegree": 5},
                     "weight": {"dist": "uniform", "low": 0.1, "high": 0.5}, "delay": {"dist": "uniform", "low": 1, "high": 3},
                     "plasticity": {"rule": "stdp", "params": {"A_plus": 0.02, "A_minus": 0.021, "w_max": 1.0}}}],
    "output": {"weights": [{"projection": "EE", "interval": 100.0}]},
}


def run(args, **kw):
    return subprocess.run([SPIKEQ] + args, capture_output=True, text=True, timeout=600, **kw)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "net.json")
        json.dump(NET, open(cfg, "w"))
        files = []
        for threads in ("1", "2"):
            out = os.path.join(tmp, f"w{threads}.h5")
            r = run(["run", cfg, "--out", out, "--threads", threads])
            check(f"plastic run ({threads} threads) exits 0", r.returncode == 0, r.stderr)
            check("summary counts the snapshots", "weight snapshots: 6" in r.stdout, r.stdout)
            check("summary gives bytes per plastic synapse", "plastic synapses: 1000," in r.stdout, r.stdout)
            files.append(open(out, "rb").read() if r.returncode == 0 else b"")
        check("2 threads write the same file as 1", files[0] and files[0] == files[1], "the files differ")
        with h5py.File(os.path.join(tmp, "w1.h5"), "r") as f:
            g = f["weights/EE"]
            check("attrs", g.attrs["source"] == "E" and g.attrs["target"] == "E" and g.attrs["units"] == "mV",
                  dict(g.attrs))
            t, w = g["times"][:], g["weights"][:]
            src, tgt, d = g["source_ids"][:].astype(np.int64), g["target_ids"][:].astype(np.int64), g["delays"][:]
            check("snapshot times", np.array_equal(t, [0, 100, 200, 300, 400, 500]), t)
            check("one row a snapshot", w.shape == (6, 1000), w.shape)
            check("every target has its 5 synapses", np.all(np.bincount(tgt, minlength=200) == 5), np.bincount(tgt))
            check("sorted by source", np.all(np.diff(src) >= 0))
            check("delays on the grid within the range", np.all((d >= 1.0 - 1e-6) & (d <= 3.0 + 1e-6)), d.min())
            check("initial weights as drawn", np.all((w[0] >= 0.1) & (w[0] < 0.5)), w[0].min())
            check("weights change", np.any(w[-1] != w[0]))
            check("weights within the bounds", np.all((w >= 0) & (w <= 1.0)))

        # SIGINT mid-run: the file holds the snapshots taken up to then.
        long = json.loads(json.dumps(NET))
        long["simulation"]["t_stop"] = 1e7
        long["output"]["weights"][0]["interval"] = 200.0
        lcfg = os.path.join(tmp, "long.json")
        json.dump(long, open(lcfg, "w"))
        out = os.path.join(tmp, "long.h5")
        p = subprocess.Popen([SPIKEQ, "run", lcfg, "--out", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        time.sleep(3.0)
        p.send_signal(signal.SIGINT)
        so, se = p.communicate(timeout=120)
        check("SIGINT exits 130", p.returncode == 130, se)
        with h5py.File(out, "r") as f:
            reached = float(f["spikes"].attrs["t_stop"])
            t = f["weights/EE/times"][:]
            check("interrupted file keeps its snapshots", len(t) >= 2 and t[-1] <= reached,
                  f"{len(t)} snapshots, last {t[-1] if len(t) else None}, reached {reached}")
            check("one row per snapshot", f["weights/EE/weights"].shape[0] == len(t))

        # Events and burst markers of a known train (Payeur et al. 2021: tau_burst 16 ms).
        train = {"simulation": {"t_stop": 400.0},
                 "populations": [{"name": "S", "n": 2, "model": "spike_source",
                                  "spike_times": [[10, 15, 20, 100, 300, 305], [50, 66, 70]]}],
                 "output": {"record_bursts": ["S"]}}
        bcfg = os.path.join(tmp, "bursts.json")
        json.dump(train, open(bcfg, "w"))
        out = os.path.join(tmp, "bursts.h5")
        r = run(["run", bcfg, "--out", out])
        check("burst recording run exits 0", r.returncode == 0, r.stderr)
        with h5py.File(out, "r") as f:
            ev = list(zip(f["spikes/S_events/timestamps"][:], f["spikes/S_events/node_ids"][:]))
            bu = list(zip(f["spikes/S_bursts/timestamps"][:], f["spikes/S_bursts/node_ids"][:]))
            n_all = len(f["spikes/S/timestamps"])
        # 66 is 16 ms after 50: z = e^-1 exactly is neither event nor burst; 70 then is the burst marker.
        check("events", ev == [(10, 0), (50, 1), (100, 0), (300, 0)], ev)
        check("burst markers", bu == [(15, 0), (70, 1), (305, 0)], bu)
        check("all spikes kept", n_all == 9, n_all)

        bad = json.loads(json.dumps(NET))
        bad["output"]["weights"][0]["projection"] = "EI"
        json.dump(bad, open(cfg, "w"))
        r = run(["run", cfg, "--out", os.path.join(tmp, "x.h5")])
        check("unknown projection exits 1", r.returncode == 1, r.stderr)
        check("unknown projection message", "output.weights[0].projection: expected the name of a projection" in r.stderr,
              r.stderr)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
