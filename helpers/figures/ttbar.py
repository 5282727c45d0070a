"""Figures of the chapter on the LHC ttbar cross-section combination (8 TeV, e-mu).

Plotting only: every number comes from :mod:`helpers.ttbar` and
:class:`helpers.combination.Combination`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..combination import Combination
from ..plotting import PanelView, interval_row, set_interval
from ..ttbar import (STAT, SCAN_SOURCES, CorrelationSetting, correlation_setting, groups,
                     information_scan, lhc_combination, stability_scan)
from ..validation import InputError, as_correlation
from ..widgets import Panel, Slider

__all__ = ["slider_key", "SLIDER_SOURCES", "draw_contributions", "draw_summary",
           "draw_stability_scan", "draw_stability_sigma", "draw_weight_scan", "StabilityPanel",
           "draw_stability_panel", "PANELS"]

COLOURS = {"ATLAS": "C0", "CMS": "C1", "combination": "k"}


def slider_key(source: str) -> str:
    """A keyword name for a source: lower case, runs of other characters -> ``_``
    (``"MC+PS"`` -> ``"mc_ps"``, ``"Z+j"`` -> ``"z_j"``)."""
    return re.sub(r"[^0-9a-z]+", "_", source.lower()).strip("_")


SLIDER_SOURCES = {slider_key(s): s for s in SCAN_SOURCES}
"""Keyword of :func:`draw_stability_panel` -> source, for the sources of
:data:`helpers.ttbar.SCAN_SOURCES` (ranked by :func:`helpers.ttbar.slope_ranking`:
``vdm``, ``mc_ps``, ``stop``, ``scale``)."""


def draw_contributions(fig, comb: Combination | None = None) -> None:
    """Uncertainty of ATLAS, CMS and the combination, per source (left, largest
    combined contribution on top) and per group stat / syst / lumi / total (right).

    Measurements show their input errors; the combination shows the BLUE
    contributions ``sqrt(w^T C_k w)`` (groups: ``sqrt(w^T C_g w)``).
    """
    comb = comb or lhc_combination()
    table = comb.table()
    columns = [*comb.names, "combination"]
    order = comb.uncertainties.sort_values().index  # smallest first: largest at the top
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[2.2, 1])
    height = 0.8 / len(columns)
    y = np.arange(len(order))
    for i, col in enumerate(columns):
        ax1.barh(y + (len(columns) - 1 - i - (len(columns) - 1) / 2) * height,
                 table.loc[order, col], height=height, color=COLOURS.get(col, f"C{i + 2}"),
                 label=col)
    ax1.set_yticks(y, list(order))
    ax1.set_xlabel("uncertainty [pb]")
    ax1.legend(loc="lower right")
    ax1.grid(axis="y", visible=False)

    grp = groups(comb)
    blue_g = comb.grouped(grp)["BLUE contribution"]
    names = [*grp, "total"]
    yg = np.arange(len(names))[::-1]
    for i, col in enumerate(columns):
        if col == "combination":
            vals = blue_g.loc[names].to_numpy()
        else:
            errs = comb.errors.loc[col]
            vals = [np.sqrt(np.sum(errs[srcs] ** 2)) for srcs in grp.values()]
            vals.append(comb.total_errors[col])
        ax2.barh(yg + (len(columns) - 1 - i - (len(columns) - 1) / 2) * height, vals,
                 height=height, color=COLOURS.get(col, f"C{i + 2}"))
    ax2.set_yticks(yg, names)
    ax2.set_xlabel("uncertainty [pb]")
    ax2.grid(axis="y", visible=False)


def _stat_errors(comb: Combination) -> dict | None:
    """Statistical error of each measurement and of the combination (its BLUE
    contribution ``sqrt(w^T C_stat w)``), or None if the inputs have no :data:`STAT` source."""
    if not all(s in comb.sources for s in STAT):
        return None
    stat = {m: float(np.sqrt(np.sum(comb.errors.loc[m, list(STAT)] ** 2))) for m in comb.names}
    rest = [s for s in comb.sources if s not in STAT]
    stat["combination"] = float(comb.grouped({"stat": list(STAT), "rest": rest})
                                .loc["stat", "BLUE contribution"]) if rest else comb.error
    return stat


def draw_summary(fig, comb: Combination | None = None) -> None:
    """The combination's summary plot: each measurement and the combination as a point
    with its total error (thin bar with caps) and statistical error (thick inner bar,
    if the inputs have a ``Stat`` source), top to bottom in the order of
    :attr:`Combination.names`, then the combination; a grey band shows the combined
    value +- its error, and each row's numbers are printed at the right.

    The error bars are ``ax.containers`` labelled with the row's name (total) and
    ``"_stat <name>"`` (statistical)."""
    comb = comb or lhc_combination()
    stat = _stat_errors(comb)
    rows = [(m, comb.values[m], comb.total_errors[m]) for m in comb.names]
    rows.append(("combination", comb.value, comb.error))
    ax = fig.subplots()
    ax.axvspan(comb.value - comb.error, comb.value + comb.error, color="0.9", lw=0, zorder=0)
    ax.axvline(comb.value, color="0.5", lw=0.8, zorder=0)
    lo = min(v - e for _, v, e in rows)
    hi = max(v + e for _, v, e in rows)
    width = hi - lo
    ys = np.arange(len(rows))[::-1].astype(float)
    for (name, v, e), y in zip(rows, ys):
        colour = COLOURS.get(name, "k")
        ax.errorbar([v], [y], xerr=[e], fmt="o", color=colour, ms=6, capsize=4, lw=1.2,
                    label=name)
        text = f"{v:.1f} $\\pm$ {e:.1f}"
        if stat is not None:
            ax.errorbar([v], [y], xerr=[stat[name]], fmt="none", color=colour, lw=4,
                        label=f"_stat {name}")
            text += f"\n($\\pm$ {stat[name]:.1f} stat)"
        ax.text(hi + 0.12 * width, y, text, va="center", ha="left", fontsize=10)
    ax.set_yticks(ys, [r[0] for r in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    left, right = lo - 0.1 * width, hi + 0.7 * width
    ax.set_xlim(left, right)
    # the axis under the bars only: the numbers stand on their own at the right
    ticks = [t for t in ax.get_xticks() if left <= t <= hi + 0.05 * width]
    end = max([hi, *ticks])
    ax.set_xticks(ticks)
    ax.spines["bottom"].set_bounds(left, end)
    ax.set_xlabel(r"$\sigma_{t\bar t}$ [pb]", x=(end - left) / 2 / (right - left))
    ax.grid(visible=False)
    ax.text(0.02, 0.98, f"$\\chi^2$/ndf = {comb.chi2:.2f}/{comb.ndf}", transform=ax.transAxes,
            va="top", ha="left", fontsize=9)


def draw_stability_scan(fig, sources=SCAN_SOURCES, comb: Combination | None = None) -> None:
    """Combined cross section (top) and its error (bottom) against the assumed
    ATLAS-CMS correlation of each source in turn (others nominal) and of all together.
    Dots mark the nominal correlation of each source."""
    comb = comb or lhc_combination()
    scan = stability_scan(sources, comb=comb)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    keys = list(dict.fromkeys(scan.columns.get_level_values(0)))
    nominal = {s: comb.source_correlations[s].iat[0, 1] for s in keys if s != "all"}
    for i, key in enumerate(keys):
        style = dict(color="k", ls="--") if key == "all" else dict(color=f"C{i}")
        label = "all of them" if key == "all" else key
        ax1.plot(scan.index, scan[key]["value"], label=label, **style)
        ax2.plot(scan.index, scan[key]["error"], **style)
        if key != "all":
            rho0 = nominal[key]
            at = comb.with_correlation(key, rho0)
            ax1.plot(rho0, at.value, "o", color=style["color"], ms=5)
            ax2.plot(rho0, at.error, "o", color=style["color"], ms=5)
    ax1.axhline(comb.value, color="0.5", lw=0.8, ls=":")
    ax2.axhline(comb.error, color="0.5", lw=0.8, ls=":")
    ax1.set_ylabel(r"combined $\sigma_{t\bar t}$ [pb]")
    ax2.set_ylabel("its uncertainty [pb]")
    ax2.set_xlabel(r"assumed ATLAS-CMS correlation $\rho$ of the source")
    ax1.legend(loc="best", ncols=2)


def draw_stability_sigma(fig, sources=SCAN_SOURCES, comb: Combination | None = None) -> None:
    """The value panel of :func:`draw_stability_scan` in units of the combined error:
    ``(value(rho) - value_nominal) / error_nominal`` against the assumed ATLAS-CMS
    correlation of each source in turn (others nominal) and of all together, with
    the +-1 sigma band (grey) for scale and the largest shift printed (in sigma and pb).
    Dots mark the nominal correlation of each source (shift 0)."""
    comb = comb or lhc_combination()
    scan = stability_scan(sources, comb=comb)
    ax = fig.subplots()
    ax.axhspan(-1.0, 1.0, color="0.9", lw=0, zorder=0)
    for level in (-1.0, 1.0):
        ax.axhline(level, color="0.5", lw=0.8, ls=":")
    ax.axhline(0.0, color="0.5", lw=0.8)
    keys = list(dict.fromkeys(scan.columns.get_level_values(0)))
    largest = float(np.max(np.abs(scan.xs("value", axis=1, level=1).to_numpy() - comb.value)))
    ax.text(0.02, 0.97, f"largest shift: {largest / comb.error:.3f}" + r"$\,\sigma$"
            + f" = {largest:.2f} pb", transform=ax.transAxes, va="top", ha="left", fontsize=9)
    for i, key in enumerate(keys):
        style = dict(color="k", ls="--") if key == "all" else dict(color=f"C{i}")
        shift = (scan[key]["value"] - comb.value) / comb.error
        ax.plot(scan.index, shift, label="all of them" if key == "all" else key, **style)
        if key != "all":
            rho0 = comb.source_correlations[key].iat[0, 1]
            at = comb.with_correlation(key, rho0)
            ax.plot(rho0, (at.value - comb.value) / comb.error, "o", color=style["color"], ms=5)
    reach = max(1.5, 1.1 * largest / comb.error)  # +-1 sigma always in view, no curve cut
    ax.set_ylim(-reach, reach)
    ax.text(1.0, 1.0, r"$+1\sigma$", transform=ax.get_yaxis_transform(), ha="right",
            va="bottom", fontsize=9, color="0.4")
    ax.text(1.0, -1.0, r"$-1\sigma$", transform=ax.get_yaxis_transform(), ha="right",
            va="top", fontsize=9, color="0.4")
    ax.set_ylabel(r"shift of the combined $\sigma_{t\bar t}$" + "\n" +
                  f"[combined error, {comb.error:.1f} pb]")
    ax.set_xlabel(r"assumed ATLAS-CMS correlation $\rho$ of the source")
    ax.legend(loc="lower left", ncols=3)


@lru_cache(maxsize=1)
def _nominal() -> Combination:
    """The nominal combination, read once (it is immutable): sliders only recombine."""
    return lhc_combination()


def draw_weight_scan(fig, sources=SCAN_SOURCES, comb: Combination | None = None) -> None:
    """BLUE weight of the first measurement (top) and the intrinsic information weight
    of the correlations, ``1 - sum_i sigma^2/sigma_i^2`` (bottom), against the assumed
    correlation of each source in turn (others nominal) and of all together.
    Dots mark the nominal correlation of each source."""
    comb = comb or lhc_combination()
    scan = information_scan(sources, comb=comb)
    first = comb.names[0]
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    keys = list(dict.fromkeys(scan.columns.get_level_values(0)))
    iw = comb.information_weights()
    for i, key in enumerate(keys):
        style = dict(color="k", ls="--") if key == "all" else dict(color=f"C{i}")
        ax1.plot(scan.index, scan[key][f"weight {first}"],
                 label="all of them" if key == "all" else key, **style)
        ax2.plot(scan.index, scan[key]["correlations"], **style)
        if key != "all":
            at = comb.with_correlation(key, comb.source_correlations[key].iat[0, 1])
            ax1.plot(at.source_correlations[key].iat[0, 1], at.weights[first], "o",
                     color=style["color"], ms=5)
            ax2.plot(at.source_correlations[key].iat[0, 1],
                     at.information_weights().loc["correlations", "intrinsic"], "o",
                     color=style["color"], ms=5)
    ax1.axhline(comb.weights[first], color="0.5", lw=0.8, ls=":")
    ax2.axhline(iw.loc["correlations", "intrinsic"], color="0.5", lw=0.8, ls=":")
    ax2.axhline(0.0, color="k", lw=0.8)
    ax1.set_ylabel(f"BLUE weight of {first}")
    ax2.set_ylabel("information weight\nof the correlations")
    ax2.set_xlabel(r"assumed ATLAS-CMS correlation $\rho$ of the source")
    ax1.legend(loc="best", ncols=2)


class StabilityPanel(PanelView):
    """Slider view: the combination with other correlations for some sources.

    Keywords are :func:`slider_key` names of sources (those of :data:`SLIDER_SOURCES`,
    nominally ``vdm=1.0, mc_ps=0.5, stop=1.0, scale=0.5``, or any other source);
    sources not given keep their nominal correlation. Left: both measurements, the
    nominal and the modified combination with their errors; middle: the BLUE
    weights, nominal and modified; right: the intrinsic information weights of the
    measurements and of the correlations (Valassi and Chierici 2014), nominal and
    modified. The numbers come from :func:`helpers.ttbar.correlation_setting`.
    """

    figsize = (11, 3.8)

    def compute(self, **correlations) -> tuple[dict, CorrelationSetting]:
        nominal = _nominal()
        keys = {slider_key(s): s for s in nominal.sources}
        unknown = [k for k in correlations if k not in keys]
        if unknown:
            raise InputError(f"unknown source keyword(s) {unknown}; use one of {sorted(keys)}")
        chosen = {keys[k]: as_correlation(r, f"correlation of {keys[k]}")
                  for k, r in correlations.items()}
        return chosen, correlation_setting(chosen)

    def setup(self, fig, scene) -> None:
        nominal = _nominal()
        names = list(nominal.names)
        ax1, ax2, ax3 = fig.subplots(1, 3, width_ratios=[1.6, 1, 1.2])
        rows = [(m, nominal.values[m], nominal.total_errors[m], COLOURS[m]) for m in names]
        rows += [("nominal combination", nominal.value, nominal.error, "0.5")]
        for i, (label, v, e, c) in enumerate(rows):
            set_interval(interval_row(ax1, c), -i, v, v - e, v + e)
        scene.row = interval_row(ax1, "k", scene=scene)
        scene.row_y = -len(rows)
        ax1.set_yticks(-np.arange(len(rows) + 1), [r[0] for r in rows] + ["this setting"])
        ax1.set_ylim(-len(rows) - 0.5, 0.5)
        ax1.set_xlabel(r"$\sigma_{t\bar t}$ [pb]")
        ax1.set_xlim(215, 265)
        ax1.grid(axis="y", visible=False)
        x = np.arange(len(names))
        ax2.bar(x - 0.2, nominal.weights.to_numpy(), width=0.4, color="0.6", label="nominal")
        scene.weights = scene.live(ax2.bar(x + 0.2, np.zeros(len(names)), width=0.4,
                                           color=[COLOURS[m] for m in names], label="this setting"))
        ax2.set_xticks(x, names)
        ax2.axhline(0, color="k", lw=0.8)
        ax2.set_xlim(-0.6, len(names) - 0.4)
        ax2.set_ylim(-0.2, 1.2)
        ax2.set_ylabel("BLUE weight")
        ax2.legend(loc="upper right")
        iw0 = nominal.information_weights()["intrinsic"]
        xi = np.arange(len(iw0))
        ax3.bar(xi - 0.2, iw0.to_numpy(), width=0.4, color="0.6")
        scene.info = scene.live(ax3.bar(xi + 0.2, np.zeros(len(iw0)), width=0.4,
                                        color=[COLOURS.get(m, "C2") for m in iw0.index]))
        ax3.set_xticks(xi, [*names, "correl."])
        ax3.axhline(0, color="k", lw=0.8)
        ax3.set_xlim(-0.6, len(iw0) - 0.4)
        ax3.set_ylim(-0.6, 1.2)
        ax3.set_ylabel("intrinsic information weight")

    def show(self, scene, numbers) -> str:
        chosen, s = numbers
        nominal = _nominal()
        set_interval(scene.row, scene.row_y, s.value, s.value - s.error, s.value + s.error)
        for bar, w in zip(scene.weights, s.weights):
            bar.set_height(w)
        for bar, w in zip(scene.info, [*s.intrinsic, s.correlations]):
            bar.set_height(w)
        settings = ", ".join(f"{k} {float(r):.2f}" for k, r in chosen.items())
        note = " Negative weight!" if s.has_negative_weights else ""
        return (f"σ = {s.value:.1f} ± {s.error:.2f} pb (nominal {nominal.value:.1f} ± "
                f"{nominal.error:.2f}), weights {s.weights[0]:.3f} / {s.weights[1]:.3f}, "
                f"chi2 = {s.chi2:.3f}" + (f"; correlations: {settings}" if settings else "")
                + f".{note}")


draw_stability_panel = StabilityPanel().draw
"""``draw_stability_panel(fig, **correlations)``: :class:`StabilityPanel` drawn into
``fig``; returns its one-line summary."""

PANELS = {
    "stability": Panel(StabilityPanel(), tuple(
        Slider(k, float(_nominal().source_correlations[s].iat[0, 1]), 0.0, 1.0, 0.05,
               f"correlation of {s}")
        for k, s in SLIDER_SOURCES.items()), figsize=(11, 3.8)),
}
"""The chapter's slider panel (each slider starts at the table's correlation of its
source), built in the notebook by ``figs.PANELS["stability"].widget()``."""
