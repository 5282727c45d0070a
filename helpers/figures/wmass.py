"""Figures of the chapter "Combining two W-mass measurements"."""

from __future__ import annotations

import numpy as np

from .. import data
from ..combination import Combination, correlation_scan, zero_weight_correlation

__all__ = [
    "COMMON", "lep_combination", "total_correlation_combination", "plot_chi2",
    "draw_chi2", "draw_common_scan", "draw_common_panel", "draw_total_scan",
    "draw_total_panel",
]

COMMON = ("theory_common", "beam_energy")
"""The two sources shared by the channels (100 % correlated in the nominal inputs)."""


def lep_combination(rho_common: float = 1.0, theory_4q: float | None = None) -> Combination:
    """The LEP W-mass combination, optionally with another correlation of the common
    sources and another size of the 4-jet-only theory uncertainty (MeV)."""
    comb = Combination(*data.w_mass())
    if rho_common != 1.0:
        comb = comb.with_correlation(list(COMMON), rho_common)
    if theory_4q is not None:
        errs = comb.errors["theory_4q"].to_numpy().copy()
        errs[0] = theory_4q
        comb = comb.with_errors("theory_4q", errs)
    return comb


def total_correlation_combination(rho_total: float, comb: Combination | None = None) -> Combination:
    """The two channels with their *total* errors and one overall correlation ``rho_total``."""
    comb = comb or lep_combination()
    sigma = np.sqrt(np.diag(comb.covariance.to_numpy()))
    return Combination(comb.values, sigma[:, None], [rho_total], sources=["overall"])


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


def _scan_axes(fig, scan, xlabel, names, marker_x=None):
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(scan.index, scan["value"], color="C0", label="combined mean")
    ax1.fill_between(scan.index, scan["value"] - scan["error"], scan["value"] + scan["error"],
                     color="C0", alpha=0.2, label=r"$\pm 1\sigma$")
    ax1.set_ylabel("combined $m_W$ [MeV]")
    ax1.legend(loc="upper left")
    for name, c in zip(names, ("C1", "C2")):
        ax2.plot(scan.index, scan[f"weight {name}"], color=c, label=f"weight of {name}")
    ax2.axhline(0, color="k", lw=0.8)
    ax2.set_ylabel("BLUE weight")
    ax2.set_xlabel(xlabel)
    ax2.legend(loc="best")
    if marker_x is not None:
        for ax in (ax1, ax2):
            ax.axvline(marker_x, color="0.3", lw=0.8, ls=":")
    return ax1, ax2


def draw_common_scan(fig, rhos=None, theory_4q: float | None = None, marker=None) -> None:
    """Mean +- error and both weights against the correlation of the common sources."""
    comb = lep_combination(theory_4q=theory_4q)
    rhos = np.linspace(-1, 1, 81) if rhos is None else rhos
    scan = correlation_scan(comb.values, comb.errors, comb.source_correlations,
                            list(COMMON), rhos)
    _scan_axes(fig, scan, r"correlation $\rho$ of the common theory and beam-energy sources",
               comb.names, marker)


def draw_common_panel(fig, rho_common: float = 1.0, theory_4q: float = 47.0) -> str:
    """Slider view: chi2 curve (nominal dashed) and the scan with the current setting."""
    nominal = lep_combination()
    comb = lep_combination(rho_common, theory_4q)
    ax1, ax2 = fig.subplots(1, 2)
    plot_chi2(ax1, nominal, label="nominal inputs", color="0.6", interval=False)
    plot_chi2(ax1, comb, label="this setting", color="C0")
    ax1.set_ylim(0, 10)
    ax1.set_xlim(80300, 80600)
    ax1.legend(loc="upper center")
    w = comb.weights
    ax2.bar(range(len(w)), w.to_numpy(), color=["C1", "C2"])
    ax2.set_xticks(range(len(w)), ["4 jets", "lepton + 2 jets"])
    ax2.set_ylim(-0.5, 1.5)
    ax2.axhline(0, color="k", lw=0.8)
    ax2.set_ylabel("BLUE weight")
    return (f"m_W = {comb.value:.1f} ± {comb.error:.1f} MeV, weights "
            f"{w.iloc[0]:.3f} / {w.iloc[1]:.3f}, chi2 = {comb.chi2:.3f}")


def draw_total_scan(fig, rhos=None, marker=None) -> None:
    """Weights and mean against one overall correlation of the two channels."""
    comb = lep_combination()
    sigma = np.sqrt(np.diag(comb.covariance.to_numpy()))
    rhos = np.linspace(-1, 1, 201) if rhos is None else rhos
    scan = correlation_scan(comb.values, sigma[:, None], [0.0], ["overall"], rhos,
                            source_names=["overall"])
    ax1, ax2 = _scan_axes(fig, scan, r"overall correlation $\rho$ between the channels",
                          comb.names, marker)
    threshold = zero_weight_correlation(comb)
    ax2.axvline(threshold, color="C3", lw=1, ls="--")
    ax2.annotate(rf"$\rho = \sigma_2/\sigma_1 = {threshold:.2f}$", (threshold, 1.5),
                 xytext=(-6, 0), textcoords="offset points", ha="right", color="C3")
    ax1.set_ylim(80350, 80550)
    ax2.set_ylim(-2.5, 3.5)


def draw_total_panel(fig, rho_total: float = 0.23) -> str:
    """Slider view of :func:`draw_total_scan` with the current correlation marked."""
    comb = total_correlation_combination(rho_total)   # raises InputError at |rho| = 1
    draw_total_scan(fig, marker=rho_total)
    w = comb.weights
    note = " Negative weight!" if comb.has_negative_weights else ""
    return (f"rho = {rho_total:.2f}: m_W = {comb.value:.1f} ± {comb.error:.1f} MeV, "
            f"weights {w.iloc[0]:.3f} / {w.iloc[1]:.3f}.{note}")
