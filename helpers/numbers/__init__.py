"""The numbers glued into a chapter's prose, each defined once.

A chapter's module here (named after the chapter, ``helpers.numbers.<name>``) holds
``NUMBERS = {section: {key: Number(compute, fmt)}}``: every key starts with the chapter's
name and an underscore, ``compute`` takes the chapter's shared :func:`context` (its
expensive objects, built once) and returns the number, and ``fmt`` is the format spec the
prose prints it with (``{glue:text}`key:fmt```). The notebook glues a section with
:func:`helpers.text.glue_section`; ``tests/`` checks that the prose uses exactly the
table's keys at the table's formats and that the stored chapter holds the table's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..validation import InputError

__all__ = ["Number", "section", "values"]


@dataclass(frozen=True)
class Number:
    """One glued number: how to compute it from the chapter's context, and its format."""

    compute: Callable[[Any], float]
    fmt: str


def section(table, name: str) -> dict[str, Number]:
    """The entries of section ``name`` of a chapter table (a module with ``NUMBERS`` and
    ``context``)."""
    try:
        return table.NUMBERS[name]
    except KeyError:
        known = ", ".join(table.NUMBERS)
        raise InputError(f"no section {name!r} in {table.__name__}; known sections: {known}") from None


def values(table) -> dict[str, tuple[float, str]]:
    """Every entry of a chapter table, computed: ``{key: (value, fmt)}``."""
    ctx = table.context()
    return {key: (float(n.compute(ctx)), n.fmt)
            for entries in table.NUMBERS.values() for key, n in entries.items()}
