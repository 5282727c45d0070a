import numpy as np
import pytest

from helpers import InputError, selfcheck
from helpers.selfcheck import EXERCISES, check, expected


def typed(key, want=None):
    """The expected answer as a student would type it: a Monte Carlo limit such as 0.1 gets
    the digits a sample's estimate has (0.1003), within its Monte Carlo tolerance."""
    want = np.atleast_1d(np.asarray(expected(key) if want is None else want, dtype=float)).copy()
    d = EXERCISES[key].decimals
    for i, places in enumerate(list(d) if isinstance(d, (tuple, list)) else [d] * want.size):
        if places is not None and selfcheck._significant(want[i]) < selfcheck._needed(want[i], places):
            want[i] += 3 * 10.0 ** -places
    return want


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_right_answer_passes_wrong_fails_and_answer_never_shown(key):
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    ex = EXERCISES[key]
    assert check(key, typed(key) if want.size > 1 else typed(key)[0])
    # just inside and just outside the tolerance
    tol = selfcheck.tolerance(key)
    assert check(key, want + 0.9 * tol)
    wrong = check(key, want + 1.5 * tol + 1e-12)
    assert not wrong
    for res in (check(key, typed(key)), wrong):
        for digits in (2, 3, 4, 6):
            for w in want:
                text = res.message
                for a in np.atleast_1d(tol - np.asarray(ex.rtol) * np.abs(want)):
                    text = text.replace(f"{a:g} absolute", "")    # the tolerance is shown, the answer not
                for r in np.atleast_1d(ex.rtol):
                    text = text.replace(f"{100 * r:g} %", "")
                assert f"{w:.{digits}g}" not in text


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



# ------------------------------------------------------------------ any Python object
class _Result:
    """Looks like scipy's OptimizeResult (x, fun, hess_inv)."""
    def __init__(self, x):
        self.x, self.fun, self.hess_inv = np.array([x]), 0.0, np.array([[2.0]])


@pytest.mark.parametrize("answer, says", [
    (10**400, "beyond the floating-point range"),
    (None, "the answer is None"),
    (np.ma.array([0.1], mask=[1]), "masked entries at [0]"),
    (_Result(0.1), "scipy's whole result"),
    ({"value": 0.1}, "a dict has no order"),
    ("0.1", "must be a number"),
    (True, "must be a number"),
    (1 + 2j, "must be a number"),
    (object(), "must be a number"),
])
def test_any_object_gets_one_line_and_never_a_traceback(answer, says):
    res = check("intro-sem", answer)
    assert not res and says in res.message and "\n" not in res.message
    assert not res.message.endswith("..") and not res.message.endswith("?.")


def test_a_minuit_object_is_told_to_pass_its_numbers():
    from iminuit import Minuit
    m = Minuit(lambda x: x**2, x=1.0)
    assert "Minuit object itself" in check("intro-sem", m).message


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("wrap", [
    lambda v: np.matrix([[v]]), lambda v: __import__("pandas").Series([v]), lambda v: np.ma.array([v]),
    lambda v: [[v]], lambda v: np.float32(v), lambda v: (np.array([v]),),
], ids=["matrix", "Series", "unmasked", "nested list", "float32", "tuple of array"])
def test_containers_of_the_right_number_pass(wrap):
    want = float(typed("intro-sem")[0])
    assert check("intro-sem", wrap(want))


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_a_pair_from_scipy_passes_for_a_two_number_exercise():
    value, error = expected("dimuon-n-2sigma")
    res = _Result(value)
    assert check("dimuon-n-2sigma", (res.x, np.array([error])))
    assert check("dimuon-n-2sigma", np.matrix([[value, error]]))


@pytest.mark.parametrize("atol, rtol, shown", [(0.0, 0.002, "0.2 % relative"), (0.0, 0.05, "5 % relative"),
                                                (0.01, 0.001, "0.01 + 0.1 %"), (0.0007, 0.0, "0.0007 absolute")])
def test_tolerances_are_shown_as_they_are(monkeypatch, atol, rtol, shown):
    from helpers.exercises import Exercise
    monkeypatch.setitem(EXERCISES, "intro-tolerance", Exercise(lambda: 2.0, atol=atol, rtol=rtol))
    assert f"within {shown}." in check("intro-tolerance", 2.0).message
    assert f"more than {shown}." in check("intro-tolerance", 3.0).message


# ------------------------------------------------------------------ progress
def test_progress_lists_done_tried_and_left(monkeypatch):
    selfcheck.forget_progress()
    assert "no exercise checked yet" in repr(selfcheck.progress())
    right = np.atleast_1d(np.asarray(expected("wmass-without-beam"), dtype=float))
    wrong = right + 100.0
    check("wmass-without-beam", wrong)
    text = repr(selfcheck.progress())
    keys = sorted(k for k in EXERCISES if k.startswith("wmass-"))
    assert text.splitlines()[0] == f"wmass: 0 of {len(keys)} solved"
    assert "✗ wmass-without-beam" in text and text.count("(not tried)") == len(keys) - 1
    check("wmass-without-beam", right)
    check("wmass-without-beam", wrong)          # solved once stays solved
    assert "✓ wmass-without-beam" in repr(selfcheck.progress())
    check("prop-cov-b", 0.0)                    # an old key counts under its new name
    text = repr(selfcheck.progress())
    assert "✗ propagation-cov-b" in text and text.index("propagation:") < text.index("wmass:")
    assert repr(selfcheck.progress("dimuon")).startswith("dimuon: 0 of ")
    for number in np.concatenate([right, wrong]):             # never the answer
        assert f"{number:.3g}" not in repr(selfcheck.progress())


def test_progress_refuses_an_unknown_chapter():
    with pytest.raises(InputError, match="no chapter called 'w_mass'"):
        selfcheck.progress("w_mass")


# ------------------------------------------------------------------ one verdict per number
def test_every_answer_of_several_numbers_names_them():
    for key, ex in EXERCISES.items():
        n = np.atleast_1d(expected(key)).size
        assert (len(ex.parts) == n) if n > 1 else not ex.parts, key


@pytest.mark.parametrize("key", [k for k in sorted(EXERCISES) if EXERCISES[k].parts])
def test_each_number_of_a_pair_gets_its_own_verdict(key):
    ex = EXERCISES[key]
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    tol = selfcheck.tolerance(key)
    for i, name in enumerate(ex.parts):
        got = want.copy()
        got[i] += 3 * tol[i] + 1e-9
        res = check(key, got)
        assert not res and f"{name} is off by more than" in res.message
        for j, other in enumerate(ex.parts):
            if j != i:
                assert f"{other} agrees within" in res.message
        assert res.message.endswith(f"Look again at {name}.")
    assert all(f"{name} agrees within" in check(key, want).message for name in ex.parts)


# ------------------------------------------------------------------ named mistakes
MISTAKES = [(key, i) for key in sorted(EXERCISES) for i in range(len(EXERCISES[key].mistakes))]


@pytest.mark.parametrize("key, i", MISTAKES, ids=[f"{k}[{i}]" for k, i in MISTAKES])
def test_a_named_mistake_gets_its_own_message_and_never_the_answer(key, i):
    ex = EXERCISES[key]
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    mistake = np.atleast_1d(np.asarray(ex.mistakes[i].compute(), dtype=float))
    answer = np.where(np.isnan(mistake), want, mistake)      # NaN: the mistake leaves it right
    tol = selfcheck.tolerance(key)
    # the mistake must be told apart from the right answer: outside the tolerance
    assert np.any(np.abs(answer - want) > tol), f"{key}: mistake {i} passes as right"
    res = check(key, answer)
    assert not res and ex.mistakes[i].message in res.message
    for j, other in enumerate(ex.mistakes):
        if j != i:
            assert other.message not in res.message
    for w in want:
        for digits in (3, 4, 6):
            assert f"{w:.{digits}g}" not in res.message
    assert "course" not in res.message.lower()


def test_mistake_messages_differ_within_an_exercise():
    for key, ex in EXERCISES.items():
        messages = [m.message for m in ex.mistakes]
        assert len(set(messages)) == len(messages), key


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_every_exercise_recognises_units_squares_and_order(key):
    ex = EXERCISES[key]
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    tol = selfcheck.tolerance(key)
    variants = {"a hundred times": want * 100, "a thousand times": want * 1000,
                "a thousandth of": want / 1000, "the square of": want**2}
    if want.size > 1:
        variants["wrong order"] = want[::-1]
    seen = 0
    for says, answer in variants.items():
        if np.all(np.abs(answer - want) <= 2 * tol):
            continue                     # indistinguishable from the answer: nothing to name
        res = check(key, answer)
        assert not res
        if not any(m.message in res.message for m in ex.mistakes):
            assert says in res.message, (says, res.message)
            seen += 1
    assert seen >= 2


MULTI = sorted(k for k in EXERCISES if np.atleast_1d(np.asarray(expected(k), dtype=float)).size > 1)


@pytest.mark.parametrize("key", MULTI)
def test_one_number_squared_or_scaled_is_named_where_the_others_are_right(key):
    """A pair or triple with one number slipped (its variance, or a factor 100 or 1000) and
    the others right: that number is named with its slip, unless a named mistake of the
    exercise explains the answer, or the slip is too close to the answer to tell."""
    ex = EXERCISES[key]
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    tol = selfcheck.tolerance(key)
    named = 0
    for i in range(want.size):
        scale = max(1.0, 2 * abs(want[i]))
        for says, value, s in (("square", want[i] ** 2, scale), ("hundred times", want[i] * 100, 100.0)):
            if abs(value - want[i]) <= 2 * tol[i] * s:
                continue
            answer = want.copy()
            answer[i] = value
            res = check(key, answer)
            assert not res, (key, i, says)
            if any(m.message in res.message for m in ex.mistakes) or "not judged" in res.message:
                continue
            assert f"{ex.parts[i]} is off" in res.message and says in res.message, res.message
            named += 1
    assert named >= 1, key


# ------------------------------------------------------------------ honest rounding
# Answers a student computes from a random sample: they scatter around the expected value,
# so the rounded expected value itself may end in 0; each has a many-seed test of its own.
MONTE_CARLO = {"intro-sem", "propagation-mc-sigma-y-2", "propagation-mc-fraction-negative", "dimuon-small-toys"}


def _places(key):
    want = np.atleast_1d(np.asarray(expected(key), dtype=float))
    d = EXERCISES[key].decimals
    return want, list(d) if isinstance(d, (tuple, list)) else [d] * want.size


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_every_exercise_asks_for_a_precision(key):
    want, places = _places(key)
    assert len(places) == want.size and all(d is not None for d in places), key


@pytest.mark.parametrize("key", [k for k in sorted(EXERCISES) if EXERCISES[k].decimals is not None])
def test_an_answer_rounded_to_the_precision_asked_passes(key):
    want, places = _places(key)
    rounded = np.array([round(w, d) for w, d in zip(typed(key), places)])
    assert check(key, rounded), (key, check(key, rounded).message)
    if key not in MONTE_CARLO:
        # a rounded answer ending in 0 cannot be typed as a float: ask for another precision
        for w, r, d in zip(want, rounded, places):
            assert selfcheck._significant(r) >= selfcheck._needed(w, d), (key, d)


@pytest.mark.parametrize("key", [k for k in sorted(EXERCISES) if EXERCISES[k].decimals is not None])
def test_too_few_digits_are_not_judged_right_or_wrong(key):
    want, places = _places(key)
    for i, d in enumerate(places):
        for shift in (0.0, 7.0):                          # right, and wrong, at one digit less
            got = want.copy()
            got[i] = round(want[i] + shift * 10.0 ** -(d - 1), d - 1)
            if selfcheck._significant(got[i]) >= selfcheck._needed(got[i], d):
                continue
            res = check(key, got)
            named = any(m.message in res.message for m in EXERCISES[key].mistakes)
            assert not res and (named or "significant digits" in res.message), (key, res.message)
            if not named:
                assert "not judged" in res.message and "agrees" not in res.message


def test_digits_are_counted_as_python_holds_the_number():
    assert selfcheck._significant(80450.0) == 5 and selfcheck._significant(39.0) == 2
    assert selfcheck._significant(0.70) == 1 and selfcheck._significant(0.00703) == 3
    assert selfcheck._significant(-1.25) == 3 and selfcheck._significant(59450) == 5
    assert selfcheck._needed(0.703, 3) == 3 and selfcheck._needed(80450.56, 0) == 5
    assert selfcheck._needed(59450.0, -1) == 4


def test_intro_sem_passes_for_any_seed_and_refuses_the_spread_of_the_numbers():
    from helpers.intro import sample_means
    passed = [bool(check("intro-sem", np.std(sample_means(100, 10_000, np.random.default_rng(seed)), ddof=1)))
              for seed in range(200)]
    assert all(passed)
    res = check("intro-sem", 1.0)
    assert not res and "individual" in res.message


# ------------------------------------------------------------------ in a notebook
def test_two_checks_in_one_cell_show_both_verdicts_and_none_twice(capsys):
    from IPython.testing.globalipapp import start_ipython
    shell = start_ipython()
    right = float(typed("intro-sem")[0])
    shell.run_cell(f"from helpers.selfcheck import check\ncheck('intro-sem', 0.5)\ncheck('intro-sem', {right!r})",
                   store_history=True)
    out = capsys.readouterr().out
    assert out.count("✗ intro-sem") == 1 and out.count("✓ intro-sem") == 1, out
    shell.run_cell(f"r = check('intro-sem', {right!r})", store_history=True)
    shell.run_cell("r", store_history=True)                                     # a later cell shows it again
    assert capsys.readouterr().out.count("✓ intro-sem") == 2
