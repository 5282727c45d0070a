"""Small Monte Carlo tools used across chapters."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .validation import InputError

__all__ = ["sample_means", "mean_distribution"]


MAX_DRAWS = 10**8
"""Largest number of random draws ``n * repeats`` accepted (memory guard)."""


def _count(value, name: str) -> int:
    """A positive integer; integral floats (``1e3``) are accepted, 1.5, True, "3", NaN are not."""
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    if isinstance(value, (int, np.integer)):
        k = int(value)
    elif isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        k = int(value)
    else:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    if k < 1:
        raise InputError(f"{name} must be >= 1, got {value!r}")
    if k > MAX_DRAWS:
        raise InputError(f"{name} = {k} is larger than the maximum {MAX_DRAWS}")
    return k


def sample_means(n: int, repeats: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``repeats`` independent samples of ``n`` standard-normal draws each."""
    n, repeats = _count(n, "n"), _count(repeats, "repeats")
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {rng!r}")
    if n * repeats > MAX_DRAWS:
        raise InputError(f"n x repeats = {n * repeats} draws is more than the maximum {MAX_DRAWS}")
    return rng.standard_normal((repeats, n)).mean(axis=1)


def mean_distribution(n: int):
    """Exact distribution of the mean of ``n`` standard-normal draws: N(0, 1/sqrt(n))."""
    return stats.norm(0.0, 1.0 / np.sqrt(_count(n, "n")))
