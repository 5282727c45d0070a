"""Information weights (Valassi and Chierici 2014) and pulls of a
:class:`~helpers.combination.Combination`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import blue as engine


def information_weights(comb) -> pd.DataFrame:
    """The table of :meth:`Combination.information_weights`."""
    _, err_s, w = comb._blue_s
    var = err_s**2
    cov_s = comb._cov_s
    intrinsic = var / np.diag(cov_s)
    marginal = np.empty(comb.n)
    for i in range(comb.n):
        keep = [j for j in range(comb.n) if j != i]
        err_without = engine.solve(comb._y[keep], cov_s[np.ix_(keep, keep)]).error
        marginal[i] = 1.0 - var / err_without**2
    return pd.DataFrame(
        {"BLUE weight": [*w, np.nan],
         "intrinsic": [*intrinsic, 1.0 - intrinsic.sum()],
         "marginal": [*marginal, np.nan]},
        index=[*comb._names, "correlations"])


def pulls(comb) -> pd.Series:
    """The pulls of :attr:`Combination.pulls`."""
    _, err_s, _ = comb._blue_s
    diag = np.diag(comb._cov_s)
    var = diag - err_s**2
    with np.errstate(over="ignore", under="ignore"):
        resid = np.ldexp(comb._y - comb.value, -comb._e)
    with np.errstate(invalid="ignore", divide="ignore"):
        pull = np.where(var > 1e-12 * diag, resid / np.sqrt(np.maximum(var, 0.0)), np.nan)
    return pd.Series(pull, index=comb._names, name="pull")
