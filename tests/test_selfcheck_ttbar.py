"""The self-checks of the ttbar chapter behave as its exercises say.

A physicist's rounding of the note's result passes, Minuit at the settings the exercise
uses passes, each named mistake is refused also when rounded to the precision asked, a
loop written as the exercise asks passes and the answer of ttbar-correlation-term is
not shown before its exercise.
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest
from iminuit import Minuit

from helpers import data, ttbar
from helpers.exercises import ttbar as answers
from helpers.selfcheck import check, expected, tolerance

NOTEBOOK = data.data_dir().parent / "ttbar.ipynb"


def _rounded(values, decimals):
    values = np.atleast_1d(np.asarray(values, dtype=float))
    places = list(decimals) if isinstance(decimals, tuple) else [decimals] * values.size
    return np.array([round(v, d) for v, d in zip(values, places)])


@pytest.fixture(scope="module")
def covariance():
    comb = ttbar.lhc_combination()
    return comb.values.to_numpy(), comb.covariance.to_numpy()


def _minuit(y, cov, start, errordef):
    cinv = np.linalg.inv(cov)

    def chi2(mu):
        r = y - mu
        return r @ cinv @ r

    m = Minuit(chi2, mu=start)
    if errordef is not None:
        m.errordef = errordef
    m.migrad()
    m.hesse()
    return m.values["mu"], m.errors["mu"]


def test_the_note_as_a_physicist_quotes_it_passes():
    """241.5 +- 8.5 pb, the note's result to 0.1 pb, is a right answer of ttbar-blue."""
    assert check("ttbar-blue", (241.5, 8.5))
    assert not check("ttbar-blue", (241.4, 8.5))
    assert not check("ttbar-blue", (241.5, 8.6))


@pytest.mark.parametrize("start", [0.0, 100.0, 240.0, 300.0, 1000.0])
@pytest.mark.parametrize("errordef", [Minuit.LEAST_SQUARES, None])
def test_minuit_at_default_settings_passes(covariance, start, errordef):
    """Minuit's stopping distance is far inside atol, from any start, with errordef set or
    left at its default (which is 1, right for a chi2)."""
    y, cov = covariance
    value, error = _minuit(y, cov, start, errordef)
    want = np.asarray(expected("ttbar-blue"))
    assert np.all(np.abs(np.array([value, error]) - want) < 0.2 * answers.EXERCISES["ttbar-blue"].atol)
    assert check("ttbar-blue", (value, error))


def test_minuit_told_it_is_a_likelihood_gets_the_sqrt2_message(covariance):
    y, cov = covariance
    res = check("ttbar-blue", _minuit(y, cov, 240.0, Minuit.LIKELIHOOD))
    assert not res and "sqrt(2)" in res.message


KEYS_MISTAKES = [(key, i) for key, ex in answers.EXERCISES.items() for i in range(len(ex.mistakes))]


@pytest.mark.parametrize("key, i", KEYS_MISTAKES, ids=[f"{k}[{i}]" for k, i in KEYS_MISTAKES])
def test_a_named_mistake_rounded_to_the_precision_asked_is_refused_by_name(key, i):
    """A student rounds as asked: the mistake is still refused, with its own message
    (a rounded value ending in 0 is given with one digit more, as check asks)."""
    ex = answers.EXERCISES[key]
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    mistake = np.atleast_1d(np.asarray(ex.mistakes[i].compute(), dtype=float))
    answer = np.where(np.isnan(mistake), want, mistake)
    rounded = _rounded(answer, ex.decimals)
    places = list(ex.decimals) if isinstance(ex.decimals, tuple) else [ex.decimals] * want.size
    rounded = np.where([round(r, d) == round(r, d - 1) for r, d in zip(rounded, places)],
                       rounded + 1e-12, rounded)            # 8.250 typed as 8.2500...01
    res = check(key, rounded if rounded.size > 1 else rounded[0])
    assert not res, (key, i, rounded)
    assert ex.mistakes[i].message in res.message, res.message


def test_the_nominal_combination_is_refused_as_the_uncorrelated_one():
    comb = ttbar.lhc_combination()
    res = check("ttbar-uncorrelated", (round(comb.value, 1), round(comb.error, 1)))
    assert not res and "not set to zero" in res.message


def _iterative_blue(y, err, rho, relative, tol=1e-9, passes=None):
    """The loop the exercise asks for; ``passes`` stops it early (a student's bug)."""
    frac = err / y[:, None]
    mu, n = None, 0
    while True:
        e = err.copy()
        if mu is not None:
            e[:, relative] = frac[:, relative] * mu
        cov = sum(np.outer(e[:, k], e[:, k]) * np.where(np.eye(len(y)), 1.0, rho[k])
                  for k in range(err.shape[1]))
        c = np.linalg.solve(cov, np.ones(len(y)))
        new, sigma = c @ y / c.sum(), np.sqrt(1 / c.sum())
        n += 1
        if (mu is not None and abs(new - mu) < tol) or n == passes:
            return new, sigma
        mu = new


def test_a_loop_as_the_exercise_asks_passes_and_its_slips_are_named():
    y = np.array([8.0, 8.5])
    err = np.column_stack([0.02 * y, 0.10 * y])
    assert check("ttbar-iterative-norm", _iterative_blue(y, err, [0.0, 1.0], [1]))
    first = check("ttbar-iterative-norm", _iterative_blue(y, err, [0.0, 1.0], [1], passes=1))
    assert not first and "has not started" in first.message
    both = check("ttbar-iterative-norm", _iterative_blue(y, err, [0.0, 1.0], [0, 1]))
    assert not both and "statistical errors too" in both.message
    # the error of the pass before the converged one
    value, _ = _iterative_blue(y, err, [0.0, 1.0], [1])
    _, stale = _iterative_blue(y, err, [0.0, 1.0], [1], passes=2)
    res = check("ttbar-iterative-norm", (value, stale))
    assert not res and "previous pass" in res.message


def test_the_lumi_loop_passes_and_a_loop_that_never_rescales_is_named():
    comb = ttbar.lhc_combination()
    y, err = comb.values.to_numpy(), comb.errors.to_numpy()
    rho = [float(r.iat[0, 1]) for r in comb.source_correlations.values()]
    relative = [comb.sources.index(s) for s in ttbar.LUMI]
    value, _ = _iterative_blue(y, err, rho, relative)
    assert check("ttbar-iterative-lumi", value)
    assert check("ttbar-iterative-lumi", round(value, 2))
    none = check("ttbar-iterative-lumi", _iterative_blue(y, err, rho, [])[0])
    assert not none and "has not run" in none.message
    every = check("ttbar-iterative-lumi", _iterative_blue(y, err, rho, list(range(len(rho))))[0])
    assert not every and "more than the luminosity" in every.message


def test_the_iterations_needs_two_decimals_to_tell_the_shift():
    """The iteration moves the ttbar value by less than 0.01 pb: at 0.1 pb it could not be
    told from no iteration, so the exercise asks for two decimals."""
    shift = abs(expected("ttbar-iterative-lumi") - ttbar.lhc_combination().value)
    assert shift < 0.05 and shift > tolerance("ttbar-iterative-lumi")[0]


def _shown(cell) -> str:
    """What a reader sees of a cell before reaching the next: markdown, printed outputs."""
    if cell.cell_type == "markdown":
        return cell.source
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def test_the_correlation_term_is_not_shown_before_its_exercise():
    """The exercise comes before the information-weight table and the prose that give
    its answer (-0.211, glued as ttbar_iiw_corr)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if ":label: ttbar-correlation-term" in c.source)
    value = expected("ttbar-correlation-term")
    digits = re.compile("|".join(re.escape(f"{value:.{d}f}") for d in (2, 3, 4)))
    for cell in nb.cells[:at]:
        assert not digits.search(_shown(cell)), cell.source[:80]
        assert "ttbar_iiw" not in cell.source
    assert any(digits.search(_shown(c)) for c in nb.cells[at:])     # the test can fail
