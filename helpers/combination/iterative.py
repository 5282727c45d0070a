"""Iterative BLUE for uncertainties proportional to the true value (Lista 2014): the errors
of the relative sources are rescaled to the current combined value until it settles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import InputError, as_number
from .inputs import _as_source_list


def iterated(start, relative, tol: float, max_iter: int):
    """The converged combination of :meth:`Combination.iterated`, its history attached."""
    rel = _as_source_list(relative, "iterated")
    idx = [start._source_index(s) for s in rel]
    tol = as_number(tol, "tol", positive=True)
    if (isinstance(max_iter, (bool, np.bool_)) or not isinstance(max_iter, (int, np.integer, float, np.floating))
            or not np.isfinite(max_iter) or not float(max_iter).is_integer() or max_iter < 1):
        raise InputError(f"max_iter must be a positive integer, got {max_iter!r}")
    max_iter = int(max_iter)
    zero = [m for m, y, e in zip(start._names, start._y, start._err[:, idx]) if y == 0 and np.any(e > 0)]
    if zero:
        raise InputError(f"measurement(s) {zero} have the value 0: a relative uncertainty "
                         "of them is undefined")
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_err = np.where(start._err[:, idx] > 0, start._err[:, idx] / np.abs(start._y)[:, None], 0.0)
    comb = start
    rows = [(0, comb.value, comb.error, np.nan)]
    change = np.nan
    for it in range(1, max_iter + 1):
        err = np.array(start._err)
        err[:, idx] = rel_err * abs(comb.value)
        try:
            new = start._derived(err=err)
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
