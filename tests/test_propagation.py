"""Tests of helpers.propagation (linear error propagation against Monte Carlo) and its figures."""

import itertools
import math
import time

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from helpers import SEED
from helpers import propagation as P
from helpers.propagation.tools import psd_factor
from helpers.figures import propagation as F
from helpers.validation import InputError

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

N = 10**6
SD_DIFF = math.sqrt(0.2**2 + 0.1**2 - 2 * (-0.8) * 0.2 * 0.1)  # sigma of a1 - a2 = 0.28636


def random_cov(rng, n, rank=None):
    """A random covariance (full rank unless ``rank`` is given) with errors of very different size."""
    k = n if rank is None else rank
    A = rng.normal(size=(n, k)) * rng.uniform(0.1, 3.0, size=(n, 1))
    return A @ A.T


# ------------------------------------------------------------------ shared samples
@pytest.fixture(scope="module")
def table():
    return P.mc_vs_linear_table((-3.0, -1.0, 0.0, 1.0, 3.0), N, SEED)


@pytest.fixture(scope="module")
def bs():
    return P.b_samples(N, SEED)


# ------------------------------------------------------------------ propagate
def test_linear_maps_random():
    """f(x) = A x + c: the exact answer is A C A^T, numerically (jacobi) and with J = A."""
    rng = np.random.default_rng(SEED)
    for _ in range(30):
        n, m = int(rng.integers(1, 7)), int(rng.integers(1, 6))
        A, c = rng.normal(size=(m, n)), rng.normal(size=m)
        x, C = rng.normal(size=n) * 5, random_cov(rng, n)
        y, cy = P.propagate(lambda v: A @ v + c, x, C)
        np.testing.assert_allclose(y, A @ x + c, rtol=1e-13)
        np.testing.assert_allclose(cy, A @ C @ A.T, rtol=1e-8, atol=1e-10 * np.abs(A @ C @ A.T).max())
        assert cy.shape == (m, m) and isinstance(y, np.ndarray)
        _, cy_exact = P.propagate(lambda v: A @ v + c, x, C, jacobian=A)
        np.testing.assert_allclose(cy_exact, A @ C @ A.T, rtol=1e-12, atol=1e-14)


def _g(v):
    return np.array([v[0] * v[1], np.sin(v[0]) + v[2] ** 2, np.exp(v[1]) / v[2]])


def _g_jac(v):
    x0, x1, x2 = v
    e = np.exp(x1)
    return np.array([[x1, x0, 0.0], [np.cos(x0), 0.0, 2 * x2], [0.0, e / x2, -e / x2**2]])


def test_nonlinear_against_hand_derived_jacobian():
    rng = np.random.default_rng(SEED + 1)
    for _ in range(20):
        x = rng.uniform(0.5, 2.0, 3) * rng.choice([-1, 1], 3)
        C = random_cov(rng, 3) * 0.01
        J = _g_jac(x)
        y, cy = P.propagate(_g, x, C)
        np.testing.assert_allclose(y, _g(x), rtol=1e-14)
        np.testing.assert_allclose(cy, J @ C @ J.T, rtol=1e-7, atol=1e-12)
        _, cy_a = P.propagate(_g, x, C, jacobian=_g_jac)
        np.testing.assert_allclose(cy_a, J @ C @ J.T, rtol=1e-13, atol=1e-16)


def test_scalar_conventions():
    y, var = P.propagate(lambda v: v**2, 3.0, 0.04)            # scalar -> scalar
    assert isinstance(y, float) and isinstance(var, float)
    assert (y, var) == pytest.approx((9.0, 36 * 0.04), rel=1e-9)
    y, var = P.propagate(lambda v: v**2, 3.0, [[0.04]])        # 1x1 matrix accepted
    assert var == pytest.approx(1.44, rel=1e-9)
    y, var = P.propagate(lambda v: v[0] * v[1], [2.0, 3.0], [[0.01, 0.002], [0.002, 0.04]])
    assert isinstance(var, float)
    assert var == pytest.approx(9 * 0.01 + 4 * 0.04 + 2 * 6 * 0.002, rel=1e-9)
    y, cy = P.propagate(lambda v: np.array([v, 2 * v]), 1.5, 0.25)  # scalar -> vector
    assert y.shape == (2,) and cy.shape == (2, 2)
    np.testing.assert_allclose(cy, 0.25 * np.array([[1, 2], [2, 4]]), rtol=1e-9)
    # the scalar function is called with a float, the vector one with an array
    seen = []
    P.propagate(lambda v: seen.append(type(v)) or v, 1.0, 1.0, jacobian=1.0)
    P.propagate(lambda v: seen.append(type(v)) or v[0], [1.0], 1.0, jacobian=[1.0])
    assert seen == [float, np.ndarray]


def test_singular_covariance_is_legal():
    """|rho| = 1 (a line in the a-plane): sigma_y vanishes where y is constant along it."""
    C = P.cov_a(-1.0)
    assert np.linalg.matrix_rank(C) == 1
    for x in (-2.0, 0.5, 2.0, 3.0):
        y, var = P.propagate(lambda a: P.y_a(x, a), P.A_NOMINAL, C)
        assert np.sqrt(max(var, 0)) == pytest.approx(0.1 * abs(x) * abs(2 - x), abs=1e-9)
    assert P.propagate(lambda a: P.y_a(2.0, a), P.A_NOMINAL, C)[1] == pytest.approx(0.0, abs=1e-14)
    _, var0 = P.propagate(lambda a: a[0], [1.0, 2.0], np.zeros((2, 2)))
    assert var0 == 0.0


# ------------------------------------------------------------------ the closed form
def test_sigma_y_closed_form_numbers():
    assert P.sigma_y_formula(-1.0) == pytest.approx(0.2 * math.sqrt(2.05), rel=1e-12)
    assert P.sigma_y_formula(-1.0) == pytest.approx(0.286, abs=5e-4)
    assert P.sigma_y_formula(1.0) == pytest.approx(0.2 * math.sqrt(0.45), rel=1e-12)
    assert P.sigma_y_formula(1.0) == pytest.approx(0.134, abs=5e-4)
    assert P.sigma_y_formula(0.0) == 0.0
    xs = np.linspace(-5, 5, 401)
    np.testing.assert_allclose(P.sigma_y_formula(xs), 0.2 * np.abs(xs) * np.sqrt(1 - 0.8 * xs + 0.25 * xs**2),
                               rtol=1e-12)
    np.testing.assert_allclose(P.sigma_y_formula(xs, rho=0.0), 0.2 * np.abs(xs) * np.sqrt(1 + 0.25 * xs**2),
                               rtol=1e-12)
    assert P.sigma_y_formula(1.0, rho=0.0) == pytest.approx(0.2 * math.sqrt(1.25))
    # jacobi on the whole curve at once gives the same numbers
    np.testing.assert_allclose(P.sigma_y_a(xs), P.sigma_y_formula(xs), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(P.sigma_y_a(xs, rho=0.0), P.sigma_y_formula(xs, rho=0.0), rtol=1e-8, atol=1e-12)
    assert isinstance(P.sigma_y_a(1.0), float)
    # the band is narrower with rho = -0.8 for x > 0 and wider for x < 0
    assert np.all(P.sigma_y_formula(xs[xs > 0]) < P.sigma_y_formula(xs[xs > 0], rho=0.0))
    assert np.all(P.sigma_y_formula(xs[xs < 0]) > P.sigma_y_formula(xs[xs < 0], rho=0.0))


def test_y0_is_exactly_one_with_zero_error():
    y, var = P.propagate(lambda a: P.y_a(0.0, a), P.A_NOMINAL, P.cov_a())
    assert y == 1.0 and var == 0.0
    s = P.monte_carlo(lambda a: P.y_a(0.0, a), P.A_NOMINAL, P.cov_a(), 1000)
    assert np.all(s == 1.0)


# ------------------------------------------------------------------ reparametrisation
def test_a_b_maps():
    rng = np.random.default_rng(SEED + 2)
    a = np.vstack([rng.uniform(1.5, 2.5, 50), rng.uniform(0.5, 1.2, 50)])
    np.testing.assert_allclose(P.b_to_a(P.a_to_b(a)), a, rtol=1e-12)
    xs = np.linspace(-4, 4, 17)[:, None]
    np.testing.assert_allclose(P.y_b(xs, P.a_to_b(a)), P.y_a(xs, a), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(P.a_to_b(P.A_NOMINAL), [2 / 3, 2.0])


def test_cov_b():
    b, cb = P.b_linear()
    M = np.array([[-2 / 9, -2 / 9], [-2.0, 2.0]])
    np.testing.assert_allclose(P.jacobian_a_to_b(), M, rtol=1e-14)
    np.testing.assert_allclose(cb, M @ P.cov_a() @ M.T, rtol=1e-13)
    np.testing.assert_allclose(cb, [[4 / 81 * 0.018, 4 / 9 * 0.03], [4 / 9 * 0.03, 4 * 0.082]], rtol=1e-12)
    _, cb_num = P.propagate(P.a_to_b, P.A_NOMINAL, P.cov_a())
    np.testing.assert_allclose(cb_num, cb, rtol=1e-8)
    assert cb[1, 1] == pytest.approx(0.328)
    assert cb[0, 1] / np.sqrt(cb[0, 0] * cb[1, 1]) == pytest.approx(0.7809, abs=1e-4)


@pytest.mark.parametrize("rho", [-1.0, -0.8, 0.0, 0.5, 0.99])
def test_sigma_y_invariant_under_reparametrisation(rho):
    """Propagating Cov(b) through y_b gives sigma_y of the a parametrisation at every x."""
    xs = np.linspace(-6, 6, 241)
    b, cb = P.b_linear(rho)
    # (atol: sigma is the square root of a variance; rounding of 1e-17 in it shows as 3e-9)
    np.testing.assert_allclose(P.sigma_y_b(xs, cov_b=cb, b=b), P.sigma_y_formula(xs, rho),
                               rtol=1e-7, atol=1e-8)
    # and exactly with analytic Jacobians (chain rule: J_b M = J_a)
    for x in xs[::20]:
        jb = np.array([-x * (1 + x) / b[0] ** 2, -x * (1 - x) / b[1] ** 2])
        np.testing.assert_allclose(jb @ P.jacobian_a_to_b(), [x, x**2], atol=1e-12)
        _, var = P.propagate(lambda bb: P.y_b(x, bb), b, cb, jacobian=jb)
        assert math.sqrt(max(var, 0)) == pytest.approx(P.sigma_y_formula(x, rho), rel=1e-9, abs=1e-12)


# ------------------------------------------------------------------ Monte Carlo vs linear
def test_mc_vs_linear_table(table):
    assert list(table.index) == [-3.0, -1.0, 0.0, 1.0, 3.0]
    np.testing.assert_allclose(table["y"], [4.0, 0.0, 1.0, 4.0, 16.0])
    np.testing.assert_allclose(table["sigma_linear"], P.sigma_y_formula(table.index.to_numpy()))
    # y is linear in a: MC agrees with linear propagation within its own error everywhere
    assert np.all(np.abs(table["pull_mean"]) < 4)
    assert np.all(np.abs(table["pull_std"]) < 4)
    h = (table["mc_halfwidth68"] - table["sigma_linear"]) / table["mc_halfwidth68_error"].where(lambda e: e > 0, 1)
    assert np.all(np.abs(h) < 4)
    nz = table.drop(index=0.0)
    np.testing.assert_allclose(nz["mc_std"], nz["sigma_linear"], rtol=0.005)
    np.testing.assert_allclose(nz["mc_mean_error"], nz["sigma_linear"] / np.sqrt(N), rtol=0.005)
    np.testing.assert_allclose(nz["mc_std_error"], nz["sigma_linear"] / np.sqrt(2 * N), rtol=0.02)
    row0 = table.loc[0.0]
    assert row0["mc_mean"] == 1.0 and row0["mc_std"] == 0.0 and row0["mc_std_error"] == 0.0


def test_monte_carlo_timing_and_shapes():
    C = P.cov_a()
    t = time.perf_counter()
    y = P.monte_carlo(lambda a: P.y_a(1.0, a), P.A_NOMINAL, C, N, SEED)
    b = P.monte_carlo(P.a_to_b, P.A_NOMINAL, C, N, SEED)
    dt = time.perf_counter() - t
    assert dt < 1.0, f"two Monte Carlos of 1e6 samples took {dt:.2f} s"
    assert y.shape == (N,) and b.shape == (2, N)
    np.testing.assert_allclose(b, P.b_samples(N, SEED))
    const = P.monte_carlo(lambda a: 0 * a[0] + 5.0, P.A_NOMINAL, C, 10)
    assert const.shape == (10,) and np.all(const == 5.0)
    s = P.monte_carlo(lambda v: v**2, 3.0, 0.01, 1000)  # scalar input
    assert s.shape == (1000,) and s.mean() == pytest.approx(9.01, abs=0.05)


def test_sample_gaussian_random_covariances():
    rng = np.random.default_rng(SEED + 3)
    n_s = 200_000
    for n in (1, 2, 4, 6):
        mu, C = rng.normal(size=n), random_cov(rng, n)
        s = P.sample_gaussian(mu, C, n_s, SEED + n)
        assert s.shape == (n, n_s)
        sig = np.sqrt(np.diag(C))
        assert np.all(np.abs(s.mean(axis=1) - mu) < 4.5 * sig / np.sqrt(n_s))
        # each covariance element within 5 of its MC errors: var(x_i x_j) = C_ii C_jj + C_ij^2
        err = np.sqrt((np.outer(sig**2, sig**2) + C**2) / n_s)
        assert np.all(np.abs(np.cov(s) - C) < 5 * err)
    assert P.sample_gaussian(2.0, 0.25, 10).shape == (10,)


def test_sample_gaussian_singular():
    s = P.sample_gaussian(P.A_NOMINAL, P.cov_a(-1.0), 10_000)
    # fully anti-correlated: (a2 - 1)/0.1 = -(a1 - 2)/0.2 for every sample
    np.testing.assert_allclose((s[1] - 1.0) / 0.1, -(s[0] - 2.0) / 0.2, atol=1e-12)
    rng = np.random.default_rng(SEED + 4)
    C = random_cov(rng, 4, rank=2)
    L = psd_factor(C)
    np.testing.assert_allclose(L @ L.T, C, atol=1e-10 * np.abs(C).max())
    s = P.sample_gaussian(np.zeros(4), C, 100_000)
    np.testing.assert_allclose(np.cov(s), C, atol=0.03 * np.abs(C).max())
    assert np.all(P.sample_gaussian([1.0, 2.0], np.zeros((2, 2)), 5) == [[1.0], [2.0]])


def test_correlated_pair_is_the_cholesky_construction():
    for rho in (-0.8, 0.0, 0.3, 1.0, -1.0):
        pair = P.correlated_pair(rho, 200_000, SEED)
        assert pair.shape == (2, 200_000)
        if abs(rho) < 1:
            r = np.corrcoef(pair)[0, 1]
            assert r == pytest.approx(rho, abs=4 * (1 - rho**2) / np.sqrt(200_000) + 1e-12)
        else:
            np.testing.assert_allclose(pair[1], rho * pair[0], atol=1e-15)
        np.testing.assert_allclose(pair.std(axis=1), 1.0, atol=0.01)
        mu, sig = np.array(P.A_NOMINAL), np.array(P.A_ERRORS)
        np.testing.assert_allclose(mu[:, None] + sig[:, None] * pair,
                                   P.sample_gaussian(mu, P.cov_a(rho), 200_000, SEED), rtol=1e-13)


def test_b1_nearly_linear_b2_not(bs, table):
    b0, cb = P.b_linear()
    s1, s2 = P.summarize(bs[0]), P.summarize(bs[1])
    # b1: the MC agrees with linear propagation to < 1 %
    assert s1.std == pytest.approx(np.sqrt(cb[0, 0]), rel=0.01)
    assert s1.halfwidth68 == pytest.approx(np.sqrt(cb[0, 0]), rel=0.01)
    assert s1.median == pytest.approx(b0[0], abs=3 * s1.median_error)
    # b2: median and quantiles are stable, but the std is no estimate of anything
    assert s2.median == pytest.approx(2.0, abs=4 * s2.median_error)
    assert s2.std > 20 * np.sqrt(cb[1, 1])
    assert s2.halfwidth68 > np.sqrt(cb[1, 1]) + 20 * s2.halfwidth68_error   # ~0.62 vs 0.573
    assert s2.hi68 - 2.0 > 2.0 - s2.lo68 + 0.1                               # skewed
    # the median of 2/(a1 - a2) is exactly 2/median(a1 - a2) = 2 (monotonic map on a1 > a2)
    tbl = P.b_mc_table(N, SEED)
    assert tbl.loc["b2", "median"] == s2.median and tbl.loc["b1", "sigma_linear"] == np.sqrt(cb[0, 0])


def test_b2_running_variance_never_settles(bs):
    r1 = P.running_moments(bs[0], points=60)
    r2 = P.running_moments(bs[1], points=60)
    q2 = P.running_quantiles(bs[1], points=30)
    late1 = r1.loc[r1.index >= 10**5, "variance"]
    late2 = r2.loc[r2.index >= 10**5, "variance"]
    assert late1.max() / late1.min() < 1.02           # b1: settled
    assert late2.max() / late2.min() > 2.0            # b2: still jumping by factors
    assert late2.min() > 10 * P.b_linear()[1][1, 1]
    late_q = q2.loc[q2.index >= 10**5]
    assert np.all(late_q.max() - late_q.min() < 0.01)  # quantiles settled
    np.testing.assert_allclose(late_q.iloc[-1], [1.554, 2.0, 2.80], atol=0.01)


def test_running_moments_match_direct():
    x = np.random.default_rng(SEED).standard_cauchy(500) + 1e6  # offset: no cancellation allowed
    r = P.running_moments(x, points=None)
    assert list(r.index) == list(range(1, 501))
    assert np.isnan(r.loc[1, "variance"])
    for k in (2, 17, 250, 500):
        assert r.loc[k, "mean"] == pytest.approx(x[:k].mean(), rel=1e-13)
        assert r.loc[k, "variance"] == pytest.approx(np.var(x[:k], ddof=1), rel=1e-7)
        assert r.loc[k, "mean_error"] == pytest.approx(np.std(x[:k], ddof=1) / np.sqrt(k), rel=1e-7)
    q = P.running_quantiles(x, probs=(0.1, 0.5), points=20)
    for k in q.index:
        np.testing.assert_allclose(q.loc[k], np.quantile(x[:k], [0.1, 0.5]))
    assert q.index[-1] == 500 and q.index[0] == 1


def test_b2_cut(bs):
    c = P.cut_statistics(bs[1], 0.0, 5.0)
    # exact: the cut keeps a1 - a2 > 0.4, with a1 - a2 ~ N(1, 0.2864)
    exact = stats.norm.cdf(-0.6 / SD_DIFF)
    assert exact == pytest.approx(0.0181, abs=1e-4)
    assert c.fraction_removed == pytest.approx(exact, abs=4 * c.fraction_removed_error)
    assert c.fraction_below == pytest.approx(stats.norm.cdf(-1 / SD_DIFF), abs=1e-4)
    assert c.n_kept == round(N * (1 - c.fraction_removed))
    # the kept variance is the variance of a truncated distribution: compute it exactly
    pdf = stats.norm(1.0, SD_DIFF).pdf
    m1 = integrate.quad(lambda d: 2 / d * pdf(d), 0.4, np.inf)[0] / (1 - exact)
    m2 = integrate.quad(lambda d: 4 / d**2 * pdf(d), 0.4, np.inf)[0] / (1 - exact)
    assert c.variance_kept == pytest.approx(m2 - m1**2, abs=4 * c.variance_kept_error)
    assert c.variance_kept > 1.3 * P.b_linear()[1][1, 1]                 # 0.446 vs 0.328
    assert c.variance_all > 100 * c.variance_kept
    scan = P.b2_cut_scan((3.0, 5.0, 10.0, 100.0), size=N, seed=SEED)
    assert scan.loc[5.0, "variance_kept"] == c.variance_kept
    assert np.all(np.diff(scan["variance_kept"]) > 0)                      # follows the cut
    assert np.all(np.diff(scan["fraction_removed"]) < 0)
    assert scan.loc[100.0, "variance_kept"] > 3 * scan.loc[5.0, "variance_kept"]


def test_cut_statistics_simple():
    c = P.cut_statistics(np.arange(10.0), 1.5, 7.0)
    assert (c.n, c.n_kept) == (10, 5)
    assert c.fraction_removed == pytest.approx(0.5) and c.fraction_below == 0.2 and c.fraction_above == 0.3
    assert c.mean_kept == 4.0 and c.variance_kept == pytest.approx(2.5)


# ------------------------------------------------------------------ z = ln y
def test_sigma_z_against_propagation():
    for x in (-3.0, -2.0, -0.5, 0.5, 1.0, 3.0):
        z, var = P.propagate(lambda a: np.log(P.y_a(x, a)), P.A_NOMINAL, P.cov_a())
        assert z == pytest.approx(np.log((1 + x) ** 2))
        assert np.sqrt(var) == pytest.approx(P.sigma_z(x), rel=1e-7)
        assert P.sigma_z(x) == pytest.approx(P.sigma_y_formula(x) / (1 + x) ** 2, rel=1e-12)
    assert P.sigma_z(-1.0) == np.inf
    with pytest.raises(InputError, match="NaN or infinity at the nominal point"):
        P.propagate(lambda a: np.log(P.y_a(-1.0, a)), P.A_NOMINAL, P.cov_a())


def test_lny_where_linear_works_and_where_not():
    t = P.lny_table((-2.0, -1.0, 1.0, 3.0), size=N, seed=SEED)
    at = t.loc[-1.0]
    # x = -1: y is N(0, 0.286) -- half the samples have no logarithm
    assert at["y"] == 0.0 and at["sigma_y"] == pytest.approx(0.2 * math.sqrt(2.05))
    assert at["fraction_undefined_exact"] == 0.5
    assert at["fraction_undefined"] == pytest.approx(0.5, abs=4 * at["fraction_undefined_error"])
    assert at["z_linear"] == -np.inf and at["sigma_z_linear"] == np.inf and at["linear_coverage"] == 0.0
    assert np.isfinite([at["z_median"], at["z_lo68"], at["z_hi68"]]).all()
    # x = -2: y = 1 +- 0.76: 9 % undefined, z skewed; linear N(0, 0.76) is wrong
    m2 = t.loc[-2.0]
    assert m2["fraction_undefined"] == pytest.approx(stats.norm.cdf(-1 / P.sigma_y_formula(-2.0)),
                                                     abs=4 * m2["fraction_undefined_error"])
    assert m2["fraction_undefined"] > 0.09
    assert m2["z_hi68"] - m2["z_median"] < 0.7 * m2["sigma_z_linear"]
    # x = 1 and 3: sigma_z ~ 3 %, linear propagation is right
    for x in (1.0, 3.0):
        r = t.loc[x]
        assert r["fraction_undefined"] == 0.0
        assert r["z_std"] == pytest.approx(r["sigma_z_linear"], rel=0.01)
        assert r["linear_coverage"] == pytest.approx(stats.norm.cdf(1) - stats.norm.cdf(-1), abs=0.003)
        assert r["z_median"] == pytest.approx(r["z_linear"], abs=0.001)


# ------------------------------------------------------------------ summaries
def test_summarize_gaussian_widths():
    x = np.random.default_rng(SEED).normal(3.0, 2.0, N)
    s = P.summarize(x)
    assert s.n == N
    assert s.mean == pytest.approx(3.0, abs=4 * s.mean_error)
    assert s.median == pytest.approx(3.0, abs=4 * s.median_error)
    assert s.std == pytest.approx(2.0, abs=4 * s.std_error)
    assert s.halfwidth68 == pytest.approx(2.0, abs=4 * s.halfwidth68_error)
    assert s.halfwidth95 == pytest.approx(2.0 * stats.norm.ppf(0.975), abs=4 * s.halfwidth95_error)
    assert (s.lo68, s.hi68) == pytest.approx((1.0, 5.0), abs=0.01)
    assert s.mean_error == pytest.approx(2.0 / 1000, rel=1e-3)
    assert s.std_error == pytest.approx(2.0 / np.sqrt(2 * N), rel=0.01)
    # asymptotic errors: median sqrt(pi/2) sigma/sqrt(n); 68 % edge sqrt(p(1-p))/phi(1) sigma/sqrt(n)
    assert s.median_error == pytest.approx(np.sqrt(np.pi / 2) * 2e-3, rel=0.05)
    assert s.halfwidth68 / s.std == pytest.approx(1.0, abs=0.005)


def test_summary_errors_are_honest():
    """Scatter of each statistic over independent replicas equals its quoted MC error."""
    rng = np.random.default_rng(SEED + 5)
    reps = [P.summarize(rng.normal(0.0, 1.0, 4000)) for _ in range(300)]
    df = pd.DataFrame([r.as_dict() for r in reps])
    for stat in ("mean", "std", "median", "halfwidth68", "halfwidth95"):
        ratio = df[stat].std() / df[f"{stat}_error"].mean()
        assert 0.85 < ratio < 1.15, (stat, ratio)


def test_summary_table_and_heavy_tails():
    rng = np.random.default_rng(SEED)
    t = P.summary_table({"normal": rng.normal(size=10_000), "cauchy": rng.standard_cauchy(10_000)})
    assert list(t.index) == ["normal", "cauchy"] and "halfwidth68" in t.columns
    # Cauchy: half-width of the central 68.3 % is tan(pi (0.683 - 0.5)) = 1.84, std is meaningless
    assert t.loc["cauchy", "halfwidth68"] == pytest.approx(np.tan(np.pi * (P.P68[1] - 0.5)), rel=0.1)
    assert t.loc["cauchy", "std"] > 5 * t.loc["cauchy", "halfwidth68"]


# ------------------------------------------------------------------ the seed's mistakes
def test_seed_mistakes():
    t = P.seed_mistakes_table((-3.0, -1.0, 0.0, 1.0, 3.0))
    assert t.loc[1.0, "sigma_y"] == pytest.approx(0.2 * math.sqrt(0.45))
    assert t.loc[1.0, "sigma_y_root_04"] == pytest.approx(0.2 * math.sqrt(0.85))
    assert t.loc[-1.0, "sigma_y_root_04"] == pytest.approx(0.2 * math.sqrt(1.65))
    assert t.loc[3.0, "sigma_y_root_04"] > 1.5 * t.loc[3.0, "sigma_y"]
    assert np.isnan(t.loc[1.0, "sigma_y_final_minus"]) and np.isnan(t.loc[3.0, "sigma_y_final_minus"])
    assert t.loc[-1.0, "sigma_y_final_minus"] == pytest.approx(0.2 * math.sqrt(1.55))
    edge = (-0.8 + math.sqrt(0.64 + 1.0)) / 0.5  # 0.961: beyond it the wrong radicand is negative
    assert np.isfinite(P.sigma_y_seed_final(edge - 1e-9)) and np.isnan(P.sigma_y_seed_final(edge + 1e-6))
    # y with x(x - 1)/b2 is 1 + x + 2x^2, not (1 + x)^2: equal only at x = 0 and x = 1
    xs = np.linspace(-4, 4, 81)
    b0 = P.a_to_b(P.A_NOMINAL)
    np.testing.assert_allclose(P.y_b_seed(xs, b0), 1 + xs + 2 * xs**2, rtol=1e-12)
    np.testing.assert_allclose(P.y_b(xs, b0), (1 + xs) ** 2, rtol=1e-12, atol=1e-12)
    same = np.isclose(P.y_b_seed(xs, b0), P.y_b(xs, b0))
    assert set(xs[same]) == {0.0, 1.0}
    assert t.loc[-1.0, "y_b_sign_error"] == 2.0 and t.loc[-1.0, "y"] == 0.0


# ------------------------------------------------------------------ bad input
GOOD_C = P.cov_a()


def _y1(a):
    return P.y_a(1.0, a)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: P.propagate(_y1, P.A_NOMINAL, [[0.04, 0.0], [0.01, 0.01]]), "cov is not symmetric"),
    (lambda: P.propagate(_y1, P.A_NOMINAL, [[1.0, 2.0], [2.0, 1.0]]), "not positive semi-definite.*correlation of 2"),
    (lambda: P.propagate(lambda v: v[0], [0, 0, 0], np.full((3, 3), -0.6) + 1.6 * np.eye(3)),
     "not positive semi-definite.*negative variance"),
    (lambda: P.propagate(_y1, P.A_NOMINAL, [[-0.04, 0.0], [0.0, 0.01]]), "negative variance on the diagonal"),
    (lambda: P.propagate(_y1, P.A_NOMINAL, np.eye(3)), "must be 2x2 to match 2 input"),
    (lambda: P.propagate(_y1, P.A_NOMINAL, [0.04, 0.01]), "square matrix"),
    (lambda: P.propagate(_y1, [[2.0, 1.0]], GOOD_C), "x must be a number or a 1-d array"),
    (lambda: P.propagate(_y1, [2.0, np.nan], GOOD_C), "x contains NaN"),
    (lambda: P.propagate(_y1, P.A_NOMINAL, [[np.nan, 0], [0, 1]]), "cov contains NaN"),
    (lambda: P.propagate(lambda a: a[0] / a[1], [1.0, 0.0], GOOD_C), "NaN or infinity at the nominal point"),
    (lambda: P.propagate(lambda a: np.sqrt(a[0] - 3), P.A_NOMINAL, GOOD_C), "NaN or infinity at the nominal point"),
    (lambda: P.propagate(_y1, P.A_NOMINAL, GOOD_C, jacobian=[[1.0, 1.0, 1.0]]), "jacobian must have shape"),
    (lambda: P.propagate(_y1, P.A_NOMINAL, GOOD_C, jacobian=[np.nan, 1.0]), "jacobian contains NaN"),
    (lambda: P.propagate(lambda v: v, [1.0, 2.0], GOOD_C, jacobian=[1.0, 0.0, 0.0, 1.0]), "jacobian must have shape"),
    (lambda: P.propagate(lambda a: np.ones((2, 2)), P.A_NOMINAL, GOOD_C), "number or a 1-d array"),
    (lambda: P.propagate("y", P.A_NOMINAL, GOOD_C), "f must be a function"),
    (lambda: P.propagate(lambda a: np.sqrt(a[0]), [0.0, 1.0], GOOD_C), "derivative of f at .* reliably"),
    (lambda: P.monte_carlo(lambda a: math.log(a[0]), P.A_NOMINAL, GOOD_C, 10), "f failed on 10 samples"),
    (lambda: P.monte_carlo(lambda a: a[0].sum(), P.A_NOMINAL, GOOD_C, 10), "f returned shape \\(\\)"),
    (lambda: P.monte_carlo(lambda a: 5.0, P.A_NOMINAL, GOOD_C, 10), "f returned shape"),
    (lambda: P.monte_carlo(lambda a: np.log(a[0] - 2), P.A_NOMINAL, GOOD_C, 10), "nominal point"),
    (lambda: P.cov_a(rho=1.2), "rho must lie in \\[-1, 1\\]"),
    (lambda: P.cov_a(rho=-1.0001), "rho must lie in \\[-1, 1\\]"),
    (lambda: P.cov_a(sigma1=-0.2), "sigma1 must be >= 0"),
    (lambda: P.correlated_pair(1.01, 10), "rho must lie in \\[-1, 1\\]"),
    (lambda: P.correlated_pair(np.nan, 10), "rho is NaN"),
    (lambda: P.summarize([1.0, np.nan, 2.0]), "1 NaN or infinite values"),
    (lambda: P.summarize([1.0]), "at least 2"),
    (lambda: P.summarize(np.ones((3, 3))), "one-dimensional"),
    (lambda: P.cut_statistics(np.arange(10.0), 5.0, 5.0), "lo < hi"),
    (lambda: P.cut_statistics(np.arange(10.0), 100.0, 200.0), "keeps 0 sample"),
    (lambda: P.running_quantiles(np.arange(10.0), probs=(0.5, 1.5)), "probs must lie in"),
    (lambda: P.sigma_y_formula([0.0, np.nan]), "x contains NaN"),
    (lambda: P.jacobian_a_to_b([1.0, 1.0]), "b is undefined"),
])
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match):
        call()


@pytest.mark.parametrize("size", [1.5, True, False, 0, -5, "10", np.nan, None, 10**9, [10]])
def test_bad_size(size):
    with pytest.raises(InputError, match="size"):
        P.monte_carlo(_y1, P.A_NOMINAL, GOOD_C, size)
    with pytest.raises(InputError, match="size"):
        P.correlated_pair(0.5, size)


@pytest.mark.parametrize("seed", [-1, 1.5, "abc", True, None, [1, 2]])
def test_bad_seed(seed):
    with pytest.raises(InputError, match="seed must be a non-negative integer"):
        P.monte_carlo(_y1, P.A_NOMINAL, GOOD_C, 10, seed)
    with pytest.raises(InputError, match="seed must be"):
        P.sample_gaussian(P.A_NOMINAL, GOOD_C, 10, seed)


def test_good_size_and_seed_forms():
    a = P.monte_carlo(_y1, P.A_NOMINAL, GOOD_C, 1e3, np.int64(7))   # integral float, numpy int
    b = P.monte_carlo(_y1, P.A_NOMINAL, GOOD_C, np.int32(1000), 7)
    np.testing.assert_array_equal(a, b)
    g = np.random.default_rng(7)
    np.testing.assert_array_equal(P.monte_carlo(_y1, P.A_NOMINAL, GOOD_C, 1000, g), a)
    assert not np.array_equal(P.monte_carlo(_y1, P.A_NOMINAL, GOOD_C, 1000, 8), a)


# ------------------------------------------------------------------ figures
@pytest.fixture
def fig():
    f = plt.figure()
    yield f
    plt.close(f)


@pytest.mark.parametrize("draw, kw, naxes", [
    (F.draw_band, {}, 2),
    (F.draw_band, {"rho": -1.0, "sigma1": 0.0}, 2),
    (F.draw_mc_vs_linear, {"size": 10**5}, 3),
    (F.draw_mc_vs_linear, {"x": 0.0, "size": 1000}, 1),
    (F.draw_b2_running, {"size": 10**5}, 2),
    (F.draw_lny, {"size": 10**5}, 2),
    (F.draw_lny, {"x": -1.0, "size": 10**5}, 2),
])
def test_static_figures_draw(fig, draw, kw, naxes):
    assert draw(fig, **kw) is None
    assert len(fig.axes) == naxes
    assert all(ax.has_data() for ax in fig.axes)


PANEL = F.PANELS["propagation"]


@pytest.fixture(scope="module")
def panel():
    """One slider panel, driven as a student drags the sliders (its creation draws the start values)."""
    p = PANEL.widget()
    start = p.message.value
    yield p, start
    plt.close("all")


def test_panel_start_values(panel):
    p, start = panel
    assert "x = 1.00: y = 4.000 ± 0.134 (linear, rho = -0.80)" in start
    assert f"Monte Carlo ({F.PANEL_SIZE} samples)" in start


@pytest.mark.parametrize("corner", [(-1.0, 0.5, 0.5, -3.0), (1.0, 0.5, 0.0, 3.0), (1.0, 0.0, 0.0, -3.0),
                                    (-1.0, 0.2, 0.1, 2.0), (0.0, 0.5, 0.5, 0.0), (1.0, 0.5, 0.5, 3.0),
                                    (-1.0, 0.0, 0.5, 3.0)])
def test_panel_corners(fig, corner):
    kw = dict(zip(PANEL.start, corner))
    text = F.draw_panel(fig, **kw)
    assert len(fig.axes) == 2 and all(ax.has_data() for ax in fig.axes)
    sig = P.sigma_y_formula(kw["x"], kw["rho"], kw["sigma1"], kw["sigma2"])
    assert f"± {sig:.3f} (linear" in text


def test_panel_rho_minus_one_has_zero_width_at_x2(panel):
    p, _ = panel
    text = p.update(rho=-1.0, sigma1=0.2, sigma2=0.1, x=2.0)
    assert len(p.output.outputs) == 1
    assert "y = 9.000 ± 0.000" in text and "std 0.000 ± 0.000" in text


@pytest.mark.parametrize("kw, match", [({"rho": 1.01}, "rho must lie"), ({"sigma1": -0.1}, "sigma1"),
                                       ({"x": float("nan")}, "x is NaN")])
def test_panel_impossible_settings(fig, panel, kw, match):
    with pytest.raises(InputError, match=match):
        F.draw_panel(fig, **kw)
    p, _ = panel
    text = p.update(**kw)
    assert text.startswith("Impossible setting") and p.output.outputs == ()


def test_panel_computation_is_fast():
    t = time.perf_counter()
    for rho, x in itertools.product((-1.0, -0.8, 0.5), (-3.0, 1.0)):
        a = P.sample_gaussian(P.A_NOMINAL, P.cov_a(rho), F.PANEL_SIZE, SEED)
        P.summarize(P.y_a(x, a))
        P.sigma_y_formula(np.linspace(-3, 3, 301), rho)
    assert (time.perf_counter() - t) / 6 < 0.1


# ---------------------------------------------------------------- the slider panel's numbers
@pytest.mark.parametrize("rho, s1, s2", [(-0.8, 0.2, 0.1), (1.0, 0.5, 0.0), (-1.0, 0.2, 0.1),
                                         (0.0, 0.0, 0.0), (0.35, 0.01, 0.5)])
def test_panel_samples_are_sample_gaussian(rho, s1, s2):
    """The panel reuses one draw of standard normals with the closed-form 2x2 factor: the
    same inputs as sample_gaussian with the same seed, to rounding."""
    from helpers import SEED
    from helpers.figures.propagation import PANEL_SIZE, Panel
    a = Panel().samples(rho, s1, s2)
    b = P.sample_gaussian(P.A_NOMINAL, P.cov_a(rho, s1, s2), PANEL_SIZE, SEED)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


def test_mean_std_is_summarize():
    x = P.sample_gaussian([1.0, 2.0], [[1.0, 0.3], [0.3, 2.0]], 5000, 7)[1]
    s = P.summarize(x)
    assert P.mean_std(x) == (s.mean, s.mean_error, s.std, s.std_error)
    with pytest.raises(InputError):
        P.mean_std([1.0, np.nan])


def test_valid_covariance_with_variances_1e35_and_1e_158_is_accepted():
    """Found by the property tests: d_i d_j underflowed and the (2, 2) entry was called a
    correlation of inf; definiteness is now judged on the correlation matrix."""
    C = np.array([[8.41191679e34, -3.66826671e34, -2.81310347e-62],
                  [-3.66826671e34, 3.37579671e34, 1.01566508e-154],
                  [-2.81310347e-62, 1.01566508e-154, 1.78803361e-158]])
    out = P.propagate(lambda x: x, np.zeros(3), C, jacobian=np.eye(3))
    np.testing.assert_allclose(out[1], C, rtol=1e-12)
    bad = C.copy()
    bad[0, 1] = bad[1, 0] = -1.01 * np.sqrt(C[0, 0] * C[1, 1])
    with pytest.raises(InputError, match="outside"):
        P.propagate(lambda x: x, np.zeros(3), bad, jacobian=np.eye(3))


# ------------------------------------------------------------------ kinks and labels
@pytest.mark.parametrize("f, x, cov", [
    (np.abs, 0.0, 1.0),
    (lambda v: abs(v[0] - 1.0) + v[1], [1.0, 2.0], np.eye(2)),
    (lambda v: np.maximum(v, 0.0), 0.0, 1e-20),
    (lambda v: np.array([v[0], abs(v[1])]), [3.0, 0.0], np.eye(2)),
])
def test_propagate_refuses_a_kink(f, x, cov):
    """A symmetric difference at abs(x)'s kink gives slope 0 and variance 0: refused."""
    with pytest.raises(InputError, match="not differentiable"):
        P.propagate(f, x, cov)


@pytest.mark.parametrize("f, x, var", [
    (np.abs, 0.5, 1.0),                          # away from the kink: slope 1
    (lambda v: v**2, 0.0, 1.0),                  # smooth minimum: slope 0 is right
    (np.log, 1e-3, 1e-8),
])
def test_propagate_keeps_smooth_functions(f, x, var):
    y, v = P.propagate(f, x, var)
    h = 1e-6 * max(1.0, abs(x))
    slope = (f(x + h) - f(x - h)) / (2 * h)      # independent central difference
    assert v == pytest.approx(slope**2 * var, rel=1e-5, abs=1e-12 * var)


LABELLED_X = pd.Series([1.0, 2.0], index=["a", "b"])
LABELLED_COV = pd.DataFrame([[4.0, 0.5], [0.5, 1.0]], index=["b", "a"], columns=["b", "a"])


def test_labelled_covariance_is_matched_by_label():
    # var(a) = 1, var(b) = 4: 2a - b has variance 4 + 4 - 2 * 2 * 0.5 = 6
    y, v = P.propagate(lambda x: 2 * x[0] - x[1], LABELLED_X, LABELLED_COV)
    assert (y, v) == pytest.approx((0.0, 6.0))
    draws = P.sample_gaussian(LABELLED_X, LABELLED_COV, 200_000, seed=SEED)
    assert np.var(draws, axis=1, ddof=1) == pytest.approx([1.0, 4.0], rel=0.02)
    mc = P.monte_carlo(lambda x: 2 * x[0] - x[1], LABELLED_X, LABELLED_COV, 200_000, seed=SEED)
    assert np.var(mc, ddof=1) == pytest.approx(6.0, rel=0.02)
    # columns in another order than the rows are put in the rows' order
    y2, v2 = P.propagate(lambda x: 2 * x[0] - x[1], LABELLED_X, LABELLED_COV[["a", "b"]])
    assert v2 == pytest.approx(6.0)


@pytest.mark.parametrize("x, cov, match", [
    (pd.Series([1.0, 2.0], index=["a", "c"]), LABELLED_COV, "labels of x"),
    (LABELLED_X, LABELLED_COV.rename(columns={"a": "z"}), "rows and columns"),
])
def test_labels_that_do_not_match_are_refused(x, cov, match):
    for call in (lambda: P.propagate(lambda v: v[0], x, cov),
                 lambda: P.sample_gaussian(x, cov, 10),
                 lambda: P.monte_carlo(lambda v: v[0], x, cov, 10)):
        with pytest.raises(InputError, match=match):
            call()


@pytest.mark.parametrize("x", [-1.5, -2.0])
def test_lny_figure_panels_name_their_quantity_and_x(fig, x):
    """The ln y figure puts y(-1) (left) next to ln y at another x (right): each panel's title
    says which quantity at which x it shows."""
    F.draw_lny(fig, x=x, size=10**4)
    left, right = (ax.get_title() for ax in fig.axes)
    assert "$y$" in left and "$x = -1$" in left and "ln" not in left
    assert r"$\ln y$" in right and f"$x = {x:g}$" in right and "% of the samples" in right
