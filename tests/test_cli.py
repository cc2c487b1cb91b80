#!/usr/bin/python3
"""tests/test_cli.py: the spikeq command line as a user meets it: help and version, bad input
(each gives a clear message naming file, field, expectation and value, and a non-zero exit, never
a crash), a run whose SONATA file h5py reads with every spike, and a run interrupted by SIGINT
whose file is valid and holds exactly the spikes an uninterrupted run has up to that time.

usage: test_cli.py SPIKEQ_BINARY SOURCE_DIR"""
import json
import os
import pty
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from checks import check, finish

SPIKEQ, SRC = sys.argv[1], sys.argv[2]


def run(args, **kw):
    return subprocess.run([SPIKEQ] + args, capture_output=True, text=True, timeout=600, **kw)


TINY = {
    "simulation": {"t_stop": 50.0},
    "populations": [
        {"name": "E", "n": 20, "model": "lif_delta", "params": {"tau_m": 10.0, "I_e": 500.0}},
    ],
    "projections": [
        {"source": "E", "target": "E", "connector": {"rule": "fixed_indegree", "indegree": 5},
         "weight": 0.5, "delay": 1.0},
    ],
}


def write(tmp, name, obj):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj))
    return path


def expect_error(tmp, name, config, message, extra=()):
    path = write(tmp, name, config)
    r = run(["run", path, "--out", os.path.join(tmp, "x.h5")] + list(extra))
    check(name + " exits 1", r.returncode == 1, f"exit {r.returncode}, stderr {r.stderr!r}")
    check(name + " message", message in r.stderr, f"wanted {message!r} in {r.stderr!r}")


def with_change(path_fn):
    cfg = json.loads(json.dumps(TINY))
    path_fn(cfg)
    return cfg


def main():
    with tempfile.TemporaryDirectory() as tmp:
        r = run(["--help"])
        check("--help", r.returncode == 0 and "run CONFIG.json [--set path=value]" in r.stdout, r.stdout)
        r = run(["run", "--help"])
        check("run --help", r.returncode == 0 and "--t-stop MS" in r.stdout, r.stdout)
        r = run(["info", "--help"])
        check("info --help", r.returncode == 0 and "usage: spikeq info" in r.stdout, r.stdout)
        r = run(["--version"])
        check("--version", r.returncode == 0 and r.stdout.startswith("spikeq "), r.stdout)
        r = run(["frobnicate"])
        check("unknown command", r.returncode == 2 and "unknown command" in r.stderr, r.stderr)

        # Bad input: one case per kind named by the issue.
        expect_error(tmp, "malformed.json", '{"populations": [', "malformed.json:1:17: malformed JSON")
        expect_error(tmp, "unknown_model.json",
                     with_change(lambda c: c["populations"][0].update(model="lif_fancy")),
                     "unknown_model.json: populations[0].model")
        expect_error(tmp, "unknown_field.json",
                     with_change(lambda c: c["populations"][0].update(tau=3)),
                     "unknown_field.json: populations[0].tau: unknown field")
        expect_error(tmp, "negative_tau.json",
                     with_change(lambda c: c["populations"][0]["params"].update(tau_m=-5)),
                     "negative_tau.json: populations[0].params.tau_m: expected a positive number in ms, got -5")
        expect_error(tmp, "short_delay.json",
                     with_change(lambda c: c["projections"][0].update(delay=0.05)),
                     "short_delay.json: projections[0].delay: expected at least the resolution 0.1 ms, got 0.05")
        expect_error(tmp, "empty_pop.json",
                     with_change(lambda c: c["populations"][0].update(n=0)),
                     "empty_pop.json: populations[0].n: expected a positive integer, got 0")
        path = write(tmp, "ok.json", TINY)
        r = run(["run", path, "--out", "/nonexistent-dir/spikes.h5"])
        check("unwritable output exits 1", r.returncode == 1, r.stderr)
        check("unwritable output message", "/nonexistent-dir/spikes.h5: cannot" in r.stderr, r.stderr)
        r = run(["run", path, "--set", "populations.X.params.tau_m=3"])
        check("bad --set", r.returncode == 1 and "no population named X" in r.stderr, r.stderr)
        r = run(["run", os.path.join(tmp, "missing.json")])
        check("missing config", r.returncode == 1 and "missing.json: cannot read" in r.stderr, r.stderr)
        r = run(["info", os.path.join(tmp, "ok.json")])
        check("info on a non-HDF5 file", r.returncode == 1 and "ok.json" in r.stderr, r.stderr)

        # A good run: summary, file read by h5py, info agrees.
        out = os.path.join(tmp, "tiny.h5")
        r = run(["run", path, "--out", out, "--seed", "3"])
        check("run exits 0", r.returncode == 0, r.stderr)
        for key in ("neurons: 20", "synapses: 100", "bytes/synapse:", "real-time factor:", "spikes:",
                    "population E: 20 neurons", "output: " + out):
            check("summary has " + key, key in r.stdout, r.stdout)
        n_summary = int(next(l for l in r.stdout.splitlines() if l.startswith("spikes:")).split()[1])
        with h5py.File(out, "r") as f:
            ts = f["spikes/E/timestamps"][:]
            ids = f["spikes/E/node_ids"][:]
            check("h5py reads every spike", len(ts) == n_summary and n_summary > 0, f"{len(ts)} vs {n_summary}")
            check("spikes sorted by time", bool(np.all(np.diff(ts) >= 0)))
            check("node ids in range", bool(np.all(ids < 20)))
            check("magic", int(f.attrs["magic"]) == 0x0A7A)
        r = run(["info", out])
        check("info exits 0", r.returncode == 0, r.stderr)
        check("info counts", f"total spikes: {n_summary}" in r.stdout, r.stdout)

        # Threads: --threads and OMP_NUM_THREADS both work, and the files are byte for byte the same.
        brunel = os.path.join(SRC, "experiments", "brunel", "brunel_small.json")
        files = []
        for label, args, env in (("--threads 1", ["--threads", "1"], {}), ("--threads 2", ["--threads", "2"], {}),
                                 ("OMP_NUM_THREADS=3", [], {"OMP_NUM_THREADS": "3"})):
            f = os.path.join(tmp, f"threads{len(files)}.h5")
            r = run(["run", brunel, "--t-stop", "200", "--out", f, "-q"] + args, env={**os.environ, **env})
            want = label.split()[-1].split("=")[-1]
            check(label + " runs", r.returncode == 0, r.stderr)
            check(label + " summary", f"threads: {want}" in r.stdout, r.stdout)
            files.append(open(f, "rb").read() if r.returncode == 0 else b"")
        env1 = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
        r = run(["run", brunel, "--t-stop", "1", "--out", os.path.join(tmp, "t.h5"), "-q"], env=env1)
        check("default is one thread", "threads: 1" in r.stdout, r.stdout)
        check("2 threads write the same file as 1", files[0] and files[0] == files[1], "the files differ")
        check("3 threads (OMP_NUM_THREADS) write the same file as 1", files[0] and files[0] == files[2], "the files differ")

        # Interrupt: SIGINT mid-run stops at a window boundary with a valid file.
        big = with_change(lambda c: c["simulation"].update(t_stop=1e7))
        big["populations"][0]["n"] = 2000
        big["projections"][0]["connector"]["indegree"] = 50
        big["projections"][0]["weight"] = 0.2
        bpath = write(tmp, "long.json", big)
        out = os.path.join(tmp, "long.h5")
        p = subprocess.Popen([SPIKEQ, "run", bpath, "--out", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(3.0)
        p.send_signal(signal.SIGINT)
        so, se = p.communicate(timeout=120)
        check("SIGINT exits 130", p.returncode == 130, f"exit {p.returncode}: {se}")
        check("SIGINT says how far", "interrupted by SIGINT at t = " in se, se)
        with h5py.File(out, "r") as f:
            t_reached = float(f["spikes"].attrs["t_stop"])
            ts = f["spikes/E/timestamps"][:]
            ids = f["spikes/E/node_ids"][:]
        check("interrupted run got somewhere", 0 < t_reached < 1e7, t_reached)
        check("interrupted file holds spikes", len(ts) > 0)
        check("no spike after the time reached", bool(np.all(ts < t_reached)))
        out2 = os.path.join(tmp, "ref.h5")
        r = run(["run", bpath, "--out", out2, "--t-stop", repr(t_reached)])
        with h5py.File(out2, "r") as f:
            same = np.array_equal(f["spikes/E/timestamps"][:], ts) and np.array_equal(f["spikes/E/node_ids"][:], ids)
        check("interrupted file equals an uninterrupted run to that time", same)

        # SIGTERM too, with its own exit status.
        p = subprocess.Popen([SPIKEQ, "run", bpath, "--out", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        p.send_signal(signal.SIGTERM)
        so, se = p.communicate(timeout=120)
        check("SIGTERM exits 143", p.returncode == 143, f"exit {p.returncode}: {se}")
        with h5py.File(out, "r") as f:
            check("SIGTERM file readable", float(f["spikes"].attrs["t_stop"]) > 0)

        # On a terminal a progress line shows simulated time, real-time factor, spikes and ETA; in a
        # pipe (every run above) it stays silent.
        check("no progress line in a pipe", "ETA" not in r.stderr, r.stderr)
        leader, follower = pty.openpty()
        p = subprocess.Popen([SPIKEQ, "run", bpath, "--out", out], stdout=subprocess.DEVNULL, stderr=follower)
        os.close(follower)
        seen, t0 = b"", time.time()
        while b"ETA" not in seen and time.time() - t0 < 30:
            try:
                seen += os.read(leader, 4096)
            except OSError:
                break
        p.send_signal(signal.SIGINT)
        p.wait(timeout=120)
        os.close(leader)
        text = seen.decode(errors="replace")
        check("progress line on a terminal", "real-time factor" in text and "ETA" in text and "spikes" in text, text[-300:])

    return finish()


if __name__ == "__main__":
    sys.exit(main())
