"""The same book on every machine: every chapter, run on inputs moved by 1-3 ulp
(``tests/nudged.py``, a portable stand-in for another CPU's rounding, with the simulated
samples nudged too through ``$COURSE_BOOK_NUDGE``), must reproduce the stored outputs that
nbval compares, exactly as the run on the real data does."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from bookbuild import ROOT, toc_notebooks
from helpers import data
from helpers.combination import Combination
from helpers.nudge import ENV, nudge, nudge_if_asked
from nudged import SEED, nudged_csv, write_nudged_data


def test_nudge_moves_each_number_by_one_to_three_ulp_and_equal_numbers_alike():
    x = np.array([17.0, 17.0, 80457.0, 0.02, 0.02, 10.58, 0.0, 1.0, -1.0, -3.5, np.inf])
    for seed in range(20):
        y = nudge(x, seed)
        ulps = np.abs(y[:6] - x[:6]) / np.spacing(x[:6])
        assert set(ulps) <= {1.0, 2.0, 3.0}
        assert y[0] == y[1] and y[3] == y[4]
        assert list(y[6:9]) == [0.0, 1.0, -1.0] and 1 <= abs(y[9] - x[9]) / np.spacing(3.5) <= 3
        assert y[10] == np.inf
    # whatever the memory order of the array (a DataFrame's values are often column-major)
    m = np.asfortranarray([[30.0, 11.0], [33.0, 12.0]])
    assert np.array_equal(nudge(m, 4), [[nudge([v], 4)[0] for v in row] for row in m.tolist()])
    assert not np.array_equal(nudge(m, 4), m)
    # up and down, 1, 2 and 3 ulp all occur
    many = np.linspace(1.0, 2.0, 1001)[1:-1]
    steps = np.rint((nudge(many, 3) - many) / np.spacing(many))
    assert set(steps) == {-3.0, -2.0, -1.0, 1.0, 2.0, 3.0}


def test_nudge_if_asked_only_with_the_variable(monkeypatch):
    x = np.array([10.5, 10.6])
    monkeypatch.delenv(ENV, raising=False)
    assert nudge_if_asked(x) is x
    monkeypatch.setenv(ENV, "5")
    assert np.array_equal(nudge_if_asked(x), nudge(x, 5)) and not np.array_equal(nudge(x, 5), x)


def test_nudged_copy_keeps_comments_headers_text_and_correlation_rows():
    text = "# a comment 1.5\nname,value,stat\nA,8.0,0.16\nB,8.5,0.16\ncorrelation,,0.5\n"
    out = nudged_csv(text, seed=1).splitlines()
    assert out[:2] == text.splitlines()[:2] and out[4] == "correlation,,0.5"
    a, b = (row.split(",") for row in out[2:4])
    assert a[0] == "A" and a[2] == b[2] != "0.16" and float(a[2]) == nudge([0.16], 1)[0]


def test_nudged_inputs_change_the_raw_digits_but_not_what_the_reader_sees(tmp_path, monkeypatch):
    """The proof that the nudged run tests something: the raw results move in their last
    digits, the numbers the chapters print do not."""
    write_nudged_data(tmp_path, SEED)
    nominal = data.w_mass()
    monkeypatch.setenv("COURSE_BOOK_DATA", str(tmp_path))
    moved = data.w_mass()
    # read exactly as written: each number is the nudge of the original (whatever pandas)
    assert np.array_equal(moved[0].to_numpy(), nudge(nominal[0].to_numpy(), SEED))
    assert np.array_equal(moved[1].to_numpy(), nudge(nominal[1].to_numpy(), SEED))
    a, b = (Combination(*args) for args in (nominal, moved))
    assert a.value != b.value and a.error != b.error
    assert abs(a.value - b.value) < 1e-9 and format(a.value, ".1f") == format(b.value, ".1f")
    for path in sorted((ROOT / "book" / "data").glob("*.csv")):
        ours = pd.read_csv(path, comment="#", **data.EXACT_FLOATS).select_dtypes("number")
        theirs = pd.read_csv(tmp_path / path.name, comment="#", **data.EXACT_FLOATS).select_dtypes("number")
        changed = (ours.to_numpy() != theirs.to_numpy()).mean()
        assert changed > 0.5, path.name
        np.testing.assert_allclose(theirs.to_numpy(), ours.to_numpy(), rtol=1e-15, atol=0)


def test_every_chapter_shows_the_same_outputs_on_nudged_inputs(tmp_path):
    """nbval on every chapter with the nudged inputs, against the stored notebooks."""
    pytest.importorskip("nbval", reason="runs the chapters with nbval (absent in Pyodide's environment)")
    write_nudged_data(tmp_path / "data", SEED)
    env = {**os.environ, "COURSE_BOOK_DATA": str(tmp_path / "data"), ENV: str(SEED)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
           "-p", "no:randomly", *map(str, toc_notebooks())]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if run.returncode != 0:
        pytest.fail("nbval on nudged inputs:\n" + run.stdout[-6000:] + run.stderr[-2000:])


def test_the_gallery_is_nudged_after_reading_and_keeps_its_printed_digits(monkeypatch):
    """The gallery's files are copied as they are (their printed digits are the rounding
    spread); under $COURSE_BOOK_NUDGE its numbers move by 1-3 ulp once read, the half
    widths of the printed digits do not."""
    from helpers.combination import gallery
    monkeypatch.delenv(ENV, raising=False)
    for name in gallery.NAMES:
        plain = gallery.load(name)
        monkeypatch.setenv(ENV, str(SEED))
        moved = gallery.load(name)
        monkeypatch.delenv(ENV)
        y0, y1 = plain.comb.values.to_numpy(), moved.comb.values.to_numpy()
        assert not np.array_equal(y0, y1), name
        assert np.all(np.abs(y1 - y0) <= 3 * np.spacing(np.abs(y0))), name
        assert np.array_equal(plain.value_half_widths, moved.value_half_widths), name
        assert np.array_equal(plain.error_half_widths, moved.error_half_widths), name
