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

Beyond the combination itself: error breakdowns by source and by group of sources
(:meth:`Combination.grouped`), information weights and pulls (Valassi and Chierici
2014), iterative BLUE for uncertainties proportional to the true value
(:meth:`Combination.iterated`, Lista 2014) and reading a combination table
(:meth:`Combination.from_table`).

Conventions that hold everywhere in this module:

* **Labelled inputs are aligned by label.** A Series of values, a DataFrame of
  errors, a correlation DataFrame and a covariance DataFrame are matched on their
  measurement labels whatever their order; labels that do not match raise
  :class:`InputError` naming them. Plain arrays and lists have no labels and are
  taken in order.
* **Scale-free numerics.** The linear algebra runs on the errors divided by a
  common power of two and on the *correlation* matrix ``R = D^-1 C D^-1``, so the
  results are the same for inputs in pb, in barn or in units of 1e-150, and the
  singularity check tests how strongly the measurements are correlated, not how
  different their error sizes are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import blue as engine
from . import data
from .validation import (
    InputError,
    as_real_array,
    as_correlation,
    as_correlation_matrix,
    as_finite_array,
    as_number,
    as_positive_vector,
    as_vector,
    check_same_length,
)

__all__ = ["Combination", "blue", "correlation_scan", "zero_weight_correlation"]

#: Row / column labels used by :meth:`Combination.summary`, :meth:`Combination.table`,
#: :meth:`Combination.grouped` and :meth:`Combination.information_weights`.
_RESERVED_SOURCES = ("total", "value")
_RESERVED_NAMES = ("combination", "correlations")

#: Names recognised by :meth:`Combination.from_table` (compared case-insensitively).
_VALUE_COLUMNS = ("Experiment", "value")
_CORRELATION_ROWS = ("Correlations", "correlation")

# --------------------------------------------------------------------------------------
# labels
# --------------------------------------------------------------------------------------
def _unique_labels(labels, what: str) -> list:
    labels = list(labels)
    seen = set()
    for lab in labels:
        if lab in seen:
            raise InputError(f"{what} must be unique, {lab!r} appears twice")
        seen.add(lab)
    return labels


def _is_default_index(index, n: int) -> bool:
    return isinstance(index, pd.RangeIndex) and list(index) == list(range(n))


def _match(labels, names, what: str) -> list:
    """Positions of ``names`` in ``labels``; InputError naming the labels that do not match."""
    labels = _unique_labels(labels, f"labels of {what}")
    extra = [lab for lab in labels if lab not in names]
    missing = [m for m in names if m not in labels]
    if extra or missing:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unknown {extra}")
        raise InputError(
            f"{what} {labels} do not match the measurement names {list(names)}: "
            f"{' and '.join(parts)} (labelled inputs are aligned by label, never by position)"
        )
    return [labels.index(m) for m in names]


def _square_frame(frame: pd.DataFrame, names, labelled: bool, what: str) -> np.ndarray:
    """An n x n DataFrame as an array in the order of ``names`` (rows and columns by label).

    If the measurements have no labels of their own (plain arrays, default names) a
    frame labelled ``0 .. n-1`` on both axes is taken in order.
    """
    n = len(names)
    if frame.shape != (n, n):
        raise InputError(f"{what} must be {n}x{n} to match {n} measurements, got {frame.shape}")
    if (not labelled and _is_default_index(frame.index, n)
            and _is_default_index(frame.columns, n)):
        rows = cols = list(range(n))
    else:
        rows = _match(frame.index, names, f"the rows of {what}")
        cols = _match(frame.columns, names, f"the columns of {what}")
    arr = as_real_array(frame.to_numpy(), what)
    return arr[np.ix_(rows, cols)]


# --------------------------------------------------------------------------------------
# plain BLUE on a total covariance
# --------------------------------------------------------------------------------------
def blue(values, covariance) -> tuple[float, float, Any]:
    """Best linear unbiased estimate of a common mean from a total covariance.

    ``w = C^-1 1 / (1^T C^-1 1)``, ``value = w^T y``, ``error = (1^T C^-1 1)^(-1/2)``.

    Parameters
    ----------
    values : array_like or pandas.Series, shape (n,)
        The measurements ``y``, n >= 2.
    covariance : array_like or pandas.DataFrame, shape (n, n)
        Total covariance ``C``; must be symmetric positive definite. A DataFrame
        given with a Series of values is aligned on the labels (rows and columns);
        with plain values its rows are taken in order and its columns aligned to them.

    Returns
    -------
    value, error : float
    weights : numpy.ndarray, or pandas.Series over the measurement names when
        ``values`` is a Series. The weights sum to 1 and may be negative.

    Raises
    ------
    InputError
        Non-finite values, fewer than two measurements, a covariance of the wrong
        shape, asymmetric, singular or not positive definite, or labels of the
        covariance that do not match the labels of the values.
    """
    if isinstance(values, pd.DataFrame):
        raise InputError("values must be one-dimensional (a Series or a 1-d array), got a DataFrame")
    y = as_vector(as_real_array(values, "values"), "values", min_length=2)
    n = len(y)
    if isinstance(covariance, pd.DataFrame):
        if isinstance(values, pd.Series):
            names = _unique_labels(values.index, "measurement names")
            cov = _square_frame(covariance, names, True, "covariance")
        else:
            names = _unique_labels(covariance.index, "rows of covariance")
            cov = _square_frame(covariance, names, True, "covariance")
    else:
        cov = as_real_array(covariance, "covariance")
        names = list(values.index) if isinstance(values, pd.Series) else [f"m{i + 1}" for i in range(n)]
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise InputError(f"covariance must be a square matrix, got shape {cov.shape}")
    if cov.shape != (n, n):
        raise InputError(f"covariance must be {n}x{n} to match {n} measurements, got {cov.shape}")
    if not np.all(np.isfinite(cov)):
        raise InputError("covariance contains NaN or infinity")
    value, err, w, _ = engine.solve(y, engine.check_covariance(cov, names, "covariance"))
    if isinstance(values, pd.Series):
        w = pd.Series(w, index=values.index, name="weight")
    return value, err, w


# --------------------------------------------------------------------------------------
# input parsing
# --------------------------------------------------------------------------------------
def _parse_values(values, names) -> tuple[np.ndarray, list | None]:
    """Return (values array, their labels or None)."""
    if isinstance(values, pd.DataFrame):
        raise InputError("values must be one-dimensional (a Series or a 1-d array), got a DataFrame")
    y = as_vector(as_real_array(values, "values"), "values", min_length=2)
    labels = list(values.index) if isinstance(values, pd.Series) else None
    if names is not None:
        names = list(names) if not isinstance(names, str) else [names]
        if len(names) != len(y):
            raise InputError(f"names has {len(names)} entries but there are {len(y)} values")
        if labels is not None and names != labels:
            raise InputError(
                f"names {names} differ from the index of the values Series {labels}; "
                "give names= only with unlabelled values (or rename the Series)"
            )
        labels = names
    return y, labels


def _parse_errors(errors, n: int, names: list | None, sources):
    """Return (errors array (n, k), measurement names, source names, labelled).

    ``names`` are the labels of the values (or None). A DataFrame of errors is aligned
    on them by label; ``labelled`` tells whether the measurement names came from the
    inputs (False: default names ``m1``, ``m2``, ...).
    """
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
        if names is None:
            # unlabelled values: the rows of errors name the measurements, unless they
            # are just the default 0 .. n-1
            names = None if _is_default_index(errors.index, n) else _unique_labels(rows, "measurement names")
            order = list(range(n))
        else:
            order = _match(rows, _unique_labels(names, "measurement names"), "the rows of errors")
        arr = as_real_array(errors.to_numpy(), "errors")[order]
        source_names = cols
    else:
        arr = as_real_array(errors, "errors")
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
    labelled = names is not None
    if names is None:
        names = [f"m{i + 1}" for i in range(n)]
    names = _unique_labels(names, "measurement names")
    for s in source_names:
        if s in _RESERVED_SOURCES:
            raise InputError(f"{s!r} is reserved for the summary tables; rename that source")
    for m in names:
        if m in _RESERVED_NAMES:
            raise InputError(f"{m!r} is reserved for the summary tables; rename that measurement")
    return arr, names, source_names, labelled


def _correlation_matrix(r, names: list, labelled: bool, what: str) -> np.ndarray:
    """One source's correlation (scalar, array or labelled DataFrame) as an n x n array."""
    r = _square_frame(r, names, labelled, what) if isinstance(r, pd.DataFrame) else as_real_array(r, what)
    return as_correlation_matrix(r, len(names), what)


def _parse_correlations(correlations, source_names: list, names: list, labelled: bool) -> np.ndarray:
    """Return the per-source correlation matrices, shape (k, n, n)."""
    k, n = len(source_names), len(names)
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
        per_source = [correlations] * k  # one labelled matrix for every source
    elif correlations is None:
        raise InputError("correlations are missing: give one per source (0 for uncorrelated)")
    elif isinstance(correlations, (str, bytes, bool, np.bool_, complex, np.complexfloating)):
        raise InputError(f"correlations must be numbers in [-1, 1], matrices or a mapping, "
                         f"got {correlations!r}")
    else:
        try:
            arr = as_real_array(correlations, "correlations")
        except InputError:
            arr = None  # ragged (a sequence mixing scalars and matrices) or not numbers: per source
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
    mats = [_correlation_matrix(r, names, labelled, f"correlation of source {s!r}")
            for s, r in zip(source_names, per_source)]
    return np.array(mats, dtype=float).reshape(k, n, n)


def _as_source_list(sources, what: str) -> list:
    out = ([sources] if isinstance(sources, str)
           or not isinstance(sources, (Sequence, np.ndarray, pd.Index, set, frozenset))
           else list(sources))
    if not out:
        raise InputError(f"{what} needs at least one source")
    return out


def _find_label(labels, wanted, given, what: str):
    labels = list(labels)
    if given is not None:
        if given not in labels:
            raise InputError(f"no {what} {given!r} in the table; it has {labels}")
        return given
    lower = {str(lab).strip().lower(): lab for lab in labels}
    for w in wanted:
        if w.lower() in lower:
            return lower[w.lower()]
    return None


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
        finite and >= 0. A 1-d array is one source. A DataFrame is aligned with the
        values by its row labels (any order; labels that do not match are an error).
    correlations : mapping, Series, sequence, scalar or matrix
        Between-measurement correlation of each source: a mapping source -> (scalar
        or n x n matrix), a sequence of k such, or a single scalar / matrix used for
        every source. A scalar ``rho`` means ``rho`` for every off-diagonal pair. A
        matrix given as a DataFrame is aligned on the measurement names.
    sources : sequence of str, optional
        Source names for an array of errors (default ``"source 1"``, ...).
    names : sequence, optional
        Measurement names for unlabelled values (default: the Series index, the
        errors rows, or ``"m1"``, ``"m2"``, ...).

    Raises
    ------
    InputError
        For any input that does not define a combination: NaN or infinite numbers,
        negative errors, mismatched shapes or labels, correlations outside [-1, 1] or
        malformed matrices, unknown or missing sources, fewer than two
        measurements, or a total covariance that is singular / not positive definite.

    Notes
    -----
    The computations use the errors divided by a common power of two ``2^e`` (exact),
    so they are valid at any scale; :attr:`covariance` and :attr:`source_covariances`
    multiply back and may under- or overflow for errors beyond about 1e+-150.
    """

    def __init__(self, values, errors, correlations, *, sources=None, names=None):
        y, labels = _parse_values(values, names)
        err, names_, source_names, labelled = _parse_errors(errors, len(y), labels, sources)
        rho = _parse_correlations(correlations, source_names, names_, labelled)
        self._init_parsed(y, err, rho, names_, source_names, labelled)

    def _init_parsed(self, y, err, rho, names, source_names, labelled=True):
        e = engine.exponent(err)
        err_s = np.ldexp(err, -e)  # scaled errors, largest in [0.5, 1)
        src_cov_s = err_s.T[:, :, None] * rho * err_s.T[:, None, :]  # D_k R_k D_k / 4^e
        cov_s = engine.check_covariance(src_cov_s.sum(axis=0), names, "total covariance")
        with np.errstate(over="ignore", under="ignore"):
            src_cov = np.ldexp(src_cov_s, 2 * e)
            cov = np.ldexp(cov_s, 2 * e)
        for a in (y, err, rho, err_s, src_cov_s, cov_s, src_cov, cov):
            a.setflags(write=False)
        self._y, self._err, self._rho = y, err, rho
        self._e, self._err_s, self._src_cov_s, self._cov_s = e, err_s, src_cov_s, cov_s
        self._src_cov, self._cov = src_cov, cov
        self._names, self._sources = list(names), list(source_names)
        self._labelled = bool(labelled)
        self._history = None

    @classmethod
    def _from_parsed(cls, y, err, rho, names, source_names, labelled=True) -> "Combination":
        new = cls.__new__(cls)
        new._init_parsed(np.array(y, dtype=float), np.array(err, dtype=float),
                         np.array(rho, dtype=float), names, source_names, labelled)
        return new

    def _derived(self, err=None, rho=None, keep=None) -> "Combination":
        """A new combination with other errors / correlations / a subset of sources."""
        err = self._err if err is None else err
        rho = self._rho if rho is None else rho
        sources = self._sources
        if keep is not None:
            err, rho, sources = err[:, keep], rho[keep], [sources[i] for i in keep]
        return self._from_parsed(self._y, err, rho, self._names, sources, self._labelled)

    def _up(self, x):
        """A quantity with the units of the errors from the scaled computation."""
        with np.errstate(over="ignore", under="ignore"):
            return np.ldexp(x, self._e)

    @classmethod
    def from_table(cls, table, *, matrices: Mapping | None = None, value_column=None,
                   correlation_row=None) -> "Combination":
        """A combination from a table: rows measurements, one value column, one column per source.

        The layout of ``book/data/lhc_ttbar_xsec.csv`` (and ``w_mass.csv``)::

            ,Experiment,Stat,Trig,...
            ATLAS,242.4,1.7,0.4,...
            CMS,239.0,2.6,3.6,...
            Correlations,0,0,0,...

        Parameters
        ----------
        table : path or pandas.DataFrame
            A CSV file (``#`` starts a comment; the first column names the measurements)
            or the DataFrame read from one (a first column of names is used as the index).
        matrices : mapping source -> n x n matrix, optional
            Full between-measurement correlation matrices for sources whose correlation
            is not a single number (needed for three or more measurements). A DataFrame
            is aligned on the measurement names. A matrix replaces the table's entry
            for that source, which may then be left empty.
        value_column : str, optional
            The column of measured values (default: ``Experiment`` or ``value``).
        correlation_row : str, optional
            The row holding each source's correlation (default: ``Correlations`` or
            ``correlation``). Without such a row every source needs a matrix.

        Raises
        ------
        InputError
            An unreadable table, no value column, a missing correlation, a matrix for
            a source that is not in the table, and everything :class:`Combination` rejects.
        """
        df = data.read_table(table)
        vcol = _find_label(df.columns, _VALUE_COLUMNS, value_column, "value column")
        if vcol is None:
            raise InputError(f"no value column in the table (looked for {list(_VALUE_COLUMNS)} "
                             f"among {list(df.columns)}); pass value_column=")
        crow = _find_label(df.index, _CORRELATION_ROWS, correlation_row, "correlation row")
        sources = [c for c in df.columns if c != vcol]
        if not sources:
            raise InputError("the table has no uncertainty columns")
        matrices = dict(matrices or {})
        unknown = [s for s in matrices if s not in sources]
        if unknown:
            raise InputError(f"correlation matrices given for source(s) {unknown} that are not "
                             f"in the table; its sources are {sources}")
        meas = df.drop(index=crow) if crow is not None else df
        try:
            values = meas[vcol].astype(float)
            errors = meas[sources].astype(float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"the table must hold numbers: {exc}") from None
        corr_row = (pd.to_numeric(df.loc[crow, sources], errors="coerce") if crow is not None
                    else pd.Series(np.nan, index=sources))
        missing = [s for s in sources if s not in matrices and pd.isna(corr_row[s])]
        if missing:
            where = f"in the {crow!r} row" if crow is not None else "(the table has no correlation row)"
            raise InputError(f"missing correlation for source(s) {missing} {where}; "
                             "give a number or a matrix through matrices=")
        correlations = {s: matrices[s] if s in matrices else float(corr_row[s]) for s in sources}
        return cls(values, errors, correlations)

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
        s = np.sqrt(np.diag(self._cov_s))
        return pd.DataFrame(self._cov_s / np.outer(s, s), index=self._names, columns=self._names)

    @property
    def total_errors(self) -> pd.Series:
        """Total error of each measurement, ``sigma_i = sqrt(C_ii)``."""
        return pd.Series(self._up(np.sqrt(np.diag(self._cov_s))), index=self._names,
                         name="total error")

    # ---------------------------------------------------------------- BLUE
    @cached_property
    def _blue_s(self) -> tuple[float, float, np.ndarray]:
        value, err_s, w, _ = engine.solve(self._y, self._cov_s)   # chi2: see _chi2
        w.setflags(write=False)
        return value, err_s, w

    @cached_property
    def _blue(self) -> tuple[float, float, np.ndarray]:
        value, err_s, w = self._blue_s
        return value, float(self._up(err_s)), w

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
            s = np.sqrt(np.diag(self._cov_s))
            rho = self._cov_s[0, 1] / (s[0] * s[1])
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
    def _contribution(self, cov_part_s: np.ndarray) -> float:
        """Signed ``sqrt(w^T C_part w)`` (scaled units)."""
        w = self._blue_s[2]
        q = float(w @ cov_part_s @ w)
        return float(np.sign(q) * np.sqrt(abs(q)))

    def _difference_without(self, cov_part_s: np.ndarray) -> float:
        """Signed ``sqrt(sigma^2 - sigma_without^2)`` (scaled units); NaN if singular without."""
        try:
            reduced = engine.check_covariance(self._cov_s - cov_part_s, self._names,
                                              "covariance without this source")
        except InputError:
            return np.nan
        err_without = engine.solve(self._y, reduced).error
        d = self._blue_s[1] ** 2 - err_without**2
        return float(np.sign(d) * np.sqrt(abs(d)))

    @cached_property
    def _uncertainties(self) -> np.ndarray:
        w = self._blue_s[2]
        q = np.einsum("i,kij,j->k", w, self._src_cov_s, w)
        return self._up(np.sign(q) * np.sqrt(np.abs(q)))

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
        return self._up(np.array([self._difference_without(c) for c in self._src_cov_s]))

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

    def _parse_groups(self, groups) -> dict:
        if not isinstance(groups, Mapping) or not groups:
            raise InputError("groups must be a non-empty mapping group name -> list of sources")
        owner: dict = {}
        parsed: dict = {}
        for g, members in groups.items():
            if g == "total":
                raise InputError("'total' is reserved for the total row; rename that group")
            members = ([members] if isinstance(members, str) else list(members)
                       if isinstance(members, (Sequence, np.ndarray, pd.Index)) else None)
            if not members:
                raise InputError(f"group {g!r} must be a non-empty list of sources")
            unknown = [s for s in members if s not in self._sources]
            if unknown:
                raise InputError(f"group {g!r} names unknown source(s) {unknown}; "
                                 f"sources are {self._sources}")
            for s in members:
                if s in owner:
                    raise InputError(f"source {s!r} is in two groups, {owner[s]!r} and {g!r}")
                owner[s] = g
            parsed[g] = [self._sources.index(s) for s in members]
        left = [s for s in self._sources if s not in owner]
        if left:
            raise InputError(f"source(s) {left} are in no group; every source must be in exactly "
                             "one group so that the group contributions add up to the total")
        return parsed

    def grouped(self, groups: Mapping) -> pd.DataFrame:
        """Error breakdown by groups of sources (e.g. stat / syst / lumi).

        For a group ``g`` with covariance ``C_g = sum_{k in g} C_k``:

        * ``"BLUE contribution"``: ``sqrt(w^T C_g w)`` with the weights of the full
          combination. Since the groups partition the sources, these add up in
          quadrature to :attr:`error` (signed as in :attr:`uncertainties`).
        * ``"quadratic difference"``: remove the *whole group* from the covariance,
          recombine (new weights) and take ``sqrt(sigma^2 - sigma_without_g^2)``.
          This is not the quadrature sum of the sources' quadratic differences, and
          the groups' values need not add up to the total. NaN if the covariance
          without the group is singular (for example a group of every source).

        Parameters
        ----------
        groups : mapping group name -> source name or list of source names
            Every source in exactly one group.

        Returns
        -------
        pandas.DataFrame
            Rows: the group names in the given order and ``"total"`` (the combined
            error in both columns); columns ``"BLUE contribution"`` and
            ``"quadratic difference"``, as in :meth:`summary`.
        """
        parsed = self._parse_groups(groups)
        blue_c, qd = [], []
        for idx in parsed.values():
            part = self._src_cov_s[idx].sum(axis=0)
            blue_c.append(self._contribution(part))
            qd.append(self._difference_without(part))
        df = pd.DataFrame({"BLUE contribution": self._up(np.array(blue_c)),
                           "quadratic difference": self._up(np.array(qd))},
                          index=list(parsed))
        df.loc["total"] = [self.error, self.error]
        return df

    # ---------------------------------------------------------------- information weights
    def information_weights(self) -> pd.DataFrame:
        """BLUE weights next to the information weights of Valassi and Chierici (2014).

        With ``I = 1/sigma^2`` the information (inverse variance) of the combination:

        * ``"intrinsic"``: ``sigma^2 / sigma_i^2``, the information measurement ``i``
          carries on its own as a fraction of the combination's. The row
          ``"correlations"`` holds ``1 - sum_i sigma^2/sigma_i^2``, the information
          attributed to the correlations; it is negative when positive correlations
          make the combination worse than uncorrelated inputs would.
          Each column entry is >= 0 and the column sums to 1.
        * ``"marginal"``: ``(I - I_without_i) / I``, the fraction of the information
          lost when measurement ``i`` is dropped and the rest recombined. Equal to the
          intrinsic weight for uncorrelated measurements; no correlations row (NaN).
        * ``"BLUE weight"``: :attr:`weights` (NaN in the correlations row). Unlike
          the information weights these may be negative and are not a measure of
          importance.

        Returns
        -------
        pandas.DataFrame
            Rows: the measurement names and ``"correlations"``; columns
            ``"BLUE weight"``, ``"intrinsic"``, ``"marginal"``.
        """
        _, err_s, w = self._blue_s
        var = err_s**2
        diag = np.diag(self._cov_s)
        intrinsic = var / diag
        marginal = np.empty(self.n)
        for i in range(self.n):
            keep = [j for j in range(self.n) if j != i]
            err_without = engine.solve(self._y[keep], self._cov_s[np.ix_(keep, keep)]).error
            marginal[i] = 1.0 - var / err_without**2
        return pd.DataFrame(
            {"BLUE weight": [*w, np.nan],
             "intrinsic": [*intrinsic, 1.0 - intrinsic.sum()],
             "marginal": [*marginal, np.nan]},
            index=[*self._names, "correlations"])

    @property
    def pulls(self) -> pd.Series:
        """Pull of each measurement, ``(y_i - yhat) / sqrt(sigma_i^2 - sigma^2)``.

        ``sigma_i^2 - sigma^2`` is the variance of ``y_i - yhat`` (because ``C w =
        sigma^2 1`` for the BLUE weights), so each pull has unit variance if the
        covariance is right. NaN where that variance vanishes (``y_i`` alone fixes
        the combination).
        """
        _, err_s, _ = self._blue_s
        diag = np.diag(self._cov_s)
        var = diag - err_s**2
        with np.errstate(over="ignore", under="ignore"):
            resid = np.ldexp(self._y - self.value, -self._e)
        with np.errstate(invalid="ignore", divide="ignore"):
            pull = np.where(var > 1e-12 * diag, resid / np.sqrt(np.maximum(var, 0.0)), np.nan)
        return pd.Series(pull, index=self._names, name="pull")

    # ---------------------------------------------------------------- iterative BLUE
    @property
    def history(self) -> pd.DataFrame | None:
        """For a result of :meth:`iterated`: value, error and change at each iteration
        (index ``"iteration"``, 0 = the plain BLUE of the measured errors); else None."""
        return None if self._history is None else self._history.copy()

    def iterated(self, relative, *, tol: float = 1e-9, max_iter: int = 100) -> "Combination":
        """Iterative BLUE for sources whose errors are proportional to the true value (Lista 2014).

        A relative uncertainty (normalisation, luminosity, efficiency) quoted as
        ``sigma_ik`` on a measured ``y_i`` is ``(sigma_ik / y_i)`` times the true value,
        and the combination is the best estimate of it. So the errors of the
        ``relative`` sources are replaced by ``sigma_ik |yhat / y_i|`` with ``yhat`` the
        current combined value, and the combination is repeated until ``|change of
        yhat| <= tol * error``. This removes the bias towards low values of the
        combination with errors taken from the measured values (Peelle's puzzle).

        Parameters
        ----------
        relative : str or list of str
            The sources whose errors scale with the value.
        tol : float
            Convergence threshold, as a fraction of the combined error.
        max_iter : int
            Give up after this many recombinations.

        Returns
        -------
        Combination
            The last combination (errors of the relative sources rescaled);
            :attr:`history` lists the iterations; a change within rounding of the value
            (at most 8 ulp of it: the fixed point reached, in exact arithmetic no change
            at all) is recorded as exactly 0.

        Raises
        ------
        InputError
            Unknown sources, a measured value of 0 with a relative error, a singular
            covariance on the way, or no convergence within ``max_iter`` iterations.
        """
        rel = _as_source_list(relative, "iterated")
        idx = [self._source_index(s) for s in rel]
        tol = as_number(tol, "tol", positive=True)
        if (isinstance(max_iter, (bool, np.bool_)) or not isinstance(max_iter, (int, np.integer, float, np.floating))
                or not np.isfinite(max_iter) or not float(max_iter).is_integer() or max_iter < 1):
            raise InputError(f"max_iter must be a positive integer, got {max_iter!r}")
        max_iter = int(max_iter)
        zero = [m for m, y, e in zip(self._names, self._y, self._err[:, idx]) if y == 0 and np.any(e > 0)]
        if zero:
            raise InputError(f"measurement(s) {zero} have the value 0: a relative uncertainty "
                             "of them is undefined")
        with np.errstate(divide="ignore", invalid="ignore"):
            rel_err = np.where(self._err[:, idx] > 0, self._err[:, idx] / np.abs(self._y)[:, None], 0.0)
        comb = self
        rows = [(0, comb.value, comb.error, np.nan)]
        change = np.nan
        for it in range(1, max_iter + 1):
            err = np.array(self._err)
            err[:, idx] = rel_err * abs(comb.value)
            try:
                new = self._derived(err=err)
            except InputError as exc:
                raise InputError(f"iterative BLUE failed at iteration {it} "
                                 f"(combined value {comb.value:.6g}): {exc}") from None
            change = new.value - comb.value
            if abs(change) <= 8 * np.spacing(abs(new.value)):
                change = 0.0    # rounding noise, whose sign differs from machine to machine
            rows.append((it, new.value, new.error, change))
            comb = new
            if abs(change) <= tol * new.error:
                comb._history = pd.DataFrame(rows, columns=["iteration", "value", "error", "change"]
                                             ).set_index("iteration")
                return comb
        raise InputError(
            f"iterative BLUE did not converge after {max_iter} iterations: the last change of "
            f"the combined value was {change:.3g} (tolerance tol x error = {tol * comb.error:.3g})"
        )

    # ---------------------------------------------------------------- chi2
    @cached_property
    def _chi2(self) -> float:
        with np.errstate(over="ignore", under="ignore"):
            r = np.ldexp(self._y - self.value, -self._e)
        return float(engine.quadratic_form(r, self._cov_s))

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
        with np.errstate(over="ignore", under="ignore"):
            resid = np.ldexp(self._y[None, :] - flat[:, None], -self._e)  # (m, n)
        chi2 = engine.quadratic_form(resid, self._cov_s)
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

        def fcn(mean):
            return self.chi2_curve(mean)

        m = Minuit(fcn, mean=float(np.mean(self._y)))
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
        return self._derived(keep=[i for i in range(len(self._sources)) if i != j])

    def with_correlation(self, source_or_sources, rho) -> "Combination":
        """A new combination with ``R_k`` replaced by ``rho`` (scalar or n x n) for the given source(s).

        A DataFrame ``rho`` is aligned on the measurement names.
        """
        srcs = _as_source_list(source_or_sources, "with_correlation")
        idx = [self._source_index(s) for s in srcs]
        mat = _correlation_matrix(rho, self._names, self._labelled, f"correlation of {srcs}")
        new_rho = np.array(self._rho)
        new_rho[idx] = mat
        return self._derived(rho=new_rho)

    def with_errors(self, source, new_errors) -> "Combination":
        """A new combination with the error column of ``source`` replaced (length n, >= 0).

        A Series is aligned on the measurement names.
        """
        j = self._source_index(source)
        if isinstance(new_errors, pd.Series):
            order = _match(new_errors.index, self._names, "the new errors")
            new_errors = new_errors.to_numpy()[order]
        col = as_positive_vector(new_errors, f"errors of source {source!r}", allow_zero=True)
        check_same_length(new_errors=col, values=self._y)
        err = np.array(self._err)
        err[:, j] = col
        return self._derived(err=err)

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
        body = np.vstack([self._y, self._err.T, self.total_errors.to_numpy()])
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
    err, names_, src_names, labelled = _parse_errors(errors, len(base_y), labels, source_names)
    rho = _parse_correlations(correlations, src_names, names_, labelled)
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
            c = Combination._from_parsed(base_y, err, trial, names_, src_names, labelled)
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
    if not isinstance(comb, Combination):
        raise InputError(f"zero_weight_correlation needs a Combination, got {type(comb).__name__}")
    if comb.n != 2:
        raise InputError(f"the zero-weight correlation is defined for 2 measurements, got {comb.n}")
    sigma = np.sqrt(np.diag(comb._cov_s))
    return float(sigma.min() / sigma.max())
