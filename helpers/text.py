"""Putting computed numbers into a chapter's prose."""

from __future__ import annotations

import numpy as np

from .validation import InputError, as_number

__all__ = ["glue_number", "round_significant", "GLUED"]

#: values glued where ``myst_nb`` is not installed (the live website), by name
GLUED: dict[str, float] = {}


def round_significant(value, digits: int = 10, name: str = "value") -> float:
    """``value`` rounded to ``digits`` significant digits (an exact zero stays zero)."""
    if (isinstance(digits, bool) or not isinstance(digits, (int, np.integer))
            or not 1 <= digits <= 17):
        raise InputError(f"digits must be an integer from 1 to 17, got {digits!r}")
    x = as_number(value, name)
    return float(f"{x:.{digits}g}") if x != 0 else 0.0


def glue_number(name: str, value, digits: int = 10) -> None:
    """``myst_nb.glue`` a number, rounded to ``digits`` significant digits.

    The prose formats it further (``{glue:text}`name:.2f```); rounding here keeps
    last-bit floating-point noise out of the stored output that nbval compares. Ten
    digits, far more than any prose shows, so that the prose's own rounding is the only
    one that matters (with six, 241.4645 became 241.465 and then printed as 241.47).
    Returns nothing, so a cell of glue calls prints nothing in JupyterLab.

    Without ``myst_nb`` (the live website's Python in the browser) the value is only
    kept in :data:`GLUED`, so a chapter runs there unchanged.
    """
    value = round_significant(value, digits, name)
    try:
        from myst_nb import glue
    except ImportError:
        GLUED[name] = value
        return
    glue(name, value, display=False)
