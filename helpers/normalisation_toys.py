"""Pseudo-experiments for the normalisation chapter: how biased is each estimator?

Each pseudo-experiment draws a common normalisation factor ``N ~ Gauss(1, eps)`` and two
measurements ``y_i = N mu_true (1 + r z_i)`` with ``z_i ~ Gauss(0, 1)``: the statistical
error is the fraction ``r`` of the true (normalised) value, the same in both. Every
estimator then sees the measured values only, exactly as on the course sheet: the
statistical errors are ``r y_i`` (from the measured values) and the normalisation is
``eps``. All estimators are closed forms (:mod:`helpers.normalisation`), so 10^5
pseudo-experiments take a fraction of a second.

The bias of an estimator is ``E[mu_hat] - mu_true``. Because ``E[N] = 1`` it equals
``E[mu_hat - N mu_true]``; that average has a far smaller Monte Carlo error, because the
common normalisation, which moves every estimate of a pseudo-experiment together,
cancels in it. :func:`run` reports both (they agree within their errors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import SEED
from .normalisation import (
    COVARIANCE_MEASURED,
    GAUSSIAN_LIKELIHOOD,
    N_ON_PREDICTION,
    covariance_fit_values,
    likelihood_values,
    weighted_mean_values,
)
from .nudge import nudge_if_asked
from .validation import InputError, as_count, as_finite_array, as_number, as_seed

__all__ = ["ESTIMATORS", "PLAIN_MEAN", "ToyStudy", "simulate", "estimates", "run"]

PLAIN_MEAN = "plain mean"
ESTIMATORS = (COVARIANCE_MEASURED, N_ON_PREDICTION, GAUSSIAN_LIKELIHOOD, PLAIN_MEAN)
"""The estimators of the study. ``COVARIANCE_MEASURED`` stands for the N-on-data fit too
(identical), ``N_ON_PREDICTION`` for the relative-covariance fit, iterative BLUE and N on
data with scaled errors (all identical to it)."""

MAX_TOYS = 10_000_000
"""Largest number of pseudo-experiments :func:`simulate` draws in one call (about 0.5 GB)."""

TENSION_EDGES = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, np.inf)
"""Default bins of the observed tension (the covariance fit's chi2)."""


def simulate(n_toys: int, *, mu_true: float, stat_rel: float, norm_rel: float, rng) -> tuple:
    """``(y, N)``: measurements of shape ``(n_toys, 2)`` and the drawn normalisations."""
    n = as_count(n_toys, "n_toys", maximum=MAX_TOYS)
    if n < 2:
        raise InputError(f"n_toys must be an integer >= 2, got {n_toys!r}")
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng must be a numpy Generator (numpy.random.default_rng(seed)), got {rng!r}")
    mu = as_number(mu_true, "mu_true", positive=True)
    r = as_number(stat_rel, "stat_rel", positive=True)
    eps = as_number(norm_rel, "norm_rel", non_negative=True)
    N = 1.0 + eps * rng.standard_normal(n)
    y = N[:, None] * mu * (1.0 + r * rng.standard_normal((n, 2)))
    return nudge_if_asked(y), N   # nudged only in the tests' rounding run


def estimates(y, stat_rel: float, norm_rel: float) -> pd.DataFrame:
    """Every estimator (columns :data:`ESTIMATORS`) and ``"tension"`` (the covariance fit's
    chi2) for each row of ``y``, with stat errors ``stat_rel * y`` as on the sheet."""
    y = as_finite_array(y, "y")
    if y.ndim != 2 or y.shape[1] != 2:
        raise InputError(f"y must have shape (n, 2), got {y.shape}")
    if np.any(y <= 0):
        raise InputError("the study needs positive measured values")
    s = as_number(stat_rel, "stat_rel", positive=True) * y
    eps = as_number(norm_rel, "norm_rel", non_negative=True)
    cov_fit, tension = covariance_fit_values(y, s, eps)
    return pd.DataFrame({COVARIANCE_MEASURED: cov_fit,
                         N_ON_PREDICTION: weighted_mean_values(y, s),
                         GAUSSIAN_LIKELIHOOD: likelihood_values(y, s, eps),
                         PLAIN_MEAN: y.mean(axis=1),
                         "tension": tension})


@dataclass(frozen=True)
class ToyStudy:
    """The result of :func:`run`.

    Attributes
    ----------
    toys : pandas.DataFrame
        One row per pseudo-experiment: each estimator, ``"tension"`` and ``"N"``.
    mu_true, stat_rel, norm_rel : float
        The settings.
    """

    toys: pd.DataFrame
    mu_true: float
    stat_rel: float
    norm_rel: float

    @property
    def n_toys(self) -> int:
        return len(self.toys)

    def _deviation(self) -> pd.DataFrame:
        """``mu_hat - N mu_true`` for each estimator (same mean as ``mu_hat - mu_true``)."""
        ref = self.toys["N"].to_numpy() * self.mu_true
        return self.toys[list(ESTIMATORS)].sub(ref, axis=0)

    def mean_bias(self) -> pd.DataFrame:
        """Per estimator: ``"bias"`` = mean of ``mu_hat - N mu_true`` with its Monte Carlo
        error ``"mc error"``, ``"relative bias"`` = bias / mu_true, and the plain average
        ``"bias (direct)"`` = mean of ``mu_hat - mu_true`` with ``"mc error (direct)"``."""
        dev = self._deviation()
        direct = self.toys[list(ESTIMATORS)] - self.mu_true
        n = self.n_toys
        return pd.DataFrame({
            "bias": dev.mean(),
            "mc error": dev.std(ddof=1) / np.sqrt(n),
            "relative bias": dev.mean() / self.mu_true,
            "bias (direct)": direct.mean(),
            "mc error (direct)": direct.std(ddof=1) / np.sqrt(n),
        })

    def bias_vs_tension(self, edges=TENSION_EDGES) -> pd.DataFrame:
        """Mean bias of each estimator in bins of the observed tension.

        Index: the bins (``pandas.Interval``, closed on the left); columns: each estimator,
        ``"<estimator> mc error"``, ``"toys"`` (count) and ``"mean tension"``.
        """
        edges = np.asarray(edges, dtype=float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise InputError("edges must be at least two increasing numbers")
        bins = pd.cut(self.toys["tension"], edges, right=False)
        dev = self._deviation()
        g = dev.groupby(bins, observed=False)
        out = g.mean()
        err = g.std(ddof=1) / np.sqrt(g.count())
        for col in ESTIMATORS:
            out[f"{col} mc error"] = err[col]
        out["toys"] = g.size()
        out["mean tension"] = self.toys["tension"].groupby(bins, observed=False).mean()
        return out

    def fraction_above(self, tension: float) -> float:
        """Fraction of pseudo-experiments with a tension at least ``tension``."""
        t = as_number(tension, "tension", non_negative=True)
        return float(np.mean(self.toys["tension"].to_numpy() >= t))


def run(n_toys: int = 200_000, *, mu_true: float = 8.25, stat_rel: float = 0.02,
        norm_rel: float = 0.10, seed: int = SEED) -> ToyStudy:
    """The toy study with the course sheet's settings (2 % stat, 10 % normalisation).

    ``mu_true`` defaults to 8.25, the middle of the two measurements; every bias scales
    with it (all estimators scale with the data), so the relative bias is what matters.
    Seeded with ``numpy.random.default_rng(seed)``: the same numbers every run. The seed is
    a non-negative integer (:func:`~helpers.validation.as_seed`; a Generator would carry
    state from call to call).
    """
    rng = np.random.default_rng(as_seed(seed, generator=False))
    y, N = simulate(n_toys, mu_true=mu_true, stat_rel=stat_rel, norm_rel=norm_rel, rng=rng)
    toys = estimates(y, stat_rel, norm_rel)
    toys["N"] = N
    return ToyStudy(toys, float(mu_true), float(stat_rel), float(norm_rel))
