"""Rounding-size perturbations: a portable stand-in for another machine's arithmetic.

Two CPUs (or numpy's SIMD kernels, or OpenBLAS's) may give results that differ in the
last bits. Moving every input by one to three units in the last place (ulp) shows the
same fragility on any machine: a number the book prints must not change under it.
The tests run every chapter twice, once on ``book/data`` and once on a nudged copy with
``$COURSE_BOOK_NUDGE`` set, which also nudges the chapters' simulated samples.
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["ENV", "nudge", "nudge_if_asked"]

ENV = "COURSE_BOOK_NUDGE"
"""Environment variable: an integer seed; when set, simulated samples are nudged."""

_M = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(bits: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 of the value's bits and the seed: the same value, the same nudge."""
    with np.errstate(over="ignore"):
        z = bits + np.uint64(seed & 0xFFFFFFFF) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (z ^ (z >> np.uint64(31))) & _M


def nudge(x, seed: int) -> np.ndarray:
    """``x`` with every finite value other than 0 and ±1 moved by 1, 2 or 3 ulp, up or
    down, chosen by a hash of the value and ``seed``: equal values are moved alike (two
    equal uncertainties stay equal), 0 and ±1 stay exact (no correlation of 1 becomes
    1 + 2e-16). Returns a new float array of ``x``'s shape."""
    a = np.array(x, dtype=float)
    flat = a.ravel(order="C").copy()   # a copy: the moves below must not depend on memory order
    h = _mix(flat.view(np.uint64).copy(), int(seed))
    steps = (h % np.uint64(3)).astype(int) + 1
    up = ((h >> np.uint64(8)) & np.uint64(1)).astype(bool)
    keep = ~np.isfinite(flat) | (flat == 0) | (np.abs(flat) == 1)
    target = np.where(up, np.inf, -np.inf)
    for k in (1, 2, 3):
        move = (steps >= k) & ~keep
        flat[move] = np.nextafter(flat[move], target[move])
    return flat.reshape(a.shape)


def nudge_if_asked(x):
    """``x`` nudged with the seed in ``$COURSE_BOOK_NUDGE``; ``x`` itself if it is unset."""
    seed = os.environ.get(ENV)
    if not seed:
        return x
    return nudge(x, int(seed))
