"""Property-based tests (hypothesis) of the public functions of ``helpers``.

Two kinds of property, for helpers.validation, .combination, .propagation, .text,
.selfcheck, .widgets.slider, .data and .intro:

(a) malformed and extreme input -- NaN, infinity, complex numbers, booleans, text, wrong
    shapes, empty input, scales from 1e-300 to 1e300, correlations beyond +-1, singular
    and indefinite covariances -- gives either a correct, finite result or an
    :class:`~helpers.validation.InputError` with a message; never another exception and
    never a NaN or an infinity passed on silently (NaN only where a function documents it);
(b) random well-formed input gives the same numbers as an independent computation: exact
    rational arithmetic (``fractions.Fraction``) for two-measurement BLUE, propagation
    through a linear map and sample moments; whitened least squares (``np.linalg.lstsq``)
    for BLUE of n measurements; ``decimal`` rounding for significant digits.

Every test is deterministic (``derandomize=True``); :data:`CASES` holds each test's
``max_examples`` and ``test_case_count`` prints their sum. Edge cases these draws found in
``helpers.validation`` (ragged lists, text or complex correlation matrices, a scalar given
to ``check_same_length``, variances near 1e308) are fixed and kept as plain tests at the end.
"""

from __future__ import annotations

import math
import os
import tempfile
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from helpers import combination, data, intro, propagation, selfcheck, text, validation
from helpers.combination import Combination, blue, correlation_scan, zero_weight_correlation
from helpers.validation import InputError
from helpers.widgets import slider

CASES: dict[str, int] = {}
"""Test name -> max_examples: the number of property-based cases is their sum."""


def prop(n: int):
    """Deterministic hypothesis settings with ``n`` examples, registered in :data:`CASES`."""

    def deco(f):
        CASES[f.__name__] = n
        # no shrinking: a failure is reported as drawn (shrinking takes minutes on a loaded machine)
        return settings(derandomize=True, deadline=None, max_examples=n, database=None,
                        phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
                        suppress_health_check=list(HealthCheck))(f)

    return deco


# ====================================================================== helpers
REFUSED = object()


def outcome(fn, *args, **kwargs):
    """``fn(...)``, or :data:`REFUSED` if it raised InputError (which must carry a message).
    Any other exception propagates and fails the test."""
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    except InputError as exc:
        assert isinstance(exc, ValueError) and str(exc).strip(), "InputError without a message"
        return REFUSED


def finite(x, what="result", allow_nan=False) -> None:
    """Assert every number in ``x`` (scalar, array, Series, DataFrame, tuple, dataclass) is finite."""
    if x is None or isinstance(x, (str, bool)):
        return
    if isinstance(x, (pd.Series, pd.DataFrame)):
        x = x.to_numpy(dtype=float)
    if hasattr(x, "as_dict"):
        x = list(x.as_dict().values())
    if isinstance(x, (tuple, list)):
        for i, v in enumerate(x):
            finite(v, f"{what}[{i}]", allow_nan)
        return
    arr = np.asarray(x, dtype=float)
    bad = np.isinf(arr) if allow_nan else ~np.isfinite(arr)
    assert not np.any(bad), f"{what} is not finite: {x!r}"


def close(a, b, rtol=1e-9, atol=0.0) -> bool:
    return bool(np.all(np.abs(np.asarray(a, float) - np.asarray(b, float))
                       <= atol + rtol * np.abs(np.asarray(b, float))))


# ====================================================================== strategies
JUNK = [math.nan, math.inf, -math.inf, 1j, 1 + 0j, True, False, "1.0", "x", b"1", None,
        [], {}, object()]
EXTREME = [0.0, -0.0, 5e-324, 1e-310, 1e-300, -1e-300, 1e300, -1e300, 1.7976931348623157e308]
RAGGED = [[1.0, [1.0, 2.0]], [[1.0, 0.0], [0.0]]]

junk = st.sampled_from(JUNK)
reals = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(EXTREME)
scalars = reals | junk
scale_exp = st.integers(-140, 140)


def vectors(min_size=0, max_size=4, elements=None):
    return st.lists(elements if elements is not None else scalars, min_size=min_size, max_size=max_size)


def matrices(n_max=3, elements=None):
    return st.integers(0, n_max).flatmap(
        lambda n: st.lists(st.lists(elements if elements is not None else scalars, min_size=n, max_size=n),
                           min_size=n, max_size=n))


anything = scalars | vectors() | matrices() | st.sampled_from([np.array([]), np.eye(2), np.ones((2, 2, 2))])


@st.composite
def spd(draw, n=None, singular=False):
    """A random symmetric positive (semi-)definite n x n matrix times 10^k."""
    n = n or draw(st.integers(2, 4))
    a = np.array(draw(st.lists(st.floats(-1, 1), min_size=n * n, max_size=n * n))).reshape(n, n)
    d = np.array(draw(st.lists(st.floats(0.1, 1.0), min_size=n, max_size=n)))
    c = a @ a.T + (0.0 if singular else np.diag(d))
    return c * 10.0 ** draw(scale_exp)


# ====================================================================== validation
VALIDATORS = [
    ("as_finite_array", lambda v: validation.as_finite_array(v)),
    ("as_number", lambda v: validation.as_number(v)),
    ("as_vector", lambda v: validation.as_vector(v)),
    ("as_positive_vector", lambda v: validation.as_positive_vector(v)),
    ("as_correlation", lambda v: validation.as_correlation(v)),
    ("as_correlation_matrix", lambda v: validation.as_correlation_matrix(v, 2)),
    ("as_covariance", lambda v: validation.as_covariance(v)),
    ("check_same_length", lambda v: validation.check_same_length(a=v, b=[1.0, 2.0])),
]


@prop(60)
@given(st.sampled_from(VALIDATORS), anything)
def test_validation_malformed(check, value):
    name, fn = check
    out = outcome(fn, value)
    if out is REFUSED:
        return
    finite(out, name)
    if name == "as_vector":
        assert out.ndim == 1 and out.size >= 1
    if name == "as_positive_vector":
        assert np.all(out > 0)
    if name == "as_correlation":
        assert -1 <= out <= 1
    if name == "as_correlation_matrix":
        assert out.shape == (2, 2) and np.all(np.abs(out) <= 1) and np.all(np.diag(out) == 1)
    if name == "as_covariance":
        # independent test of definiteness: Cholesky of the correlation matrix
        s = np.sqrt(np.diag(out))
        np.linalg.cholesky(out / np.outer(s, s))
    if name == "check_same_length":
        assert out == 2


@prop(60)
@given(spd(), st.floats(1.0001, 10))
def test_validation_covariance_definite_and_indefinite(cov, r):
    out = validation.as_covariance(cov)
    assert np.array_equal(out, 0.5 * cov + 0.5 * cov.T)
    # an implied correlation beyond +-1 is refused at any scale
    bad = cov.copy()
    bad[0, 1] = bad[1, 0] = r * np.sqrt(cov[0, 0]) * np.sqrt(cov[1, 1])
    assert outcome(validation.as_covariance, bad) is REFUSED
    # uncorrelated measurements with very different errors are fine
    assert outcome(validation.as_covariance, np.diag([cov[0, 0], cov[0, 0] * 1e-26])) is not REFUSED


# ====================================================================== combination: exact BLUE
def exact_two(y1, y2, c11, c22, c12):
    """Two-measurement BLUE in exact rational arithmetic: (value, variance, w1)."""
    y1, y2, c11, c22, c12 = map(Fraction, (y1, y2, c11, c22, c12))
    den = c11 + c22 - 2 * c12
    w1 = (c22 - c12) / den
    return w1 * y1 + (1 - w1) * y2, (c11 * c22 - c12 * c12) / den, w1


two_inputs = st.tuples(
    st.floats(-1e3, 1e3), st.floats(-1e3, 1e3),          # y1, y2 (in units of 10^k)
    st.floats(0.01, 100), st.floats(0.01, 100),           # sigma1, sigma2
    st.floats(-0.95, 0.95), scale_exp)                     # rho, k


@prop(60)
@given(two_inputs)
def test_blue_two_measurements_exact(inp):
    y1, y2, s1, s2, rho, k = inp
    f = 10.0 ** k
    y1, y2, s1, s2 = y1 * f, y2 * f, s1 * f, s2 * f
    c11, c22, c12 = s1 * s1, s2 * s2, rho * s1 * s2
    assume(all(np.isfinite([c11, c22, c12])) and c11 > 1e-300 and c22 > 1e-300)
    value, var, w1 = exact_two(y1, y2, c11, c22, c12)
    v, e, w = blue([y1, y2], [[c11, c12], [c12, c22]])
    tol = 1e-9 * (abs(y1) + abs(y2) + float(abs(value)) + math.sqrt(float(var)))
    assert abs(v - float(value)) <= tol
    assert close(e, math.sqrt(float(var)), 1e-9)
    assert close(w[0], float(w1), 1e-8, 1e-12) and close(w.sum(), 1.0, 1e-12)
    # the same through Combination built from errors and a correlation (C_12 = s1 rho s2 exactly)
    c = Combination([y1, y2], [[s1], [s2]], rho)
    value, var, w1 = exact_two(y1, y2, Fraction(s1) ** 2, Fraction(s2) ** 2,
                               Fraction(s1) * Fraction(rho) * Fraction(s2))
    assert abs(c.value - float(value)) <= tol
    assert close(c.error, math.sqrt(float(var)), 1e-9)
    # zero-weight correlation: exact sigma_small / sigma_large, and the weight vanishes there
    z = zero_weight_correlation(c)
    assert close(z, min(s1, s2) / max(s1, s2), 1e-12)
    at = outcome(c.with_correlation, "source 1", z)
    if at is not REFUSED:
        assert abs(min(at.weights, key=abs)) <= 1e-7


@prop(60)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(
    spd(n), st.lists(st.floats(-1e3, 1e3), min_size=n, max_size=n))))
def test_blue_n_measurements_vs_whitened_least_squares(inp):
    cov, y = inp
    y = np.array(y) * np.sqrt(np.max(np.diag(cov)))
    out = outcome(blue, y, cov)
    s = np.sqrt(np.diag(cov))
    corr = cov / np.outer(s, s)
    eig = np.linalg.eigvalsh(corr)
    if out is REFUSED:
        assert eig[0] <= 1e-10 * eig[-1], "a well-conditioned covariance was refused"
        return
    v, e, w = out
    # second method: whiten with the Cholesky factor of the (scaled) covariance, least squares
    L = np.linalg.cholesky(corr) * s[:, None]
    z, u = np.linalg.solve(L, y), np.linalg.solve(L, np.ones(len(y)))
    mu = np.linalg.lstsq(u[:, None], z, rcond=None)[0][0]
    err = 1 / np.linalg.norm(u)
    cond = eig[-1] / eig[0]
    assert abs(v - mu) <= 1e-12 * cond * (np.max(np.abs(y)) + err)
    assert close(e, err, 1e-12 * cond)
    assert close(w.sum(), 1.0, 1e-12 * cond)
    # the same as a one-source Combination with the full correlation matrix
    c = Combination(y, s[:, None], [corr])
    assert abs(c.value - mu) <= 1e-12 * cond * (np.max(np.abs(y)) + err)
    assert close(c.error, err, 1e-12 * cond)
    chi2 = float(np.sum((z - u * mu) ** 2))
    assert abs(c.chi2 - chi2) <= 1e-9 * cond * (1 + chi2)


@prop(60)
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(
    st.just(n), st.permutations(range(n)), st.permutations(range(n)),
    st.lists(st.floats(-100, 100), min_size=n, max_size=n),
    st.lists(st.floats(0.1, 10), min_size=2 * n, max_size=2 * n),
    st.floats(-0.5, 0.9))))
def test_labelled_inputs_aligned_by_label(inp):
    n, perm1, perm2, y, errs, rho = inp
    names = [f"exp{i}" for i in range(n)]
    values = pd.Series(y, index=names)
    errors = pd.DataFrame(np.array(errs).reshape(n, 2), index=names, columns=["stat", "syst"])
    mat = np.full((n, n), rho)
    np.fill_diagonal(mat, 1.0)
    corr = pd.DataFrame(mat, index=names, columns=names)
    ref = outcome(Combination, values, errors, {"stat": 0.0, "syst": corr})
    assume(ref is not REFUSED)
    shuffled = Combination(values.iloc[list(perm1)], errors.iloc[list(perm2)],
                           {"stat": 0.0, "syst": corr.iloc[list(perm2), list(perm1)]})
    assert close(shuffled.value, ref.value, 1e-12, 1e-12) and close(shuffled.error, ref.error, 1e-12)
    assert close(shuffled.weights[names], ref.weights[names], 1e-10, 1e-12)
    cov = ref.covariance
    v, e, w = blue(values.iloc[list(perm1)], cov.iloc[list(perm2), list(perm1)])
    assert close(v, ref.value, 1e-12, 1e-12) and close(e, ref.error, 1e-12)
    assert close(w[names], ref.weights[names], 1e-10, 1e-12)


def _check_combination(c: Combination) -> None:
    """Every main property and method of a valid combination is finite (NaN only where documented)."""
    for what in ("value", "error", "chi2", "pvalue"):
        finite(getattr(c, what), what)
    finite(c.weights, "weights")
    assert close(c.weights.sum(), 1.0, 1e-9, 1e-9)
    finite(c.total_errors, "total_errors")
    finite(c.correlation, "correlation")
    finite(c.uncertainties, "uncertainties")
    finite(c.quadratic_difference(), "quadratic_difference", allow_nan=True)  # NaN: singular without
    finite(c.summary(), "summary", allow_nan=True)
    finite(c.pulls, "pulls", allow_nan=True)                                   # NaN: zero variance
    finite(c.information_weights(), "information_weights", allow_nan=True)     # NaN: documented cells
    finite(c.table(), "table")
    finite(c.chi2_curve(c.value), "chi2_curve")
    finite(c.interval(), "interval")
    assert c.weight_note() == "" or "Negative weight" in c.weight_note()
    it = outcome(c.iterated, c.sources[0])
    if it is not REFUSED:
        finite((it.value, it.error), "iterated")
    if c.n == 2:
        z = zero_weight_correlation(c)
        assert 0 < z <= 1


err_entries = st.floats(0, 1e3) | st.sampled_from([0.0, -1.0, 1e-300, 1e300, math.nan, math.inf, True, "1", 1j])


@prop(250)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    vectors(n, n, st.floats(-1e3, 1e3) | scalars),
    st.lists(st.lists(err_entries, min_size=2, max_size=2), min_size=n, max_size=n) | anything,
    st.floats(-1.5, 1.5) | scalars | st.lists(scalars, min_size=2, max_size=2),
    scale_exp)))
def test_combination_malformed_and_extreme(inp):
    values, errors, corr, k = inp
    if isinstance(errors, list) and errors and all(isinstance(r, list) for r in errors):
        errors = [[e * 10.0 ** k if isinstance(e, float) else e for e in row] for row in errors]
    c = outcome(Combination, values, errors, corr)
    if c is REFUSED:
        return
    y = c.values.to_numpy()
    s = c.total_errors.to_numpy()
    # measurements more than ~1e150 sigma apart make chi2 overflow (see the report)
    assume(np.ptp(y) / s.min() < 1e150)
    _check_combination(c)
    # what-if variations: valid, or a clear refusal
    for variation in (lambda: c.with_correlation(c.sources[0], corr),
                      lambda: c.with_errors(c.sources[0], values),
                      lambda: c.without(c.sources[0])):
        other = outcome(variation)
        if other is not REFUSED:
            finite((other.value, other.error, other.chi2), "variation")
    scan = outcome(correlation_scan, values, errors, corr, c.sources[0], [-1.0, 0.0, 0.5, 1.0])
    if scan is not REFUSED:
        finite(scan, "correlation_scan", allow_nan=True)


@prop(60)
@given(st.lists(st.floats(0.5, 50), min_size=3, max_size=3), st.floats(-1e3, 1e3),
       st.lists(st.floats(-1, 1), min_size=1, max_size=6))
def test_correlation_scan_matches_combinations(errs, dy, rhos):
    values = [80457.0, 80457.0 + dy]
    errors = [[errs[0], errs[1]], [errs[2], errs[1] * 1.1]]
    scan = correlation_scan(values, errors, 0.0, "source 2", rhos)
    for r, row in zip(rhos, scan.itertuples(index=False)):
        c = outcome(Combination, values, errors, {"source 1": 0.0, "source 2": r})
        if c is REFUSED:
            assert all(np.isnan(row)), "a row is filled where the combination is singular"
        else:
            assert close(row.value, c.value, 1e-12) and close(row.error, c.error, 1e-12)
            assert close(row.chi2, c.chi2, 1e-9, 1e-12)


@prop(60)
@given(st.floats(1e-160, 1e-150) | st.floats(1e150, 1e160), st.floats(0.1, 0.9))
def test_tiny_and_huge_combinations_are_scale_free(unit, rho):
    c = Combination([1.0 * unit, 2.0 * unit], [[1.0 * unit], [1.5 * unit]], rho)
    ref = Combination([1.0, 2.0], [[1.0], [1.5]], rho)
    assert close(c.value / unit, ref.value, 1e-12)
    assert close(c.chi2, ref.chi2, 1e-9)
    assert close(c.error / unit, ref.error, 1e-12)
    assert close(c.weights, ref.weights, 1e-12)
    _check_combination(c)


@prop(60)
@given(anything, anything)
def test_blue_malformed(values, cov):
    out = outcome(blue, values, cov)
    if out is not REFUSED:
        v, e, w = out
        finite((v, e, w), "blue")
        assert e > 0 and close(np.sum(w), 1.0, 1e-9, 1e-9)


def _magnitude(value) -> float:
    """Largest |entry| of a numeric value (0 for anything else): a chi2 at a trial mean beyond
    ~1e154 errors overflows, which is the true value rounded, not a bug."""
    try:
        arr = np.asarray(value, dtype=float)
        return float(np.max(np.abs(arr))) if arr.size else 0.0
    except (TypeError, ValueError):
        return 0.0


@prop(60)
@given(anything)
def test_zero_weight_correlation_and_methods_malformed(junk_value):
    c = Combination([1.0, 2.0], [[1.0], [2.0]], 0.3)
    for call in (lambda: zero_weight_correlation(junk_value),
                 lambda: c.iterated("source 1", tol=junk_value),
                 lambda: c.iterated("source 1", max_iter=junk_value),
                 lambda: c.interval(junk_value) if not isinstance(junk_value, float)
                 or junk_value < 1e300 else (0.0, 0.0),
                 lambda: c.chi2_curve(junk_value) if _magnitude(junk_value) < 1e150 else 0.0,

                 lambda: c.with_correlation("source 1", junk_value),
                 lambda: c.with_errors("source 1", junk_value),
                 lambda: c.grouped(junk_value),
                 lambda: c.without(junk_value)):
        out = outcome(call)
        if isinstance(out, Combination):
            finite((out.value, out.error), "variation")
        elif out is not REFUSED:
            finite(out, "method", allow_nan=True)


# ====================================================================== propagation
linear_maps = st.integers(1, 3).flatmap(lambda n: st.integers(1, 3).flatmap(lambda m: st.tuples(
    st.lists(st.floats(-10, 10).filter(lambda a: a == 0 or abs(a) > 1e-3),
             min_size=m * n, max_size=m * n).map(lambda a: np.array(a).reshape(m, n)),
    spd(n, singular=False) | spd(n, singular=True),
    st.lists(st.floats(-1e3, 1e3), min_size=n, max_size=n).map(np.array))))


def exact_acat(A, C):
    """A C A^T in exact rational arithmetic."""
    Af = [[Fraction(a) for a in row] for row in A]
    Cf = [[Fraction(c) for c in row] for row in C]
    m, n = len(Af), len(Cf)
    AC = [[sum(Af[i][k] * Cf[k][j] for k in range(n)) for j in range(n)] for i in range(m)]
    return np.array([[float(sum(AC[i][k] * Af[j][k] for k in range(n))) for j in range(m)]
                     for i in range(m)])


@prop(100)
@given(linear_maps)
def test_propagate_linear_map_exact(inp):
    A, C, x0 = inp
    C = 0.5 * C + 0.5 * C.T
    exact = exact_acat(A, C)
    bound = np.abs(A) @ np.abs(C) @ np.abs(A).T  # size of the terms that cancel
    out = outcome(propagation.propagate, lambda x: A @ x, x0, C, jacobian=A)
    if out is REFUSED:  # only for a matrix that rounding made indefinite (|C_ij| > sqrt(C_ii C_jj))
        d = np.diag(C)
        assert np.any(np.abs(C) > np.sqrt(np.outer(d, d)) * (1 + 1e-9)) or np.linalg.eigvalsh(C)[0] < 0
        return
    y, cov_y = out
    assert np.all(np.abs(cov_y - exact) <= 1e-12 * bound + 1e-300)
    assert np.array_equal(y, A @ x0)
    # numerical Jacobian (jacobi): the same within its documented accuracy (error estimate
    # below 0.1 % of each entry), or a clear refusal
    out = outcome(propagation.propagate, lambda x: A @ x, x0, C)
    if out is not REFUSED:
        assert np.all(np.abs(out[1] - exact) <= 2.1e-3 * bound + 1e-300)
    # scalar in, scalar out
    a = float(A[0, 0]) or 1.0
    out = outcome(propagation.propagate, lambda t: a * t + 1.0, float(x0[0]), float(C[0, 0]))
    assume(out is not REFUSED)  # jacobi gives up at subnormal x (see the report)
    v, var = out
    assert close(var, float(Fraction(a) ** 2 * Fraction(float(C[0, 0]))), 2.1e-3, 1e-300)


FUNCTIONS = [lambda x: x, lambda x: np.sum(np.atleast_1d(x) ** 2), lambda x: np.log(x),
             lambda x: np.sqrt(np.abs(x)), lambda x: 1 / 0, lambda x: x.foo, lambda x: "a",
             lambda x: 1j * x, lambda x: None, lambda x: np.ones((2, 2)), lambda x: x[5],
             lambda x: np.array([]), lambda x: 1e300 * x * x, 3.0]


@prop(300)
@given(st.sampled_from(FUNCTIONS), anything, anything,
       st.none() | anything | st.sampled_from([lambda x: 1 / 0, lambda x: [[1.0]]]))
def test_propagate_malformed(f, x, cov, jac):
    out = outcome(propagation.propagate, f, x, cov, jacobian=jac)
    if out is not REFUSED:
        y, cov_y = out
        finite((y, cov_y), "propagate")
        cov_y = np.atleast_2d(cov_y)
        assert np.all(np.diag(cov_y) >= 0)


sizes = st.sampled_from([1.5, True, 0, -3, "10", math.nan, 10**9, 1e9, 10, 10.0, np.int64(7)])
seeds = st.sampled_from([1.5, -1, True, "1", None, 3, np.int64(4), np.random.default_rng(1)])


@prop(60)
@given(anything, anything, sizes, seeds)
def test_sampling_malformed(x, cov, size, seed):
    for fn in (propagation.sample_gaussian,
               lambda *a: propagation.monte_carlo(lambda v: v, *a)):
        out = outcome(fn, x, cov, size, seed)
        if out is not REFUSED:
            finite(out, "samples")
    out = outcome(propagation.correlated_pair, x, size, seed)
    if out is not REFUSED:
        finite(out, "correlated_pair")
        assert out.shape[0] == 2


@prop(60)
@given(linear_maps, st.integers(0, 2**31), st.integers(1, 50))
def test_sampling_matches_cholesky_and_linear_maps(inp, seed, size):
    A, C, x0 = inp
    C = 0.5 * C + 0.5 * C.T
    xs = outcome(propagation.sample_gaussian, x0, C, size, seed)
    if xs is REFUSED:  # only a matrix that rounding or underflow made indefinite
        d = np.diag(C)
        assert np.any(np.abs(C) > np.sqrt(np.outer(d, d)) * (1 + 1e-9)) or np.linalg.eigvalsh(C)[0] < 0
        return
    assert xs.shape == (len(x0), size)
    z = np.random.default_rng(seed).standard_normal((len(x0), size))
    s = np.sqrt(np.diag(C))
    ok = np.all(s > 0) and np.linalg.eigvalsh(C / np.outer(s, s))[0] > 1e-8
    if ok:  # second method: numpy's Cholesky factor of C
        want = x0[:, None] + np.linalg.cholesky(C) @ z
        assert np.all(np.abs(xs - want) <= 1e-9 * (np.abs(x0)[:, None] + s[:, None] * (1 + np.abs(z))))
    ys = propagation.monte_carlo(lambda v: A @ v, x0, C, size, seed)
    want = A @ xs
    assert ys.shape == want.shape
    assert np.all(np.abs(ys - want) <= 1e-12 * (np.abs(A) @ np.abs(xs)) + 1e-300)


@prop(60)
@given(st.floats(-1, 1), st.integers(0, 2**31), st.integers(1, 30))
def test_correlated_pair_is_sample_gaussian(rho, seed, size):
    pair = propagation.correlated_pair(rho, size, seed)
    same = propagation.sample_gaussian([0.0, 0.0], [[1.0, rho], [rho, 1.0]], size, seed)
    assert np.allclose(pair, same, rtol=0, atol=1e-12 * (1 + np.abs(pair)).max())


def exact_moments(x):
    xf = [Fraction(v) for v in x]
    n = len(xf)
    mean = sum(xf) / n
    var = sum((v - mean) ** 2 for v in xf) / (n - 1)
    srt = sorted(xf)
    med = srt[n // 2] if n % 2 else (srt[n // 2 - 1] + srt[n // 2]) / 2
    return mean, var, med


samples_strategy = st.tuples(st.lists(st.floats(-10, 10), min_size=2, max_size=8),
                             st.integers(-300, 300), st.floats(-1e3, 1e3))


@prop(60)
@given(samples_strategy)
def test_summaries_exact_at_any_scale(inp):
    base, k, shift = inp
    x = (np.array(base) + shift) * 10.0 ** k
    assume(np.all(np.isfinite(x)) and np.max(np.abs(x)) < 1e300)
    scale = float(np.max(np.abs(x))) or 1.0
    mean, var, med = exact_moments(x)
    var_scaled = float(var / Fraction(scale) ** 2)  # var itself may exceed the float range
    out = outcome(propagation.summarize, x)
    if out is REFUSED:  # only when the variance is outside the floating-point range
        assert var == 0 or not 1e-305 < var_scaled * scale * scale < 1e305
        return
    finite(out, "summarize")
    assert abs(out.mean - float(mean)) <= 1e-12 * scale
    assert close(out.std / scale, math.sqrt(var_scaled), 1e-9, 1e-15)
    assert abs(out.median - float(med)) <= 1e-12 * scale
    assert out.lo68 <= out.median <= out.hi68 and out.halfwidth68 >= 0
    lo, hi = float(min(x)), float(max(x))
    if lo < hi:
        cut = outcome(propagation.cut_statistics, x, lo, hi)
        if cut is not REFUSED:
            finite(cut, "cut_statistics")
            kept = x[(x > lo) & (x < hi)]
            assert cut.n_kept == kept.size
            m_k, v_k, _ = exact_moments(kept)
            assert abs(cut.mean_kept - float(m_k)) <= 1e-12 * scale
            assert close(cut.variance_kept / scale / scale, float(v_k / Fraction(scale) ** 2), 1e-9, 1e-300)
    rm = outcome(propagation.running_moments, x, None)
    if rm is not REFUSED:
        assert close(rm["mean"].iloc[-1], float(mean), 1e-9, 1e-12 * scale)
        assert close(rm["variance"].iloc[-1] / scale / scale, var_scaled, 1e-9, 1e-300)
        finite(rm, "running_moments", allow_nan=True)  # NaN: the variance of one sample
    rq = propagation.running_quantiles(x, probs=[0.5], points=None)
    assert abs(rq.iloc[-1, 0] - float(med)) <= 1e-12 * scale
    finite(rq, "running_quantiles")


@prop(120)
@given(anything, reals | junk, reals | junk, st.none() | sizes)
def test_summaries_malformed(samples, lo, hi, points):
    for call in (lambda: propagation.summarize(samples),
                 lambda: propagation.cut_statistics(samples, lo, hi),
                 lambda: propagation.running_moments(samples, points),
                 lambda: propagation.running_quantiles(samples, points=points),
                 lambda: propagation.summary_table({"a": samples})):
        out = outcome(call)
        if out is not REFUSED:
            finite(out, "summary", allow_nan=True)


# ====================================================================== text, selfcheck, slider, intro
@prop(200)
@given(reals, st.integers(1, 17))
def test_round_significant_matches_decimal(x, digits):
    r = text.round_significant(x, digits)
    if x == 0:
        assert r == 0.0
        return
    d = Decimal(x)
    q = Decimal(1).scaleb(d.adjusted() - digits + 1)
    want = float(d.quantize(q, rounding=ROUND_HALF_EVEN))
    assert r == want or (math.isinf(want) and r == x)


@prop(60)
@given(anything, scalars | st.integers(-3, 30))
def test_round_significant_malformed(x, digits):
    out = outcome(text.round_significant, x, digits)
    if out is not REFUSED:
        finite(out)


FAST_KEYS = sorted(k for k in selfcheck.EXERCISES if not k.startswith("dimuon"))
# intro-sem's expected value is the closed form 0.1, which a student's simulation never gives
# to the four decimals asked (0.1 typed alone is "not judged yet": too few digits); its
# acceptance over 200 seeds is tested in test_selfcheck.py
EXACT_KEYS = [k for k in FAST_KEYS if k != "intro-sem"]
EXPECTED = {}


def _expected(key):
    if key not in EXPECTED:
        EXPECTED[key] = np.atleast_1d(np.asarray(selfcheck.expected(key), dtype=float))
    return EXPECTED[key]


@prop(80)
@given(st.sampled_from(FAST_KEYS) | scalars | st.text(max_size=5) | st.just(["a"]), anything)
def test_check_never_raises(key, answer):
    res = selfcheck.check(key, answer)
    assert isinstance(res, selfcheck.CheckResult) and res.message
    if key not in FAST_KEYS or isinstance(answer, (bool, str, bytes, complex)) or answer is None:
        assert not res.correct


@prop(60)
@given(st.sampled_from(EXACT_KEYS), st.floats(-1, 1).filter(lambda u: abs(u) > 0.1))
def test_check_accepts_the_answer_and_rejects_a_wrong_one(key, u):
    want = _expected(key)
    assert selfcheck.check(key, tuple(want) if want.size > 1 else float(want[0]))
    tol = selfcheck.tolerance(key)          # the scatter allowed plus half the place asked for
    wrong = want + 20 * u * tol
    assert not selfcheck.check(key, tuple(wrong) if want.size > 1 else float(wrong[0]))
    assert selfcheck.check(key, tuple(want + 0.5 * u * tol) if want.size > 1
                           else float(want[0] + 0.5 * u * tol[0]))


@prop(200)
@given(scalars, scalars, scalars, scalars)
def test_slider_malformed(value, lo, hi, step):
    w = outcome(slider, value, lo, hi, step, "x")
    if w is REFUSED:
        return
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (value, lo, hi, step))
    assert lo < hi and 0 < step <= hi - lo and lo <= value <= hi
    assert (w.min, w.max, w.step) == (lo, hi, step) and w.value == value


@prop(60)
@given(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3), st.floats(0, 1), st.floats(1e-3, 1))
def test_slider_well_formed(lo, width, frac, step_frac):
    hi = lo + width
    assume(hi > lo)
    value = min(max(lo + frac * (hi - lo), lo), hi)
    w = slider(value, lo, hi, step_frac * (hi - lo), "x")
    assert (w.min, w.max, w.value) == (lo, hi, value)


@prop(80)
@given(scalars | st.integers(-3, 50), scalars | st.integers(-3, 50),
       st.sampled_from([None, 3, np.random.default_rng(2)]))
def test_montecarlo_malformed(n, repeats, rng):
    out = outcome(intro.sample_means, n, repeats, rng)
    if out is not REFUSED:
        finite(out)
        assert out.shape == (int(repeats),)
    dist = outcome(intro.mean_distribution, n)
    if dist is not REFUSED:
        assert close(dist.std(), 1 / math.sqrt(n), 1e-12)


@prop(60)
@given(st.integers(1, 200), st.integers(1, 50), st.integers(0, 2**31))
def test_montecarlo_matches_numpy(n, repeats, seed):
    got = intro.sample_means(n, repeats, np.random.default_rng(seed))
    want = np.random.default_rng(seed).standard_normal((repeats, n)).mean(axis=1)
    assert np.array_equal(got, want)
    assert intro.mean_distribution(float(n)).std() == pytest.approx(1 / math.sqrt(n), rel=1e-15)


# ====================================================================== data loaders
cells = (st.floats(-1e6, 1e6) | st.sampled_from(["nan", "", "inf", "-1", "abc", "1e400", "0"])
         | st.floats(0, 1))


def _fmt(v):
    return repr(v) if isinstance(v, float) else v


@prop(120)
@given(st.lists(cells, min_size=10, max_size=10), st.lists(cells, min_size=5, max_size=5),
       st.sampled_from(["correlation", "corr", "measurement"]))
def test_loaders_on_random_files(vals, corr, corr_row):
    header = "measurement,value,stat,exp_syst,theory_4q,theory_common"
    rows = [",".join(["a", *map(_fmt, vals[:5])]), ",".join(["b", *map(_fmt, vals[5:])]),
            ",".join([corr_row, "", *map(_fmt, corr[1:])])]
    with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ, {"COURSE_BOOK_DATA": tmp}):
        Path(tmp, "w_mass.csv").write_text("# test\n" + "\n".join([header, *rows]) + "\n")
        Path(tmp, "normalisation.csv").write_text(
            "measurement,value,stat_rel,norm_rel\n"
            + "\n".join(",".join([m, *map(_fmt, vals[i:i + 3])]) for m, i in (("y1", 0), ("y2", 5))) + "\n")
        out = outcome(data.w_mass)
        nums = pd.to_numeric(pd.Series([_fmt(v) for v in vals + corr[1:]], dtype=object), errors="coerce")
        errs = np.r_[nums[1:5], nums[6:10]].astype(float)
        cor = nums[10:].astype(float).to_numpy()
        valid = (corr_row == "correlation" and np.all(np.isfinite(nums.astype(float)))
                 and np.all(errs >= 0) and np.all(np.abs(cor) <= 1))
        if out is REFUSED:
            assert not valid, "a valid file was refused"
            return
        assert valid, f"an invalid file was read: {rows}"
        values, errors, correlations = out
        assert values.tolist() == [float(_fmt(vals[0])), float(_fmt(vals[5]))]
        assert errors.to_numpy().ravel().tolist() == [*errs[:4], *errs[4:]]
        assert correlations.tolist() == cor.tolist()
        norm = outcome(data.normalisation_inputs)
        if norm is not REFUSED:
            finite(norm, "normalisation_inputs")
            assert np.all(norm.drop(columns="value").to_numpy() >= 0)
        for loader in (data.ttbar_xsec,):  # no such file in the folder
            assert outcome(loader) is REFUSED


# ====================================================================== validation: edge cases
# Found by the draws above and fixed in helpers/validation.py; kept as plain tests.
@pytest.mark.parametrize("value", RAGGED)
def test_validation_ragged_refused(value):
    for fn in (validation.as_vector, validation.as_finite_array, validation.as_number,
               validation.as_covariance, lambda v: validation.as_correlation_matrix(v, 2)):
        assert outcome(fn, value) is REFUSED


@pytest.mark.parametrize("value, n", [([["a", "b"], ["c", "d"]], 2), ([[1, 1j], [1j, 1]], 2), ({}, 2),
                                      ([[True, False], [False, True]], 2), (0.5, -1), (0.5, 0),
                                      (0.5, 2.0), (0.5, True)])
def test_validation_correlation_matrix_refuses(value, n):
    assert outcome(validation.as_correlation_matrix, value, n) is REFUSED


def test_validation_check_same_length_scalar_refused():
    assert outcome(validation.check_same_length, a=1.0, b=[1.0]) is REFUSED


def test_validation_covariance_near_overflow():
    cov = np.diag([1e308, 1e308])
    assert np.array_equal(validation.as_covariance(cov), cov)
    with pytest.raises(InputError, match="not symmetric"):
        validation.as_covariance([[1e308, 1e308], [-1e308, 1e308]])



# ====================================================================== Combination: fits, dominant sources, masked and labelled input
# Each property would have caught a silent wrong number: the fit stuck at its start value
# away from O(1) units, NaN quadratic differences when one source dominates, masked
# entries used, a labelled error column taken by position.

def _gauss_jordan_blue(y, covs):
    """Variance ``1 / 1^T C^-1 1`` in exact rational arithmetic, ``C`` the exact sum of ``covs``."""
    n = len(y)
    a = [[sum(Fraction(float(c[i][j])) for c in covs) for j in range(n)] + [Fraction(1)]
         for i in range(n)]
    for c in range(n):
        p = next(r for r in range(c, n) if a[r][c] != 0)
        a[c], a[p] = a[p], a[c]
        for r in range(n):
            if r != c and a[r][c] != 0:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * z for x, z in zip(a[r], a[c])]
    return 1 / sum(a[i][n] / a[i][i] for i in range(n))


@st.composite
def scaled_combinations(draw):
    n = draw(st.integers(2, 4))
    k = draw(st.integers(1, 3))
    scale = 10.0 ** draw(st.integers(-150, 150))
    y = draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n))
    err = draw(st.lists(st.lists(st.floats(0.05, 3), min_size=k, max_size=k), min_size=n, max_size=n))
    rho = draw(st.lists(st.floats(-0.3, 0.95), min_size=k, max_size=k))
    return np.array(y) * scale, np.array(err) * scale, rho, scale


@prop(40)
@given(scaled_combinations())
def test_combination_fit_is_the_blue_at_any_scale(inp):
    y, err, rho, scale = inp
    comb = outcome(Combination, y, err, rho)
    assume(comb is not REFUSED)
    m = comb.fit()
    assert m.valid and m.fmin.has_accurate_covar
    assert abs(m.values["mean"] - comb.value) <= 1e-6 * comb.error
    assert m.errors["mean"] == pytest.approx(comb.error, rel=1e-4)
    me = m.merrors["mean"]
    assert me.is_valid and not (me.at_lower_limit or me.at_upper_limit)
    assert -me.lower == pytest.approx(comb.error, rel=1e-4)
    assert me.upper == pytest.approx(comb.error, rel=1e-4)
    assert m.fval == pytest.approx(comb.chi2, rel=1e-6, abs=1e-9)


@prop(60)
@given(st.integers(2, 3), st.integers(3, 8), st.floats(-0.9, 0.9), st.floats(-0.9, 0.9),
       st.lists(st.floats(0.1, 2), min_size=6, max_size=6), st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_quadratic_difference_exact_when_a_source_dominates(n, digits, r1, r2, sizes, ys):
    big = np.array(sizes[:n])
    small = np.array(sizes[3:3 + n]) * 10.0 ** -digits
    if n == 3:   # scalar correlations of three measurements need rho > -1/2
        r1, r2 = max(r1, -0.45), max(r2, -0.45)
    comb = Combination(ys[:n], np.column_stack([big, small]), {"big": r1, "small": r2},
                       sources=["big", "small"])
    cov = {s: comb.source_covariances[s].to_numpy() for s in ("big", "small")}
    var = _gauss_jordan_blue(ys[:n], [cov["big"], cov["small"]])
    qd = comb.quadratic_difference()
    for s, rest in (("big", "small"), ("small", "big")):
        d = var - _gauss_jordan_blue(ys[:n], [cov[rest]])
        expected = math.copysign(math.sqrt(abs(float(d))), float(d))
        assert math.isfinite(qd[s])
        assert qd[s] == pytest.approx(expected, rel=1e-7, abs=1e-300)
    assert np.all(np.isfinite(comb.summary().to_numpy()))
    assert np.all(np.isfinite(comb.grouped({"a": ["big"], "b": ["small"]}).to_numpy()))


_ENTRIES = {
    "values": lambda x: Combination(x, np.ones(len(x)), 0.0),
    "errors": lambda x: Combination(np.arange(len(x), dtype=float), np.abs(x) + 1, 0.0),
    "errors 2-d": lambda x: Combination(np.arange(len(x), dtype=float), np.ma.column_stack([np.abs(x) + 1] * 2), 0.0),
    "correlation": lambda x: Combination(np.arange(len(x), dtype=float), np.ones(len(x)),
                                         np.ma.array(np.eye(len(x)), mask=np.diag(np.ma.getmaskarray(x)))),
    "with_errors": lambda x: Combination(np.arange(len(x), dtype=float), np.ones(len(x)), 0.0)
    .with_errors("source 1", np.abs(x) + 1),
    "with_correlation": lambda x: Combination(np.arange(len(x), dtype=float), np.ones(len(x)), 0.0)
    .with_correlation("source 1", np.ma.array(np.eye(len(x)), mask=np.diag(np.ma.getmaskarray(x)))),
    "chi2_curve": lambda x: Combination([1.0, 2.0], [1.0, 1.0], 0.0).chi2_curve(x),
    "blue values": lambda x: blue(x, np.eye(len(x))),
    "blue covariance": lambda x: blue(np.arange(len(x), dtype=float),
                                      np.ma.array(np.eye(len(x)), mask=np.diag(np.ma.getmaskarray(x)))),
    "scan rhos": lambda x: correlation_scan([1.0, 2.0], [1.0, 2.0], 0.0, "source 1", np.clip(x, -1, 1)),
}


@prop(80)
@given(st.sampled_from(sorted(_ENTRIES)), st.lists(st.floats(-5, 5), min_size=2, max_size=5),
       st.data())
def test_masked_entries_refused_naming_them(entry, xs, data_):
    mask = data_.draw(st.lists(st.booleans(), min_size=len(xs), max_size=len(xs)).filter(any))
    x = np.ma.array(xs, mask=mask)
    with pytest.raises(InputError, match="masked") as info:
        _ENTRIES[entry](x)
    first = mask.index(True)
    # 1-d entries name index `first`, a correlation its diagonal (first, first), 2-d errors
    # the row `first` in every column, starting at (first, 0)
    named = {"errors 2-d": f"[({first}, 0)"}.get(entry)
    assert (named or f"[{first}") in str(info.value) or f"[({first}, {first})" in str(info.value)


_SCALAR_ENTRIES = {
    "correlation": lambda v: Combination([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], v),
    "correlation of a source": lambda v: Combination([1.0, 2.0], [[1.0, 1.0]] * 2, [0.0, v]),
    "with_correlation": lambda v: Combination([1.0, 2.0], [1.0, 1.0], 0.0).with_correlation("source 1", v),
    "interval": lambda v: Combination([1.0, 2.0], [1.0, 1.0], 0.0).interval(v),
    "iterated": lambda v: Combination([1.0, 2.0], [1.0, 1.0], 0.0).iterated("source 1", tol=v),
    "chi2_curve": lambda v: Combination([1.0, 2.0], [1.0, 1.0], 0.0).chi2_curve(v),
}


@prop(30)
@given(st.sampled_from(sorted(_SCALAR_ENTRIES)), st.floats(0.01, 0.5))
def test_masked_scalars_refused(entry, value):
    with pytest.raises(InputError, match="masked"):
        _SCALAR_ENTRIES[entry](np.ma.array([value], mask=[True])[0])


@prop(40)
@given(st.permutations(["a", "b", "c", "d"]), st.lists(st.floats(0.1, 3), min_size=4, max_size=4),
       st.floats(-0.3, 0.9))
def test_labelled_error_series_aligned_not_positional(order, sizes, rho):
    values = pd.Series([10.0, 12.0, 11.0, 10.5], index=["a", "b", "c", "d"])
    errors = pd.Series(sizes, index=["a", "b", "c", "d"], name="stat")
    ref = Combination(values, errors.to_frame(), rho)
    comb = Combination(values, errors[list(order)], rho)
    assert comb.value == ref.value and comb.error == ref.error
    pd.testing.assert_frame_equal(comb.errors, ref.errors)


# ====================================================================== the count
def test_case_count():
    """The number of property-based cases drawn by this file (sum of max_examples)."""
    total = sum(CASES.values())
    print(f"\nproperty-based cases: {total} in {len(CASES)} properties")
    assert total >= 1500


# ======================================================================
# ====================================================================== normalisation
# ======================================================================
# helpers.normalisation (+ _closed, _fits, _geometry) and helpers.normalisation_toys:
# every fit across scales (1e-140 .. 1e140) and normalisation uncertainties up to 3 against
# the closed forms and the exact curves; the chi2 curves at any mu against exact rational
# arithmetic; masked, object and junk input to every public function refused; seeds of
# every kind.
from helpers import normalisation as norm_mod  # noqa: E402
from helpers import normalisation_toys as norm_toys  # noqa: E402
from helpers.normalisation import NormalisationProblem  # noqa: E402


def _fr_rel_chi2(y, s, eps, mu):
    """(y - mu 1)^T V(mu)^-1 (y - mu 1), V(mu) = diag(s^2) + eps^2 mu^2 11^T, by
    Sherman-Morrison in exact rational arithmetic (inf beyond the float range)."""
    ys, ws = [Fraction(float(v)) for v in y], [1 / Fraction(float(v)) ** 2 for v in s]
    m, a = Fraction(float(mu)), Fraction(float(eps)) ** 2
    r = [yi - m for yi in ys]
    sw = sum(w * ri for w, ri in zip(ws, r))
    out = sum(w * ri * ri for w, ri in zip(ws, r)) - a * m * m * sw * sw / (1 + a * m * m * sum(ws))
    try:
        return float(out)
    except OverflowError:
        return math.inf


@prop(30)
@given(st.lists(st.floats(1.0, 20.0), min_size=2, max_size=3), st.floats(0.01, 0.3),
       st.floats(0.0, 3.0), scale_exp)
def test_normalisation_fits_at_any_scale(values, stat_rel, eps, exp):
    """Every fit, at any scale, equals the closed forms (value, √diag of HESSE's covariance,
    interval edges including infinite ones: never an edge beyond the chi2 barrier at 0) or
    refuses with InputError; the likelihood's minimum is its curve's value there."""
    k = 10.0 ** exp
    base = NormalisationProblem.from_relative(values, stat_rel, eps)
    p = NormalisationProblem(base.values * k, base.stat_errors * k, eps)
    exact = {e.method: e for e in p.closed_forms()}
    w = p.stat_errors ** -2.0
    W, ybar = w.sum(), w @ p.values / w.sum()
    calls = [(norm_mod.N_ON_DATA, lambda: p.nuisance_fit("data")),
             (norm_mod.N_ON_PREDICTION, lambda: p.nuisance_fit("prediction")),
             (norm_mod.COVARIANCE_RELATIVE, lambda: p.relative_covariance_fit())]
    for method, call in calls:
        fit = outcome(call)
        if fit is REFUSED:
            continue
        e = exact[method]
        assert abs(fit.value - e.value) <= 1e-4 * e.error
        assert fit.error == pytest.approx(e.error, rel=1e-3)
        for got, want in ((fit.lower, e.lower), (fit.upper, e.upper)):
            assert (np.isinf(want) and got == want) or abs(got - want) <= 1e-6 * e.error, (method, got, want)
    lik = outcome(p.likelihood_fit)
    if lik is not REFUSED:
        want = float(norm_mod.likelihood_values(p.values, p.stat_errors, eps))
        assert abs(lik.value - want) <= 1e-4 * lik.error
        assert lik.chi2_min == pytest.approx(p.likelihood_nll(lik.value), rel=1e-10, abs=1e-8)
        assert lik.lower < lik.value < lik.upper
    if eps > 0:
        sc = outcome(p.scaled_data_fit)
        if sc is not REFUSED:
            assert sc.value == pytest.approx(ybar, rel=1e-6)
            assert sc.error == pytest.approx(np.sqrt(1 / W + eps**2 * ybar**2), rel=1e-6)


@prop(120)
@given(st.lists(st.floats(1.0, 20.0), min_size=2, max_size=3), st.floats(0.01, 0.3),
       st.floats(0.0, 3.0), scale_exp,
       st.floats(-1e300, 1e300) | st.sampled_from([0.0, 1e10, 1e20, 1e160, -1e300, 5e-324]))
def test_normalisation_curves_exact_at_any_mu(values, stat_rel, eps, exp, mu):
    """The relative-covariance chi2 and the N-on-prediction profile equal exact rational
    arithmetic for any mu and scale (a linear solve lost them at mu = 1e20 and beyond)."""
    p = NormalisationProblem.from_relative(np.array(values) * 10.0 ** exp, stat_rel, eps)
    want = _fr_rel_chi2(p.values, p.stat_errors, eps, mu)
    got = outcome(p.relative_covariance_chi2, mu)
    prof = outcome(p.profile_chi2_prediction, mu)
    assert got is not REFUSED and prof is not REFUSED
    if math.isinf(want):
        assert got == math.inf and prof == math.inf
    else:
        assert got == pytest.approx(want, rel=1e-10) and prof == pytest.approx(want, rel=1e-10)
    assert not np.isnan(outcome(p.likelihood_nll, mu))


def _masked(v):
    return np.ma.array(np.atleast_1d(v), mask=np.r_[np.zeros(np.size(v) - 1, bool), True])


BAD_NORM_INPUTS = [
    True, "0.1", 1j, math.nan, object(), [0.1, "x"],
    np.array([0.1, None], dtype=object), np.array([0.1, "x"], dtype=object),
    np.array([0.1, 1j], dtype=object), np.array([True, False]),
]
_Y, _S = [8.0, 8.5], [0.16, 0.17]
_P0 = NormalisationProblem(_Y, _S, 0.1)
NORM_TARGETS = {
    # each takes the bad input in one argument, well-formed inputs elsewhere
    "Problem values": lambda b: NormalisationProblem(b, _S, 0.1),
    "Problem stat": lambda b: NormalisationProblem(_Y, b, 0.1),
    "Problem eps": lambda b: NormalisationProblem(_Y, _S, b),
    "from_relative values": lambda b: NormalisationProblem.from_relative(b, 0.02, 0.1),
    "from_relative stat": lambda b: NormalisationProblem.from_relative(_Y, b, 0.1),
    "from_relative eps": lambda b: NormalisationProblem.from_relative(_Y, 0.02, b),
    "weighted_mean_values y": lambda b: norm_mod.weighted_mean_values(b, _S),
    "weighted_mean_values s": lambda b: norm_mod.weighted_mean_values(_Y, b),
    "stat_chi2_values y": lambda b: norm_mod.stat_chi2_values(b, _S),
    "covariance_fit_values eps": lambda b: norm_mod.covariance_fit_values(_Y, _S, b),
    "covariance_fit_values s": lambda b: norm_mod.covariance_fit_values(_Y, b, 0.1),
    "likelihood_values eps": lambda b: norm_mod.likelihood_values(_Y, _S, b),
    "likelihood_values y": lambda b: norm_mod.likelihood_values(b, _S, 0.1),
    "likelihood_values iterations": lambda b: norm_mod.likelihood_values(_Y, _S, 0.1, iterations=b),
    "scan_norm": lambda b: norm_mod.scan_norm(_Y, 0.02, b),
    "course_problem norm_rel": lambda b: norm_mod.course_problem(norm_rel=b),
    "course_problem y2": lambda b: norm_mod.course_problem(y2=b),
    "below_both_thresholds": lambda b: norm_mod.below_both_thresholds(norm_rel=b),
    "covariance_at": lambda b: _P0.covariance_at(b),
    "relative_covariance_chi2": lambda b: _P0.relative_covariance_chi2(b),
    "profile_chi2_prediction": lambda b: _P0.profile_chi2_prediction(b),
    "measured_covariance_chi2": lambda b: _P0.measured_covariance_chi2(b),
    "likelihood_nll": lambda b: _P0.likelihood_nll(b),
    "ellipse c": lambda b: _P0.ellipse(c=b),
    "ellipse center": lambda b: _P0.ellipse(center=b),
    "ellipse cov": lambda b: _P0.ellipse(cov=b),
    "touching_point cov": lambda b: _P0.touching_point(cov=b),
    "ellipse_axes cov": lambda b: _P0.ellipse_axes(cov=b),
    "mean_difference cov": lambda b: _P0.mean_difference(cov=b),
    "toys estimates y": lambda b: norm_toys.estimates(b, 0.02, 0.1),
    "toys estimates eps": lambda b: norm_toys.estimates(np.ones((3, 2)), 0.02, b),
    "toys run mu_true": lambda b: norm_toys.run(10, mu_true=b),
    "toys run norm_rel": lambda b: norm_toys.run(10, norm_rel=b),
    "toys run n_toys": lambda b: norm_toys.run(b),
}


@prop(200)
@given(st.sampled_from(sorted(NORM_TARGETS)),
       st.sampled_from(BAD_NORM_INPUTS) | st.sampled_from(["masked", "masked matrix"]),
       st.floats(0.01, 10.0))
def test_normalisation_refuses_masked_object_and_junk(target, bad, good):
    """Masked entries (used with their hidden values before), object arrays holding text,
    None or complex numbers, booleans (eps=True was used as 1) and text are refused by every
    public function of the chapter, with a message."""
    if isinstance(bad, str) and bad == "masked":
        bad = _masked([good, good])
    elif isinstance(bad, str) and bad == "masked matrix":
        bad = np.ma.array(np.eye(2) * good, mask=[[0, 1], [0, 0]])
    assert outcome(NORM_TARGETS[target], bad) is REFUSED


@prop(80)
@given(st.integers(-10**25, 10**25)
       | st.floats(allow_nan=True) | st.text(max_size=3) | st.booleans() | st.none()
       | st.sampled_from([np.int64(3), np.uint8(7), np.int32(-3), np.float64(2.0),
                          np.random.default_rng(1), np.random.SeedSequence(1), [1, 2]]))
def test_normalisation_toy_seeds_of_every_kind(seed):
    """A toy study's seed is a non-negative integer of any integer type, and the same seed
    gives the same pseudo-experiments (the normalisations drawn first from
    numpy.random.default_rng(seed)); negative numbers, floats, text, True, None, a
    Generator (it carries state from call to call) and a SeedSequence are refused."""
    ok = (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0)
    out = outcome(norm_toys.run, 20, seed=seed)
    if not ok:
        assert out is REFUSED
        return
    assert out is not REFUSED
    expected_N = 1.0 + 0.1 * np.random.default_rng(int(seed)).standard_normal(20)
    np.testing.assert_array_equal(out.toys["N"].to_numpy(), expected_N)
    assert out.toys.equals(norm_toys.run(20, seed=seed).toys)
