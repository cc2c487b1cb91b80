#!/usr/bin/python3
"""tests/test_emulate_cli.py: `spikeq dataset emulate` as a user meets it. Fixture images are written
here with numpy as IDX files; the recordings spikeq writes are decoded here with a numpy port of
SpikingJelly's CIFAR10-DVS loader (cifar10_dvs.py::_load_origin_data: x = 127 - y_raw, y = 127 -
x_raw, p = 1 - p_raw), independently of spikeq's reader, and checked: the CIFAR10-DVS folder layout,
events time-ordered inside the sensor and the recording, an all-black image silent, more events for
more contrast, events where the image is (x = column, y = row, scaled and centred as documented),
determinism per seed, the summary's counts, `spikeq dataset info` on the result, and the errors.

usage: test_emulate_cli.py SPIKEQ_BINARY"""
import gzip
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

SPIKEQ = sys.argv[1]
failures = []
passed = 0


def check(name, cond, detail=""):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}")


def run(args):
    return subprocess.run([SPIKEQ] + args, capture_output=True, text=True, timeout=600)


def write_idx(path, arr):
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    head = struct.pack(">I", 0x0800 | arr.ndim) + b"".join(struct.pack(">I", d) for d in arr.shape)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(head + arr.tobytes())


def sj_load_aedat(path):
    data = open(path, "rb").read()
    p = 0
    for line in data.split(b"\n"):
        if not line.startswith(b"#"):
            break
        p += len(line) + 1
    words = np.frombuffer(data[p:], dtype=">u4")
    addr, t = words[0::2].astype(np.int64), words[1::2].astype(np.int64)
    x, y, pol = (addr & 0xFE) >> 1, (addr & 0x7F00) >> 8, addr & 1
    return t, 127 - y, 127 - x, 1 - pol


def load_nmnist(path):
    """N-MNIST's 5-byte events (data.md §2.3): x, y, polarity bit 7 of byte 2, 23-bit timestamp."""
    raw = np.fromfile(path, dtype=np.uint8).astype(np.int64)
    b2 = raw[2::5]
    return ((b2 & 127) << 16) | (raw[3::5] << 8) | raw[4::5], raw[0::5], raw[1::5], b2 >> 7


def fixture(tmp):
    """Six 28 x 28 images: 0 black; 1-4 a bright block at rows 4..9, columns 16..23 of value 32, 64,
    128, 255; 5 the same block at 255 again. Labels 0 1 0 2 1 0."""
    im = np.zeros((6, 28, 28), dtype=np.uint8)
    for k, v in zip(range(1, 6), (32, 64, 128, 255, 255)):
        im[k, 4:10, 16:24] = v
    images, labels = os.path.join(tmp, "x-images-idx3-ubyte.gz"), os.path.join(tmp, "x-labels-idx1-ubyte.gz")
    write_idx(images, im)
    write_idx(labels, np.array([0, 1, 0, 2, 1, 0]))
    return images


def recordings(out):
    got = {}
    for c in sorted(os.listdir(out)):
        for f in sorted(os.listdir(os.path.join(out, c))):
            got[(c, f)] = sj_load_aedat(os.path.join(out, c, f))
    return got


def summary_value(text, key):
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return line.split(":", 1)[1].split()[0]
    return None


def test_fixture(tmp):
    images = fixture(tmp)
    out = os.path.join(tmp, "dvs")
    r = run(["dataset", "emulate", "--from", images, "--out", out, "--seed", "3"])  # labels guessed from the name
    check("emulate runs", r.returncode == 0, r.stderr)
    if r.returncode != 0:
        return
    rec = recordings(out)
    # Label 0: images 0, 2, 5; label 1: 1, 4; label 2: 3 (file index = order within the class).
    want = {("0", "idx_0_0.aedat"): 0, ("0", "idx_0_1.aedat"): 2, ("0", "idx_0_2.aedat"): 5,
            ("1", "idx_1_0.aedat"): 1, ("1", "idx_1_1.aedat"): 4, ("2", "idx_2_0.aedat"): 3}
    check("CIFAR10-DVS layout: class folders and files", set(rec) == set(want), sorted(rec))
    by_image = {want[k]: v for k, v in rec.items() if k in want}
    if len(by_image) != 6:
        return
    check("black image gives no events", by_image[0][0].size == 0, by_image[0][0].size)
    counts = [by_image[k][0].size for k in (1, 2, 3, 4)]
    check("more contrast, more events", all(a < b for a, b in zip(counts, counts[1:])), counts)
    total = 0
    for k in range(1, 6):
        t, x, y, p = by_image[k]
        total += t.size
        check(f"image {k}: time-ordered, inside 240 ms", np.all(np.diff(t) >= 0) and t[0] > 0 and t[-1] <= 240000,
              (t[:3], t[-3:]))
        # Block columns 16..23 -> sensor x = 64 + (c - 14) * 4 in [72, 104); rows 4..9 -> y in [24, 48);
        # +- 3 px of motion and 4 px of bilinear spread (plus 1 for rounding).
        check(f"image {k}: events where the block is (x = column, y = row)",
              x.min() >= 72 - 8 and x.max() < 104 + 8 and y.min() >= 24 - 8 and y.max() < 48 + 8,
              (x.min(), x.max(), y.min(), y.max()))
        check(f"image {k}: both polarities", 0.3 < p.mean() < 0.7, p.mean())
    check("summary counts the events", summary_value(r.stdout, "events") == str(total),
          (summary_value(r.stdout, "events"), total))
    check("summary counts the images", summary_value(r.stdout, "images") == "6", r.stdout)
    same = run(["dataset", "emulate", "--from", images, "--out", os.path.join(tmp, "again"), "--seed", "3", "-q"])
    other = run(["dataset", "emulate", "--from", images, "--out", os.path.join(tmp, "other"), "--seed", "4", "-q"])
    f = os.path.join("0", "idx_0_1.aedat")
    read = lambda d: open(os.path.join(tmp, d, f), "rb").read()
    check("same seed, same bytes", same.returncode == 0 and read("dvs") == read("again"), same.stderr)
    check("another seed, another sensor", other.returncode == 0 and read("dvs") != read("other"), other.stderr)
    # lin_log spans ln 255 = 5.5 from black where ln(eps + I) spans ln 1001 = 6.9: fewer events.
    ll = run(["dataset", "emulate", "--from", images, "--out", os.path.join(tmp, "linlog"), "--seed", "3", "-q",
              "--lin-log"])
    f4 = os.path.join("2", "idx_2_0.aedat")
    n_eps = len(open(os.path.join(out, f4), "rb").read())
    n_ll = len(open(os.path.join(tmp, "linlog", f4), "rb").read()) if ll.returncode == 0 else n_eps
    check("lin_log gives fewer events than ln(eps + I)", ll.returncode == 0 and 0 < n_ll < n_eps, (n_ll, n_eps))
    nm = os.path.join(tmp, "nm")
    r = run(["dataset", "emulate", "--from", images, "--out", nm, "--format", "nmnist", "-q"])
    files = sorted(os.listdir(os.path.join(nm, "0"))) if r.returncode == 0 else []
    check("N-MNIST format: <class>/<i>.bin", files == ["0.bin", "1.bin", "2.bin"], (files, r.stderr))
    if files:
        t, x, y, p = load_nmnist(os.path.join(nm, "0", "2.bin"))  # image 5, the full-contrast block
        # Scale 1, centred in 34: column c -> x = 17 + c - 14 in [19, 27), rows 4..9 -> y in [7, 13);
        # +- 7 px of saccade and 1 px of bilinear spread.
        check("N-MNIST format: events where the block is, within 289.3 ms", t.size > 100 and np.all(np.diff(t) >= 0)
              and t[-1] <= 289304 and x.min() >= 19 - 8 and x.max() < 27 + 8 and y.min() >= 7 - 8 and
              y.max() < 13 + 8, (t.size, x.min(), x.max(), y.min(), y.max()))
        ni = run(["dataset", "info", nm])
        check("N-MNIST format: dataset info sees 34 x 34", "sensor: 34 x 34" in ni.stdout, ni.stdout + ni.stderr)
    info = run(["dataset", "info", out])
    check("dataset info reads the emulated dataset", info.returncode == 0 and "samples: 6" in info.stdout and
          "classes: 3" in info.stdout and "sensor: 128 x 128" in info.stdout, info.stdout + info.stderr)
    test_errors(tmp, images, out)


def test_errors(tmp, images, out):
    cases = [
        (["--from", images, "--out", out], 1, "expected a new or empty folder, got one with files in it"),
        (["--from", os.path.join(tmp, "nope.idx"), "--labels", images, "--out", os.path.join(tmp, "e1")], 1,
         "nope.idx: cannot open: No such file or directory"),
        (["--from", os.path.join(tmp, "plain.idx"), "--out", os.path.join(tmp, "e2")], 2,
         "plain.idx: expected its labels with --labels FILE"),
        (["--from", images, "--out", os.path.join(tmp, "e3"), "--path", "zigzag"], 2,
         "--path: unknown option or bad value \"zigzag\""),
        (["--from", images, "--out", os.path.join(tmp, "e4"), "--samples", "7"], 1,
         "--samples: expected 1 to 6 (the images from --first 0), got 7"),
        (["--from", images, "--out", os.path.join(tmp, "e5"), "--speed", "fast"], 2,
         "--speed: expected a number, got \"fast\""),
        (["--from", images, "--out", os.path.join(tmp, "e6"), "--threshold", "0"], 2,
         "emulator.c_on: expected a number in [0.001, 100], got 0"),
        (["--out", os.path.join(tmp, "e7")], 2, "expected --from and --out"),
    ]
    for args, code, msg in cases:
        r = run(["dataset", "emulate"] + args)
        check(f"error {msg[:40]}", r.returncode == code and msg in r.stderr, (r.returncode, r.stderr))


def test_fashion_mnist(tmp):
    out = os.path.join(tmp, "fmnist")
    r = run(["dataset", "emulate", "--from", "fashion-mnist", "--split", "test", "--samples", "3", "--out", out])
    check("fashion-mnist emulates", r.returncode == 0, r.stderr)
    # The first test labels are 9 2 1 (Debian's t10k-labels).
    want = {"9_ankle_boot": ["fmnist_9_ankle_boot_0.aedat"], "2_pullover": ["fmnist_2_pullover_0.aedat"],
            "1_trouser": ["fmnist_1_trouser_0.aedat"]}
    got = {c: sorted(os.listdir(os.path.join(out, c))) for c in os.listdir(out)} if os.path.isdir(out) else {}
    check("fashion-mnist class folders follow the labels", got == want, got)
    check("help mentions the layout", "CIFAR10-DVS" in run(["dataset", "emulate", "--help"]).stdout)


with tempfile.TemporaryDirectory() as tmp:
    test_fixture(tmp)
    test_fashion_mnist(tmp)
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
