"""A gallery of published combinations, reproduced from their public inputs.

Each combination lives in its own folder of ``book/data/gallery/``: the measurements, the
correlation model and a ``meta.yaml`` holding the format, the source and the published
result (nothing of a result is typed into this module). :func:`load` turns a folder into a
:class:`~helpers.combination.Combination` and its published numbers; :func:`rounding_trials`
estimates how far the rounding of the printed inputs can move the results.

Formats (``format:`` in ``meta.yaml``):

* ``table`` -- ``measurements.csv``: one row per measurement, a value column and one
  column per source; the correlation of each source is a number or a labelled
  correlation-matrix CSV (``correlations:`` in ``meta.yaml``), or comes from a
  correlation row of the table (``correlation_row:``); ``percent: true`` for
  uncertainties in percent of the measured value.
* ``rho_rows`` -- a table with two rows ``rho_exp`` (between measurements of the same
  experiment) and ``rho_lhc`` (between experiments); ``experiment:`` maps each
  measurement to its experiment.
* ``gvm_yaml`` -- the YAML of EnzoCanonero/GVM-Combinations: measurements with
  ``central`` and ``stat_error``, sources with ``shift.value`` per measurement and an
  unlabelled n x n correlation matrix per source (whitespace-separated text).

Every file is checked on the way in: a number that is not one, a matrix of the wrong shape
or not symmetric, a missing column raise :class:`~helpers.validation.InputError` naming the
file, the row and the column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import data
from ..nudge import nudge_if_asked
from ..validation import InputError
from .core import Combination

__all__ = ["NAMES", "Entry", "Published", "comparison", "experiments", "gallery_dir", "load",
           "read_matrix", "rounding_trials", "spread"]

#: The combinations of the gallery, by folder name under ``book/data/gallery``.
NAMES = ("tevatron_mtop_2014", "lhc_mtop_7_8tev", "lhc_mtop_7tev", "lhc_single_top_8tev",
         "tevatron_mtop_2013")


@dataclass(frozen=True)
class Published:
    """The combined result as published (rounded as printed there)."""

    value: float
    stat: float
    syst: float
    total: float
    chi2: float          # NaN: not published (or not reachable from here)
    ndf: int
    source: str
    weights: dict = field(default_factory=dict)
    correlation: float = np.nan
    rounding: dict = field(default_factory=dict)
    """Half of the last printed digit of each published number (``0.30`` -> 0.005)."""


@dataclass(frozen=True)
class Entry:
    """One combination of the gallery.

    ``comb`` is the combination of the printed inputs (already iterated for relative
    uncertainties); ``stat_sources`` the sources counted as statistical; ``half_widths``
    the half of the last printed digit of each value and each error (rounding trials);
    ``relative`` the sources iterated (empty: plain BLUE)."""

    name: str
    title: str
    reference: str
    unit: str
    comb: Combination
    published: Published
    stat_sources: tuple
    value_half_widths: np.ndarray
    error_half_widths: np.ndarray
    relative: tuple = ()
    percent: bool = False

    def ours(self) -> dict:
        """Our value, stat, syst, total, chi2 and ndf (stat/syst: BLUE contributions)."""
        return _summary(self.comb, self.stat_sources)


def gallery_dir() -> Path:
    return data.data_dir() / "gallery"


# ---------------------------------------------------------------------------- reading
def _half_width(text: str) -> float:
    """Half of the last printed digit of a number as written (``"0.52"`` -> 0.005)."""
    t = str(text).strip().lower()
    mant = t.split("e")[0]
    exp = int(t.split("e")[1]) if "e" in t else 0
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 0.5 * 10.0 ** (exp - decimals)


def _raw_csv(path: Path) -> pd.DataFrame:
    """``path`` as strings (to know the printed digits), first column the index."""
    try:
        return pd.read_csv(path, comment="#", index_col=0, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"data file {path} not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read {path} as a CSV table: {exc}") from None


def _numbers(df: pd.DataFrame, label: str, what: str, **kw) -> pd.DataFrame:
    return data._numbers(df, label, what, **kw)


def _check_matrix(m: np.ndarray, label: str, rows, cols) -> np.ndarray:
    """A correlation matrix: finite, in [-1, 1], unit diagonal, symmetric (InputError
    naming file, row and column of the first offending entry)."""
    bad = ~np.isfinite(m)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(f"{label}, row {rows[i]!r}, column {cols[j]!r}: a correlation must be "
                         f"a finite number, got {m[i, j]!r}")
    out = np.abs(m) > 1
    if out.any():
        i, j = np.argwhere(out)[0]
        raise InputError(f"{label}, row {rows[i]!r}, column {cols[j]!r}: a correlation must lie "
                         f"in [-1, 1], got {m[i, j]:g}")
    diag = np.flatnonzero(np.abs(np.diag(m) - 1) > 1e-9)
    if diag.size:
        i = diag[0]
        raise InputError(f"{label}, row {rows[i]!r}, column {cols[i]!r}: the diagonal of a "
                         f"correlation matrix must be 1, got {m[i, i]:g}")
    asym = np.abs(m - m.T) > 1e-9
    if asym.any():
        i, j = np.argwhere(asym)[0]
        raise InputError(f"{label}, row {rows[i]!r}, column {cols[j]!r}: the matrix is not "
                         f"symmetric ({m[i, j]:g} here, {m[j, i]:g} at row {rows[j]!r}, "
                         f"column {cols[i]!r})")
    return m


def read_matrix(path, names) -> np.ndarray:
    """One source's n x n correlation matrix from ``path``, in the order of ``names``.

    A ``.csv`` file is labelled (first row and first column: the measurement names, in any
    order); any other file is unlabelled whitespace-separated text in the order of
    ``names``. Rows and columns are counted from 1 in messages about unlabelled files."""
    path = Path(path)
    names = list(names)
    n = len(names)
    label = str(path)
    if path.suffix.lower() == ".csv":
        raw = _raw_csv(path)
        missing_cols = [m for m in names if m not in raw.columns]
        missing_rows = [m for m in names if m not in raw.index]
        if missing_cols or missing_rows or raw.shape != (n, n):
            raise InputError(
                f"{label}: must be a {n}x{n} matrix labelled by the measurements {names}, got "
                f"shape {raw.shape}" + (f"; missing column(s) {missing_cols}" if missing_cols else "")
                + (f"; missing row(s) {missing_rows}" if missing_rows else ""))
        vals = _numbers(raw.loc[names, names], label, "a correlation", correlation=True)
        return _check_matrix(vals.to_numpy(), label, names, names)
    try:
        lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()
                 and not ln.lstrip().startswith("#")]
    except FileNotFoundError:
        raise InputError(f"correlation file {label} not found") from None
    if len(lines) != n:
        raise InputError(f"{label}: a {n}x{n} matrix needs {n} rows, got {len(lines)}")
    m = np.empty((n, n))
    for i, row in enumerate(lines):
        if len(row) != n:
            raise InputError(f"{label}, row {i + 1}: {n} columns expected, got {len(row)}")
        for j, txt in enumerate(row):
            try:
                m[i, j] = float(txt)
            except ValueError:
                raise InputError(f"{label}, row {i + 1}, column {j + 1}: a correlation must "
                                 f"be a number, got {txt!r}") from None
    idx = list(range(1, n + 1))
    return _check_matrix(m, label, idx, idx)


def _yaml():
    import yaml  # PyYAML: imported here, so importing the gallery needs no YAML reader

    return yaml


def _meta(folder: Path) -> dict:
    yaml = _yaml()
    path = folder / "meta.yaml"
    try:
        meta = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path} not found") from None
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    if not isinstance(meta, dict):
        raise InputError(f"{path}: not a mapping of keys to values")
    for key in ("title", "reference", "unit", "format", "stat_sources", "published"):
        if key not in meta:
            raise InputError(f"{path}: no {key!r}")
    meta["_text"] = yaml.load(path.read_text(), Loader=yaml.BaseLoader)   # numbers as written
    return meta


def _published(meta: dict, label: str, text: dict) -> Published:
    p = dict(meta["published"])
    printed = dict(text.get("published") or {})   # the same numbers as strings, as written
    rounding = {k: _half_width(v) for k, v in printed.items()
                if isinstance(v, str) and k not in ("source", "ndf") and v not in ("null", "~", "")}
    rounding.update({f"weight {m}": _half_width(v)
                     for m, v in (printed.get("weights") or {}).items()})
    for key in ("value", "stat", "syst", "total", "ndf", "source"):
        if key not in p:
            raise InputError(f"{label}: published has no {key!r}")
    return Published(value=float(p["value"]), stat=float(p["stat"]), syst=float(p["syst"]),
                     total=float(p["total"]),
                     chi2=np.nan if p.get("chi2") is None else float(p["chi2"]), ndf=int(p["ndf"]),
                     source=str(p["source"]), weights=dict(p.get("weights") or {}),
                     correlation=float(p.get("correlation", np.nan)), rounding=rounding)


def _column(raw: pd.DataFrame, column: str, label: str) -> None:
    if column not in raw.columns:
        raise InputError(f"{label}: no column {column!r} (columns are {list(raw.columns)})")


def _load_table(folder: Path, meta: dict):
    path = folder / "measurements.csv"
    label = str(path)
    raw = _raw_csv(path)
    vcol = meta.get("value_column", "value")
    _column(raw, vcol, label)
    special = [r for r in (meta.get("correlation_row"), "rho_exp", "rho_lhc") if r and r in raw.index]
    meas = raw.drop(index=special)
    sources = [c for c in raw.columns if c != vcol]
    values = _numbers(meas[[vcol]], label, "the value")[vcol]
    errors = _numbers(meas[sources], label, "an uncertainty", non_negative=True)
    vhw = np.array([_half_width(t) for t in meas[vcol]])
    ehw = np.array([[_half_width(t) for t in meas[s]] for s in sources]).T
    names = list(meas.index)
    corr = {}
    if meta["format"] == "rho_rows":
        for r in ("rho_exp", "rho_lhc"):
            if r not in raw.index:
                raise InputError(f"{label}: no row {r!r} (rows are {list(raw.index)})")
        rho = _numbers(raw.loc[["rho_exp", "rho_lhc"], sources], label, "a correlation",
                       correlation=True)
        exp = meta.get("experiment") or {}
        missing = [m for m in names if m not in exp]
        if missing:
            raise InputError(f"{folder / 'meta.yaml'}: experiment: no entry for {missing}")
        same = np.array([[exp[a] == exp[b] for b in names] for a in names])
        for s in sources:
            m = np.where(same, rho.at["rho_exp", s], rho.at["rho_lhc", s])
            np.fill_diagonal(m, 1.0)
            corr[s] = m
    elif meta.get("correlation_row"):
        crow = meta["correlation_row"]
        if crow not in raw.index:
            raise InputError(f"{label}: no row {crow!r} (rows are {list(raw.index)})")
        rho = _numbers(raw.loc[[crow], sources], label, "a correlation", correlation=True)
        corr = {s: float(rho.at[crow, s]) for s in sources}
    else:
        spec = meta.get("correlations") or {}
        unknown = [s for s in spec if s not in sources]
        missing = [s for s in sources if s not in spec]
        if unknown or missing:
            raise InputError(f"{folder / 'meta.yaml'}: correlations: "
                             + (f"no entry for source(s) {missing} " if missing else "")
                             + (f"unknown source(s) {unknown}" if unknown else ""))
        for s in sources:
            c = spec[s]
            corr[s] = (read_matrix(folder / c, names) if isinstance(c, str) else float(c))
    if meta.get("percent"):
        errors = errors.mul(values, axis=0) / 100.0
        ehw = ehw * np.abs(values.to_numpy())[:, None] / 100.0
    return (*_nudged(values, errors), corr, vhw, ehw)


def _nudged(values: pd.Series, errors: pd.DataFrame):
    """``values`` and ``errors`` moved by 1-3 ulp when ``$COURSE_BOOK_NUDGE`` is set (the
    tests' stand-in for another CPU's rounding; see :mod:`helpers.nudge`). The gallery's
    files are not nudged as text: the digits they print are data (the rounding spread)."""
    return (pd.Series(nudge_if_asked(values.to_numpy()), index=values.index, name=values.name),
            pd.DataFrame(nudge_if_asked(errors.to_numpy()), index=errors.index, columns=errors.columns))


def _load_gvm(folder: Path, meta: dict):
    yaml = _yaml()
    path = folder / meta.get("file", "LHC_comb.yaml")
    label = str(path)
    try:
        text = path.read_text()
        doc = yaml.safe_load(text)
    except FileNotFoundError:
        raise InputError(f"data file {label} not found") from None
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read {label}: {exc}") from None
    try:
        ms = doc["data"]["measurements"]
        syst = doc["syst"]
        cdir = folder / doc["global"]["corr_dir"]
    except (KeyError, TypeError) as exc:
        raise InputError(f"{label}: missing key {exc}") from None
    names = [str(m.get("label")) for m in ms]
    n = len(names)
    cols = {"value": [m.get("central") for m in ms], "stat": [m.get("stat_error") for m in ms]}
    corr = {"stat": 0.0}
    for s in syst:
        sname = str(s.get("name"))
        vals = (s.get("shift") or {}).get("value")
        if not isinstance(vals, list) or len(vals) != n:
            got = len(vals) if isinstance(vals, list) else vals
            raise InputError(f"{label}, source {sname!r}, column shift.value: {n} entries "
                             f"expected, got {got!r}")
        cols[sname] = vals
        corr[sname] = read_matrix(cdir / s["shift"]["correlation"], names)
    raw = pd.DataFrame({k: [repr(v) if isinstance(v, float) else v for v in vs]
                        for k, vs in cols.items()}, index=names)
    num = _numbers(raw, label, "an entry")
    sources = [c for c in raw.columns if c != "value"]
    errors = _numbers(raw[sources], label, "an uncertainty", non_negative=True)
    vhw = np.array([_half_width(t) for t in raw["value"]])
    ehw = np.array([[_half_width(t) for t in raw[s]] for s in sources]).T
    return (*_nudged(num["value"], errors), corr, vhw, ehw)


def load(name: str) -> Entry:
    """The gallery entry ``name`` (one of :data:`NAMES`): combination and published result."""
    if name not in NAMES:
        raise InputError(f"no combination {name!r} in the gallery; it has {list(NAMES)}")
    return load_folder(gallery_dir() / name)


def load_folder(folder) -> Entry:
    """A gallery entry from any folder holding ``meta.yaml`` and its data files."""
    folder = Path(folder)
    meta = _meta(folder)
    fmt = meta["format"]
    if fmt in ("table", "rho_rows"):
        values, errors, corr, vhw, ehw = _load_table(folder, meta)
    elif fmt == "gvm_yaml":
        values, errors, corr, vhw, ehw = _load_gvm(folder, meta)
    else:
        raise InputError(f"{folder / 'meta.yaml'}: unknown format {fmt!r}")
    stat = tuple(meta["stat_sources"])
    unknown = [s for s in stat if s not in errors.columns]
    if unknown:
        raise InputError(f"{folder / 'meta.yaml'}: stat_sources {unknown} are not sources "
                         f"of the table ({list(errors.columns)})")
    comb = Combination(values, errors, corr)
    relative = ()
    if meta.get("iterate"):
        relative = tuple(s for s in errors.columns if s not in stat)
        comb = comb.iterated(list(relative))
    return Entry(name=folder.name, title=str(meta["title"]), reference=str(meta["reference"]),
                 unit=str(meta["unit"]), comb=comb,
                 published=_published(meta, str(folder / "meta.yaml"), meta["_text"]), stat_sources=stat,
                 value_half_widths=vhw, error_half_widths=ehw, relative=relative,
                 percent=bool(meta.get("percent")))


# ----------------------------------------------------------------------------- results
def _summary(comb: Combination, stat_sources) -> dict:
    u = comb.uncertainties
    stat = float(np.sqrt(sum(u[s] ** 2 for s in stat_sources)))
    syst = float(np.sqrt(max(comb.error ** 2 - stat ** 2, 0.0)))
    out = {"value": comb.value, "stat": stat, "syst": syst, "total": comb.error,
           "chi2": comb.chi2, "ndf": comb.ndf}
    out.update({f"weight {m}": w for m, w in comb.weights.items()})
    if comb.n == 2:
        out["correlation"] = float(comb.correlation.iat[0, 1])
    return out


def rounding_trials(entry: Entry, n: int = 400, rng=None) -> pd.DataFrame:
    """``n`` combinations of inputs drawn uniformly within the rounding of the printed ones.

    Every value and every error is replaced by a uniform draw from ``[x - h, x + h]``, ``h``
    half of its last printed digit (errors cut at 0; relative errors: half the last digit
    of the printed percentage); the correlations are kept. Relative sources are iterated
    as in :func:`load`. Vectorised: one batch of ``n`` BLUE solutions (plus the
    iterations). Columns as :meth:`Entry.ours`."""
    from .. import SEED

    rng = np.random.default_rng(SEED if rng is None else rng)
    c = entry.comb
    y0 = c.values.to_numpy()
    # the printed errors (before any iteration): relative ones at the measured values
    err0 = c.errors.to_numpy().copy()
    src = list(c.sources)
    rel = [src.index(s) for s in entry.relative]
    if rel:
        err0[:, rel] = err0[:, rel] / abs(c.value) * np.abs(y0)[:, None]
    rho = np.array([c.source_correlations[s].to_numpy() for s in src])       # (k, n, n)
    y = y0 + rng.uniform(-1, 1, (n, y0.size)) * entry.value_half_widths
    err = np.abs(err0 + rng.uniform(-1, 1, (n, *err0.shape)) * entry.error_half_widths)
    rel_frac = err[:, :, rel] / np.abs(y0)[None, :, None]
    ones = np.ones(y0.size)

    def solve(e):
        cov = np.einsum("tik,kij,tjk->tij", e, rho, e)
        cinv1 = np.linalg.solve(cov, np.broadcast_to(ones, (n, y0.size))[..., None])[..., 0]
        w = cinv1 / cinv1.sum(axis=1, keepdims=True)
        return cov, w, (w * y).sum(axis=1)

    cov, w, val = solve(err)
    for _ in range(200 if rel else 0):
        e = err.copy()
        e[:, :, rel] = rel_frac * np.abs(val)[:, None, None]
        cov, w, new = solve(e)
        done = np.max(np.abs(new - val)) < 1e-12 * np.max(np.abs(new))
        val = new
        if done:
            err = e
            break
    total = np.sqrt(np.einsum("ti,tij,tj->t", w, cov, w))
    si = [src.index(s) for s in entry.stat_sources]
    we = w[:, :, None] * err[:, :, si]                                       # (t, n, ks)
    stat = np.sqrt(np.einsum("tis,sij,tjs->t", we, rho[si], we))
    r = y - val[:, None]
    chi2 = np.einsum("ti,ti->t", r, np.linalg.solve(cov, r[..., None])[..., 0])
    out = pd.DataFrame({"value": val, "stat": stat,
                        "syst": np.sqrt(np.maximum(total ** 2 - stat ** 2, 0)),
                        "total": total, "chi2": chi2, "ndf": c.ndf})
    for i, m in enumerate(c.names):
        out[f"weight {m}"] = w[:, i]
    if c.n == 2:
        out["correlation"] = cov[:, 0, 1] / np.sqrt(cov[:, 0, 0] * cov[:, 1, 1])
    return out


def spread(entry: Entry, n: int = 400, rng=None) -> pd.Series:
    """The standard deviation of each result over :func:`rounding_trials`."""
    return rounding_trials(entry, n, rng).std(ddof=1)


#: The quantities :func:`comparison` puts side by side, in its column order.
COMPARED = ("value", "stat", "syst", "total", "chi2")


def comparison(names=NAMES, trials: int = 400, rng=None) -> pd.DataFrame:
    """The gallery as a table: for each combination (rows, by title) the published value,
    stat, syst, total error and chi2 next to ours (columns: a two-level index, quantity
    then ``published`` / ``ours``), the unit, the degrees of freedom, the number of measurements and
    the largest ``|ours - published|`` in units of the rounding spread (:func:`spread`,
    ``trials`` trials, seeded with ``SEED`` unless ``rng`` is given). A published number
    not reachable from here is NaN."""
    from .. import SEED

    rows = {}
    for name in names:
        e = load(name)
        ours = e.ours()
        sd = spread(e, trials, np.random.default_rng(SEED) if rng is None else rng)
        row = {}
        worst = 0.0
        for q in COMPARED:
            pub = float(getattr(e.published, q))
            row[(q, "published")] = pub
            row[(q, "ours")] = float(ours[q])
            if not np.isnan(pub):
                worst = max(worst, abs(ours[q] - pub) / float(sd[q]))
        row[("unit", "")] = e.unit
        row[("ndf", "")] = int(e.comb.ndf)
        row[("measurements", "")] = int(e.comb.n)
        row[("largest difference", "in spreads")] = worst
        rows[e.title] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    out.index.name = "combination"
    return out


def experiments(entry: Entry) -> pd.Series:
    """The experiment of each measurement of ``entry`` (``experiment:`` of its
    ``meta.yaml``; for a table without one, the measurement's own name)."""
    meta = _meta(gallery_dir() / entry.name)
    exp = meta.get("experiment") or {}
    return pd.Series({m: str(exp.get(m, m)) for m in entry.comb.names}, name="experiment")
