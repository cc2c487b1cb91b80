#!/usr/bin/python3
"""experiments/brunel/meanfield.py: SciPy reference for the mean-field numbers in tests/test_siegert.c and
README.md: Siegert rate, ISI CV and the self-consistent rate of Brunel's (2000) model A (equations in
tests/siegert.h). Units: ms, mV; rates printed in Hz. Run: /usr/bin/python3 experiments/brunel/meanfield.py"""
import numpy as np
from scipy import integrate, optimize, special


def siegert(mu, sigma, tau=20.0, tref=2.0, theta=20.0, vr=10.0):
    """Rate in 1/ms: 1/nu = t_ref + tau sqrt(pi) Int_{y_r}^{y_th} erfcx(-u) du."""
    y_th, y_r = (theta - mu) / sigma, (vr - mu) / sigma
    i, _ = integrate.quad(lambda u: special.erfcx(-u), y_r, y_th, epsabs=0, epsrel=1e-13, limit=500)
    return 1.0 / (tref + tau * np.sqrt(np.pi) * i)


def cv(nu, mu, sigma, tau=20.0, theta=20.0, vr=10.0):
    """CV^2 = 2 pi (nu tau)^2 Int_{y_r}^{y_th} e^{x^2} Int_{-inf}^x e^{y^2}(1+erf y)^2 dy dx."""
    y_th, y_r = (theta - mu) / sigma, (vr - mu) / sigma
    h = lambda y: special.erfcx(-y) * special.erfc(-y)
    inner = lambda x: integrate.quad(h, -np.inf, x, epsabs=0, epsrel=1e-12, limit=500)[0]
    outer, _ = integrate.quad(lambda x: np.exp(x * x) * inner(x), y_r, y_th, epsabs=0, epsrel=1e-11,
                              limit=500)
    return np.sqrt(2 * np.pi * (nu * tau) ** 2 * outer)


def inputs(nu, g, eta, c_e, j, gamma=0.25, tau=20.0, theta=20.0):
    """Brunel (2000) eqs. 4-5: mu, sigma (mV) when every neuron fires at nu (1/ms)."""
    nu_ext = eta * theta / (j * c_e * tau)
    mu = c_e * j * tau * (nu_ext + nu * (1 - g * gamma))
    return mu, np.sqrt(c_e * j * j * tau * (nu_ext + nu * (1 + g * g * gamma)))


def rate(g, eta, c_e, j):
    return optimize.brentq(lambda nu: nu - siegert(*inputs(nu, g, eta, c_e, j)), 1e-9, 0.5,
                           xtol=1e-16, rtol=1e-15)


if __name__ == "__main__":
    for x in [-26, -5, -1, 0, 0.5, 3, 10, 25.9, 26.1, 100, 1e5]:
        print(f"erfcx({x}) = {special.erfcx(x)!r}")
    for mu, s in [(15, 5), (21.0252, 7.68291), (10, 1), (25, 3), (-20, 5)]:
        r = siegert(mu, s)
        print(f"mu = {mu} mV, sigma = {s} mV: rate = {1000 * r!r} Hz, CV = {cv(r, mu, s)!r}")
    for name, g, eta, c_e, j in [("brunel (AI, Fig. 8C)", 5, 2, 1000, 0.1), ("sr (Fig. 8A)", 3, 2, 1000, 0.1),
                                 ("si_fast (Fig. 8B)", 6, 4, 1000, 0.1), ("si_slow (Fig. 8D)", 4.5, 0.9, 1000, 0.1),
                                 ("brunel_small", 5, 2, 200, 0.2)]:
        nu = rate(g, eta, c_e, j)
        mu, s = inputs(nu, g, eta, c_e, j)
        print(f"{name:22s} nu0 = {1000 * nu!r} Hz, mu = {mu:.4f} mV, sigma = {s:.4f} mV, CV = {cv(nu, mu, s)!r}")
