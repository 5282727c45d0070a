"""Error breakdowns of a :class:`~helpers.combination.Combination`: by source and by group
of sources, as BLUE contributions ``sqrt(w^T C_k w)`` and as quadratic differences
``sqrt(sigma^2 - sigma_without^2)``, and the tables that show them.

Everything here works in the combination's scaled units (errors divided by ``2^e``) and
returns scaled numbers; :class:`~helpers.combination.Combination` multiplies back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import blue as engine
from ..validation import InputError


def _signed_sqrt(q):
    return np.sign(q) * np.sqrt(np.abs(q))


def contributions(comb, parts_s: np.ndarray) -> np.ndarray:
    """Signed ``sqrt(w^T C_part w)`` for each covariance in ``parts_s`` (k, n, n), scaled."""
    w = comb._blue_s[2]
    return _signed_sqrt(np.einsum("i,kij,j->k", w, parts_s, w))


def difference_without(comb, part_s: np.ndarray, rest_s: np.ndarray) -> float:
    """Signed ``sqrt(sigma^2 - sigma_without^2)`` (scaled) for a covariance split into the
    part removed, ``part_s``, and the rest, ``rest_s`` (the sum of the other sources,
    never ``C - C_part``, whose rounding residue need not even be symmetric).

    With ``w`` the weights of the full covariance and ``w'`` those of the rest,
    ``sigma^2 - sigma_without^2 = w^T C_part w + (w - w')^T C_rest (w - w')`` (the cross
    term vanishes because ``C_rest w' = sigma_without^2 1`` and ``sum(w - w') = 0``): two
    terms that are not differences of nearly equal numbers, so a source that dominates
    the error by 1e4 or more still gets its difference to full precision. NaN if the
    rest is singular (the difference is then undefined).
    """
    try:
        rest = engine.check_covariance(rest_s, comb._names, "covariance without this source")
    except InputError:
        return np.nan
    w = comb._blue_s[2]
    dw = w - engine.solve(comb._y, rest).weights
    return float(_signed_sqrt(w @ part_s @ w + dw @ rest @ dw))


def quadratic_differences(comb) -> np.ndarray:
    """Scaled quadratic difference of each source."""
    src = comb._src_cov_s
    k = len(src)
    return np.array([difference_without(comb, src[j], src[[i for i in range(k) if i != j]].sum(axis=0))
                     for j in range(k)])


def parse_groups(comb, groups) -> dict:
    """``{group: [source positions]}``, every source in exactly one group."""
    sources = comb._sources
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
        unknown = [s for s in members if s not in sources]
        if unknown:
            raise InputError(f"group {g!r} names unknown source(s) {unknown}; "
                             f"sources are {sources}")
        for s in members:
            if s in owner:
                raise InputError(f"source {s!r} is in two groups, {owner[s]!r} and {g!r}")
            owner[s] = g
        parsed[g] = [sources.index(s) for s in members]
    left = [s for s in sources if s not in owner]
    if left:
        raise InputError(f"source(s) {left} are in no group; every source must be in exactly "
                         "one group so that the group contributions add up to the total")
    return parsed


def grouped(comb, groups: Mapping) -> pd.DataFrame:
    """The table of :meth:`Combination.grouped`."""
    parsed = parse_groups(comb, groups)
    src = comb._src_cov_s
    blue_c, qd = [], []
    for idx in parsed.values():
        part = src[idx].sum(axis=0)
        rest = src[[i for i in range(len(src)) if i not in idx]].sum(axis=0)
        blue_c.append(contributions(comb, part[None])[0])
        qd.append(difference_without(comb, part, rest))
    df = pd.DataFrame({"BLUE contribution": comb._up(np.array(blue_c)),
                       "quadratic difference": comb._up(np.array(qd))},
                      index=list(parsed))
    df.loc["total"] = [comb.error, comb.error]
    return df


def summary(comb) -> pd.DataFrame:
    """The table of :meth:`Combination.summary`."""
    df = pd.DataFrame({"BLUE contribution": comb._uncertainties,
                       "quadratic difference": comb._quadratic_difference},
                      index=comb._sources)
    df.loc["total"] = [comb.error, comb.error]
    return df


def table(comb) -> pd.DataFrame:
    """The table of :meth:`Combination.table`."""
    body = np.vstack([comb._y, comb._err.T, comb.total_errors.to_numpy()])
    column = np.concatenate([[comb.value], comb._uncertainties, [comb.error]])
    return pd.DataFrame(np.column_stack([body, column]),
                        index=["value", *comb._sources, "total"],
                        columns=[*comb._names, "combination"])
