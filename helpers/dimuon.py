"""Unbinned maximum-likelihood fit of a di-muon invariant-mass peak (issue 11).

Model on the fit range :math:`[m_{lo}, m_{hi}]` (default :data:`MASS_RANGE` = [10, 11] GeV)

.. math::

    p(m) = f_{sig}\\,\\frac{CB(m; \\mu, \\sigma, \\alpha, n)}{\\int CB}
         + (1 - f_{sig})\\,\\frac{e^{\\lambda (m - m_0)}}{\\int e^{\\lambda (m - m_0)}}

with :math:`\\lambda` = ``slope`` and the pivot :math:`m_0` the middle of the range (it
cancels in the normalised density; it only keeps the exponentials small). The Crystal
Ball :math:`CB` has its Gaussian core for :math:`t = (m - \\mu)/\\sigma > -\\alpha` and the
power-law tail :math:`A (B - t)^{-n}` on the *low-mass* side (radiative tail),
:math:`A = (n/\\alpha)^n e^{-\\alpha^2/2}`, :math:`B = n/\\alpha - \\alpha` -- exactly
``scipy.stats.crystalball(beta=alpha, m=n, loc=mu, scale=sigma)`` up to its constant.
Both components are truncated to the range and normalised there in closed form
(:func:`cb_integral`).

The fit (:func:`fit`) minimises iminuit's ``UnbinnedNLL(..., log=True)`` of the fast
log-density :class:`FastLogPdf`: the masses are sorted once, so the core/tail split of
the Crystal Ball is one ``searchsorted`` per call (no mask, no branch evaluated twice),
all work happens in preallocated buffers, and MIGRAD and HESSE get the exact gradient and
Hessian (weighted sums over the same buffers; only the 4 x 4 second derivatives of the
scalar CB normalisation are central differences of its closed-form first derivatives).
See ``benchmarks/bench_dimuon.py`` for the timing against the seed script's approach, and
:func:`seed_hessian_errors` for what its fixed-step Hessian does to the errors.

Everything that can go wrong with the input raises :class:`~helpers.validation.InputError`;
a fit whose minimum is invalid, whose covariance is not accurate or was forced positive
definite, or with a parameter at a limit refuses to hand out error bars (:class:`FitError`).
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from iminuit import Minuit
from iminuit.cost import UnbinnedNLL
from scipy import stats
from scipy.special import exprel, ndtr

from . import SEED
from .validation import InputError, as_number

__all__ = [
    "PARAMETERS", "MASS_RANGE", "TRUTH", "START", "SAMPLE_SIZE", "SAMPLE_SEED",
    "SAMPLE_FILE", "MIN_EVENTS", "FitError", "cb_integral", "logpdf", "pdf_components",
    "cdf", "FastLogPdf", "simulate", "sample_csv_text", "write_sample", "load", "fit",
    "DimuonFit", "limits", "profile", "seed_hessian_errors", "toy_study", "pull_summary",
    "truth_compatibility", "finite_difference_scale", "seed_hessian_survey", "cb_integral_check",
    "SECOND_TOY_SEED", "minuit_numerical_errors", "second_difference_error", "gof_pvalue_bounds",
]

PARAMETERS = ("mu", "sigma", "alpha", "n", "slope", "f_sig")
"""Fit parameters, in the order of every array and table of this module."""

MASS_RANGE = (10.0, 11.0)
"""Default fit range [GeV]."""

TRUTH = {"mu": 10.58, "sigma": 0.04, "alpha": 1.3, "n": 4.0, "slope": 2.5, "f_sig": 0.6}
"""Parameters the book's sample is simulated with (masses in GeV, slope in 1/GeV)."""

START = {"mu": 10.58, "sigma": 0.05, "alpha": 1.5, "n": 5.0, "slope": 1.0, "f_sig": 0.5}
"""Default start values of the fit. ``mu`` starts at the nominal collision energy
10.58 GeV (where e+e- -> mu+mu- peaks); the others deliberately differ from :data:`TRUTH`."""

SAMPLE_SIZE = 100_000
"""Number of events in ``book/data/dimuon_simulated.csv``."""

SAMPLE_SEED = SEED
"""Seed of the stored sample: ``simulate(SAMPLE_SIZE, SAMPLE_SEED)`` (``helpers.SEED``)."""

SAMPLE_FILE = "dimuon_simulated.csv"
"""File name of the stored sample inside :func:`helpers.data.data_dir`."""

MIN_EVENTS = 60
"""Fewest events :func:`fit` accepts: ten per free parameter."""

_SQRT_2PI = math.sqrt(2.0 * math.pi)


class FitError(InputError):
    """Raised when a fit cannot give a trustworthy answer (e.g. its errors are asked for
    although the minimum is invalid or the covariance was forced positive definite)."""


# ============================================================================ validation
def _as_range(mass_range) -> tuple[float, float]:
    try:
        lo, hi = mass_range
    except (TypeError, ValueError):
        raise InputError(f"mass_range must be two numbers (lo, hi), got {mass_range!r}") from None
    lo, hi = as_number(lo, "mass_range lo"), as_number(hi, "mass_range hi")
    if not lo < hi:
        raise InputError(f"mass_range must have lo < hi, got ({lo:g}, {hi:g})")
    return lo, hi


def _as_masses(masses) -> np.ndarray:
    try:
        x = np.asarray(masses, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError("masses must be numbers") from exc
    if x.ndim != 1:
        raise InputError(f"masses must be one-dimensional, got shape {x.shape}")
    if x.size == 0:
        raise InputError("masses is empty: no events to fit")
    bad = np.count_nonzero(~np.isfinite(x))
    if bad:
        raise InputError(f"masses contains {bad} NaN or infinite value(s) out of {x.size}")
    return x


def limits(mass_range=MASS_RANGE) -> dict[str, tuple[float, float]]:
    """Parameter limits of the fit: ``mu`` inside the range, ``sigma`` in [1 MeV, half the
    range], ``alpha`` in [0.05, 10], ``n`` in [1.01, 100], ``slope`` in [-50, 50] /GeV,
    ``f_sig`` in [0, 1]."""
    lo, hi = _as_range(mass_range)
    return {"mu": (lo, hi), "sigma": (1e-3, 0.5 * (hi - lo)), "alpha": (0.05, 10.0),
            "n": (1.01, 100.0), "slope": (-50.0, 50.0), "f_sig": (0.0, 1.0)}


def _as_params(kwargs: dict, name: str, defaults: dict | None = None) -> dict[str, float]:
    """A full parameter dict from keyword values (missing ones from ``defaults``)."""
    unknown = set(kwargs) - set(PARAMETERS)
    if unknown:
        raise InputError(f"unknown parameter(s) {sorted(unknown)}; the parameters are {list(PARAMETERS)}")
    full = dict(defaults or {})
    full.update(kwargs)
    missing = [p for p in PARAMETERS if p not in full]
    if missing:
        raise InputError(f"{name} lacks parameter(s) {missing}")
    out = {p: as_number(full[p], f"{name} {p}") for p in PARAMETERS}
    if out["sigma"] <= 0 or out["alpha"] <= 0:
        raise InputError(f"{name}: sigma and alpha must be positive, got sigma={out['sigma']:g}, "
                         f"alpha={out['alpha']:g}")
    if out["n"] <= 1:
        raise InputError(f"{name}: n must be > 1, got {out['n']:g}")
    if not 0 <= out["f_sig"] <= 1:
        raise InputError(f"{name}: f_sig must lie in [0, 1], got {out['f_sig']:g}")
    return out


# ============================================================================ closed forms
def _phi2(z: float) -> float:
    """:math:`\\int_0^1 x e^{zx} dx`, accurate for every z (series near 0)."""
    if abs(z) < 0.5:
        term, total, k = 1.0, 0.5, 0
        while True:  # sum_k z^k / (k! (k + 2))
            k += 1
            term *= z / k
            add = term / (k + 2)
            total += add
            if abs(add) < 1e-17 * abs(total):
                return total
    return (math.exp(z) * (z - 1.0) + 1.0) / (z * z)


def _cb_consts(alpha: float, n: float) -> tuple[float, float]:
    """``(log A, B)`` of the Crystal Ball tail :math:`A (B - t)^{-n}`."""
    return n * math.log(n / alpha) - 0.5 * alpha * alpha, n / alpha - alpha


def _cb_h(t: float, alpha: float, n: float) -> float:
    """The unnormalised Crystal Ball (peak height 1) at one standardised point t."""
    if t > -alpha:
        return math.exp(-0.5 * t * t)
    log_a, b = _cb_consts(alpha, n)
    return math.exp(log_a - n * math.log(b - t))


def _cb_j(ta: float, tb: float, alpha: float, n: float, derivatives: bool = False):
    """:math:`J = \\int_{t_a}^{t_b} h(t)\\,dt` of the standardised Crystal Ball.

    Gaussian part :math:`\\sqrt{2\\pi}\\,[\\Phi(t_b) - \\Phi(\\max(t_a, -\\alpha))]`; tail part with
    :math:`u = B - t`, :math:`u_2 = B - \\min(t_b, -\\alpha)`, :math:`L = \\ln(u_1/u_2)`:
    :math:`T = A u_2^{1-n} L\\,\\mathrm{exprel}((1-n)L)` (exact for every n, no cancellation
    near n = 1). With ``derivatives`` also returns :math:`\\partial J/\\partial\\alpha` and
    :math:`\\partial J/\\partial n` (only the tail depends on them; h is continuous at the
    junction, so the moving junction adds nothing).
    """
    gauss = tail = d_alpha = d_n = 0.0
    if tb > -alpha:
        tl = max(ta, -alpha)
        if tl < 0:
            gauss = _SQRT_2PI * (ndtr(tb) - ndtr(tl))
        else:
            gauss = _SQRT_2PI * (ndtr(-tl) - ndtr(-tb))
    if ta < -alpha:
        log_a, b = _cb_consts(alpha, n)
        th = min(tb, -alpha)
        u2 = b - th
        big_l = math.log1p((th - ta) / u2)
        q = 1.0 - n
        p = math.exp(log_a + q * math.log(u2)) * big_l           # A u2^(1-n) L
        tail = p * exprel(q * big_l)
        if derivatives:
            r = math.exp(log_a - n * math.log(u2)) * big_l * exprel(-n * big_l)  # int A u^(-n-1)
            k = p * (math.log(u2) * exprel(q * big_l) + big_l * _phi2(q * big_l))  # int A u^-n ln u
            d_alpha = (-n / alpha - alpha) * tail + n * (n / alpha**2 + 1.0) * r
            d_n = (math.log(n / alpha) + 1.0) * tail - k - (n / alpha) * r
    j = gauss + tail
    return (j, d_alpha, d_n) if derivatives else j


def cb_integral(lo, hi, mu, sigma, alpha, n) -> float:
    """Closed-form :math:`\\int_{lo}^{hi} CB(m)\\,dm` of the Crystal Ball with peak height 1.

    ``CB(m) = exp(-t^2/2)`` for :math:`t = (m-\\mu)/\\sigma > -\\alpha`, else
    :math:`A (B - t)^{-n}`. Any ``lo < hi`` (also entirely in the tail or the core).
    """
    lo, hi = _as_range((lo, hi))
    mu, sigma = as_number(mu, "mu"), as_number(sigma, "sigma", positive=True)
    alpha, n = as_number(alpha, "alpha", positive=True), as_number(n, "n", positive=True)
    return sigma * _cb_j((lo - mu) / sigma, (hi - mu) / sigma, alpha, n)


def _log_shc(z: float) -> float:
    """:math:`\\ln(\\sinh z / z)`, even in z, without overflow."""
    a = abs(z)
    if a < 1e-3:
        return a * a / 6.0 - a**4 / 180.0
    return a + math.log1p(-math.exp(-2.0 * a)) - math.log(2.0 * a)


def _langevin(z: float) -> float:
    """:math:`\\coth z - 1/z` (derivative of :func:`_log_shc`)."""
    if abs(z) < 1e-3:
        return z / 3.0 - z**3 / 45.0
    return 1.0 / math.tanh(z) - 1.0 / z


class _Norms:
    """Normalisations of both components and the derivatives of their logarithms."""

    __slots__ = ("log_i", "d_log_i", "log_ne", "d_log_ne", "log_a", "b")

    def __init__(self, lo, hi, mu, sigma, alpha, n, slope, derivatives=True):
        ta, tb = (lo - mu) / sigma, (hi - mu) / sigma
        self.log_a, self.b = _cb_consts(alpha, n)
        half = 0.5 * (hi - lo)
        # background: integral of exp(slope (m - m0)) = 2 half sinh(slope half)/(slope half)
        self.log_ne = math.log(2.0 * half) + _log_shc(slope * half)
        self.d_log_ne = half * _langevin(slope * half)
        if derivatives:
            j, dj_alpha, dj_n = _cb_j(ta, tb, alpha, n, derivatives=True)
            integral = sigma * j
            ha, hb = _cb_h(ta, alpha, n), _cb_h(tb, alpha, n)
            self.d_log_i = ((ha - hb) / integral,                       # d/dmu
                            (j - (tb * hb - ta * ha)) / integral,       # d/dsigma
                            dj_alpha / j, dj_n / j)
        else:
            integral = sigma * _cb_j(ta, tb, alpha, n)
            self.d_log_i = None
        if not integral > 0:
            raise InputError("the Crystal Ball has no probability inside the fit range")
        self.log_i = math.log(integral)


# ============================================================================ densities
def _split_params(params):
    mu, sigma, alpha, n, slope, f = (float(v) for v in params)
    return mu, sigma, alpha, n, slope, f


def _general_parts(m: np.ndarray, params, lo: float, hi: float):
    """Normalised signal and background densities (without f) at any masses (mask-based)."""
    mu, sigma, alpha, n, slope, f = _split_params(params)
    nm = _Norms(lo, hi, mu, sigma, alpha, n, slope, derivatives=False)
    t = (m - mu) / sigma
    tail = t <= -alpha
    logh = -0.5 * t * t
    logh[tail] = nm.log_a - n * np.log(nm.b - t[tail])
    sig = np.exp(logh - nm.log_i)
    bkg = np.exp(slope * (m - 0.5 * (lo + hi)) - nm.log_ne)
    outside = (m < lo) | (m > hi)
    sig[outside] = 0.0
    bkg[outside] = 0.0
    return sig, bkg


def logpdf(m, mu, sigma, alpha, n, slope, f_sig, mass_range=MASS_RANGE) -> np.ndarray:
    """Log of the normalised model density [1/GeV] at masses ``m`` (any shape; ``-inf``
    outside the range). A plain mask-based implementation, for plots and checks."""
    lo, hi = _as_range(mass_range)
    _as_params(dict(mu=mu, sigma=sigma, alpha=alpha, n=n, slope=slope, f_sig=f_sig), "parameters")
    m = np.asarray(m, dtype=float)
    sig, bkg = _general_parts(m.reshape(-1), (mu, sigma, alpha, n, slope, f_sig), lo, hi)
    with np.errstate(divide="ignore"):
        return np.log(bkg + f_sig * (sig - bkg)).reshape(m.shape)


def pdf_components(m, mu, sigma, alpha, n, slope, f_sig, mass_range=MASS_RANGE):
    """``(signal, background)`` densities at ``m`` already weighted by ``f_sig`` and
    ``1 - f_sig`` (their sum is the model density; zero outside the range)."""
    lo, hi = _as_range(mass_range)
    _as_params(dict(mu=mu, sigma=sigma, alpha=alpha, n=n, slope=slope, f_sig=f_sig), "parameters")
    m = np.asarray(m, dtype=float)
    sig, bkg = _general_parts(m.reshape(-1), (mu, sigma, alpha, n, slope, f_sig), lo, hi)
    return (f_sig * sig).reshape(m.shape), ((1.0 - f_sig) * bkg).reshape(m.shape)


def cdf(m, mu, sigma, alpha, n, slope, f_sig, mass_range=MASS_RANGE) -> np.ndarray:
    """Model cumulative distribution on the range, in closed form (0 below, 1 above)."""
    lo, hi = _as_range(mass_range)
    _as_params(dict(mu=mu, sigma=sigma, alpha=alpha, n=n, slope=slope, f_sig=f_sig), "parameters")
    m = np.clip(np.asarray(m, dtype=float), lo, hi)
    ta = (lo - mu) / sigma
    j_all = _cb_j(ta, (hi - mu) / sigma, alpha, n)
    flat = m.reshape(-1)
    sig = np.array([_cb_j(ta, (x - mu) / sigma, alpha, n) for x in flat]) / j_all
    w = hi - lo
    if abs(slope) * w < 1e-12:
        bkg = (flat - lo) / w
    else:
        bkg = np.expm1(slope * (flat - lo)) / math.expm1(slope * w)
    return (f_sig * sig + (1.0 - f_sig) * bkg).reshape(m.shape)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Sum of a*b without BLAS (einsum's own loop: no thread start-up, no temporaries)."""
    return float(np.einsum("i,i->", a, b)) if a.size else 0.0


def _gram(rows: np.ndarray) -> np.ndarray:
    """``rows @ rows.T`` as einsum dot products of the (few) rows."""
    k = rows.shape[0]
    out = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            out[i, j] = out[j, i] = _dot(rows[i], rows[j])
    return out


class FastLogPdf:
    """The log-density handed to ``UnbinnedNLL(..., log=True)``, fast on one fixed sample.

    ``FastLogPdf(masses, mass_range)`` sorts the masses once. Called with that sorted array
    (or a view of the same memory, as the cost function passes it) it takes the fast path:
    the Crystal Ball tail is ``x[:k]`` with ``k`` from one ``searchsorted``, every step writes
    into preallocated buffers, and one exponential per component plus one logarithm is all
    the per-event work. Called with any other array it falls back to :func:`logpdf`.

    :meth:`nll_grad` and :meth:`nll_hessian` are the exact gradient and Hessian of the cost
    :math:`-2\\sum\\ln p`, computed from the buffers of the last evaluation with a few
    weighted sums; :meth:`score` is the per-event gradient (``UnbinnedNLL``'s ``grad``).
    The returned array is a buffer that the next call overwrites: copy it to keep it; the
    bound masses must not be changed in place (derived arrays are computed once).
    """

    def __init__(self, masses, mass_range=MASS_RANGE):
        self.lo, self.hi = _as_range(mass_range)
        self.m0 = 0.5 * (self.lo + self.hi)
        self._limits = limits((self.lo, self.hi))
        self.bind(np.sort(np.asarray(masses, dtype=float)))

    def bind(self, sorted_masses: np.ndarray) -> None:
        """Use ``sorted_masses`` (e.g. the cost function's own copy) as the fast-path data."""
        x = sorted_masses
        if x.ndim != 1 or not x.flags.c_contiguous or (x.size > 1 and np.any(x[1:] < x[:-1])):
            raise InputError("FastLogPdf.bind needs a contiguous, sorted 1-d array")
        self.data = x
        size = x.size
        self._xm0 = x - self.m0
        self._sum_xm0 = float(self._xm0.sum())
        self._t, self._a, self._s, self._e, self._p, self._lp, self._r, self._u, self._lu = (
            np.empty(size) for _ in range(9))
        self._key = None

    def _is_data(self, x) -> bool:
        d = self.data
        return x is d or (isinstance(x, np.ndarray) and x.shape == d.shape
                          and x.strides == d.strides and x.dtype == d.dtype
                          and x.ctypes.data == d.ctypes.data)

    # ------------------------------------------------------------------ evaluation
    def _evaluate(self, params) -> None:
        key = tuple(float(v) for v in params)
        if key == self._key:
            return
        self._key = None
        mu, sigma, alpha, n, slope, f = key
        if not (sigma > 0 and alpha > 0 and n > 1 and 0 <= f <= 1 and math.isfinite(mu + slope)):
            raise InputError(f"parameters outside their domain: {dict(zip(PARAMETERS, key))}")
        nm = _Norms(self.lo, self.hi, mu, sigma, alpha, n, slope)
        x, t, a, s, e, p = self.data, self._t, self._a, self._s, self._e, self._p
        k = int(np.searchsorted(x, mu - alpha * sigma, side="right"))
        np.subtract(x, mu, out=t)
        np.divide(t, sigma, out=t)
        tc, ac = t[k:], a[k:]
        np.multiply(tc, tc, out=ac)
        ac *= -0.5                                     # core: log h = -t^2/2
        if k:
            u, lu, at = self._u[:k], self._lu[:k], a[:k]
            np.subtract(nm.b, t[:k], out=u)
            np.log(u, out=lu)
            np.multiply(lu, -n, out=at)
            at += nm.log_a                             # tail: log h = log A - n log(B - t)
            np.reciprocal(u, out=u)                    # keep 1/u for the gradient
        np.subtract(a, nm.log_i, out=s)
        np.exp(s, out=s)                               # normalised signal density
        np.multiply(self._xm0, slope, out=e)
        e -= nm.log_ne
        np.exp(e, out=e)                               # normalised background density
        np.subtract(s, e, out=p)
        p *= f
        p += e                                         # p = f s + (1 - f) e
        np.log(p, out=self._lp)
        self._k, self._norms, self._key = k, nm, key

    def __call__(self, x, mu, sigma, alpha, n, slope, f_sig):
        params = (mu, sigma, alpha, n, slope, f_sig)
        if self._is_data(x):
            self._evaluate(params)
            return self._lp
        return logpdf(x, *params, mass_range=(self.lo, self.hi))

    def nll(self, *params) -> float:
        """The cost :math:`-2\\sum_i \\ln p(m_i)` over the bound sample."""
        self._evaluate(params)
        return -2.0 * float(self._lp.sum())

    def nll_grad(self, *params) -> np.ndarray:
        """Exact gradient of :meth:`nll` (order :data:`PARAMETERS`).

        With :math:`R_i = S_i/p_i` (signal density over total) the log-likelihood gradient
        is a few weighted sums: e.g. :math:`\\partial_{f}\\ln L = \\sum R_i - \\sum E_i/p_i`
        and :math:`\\partial_\\mu \\ln L = f \\sum R_i (\\partial_\\mu \\ln h_i - \\partial_\\mu \\ln I)`.
        """
        self._evaluate(params)
        mu, sigma, alpha, n, slope, f = self._key
        nm, k, size = self._norms, self._k, self.data.size
        r = self._r
        np.divide(self._s, self._p, out=r)             # R = s/p; signal weight W = f R
        rc, rt = r[k:], r[:k]
        sum_r, sum_rt = float(r.sum()), float(rt.sum())
        d_t = _dot(rc, self._t[k:])
        d_a = _dot(rc, self._a[k:])                    # sum R t^2 = -2 d_a on the core
        d_iu = _dot(rt, self._u[:k])                   # _u holds 1/u on the tail
        d_lu = _dot(rt, self._lu[:k])
        dm, ds, da, dn = nm.d_log_i
        g = np.empty(6)
        g[0] = f * (d_t / sigma - (n / sigma) * d_iu - dm * sum_r)
        g[1] = f * (-2.0 * d_a / sigma - (n / sigma) * (nm.b * d_iu - sum_rt) - ds * sum_r)
        g[2] = f * ((-n / alpha - alpha) * sum_rt + n * (n / alpha**2 + 1.0) * d_iu - da * sum_r)
        g[3] = f * ((math.log(n / alpha) + 1.0) * sum_rt - d_lu - (n / alpha) * d_iu - dn * sum_r)
        g[4] = (self._sum_xm0 - f * _dot(r, self._xm0)) - nm.d_log_ne * (size - f * sum_r)
        g[5] = sum_r - self._sum_q(sum_r)
        return -2.0 * g

    def _sum_q(self, sum_r: float) -> float:
        """:math:`\\sum E_i/p_i`, from :math:`f\\sum R + (1-f)\\sum Q = N` when f < 1."""
        f = self._key[5]
        if f < 1.0:
            return (self.data.size - f * sum_r) / (1.0 - f)
        return float(np.sum(self._e / self._p))

    def nll_hessian(self, *params) -> np.ndarray:
        """Exact Hessian of :meth:`nll` (order :data:`PARAMETERS`).

        With :math:`R = S/p`, :math:`Q = E/p`, :math:`P = RQ`, the signal score
        :math:`d_j = \\partial_j \\ln h - \\partial_j \\ln I` and :math:`b = m - m_0 - \\partial_\\lambda \\ln N_E`,
        the log-likelihood Hessian is (s, s' signal parameters):
        :math:`f\\sum R\\,\\partial^2 \\ln h - f\\sum R\\,\\partial^2\\ln I + f(1-f)\\sum P d d^T`;
        (s, slope) :math:`-f(1-f)\\sum P d b`; (s, f) :math:`\\sum P d`;
        (slope, slope) :math:`f(1-f)\\sum P b^2 - (1-f)\\sum Q\\,\\partial^2_\\lambda \\ln N_E`;
        (slope, f) :math:`-\\sum P b`; (f, f) :math:`-\\sum (R - Q)^2`.
        :math:`\\partial^2 \\ln h` is a polynomial in :math:`1/u` on the tail and in t on the core;
        :math:`\\partial^2 \\ln I` (4 x 4 numbers, not per event) is taken by central differences
        of the closed-form :math:`\\partial \\ln I`.
        """
        self._evaluate(params)
        mu, sigma, alpha, n, slope, f = self._key
        nm, k, size = self._norms, self._k, self.data.size
        b_, ba = nm.b, -(n / alpha**2 + 1.0)           # B and dB/dalpha
        r, t, a, iu, lu = self._r, self._t, self._a, self._u[:k], self._lu[:k]
        np.divide(self._s, self._p, out=r)
        q = self._e / self._p
        rt = r[:k]
        # sum R d2(ln h): core sums in t, tail sums in 1/u
        s0c, s1c, s2c = float(r[k:].sum()), _dot(r[k:], t[k:]), -2.0 * _dot(r[k:], a[k:])
        t0, t1 = float(rt.sum()), _dot(rt, iu)
        t2 = float(np.einsum("i,i,i->", rt, iu, iu)) if k else 0.0
        sg2 = sigma * sigma
        h = np.empty((4, 4))
        h[0, 0] = -s0c / sg2 + n * t2 / sg2
        h[0, 1] = -2.0 * s1c / sg2 + n * b_ * t2 / sg2
        h[1, 1] = -3.0 * s2c / sg2 + n * (b_ * b_ * t2 - t0) / sg2
        h[0, 2] = n * ba * t2 / sigma
        h[0, 3] = -t1 / sigma + n * t2 / (sigma * alpha)
        h[1, 2] = n * ba * (b_ * t2 - t1) / sigma
        h[1, 3] = -(b_ * t1 - t0) / sigma + n * (b_ * t2 - t1) / (sigma * alpha)
        h[2, 2] = (n / alpha**2 - 1.0) * t0 - 2.0 * n * n / alpha**3 * t1 + n * ba * ba * t2
        h[2, 3] = -t0 / alpha + (n / alpha**2 - ba) * t1 + n * ba / alpha * t2
        h[3, 3] = t0 / n - 2.0 * t1 / alpha + n * t2 / alpha**2
        h = np.triu(h) + np.triu(h, 1).T
        # weighted outer products: rows d_mu, d_sigma, d_alpha, d_n, b, 1, times sqrt(P)
        rows = np.empty((6, size))
        dm, ds, da, dn = nm.d_log_i
        np.divide(t[k:], sigma, out=rows[0, k:])
        np.multiply(iu, -n / sigma, out=rows[0, :k])
        np.multiply(a[k:], -2.0 / sigma, out=rows[1, k:])
        np.multiply(iu, -n * b_ / sigma, out=rows[1, :k])
        rows[1, :k] += n / sigma
        rows[2, k:] = 0.0
        np.multiply(iu, n * (n / alpha**2 + 1.0), out=rows[2, :k])
        rows[2, :k] += -n / alpha - alpha
        rows[3, k:] = 0.0
        np.multiply(iu, -n / alpha, out=rows[3, :k])
        rows[3, :k] -= lu
        rows[3, :k] += math.log(n / alpha) + 1.0
        rows[:4] -= np.array([dm, ds, da, dn])[:, None]
        np.subtract(self._xm0, nm.d_log_ne, out=rows[4])
        w = np.sqrt(r * q)
        rows[5] = 1.0
        rows *= w
        m = _gram(rows)                                 # m[i, j] = sum P row_i row_j
        hess = np.empty((6, 6))
        ff = f * (1.0 - f)
        hess[:4, :4] = f * h - f * float(r.sum()) * self._d2_log_i() + ff * m[:4, :4]
        hess[:4, 4] = -ff * m[:4, 4]
        hess[:4, 5] = m[:4, 5]
        hess[4, 4] = ff * m[4, 4] - (1.0 - f) * float(q.sum()) * self._d2_log_ne()
        hess[4, 5] = -m[4, 5]
        np.subtract(r, q, out=q)
        hess[5, 5] = -_dot(q, q)
        hess[4:, :4] = hess[:4, 4:].T
        hess[5, 4] = hess[4, 5]
        return -2.0 * hess

    def nll_g2(self, *params) -> np.ndarray:
        """Diagonal of :meth:`nll_hessian`."""
        return np.diag(self.nll_hessian(*params)).copy()

    def _d2_log_i(self) -> np.ndarray:
        """Second derivatives of ln(integral of CB) in (mu, sigma, alpha, n): central
        differences of the closed-form first derivatives (relative step 1e-5)."""
        mu, sigma, alpha, n = self._key[:4]
        x0 = np.array([mu, sigma, alpha, n])
        steps = 1e-5 * np.array([sigma, sigma, alpha, n])
        out = np.empty((4, 4))
        for j in range(4):
            up, down = x0.copy(), x0.copy()
            up[j] += steps[j]
            down[j] -= steps[j]
            gu = _Norms(self.lo, self.hi, *up, 0.0).d_log_i
            gd = _Norms(self.lo, self.hi, *down, 0.0).d_log_i
            out[:, j] = (np.array(gu) - np.array(gd)) / (2.0 * steps[j])
        return 0.5 * (out + out.T)

    def _d2_log_ne(self) -> float:
        """d^2/dslope^2 of ln(integral of exp(slope (m - m0))) = half^2 (1/z^2 - 1/sinh^2 z)."""
        half = 0.5 * (self.hi - self.lo)
        z = self._key[4] * half
        if abs(z) < 1e-2:
            return half * half * (1.0 / 3.0 - z * z / 15.0 + 2.0 * z**4 / 189.0)
        return half * half * (1.0 / (z * z) - 1.0 / math.sinh(z) ** 2)

    def nll_hessian_numeric(self, *params) -> np.ndarray:
        """Hessian of :meth:`nll` by central differences of the exact gradient (a check of
        :meth:`nll_hessian`). Steps 1e-4 of each parameter's natural scale, inside the limits."""
        x0 = np.array(params, dtype=float)
        mu, sigma, alpha, n, slope, f = x0
        h = 1e-4 * np.array([sigma, sigma, alpha, n, 1.0, max(min(f, 1.0 - f), 1e-3)])
        hess = np.empty((6, 6))
        for j, name in enumerate(PARAMETERS):
            lo, hi = self._limits[name]
            up, down = x0.copy(), x0.copy()
            up[j] = min(x0[j] + h[j], hi)
            down[j] = max(x0[j] - h[j], lo)
            hess[:, j] = (self.nll_grad(*up) - self.nll_grad(*down)) / (up[j] - down[j])
        self._evaluate(x0)
        return 0.5 * (hess + hess.T)

    def score(self, x, mu, sigma, alpha, n, slope, f_sig) -> np.ndarray:
        """Per-event gradient of the log-density, shape (6, len(x)) (mask-based; slow path)."""
        m = np.asarray(x, dtype=float)
        nm = _Norms(self.lo, self.hi, mu, sigma, alpha, n, slope)
        sig, bkg = _general_parts(m, (mu, sigma, alpha, n, slope, f_sig), self.lo, self.hi)
        p = bkg + f_sig * (sig - bkg)
        w = f_sig * sig / p
        t = (m - mu) / sigma
        tail = t <= -alpha
        u = np.where(tail, nm.b - t, 1.0)
        dm, ds, da, dn = nm.d_log_i
        out = np.empty((6, m.size))
        out[0] = w * (np.where(tail, -n / (sigma * u), t / sigma) - dm)
        out[1] = w * (np.where(tail, -n * t / (sigma * u), t * t / sigma) - ds)
        out[2] = w * (np.where(tail, -n / alpha - alpha + n * (n / alpha**2 + 1) / u, 0.0) - da)
        out[3] = w * (np.where(tail, math.log(n / alpha) + 1 - np.log(u) - n / (alpha * u), 0.0) - dn)
        out[4] = (1.0 - w) * (m - self.m0 - nm.d_log_ne)
        out[5] = (sig - bkg) / p
        return out


# ============================================================================ sampling
def simulate(size: int, seed=SAMPLE_SEED, mass_range=MASS_RANGE, **params) -> np.ndarray:
    """``size`` masses drawn from the model (parameters default to :data:`TRUTH`).

    ``numpy.random.default_rng(seed)`` (an int, a SeedSequence or a Generator) draws the
    number of signal events from a binomial with ``f_sig``, then uniforms that are mapped
    through the inverse CDFs of the truncated Crystal Ball (``scipy.stats.crystalball``)
    and of the truncated exponential, then shuffles. Same seed, same masses.
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise InputError(f"size must be a positive integer, got {size!r}")
    lo, hi = _as_range(mass_range)
    par = _as_params(params, "simulate", TRUTH)
    rng = np.random.default_rng(seed)
    n_sig = int(rng.binomial(size, par["f_sig"]))
    cb = stats.crystalball(par["alpha"], par["n"], loc=par["mu"], scale=par["sigma"])
    c_lo, c_hi = cb.cdf(lo), cb.cdf(hi)
    if not c_hi > c_lo:
        raise InputError("the Crystal Ball has no probability inside mass_range")
    sig = cb.ppf(c_lo + (c_hi - c_lo) * rng.uniform(size=n_sig))
    v = rng.uniform(size=size - n_sig)
    s, w = par["slope"], hi - lo
    bkg = lo + (v * w if abs(s) * w < 1e-12 else np.log1p(v * math.expm1(s * w)) / s)
    out = np.concatenate([sig, bkg])
    rng.shuffle(out)
    return np.clip(out, lo, hi)


def sample_csv_text() -> str:
    """The exact content of ``book/data/dimuon_simulated.csv`` (regenerated from the seed).

    Masses are written with 6 decimals (1 keV, far below the 40 MeV resolution).
    """
    x = simulate(SAMPLE_SIZE, SAMPLE_SEED)
    truth = ", ".join(f"{k}={v:g}" for k, v in TRUTH.items())
    header = [
        "# Simulated di-muon invariant masses [GeV] for the unbinned-fit chapter (issue 11).",
        f"# Model: f_sig * CrystalBall(mu, sigma, alpha, n) + (1 - f_sig) * exp(slope*(m - m0)), "
        f"truncated to [{MASS_RANGE[0]:g}, {MASS_RANGE[1]:g}] GeV.",
        f"# Truth: {truth} (slope in 1/GeV).",
        f"# Generated by helpers.dimuon.write_sample(): simulate({SAMPLE_SIZE}, seed={SAMPLE_SEED}), "
        "numpy.random.default_rng; rounded to 1e-6 GeV.",
        "mass",
    ]
    return "\n".join(header + [f"{v:.6f}" for v in x]) + "\n"


def write_sample(path=None) -> Path:
    """Write :func:`sample_csv_text` to ``path`` (default: the book's data folder)."""
    if path is None:
        from .data import data_dir
        path = data_dir() / SAMPLE_FILE
    path = Path(path)
    path.write_text(sample_csv_text())
    return path


def load() -> np.ndarray:
    """The book's sample: ``book/data/dimuon_simulated.csv`` as a float array [GeV]."""
    from .data import data_dir
    path = data_dir() / SAMPLE_FILE
    if not path.is_file():
        raise InputError(f"{path} not found; regenerate it with helpers.dimuon.write_sample()")
    return pd.read_csv(path, comment="#")["mass"].to_numpy(dtype=float)


# ============================================================================ fit
def _start_values(start, lo: float, hi: float) -> dict[str, float]:
    if start is not None and not isinstance(start, dict):
        raise InputError(f"start must be a dict of parameter values, got {start!r}")
    par = _as_params(dict(start or {}), "start", START)
    if not lo < par["mu"] < hi:
        raise InputError(
            f"mass_range [{lo:g}, {hi:g}] GeV excludes the peak: the start value mu = "
            f"{par['mu']:g} GeV lies outside; widen the range or pass start={{'mu': ...}}")
    for name, (a, b) in limits((lo, hi)).items():
        if not a <= par[name] <= b:
            raise InputError(f"start value {name} = {par[name]:g} lies outside its limits [{a:g}, {b:g}]")
    return par


def fit(masses, mass_range=MASS_RANGE, minos: bool = False, drop_outside: bool = False,
        start: dict | None = None) -> DimuonFit:
    """Unbinned maximum-likelihood fit of the model to ``masses`` [GeV].

    Parameters
    ----------
    masses : array_like
        Invariant masses, 1-d, finite.
    mass_range : (float, float)
        Fit range ``(lo, hi)``, lo < hi; it must contain the peak (``mu``'s start value).
    minos : bool
        Also run MINOS on every parameter.
    drop_outside : bool
        Drop masses outside the range (otherwise they are an error; the count is reported
        in :attr:`DimuonFit.n_dropped`).
    start : dict, optional
        Start values overriding :data:`START` (any subset of :data:`PARAMETERS`).

    Returns
    -------
    DimuonFit
        MIGRAD + HESSE (+ MINOS) on ``UnbinnedNLL(..., log=True)`` with :class:`FastLogPdf`,
        the parameter :func:`limits`, ``strategy=1`` and ``tol=1e-3`` (EDM < 2e-6: the
        minimum is located to ~0.002 sigma).

    Raises
    ------
    InputError
        Empty masses, NaN/inf, masses outside the range (says how many) unless
        ``drop_outside``, fewer than :data:`MIN_EVENTS` events, a range that excludes the
        peak start, ``lo >= hi``, bad start values.
    """
    lo, hi = _as_range(mass_range)
    x = _as_masses(masses)
    outside = (x < lo) | (x > hi)
    n_out = int(np.count_nonzero(outside))
    if n_out and not drop_outside:
        raise InputError(
            f"{n_out} of {x.size} masses lie outside mass_range [{lo:g}, {hi:g}] GeV; "
            "select them first or pass drop_outside=True")
    x = x[~outside] if n_out else x
    if x.size < MIN_EVENTS:
        raise InputError(
            f"too few events: {x.size} in mass_range [{lo:g}, {hi:g}] GeV, but a fit of "
            f"{len(PARAMETERS)} parameters needs at least {MIN_EVENTS}")
    par = _start_values(start, lo, hi)
    model = FastLogPdf(x, (lo, hi))
    cost = UnbinnedNLL(model.data, model, log=True, grad=model.score)
    model.bind(cost.data)   # the cost keeps its own (sorted) copy: make that the fast path
    with warnings.catch_warnings():
        # iminuit 2.33 calls g2 when the Hessian at the start is not positive definite and
        # fails with "'NoneType' object is not callable" if there is none: pass its diagonal
        warnings.filterwarnings("ignore", "hessian overrides g2")
        m = Minuit(cost, **par, grad=model.nll_grad, hessian=model.nll_hessian, g2=model.nll_g2)
    for name, lim in limits((lo, hi)).items():
        m.limits[name] = lim
    m.errors["mu"] = m.errors["sigma"] = 0.2 * par["sigma"]
    m.errors["f_sig"] = 0.05
    m.strategy = 1
    m.tol = 1e-3
    m.migrad()
    if m.valid:
        m.hesse()
    if minos and m.valid and m.accurate:
        m.minos()
    return DimuonFit(m, cost, model, n_dropped=n_out, mass_range=(lo, hi), minos=minos)


class DimuonFit:
    """Result of :func:`fit`.

    Attributes
    ----------
    values : pandas.Series
        Fitted parameters by name (:data:`PARAMETERS`).
    errors, covariance, correlation : pandas.Series / DataFrame
        HESSE errors, covariance and correlation. Raise :class:`FitError` unless :attr:`ok`.
    minos_errors : pandas.DataFrame
        MINOS ``lower`` / ``upper`` offsets (with ``minos=True``); raises :class:`FitError`
        unless the fit and every MINOS interval are valid.
    valid, has_accurate_covar, has_made_posdef_covar, has_parameters_at_limit : bool
        Minuit's flags. :attr:`ok` is ``valid and has_accurate_covar and not
        has_made_posdef_covar and not has_parameters_at_limit``; :attr:`problems` lists what
        failed, :attr:`summary` says it in words.
    chi2, ndf, pvalue : float, int, float
        Binned goodness of fit with 100 bins (see :meth:`gof`).
    nll : float
        :math:`-\\ln L` at the minimum; ``minuit`` is the Minuit object, ``cost`` the
        ``UnbinnedNLL``, ``model`` the :class:`FastLogPdf`.
    n_events, n_dropped, mass_range, masses
        Events fitted, events dropped as outside, the range, the (sorted) fitted masses.
    """

    def __init__(self, minuit: Minuit, cost: UnbinnedNLL, model: FastLogPdf, *, n_dropped: int,
                 mass_range, minos: bool):
        self.minuit = minuit
        self.cost = cost
        self.model = model
        self.masses = model.data
        self.n_events = int(model.data.size)
        self.n_dropped = int(n_dropped)
        self.mass_range = tuple(mass_range)
        fmin = minuit.fmin
        self.valid = bool(fmin.is_valid)
        self.has_covariance = bool(fmin.has_covariance)
        self.has_accurate_covar = bool(fmin.has_accurate_covar)
        self.has_made_posdef_covar = bool(fmin.has_made_posdef_covar)
        self.has_parameters_at_limit = bool(fmin.has_parameters_at_limit)
        self.hesse_failed = bool(fmin.hesse_failed)
        self.edm = float(fmin.edm)
        self.nll = 0.5 * float(fmin.fval)
        self.values = pd.Series([float(v) for v in minuit.values], index=list(PARAMETERS), name="value")
        self._minos = minos
        self._gof = {}

    # ------------------------------------------------------------------ flags
    @property
    def problems(self) -> tuple[str, ...]:
        """What is wrong with the fit, in words (empty if nothing)."""
        out = []
        fmin = self.minuit.fmin
        if not self.valid:
            why = [f"EDM {self.edm:.2g}, goal {fmin.edm_goal:.2g}"]
            if fmin.has_reached_call_limit:
                why.append("call limit reached")
            out.append(f"MIGRAD found no valid minimum ({', '.join(why)})")
        if self.hesse_failed:
            out.append("HESSE failed")
        if self.has_made_posdef_covar:
            out.append("the covariance was forced positive definite")
        elif not self.has_accurate_covar:
            out.append("the covariance is not accurate")
        if self.has_parameters_at_limit:
            at = [p for p in PARAMETERS if self._at_limit(p)]
            out.append(f"parameter(s) at a limit: {', '.join(at) if at else 'unknown'}")
        return tuple(out)

    def _at_limit(self, name: str) -> bool:
        lo, hi = self.minuit.limits[name]
        v, e = self.minuit.values[name], self.minuit.errors[name]
        return abs(v - lo) < 0.5 * e or abs(hi - v) < 0.5 * e

    @property
    def ok(self) -> bool:
        """True if the errors can be trusted (no :attr:`problems`)."""
        return not self.problems

    def _require_ok(self, what: str) -> None:
        if not self.ok:
            raise FitError(f"no {what}: {'; '.join(self.problems)}. Inspect result.minuit; "
                           "do not quote these errors")

    # ------------------------------------------------------------------ errors
    @property
    def errors(self) -> pd.Series:
        """HESSE errors by name; raises :class:`FitError` unless :attr:`ok`."""
        self._require_ok("errors")
        return pd.Series([float(v) for v in self.minuit.errors], index=list(PARAMETERS), name="error")

    @property
    def covariance(self) -> pd.DataFrame:
        """HESSE covariance; raises :class:`FitError` unless :attr:`ok`."""
        self._require_ok("covariance")
        return pd.DataFrame(np.array(self.minuit.covariance), index=list(PARAMETERS), columns=list(PARAMETERS))

    @property
    def correlation(self) -> pd.DataFrame:
        """Correlation matrix from :attr:`covariance`."""
        cov = self.covariance.to_numpy()
        d = np.sqrt(np.diag(cov))
        return pd.DataFrame(cov / np.outer(d, d), index=list(PARAMETERS), columns=list(PARAMETERS))

    @property
    def minos_errors(self) -> pd.DataFrame:
        """MINOS ``lower`` (negative) and ``upper`` offsets by parameter (``fit(minos=True)``)."""
        if not self._minos:
            raise FitError("MINOS was not run: call fit(..., minos=True)")
        self._require_ok("MINOS errors")
        me = self.minuit.merrors
        bad = [p for p in PARAMETERS if p not in me or not me[p].is_valid]
        if bad:
            raise FitError(f"MINOS failed for {', '.join(bad)}: no asymmetric errors")
        return pd.DataFrame({"lower": [me[p].lower for p in PARAMETERS],
                             "upper": [me[p].upper for p in PARAMETERS]}, index=list(PARAMETERS))

    def table(self, truth: dict | None = None) -> pd.DataFrame:
        """``value`` and ``error`` per parameter (plus MINOS ``lower``/``upper`` if run);
        with ``truth`` (e.g. :data:`TRUTH`) also ``truth`` and ``pull`` = (value - truth)/error.
        Raises :class:`FitError` unless :attr:`ok`."""
        out = pd.DataFrame({"value": self.values, "error": self.errors})
        if self._minos:
            out = out.join(self.minos_errors)
        if truth is not None:
            tr = _as_params(dict(truth), "truth")
            out["truth"] = pd.Series(tr)
            out["pull"] = (out["value"] - out["truth"]) / out["error"]
        return out

    # ------------------------------------------------------------------ densities
    def params(self) -> dict[str, float]:
        """Fitted values as a plain dict."""
        return self.values.to_dict()

    def density(self, m) -> np.ndarray:
        """Fitted model density [1/GeV] at ``m``."""
        return np.exp(logpdf(m, **self.params(), mass_range=self.mass_range))

    def components(self, m):
        """``(signal, background)`` fitted densities at ``m`` (weighted by f_sig, 1 - f_sig)."""
        return pdf_components(m, **self.params(), mass_range=self.mass_range)

    def binned(self, bins: int = 100) -> pd.DataFrame:
        """Histogram of the data with the fit's expectation per bin.

        Columns ``left, right, center, count, expected, pull`` with the expectation
        :math:`N \\int_{bin} p` in closed form and pull :math:`(n - \\nu)/\\sqrt{\\nu}`.
        """
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
            raise InputError(f"bins must be a positive integer, got {bins!r}")
        lo, hi = self.mass_range
        edges = np.linspace(lo, hi, int(bins) + 1)
        count, _ = np.histogram(self.masses, edges)
        expected = self.n_events * np.diff(cdf(edges, **self.params(), mass_range=self.mass_range))
        with np.errstate(divide="ignore", invalid="ignore"):
            pull = (count - expected) / np.sqrt(expected)
        return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "center": 0.5 * (edges[:-1] + edges[1:]),
                             "count": count, "expected": expected, "pull": pull})

    def gof(self, bins: int = 100, min_expected: float = 5.0) -> dict:
        """Pearson :math:`\\chi^2` of the binned data against the fit.

        Adjacent bins are merged from the left until each group expects more than
        ``min_expected`` events (a short remainder joins the last group).
        ``ndf = groups - 1 - 6``: the total is fixed by the (non-extended) likelihood and six
        parameters were fitted. Since they were fitted unbinned, the true distribution lies
        between chi2(ndf) and chi2(ndf + 6); the p-value uses chi2(ndf).

        Returns ``{"chi2", "ndf", "pvalue", "groups", "min_expected"}`` (the last is the
        smallest expectation of a group).
        """
        key = (int(bins), float(min_expected))
        if key not in self._gof:
            table = self.binned(bins)
            groups, obs, exp_ = [], [], []
            acc_o = acc_e = 0.0
            for c, e in zip(table["count"], table["expected"]):
                acc_o, acc_e = acc_o + c, acc_e + e
                if acc_e > min_expected:
                    obs.append(acc_o)
                    exp_.append(acc_e)
                    acc_o = acc_e = 0.0
            if acc_e > 0 or acc_o > 0:
                if obs:
                    obs[-1] += acc_o
                    exp_[-1] += acc_e
                else:
                    obs.append(acc_o)
                    exp_.append(acc_e)
            obs, exp_ = np.array(obs), np.array(exp_)
            ndf = len(obs) - 1 - len(PARAMETERS)
            chi2 = float(np.sum((obs - exp_) ** 2 / exp_))
            pval = float(stats.chi2.sf(chi2, ndf)) if ndf > 0 else float("nan")
            self._gof[key] = {"chi2": chi2, "ndf": int(ndf), "pvalue": pval, "groups": len(obs),
                              "min_expected": float(exp_.min())}
        return dict(self._gof[key])

    @property
    def chi2(self) -> float:
        """Binned :math:`\\chi^2` (100 bins, merged to expectation > 5)."""
        return self.gof()["chi2"]

    @property
    def ndf(self) -> int:
        """Degrees of freedom of :attr:`chi2`."""
        return self.gof()["ndf"]

    @property
    def pvalue(self) -> float:
        """p-value of :attr:`chi2`."""
        return self.gof()["pvalue"]

    # ------------------------------------------------------------------ text
    @property
    def summary(self) -> str:
        """Human-readable result; starts with ``WARNING`` if the errors cannot be trusted."""
        lo, hi = self.mass_range
        head = f"Unbinned ML fit of {self.n_events} events in [{lo:g}, {hi:g}] GeV"
        if self.n_dropped:
            head += f" ({self.n_dropped} outside dropped)"
        if not self.ok:
            lines = [f"WARNING: {'; '.join(self.problems)} -- the errors are NOT reliable.", head]
            lines += [f"  {p:6s} = {v:.6g} (no error)" for p, v in self.values.items()]
            return "\n".join(lines)
        err = self.errors
        lines = [head + f": valid minimum, accurate covariance; -ln L = {self.nll:.3f}"]
        lines += [f"  {p:6s} = {self.values[p]:.6g} +- {err[p]:.2g}" for p in PARAMETERS]
        g = self.gof()
        lines.append(f"  binned chi2/ndf = {g['chi2']:.1f}/{g['ndf']}, p = {g['pvalue']:.3f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary


# ============================================================================ diagnostics
def profile(result: DimuonFit, parameter: str, bound: float = 3.0, size: int = 31) -> pd.DataFrame:
    """Profile of :math:`-2\\Delta\\ln L` in one parameter (the others re-minimised).

    ``bound`` is in units of the HESSE error around the minimum (clipped to the limits).
    Uses Minuit's ``mnprofile``. Columns ``value, delta, valid`` and ``parabola``, the
    HESSE approximation :math:`((x - \\hat x)/\\sigma)^2`.
    """
    if parameter not in PARAMETERS:
        raise InputError(f"unknown parameter {parameter!r}; choose one of {list(PARAMETERS)}")
    bound = as_number(bound, "bound", positive=True)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 3:
        raise InputError(f"size must be an integer >= 3, got {size!r}")
    err = result.errors[parameter]
    v = result.values[parameter]
    lo, hi = result.minuit.limits[parameter]
    grid = np.linspace(max(v - bound * err, lo), min(v + bound * err, hi), int(size))
    x, y, ok = result.minuit.mnprofile(parameter, grid=grid, subtract_min=True)
    return pd.DataFrame({"value": x, "delta": y, "valid": np.asarray(ok, bool),
                         "parabola": ((x - v) / err) ** 2})


def seed_hessian_errors(result: DimuonFit, step: float = 1e-5) -> pd.DataFrame:
    """The seed script's error method next to HESSE, on the same fit and the same minimum.

    The seed takes :math:`-\\ln L` and a one-sided, fixed-step Hessian
    :math:`H_{ij} = [f(x + \\epsilon e_i + \\epsilon e_j) - f(x + \\epsilon e_i) - f(x + \\epsilon e_j) + f(x)]/\\epsilon^2`
    with :math:`\\epsilon` = ``step`` in every parameter, then
    :math:`\\sigma_i = \\sqrt{|(H^{-1})_{ii}|}`.

    The fixed step is far below the natural scale of the weakly constrained parameters
    (alpha, n): there the second difference is ~1e-10 of the NLL, the size of its
    floating-point rounding, so the result is noise at the per-cent level.

    Returns a DataFrame indexed by parameter with ``value``, ``hesse`` (this module's
    HESSE error, from the exact Hessian), ``seed_method`` and ``rel_diff`` = seed/hesse - 1;
    also ``minuit_numerical`` and ``minuit_rel_diff``: Minuit's own numerical HESSE
    (strategy 1, no derivatives supplied, same limits) on the same minimum.
    """
    step = as_number(step, "step", positive=True)
    hesse = result.errors
    x0 = result.values.to_numpy()
    model = result.model

    def nll(x):
        return 0.5 * model.nll(*x)

    f0 = nll(x0)
    eye = np.eye(6)
    fi = [nll(x0 + step * eye[i]) for i in range(6)]
    hess = np.empty((6, 6))
    for i in range(6):
        for j in range(i, 6):
            hess[i, j] = hess[j, i] = (nll(x0 + step * (eye[i] + eye[j])) - fi[i] - fi[j] + f0) / step**2
    with np.errstate(invalid="ignore"):
        seed_err = np.sqrt(np.abs(np.diag(np.linalg.inv(hess))))
    plain = Minuit(model.nll, *x0, name=PARAMETERS, grad=False, hessian=False)
    for name, lim in limits(result.mass_range).items():
        plain.limits[name] = lim
    plain.errors = hesse.to_numpy()
    plain.strategy = 1
    plain.hesse()
    num = np.array([float(e) for e in plain.errors])
    model._evaluate(x0)
    return pd.DataFrame({"value": x0, "hesse": hesse.to_numpy(), "seed_method": seed_err,
                         "rel_diff": seed_err / hesse.to_numpy() - 1.0,
                         "minuit_numerical": num,
                         "minuit_rel_diff": num / hesse.to_numpy() - 1.0},
                        index=list(PARAMETERS))


# ============================================================================ toys
def toy_study(n_toys: int, size: int, seed=SEED, progress: bool = False, truth: dict | None = None,
              mass_range=MASS_RANGE) -> pd.DataFrame:
    """Fit ``n_toys`` simulated samples of ``size`` events each.

    Toy ``i`` uses ``numpy.random.SeedSequence(seed).spawn(n_toys)[i]`` (independent,
    reproducible streams). Returns one row per toy: for every parameter ``p`` the fitted
    ``p``, ``p_error`` (HESSE) and ``p_pull`` = (value - truth)/error, plus the flags
    ``valid``, ``has_accurate_covar``, ``has_made_posdef_covar``, ``at_limit`` and ``ok``.
    Errors and pulls are NaN for toys that are not ``ok``. With ``progress=True`` a counter
    is written to stderr (never by default).
    """
    if isinstance(n_toys, bool) or not isinstance(n_toys, (int, np.integer)) or n_toys < 1:
        raise InputError(f"n_toys must be a positive integer, got {n_toys!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < MIN_EVENTS:
        raise InputError(f"size must be an integer >= {MIN_EVENTS} (events per toy), got {size!r}")
    truth = _as_params(dict(truth or {}), "truth", TRUTH)
    rows = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(int(n_toys))):
        x = simulate(size, child, mass_range, **truth)
        res = fit(x, mass_range)
        row = {"toy": i}
        row.update(res.values.to_dict())
        err = res.errors if res.ok else pd.Series(np.nan, index=list(PARAMETERS))
        for p in PARAMETERS:
            row[f"{p}_error"] = float(err[p])
            row[f"{p}_pull"] = (row[p] - truth[p]) / float(err[p])
        row.update(valid=res.valid, has_accurate_covar=res.has_accurate_covar,
                   has_made_posdef_covar=res.has_made_posdef_covar,
                   at_limit=res.has_parameters_at_limit, ok=res.ok)
        rows.append(row)
        if progress:
            sys.stderr.write(f"\rtoy {i + 1}/{n_toys}")
            sys.stderr.flush()
    if progress:
        sys.stderr.write("\n")
    return pd.DataFrame(rows).set_index("toy")


def pull_summary(toys: pd.DataFrame, parameters=("mu", "sigma")) -> pd.DataFrame:
    """Mean and width (standard deviation) of the pulls of the converged toys, with their
    statistical errors :math:`s/\\sqrt{N}` and :math:`s/\\sqrt{2(N-1)}`, the number of toys
    used and the convergence rate (fraction of ``ok`` toys)."""
    rows = {}
    ok = toys["ok"].astype(bool)
    for p in parameters:
        if p not in PARAMETERS:
            raise InputError(f"unknown parameter {p!r}")
        pulls = toys.loc[ok, f"{p}_pull"].to_numpy(float)
        k = pulls.size
        if k < 2:
            raise InputError(f"need at least 2 converged toys, got {k}")
        s = float(np.std(pulls, ddof=1))
        rows[p] = {"mean": float(pulls.mean()), "mean_error": s / math.sqrt(k),
                   "width": s, "width_error": s / math.sqrt(2 * (k - 1)), "n_toys": k,
                   "converged": float(ok.mean())}
    return pd.DataFrame.from_dict(rows, orient="index")


# ============================================================================ chapter extras
def truth_compatibility(result: DimuonFit, truth: dict | None = None) -> dict:
    """How far the fitted parameters lie from ``truth`` (default :data:`TRUTH`) as a whole:
    :math:`\\chi^2 = d^\\mathsf{T} C^{-1} d` with :math:`d` = value - truth and the HESSE
    covariance :math:`C`, its 6 degrees of freedom and p-value (valid for a Gaussian
    estimator). Raises :class:`FitError` unless the fit is ``ok``."""
    tr = _as_params(dict(truth or {}), "truth", TRUTH)
    d = result.values.to_numpy() - np.array([tr[p] for p in PARAMETERS])
    chi2 = float(d @ np.linalg.solve(result.covariance.to_numpy(), d))
    ndf = len(PARAMETERS)
    return {"chi2": chi2, "ndf": ndf, "pvalue": float(stats.chi2.sf(chi2, ndf))}


def finite_difference_scale(result: DimuonFit, step: float = 1e-5) -> pd.DataFrame:
    """Why a fixed-step second difference loses the curvature of weak parameters.

    Per parameter: ``curvature`` = the exact :math:`\\partial^2(-\\ln L)/\\partial\\theta^2` at
    the minimum, ``second_difference`` = step**2 times it (what the seed's formula divides
    by step**2, i.e. the signal it has to see), ``last_bit`` = the spacing of
    double-precision numbers at :math:`|-\\ln L|` (the smallest change of the value the sum
    can express) and ``ratio`` = second_difference / last_bit.
    """
    step = as_number(step, "step", positive=True)
    x0 = result.values.to_numpy()
    curv = np.diag(0.5 * result.model.nll_hessian(*x0)).copy()
    last_bit = float(np.spacing(abs(result.nll)))
    diff = step * step * curv
    return pd.DataFrame({"curvature": curv, "second_difference": diff,
                         "last_bit": last_bit, "ratio": diff / last_bit}, index=list(PARAMETERS))


def seed_hessian_survey(n_samples: int, size: int, seed=SEED, step: float = 1e-5) -> pd.DataFrame:
    """:func:`seed_hessian_errors` on ``n_samples`` simulated samples of ``size`` events.

    Sample ``i`` uses ``numpy.random.SeedSequence(seed).spawn(n_samples)[i]``. One row per
    sample: ``rel_diff`` (seed method / HESSE - 1) of every parameter and ``ok``; fits that
    are not ``ok`` have NaN (HESSE gives no error to compare with).
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise InputError(f"n_samples must be a positive integer, got {n_samples!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < MIN_EVENTS:
        raise InputError(f"size must be an integer >= {MIN_EVENTS}, got {size!r}")
    rows = []
    for child in np.random.SeedSequence(seed).spawn(int(n_samples)):
        res = fit(simulate(size, child))
        if res.ok:
            row = seed_hessian_errors(res, step)["rel_diff"].to_dict()
        else:
            row = dict.fromkeys(PARAMETERS, np.nan)
        row["ok"] = res.ok
        rows.append(row)
    return pd.DataFrame(rows)


def cb_integral_check(lo, hi, mu, sigma, alpha, n) -> dict:
    """:func:`cb_integral` next to an independent numerical integral.

    ``numeric`` integrates ``scipy.stats.crystalball(alpha, n, loc=mu, scale=sigma)``'s
    density divided by its value at the peak (so the peak height is 1, like
    :func:`cb_integral`) with ``scipy.integrate.quad``, telling it where the junction
    :math:`\\mu - \\alpha\\sigma` and the peak lie. Returns ``closed``, ``numeric``,
    ``quad_error`` (quad's own error estimate) and ``rel_diff`` = numeric/closed - 1.
    """
    from scipy.integrate import quad

    closed = float(cb_integral(lo, hi, mu, sigma, alpha, n))
    lo, hi = float(lo), float(hi)
    dist = stats.crystalball(alpha, n, loc=mu, scale=sigma)
    peak = float(dist.pdf(mu))
    inside = [x for x in (mu - alpha * sigma, mu) if lo < x < hi]
    numeric, err = quad(lambda m: float(dist.pdf(m)) / peak, lo, hi, points=inside or None,
                        limit=200, epsabs=0.0, epsrel=1e-12)
    return {"closed": closed, "numeric": float(numeric), "quad_error": float(err),
            "rel_diff": float(numeric) / closed - 1.0}



# ============================================================================ review additions
SECOND_TOY_SEED = 12345
"""Seed of the chapter's repeat of the toy study (to tell a fluctuation from an effect)."""


def minuit_numerical_errors(result: DimuonFit, strategy: int = 1) -> pd.DataFrame:
    """Minuit's own numerical HESSE (no derivatives supplied, same limits) at the minimum
    of ``result``, with the given ``strategy`` (0, 1 or 2). Returns ``hesse`` (the exact
    errors), ``minuit_numerical`` and ``rel_diff`` = numerical/exact - 1 per parameter."""
    if isinstance(strategy, bool) or strategy not in (0, 1, 2):
        raise InputError(f"strategy must be 0, 1 or 2, got {strategy!r}")
    hesse = result.errors
    x0 = result.values.to_numpy()
    model = result.model
    plain = Minuit(model.nll, *x0, name=PARAMETERS, grad=False, hessian=False)
    for name, lim in limits(result.mass_range).items():
        plain.limits[name] = lim
    plain.errors = hesse.to_numpy()
    plain.strategy = int(strategy)
    plain.hesse()
    num = np.array([float(e) for e in plain.errors])
    model._evaluate(x0)
    return pd.DataFrame({"hesse": hesse.to_numpy(), "minuit_numerical": num,
                         "rel_diff": num / hesse.to_numpy() - 1.0}, index=list(PARAMETERS))


def second_difference_error(result: DimuonFit, step: float = 1e-5) -> pd.Series:
    r"""Relative error of the seed's one-sided diagonal second difference
    :math:`[f(x + 2\epsilon e_i) - 2 f(x + \epsilon e_i) + f(x)]/\epsilon^2` of
    :math:`f = -\ln L` against the exact curvature, per parameter, at the minimum.
    Rounding dominates for small steps and weak parameters; the truncation error of the
    one-sided formula, proportional to the step, dominates for large steps."""
    step = as_number(step, "step", positive=True)
    x0 = result.values.to_numpy()
    model = result.model
    curv = np.diag(0.5 * model.nll_hessian(*x0)).copy()
    eye = np.eye(6)
    f0 = 0.5 * model.nll(*x0)
    out = []
    for i in range(6):
        f1 = 0.5 * model.nll(*(x0 + step * eye[i]))
        f2 = 0.5 * model.nll(*(x0 + 2 * step * eye[i]))
        out.append((f2 - 2 * f1 + f0) / step**2 / curv[i] - 1.0)
    model._evaluate(x0)
    return pd.Series(out, index=list(PARAMETERS), name="rel_error")


def gof_pvalue_bounds(result: DimuonFit, bins: int = 100, min_expected: float = 5.0) -> dict:
    """The binned goodness-of-fit p-value with ``ndf`` and with ``ndf + 6`` degrees of
    freedom (the parameters were fitted to the unbinned data, so the true distribution of
    the chi2 lies between the two): ``pvalue_ndf``, ``pvalue_ndf_plus`` and ``ndf_plus``."""
    gof = result.gof(bins=bins, min_expected=min_expected)
    ndf_plus = gof["ndf"] + len(PARAMETERS)
    return {"pvalue_ndf": gof["pvalue"], "ndf_plus": ndf_plus,
            "pvalue_ndf_plus": float(stats.chi2.sf(gof["chi2"], ndf_plus))}


if __name__ == "__main__":  # python -m helpers.dimuon : regenerate the stored sample
    print(f"wrote {write_sample()}")
