"""The di-muon model: constants, the Crystal Ball + exponential density in closed form,
its fast log-density for the fit (:class:`FastLogPdf`), and the simulated sample."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import erf, erfc, exprel

from .. import SEED
from ..nudge import nudge_if_asked
from ..validation import InputError, as_count, as_number, as_real_array, as_seed


__all__ = [
    "PARAMETERS", "MASS_RANGE", "TRUTH", "START", "SAMPLE_SIZE", "SAMPLE_SEED", "SAMPLE_FILE", "MIN_EVENTS", "MAX_SIZE", "FitError", "cb_integral", "logpdf", "pdf_components", "cdf", "FastLogPdf", "simulate", "sample_csv_text", "write_sample", "load", "limits",
]

PARAMETERS = ("mu", "sigma", "alpha", "n", "slope", "f_sig")
"""Fit parameters, in the order of every array and table of this module."""

MASS_RANGE = (10.0, 10.75)
"""Default fit range [GeV]. In e+e- -> mu+mu- at Belle II the pair carries the whole
collision energy, so the mass peaks at sqrt(s) = 10.58 GeV and cannot exceed it except
through the resolution (40 MeV): the range ends about four resolution widths above the
peak, where there are no events left, and reaches 0.58 GeV below it for the radiative
(initial- and final-state radiation) tail."""

TRUTH = {"mu": 10.58, "sigma": 0.04, "alpha": 1.3, "n": 4.0, "slope": -2.0, "f_sig": 0.7}
"""Parameters the book's sample is simulated with (masses in GeV, slope in 1/GeV): the peak
at sqrt(s) with 40 MeV resolution, a power-law tail starting 1.3 sigma below it, and a
background that falls with mass (slope -2/GeV: across the range to e^-1.5, about a
fifth), 70 % signal."""

START = {"mu": 10.58, "sigma": 0.05, "alpha": 1.5, "n": 5.0, "slope": -1.0, "f_sig": 0.5}
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

MAX_SIZE = 100_000_000
"""Most events :func:`simulate` draws at once (1e8 masses are 800 MB)."""

_SQRT_PI_2 = math.sqrt(0.5 * math.pi)


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
    x = as_real_array(masses, "masses")   # refuses complex, masked, text, True/False
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


def _log_tail_u(t: float, alpha: float, n: float) -> tuple[float, float]:
    """``(ln(u / (n/alpha)), ln h)`` of the tail at ``t <= -alpha``, with ``u = B - t``.

    :math:`\\ln A - n \\ln u = -\\alpha^2/2 - n\\,\\mathrm{log1p}(-(\\alpha + t)\\alpha/n)`:
    written this way the two large terms :math:`\\pm n \\ln(n/\\alpha)` cancel exactly, so
    the tail stays right for any n (for n = 1e16 they are 4e17 and their difference 40).
    """
    ell = math.log1p(-(alpha + t) * alpha / n)
    return ell, -0.5 * alpha * alpha - n * ell


def _cb_h(t: float, alpha: float, n: float) -> float:
    """The unnormalised Crystal Ball (peak height 1) at one standardised point t."""
    if t > -alpha:
        return math.exp(-0.5 * t * t)
    return math.exp(_log_tail_u(t, alpha, n)[1])


def _gauss_area(tl: float, tb: float) -> float:
    """:math:`\\int_{t_l}^{t_b} e^{-t^2/2} dt` for ``tl <= tb`` without cancellation:
    a sum of two ``erf`` across zero, ``erf`` differences near zero, ``erfc`` differences
    in a tail, and a series when the interval is narrow (a Crystal Ball far wider than the
    range), where any difference of two nearly equal functions loses digits."""
    mid, half = 0.5 * (tl + tb), 0.5 * (tb - tl)
    if half < 1e-3 * max(1.0, abs(mid)) and half * max(1.0, abs(mid)) < 1e-3:
        # int_{-h}^{h} exp(-(m + x)^2 / 2) dx = 2h exp(-m^2/2) (1 + (m^2 - 1) h^2 / 6 + ...)
        m2, h2 = mid * mid, half * half
        series = 1.0 + (m2 - 1.0) * h2 / 6.0 + (m2 * m2 - 6.0 * m2 + 3.0) * h2 * h2 / 120.0
        return 2.0 * half * math.exp(-0.5 * m2) * series
    c = math.sqrt(0.5)
    if tl < 0.0 < tb:
        return _SQRT_PI_2 * (erf(-tl * c) + erf(tb * c))
    if tb <= 0.0:                       # mirror into t >= 0
        tl, tb = -tb, -tl
    if tl < 1.0:
        return _SQRT_PI_2 * (erf(tb * c) - erf(tl * c))
    return _SQRT_PI_2 * (erfc(tl * c) - erfc(tb * c))


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
        gauss = _gauss_area(max(ta, -alpha), tb)
    if ta < -alpha:
        th = min(tb, -alpha)
        ell2, log_h2 = _log_tail_u(th, alpha, n)                  # at u2 = B - th
        u2 = (n / alpha) * math.exp(ell2)
        big_l = math.log1p((th - ta) / u2)
        q = 1.0 - n
        p = math.exp(log_h2) * u2 * big_l                         # A u2^(1-n) L
        tail = p * exprel(q * big_l)
        if derivatives:
            r = math.exp(log_h2) * big_l * exprel(-n * big_l)     # int A u^(-n-1)
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
    m = as_real_array(m, "m")
    sig, bkg = _general_parts(m.reshape(-1), (mu, sigma, alpha, n, slope, f_sig), lo, hi)
    with np.errstate(divide="ignore"):
        return np.log(bkg + f_sig * (sig - bkg)).reshape(m.shape)


def pdf_components(m, mu, sigma, alpha, n, slope, f_sig, mass_range=MASS_RANGE):
    """``(signal, background)`` densities at ``m`` already weighted by ``f_sig`` and
    ``1 - f_sig`` (their sum is the model density; zero outside the range)."""
    lo, hi = _as_range(mass_range)
    _as_params(dict(mu=mu, sigma=sigma, alpha=alpha, n=n, slope=slope, f_sig=f_sig), "parameters")
    m = as_real_array(m, "m")
    sig, bkg = _general_parts(m.reshape(-1), (mu, sigma, alpha, n, slope, f_sig), lo, hi)
    return (f_sig * sig).reshape(m.shape), ((1.0 - f_sig) * bkg).reshape(m.shape)


def cdf(m, mu, sigma, alpha, n, slope, f_sig, mass_range=MASS_RANGE) -> np.ndarray:
    """Model cumulative distribution on the range, in closed form (0 below, 1 above)."""
    lo, hi = _as_range(mass_range)
    _as_params(dict(mu=mu, sigma=sigma, alpha=alpha, n=n, slope=slope, f_sig=f_sig), "parameters")
    m = np.clip(as_real_array(m, "m"), lo, hi)
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
        self.bind(np.sort(_as_masses(masses)))

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

    def is_data(self, x) -> bool:
        """True if ``x`` is the bound sample itself (the same memory): the fast path."""
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
        if self.is_data(x):
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
def _simulate(size: int, seed, mass_range, params: dict) -> np.ndarray:
    """The masses of :func:`simulate`, never nudged."""
    size = as_count(size, "size", maximum=MAX_SIZE)
    lo, hi = _as_range(mass_range)
    par = _as_params(params, "simulate", TRUTH)
    rng = np.random.default_rng(as_seed(seed))
    n_sig = int(rng.binomial(size, par["f_sig"]))
    cb = stats.crystalball(par["alpha"], par["n"], loc=par["mu"], scale=par["sigma"])
    c_lo, c_hi = cb.cdf(lo), cb.cdf(hi)
    if not c_hi > c_lo:
        raise InputError("the Crystal Ball has no probability inside mass_range")
    sig = cb.ppf(c_lo + (c_hi - c_lo) * rng.uniform(size=n_sig))
    v = rng.uniform(size=size - n_sig)
    s, w = par["slope"], hi - lo
    if abs(s) * w < 1e-12:
        bkg = lo + v * w
    elif s < 0:      # inverse CDF of exp(s (m - lo)); expm1(s w) lies in (-1, 0)
        bkg = lo + np.log1p(v * math.expm1(s * w)) / s
    else:            # the same, measured from hi: exp(-s w) <= 1 never overflows
        bkg = hi + np.log(v + (1.0 - v) * math.exp(-s * w)) / s
    out = np.concatenate([sig, bkg])
    rng.shuffle(out)
    return np.clip(out, lo, hi)


def simulate(size: int, seed=SAMPLE_SEED, mass_range=MASS_RANGE, **params) -> np.ndarray:
    """``size`` masses drawn from the model (parameters default to :data:`TRUTH`).

    ``numpy.random.default_rng(seed)`` (an int, a SeedSequence or a Generator) draws the
    number of signal events from a binomial with ``f_sig``, then uniforms that are mapped
    through the inverse CDFs of the truncated Crystal Ball (``scipy.stats.crystalball``)
    and of the truncated exponential, then shuffles. Same seed, same masses.

    With ``$COURSE_BOOK_NUDGE`` set (:func:`helpers.nudge.nudge_if_asked`) every mass is
    moved by 1-3 units in the last place, and kept inside the range: the tests' stand-in
    for another machine's arithmetic, which toy studies must not notice.
    """
    lo, hi = _as_range(mass_range)
    return np.clip(nudge_if_asked(_simulate(size, seed, (lo, hi), params)), lo, hi)


def sample_csv_text() -> str:
    """The exact content of ``book/data/dimuon_simulated.csv`` (regenerated from the seed,
    never nudged). Masses are written with 6 decimals (1 keV, far below the 40 MeV
    resolution)."""
    x = _simulate(SAMPLE_SIZE, SAMPLE_SEED, MASS_RANGE, {})
    truth = ", ".join(f"{k}={v:g}" for k, v in TRUTH.items())
    lo, hi = MASS_RANGE
    header = [
        "# Simulated di-muon invariant masses [GeV] for the chapter on the unbinned fit.",
        f"# Model: f_sig * CrystalBall(mu, sigma, alpha, n) + (1 - f_sig) * exp(slope*(m - m0)), "
        f"truncated to [{lo:g}, {hi:g}] GeV.",
        f"# Truth: {truth} (slope in 1/GeV).",
        "# The peak sits at sqrt(s); above it only the resolution puts events, so the range ends "
        "about four resolution widths higher; below it lies the radiative tail. The background "
        "falls with mass.",
        f"# Generated by helpers.dimuon.write_sample(): simulate({SAMPLE_SIZE}, seed={SAMPLE_SEED}), "
        "numpy.random.default_rng; rounded to 1e-6 GeV.",
        "mass",
    ]
    return "\n".join(header + [f"{v:.6f}" for v in x]) + "\n"


def write_sample(path=None) -> Path:
    """Write :func:`sample_csv_text` to ``path`` (default: the book's data folder)."""
    if path is None:
        from ..data import data_dir
        path = data_dir() / SAMPLE_FILE
    path = Path(path)
    path.write_text(sample_csv_text())
    return path


def load() -> np.ndarray:
    """The book's sample: ``book/data/dimuon_simulated.csv`` as a float array [GeV]."""
    from ..data import data_dir
    path = data_dir() / SAMPLE_FILE
    if not path.is_file():
        raise InputError(f"{path} not found; regenerate it with helpers.dimuon.write_sample()")
    from ..data import EXACT_FLOATS
    return pd.read_csv(path, comment="#", **EXACT_FLOATS)["mass"].to_numpy(dtype=float)


