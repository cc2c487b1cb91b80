#!/usr/bin/python3
"""tests/test_sample_set.py: sample sets (encoders/sample_set.h) against what other programs make
of the same data: a tensors file written by h5py, read back transposed to [T][H][W][C], count for
count; Fashion-MNIST images recorded by `spikeq dataset emulate` and framed by `spikeq dataset
frames --raw` (the CLI path: AEDAT files, then SpikingJelly's framing) against the "dvs_emulated"
source's samples and its cache file read with h5py; the same emulated folder through the
"dvs_folder" source (split by time, 64 px, scale 0.25). Samples come from tests/sample_set_dump.c.

usage: test_sample_set.py SPIKEQ_BINARY SAMPLE_SET_DUMP_BINARY"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from checks import check, finish

SPIKEQ, DUMP = sys.argv[1], sys.argv[2]


def dump(tmp, data, split):
    """The set of `data` (the "data" object) as (info, samples [n][T][H][W][C]), or (None, stderr)."""
    cfg, out = os.path.join(tmp, "cfg.json"), os.path.join(tmp, "x.f32")
    with open(cfg, "w") as f:
        json.dump({"data": data}, f)
    r = subprocess.run([DUMP, cfg, split, "--out", out, "--threads", "2"], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        return None, r.stderr
    info = json.loads(r.stdout)
    x = np.fromfile(out, dtype="<f4").reshape(info["n"], info["T"], info["height"], info["width"], info["channels"])
    return info, x


def cli_frames(tmp, path, T, split_by, size):
    raw = os.path.join(tmp, "frames.u32")
    r = subprocess.run([SPIKEQ, "dataset", "frames", path, "--T", str(T), "--split", split_by, "--size", str(size),
                        "--raw", raw], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return np.fromfile(raw, dtype="<u4").reshape(T, 2, size, size)


def test_tensors(tmp):
    rng = np.random.default_rng(11)
    path = os.path.join(tmp, "t.h5")
    train = rng.integers(0, 9, (6, 3, 2, 5, 7)).astype(np.float32)  # [n][T][C][H][W], PyTorch's layout
    test = rng.normal(size=(4, 3, 2, 5, 7)).astype(np.float32)
    with h5py.File(path, "w") as f:
        f["train/inputs"], f["train/labels"] = train, np.array([3, 1, 4, 1, 5, 9])
        f["test/inputs"], f["test/labels"] = test, np.array([2, 6, 5, 3], dtype=np.int32)
        f.attrs["n_classes"] = 12
    for split, arr, values, labels in (("train", train, "counts", [3, 1, 4, 1, 5, 9]), ("test", test, "real", [2, 6, 5, 3])):
        info, x = dump(tmp, {"source": "tensors", "file": path}, split)
        check(f"tensors {split} opens", info is not None, x)
        if info is None:
            continue
        check(f"tensors {split} is the h5py array transposed to [T][H][W][C]",
              np.array_equal(x, arr.transpose(0, 1, 3, 4, 2)))
        check(f"tensors {split} info", (info["T"], info["height"], info["width"], info["channels"], info["n_classes"],
                                        info["values"], info["labels"]) == (3, 5, 7, 2, 12, values, labels), info)


FMNIST_CLASSES = ["tshirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle_boot"]


def test_emulated_and_folder(tmp):
    ds = os.path.join(tmp, "emulated")
    r = subprocess.run([SPIKEQ, "dataset", "emulate", "--from", "fashion-mnist", "--split", "test", "--samples", "5",
                        "--out", ds, "-q"], capture_output=True, text=True, timeout=600)
    check("spikeq dataset emulate runs", r.returncode == 0, r.stderr)
    # The files of images 0..4 of t10k: <label>_<class>/fmnist_<label>_<class>_<rank within the class>.aedat
    with open("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", "rb") as f:
        import gzip
        labels = list(gzip.decompress(f.read())[8:13])
    seen, files = {}, []
    for lab in labels:
        k = seen.get(lab, 0)
        seen[lab] = k + 1
        name = f"{lab}_{FMNIST_CLASSES[lab]}"
        files.append(os.path.join(ds, name, f"fmnist_{name}_{k}.aedat"))
    cache = os.path.join(tmp, "cache")
    info, x = dump(tmp, {"source": "dvs_emulated", "samples": 5, "cache": cache}, "test")
    check("dvs_emulated opens", info is not None, x)
    if info is None:
        return
    check("dvs_emulated info", (info["n"], info["T"], info["height"], info["channels"], info["values"],
                                info["labels"], info["cache_built"]) == (5, 10, 32, 2, "counts", labels, True), info)
    want = np.stack([cli_frames(tmp, f, 10, "number", 32) for f in files])  # [n][T][2][H][W]
    check("dvs_emulated samples equal `dataset emulate` then `dataset frames --raw`",
          np.array_equal(x, want.transpose(0, 1, 3, 4, 2).astype(np.float32)), f"{np.abs(x - want.transpose(0, 1, 3, 4, 2)).sum()} off")
    with h5py.File(info["cache"], "r") as f:
        params = json.loads(f.attrs["params"])
        check("cache file: h5py reads the uint16 counts", f["counts"].dtype == np.uint16 and
              np.array_equal(f["counts"][:], want) and list(f["labels"][:]) == labels)
        check("cache file: attributes", f.attrs["format"] == "spikeq-frame-cache" and f.attrs["version"] == 1 and
              f.attrs["saturated"] == 0 and params["T"] == 10 and params["size"] == 32 and params["split"] == "test"
              and params["emulator"]["width"] == 128, dict(f.attrs))
        check("cache file: one gzip'd, shuffled chunk a sample", f["counts"].chunks == (1, 10, 2, 32, 32) and
              f["counts"].compression == "gzip" and f["counts"].shuffle)
    info2, x2 = dump(tmp, {"source": "dvs_emulated", "samples": 5, "cache": cache, "scale": 0.25}, "test")
    check("a second open with another scale reuses the cache", info2 is not None and not info2["cache_built"] and
          info2["cache"] == info["cache"] and np.array_equal(x2, x * 0.25) and info2["values"] == "real", info2)

    data = {"source": "dvs_folder", "root": ds, "T": 7, "split_by": "time", "size": 64, "scale": 0.25}
    info, x = dump(tmp, data, "train")
    check("dvs_folder opens", info is not None, x)
    if info is None:
        return
    order = sorted(files, key=lambda f: (os.path.basename(os.path.dirname(f)), os.path.basename(f)))
    # SpikingJelly's split: the first ceil(0.9 n) files of each class; with 1 or 2 files a class, all of them
    want = np.stack([cli_frames(tmp, f, 7, "time", 64) for f in order]).astype(np.float32) * 0.25
    check("dvs_folder samples equal `dataset frames --raw` x 0.25", info["n"] == 5 and
          np.array_equal(x, want.transpose(0, 1, 3, 4, 2)), info)
    info_c, x_c = dump(tmp, dict(data, cache=cache), "train")
    check("dvs_folder through a cache gives the same samples", info_c is not None and info_c["cache_built"] and
          np.array_equal(x_c, x), info_c)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_tensors(tmp)
        test_emulated_and_folder(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
