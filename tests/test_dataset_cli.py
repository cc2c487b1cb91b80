#!/usr/bin/python3
"""tests/test_dataset_cli.py: `spikeq dataset` as a user meets it, checked against computations made
here independently of spikeq: fixture recordings written with numpy (AEDAT 2.0 as jAER lays it out,
N-MNIST's 5-byte events), framed by a numpy re-implementation of SpikingJelly's integer arithmetic
(cifar10_dvs.py::_load_origin_data, utils.py::cal_fixed_frames_number_segment_index and
integrate_events_segment_to_frame; ../shared/specs/data.md §2.5-2.6) and compared count for count
with `spikeq dataset frames --raw`; `info` and `list` against Python's own listing, sorting and
math.ceil; help texts; and the bad-input messages.

usage: test_dataset_cli.py SPIKEQ_BINARY"""
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


HEADER = b"#!AER-DAT2.0\r\n# This is a raw AE data file - do not edit\r\n# Timestamps tick is 1 us\r\n"


def write_aedat(path, n, rng, t0=5_000_000):
    """n events with sorted timestamps (gaps, bursts, repeats) and raw DVS128 addresses, some with
    the external-event bit 15 set (SpikingJelly keeps and decodes those)."""
    t = t0 + np.cumsum(rng.integers(0, 40, n)).astype(np.uint32)
    x_raw, y_raw, p_raw = rng.integers(0, 128, n), rng.integers(0, 128, n), rng.integers(0, 2, n)
    addr = (y_raw << 8) | (x_raw << 1) | p_raw | (rng.random(n) < 0.01) * 0x8000
    rec = np.empty(2 * n, dtype=">u4")
    rec[0::2], rec[1::2] = addr, t
    with open(path, "wb") as f:
        f.write(HEADER + rec.tobytes())


def sj_skip_header(data):
    """SpikingJelly's _skip_header on bytes: '#' lines (decoded, stripped)."""
    p, lines = 0, data.split(b"\n")
    for i, line in enumerate(lines):
        raw = line + (b"\n" if i < len(lines) - 1 else b"")
        try:
            s = raw.decode().strip()
        except UnicodeDecodeError:
            break
        if not s or s[0] != "#":
            break
        p += len(raw)
    return p


def sj_load_aedat(path):
    data = open(path, "rb").read()
    words = np.frombuffer(data[sj_skip_header(data):], dtype=">u4")
    addr, t = words[0::2], words[1::2]
    x, y, p = (addr & 0xFE) >> 1, (addr & 0x7F00) >> 8, addr & 1
    return t.astype(np.int64), (127 - y).astype(np.int64), (127 - x).astype(np.int64), 1 - p.astype(np.int64)


def sj_load_nmnist(path):
    raw = np.fromfile(path, dtype=np.uint8).astype(np.int64)
    x, y, b2 = raw[0::5], raw[1::5], raw[2::5]
    return ((b2 & 127) << 16) | (raw[3::5] << 8) | raw[4::5], x, y, (b2 & 128) >> 7


def sj_segments(t, split_by, T):
    N = t.size
    j_l, j_r = np.zeros(T, dtype=int), np.zeros(T, dtype=int)
    if split_by == "number":
        di = N // T
        for i in range(T):
            j_l[i] = i * di
            j_r[i] = j_l[i] + di
    else:
        dt = (t[-1] - t[0]) // T
        idx = np.arange(N)
        for i in range(T):
            t_l = dt * i + t[0]
            t_r = t_l + dt
            m = idx[np.logical_and(t >= t_l, t < t_r)]
            j_l[i], j_r[i] = m[0], m[-1] + 1  # SJ raises here on an empty window: the fixtures have none
    j_r[-1] = N
    return j_l, j_r


def sj_frames(ev, sensor, split_by, T, size):
    t, x, y, p = ev
    x, y = x * size // sensor, y * size // sensor  # event-level downsampling, data.md §2.6
    frames = np.zeros((T, 2, size, size), dtype=np.int64)
    j_l, j_r = sj_segments(t, split_by, T)
    for i in range(T):
        for c in range(2):
            m = p[j_l[i]:j_r[i]] == c
            pos = y[j_l[i]:j_r[i]][m] * size + x[j_l[i]:j_r[i]][m]
            frames[i, c].flat[:] += np.bincount(pos, minlength=size * size)
    return frames


def spikeq_frames(tmp, path, split_by, T, size):
    raw = os.path.join(tmp, "frames.u32")
    r = run(["dataset", "frames", path, "--T", str(T), "--split", split_by, "--size", str(size), "--raw", raw])
    if r.returncode != 0:
        return None, r
    return np.fromfile(raw, dtype="<u4").reshape(T, 2, size, size).astype(np.int64), r


def test_frames(tmp):
    rng = np.random.default_rng(7)
    aedat = os.path.join(tmp, "fixture.aedat")
    write_aedat(aedat, 30011, rng)
    ev = sj_load_aedat(aedat)
    for split_by in ("number", "time"):
        for T in (10, 7):
            for size in (128, 64, 48):
                got, r = spikeq_frames(tmp, aedat, split_by, T, size)
                want = sj_frames(ev, 128, split_by, T, size)
                check(f"aedat frames {split_by} T={T} size={size} equal SJ", got is not None and
                      np.array_equal(got, want), r.stderr if got is None else f"{np.abs(got - want).sum()} off")
    # 64 is also the exact 2 x 2 sum of the 128 frames (frame-level route, data.md §2.6)
    full = sj_frames(ev, 128, "number", 10, 128)
    got, _ = spikeq_frames(tmp, aedat, "number", 10, 64)
    check("64 frames are the 2x2 sum of 128 frames",
          got is not None and np.array_equal(got, full.reshape(10, 2, 64, 2, 64, 2).sum(axis=(3, 5))))
    got, r = spikeq_frames(tmp, aedat, "number", 10, 128)
    lines = r.stdout.splitlines()
    row0 = next(l for l in lines if l.split()[:1] == ["0"]).split()
    check("frames summary line 0", row0[1:4] == ["0", str(30011 // 10), str(30011 // 10)], lines)
    row9 = next(l for l in lines if l.split()[:1] == ["9"]).split()
    check("last frame takes the remainder", row9[2] == "30011" and int(row9[3]) == 30011 - 9 * 3001, row9)

    nm = os.path.join(tmp, "fixture.bin")
    n = 4003
    t = np.cumsum(rng.integers(0, 60, n))
    b = np.zeros((n, 5), dtype=np.uint8)
    b[:, 0], b[:, 1] = rng.integers(0, 34, n), rng.integers(0, 34, n)
    b[:, 2] = (rng.integers(0, 2, n) << 7) | (t >> 16)
    b[:, 3], b[:, 4] = (t >> 8) & 255, t & 255
    b.tofile(nm)
    ev = sj_load_nmnist(nm)
    for split_by in ("number", "time"):
        got, r = spikeq_frames(tmp, nm, split_by, 10, 34)
        check(f"nmnist frames {split_by} equal SJ", got is not None and np.array_equal(got, sj_frames(ev, 34, split_by, 10, 34)),
              r.stderr)
    png = os.path.join(tmp, "f.png")
    r = run(["dataset", "frames", aedat, "--T", "12", "--size", "48", "--png", png])
    with open(png, "rb") as f:
        head = f.read(24)
    w, h = struct.unpack(">II", head[16:24])
    # 48-px frames enlarged 2x (>= 96 px), 10 a row, 2 px apart: 2 rows
    check("png written", r.returncode == 0 and head[:8] == b"\x89PNG\r\n\x1a\n" and (w, h) == (10 * 98 - 2, 2 * 98 - 2),
          f"{r.stderr} {w}x{h}")


def make_dataset(tmp, rng):
    root = os.path.join(tmp, "ds")
    sizes = {"truck": 12, "airplane": 11, "cat": 3}
    for cls, n in sizes.items():
        os.makedirs(os.path.join(root, cls))
        for i in range(n):
            write_aedat(os.path.join(root, cls, f"cifar10_{cls}_{i}.aedat"), int(rng.integers(1, 400)), rng)
    return root, sizes


def test_info_and_list(tmp):
    rng = np.random.default_rng(3)
    root, sizes = make_dataset(tmp, rng)
    classes = sorted(os.listdir(root))
    files = [os.path.join(root, c, f) for c in classes for f in sorted(os.listdir(os.path.join(root, c)))]
    counts = [(os.path.getsize(f) - len(HEADER)) // 8 for f in files]
    r = run(["dataset", "info", root])
    check("info folder exits 0", r.returncode == 0, r.stderr)
    for key in (f"samples: {len(files)}", f"classes: {len(classes)}", "  0 airplane: 11 samples",
                "  2 truck: 12 samples", "sensor: 128 x 128", "AEDAT 2.0",
                f"events per sample: min {min(counts)}, mean {sum(counts) / len(counts):.1f}, max {max(counts)}"):
        check("info folder has " + key, key in r.stdout, r.stdout)
    r = run(["dataset", "info", files[0]])
    check("info file", r.returncode == 0 and f"events: {counts[0]} " in r.stdout and "samples: 1" in r.stdout, r.stdout)

    def listed(split):
        r = run(["dataset", "list", root, "--split", split])
        return [l.split("\t")[3] for l in r.stdout.splitlines()], r

    by_class = {c: [f for f in files if os.path.dirname(f).endswith("/" + c)] for c in classes}
    want = {"all": files, "train": [], "test": [], "tebn-train": [], "tebn-test": []}
    for c in classes:
        pos = math.ceil(len(by_class[c]) * 0.9)  # SJ split_to_train_test_set
        want["train"] += by_class[c][:pos]
        want["test"] += by_class[c][pos:]
        for f in by_class[c]:
            idx = int(os.path.basename(f).rsplit("_", 1)[1].split(".")[0])
            want["tebn-test" if idx < 100 else "tebn-train"].append(f)
    for split, paths in want.items():
        got, r = listed(split)
        check(f"list --split {split}", got == paths and r.returncode == 0, f"{got[:3]} vs {paths[:3]} {r.stderr}")

    r = run(["dataset", "info", "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"])
    check("info idx images", r.returncode == 0 and "samples: 10000" in r.stdout and "28 x 28" in r.stdout, r.stdout)
    r = run(["dataset", "info", "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"])
    check("info idx labels", r.returncode == 0 and "classes: 10" in r.stdout and "label 9: 6000 samples" in r.stdout,
          r.stdout)


def write_idx(path, arr, gz):
    """An unsigned-byte IDX file as LeCun's page lays it out (data.md §3.1), gzip'd or raw."""
    import gzip
    data = struct.pack(">I", 0x800 | arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.astype(np.uint8).tobytes()
    with (gzip.open(path, "wb") if gz else open(path, "wb")) as f:
        f.write(data)


def test_info_idx_folder(tmp):
    """A folder of IDX splits, Debian's Fashion-MNIST layout, summarised split by split."""
    r = run(["dataset", "info", "/usr/share/datasets/fashion-mnist"])
    check("info fashion-mnist folder exits 0", r.returncode == 0, r.stderr)
    for key in ("kind: idx dataset", "split train:\n  images: 60000\n  image size: 28 x 28 (rows x cols)\n"
                "  pixel mean: 72.940\n  labels: 60000\n  classes: 10\n", "    label 9: 6000 samples",
                "split t10k:\n  images: 10000\n", "  pixel mean: 73.147\n", "    label 0: 1000 samples"):
        check("info fashion-mnist folder has " + key.splitlines()[0], key in r.stdout, r.stdout)
    rng = np.random.default_rng(5)
    d = os.path.join(tmp, "idxdir")
    os.makedirs(d)
    im, lb = rng.integers(0, 256, (7, 3, 5)), np.array([2, 0, 2, 2, 5, 0, 2])
    write_idx(os.path.join(d, "t10k-images-idx3-ubyte"), im, False)
    write_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz"), lb, True)
    r = run(["dataset", "info", d])
    want = (f"split t10k:\n  images: 7\n  image size: 3 x 5 (rows x cols)\n  pixel mean: {im.mean():.3f}\n"
            "  labels: 7\n  classes: 3\n    label 0: 2 samples\n    label 2: 4 samples\n    label 5: 1 samples\n")
    check("info idx folder (one raw split) summarises it", r.returncode == 0 and want in r.stdout and
          "split train" not in r.stdout, r.stdout + r.stderr)
    write_idx(os.path.join(d, "train-images-idx3-ubyte.gz"), im, True)
    write_idx(os.path.join(d, "train-labels-idx1-ubyte.gz"), lb[:6], True)
    r = run(["dataset", "info", d])
    check("info idx folder with a count mismatch", r.returncode == 1 and
          f"{d}/train-labels-idx1-ubyte.gz: expected 7 labels (as many as {d}/train-images-idx3-ubyte.gz has images), "
          "got 6" in r.stderr, r.stderr)


def test_help_and_errors(tmp):
    r = run(["--help"])
    check("spikeq --help lists dataset", r.returncode == 0 and "dataset info|list|frames" in r.stdout, r.stdout)
    for sub in ("info", "list", "frames"):
        r = run(["dataset", sub, "--help"])
        check(f"dataset {sub} --help", r.returncode == 0 and f"usage: spikeq dataset {sub}" in r.stdout, r.stdout)
    r = run(["dataset", "--help"])
    check("dataset --help", r.returncode == 0 and "frames FILE" in r.stdout, r.stdout)
    r = run(["dataset", "explode"])
    check("unknown subcommand", r.returncode == 2 and 'unknown subcommand "explode"' in r.stderr, r.stderr)
    r = run(["dataset"])
    check("dataset without subcommand", r.returncode == 2 and "usage: spikeq dataset" in r.stderr, r.stderr)

    bad = os.path.join(tmp, "short.idx")
    with open(bad, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, 2, 28, 28) + bytes(100))
    r = run(["dataset", "info", bad])
    check("truncated idx", r.returncode == 1 and f"{bad}: dimension sizes at byte offset 4: 2 x 28 x 28 = 1568 bytes "
          "of data, but the file holds at most 100 after the header" in r.stderr, r.stderr)
    odd = os.path.join(tmp, "odd.aedat")
    with open(odd, "wb") as f:
        f.write(HEADER + bytes(8 * 3 + 5))
    r = run(["dataset", "frames", odd])
    check("odd aedat", r.returncode == 1 and f"{odd}: events: expected 8-byte (address, timestamp) records after the "
          f"{len(HEADER)}-byte header, got 29 bytes (a partial record at byte offset {len(HEADER) + 24})" in r.stderr,
          r.stderr)
    far = os.path.join(tmp, "far.bin")
    with open(far, "wb") as f:
        f.write(bytes([1, 2, 0, 0, 1, 40, 2, 0, 0, 2]))
    r = run(["dataset", "info", far])
    check("nmnist outside the sensor", r.returncode == 1 and "event 1 at byte offset 5: expected x, y < 34" in r.stderr,
          r.stderr)
    good = os.path.join(tmp, "good.aedat")
    write_aedat(good, 100, np.random.default_rng(1))
    r = run(["dataset", "frames", good, "--T", "0"])
    check("--T 0", r.returncode == 2 and '--T: expected an integer in [1, 1048576], got "0"' in r.stderr, r.stderr)
    r = run(["dataset", "frames", good, "--split", "fast"])
    check("--split fast", r.returncode == 2 and '--split: expected number or time, got "fast"' in r.stderr, r.stderr)
    r = run(["dataset", "frames", good, "--size", "200"])
    check("--size 200", r.returncode == 1 and "size: expected 1 to 128 x 128 (the sensor), got 200 x 200" in r.stderr,
          r.stderr)
    r = run(["dataset", "list", os.path.join(tmp, "nowhere")])
    check("list missing folder", r.returncode == 1 and "nowhere: cannot open the folder" in r.stderr, r.stderr)
    r = run(["dataset", "info", os.path.join(tmp, "nowhere")])
    check("info missing path", r.returncode == 1 and "nowhere: no such file or folder" in r.stderr, r.stderr)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_frames(tmp)
        test_info_and_list(tmp)
        test_info_idx_folder(tmp)
        test_help_and_errors(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
