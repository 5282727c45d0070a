"""Input checks shared by every computation in the book.

Every public function in :mod:`helpers` validates what it is given and raises
:class:`InputError` with a short, human-readable message instead of returning a
silently wrong number. Widgets catch :class:`InputError` and show the message.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "InputError",
    "as_real_array",
    "as_count",
    "as_seed",
    "as_finite_array",
    "as_number",
    "as_vector",
    "as_positive_vector",
    "as_correlation",
    "as_correlation_matrix",
    "as_covariance",
    "check_same_length",
]


class InputError(ValueError):
    """Raised for input a computation cannot give a meaningful answer for."""


def _as_float_array(values, name: str) -> np.ndarray:
    """``values`` as a float array, refusing what float() would silently accept:
    booleans, strings (even numeric ones) and complex numbers (their imaginary part
    would be dropped)."""
    if isinstance(values, (list, tuple)):
        # numpy turns [True, 2.0] into [1.0, 2.0] and [1j, 2] into complex silently:
        # look at the items of a (nested) list before converting it
        stack = [values]
        while stack:
            for item in stack.pop():
                if isinstance(item, (list, tuple)):
                    stack.append(item)
                elif isinstance(item, (bool, np.bool_)):
                    raise InputError(f"{name} must be numbers, not True/False: {values!r}")
                elif isinstance(item, (str, bytes)):
                    raise InputError(f"{name} must be numbers, not text: {values!r}")
                elif item is None:
                    raise InputError(f"{name} must be numbers, not None: {values!r}")
                elif np.ma.isMaskedArray(item) and np.ma.getmaskarray(item).any():
                    raise InputError(f"{name} holds a masked array with masked entries: "
                                     "drop or fill them first")
    if np.ma.isMaskedArray(values):
        # numpy computes with the values under the mask: refuse them rather than use them
        mask = np.ma.getmaskarray(values)
        if mask.ndim == 0 and mask:
            raise InputError(f"{name} is a masked value: give a number")
        masked = np.argwhere(mask)
        if masked.size:
            where = [tuple(int(i) for i in row) if len(row) > 1 else int(row[0]) for row in masked[:5]]
            more = f" and {len(masked) - 5} more" if len(masked) > 5 else ""
            raise InputError(f"{name} is a masked array with masked entries at {where}{more}: "
                             "drop or fill them first (e.g. values.compressed() or values.filled(...))")
        values = np.ma.getdata(values)
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:            # ragged lists and the like
        raise InputError(f"{name} must be numbers of one consistent shape, got {values!r}") from exc
    if arr.dtype == object:
        try:
            items = list(arr.flat)
        except TypeError:
            items = [values]
        for item in items:
            if item is None or isinstance(item, (bool, np.bool_, str, bytes, complex, np.complexfloating)):
                raise InputError(f"{name} must be real numbers, got {item!r}")
    if arr.dtype.kind == "b":
        raise InputError(f"{name} must be numbers, not True/False")
    if arr.dtype.kind in "USa":
        raise InputError(f"{name} must be numbers, not text: {values!r}")
    if arr.dtype.kind == "c":
        raise InputError(f"{name} must be real numbers, got complex values")
    try:
        return np.asarray(arr, dtype=float)
    except OverflowError as exc:                      # Python integers such as 10**400
        raise InputError(f"{name} has a number beyond the floating-point range (about 1.8e308)") from exc
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers, got {values!r}") from exc


def as_real_array(values, name: str = "values") -> np.ndarray:
    """``values`` as a float array of any shape, NaN and infinity allowed; booleans, text
    (even numeric), complex numbers and ragged nested lists raise :class:`InputError`
    (numpy would convert them or drop the imaginary part silently)."""
    return _as_float_array(values, name)


def as_count(value, name: str = "size", *, maximum: int | None = None) -> int:
    """A positive integer. Integral floats (``1e6``) are accepted; 1.5, True, 0, -3, "3"
    and NaN are refused, and so is anything above ``maximum``."""
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    if isinstance(value, (int, np.integer)):
        k = int(value)
    elif isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        k = int(value)
    else:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    if k < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    if maximum is not None and k > maximum:
        shown = str(k) if k < 10**15 else f"about 1e{len(str(k)) - 1}"
        raise InputError(f"{name} = {shown} is larger than the maximum {maximum}")
    return k


def as_seed(seed, name: str = "seed", *, generator: bool = True):
    """A seed for ``numpy.random.default_rng``: a non-negative integer, a
    ``numpy.random.SeedSequence`` or (with ``generator``) a ``numpy.random.Generator``.

    Refused with :class:`InputError`: negative numbers, True/False, floats (1.5, even
    2.0: a seed is an identity, not a quantity), text and anything else. Functions whose
    result must be the same for the same call (toy studies) pass ``generator=False``: a
    Generator (and a SeedSequence's spawn counter) carries state from call to call.
    """
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        if seed < 0:
            raise InputError(f"{name} must be a non-negative integer, got {seed!r}")
        return int(seed)
    kinds = "a non-negative integer"
    if generator:
        if isinstance(seed, (np.random.SeedSequence, np.random.Generator)):
            return seed
        kinds += ", a numpy SeedSequence or a numpy Generator"
    raise InputError(f"{name} must be {kinds}, got {seed!r}")


def as_finite_array(values, name: str = "values") -> np.ndarray:
    """Return ``values`` (any shape, e.g. trial means for a curve) as a finite float array."""
    arr = _as_float_array(values, name)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinity")
    return arr


def as_vector(values, name: str = "values", *, min_length: int = 1) -> np.ndarray:
    """Return ``values`` as a finite 1-d float array of at least ``min_length`` entries."""
    arr = _as_float_array(values, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size < min_length:
        if arr.size == 0:
            raise InputError(f"{name} is empty")
        raise InputError(f"{name} needs at least {min_length} entries, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinity: {arr}")
    return arr


def as_positive_vector(values, name: str = "errors", *, allow_zero: bool = False,
                       min_length: int = 1) -> np.ndarray:
    """Like :func:`as_vector`, and every entry must be > 0 (or >= 0 with ``allow_zero``)."""
    arr = as_vector(values, name, min_length=min_length)
    bad = arr < 0 if allow_zero else arr <= 0
    if np.any(bad):
        need = "non-negative" if allow_zero else "positive"
        raise InputError(f"{name} must be {need}, got {arr}")
    return arr


def check_same_length(**arrays) -> int:
    """Raise unless all given 1-d arrays have the same length; return that length."""
    if not arrays:
        raise InputError("check_same_length needs at least one array")
    lengths = {}
    for k, v in arrays.items():
        try:
            lengths[k] = len(v)
        except TypeError:
            raise InputError(f"{k} must be a sequence of numbers, got {v!r}") from None
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise InputError(f"mismatched lengths: {desc}")
    return next(iter(lengths.values()))


def as_number(value, name: str = "value", *, positive: bool = False,
              non_negative: bool = False) -> float:
    """One finite number (optionally > 0 or >= 0); arrays of size > 1 are rejected."""
    arr = _as_float_array(value, name)      # refuses ragged lists, text, booleans, complex
    if arr.ndim != 0:
        raise InputError(f"{name} must be a single number, got {value!r}")
    x = float(arr)
    if not np.isfinite(x):
        raise InputError(f"{name} is NaN or infinite")
    if positive and x <= 0:
        raise InputError(f"{name} must be a positive number, got {x:g}")
    if non_negative and x < 0:
        raise InputError(f"{name} must be >= 0, got {x:g}")
    return x


def as_correlation(rho, name: str = "correlation") -> float:
    """A single correlation coefficient: finite and within [-1, 1]."""
    r = as_number(rho, name)
    if not -1.0 <= r <= 1.0:
        raise InputError(f"{name} must lie in [-1, 1], got {r:g}")
    return r


def as_correlation_matrix(rho, n: int, name: str = "correlation") -> np.ndarray:
    """An n x n correlation matrix from a scalar (every off-diagonal pair) or a matrix.

    A matrix must be symmetric with unit diagonal and entries in [-1, 1]. It is *not*
    required to be positive definite on its own (a source may be fully correlated);
    positive definiteness is checked on the total covariance.
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"the number of measurements must be a positive integer, got {n!r}")
    arr = _as_float_array(rho, name)
    if arr.ndim == 0:
        r = as_correlation(arr.item(), name)
        mat = np.full((n, n), r)
        np.fill_diagonal(mat, 1.0)
        return mat
    if arr.shape != (n, n):
        raise InputError(f"{name} must be a scalar or a {n}x{n} matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinity")
    if np.any(np.abs(arr) > 1.0 + 1e-12):
        raise InputError(f"{name} has entries outside [-1, 1]")
    arr = np.clip(arr, -1.0, 1.0)  # rounding of a normalised matrix may give 1 + 1e-16
    if not np.allclose(np.diag(arr), 1.0):
        raise InputError(f"{name} must have ones on the diagonal")
    if not np.allclose(arr, arr.T, rtol=0, atol=1e-12):
        raise InputError(f"{name} is not symmetric")
    return arr


def as_covariance(cov, n: int | None = None, name: str = "covariance") -> np.ndarray:
    """A finite, symmetric, positive-definite covariance matrix (n x n if n is given).

    Positive definiteness is tested on the correlation matrix
    (:func:`helpers.blue.check_covariance`), so a matrix that is singular up to rounding
    (for example two fully correlated measurements with equal errors) is rejected with a
    message rather than inverted into garbage, at any scale.
    """
    arr = _as_float_array(cov, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InputError(f"{name} must be a square matrix, got shape {arr.shape}")
    if n is not None and arr.shape != (n, n):
        raise InputError(f"{name} must be {n}x{n} to match {n} measurements, got {arr.shape}")
    if arr.size == 0:
        raise InputError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinity")
    from .blue import check_covariance   # the one check, judged on the correlation matrix

    return check_covariance(arr, name=name)
