"""The self-checks of "Combining two W-mass measurements", tried the way a student answers.

Each wrong answer is built here by hand, as a student would build it (a covariance from
the table of sources, an iminuit fit), not with the functions that define the named
mistakes, so a change on either side shows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from iminuit import Minuit

from helpers import data, wmass
from helpers.selfcheck import check

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "w_mass.ipynb"


def _inputs():
    values, errors, correlations = data.w_mass()
    return values.to_numpy(float), errors, correlations


def _cov(errors, correlations, drop=(), rho=None, diagonal_only=()):
    """The covariance a student builds by hand: sum of the sources' C_k."""
    cov = np.zeros((2, 2))
    for k in errors.columns:
        if k in drop:
            continue
        s = errors[k].to_numpy(float)
        r = correlations[k] if rho is None or k not in rho else rho[k]
        ck = np.outer(s, s) * np.array([[1.0, r], [r, 1.0]])
        if k in diagonal_only:                       # the variance removed, the covariance kept
            ck = ck - np.diag(np.diag(ck))
        cov += ck
    return cov


def _fit(y, cov, start=80400.0, errordef=Minuit.LEAST_SQUARES):
    def chi2(m):
        r = y - m
        return r @ np.linalg.solve(cov, r)

    fit = Minuit(chi2, m=start)
    fit.errordef = errordef
    fit.migrad()
    fit.hesse()
    assert fit.valid and fit.fmin.has_accurate_covar
    return fit.values["m"], fit.errors["m"]


def _blue(y, cov):
    a = np.linalg.solve(cov, np.ones(len(y)))
    return float(a @ y / a.sum()), float(1 / np.sqrt(a.sum()))


# ------------------------------------------------------------------ answers as quoted
@pytest.mark.parametrize("key, answer", [
    ("wmass-minuit", (80451, 39)),                   # "80451 +- 39 MeV"
    ("wmass-without-beam", (80450.6, 35.1)),
    ("wmass-theory-group", 25.96),
    ("wmass-weight-threshold", 0.703),
    ("wmass-uncorrelated-error", 35.5),
])
def test_the_answer_rounded_as_asked_passes(key, answer):
    assert check(key, answer)


@pytest.mark.parametrize("key, answer", [
    ("wmass-minuit", (80451, 38)),
    ("wmass-without-beam", (80450.6, 35.2)),
    ("wmass-theory-group", 25.95),
    ("wmass-weight-threshold", 0.704),
    ("wmass-uncorrelated-error", 35.4),
])
def test_one_unit_off_in_the_last_place_asked_fails(key, answer):
    assert not check(key, answer)


# ------------------------------------------------------------------ wmass-minuit
@pytest.mark.parametrize("start", [0.0, 80000.0, 80400.0, 80450.0, 81000.0])
def test_student_minuit_fit_passes_from_any_start(start):
    y, errors, corr = _inputs()
    assert check("wmass-minuit", _fit(y, _cov(errors, corr), start=start))


@pytest.mark.parametrize("how, says", [
    ({"drop": ("exp_syst",)}, "experimental systematic"),
    ({"rho": {"theory_common": 0.0, "beam_energy": 0.0}}, "uncorrelated"),
    ({"rho": {"theory_common": -1.0, "beam_energy": -1.0}}, "anti-correlated"),
])
def test_student_minuit_fit_with_a_wrong_covariance_is_named(how, says):
    y, errors, corr = _inputs()
    result = check("wmass-minuit", _fit(y, _cov(errors, corr, **how)))
    assert not result and says in result.message


def test_errordef_one_half_is_named():
    y, errors, corr = _inputs()
    result = check("wmass-minuit", _fit(y, _cov(errors, corr), errordef=0.5))
    assert not result and "errordef" in result.message


def test_chi2_with_c_instead_of_its_inverse_is_named():
    y, errors, corr = _inputs()
    cov = _cov(errors, corr)
    result = check("wmass-minuit", _fit(y, np.linalg.inv(cov), start=80450.0))
    assert not result and "inverse" in result.message


# ------------------------------------------------------------------ wmass-without-beam
@pytest.mark.parametrize("how, says", [
    ({"drop": ("beam_energy",)}, None),
    ({"diagonal_only": ("beam_energy",)}, "off the diagonal"),
    ({"rho": {"beam_energy": 0.0}}, "uncorrelated"),
    ({"drop": ("beam_energy", "exp_syst")}, "experimental systematic"),
])
def test_without_beam_by_hand(how, says):
    y, errors, corr = _inputs()
    result = check("wmass-without-beam", _blue(y, _cov(errors, corr, **how)))
    assert bool(result) is (says is None)
    if says:
        assert says in result.message


# ------------------------------------------------------------------ wmass-uncorrelated-error
@pytest.mark.parametrize("rho, drop, says", [
    ({"theory_common": 0.0, "beam_energy": 0.0}, (), None),
    ({"theory_common": 0.0}, (), "Only the common theory source"),
    ({"beam_energy": 0.0}, (), "Only the beam energy"),
    ({"theory_common": -1.0, "beam_energy": -1.0}, (), "anti-correlated"),
    ({}, (), "nominal"),
    ({"theory_common": 0.0, "beam_energy": 0.0}, ("exp_syst",), "experimental systematic"),
])
def test_uncorrelated_error_by_hand(rho, drop, says):
    y, errors, corr = _inputs()
    result = check("wmass-uncorrelated-error", _blue(y, _cov(errors, corr, drop=drop, rho=rho))[1])
    assert bool(result) is (says is None)
    if says:
        assert says in result.message


# ------------------------------------------------------------------ wmass-weight-threshold
@pytest.mark.parametrize("drop, says", [((), None), (("exp_syst",), "experimental systematic")])
def test_weight_threshold_by_hand(drop, says):
    _, errors, corr = _inputs()
    s = np.sqrt(np.diag(_cov(errors, corr, drop=drop)))
    result = check("wmass-weight-threshold", s.min() / s.max())
    assert bool(result) is (says is None)
    if says:
        assert says in result.message


# ------------------------------------------------------------------ wmass-theory-group
@pytest.mark.parametrize("drop_base, removed, says", [
    ((), ("theory_4q", "theory_common"), None),
    ((), ("theory_4q",), "Only the four-jet theory source"),
    (("exp_syst",), ("theory_4q", "theory_common"), "experimental systematic"),
])
def test_theory_group_by_hand(drop_base, removed, says):
    y, errors, corr = _inputs()
    full = _blue(y, _cov(errors, corr, drop=drop_base))[1]
    without = _blue(y, _cov(errors, corr, drop=drop_base + removed))[1]
    result = check("wmass-theory-group", np.sqrt(full**2 - without**2))
    assert bool(result) is (says is None)
    if says:
        assert says in result.message


# ------------------------------------------------------------------ no answer before its exercise
def _cells():
    return json.loads(NOTEBOOK.read_text())["cells"]


def _text_before(label):
    """Markdown sources and printed outputs of every cell before the exercise ``label``."""
    seen = []
    for cell in _cells():
        src = "".join(cell["source"])
        if f":label: {label}" in src:
            return "\n".join(seen)
        seen.append(src)
        for out in cell.get("outputs", []):
            seen.append("".join(out.get("text", "")))
            seen.append("".join(out.get("data", {}).get("text/plain", "")))
    raise AssertionError(f"no exercise {label}")


@pytest.mark.parametrize("label, glue, printed", [
    ("wmass-theory-group", ["wmass_theory_qd", "wmass_theory_wrong"], [r"\b(25\.9|26\.0)"]),
    ("wmass-weight-threshold", ["wmass_threshold"], [r"0\.70[0-9]"]),
    ("wmass-uncorrelated-error", ["wmass_uncorr_error", "wmass_err_rho0"], [r"\b35\.[45]\d*\b"]),
    ("wmass-without-beam", ["wmass_nobeam_error"], [r"\b35\.1\d*\b"]),
])
def test_no_answer_before_its_exercise(label, glue, printed):
    before = _text_before(label)
    for name in glue:
        assert f"`{name}" not in before, f"{name} is shown before exercise {label}"
    for pattern in printed:
        assert not re.search(pattern, before), f"{pattern} printed before exercise {label}"


def test_no_exercise_refers_to_a_course_sheet():
    for cell in _cells():
        src = "".join(cell["source"])
        for block in re.findall(r"```\{exercise\}.*?```", src, flags=re.S):
            assert "course" not in block.lower()


def test_no_sentence_refers_to_a_source_students_do_not_have():
    """No prose, hint or solution mentions a course sheet, notebook, script or material."""
    pattern = re.compile(r"course\s+(sheet|notebook|script|material)|the material\b", re.I)
    for cell in _cells():
        if cell["cell_type"] == "markdown":
            assert not pattern.search("".join(cell["source"])), "".join(cell["source"])[:80]


def test_scipy_hess_inv_and_minuit_variance_are_named():
    from scipy.optimize import minimize
    y, errors, corr = _inputs()
    cov = _cov(errors, corr)
    res = minimize(lambda m: (y - m[0]) @ np.linalg.solve(cov, y - m[0]), [80400.0])
    hess_inv = float(np.atleast_2d(res.hess_inv)[0, 0])
    for error, says in [(np.sqrt(hess_inv), "hess_inv"), (hess_inv, "inverse curvature")]:
        result = check("wmass-minuit", (res.x[0], error))
        assert not result and says in result.message
    assert check("wmass-minuit", (res.x[0], np.sqrt(2 * hess_inv)))     # the right error
    mean, error = _fit(y, cov)
    result = check("wmass-minuit", (mean, error**2))                    # fit.covariance
    assert not result and "variance" in result.message


# ------------------------------------------------------------------ every answer, as the reader sees it
#: the exercises, the decimals each asks for, and which of its numbers are its answer: the
#: mean of wmass-without-beam is the nominal mean (that it does not move is the question)
ANSWERS = {
    "wmass-minuit": (0, (0, 1)),
    "wmass-theory-group": (2, (0,)),
    "wmass-weight-threshold": (3, (0,)),
    "wmass-uncorrelated-error": (1, (0,)),
    "wmass-without-beam": (1, (1,)),
}
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")


def _seen(nb, values) -> list[set[str]]:
    """Per cell, the numbers a reader sees: markdown with its glued numbers and citations
    rendered as on the website, printed outputs (text and plain-text displays)."""
    pytest.importorskip("pybtex", reason="the editions' citation text (absent in Pyodide's environment)")
    from bookbuild.editions import lab_markdown
    seen = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = lab_markdown(cell.source, values)
        else:
            text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                           for o in cell.get("outputs", []))
        seen.append(set(_NUMBER.findall(text)))
    return seen


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_no_exercise_answer_is_shown_before_its_exercise(label):
    """Neither the prose (glued numbers rendered) nor any output before an exercise shows
    its answer at the precision asked or at 1 to 3 decimals; after it, the answer appears
    (so the test can fail)."""
    import nbformat
    from bookbuild.editions import glue_values
    from helpers.selfcheck import expected
    nb = nbformat.read(NOTEBOOK, as_version=4)
    seen = _seen(nb, glue_values(nb))
    at = next(i for i, c in enumerate(nb.cells) if f":label: {label}" in c.source)
    asked, which = ANSWERS[label]
    answer = np.atleast_1d(np.asarray(expected(label), dtype=float))
    for v in answer[list(which)]:
        shown = {f"{v:.{d}f}" for d in {asked, 1, 2, 3}}
        for i in range(at):
            assert not shown & seen[i], (
                f"{sorted(shown & seen[i])} shown in cell {nb.cells[i].id} before exercise {label}")
        assert any(shown & s for s in seen[at:]), f"{label}: the answer never appears"
