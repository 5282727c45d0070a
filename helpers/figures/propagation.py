"""Figures of the chapter "Error propagation"."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .. import SEED
from ..propagation import (
    A_ERRORS,
    A_NOMINAL,
    RHO,
    b_cut_covariance,
    b_linear,
    b_samples,
    cov_a,
    lny_distribution,
    lny_samples,
    mean_std,
    running_moments,
    running_quantiles,
    sample_gaussian,
    sigma_y_b,
    sigma_y_formula,
    y_a,
)
from ..plotting import PanelView
from ..validation import as_correlation, as_number, as_vector
from ..widgets import Panel as Panel_, Slider

__all__ = ["PANEL_SIZE", "plot_band", "plot_mc_vs_linear", "draw_band", "draw_mc_vs_linear",
           "draw_b2_running", "draw_lny", "Panel", "draw_panel", "draw_sigma_b", "PANELS"]

PANEL_SIZE = 20_000
"""Monte Carlo samples per slider update (seeded with :data:`helpers.SEED`): fast enough to drag."""

_CORR, _UNCORR, _MC = "C0", "C1", "0.55"


def _degenerate(spread: float, scale: float) -> bool:
    """A spread that is zero up to rounding (y(0) = 1 exactly; |rho| = 1 at special x)."""
    return spread <= 1e-9 * max(1.0, abs(scale))


def plot_band(ax, xs, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1], *, mark_x=None):
    """y(x) with its linear +-1 sigma band for ``rho`` and for rho = 0 (closed-form sigma_y)."""
    y = y_a(xs, A_NOMINAL)
    for r, color, ls in ((0.0, _UNCORR, "--"), (rho, _CORR, "-")):
        s = sigma_y_formula(xs, r, sigma1, sigma2)
        ax.fill_between(xs, y - s, y + s, color=color, alpha=0.25, lw=0)
        ax.plot(xs, y + s, color=color, lw=1, ls=ls, label=rf"$\pm\sigma_y$, $\rho = {r:.2g}$")
        ax.plot(xs, y - s, color=color, lw=1, ls=ls)
    ax.plot(xs, y, color="k", lw=1.2, label=r"$y = 1 + a_1x + a_2x^2$")
    if mark_x is not None:
        ax.axvline(mark_x, color="0.4", lw=0.8, ls=":")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")


def plot_mc_vs_linear(ax, samples, y0: float, sigma: float, *, label: str = "$y$", bins: int = 80,
                      n_total: int | None = None):
    """Histogram (density) of MC samples against the linear Gaussian N(y0, sigma).

    ``n_total``: number of samples *before* undefined ones were dropped; the histogram is
    then normalised to the defined fraction (area < 1), comparable with the Gaussian.
    A zero spread (every sample equal, e.g. y(0) = 1) is drawn as a vertical line.
    """
    samples = np.asarray(samples, dtype=float)
    n_total = samples.size if n_total is None else n_total
    if _degenerate(np.ptp(samples), y0) and _degenerate(sigma, y0):
        ax.axvline(y0, color=_CORR, lw=2,
                   label=f"every sample: {label} = {np.mean(samples):.4g}, linear $\\sigma$ = 0")
        ax.set_xlim(y0 - 1, y0 + 1)
        ax.set_yticks([])
    else:
        lo, hi = np.quantile(samples, [0.0005, 0.9995])
        if sigma > 0:
            lo, hi = min(lo, y0 - 4 * sigma), max(hi, y0 + 4 * sigma)
        width = (hi - lo) / bins
        frac = "" if n_total == samples.size else f", area {samples.size / n_total:.1%}"
        ax.hist(samples, bins=bins, range=(lo, hi), color=_MC, alpha=0.7,
                weights=np.full(samples.size, 1.0 / (n_total * width)),
                label=f"Monte Carlo ({samples.size:,} samples{frac})")
        if sigma > 0:
            g = np.linspace(lo, hi, 400)
            ax.plot(g, stats.norm.pdf(g, y0, sigma), color=_CORR,
                    label=f"linear: N({y0:.3g}, {sigma:.3g})")
        else:
            ax.axvline(y0, color=_CORR, label=f"linear: {label} = {y0:.3g}, $\\sigma$ = 0")
        ax.set_xlim(lo, hi)
        ax.set_ylabel("density")
    ax.set_xlabel(label)


def draw_band(fig, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1], xs=None) -> None:
    """Top: y(x) with the +-sigma_y band with and without correlation. Bottom: sigma_y(x)."""
    as_correlation(rho, "rho")
    xs = np.linspace(-3.0, 3.0, 601) if xs is None else as_vector(xs, "xs")
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.6, 1]})
    plot_band(ax1, xs, rho, sigma1, sigma2)
    ax1.legend(loc="upper left", fontsize=8)
    for r, color, ls in ((0.0, _UNCORR, "--"), (rho, _CORR, "-")):
        ax2.plot(xs, sigma_y_formula(xs, r, sigma1, sigma2), color=color, ls=ls,
                 label=rf"$\rho = {r:.2g}$")
    ax2.set_xlabel("$x$")
    ax2.set_ylabel(r"$\sigma_y$")
    ax2.legend(loc="upper center", fontsize=8)
    ax1.set_xlabel("")


def draw_mc_vs_linear(fig, x=(-1.0, 1.0, 3.0), size=10**6, seed=SEED, rho=RHO,
                      sigma1=A_ERRORS[0], sigma2=A_ERRORS[1]) -> None:
    """MC histogram of y(x) against the linear Gaussian, one panel per ``x`` (a number or a list)."""
    xv = as_vector(x, "x")
    a = sample_gaussian(A_NOMINAL, cov_a(rho, sigma1, sigma2), size, seed)
    axes = np.atleast_1d(fig.subplots(1, xv.size))
    for ax, xx in zip(axes, xv):
        plot_mc_vs_linear(ax, y_a(xx, a), float(y_a(xx, A_NOMINAL)),
                          sigma_y_formula(xx, rho, sigma1, sigma2), label=f"$y({xx:g})$")
        ax.legend(loc="upper left", fontsize=7)
    for ax in axes[1:]:
        ax.set_ylabel("")


def draw_b2_running(fig, size=10**6, seed=SEED) -> None:
    """Left: running variance of b1 and b2 over the linear variance -- b1 settles at 1, b2 never
    does. Right: running median and 68 % quantiles of b2, which settle."""
    b0, cb = b_linear()
    bs = b_samples(size, seed)
    ax1, ax2 = fig.subplots(1, 2)
    for i, color in ((0, _UNCORR), (1, _CORR)):
        run = running_moments(bs[i], points=300)
        ax1.plot(run.index, run["variance"] / cb[i, i], color=color,
                 label=rf"$b_{i + 1}$ (linear Var = {cb[i, i]:.3g})")
    ax1.axhline(1.0, color="k", lw=0.8, ls=":")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("number of samples $n$")
    ax1.set_ylabel("running variance / linear variance")
    ax1.legend(loc="upper left", fontsize=8)
    q = running_quantiles(bs[1], points=150)
    labels = ("15.9 % quantile", "median", "84.1 % quantile")
    for col, lab, ls in zip(q.columns, labels, (":", "-", ":")):
        ax2.plot(q.index, q[col], color=_CORR, ls=ls, label=lab)
    s = np.sqrt(cb[1, 1])
    for v in (b0[1] - s, b0[1], b0[1] + s):
        ax2.axhline(v, color="0.5", lw=0.8, ls="--")
    ax2.annotate(r"linear $b_2 \pm \sigma$", (q.index[-1], b0[1] + s), ha="right", va="bottom",
                 fontsize=8, color="0.4")
    ax2.set_xscale("log")
    ax2.set_ylim(b0[1] - 2 * s, b0[1] + 2 * s)
    ax2.set_xlabel("number of samples $n$")
    ax2.set_ylabel("running quantiles of $b_2$")
    ax2.legend(loc="lower right", fontsize=8)


def draw_lny(fig, x=-2.0, size=10**6, seed=SEED) -> None:
    """Left: y(-1) is centred on 0, so ln y is undefined for about half of the samples.
    Right: z = ln y at ``x`` (defined samples) against the linear Gaussian N(ln y, sigma_y/|y|).
    Each panel's title names its quantity and its x (the two panels show different x)."""
    xv = as_number(x, "x")
    a = sample_gaussian(A_NOMINAL, cov_a(), size, seed)
    ax1, ax2 = fig.subplots(1, 2)
    y1 = y_a(-1.0, a)
    neg = y1 <= 0
    rng = (np.quantile(y1, 0.0005), np.quantile(y1, 0.9995))
    ax1.hist(y1[~neg], bins=40, range=(0, rng[1]), density=False, color=_MC, alpha=0.7,
             label=r"$y > 0$")
    ax1.hist(y1[neg], bins=40, range=(rng[0], 0), density=False, color=_UNCORR, alpha=0.7,
             label=rf"$y \leq 0$: no $\ln y$ ({100 * neg.mean():.1f} %)")
    ax1.set_xlabel("$y(-1)$")
    ax1.set_ylabel("samples per bin")
    ax1.set_title(r"$y$ at $x = -1$: centred on 0", fontsize=9)
    ax1.legend(loc="upper left", fontsize=8)
    d = lny_distribution(xv, size, seed)
    z = lny_samples(xv, size, seed)
    n_total = z.size
    z = z[np.isfinite(z)]
    label = rf"$z = \ln y({xv:g})$"
    if np.isfinite(d.sigma_z_linear):
        plot_mc_vs_linear(ax2, z, d.z_linear, d.sigma_z_linear, label=label, n_total=n_total)
    else:  # y = 0 at the nominal point: no linear Gaussian to draw
        ax2.hist(z, bins=80, color=_MC, alpha=0.7, density=True,
                 label=f"Monte Carlo ({z.size:,} defined samples, area 100 %)")
        ax2.plot([], [], " ", label=r"linear: $z_0 = -\infty$, $\sigma_z = \infty$")
        ax2.set_xlabel(label)
        ax2.set_ylabel("density")
    ax2.set_title(rf"$\ln y$ at $x = {xv:g}$: $y \leq 0$ (no ln) for "
                  f"{100 * d.fraction_undefined:.1f} % of the samples", fontsize=9)
    ax2.legend(loc="upper left", fontsize=7)


class Panel(PanelView):
    """Slider view: the band for (rho, sigma1, sigma2) with ``x`` marked (left) and, at
    ``x``, the Monte Carlo histogram of y(x) (:data:`PANEL_SIZE` seeded samples) in units
    of the linear sigma_y around the nominal y, against the standard Gaussian (right):
    "follows the Gaussian" then always means the same curve on the same axes.

    |rho| = 1 is legal: the inputs lie on a line, the covariance is singular but positive
    semi-definite, and sampling and propagation both work (sigma_y vanishes where the line
    is parallel to the contours of y, e.g. x = 2 for rho = -1, sigma1 = 2 sigma2; the
    right panel then says so instead of dividing by zero).
    Raises InputError for |rho| > 1, negative errors, NaN.
    """

    figsize = (10, 4)
    XS = np.linspace(-3.0, 3.0, 301)
    EDGES = np.linspace(-4.5, 4.5, 61)

    def __init__(self):
        self._z = None

    def samples(self, r: float, s1: float, s2: float) -> np.ndarray:
        """The seeded inputs ``a = a0 + L z`` for one (rho, sigma1, sigma2): the standard
        normals ``z`` are drawn once (the same as :func:`sample_gaussian` draws with
        :data:`helpers.SEED`) and ``L`` is the 2x2 Cholesky factor in closed form, so a
        slider move costs two multiplications instead of a new draw."""
        if self._z is None:
            self._z = np.random.default_rng(SEED).standard_normal((2, PANEL_SIZE))
        z1, z2 = self._z
        a1 = A_NOMINAL[0] + s1 * z1
        a2 = A_NOMINAL[1] + s2 * (r * z1 + np.sqrt(max(1.0 - r * r, 0.0)) * z2)
        return np.vstack([a1, a2])

    def compute(self, rho=RHO, sigma1=A_ERRORS[0], sigma2=A_ERRORS[1], x=1.0) -> dict:
        r = as_correlation(rho, "rho")
        s1 = as_number(sigma1, "sigma1", non_negative=True)
        s2 = as_number(sigma2, "sigma2", non_negative=True)
        xx = as_number(x, "x")
        ys = y_a(xx, self.samples(r, s1, s2))
        y0 = float(y_a(xx, A_NOMINAL))
        sig = float(sigma_y_formula(xx, r, s1, s2))
        out = {"rho": r, "x": xx, "y0": y0, "sigma": sig, "summary": mean_std(ys),
               "band": sigma_y_formula(self.XS, r, s1, s2),
               "band0": sigma_y_formula(self.XS, 0.0, s1, s2), "hist": None}
        if not _degenerate(sig, y0):
            counts, _ = np.histogram((ys - y0) / sig, bins=self.EDGES)
            out["hist"] = counts / (ys.size * np.diff(self.EDGES))
        return out

    def setup(self, fig, scene) -> None:
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
        scene.ax1 = ax1
        y = y_a(self.XS, A_NOMINAL)
        scene.y = y
        scene.fills, scene.edges = [], []
        for color, ls in ((_UNCORR, "--"), (_CORR, "-")):
            scene.fills.append(scene.live(ax1.fill_between(self.XS, y, y, color=color, alpha=0.25, lw=0)))
            up = scene.live(ax1.plot(self.XS, y, color=color, lw=1, ls=ls, label=" ")[0])
            low = scene.live(ax1.plot(self.XS, y, color=color, lw=1, ls=ls)[0])
            scene.edges.append((up, low))
        ax1.plot(self.XS, y, color="k", lw=1.2, label=r"$y = 1 + a_1x + a_2x^2$")
        scene.mark = scene.live(ax1.axvline(0.0, color="0.4", lw=0.8, ls=":"))
        ax1.set_xlabel("$x$")
        ax1.set_ylabel("$y$")
        ax1.set_xlim(self.XS[0], self.XS[-1])
        scene.legend1 = scene.live(ax1.legend(loc="upper left", fontsize=7))
        scene.hist = scene.live(ax2.stairs(np.zeros(len(self.EDGES) - 1), self.EDGES, fill=True,
                                           color=_MC, alpha=0.7, label=f"Monte Carlo ({PANEL_SIZE:,} samples)"))
        g = np.linspace(self.EDGES[0], self.EDGES[-1], 400)
        ax2.plot(g, stats.norm.pdf(g), color=_CORR, label="linear: standard Gaussian")
        scene.flat = scene.live(ax2.text(0.5, 0.5, "", transform=ax2.transAxes, ha="center",
                                         va="center", fontsize=9,
                                         bbox=dict(facecolor="white", edgecolor="0.6")))
        ax2.set_xlim(self.EDGES[0], self.EDGES[-1])
        ax2.set_ylim(0, 0.55)
        ax2.set_ylabel("density")
        ax2.set_xlabel(r"$(y - \hat y)\,/\,\sigma_y$ at the marked $x$ (linear $\hat y$, $\sigma_y$)")
        scene.at = scene.live(ax2.text(0.98, 0.97, "", transform=ax2.transAxes, ha="right",
                                       va="top", fontsize=8))
        ax2.legend(loc="upper left", fontsize=7)

    def show(self, scene, d: dict) -> str:
        y = scene.y
        tops = []
        for fill, (up, low), sig, r in zip(scene.fills, scene.edges, (d["band0"], d["band"]),
                                           (0.0, d["rho"])):
            fill.set_data(self.XS, y - sig, y + sig)
            up.set_ydata(y + sig)
            low.set_ydata(y - sig)
            tops.append((np.min(y - sig), np.max(y + sig)))
        for text, r in zip(scene.legend1.get_texts(), (0.0, d["rho"])):
            text.set_text(rf"$\pm\sigma_y$, $\rho = {r:.2g}$")
        lo = 5.0 * np.floor(min(t[0] for t in tops) / 5.0)
        hi = 5.0 * np.ceil(max(t[1] for t in tops) / 5.0)
        scene.set_limits(scene.ax1, ylim=(lo, hi))
        scene.mark.set_xdata([d["x"], d["x"]])
        xx, y0, sig = d["x"], d["y0"], d["sigma"]
        if d["hist"] is None:
            scene.hist.set_data(np.zeros(len(self.EDGES) - 1), self.EDGES)
            scene.flat.set_text(f"σ_y = 0 at x = {xx:.2f}:\nevery sample gives y = {y0:.4g},\nno histogram to draw")
        else:
            scene.hist.set_data(d["hist"], self.EDGES)
            scene.flat.set_text("")
        scene.at.set_text(f"x = {xx:.2f}\nŷ = {y0:.3g}\nσ_y = {sig:.3g}")
        mean, mean_err, std, std_err = d["summary"]
        return (f"x = {xx:.2f}: y = {y0:.3f} ± {sig:.3f} (linear, rho = {d['rho']:.2f}); "
                f"Monte Carlo ({PANEL_SIZE} samples): mean {mean:.3f} ± {mean_err:.3f}, "
                f"std {std:.3f} ± {std_err:.3f}")


draw_panel = Panel().draw
"""``draw_panel(fig, rho=-0.8, sigma1=0.2, sigma2=0.1, x=1.0)``: :class:`Panel` drawn
into ``fig``; returns its one-line summary."""

PANELS = {
    "propagation": Panel_(Panel(), (
        Slider("rho", -0.8, -1.0, 1.0, 0.05, "correlation ρ"),
        Slider("sigma1", 0.2, 0.0, 0.5, 0.01, "σ(a₁)"),
        Slider("sigma2", 0.1, 0.0, 0.5, 0.01, "σ(a₂)"),
        Slider("x", 1.0, -3.0, 3.0, 0.05, "x"),
    ), figsize=(10, 4)),
}
"""The chapter's slider panel, built in the notebook by ``figs.PANELS["propagation"].widget()``."""


def draw_sigma_b(fig, lo=0.0, hi=5.0, size=10**6, seed=SEED, xs=None) -> None:
    """Top: sigma_y(x) from Cov(a), from the linear Cov(b) through y_b (markers on the same
    curve), and from the covariance of the Monte Carlo b samples kept by ``lo < b2 < hi``.
    Bottom: each divided by the Cov(a) result."""
    xs = np.linspace(-3.0, 3.0, 601) if xs is None else as_vector(xs, "xs")
    marks = xs[::25]
    s_a = sigma_y_formula(xs)
    s_b = sigma_y_b(marks)
    s_cut = sigma_y_b(xs, cov_b=b_cut_covariance(lo, hi, size, seed))
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.6, 1]})
    ax1.plot(xs, s_a, color="k", lw=1.2, label=r"from Cov($a$) through $y(a)$")
    ax1.plot(marks, s_b, "o", color=_CORR, ms=5, mfc="none",
             label=r"from linear Cov($b$) through $y(b)$")
    ax1.plot(xs, s_cut, color=_UNCORR, ls="--",
             label=rf"from Cov of MC $b$ with ${lo:g} < b_2 < {hi:g}$")
    ax1.set_ylabel(r"$\sigma_y$")
    ax1.legend(loc="upper center", fontsize=8)
    with np.errstate(invalid="ignore", divide="ignore"):
        ax2.plot(marks, s_b / sigma_y_formula(marks), "o", color=_CORR, ms=5, mfc="none")
        ax2.plot(xs, s_cut / s_a, color=_UNCORR, ls="--")
    ax2.axhline(1.0, color="k", lw=1.2)
    ax2.set_xlabel("$x$")
    ax2.set_ylabel(r"ratio to Cov($a$)")
