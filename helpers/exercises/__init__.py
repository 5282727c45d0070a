"""The answers of the exercises, one module per chapter.

Each module defines ``EXERCISES = {"key": Exercise(compute, atol=..., what=...)}``; the
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

__all__ = ["Exercise", "collect"]


@dataclass(frozen=True)
class Exercise:
    """One checkable answer: how to compute it and how close is close enough."""

    compute: Callable[[], float | tuple]
    rtol: float = 0.0
    atol: float = 0.0
    what: str = "your value"


def collect() -> dict[str, Exercise]:
    """Every chapter module's ``EXERCISES``, merged; a key used twice is an error."""
    found: dict[str, Exercise] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, ex in getattr(module, "EXERCISES", {}).items():
            if key in found:
                raise RuntimeError(f"exercise key {key!r} is defined twice (again in {info.name})")
            found[key] = ex
    return found
