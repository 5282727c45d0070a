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

__all__ = ["Exercise", "CheckResult", "EXERCISES", "RENAMED", "check", "expected", "forget_progress", "progress"]


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


def _expected(key: str) -> np.ndarray:
    """The expected numbers of ``key``, computed once per session (a check after the
    first answers at once; the answers depend only on the book's data and code)."""
    if key not in _EXPECTED:
        _EXPECTED[key] = np.atleast_1d(np.asarray(EXERCISES[key].compute(), dtype=float)).ravel()
    return _EXPECTED[key]


_EXPECTED: dict = {}


def _mistake_values(key: str, i: int) -> np.ndarray:
    """The numbers the ``i``-th recognised mistake of ``key`` gives, computed once."""
    if (key, i) not in _EXPECTED:
        values = EXERCISES[key].mistakes[i].compute()
        _EXPECTED[(key, i)] = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    return _EXPECTED[(key, i)]


def _matches(got: np.ndarray, mistake: np.ndarray, atol, rtol) -> bool:
    """``got`` within tolerance of the mistake's numbers (NaN: a number it leaves right)."""
    if mistake.size != got.size:
        return False
    care = ~np.isnan(mistake)
    close = np.abs(got - mistake) <= atol + rtol * np.abs(np.nan_to_num(mistake))
    return bool(care.any() and close[care].all())


def _generic_mistake(got: np.ndarray, want: np.ndarray, tol: np.ndarray, parts) -> str | None:
    """The mistakes of every exercise: a factor 100 or 1000 (percent, units), a square (a
    variance for a standard deviation), a pair in the wrong order. Recognised only where
    the mistaken answer lies clearly away from the right one."""
    def near(target, scale=1.0):
        apart = np.abs(target - want) > 2 * tol * scale
        return bool(apart.any() and np.all(np.abs(got - target) <= tol * scale))
    for factor, text in ((100.0, "a hundred times"), (1000.0, "a thousand times"),
                         (0.01, "a hundredth of"), (0.001, "a thousandth of")):
        if near(want * factor, factor):
            return (f"Your answer is exactly {text} what it should be: look at the units "
                    "(MeV or GeV, pb or fb) and at percent against fraction.")
    if near(want**2, 1.0) or near(want**2, 2 * np.max(np.abs(want)) if want.size else 1.0):
        return "Your answer is the square of what is asked: a variance where a standard deviation is asked?"
    if want.size > 1 and near(want[::-1]):
        order = ", ".join(parts) if parts else "the order the exercise gives"
        return f"The right numbers in the wrong order: give them as ({order})."
    return None


def _numbers(answer) -> np.ndarray:
    """A student's answer as a flat float array, or :class:`InputError` with one line
    saying what to pass instead."""
    if answer is None:
        raise InputError("the answer is None: did the function or cell that computes it "
                         "`return` (or end with) its result?")
    if hasattr(answer, "migrad") and hasattr(answer, "values"):
        raise InputError("this is the Minuit object itself: pass the numbers, for example "
                         "m.values['mu'] or (m.values['mu'], m.errors['mu'])")
    if hasattr(answer, "x") and hasattr(answer, "fun"):
        raise InputError("this is scipy's whole result: pass the numbers, for example res.x[0]")
    if isinstance(answer, dict):
        raise InputError("a dict has no order: pass the numbers themselves, as a tuple")
    if hasattr(answer, "to_numpy") and not isinstance(answer, np.ndarray):
        answer = answer.to_numpy()                        # pandas Series / DataFrame
    if isinstance(answer, np.matrix):
        answer = np.asarray(answer)
    if isinstance(answer, (tuple, list)):
        # a pair such as (res.x, error): accept one-number arrays and Series inside it
        parts = []
        for item in answer:
            if hasattr(item, "to_numpy") and not isinstance(item, np.ndarray):
                item = item.to_numpy()
            if isinstance(item, np.ndarray) and not np.ma.isMaskedArray(item) and item.size == 1:
                item = item.reshape(())
            parts.append(item)
        answer = parts
    return np.atleast_1d(_as_float_array(answer, "the answer")).ravel()


def _tolerance_text(atol: float, rtol: float) -> str:
    rel = f"{100 * rtol:g} %"
    if rtol and not atol:
        return f"{rel} relative"
    if not rtol:
        return f"{atol:g} absolute"
    return f"{atol:g} + {rel}"


def check(key: str, answer) -> CheckResult:
    """Compare ``answer`` with the expected value of exercise ``key``.

    Numbers are compared with the exercise's tolerance ``|a - e| <= atol + rtol*|e|``;
    tuples element by element. The returned message says "correct" or "not yet" and
    the tolerance, never the expected value itself. Whatever a student passes (None, a
    Minuit or scipy result, pandas objects, ``np.matrix``, masked arrays, huge integers)
    gets a verdict or one line saying what to pass instead, never a traceback. An old key
    (:data:`RENAMED`) is checked under its new name, with a first line naming it.
    The verdict is remembered for :func:`progress`.
    """
    result = _check(key, answer)
    if result.key in EXERCISES:
        _TRIED[result.key] = _TRIED.get(result.key, False) or result.correct
    return result


_TRIED: dict[str, bool] = {}
"""Exercise key -> solved at least once, for the checks of this session."""


def forget_progress() -> None:
    """Start :func:`progress` afresh, as in a new session."""
    _TRIED.clear()


def progress(chapter: str | None = None) -> "Progress":
    """What is done and what is left: for each chapter with an exercise checked in this
    session (or the ``chapter`` named), its exercises marked ✓ (solved), ✗ (tried, not yet
    right) or · (not tried)."""
    from . import CHAPTERS
    if chapter is not None and chapter not in CHAPTERS:
        raise InputError(f"no chapter called {chapter!r}; the chapters are: {', '.join(CHAPTERS)}")
    names = [chapter] if chapter else [c for c in CHAPTERS if any(k.startswith(c + "-") for k in _TRIED)]
    lines = []
    for name in names:
        keys = sorted(k for k in EXERCISES if k.startswith(name + "-"))
        done = sum(_TRIED.get(k, False) for k in keys)
        lines.append(f"{name}: {done} of {len(keys)} solved")
        for k in keys:
            mark = "✓" if _TRIED.get(k) else "✗" if k in _TRIED else "·"
            lines.append(f"  {mark} {k}" + ("" if k in _TRIED else "   (not tried)"))
    if not lines:
        lines = ["no exercise checked yet in this session; progress('<chapter>') lists a "
                 f"chapter's exercises ({', '.join(CHAPTERS)})"]
    return Progress("\n".join(lines))


@dataclass(frozen=True)
class Progress:
    """The text of :func:`progress` (shown as is in a notebook)."""

    text: str

    def __repr__(self) -> str:
        return self.text


def _check(key: str, answer) -> CheckResult:
    """The verdict of :func:`check`, not remembered."""
    if isinstance(key, str) and key in RENAMED:
        result = _check(RENAMED[key], answer)
        note = f"(exercise {key!r} is now called {RENAMED[key]!r})"
        return CheckResult(result.key, result.correct, f"{note}\n{result.message}")
    if not isinstance(key, str) or key not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        return CheckResult(str(key), False, f"✗ there is no exercise {key!r}; the known ones are: {known}.")
    ex = EXERCISES[key]
    want = _expected(key)
    try:
        got = _numbers(answer)
    except InputError as exc:
        text = str(exc)
        if text.startswith("the answer must be") or "must be numbers" in text or "must be real" in text:
            text = f"the answer must be a number (or numbers), got {type(answer).__name__}"
        return CheckResult(key, False, f"✗ {key}: {text}" + ("" if text[-1] in ".?!)" else "."))
    except (TypeError, ValueError, OverflowError):
        return CheckResult(key, False, f"✗ {key}: the answer must be a number (or numbers), got {type(answer).__name__}.")
    if got.size != want.size:
        return CheckResult(key, False, f"✗ {key}: expected {want.size} number(s), got {got.size}.")
    if not np.all(np.isfinite(got)):
        return CheckResult(key, False, f"✗ {key}: your answer contains NaN or infinity.")
    atol = np.broadcast_to(np.asarray(ex.atol, dtype=float), want.shape)
    rtol = np.broadcast_to(np.asarray(ex.rtol, dtype=float), want.shape)
    good = np.abs(got - want) <= atol + rtol * np.abs(want)
    if not good.all():
        for i, mistake in enumerate(ex.mistakes):
            if _matches(got, _mistake_values(key, i), atol, rtol):
                return CheckResult(key, False, f"✗ {key}: not yet. {mistake.message}")
        generic = _generic_mistake(got, want, atol + rtol * np.abs(want), ex.parts)
        if generic:
            return CheckResult(key, False, f"✗ {key}: not yet. {generic}")
    if want.size == 1 or not ex.parts:
        how = _tolerance_text(float(np.max(atol)), float(np.max(rtol)))
        if good.all():
            return CheckResult(key, True, f"✓ {key}: correct, {ex.what} agrees within {how}.")
        return CheckResult(key, False, f"✗ {key}: not yet, {ex.what} is off by more than {how}. "
                                       "Look again at your steps.")
    # one verdict per number: "your mean is right, your error is not"
    said = []
    for name, ok, a, r in zip(ex.parts, good, atol, rtol):
        how = _tolerance_text(float(a), float(r))
        said.append(f"{name} agrees within {how}" if ok else f"{name} is off by more than {how}")
    if good.all():
        return CheckResult(key, True, f"✓ {key}: correct, {'; '.join(said)}.")
    wrong = [n for n, ok in zip(ex.parts, good) if not ok]
    return CheckResult(key, False, f"✗ {key}: not yet: {'; '.join(said)}. "
                                   f"Look again at {' and '.join(wrong)}.")
