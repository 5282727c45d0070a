"""The data loaders: the stored files read right, and broken files give a clear InputError
naming the file, the row and the column (never a KeyError or a silent NaN)."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.validation import InputError

DATA = Path(__file__).resolve().parent.parent / "book" / "data"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    for f in ("w_mass.csv", "normalisation.csv", "lhc_ttbar_xsec.csv"):
        shutil.copy(DATA / f, tmp_path / f)
    monkeypatch.setenv("COURSE_BOOK_DATA", str(tmp_path))
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_stored_files():
    values, errors, corr = data.w_mass()
    assert values.tolist() == [80457.0, 80448.0]
    assert list(errors.columns) == list(corr.index)
    assert corr["theory_common"] == 1.0 and errors.loc["4 jets (qqqq)", "theory_4q"] == 47.0
    values, errors, corr = data.ttbar_xsec()
    assert values["ATLAS"] == 242.4 and corr["Lumi"] == 0.0 and errors.shape == (2, 23)
    norm = data.normalisation_inputs()
    assert norm.loc["y2", "value"] == 8.5 and norm.dtypes.eq(float).all()


@pytest.mark.parametrize("loader, file, old, new, msg", [
    (data.w_mass, "w_mass.csv", "80457,30", "80457,-30", r"w_mass.csv, row '4 jets \(qqqq\)', column 'stat'.*negative"),
    (data.w_mass, "w_mass.csv", "80457,30", "80457,", r"w_mass.csv, row '4 jets \(qqqq\)', column 'stat'.*empty"),
    (data.w_mass, "w_mass.csv", "80457,30", "80457,nan", r"column 'stat'.*finite"),
    (data.w_mass, "w_mass.csv", "80457,30", ",30", r"column 'value'"),
    (data.w_mass, "w_mass.csv", "80457,30", "80457,thirty", r"column 'stat'.*'thirty'"),
    (data.w_mass, "w_mass.csv", "correlation,,0,0,0,1,1", "correlation,,0,0,0,1.5,1", r"row 'correlation', column 'theory_common'.*\[-1, 1\]"),
    (data.w_mass, "w_mass.csv", "correlation,,0,0,0,1,1", "corr,,0,0,0,1,1", r"no row 'correlation'"),
    (data.w_mass, "w_mass.csv", "correlation,,0,0,0,1,1", "correlation,,0,0,0,,1", r"column 'theory_common'.*empty"),
    (data.w_mass, "w_mass.csv", "measurement,value", "measurement,mass", r"no column 'value'"),
    (data.ttbar_xsec, "lhc_ttbar_xsec.csv", "Correlations,", "Corr,", r"lhc_ttbar_xsec.csv: no row 'Correlations'"),
    (data.ttbar_xsec, "lhc_ttbar_xsec.csv", "CMS,239.0,2.6", "CMS,239.0,-2.6", r"row 'CMS', column 'Stat'.*negative"),
    (data.ttbar_xsec, "lhc_ttbar_xsec.csv", "CMS,239.0,2.6", "CMS,inf,2.6", r"row 'CMS', column 'Experiment'"),
    (data.normalisation_inputs, "normalisation.csv", "y1,8.0,0.02", "y1,8.0,-0.02", r"row 'y1', column 'stat_rel'.*negative"),
    (data.normalisation_inputs, "normalisation.csv", "y1,8.0,0.02", "y1,NaN,0.02", r"row 'y1', column 'value'"),
    (data.normalisation_inputs, "normalisation.csv", "measurement,value", "measurement,val", r"no column 'value'"),
])
def test_broken_files(folder, loader, file, old, new, msg):
    _edit(folder / file, old, new)
    with pytest.raises(InputError, match=msg):
        loader()


def test_duplicate_row_and_missing_file(folder):
    _edit(folder / "w_mass.csv", "lepton + 2 jets (lvqq)", "4 jets (qqqq)")
    with pytest.raises(InputError, match="more than once"):
        data.w_mass()
    (folder / "normalisation.csv").unlink()
    with pytest.raises(InputError, match="not found"):
        data.normalisation_inputs()


def test_missing_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_BOOK_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="not found"):
        data.w_mass()


@pytest.mark.parametrize("file, loader, old, new", [
    ("w_mass.csv", data.w_mass, "measurement,value,stat,", "measurement,value,stat,stat,"),
    ("lhc_ttbar_xsec.csv", data.ttbar_xsec, "Experiment,Stat,Trig,", "Experiment,Stat,Stat,"),
    ("normalisation.csv", data.normalisation_inputs, "measurement,value,stat_rel,norm_rel",
     "measurement,value,value,norm_rel"),
])
def test_duplicate_column_in_the_raw_header(folder, file, loader, old, new):
    """pandas renames a second ``stat`` to ``stat.1``: the check reads the header as written
    (a W-mass file with a duplicated column loaded, and the W mass came out +-45.93)."""
    _edit(folder / file, old, new)
    with pytest.raises(InputError, match=r"\['(stat|Stat|value)'\] appear more than once"):
        loader()


def test_column_named_like_a_pandas_rename_is_not_a_duplicate(folder):
    _edit(folder / "w_mass.csv", "measurement,value,stat,", "measurement,value,stat.1,")
    _, errors, _ = data.w_mass()
    assert "stat.1" in errors.columns and "stat" not in errors.columns


def test_read_table_refuses_duplicate_columns(folder):
    frame = pd.DataFrame([[1.0, 0.1, 0.2]], columns=["value", "stat", "stat"], index=["a"])
    with pytest.raises(InputError, match="more than once"):
        data.read_table(frame)
    _edit(folder / "w_mass.csv", "measurement,value,stat,", "measurement,value,stat,stat,")
    with pytest.raises(InputError, match="more than once"):
        data.read_table(folder / "w_mass.csv")


@pytest.mark.parametrize("column", ["norm_rel", "stat_rel"])
def test_normalisation_file_without_a_column(folder, column):
    """A KeyError came out of course_problem() for a file without norm_rel."""
    from helpers.normalisation import course_problem
    path = folder / "normalisation.csv"
    df = pd.read_csv(path, comment="#").drop(columns=column)
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match=rf"normalisation.csv: no column '{column}'"):
        data.normalisation_inputs()
    with pytest.raises(InputError, match=column):
        course_problem()
