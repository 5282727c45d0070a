"""Chapter "Working with this book": the Monte Carlo of the mean of n draws."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .validation import InputError, as_count
from .nudge import nudge_if_asked

__all__ = ["sample_means", "mean_distribution"]


MAX_DRAWS = 10**8
"""Largest number of random draws ``n * repeats`` accepted (memory guard)."""


def sample_means(n: int, repeats: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``repeats`` independent samples of ``n`` standard-normal draws each."""
    n, repeats = as_count(n, "n", maximum=MAX_DRAWS), as_count(repeats, "repeats", maximum=MAX_DRAWS)
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {rng!r}")
    if n * repeats > MAX_DRAWS:
        raise InputError(f"n x repeats = {n * repeats} draws is more than the maximum {MAX_DRAWS}")
    return nudge_if_asked(rng.standard_normal((repeats, n)).mean(axis=1))


def mean_distribution(n: int):
    """Exact distribution of the mean of ``n`` standard-normal draws: N(0, 1/sqrt(n))."""
    return stats.norm(0.0, 1.0 / np.sqrt(as_count(n, "n", maximum=MAX_DRAWS)))
