"""Putting computed numbers into a chapter's prose."""

from __future__ import annotations

import numpy as np

from .validation import as_number

__all__ = ["glue_number"]


def glue_number(name: str, value, digits: int = 6) -> float:
    """``myst_nb.glue`` a number, rounded to ``digits`` significant digits.

    The prose formats it further (``{glue:text}`name:.2f```); rounding here keeps
    last-bit floating-point noise out of the stored output that nbval compares.
    """
    from myst_nb import glue

    x = as_number(value, name)
    rounded = float(f"{x:.{digits}g}") if x != 0 else 0.0
    glue(name, rounded, display=False)
    return rounded
