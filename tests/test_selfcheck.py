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


@pytest.mark.parametrize("old", sorted(selfcheck.RENAMED))
def test_old_key_still_checks_under_its_new_name_with_a_note(old):
    new = selfcheck.RENAMED[old]
    assert new in EXERCISES and old not in EXERCISES
    want = np.atleast_1d(np.asarray(expected(new), dtype=float))
    res = check(old, want if want.size > 1 else want[0])
    note, verdict = repr(res).split("\n")
    assert res and res.key == new and repr(check(new, want if want.size > 1 else want[0])) == verdict
    assert old in note and new in note
    assert not check(old, want + 1.0)

