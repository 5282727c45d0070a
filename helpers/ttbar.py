"""The LHC top-pair cross-section combination at 8 TeV (e-mu channel).

ATLAS and CMS measured the inclusive ttbar cross section in e-mu events at
sqrt(s) = 8 TeV and combined them with BLUE (ATLAS-CONF-2014-054).
``book/data/lhc_ttbar_xsec.csv`` holds the inputs of the note's
Table 1: both measurements split into 23 uncertainty sources (pb) and the assumed
ATLAS-CMS correlation of each source. Two things to know about that file:

* its numbers are rounded to 0.1 pb, so recomputed results can differ from the note
  in the last quoted digit;
* it has no LHC beam-energy uncertainty (ATLAS quotes 4.2 pb on its own 8 TeV
  measurement, arXiv:1406.5375), so the totals here are stat (+) syst (+) lumi only.

The luminosity uncertainty is two sources: ``Vdm`` (the van der Meer calibration,
taken as fully correlated) and ``Lumi`` (the rest, uncorrelated).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import data
from .combination import Combination, correlation_scan
from .validation import InputError

__all__ = [
    "PUBLISHED", "Published", "STAT", "LUMI", "SCAN_SOURCES", "lhc_combination",
    "groups", "breakdown", "comparison", "stability_scan",
]

STAT = ("Stat",)
"""The statistical source."""

LUMI = ("Vdm", "Lumi")
"""The luminosity sources: calibration (fully correlated) and the rest (uncorrelated)."""

SCAN_SOURCES = ("MC+PS", "Scale", "PDF", "Vdm")
"""Sources whose assumed ATLAS-CMS correlation matters most (nominal 0.5, 0.5, 1, 1)."""


@dataclass(frozen=True)
class Published:
    """The combined result as quoted in the note (rounded as printed there)."""

    value: float
    stat: float
    syst: float
    lumi: float
    weights: dict = field(default_factory=dict)
    chi2: float = np.nan
    ndf: int = 1
    pvalue: float = np.nan
    correlation: float = np.nan
    unit: str = "pb"
    reference: str = ""


PUBLISHED = Published(
    value=241.5, stat=1.4, syst=5.7, lumi=6.2,
    weights={"ATLAS": 0.725, "CMS": 0.275},
    chi2=0.054, ndf=1, pvalue=0.82, correlation=0.235,
    reference=("ATLAS and CMS Collaborations, Combination of ATLAS and CMS top quark pair "
               "cross section measurements in the e-mu final state using proton-proton "
               "collisions at sqrt(s) = 8 TeV, ATLAS-CONF-2014-054 (2014), "
               "https://cds.cern.ch/record/1951322"),
)
"""241.5 +- 1.4 (stat) +- 5.7 (syst) +- 6.2 (lumi) pb, weights 0.725 / 0.275,
chi2/ndf = 0.054/1 (p = 0.82), total ATLAS-CMS correlation 23.5 %."""


def lhc_combination() -> Combination:
    """The combination of the note's Table 1, read with :meth:`Combination.from_table`."""
    return Combination.from_table(data.data_dir() / "lhc_ttbar_xsec.csv")


def groups(comb: Combination | None = None) -> dict:
    """``{"stat": ["Stat"], "syst": [every other source], "lumi": ["Vdm", "Lumi"]}``."""
    comb = comb or lhc_combination()
    missing = [s for s in (*STAT, *LUMI) if s not in comb.sources]
    if missing:
        raise InputError(f"the combination has no source(s) {missing}")
    return {"stat": list(STAT),
            "syst": [s for s in comb.sources if s not in (*STAT, *LUMI)],
            "lumi": list(LUMI)}


def breakdown(comb: Combination | None = None) -> pd.DataFrame:
    """:meth:`Combination.grouped` with :func:`groups`: rows stat, syst, lumi, total."""
    comb = comb or lhc_combination()
    return comb.grouped(groups(comb))


def comparison(comb: Combination | None = None) -> pd.DataFrame:
    """The note's numbers next to this code's (unrounded).

    Rows: value, stat, syst, lumi, weight ATLAS, weight CMS, chi2, p-value,
    correlation; columns ``"published"`` and ``"this code"``.
    """
    comb = comb or lhc_combination()
    b = breakdown(comb)["BLUE contribution"]
    p = PUBLISHED
    rows = {
        "value": (p.value, comb.value),
        "stat": (p.stat, b["stat"]),
        "syst": (p.syst, b["syst"]),
        "lumi": (p.lumi, b["lumi"]),
        "weight ATLAS": (p.weights["ATLAS"], comb.weights["ATLAS"]),
        "weight CMS": (p.weights["CMS"], comb.weights["CMS"]),
        "chi2": (p.chi2, comb.chi2),
        "p-value": (p.pvalue, comb.pvalue),
        "correlation": (p.correlation, comb.correlation.loc["ATLAS", "CMS"]),
    }
    return pd.DataFrame(rows, index=["published", "this code"]).T


def stability_scan(sources=SCAN_SOURCES, rhos=None, comb: Combination | None = None) -> pd.DataFrame:
    """Combined value and error against the assumed correlation of each source in turn.

    For every source in ``sources`` its ATLAS-CMS correlation is set to each ``rho``
    (default 0 to 1 in steps of 0.05) while all other sources keep their nominal
    correlation; the last block ``"all"`` sets all of them to ``rho`` together.

    Returns
    -------
    pandas.DataFrame
        Index ``rho``; columns a MultiIndex (source or ``"all"``, quantity) with
        quantities ``"value"``, ``"error"``, ``"weight ATLAS"``, ``"weight CMS"``,
        ``"chi2"`` (NaN where the covariance is singular).
    """
    comb = comb or lhc_combination()
    srcs = [sources] if isinstance(sources, str) else list(sources)
    if not srcs:
        raise InputError("stability_scan needs at least one source")
    rhos = np.round(np.linspace(0.0, 1.0, 21), 10) if rhos is None else rhos
    blocks = {}
    for key, scan in [*[(s, [s]) for s in srcs], *([("all", srcs)] if len(srcs) > 1 else [])]:
        blocks[key] = correlation_scan(comb.values, comb.errors, comb.source_correlations,
                                       scan, rhos)
    return pd.concat(blocks, axis=1)
