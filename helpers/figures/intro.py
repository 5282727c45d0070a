"""Figures of the chapter "Working with this book"."""

from __future__ import annotations

import numpy as np

from .. import SEED
from ..intro import mean_distribution, sample_means
from ..plotting import PanelView
from ..widgets import Panel, Slider

__all__ = ["SampleMeans", "draw_sample_means", "draw_spread_vs_n", "PANELS"]


class SampleMeans(PanelView):
    """Histogram of Monte Carlo sample means for sample size ``n`` (``repeats`` seeded
    samples) against the exact pdf N(0, 1/sqrt(n))."""

    EDGES = np.linspace(-1.5, 1.5, 41)
    X = np.linspace(-1.5, 1.5, 400)

    def __init__(self, repeats: int = 2000):
        self.repeats = repeats
        self._means: dict = {}

    def compute(self, n: int = 10) -> dict:
        if isinstance(n, (float, np.floating)) and float(n).is_integer():
            n = int(n)                              # a slider position such as 10.0
        if n not in self._means:                    # seeded: the same means for the same n
            self._means[n] = sample_means(n, self.repeats, np.random.default_rng(SEED))
        means = self._means[n]
        counts, _ = np.histogram(means, bins=self.EDGES)
        exact = mean_distribution(n)
        return {"n": n, "density": counts / (means.size * np.diff(self.EDGES)),
                "pdf": exact.pdf(self.X), "spread": float(np.std(means, ddof=1)),
                "exact": float(exact.std())}

    def setup(self, fig, scene) -> None:
        ax = fig.subplots()
        scene.ax = ax
        scene.hist = scene.live(ax.stairs(np.zeros(len(self.EDGES) - 1), self.EDGES, fill=True,
                                          alpha=0.6, label=f"{self.repeats} Monte Carlo means"))
        (scene.pdf,) = scene.live(ax.plot(self.X, 0 * self.X, color="C1",
                                          label=r"exact: $\mathcal{N}(0,\, 1/\sqrt{n})$"))
        scene.n = scene.live(ax.text(0.02, 0.96, "", transform=ax.transAxes, va="top"))
        ax.set_xlim(self.EDGES[0], self.EDGES[-1])
        ax.set_xlabel("mean of n standard-normal draws")
        ax.set_ylabel("probability density")
        ax.legend(loc="upper right")

    def show(self, scene, d: dict) -> str:
        scene.hist.set_data(d["density"], self.EDGES)
        scene.pdf.set_ydata(d["pdf"])
        scene.n.set_text(f"n = {d['n']}")
        top = max(d["density"].max(), d["pdf"].max()) * 1.15
        scene.set_limits(scene.ax, ylim=(0, next(t for t in (0.6, 1.2, 2.5, 5.0, np.inf) if t >= top)))
        return (f"n = {d['n']}: Monte Carlo spread {d['spread']:.3f}, "
                f"exact 1/sqrt(n) = {d['exact']:.3f}")


def draw_sample_means(fig, n: int = 10, repeats: int = 2000) -> str:
    """Histogram of Monte Carlo sample means for sample size ``n`` with the exact pdf."""
    return SampleMeans(repeats).draw(fig, n=n)


def draw_spread_vs_n(fig, n_max: int = 100, repeats: int = 2000) -> None:
    """Monte Carlo spread of the sample mean against n, with the exact 1/sqrt(n)."""
    rng = np.random.default_rng(SEED)
    ns = np.unique(np.geomspace(1, n_max, 15).astype(int))
    spread = [np.std(sample_means(n, repeats, rng), ddof=1) for n in ns]
    ax = fig.subplots()
    ax.plot(ns, spread, "o", label="Monte Carlo")
    x = np.geomspace(1, n_max, 200)
    ax.plot(x, 1 / np.sqrt(x), label=r"$1/\sqrt{n}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sample size n")
    ax.set_ylabel("standard deviation of the mean")
    ax.legend()


PANELS = {
    "sample_means": Panel(SampleMeans(), (Slider("n", 10, 1, 100, 1, "n", integer=True),)),
}
"""The chapter's slider panel, built in the notebook by ``figs.PANELS["sample_means"].widget()``."""
