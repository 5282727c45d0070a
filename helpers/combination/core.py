"""The :class:`Combination` class: the inputs and the quantities of the BLUE paper under
their usual names (value, error, weights, chi2), what-if variations, and the entry points
of the breakdowns, information weights, iterative BLUE and fit in the modules beside it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import blue as engine
from ..validation import (
    InputError,
    as_finite_array,
    as_number,
    as_positive_vector,
    as_real_array,
    as_vector,
    check_same_length,
)
from . import breakdown, information, iterative, notes
from . import fit as fitting
from .inputs import (
    _as_source_list,
    _correlation_matrix,
    _match,
    _parse_correlations,
    _parse_errors,
    _parse_values,
    _square_frame,
    _table_inputs,
    _unique_labels,
)

__all__ = ["Combination", "blue"]


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
        return cls(*_table_inputs(table, matrices, value_column, correlation_row))

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

    def _square(self, matrix) -> pd.DataFrame:
        """An n x n array as a DataFrame over the measurement names."""
        return pd.DataFrame(matrix, index=self._names, columns=self._names)

    @property
    def source_correlations(self) -> dict:
        """Per-source correlation matrices ``R_k`` (dict source -> DataFrame)."""
        return dict(zip(self._sources, map(self._square, self._rho)))

    @property
    def covariance(self) -> pd.DataFrame:
        """Total covariance ``C = sum_k D_k R_k D_k`` (n x n)."""
        return self._square(self._cov)

    @property
    def source_covariances(self) -> dict:
        """Covariance of each source, ``C_k = D_k R_k D_k`` (dict source -> DataFrame)."""
        return dict(zip(self._sources, map(self._square, self._src_cov)))

    @property
    def correlation(self) -> pd.DataFrame:
        """Total correlation ``rho_ij = C_ij / sqrt(C_ii C_jj)``."""
        s = np.sqrt(np.diag(self._cov_s))
        return self._square(self._cov_s / np.outer(s, s))

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
        return notes.weight_note(self)

    # ---------------------------------------------------------------- error breakdown
    @cached_property
    def _uncertainties(self) -> np.ndarray:
        return self._up(breakdown.contributions(self, self._src_cov_s))

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
        return self._up(breakdown.quadratic_differences(self))

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
        return breakdown.grouped(self, groups)

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
        return information.information_weights(self)

    @property
    def pulls(self) -> pd.Series:
        """Pull of each measurement, ``(y_i - yhat) / sqrt(sigma_i^2 - sigma^2)``.

        ``sigma_i^2 - sigma^2`` is the variance of ``y_i - yhat`` (because ``C w =
        sigma^2 1`` for the BLUE weights), so each pull has unit variance if the
        covariance is right. NaN where that variance vanishes (``y_i`` alone fixes
        the combination).
        """
        return information.pulls(self)

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
        return iterative.iterated(self, relative, tol, max_iter)

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

    def fit(self, minos: bool = True) -> fitting.Fit:
        """Minimise ``chi2(mean) = (y - mean 1)^T C^-1 (y - mean 1)`` with iminuit.

        Starts from the plain average of the values, runs MIGRAD and HESSE (and MINOS
        if ``minos``) with ``errordef = Minuit.LEAST_SQUARES`` and returns a
        :class:`~helpers.combination.fit.Fit`, read like the ``Minuit`` object
        (``values["mean"]``, ``errors["mean"]``, ``merrors["mean"]``, ``fval``, ``valid``,
        ``fmin``). The fit runs in the combination's own scaled units, so it is the same at
        any scale; an invalid minimum, an inaccurate covariance or a failed MINOS interval
        raise InputError instead of being quoted. For this quadratic chi2 the result
        equals the BLUE :attr:`value` and :attr:`error`.
        """
        return fitting.fit(self, minos)

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
        return breakdown.summary(self)

    def table(self) -> pd.DataFrame:
        """Inputs and result like Table 1 of a combination note.

        Rows: ``"value"``, the sources and ``"total"``; columns: the measurements and
        ``"combination"``. Measurement columns hold ``y_i``, ``sigma_ik`` and
        ``sqrt(C_ii)``; the combination column holds ``value``, ``sqrt(w^T C_k w)`` and
        ``error``.
        """
        return breakdown.table(self)
