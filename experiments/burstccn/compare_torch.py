#!/usr/bin/python3
"""experiments/burstccn/compare_torch.py: training speed of spikeq's rate-network rules against the
same rules in PyTorch (rate_torch.py: dense float32 tensor ops, the authors' update equations), in
one invocation: for each config and thread count, `spikeq train CONFIG --benchmark N` (N real
training batches of the config's batch after 3 untimed ones) and `rate_torch.py CONFIG
--time-batches N` (N batches after 5 untimed ones), one after the other, and the ratio of their
training samples/s.
usage: compare_torch.py [--batches N] [--threads 1 2] [--spikeq BUILD/spikeq] [CONFIG ...]
(default configs: burstccn.json, backprop.json here and ../burstprop/burstprop.json)"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT = [os.path.join(HERE, "burstccn.json"), os.path.join(HERE, "backprop.json"),
           os.path.join(HERE, "..", "burstprop", "burstprop.json")]


def rate(cmd, pattern):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("%s failed:\n%s" % (cmd[0], r.stderr))
    return float(re.search(pattern, r.stdout).group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("configs", nargs="*", default=DEFAULT)
    ap.add_argument("--batches", type=int, default=300)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--spikeq", default=os.path.join(ROOT, "build", "spikeq"))
    a = ap.parse_args()
    print("| config | threads | spikeq samples/s | PyTorch samples/s | ratio |")
    print("|---|---|---|---|---|")
    for cfg in a.configs:
        for t in a.threads:
            sq = rate([a.spikeq, "train", cfg, "--benchmark", str(a.batches), "--threads", str(t), "-q"],
                      r"train samples/s: ([0-9.]+)")
            pt = rate(["/usr/bin/python3", os.path.join(HERE, "rate_torch.py"), cfg, "--time-batches", str(a.batches),
                       "--threads", str(t)], r"training samples/s: ([0-9.]+)")
            print("| %s | %d | %.0f | %.0f | %.2fx |" % (os.path.relpath(cfg, ROOT), t, sq, pt, sq / pt), flush=True)


if __name__ == "__main__":
    main()
