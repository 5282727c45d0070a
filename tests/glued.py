"""Compare a number glued into a stored chapter with the value a test computes, at the
precision the reader is shown (the stored value is the display's rounding of it)."""

from __future__ import annotations

import math
import re

_SPEC = re.compile(r"[+ ]?,?\.(\d+)([fegFEG])")


def half_unit(stored: float, spec: str) -> float:
    """Half a unit in the last digit that ``format(stored, spec)`` shows."""
    m = _SPEC.fullmatch(spec)
    if not m:
        raise ValueError(f"not a number format: {spec!r}")
    digits, kind = int(m.group(1)), m.group(2).lower()
    if kind == "f":
        return 0.5 * 10.0 ** -digits
    exponent = math.floor(math.log10(abs(stored))) if stored else 0
    return 0.5 * 10.0 ** (exponent - digits + (1 if kind == "g" else 0))


def assert_shown(stored: float, value: float, spec: str, key: str = "") -> None:
    """``stored`` is ``value`` rounded as ``spec`` shows it: within half a displayed unit
    (a value that lies within rounding of a boundary may be shown either way)."""
    tol = half_unit(stored, spec) * (1 + 1e-9) + 1e-12 * abs(value)
    assert abs(stored - value) <= tol, f"{key}: stored {stored!r} shows {format(stored, spec.replace(',', ''))}, computed {value!r}"
