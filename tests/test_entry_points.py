"""Every public entry point that takes numbers from a reader refuses what numpy would silently misuse.

For each entry point and each of its array arguments, the argument is replaced by

* a masked array with one masked entry (numpy computes with the value under the mask):
  refused, naming the entry;
* the same numbers as an object array (what ``df.to_numpy()`` gives for mixed columns):
  the same result as the float array;
* a list with a Python integer beyond the floating-point range (``10**400``) or ``None``:
  refused with :class:`InputError`, never a traceback of another kind.

(``helpers.blue.solve`` is the engine behind them and takes arrays its callers checked.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import dimuon, propagation as P
from helpers.combination import Combination, blue as blue_pair
from helpers.normalisation import NormalisationProblem
from helpers.validation import InputError

MASSES = dimuon.simulate(300, seed=1)
SAMPLES = np.random.default_rng(3).normal(size=400)


def _value(result):
    """A comparable number (or tuple of numbers) from an entry point's result."""
    if isinstance(result, Combination):
        return (result.value, result.error, result.chi2)
    if isinstance(result, NormalisationProblem):
        return tuple(np.asarray(result.covariance_measured(), dtype=float).ravel()) + (result.values_tilt(),)
    if isinstance(result, dimuon.DimuonFit):
        return tuple(result.values.round(6))
    if isinstance(result, pd.DataFrame):
        return tuple(result.to_numpy(float).ravel())
    if hasattr(result, "as_dict"):
        return tuple(float(v) for v in result.as_dict().values())
    if isinstance(result, tuple):
        return tuple(np.asarray(r, dtype=float).round(12).ravel().tolist() for r in result)
    return tuple(np.asarray(result, dtype=float).ravel())


# name: (function, {argument: value}); the array arguments are the ones varied
ENTRY_POINTS = {
    "blue": (blue_pair, {"values": np.array([10.0, 11.0, 12.0]), "covariance": np.diag([1.0, 2.0, 4.0])}),
    "Combination": (Combination, {"values": np.array([10.0, 12.0]),
                                  "errors": np.array([[1.0, 0.5], [2.0, 0.5]]),
                                  "correlations": np.array([0.0, 1.0])}),
    "NormalisationProblem": (NormalisationProblem, {"values": np.array([8.0, 8.5]),
                                                    "stat_errors": np.array([0.2, 0.3]),
                                                    "norm_error": 0.1}),
    "propagate": (lambda x, cov: P.propagate(lambda v: v[0] * v[1], x, cov),
                  {"x": np.array([2.0, 3.0]), "cov": np.array([[0.1, 0.02], [0.02, 0.2]])}),
    "sample_gaussian": (lambda x, cov: P.sample_gaussian(x, cov, 50),
                        {"x": np.array([2.0, 3.0]), "cov": np.array([[0.1, 0.02], [0.02, 0.2]])}),
    "monte_carlo": (lambda x, cov: P.monte_carlo(lambda v: v[0] * v[1], x, cov, 50),
                    {"x": np.array([2.0, 3.0]), "cov": np.array([[0.1, 0.02], [0.02, 0.2]])}),
    "summarize": (P.summarize, {"samples": SAMPLES}),
    "mean_std": (P.mean_std, {"samples": SAMPLES}),
    "cut_statistics": (lambda samples: P.cut_statistics(samples, -1.0, 1.0), {"samples": SAMPLES}),
    "running_moments": (lambda samples: P.running_moments(samples, points=10), {"samples": SAMPLES}),
    "a_to_b": (P.a_to_b, {"a": np.array([1.5, 0.5])}),
    "dimuon.fit": (dimuon.fit, {"masses": MASSES}),
    "dimuon.logpdf": (lambda m: dimuon.logpdf(m, **dimuon.TRUTH), {"m": MASSES[:20]}),
    "dimuon.cdf": (lambda m: dimuon.cdf(m, **dimuon.TRUTH), {"m": MASSES[:20]}),
    "FastLogPdf": (lambda masses: dimuon.FastLogPdf(masses).nll(*dimuon.TRUTH.values()), {"masses": MASSES}),
}

CASES = [(name, arg) for name, (_, args) in ENTRY_POINTS.items()
         for arg, v in args.items() if isinstance(v, np.ndarray)]
IDS = [f"{name}-{arg}" for name, arg in CASES]


def _same(a, b) -> bool:
    """Equal numbers, NaN equal to NaN (a running moment starts undefined)."""
    return len(a) == len(b) and all(np.array_equal(np.asarray(x, dtype=float), np.asarray(y, dtype=float),
                                                   equal_nan=True) for x, y in zip(a, b))


def _call(name, **replace):
    f, args = ENTRY_POINTS[name]
    return f(**{**args, **replace})


@pytest.mark.parametrize("name, arg", CASES, ids=IDS)
def test_masked_entry_is_refused(name, arg):
    value = ENTRY_POINTS[name][1][arg]
    mask = np.zeros(value.shape, dtype=bool)
    mask.flat[-1] = True
    with pytest.raises(InputError, match="masked entries at"):
        _call(name, **{arg: np.ma.array(value, mask=mask)})
    # nothing masked: the plain numbers
    assert _same(_value(_call(name, **{arg: np.ma.array(value)})), _value(_call(name)))


@pytest.mark.parametrize("name, arg", CASES, ids=IDS)
def test_object_array_of_numbers_gives_the_same_result(name, arg):
    value = ENTRY_POINTS[name][1][arg]
    assert _same(_value(_call(name, **{arg: value.astype(object)})), _value(_call(name)))


@pytest.mark.parametrize("bad", [10**400, None], ids=["10**400", "None"])
@pytest.mark.parametrize("name, arg", CASES, ids=IDS)
def test_a_number_that_is_no_float_is_refused(name, arg, bad):
    value = ENTRY_POINTS[name][1][arg]
    items = value.astype(object)
    items.flat[0] = bad
    with pytest.raises(InputError):
        _call(name, **{arg: items.tolist()})


# ------------------------------------------------------------------ sizes and seeds
from helpers import normalisation_toys, ttbar  # noqa: E402

#: name: call(size=..., seed=...) of every public function that draws random numbers
DRAWS = {
    "dimuon.simulate": lambda size, seed: dimuon.simulate(size, seed=seed),
    "dimuon.toy_study": lambda size, seed: dimuon.toy_study(1, size, seed=seed),
    "sample_gaussian": lambda size, seed: P.sample_gaussian(0.0, 1.0, size, seed=seed),
    "monte_carlo": lambda size, seed: P.monte_carlo(lambda v: 2 * v, 0.0, 1.0, size, seed=seed),
    "ttbar.rounding_trials": lambda size, seed: ttbar.rounding_trials(n=size, rng=seed),
    "normalisation_toys.run": lambda size, seed: normalisation_toys.run(size, seed=seed).toys,
}


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True, [1, 2], object()],
                         ids=["-1", "1.5", "text", "True", "list", "object"])
@pytest.mark.parametrize("name", DRAWS)
def test_seeds_that_are_no_seed_are_refused(name, seed):
    with pytest.raises(InputError, match="seed|rng"):
        DRAWS[name](100, seed)


@pytest.mark.parametrize("name", DRAWS)
def test_the_same_integer_seed_gives_the_same_numbers(name):
    a, b = DRAWS[name](100, 7), DRAWS[name](100, 7)
    assert (a.equals(b) if isinstance(a, pd.DataFrame) else np.array_equal(a, b))


@pytest.mark.parametrize("size", [10**12, 10**400, "100", 2.5, 0], ids=["1e12", "1e400", "text", "2.5", "0"])
@pytest.mark.parametrize("name", DRAWS)
def test_sizes_beyond_reason_are_refused_before_any_memory_is_taken(name, size):
    with pytest.raises(InputError):
        DRAWS[name](size, 7)
