"""The self-checks of "Error propagation" as a student meets them: the Monte Carlo answers
pass for any seed at the sample size the exercise asks for (their tolerance is about four
times their own Monte Carlo error), the named Monte Carlo mistakes fail for every seed with
their own message, and no answer is printed in the chapter before its exercise."""

import math
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers import propagation as P
from helpers.exercises import propagation as ex
from helpers.selfcheck import EXERCISES, check, expected, tolerance

SEEDS = range(120)
S1, S2 = P.A_ERRORS
A1, A2 = P.A_NOMINAL


def _exercise_samples(seed, rho=P.RHO, root=True):
    """The exercise's construction: u2' = rho u1 + sqrt(1 - rho^2) u2 (``root=False``: the
    square root forgotten); returns y(2) and y(X_NEGATIVE) for N_MC pairs."""
    u1, u2 = np.random.default_rng(seed).standard_normal((2, ex.N_MC))
    u2c = rho * u1 + (math.sqrt(1 - rho**2) if root else 1.0) * u2
    a1, a2 = A1 + S1 * u1, A2 + S2 * u2c
    return P.y_a(ex.X_SIGMA, (a1, a2)), P.y_a(ex.X_NEGATIVE, (a1, a2))


@pytest.fixture(scope="module")
def answers():
    """(std of y(2), fraction of y(-2.25) <= 0) for every seed, as the solution computes them."""
    out = []
    for seed in SEEDS:
        y2, yn = _exercise_samples(seed)
        out.append((float(np.std(y2, ddof=1)), float(np.mean(yn <= 0))))
    return np.array(out)


def test_monte_carlo_answers_pass_for_every_seed(answers):
    for sd, frac in answers:
        assert check("propagation-mc-sigma-y-2", sd), sd
        assert check("propagation-mc-fraction-negative", frac), frac
        # rounded as the exercise asks: passes, or (a final 0 lost) asks for one digit more
        for key, value, places in (("propagation-mc-sigma-y-2", sd, 3),
                                   ("propagation-mc-fraction-negative", frac, 4)):
            res = check(key, round(value, places))
            if round(value, places) == round(value, places - 1):
                assert not res and "not judged" in res.message
            else:
                assert res, (key, value)


def test_monte_carlo_tolerances_are_four_times_their_own_error(answers):
    """atol is about 4 x the Monte Carlo error at the size the exercise asks for, by formula
    and by the scatter over the seeds; the total tolerance adds half a unit of the precision."""
    sd_err = P.sigma_y_formula(ex.X_SIGMA) / math.sqrt(2 * (ex.N_MC - 1))
    p = expected("propagation-mc-fraction-negative")
    frac_err = math.sqrt(p * (1 - p) / ex.N_MC)
    assert 3.5 < ex.MC_STD_ATOL / sd_err < 4.5
    assert 3.5 < ex.MC_FRACTION_ATOL / frac_err < 4.5
    assert EXERCISES["propagation-mc-sigma-y-2"].atol == ex.MC_STD_ATOL
    assert EXERCISES["propagation-mc-fraction-negative"].atol == ex.MC_FRACTION_ATOL
    spread = answers.std(axis=0, ddof=1)
    assert spread[0] == pytest.approx(sd_err, rel=0.25)
    assert spread[1] == pytest.approx(frac_err, rel=0.25)
    # and the spread of the seeds' answers is well inside the tolerance
    assert np.all(np.abs(answers - [expected("propagation-mc-sigma-y-2"), p]).max(axis=0)
                  < [tolerance("propagation-mc-sigma-y-2")[0], tolerance("propagation-mc-fraction-negative")[0]])


@pytest.mark.parametrize("variant, index", [
    ({"rho": 0.0}, 1),                 # uncorrelated samples
    ({"rho": -P.RHO}, 0),              # the sign of rho
    ({"root": False}, 2),              # sqrt(1 - rho^2) forgotten
])
def test_monte_carlo_mistakes_fail_for_every_seed_with_their_message(variant, index):
    sigma_msg = EXERCISES["propagation-mc-sigma-y-2"].mistakes
    frac_index = {1: 0, 0: 1, 2: 2}[index]       # the fraction's mistakes: rho 0, sign, root
    for seed in range(8):
        y2, yn = _exercise_samples(seed, **variant)
        res = check("propagation-mc-sigma-y-2", float(np.std(y2, ddof=1)))
        assert not res and sigma_msg[index].message in res.message, res.message
        frac = float(np.mean(yn <= 0))
        res = check("propagation-mc-fraction-negative", frac)
        assert not res, (variant, frac)
        assert EXERCISES["propagation-mc-fraction-negative"].mistakes[frac_index].message in res.message


def test_cross_term_halved_is_the_pitfalls_formula_and_rho_minus_04():
    """The -0.4x mistake equals drawing with rho = -0.4: both named, both outside tolerance."""
    assert P.sigma_y_seed_root(ex.X_SIGMA) == pytest.approx(P.sigma_y_formula(ex.X_SIGMA, rho=-0.4))
    for key in ("propagation-sigma-y-2", "propagation-mc-sigma-y-2"):
        want = np.atleast_1d(expected(key)).copy()
        want[0] = P.sigma_y_seed_root(ex.X_SIGMA)
        res = check(key, want if want.size > 1 else want[0])
        assert not res and ("factor 2" in res.message or "half the cross term" in res.message)


def test_cov_b_exercise_uses_uncorrelated_a_whose_b_are_correlated():
    s_b1, s_b2, r_b = expected("propagation-cov-b")
    cov = P.b_linear(rho=ex.RHO_B)[1]
    assert ex.RHO_B == 0.0 and (s_b1, s_b2) == pytest.approx(np.sqrt(np.diag(cov)))
    assert r_b == pytest.approx(0.6)                   # exact: hence asked to 0.1 only
    assert expected("propagation-cov-b-sigma-y-2") == pytest.approx(P.sigma_y_formula(2.0, rho=0.0))


def _shown_before_exercises() -> np.ndarray:
    """Every number the chapter shows before its exercises: in the markdown, in its glued
    numbers and in printed outputs (tables, prints)."""
    import re

    from bookbuild.editions import glue_values

    nb = nbformat.read(Path(__file__).parents[1] / "book" / "error_propagation.ipynb", 4)
    start = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))
    before = nbformat.v4.new_notebook(cells=nb.cells[:start])
    texts = [c.source for c in before.cells if c.cell_type == "markdown"]
    for cell in before.cells:
        for out in cell.get("outputs", []):
            texts.append(out.get("text", "") + out.get("data", {}).get("text/plain", ""))
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", "\n".join(texts))]
    numbers += [float(v) for v in glue_values(before).values() if isinstance(v, (int, float))]
    return np.array(numbers)


def _answers_shown(key, want, shown):
    """The numbers of ``shown`` (or a hundredth of them: percent) that would pass as the
    answer's part with two or more decimals asked."""
    e = EXERCISES[key]
    places = e.decimals if isinstance(e.decimals, tuple) else (e.decimals,) * want.size
    tol = tolerance(key)
    hits = []
    for w, d, t in zip(want, places, tol):
        if d >= 2:
            hits += [v for v in np.concatenate([shown, shown / 100]) if abs(v - w) <= t]
    return hits


def test_no_answer_is_printed_before_its_exercise():
    """No number shown before the exercises (percent included) would pass a check; the test
    finds the answers the exercises asked before (the fraction at x = -1.5 and Cov(b) of the
    correlated a, both in the chapter's text)."""
    shown = _shown_before_exercises()
    assert shown.size > 100
    for key in EXERCISES:
        if key.startswith("propagation-"):
            assert not _answers_shown(key, np.atleast_1d(expected(key)), shown), key
    from scipy import stats
    old_fraction = stats.norm.cdf(-P.y_a(-1.5, P.A_NOMINAL) / P.sigma_y_formula(-1.5))
    assert _answers_shown("propagation-mc-fraction-negative", np.array([old_fraction]), shown)
    cov = P.b_linear()[1]
    old_b = np.sqrt(np.diag(cov))
    assert _answers_shown("propagation-cov-b", np.array([*old_b, cov[0, 1] / old_b.prod()]), shown)
