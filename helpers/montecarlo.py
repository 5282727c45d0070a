"""Small Monte Carlo tools used across chapters."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .validation import InputError

__all__ = ["sample_means", "mean_distribution"]


def sample_means(n: int, repeats: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``repeats`` independent samples of ``n`` standard-normal draws each."""
    n, repeats = int(n), int(repeats)
    if n < 1 or repeats < 1:
        raise InputError(f"need n >= 1 and repeats >= 1, got n={n}, repeats={repeats}")
    return rng.standard_normal((repeats, n)).mean(axis=1)


def mean_distribution(n: int):
    """Exact distribution of the mean of ``n`` standard-normal draws: N(0, 1/sqrt(n))."""
    if int(n) < 1:
        raise InputError(f"need n >= 1, got {n}")
    return stats.norm(0.0, 1.0 / np.sqrt(int(n)))
