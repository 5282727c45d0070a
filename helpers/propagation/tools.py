"""Generic tools: linear propagation, correlated Gaussian Monte Carlo, heavy-tail summaries.

Conventions (variances not errors, scalar in/out, components first, PSD covariances,
seeds) are described in :mod:`helpers.propagation`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import jacobi
import numpy as np
import pandas as pd
from scipy import stats

from .. import SEED
from ..blue import exponent
from ..validation import InputError, as_correlation, as_count, as_number, as_real_array, as_vector
from ..nudge import nudge_if_asked

__all__ = [
    "propagate", "sample_gaussian", "monte_carlo", "correlated_pair",
    "Summary", "summarize", "mean_std", "summary_table", "running_moments", "running_quantiles",
    "CutStatistics", "cut_statistics", "P68", "P95", "MAX_SIZE",
]

P68 = (stats.norm.cdf(-1.0), stats.norm.cdf(1.0))
"""Quantiles of the central "68 %" interval: 15.87 % and 84.13 % (exactly +-1 sigma for a Gaussian)."""
P95 = (0.025, 0.975)
"""Quantiles of the central 95 % interval (+-1.960 sigma for a Gaussian)."""
MAX_SIZE = 10**8
"""Largest Monte Carlo sample accepted (memory guard)."""

# ====================================================================== input checks
def _scaled_back(x, e: int, what: str):
    """``x * 2**e`` (exact); InputError if some entry overflows the floating-point range."""
    with np.errstate(over="ignore"):
        out = np.ldexp(x, e)
    if np.any(np.isinf(out)):  # NaN entries (undefined, e.g. a variance of one sample) pass
        raise InputError(f"{what} exceeds the floating-point range (about 1.8e308)")
    return out


def _as_size(size, name: str = "size") -> int:
    return as_count(size, name, maximum=MAX_SIZE)


def _as_rng(seed) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a non-negative integer seed (or a Generator itself)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(
            f"seed must be a non-negative integer or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _as_point(x, name: str = "x") -> tuple[np.ndarray, bool]:
    """The nominal input as a finite 1-d array, and whether it was given as a scalar."""
    arr = as_real_array(x, name)
    if arr.ndim > 1:
        raise InputError(f"{name} must be a number or a 1-d array, got shape {arr.shape}")
    return as_vector(arr, name), arr.ndim == 0


def _as_psd_covariance(cov, n: int, name: str = "cov") -> np.ndarray:
    """A finite, symmetric, positive *semi*-definite n x n covariance.

    A scalar is accepted as the variance of a single input (n = 1). Singular matrices
    (fully correlated inputs, zero errors) are legal; indefinite ones are not.
    """
    arr = as_real_array(cov, name)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InputError(f"{name} must be a square matrix (or one variance), got shape {arr.shape}")
    if arr.shape != (n, n):
        raise InputError(f"{name} must be {n}x{n} to match {n} input(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinity")
    scale = np.max(np.abs(arr))
    if not np.allclose(arr, arr.T, rtol=1e-10, atol=1e-12 * scale):
        raise InputError(f"{name} is not symmetric")
    arr = 0.5 * arr + 0.5 * arr.T  # not 0.5 * (arr + arr.T): that overflows for entries near 1e308
    d = np.diag(arr)
    if np.any(d < 0):
        raise InputError(f"{name} has a negative variance on the diagonal: {d}")
    e = exponent(arr)
    e += e % 2
    arr_s = np.ldexp(arr, -e)  # exact; entries of order one, so outer products neither under- nor overflow
    d = np.diag(arr_s)
    sd = np.sqrt(d)
    bound = sd[:, None] * sd[None, :]      # not sqrt(outer(d, d)): d_i d_j may underflow
    over = np.abs(arr_s) > bound * (1 + 1e-9) + 1e-300
    if np.any(over):
        i, j = np.argwhere(over)[0]
        r = arr_s[i, j] / bound[i, j] if bound[i, j] > 0 else np.inf
        raise InputError(f"{name} is not positive semi-definite: it implies a correlation of "
                         f"{r:.3g} between inputs {i} and {j}, outside [-1, 1]")
    # definiteness judged on the correlation matrix of the inputs with non-zero variance
    # (scale-free: variances of 1e35 and 1e-158 side by side are no problem)
    keep = sd > 0
    corr = arr_s[np.ix_(keep, keep)] / bound[np.ix_(keep, keep)]
    eig = np.linalg.eigvalsh(corr) if corr.size else np.zeros(1)
    if eig[0] < -1e-10 * max(eig[-1], 1.0):
        raise InputError(f"{name} is not positive semi-definite (smallest eigenvalue of the "
                         f"correlation matrix {float(eig[0]):.3g}): "
                         "some combination of the inputs would have negative variance")
    return arr


def psd_factor(cov: np.ndarray) -> np.ndarray:
    """Lower-triangular L with L L^T = cov, for positive *semi*-definite ``cov``.

    The ordinary Cholesky factor when ``cov`` is positive definite; otherwise the same
    algorithm with zero (rounding-size) pivots set to zero and their column dropped, so that
    the factor is continuous in the correlation up to |rho| = 1.
    """
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        pass
    n = cov.shape[0]
    L = np.zeros_like(cov)
    tol = 1e-12 * max(np.max(np.diag(cov)), 1e-300)
    for j in range(n):
        pivot = cov[j, j] - L[j, :j] @ L[j, :j]
        if pivot <= tol:
            continue  # this direction carries no new variance: column stays zero
        L[j, j] = np.sqrt(pivot)
        L[j + 1:, j] = (cov[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return L


def _as_samples(samples, name: str = "samples", min_length: int = 2) -> np.ndarray:
    """Finite 1-d samples (drop undefined values yourself first, and report how many)."""
    arr = as_real_array(samples, name)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size < min_length:
        raise InputError(f"{name} needs at least {min_length} entries, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise InputError(f"{name} contains {bad} NaN or infinite values: remove them (and "
                         "report the fraction) before summarising")
    return arr


def _call(f, arg, what: str) -> np.ndarray:
    if not callable(f):
        raise InputError(f"f must be a function, got {f!r}")
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(f(arg), dtype=float)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, ArithmeticError) as exc:
        raise InputError(f"f failed on {what}: {type(exc).__name__}: {exc}") from exc
    return out


def _nominal(f, x_call) -> np.ndarray:
    y0 = _call(f, x_call, "the nominal point")
    if y0.ndim > 1:
        raise InputError(f"f must return a number or a 1-d array, got shape {y0.shape}")
    if y0.size == 0:
        raise InputError("f returns an empty array")
    if not np.all(np.isfinite(y0)):
        raise InputError(f"f returns NaN or infinity at the nominal point x = {x_call}: "
                         "linear propagation needs a finite value there")
    return y0


# ====================================================================== propagation
def _refuse_kinks(g, n: int, y0: np.ndarray, x_call) -> None:
    """Raise :class:`InputError` where ``g`` (f in units of the input errors) has a kink.

    At a kink (``abs(x)`` at 0) a symmetric numerical derivative is the average of the
    slopes on both sides, here 0, and the propagated variance would silently be 0. The
    difference between the forward and the backward slope shrinks with the step for a
    smooth f (it is ``h f''``) but stays put at a kink: compare it at two steps.
    """
    y0 = np.asarray(y0, dtype=float).reshape(-1)
    floor = 1e3 * np.finfo(float).eps * (np.abs(y0) + 1e-300)
    for j in range(n):
        gaps = []
        for h in (1e-3, 1e-4):
            e = np.zeros(n)
            e[j] = h
            with np.errstate(all="ignore"):
                up = np.asarray(g(e), dtype=float).reshape(-1)
                down = np.asarray(g(-e), dtype=float).reshape(-1)
            if not (np.all(np.isfinite(up)) and np.all(np.isfinite(down))):
                return                       # f undefined on one side: jacobi stepped away
            gaps.append((np.abs((up - y0) - (y0 - down)) / h, np.abs(up - down) / (2 * h)))
        (gap1, _), (gap2, slope) = gaps
        kink = (gap2 > 0.5 * gap1) & (gap2 > 1e-6 * slope) & (gap2 * 1e-4 > floor)
        if np.any(kink):
            raise InputError(
                f"f is not differentiable at x = {x_call}: its slope in input {j} jumps there "
                "(a kink, like abs(x) at 0), so linear propagation has no answer; use "
                "monte_carlo, or pass jacobian= if you know which slope applies")


def _aligned(x, cov, name: str = "cov"):
    """``(x, cov)`` with a labelled covariance put in the order of its labels.

    A ``pandas.DataFrame`` covariance must have the same labels on rows and columns (its
    columns are reordered to its rows); with a labelled ``x`` (a ``pandas.Series``) the
    covariance is reordered to ``x``'s labels, and labels that differ raise
    :class:`InputError`. Plain arrays, and pandas objects with the default 0, 1, 2, ...
    labels, are taken in order.
    """
    def labels(obj):
        idx = obj.index
        if isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1:
            return None
        return list(idx)
    if not isinstance(cov, pd.DataFrame):
        return x, cov
    rows, cols = labels(cov), list(cov.columns)
    if rows is None and isinstance(cov.columns, pd.RangeIndex):
        return x, cov.to_numpy()
    if rows is None or len(set(rows)) != len(rows) or set(rows) != set(cols) or len(cols) != len(rows):
        raise InputError(f"{name} must have the same labels on its rows and columns, got rows "
                         f"{list(cov.index)} and columns {cols}")
    order = rows
    if isinstance(x, pd.Series) and labels(x) is not None:
        xl = list(x.index)
        if len(set(xl)) != len(xl) or set(xl) != set(rows):
            raise InputError(f"the labels of x {xl} and of {name} {rows} differ: "
                             "the covariance cannot be matched to the inputs")
        order = xl
    return x, cov.loc[order, order].to_numpy()


def propagate(f, x, cov, jacobian=None):
    """Linear propagation :math:`C_y = J C J^T` of the covariance of ``x`` through ``f``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a number or a 1-d array (length m). Called with a float when ``x``
        is a scalar, with a 1-d array of length n otherwise.
    x : float or array_like (n,)
        Nominal input (the point where ``f`` is linearised).
    cov : float or array_like (n, n)
        Covariance of ``x`` (a variance for scalar ``x``). Symmetric and positive
        semi-definite: singular matrices (|rho| = 1, zero errors) are accepted.
    jacobian : callable or array_like, optional
        Analytic Jacobian :math:`J_{ij} = \\partial f_i / \\partial x_j` (a callable is
        evaluated at ``x``), shape (m, n); (n,) for scalar ``f``, (m,) for scalar ``x``.
        Without it, ``J`` is computed numerically with :func:`jacobi.jacobi` (adaptive steps
        with Richardson extrapolation; infinite values of ``f`` are treated like NaN, so it
        steps away from where ``f`` is undefined), and its error estimate must be below
        0.1 % of each entry.

    Returns
    -------
    (y, cov_y)
        ``(float, float)`` -- value and **variance** -- when ``f`` returns a number;
        ``(ndarray (m,), ndarray (m, m))`` when it returns an array.

    Raises
    ------
    InputError
        NaN/inf in ``x`` or ``cov``; shapes that do not match; an asymmetric or indefinite
        covariance; ``f`` not finite at ``x``; a Jacobian that is not finite, unreliable
        (numerically) or has the wrong shape.
    """
    x, cov = _aligned(x, cov)
    xv, scalar_in = _as_point(x)
    n = xv.size
    C = _as_psd_covariance(cov, n)
    x_call = float(xv[0]) if scalar_in else xv.copy()
    y0 = _nominal(f, x_call)
    m = y0.size
    if jacobian is None:
        # differentiate in x = x0 + s u at u = 0 with s_j = max(sigma_j, 1e-8 max_k |x0_k|)
        # (1 if both vanish): jacobi's steps are relative to |x|, so at a tiny nonzero x_j
        # (1e-38 next to x_k = 500) they would not change f at all, giving a derivative of 0
        # with an error estimate of 0 (a silently wrong variance); steps of sigma_j alone
        # vanish in the same way when sigma_j is tiny next to the other inputs
        s = np.maximum(np.sqrt(np.diag(C)), 1e-8 * np.max(np.abs(xv)))
        s = np.where(s > 0, s, 1.0)

        def g(u):
            v = xv + s * np.asarray(u, dtype=float).reshape(n)
            arg = float(v[0]) if scalar_in else v
            with np.errstate(all="ignore"):
                out = np.asarray(f(arg), dtype=float)
            # jacobi steps away from points where f is undefined only if it sees NaN (not inf)
            return np.where(np.isfinite(out), out, np.nan)
        try:
            with np.errstate(all="ignore"):
                J, J_err = jacobi.jacobi(g, 0.0 if scalar_in else np.zeros(n))
                J = np.asarray(J, dtype=float).reshape(m, n) / s
                J_err = np.asarray(J_err, dtype=float).reshape(m, n) / s
            # a column that is exactly 0 with error 0 may come from steps too small to change
            # f at all (f = 1 + tiny x): retry with steps 1e4, 1e8, ... times larger, up to the
            # scale of the inputs, until the derivative is accurate, before believing that
            # f does not depend on x_j
            cap = max(1.0, float(np.max(np.abs(xv))), float(np.max(s)))
            for j in range(n):
                sj = s[j]
                if not (np.all(J[:, j] == 0) and np.all(J_err[:, j] == 0)):
                    continue
                # grow until the step changes f by more than 1e-6 of its value (well above
                # rounding, which could otherwise pass as a consistent derivative)
                while (sj <= cap and (np.all(J[:, j] == 0)
                                      or np.any(J_err[:, j] > 1e-6 * np.abs(J[:, j]))
                                      or np.max(np.abs(J[:, j])) * sj < 1e-6 * np.max(np.abs(y0)))):
                    sj *= 1e4
                    e_j = np.zeros(n)
                    e_j[j] = sj / s[j]
                    with np.errstate(all="ignore"):
                        col, col_err = jacobi.jacobi(lambda t, e=e_j: g(t * e), 0.0)
                    J[:, j] = np.asarray(col, dtype=float).reshape(m) / sj
                    J_err[:, j] = np.asarray(col_err, dtype=float).reshape(m) / sj
        except (np.linalg.LinAlgError, ValueError, ArithmeticError) as exc:
            raise InputError(f"the derivative of f at x = {x_call} could not be computed numerically "
                             f"({type(exc).__name__}: {exc}); pass jacobian=") from exc
        if not np.all(np.isfinite(J)):
            raise InputError(f"the derivative of f is not finite at x = {x_call}")
        _refuse_kinks(g, n, y0, x_call)
        bad = J_err > 1e-3 * np.abs(J) + 1e-10 * np.max(np.abs(J))
        if np.any(bad):
            rel = np.max(J_err[bad] / np.maximum(np.abs(J[bad]), 1e-300))
            raise InputError(f"the derivative of f at x = {x_call} could not be computed reliably "
                             f"(relative error estimate {rel:.1e}): is f differentiable there?")
    else:
        if callable(jacobian):
            try:
                with np.errstate(all="ignore"):
                    J = jacobian(x_call)
            except (TypeError, ValueError, IndexError, KeyError, AttributeError, ArithmeticError) as exc:
                raise InputError(f"jacobian failed at x = {x_call}: {type(exc).__name__}: {exc}") from exc
        else:
            J = jacobian
        J = as_real_array(J, "jacobian")
        if (J.size != m * n or J.ndim > 2 or (J.ndim == 2 and J.shape != (m, n))
                or (J.ndim == 1 and min(m, n) != 1)):
            raise InputError(f"jacobian must have shape ({m}, {n}) for {m} output(s) and "
                             f"{n} input(s), got {J.shape}")
        J = J.reshape(m, n)
        if not np.all(np.isfinite(J)):
            raise InputError("jacobian contains NaN or infinity")
    # J C J^T with C scaled by an even power of two (exact), so that tiny or huge variances
    # neither underflow to 0 nor overflow in the intermediate products
    e = exponent(C)
    e += e % 2
    with np.errstate(all="ignore"):
        cov_y_s = J @ np.ldexp(C, -e) @ J.T
    if not np.all(np.isfinite(cov_y_s)):
        raise InputError("J C J^T exceeds the floating-point range: the derivatives of f are too large")
    cov_y = _scaled_back(0.5 * cov_y_s + 0.5 * cov_y_s.T, e, "the propagated covariance J C J^T")
    if y0.ndim == 0:
        return float(y0), float(cov_y[0, 0])
    return y0.copy(), cov_y


# ====================================================================== Monte Carlo
def sample_gaussian(x, cov, size, seed=SEED) -> np.ndarray:
    """``size`` draws of a Gaussian with mean ``x`` and covariance ``cov`` (PSD allowed).

    Draws standard normals ``z`` of shape (n, size) and returns ``x + L z`` with ``L`` the
    (semi-definite) Cholesky factor. Shape (n, size) -- components first -- or (size,)
    for a scalar ``x``.
    """
    x, cov = _aligned(x, cov)
    xv, scalar_in = _as_point(x)
    C = _as_psd_covariance(cov, xv.size)
    n_samples = _as_size(size)
    rng = _as_rng(seed)
    z = rng.standard_normal((xv.size, n_samples))
    e = exponent(C)
    e += e % 2
    with np.errstate(over="ignore", invalid="ignore"):
        out = xv[:, None] + np.ldexp(psd_factor(np.ldexp(C, -e)) @ z, e // 2)
    if not np.all(np.isfinite(out)):
        raise InputError("some samples exceed the floating-point range (about 1.8e308): "
                         "the mean or the errors are too large")
    out = nudge_if_asked(out)   # only in the tests' rounding run ($COURSE_BOOK_NUDGE)
    return out[0] if scalar_in else out


def monte_carlo(f, x, cov, size, seed=SEED) -> np.ndarray:
    """Push Gaussian samples of the inputs through ``f`` (vectorised).

    ``f`` is called once with all samples, shape (n, size) -- the same function as for
    :func:`propagate`, written with numpy operations. Values of ``f`` may be NaN for some
    samples (e.g. ``ln y`` for ``y <= 0``): count them before summarising. ``f`` must be
    finite at the nominal ``x``.

    Returns
    -------
    ndarray
        Shape (size,) for a scalar ``f``, (m, size) for ``f`` returning m values.
    """
    x, cov = _aligned(x, cov)
    xv, scalar_in = _as_point(x)
    _as_psd_covariance(cov, xv.size)
    n_samples = _as_size(size)
    _as_rng(seed)  # check before the (slow) nominal call
    y0 = _nominal(f, float(xv[0]) if scalar_in else xv.copy())
    xs = sample_gaussian(x, cov, n_samples, seed)
    out = _call(f, xs, f"{n_samples} samples (is it vectorised?)")
    want = (n_samples,) if y0.ndim == 0 else (y0.size, n_samples)
    if out.shape != want:  # no broadcasting: a function that sums over samples must not pass
        raise InputError(f"f returned shape {out.shape} for samples of shape {xs.shape}; "
                         f"expected {want}: write f with numpy operations on x[0], x[1], ... "
                         "(a constant must be written as e.g. 0 * x[0] + c)")
    return out


def correlated_pair(rho, size, seed=SEED) -> np.ndarray:
    """Two standard normals with correlation ``rho``, the way the exercise builds them.

    With independent standard normals :math:`x_1, x_2`: :math:`x_1' = x_1`,
    :math:`x_2' = \\rho x_1 + \\sqrt{1 - \\rho^2}\\,x_2`. Both have mean 0 and variance 1,
    and :math:`\\mathrm{cov}(x_1', x_2') = \\rho`. :math:`|\\rho| = 1` is allowed
    (:math:`x_2' = \\pm x_1'`).

    Returns
    -------
    ndarray, shape (2, size)
        Same random numbers as :func:`sample_gaussian` with the same seed, so
        ``mu + sigma * pair`` equals ``sample_gaussian(mu, cov, size, seed)``.
    """
    r = as_correlation(rho, "rho")
    n_samples = _as_size(size)
    x1, x2 = _as_rng(seed).standard_normal((2, n_samples))
    return nudge_if_asked(np.vstack([x1, r * x1 + np.sqrt(1.0 - r * r) * x2]))


# ====================================================================== summaries
def _moments(x: np.ndarray) -> tuple[float, float, float, float]:
    """Scale-free ``(mean, variance (ddof=1), std, m4 / s^4)`` of finite 1-d samples (n >= 2).

    The samples are divided by a power of two (exact) before averaging and their deviations
    from the mean by another, so that samples of 1e-300 or 1e300 (or a tiny spread around a
    large mean) give the same relative accuracy as samples of order one; ``m4 / s^4`` is
    the sample fourth central moment over the squared sample variance. Raises
    :class:`InputError` if the variance (or std) lies outside the floating-point range.
    """
    e1 = exponent(x)
    xs = np.ldexp(x, -e1)
    mean_s = float(np.mean(xs))
    d = xs - mean_s
    # second pass: the rounded mean is off by up to an ulp, which matters when the spread
    # is a few ulps of the mean; re-centring on the mean of the (exact) deviations fixes it
    shift = float(np.mean(d))
    d = d - shift
    mean_s += shift
    e2 = exponent(d)
    ds = np.ldexp(d, -e2)
    mean = float(np.ldexp(mean_s, e1))
    var_ds = float(np.sum(ds * ds) / (x.size - 1))
    if var_ds == 0:
        return mean, 0.0, 0.0, 0.0
    kurt = float(np.mean(ds**4) / var_ds**2)
    std = float(_scaled_back(np.sqrt(var_ds), e1 + e2, "the standard deviation of the samples"))
    var = float(_scaled_back(var_ds, 2 * (e1 + e2), "the variance of the samples"))
    if var == 0:
        raise InputError(f"the variance of the samples ({std:.3g}^2) is below the "
                         "floating-point range: rescale the samples")
    return mean, var, std, kurt


def _quantile_errors(sorted_x: np.ndarray, probs) -> np.ndarray:
    """Distribution-free MC errors of quantiles from order statistics.

    The rank of the p-quantile fluctuates by :math:`\\sqrt{np(1-p)}`: half the distance of
    the order statistics at :math:`np \\pm \\sqrt{np(1-p)}` is a 68 % error (valid for heavy tails).
    """
    n = sorted_x.size
    p = np.asarray(probs, dtype=float)
    d = np.sqrt(n * p * (1 - p))
    lo = np.clip(np.floor(n * p - d).astype(int), 0, n - 1)
    hi = np.clip(np.ceil(n * p + d).astype(int), 0, n - 1)
    return 0.5 * (sorted_x[hi] - sorted_x[lo])


@dataclass(frozen=True)
class Summary:
    """Summary of Monte Carlo samples; every statistic comes with its MC uncertainty.

    ``lo68``/``hi68`` are the 15.87 %/84.13 % quantiles, so ``halfwidth68`` equals sigma
    for a Gaussian; ``lo95``/``hi95`` the 2.5 %/97.5 % quantiles (+-1.960 sigma).
    ``mean_error`` = std/sqrt(n); ``std_error`` from the sample fourth moment,
    :math:`\\sqrt{(m_4 - s^4)/n}/(2s)` (= s/sqrt(2n) for a Gaussian). Quantile errors come
    from order statistics and stay meaningful for heavy tails; mean and std errors do not
    (they are themselves built from moments that may not exist).
    """

    n: int
    mean: float
    mean_error: float
    std: float
    std_error: float
    median: float
    median_error: float
    lo68: float
    hi68: float
    halfwidth68: float
    halfwidth68_error: float
    lo95: float
    hi95: float
    halfwidth95: float
    halfwidth95_error: float

    def as_dict(self) -> dict:
        return asdict(self)


def _mean_std(x: np.ndarray) -> tuple[float, float, float, float]:
    n = x.size
    mean, _, std, kurt = _moments(x)
    # sqrt((m4 - s^4)/n) / (2 s) = s sqrt((m4/s^4 - 1)/n) / 2: no fourth powers of the data
    std_err = 0.0 if std == 0 else float(std * np.sqrt(max(kurt - 1.0, 0.0) / n) / 2)
    return mean, float(std / np.sqrt(n)), std, std_err


def mean_std(samples) -> tuple[float, float, float, float]:
    """``(mean, its MC error, std, its MC error)`` of the samples, the same numbers as
    :func:`summarize` without its quantiles (no sorting: fast enough for a slider)."""
    return _mean_std(_as_samples(samples))


def summarize(samples) -> Summary:
    """Mean and std (with MC errors) next to the median and central 68 %/95 % intervals.

    ``samples`` must be finite and 1-d (at least 2 values): remove undefined values first.
    """
    x = _as_samples(samples)
    n = x.size
    mean, mean_err, std, std_err = _mean_std(x)
    e = exponent(x)  # quantiles on the samples / 2^e (exact): differences cannot overflow
    s = np.sort(np.ldexp(x, -e))
    probs = np.array([P68[0], 0.5, P68[1], P95[0], P95[1]])
    q = np.quantile(s, probs)
    qe = _quantile_errors(s, probs)

    def hw_err(i, j):
        p1, p2 = probs[i], probs[j]
        corr = p1 * (1 - p2) / np.sqrt(p1 * (1 - p1) * p2 * (1 - p2))
        return float(0.5 * np.sqrt(max(qe[i] ** 2 + qe[j] ** 2 - 2 * corr * qe[i] * qe[j], 0.0)))

    def up(v) -> float:
        return float(np.ldexp(v, e))

    return Summary(
        n=n, mean=mean, mean_error=mean_err, std=std, std_error=std_err,
        median=up(q[1]), median_error=up(qe[1]),
        lo68=up(q[0]), hi68=up(q[2]), halfwidth68=up((q[2] - q[0]) / 2),
        halfwidth68_error=up(hw_err(0, 2)),
        lo95=up(q[3]), hi95=up(q[4]), halfwidth95=up((q[4] - q[3]) / 2),
        halfwidth95_error=up(hw_err(3, 4)),
    )


def summary_table(samples: dict) -> pd.DataFrame:
    """:func:`summarize` of each named sample, one row per name."""
    if not isinstance(samples, dict) or not samples:
        raise InputError("summary_table needs a non-empty dict name -> samples")
    return pd.DataFrame({k: summarize(v).as_dict() for k, v in samples.items()}).T


def _checkpoints(n: int, points) -> np.ndarray:
    if points is None:
        return np.arange(1, n + 1)
    k = _as_size(points, "points")
    return np.unique(np.round(np.geomspace(1, n, k)).astype(int))


def running_moments(samples, points=200) -> pd.DataFrame:
    """Mean and variance of the first n samples, for n at ``points`` log-spaced checkpoints.

    Returns a DataFrame indexed by ``n`` with columns ``mean``, ``variance`` (ddof=1,
    NaN for n = 1), ``std`` and ``mean_error`` (std/sqrt(n)). ``points=None`` gives every n.
    Where the true moment exists these settle like 1/sqrt(n); where it does not
    (:math:`b_2`) they jump whenever a sample lands far in the tail.
    """
    x = _as_samples(samples, min_length=1)
    idx = _checkpoints(x.size, points)
    # scale-free: the samples over 2^e1, their deviations from the median over 2^e2 (exact)
    e1 = exponent(x)
    xs = np.ldexp(x, -e1)
    c = np.median(xs)  # shift: avoids cancellation in sum(x^2) - n mean^2
    e2 = exponent(xs - c)
    d = np.ldexp(xs - c, -e2)
    s1, s2 = np.cumsum(d)[idx - 1], np.cumsum(d * d)[idx - 1]
    mean_d = s1 / idx
    with np.errstate(invalid="ignore", divide="ignore"):
        var_d = np.where(idx > 1, (s2 - idx * mean_d**2) / (idx - 1), np.nan)
    var_d = np.where(var_d < 0, 0.0, var_d)
    mean = np.ldexp(c + np.ldexp(mean_d, e2), e1)
    std = _scaled_back(np.sqrt(var_d), e1 + e2, "the standard deviation of the samples")
    var = _scaled_back(var_d, 2 * (e1 + e2), "the variance of the samples")
    if np.any((var == 0) & (var_d > 0)):
        raise InputError("the variance of the samples is below the floating-point range: "
                         "rescale the samples")
    return pd.DataFrame({"mean": mean, "variance": var, "std": std,
                         "mean_error": std / np.sqrt(idx)}, index=pd.Index(idx, name="n"))


def running_quantiles(samples, probs=(P68[0], 0.5, P68[1]), points=100) -> pd.DataFrame:
    """Quantiles of the first n samples at ``points`` log-spaced checkpoints (columns: ``probs``)."""
    x = _as_samples(samples, min_length=1)
    p = as_vector(probs, "probs")
    if np.any((p < 0) | (p > 1)):
        raise InputError(f"probs must lie in [0, 1], got {p}")
    idx = _checkpoints(x.size, points)
    e = exponent(x)  # quantiles of x / 2^e (exact): interpolation cannot overflow
    xs = np.ldexp(x, -e)
    rows = np.ldexp(np.array([np.quantile(xs[:k], p) for k in idx]), e)
    return pd.DataFrame(rows, index=pd.Index(idx, name="n"), columns=list(p))


@dataclass(frozen=True)
class CutStatistics:
    """What keeping only ``lo < v < hi`` does to a sample (see :func:`cut_statistics`)."""

    lo: float
    hi: float
    n: int
    n_kept: int
    fraction_removed: float
    fraction_removed_error: float
    fraction_below: float
    fraction_above: float
    mean_all: float
    variance_all: float
    median_all: float
    mean_kept: float
    variance_kept: float
    variance_kept_error: float
    median_kept: float

    def as_dict(self) -> dict:
        return asdict(self)


def _median(x: np.ndarray) -> float:
    e = exponent(x)
    return float(np.ldexp(np.median(np.ldexp(x, -e)), e))


def cut_statistics(samples, lo, hi) -> CutStatistics:
    """Fractions removed by the cut ``lo < v < hi`` and the moments before and after it.

    The variance of the kept samples is a property of the cut (it changes with ``hi``),
    not of the quantity: quote it together with the cut, never as "the variance".
    ``variance_kept_error`` is the MC error :math:`\\sqrt{(m_4 - s^4)/n}`.
    """
    x = _as_samples(samples)
    a, b = as_number(lo, "lo"), as_number(hi, "hi")
    if not a < b:
        raise InputError(f"the cut needs lo < hi, got lo = {a:g}, hi = {b:g}")
    keep = (x > a) & (x < b)
    k = int(keep.sum())
    if k < 2:
        raise InputError(f"the cut {a:g} < v < {b:g} keeps {k} sample(s): need at least 2")
    n = x.size
    xk = x[keep]
    f = 1 - k / n
    mean_all, var_all, _, _ = _moments(x)
    mean_k, vk, _, kurt_k = _moments(xk)
    return CutStatistics(
        lo=a, hi=b, n=n, n_kept=k, fraction_removed=f,
        fraction_removed_error=float(np.sqrt(f * (1 - f) / n)),
        fraction_below=float(np.mean(x <= a)), fraction_above=float(np.mean(x >= b)),
        mean_all=mean_all, variance_all=var_all, median_all=_median(x),
        mean_kept=mean_k, variance_kept=vk,
        # sqrt((m4 - v^2)/k) = v sqrt((m4/v^2 - 1)/k)
        variance_kept_error=float(vk * np.sqrt(max(kurt_k - 1.0, 0.0) / k)),
        median_kept=_median(xk),
    )
