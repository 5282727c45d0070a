"""The answers of the exercises, one module per chapter.

Each module is named after its chapter (``helpers.CHAPTERS``) and defines
``EXERCISES = {"key": Exercise(compute, atol=..., what=...)}``; every key starts with the
chapter's name and a dash, and equals the label of its exercise in the notebook, or that
label, a dash and a part name when one exercise has several checks. A module may also
define ``RENAMED = {"old-key": "new-key"}`` for keys that changed. The
``compute`` function computes the expected answer with the book's own functions when a
student checks, so a check can never drift away from its chapter. Chapter modules import
their computations lazily (inside ``compute``) and never drawing code.
:func:`collect` and :func:`collect_renamed` gather all modules' entries for
:mod:`helpers.selfcheck`.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

__all__ = ["Exercise", "collect", "collect_renamed"]


@dataclass(frozen=True)
class Exercise:
    """One checkable answer: how to compute it and how close is close enough."""

    compute: Callable[[], float | tuple]
    rtol: float = 0.0
    atol: float = 0.0
    what: str = "your value"


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


def collect_renamed() -> dict[str, str]:
    """Every chapter module's ``RENAMED``: old key -> current key."""
    return {old: new for _, module in _modules() for old, new in getattr(module, "RENAMED", {}).items()}
