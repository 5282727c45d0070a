"""The chapter's problem: y = 1 + a1 x + a2 x^2, the b reparametrisation, z = ln y,
and the seed notebook's mistakes (see :mod:`helpers.propagation`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .. import SEED
from ..validation import InputError, as_correlation, as_finite_array, as_number, as_real_array, as_vector
from .tools import P68, _as_rng, cut_statistics, propagate, sample_gaussian, summarize

__all__ = [
    "A_NOMINAL", "A_ERRORS", "RHO", "cov_a", "y_a", "y_b", "a_to_b", "b_to_a",
    "jacobian_a_to_b", "b_linear", "sigma_y_formula", "sigma_y_a", "sigma_y_b", "sigma_z",
    "mc_vs_linear_table", "b_samples", "b_mc_table", "b2_cut_scan",
    "LnYSummary", "lny_samples", "lny_distribution", "lny_table",
    "sigma_y_seed_root", "sigma_y_seed_final", "y_b_seed", "seed_mistakes_table",
    "sample_cov_a", "std_pull_replicas", "format_mc_table", "b_cut_covariance",
    "seed_final_domain", "b2_quantiles_exact",
    "b1_second_order_mean", "y_width_decomposition", "pull_chance", "cut_band_ratio",
    "cut_band_narrow_range", "b1_variance_reachable", "lny_moments_exact",
]


# ====================================================================== the chapter's problem
A_NOMINAL = (2.0, 1.0)
"""Nominal :math:`(a_1, a_2)`."""
A_ERRORS = (0.2, 0.1)
"""Errors :math:`(\\sigma_1, \\sigma_2)`."""
RHO = -0.8
"""Correlation of :math:`a_1` and :math:`a_2`."""


def _problem_inputs(rho, sigma1, sigma2):
    r = as_correlation(rho, "rho")
    s1 = as_number(sigma1, "sigma1", non_negative=True)
    s2 = as_number(sigma2, "sigma2", non_negative=True)
    return r, s1, s2


def cov_a(rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> np.ndarray:
    """:math:`\\mathrm{Cov}(a) = ((\\sigma_1^2, \\rho\\sigma_1\\sigma_2), (\\rho\\sigma_1\\sigma_2, \\sigma_2^2))`.

    :math:`|\\rho| = 1` and zero errors give a singular (still legal) matrix.
    """
    r, s1, s2 = _problem_inputs(rho, sigma1, sigma2)
    c = r * s1 * s2
    return np.array([[s1 * s1, c], [c, s2 * s2]])


def y_a(x, a):
    """:math:`y = 1 + a_1 x + a_2 x^2`; ``a[0]``, ``a[1]`` broadcast against ``x``."""
    return 1.0 + a[0] * x + a[1] * x**2


def y_b(x, b):
    """:math:`y = 1 + x(1 + x)/b_1 + x(1 - x)/b_2` (the same curve as :func:`y_a` for ``b = a_to_b(a)``)."""
    return 1.0 + x * (1.0 + x) / b[0] + x * (1.0 - x) / b[1]


def a_to_b(a) -> np.ndarray:
    """:math:`b_1 = 2/(a_1 + a_2)`, :math:`b_2 = 2/(a_1 - a_2)`; shape follows ``a`` (components first)."""
    a = as_real_array(a, "a")
    with np.errstate(divide="ignore"):
        return np.stack([2.0 / (a[0] + a[1]), 2.0 / (a[0] - a[1])])


def b_to_a(b) -> np.ndarray:
    """Inverse of :func:`a_to_b`: :math:`a_1 = 1/b_1 + 1/b_2`, :math:`a_2 = 1/b_1 - 1/b_2`."""
    b = as_real_array(b, "b")
    return np.stack([1.0 / b[0] + 1.0 / b[1], 1.0 / b[0] - 1.0 / b[1]])


def jacobian_a_to_b(a=A_NOMINAL) -> np.ndarray:
    """:math:`M_{ij} = \\partial b_i/\\partial a_j = ((-2/s^2, -2/s^2), (-2/d^2, +2/d^2))`, :math:`s = a_1 + a_2`, :math:`d = a_1 - a_2`."""
    a1, a2 = as_vector(a, "a")
    s, d = a1 + a2, a1 - a2
    if s == 0 or d == 0:
        raise InputError(f"b is undefined at a = ({a1:g}, {a2:g}) (a1 + a2 or a1 - a2 is 0)")
    return np.array([[-2 / s**2, -2 / s**2], [-2 / d**2, 2 / d**2]])


def b_linear(rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> tuple[np.ndarray, np.ndarray]:
    """Nominal :math:`b` and :math:`\\mathrm{Cov}(b) = M\\,\\mathrm{Cov}(a)\\,M^T` (analytic Jacobian)."""
    return propagate(a_to_b, A_NOMINAL, cov_a(rho, sigma1, sigma2), jacobian=jacobian_a_to_b)


def _as_x(x) -> np.ndarray:
    return as_finite_array(x, "x")


def sigma_y_formula(x, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]):
    """Closed form :math:`\\sigma_y = |x|\\sqrt{\\sigma_1^2 + 2\\rho\\sigma_1\\sigma_2 x + \\sigma_2^2 x^2}` (vectorised)."""
    r, s1, s2 = _problem_inputs(rho, sigma1, sigma2)
    xx = _as_x(x)
    rad = np.maximum(s1**2 + 2 * r * s1 * s2 * xx + s2**2 * xx**2, 0.0)  # >= 0 up to rounding
    out = np.abs(xx) * np.sqrt(rad)
    return float(out) if out.ndim == 0 else out


def sigma_y_a(x, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]):
    """:math:`\\sigma_y(x)` by numerical linear propagation of Cov(a) through :func:`y_a` (jacobi).

    All ``x`` at once: the function propagated is the whole curve, so the diagonal of the
    result holds :math:`\\sigma_y^2(x)`.
    """
    xx = _as_x(x)
    flat = xx.reshape(-1)
    _, cov = propagate(lambda a: y_a(flat, a), A_NOMINAL, cov_a(rho, sigma1, sigma2))
    out = np.sqrt(np.maximum(np.diag(cov), 0.0)).reshape(xx.shape)
    return float(out) if out.ndim == 0 else out


def sigma_y_b(x, cov_b=None, b=None):
    """:math:`\\sigma_y(x)` by linear propagation of :math:`\\mathrm{Cov}(b)` through :func:`y_b`.

    Defaults: ``b`` and ``cov_b`` from :func:`b_linear`. Pass another ``cov_b`` (e.g. the
    covariance of Monte Carlo samples after a cut) to see what it does to the band.
    """
    b0, c0 = b_linear()
    b = b0 if b is None else as_vector(b, "b")
    cov_b = c0 if cov_b is None else cov_b
    xx = _as_x(x)
    flat = xx.reshape(-1)
    _, cov = propagate(lambda bb: y_b(flat, bb), b, cov_b)
    out = np.sqrt(np.maximum(np.diag(cov), 0.0)).reshape(xx.shape)
    return float(out) if out.ndim == 0 else out


def sigma_z(x, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]):
    """Linear :math:`\\sigma_z = \\sigma_y/|y|` for :math:`z = \\ln y` (``inf`` where y = 0, i.e. x = -1)."""
    xx = _as_x(x)
    y = y_a(xx, A_NOMINAL)
    with np.errstate(divide="ignore"):
        out = sigma_y_formula(xx, rho, sigma1, sigma2) / np.abs(y)
    return float(out) if np.ndim(out) == 0 else out


def _a_samples(size, seed, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> np.ndarray:
    return sample_gaussian(A_NOMINAL, cov_a(rho, sigma1, sigma2), size, seed)


def mc_vs_linear_table(xs=(-3.0, -1.0, 0.0, 1.0, 3.0), size=10**6, seed=SEED, rho=RHO,
                       sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> pd.DataFrame:
    """Monte Carlo of :math:`y(x)` against linear propagation, with the MC error of every number.

    One sample of :math:`(a_1, a_2)` is pushed through the curve at every ``x``. Columns:
    ``y``, ``sigma_linear`` (closed form), ``mc_mean``, ``mc_mean_error``, ``mc_std``,
    ``mc_std_error``, ``mc_median``, ``mc_median_error``, ``mc_halfwidth68``,
    ``mc_halfwidth68_error``, and the pulls ``pull_mean = (mc_mean - y)/mc_mean_error`` and
    ``pull_std = (mc_std - sigma_linear)/mc_std_error`` (0 where both differences and errors
    vanish, as at x = 0 where every sample gives y = 1).
    """
    xv = as_vector(xs, "xs")
    a = _a_samples(size, seed, rho, sigma1, sigma2)
    ys = y_a(xv[:, None], a[:, None, :])
    rows = []
    for x, yx in zip(xv, ys):
        s = summarize(yx)
        y0 = float(y_a(x, A_NOMINAL))
        sig = sigma_y_formula(x, rho, sigma1, sigma2)
        rows.append({
            "x": x, "y": y0, "sigma_linear": sig,
            "mc_mean": s.mean, "mc_mean_error": s.mean_error,
            "mc_std": s.std, "mc_std_error": s.std_error,
            "mc_median": s.median, "mc_median_error": s.median_error,
            "mc_halfwidth68": s.halfwidth68, "mc_halfwidth68_error": s.halfwidth68_error,
            "pull_mean": _pull(s.mean - y0, s.mean_error),
            "pull_std": _pull(s.std - sig, s.std_error),
        })
    return pd.DataFrame(rows).set_index("x")


def _pull(diff: float, err: float) -> float:
    if err > 0:
        return diff / err
    return 0.0 if abs(diff) < 1e-12 else np.sign(diff) * np.inf


def b_samples(size=10**6, seed=SEED, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> np.ndarray:
    """Monte Carlo :math:`(b_1, b_2)` from Gaussian :math:`(a_1, a_2)`, shape (2, size)."""
    return a_to_b(_a_samples(size, seed, rho, sigma1, sigma2))


def b_mc_table(size=10**6, seed=SEED) -> pd.DataFrame:
    """:math:`b_1` and :math:`b_2`: linear propagation against the :func:`summarize` of the MC samples.

    Rows ``b1``, ``b2``; columns ``nominal``, ``sigma_linear`` and every field of :class:`Summary`.
    For :math:`b_1` everything agrees; for :math:`b_2` mean and std are not estimates of
    anything (they do not exist) while median and quantiles are stable.
    """
    b0, cb = b_linear()
    bs = b_samples(size, seed)
    rows = {}
    for i, name in enumerate(("b1", "b2")):
        rows[name] = {"nominal": b0[i], "sigma_linear": float(np.sqrt(cb[i, i])),
                      **summarize(bs[i]).as_dict()}
    return pd.DataFrame(rows).T


def b2_cut_scan(his=(3.0, 5.0, 10.0, 20.0, 100.0, 1000.0), lo=0.0, size=10**6,
                seed=SEED) -> pd.DataFrame:
    """:func:`cut_statistics` of :math:`b_2` for the cut ``lo < b2 < hi`` at each ``hi``.

    Also the variance of all samples and the linear :math:`\\mathrm{Var}(b_2)` as columns
    ``variance_all`` and ``variance_linear``: the kept variance follows the cut, not the data.
    """
    his = as_vector(his, "his")
    b2 = b_samples(size, seed)[1]
    var_lin = float(b_linear()[1][1, 1])
    rows = []
    for hi in his:
        d = cut_statistics(b2, lo, hi).as_dict()
        d["variance_linear"] = var_lin
        rows.append(d)
    return pd.DataFrame(rows).set_index("hi")


@dataclass(frozen=True)
class LnYSummary:
    """Distribution of :math:`z = \\ln y(x)` from Monte Carlo next to the linear Gaussian.

    ``fraction_undefined`` counts samples with :math:`y \\le 0` (``fraction_undefined_exact``
    is :math:`\\Phi(-y/\\sigma_y)`, exact because :math:`y` is Gaussian). ``z_*`` quantiles are
    of the *defined* samples only; ``linear_coverage`` is the fraction of *all* samples
    inside the linear interval :math:`z_0 \\pm \\sigma_z` (68.27 % if linear propagation were right;
    undefined samples count as outside).
    """

    x: float
    y: float
    sigma_y: float
    z_linear: float
    sigma_z_linear: float
    fraction_undefined: float
    fraction_undefined_error: float
    fraction_undefined_exact: float
    z_lo68: float
    z_median: float
    z_hi68: float
    z_mean: float
    z_std: float
    linear_coverage: float

    def as_dict(self) -> dict:
        return asdict(self)


def lny_samples(x, size=10**6, seed=SEED) -> np.ndarray:
    """Monte Carlo :math:`z = \\ln y(x)`, shape (size,); NaN where :math:`y \\le 0` (y = 0 exactly too: never ``-inf``)."""
    xv = as_number(x, "x")
    y = y_a(xv, _a_samples(size, seed))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), np.nan)


def lny_distribution(x, size=10**6, seed=SEED) -> LnYSummary:
    """Where :math:`\\sigma_z = \\sigma_y/|y|` works and where it does not (see :class:`LnYSummary`).

    At x = -1, :math:`y = (1 + x)^2 = 0`: the linear :math:`z_0 = -\\infty`,
    :math:`\\sigma_z = \\infty`, and half the samples have no logarithm at all.
    """
    xv = as_number(x, "x")
    z = lny_samples(xv, size, seed)
    n = z.size
    ok = np.isfinite(z)
    zk = z[ok]
    y0 = float(y_a(xv, A_NOMINAL))
    sy = sigma_y_formula(xv)
    with np.errstate(divide="ignore"):
        z0 = float(np.log(y0)) if y0 > 0 else -np.inf
        sz = sy / abs(y0) if y0 != 0 else np.inf
    f = 1 - zk.size / n
    exact = float(stats.norm.cdf(-y0 / sy)) if sy > 0 else float(y0 <= 0)
    if zk.size >= 2:
        q = np.quantile(zk, [P68[0], 0.5, P68[1]])
        zm, zs = float(np.mean(zk)), float(np.std(zk, ddof=1))
    else:
        q, zm, zs = [np.nan] * 3, np.nan, np.nan
    if np.isfinite(z0) and np.isfinite(sz):
        cover = float(np.mean(ok & (np.abs(np.where(ok, z, 0.0) - z0) <= sz)))
    else:
        cover = 0.0  # the linear interval is empty or meaningless
    return LnYSummary(x=xv, y=y0, sigma_y=sy, z_linear=z0, sigma_z_linear=float(sz),
                      fraction_undefined=f, fraction_undefined_error=float(np.sqrt(f * (1 - f) / n)),
                      fraction_undefined_exact=exact, z_lo68=float(q[0]), z_median=float(q[1]),
                      z_hi68=float(q[2]), z_mean=zm, z_std=zs, linear_coverage=cover)


def lny_table(xs=(-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 3.0), size=10**6, seed=SEED) -> pd.DataFrame:
    """:func:`lny_distribution` at each ``x`` (one row per x)."""
    xv = as_vector(xs, "xs")
    return pd.DataFrame([lny_distribution(x, size, seed).as_dict() for x in xv]).set_index("x")


# ====================================================================== the seed notebook's mistakes
def sigma_y_seed_root(x):
    """Mistake: :math:`0.2|x|\\sqrt{1 - 0.4x + 0.25x^2}` (the cross term halved; correct: -0.8x)."""
    xx = _as_x(x)
    out = 0.2 * np.abs(xx) * np.sqrt(1 - 0.4 * xx + 0.25 * xx**2)
    return float(out) if out.ndim == 0 else out


def sigma_y_seed_final(x):
    """Mistake: :math:`0.2|x|\\sqrt{1 - 0.8x - 0.25x^2}` (sign of x^2; correct: +0.25x^2).

    The radicand is negative for x > 0.961 and x < -4.161: NaN there (it cannot be an error).
    """
    xx = _as_x(x)
    rad = 1 - 0.8 * xx - 0.25 * xx**2
    with np.errstate(invalid="ignore"):
        out = 0.2 * np.abs(xx) * np.sqrt(np.where(rad >= 0, rad, np.nan))
    return float(out) if out.ndim == 0 else out


def y_b_seed(x, b):
    """Mistake: :math:`1 + x(1 + x)/b_1 + x(x - 1)/b_2` (sign of the b2 term; correct: x(1 - x)/b_2).

    With the nominal b this is :math:`1 + x + 2x^2` instead of :math:`(1 + x)^2`; it agrees only at x = 0 and x = 1.
    """
    return 1.0 + x * (1.0 + x) / b[0] + x * (x - 1.0) / b[1]


def seed_mistakes_table(xs=(-3.0, -1.0, 0.0, 1.0, 3.0)) -> pd.DataFrame:
    """The correct numbers next to the seed notebook's at each x.

    Columns: ``sigma_y`` (correct, rho = -0.8), ``sigma_y_root_04`` (-0.4x inside the root),
    ``sigma_y_final_minus`` (-0.25x^2; NaN where its radicand is negative), ``y`` (correct),
    ``y_b_sign_error`` (x(x - 1)/b_2).
    """
    xv = as_vector(xs, "xs")
    b0 = a_to_b(A_NOMINAL)
    return pd.DataFrame({
        "sigma_y": sigma_y_formula(xv),
        "sigma_y_root_04": sigma_y_seed_root(xv),
        "sigma_y_final_minus": sigma_y_seed_final(xv),
        "y": y_a(xv, A_NOMINAL),
        "y_b_sign_error": y_b_seed(xv, b0),
    }, index=pd.Index(xv, name="x"))


# ====================================================================== additions for the chapter
def sample_cov_a(size=10**6, seed=SEED, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> np.ndarray:
    """Sample covariance (ddof=1) of the Monte Carlo :math:`(a_1, a_2)` that :func:`mc_vs_linear_table`
    draws with the same arguments.

    Because :math:`y` is linear in :math:`a`, the Monte Carlo std of :math:`y(x)` equals
    :math:`\\sqrt{J S J^T}` with this :math:`S` in place of Cov(a), :math:`J = (x, x^2)`.
    """
    return np.cov(_a_samples(size, seed, rho, sigma1, sigma2))


def std_pull_replicas(x=3.0, n_replicas=200, size=20_000, seed=SEED) -> np.ndarray:
    """``pull_std`` of :func:`mc_vs_linear_table` at ``x`` for independent Monte Carlo replicas.

    Replica k uses the seed ``seed + 1 + k`` (never ``seed`` itself), ``size`` samples,
    and the same definitions as the table: std (ddof=1) minus the linear :math:`\\sigma_y`,
    divided by the fourth-moment error :math:`\\sqrt{(m_4 - s^4)/n}/(2s)`. If the table's
    pulls are fluctuations, these scatter like a standard normal.
    """
    xv = as_number(x, "x")
    if xv == 0:
        raise InputError("at x = 0 every sample gives y = 1: there is no width to compare")
    k = as_number(n_replicas, "n_replicas")
    if k < 2 or not float(k).is_integer():
        raise InputError(f"n_replicas must be an integer >= 2, got {n_replicas!r}")
    s0 = as_number(seed, "seed", non_negative=True)
    if not float(s0).is_integer():
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    sig = sigma_y_formula(xv)
    out = np.empty(int(k))
    for i in range(int(k)):
        y = y_a(xv, _a_samples(size, int(s0) + 1 + i))
        s = float(np.std(y, ddof=1))
        m4 = float(np.mean((y - y.mean()) ** 4))
        err = np.sqrt(max(m4 - s**4, 0.0) / y.size) / (2 * s)
        out[i] = (s - sig) / err
    return out


def format_mc_table(table: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """:func:`mc_vs_linear_table` for reading: "value ± MC error" strings and the two pulls.

    Columns: linear ``y``, linear ``σ_y``, MC mean, MC std, MC half-width of the central
    68 %, pull of the mean and pull of the std (each number ± its Monte Carlo error).
    """
    need = ["y", "sigma_linear", "mc_mean", "mc_mean_error", "mc_std", "mc_std_error",
            "mc_halfwidth68", "mc_halfwidth68_error", "pull_mean", "pull_std"]
    if not isinstance(table, pd.DataFrame) or not set(need) <= set(table.columns):
        raise InputError(f"format_mc_table needs a DataFrame with the columns {need}")
    f = f"{{:.{int(digits)}f}}"

    def pm(v, e):
        return f"{f.format(v)} ± {f.format(e)}"

    return pd.DataFrame({
        "y (linear)": [f.format(v) for v in table["y"]],
        "σ_y (linear)": [f.format(v) for v in table["sigma_linear"]],
        "MC mean": [pm(v, e) for v, e in zip(table["mc_mean"], table["mc_mean_error"])],
        "MC std": [pm(v, e) for v, e in zip(table["mc_std"], table["mc_std_error"])],
        "MC 68 % half-width": [pm(v, e) for v, e in zip(table["mc_halfwidth68"],
                                                         table["mc_halfwidth68_error"])],
        "pull of mean": [f"{v:+.2f}" for v in table["pull_mean"]],
        "pull of std": [f"{v:+.2f}" for v in table["pull_std"]],
    }, index=table.index)


def b_cut_covariance(lo=0.0, hi=5.0, size=10**6, seed=SEED) -> np.ndarray:
    """Sample covariance of the Monte Carlo :math:`(b_1, b_2)` kept by the cut ``lo < b2 < hi``.

    A property of the cut (it changes with ``hi``), not of :math:`b`: what one gets when
    the cut samples are passed to ``np.cov`` and the result is used as Cov(b).
    """
    a, b = as_number(lo, "lo"), as_number(hi, "hi")
    if not a < b:
        raise InputError(f"the cut needs lo < hi, got lo = {a:g}, hi = {b:g}")
    bs = b_samples(size, seed)
    keep = (bs[1] > a) & (bs[1] < b)
    if keep.sum() < 3:
        raise InputError(f"the cut {a:g} < b2 < {b:g} keeps {int(keep.sum())} sample(s): need at least 3")
    return np.cov(bs[:, keep])


def seed_final_domain() -> tuple[float, float]:
    """The x range where the seed's wrong radicand :math:`1 - 0.8x - 0.25x^2` is non-negative.

    Its roots: :math:`x = (-0.8 \\pm \\sqrt{0.64 + 1})/0.5`, i.e. -4.161 and 0.961. Outside,
    :func:`sigma_y_seed_final` would be the square root of a negative number.
    """
    r = np.sqrt(0.8**2 + 4 * 0.25)
    return float((-0.8 - r) / 0.5), float((-0.8 + r) / 0.5)


def b2_quantiles_exact(probs=(P68[0], 0.5, P68[1]), rho=RHO, sigma1=A_ERRORS[0],
                       sigma2=A_ERRORS[1]) -> np.ndarray:
    """Exact quantiles of :math:`b_2 = 2/D`, :math:`D = a_1 - a_2` Gaussian.

    For :math:`t > 0`, :math:`P(b_2 \\le t) = P(D < 0) + P(D \\ge 2/t)`, so the p-quantile is
    :math:`2/D_{1 - p + P(D < 0)}` (``D_q`` the q-quantile of D) for every ``p`` above
    :math:`P(D < 0)`. The median is therefore slightly *below* :math:`2/\\mathrm{median}(D) = 2`:
    the few samples with :math:`D < 0` land at negative :math:`b_2`.
    """
    p = as_vector(probs, "probs")
    r, s1, s2 = _problem_inputs(rho, sigma1, sigma2)
    mu = A_NOMINAL[0] - A_NOMINAL[1]
    sd = float(np.sqrt(s1**2 + s2**2 - 2 * r * s1 * s2))
    if sd == 0:
        raise InputError("a1 - a2 has zero variance: b2 is the constant 2/(a1 - a2)")
    p0 = float(stats.norm.cdf(0.0, mu, sd))
    if np.any(p <= p0) or np.any(p >= 1):
        raise InputError(f"probs must lie in ({p0:.3g}, 1): below P(D < 0) = {p0:.3g} the "
                         "quantiles of b2 are negative (not implemented)")
    return 2.0 / stats.norm.ppf(1 - p + p0, mu, sd)


# ====================================================================== additions (review of the chapter)
def b1_second_order_mean(rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> tuple[float, float]:
    """Nominal :math:`b_1 = 2/\\mu_S` and its second-order mean shift, :math:`S = a_1 + a_2`.

    For :math:`f(S) = 2/S`, :math:`E[f] \\approx f(\\mu_S) + \\tfrac12 f''(\\mu_S)\\sigma_S^2
    = 2/\\mu_S + (2/\\mu_S)\\,\\sigma_S^2/\\mu_S^2` with
    :math:`\\sigma_S^2 = \\sigma_1^2 + \\sigma_2^2 + 2\\rho\\sigma_1\\sigma_2`.
    Returns ``(nominal, shift)``; the next term is smaller by about :math:`3\\sigma_S^2/\\mu_S^2`.
    """
    r, s1, s2 = _problem_inputs(rho, sigma1, sigma2)
    mu = A_NOMINAL[0] + A_NOMINAL[1]
    var_s = s1**2 + s2**2 + 2 * r * s1 * s2
    nominal = 2.0 / mu
    return float(nominal), float(nominal * var_s / mu**2)


def b1_variance_reachable(cut=1.0, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> float:
    """Variance of :math:`b_1 = 2/S`, :math:`S = a_1 + a_2` Gaussian, with :math:`S \\le` ``cut``
    left out (``0 < cut < E[S]``).

    Strictly, :math:`b_1` has no variance (S has density at 0, as :math:`a_1 - a_2` has for
    :math:`b_2`), but with :math:`E[S]/\\sigma_S` = 22 the region near :math:`S = 0` has a
    probability no sample reaches: every drawable sample behaves like one from this
    distribution, whose variance does not depend on ``cut`` (to 1e-12 for cut in (0, 2]).
    """
    c = as_number(cut, "cut")
    r, s1, s2 = _problem_inputs(rho, sigma1, sigma2)
    mu = A_NOMINAL[0] + A_NOMINAL[1]
    sd = float(np.sqrt(s1**2 + s2**2 + 2 * r * s1 * s2))
    if not 0 < c < mu or sd == 0:
        raise InputError(f"cut must lie in (0, {mu:g}) and a1 + a2 must have a spread")
    from scipy import integrate
    hi = mu + 40 * sd
    kw = {"points": [mu], "epsabs": 0.0, "epsrel": 1e-13, "limit": 200}
    norm = stats.norm.sf(c, mu, sd)
    m1 = integrate.quad(lambda s: 2 / s * stats.norm.pdf(s, mu, sd), c, hi, **kw)[0] / norm
    m2 = integrate.quad(lambda s: (2 / s) ** 2 * stats.norm.pdf(s, mu, sd), c, hi, **kw)[0] / norm
    return float(m2 - m1**2)


def lny_moments_exact(x, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> dict:
    """Mean and standard deviation of :math:`z = \\ln y(x)` over the samples with
    :math:`y > 0`, exactly: :math:`y` is Gaussian (mean :math:`(1 + x)^2`, width
    :func:`sigma_y_formula`), so they are integrals over the Gaussian truncated at 0 (the
    logarithm's singularity there is integrable). Also ``fraction_undefined``,
    :math:`\\Phi(-y/\\sigma_y)`, and the linear ``sigma_z_linear`` = sigma_y/|y|.
    """
    from scipy import integrate
    xv = as_number(x, "x")
    y0 = float(y_a(xv, A_NOMINAL))
    sy = float(sigma_y_formula(xv, rho, sigma1, sigma2))
    if sy == 0 or y0 <= 0:
        raise InputError("ln y needs y > 0 at the central values and a non-zero sigma_y")
    norm = stats.norm.sf(0.0, y0, sy)
    hi = y0 + 40 * sy
    kw = {"points": [min(y0, 0.5 * y0), y0], "epsabs": 0.0, "epsrel": 1e-12, "limit": 400}
    pdf = stats.norm(y0, sy).pdf
    m1 = integrate.quad(lambda y: np.log(y) * pdf(y), 0.0, hi, **kw)[0] / norm
    m2 = integrate.quad(lambda y: (np.log(y) - m1) ** 2 * pdf(y), 0.0, hi, **kw)[0] / norm
    return {"mean": float(m1), "std": float(np.sqrt(m2)), "fraction_undefined": float(1 - norm),
            "sigma_z_linear": sy / abs(y0)}


def y_width_decomposition(x=3.0, size=10**6, seed=SEED) -> dict:
    """Why the Monte Carlo width of :math:`y(x)` differs from :math:`\\sigma_y`, in terms of the
    independent standard normals :math:`u_1, u_2` that :func:`mc_vs_linear_table` draws.

    :math:`a = \\hat a + L u` (``L`` the Cholesky factor of Cov(a)), so
    :math:`y - \\hat y = c_1 u_1 + c_2 u_2` with :math:`(c_1, c_2) = J L`, :math:`J = (x, x^2)`.
    Keys: ``c1``, ``c2``; ``var_u1``, ``var_u2``, ``cov_u12`` (sample, ddof=1); ``rel_u1``,
    ``rel_u2`` (sample variance / 1 - 1); ``pull_u1``, ``pull_u2`` (that difference in units of
    the error of a sample variance, :math:`\\sqrt{2/(n-1)}`); ``std_from_u``
    (:math:`\\sqrt{c_1^2 v_1 + 2c_1c_2 v_{12} + c_2^2 v_2}`, the Monte Carlo std of y).
    """
    xv = as_number(x, "x")
    n = int(as_number(size, "size"))
    if n < 2 or n != size:
        raise InputError(f"size must be an integer >= 2, got {size!r}")
    L = np.linalg.cholesky(cov_a())
    c1, c2 = np.array([xv, xv**2]) @ L
    u = _as_rng(seed).standard_normal((2, n))
    v = np.cov(u)
    err = np.sqrt(2.0 / (n - 1))
    return {
        "c1": float(c1), "c2": float(c2),
        "var_u1": float(v[0, 0]), "var_u2": float(v[1, 1]), "cov_u12": float(v[0, 1]),
        "rel_u1": float(v[0, 0] - 1), "rel_u2": float(v[1, 1] - 1),
        "pull_u1": float((v[0, 0] - 1) / err), "pull_u2": float((v[1, 1] - 1) / err),
        "std_from_u": float(np.sqrt(c1**2 * v[0, 0] + 2 * c1 * c2 * v[0, 1] + c2**2 * v[1, 1])),
    }


def pull_chance(pull, n_numbers=1) -> tuple[float, float]:
    """Two-sided chance of a pull at least as large as ``|pull|``: for one number, and for at
    least one of ``n_numbers`` independent numbers, :math:`1 - (1 - p)^n`."""
    z = abs(as_number(pull, "pull"))
    k = as_number(n_numbers, "n_numbers")
    if k < 1 or not float(k).is_integer():
        raise InputError(f"n_numbers must be an integer >= 1, got {n_numbers!r}")
    p = float(2 * stats.norm.sf(z))
    return p, float(-np.expm1(int(k) * np.log1p(-p)))


def cut_band_ratio(xs, lo=0.0, hi=5.0, size=10**6, seed=SEED, cov_cut=None):
    """:math:`\\sigma_y` from the covariance of the cut :math:`b` samples (:func:`b_cut_covariance`)
    divided by the exact :math:`\\sigma_y` (0/0 at x = 0 gives NaN). Pass ``cov_cut`` to reuse one."""
    c = b_cut_covariance(lo, hi, size, seed) if cov_cut is None else cov_cut
    xx = _as_x(xs)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sigma_y_b(xx, cov_b=c) / sigma_y_formula(xx)


def cut_band_narrow_range(lo=0.0, hi=5.0, size=10**6, seed=SEED, cov_cut=None) -> dict:
    """Where the band from the cut covariance is too *narrow* (ratio below one), for 0 < x <= 3.

    Keys ``x_from``, ``x_to`` (the two crossings of ratio = 1, solved with ``brentq``),
    ``ratio_min`` and ``x_min`` (the minimum, with ``minimize_scalar``). InputError if the
    ratio does not dip below one exactly once on a grid of 0 < x <= 3.
    """
    from scipy import optimize

    c = b_cut_covariance(lo, hi, size, seed) if cov_cut is None else cov_cut
    b0 = a_to_b(A_NOMINAL)

    def f(x):  # the gradient J_b written out (sigma_y_b takes it numerically; the tests compare)
        xx = np.asarray(x, dtype=float)
        jb = np.stack([-xx * (1 + xx) / b0[0] ** 2, -xx * (1 - xx) / b0[1] ** 2])
        var = np.einsum("i...,ij,j...->...", jb, c, jb)
        return np.sqrt(var) / sigma_y_formula(xx) - 1.0

    grid = np.linspace(0.01, 3.0, 300)
    below = f(grid) < 0
    edges = np.flatnonzero(np.diff(below.astype(int)))
    if below[0] or below[-1] or edges.size != 2:
        raise InputError("the cut band is not too narrow on exactly one interval of 0 < x <= 3")
    x_from = optimize.brentq(lambda x: float(f(x)), grid[edges[0]], grid[edges[0] + 1], xtol=1e-12)
    x_to = optimize.brentq(lambda x: float(f(x)), grid[edges[1]], grid[edges[1] + 1], xtol=1e-12)
    m = optimize.minimize_scalar(lambda x: float(f(x)), bounds=(x_from, x_to), method="bounded", options={"xatol": 1e-9})
    return {"x_from": float(x_from), "x_to": float(x_to), "ratio_min": float(m.fun + 1.0),
            "x_min": float(m.x)}
