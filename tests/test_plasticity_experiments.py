#!/usr/bin/python3
"""tests/test_plasticity_experiments.py: the plasticity experiments run from the CLI as a user runs
them (experiments/<name>/), each against its paper or reference with a stated tolerance, using the
same analysis functions as the experiments' figure scripts.
Usage: test_plasticity_experiments.py SPIKEQ SOURCE_DIR"""
import importlib.util
import os
import sys
import tempfile

import numpy as np

from checks import check, finish

SPIKEQ, SRC = sys.argv[1], sys.argv[2]


def load(experiment, script):
    """experiments/<experiment>/<script>.py as a module of its own name."""
    path = os.path.join(SRC, "experiments", experiment, script + ".py")
    spec = importlib.util.spec_from_file_location(f"{experiment}_{script}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


window = load("stdp_window", "analyse")
pairing = load("triplet_frequency", "pairing")
tm = load("tsodyks_markram", "analyse")
song = load("song_miller_abbott", "analyse")


def stdp_window(out):
    """The pairing protocol recovers A+- exp(-|dt|/tau+-): every dw within float resolution (1e-7)."""
    dt, dw, kernel = window.measure(SPIKEQ, out)
    err = np.max(np.abs(dw - kernel))
    check("stdp_window: 41 pairings", len(dt) == 41, f"{len(dt)}")
    check("stdp_window: dw equals the kernel", err < 1e-7, f"largest deviation {err:.3g}")


def triplet(out):
    """Visual-cortex triplet set: +10 ms no change at 0.1 Hz and LTP growing with rho; -10 ms LTD at low
    and LTP at 50 Hz (Sjostrom et al. 2001, Pfister & Gerstner 2006 Fig. 3)."""
    plus = {r: pairing.dw(SPIKEQ, r, 10.0, out) for r in (0.1, 20.0, 50.0)}
    minus = {r: pairing.dw(SPIKEQ, r, -10.0, out) for r in (0.1, 20.0, 50.0)}
    check("triplet: +10 ms at 0.1 Hz is ~0", abs(plus[0.1]) < 1e-3, f"{plus[0.1]:.4g}")
    check("triplet: +10 ms LTP grows with rho", 0.01 < plus[20.0] < plus[50.0], f"{plus}")
    check("triplet: -10 ms LTD at 0.1 and 20 Hz", minus[0.1] < 0 and minus[20.0] < 0, f"{minus}")
    check("triplet: -10 ms LTP at 50 Hz", minus[50.0] > 0, f"{minus[50.0]:.4g}")


def tsodyks_markram(out):
    """20 Hz trains: PSP / w equals u_n R_n of the ODEs (V is recorded as float32: 1e-5 relative)."""
    for name, (got, ode) in tm.measure(SPIKEQ, out).items():
        err = np.max(np.abs(got - ode) / ode)
        check(f"tsodyks_markram {name}: releases match the ODE", err < 1e-5, f"relative {err:.3g}")


def song2000(out):
    """100 s: weights go from uniform to U-shaped, as in Brian2's run of the same model (extremes
    0.437, rate 21.3 Hz in the last 10 s); the output rate falls (rate normalisation)."""
    t, hist, extremes, rates = song.measure(SPIKEQ, out)
    last = hist[-1]
    check("song2000: U-shaped histogram", min(last[0], last[9]) > max(last[2:8]), f"{list(last)}")
    check("song2000: extremes near Brian2's 0.437", abs(extremes[-1] - 0.437) < 0.07,
          f"{extremes[-1]:.3f} (start {extremes[0]:.3f})")
    check("song2000: final rate near Brian2's 21.3 Hz", 15.0 < rates[-1] < 28.0, f"{rates[-1]:.1f} Hz")
    check("song2000: rate falls", rates[0] > rates[-1] + 5, f"{rates[0]:.1f} -> {rates[-1]:.1f} Hz")


with tempfile.TemporaryDirectory() as d:
    stdp_window(d)
    triplet(d)
    tsodyks_markram(d)
    song2000(d)
sys.exit(finish())
