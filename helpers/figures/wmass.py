"""Figures of the chapter "Combining two W-mass measurements"."""

from __future__ import annotations

import numpy as np

from ..combination import Combination, correlation_scan
from ..plotting import PanelView
from ..widgets import Panel, Slider
from ..wmass import (COMMON, TwoChannels, error_peak, lep_combination, overall_error,
                     overall_setting, overall_weights, theory_scan, two_channels)

__all__ = [
    "plot_chi2",
    "draw_chi2", "draw_common_scan", "draw_theory_scan", "CommonPanel", "draw_common_panel",
    "draw_total_scan", "TotalPanel", "draw_total_panel", "PANELS",
]


def plot_chi2(ax, comb: Combination, *, label: str = "", color=None, span: float = 4.0,
              interval: bool = True):
    """chi2 against the trial mean, with the Delta chi2 = 1 interval shaded."""
    mu = np.linspace(comb.value - span * comb.error, comb.value + span * comb.error, 400)
    (line,) = ax.plot(mu, comb.chi2_curve(mu), color=color, label=label or None)
    if interval:
        lo, hi = comb.interval(1.0)
        ax.axvspan(lo, hi, color=line.get_color(), alpha=0.15)
        ax.axhline(comb.chi2 + 1, color="0.5", lw=0.8, ls=":")
    ax.set_xlabel(r"trial mean $\mu$ [MeV]")
    ax.set_ylabel(r"$\chi^2(\mu)$")
    return line


def draw_chi2(fig, comb: Combination | None = None) -> None:
    """The chi2 curve of the combination with the measurements marked."""
    comb = comb or lep_combination()
    ax = fig.subplots()
    plot_chi2(ax, comb, label=r"$\chi^2(\mu)$, band: $\Delta\chi^2 \leq 1$")
    for (name, y), c in zip(comb.values.items(), ("C1", "C2")):
        ax.axvline(y, color=c, ls="--", lw=1, label=f"{name}: {y:.0f} MeV")
    ax.set_ylim(0, 12)
    ax.legend(loc="upper center")


_CHANNEL_COLORS = ("C1", "C2")
_SHORT = ("4 jets", "lepton + 2 jets")


def _mark_inputs(ax, comb: Combination) -> None:
    """The two measured masses as thin horizontal lines, labelled at the right edge."""
    for (name, y), c, short in zip(comb.values.items(), _CHANNEL_COLORS, _SHORT):
        ax.axhline(y, color=c, lw=1, ls="--", label=f"input: {short}")


def _scan_axes(fig, x, value, error, weights, xlabel, comb, marker_x=None, *, error_panel=False,
               weights_legend="best"):
    """Mean +- error (with the inputs marked), optionally the error alone, and the weights."""
    axes = fig.subplots(3 if error_panel else 2, 1, sharex=True)
    ax1, ax_w = axes[0], axes[-1]
    ax1.plot(x, value, color="C0", label="combined mean")
    ax1.fill_between(x, value - error, value + error, color="C0", alpha=0.2, label=r"$\pm 1\sigma$")
    _mark_inputs(ax1, comb)
    ax1.set_ylabel("combined $m_W$ [MeV]")
    ax1.legend(loc="upper left", ncol=2, fontsize=8)
    for k, (w, c, short) in enumerate(zip(weights, _CHANNEL_COLORS, _SHORT)):
        ax_w.plot(x, w, color=c, label=f"weight of {short}")
    ax_w.axhline(0, color="k", lw=0.8)
    ax_w.set_ylabel("BLUE weight")
    ax_w.set_xlabel(xlabel)
    ax_w.legend(loc=weights_legend, fontsize=8)
    if marker_x is not None:
        for ax in axes:
            ax.axvline(marker_x, color="0.3", lw=0.8, ls=":")
    return axes


def draw_common_scan(fig, rhos=None, theory_4q: float | None = None, marker=None) -> None:
    """Mean +- error and both weights against the correlation of the common sources,
    with the two measured masses marked."""
    comb = lep_combination(theory_4q=theory_4q)
    rhos = np.linspace(-1, 1, 41) if rhos is None else rhos
    scan = correlation_scan(comb.values, comb.errors, comb.source_correlations,
                            list(COMMON), rhos)
    weights = [scan[f"weight {m}"] for m in comb.names]
    ax1, _ = _scan_axes(fig, scan.index, scan["value"], scan["error"], weights,
                        r"correlation $\rho$ of the common theory and beam-energy sources",
                        comb, marker)
    ax1.set_ylim(80380, 80540)


def draw_theory_scan(fig, theory=None, marker: float = 47.0) -> None:
    """Mean +- error and both weights against the size of the 4-jet-only theory error
    (common sources at their nominal 100 % correlation); the nominal size is marked."""
    scan = theory_scan(theory)
    ax1, ax2 = _scan_axes(fig, scan.index, scan["value"], scan["error"], (scan["w1"], scan["w2"]),
                          "4-jet-only theory uncertainty [MeV]", lep_combination(), marker)
    ax1.set_ylim(80380, 80540)
    ax2.set_ylim(-0.1, 1.1)


class CommonPanel(PanelView):
    """Slider view: chi2 curve (nominal in grey) and the BLUE weights for a correlation
    ``rho_common`` of the common sources and a 4-jet-only theory error ``theory_4q``."""

    figsize = (9, 3.6)
    MU = np.linspace(80300, 80600, 301)

    def compute(self, rho_common: float = 1.0, theory_4q: float = 47.0) -> TwoChannels:
        return two_channels(rho_common, theory_4q)

    def setup(self, fig, scene) -> None:
        nominal = two_channels()
        ax1, ax2 = fig.subplots(1, 2)
        ax1.plot(self.MU, nominal.chi2_curve(self.MU), color="0.6", label="nominal inputs")
        (scene.curve,) = scene.live(ax1.plot(self.MU, self.MU * 0, color="C0", label="this setting"))
        scene.band = scene.live(ax1.axvspan(80400, 80500, color="C0", alpha=0.15))
        scene.level = scene.live(ax1.axhline(0, color="0.5", lw=0.8, ls=":"))
        ax1.set_xlabel(r"trial mean $\mu$ [MeV]")
        ax1.set_ylabel(r"$\chi^2(\mu)$")
        ax1.set_ylim(0, 10)
        ax1.set_xlim(self.MU[0], self.MU[-1])
        ax1.legend(loc="upper center")
        scene.bars = scene.live(ax2.bar(range(2), [0.5, 0.5], color=list(_CHANNEL_COLORS)))
        ax2.set_xticks(range(2), list(_SHORT))
        ax2.set_xlim(-0.6, 1.6)
        ax2.set_ylim(-0.5, 1.5)
        ax2.axhline(0, color="k", lw=0.8)
        ax2.set_ylabel("BLUE weight")

    def show(self, scene, s: TwoChannels) -> str:
        scene.curve.set_ydata(s.chi2_curve(self.MU))
        scene.band.set_x(s.value - s.error)
        scene.band.set_width(2 * s.error)
        scene.level.set_ydata([s.chi2 + 1] * 2)
        for bar, w in zip(scene.bars, s.weights):
            bar.set_height(w)
        return (f"m_W = {s.value:.1f} ± {s.error:.1f} MeV, weights "
                f"{s.weights[0]:.3f} / {s.weights[1]:.3f}, total correlation {s.correlation:.3f} "
                f"(negative weight above {s.threshold:.3f})")


draw_common_panel = CommonPanel().draw
"""``draw_common_panel(fig, rho_common=1.0, theory_4q=47.0)``: :class:`CommonPanel` drawn
into ``fig``; returns the panel's one-line summary."""


def draw_total_scan(fig, rhos=None, marker=None) -> None:
    """Mean +- error, the error alone and the weights against one overall correlation of
    the two channels (closed-form two-measurement BLUE, fast enough for a slider).

    Marked: the inputs, the zero-weight correlation sigma_2/sigma_1 (where the error
    peaks at sigma_2) and, in the error panel, the error without correlation.
    """
    comb = lep_combination()
    rhos = np.linspace(-1, 1, 401) if rhos is None else np.asarray(rhos, float)
    y1, y2 = comb.values.to_numpy()
    w1, w2 = overall_weights(rhos, comb)
    error = overall_error(rhos, comb)
    ax1, ax_e, ax_w = _scan_axes(fig, rhos, w1 * y1 + w2 * y2, error, (w1, w2),
                                 r"overall correlation $\rho$ between the channels", comb,
                                 marker, error_panel=True, weights_legend="upper left")
    threshold, peak = error_peak(comb)
    ax_e.plot(rhos, error, color="C0", label="combined error")
    ax_e.axhline(overall_error(0.0, comb), color="0.4", lw=1, ls="--",
                 label=r"error with $\rho = 0$")
    ax_e.plot([threshold], [peak], "o", color="C3",
              label=rf"maximum $\sigma_2 = {peak:.1f}$ MeV")
    ax_e.set_ylabel("combined error [MeV]")
    ax_e.set_ylim(0, 50)
    ax_e.legend(loc="lower left", fontsize=8)
    for ax in (ax_e, ax_w):
        ax.axvline(threshold, color="C3", lw=1, ls="--")
    ax_w.annotate(rf"$\rho = \sigma_2/\sigma_1 = {threshold:.2f}$", (threshold, 2.6),
                  xytext=(-6, 0), textcoords="offset points", ha="right", color="C3")
    ax1.set_ylim(80350, 80550)
    ax_w.set_ylim(-2.5, 3.5)


class TotalPanel(PanelView):
    """Slider view of :func:`draw_total_scan` with the current overall correlation marked
    (the scan is the background: it does not depend on the slider)."""

    figsize = (6.4, 7.5)

    def compute(self, rho_total: float = 0.23) -> tuple[float, TwoChannels]:
        return float(rho_total), overall_setting(rho_total)   # InputError at |rho| = 1

    def setup(self, fig, scene) -> None:
        draw_total_scan(fig)
        scene.marks = [scene.live(ax.axvline(0.0, color="0.3", lw=0.8, ls=":")) for ax in fig.axes]

    def show(self, scene, numbers) -> str:
        rho, s = numbers
        for line in scene.marks:
            line.set_xdata([rho, rho])
        note = " Negative weight!" if min(s.weights) < 0 else ""
        return (f"rho = {rho:.2f}: m_W = {s.value:.1f} ± {s.error:.1f} MeV, "
                f"weights {s.weights[0]:.3f} / {s.weights[1]:.3f}.{note}")


draw_total_panel = TotalPanel().draw
"""``draw_total_panel(fig, rho_total=0.23)``: :class:`TotalPanel` drawn into ``fig``."""

PANELS = {
    "common": Panel(CommonPanel(), (
        Slider("rho_common", 1.0, -1.0, 1.0, 0.05, "correlation of common sources"),
        Slider("theory_4q", 47.0, 0.0, 150.0, 1.0, "4-jet theory uncertainty [MeV]", ".0f"),
    ), figsize=(9, 3.6)),
    "total": Panel(TotalPanel(), (
        Slider("rho_total", 0.23, -1.0, 1.0, 0.01, "overall correlation"),
    ), figsize=(6.4, 7.5)),
}
"""The chapter's slider panels, each built in the notebook by ``figs.PANELS[name].widget()``."""
