#!/usr/bin/python3
"""tests/test_raster.py: `spikeq raster` draws what the spike file holds. A run of two spike_source
populations (known spikes) is drawn; the PNG is decoded here by a small independent decoder (zlib
and the five PNG row filters, PNG spec ISO/IEC 15948 §9) and checked pixel by pixel against the
layout cli/cmd_raster.c documents: size, the exact pixel of each known spike in its population's
colour, one coloured pixel per spike, background everywhere between spikes. Bad input gives a clear
error and the documented exit status.

usage: test_raster.py SPIKEQ_BINARY"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

from checks import check, finish

SPIKEQ = sys.argv[1]
EXC, INH, BG = (0x59, 0x52, 0x89), (0xAF, 0x14, 0x3C), (255, 255, 255)



def decode_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB, non-interlaced PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype == 2 and interlace == 0, "not 8-bit RGB"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), 3 * w, [], bytearray(3 * w)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b, c = prev[i], prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[3 * x:3 * x + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def raster(args):
    return subprocess.run([SPIKEQ, "raster"] + args, capture_output=True, text=True, timeout=120)


with tempfile.TemporaryDirectory() as tmp:
    # AE: neurons 0 and 9 at 25 ms, neuron 4 at 10 ms; BI: neuron 5 at 75 ms, neuron 0 at 90 ms.
    cfg = {"simulation": {"t_stop": 100.0},
           "populations": [
               {"name": "AE", "n": 10, "model": "spike_source",
                "spike_times": [[25.0], [], [], [], [10.0], [], [], [], [], [25.0]]},
               {"name": "BI", "n": 10, "model": "spike_source",
                "spike_times": [[90.0], [], [], [], [], [75.0], [], [], [], []]}]}
    cfg_path, h5, png = (os.path.join(tmp, x) for x in ("net.json", "s.h5", "r.png"))
    json.dump(cfg, open(cfg_path, "w"))
    subprocess.run([SPIKEQ, "run", cfg_path, "--out", h5, "-q"], check=True, capture_output=True, timeout=120)
    r = raster([h5, "-o", png, "--t0", "0", "--t1", "100", "--width", "400", "--height", "200"])
    check("raster succeeds and says where the picture went", r.returncode == 0 and png in r.stdout, r.stderr)
    w, h, px = decode_png(png)
    check("picture has the requested size", (w, h) == (400, 200), f"{w}x{h}")
    # Layout of cmd_raster.c at scale 1 (pictures below 1000 x 500): label column of the longest name
    # (2 glyphs: 11 px) + 10 px, 8 px right and top margins, 17 px under the plot.
    left, top = 11 + 6 + 4, 8
    pw, ph = w - left - 8, h - top - 17
    bands = {"AE": (top, top + int(10 / 20 * ph)), "BI": (top + int(10 / 20 * ph), top + ph)}

    def at(pop, nid, t):
        y0, y1 = bands[pop]
        return left + int(t / 100.0 * pw), y0 + int(nid / 10 * (y1 - y0))

    spikes = [("AE", 0, 25.0, EXC), ("AE", 9, 25.0, EXC), ("AE", 4, 10.0, EXC), ("BI", 5, 75.0, INH),
              ("BI", 0, 90.0, INH)]
    for pop, nid, t, col in spikes:
        x, y = at(pop, nid, t)
        check(f"spike {pop}[{nid}] at {t} ms is drawn at ({x}, {y}) in its colour", px[y][x] == col, f"{px[y][x]}")
    plot = [(x, y) for y in range(top, top + ph) for x in range(left, left + pw)]
    coloured = {(x, y) for x, y in plot if px[y][x] in (EXC, INH)}
    check("exactly one coloured pixel per spike inside the plot", len(coloured) == len(spikes), f"{len(coloured)}")
    # Between 30 and 70 ms nothing fired: background there, except the rule between the two bands.
    empty = [px[y][x] for x in range(left + int(0.3 * pw), left + int(0.7 * pw))
             for y in range(top, top + ph) if y != bands["BI"][0]]
    check("empty stretch of the plot is background", all(p == BG for p in empty))
    check("labels are drawn left of the plot in the population colours",
          any(px[y][x] == EXC for y in range(*bands["AE"]) for x in range(left - 6)) and
          any(px[y][x] == INH for y in range(*bands["BI"]) for x in range(left - 6)))

    r = raster([h5, "-o", png, "--t0", "30", "--t1", "70"])
    check("no spikes in range is an error naming the window and the file's span",
          r.returncode == 1 and "no spikes in [30, 70) ms" in r.stderr and "10 to 90 ms" in r.stderr, r.stderr)
    r = raster([h5, "-o", png, "--t0", "50", "--t1", "20"])
    check("t0 >= t1 is a usage error", r.returncode == 2 and "--t0 (50 ms) must be below --t1 (20 ms)" in r.stderr,
          r.stderr)
    r = raster([os.path.join(tmp, "missing.h5"), "-o", png])
    check("a missing file is an error naming it", r.returncode == 1 and "missing.h5" in r.stderr, r.stderr)
    r = raster([h5])
    check("-o is required", r.returncode == 2 and "-o OUT.png is required" in r.stderr, r.stderr)
    r = raster([h5, "-o", png, "--width", "50"])
    check("a width out of range is a usage error",
          r.returncode == 2 and "--width: expected an integer from 200 to 8000, got \"50\"" in r.stderr, r.stderr)
    r = raster([h5, "-o", os.path.join(tmp, "no", "dir.png")])
    check("an unwritable output is an error naming it", r.returncode == 1 and "dir.png" in r.stderr, r.stderr)
    r = raster(["--help"])
    check("--help prints the usage", r.returncode == 0 and "usage: spikeq raster" in r.stdout)

sys.exit(finish())
