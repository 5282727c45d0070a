"""The measured inputs of the chapters, read from ``book/data``.

The files are plain CSV so students can open them; these loaders turn them into the
objects the chapters need and check them on the way in: a missing file, row or column,
an entry that is not a number, a NaN, a negative uncertainty or a correlation outside
[-1, 1] raises :class:`~helpers.validation.InputError` naming the file, the row and the
column.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .validation import InputError

__all__ = ["data_dir", "read_table", "w_mass", "normalisation_inputs", "ttbar_xsec"]


EXACT_FLOATS = ({"float_precision": "round_trip"}
                if tuple(int(p) for p in pd.__version__.split(".")[:2]) < (3, 1) else {})
"""``pd.read_csv`` keywords that read every number exactly as written: before pandas 3.1
(3.0.2 is the live site's) the default parser is off by an ulp for about one 17-digit
number in five; 3.1 reads exactly by default and deprecates ``float_precision``."""


def data_dir() -> Path:
    """The folder holding the book's data files.

    ``$COURSE_BOOK_DATA`` overrides it; otherwise it is ``book/data`` next to this
    package (the project is installed editable with ``pip install -e .``). Where the
    package is installed from a wheel (the live website: JupyterLite puts the data in
    ``data/`` beside the chapters), ``data`` in the working directory is the fallback.
    """
    env = os.environ.get("COURSE_BOOK_DATA")
    path = Path(env) if env else Path(__file__).resolve().parent.parent / "book" / "data"
    if not env and not path.is_dir() and (Path.cwd() / "data").is_dir():
        path = Path.cwd() / "data"
    if not path.is_dir():
        raise InputError(f"data folder {path} not found (install the project with pip install -e .)")
    return path


def _cached(filename: str):
    """Cache a loader's checked result by the file's path, size and modification time:
    a slider that rebuilds a chapter's problem does not parse and check the file again,
    and an edited file is read again. Every call gets its own copy."""
    def deco(loader):
        @functools.lru_cache(maxsize=8)
        def load(path: str, size: int, mtime_ns: int):
            return loader()

        @functools.wraps(loader)
        def wrapper():
            path = data_dir() / filename
            try:
                st = path.stat()
            except FileNotFoundError:
                raise InputError(f"data file {path} not found") from None
            return copy.deepcopy(load(str(path), st.st_size, st.st_mtime_ns))
        return wrapper
    return deco


def _csv(path, label: str, kind: str) -> pd.DataFrame:
    """``path`` read as a CSV table (``#`` comments, first column the index, exact floats);
    InputError naming ``label`` if it is missing or unreadable."""
    try:
        df = pd.read_csv(path, comment="#", index_col=0, **EXACT_FLOATS)
        header = pd.read_csv(path, comment="#", header=None, nrows=1, dtype=str,
                             keep_default_na=False).iloc[0].tolist()
    except FileNotFoundError:
        raise InputError(f"{kind} {label} not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {label} as a CSV table: {exc}") from None
    _unique_columns(header, label)
    return df


def _unique_columns(names, label: str) -> None:
    """InputError naming the columns that appear more than once in a header as written
    (pandas renames a second ``stat`` to ``stat.1``, so its own columns are always unique)."""
    names = [str(c) for c in names]
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise InputError(f"{label}: column(s) {dup} appear more than once in the header")


def read_table(table) -> pd.DataFrame:
    """A combination table as a DataFrame indexed by the measurement names: from a CSV file
    (``#`` starts a comment, the first column names the rows) or from a DataFrame (a
    first column of names becomes the index, e.g. ``pd.read_csv(path)`` without
    ``index_col``). Used by :meth:`helpers.combination.Combination.from_table`."""
    if isinstance(table, (str, os.PathLike)):
        return _csv(table, repr(os.fspath(table)), "table file")
    if isinstance(table, pd.DataFrame):
        _unique_columns(table.columns, "the table")
        df = table.copy()
        if (isinstance(df.index, pd.RangeIndex) and df.shape[1] > 0
                and not pd.api.types.is_numeric_dtype(df.iloc[:, 0])):
            df = df.set_index(df.columns[0])
        return df
    raise InputError(f"table must be a path to a CSV file or a DataFrame, got {type(table).__name__}")


def _read(name: str) -> pd.DataFrame:
    path = data_dir() / name
    df = _csv(path, str(path), "data file")
    if not df.index.is_unique:
        dup = sorted({str(r) for r in df.index[df.index.duplicated()]})
        raise InputError(f"{name}: row(s) {dup} appear more than once")
    return df


def _row(df: pd.DataFrame, row: str, name: str) -> pd.Series:
    if row not in df.index:
        raise InputError(f"{name}: no row {row!r} (rows are {list(df.index)})")
    return df.loc[row]


def _column(df: pd.DataFrame, column: str, name: str) -> pd.Series:
    if column not in df.columns:
        raise InputError(f"{name}: no column {column!r} (columns are {list(df.columns)})")
    return df[column]


def _numbers(frame, name: str, what: str = "entry", *, non_negative: bool = False,
             correlation: bool = False):
    """``frame`` (Series or DataFrame) as floats; InputError naming file, row and column of the
    first entry that is not a finite number (or negative / outside [-1, 1])."""
    df = frame.to_frame() if isinstance(frame, pd.Series) else frame
    raw = df.to_numpy(dtype=object)
    try:
        vals = df.to_numpy(dtype=float)  # the fast path: every column already numeric
        is_bool = np.array([pd.api.types.is_bool_dtype(t) for t in df.dtypes])[None, :]
        is_bool = np.broadcast_to(is_bool, vals.shape)
    except (TypeError, ValueError):
        vals = df.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        is_bool = np.vectorize(lambda v: isinstance(v, (bool, np.bool_)), otypes=[bool])(raw)
    bad = is_bool | ~np.isfinite(vals)
    with np.errstate(invalid="ignore"):
        if non_negative:
            bad |= vals < 0
        if correlation:
            bad |= np.abs(vals) > 1
    if np.any(bad):
        i, j = np.argwhere(bad)[0]
        x, v = vals[i, j], raw[i, j]
        where = f"{name}, row {df.index[i]!r}, column {df.columns[j]!r}"
        if is_bool[i, j]:
            raise InputError(f"{where}: {what} must be a number, got {v!r}")
        if not np.isfinite(x):
            shown = "an empty field" if pd.isna(v) else repr(v)
            raise InputError(f"{where}: {what} must be a finite number, got {shown}")
        if non_negative and x < 0:
            raise InputError(f"{where}: {what} must not be negative, got {x:g}")
        raise InputError(f"{where}: {what} must lie in [-1, 1], got {x:g}")
    out = pd.DataFrame(vals, index=df.index, columns=df.columns)
    return out[out.columns[0]] if isinstance(frame, pd.Series) else out


def _table(name: str, value_column: str, correlation_row: str):
    """(values, errors, correlations) of a combination table, each checked."""
    df = _read(name)
    _column(df, value_column, name)
    corr_row = _row(df, correlation_row, name)
    meas = df.drop(index=correlation_row)
    if meas.empty:
        raise InputError(f"{name}: no measurement rows")
    sources = [c for c in df.columns if c != value_column]
    if not sources:
        raise InputError(f"{name}: no uncertainty columns")
    values = _numbers(meas[value_column], name, "the value")
    errors = _numbers(meas[sources], name, "an uncertainty", non_negative=True)
    corr = _numbers(corr_row[sources].to_frame(correlation_row).T, name, "a correlation",
                    correlation=True).loc[correlation_row]
    corr.name = correlation_row
    return values, errors, corr


@_cached("w_mass.csv")
def w_mass():
    """LEP W mass in two channels.

    Returns ``(values, errors, correlations)``: a Series of the two measured masses, a
    DataFrame of uncertainty components (rows: channels, columns: sources) and a
    Series with the inter-channel correlation of each source. All in MeV.
    """
    return _table("w_mass.csv", "value", "correlation")


@_cached("normalisation.csv")
def normalisation_inputs() -> pd.DataFrame:
    """The two measurements of exercise 4.2 with relative stat and normalisation errors
    (columns ``value``, ``stat_rel`` and ``norm_rel``, each required)."""
    name = "normalisation.csv"
    df = _read(name)
    if df.empty:
        raise InputError(f"{name}: no measurement rows")
    for column in ("value", "stat_rel", "norm_rel"):
        _column(df, column, name)
    errors = [c for c in df.columns if c != "value"]
    out = _numbers(df, name)
    _numbers(df[errors], name, "an uncertainty", non_negative=True)
    return out


@_cached("lhc_ttbar_xsec.csv")
def ttbar_xsec():
    """ATLAS and CMS ttbar cross sections at 8 TeV (ATLAS-CONF-2014-054, Table 1), in pb.

    Returns ``(values, errors, correlations)`` like :func:`w_mass`.
    """
    return _table("lhc_ttbar_xsec.csv", "Experiment", "Correlations")
