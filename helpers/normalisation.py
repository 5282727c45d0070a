"""Common normalisation uncertainties: Peelle's pertinent puzzle.

``n`` measurements :math:`y_i` of one quantity have uncorrelated absolute statistical
errors :math:`s_i` and share a relative normalisation uncertainty :math:`\\epsilon`.
Four estimators that all look reasonable give different answers
(G. D'Agostini, NIM A346 (1994) 306):

1. **covariance from measured values** -- GLS with
   :math:`V = \\mathrm{diag}(s^2) + \\epsilon^2 y y^T`. For the book's inputs the
   result lies *below both* measurements.
2. **N on data** -- :math:`\\chi^2(\\mu, N) = \\sum_i (N y_i - \\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2`.
   Profiling :math:`N` gives exactly the :math:`\\chi^2` of 1 (Woodbury identity),
   so value and error are identical.
3. **N on prediction** -- :math:`\\chi^2(\\mu, N) = \\sum_i (y_i - N\\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2`.
   Not quadratic in :math:`(\\mu, N)`: the MINOS interval is asymmetric. :math:`N\\mu` absorbs
   the data, so :math:`\\hat N = 1` and :math:`\\hat\\mu` is the stat-only weighted mean for any
   :math:`\\epsilon`; the HESSE error is :math:`\\sqrt{\\sigma_{stat}^2 + \\epsilon^2\\hat\\mu^2}`.
4. **covariance relative to fit** -- :math:`V(\\mu) = \\mathrm{diag}(s^2) + \\epsilon^2\\mu^2 11^T`
   recomputed inside :math:`\\chi^2(\\mu) = (y-\\mu)^T V(\\mu)^{-1}(y-\\mu)` (no
   log-determinant term). Its :math:`\\chi^2` curve is exactly the profile of 3; its BLUE
   form is the iterative BLUE of Lista (2014).

Two more that the chapter compares with them:

5. **Gaussian likelihood** -- :math:`-2\\ln L(\\mu) = \\chi^2(\\mu) + \\ln\\det V(\\mu)` with
   the :math:`V(\\mu)` of 4: the likelihood of 3 with :math:`N` integrated out. Its minimum
   is the positive root of a cubic (:func:`likelihood_values`).
6. **N on data, stat errors scaled by N** --
   :math:`\\chi^2 = \\sum_i (N y_i - \\mu)^2/(N s_i)^2 + (N-1)^2/\\epsilon^2`: the same as 3.

For any number of measurements the covariance fit (1, 2) is the stat-only weighted mean
:math:`\\bar y_w` times :math:`\\hat N = 1/(1 + \\epsilon^2\\chi^2_{stat}) = 1 - \\epsilon^2\\chi^2_{min}`
(:func:`covariance_fit_values`): its relative shift is :math:`\\epsilon^2` times the
observed tension.

Every method accepts :math:`\\epsilon = 0` (then all reduce to the weighted mean; the
fits with :math:`N` keep :math:`N = 1` fixed) and any :math:`\\epsilon > 0`, however
large. Invalid input raises :class:`~helpers.validation.InputError`.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from iminuit import Minuit
from iminuit.cost import LeastSquares, NormalConstraint
from scipy.linalg import solve_triangular
from scipy.optimize import brentq
from scipy.stats import chi2 as chi2_dist

from . import data
from . import blue as engine
from .validation import (
    InputError,
    as_covariance,
    as_finite_array,
    as_number,
    as_positive_vector,
    as_vector,
    check_same_length,
)

__all__ = [
    "Estimate",
    "NormalisationProblem",
    "course_problem",
    "scan_norm",
    "weighted_mean_values",
    "stat_chi2_values",
    "covariance_fit_values",
    "likelihood_values",
    "minuit_settings_study",
    "below_both_thresholds",
    "GAUSSIAN_LIKELIHOOD",
    "N_ON_DATA_SCALED",
    "METHODS",
    "COVARIANCE_MEASURED",
    "N_ON_DATA",
    "N_ON_PREDICTION",
    "COVARIANCE_RELATIVE",
    "WEIGHTED_MEAN",
]

COVARIANCE_MEASURED = "covariance from measured values"
N_ON_DATA = "N on data"
N_ON_PREDICTION = "N on prediction"
COVARIANCE_RELATIVE = "covariance relative to fit"
WEIGHTED_MEAN = "plain weighted mean (stat only)"
METHODS = (COVARIANCE_MEASURED, N_ON_DATA, N_ON_PREDICTION, COVARIANCE_RELATIVE, WEIGHTED_MEAN)
"""Method labels, in the row order of :meth:`NormalisationProblem.compare`."""
GAUSSIAN_LIKELIHOOD = "Gaussian likelihood with ln det V"
"""Label of :meth:`NormalisationProblem.likelihood_fit` (row of ``compare(likelihood=True)``)."""
N_ON_DATA_SCALED = "N on data, stat errors scaled by N"
"""Label of :meth:`NormalisationProblem.scaled_data_fit`."""


@dataclass(frozen=True)
class Estimate:
    """One combined value.

    Attributes
    ----------
    method : str
        Label of the method (one of :data:`METHODS`).
    value : float
        Best estimate :math:`\\hat\\mu`.
    error : float
        Symmetric (HESSE / linear-propagation) error :math:`\\sigma_{\\hat\\mu}`.
    lower, upper : float
        Interval edges (not offsets): MINOS edges :math:`\\{\\mu: \\chi^2 = \\chi^2_{min} + 1\\}`
        for the fits, :math:`\\hat\\mu \\mp \\sigma` for the closed-form methods.
        Where MINOS fails (very large :math:`\\epsilon`) the edge is found on the exact 1-d
        (profile) :math:`\\chi^2` curve instead; ``-inf`` / ``inf`` if it never rises by 1 on that side.
    chi2_min : float
        :math:`\\chi^2` at the minimum.
    N : float or None
        Fitted normalisation factor (fits with a nuisance parameter only).
    """

    method: str
    value: float
    error: float
    lower: float
    upper: float
    chi2_min: float
    N: float | None = None

    @property
    def interval_errors(self) -> tuple[float, float]:
        """``(lower - value, upper - value)``, MINOS sign convention (negative, positive)."""
        return self.lower - self.value, self.upper - self.value

    def as_row(self) -> dict:
        """A dict for a table row: method, value, error, lower, upper, chi2, N."""
        d = asdict(self)
        d["chi2"] = d.pop("chi2_min")
        return {k: d[k] for k in ("method", "value", "error", "lower", "upper", "chi2", "N")}


def _as_norm_error(eps, name: str = "norm_error") -> float:
    """A relative normalisation uncertainty: one finite number >= 0 and below 1e100 (its
    square enters every formula)."""
    e = as_number(eps, name, non_negative=True)
    if e >= 1e100:
        raise InputError(f"{name} = {e:g} is not a usable relative uncertainty (must be below 1e100)")
    return e


def _crossing(curve, mu_hat: float, level: float, side: float, scale: float) -> float:
    """First :math:`\\mu` beyond ``mu_hat`` on ``side`` (+1/-1) where ``curve`` reaches ``level``.

    Fallback when MINOS gives up: evaluates the curve at :math:`\\hat\\mu + \\mathrm{side}\\,\\sigma\\,2^k/8`
    (and at :math:`\\mu = 0` if it lies on that side: there the prediction :math:`N\\mu` is 0 for
    any :math:`N`, the curve's highest barrier) until it exceeds ``level``, then refines with
    ``brentq``. Returns ``side * inf`` if it never does (for N on prediction,
    :math:`\\chi^2 \\to \\chi^2_{min} + 1/\\epsilon^2` as :math:`|\\mu| \\to \\infty`).
    """
    offsets = scale * 2.0 ** (np.arange(80) - 3.0)
    if side * (0.0 - mu_hat) > 0:
        offsets = np.sort(np.append(offsets, abs(mu_hat)))
    inner = mu_hat
    for d in offsets:
        outer = mu_hat + side * d
        if curve(outer) > level:
            return float(brentq(lambda x: curve(x) - level, inner, outer, xtol=1e-12 * max(1.0, abs(outer))))
        inner = outer
    return side * np.inf


def _edges(A: float, B: float, C: float) -> tuple[float, float]:
    """Largest negative and smallest positive root of ``A u^2 + B u + C`` with ``C < 0``
    (the quadratic is negative at 0); ``-inf``/``inf`` where there is none. Stable form
    (no cancellation between ``-B`` and the square root)."""
    roots: list[float] = []
    if A == 0.0:
        if B != 0.0:
            roots = [-C / B]
    else:
        disc = B * B - 4.0 * A * C
        if disc >= 0.0:
            q = -0.5 * (B + np.copysign(np.sqrt(disc), B))
            roots = [q / A] + ([C / q] if q != 0.0 else [])
    neg = [r for r in roots if r < 0]
    pos = [r for r in roots if r > 0]
    return (max(neg) if neg else -np.inf), (min(pos) if pos else np.inf)


# ------------------------------------------------------------------------------------
# closed forms, vectorised over leading axes (the toy study uses them on many samples)
# ------------------------------------------------------------------------------------
def _sums(y, s):
    y = np.asarray(y, dtype=float)
    w = np.asarray(s, dtype=float) ** -2.0
    W = w.sum(axis=-1)
    ybar = (w * y).sum(axis=-1) / W
    return y, w, W, ybar


def weighted_mean_values(y, s):
    """:math:`\\bar y_w = \\sum_i y_i/s_i^2 / \\sum_i 1/s_i^2` along the last axis."""
    return _sums(y, s)[3]


def stat_chi2_values(y, s):
    """:math:`\\chi^2_{stat} = \\sum_i (y_i - \\bar y_w)^2/s_i^2` along the last axis."""
    y, w, _, ybar = _sums(y, s)
    return (w * (y - ybar[..., None]) ** 2).sum(axis=-1)


def covariance_fit_values(y, s, eps):
    """The covariance fit (GLS with :math:`V = S + \\epsilon^2 y y^T`) in closed form, any n.

    Sherman-Morrison gives :math:`\\hat\\mu = \\bar y_w / (1 + \\epsilon^2\\chi^2_{stat})` and
    :math:`\\chi^2_{min} = \\chi^2_{stat}/(1 + \\epsilon^2\\chi^2_{stat})`, so
    :math:`\\hat\\mu = \\bar y_w (1 - \\epsilon^2\\chi^2_{min})`.

    Returns ``(mu_hat, chi2_min)`` (arrays over the leading axes).
    """
    chi2_stat = stat_chi2_values(y, s)
    a = float(eps) ** 2
    ybar = weighted_mean_values(y, s)
    return ybar / (1.0 + a * chi2_stat), chi2_stat / (1.0 + a * chi2_stat)


def likelihood_values(y, s, eps, *, iterations: int = 60):
    """Minimum of :math:`-2\\ln L(\\mu) = \\chi^2_{rel}(\\mu) + \\ln\\det V(\\mu)`, any n, vectorised.

    With :math:`W = \\sum s_i^{-2}`, :math:`a = \\epsilon^2` and
    :math:`D = 1 + a W \\mu^2`: :math:`\\chi^2_{rel} = \\chi^2_{stat} + W(\\mu - \\bar y_w)^2/D`
    and :math:`\\ln\\det V = \\sum\\ln s_i^2 + \\ln D`. The derivative vanishes where
    :math:`g(\\mu) = a^2W\\mu^3 + aW\\bar y_w\\mu^2 + (1 + a - aW\\bar y_w^2)\\mu - \\bar y_w = 0`,
    and for :math:`\\bar y_w > 0` the derivative has the sign of :math:`g`, which is convex and
    increasing on :math:`\\mu > 0` with :math:`g(0) < 0 < g(\\bar y_w)`: one minimum in
    :math:`(0, \\bar y_w]`, found by Newton's method from :math:`\\bar y_w` (monotone convergence).
    """
    _, _, W, ybar = _sums(y, s)
    if np.any(ybar <= 0):
        raise InputError("the likelihood minimum is computed for a positive weighted mean only")
    a = float(eps) ** 2
    c3, c2, c1 = a * a * W, a * W * ybar, 1.0 + a - a * W * ybar**2
    u = np.array(ybar, dtype=float, copy=True)
    for _ in range(iterations):
        g = ((c3 * u + c2) * u + c1) * u - ybar
        dg = (3.0 * c3 * u + 2.0 * c2) * u + c1
        step = g / dg
        u = u - step
        if np.all(np.abs(step) <= 1e-14 * np.abs(u)):
            break
    return u


def _scale_free(method):
    """Run an :class:`Estimate`-returning method on the problem divided by a power of two
    (:meth:`NormalisationProblem._unit`) when its numbers are far from 1, and scale the
    estimate back: Minuit's steps and tolerances and ``s**-2`` then work at any scale."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        k = self._unit()
        if 2.0 ** -20 <= k <= 2.0 ** 20:
            return method(self, *args, **kwargs)
        scaled = NormalisationProblem(self.values / k, self.stat_errors / k, self.norm_error)
        e = method(scaled, *args, **kwargs)
        return replace(e, value=e.value * k, error=e.error * k, lower=e.lower * k, upper=e.upper * k)
    return wrapper


class NormalisationProblem:
    """Measurements of one quantity with stat errors and a common normalisation error.

    Parameters
    ----------
    values : array_like
        Measured values :math:`y_i` (at least 2).
    stat_errors : array_like
        Absolute, uncorrelated statistical errors :math:`s_i > 0`.
    norm_error : float
        Relative common normalisation uncertainty :math:`\\epsilon \\ge 0`
        (0.1 for 10 %). Any non-negative value is accepted.

    Raises
    ------
    InputError
        Fewer than 2 values, NaN/inf, mismatched lengths, :math:`s_i \\le 0`, :math:`\\epsilon < 0`.
    """

    def __init__(self, values, stat_errors, norm_error):
        self.values = as_vector(values, "values", min_length=2).copy()
        self.stat_errors = as_positive_vector(stat_errors, "stat_errors").copy()
        check_same_length(values=self.values, stat_errors=self.stat_errors)
        self.norm_error = _as_norm_error(norm_error)
        self.values.setflags(write=False)
        self.stat_errors.setflags(write=False)

    @classmethod
    def from_relative(cls, values, stat_rel, norm_rel) -> NormalisationProblem:
        """Build from relative errors: :math:`s_i = r_i |y_i|`, fixed once from the measured values.

        Parameters
        ----------
        values : array_like
            Measured values.
        stat_rel : float or array_like
            Relative stat error, one for all or one per measurement.
        norm_rel : float
            Relative normalisation uncertainty :math:`\\epsilon`.
        """
        y = as_vector(values, "values", min_length=2)
        rel = as_vector(stat_rel, "stat_rel")
        if rel.size == 1:
            rel = np.full_like(y, rel[0])
        check_same_length(values=y, stat_rel=rel)
        rel = as_positive_vector(rel, "stat_rel")
        return cls(y, rel * np.abs(y), norm_rel)

    def __repr__(self) -> str:
        return (f"NormalisationProblem(values={self.values.tolist()}, "
                f"stat_errors={self.stat_errors.tolist()}, norm_error={self.norm_error:g})")

    @property
    def n(self) -> int:
        """Number of measurements."""
        return self.values.size

    # ---------------------------------------------------------------- covariances
    def covariance_measured(self) -> np.ndarray:
        """:math:`V = \\mathrm{diag}(s^2) + \\epsilon^2 y y^T` (normalisation from the measured values)."""
        y, s, e = self.values, self.stat_errors, self.norm_error
        return as_covariance(np.diag(s**2) + e**2 * np.outer(y, y), self.n)

    def covariance_at(self, mu: float) -> np.ndarray:
        """:math:`V(\\mu) = \\mathrm{diag}(s^2) + \\epsilon^2 \\mu^2 11^T` (normalisation from the fit)."""
        arr = as_finite_array(mu, "mu")
        if arr.ndim != 0:
            raise InputError(f"mu must be a single number here, got shape {arr.shape}")
        m = float(arr)
        s, e = self.stat_errors, self.norm_error
        return np.diag(s**2) + (e * m) ** 2 * np.ones((self.n, self.n))

    # ---------------------------------------------------------------- closed forms
    @_scale_free
    def weighted_mean(self) -> Estimate:
        """Stat-only weighted mean: :math:`\\hat\\mu = \\sum y_i/s_i^2 / \\sum 1/s_i^2`, :math:`\\sigma^2 = 1/\\sum s_i^{-2}`."""
        w = self.stat_errors**-2.0
        mu = float(w @ self.values / w.sum())
        err = float(1.0 / np.sqrt(w.sum()))
        chi2 = float(w @ (self.values - mu) ** 2)
        return Estimate(WEIGHTED_MEAN, mu, err, mu - err, mu + err, chi2)

    @_scale_free
    def covariance_fit(self) -> Estimate:
        """GLS with the measured-value covariance.

        :math:`\\hat\\mu = 1^T V^{-1} y / 1^T V^{-1} 1`, :math:`\\sigma^2 = 1/(1^T V^{-1} 1)`,
        :math:`V` from :meth:`covariance_measured`.
        """
        mu, err, _, chi2 = engine.solve(self.values, self.covariance_measured())
        return Estimate(COVARIANCE_MEASURED, mu, err, mu - err, mu + err, chi2)

    def dagostini_closed_form(self) -> tuple[float, float]:
        """D'Agostini's closed form of :meth:`covariance_fit` for two measurements.

        :math:`\\hat\\mu = (y_1 s_2^2 + y_2 s_1^2)/D`,
        :math:`\\sigma^2 = (s_1^2 s_2^2 + (y_1^2 s_2^2 + y_2^2 s_1^2)\\epsilon^2)/D`,
        :math:`D = s_1^2 + s_2^2 + (y_1 - y_2)^2 \\epsilon^2`.

        Returns
        -------
        (mean, error) : tuple of float
        """
        if self.n != 2:
            raise InputError(f"the closed form needs exactly 2 measurements, got {self.n}")
        (y1, y2), (s1, s2), e = self.values, self.stat_errors, self.norm_error
        d = s1**2 + s2**2 + (y1 - y2) ** 2 * e**2
        mean = (y1 * s2**2 + y2 * s1**2) / d
        var = (s1**2 * s2**2 + (y1**2 * s2**2 + y2**2 * s1**2) * e**2) / d
        return float(mean), float(np.sqrt(var))

    # ---------------------------------------------------------------- chi2 curves
    def measured_covariance_chi2(self, mu):
        """:math:`\\chi^2(\\mu) = (y - \\mu 1)^T V^{-1} (y - \\mu 1)` with :meth:`covariance_measured`; vectorised in ``mu``."""
        m = as_finite_array(mu, "mu")
        L = np.linalg.cholesky(self.covariance_measured())
        r = self.values[:, None] - m.reshape(1, -1)
        z = solve_triangular(L, r, lower=True)
        out = np.sum(z**2, axis=0).reshape(m.shape)
        return float(out) if out.ndim == 0 else out

    def relative_covariance_chi2(self, mu):
        """:math:`\\chi^2(\\mu) = (y - \\mu 1)^T V(\\mu)^{-1} (y - \\mu 1)`, :math:`V(\\mu)` from :meth:`covariance_at`.

        Solved as a linear system for each ``mu`` (vectorised, any shape).
        """
        m = as_finite_array(mu, "mu")
        flat = m.reshape(-1)
        s2, e = self.stat_errors**2, self.norm_error
        V = np.diag(s2)[None, :, :] + (e * flat)[:, None, None] ** 2 * np.ones((1, self.n, self.n))
        r = self.values[None, :] - flat[:, None]
        x = np.linalg.solve(V, r[:, :, None])[:, :, 0]
        out = np.sum(r * x, axis=1).reshape(m.shape)
        return float(out) if out.ndim == 0 else out

    def profile_chi2_prediction(self, mu, *, return_N: bool = False):
        """Fit-3 :math:`\\chi^2` minimised over :math:`N` at fixed :math:`\\mu`, in closed form.

        At fixed :math:`\\mu`, :math:`\\chi^2 = \\sum (y_i - N\\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2` is
        quadratic in :math:`N`. With :math:`W = \\sum s_i^{-2}`, :math:`B = \\sum y_i/s_i^2`,
        :math:`R = B - \\mu W`, :math:`D = 1 + \\epsilon^2\\mu^2 W`:
        :math:`\\hat N = (1 + \\epsilon^2\\mu B)/D`, :math:`\\hat N - 1 = \\epsilon^2\\mu R/D` and
        :math:`\\chi^2_{prof} = \\sum (y_i - \\hat N\\mu)^2/s_i^2 + \\epsilon^2\\mu^2 R^2/D^2`
        (a sum of non-negative terms: no cancellation even for huge :math:`|\\mu|`).
        Vectorised in ``mu``; with ``return_N`` also returns :math:`\\hat N`.
        """
        m = as_finite_array(mu, "mu")
        flat = m.reshape(-1)
        w = self.stat_errors**-2.0
        a, W, B = self.norm_error**2, w.sum(), w @ self.values
        D = 1.0 + a * flat**2 * W
        N = (1.0 + a * flat * B) / D
        resid = self.values[None, :] - (N * flat)[:, None]
        chi2 = (resid**2 @ w + a * (flat * (B - flat * W) / D) ** 2).reshape(m.shape)
        N = N.reshape(m.shape)
        if m.ndim == 0:
            chi2, N = float(chi2), float(N)
        return (chi2, N) if return_N else chi2

    # ---------------------------------------------------------------- fits
    def _norm_negligible(self) -> bool:
        """True when the normalisation uncertainty changes no digit of any estimate:
        ``eps^2 (1 + z^2)(1 + chi2_stat) < 1e-16`` with ``z`` the weighted mean over its
        stat error (a fit would need a step of size eps for N, which Minuit cannot make)."""
        wm = self.weighted_mean()
        z2 = (wm.value / wm.error) ** 2
        return self.norm_error ** 2 * (1.0 + z2) * (1.0 + wm.chi2_min) < 1e-16

    def _start(self) -> tuple[float, float]:
        wm = self.weighted_mean()
        return wm.value, float(np.hypot(wm.error, self.norm_error * wm.value))

    def nuisance_minuit(self, on: str = "data", minos: bool = True) -> Minuit:
        """The Minuit object of a fit with a normalisation nuisance parameter, after MIGRAD, HESSE (and MINOS on ``mu``).

        ``on="data"``: :math:`\\chi^2 = \\sum (N y_i - \\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2`
        (explicit function; ``LeastSquares`` cannot scale the data).
        ``on="prediction"``: :math:`\\chi^2 = \\sum (y_i - N\\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2`
        (``LeastSquares + NormalConstraint``). With :math:`\\epsilon = 0`, :math:`N = 1` is fixed.

        Both :math:`\\chi^2` are polynomials, so Minuit gets their exact gradient and Hessian
        (HESSE then inverts the exact Hessian; with numerical second derivatives it is off
        by ~0.5 % for ``"prediction"``, because :math:`\\mu` and :math:`N` are ~99 % correlated).
        """
        if on not in ("data", "prediction"):
            raise InputError(f'on must be "data" or "prediction", got {on!r}')
        y, s, e = self.values, self.stat_errors, self.norm_error
        if self._norm_negligible():
            e = 0.0             # its effect on mu is below 1e-16 relative: fit with N = 1 fixed
        w = s**-2.0
        W, Wy, Wyy = w.sum(), w @ y, w @ y**2
        c = 1.0 / e**2 if e > 0 else 0.0  # constraint weight; N is fixed when e == 0
        start, step = self._start()
        if on == "data":
            def chi2(mu, N):
                r = (N * y - mu) / s
                return r @ r + c * (N - 1.0) ** 2

            def grad(mu, N):
                r = w * (N * y - mu)
                return np.array([-2.0 * r.sum(), 2.0 * (r @ y) + 2.0 * c * (N - 1.0)])

            def hessian(mu, N):
                return 2.0 * np.array([[W, -Wy], [-Wy, Wyy + c]])

            m = Minuit(chi2, mu=start, N=1.0, grad=grad, hessian=hessian)
            m.errordef = Minuit.LEAST_SQUARES
        else:
            x = np.arange(self.n, dtype=float)

            def model(x, mu, N):
                return N * mu * np.ones_like(x)

            cost = LeastSquares(x, y, s, model)
            if e > 0:
                cost = cost + NormalConstraint("N", 1.0, e)

            def grad(mu, N):
                R = w @ (y - N * mu)
                return np.array([-2.0 * N * R, -2.0 * mu * R + 2.0 * c * (N - 1.0)])

            def hessian(mu, N):
                off = 2.0 * N * mu * W - Wy
                return 2.0 * np.array([[N * N * W, off], [off, mu * mu * W + c]])

            m = Minuit(cost, mu=start, N=1.0, grad=grad, hessian=hessian)
        m.errors["mu"] = step
        m.errors["N"] = e if e > 0 else 0.1
        if e == 0:
            m.fixed["N"] = True
        return self._run(m, minos)

    @staticmethod
    def _run(m: Minuit, minos: bool) -> Minuit:
        m.strategy = 2
        m.tol = 1e-6
        m.migrad()
        if not m.valid:
            raise InputError("the fit did not converge (minimum not found); try other inputs")
        m.hesse()
        fmin = m.fmin
        if not m.valid or not fmin.has_accurate_covar or fmin.has_made_posdef_covar:
            raise InputError(
                "Minuit's error matrix is not reliable for these inputs (valid="
                f"{m.valid}, accurate={fmin.has_accurate_covar}, forced positive definite="
                f"{fmin.has_made_posdef_covar}): the fit is too ill-conditioned; "
                "NormalisationProblem.closed_forms() gives the exact result")
        if minos:
            m.minos("mu")
        return m

    @staticmethod
    def _estimate(label: str, m: Minuit, minos: bool, with_N: bool, curve) -> Estimate:
        """Estimate from a fitted Minuit object; ``curve(mu)`` is the (profile) chi2 used if MINOS fails."""
        mu, err = float(m.values["mu"]), float(m.errors["mu"])
        if minos:
            me = m.merrors["mu"]
            level = m.fval + 1.0
            lo = mu + me.lower if me.lower_valid else _crossing(curve, mu, level, -1.0, err)
            hi = mu + me.upper if me.upper_valid else _crossing(curve, mu, level, +1.0, err)
        else:
            lo, hi = mu - err, mu + err
        N = float(m.values["N"]) if with_N else None
        return Estimate(label, mu, err, float(lo), float(hi), float(m.fval), N)

    @_scale_free
    def nuisance_fit(self, on: str = "data", minos: bool = True) -> Estimate:
        """Estimate from :meth:`nuisance_minuit`: HESSE error, MINOS edges (or :math:`\\hat\\mu \\mp \\sigma` without MINOS), fitted N."""
        m = self.nuisance_minuit(on, minos)
        if on == "data":
            return self._estimate(N_ON_DATA, m, minos, True, self.measured_covariance_chi2)
        return self._estimate(N_ON_PREDICTION, m, minos, True, self.profile_chi2_prediction)

    def relative_covariance_minuit(self, minos: bool = True) -> Minuit:
        """The Minuit object minimising :meth:`relative_covariance_chi2` (one parameter ``mu``).

        Minuit gets the exact derivatives, with :math:`z = V(\\mu)^{-1}(y - \\mu 1)`,
        :math:`t = 1^T z`, :math:`q = 1^T V(\\mu)^{-1} 1`, :math:`a = \\epsilon^2`:
        :math:`\\chi^{2\\prime} = -2t - 2a\\mu t^2`,
        :math:`\\chi^{2\\prime\\prime} = 2q(1 + 2a\\mu t)^2 - 2a t^2`
        (at the minimum :math:`t = 0`, so :math:`\\sigma^2 = 1/q = (\\sum s_i^{-2})^{-1} + \\epsilon^2\\hat\\mu^2`).
        """
        y, a, one = self.values, self.norm_error**2, np.ones(self.n)

        def chi2(mu):
            return self.relative_covariance_chi2(mu)

        def parts(mu):
            z = np.linalg.solve(self.covariance_at(mu), np.column_stack([y - mu, one]))
            return z[:, 0].sum(), z[:, 1].sum()

        def grad(mu):
            t, _ = parts(mu)
            return np.array([-2.0 * t - 2.0 * a * mu * t**2])

        def hessian(mu):
            t, q = parts(mu)
            return np.array([[2.0 * q * (1.0 + 2.0 * a * mu * t) ** 2 - 2.0 * a * t**2]])

        start, step = self._start()
        m = Minuit(chi2, mu=start, grad=grad, hessian=hessian)
        m.errordef = Minuit.LEAST_SQUARES
        m.errors["mu"] = step
        return self._run(m, minos)

    @_scale_free
    def relative_covariance_fit(self, minos: bool = True) -> Estimate:
        """Fit with :math:`V(\\mu) = \\mathrm{diag}(s^2) + \\epsilon^2\\mu^2 11^T` inside :math:`\\chi^2(\\mu)` (no log-det term).

        Same :math:`\\chi^2` curve as the profile of :meth:`nuisance_fit` ``(on="prediction")``.
        """
        m = self.relative_covariance_minuit(minos)
        return self._estimate(COVARIANCE_RELATIVE, m, minos, False, self.profile_chi2_prediction)

    def _unit(self) -> float:
        """A power of two near the largest value or error: the closed forms and fits work
        on ``values / unit`` and ``stat_errors / unit`` (exact) and scale the results back,
        so any scale from 1e-150 to 1e150 gives the same digits."""
        return float(np.ldexp(1.0, engine.exponent([*self.values, *self.stat_errors]) - 1))

    def closed_forms(self) -> list[Estimate]:
        """The rows of :meth:`compare` (without the likelihood) in closed form, exact for
        any number of measurements and any scale; no fit, no Minuit.

        With :math:`w_i = s_i^{-2}`, :math:`W = \\sum w_i`, :math:`\\bar y_w`,
        :math:`\\chi^2_{stat}` and :math:`a = \\epsilon^2`:

        * covariance from measured values (Sherman-Morrison) and N on data (a linear
          least-squares problem in :math:`(\\mu, N)`, so its profile is the same parabola):
          :math:`\\hat\\mu = \\bar y_w/(1 + a\\chi^2_{stat})`,
          :math:`\\sigma^2 = (1 + a\\sum w_i y_i^2) / (W(1 + a\\chi^2_{stat}))`,
          :math:`\\hat N = 1/(1 + a\\chi^2_{stat})`, symmetric interval;
        * N on prediction and covariance relative to the fit (one curve,
          :math:`\\chi^2_{stat} + W(\\mu - \\bar y_w)^2/(1 + aW\\mu^2)`): minimum at
          :math:`\\hat\\mu = \\bar y_w` with :math:`\\hat N = 1`,
          :math:`\\sigma^2 = 1/W + a\\bar y_w^2`, interval edges where the curve rises by 1,
          the roots of :math:`(1 - a)u^2 - 2azu - (1 + az^2)` in :math:`u = (\\mu - \\bar y_w)\\sqrt W`,
          :math:`z = \\bar y_w\\sqrt W` (an edge is infinite where the curve never rises by 1,
          which happens for :math:`\\epsilon \\geq 1`);
        * the weighted mean.

        The tests check every number against Minuit's fits.
        """
        k = self._unit()
        y, s, a = self.values / k, self.stat_errors / k, self.norm_error ** 2
        try:
            with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                w = s ** -2.0
                W = float(w.sum())
                ybar = float(w @ y) / W
                chi2_stat = float(w @ (y - ybar) ** 2)
                damp = 1.0 + a * chi2_stat
                var_cov = (1.0 + a * float(w @ (y * y))) / (W * damp)
                mu_cov, chi2_cov = ybar / damp, chi2_stat / damp
                var_rel = 1.0 / W + a * ybar * ybar
                z = ybar * np.sqrt(W)
                lo_u, hi_u = _edges(1.0 - a, -2.0 * a * z, -(1.0 + a * z * z))
        except FloatingPointError:
            raise InputError("the values and errors span too many orders of magnitude to be "
                             "combined in floating point") from None
        err_cov, err_rel, root_w = np.sqrt(var_cov), np.sqrt(var_rel), np.sqrt(W)

        def est(label, mu, err, lo, hi, chi2, N=None):
            return Estimate(label, mu * k, err * k, lo * k, hi * k, chi2, N)

        n_data = 1.0 / damp if a > 0 else 1.0
        return [
            est(COVARIANCE_MEASURED, mu_cov, err_cov, mu_cov - err_cov, mu_cov + err_cov, chi2_cov),
            est(N_ON_DATA, mu_cov, err_cov, mu_cov - err_cov, mu_cov + err_cov, chi2_cov, n_data),
            est(N_ON_PREDICTION, ybar, err_rel, ybar + lo_u / root_w, ybar + hi_u / root_w,
                chi2_stat, 1.0),
            est(COVARIANCE_RELATIVE, ybar, err_rel, ybar + lo_u / root_w, ybar + hi_u / root_w,
                chi2_stat),
            est(WEIGHTED_MEAN, ybar, 1.0 / root_w, ybar - 1.0 / root_w, ybar + 1.0 / root_w,
                chi2_stat),
        ]

    def compare(self, minos: bool = True, likelihood: bool = False) -> pd.DataFrame:
        """All methods side by side: rows labelled by :data:`METHODS` (and
        :data:`GAUSSIAN_LIKELIHOOD` before the weighted mean if ``likelihood``), columns
        value, error, lower, upper, chi2, N. The likelihood row has no :math:`\\chi^2`: its
        minimum of :math:`-2\\ln L` includes :math:`\\ln\\det V(\\mu)` and is not comparable
        with the other rows, so its "chi2" is NaN (the minimum is ``likelihood_fit().chi2_min``)."""
        rows = [
            self.covariance_fit(),
            self.nuisance_fit("data", minos),
            self.nuisance_fit("prediction", minos),
            self.relative_covariance_fit(minos),
            *([self.likelihood_fit(minos)] if likelihood else []),
            self.weighted_mean(),
        ]
        table = pd.DataFrame([r.as_row() for r in rows]).set_index("method")
        if likelihood:
            table.loc[GAUSSIAN_LIKELIHOOD, "chi2"] = np.nan
        return table

    # ---------------------------------------------------------------- Gaussian likelihood
    def likelihood_nll(self, mu):
        """:math:`-2\\ln L(\\mu) = (y-\\mu)^T V(\\mu)^{-1}(y-\\mu) + \\ln\\det V(\\mu)` (vectorised).

        :math:`V(\\mu)` of :meth:`covariance_at`; :math:`\\ln\\det V(\\mu) = \\sum_i\\ln s_i^2 +
        \\ln(1 + \\epsilon^2\\mu^2\\sum_i s_i^{-2})`. This is :meth:`relative_covariance_chi2`
        plus the term it leaves out; it is also :math:`-2\\ln` of the N-on-prediction
        likelihood with :math:`N` integrated over its Gaussian constraint.
        """
        m = as_finite_array(mu, "mu")
        W = float(np.sum(self.stat_errors**-2.0))
        logdet = float(np.sum(np.log(self.stat_errors**2))) + np.log1p(self.norm_error**2 * m**2 * W)
        out = self.relative_covariance_chi2(m) + logdet
        return float(out) if np.ndim(out) == 0 else out

    def likelihood_minuit(self, minos: bool = True) -> Minuit:
        """The Minuit object minimising :meth:`likelihood_nll` (``errordef = 1``, one parameter ``mu``)."""
        start, step = self._start()
        def nll(mu):
            return self.likelihood_nll(mu)

        m = Minuit(nll, mu=start)
        m.errordef = 1.0  # the function is -2 ln L: the interval is where it rises by 1
        m.errors["mu"] = step
        return self._run(m, minos)

    @_scale_free
    def likelihood_fit(self, minos: bool = True) -> Estimate:
        """Maximum of the Gaussian likelihood with :math:`V(\\mu)`, including :math:`\\ln\\det V(\\mu)`.

        The value agrees with the closed form :func:`likelihood_values`; the error is
        HESSE's, the interval MINOS' (:math:`\\Delta(-2\\ln L) = 1`).
        """
        m = self.likelihood_minuit(minos)
        return self._estimate(GAUSSIAN_LIKELIHOOD, m, minos, False, self.likelihood_nll)

    # ---------------------------------------------------------------- N on data, scaled errors
    def scaled_data_minuit(self, tight: bool = True, start: tuple | None = None) -> Minuit:
        """Minuit after MIGRAD and HESSE for :math:`\\chi^2 = \\sum_i (N y_i - \\mu)^2/(N s_i)^2 + (N-1)^2/\\epsilon^2`.

        The statistical errors are scaled by :math:`N` along with the data, so the first
        term is :math:`\\sum_i (y_i - \\mu/N)^2/s_i^2`: minimised by :math:`\\mu/N = \\bar y_w`,
        and then :math:`N = 1`. The value is the N-on-prediction one. Needs :math:`\\epsilon > 0`.
        ``start = (mu, N)`` sets the starting point (default: the stat-only weighted mean
        and 1). ``tight=False`` keeps Minuit's default strategy and tolerance, as in a
        student's first fit; then MIGRAD may stop a little before the minimum.
        """
        if self.norm_error == 0:
            raise InputError("with norm_error = 0 there is no N to fit")
        y, s, c = self.values, self.stat_errors, 1.0 / self.norm_error**2

        def chi2(mu, N):
            r = (N * y - mu) / (N * s)
            return r @ r + c * (N - 1.0) ** 2

        mu0, step = self._start()
        n0 = 1.0
        if start is not None:
            mu0, n0 = (as_number(x, "start") for x in start)
        m = Minuit(chi2, mu=mu0, N=n0)
        m.errordef = Minuit.LEAST_SQUARES
        if tight:
            m.errors["mu"] = step
            m.errors["N"] = self.norm_error
            return self._run(m, minos=False)
        m.migrad()
        m.hesse()
        return m

    @_scale_free
    def scaled_data_fit(self) -> Estimate:
        """Estimate from :meth:`scaled_data_minuit` (HESSE error, no MINOS)."""
        m = self.scaled_data_minuit()
        mu, err = float(m.values["mu"]), float(m.errors["mu"])
        return Estimate(N_ON_DATA_SCALED, mu, err, mu - err, mu + err, float(m.fval),
                        float(m.values["N"]))

    # ---------------------------------------------------------------- closed-form facts
    def stat_chi2(self) -> float:
        """:math:`\\chi^2_{stat} = \\sum_i (y_i - \\bar y_w)^2/s_i^2`: the disagreement under the stat errors alone."""
        return float(stat_chi2_values(self.values, self.stat_errors))

    def normalisation_factor(self) -> float:
        """:math:`\\hat N = 1/(1 + \\epsilon^2\\chi^2_{stat})`, the N-on-data fit's normalisation in closed form."""
        return 1.0 / (1.0 + self.norm_error**2 * self.stat_chi2())

    def tension(self) -> dict:
        """How well the measurements agree under the covariance from the measured values.

        Returns ``{"chi2", "ndf", "pvalue"}``: the covariance fit's :math:`\\chi^2_{min}` for
        :math:`n - 1` degrees of freedom and :math:`P(\\chi^2_{n-1} \\geq \\chi^2_{min})`.
        """
        chi2 = self.covariance_fit().chi2_min
        ndf = self.n - 1
        return {"chi2": chi2, "ndf": ndf, "pvalue": float(chi2_dist.sf(chi2, ndf))}

    def blue_weights(self) -> np.ndarray:
        """The BLUE weights :math:`V^{-1}1/(1^T V^{-1} 1)` of the covariance fit (they sum to one)."""
        return np.asarray(engine.solve(self.values, self.covariance_measured()).weights)

    def negative_weight_threshold(self) -> float:
        """The normalisation uncertainty :math:`\\epsilon` above which a BLUE weight of the
        covariance fit (from the measured values) turns negative.

        For two measurements, :math:`w_j \\propto \\sigma_i^2 - c = s_i^2 - \\epsilon^2 y_i (y_j - y_i)`,
        so the weight of :math:`y_j` is negative when :math:`\\epsilon^2 y_i(y_j - y_i) > s_i^2`:
        :math:`\\epsilon^* = \\min s_i/\\sqrt{y_i(y_j - y_i)}` over the pairs with
        :math:`y_i(y_j - y_i) > 0`. Above it the fit leaves the interval between the
        measurements. ``inf`` if no normalisation makes a weight negative (e.g. equal values).
        Independent of :attr:`norm_error`.
        """
        if self.n != 2:
            raise InputError(f"the threshold needs exactly 2 measurements, got {self.n}")
        y, s = self.values, self.stat_errors
        out = np.inf
        for i, j in ((0, 1), (1, 0)):
            lever = y[i] * (y[j] - y[i])
            if lever > 0:
                out = min(out, float(s[i] / np.sqrt(lever)))
        return out

    def dagostini_coefficients(self) -> np.ndarray:
        """The coefficients of :math:`y_1, y_2` in D'Agostini's closed form, :math:`(s_2^2, s_1^2)/D`.

        They sum to :math:`(s_1^2 + s_2^2)/D = 1/(1 + \\epsilon^2\\chi^2_{stat}) = \\hat N`, not to
        one: the covariance itself is built from the data, so the fit is not a fixed
        linear combination, and the same number can be written with different coefficients.
        """
        if self.n != 2:
            raise InputError(f"the closed form needs exactly 2 measurements, got {self.n}")
        (y1, y2), (s1, s2), e = self.values, self.stat_errors, self.norm_error
        d = s1**2 + s2**2 + (y1 - y2) ** 2 * e**2
        return np.array([s2**2, s1**2]) / d

    def as_combination(self):
        """The problem as a :class:`~helpers.combination.Combination` with sources ``"stat"``
        (uncorrelated) and ``"norm"`` (:math:`\\epsilon y_i`, fully correlated), for
        ``.iterated("norm")``: the iterative BLUE of Lista (2014)."""
        from .combination import Combination
        names = [f"y{i + 1}" for i in range(self.n)]
        errors = pd.DataFrame({"stat": self.stat_errors,
                               "norm": self.norm_error * np.abs(self.values)}, index=names)
        return Combination(pd.Series(self.values, index=names), errors, {"stat": 0.0, "norm": 1.0})

    # ---------------------------------------------------------------- geometry (n = 2)
    def _cov2(self, cov) -> np.ndarray:
        if cov is None:
            if self.n != 2:
                raise InputError(f"the two-dimensional picture needs exactly 2 measurements, got {self.n}")
            return self.covariance_measured()
        return as_covariance(cov, 2)

    def ellipse(self, c: float = 1.0, center=None, npoints: int = 200, cov=None) -> np.ndarray:
        """Points :math:`y' = y_c + c L (\\cos\\varphi, \\sin\\varphi)^T`, :math:`V = L L^T`.

        They satisfy :math:`\\Delta y^T V^{-1} \\Delta y = c^2`; ``V`` defaults to
        :meth:`covariance_measured`, ``center`` to the measurements. :math:`\\varphi` runs over
        ``[0, 2\\pi]`` inclusive (closed curve). Returns an ``(npoints, 2)`` array.
        """
        V = self._cov2(cov)
        c = as_number(c, "c", positive=True)
        if center is None:
            if self.n != 2:
                raise InputError(f"the two-dimensional picture needs exactly 2 measurements, got {self.n}")
            center = self.values
        ctr = as_vector(center, "center")
        if ctr.size != 2:
            raise InputError(f"center must have 2 entries, got {ctr.size}")
        if isinstance(npoints, bool) or not isinstance(npoints, (int, np.integer)) or npoints < 3:
            raise InputError(f"npoints must be an integer >= 3, got {npoints!r}")
        phi = np.linspace(0.0, 2.0 * np.pi, int(npoints))
        L = np.linalg.cholesky(V)
        return ctr[None, :] + c * (L @ np.vstack([np.cos(phi), np.sin(phi)])).T

    def touching_point(self, cov=None) -> tuple[float, float]:
        """Where the :math:`\\chi^2` ellipses around the measurements first touch the line :math:`y_1' = y_2'`.

        The point :math:`(\\hat\\mu, \\hat\\mu)` is the GLS minimum along the line,
        :math:`\\hat\\mu = 1^T V^{-1} y / 1^T V^{-1} 1`, and :math:`c = \\sqrt{\\chi^2_{min}}`
        (for n = 2, :math:`\\chi^2_{min} = (y_1 - y_2)^2 / \\mathrm{var}(y_1 - y_2)`).

        Returns
        -------
        (mu_hat, c_touch) : tuple of float
        """
        if self.n != 2:
            raise InputError(f"the touching point needs exactly 2 measurements, got {self.n}")
        mu, _, _, chi2 = engine.solve(self.values, self._cov2(cov))
        return mu, float(np.sqrt(chi2))

    def ellipse_axes(self, cov=None) -> dict:
        """Shape of the :math:`c = 1` ellipse of ``cov`` (default: from the measured values).

        Returns ``{"minor", "major", "angle", "tilt"}``: the semi-axes (square roots of the
        eigenvalues of V), the direction of the major axis in degrees from the
        :math:`y_1'` axis (in :math:`[0, 180)`) and its angle from the diagonal
        :math:`y_1' = y_2'`, ``angle - 45``.
        """
        V = self._cov2(cov)
        ev, vec = np.linalg.eigh(V)
        major = vec[:, 1]
        angle = float(np.degrees(np.arctan2(major[1], major[0]))) % 180.0
        return {"minor": float(np.sqrt(ev[0])), "major": float(np.sqrt(ev[1])),
                "angle": angle, "tilt": angle - 45.0}

    def values_tilt(self) -> float:
        """Angle in degrees between the direction of the measurement vector :math:`\\mathbf y`
        (from the origin) and the diagonal :math:`y_1' = y_2'`. The normalisation stretches
        the ellipse along :math:`\\mathbf y`; its major axis (:meth:`ellipse_axes`) is tilted
        a little more, because the statistical errors differ."""
        if self.n != 2:
            raise InputError(f"the tilt needs exactly 2 measurements, got {self.n}")
        return float(np.degrees(np.arctan2(self.values[1], self.values[0]))) - 45.0

    def mean_difference(self, cov=None) -> dict:
        """The covariance in the coordinates :math:`m = (y_1' + y_2')/2`, :math:`d = y_2' - y_1'`.

        On the line :math:`y_1' = y_2'` we have :math:`d = 0`, so the fit is the Gaussian
        conditional mean :math:`\\hat\\mu = m_{obs} - k\\,d_{obs}` with slope
        :math:`k = \\mathrm{cov}(m, d)/\\mathrm{var}(d)`. Returns ``{"var_m", "var_d", "cov_md",
        "slope", "shift"}`` with ``shift = k d_obs`` (how far below the plain mean the fit lands).
        """
        V = self._cov2(cov)
        A = np.array([[0.5, 0.5], [-1.0, 1.0]])
        M = A @ V @ A.T
        d_obs = float(self.values[1] - self.values[0])
        slope = M[0, 1] / M[1, 1]
        return {"var_m": float(M[0, 0]), "var_d": float(M[1, 1]), "cov_md": float(M[0, 1]),
                "slope": float(slope), "shift": float(slope * d_obs)}


def scan_norm(values, stat_rel, norm_rels) -> pd.DataFrame:
    """Each method's value and HESSE error as a function of the normalisation uncertainty.

    Parameters
    ----------
    values : array_like
        Measured values.
    stat_rel : float or array_like
        Relative stat errors (see :meth:`NormalisationProblem.from_relative`).
    norm_rels : array_like
        Values of :math:`\\epsilon` (each >= 0), e.g. ``np.linspace(0, 0.3, 31)``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``norm_rel``; columns are a MultiIndex ``(quantity, method)`` with
        quantity ``"value"`` or ``"error"``, so ``df["value"]`` has one column per method.
    """
    eps = as_positive_vector(norm_rels, "norm_rels", allow_zero=True)
    records = []
    for e in eps:
        df = NormalisationProblem.from_relative(values, stat_rel, e).compare(minos=False)
        rec = {("value", k): v for k, v in df["value"].items()}
        rec.update({("error", k): v for k, v in df["error"].items()})
        records.append(rec)
    out = pd.DataFrame(records, index=pd.Index(eps, name="norm_rel"))
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=["quantity", "method"])
    return out


def course_problem(norm_rel: float | None = None, stat_rel: float | None = None,
                   y2: float | None = None) -> NormalisationProblem:
    """The two measurements of the course sheet (``book/data/normalisation.csv``),
    optionally with another normalisation or stat uncertainty, or another second value.
    The stat errors are the relative ones times the measured values, as on the sheet."""
    d = data.normalisation_inputs()
    values = d["value"].to_numpy().copy()
    if y2 is not None:
        values[1] = as_number(y2, "y2")
    stat = d["stat_rel"].to_numpy() if stat_rel is None else stat_rel
    norm = d["norm_rel"].iloc[0] if norm_rel is None else norm_rel
    return NormalisationProblem.from_relative(values, stat, norm)


def minuit_settings_study(problem: NormalisationProblem | None = None, *,
                          strategies=(0, 1, 2), starts_mu=(7.0, 8.0, 8.25, 9.0),
                          starts_N=(0.9, 1.0, 1.1)) -> pd.DataFrame:
    """What a student's N-on-prediction fit gives with Minuit's numerical derivatives.

    The :math:`\\chi^2` is written plainly (no gradient) and minimised with the default
    tolerance, for each strategy and starting point; then HESSE. Compared with the exact
    answer (:meth:`NormalisationProblem.nuisance_fit`, exact Hessian): ``"mu offset"`` is
    MIGRAD's distance from the true minimum, ``"hesse rel diff"`` the relative error of
    HESSE's error. Also ``"valid"`` and ``"accurate"`` (Minuit's ``valid`` and
    ``fmin.has_accurate_covar``).
    """
    p = problem or course_problem()
    exact = p.nuisance_fit("prediction", minos=False)
    y, s, c = p.values, p.stat_errors, 1.0 / p.norm_error**2

    def chi2(mu, N):
        r = (y - N * mu) / s
        return r @ r + c * (N - 1.0) ** 2

    rows = []
    for strategy in strategies:
        for mu0 in starts_mu:
            for n0 in starts_N:
                m = Minuit(chi2, mu=mu0, N=n0)
                m.errordef = Minuit.LEAST_SQUARES
                m.strategy = strategy
                m.migrad()
                m.hesse()
                rows.append({"strategy": strategy, "start mu": mu0, "start N": n0,
                             "mu offset": float(m.values["mu"]) - exact.value,
                             "hesse rel diff": float(m.errors["mu"]) / exact.error - 1.0,
                             "valid": bool(m.valid),
                             "accurate": bool(m.fmin.has_accurate_covar)})
    return pd.DataFrame(rows)


def below_both_thresholds(norm_rel: float | None = None, stat_rel: float | None = None) -> tuple:
    """The values of the second measurement beyond which the covariance fit lies below both.

    With ``y1`` and the errors of :func:`course_problem` (optionally another ``norm_rel``
    or ``stat_rel``), returns ``(low, high)``: for ``y2 < low`` or ``y2 > high`` the
    covariance fit from the measured values is below ``min(y1, y2)``; between them (near
    ``y2 = y1``, where the two agree) it is not. Found with ``brentq`` on
    ``mu_hat(y2) - min(y1, y2)``, bracketed away from the trivial root ``y2 = y1``.
    """
    y1 = float(course_problem().values[0])

    def excess(y2):
        fit = course_problem(norm_rel=norm_rel, stat_rel=stat_rel, y2=y2).covariance_fit()
        return fit.value - min(y1, y2)

    eps = 1e-6 * y1
    if not (excess(y1 + eps) > 0 > excess(2.0 * y1) and excess(y1 - eps) > 0 > excess(0.5 * y1)):
        raise InputError("no sign change of the covariance fit's excess on either side of y1")
    low = brentq(excess, 0.5 * y1, y1 - eps, xtol=1e-12)
    high = brentq(excess, y1 + eps, 2.0 * y1, xtol=1e-12)
    return float(low), float(high)
