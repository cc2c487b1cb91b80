#!/usr/bin/python3
"""experiments/layered/compare_torch.py: the side-by-side speed and memory comparison of the C layered
engine and PyTorch on one layered-network config (layers/CONFIG.md), in one invocation. For each
thread count it runs
  spikeq train CONFIG --benchmark I --threads K     (the C side: "train samples/s:", "infer samples/s:",
                                                     "peak RSS MiB:" of its stdout)
  bench_torch.py CONFIG --iters I --threads K        (the PyTorch side, torch_net.py's model of the same
                                                     config, or the S-ResNet authors' class with --original)
each as its own process, so each peak RSS (getrusage ru_maxrss) is that side's alone. Both time I
iterations after one untimed warm-up, on random event frames of the configured shape and batch.
With --repeat R the sides alternate (spikeq, torch, spikeq, torch, ...) so that a slow spell of the
machine falls on both; the table shows the median of each rate and the largest RSS over the repeats.

A --batch override reaches both sides the same way: a temporary copy of the config with
training.batch = B is what both processes read (and bench_torch also gets --batch B), and the batch
spikeq reports is checked against it.

Prints every run as it ends, then the table and, per thread count, a line
  ratio train 2.21x infer 2.69x rss 0.45x  (threads 1, batch 32)
(ratios spikeq / torch: above 1 the C engine is faster; for rss below 1 it needs less memory).

The measurement wants an idle machine: a run of the real configs on a busy one says little.

usage: compare_torch.py CONFIG.json [--threads 1 2] [--batch B] [--iters 3] [--repeat 1]
                        [--spikeq build/spikeq] [--original] [--python /usr/bin/python3]"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

SPIKEQ_KEYS = {"train": r"^train samples/s:\s*(\S+)", "infer": r"^infer samples/s:\s*(\S+)",
               "rss": r"^peak RSS MiB:\s*(\S+)", "batch": r"^batch:\s*(\d+)"}
TORCH_KEYS = {"train": r"^torch train samples/s:\s*(\S+)", "infer": r"^torch infer samples/s:\s*(\S+)",
              "rss": r"^torch peak RSS MiB:\s*(\S+)", "batch": r"^model:.*\bbatch (\d+)"}


def parse(text, keys, who):
    out = {}
    for k, pat in keys.items():
        m = re.search(pat, text, re.M)
        if not m:
            raise SystemExit("compare_torch: %s printed no %r line; its output:\n%s" % (who, pat, text))
        out[k] = float(m.group(1))
    return out


def run(cmd, env, who, keys):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        raise SystemExit("compare_torch: %s failed (exit %d): %s\n%s%s" % (
            who, p.returncode, " ".join(cmd), p.stdout, p.stderr))
    return parse(p.stdout, keys, who)


def thread_env(k):
    # Both sides get the same thread count in every form they may read it, so that neither a
    # library default (MKL, OpenMP) nor the caller's environment gives one side more cores.
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(k)
    return env


def default_python():
    # The shebang's interpreter has torch on this machine; another python3 on PATH may not.
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def fmt_ratio(a, b):
    return "%.2fx" % (a / b) if b > 0 else "-"


def main(argv=None):
    p = argparse.ArgumentParser(description="spikeq vs PyTorch speed and memory on one layered-network config")
    p.add_argument("config")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--batch", type=int, default=0, help="training batch (default: the config's training.batch)")
    p.add_argument("--iters", type=int, default=3, help="timed iterations of each side (after 1 warm-up)")
    p.add_argument("--repeat", type=int, default=1, help="runs of each side per thread count, alternating")
    p.add_argument("--spikeq", default=os.path.join(ROOT, "build", "spikeq"))
    p.add_argument("--original", action="store_true",
                   help="torch side: the S-ResNet authors' class (bench_torch.py --original)")
    p.add_argument("--python", default=default_python(), help="interpreter with torch for bench_torch.py")
    a = p.parse_args(argv)
    if a.iters < 1 or a.repeat < 1 or a.batch < 0 or any(k < 1 for k in a.threads):
        raise SystemExit("compare_torch: --iters, --repeat and --threads must be positive, --batch not negative")
    if not os.access(a.spikeq, os.X_OK):
        raise SystemExit("compare_torch: %s: not an executable (build it, or give --spikeq)" % a.spikeq)
    with open(a.config) as f:
        cfg = json.load(f)
    bench = os.path.join(HERE, "bench_torch.py")

    tmp = None
    config = a.config
    batch = a.batch or int(cfg.get("training", {}).get("batch", 16))  # 16: the default of both sides
    if a.batch:
        # The benchmark draws synthetic frames, so the copy's relative data paths are never opened;
        # only the network and training sections matter, and they are the original's.
        cfg.setdefault("training", {})["batch"] = a.batch
        tmp = tempfile.mkdtemp(prefix="compare_torch.")
        config = os.path.join(tmp, os.path.basename(a.config))
        with open(config, "w") as f:
            json.dump(cfg, f, indent=1)

    rows = []
    try:
        for k in a.threads:
            runs = {"spikeq": [], "torch": []}
            for r in range(a.repeat):
                s = run([a.spikeq, "train", config, "--benchmark", str(a.iters), "--threads", str(k), "-q"]
                        + (["--batch", str(a.batch)] if a.batch else []), thread_env(k), "spikeq", SPIKEQ_KEYS)
                print("threads %d run %d spikeq: train %.4g infer %.4g samples/s, RSS %.1f MiB" % (
                    k, r + 1, s["train"], s["infer"], s["rss"]), flush=True)
                t = run([a.python, bench, config, "--iters", str(a.iters), "--threads", str(k), "--batch", str(batch)]
                        + (["--original"] if a.original else []), thread_env(k), "bench_torch.py", TORCH_KEYS)
                print("threads %d run %d torch:  train %.4g infer %.4g samples/s, RSS %.1f MiB" % (
                    k, r + 1, t["train"], t["infer"], t["rss"]), flush=True)
                for side, res in (("spikeq", s), ("torch", t)):
                    if int(res["batch"]) != batch:
                        raise SystemExit("compare_torch: %s ran batch %d, expected %d" % (side, res["batch"], batch))
                runs["spikeq"].append(s)
                runs["torch"].append(t)
            med = {side: {"train": statistics.median(x["train"] for x in rs),
                          "infer": statistics.median(x["infer"] for x in rs),
                          "rss": max(x["rss"] for x in rs)} for side, rs in runs.items()}
            rows.append((k, med["spikeq"], med["torch"]))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print("config %s, batch %d, %d iterations, %d repeat(s), torch model %s" % (
        a.config, batch, a.iters, a.repeat, "sresnet_torch (original)" if a.original else "torch_net"))
    head = ("threads", "spikeq train/s", "spikeq infer/s", "torch train/s", "torch infer/s",
            "train x", "infer x", "spikeq RSS MiB", "torch RSS MiB", "RSS x")
    print(" | ".join(head))
    for k, s, t in rows:
        cells = ("%d" % k, "%.4g" % s["train"], "%.4g" % s["infer"], "%.4g" % t["train"], "%.4g" % t["infer"],
                 fmt_ratio(s["train"], t["train"]), fmt_ratio(s["infer"], t["infer"]),
                 "%.1f" % s["rss"], "%.1f" % t["rss"], fmt_ratio(s["rss"], t["rss"]))
        print(" | ".join(c.rjust(len(h)) for c, h in zip(cells, head)))
    for k, s, t in rows:
        print("ratio train %s infer %s rss %s  (threads %d, batch %d)" % (
            fmt_ratio(s["train"], t["train"]), fmt_ratio(s["infer"], t["infer"]), fmt_ratio(s["rss"], t["rss"]), k, batch))


if __name__ == "__main__":
    main()
