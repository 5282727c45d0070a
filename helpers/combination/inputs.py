"""Reading the inputs of a combination: values, errors by source, correlations and a
combination table, with labelled inputs aligned by label (never by position) and
everything else refused with an :class:`~helpers.validation.InputError` naming the problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import data
from ..validation import (
    InputError,
    as_correlation_matrix,
    as_positive_vector,
    as_real_array,
    as_vector,
)

#: Row / column labels used by :meth:`Combination.summary`, :meth:`Combination.table`,
#: :meth:`Combination.grouped` and :meth:`Combination.information_weights`.
_RESERVED_SOURCES = ("total", "value")
_RESERVED_NAMES = ("combination", "correlations")

#: Names recognised by :meth:`Combination.from_table` (compared case-insensitively).
_VALUE_COLUMNS = ("Experiment", "value")
_CORRELATION_ROWS = ("Correlations", "correlation")

# --------------------------------------------------------------------------------------
# labels
# --------------------------------------------------------------------------------------
def _unique_labels(labels, what: str) -> list:
    labels = list(labels)
    seen = set()
    for lab in labels:
        if lab in seen:
            raise InputError(f"{what} must be unique, {lab!r} appears twice")
        seen.add(lab)
    return labels


def _is_default_index(index, n: int) -> bool:
    return isinstance(index, pd.RangeIndex) and list(index) == list(range(n))


def _match(labels, names, what: str) -> list:
    """Positions of ``names`` in ``labels``; InputError naming the labels that do not match."""
    labels = _unique_labels(labels, f"labels of {what}")
    extra = [lab for lab in labels if lab not in names]
    missing = [m for m in names if m not in labels]
    if extra or missing:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unknown {extra}")
        raise InputError(
            f"{what} {labels} do not match the measurement names {list(names)}: "
            f"{' and '.join(parts)} (labelled inputs are aligned by label, never by position)"
        )
    return [labels.index(m) for m in names]


def _square_frame(frame: pd.DataFrame, names, labelled: bool, what: str) -> np.ndarray:
    """An n x n DataFrame as an array in the order of ``names`` (rows and columns by label).

    If the measurements have no labels of their own (plain arrays, default names) a
    frame labelled ``0 .. n-1`` on both axes is taken in order.
    """
    n = len(names)
    if frame.shape != (n, n):
        raise InputError(f"{what} must be {n}x{n} to match {n} measurements, got {frame.shape}")
    if (not labelled and _is_default_index(frame.index, n)
            and _is_default_index(frame.columns, n)):
        rows = cols = list(range(n))
    else:
        rows = _match(frame.index, names, f"the rows of {what}")
        cols = _match(frame.columns, names, f"the columns of {what}")
    arr = as_real_array(frame.to_numpy(), what)
    return arr[np.ix_(rows, cols)]


# --------------------------------------------------------------------------------------
# plain BLUE on a total covariance

# --------------------------------------------------------------------------------------
# input parsing
# --------------------------------------------------------------------------------------
def _parse_values(values, names) -> tuple[np.ndarray, list | None]:
    """Return (values array, their labels or None)."""
    if isinstance(values, pd.DataFrame):
        raise InputError("values must be one-dimensional (a Series or a 1-d array), got a DataFrame")
    y = as_vector(as_real_array(values, "values"), "values", min_length=2)
    labels = list(values.index) if isinstance(values, pd.Series) else None
    if names is not None:
        names = list(names) if not isinstance(names, str) else [names]
        if len(names) != len(y):
            raise InputError(f"names has {len(names)} entries but there are {len(y)} values")
        if labels is not None and names != labels:
            raise InputError(
                f"names {names} differ from the index of the values Series {labels}; "
                "give names= only with unlabelled values (or rename the Series)"
            )
        labels = names
    return y, labels


def _parse_errors(errors, n: int, names: list | None, sources):
    """Return (errors array (n, k), measurement names, source names, labelled).

    ``names`` are the labels of the values (or None). A DataFrame of errors is aligned
    on them by label; ``labelled`` tells whether the measurement names came from the
    inputs (False: default names ``m1``, ``m2``, ...).
    """
    if isinstance(errors, pd.Series):
        # one source with labelled measurements: aligned like a one-column DataFrame
        if sources is None:
            sources = ["source 1" if errors.name is None else errors.name]
        sources = [sources] if isinstance(sources, str) else list(sources)
        if len(sources) != 1:
            raise InputError(f"sources has {len(sources)} names but the errors Series is one source")
        errors = errors.to_frame(name=sources[0])
    if isinstance(errors, pd.DataFrame):
        if errors.shape[0] != n:
            raise InputError(
                f"errors has {errors.shape[0]} rows but there are {n} measurements "
                "(rows are measurements, columns are sources)"
            )
        cols = list(errors.columns)
        if sources is not None and list(sources) != cols:
            raise InputError(
                f"sources {list(sources)} differ from the columns of the errors DataFrame {cols}; "
                "pass sources= only with an array of errors"
            )
        rows = list(errors.index)
        if names is None:
            # unlabelled values: the rows of errors name the measurements, unless they
            # are just the default 0 .. n-1
            names = None if _is_default_index(errors.index, n) else _unique_labels(rows, "measurement names")
            order = list(range(n))
        else:
            order = _match(rows, _unique_labels(names, "measurement names"), "the rows of errors")
        arr = as_real_array(errors.to_numpy(), "errors")[order]
        source_names = cols
    else:
        arr = as_real_array(errors, "errors")
        if arr.ndim == 0:
            raise InputError("errors must be an (n, k) array or a DataFrame, got a single number")
        if arr.ndim == 1:  # one source
            arr = arr.reshape(-1, 1)
        if arr.ndim != 2:
            raise InputError(f"errors must be two-dimensional (measurements x sources), got shape {arr.shape}")
        if arr.shape[0] != n:
            raise InputError(
                f"errors has shape {arr.shape} but there are {n} measurements "
                "(rows are measurements, columns are sources)"
            )
        k = arr.shape[1]
        if sources is None:
            source_names = [f"source {i + 1}" for i in range(k)]
        else:
            source_names = [sources] if isinstance(sources, str) else list(sources)
            if len(source_names) != k:
                raise InputError(f"sources has {len(source_names)} names but errors has {k} columns")
    if arr.size == 0 or arr.shape[1] == 0:
        raise InputError("errors is empty: give at least one uncertainty source")
    source_names = _unique_labels(source_names, "source names")
    for j, s in enumerate(source_names):
        as_positive_vector(arr[:, j], f"errors of source {s!r}", allow_zero=True)
    labelled = names is not None
    if names is None:
        names = [f"m{i + 1}" for i in range(n)]
    names = _unique_labels(names, "measurement names")
    for s in source_names:
        if s in _RESERVED_SOURCES:
            raise InputError(f"{s!r} is reserved for the summary tables; rename that source")
    for m in names:
        if m in _RESERVED_NAMES:
            raise InputError(f"{m!r} is reserved for the summary tables; rename that measurement")
    return arr, names, source_names, labelled


def _correlation_matrix(r, names: list, labelled: bool, what: str) -> np.ndarray:
    """One source's correlation (scalar, array or labelled DataFrame) as an n x n array."""
    r = _square_frame(r, names, labelled, what) if isinstance(r, pd.DataFrame) else as_real_array(r, what)
    return as_correlation_matrix(r, len(names), what)


def _parse_correlations(correlations, source_names: list, names: list, labelled: bool) -> np.ndarray:
    """Return the per-source correlation matrices, shape (k, n, n)."""
    k, n = len(source_names), len(names)
    if isinstance(correlations, (Mapping, pd.Series)):
        keys = list(correlations.keys())
        unknown = [s for s in keys if s not in source_names]
        if unknown:
            raise InputError(f"correlations given for unknown source(s) {unknown}; sources are {source_names}")
        missing = [s for s in source_names if s not in keys]
        if missing:
            raise InputError(f"no correlation given for source(s) {missing}")
        per_source = [correlations[s] for s in source_names]
    elif isinstance(correlations, pd.DataFrame):
        per_source = [correlations] * k  # one labelled matrix for every source
    elif correlations is None:
        raise InputError("correlations are missing: give one per source (0 for uncorrelated)")
    elif isinstance(correlations, (str, bytes, bool, np.bool_, complex, np.complexfloating)):
        raise InputError(f"correlations must be numbers in [-1, 1], matrices or a mapping, "
                         f"got {correlations!r}")
    else:
        if np.ma.isMaskedArray(correlations):
            as_real_array(correlations, "correlations")       # refuses masked entries
        try:
            arr = as_real_array(correlations, "correlations")
        except InputError:
            arr = None  # ragged (a sequence mixing scalars and matrices) or not numbers: per source
        if arr is not None and arr.ndim == 0:
            per_source = [arr.item()] * k
        elif arr is not None and arr.ndim == 2:
            per_source = [arr] * k  # one matrix for every source
        else:
            if isinstance(correlations, (str, bytes)) or not isinstance(correlations, (Sequence, np.ndarray)):
                raise InputError(f"correlations must be numbers, matrices or a mapping, got {correlations!r}")
            per_source = list(correlations)
            if len(per_source) != k:
                raise InputError(f"correlations has {len(per_source)} entries but there are {k} sources")
    mats = [_correlation_matrix(r, names, labelled, f"correlation of source {s!r}")
            for s, r in zip(source_names, per_source)]
    return np.array(mats, dtype=float).reshape(k, n, n)


def _as_source_list(sources, what: str) -> list:
    out = ([sources] if isinstance(sources, str)
           or not isinstance(sources, (Sequence, np.ndarray, pd.Index, set, frozenset))
           else list(sources))
    if not out:
        raise InputError(f"{what} needs at least one source")
    return out


def _find_label(labels, wanted, given, what: str):
    labels = list(labels)
    if given is not None:
        if given not in labels:
            raise InputError(f"no {what} {given!r} in the table; it has {labels}")
        return given
    lower = {str(lab).strip().lower(): lab for lab in labels}
    for w in wanted:
        if w.lower() in lower:
            return lower[w.lower()]
    return None



def _table_inputs(table, matrices: Mapping | None, value_column, correlation_row):
    """``(values, errors, correlations)`` of a combination table (see
    :meth:`~helpers.combination.Combination.from_table`)."""
    df = data.read_table(table)
    vcol = _find_label(df.columns, _VALUE_COLUMNS, value_column, "value column")
    if vcol is None:
        raise InputError(f"no value column in the table (looked for {list(_VALUE_COLUMNS)} "
                         f"among {list(df.columns)}); pass value_column=")
    crow = _find_label(df.index, _CORRELATION_ROWS, correlation_row, "correlation row")
    sources = [c for c in df.columns if c != vcol]
    if not sources:
        raise InputError("the table has no uncertainty columns")
    matrices = dict(matrices or {})
    unknown = [s for s in matrices if s not in sources]
    if unknown:
        raise InputError(f"correlation matrices given for source(s) {unknown} that are not "
                         f"in the table; its sources are {sources}")
    meas = df.drop(index=crow) if crow is not None else df
    try:
        values = meas[vcol].astype(float)
        errors = meas[sources].astype(float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"the table must hold numbers: {exc}") from None
    corr_row = (pd.to_numeric(df.loc[crow, sources], errors="coerce") if crow is not None
                else pd.Series(np.nan, index=sources))
    missing = [s for s in sources if s not in matrices and pd.isna(corr_row[s])]
    if missing:
        where = f"in the {crow!r} row" if crow is not None else "(the table has no correlation row)"
        raise InputError(f"missing correlation for source(s) {missing} {where}; "
                         "give a number or a matrix through matrices=")
    correlations = {s: matrices[s] if s in matrices else float(corr_row[s]) for s in sources}
    return values, errors, correlations
