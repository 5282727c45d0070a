"""Figures of the chapter "Combining two W-mass measurements"."""

from __future__ import annotations

import numpy as np

from ..combination import Combination, correlation_scan, zero_weight_correlation
from ..wmass import (COMMON, error_peak, lep_combination, overall_error, overall_weights,
                     theory_scan, total_correlation_combination)

__all__ = [
    "COMMON", "lep_combination", "total_correlation_combination", "plot_chi2",
    "draw_chi2", "draw_common_scan", "draw_theory_scan", "draw_common_panel",
    "draw_total_scan", "draw_total_panel",
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


def _scan_axes(fig, x, value, error, weights, xlabel, comb, marker_x=None, *, error_panel=False):
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
    ax_w.legend(loc="best", fontsize=8)
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


def draw_common_panel(fig, rho_common: float = 1.0, theory_4q: float = 47.0) -> str:
    """Slider view: chi2 curve (nominal dashed) and the weights with the current setting."""
    nominal = lep_combination()
    comb = lep_combination(rho_common, theory_4q)
    ax1, ax2 = fig.subplots(1, 2)
    plot_chi2(ax1, nominal, label="nominal inputs", color="0.6", interval=False)
    plot_chi2(ax1, comb, label="this setting", color="C0")
    ax1.set_ylim(0, 10)
    ax1.set_xlim(80300, 80600)
    ax1.legend(loc="upper center")
    w = comb.weights
    ax2.bar(range(len(w)), w.to_numpy(), color=list(_CHANNEL_COLORS))
    ax2.set_xticks(range(len(w)), list(_SHORT))
    ax2.set_ylim(-0.5, 1.5)
    ax2.axhline(0, color="k", lw=0.8)
    ax2.set_ylabel("BLUE weight")
    rho = comb.correlation.iat[0, 1]
    return (f"m_W = {comb.value:.1f} ± {comb.error:.1f} MeV, weights "
            f"{w.iloc[0]:.3f} / {w.iloc[1]:.3f}, total correlation {rho:.3f} "
            f"(negative weight above {zero_weight_correlation(comb):.3f})")


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
                                 marker, error_panel=True)
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


def draw_total_panel(fig, rho_total: float = 0.23) -> str:
    """Slider view of :func:`draw_total_scan` with the current correlation marked."""
    comb = total_correlation_combination(rho_total)   # raises InputError at |rho| = 1
    draw_total_scan(fig, marker=rho_total)
    w = comb.weights
    note = " Negative weight!" if comb.has_negative_weights else ""
    return (f"rho = {rho_total:.2f}: m_W = {comb.value:.1f} ± {comb.error:.1f} MeV, "
            f"weights {w.iloc[0]:.3f} / {w.iloc[1]:.3f}.{note}")
