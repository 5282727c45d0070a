"""Self-checks for the exercises: right or not, without ever showing the answer.

A student calls ``check("exercise-key", my_value)`` and sees a one-line verdict.
The expected values are *computed* by the book's own functions when the check runs
(they are never stored as literals), so a check can't drift away from the chapter.

Every exercise in the book has an entry in :data:`EXERCISES`, gathered from the
chapter modules in :mod:`helpers.exercises`; ``tests/`` asserts that each entry accepts
the right answer and rejects a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .exercises import RENAMED, Exercise, collect
from .validation import InputError, _as_float_array

__all__ = ["Exercise", "CheckResult", "EXERCISES", "RENAMED", "check", "expected", "forget_progress",
           "progress", "tolerance"]


@dataclass(frozen=True)
class CheckResult:
    """The verdict of :func:`check`; truthy when correct. Its text never holds the answer.

    In a notebook :func:`check` shows the verdict as it is made, so a cell with two checks
    shows both; the result a cell ends with is then not shown a second time."""

    key: str
    correct: bool
    message: str
    shown_in: int | None = field(default=None, compare=False, repr=False)
    """The notebook cell (execution count) that already shows this verdict."""

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        shell = _shell()
        if shell is None or self.shown_in is None or shell.execution_count != self.shown_in:
            print(self.message)


def _shell():
    """The running IPython shell (JupyterLab, JupyterLite), or None in plain Python."""
    try:
        from IPython import get_ipython
    except ImportError:                                    # pragma: no cover - IPython ships with Jupyter
        return None
    return get_ipython()


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


def _matches(got: np.ndarray, mistake: np.ndarray, tol: np.ndarray) -> bool:
    """``got`` within the answer's tolerance of the mistake's numbers (NaN: a number the
    mistake leaves right, not looked at)."""
    if mistake.size != got.size:
        return False
    care = ~np.isnan(mistake)
    close = np.abs(got - mistake) <= tol
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
    if near(want**2, np.maximum(1.0, 2 * np.abs(want))):    # each number's own scale
        return "Your answer is the square of what is asked: a variance where a standard deviation is asked?"
    if want.size > 1 and near(want[::-1]):
        order = ", ".join(parts) if parts else "the order the exercise gives"
        return f"The right numbers in the wrong order: give them as ({order})."
    return None


def _generic_number(got: float, want: float, tol: float) -> str | None:
    """The slip of one number of a pair or triple, where the others may be right: a factor
    100 or 1000, or a square; recognised only where the slip lies clearly away from the
    right number."""
    for factor, text in ((100.0, "a hundred times"), (1000.0, "a thousand times"),
                         (0.01, "a hundredth of"), (0.001, "a thousandth of")):
        target = want * factor
        if abs(target - want) > 2 * tol * factor and abs(got - target) <= tol * factor:
            return f"it is exactly {text} the right one: units or percent?"
    scale = max(1.0, 2 * abs(want))
    if abs(want**2 - want) > 2 * tol * scale and abs(got - want**2) <= tol * scale:
        return "it is the square of the right one: a variance for a standard deviation?"
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


def tolerance(key: str) -> np.ndarray:
    """How far each number of ``key``'s answer may lie from the expected one and pass: the
    exercise's ``atol + rtol*|expected|`` (the honest scatter of the computation) plus, where
    the exercise asks for a precision (``decimals``), half a unit of that last place, so an
    answer rounded correctly to it passes."""
    ex = _lookup(key)
    want = _expected(key)
    tol = (np.broadcast_to(np.asarray(ex.atol, dtype=float), want.shape)
           + np.broadcast_to(np.asarray(ex.rtol, dtype=float), want.shape) * np.abs(want))
    places = _decimals(ex, want.size)
    rounding = np.array([0.0 if d is None else 0.5 * 10.0 ** -d for d in places])
    return tol + rounding * (1 + 1e-9)


def _decimals(ex: Exercise, n: int) -> list:
    """The decimal places ``ex`` asks for, one entry per number (None: not asked)."""
    d = ex.decimals
    return list(d) if isinstance(d, (tuple, list)) else [d] * n


def _significant(x: float) -> int:
    """How many significant digits ``x`` is given with, as Python holds it: from its first
    non-zero digit to its last non-zero decimal, or to the units for a whole number
    (80450.0 has five, 39.0 two, 0.70 one: a final decimal 0 is lost in a float)."""
    if x == 0 or not np.isfinite(x):
        return 10**6
    text = np.format_float_positional(abs(float(x)), trim="-")
    return len(text.replace(".", "").lstrip("0"))


def _needed(x: float, places: int) -> int:
    """Significant digits ``x`` needs to show ``places`` decimals (at least one)."""
    if x == 0 or not np.isfinite(x):
        return 1
    return max(1, int(np.floor(np.log10(abs(x)))) + 1 + places)


def _too_few_digits(ex: Exercise, got: np.ndarray, want: np.ndarray) -> str | None:
    """The line for an answer given with fewer significant digits than the exercise asks:
    it is not judged at all, right or wrong, so the check cannot be searched digit by digit."""
    names = ex.parts if ex.parts else (ex.what,)
    short = []
    for name, g, d in zip(names, got, _decimals(ex, want.size)):
        # counted on the student's own number: its digits must reach the place asked for
        if d is not None and _significant(g) < _needed(g, d):
            short.append(f"{name} with at least {_needed(g, d)} significant digits (to {10.0 ** -d:g})")
    if not short:
        return None
    return (f"give {' and '.join(short)}; not judged yet. Round, don't cut; if your rounded "
            "answer ends in 0, Python drops that 0: give one digit more.")


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
    shell = _shell()
    if shell is not None and hasattr(shell, "execution_count"):
        print(result.message)                 # every check of a cell shows its verdict
        result = CheckResult(result.key, result.correct, result.message, shown_in=shell.execution_count)
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
    tol = tolerance(key)
    good = np.abs(got - want) <= tol
    if not good.all():
        for i, mistake in enumerate(ex.mistakes):
            if _matches(got, _mistake_values(key, i), tol):
                return CheckResult(key, False, f"✗ {key}: not yet. {mistake.message}")
        generic = _generic_mistake(got, want, tol, ex.parts)
        if generic:
            return CheckResult(key, False, f"✗ {key}: not yet. {generic}")
    short = _too_few_digits(ex, got, want)
    if short:
        return CheckResult(key, False, f"✗ {key}: {short}")
    # the tolerance as the student reads it: the rounding half-unit counts as absolute
    atol = tol - rtol * np.abs(want)
    if want.size == 1 or not ex.parts:
        how = _tolerance_text(float(np.max(atol)), float(np.max(rtol)))
        if good.all():
            return CheckResult(key, True, f"✓ {key}: correct, {ex.what} agrees within {how}.")
        return CheckResult(key, False, f"✗ {key}: not yet, {ex.what} is off by more than {how}. "
                                       "Look again at your steps.")
    # one verdict per number: "your mean is right, your error is not"
    said = []
    for name, ok, a, r, g, w, t in zip(ex.parts, good, atol, rtol, got, want, tol):
        how = _tolerance_text(float(a), float(r))
        slip = None if ok else _generic_number(float(g), float(w), float(t))
        said.append(f"{name} agrees within {how}" if ok else
                    f"{name} is off by more than {how}" + (f" ({slip})" if slip else ""))
    if good.all():
        return CheckResult(key, True, f"✓ {key}: correct, {'; '.join(said)}.")
    wrong = [n for n, ok in zip(ex.parts, good) if not ok]
    return CheckResult(key, False, f"✗ {key}: not yet: {'; '.join(said)}. "
                                   f"Look again at {' and '.join(wrong)}.")
