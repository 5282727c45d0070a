"""Closed forms of the normalisation chapter: labels, :class:`Estimate`, the
:math:`\\chi^2` curves and every estimator without a fit.

Everything here is a function of the measured values ``y``, the absolute stat errors ``s``
and the relative normalisation uncertainty ``eps``; :class:`helpers.normalisation.NormalisationProblem`
delegates to it. The vectorised functions (:func:`weighted_mean_values` and friends) work
along the last axis and validate their input; the others take the checked arrays of a
problem. Each works on ``y / 2^e`` and ``s / 2^e`` (:func:`helpers.blue.exponent`, exact)
where the sums would leave the floating-point range, so any scale gives the same digits.

With :math:`w_i = s_i^{-2}`, :math:`W = \\sum w_i`, the stat-only weighted mean
:math:`\\bar y_w`, :math:`a = \\epsilon^2` and the dimensionless :math:`t = \\mu\\sqrt W`,
:math:`z = \\bar y_w\\sqrt W`, Sherman-Morrison gives the relative-covariance curve

.. math:: \\chi^2(\\mu) = \\chi^2_{stat} + \\frac{(t - z)^2}{1 + a t^2},

which is also the N-on-prediction profile: a sum of non-negative terms, exact for any
:math:`\\mu` (for :math:`|t| > 1` it is evaluated as :math:`(1 - z/t)^2/(t^{-2} + a)`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from . import blue as engine
from .validation import InputError, as_count, as_finite_array, as_number

__all__ = [
    "COVARIANCE_MEASURED", "N_ON_DATA", "N_ON_PREDICTION", "COVARIANCE_RELATIVE",
    "WEIGHTED_MEAN", "METHODS", "GAUSSIAN_LIKELIHOOD", "N_ON_DATA_SCALED", "Estimate",
    "as_norm_error", "weighted_mean_values", "stat_chi2_values", "covariance_fit_values",
    "likelihood_values", "closed_forms", "relative_chi2", "profile_prediction",
    "measured_chi2", "likelihood_nll", "dagostini", "unit",
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
        Symmetric error :math:`\\sigma_{\\hat\\mu}`: the square root of the diagonal of
        HESSE's covariance (exact Hessian) for the fits, linear propagation for the closed forms.
    lower, upper : float
        Interval edges (not offsets): MINOS edges :math:`\\{\\mu: \\chi^2 = \\chi^2_{min} + 1\\}`
        for the fits, :math:`\\hat\\mu \\mp \\sigma` for the closed-form methods. A MINOS
        edge is used only if every MINOS flag is good and the exact 1-d (profile) curve
        confirms it as the first crossing; otherwise the edge is found on that curve, and it
        is ``-inf`` / ``inf`` if the curve never rises by 1 on that side (a one-sided
        interval, :attr:`one_sided`).
    chi2_min : float
        :math:`\\chi^2` at the minimum (for the Gaussian likelihood: :math:`-2\\ln L`, which
        includes :math:`\\ln\\det V` and so changes by :math:`2n\\ln k` when values and
        errors are multiplied by :math:`k`).
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

    @property
    def one_sided(self) -> bool:
        """True if the curve never rises by 1 on one side (an infinite edge)."""
        return bool(np.isinf(self.lower) or np.isinf(self.upper))

    def as_row(self) -> dict:
        """A dict for a table row: method, value, error, lower, upper, chi2, N."""
        d = asdict(self)
        d["chi2"] = d.pop("chi2_min")
        return {k: d[k] for k in ("method", "value", "error", "lower", "upper", "chi2", "N")}


def as_norm_error(eps, name: str = "norm_error") -> float:
    """A relative normalisation uncertainty: one finite number >= 0 and below 1e100 (its
    square enters every formula)."""
    e = as_number(eps, name, non_negative=True)
    if e >= 1e100:
        raise InputError(f"{name} = {e:g} is not a usable relative uncertainty (must be below 1e100)")
    return e


def unit(values, errors) -> float:
    """A power of two near the largest value or error (:func:`helpers.blue.exponent`):
    dividing by it is exact and brings the numbers to order one."""
    return float(np.ldexp(1.0, engine.exponent([*values, *errors]) - 1))


# ------------------------------------------------------------------------------------
# vectorised over leading axes (the toy study uses them on many samples)
# ------------------------------------------------------------------------------------
def _checked(y, s):
    """``(y, s, k)``: validated arrays (finite, real, unmasked, ``s > 0``, broadcastable,
    at least one entry along the last axis) divided by the power of two :func:`unit` ``k``."""
    y = as_finite_array(y, "y")
    s = as_finite_array(s, "s")
    if np.any(s <= 0):
        raise InputError("the stat errors s must be positive")
    try:
        shape = np.broadcast_shapes(y.shape, s.shape)
    except ValueError:
        raise InputError(f"y and s have shapes {y.shape} and {s.shape} that do not match") from None
    if len(shape) == 0 or shape[-1] < 1:
        raise InputError("y and s need at least one measurement along the last axis")
    k = unit(y.ravel(), s.ravel())
    return np.broadcast_to(y, shape) / k, np.broadcast_to(s, shape) / k, k


def _sums(y, s):
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            w = s ** -2.0
            W = w.sum(axis=-1)
            return w, W, (w * y).sum(axis=-1) / W
    except FloatingPointError:
        raise InputError("the values and errors span too many orders of magnitude to be "
                         "combined in floating point") from None


def weighted_mean_values(y, s):
    """:math:`\\bar y_w = \\sum_i y_i/s_i^2 / \\sum_i 1/s_i^2` along the last axis."""
    y, s, k = _checked(y, s)
    return _sums(y, s)[2] * k


def stat_chi2_values(y, s):
    """:math:`\\chi^2_{stat} = \\sum_i (y_i - \\bar y_w)^2/s_i^2` along the last axis."""
    y, s, _ = _checked(y, s)
    w, _, ybar = _sums(y, s)
    return (w * (y - ybar[..., None]) ** 2).sum(axis=-1)


def covariance_fit_values(y, s, eps):
    """The covariance fit (GLS with :math:`V = S + \\epsilon^2 y y^T`) in closed form, any n.

    Sherman-Morrison gives :math:`\\hat\\mu = \\bar y_w / (1 + \\epsilon^2\\chi^2_{stat})` and
    :math:`\\chi^2_{min} = \\chi^2_{stat}/(1 + \\epsilon^2\\chi^2_{stat})`, so
    :math:`\\hat\\mu = \\bar y_w (1 - \\epsilon^2\\chi^2_{min})`.

    Returns ``(mu_hat, chi2_min)`` (arrays over the leading axes).
    """
    a = as_norm_error(eps, "eps") ** 2
    ybar = weighted_mean_values(y, s)
    chi2_stat = stat_chi2_values(y, s)
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
    a = as_norm_error(eps, "eps") ** 2
    iterations = as_count(iterations, "iterations", maximum=10_000)
    y, s, k = _checked(y, s)
    _, W, ybar = _sums(y, s)
    if np.any(ybar <= 0):
        raise InputError("the likelihood minimum is computed for a positive weighted mean only")
    c3, c2, c1 = a * a * W, a * W * ybar, 1.0 + a - a * W * ybar**2
    u = np.array(ybar, dtype=float, copy=True)
    for _ in range(iterations):
        g = ((c3 * u + c2) * u + c1) * u - ybar
        dg = (3.0 * c3 * u + 2.0 * c2) * u + c1
        step = g / dg
        u = u - step
        if np.all(np.abs(step) <= 1e-14 * np.abs(u)):
            break
    return u * k


# ------------------------------------------------------------------------------------
# chi2 curves of one problem (y, s checked 1-d arrays), vectorised in mu
# ------------------------------------------------------------------------------------
def _mu(mu):
    m = as_finite_array(mu, "mu")
    return m, m.reshape(-1)


def _shaped(out, m):
    out = np.asarray(out).reshape(m.shape)
    return float(out) if out.ndim == 0 else out


def _profile_parts(y, s, eps, mu):
    """``(chi2_stat, t - z, D_t, N_hat)`` with the stable forms of the module docstring:
    the curve is ``chi2_stat + shift**2 / damp``."""
    k = unit(y, s)
    w, W, ybar = _sums(y / k, s / k)
    chi2_stat = float(w @ (y / k - ybar) ** 2)
    a, root = eps * eps, np.sqrt(W)
    t, z = (mu / k) * root, ybar * root
    big = np.abs(t) > 1.0
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        inv = np.where(big, 1.0 / np.where(big, t, 1.0), 0.0)
        shift = np.where(big, 1.0 - z * inv, t - z)                  # (t - z) / t where |t| > 1
        damp = np.where(big, inv * inv + a, 1.0 + a * t * t)         # D / t^2 where |t| > 1
        N = np.where(big, (inv * inv + a * z * inv) / damp, (1.0 + a * t * z) / damp)
    return chi2_stat, shift, damp, N


def relative_chi2(y, s, eps, mu):
    """:math:`\\chi^2(\\mu) = (y - \\mu 1)^T V(\\mu)^{-1}(y - \\mu 1)`,
    :math:`V(\\mu) = \\mathrm{diag}(s^2) + \\epsilon^2\\mu^2 11^T`, in the closed form of the module
    docstring (any ``mu``, vectorised)."""
    m, flat = _mu(mu)
    chi2_stat, shift, damp, _ = _profile_parts(y, s, eps, flat)
    with np.errstate(over="ignore", divide="ignore"):
        return _shaped(chi2_stat + shift * shift / damp, m)


def profile_prediction(y, s, eps, mu):
    """``(chi2, N_hat)``: the N-on-prediction :math:`\\chi^2` minimised over :math:`N` at
    fixed :math:`\\mu`; :math:`\\hat N = (1 + a t z)/(1 + a t^2)`. The curve is :func:`relative_chi2`."""
    m, flat = _mu(mu)
    chi2_stat, shift, damp, N = _profile_parts(y, s, eps, flat)
    with np.errstate(over="ignore", divide="ignore"):
        return _shaped(chi2_stat + shift * shift / damp, m), _shaped(N, m)


def measured_chi2(y, cov, mu):
    """:math:`(y - \\mu 1)^T V^{-1}(y - \\mu 1)` for a checked covariance ``V``, vectorised in ``mu``."""
    m, flat = _mu(mu)
    return _shaped(engine.quadratic_form(y[None, :] - flat[:, None], cov), m)


def likelihood_nll(y, s, eps, mu):
    """:math:`-2\\ln L(\\mu) = \\chi^2_{rel}(\\mu) + \\sum_i\\ln s_i^2 + \\ln(1 + \\epsilon^2\\mu^2 W)`,
    the log-determinant in the dimensionless :math:`t = \\mu\\sqrt W` (vectorised)."""
    m, flat = _mu(mu)
    k = unit(y, s)
    W = float(np.sum((s / k) ** -2.0))
    with np.errstate(over="ignore"):
        et = eps * np.abs(flat / k) * np.sqrt(W) if eps > 0 else np.zeros_like(flat)
    with np.errstate(divide="ignore", over="ignore"):
        big = et > 1.0
        inv = np.where(big, 1.0 / np.where(big, et, 1.0), 0.0)
        # ln(1 + (eps t)^2), as 2 ln|eps t| + ln(1 + (eps t)^-2) where |eps t| > 1 (no overflow)
        log_d = np.where(big, 2.0 * np.log(np.where(big, et, 1.0)) + np.log1p(inv * inv),
                         np.log1p(et * et))
    logdet = float(np.sum(np.log((s / k) ** 2))) + 2.0 * s.size * np.log(k) + log_d
    return _shaped(np.atleast_1d(relative_chi2(y, s, eps, flat)) + logdet, m)


# ------------------------------------------------------------------------------------
# every estimator in closed form
# ------------------------------------------------------------------------------------
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


def closed_forms(y, s, eps) -> list[Estimate]:
    """The rows of :meth:`NormalisationProblem.compare` (without the likelihood), exact;
    see :meth:`NormalisationProblem.closed_forms` for the formulas."""
    k = unit(y, s)
    y, s, a = y / k, s / k, eps ** 2
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


def dagostini(y, s, eps) -> tuple[float, float, np.ndarray]:
    """``(mean, error, coefficients)`` of D'Agostini's closed form for two measurements:
    :math:`D = s_1^2 + s_2^2 + (y_1 - y_2)^2\\epsilon^2`, coefficients :math:`(s_2^2, s_1^2)/D`,
    mean their product with ``y``, :math:`\\sigma^2 = (s_1^2 s_2^2 + (y_1^2 s_2^2 + y_2^2 s_1^2)\\epsilon^2)/D`."""
    k = unit(y, s)
    (y1, y2), (s1, s2) = y / k, s / k
    d = s1**2 + s2**2 + (y1 - y2) ** 2 * eps**2
    coeff = np.array([s2**2, s1**2]) / d
    mean = (y1 * s2**2 + y2 * s1**2) / d
    var = (s1**2 * s2**2 + (y1**2 * s2**2 + y2**2 * s1**2) * eps**2) / d
    return float(mean * k), float(np.sqrt(var) * k), coeff
