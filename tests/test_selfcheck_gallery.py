"""The self-checks of the appendix "Published combinations" behave as its exercises say.

A right answer rounded to the precision asked passes (the note's 173.29 +- 0.95 GeV for
the first), each named mistake is refused by name also when rounded, and the solution's
own loop passes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import gallery
from helpers.combination.gallery import gallery_dir
from helpers.exercises import gallery as answers
from helpers.selfcheck import check, expected


def _rounded(values, decimals):
    values = np.atleast_1d(np.asarray(values, dtype=float))
    places = list(decimals) if isinstance(decimals, tuple) else [decimals] * values.size
    return np.array([round(v, d) for v, d in zip(values, places)])


@pytest.mark.parametrize("key", sorted(answers.EXERCISES))
def test_a_rounded_right_answer_passes(key):
    ex = answers.EXERCISES[key]
    rounded = _rounded(expected(key), ex.decimals)
    places = list(ex.decimals)
    rounded = np.where([round(r, d) == round(r, d - 1) for r, d in zip(rounded, places)],
                       rounded + 1e-12, rounded)
    assert check(key, tuple(rounded))


def test_the_note_as_published_passes_the_first_exercise():
    """173.29 +- 0.95 GeV (ATLAS-CONF-2013-102) is a right answer of gallery-blue."""
    assert check("gallery-blue", (173.29, 0.95))
    assert not check("gallery-blue", (173.28, 0.95))
    assert not check("gallery-blue", (173.29, 0.96))


KEYS_MISTAKES = [(key, i) for key, ex in answers.EXERCISES.items() for i in range(len(ex.mistakes))]


@pytest.mark.parametrize("key, i", KEYS_MISTAKES, ids=[f"{k}[{i}]" for k, i in KEYS_MISTAKES])
def test_a_named_mistake_rounded_to_the_precision_asked_is_refused_by_name(key, i):
    ex = answers.EXERCISES[key]
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    mistake = np.atleast_1d(np.asarray(ex.mistakes[i].compute(), dtype=float))
    answer = np.where(np.isnan(mistake), want, mistake)
    rounded = _rounded(answer, ex.decimals)
    places = list(ex.decimals)
    rounded = np.where([round(r, d) == round(r, d - 1) for r, d in zip(rounded, places)],
                       rounded + 1e-12, rounded)
    res = check(key, tuple(rounded))
    assert not res, (key, i, rounded)
    assert ex.mistakes[i].message in res.message, res.message


def _by_hand(rho_lhc_bjes=None):
    """The first exercise's solution, as written in the chapter (optionally with another
    ATLAS-CMS correlation of bJES: the second exercise)."""
    table = pd.read_csv(gallery_dir() / "lhc_mtop_7tev" / "measurements.csv", index_col=0)
    if rho_lhc_bjes is not None:
        table.at["rho_lhc", "bJES"] = rho_lhc_bjes
    meas = table.drop(index=["rho_exp", "rho_lhc"])
    y = meas["Result"].to_numpy()
    err = meas.drop(columns="Result")
    atlas = meas.index.str.startswith("ATLAS")
    same = np.equal.outer(atlas, atlas)
    cov = np.zeros((len(y), len(y)))
    for source in err.columns:
        a = err[source].to_numpy()
        rho = np.where(same, table.at["rho_exp", source], table.at["rho_lhc", source])
        np.fill_diagonal(rho, 1.0)
        cov += rho * np.outer(a, a)
    c = np.linalg.solve(cov, np.ones(len(y)))
    return c @ y / c.sum(), np.sqrt(1 / c.sum())


def test_the_solutions_by_hand_pass():
    assert check("gallery-blue", _by_hand())
    assert check("gallery-stability", _by_hand(rho_lhc_bjes=0.0))
    assert _by_hand() == pytest.approx(expected("gallery-blue"), abs=1e-9)


def test_the_right_answers_are_the_books_combinations():
    e = gallery.entry("lhc_mtop_7tev")
    assert expected("gallery-blue") == pytest.approx((e.comb.value, e.comb.error))
    zero = gallery.between_experiments(e, "bJES", 0.0)
    assert expected("gallery-stability") == pytest.approx((zero.value, zero.error))
    # bJES keeps rho_exp = 1 within each experiment
    r = zero.source_correlations["bJES"]
    assert r.loc["CMSljets", "CMSdilep"] == 1 and r.loc["ATLASljets", "CMSljets"] == 0


def _shown(cell) -> str:
    """What a reader sees of a cell: markdown, printed outputs, figure captions and alt texts."""
    if cell.cell_type == "markdown":
        return cell.source
    meta = cell.metadata.get("mystnb", {})
    return ("".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            + meta.get("figure", {}).get("caption", "") + meta.get("image", {}).get("alt", ""))


def test_the_stability_answer_is_not_shown_before_its_exercise():
    """The value with bJES uncorrelated between ATLAS and CMS appears only in the
    solution (the first exercise's answer is the note's result, shown on purpose)."""
    import re

    import nbformat

    from helpers import data

    nb = nbformat.read(data.data_dir().parent / "gallery.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if ":label: gallery-stability" in c.source)
    value, error = expected("gallery-stability")
    digits = re.compile("|".join(re.escape(f"{value:.{d}f}") for d in (2, 3, 4))
                        + "|" + "|".join(re.escape(f"{error:.{d}f}") for d in (3, 4)))
    for cell in nb.cells[:at]:
        assert not digits.search(_shown(cell)), cell.source[:80]
    assert any(digits.search(_shown(c)) for c in nb.cells[at:])     # the test can fail
