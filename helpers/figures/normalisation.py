"""Figures of the chapter "Normalisation uncertainties"."""

from __future__ import annotations

import numpy as np

from .. import data
from ..normalisation import NormalisationProblem, scan_norm

__all__ = ["METHODS", "course_problem", "plot_ellipses", "plot_estimates",
           "draw_ellipses", "draw_estimates", "draw_norm_scan", "draw_panel", "draw_chi2_curves"]

METHODS = {
    "covariance from measured values": ("C1", "o"),
    "N on data": ("C3", "x"),
    "N on prediction": ("C0", "s"),
    "covariance relative to fit": ("C2", "+"),
    "plain weighted mean (stat only)": ("0.4", "d"),
}
"""Label of each estimator (as in ``NormalisationProblem.compare``) and its colour/marker."""


def course_problem(norm_rel: float | None = None, stat_rel: float | None = None,
                   y2: float | None = None) -> NormalisationProblem:
    """The two measurements of the course sheet, optionally with other inputs."""
    d = data.normalisation_inputs()
    values = d["value"].to_numpy().copy()
    if y2 is not None:
        values[1] = y2
    stat = d["stat_rel"].to_numpy() if stat_rel is None else stat_rel
    norm = d["norm_rel"].iloc[0] if norm_rel is None else norm_rel
    return NormalisationProblem.from_relative(values, stat, norm)


def plot_ellipses(ax, problem: NormalisationProblem, cov=None, *, title: str = "",
                  cs=(1.0, 2.0)):
    """Measurement, c-ellipses of ``cov`` (default: from the measured values), the line
    y1' = y2' and the point where a chi2 contour touches it."""
    y = problem.values
    for c, ls in zip(cs, ("-", "--")):
        pts = problem.ellipse(c, cov=cov)
        ax.plot(pts[:, 0], pts[:, 1], color="C0", ls=ls, label=f"$c = {c:g}$")
    mu, c_touch = problem.touching_point(cov=cov)
    if c_touch > 1e-9:          # c = 0 when the measurement already lies on the line
        pts = problem.ellipse(c_touch, cov=cov)
        ax.plot(pts[:, 0], pts[:, 1], color="C3", lw=1, ls=":",
                label=f"touching contour, $c = {c_touch:.2f}$")
    lo, hi = min(y.min(), mu) - 2.5, max(y.max(), mu) + 2.5
    ax.plot([lo, hi], [lo, hi], color="k", lw=1, label=r"$y_1' = y_2'$")
    ax.plot(*y, "o", color="k", label="measurement")
    ax.plot(mu, mu, "*", color="C3", ms=12, label=rf"$\chi^2$ minimum, $\hat\mu = {mu:.2f}$")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$y_1'$")
    ax.set_ylabel(r"$y_2'$")
    if title:
        ax.set_title(title)
    return mu


def plot_estimates(ax, problem: NormalisationProblem):
    """Every estimator as a point with its (possibly asymmetric) 68 % interval."""
    table = problem.compare()
    for i, (label, row) in enumerate(table.iterrows()):
        color, marker = METHODS[label]
        ax.errorbar(row["value"], -i, xerr=[[row["value"] - row["lower"]], [row["upper"] - row["value"]]],
                    fmt=marker, color=color, capsize=3)
    for k, y in enumerate(problem.values):
        ax.axvline(y, color="0.6", lw=1, ls="--")
        ax.annotate(f"$y_{k + 1}$", (y, 0.6), ha="center", color="0.4")
    ax.set_yticks(-np.arange(len(table)), table.index)
    ax.set_ylim(-len(table) + 0.4, 0.9)
    ax.set_xlabel("combined value")
    ax.grid(axis="y", visible=False)
    return table


def draw_ellipses(fig, problem: NormalisationProblem | None = None) -> None:
    """Left: ellipses of the covariance from the measured values; right: of the
    covariance evaluated at the fitted value (the N-on-prediction picture)."""
    problem = problem or course_problem()
    ax1, ax2 = fig.subplots(1, 2, sharex=True, sharey=True)
    plot_ellipses(ax1, problem, title="covariance from measured values")
    mu_rel = problem.relative_covariance_fit().value
    plot_ellipses(ax2, problem, cov=problem.covariance_at(mu_rel),
                  title="covariance at the fitted value")
    ax1.legend(loc="upper left", fontsize=8)


def draw_estimates(fig, problem: NormalisationProblem | None = None) -> None:
    """All estimators in one figure."""
    plot_estimates(fig.subplots(), problem or course_problem())


def draw_norm_scan(fig, norm_rels=None, stat_rel: float = 0.02, values=None) -> None:
    """Each estimator against the normalisation uncertainty (0-30 %)."""
    values = data.normalisation_inputs()["value"].to_numpy() if values is None else values
    norm_rels = np.linspace(0.0, 0.3, 31) if norm_rels is None else norm_rels
    scan = scan_norm(values, stat_rel, norm_rels)
    ax = fig.subplots()
    x = 100 * np.asarray(scan.index)
    for label in ("covariance from measured values", "N on prediction"):
        color, _ = METHODS[label]
        v, e = scan[("value", label)], scan[("error", label)]
        ax.plot(x, v, color=color, label=label)
        ax.fill_between(x, v - e, v + e, color=color, alpha=0.12)
    for label in ("N on data", "covariance relative to fit"):
        color, marker = METHODS[label]
        ax.plot(x[::3], scan[("value", label)].iloc[::3], marker, color=color,
                label=f"{label} (identical)")
    for k, y in enumerate(values):
        ax.axhline(y, color="0.6", lw=1, ls="--")
    ax.set_xlabel(r"normalisation uncertainty $\varepsilon$ [%]")
    ax.set_ylabel("combined value (band: $\\pm 1\\sigma$)")
    ax.legend(loc="lower left", fontsize=8)


def draw_panel(fig, norm_rel: float = 0.10, stat_rel: float = 0.02, y2: float = 8.5) -> str:
    """Slider view: ellipses (measured-value covariance) and every estimate."""
    problem = course_problem(norm_rel, stat_rel, y2)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
    plot_ellipses(ax1, problem)
    table = plot_estimates(ax2, problem)
    cov_fit = table.loc["covariance from measured values"]
    nuis = table.loc["N on prediction"]
    return (f"covariance from measured values: {cov_fit['value']:.2f} ± {cov_fit['error']:.2f}; "
            f"N on prediction: {nuis['value']:.2f} "
            f"(-{nuis['value'] - nuis['lower']:.2f} / +{nuis['upper'] - nuis['value']:.2f})")


def draw_chi2_curves(fig, problem: NormalisationProblem | None = None) -> None:
    """chi2 against mu: covariance from measured values, covariance relative to the fit,
    and the profile over N of the N-on-prediction fit (which coincides with it)."""
    problem = problem or course_problem()
    mu = np.linspace(5.5, 11.0, 400)
    ax = fig.subplots()
    ax.plot(mu, problem.measured_covariance_chi2(mu), color=METHODS["covariance from measured values"][0],
            label="covariance from measured values")
    ax.plot(mu, problem.relative_covariance_chi2(mu), color=METHODS["covariance relative to fit"][0],
            label="covariance relative to fit")
    ax.plot(mu[::12], problem.profile_chi2_prediction(mu[::12]), "o", mfc="none",
            color=METHODS["N on prediction"][0], label="N on prediction, profiled over N")
    est = problem.relative_covariance_fit()
    ax.axhline(est.chi2_min + 1, color="0.5", lw=0.8, ls=":")
    ax.axvspan(est.lower, est.upper, color=METHODS["N on prediction"][0], alpha=0.12,
               label=rf"$\Delta\chi^2 \leq 1$: $[{est.lower:.2f}, {est.upper:.2f}]$")
    ax.set_ylim(3.5, 9)
    ax.set_xlabel(r"$\mu$")
    ax.set_ylabel(r"$\chi^2(\mu)$")
    ax.legend(loc="upper right", fontsize=8)
