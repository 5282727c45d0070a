"""Self-checks for the exercises: right or not, without ever showing the answer.

A student calls ``check("exercise-key", my_value)`` and sees a one-line verdict.
The expected values are *computed* by the book's own functions when the check runs
(they are never stored as literals), so a check can't drift away from the chapter.

Every exercise in the book has an entry in :data:`EXERCISES`; ``tests/`` asserts that
each entry accepts the right answer and rejects a wrong one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .validation import InputError

__all__ = ["Exercise", "CheckResult", "EXERCISES", "check", "expected"]


@dataclass(frozen=True)
class Exercise:
    """One checkable answer: how to compute it and how close is close enough."""

    compute: Callable[[], float | tuple]
    rtol: float = 0.0
    atol: float = 0.0
    what: str = "your value"


@dataclass(frozen=True)
class CheckResult:
    """The verdict of :func:`check`; truthy when correct. Its text never holds the answer."""

    key: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message


# --- answers of the exercises, chapter by chapter --------------------------------------
# Each ``compute`` imports lazily so that checking one chapter does not import the others.


def _sem_100() -> float:
    # standard deviation of the mean of 100 unit-Gaussian draws: 1/sqrt(n)
    return 1.0 / math.sqrt(100)


def _wmass_without_beam() -> tuple:
    from .figures.wmass import lep_combination
    comb = lep_combination().without("beam_energy")
    return comb.value, comb.error


def _wmass_uncorrelated_error() -> float:
    from .figures.wmass import COMMON, lep_combination
    return lep_combination().with_correlation(list(COMMON), 0.0).error


def _wmass_weight_threshold() -> float:
    from .combination import zero_weight_correlation
    from .figures.wmass import lep_combination
    return zero_weight_correlation(lep_combination())


def _norm_covfit_30() -> float:
    from .figures.normalisation import course_problem
    return course_problem(norm_rel=0.30).covariance_fit().value


def _norm_nuisance_mean() -> float:
    from .figures.normalisation import course_problem
    return course_problem().nuisance_fit("prediction").value


def _norm_linearised_error() -> float:
    from .figures.normalisation import course_problem
    return course_problem().nuisance_fit("prediction").error


EXERCISES: dict[str, Exercise] = {
    "intro-sem": Exercise(_sem_100, rtol=0.05, what="the spread of the sample mean"),
    "wmass-without-beam": Exercise(_wmass_without_beam, atol=0.1, what="the mean and error (MeV)"),
    "wmass-uncorrelated-error": Exercise(_wmass_uncorrelated_error, atol=0.1, what="the error (MeV)"),
    "wmass-weight-threshold": Exercise(_wmass_weight_threshold, atol=0.005, what="the correlation"),
    "norm-covfit-30": Exercise(_norm_covfit_30, atol=0.01, what="the combined value"),
    "norm-nuisance-mean": Exercise(_norm_nuisance_mean, atol=0.001, what="the combined value"),
    "norm-linearised-error": Exercise(_norm_linearised_error, atol=0.002, what="the error"),
}


def expected(key: str):
    """The expected answer of an exercise (for tests and authors, not for students)."""
    return _lookup(key).compute()


def _lookup(key: str) -> Exercise:
    try:
        return EXERCISES[key]
    except KeyError:
        known = ", ".join(sorted(EXERCISES))
        raise InputError(f"no exercise called {key!r}; known exercises: {known}") from None


def check(key: str, answer) -> CheckResult:
    """Compare ``answer`` with the expected value of exercise ``key``.

    Numbers are compared with the exercise's tolerance ``|a - e| <= atol + rtol*|e|``;
    tuples element by element. The returned message says "correct" or "not yet" and
    the tolerance, never the expected value itself.
    """
    if key not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        return CheckResult(str(key), False, f"✗ there is no exercise {key!r}; the known ones are: {known}.")
    ex = EXERCISES[key]
    want = np.atleast_1d(np.asarray(ex.compute(), dtype=float))
    try:
        got = np.atleast_1d(np.asarray(answer, dtype=float))
    except (TypeError, ValueError):
        return CheckResult(key, False, f"✗ {key}: the answer must be a number (or numbers), got {type(answer).__name__}.")
    if got.shape != want.shape:
        return CheckResult(key, False, f"✗ {key}: expected {want.size} number(s), got {got.size}.")
    if not np.all(np.isfinite(got)):
        return CheckResult(key, False, f"✗ {key}: your answer contains NaN or infinity.")
    tol = ex.atol + ex.rtol * np.abs(want)
    ok = bool(np.all(np.abs(got - want) <= tol))
    how = f"{ex.rtol:.0%} relative" if ex.rtol and not ex.atol else f"{ex.atol:g} absolute" if not ex.rtol else f"{ex.atol:g} + {ex.rtol:.0%}"
    if ok:
        return CheckResult(key, True, f"✓ {key}: correct, {ex.what} agrees within {how}.")
    return CheckResult(key, False, f"✗ {key}: not yet, {ex.what} is off by more than {how}. Look again at your steps.")
