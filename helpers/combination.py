"""BLUE combination of correlated measurements (Lyons, Gibaut, Clifford 1988).

The :class:`Combination` class takes measured values ``y``, their uncertainties
split into sources ``k`` and the between-measurement correlation of each source,
and exposes the quantities of the paper under their usual names::

    C      = sum_k D_k R_k D_k          total covariance (D_k = diag of source k errors)
    w      = C^-1 1 / (1^T C^-1 1)      weights            -> Combination.weights
    yhat   = w^T y                      combined value     -> Combination.value
    sigma  = (1^T C^-1 1)^(-1/2)        combined error     -> Combination.error
    chi2   = (y - yhat)^T C^-1 (y - yhat)                  -> Combination.chi2

Everything is validated on the way in (:class:`~helpers.validation.InputError` with a
readable message); the object is immutable, and the ``with_*`` / ``without`` methods
return new combinations for sliders and what-if studies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .validation import (
    InputError,
    as_correlation,
    as_correlation_matrix,
    as_covariance,
    as_finite_array,
    as_number,
    as_positive_vector,
    as_vector,
    check_same_length,
)

__all__ = ["Combination", "blue", "correlation_scan", "zero_weight_correlation"]

#: Row / column labels used by :meth:`Combination.summary` and :meth:`Combination.table`.
_RESERVED_SOURCES = ("total", "value")
_RESERVED_NAMES = ("combination",)


# --------------------------------------------------------------------------------------
# plain BLUE on a total covariance
# --------------------------------------------------------------------------------------
def _blue_arrays(y: np.ndarray, cov: np.ndarray) -> tuple[float, float, np.ndarray]:
    """BLUE on already validated arrays: (value, error, weights)."""
    a = np.linalg.solve(cov, np.ones(len(y)))  # C^-1 1
    norm = a.sum()  # 1^T C^-1 1
    w = a / norm
    return float(w @ y), float(np.sqrt(1.0 / norm)), w


def blue(values, covariance) -> tuple[float, float, Any]:
    """Best linear unbiased estimate of a common mean from a total covariance.

    ``w = C^-1 1 / (1^T C^-1 1)``, ``value = w^T y``, ``error = (1^T C^-1 1)^(-1/2)``.

    Parameters
    ----------
    values : array_like or pandas.Series, shape (n,)
        The measurements ``y``, n >= 2.
    covariance : array_like or pandas.DataFrame, shape (n, n)
        Total covariance ``C``; must be symmetric positive definite.

    Returns
    -------
    value, error : float
    weights : numpy.ndarray, or pandas.Series over the measurement names when
        ``values`` is a Series. The weights sum to 1 and may be negative.

    Raises
    ------
    InputError
        Non-finite values, fewer than two measurements, a covariance of the wrong
        shape, asymmetric, singular or not positive definite.
    """
    y = as_vector(values, "values", min_length=2)
    cov = as_covariance(covariance, len(y), "covariance")
    value, error, w = _blue_arrays(y, cov)
    if isinstance(values, pd.Series):
        w = pd.Series(w, index=values.index, name="weight")
    return value, error, w


# --------------------------------------------------------------------------------------
# input parsing
# --------------------------------------------------------------------------------------
def _unique_labels(labels, what: str) -> list:
    labels = list(labels)
    seen = set()
    for lab in labels:
        if lab in seen:
            raise InputError(f"{what} must be unique, {lab!r} appears twice")
        seen.add(lab)
    return labels


def _parse_values(values, names) -> tuple[np.ndarray, list | None]:
    if isinstance(values, pd.DataFrame):
        raise InputError("values must be one-dimensional (a Series or a 1-d array), got a DataFrame")
    y = as_vector(values, "values", min_length=2)
    labels = list(values.index) if isinstance(values, pd.Series) else None
    if names is not None:
        names = list(names) if not isinstance(names, str) else [names]
        if len(names) != len(y):
            raise InputError(f"names has {len(names)} entries but there are {len(y)} values")
        labels = names
    return y, labels


def _parse_errors(errors, n: int, names: list | None, sources):
    """Return (errors array (n, k), measurement names, source names)."""
    if isinstance(errors, pd.DataFrame):
        if errors.shape[0] != n:
            raise InputError(
                f"errors has {errors.shape[0]} rows but there are {n} measurements "
                "(rows are measurements, columns are sources)"
            )
        cols = list(errors.columns)
        if sources is not None and list(sources) != cols:
            raise InputError(
                f"sources {list(sources)} differ from the columns of the errors DataFrame {cols}; "
                "pass sources= only with an array of errors"
            )
        rows = list(errors.index)
        default_index = isinstance(errors.index, pd.RangeIndex) and rows == list(range(n))
        if names is None:
            names = None if default_index else rows
        elif not default_index:
            if set(rows) != set(names) or len(set(rows)) != n:
                raise InputError(
                    f"the rows of errors {rows} do not match the measurement names {names}"
                )
            errors = errors.loc[names]
        try:
            arr = errors.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError("errors must be numbers") from exc
        source_names = cols
    else:
        try:
            arr = np.asarray(errors, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"errors must be numbers, got {errors!r}") from exc
        if arr.ndim == 0:
            raise InputError("errors must be an (n, k) array or a DataFrame, got a single number")
        if arr.ndim == 1:  # one source
            arr = arr.reshape(-1, 1)
        if arr.ndim != 2:
            raise InputError(f"errors must be two-dimensional (measurements x sources), got shape {arr.shape}")
        if arr.shape[0] != n:
            raise InputError(
                f"errors has shape {arr.shape} but there are {n} measurements "
                "(rows are measurements, columns are sources)"
            )
        k = arr.shape[1]
        if sources is None:
            source_names = [f"source {i + 1}" for i in range(k)]
        else:
            source_names = [sources] if isinstance(sources, str) else list(sources)
            if len(source_names) != k:
                raise InputError(f"sources has {len(source_names)} names but errors has {k} columns")
    if arr.size == 0 or arr.shape[1] == 0:
        raise InputError("errors is empty: give at least one uncertainty source")
    source_names = _unique_labels(source_names, "source names")
    for j, s in enumerate(source_names):
        as_positive_vector(arr[:, j], f"errors of source {s!r}", allow_zero=True)
    if names is None:
        names = [f"m{i + 1}" for i in range(n)]
    names = _unique_labels(names, "measurement names")
    for s in source_names:
        if s in _RESERVED_SOURCES:
            raise InputError(f"{s!r} is reserved for the summary tables; rename that source")
    for m in names:
        if m in _RESERVED_NAMES:
            raise InputError(f"{m!r} is reserved for the summary tables; rename that measurement")
    return arr, names, source_names


def _parse_correlations(correlations, source_names: list, n: int) -> np.ndarray:
    """Return the per-source correlation matrices, shape (k, n, n)."""
    k = len(source_names)
    if isinstance(correlations, (Mapping, pd.Series)):
        keys = list(correlations.keys())
        unknown = [s for s in keys if s not in source_names]
        if unknown:
            raise InputError(f"correlations given for unknown source(s) {unknown}; sources are {source_names}")
        missing = [s for s in source_names if s not in keys]
        if missing:
            raise InputError(f"no correlation given for source(s) {missing}")
        per_source = [correlations[s] for s in source_names]
    elif isinstance(correlations, pd.DataFrame):
        per_source = [correlations.to_numpy()] * k
    elif correlations is None:
        raise InputError("correlations are missing: give one per source (0 for uncorrelated)")
    else:
        try:
            arr = np.asarray(correlations, dtype=float)
        except (TypeError, ValueError):
            arr = None  # ragged: a sequence mixing scalars and matrices
        if arr is not None and arr.ndim == 0:
            per_source = [arr.item()] * k
        elif arr is not None and arr.ndim == 2:
            per_source = [arr] * k  # one matrix for every source
        else:
            if isinstance(correlations, (str, bytes)) or not isinstance(correlations, (Sequence, np.ndarray)):
                raise InputError(f"correlations must be numbers, matrices or a mapping, got {correlations!r}")
            per_source = list(correlations)
            if len(per_source) != k:
                raise InputError(f"correlations has {len(per_source)} entries but there are {k} sources")
    mats = [
        as_correlation_matrix(r, n, f"correlation of source {s!r}")
        for s, r in zip(source_names, per_source)
    ]
    return np.array(mats, dtype=float).reshape(k, n, n)


# --------------------------------------------------------------------------------------
# the combination
# --------------------------------------------------------------------------------------
class Combination:
    r"""BLUE combination of ``n`` measurements of one quantity with ``k`` error sources.

    The total covariance is ``C = sum_k D_k R_k D_k`` with ``D_k = diag(sigma_ik)`` the
    errors of source ``k`` and ``R_k`` its between-measurement correlation; the
    weights ``w = C^-1 1 / (1^T C^-1 1)`` minimise the variance of ``w^T y`` under
    ``sum(w) = 1``.

    Parameters
    ----------
    values : array_like or pandas.Series, shape (n,)
        Measured values, n >= 2. A Series index gives the measurement names.
    errors : pandas.DataFrame or array_like, shape (n, k)
        Absolute uncertainty of each measurement (rows) from each source (columns);
        finite and >= 0. A 1-d array is one source.
    correlations : mapping, Series, sequence, scalar or matrix
        Between-measurement correlation of each source: a mapping source -> (scalar
        or n x n matrix), a sequence of k such, or a single scalar / matrix used for
        every source. A scalar ``rho`` means ``rho`` for every off-diagonal pair.
    sources : sequence of str, optional
        Source names for an array of errors (default ``"source 1"``, ...).
    names : sequence, optional
        Measurement names (default: the Series index, the errors rows, or
        ``"m1"``, ``"m2"``, ...).

    Raises
    ------
    InputError
        For any input that does not define a combination: NaN or infinite numbers,
        negative errors, mismatched shapes, correlations outside [-1, 1] or
        malformed matrices, unknown or missing sources, fewer than two
        measurements, or a total covariance that is singular / not positive definite.
    """

    def __init__(self, values, errors, correlations, *, sources=None, names=None):
        y, labels = _parse_values(values, names)
        err, names_, source_names = _parse_errors(errors, len(y), labels, sources)
        rho = _parse_correlations(correlations, source_names, len(y))
        self._init_parsed(y, err, rho, names_, source_names)

    def _init_parsed(self, y, err, rho, names, source_names):
        src_cov = err.T[:, :, None] * rho * err.T[:, None, :]  # D_k R_k D_k, shape (k, n, n)
        cov = as_covariance(src_cov.sum(axis=0), len(y), "total covariance")
        for a in (y, err, rho, src_cov, cov):
            a.setflags(write=False)
        self._y, self._err, self._rho = y, err, rho
        self._src_cov, self._cov = src_cov, cov
        self._names, self._sources = list(names), list(source_names)

    @classmethod
    def _from_parsed(cls, y, err, rho, names, source_names) -> "Combination":
        new = cls.__new__(cls)
        new._init_parsed(np.array(y, dtype=float), np.array(err, dtype=float),
                         np.array(rho, dtype=float), names, source_names)
        return new

    def __repr__(self) -> str:
        return (f"Combination(n={self.n}, sources={self._sources}, "
                f"value={self.value:.6g}, error={self.error:.3g})")

    # ---------------------------------------------------------------- inputs
    @property
    def n(self) -> int:
        """Number of measurements."""
        return len(self._y)

    @property
    def names(self) -> list:
        """Measurement names."""
        return list(self._names)

    @property
    def sources(self) -> list:
        """Uncertainty source names."""
        return list(self._sources)

    @property
    def values(self) -> pd.Series:
        """The measurements ``y``."""
        return pd.Series(self._y, index=self._names, name="value")

    @property
    def errors(self) -> pd.DataFrame:
        """Per-source absolute errors ``sigma_ik`` (rows: measurements, columns: sources)."""
        return pd.DataFrame(self._err, index=self._names, columns=self._sources)

    @property
    def source_correlations(self) -> dict:
        """Per-source correlation matrices ``R_k`` (dict source -> DataFrame)."""
        return {s: pd.DataFrame(self._rho[j], index=self._names, columns=self._names)
                for j, s in enumerate(self._sources)}

    # ---------------------------------------------------------------- covariance
    @property
    def covariance(self) -> pd.DataFrame:
        """Total covariance ``C = sum_k D_k R_k D_k`` (n x n)."""
        return pd.DataFrame(self._cov, index=self._names, columns=self._names)

    @property
    def source_covariances(self) -> dict:
        """Covariance of each source, ``C_k = D_k R_k D_k`` (dict source -> DataFrame)."""
        return {s: pd.DataFrame(self._src_cov[j], index=self._names, columns=self._names)
                for j, s in enumerate(self._sources)}

    @property
    def correlation(self) -> pd.DataFrame:
        """Total correlation ``rho_ij = C_ij / sqrt(C_ii C_jj)``."""
        s = np.sqrt(np.diag(self._cov))
        return pd.DataFrame(self._cov / np.outer(s, s), index=self._names, columns=self._names)

    # ---------------------------------------------------------------- BLUE
    @cached_property
    def _blue(self) -> tuple[float, float, np.ndarray]:
        value, error, w = _blue_arrays(self._y, self._cov)
        w.setflags(write=False)
        return value, error, w

    @property
    def value(self) -> float:
        """Combined value ``yhat = w^T y``."""
        return self._blue[0]

    @property
    def error(self) -> float:
        """Combined error ``sigma = (1^T C^-1 1)^(-1/2) = sqrt(w^T C w)``."""
        return self._blue[1]

    @property
    def weights(self) -> pd.Series:
        """BLUE weights ``w = C^-1 1 / (1^T C^-1 1)``; they sum to 1 and may be negative."""
        return pd.Series(self._blue[2], index=self._names, name="weight")

    @property
    def has_negative_weights(self) -> bool:
        """True if some weight ``w_i < 0``."""
        return bool(np.any(self._blue[2] < 0))

    def weight_note(self) -> str:
        """A short explanation of negative weights, or ``""`` if all ``w_i >= 0``.

        For two measurements a weight is negative when ``rho > sigma_1 / sigma_2``
        (``sigma_1`` the smaller total error): the combination then lies outside the
        range of the inputs. That is correct BLUE behaviour, but it depends strongly
        on the assumed correlation.
        """
        w = self._blue[2]
        if not np.any(w < 0):
            return ""
        neg = [f"{m!r} ({wi:.3g})" for m, wi in zip(self._names, w) if wi < 0]
        inside = float(self._y.min()) <= self.value <= float(self._y.max())
        where = ("lies outside the range of the inputs" if not inside
                 else "can lie outside the range of the inputs")
        if self.n == 2:
            s = np.sqrt(np.diag(self._cov))
            rho = self._cov[0, 1] / (s[0] * s[1])
            i_small = int(np.argmin(s))
            ratio = s[i_small] / s[1 - i_small]
            why = (f"the total correlation rho = {rho:.3g} exceeds sigma_small/sigma_large = "
                   f"{ratio:.3g} (the ratio of the smaller to the larger total error), so the "
                   f"combination ({self.value:.6g}) {where}")
        else:
            why = ("strong positive correlations let BLUE extrapolate from the more precise "
                   f"measurements, so the combination ({self.value:.6g}) {where}")
        return (f"Negative weight for {', '.join(neg)}: {why}. This is legitimate BLUE "
                "behaviour, not an error, but the result is sensitive to the assumed correlation.")

    # ---------------------------------------------------------------- error breakdown
    @cached_property
    def _uncertainties(self) -> np.ndarray:
        w = self._blue[2]
        q = np.einsum("i,kij,j->k", w, self._src_cov, w)
        return np.sign(q) * np.sqrt(np.abs(q))

    @property
    def uncertainties(self) -> pd.Series:
        """BLUE contribution of each source, ``sigma_k = sqrt(w^T C_k w)``.

        They add up in quadrature to :attr:`error` because ``sum_k C_k = C``.
        ``w^T C_k w`` can only be negative when the source's correlation matrix
        ``R_k`` is not positive semi-definite (allowed: only the total ``C`` must be
        positive definite); the signed value ``sign(q) * sqrt(|q|)`` is then returned
        so that ``sum_k sign_k sigma_k^2 = sigma^2`` still holds.
        """
        return pd.Series(self._uncertainties, index=self._sources, name="BLUE contribution")

    @cached_property
    def _quadratic_difference(self) -> np.ndarray:
        out = np.full(len(self._sources), np.nan)
        for j in range(len(self._sources)):
            reduced = self._cov - self._src_cov[j]
            try:
                reduced = as_covariance(reduced, self.n, "covariance without this source")
            except InputError:
                continue  # singular without this source: NaN
            _, err_k, _ = _blue_arrays(self._y, reduced)
            d = self.error**2 - err_k**2
            out[j] = np.sign(d) * np.sqrt(abs(d))
        return out

    def quadratic_difference(self) -> pd.Series:
        """Error due to each source as ``sqrt(sigma^2 - sigma_without_k^2)``.

        ``sigma_without_k`` is the BLUE error with ``C_k`` removed from the covariance
        and the weights re-optimised. For correlated sources the difference
        ``d = sigma^2 - sigma_without_k^2`` can be negative (this needs a correlation
        matrix ``R_k`` that is not positive semi-definite, e.g. a strong negative
        correlation among three or more measurements); the signed value
        ``sign(d) * sqrt(|d|)`` is returned. If removing the source leaves a singular
        covariance, the entry is NaN.

        It equals the BLUE contribution ``sqrt(w^T C_k w)`` of :attr:`uncertainties`
        when removing the source does not change the weights, e.g. an uncorrelated
        source whose errors are the same fraction of every measurement's total error,
        or a 100% correlated source of equal size in every measurement. In general,
        even for uncorrelated sources, the two differ and the quadratic differences
        do not add up to :attr:`error`.
        """
        return pd.Series(self._quadratic_difference, index=self._sources,
                         name="quadratic difference")

    # ---------------------------------------------------------------- chi2
    @cached_property
    def _chi2(self) -> float:
        r = self._y - self.value
        return float(r @ np.linalg.solve(self._cov, r))

    @property
    def chi2(self) -> float:
        """``chi2 = (y - yhat)^T C^-1 (y - yhat)``, the minimum of :meth:`chi2_curve`."""
        return self._chi2

    @property
    def ndf(self) -> int:
        """Degrees of freedom, ``n - 1``."""
        return self.n - 1

    @property
    def pvalue(self) -> float:
        """``P(chi2_ndf >= chi2)`` (``scipy.stats.chi2.sf``)."""
        return float(stats.chi2.sf(self._chi2, self.ndf))

    def chi2_curve(self, mu):
        """``chi2(mu) = (y - mu 1)^T C^-1 (y - mu 1)`` at trial means ``mu`` (vectorised).

        Returns an array of the shape of ``mu`` (a float for a scalar). Its minimum is
        :attr:`chi2` at ``mu = value``; it rises by 1 at ``value +- error``.
        """
        mu_arr = as_finite_array(mu, "mu")
        flat = mu_arr.reshape(-1)
        resid = self._y[:, None] - flat[None, :]  # (n, m)
        chi2 = np.einsum("im,im->m", resid, np.linalg.solve(self._cov, resid))
        return float(chi2[0]) if mu_arr.ndim == 0 else chi2.reshape(mu_arr.shape)

    def interval(self, delta: float = 1.0) -> tuple[float, float]:
        """``(lo, hi)`` where ``chi2(mu) = chi2_min + delta``: ``value -+ sqrt(delta) * error``."""
        d = as_number(delta, "delta", positive=True)
        half = np.sqrt(d) * self.error
        return self.value - half, self.value + half

    def fit(self, minos: bool = True):
        """Minimise ``chi2(mean) = (y - mean 1)^T C^-1 (y - mean 1)`` with iminuit.

        Starts from the plain average of the values, runs MIGRAD and HESSE (and MINOS
        if ``minos``) with ``errordef = Minuit.LEAST_SQUARES``, and returns the
        ``Minuit`` object. For this quadratic chi2 the result equals the BLUE
        :attr:`value` and :attr:`error`.
        """
        from iminuit import Minuit

        y, cov = self._y, self._cov

        def fcn(mean):
            r = y - mean
            return float(r @ np.linalg.solve(cov, r))

        m = Minuit(fcn, mean=float(np.mean(y)))
        m.errordef = Minuit.LEAST_SQUARES
        m.migrad()
        m.hesse()
        if minos:
            m.minos()
        return m

    # ---------------------------------------------------------------- variations
    def _source_index(self, source) -> int:
        try:
            return self._sources.index(source)
        except ValueError:
            raise InputError(f"unknown source {source!r}; sources are {self._sources}") from None

    def without(self, source) -> "Combination":
        """A new combination with ``source`` dropped (``C -> C - C_k``).

        Raises InputError for an unknown source, for dropping the only source, or if
        the remaining covariance is singular.
        """
        j = self._source_index(source)
        if len(self._sources) == 1:
            raise InputError(f"cannot drop {source!r}: it is the only uncertainty source")
        keep = [i for i in range(len(self._sources)) if i != j]
        return self._from_parsed(self._y, self._err[:, keep], self._rho[keep], self._names,
                                 [self._sources[i] for i in keep])

    def with_correlation(self, source_or_sources, rho) -> "Combination":
        """A new combination with ``R_k`` replaced by ``rho`` (scalar or n x n) for the given source(s)."""
        srcs = ([source_or_sources] if isinstance(source_or_sources, str)
                or not isinstance(source_or_sources, (Sequence, np.ndarray, pd.Index))
                else list(source_or_sources))
        if not srcs:
            raise InputError("with_correlation needs at least one source")
        idx = [self._source_index(s) for s in srcs]
        mat = as_correlation_matrix(rho, self.n, f"correlation of {srcs}")
        new_rho = np.array(self._rho)
        new_rho[idx] = mat
        return self._from_parsed(self._y, self._err, new_rho, self._names, self._sources)

    def with_errors(self, source, new_errors) -> "Combination":
        """A new combination with the error column of ``source`` replaced (length n, >= 0).

        A Series is aligned on the measurement names.
        """
        j = self._source_index(source)
        if isinstance(new_errors, pd.Series):
            if set(new_errors.index) != set(self._names):
                raise InputError(f"new errors index {list(new_errors.index)} does not match "
                                 f"the measurements {self._names}")
            new_errors = new_errors.loc[self._names]
        col = as_positive_vector(new_errors, f"errors of source {source!r}", allow_zero=True)
        check_same_length(new_errors=col, values=self._y)
        err = np.array(self._err)
        err[:, j] = col
        return self._from_parsed(self._y, err, self._rho, self._names, self._sources)

    # ---------------------------------------------------------------- tables
    def summary(self) -> pd.DataFrame:
        """Error breakdown: per source the BLUE contribution ``sqrt(w^T C_k w)`` and the
        :meth:`quadratic_difference`, plus a ``"total"`` row holding :attr:`error` in both
        columns (the quadratic differences need not add up to it)."""
        df = pd.DataFrame({"BLUE contribution": self._uncertainties,
                           "quadratic difference": self._quadratic_difference},
                          index=self._sources)
        df.loc["total"] = [self.error, self.error]
        return df

    def table(self) -> pd.DataFrame:
        """Inputs and result like Table 1 of a combination note.

        Rows: ``"value"``, the sources and ``"total"``; columns: the measurements and
        ``"combination"``. Measurement columns hold ``y_i``, ``sigma_ik`` and
        ``sqrt(C_ii)``; the combination column holds ``value``, ``sqrt(w^T C_k w)`` and
        ``error``.
        """
        body = np.vstack([self._y, self._err.T, np.sqrt(np.diag(self._cov))])
        comb = np.concatenate([[self.value], self._uncertainties, [self.error]])
        return pd.DataFrame(np.column_stack([body, comb]),
                            index=["value", *self._sources, "total"],
                            columns=[*self._names, "combination"])


# --------------------------------------------------------------------------------------
# correlation scan
# --------------------------------------------------------------------------------------
def correlation_scan(values, errors, correlations, sources, rhos, *, names=None,
                     source_names=None) -> pd.DataFrame:
    """BLUE result as a function of the correlation of some sources.

    For each ``rho`` in ``rhos`` the correlation of every source in ``sources`` is set
    to ``rho`` (all off-diagonal pairs) and ``value = w^T y``, ``error =
    (1^T C^-1 1)^(-1/2)``, the weights and ``chi2`` are recomputed.

    Parameters
    ----------
    values, errors, correlations
        As for :class:`Combination` (``names`` and ``source_names`` are passed on as
        its ``names`` and ``sources``).
    sources : str or sequence of str
        The source(s) whose correlation is scanned.
    rhos : array_like
        Trial correlations, each in [-1, 1].

    Returns
    -------
    pandas.DataFrame
        Indexed by ``rho`` with columns ``"value"``, ``"error"``, ``"weight <name>"``
        for each measurement and ``"chi2"``. Rows where the total covariance is
        singular or not positive definite are NaN (a gap in a plot), not an error.
    """
    base_y, labels = _parse_values(values, names)
    err, names_, src_names = _parse_errors(errors, len(base_y), labels, source_names)
    rho = _parse_correlations(correlations, src_names, len(base_y))
    scan = [sources] if isinstance(sources, str) else list(sources)
    if not scan:
        raise InputError("sources to scan is empty")
    unknown = [s for s in scan if s not in src_names]
    if unknown:
        raise InputError(f"unknown source(s) {unknown} to scan; sources are {src_names}")
    idx = [src_names.index(s) for s in scan]
    r = as_vector(rhos, "rhos")
    for x in r:
        as_correlation(x, "rho")
    columns = ["value", "error", *[f"weight {m}" for m in names_], "chi2"]
    rows = np.full((len(r), len(columns)), np.nan)
    n = len(base_y)
    for i, x in enumerate(r):
        trial = rho.copy()
        trial[idx] = as_correlation_matrix(float(x), n)
        try:
            c = Combination._from_parsed(base_y, err, trial, names_, src_names)
        except InputError:
            continue  # singular / not positive definite at this rho
        rows[i] = [c.value, c.error, *c._blue[2], c.chi2]
    return pd.DataFrame(rows, index=pd.Index(r, name="rho"), columns=columns)


def zero_weight_correlation(comb: Combination) -> float:
    """Overall correlation above which the less precise of two measurements gets a
    negative BLUE weight: ``rho = sigma_small / sigma_large`` (total errors).

    From ``w_1 = (sigma_2^2 - c)/(sigma_1^2 + sigma_2^2 - 2c)``, which vanishes at
    ``c = rho sigma_1 sigma_2 = sigma_2^2``.
    """
    if comb.n != 2:
        raise InputError(f"the zero-weight correlation is defined for 2 measurements, got {comb.n}")
    sigma = np.sqrt(np.diag(comb.covariance.to_numpy()))
    return float(sigma.min() / sigma.max())
