"""BLUE as a function of assumed correlations: a scan over one or more sources' correlation
and the overall correlation at which a weight turns negative."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import InputError, as_correlation, as_correlation_matrix, as_vector
from .core import Combination
from .inputs import _parse_correlations, _parse_errors, _parse_values


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
