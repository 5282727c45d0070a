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
   log-determinant term). Its :math:`\\chi^2` curve is exactly the profile of 3.

Every method accepts :math:`\\epsilon = 0` (then all reduce to the weighted mean; the
fits with :math:`N` keep :math:`N = 1` fixed) and any :math:`\\epsilon > 0`, however
large. Invalid input raises :class:`~helpers.validation.InputError`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from iminuit import Minuit
from iminuit.cost import LeastSquares, NormalConstraint
from scipy.linalg import solve_triangular
from scipy.optimize import brentq

from .combination import _blue_arrays
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
    "scan_norm",
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
    """A relative normalisation uncertainty: one finite number >= 0."""
    return as_number(eps, name, non_negative=True)


def _gls(y: np.ndarray, cov: np.ndarray) -> tuple[float, float, float]:
    """GLS fit of a constant, :math:`\\hat\\mu = 1^T V^{-1} y / 1^T V^{-1} 1` (the BLUE).

    Returns ``(mu_hat, sigma, chi2_min)`` with :math:`\\sigma^2 = 1/(1^T V^{-1} 1)`.
    """
    mu, sigma, _ = _blue_arrays(y, cov)
    r = y - mu
    return mu, sigma, float(r @ np.linalg.solve(cov, r))


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
    def weighted_mean(self) -> Estimate:
        """Stat-only weighted mean: :math:`\\hat\\mu = \\sum y_i/s_i^2 / \\sum 1/s_i^2`, :math:`\\sigma^2 = 1/\\sum s_i^{-2}`."""
        w = self.stat_errors**-2.0
        mu = float(w @ self.values / w.sum())
        err = float(1.0 / np.sqrt(w.sum()))
        chi2 = float(w @ (self.values - mu) ** 2)
        return Estimate(WEIGHTED_MEAN, mu, err, mu - err, mu + err, chi2)

    def covariance_fit(self) -> Estimate:
        """GLS with the measured-value covariance.

        :math:`\\hat\\mu = 1^T V^{-1} y / 1^T V^{-1} 1`, :math:`\\sigma^2 = 1/(1^T V^{-1} 1)`,
        :math:`V` from :meth:`covariance_measured`.
        """
        mu, err, chi2 = _gls(self.values, self.covariance_measured())
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

    def relative_covariance_fit(self, minos: bool = True) -> Estimate:
        """Fit with :math:`V(\\mu) = \\mathrm{diag}(s^2) + \\epsilon^2\\mu^2 11^T` inside :math:`\\chi^2(\\mu)` (no log-det term).

        Same :math:`\\chi^2` curve as the profile of :meth:`nuisance_fit` ``(on="prediction")``.
        """
        m = self.relative_covariance_minuit(minos)
        return self._estimate(COVARIANCE_RELATIVE, m, minos, False, self.profile_chi2_prediction)

    def compare(self, minos: bool = True) -> pd.DataFrame:
        """All methods side by side: rows labelled by :data:`METHODS`, columns value, error, lower, upper, chi2, N."""
        rows = [
            self.covariance_fit(),
            self.nuisance_fit("data", minos),
            self.nuisance_fit("prediction", minos),
            self.relative_covariance_fit(minos),
            self.weighted_mean(),
        ]
        return pd.DataFrame([r.as_row() for r in rows]).set_index("method")

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
        mu, _, chi2 = _gls(self.values, self._cov2(cov))
        return mu, float(np.sqrt(chi2))


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
