"""The answers of the exercises, one module per chapter.

Each module is named after its chapter (``helpers.CHAPTERS``) and defines
``EXERCISES = {"key": Exercise(compute, atol=..., what=...)}``; every key starts with the
chapter's name and a dash, and equals the label of its exercise in the notebook, or that
label, a dash and a part name when one exercise has several checks. Keys that changed
are in :data:`RENAMED` (old key -> current key). The
``compute`` function computes the expected answer with the book's own functions when a
student checks, so a check can never drift away from its chapter. Chapter modules import
their computations lazily (inside ``compute``) and never drawing code.
:func:`collect` gathers all modules' entries for :mod:`helpers.selfcheck`.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

__all__ = ["Exercise", "Mistake", "RENAMED", "collect"]


RENAMED = {
    "prop-sigma-y-2": "propagation-sigma-y-2",
    "prop-mc-sigma-y-2": "propagation-mc-sigma-y-2",
    "prop-fraction-negative": "propagation-mc-fraction-negative",
    "prop-cov-b": "propagation-cov-b",
    "prop-sigma-y-2-b": "propagation-cov-b-sigma-y-2",
    "norm-covfit-minuit": "normalisation-covfit-minuit",
    "norm-n-on-data": "normalisation-nuisance-n-on-data",
    "norm-n-on-prediction": "normalisation-nuisance-n-on-prediction",
    "norm-n-on-data-scaled": "normalisation-n-on-data-scaled",
    "norm-covfit-30": "normalisation-covfit-30",
    "norm-nuisance-mean": "normalisation-weighted-nuisance-mean",
    "norm-linearised-error": "normalisation-weighted-linearised-error",
}
"""Old exercise keys, still accepted by ``check`` with a note naming the current key."""


@dataclass(frozen=True)
class Mistake:
    """A mistake students make, computed with the book's own functions, and the one line
    ``check`` answers it with: it names the misconception and where to look, never the
    right value. For an answer of several numbers, ``compute`` returns one per number;
    NaN where the mistake leaves that number right."""

    compute: Callable[[], float | tuple]
    message: str


@dataclass(frozen=True)
class Exercise:
    """One checkable answer: how to compute it and how close is close enough."""

    compute: Callable[[], float | tuple]
    rtol: float | tuple = 0.0
    atol: float | tuple = 0.0
    what: str = "your value"
    parts: tuple[str, ...] = ()
    """Names of the numbers of an answer with several (a value and its error, ...): each
    gets its own verdict; ``atol`` and ``rtol`` may then give one tolerance per number."""
    mistakes: tuple[Mistake, ...] = ()
    """Recognised mistakes: an answer within tolerance of one gets its message."""
    decimals: int | tuple | None = None
    """The precision the exercise asks for, as decimal places of each number (1: to 0.1,
    0: to 1, -1: to 10; ``None`` for a number judged by tolerance alone). The exercise's
    text says it. An answer rounded correctly to it passes (half a unit of its last place
    is added to the tolerance: ``atol`` and ``rtol`` are then only the honest scatter of
    the computation, such as a Monte Carlo's error or Minuit's stopping distance); an
    answer with fewer significant digits than it needs is not judged but told to give them."""


def _modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        yield info.name, importlib.import_module(f"{__name__}.{info.name}")


def collect() -> dict[str, Exercise]:
    """Every chapter module's ``EXERCISES``, merged; a key used twice, or one that does not
    start with its chapter's name and a dash, is an error."""
    found: dict[str, Exercise] = {}
    for name, module in _modules():
        for key, ex in getattr(module, "EXERCISES", {}).items():
            if not key.startswith(f"{name}-"):
                raise RuntimeError(f"exercise key {key!r} of chapter {name!r} does not start with {name + '-'!r}")
            if key in found:
                raise RuntimeError(f"exercise key {key!r} is defined twice (again in {name})")
            found[key] = ex
    return found
