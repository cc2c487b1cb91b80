#!/usr/bin/python3
"""tests/test_emulate_cli.py: `spikeq dataset emulate` as a user meets it. Fixture images are written
here with numpy as IDX files; the recordings spikeq writes are decoded here with a numpy port of
SpikingJelly's CIFAR10-DVS loader (cifar10_dvs.py::_load_origin_data: x = 127 - y_raw, y = 127 -
x_raw, p = 1 - p_raw), independently of spikeq's reader, and checked: the CIFAR10-DVS folder layout,
events time-ordered inside the sensor and the recording, an all-black image silent, more events for
more contrast, events where the image is (x = column, y = row, scaled and centred as documented),
determinism per seed, the summary's counts, `spikeq dataset info` on the result, and the errors.
With identical pixels (--sigma 0) the N-MNIST-format recordings equal, event for event, those of an
independent Python port of the model (reference_recording: path, float32 bilinear rendering, ESIM's
crossing loop), which fails as soon as a threshold differs by 5 %.

usage: test_emulate_cli.py SPIKEQ_BINARY"""
import gzip
import math
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

from checks import check, finish

SPIKEQ = sys.argv[1]



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


def reference_recording(img, sensor=34, scale=1.0, a=7.0, speed=0.0783, step=1.0, c=0.2, eps=1e-3):
    """An independent port of the recording (encoders/saccade.c + dvs_emulator.c) for the N-MNIST set-up
    with identical pixels (sigma 0): the triangle path at constant speed, bilinear rendering in float32
    with a zero margin, then ESIM's crossing loop in double (ln via libm, as C), timestamps rounded to
    the us and sorted by (time, pixel). Returns (t, x, y, p) arrays."""
    ih, iw = img.shape
    f32 = np.float32
    pad = np.zeros((ih + 4, iw + 4), dtype=f32)
    pad[2:ih + 2, 2:iw + 2] = img.astype(f32) * (f32(1.0) / f32(255.0))
    tri = [(-a / 2, -a / 3), (0.0, 2 * a / 3), (a / 2, -a / 3)]
    perimeter = 2.0 * math.hypot(0.5 * a, a) + a
    dur = perimeter / speed

    def position(t):
        s = math.fmod(max(t, 0.0) * speed, perimeter)
        for k in range(3):
            (ax, ay), (bx, by) = tri[k], tri[(k + 1) % 3]
            ln = math.hypot(bx - ax, by - ay)
            if s <= ln or k == 2:
                f = min(s / ln, 1.0) if ln > 0 else 0.0
                return ax + f * (bx - ax), ay + f * (by - ay)
            s -= ln

    def axis(n, src_n, shift):
        idx, w = np.zeros(n, dtype=int), np.zeros(n, dtype=f32)
        for u in range(n):
            v = (u + 0.5 - 0.5 * n - shift) / scale + 0.5 * src_n - 0.5
            fl = math.floor(v)
            idx[u] = -2 if fl < -2 else src_n if fl > src_n else int(fl)
            w[u] = f32(v - fl)
        return idx + 2, w

    def frame(t):
        dx, dy = position(t)
        ci, cw = axis(sensor, iw, dx)
        ri, rw = axis(sensor, ih, dy)
        one = f32(1.0)
        top = (one - cw) * pad[ri][:, ci] + cw * pad[ri][:, ci + 1]
        bot = (one - cw) * pad[ri + 1][:, ci] + cw * pad[ri + 1][:, ci + 1]
        return ((one - rw[:, None]) * top + rw[:, None] * bot).astype(f32).ravel()

    cc = float(f32(c))
    prev_in = frame(0.0)
    prev = [math.log(eps + float(v)) for v in prev_in]
    ref = list(prev)
    events, t_prev = [], 0.0
    n_frames = math.ceil(dur / step - 1e-9)
    for k in range(1, n_frames + 1):
        t = dur if k == n_frames else k * step
        t1, fr, us0, batch = t * 1000.0, frame(t), math.floor(t_prev), []
        for i in np.nonzero(fr != prev_in)[0]:
            l0, l1 = prev[i], math.log(eps + float(fr[i]))
            prev[i] = l1
            if abs(l1 - l0) <= 1e-12:
                continue
            up = l1 > l0
            step_c = cc if up else -cc
            slope = (t1 - t_prev) / (l1 - l0)
            cross = ref[i] + step_c
            while (cross > l0 and cross <= l1) if up else (cross < l0 and cross >= l1):
                ref[i] = cross
                te = min(t_prev + (cross - l0) * slope, t1)
                batch.append((math.floor(te + 0.5) - us0, int(i), int(up)))
                cross = ref[i] + step_c
        prev_in = fr
        batch.sort(key=lambda e: (e[0], e[1]))
        events += [(us0 + r, i % sensor, i // sensor, p) for r, i, p in batch]
        t_prev = t1
    arr = np.array(events, dtype=np.int64).reshape(-1, 4)
    return arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]


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
    par = run(["dataset", "emulate", "--from", images, "--out", os.path.join(tmp, "par"), "--seed", "3", "-q",
               "--threads", "3"])
    same_tree = par.returncode == 0 and all(
        open(os.path.join(out, c, f), "rb").read() == open(os.path.join(tmp, "par", c, f), "rb").read()
        for c, f in rec)
    check("3 threads write the same files as 1", same_tree and sorted(os.listdir(os.path.join(tmp, "par"))) ==
          sorted(os.listdir(out)), par.stderr)
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
    ref_dir = os.path.join(tmp, "nm_ideal")
    r = run(["dataset", "emulate", "--from", images, "--out", ref_dir, "--format", "nmnist", "--sigma", "0", "-q"])
    raw = gzip.open(images).read()
    ims = np.frombuffer(raw[16:], dtype=np.uint8).reshape(6, 28, 28)
    for k, f in ((3, os.path.join("2", "0.bin")), (5, os.path.join("0", "2.bin"))):
        got = load_nmnist(os.path.join(ref_dir, f)) if r.returncode == 0 else None
        want = reference_recording(ims[k])
        same = got is not None and all(np.array_equal(g, w) for g, w in zip(got, want))
        check(f"image {k}: event for event as an independent port of the model", same and want[0].size > 100,
              r.stderr if got is None else (got[0].size, want[0].size))
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
        (["--from", images, "--out", os.path.join(tmp, "e8"), "--threads", "0"], 2,
         "--threads: expected an integer from 1 to 256, got \"0\""),
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
sys.exit(finish())
