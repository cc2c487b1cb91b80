#!/usr/bin/python3
"""tests/test_spiking_xor.py: the driver of the reduced spiking XOR (experiments/spiking_xor/,
Payeur et al. 2021 Fig. 4) gates learning as it says. A tiny network (20 neurons a population,
in-degree 10, 4 examples of 600 ms with 200 ms learning phases) is run twice from the same config:
  - with --frozen the gate never opens: every learned projection's mean weight is unchanged (the
    rule's homeostatic terms included; printed to 1e-4 nS), although teaching input still arrives;
  - without, the gate opens in each learning phase: at least one mean weight moves by more than
    1e-3 nS;
  - in both, the input populations code their inputs: in1's event rate is higher in the examples
    with in1 = 1 than with in1 = 0 (200 pA against -200 pA of somatic current).
It also checks the usage errors (exit 2, a message) and a config without the XOR populations (exit 1,
the message names the missing population). It does not check that XOR is learnt (minutes of
simulation; see experiments/spiking_xor/README.md).

usage: test_spiking_xor.py XOR_RUN SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile

XOR_RUN, SRC = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SRC, "experiments", "spiking_xor"))
import make_config  # noqa: E402
import run_xor  # noqa: E402

failures = []


def check(name, ok, detail=""):
    print("%-70s %s  %s" % (name, "ok" if ok else "FAIL", detail))
    if not ok:
        failures.append(name)


def run(cfg, frozen):
    r = subprocess.run([XOR_RUN] + (["--frozen"] if frozen else []) + [cfg, "4", "600", "200", "300", "200"],
                       capture_output=True, text=True, timeout=600)
    check("xor_run exits 0 (frozen %d)" % frozen, r.returncode == 0, r.stderr.strip())
    return run_xor.parse_output(r.stdout)


def gate_and_inputs(tmp):
    cfg = os.path.join(tmp, "xor.json")
    make_config.main([cfg, "--n", "20", "--k", "10", "--train", "4", "--durex", "600", "--learn", "200",
                      "--warmup", "200"])
    for frozen in (1, 0):
        rows, weights = run(cfg, frozen)
        check("6 learned projections, weights before and after (frozen %d)" % frozen,
              len(weights) == 6 and all(len(v) == 2 for v in weights.values()), str(weights))
        moved = max(abs(v[1] - v[0]) for v in weights.values())
        if frozen:
            check("gate closed: no mean weight moves", moved == 0.0, "largest change %.4f nS" % moved)
        else:
            check("gate open in learning phases: some mean weight moves > 1e-3 nS", moved > 1e-3,
                  "largest change %.4f nS" % moved)
        on = [r["in1"] for r in rows if r["x"][0] == 1]
        off = [r["in1"] for r in rows if r["x"][0] == 0]
        check("in1 codes its input: rate(on) > rate(off) (frozen %d)" % frozen, min(on) > max(off),
              "on %s off %s" % (on, off))


def bad_input(tmp):
    r = subprocess.run([XOR_RUN, "x.json", "4"], capture_output=True, text=True, timeout=60)
    check("usage error: exit 2 and usage line", r.returncode == 2 and "usage: xor_run" in r.stderr, r.stderr.strip())
    r = subprocess.run([XOR_RUN, "x.json", "4", "600", "500", "300"], capture_output=True, text=True, timeout=60)
    check("LEARN + WINDOW > DUREX: exit 2", r.returncode == 2 and "LEARN + WINDOW <= DUREX" in r.stderr,
          r.stderr.strip())
    cfg = os.path.join(tmp, "other.json")
    with open(cfg, "w") as f:
        f.write('{"populations": [{"name": "A", "n": 1, "model": "lif_delta"}]}')
    r = subprocess.run([XOR_RUN, cfg, "0", "600", "200", "300"], capture_output=True, text=True, timeout=60)
    check("config without the XOR populations: exit 1, names in1", r.returncode == 1 and '"in1"' in r.stderr,
          r.stderr.strip())
    r = subprocess.run([XOR_RUN, os.path.join(tmp, "missing.json"), "0", "600", "200", "300"], capture_output=True,
                       text=True, timeout=60)
    check("missing config: exit 1, names the file", r.returncode == 1 and "missing.json" in r.stderr, r.stderr.strip())


with tempfile.TemporaryDirectory() as tmp:
    bad_input(tmp)
    gate_and_inputs(tmp)
sys.exit(1 if failures else 0)
