"""The measured inputs of the chapters, read from ``book/data``.

The files are plain CSV so students can open them; these loaders turn them into the
objects the chapters need and check them on the way in.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .validation import InputError

__all__ = ["data_dir", "w_mass", "normalisation_inputs", "ttbar_xsec"]


def data_dir() -> Path:
    """The folder holding the book's data files.

    ``$COURSE_BOOK_DATA`` overrides it; otherwise it is ``book/data`` next to this
    package (the project is installed editable with ``pip install -e .``).
    """
    env = os.environ.get("COURSE_BOOK_DATA")
    path = Path(env) if env else Path(__file__).resolve().parent.parent / "book" / "data"
    if not path.is_dir():
        raise InputError(f"data folder {path} not found (install the project with pip install -e .)")
    return path


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(data_dir() / name, comment="#", index_col=0)


def w_mass():
    """LEP W mass in two channels.

    Returns ``(values, errors, correlations)``: a Series of the two measured masses, a
    DataFrame of uncertainty components (rows: channels, columns: sources) and a
    Series with the inter-channel correlation of each source. All in MeV.
    """
    df = _read("w_mass.csv")
    corr = df.loc["correlation"].drop("value").astype(float)
    meas = df.drop(index="correlation")
    return meas["value"].astype(float), meas.drop(columns="value").astype(float), corr


def normalisation_inputs() -> pd.DataFrame:
    """The two measurements of exercise 4.2 with relative stat and normalisation errors."""
    return _read("normalisation.csv").astype(float)


def ttbar_xsec():
    """ATLAS and CMS ttbar cross sections at 8 TeV (ATLAS-CONF-2014-054, Table 1), in pb.

    Returns ``(values, errors, correlations)`` like :func:`w_mass`.
    """
    df = _read("lhc_ttbar_xsec.csv")
    corr = df.loc["Correlations"].drop("Experiment").astype(float)
    meas = df.drop(index="Correlations")
    return meas["Experiment"].astype(float), meas.drop(columns="Experiment").astype(float), corr
