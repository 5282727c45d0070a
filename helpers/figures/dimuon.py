"""Figures of the chapter "Fitting the di-muon mass peak" (an unbinned maximum-likelihood fit).

Plotting only: every number comes from :mod:`helpers.dimuon`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..dimuon import (MASS_RANGE, PARAMETERS, DimuonFit, pdf_components, profile, pull_summary,
                      yield_pull_summary)
from ..validation import InputError

__all__ = ["LABELS", "SYMBOLS", "draw_fit", "draw_profile", "draw_pulls", "draw_crystal_ball",
           "draw_fit_pair", "draw_fixed_step_spread", "draw_binned_vs_unbinned", "draw_yield_pulls"]

LABELS = {
    "mu": r"$\mu$ [GeV]",
    "sigma": r"$\sigma$ [GeV]",
    "alpha": r"$\alpha$",
    "n": r"$n$",
    "slope": r"slope $\lambda$ [1/GeV]",
    "f_sig": r"$f_\mathrm{sig}$",
}
"""Axis label of each fit parameter."""

SYMBOLS = {"mu": r"$\mu$", "sigma": r"$\sigma$", "alpha": r"$\alpha$", "n": r"$n$",
           "slope": r"$\lambda$", "f_sig": r"$f_\mathrm{sig}$"}
"""Symbol of each fit parameter (no unit), e.g. for pull axes."""


def draw_fit(fig, result: DimuonFit, bins: int = 100, log: bool = False) -> str:
    """Data with Poisson error bars, the total fit and both components, and a pull panel.

    The curves are the fitted density times N x bin width; the pulls
    :math:`(n_i - \\nu_i)/\\sqrt{\\nu_i}` use the exact bin integrals :math:`\\nu_i`.
    Returns a one-line summary (binned chi2 of the same binning).
    """
    table = result.binned(bins)
    lo, hi = result.mass_range
    width = (hi - lo) / len(table)
    ax, axp = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    m = np.linspace(lo, hi, 2000)
    scale = result.n_events * width
    sig, bkg = result.components(m)
    ax.errorbar(table["center"], table["count"], yerr=np.sqrt(table["count"]), fmt="o", ms=2.5,
                color="k", lw=1, label="simulated data", zorder=3)
    ax.plot(m, (sig + bkg) * scale, color="C0", label="fit: total")
    ax.plot(m, sig * scale, color="C1", ls="--", label="Crystal Ball (signal)")
    ax.plot(m, bkg * scale, color="C2", ls="-.", label="exponential (background)")
    ax.set_ylabel(f"events / {1000 * width:.3g} MeV")
    if log:
        ax.set_yscale("log")
        ax.set_ylim(bottom=0.5)
    ax.legend(loc="upper left")
    axp.bar(table["center"], table["pull"], width=width, color="C0", alpha=0.7)
    for y in (-2, 2):
        axp.axhline(y, color="C3", lw=0.8, ls="--")
    axp.axhline(0, color="k", lw=0.8)
    axp.set_ylabel("pull")
    axp.set_xlabel(r"$m(\mu^+\mu^-)$ [GeV]")
    axp.set_xlim(lo, hi)
    g = result.gof(bins)
    return f"chi2/ndf = {g['chi2']:.1f}/{g['ndf']}, p = {g['pvalue']:.3f} ({g['groups']} groups of {len(table)} bins)"


def draw_profile(fig, result: DimuonFit, parameter="alpha", bound: float = 3.0, size: int = 31) -> None:
    """Profile :math:`-2\\Delta\\ln L` of one parameter (or one panel per parameter of a
    sequence, e.g. ``("alpha", "n")``) with the HESSE parabola, the level 1 and, if the fit
    ran MINOS, the MINOS interval."""
    names = [parameter] if isinstance(parameter, str) else list(parameter)
    if not names:
        raise InputError("give at least one parameter to profile")
    axes = np.atleast_1d(fig.subplots(1, len(names), sharey=True))
    minos = None
    if result._minos:
        minos = result.minos_errors
    for ax, name in zip(axes, names):
        df = profile(result, name, bound=bound, size=size)
        ax.plot(df["value"], df["delta"], color="C0", label=r"profile $-2\Delta\ln L$")
        ax.plot(df["value"], df["parabola"], color="0.5", ls="--", label="HESSE parabola")
        ax.axhline(1.0, color="C3", lw=0.8, ls=":")
        v = result.values[name]
        if minos is not None:
            for edge in (v + minos.loc[name, "lower"], v + minos.loc[name, "upper"]):
                if np.isfinite(edge):           # NaN: that side is cut by the parameter's limit
                    ax.axvline(edge, color="C1", lw=0.8)
        ax.axvline(v, color="k", lw=0.6)
        ax.set_xlabel(LABELS[name])
        ax.set_ylim(0, max(4.0, min(9.5, float(df["delta"].max()))))
    axes[0].set_ylabel(r"$-2\Delta\ln L$")
    axes[0].legend(loc="upper center")


def draw_pulls(fig, toys, parameters=("mu", "sigma"), bins: int = 15) -> None:
    """Histogram of the pulls of the converged toys with the standard normal curve
    (scaled to the count) and the mean and width with their errors in the title."""
    summary = pull_summary(toys, parameters)
    axes = np.atleast_1d(fig.subplots(1, len(parameters), sharey=True))
    x = np.linspace(-4, 4, 200)
    edges = np.linspace(-4, 4, bins + 1)
    ok = toys["ok"].astype(bool)
    for ax, name in zip(axes, parameters):
        if name not in PARAMETERS:
            raise InputError(f"unknown parameter {name!r}")
        pulls = toys.loc[ok, f"{name}_pull"].to_numpy(float)
        ax.hist(pulls, bins=edges, color="C0", alpha=0.6, label=f"{pulls.size} toys")
        ax.plot(x, pulls.size * (edges[1] - edges[0]) * stats.norm.pdf(x), color="k", label="N(0, 1)")
        s = summary.loc[name]
        ax.set_title(f"mean {s['mean']:.2f} ± {s['mean_error']:.2f}, "
                     f"width {s['width']:.2f} ± {s['width_error']:.2f}", fontsize=9)
        ax.set_xlabel(f"pull of {SYMBOLS[name]}")
    axes[0].set_ylabel("toys")
    axes[0].legend(loc="upper left")


def draw_crystal_ball(fig, mu: float, sigma: float, alpha: float, n: float, mass_range=MASS_RANGE) -> None:
    """The Crystal Ball density normalised on the range next to the Gaussian with the same
    mu and sigma (also normalised there), on a log scale, with the junction
    :math:`\\mu - \\alpha\\sigma` between power-law tail and Gaussian core marked."""
    lo, hi = mass_range
    m = np.linspace(lo, hi, 2000)
    cb, _ = pdf_components(m, mu, sigma, alpha, n, 0.0, 1.0, mass_range=mass_range)
    gauss = stats.norm.pdf(m, mu, sigma) / (stats.norm.cdf(hi, mu, sigma) - stats.norm.cdf(lo, mu, sigma))
    ax = fig.subplots()
    ax.plot(m, cb, color="C1", label=rf"Crystal Ball ($\alpha$ = {alpha:g}, $n$ = {n:g})")
    ax.plot(m, gauss, color="0.4", ls="--", label="Gaussian, same $\\mu$ and $\\sigma$")
    junction = mu - alpha * sigma
    ax.axvline(junction, color="C3", lw=0.8, ls=":")
    ax.annotate(r"$\mu - \alpha\sigma$", (junction, 1e-3), xytext=(-6, 0), textcoords="offset points",
                ha="right", color="C3")
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 2 * float(cb.max()))
    ax.set_xlim(lo, hi)
    ax.set_xlabel(r"$m(\mu^+\mu^-)$ [GeV]")
    ax.set_ylabel("probability density [1/GeV]")
    ax.legend(loc="upper left")


def draw_fit_pair(fig, results, titles) -> list[str]:
    """Two (or more) fits side by side, each drawn by :func:`draw_fit` with its title;
    returns their one-line summaries."""
    results, titles = list(results), list(titles)
    if not results or len(results) != len(titles):
        raise InputError("give one title per fit, and at least one fit")
    subs = np.atleast_1d(fig.subfigures(1, len(results)))
    out = []
    for sub, res, title in zip(subs, results, titles):
        out.append(draw_fit(sub, res))
        sub.suptitle(title, fontsize=10)
    return out


def draw_fixed_step_spread(fig, spread, linthresh: float = 0.1) -> None:
    """The fixed-step Hessian's errors against HESSE's, in per cent, for every step and
    parameter of :func:`helpers.dimuon.fixed_step_spread`: one dot per copy of the fit
    (the copies differ only in the last bits), parameters side by side within each step.
    The vertical axis is linear within +-``linthresh`` % and logarithmic beyond."""
    need = {"copy", "step", *PARAMETERS}
    if not need <= set(spread.columns):
        raise InputError(f"spread lacks the columns {sorted(need - set(spread.columns))}")
    steps = sorted(spread["step"].unique())
    ax = fig.subplots()
    width = 0.8 / len(PARAMETERS)
    for j, name in enumerate(PARAMETERS):
        for i, step in enumerate(steps):
            y = 100 * spread.loc[spread["step"] == step, name].to_numpy(float)
            x = i + (j - (len(PARAMETERS) - 1) / 2) * width + np.linspace(-0.25, 0.25, y.size) * width
            ax.plot(x, y, "o", ms=2.5, color=f"C{j}", alpha=0.7, label=SYMBOLS[name] if i == 0 else None)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_yscale("symlog", linthresh=linthresh)
    reach = 100 * float(np.nanmax(np.abs(spread[list(PARAMETERS)].to_numpy(float))))
    ax.set_ylim(-2 * max(reach, linthresh), 2 * max(reach, linthresh))   # every dot inside
    ax.set_xticks(range(len(steps)))
    ax.set_xticklabels([rf"$10^{{{int(round(np.log10(s)))}}}$" for s in steps])
    ax.set_xlabel(r"step $\epsilon$")
    ax.set_ylabel("fixed-step error / HESSE error − 1 [%]")
    for i in range(len(steps) - 1):
        ax.axvline(i + 0.5, color="0.85", lw=0.8)
    ax.legend(loc="upper right", ncol=3, fontsize=8)


def draw_binned_vs_unbinned(fig, table) -> None:
    """Error of each parameter in the binned fit over its unbinned error, against the bin
    width (log scale), one line per parameter, from :func:`helpers.dimuon.binned_vs_unbinned`.
    The resolution (40 MeV) is marked; above 1 is information the binning lost."""
    if getattr(table, "index", None) is None or list(table.index.names) != ["width", "parameter"] \
            or "ratio" not in table.columns:
        raise InputError("table must come from helpers.dimuon.binned_vs_unbinned() "
                         "(index width, parameter; column ratio)")
    ax = fig.subplots()
    widths = sorted(set(table.index.get_level_values("width")))
    for j, name in enumerate(PARAMETERS):
        y = [100 * (table.loc[(w, name), "ratio"] - 1) for w in widths]
        ax.plot(1000 * np.array(widths), y, "o-", color=f"C{j}", ms=4, label=SYMBOLS[name])
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(40, color="0.6", lw=0.8, ls=":")
    ax.annotate(r"resolution $\sigma$", (40, 0), xytext=(-4, 6), textcoords="offset points",
                ha="right", color="0.4", fontsize=8)
    ax.set_xscale("log")
    ax.set_xticks(1000 * np.array(widths), [f"{1000 * w:g}" for w in widths])
    ax.minorticks_off()
    ax.set_xlabel("bin width [MeV]")
    ax.set_ylabel("binned error / unbinned error − 1 [%]")
    ax.legend(loc="upper left", ncol=2, fontsize=8)


def draw_yield_pulls(fig, toys, bins: int = 20) -> None:
    """Pulls of the signal yield in :func:`helpers.dimuon.yield_toy_study`: the extended
    fit's error (the Poisson term included) next to :math:`N\\sigma_f` alone, each with
    the standard normal curve and its mean and width in the title."""
    summary = yield_pull_summary(toys)
    ok = toys["ok"].astype(bool)
    axes = fig.subplots(1, 2, sharey=True)
    x = np.linspace(-4, 4, 200)
    edges = np.linspace(-4, 4, bins + 1)
    for ax, name, title in zip(axes, ("pull_extended", "pull_no_poisson"),
                               ("extended fit", r"$N\sigma_f$ (no Poisson term)")):
        pulls = toys.loc[ok, name].to_numpy(float)
        ax.hist(pulls, bins=edges, color="C0", alpha=0.6, label=f"{pulls.size} toys")
        ax.plot(x, pulls.size * (edges[1] - edges[0]) * stats.norm.pdf(x), color="k", label="N(0, 1)")
        s = summary.loc[name]
        ax.set_title(f"{title}: width {s['width']:.2f} ± {s['width_error']:.2f}", fontsize=9)
        ax.set_xlabel(r"pull of $N_\mathrm{sig}$")
    axes[0].set_ylabel("toys")
    axes[0].legend(loc="upper left")
