#!/usr/bin/python3
"""tests/read_sonata.py: checks a spikeq SONATA spike file with h5py, independently of our C reader.

Used by tests/test_sonata.c. Checks the normative profile of the project spec shared/specs/data.md 1.3: root
attrs magic (uint32 0x0A7A) and version (uint32[2] {0, 1}); one /spikes/<pop> group per population
with the `sorting` enum {none=0, by_id=1, by_time=2} on uint8, `n_nodes` (uint64); timestamps float64
with units "ms" (vlen UTF-8) and node_ids uint64, chunked, extendible, compressed as asked; /spikes
t_start and t_stop; and that every spike of EXPECT (the raw sq_spike records the test pushed,
{float64 t; uint32 pop; uint32 id}) is in the file, in order. With --report NAME:N_IDS it also
checks the structure of /report/NAME. Exit code 0 when all holds, 1 with a message otherwise.
"""
import argparse
import sys

import h5py
import numpy as np


def fail(msg):
    print("read_sonata: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def check_str_attr(obj, name, value):
    check(name in obj.attrs, f"{obj.name}: missing attribute {name}")
    info = h5py.check_string_dtype(obj.attrs.get_id(name).dtype)
    check(info is not None and info.length is None, f"{obj.name}.{name}: expected a vlen string")
    got = obj.attrs[name]
    got = got.decode() if isinstance(got, bytes) else got
    check(got == value, f"{obj.name}.{name}: expected {value!r}, got {got!r}")


def check_chunked(ds, chunk, deflate):
    check(ds.chunks is not None and ds.chunks[0] == chunk, f"{ds.name}: chunks {ds.chunks}, expected ({chunk}, ...)")
    check(ds.maxshape[0] is None, f"{ds.name}: maxshape {ds.maxshape}, expected extendible")
    if deflate:
        check(ds.compression == "gzip" and ds.compression_opts == deflate,
              f"{ds.name}: compression {ds.compression} {ds.compression_opts}, expected gzip {deflate}")
        check(ds.shuffle, f"{ds.name}: expected the shuffle filter before deflate")
    else:
        check(ds.compression is None, f"{ds.name}: expected no compression, got {ds.compression}")


def check_population(grp, size, exp_t, exp_id, args):
    check(set(grp.keys()) == {"timestamps", "node_ids"}, f"{grp.name}: members {sorted(grp.keys())}")
    sdt = grp.attrs.get_id("sorting").dtype
    check(h5py.check_enum_dtype(sdt) == {"none": 0, "by_id": 1, "by_time": 2},
          f"{grp.name}.sorting: enum {h5py.check_enum_dtype(sdt)}")
    check(sdt == np.dtype("u1"), f"{grp.name}.sorting: base type {sdt}, expected uint8")
    check(int(grp.attrs["sorting"]) == args.sorting, f"{grp.name}.sorting = {grp.attrs['sorting']}")
    nn = grp.attrs["n_nodes"]
    check(nn.dtype == np.dtype("<u8") and int(nn) == size, f"{grp.name}.n_nodes = {nn!r}, expected uint64 {size}")
    ts, ids = grp["timestamps"], grp["node_ids"]
    check(ts.dtype == np.dtype("<f8"), f"{ts.name}: dtype {ts.dtype}")
    check(ids.dtype == np.dtype("<u8"), f"{ids.name}: dtype {ids.dtype}")
    check_str_attr(ts, "units", "ms")
    for ds in (ts, ids):
        check_chunked(ds, args.chunk, args.deflate)
    check(ts.shape == (len(exp_t),) and ids.shape == (len(exp_t),),
          f"{grp.name}: {ts.shape[0]} timestamps and {ids.shape[0]} node_ids, expected {len(exp_t)}")
    check(np.array_equal(ts[...], exp_t), f"{ts.name}: values differ from the pushed spikes")
    check(np.array_equal(ids[...], exp_id), f"{ids.name}: values differ from the pushed spikes")


def check_report(f, spec, chunk, deflate):
    name, n_ids = spec.split(":")
    n_ids = int(n_ids)
    g = f["report"][name]
    data = g["data"]
    check(data.dtype == np.dtype("<f4") and data.ndim == 2 and data.shape[1] == n_ids,
          f"{data.name}: {data.dtype} {data.shape}, expected float32 [n x {n_ids}]")
    check_chunked(data, max(1, chunk // n_ids), deflate)
    check_str_attr(data, "units", "mV")
    m = g["mapping"]
    check(m["node_ids"].dtype == np.dtype("<u8") and m["node_ids"].shape == (n_ids,), "mapping/node_ids")
    check(np.array_equal(m["index_pointers"][...], np.arange(n_ids + 1)), "mapping/index_pointers")
    check(m["element_ids"].shape == (n_ids,), "mapping/element_ids")
    tm = m["time"]
    check(tm.dtype == np.dtype("<f8") and tm.shape == (3,), f"{tm.name}: {tm.dtype} {tm.shape}")
    start, stop, dt = tm[...]
    check(abs((stop - start) / dt - data.shape[0]) < 1e-6, f"{tm.name}: {tm[...]} does not span {data.shape[0]} rows")
    check_str_attr(tm, "units", "ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("expect")
    ap.add_argument("--pops", required=True, help="name:size,... in population index order")
    ap.add_argument("--chunk", type=int, default=65536)
    ap.add_argument("--deflate", type=int, default=4)
    ap.add_argument("--sorting", type=int, default=2)
    ap.add_argument("--t-start", type=float, required=True)
    ap.add_argument("--t-stop", type=float, required=True)
    ap.add_argument("--report", action="append", default=[])
    args = ap.parse_args()

    pops = [(p.split(":")[0], int(p.split(":")[1])) for p in args.pops.split(",")]
    exp = np.fromfile(args.expect, dtype=np.dtype([("t", "<f8"), ("pop", "<u4"), ("id", "<u4")]))
    with h5py.File(args.file, "r") as f:
        check(f.attrs["magic"].dtype == np.dtype("<u4") and int(f.attrs["magic"]) == 0x0A7A,
              f"magic = {f.attrs.get('magic')!r}")
        v = f.attrs["version"]
        check(v.dtype == np.dtype("<u4") and list(v) == [0, 1], f"version = {v!r}")
        sp = f["spikes"]
        check(set(sp.keys()) == {p for p, _ in pops}, f"/spikes holds {sorted(sp.keys())}")
        for a, want in (("t_start", args.t_start), ("t_stop", args.t_stop)):
            check(sp.attrs[a].dtype == np.dtype("<f8") and float(sp.attrs[a]) == want,
                  f"/spikes.{a} = {sp.attrs.get(a)!r}, expected {want}")
        total = 0
        for i, (name, size) in enumerate(pops):
            sel = exp[exp["pop"] == i]
            check_population(sp[name], size, sel["t"], sel["id"].astype("<u8"), args)
            total += len(sel)
        check(total == len(exp), f"{len(exp) - total} expected spikes name no population")
        for spec in args.report:
            check_report(f, spec, args.chunk, args.deflate)
    print(f"read_sonata: OK, {len(exp)} spikes in {len(pops)} populations")


if __name__ == "__main__":
    main()
