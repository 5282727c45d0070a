"""Appendix "Published combinations": the gallery of :mod:`helpers.combination.gallery`
as a chapter.

The data, their reader and the comparison with the published numbers live in
:mod:`helpers.combination.gallery`; this module adds what the page discusses: the
combination its exercises use, a correlation changed between experiments only, the scan
of one such correlation, and the chi2 of the 2014 Tevatron combination with each source's
correlations weakened.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .combination import Combination, gallery
from .combination.gallery import NAMES, comparison, experiments, load, spread

__all__ = ["NAMES", "EXERCISE", "STABILITY_SOURCE", "SHORT", "entry", "comparison", "side_by_side", "experiments",
           "between_experiments", "one_correlation_for_all", "correlation_scan", "weakened_chi2", "spread"]

#: The combination the exercises use: five measurements, the correlation of each source
#: given by two numbers (within an experiment, between ATLAS and CMS).
EXERCISE = "lhc_mtop_7tev"

#: The source whose ATLAS-CMS correlation the stability exercise changes: the b-jet
#: energy scale, taken as 0.5 between the experiments (a guess, as the note says of
#: such correlations), 1 within each.
STABILITY_SOURCE = "bJES"


#: Short names of the combinations for tables a page must fit.
SHORT = {"tevatron_mtop_2014": "Tevatron m_t 2014", "lhc_mtop_7_8tev": "LHC m_t 7+8 TeV",
         "lhc_mtop_7tev": "LHC m_t 7 TeV", "lhc_single_top_8tev": "LHC single top",
         "tevatron_mtop_2013": "Tevatron m_t 2013"}


def side_by_side(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`comparison` as the page shows it, narrow enough for a page: two rows per
    combination (published, ours; short name and unit), columns value, stat, syst, total,
    chi2/ndf and, on our row, the largest difference in rounding spreads (one decimal:
    400 trials know the spread to a few per cent); text, as printed: the published numbers
    as the source gives them, ours to three decimals, a published number not reachable
    from here as a dash."""
    table = comparison() if table is None else table
    if len(table) != len(NAMES):
        raise ValueError("side_by_side expects the comparison of every gallery combination")
    rows, index = [], []
    for name, (_, t) in zip(NAMES, table.iterrows()):
        printed = load(name).published.rounding          # half the last printed digit
        for who in ("published", "ours"):
            row = {}
            for q in ("value", "stat", "syst", "total"):
                v = float(t[(q, who)])
                places = max(0, round(-np.log10(2 * printed[q]))) if q in printed else 2
                row[q] = f"{v:.3f}" if who == "ours" else f"{v:.{places}f}"
            chi2 = float(t[("chi2", who)])
            ndf = int(t[("ndf", "")])
            row["χ²/ndf"] = "–" if np.isnan(chi2) else (f"{chi2:.2f}/{ndf}" if who == "ours" else f"{chi2:g}/{ndf}")
            row["diff [spreads]"] = f"{float(t[('largest difference', 'in spreads')]):.1f}" if who == "ours" else ""
            rows.append(row)
            index.append((f"{SHORT[name]} [{t[('unit', '')]}]", who))
    out = pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["combination", ""]))
    return out


@cache
def entry(name: str = EXERCISE) -> gallery.Entry:
    """The gallery entry ``name`` (loaded once)."""
    return load(name)


def _same_experiment(e: gallery.Entry) -> np.ndarray:
    exp = experiments(e).to_numpy()
    return exp[:, None] == exp[None, :]


def between_experiments(e: gallery.Entry, source, rho: float,
                        within: float | None = None) -> Combination:
    """``e``'s combination with the correlation of ``source`` (one name or a list) between
    measurements of different experiments set to ``rho``; within an experiment it stays as
    it is (or is set to ``within`` if given)."""
    comb = e.comb
    same = _same_experiment(e)
    for s in [source] if isinstance(source, str) else list(source):
        r = comb.source_correlations[s].to_numpy()
        inside = r if within is None else np.full_like(r, within)
        m = np.where(same, inside, rho)
        np.fill_diagonal(m, 1.0)
        comb = comb.with_correlation(s, m)
    return comb


def one_correlation_for_all(e: gallery.Entry, which: str) -> Combination:
    """``e``'s combination with every source's correlation between all measurements set to
    the one it has between experiments (``which="between"``) or within one
    (``"within"``): the combination of a reader who used one correlation row of the table
    for every pair of measurements."""
    if which not in ("between", "within"):
        raise ValueError(f"which must be 'between' or 'within', got {which!r}")
    same = _same_experiment(e)
    pick = ~same if which == "between" else same & ~np.eye(len(same), dtype=bool)
    i, j = np.argwhere(pick)[0]
    comb = e.comb
    for s in comb.sources:
        comb = comb.with_correlation(s, float(comb.source_correlations[s].iat[i, j]))
    return comb


def correlation_scan(e: gallery.Entry | None = None, source: str = STABILITY_SOURCE,
                     rhos=np.linspace(0.0, 1.0, 11)) -> pd.DataFrame:
    """Value and error of ``e`` (default: the exercises' combination) as the correlation of
    ``source`` between experiments runs over ``rhos``; index: the correlation."""
    e = e or entry()
    rows = []
    for rho in rhos:
        c = between_experiments(e, source, float(rho))
        rows.append({"correlation": float(rho), "value": c.value, "error": c.error,
                     "chi2": c.chi2})
    return pd.DataFrame(rows).set_index("correlation")


def weakened_chi2(e: gallery.Entry | None = None, factors=(0.5, 0.0)) -> pd.DataFrame:
    """The chi2 of ``e`` (default: the 2014 Tevatron combination) with the off-diagonal
    correlations of one source at a time multiplied by each of ``factors``; rows: the
    sources that correlate anything."""
    e = e or entry("tevatron_mtop_2014")
    c = e.comb
    eye = np.eye(c.n)
    rows = {}
    for s in c.sources:
        r = c.source_correlations[s].to_numpy()
        if np.array_equal(r, eye):
            continue
        rows[s] = {f"x {f:g}": c.with_correlation(s, np.where(eye == 1, 1.0, f * r)).chi2
                   for f in factors}
    return pd.DataFrame.from_dict(rows, orient="index")
