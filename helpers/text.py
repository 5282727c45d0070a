"""Putting computed numbers into a chapter's prose."""

from __future__ import annotations

import re

import numpy as np

from .validation import InputError, as_number

__all__ = ["glue_number", "glue_section", "shown", "round_significant", "GLUED"]

#: values glued where ``myst_nb`` is not installed (the live website), by name
GLUED: dict[str, float] = {}

# a format spec for one real number as the prose shows it: optional sign, optional
# thousands separator, a precision and a type (fixed, exponent or general)
_SPEC = re.compile(r"[+ ]?,?\.(\d{1,2})[fegFEG]")


def round_significant(value, digits: int = 10, name: str = "value") -> float:
    """``value`` rounded to ``digits`` significant digits (an exact zero stays zero)."""
    if (isinstance(digits, bool) or not isinstance(digits, (int, np.integer))
            or not 1 <= digits <= 17):
        raise InputError(f"digits must be an integer from 1 to 17, got {digits!r}")
    x = as_number(value, name)
    return float(f"{x:.{digits}g}") if x != 0 else 0.0


def shown(value, fmt: str, name: str = "value") -> float:
    """``value`` as a reader sees it printed with the format spec ``fmt`` (``".2f"``,
    ``"+.3f"``, ``",.0f"``, ``".1e"``, ``".2g"``), as a float; a number shown as zero is
    ``0.0`` (never ``-0.0``: a result that is zero in exact arithmetic may come out as
    ``-1e-17`` on one machine and ``+1e-17`` on another)."""
    if not isinstance(fmt, str) or not _SPEC.fullmatch(fmt):
        raise InputError(f"{name}: format must be a spec such as '.2f', '+.3f', ',.0f', "
                         f"'.1e' or '.2g', got {fmt!r}")
    x = as_number(value, name)
    y = float(format(x, fmt.replace(",", "")))
    return 0.0 if y == 0 else y


def glue_number(name: str, value, fmt: str) -> None:
    """``myst_nb.glue`` a number rounded once, to exactly what the reader is shown.

    ``fmt`` is the format spec the prose prints it with (``{glue:text}`name:.2f```):
    the stored value is :func:`shown` ``(value, fmt)``, so the prose's own formatting
    rounds nothing more (no double rounding: 241.4645 stored as 241.465 would print as
    241.47) and the stored output, which nbval compares, holds only the digits a reader
    sees, not the last bits of one machine's floating-point kernels. A key shown at two
    precisions is glued twice, under two names (``tests/test_notebooks.py`` checks that
    every role prints its stored value unchanged). Returns nothing, so a cell of glue
    calls prints nothing in JupyterLab.

    Without ``myst_nb`` (the live website's Python in the browser) the value is only
    kept in :data:`GLUED`, so a chapter runs there unchanged.
    """
    value = shown(value, fmt, name)
    try:
        from myst_nb import glue
    except ImportError:
        GLUED[name] = value
        return
    glue(name, value, display=False)


def glue_section(table, section: str) -> None:
    """Glue every number of one section of a chapter's table (``helpers.numbers.<name>``)
    with :func:`glue_number`, at the format the table gives it."""
    from .numbers import section as entries

    ctx = table.context()
    for key, number in entries(table, section).items():
        glue_number(key, number.compute(ctx), number.fmt)
