"""The numbers glued into the appendix "Published combinations", by section."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from .. import gallery
from . import Number as N


@cache
def context() -> SimpleNamespace:
    """The page's objects that several numbers share, built once."""
    table = gallery.comparison()
    entries = {n: gallery.entry(n) for n in gallery.NAMES}
    tev = entries["tevatron_mtop_2014"]
    tev_sd = gallery.spread(tev)
    weak = gallery.weakened_chi2(tev)
    return SimpleNamespace(table=table, entries=entries, tev=tev, tev_sd=tev_sd, weak=weak)


def _others_worst(c) -> float:
    """The largest difference in rounding spreads, the 2014 Tevatron combination left out."""
    col = ("largest difference", "in spreads")
    return float(c.table[col].drop(c.tev.title).max())


NUMBERS = {
    "table": {
        "gallery_n": N(lambda c: len(c.entries), ".0f"),
        "gallery_others_worst": N(_others_worst, ".1f"),
        "gallery_tev_chi2": N(lambda c: c.tev.comb.chi2, ".2f"),
        "gallery_tev_chi2_pub": N(lambda c: c.tev.published.chi2, ".1f"),
        "gallery_tev_chi2_sd": N(lambda c: c.tev_sd["chi2"], ".3f"),
        "gallery_tev_chi2_spreads": N(
            lambda c: (c.tev.published.chi2 - c.tev.comb.chi2) / c.tev_sd["chi2"], ".1f"),
        "gallery_tev_value": N(lambda c: c.tev.comb.value, ".2f"),
        "gallery_tev_error": N(lambda c: c.tev.comb.error, ".2f"),
        "gallery_n_negative": N(
            lambda c: sum(e.comb.has_negative_weights for e in c.entries.values()), ".0f"),
        "gallery_st_syst": N(lambda c: c.entries["lhc_single_top_8tev"].ours()["syst"], ".2f"),
        "gallery_st_syst_pub": N(lambda c: c.entries["lhc_single_top_8tev"].published.syst, ".1f"),
    },
    "weakened": {
        "gallery_weak_min": N(lambda c: c.weak.min().min(), ".2f"),
        "gallery_weak_max": N(lambda c: c.weak.max().max(), ".2f"),
    },
}
