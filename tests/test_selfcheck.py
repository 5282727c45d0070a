import numpy as np
import pytest

from helpers import InputError, selfcheck
from helpers.selfcheck import EXERCISES, check, expected


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_right_answer_passes_wrong_fails_and_answer_never_shown(key):
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    ex = EXERCISES[key]
    assert check(key, want if want.size > 1 else want[0])
    # just inside and just outside the tolerance
    tol = ex.atol + ex.rtol * np.abs(want)
    assert check(key, want + 0.9 * tol)
    wrong = check(key, want + 1.5 * tol + 1e-12)
    assert not wrong
    for res in (check(key, want), wrong):
        for digits in (2, 3, 4, 6):
            for w in want:
                assert f"{w:.{digits}g}" not in res.message.replace(f"{ex.rtol:.0%}", "")


def test_message_for_bad_answers():
    assert "NaN" in repr(check("intro-sem", float("nan")))
    assert "number" in repr(check("intro-sem", "abc"))
    assert "expected 1 number" in repr(check("intro-sem", [0.1, 0.1]))


def test_unknown_exercise_is_one_line_naming_the_known_keys():
    res = check("wmass-uncorrelated", 35.5)          # a mistyped key
    assert not res
    text = repr(res)
    assert text.startswith("✗") and "\n" not in text and "wmass-uncorrelated" in text
    for key in EXERCISES:
        assert key in text


def test_unknown_exercise_is_an_input_error_for_authors():
    with pytest.raises(InputError, match="no exercise called"):
        expected("no-such-exercise")


def test_sem_answer_matches_monte_carlo():
    from helpers import SEED
    from helpers.intro import sample_means
    means = sample_means(100, 20_000, np.random.default_rng(SEED))
    assert np.std(means, ddof=1) == pytest.approx(expected("intro-sem"), rel=0.02)
    assert check("intro-sem", np.std(means, ddof=1))
