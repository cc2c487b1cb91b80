#!/usr/bin/python3
"""tests/test_microcircuit_rates.py: the 0.1-scale microcircuit (experiments/microcircuit/
microcircuit_0.1.json, seed 55) fires at NEST's rates. A 700 ms run; mean rates over [200, 700) ms
against NEST's 0.1-scale reference (experiments/microcircuit/reference/, 500-1500 ms), checked by
compare_nest.py.

Tolerance (relative to NEST's mean): 10 % for L4E, L4I, L5I, L6I (rates above 3 Hz, hundreds to
thousands of spikes in the window); 30 % for L2/3E, L2/3I, L5E, L6E. Why: one network realisation
against another, over 500 ms. Five seeds of our 0.1-scale network over this window deviate from NEST
by at most 4 % in the first group and up to 23 % in the second (L2/3E and L6E fire below 1 Hz; L5E
sits 9-24 % above this reference file in all our runs, and NEST's own stored reference versions
differ by 15 % in L5E: 5.73 Hz here, 6.58 Hz in the version ../shared/specs/simulators.md §3.6
quotes). A wrong weight, the missing L4E->L2/3E doubling, or a wrong K-scaling DC moves these rates by
far more.

usage: test_microcircuit_rates.py SPIKEQ_BINARY SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

SPIKEQ, SRC = sys.argv[1], sys.argv[2]
HERE = os.path.join(SRC, "experiments", "microcircuit")
TOL = {"L23E": 0.30, "L23I": 0.30, "L4E": 0.10, "L4I": 0.10, "L5E": 0.30, "L5I": 0.10, "L6E": 0.30,
       "L6I": 0.10}

with tempfile.TemporaryDirectory() as tmp:
    h5 = os.path.join(tmp, "mc.h5")
    subprocess.run([SPIKEQ, "run", os.path.join(HERE, "microcircuit_0.1.json"), "--t-stop", "700", "--out", h5,
                    "-q"], check=True, timeout=1800)
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "compare_nest.py"), h5, "--t0", "200", "--t1",
                        "700", "--check-means", json.dumps(TOL)], capture_output=True, text=True, timeout=300)
    print(r.stdout, r.stderr)
    sys.exit(r.returncode)
