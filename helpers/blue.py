"""The BLUE engine shared by every chapter: one scaler, one covariance check, one solve.

* :func:`exponent` -- the power of two that brings numbers to order one (exact scaling);
* :func:`check_covariance` -- the one test that a covariance can be inverted, judged on
  its *correlation* matrix, so that units (1e-150 or 1e150) and very different errors
  never pass for correlations;
* :func:`solve` -- the best linear unbiased estimate of a common mean,
  ``w = C^-1 1 / (1^T C^-1 1)``, ``value = w^T y``, ``error = (1^T C^-1 1)^(-1/2)``,
  ``chi2 = (y - value)^T C^-1 (y - value)``, batched over leading axes.

The solve works on ``C / 4^e`` (exact) and through ``R = D^-1 C D^-1``, so its results
are the same, bit for bit, for inputs in pb or in units of 1e-150.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .validation import InputError

__all__ = ["SINGULAR", "Blue", "exponent", "check_covariance", "solve", "quadratic_form"]

#: Smallest / largest eigenvalue of a correlation matrix at or below which the
#: measurements count as fully correlated (the combination is then ill-defined).
SINGULAR = 1e-12


def exponent(x, even: bool = False) -> int:
    """The binary exponent ``e`` with ``max|x| = f 2^e``, ``0.5 <= f < 1`` (0 for zeros or an
    empty array); rounded up to even if ``even`` (so that ``2^(e/2)`` is exact too)."""
    a = np.abs(np.asarray(x, dtype=float))
    m = float(a.max()) if a.size else 0.0
    e = int(np.frexp(m)[1]) if m > 0 else 0
    return e + e % 2 if even else e


def check_covariance(cov, names=None, name: str = "covariance") -> np.ndarray:
    """A finite, symmetric, positive-definite covariance (square, any units), symmetrised.

    The diagonal must be positive; the correlation matrix ``R = D^-1 C D^-1`` must be
    symmetric, pass a Cholesky factorisation and have ``min eig / max eig > SINGULAR``.
    ``names`` label the measurements in messages (default: their positions).
    """
    cov = np.asarray(cov, dtype=float)
    n = cov.shape[0]
    names = list(range(n)) if names is None else list(names)
    if not np.all(np.isfinite(cov)):
        raise InputError(f"{name} contains NaN or infinity")
    d = np.diag(cov)
    if np.any(d < 0):
        bad = [m for m, x in zip(names, d) if x < 0]
        raise InputError(f"{name} is not positive definite: negative variance for {bad}")
    if np.any(d == 0):
        bad = [m for m, x in zip(names, d) if x == 0]
        raise InputError(f"{name} is singular: measurement(s) {bad} have zero total uncertainty")
    scaled = np.ldexp(cov, -exponent(cov, even=True))     # exact; entries of order one
    sig = np.sqrt(np.diag(scaled))
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        corr = scaled / np.outer(sig, sig)
    if not np.all(np.isfinite(corr)) or np.any(sig == 0):
        raise InputError(f"{name} has entries outside the floating-point range")
    if not np.allclose(corr, corr.T, rtol=0, atol=1e-10):
        raise InputError(f"{name} is not symmetric")
    corr = 0.5 * (corr + corr.T)
    try:
        np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        raise InputError(
            f"{name} is not positive definite: some combination of the measurements "
            "would have zero or negative variance (check correlations of +-1 and zero errors)"
        ) from None
    eig = np.linalg.eigvalsh(corr)
    if eig[0] <= SINGULAR * eig[-1]:
        raise InputError(
            f"{name} is singular (not positive definite within rounding): its correlation "
            f"matrix has smallest/largest eigenvalue {eig[0] / eig[-1]:.1e}, so the "
            "measurements are (almost) fully correlated and cannot be combined"
        )
    return 0.5 * cov + 0.5 * cov.T


class Blue(NamedTuple):
    """One BLUE (or a batch of them over leading axes): ``value`` and ``error`` (...),
    ``weights`` (..., n) summing to one, ``chi2`` (...) with n - 1 degrees of freedom."""

    value: np.ndarray | float
    error: np.ndarray | float
    weights: np.ndarray
    chi2: np.ndarray | float


def _scaled(cov: np.ndarray):
    """``(sigma, R, e)``: per-batch even exponent ``e``, ``sigma = sqrt(diag C / 4^(e/2))``
    and the correlation matrix ``R``."""
    diag = np.diagonal(cov, axis1=-2, axis2=-1)
    top = np.max(np.abs(diag), axis=-1)
    e = np.where(top > 0, np.frexp(top)[1], 0)
    e = e + e % 2
    c = np.ldexp(cov, -e[..., None, None])
    sig = np.sqrt(np.diagonal(c, axis1=-2, axis2=-1))
    return sig, c / (sig[..., :, None] * sig[..., None, :]), e


def quadratic_form(resid, cov) -> np.ndarray:
    """``r^T C^-1 r`` for residuals (..., n) and a checked covariance (..., n, n), solved
    through the correlation matrix (scale-free)."""
    resid = np.asarray(resid, dtype=float)
    cov = np.asarray(cov, dtype=float)
    return _quadratic(resid, *_scaled(cov))


def _quadratic(resid, sig, corr, e):
    z = np.ldexp(resid, -(e // 2)[..., None]) / sig
    return np.einsum("...i,...i->...", z, np.linalg.solve(corr, z[..., None])[..., 0])


def solve(values, cov) -> Blue:
    """The BLUE of ``values`` (..., n) with a checked covariance (..., n, n), batched over
    the leading axes (they broadcast; ``weights`` follow the covariance's batch shape).
    Python floats for one combination.

    This is the engine: it does not validate its inputs (its callers pass them through
    :mod:`helpers.validation` and :func:`check_covariance` first). To combine numbers of
    your own, use :func:`helpers.combination.blue` or :class:`helpers.combination.Combination`."""
    y = np.asarray(values, dtype=float)
    cov = np.asarray(cov, dtype=float)
    sig, corr, e = _scaled(cov)
    rhs = np.broadcast_to(1.0 / sig, corr.shape[:-1])[..., None]
    a = np.linalg.solve(corr, rhs)[..., 0] / sig          # C^-1 1 (times 4^(e/2))
    norm = a.sum(axis=-1)                                # 1^T C^-1 1
    w = a / norm[..., None]
    value = np.einsum("...i,...i->...", w, y)
    error = np.ldexp(np.sqrt(1.0 / norm), e // 2)
    chi2 = _quadratic(y - value[..., None], sig, corr, e)
    if np.ndim(value) == 0:
        return Blue(float(value), float(error), w, float(chi2))
    return Blue(value, error, w, chi2)
