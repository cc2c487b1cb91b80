#!/usr/bin/python3
"""tests/test_distal_reward.py: Izhikevich (2007) distal reward, Fig. 1, with its driver
(experiments/distal_reward): within 1500 s of simulated time the rewarded synapse, which starts at
0, reaches the bound s_max = 4, while the other excitatory synapses (which start at 1) stay well
below it on the whole: their mean falls below 0.9 and fewer than 3 % of them come within 5 % of the
bound. (The full 3600 s run and its numbers: experiments/distal_reward/README.md.)
usage: test_distal_reward.py DRIVER CONFIG"""
import re
import subprocess
import sys

from checks import check, finish

driver, config = sys.argv[1], sys.argv[2]
r = subprocess.run([driver, config, "--t-stop", "1500", "--report", "300"], capture_output=True, text=True, timeout=1200)
check("driver exits 0", r.returncode == 0, r.stderr)
rows = [tuple(float(x) for x in m) for m in re.findall(
    r"t +(\d+) s +rewards +(\d+) +s\(n1->n2\) ([\d.]+) +others: mean ([\d.]+), 99th pct ([\d.]+), at >= 0.95 s_max ([\d.]+) %",
    r.stdout)]
print(r.stdout)
check("five reports", len(rows) == 5, r.stdout)
if rows:
    t, rewards, s, mean, p99, at_max = rows[-1]
    check("rewards were given", rewards >= 20, rewards)
    check("the rewarded synapse reaches s_max", s >= 0.95 * 4.0, s)
    check("the other weights fall on average", mean < 0.9, mean)
    check("few other weights reach s_max", at_max < 3.0, f"{at_max} %")
    check("the rewarded synapse grew from 0", rows[0][2] < s, [row[2] for row in rows])
sys.exit(finish())
