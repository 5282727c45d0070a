"""Figures of the chapter "Working with this book"."""

from __future__ import annotations

import numpy as np

from .. import SEED
from ..montecarlo import mean_distribution, sample_means

__all__ = ["draw_sample_means"]


def draw_sample_means(fig, n: int = 10, repeats: int = 2000) -> str:
    """Histogram of Monte Carlo sample means for sample size ``n`` with the exact pdf."""
    n = int(n)
    means = sample_means(n, repeats, np.random.default_rng(SEED))
    exact = mean_distribution(n)
    ax = fig.subplots()
    ax.hist(means, bins=40, range=(-1.5, 1.5), density=True, alpha=0.6,
            label=f"{repeats} Monte Carlo means")
    x = np.linspace(-1.5, 1.5, 400)
    ax.plot(x, exact.pdf(x), label=r"exact: $\mathcal{N}(0,\, 1/\sqrt{n})$")
    ax.set_xlabel(f"mean of n = {n} standard-normal draws")
    ax.set_ylabel("probability density")
    ax.legend(loc="upper right")
    return (f"n = {n}: Monte Carlo spread {np.std(means, ddof=1):.3f}, "
            f"exact 1/sqrt(n) = {exact.std():.3f}")


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
