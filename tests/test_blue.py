"""The BLUE engine (helpers.blue): batched solve, covariance check, power-of-two scaler."""

from fractions import Fraction

import numpy as np
import pytest

from helpers import blue
from helpers.validation import InputError


def _random_case(rng, n):
    a = rng.normal(size=(n, n))
    cov = a @ a.T + n * np.diag(rng.uniform(0.1, 2.0, n))
    return rng.normal(10.0, 1.0, n), cov


def _exact(y, cov):
    """GLS of a constant in rational arithmetic (Gauss-Jordan on Fractions):
    (value, variance, weights, chi2)."""
    n = len(y)
    m = [[Fraction(float(cov[i, j])) for j in range(n)] + [Fraction(1)] + [Fraction(float(y[i]))]
         for i in range(n)]
    for c in range(n):
        p = next(r for r in range(c, n) if m[r][c] != 0)
        m[c], m[p] = m[p], m[c]
        piv = m[c][c]
        m[c] = [x / piv for x in m[c]]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c]
                m[r] = [x - f * z for x, z in zip(m[r], m[c])]
    a = [m[i][n] for i in range(n)]            # C^-1 1
    b = [m[i][n + 1] for i in range(n)]        # C^-1 y
    norm = sum(a)
    yf = [Fraction(float(v)) for v in y]
    value = sum(b) / norm
    chi2 = sum(yi * bi for yi, bi in zip(yf, b)) - value * sum(b)   # y^T C^-1 y - value 1^T C^-1 y
    return value, 1 / norm, [ai / norm for ai in a], chi2


@pytest.mark.parametrize("n", [2, 3, 5])
def test_solve_equals_exact_rational_gls(n):
    rng = np.random.default_rng(n)
    for _ in range(5):
        y, cov = _random_case(rng, n)
        value, var, w, chi2 = _exact(y, cov)
        b = blue.solve(y, cov)
        assert b.value == pytest.approx(float(value), rel=1e-13)
        assert b.error == pytest.approx(float(var) ** 0.5, rel=1e-13)
        np.testing.assert_allclose(b.weights, [float(x) for x in w], rtol=1e-11, atol=1e-13)
        assert b.chi2 == pytest.approx(float(chi2), rel=1e-9, abs=1e-12)
        assert b.weights.sum() == pytest.approx(1.0, rel=1e-14)


def test_batch_equals_loop_of_single_solves():
    rng = np.random.default_rng(7)
    cases = [_random_case(rng, 3) for _ in range(12)]
    y = np.array([c[0] for c in cases]).reshape(3, 4, 3)
    cov = np.array([c[1] for c in cases]).reshape(3, 4, 3, 3)
    cov[0, 0] *= 1e-200                           # each batch member scaled on its own
    batch = blue.solve(y, cov)
    assert batch.value.shape == batch.error.shape == batch.chi2.shape == (3, 4)
    assert batch.weights.shape == (3, 4, 3)
    for i in range(3):
        for j in range(4):
            one = blue.solve(y[i, j], cov[i, j])
            assert batch.value[i, j] == one.value and batch.error[i, j] == one.error
            assert batch.chi2[i, j] == one.chi2
            np.testing.assert_array_equal(batch.weights[i, j], one.weights)


def test_batch_broadcasts_one_covariance_over_many_values():
    rng = np.random.default_rng(3)
    y, cov = _random_case(rng, 4)
    ys = y + rng.normal(size=(6, 4))
    batch = blue.solve(ys, cov)
    for k in range(6):
        assert batch.value[k] == pytest.approx(blue.solve(ys[k], cov).value, rel=1e-15)
    np.testing.assert_allclose(blue.quadratic_form(ys - batch.value[:, None], cov), batch.chi2,
                               rtol=1e-14)


@pytest.mark.parametrize("scale_exp", [-150, -75, -10, 0, 10, 75, 150])
def test_scale_invariance(scale_exp):
    """Value and error scale with the units, weights and chi2 do not (to 1e-14)."""
    rng = np.random.default_rng(11)
    y, cov = _random_case(rng, 3)
    y[1] += 3.0
    ref = blue.solve(y, cov)
    s = 10.0**scale_exp
    b = blue.solve(y * s, cov * s * s)
    assert b.value == pytest.approx(ref.value * s, rel=1e-14)
    assert b.error == pytest.approx(ref.error * s, rel=1e-14)
    np.testing.assert_allclose(b.weights, ref.weights, rtol=1e-13)
    assert b.chi2 == pytest.approx(ref.chi2, rel=1e-12)
    # a power-of-two change of units gives identical bits
    p = blue.solve(np.ldexp(y, 400), np.ldexp(cov, 800))
    assert np.ldexp(ref.value, 400) == p.value and np.ldexp(ref.error, 400) == p.error
    np.testing.assert_array_equal(ref.weights, p.weights)


def test_two_measurement_closed_form():
    y = np.array([80.0, 80.5])
    v1, v2, c = 0.04, 0.09, 0.03
    b = blue.solve(y, [[v1, c], [c, v2]])
    d = v1 + v2 - 2 * c
    assert b.weights[0] == pytest.approx((v2 - c) / d, rel=1e-14)
    assert b.error == pytest.approx(np.sqrt((v1 * v2 - c * c) / d), rel=1e-14)
    assert b.chi2 == pytest.approx((y[0] - y[1]) ** 2 / d, rel=1e-13)


def test_exponent():
    assert blue.exponent([0.75, -3.0]) == 2            # 3 = 0.75 * 2^2
    assert blue.exponent([0.75, -3.0], even=True) == 2
    assert blue.exponent(5.0, even=True) == 4          # 5 = 0.625 * 2^3 -> 4
    assert blue.exponent([]) == 0 and blue.exponent([0.0]) == 0
    for x in (1e-300, 1e-150, 1.0, 1e150, 1e300):
        f = x / 2.0 ** blue.exponent(x)
        assert 0.5 <= f < 1


@pytest.mark.parametrize("cov, msg", [
    ([[1.0, 0.5], [0.4, 1.0]], "covariance is not symmetric"),
    ([[1.0, 2.0], [2.0, 1.0]], "not positive definite: some combination"),
    ([[1.0, 1.0], [1.0, 1.0]], "singular|not positive definite"),
    ([[1.0, 1.0 - 1e-14], [1.0 - 1e-14, 1.0]], "fully correlated"),
    ([[1.0, 0.0], [0.0, 0.0]], r"singular: measurement\(s\) \['b'\] have zero total uncertainty"),
    ([[-1.0, 0.0], [0.0, 1.0]], r"not positive definite: negative variance for \['a'\]"),
    ([[1.0, np.nan], [np.nan, 1.0]], "NaN or infinity"),
])
def test_check_covariance_refuses(cov, msg):
    with pytest.raises(InputError, match=msg):
        blue.check_covariance(np.array(cov), ["a", "b"])


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1.0, 1e150, 1e300])
def test_check_covariance_is_judged_on_correlations(scale):
    cov = scale * np.array([[1.0, 0.3], [0.3 + 1e-15, 2.0]])
    out = blue.check_covariance(cov)
    np.testing.assert_array_equal(out, 0.5 * cov + 0.5 * cov.T)
    blue.check_covariance(np.diag([1e6, 1e-7]) * scale)   # very different errors, uncorrelated
