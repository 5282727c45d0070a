"""Figures of the appendix "Published combinations".

Plotting only: every number comes from :mod:`helpers.combination.gallery`.
"""

from __future__ import annotations

import numpy as np

from ..combination.gallery import Entry

__all__ = ["draw_combination"]


def draw_combination(fig, entry: Entry) -> None:
    """The inputs of ``entry`` (one row each, top to bottom in the order of the table:
    total error thin, statistical error thick), our combination (black, grey band: its
    total error) and the published result (open diamond with its total error), each
    result's numbers in its label, titled by the combination."""
    comb = entry.comb
    ours = entry.ours()
    stat = np.sqrt(sum(comb.errors[s] ** 2 for s in entry.stat_sources))
    ax = fig.subplots()
    n = comb.n
    y = np.arange(n)[::-1] + 2.0                          # inputs above the two results
    ax.axvspan(comb.value - comb.error, comb.value + comb.error, color="0.85", zorder=0)
    ax.axvline(comb.value, color="k", lw=0.8, zorder=1)
    ax.errorbar(comb.values, y, xerr=comb.total_errors, fmt="o", color="C0", ms=4,
                capsize=0, lw=1)
    ax.errorbar(comb.values, y, xerr=stat, fmt="none", color="C0", lw=3)
    ax.errorbar([comb.value], [1.0], xerr=[comb.error], fmt="s", color="k", ms=5, lw=1,
                capsize=3)
    ax.errorbar([comb.value], [1.0], xerr=[ours["stat"]], fmt="none", color="k", lw=3)
    pub = entry.published
    ax.errorbar([pub.value], [0.0], xerr=[pub.total], fmt="D", mfc="white", color="C3",
                ms=5, lw=1, capsize=3)
    ax.set_yticks([*y, 1.0, 0.0], [*comb.names, f"ours {comb.value:.2f} ± {comb.error:.2f}",
                                   f"published {pub.value:g} ± {pub.total:g}"])
    ax.set_ylim(-0.7, n + 1.7)
    ax.set_xlabel(f"value [{entry.unit}]")
    ax.set_title(entry.title)
    ax.grid(axis="y", visible=False)
