"""Self-checks for the exercises: right or not, without ever showing the answer.

A student calls ``check("exercise-key", my_value)`` and sees a one-line verdict.
The expected values are *computed* by the book's own functions when the check runs
(they are never stored as literals), so a check can't drift away from the chapter.

Every exercise in the book has an entry in :data:`EXERCISES`, gathered from the
chapter modules in :mod:`helpers.exercises`; ``tests/`` asserts that each entry accepts
the right answer and rejects a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exercises import RENAMED, Exercise, collect
from .validation import InputError, _as_float_array

__all__ = ["Exercise", "CheckResult", "EXERCISES", "RENAMED", "check", "expected"]


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


# The answers live with their chapters, one module each in helpers/exercises/ (a module
# defines ``EXERCISES = {key: Exercise(...)}``); they are gathered here by key.
EXERCISES: dict[str, Exercise] = collect()


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
    the tolerance, never the expected value itself. An old key (:data:`RENAMED`) is
    checked under its new name, with a first line naming it.
    """
    if isinstance(key, str) and key in RENAMED:
        result = check(RENAMED[key], answer)
        note = f"(exercise {key!r} is now called {RENAMED[key]!r})"
        return CheckResult(result.key, result.correct, f"{note}\n{result.message}")
    if not isinstance(key, str) or key not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        return CheckResult(str(key), False, f"✗ there is no exercise {key!r}; the known ones are: {known}.")
    ex = EXERCISES[key]
    want = np.atleast_1d(np.asarray(ex.compute(), dtype=float))
    try:
        # refuses True/False, text (even "1.5"), complex numbers and ragged lists
        got = np.atleast_1d(_as_float_array(answer, "answer"))
    except (InputError, TypeError, ValueError):
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
