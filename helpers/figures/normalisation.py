"""Figures of the chapter "Normalisation uncertainties"."""

from __future__ import annotations

from unittest import mock

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from .. import data
from ..normalisation import (
    COVARIANCE_MEASURED,
    COVARIANCE_RELATIVE,
    GAUSSIAN_LIKELIHOOD,
    N_ON_DATA,
    N_ON_PREDICTION,
    WEIGHTED_MEAN,
    NormalisationProblem,
    course_problem,
    scan_norm,
)
from ..plotting import PanelView, interval_row, set_interval
from ..validation import InputError
from ..widgets import Panel as Panel_, Slider

__all__ = ["METHODS", "course_problem", "plot_ellipses", "plot_estimates",
           "draw_ellipses", "draw_mean_difference", "draw_valley", "draw_estimates",
           "draw_norm_scan", "draw_input_scans", "Panel", "draw_panel", "draw_chi2_curves",
           "draw_toy_bias", "PANELS"]

METHODS = {
    COVARIANCE_MEASURED: ("C1", "o"),
    N_ON_DATA: ("C3", "x"),
    N_ON_PREDICTION: ("C0", "s"),
    COVARIANCE_RELATIVE: ("C2", "+"),
    GAUSSIAN_LIKELIHOOD: ("C4", "v"),
    WEIGHTED_MEAN: ("0.4", "d"),
    "plain mean": ("0.1", "^"),
}
"""Label of each estimator (as in ``NormalisationProblem.compare``) and its colour/marker."""

#: A 2-d contour whose shadow on one parameter is the 1-d interval Delta chi2 = 1.
CL_DELTA1 = float(stats.chi2.cdf(1.0, 2))


def _major_axis(ax, centre, cov, length: float, **kw) -> None:
    """The major axis of the ellipses of ``cov`` through ``centre``, ``length`` either side."""
    ev, vec = np.linalg.eigh(cov)
    d = vec[:, 1] * length
    ax.plot([centre[0] - d[0], centre[0] + d[0]], [centre[1] - d[1], centre[1] + d[1]], **kw)


def plot_ellipses(ax, problem: NormalisationProblem, cov=None, *, title: str = "",
                  cs=(1.0, 2.0), major_axis: bool = False):
    """Measurement, c-ellipses of ``cov`` (default: from the measured values), the line
    y1' = y2', the point where a chi2 contour touches it and (optionally) the major axis."""
    y = problem.values
    V = problem.covariance_measured() if cov is None else np.asarray(cov, float)
    for c, ls in zip(cs, ("-", "--")):
        pts = problem.ellipse(c, cov=V)
        ax.plot(pts[:, 0], pts[:, 1], color="C0", ls=ls, label=f"$c = {c:g}$")
    mu, c_touch = problem.touching_point(cov=V)
    if c_touch > 1e-9:          # c = 0 when the measurement already lies on the line
        pts = problem.ellipse(c_touch, cov=V)
        ax.plot(pts[:, 0], pts[:, 1], color="C3", lw=1, ls=":",
                label=f"touching contour, $c = {c_touch:.2f}$")
    lo, hi = min(y.min(), mu) - 2.5, max(y.max(), mu) + 2.5
    if major_axis:
        _major_axis(ax, y, V, 4.0, color="C4", lw=1, ls="-.", label="major axis")
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


def plot_estimates(ax, problem: NormalisationProblem, *, likelihood: bool = False):
    """Every estimator as a point with its (possibly asymmetric) 68 % interval."""
    table = problem.compare(likelihood=likelihood)
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
    covariance evaluated at the fitted value (the N-on-prediction picture). Both with
    the major axis drawn."""
    problem = problem or course_problem()
    ax1, ax2 = fig.subplots(1, 2, sharex=True, sharey=True)
    plot_ellipses(ax1, problem, title="covariance from measured values", major_axis=True)
    mu_rel = problem.relative_covariance_fit(minos=False).value
    plot_ellipses(ax2, problem, cov=problem.covariance_at(mu_rel),
                  title="covariance at the fitted value", major_axis=True)
    ax1.legend(loc="upper left", fontsize=7)


def draw_mean_difference(fig, problem: NormalisationProblem | None = None) -> None:
    """The same ellipses in the coordinates mean m = (y1' + y2')/2 and difference
    d = y2' - y1' (unequal scales): the line y1' = y2' is d = 0 and the tilt is visible.

    For both covariances: the c = 1 and c = 2 contours, the touching contour and the
    touching point; the measurement at (plain mean, y2 - y1).
    """
    problem = problem or course_problem()
    mu_rel = problem.relative_covariance_fit(minos=False).value
    covs = [(COVARIANCE_MEASURED, problem.covariance_measured()),
            (f"covariance at the fitted value, $\\mu = {mu_rel:.2f}$", problem.covariance_at(mu_rel))]
    colors = (METHODS[COVARIANCE_MEASURED][0], METHODS[COVARIANCE_RELATIVE][0])
    ax = fig.subplots()

    def to_md(pts):
        return np.column_stack([pts.mean(axis=1), pts[:, 1] - pts[:, 0]])

    for (label, V), color in zip(covs, colors):
        mu, c_touch = problem.touching_point(cov=V)
        for c, ls in ((1.0, "-"), (2.0, "--")):
            md = to_md(problem.ellipse(c, cov=V, npoints=400))
            ax.plot(md[:, 0], md[:, 1], color=color, ls=ls, lw=1.2,
                    label=f"{label}: $c = 1$, $2$" if c == 1.0 else None)
        md = to_md(problem.ellipse(c_touch, cov=V, npoints=400))
        ax.plot(md[:, 0], md[:, 1], color=color, ls=":", lw=1)
        ax.plot(mu, 0.0, "*", color=color, ms=13, mec="k", mew=0.5,
                label=rf"touches $d = 0$ at $\hat\mu = {mu:.3f}$ ($c = {c_touch:.2f}$)")
    y = problem.values
    ax.plot(y.mean(), y[1] - y[0], "o", color="k", label="measurement")
    ax.axhline(0.0, color="k", lw=1, label=r"$y_1' = y_2'$, i.e. $d = 0$")
    ax.set_xlabel(r"mean $m = (y_1' + y_2')/2$")
    ax.set_ylabel(r"difference $d = y_2' - y_1'$")
    ax.set_ylim(-0.25, 1.15)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7.5)


def _no_contour_labels(*args, **kwargs) -> list:
    return []


def _check_fit(m, what: str) -> None:
    if not (m.valid and m.fmin.has_accurate_covar):
        raise InputError(f"the {what} fit is not trustworthy (valid = {m.valid}, accurate "
                         f"covariance = {m.fmin.has_accurate_covar}): no contour drawn")


def draw_valley(fig, problem: NormalisationProblem | None = None, size: int = 40) -> None:
    """The chi2 valleys of the two nuisance-parameter fits in the (mu, N) plane.

    For each fit, iminuit's ``draw_mncontour`` draws the contour whose shadow on mu is
    the 1-d interval (Delta chi2 = 1) and the 68 % region for both parameters; the line
    is the valley floor, the N minimising chi2 at each mu. Raises InputError if a fit is
    not valid or its covariance not accurate.
    """
    problem = problem or course_problem()
    if problem.norm_error == 0:
        raise InputError("with no normalisation uncertainty there is no N to draw")
    axes = fig.subplots(1, 2)
    mu = np.linspace(6.0, 10.8, 300)
    y, w = problem.values, problem.stat_errors**-2.0
    a = problem.norm_error**2
    # valley floor of N on data: chi2 is quadratic in N at fixed mu
    floor_data = (mu * (w @ y) + 1.0 / a) / (w @ y**2 + 1.0 / a)
    _, floor_pred = problem.profile_chi2_prediction(mu, return_N=True)
    for ax, on, floor, color in ((axes[0], "data", floor_data, METHODS[N_ON_DATA][0]),
                                 (axes[1], "prediction", floor_pred, METHODS[N_ON_PREDICTION][0])):
        m = problem.nuisance_minuit(on, minos=False)
        _check_fit(m, f"N-on-{on}")
        plt.sca(ax)
        # draw_mncontour labels each level inline with its probability (0.3935, 0.68),
        # which cuts gaps into these thin contours; the legend names the levels instead
        with mock.patch("matplotlib.pyplot.clabel", _no_contour_labels):
            cs = m.draw_mncontour("mu", "N", cl=[CL_DELTA1, 0.68], size=size, interpolated=200)
        for edge, label in zip(cs.get_edgecolor(),
                               (r"$\Delta\chi^2 = 1$: its shadow on $\mu$ is the MINOS interval",
                                r"68 % region for $(\mu, N)$ together")):
            ax.plot([], [], color=edge, label=label)
        ax.plot(mu, floor, color=color, lw=1, ls="--", label=r"valley floor $\hat N(\mu)$")
        ax.plot(m.values["mu"], m.values["N"], "*", color=color, ms=12, mec="k", mew=0.5,
                label=rf"minimum $\hat\mu = {m.values['mu']:.3f}$, $\hat N = {m.values['N']:.3f}$")
        ax.set_title(f"N on {on}")
        ax.set_xlim(mu[0], mu[-1])
        ax.set_ylim(0.78, 1.22)
        ax.set_xlabel(r"$\mu$")
        ax.set_ylabel(r"$N$")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7.5)


def draw_estimates(fig, problem: NormalisationProblem | None = None) -> None:
    """All estimators in one figure, with the Gaussian likelihood including ln det V."""
    plot_estimates(fig.subplots(), problem or course_problem(), likelihood=True)


def draw_norm_scan(fig, norm_rels=None, stat_rel: float = 0.02, values=None) -> None:
    """Each estimator against the normalisation uncertainty (0-30 %)."""
    values = data.normalisation_inputs()["value"].to_numpy() if values is None else values
    norm_rels = np.linspace(0.0, 0.3, 31) if norm_rels is None else norm_rels
    scan = scan_norm(values, stat_rel, norm_rels)
    ax = fig.subplots()
    x = 100 * np.asarray(scan.index)
    for label in (COVARIANCE_MEASURED, N_ON_PREDICTION):
        color, _ = METHODS[label]
        v, e = scan[("value", label)], scan[("error", label)]
        ax.plot(x, v, color=color, label=label)
        ax.fill_between(x, v - e, v + e, color=color, alpha=0.12)
    for label in (N_ON_DATA, COVARIANCE_RELATIVE):
        color, marker = METHODS[label]
        ax.plot(x[::3], scan[("value", label)].iloc[::3], marker, color=color,
                label=f"{label} (identical)")
    for k, y in enumerate(values):
        ax.axhline(y, color="0.6", lw=1, ls="--")
    threshold = NormalisationProblem.from_relative(values, stat_rel, 0.0).negative_weight_threshold()
    if np.isfinite(threshold) and threshold <= x.max() / 100:
        ax.axvline(100 * threshold, color="0.4", lw=1, ls=":")
        ax.annotate("a weight turns negative", (100 * threshold, ax.get_ylim()[1]), xytext=(3, -3),
                    textcoords="offset points", ha="left", va="top", fontsize=8, color="0.3")
    ax.set_xlabel(r"normalisation uncertainty $\varepsilon$ [%]")
    ax.set_ylabel("combined value (band: $\\pm 1\\sigma$)")
    ax.legend(loc="lower left", fontsize=8)


def _closed_form_curves(problems):
    """Covariance fit and N-on-prediction value and (HESSE) error for a list of problems."""
    cov = [p.covariance_fit() for p in problems]
    wm = [p.weighted_mean() for p in problems]
    v_cov = np.array([e.value for e in cov])
    e_cov = np.array([e.error for e in cov])
    v_pred = np.array([e.value for e in wm])
    e_pred = np.hypot([e.error for e in wm], [p.norm_error * e.value for p, e in zip(problems, wm)])
    return v_cov, e_cov, v_pred, e_pred


def draw_input_scans(fig, stat_rels=None, y2s=None) -> None:
    """The covariance fit and the N-on-prediction estimate (bands: +-1 sigma) against the
    relative stat uncertainty (left) and against the second measurement y2 (right),
    everything else at the course values; the measurements are dashed. Closed forms only."""
    stat_rels = np.linspace(0.005, 0.10, 39) if stat_rels is None else np.asarray(stat_rels, float)
    y2s = np.linspace(7.0, 10.0, 61) if y2s is None else np.asarray(y2s, float)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    base = course_problem()
    for ax, x, problems, xlabel in (
            (ax1, 100 * stat_rels, [course_problem(stat_rel=r) for r in stat_rels],
             r"relative statistical uncertainty [%]"),
            (ax2, y2s, [course_problem(y2=v) for v in y2s], r"second measurement $y_2$")):
        v_cov, e_cov, v_pred, e_pred = _closed_form_curves(problems)
        for label, v, e in ((COVARIANCE_MEASURED, v_cov, e_cov), (N_ON_PREDICTION, v_pred, e_pred)):
            color = METHODS[label][0]
            ax.plot(x, v, color=color, label=label)
            ax.fill_between(x, v - e, v + e, color=color, alpha=0.12)
        ax.set_xlabel(xlabel)
    for y in base.values:
        ax1.axhline(y, color="0.6", lw=1, ls="--")
    ax2.axhline(base.values[0], color="0.6", lw=1, ls="--")
    ax2.plot(y2s, y2s, color="0.6", lw=1, ls="--", label=r"$y_1$ and $y_2$")
    ax1.axvline(100 * base.stat_errors[0] / base.values[0], color="0.3", lw=0.8, ls=":")
    ax2.axvline(base.values[1], color="0.3", lw=0.8, ls=":")
    ax1.set_ylabel("combined value (band: $\\pm 1\\sigma$)")
    ax2.legend(loc="upper left", fontsize=8)


class Panel(PanelView):
    """Slider view: the ellipses of the covariance from the measured values (left) and
    every estimator with its 68 % interval (right), all from
    :meth:`~helpers.normalisation.NormalisationProblem.closed_forms` (exact; the tests
    check them against Minuit's fits)."""

    figsize = (10, 4.2)
    ROWS = (COVARIANCE_MEASURED, N_ON_DATA, N_ON_PREDICTION, COVARIANCE_RELATIVE, WEIGHTED_MEAN)
    NEAR_1, NEAR_2 = (4.0, 12.0), (5.0, 11.0)
    FAR = (-2.0, 14.0)
    """Axis ranges: close up (ellipses, estimates) and the whole reach of the sliders
    (every value and interval edge of the slider ranges lies in [-0.2, 12.7])."""

    def compute(self, norm_rel: float = 0.10, stat_rel: float = 0.02, y2: float = 8.5) -> dict:
        problem = course_problem(norm_rel, stat_rel, y2)
        V = problem.covariance_measured()
        mu, c_touch = problem.touching_point(cov=V)
        return {"y": problem.values, "mu": mu, "c_touch": c_touch,
                "ellipses": [problem.ellipse(c, cov=V) for c in (1.0, 2.0)],
                "touching": problem.ellipse(c_touch, cov=V) if c_touch > 1e-9 else None,
                "estimates": {e.method: e for e in problem.closed_forms()}}

    def setup(self, fig, scene) -> None:
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
        scene.ax1, scene.ax2 = ax1, ax2
        scene.ellipses = [scene.live(ax1.plot([], [], color="C0", ls=ls)[0]) for ls in ("-", "--")]
        (scene.touching,) = scene.live(ax1.plot([], [], color="C3", lw=1, ls=":"))
        ax1.plot([-1e3, 1e3], [-1e3, 1e3], color="k", lw=1)
        (scene.point,) = scene.live(ax1.plot([], [], "o", color="k"))
        (scene.star,) = scene.live(ax1.plot([], [], "*", color="C3", ms=12))
        ax1.set_aspect("equal")
        ax1.set_xlabel(r"$y_1'$")
        ax1.set_ylabel(r"$y_2'$")
        scene.rows = [interval_row(ax2, *METHODS[label], scene=scene) for label in self.ROWS]
        scene.inputs = [(scene.live(ax2.axvline(0, color="0.6", lw=1, ls="--")),
                         scene.live(ax2.annotate(f"$y_{k + 1}$", (0, 0.6), ha="center", color="0.4")))
                        for k in range(2)]
        ax2.set_yticks(-np.arange(len(self.ROWS)), self.ROWS)
        ax2.set_ylim(-len(self.ROWS) + 0.4, 0.9)
        ax2.set_xlabel("combined value")
        ax2.grid(axis="y", visible=False)

    def show(self, scene, d: dict) -> str:
        y, mu = d["y"], d["mu"]
        for line, pts in zip(scene.ellipses, d["ellipses"]):
            line.set_data(pts[:, 0], pts[:, 1])
        if d["touching"] is None:
            scene.touching.set_data([], [])
        else:
            scene.touching.set_data(d["touching"][:, 0], d["touching"][:, 1])
        scene.point.set_data([y[0]], [y[1]])
        scene.star.set_data([mu], [mu])
        # two zoom levels per panel: close up while everything fits, else the whole reach
        # of the sliders (so at most four backgrounds are ever rendered)
        near = min(y.min(), mu) >= self.NEAR_1[0] + 1.5 and max(y.max(), mu) <= self.NEAR_1[1] - 1.5
        lim1 = self.NEAR_1 if near else self.FAR
        scene.set_limits(scene.ax1, lim1, lim1)
        est = d["estimates"]
        ends = [v for e in est.values() for v in (e.lower, e.upper) if np.isfinite(v)] + list(y)
        near = min(ends) >= self.NEAR_2[0] + 0.2 and max(ends) <= self.NEAR_2[1] - 0.2
        xlo, xhi = self.NEAR_2 if near else self.FAR
        scene.set_limits(scene.ax2, (xlo, xhi))
        for i, (row, label) in enumerate(zip(scene.rows, self.ROWS)):
            e = est[label]
            set_interval(row, -i, e.value, e.lower, e.upper, span=(xlo, xhi))
        for (line, note), yk in zip(scene.inputs, y):
            line.set_xdata([yk, yk])
            note.xy = note.xyann = (yk, 0.6)
        cov_fit, nuis = est[COVARIANCE_MEASURED], est[N_ON_PREDICTION]
        return (f"covariance from measured values: {cov_fit.value:.2f} ± {cov_fit.error:.2f}; "
                f"N on prediction: {nuis.value:.2f} "
                f"(-{nuis.value - nuis.lower:.2f} / +{nuis.upper - nuis.value:.2f})")


draw_panel = Panel().draw
"""``draw_panel(fig, norm_rel=0.10, stat_rel=0.02, y2=8.5)``: :class:`Panel` drawn into
``fig``; returns its one-line summary."""

PANELS = {
    "normalisation": Panel_(Panel(), (
        Slider("norm_rel", 0.10, 0.0, 0.30, 0.01, "normalisation uncertainty ε"),
        Slider("stat_rel", 0.02, 0.005, 0.10, 0.005, "relative stat. uncertainty", ".3f"),
        Slider("y2", 8.5, 7.0, 10.0, 0.05, "second measurement y₂"),
    ), figsize=(10, 4.2)),
}
"""The chapter's slider panel, built in the notebook by ``figs.PANELS["normalisation"].widget()``."""


def draw_chi2_curves(fig, problem: NormalisationProblem | None = None) -> None:
    """chi2 against mu: covariance from measured values, covariance relative to the fit,
    the profile over N of the N-on-prediction fit (which coincides with it), and
    -2 ln L including ln det V(mu), shifted to the same minimum."""
    problem = problem or course_problem()
    mu = np.linspace(5.5, 11.0, 400)
    ax = fig.subplots()
    ax.plot(mu, problem.measured_covariance_chi2(mu), color=METHODS[COVARIANCE_MEASURED][0],
            label=COVARIANCE_MEASURED)
    rel_curve = problem.relative_covariance_chi2(mu)
    ax.plot(mu, rel_curve, color=METHODS[COVARIANCE_RELATIVE][0], label=COVARIANCE_RELATIVE)
    ax.plot(mu[::12], problem.profile_chi2_prediction(mu[::12]), "o", mfc="none",
            color=METHODS[N_ON_PREDICTION][0], label="N on prediction, profiled over N")
    nll = problem.likelihood_nll(mu)
    ax.plot(mu, nll - nll.min() + rel_curve.min(), color=METHODS[GAUSSIAN_LIKELIHOOD][0], ls="--",
            label=r"$-2\ln L$ with $\ln\det V(\mu)$, shifted to the same minimum")
    est = problem.relative_covariance_fit()
    ax.axhline(est.chi2_min + 1, color="0.5", lw=0.8, ls=":")
    ax.axvspan(est.lower, est.upper, color=METHODS[N_ON_PREDICTION][0], alpha=0.12,
               label=rf"$\Delta\chi^2 \leq 1$: $[{est.lower:.2f}, {est.upper:.2f}]$")
    ax.set_ylim(3.5, 9)
    ax.set_xlabel(r"$\mu$")
    ax.set_ylabel(r"$\chi^2(\mu)$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7.5)


def draw_toy_bias(fig, study=None, observed: NormalisationProblem | None = None) -> None:
    """Toy study: top, how often each tension occurs (with the chi2 distribution for one
    degree of freedom); bottom, the mean bias of each estimator in bins of the tension,
    with the line -eps^2 x tension x mu_true and the observed tension marked."""
    from ..normalisation_toys import ESTIMATORS, run
    study = study or run()
    observed = observed or course_problem()
    t_obs = observed.tension()["chi2"]
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.6]})
    edges = np.linspace(0, 12, 49)
    tension = study.toys["tension"].to_numpy()
    ax1.hist(tension, bins=edges, density=True, color="0.75", label="pseudo-experiments")
    x = np.linspace(0.05, 12, 300)
    ax1.plot(x, stats.chi2.pdf(x, 1), color="k", lw=1, label=r"$\chi^2$ distribution, 1 dof")
    ax1.set_yscale("log")
    ax1.set_ylabel("density")
    ax1.legend(loc="upper right", fontsize=8)
    table = study.bias_vs_tension()
    table = table[table["toys"] >= 50]
    xt = table["mean tension"].to_numpy()
    offsets = np.linspace(-0.12, 0.12, len(ESTIMATORS))
    for est, dx in zip(ESTIMATORS, offsets):
        color, marker = METHODS[est]
        ax2.errorbar(xt + dx, table[est], yerr=table[f"{est} mc error"], fmt=marker + "-",
                     color=color, ms=5, lw=1, capsize=2, label=est)
    ax2.plot(x, -study.norm_rel**2 * x * study.mu_true, color=METHODS[COVARIANCE_MEASURED][0],
             lw=0.8, ls=":", label=r"$-\varepsilon^2 \times$ tension $\times\,\mu_{true}$")
    ax2.axhline(0, color="k", lw=0.8)
    for ax in (ax1, ax2):
        ax.axvline(t_obs, color="C3", lw=1, ls="--")
    ax2.annotate(f"observed: {t_obs:.2f}", (t_obs, 0.05), xytext=(4, 0), textcoords="offset points",
                 color="C3", fontsize=8)
    ax2.set_xlim(0, 12)
    ax2.set_ylim(-1.2, 0.12)
    ax2.set_xlabel(r"observed tension: $\chi^2_{min}$ of the covariance fit")
    ax2.set_ylabel(r"mean bias $\langle\hat\mu - \mu_{true}\rangle$")
    ax2.legend(loc="lower left", fontsize=7.5)
