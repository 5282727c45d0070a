"""Tests of helpers.normalisation (Peelle's pertinent puzzle)."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq, minimize_scalar

from helpers import SEED
from helpers.data import normalisation_inputs
from helpers.normalisation import (
    COVARIANCE_MEASURED,
    COVARIANCE_RELATIVE,
    METHODS,
    N_ON_DATA,
    N_ON_PREDICTION,
    WEIGHTED_MEAN,
    Estimate,
    NormalisationProblem,
    scan_norm,
)
from helpers.validation import InputError


@pytest.fixture(scope="module")
def book():
    d = normalisation_inputs()
    return NormalisationProblem.from_relative(d["value"], d["stat_rel"], d["norm_rel"].iloc[0])


@pytest.fixture(scope="module")
def fits(book):
    return {
        "cov": book.covariance_fit(),
        "data": book.nuisance_fit("data"),
        "pred": book.nuisance_fit("prediction"),
        "rel": book.relative_covariance_fit(),
        "wm": book.weighted_mean(),
    }


def random_problem(rng, n):
    y = rng.uniform(1.0, 20.0, n)
    s = rng.uniform(0.01, 0.3, n) * y
    eps = rng.uniform(0.0, 0.4)
    return NormalisationProblem(y, s, eps)


def full_chi2_prediction(p, mu, N):
    """Fit-3 chi2 written out independently of the module."""
    return np.sum(((p.values - N * mu) / p.stat_errors) ** 2) + (N - 1.0) ** 2 / p.norm_error**2


# ------------------------------------------------------------------ the book's numbers
def test_inputs_and_covariance(book):
    np.testing.assert_allclose(book.values, [8.0, 8.5])
    np.testing.assert_allclose(book.stat_errors, [0.16, 0.17])
    assert book.norm_error == pytest.approx(0.1)
    expected = np.array([[0.16**2 + 0.64, 0.68], [0.68, 0.17**2 + 0.7225]])
    np.testing.assert_allclose(book.covariance_measured(), expected, rtol=1e-12)
    mu = 8.2
    expected_at = np.diag([0.16**2, 0.17**2]) + (0.1 * mu) ** 2
    np.testing.assert_allclose(book.covariance_at(mu), expected_at, rtol=1e-12)


def test_covariance_fit_book_numbers(fits):
    cov = fits["cov"]
    assert cov.value == pytest.approx(7.87, abs=0.01)
    assert cov.error == pytest.approx(0.81, abs=0.01)
    assert cov.value < 8.0  # below both measurements: the puzzle
    assert (cov.lower, cov.upper) == pytest.approx((cov.value - cov.error, cov.value + cov.error))
    assert cov.N is None


def test_n_on_data_equals_covariance_fit(fits):
    cov, data = fits["cov"], fits["data"]
    assert data.value == pytest.approx(cov.value, abs=1e-6)
    assert data.error == pytest.approx(cov.error, abs=1e-6)
    assert data.chi2_min == pytest.approx(cov.chi2_min, abs=1e-6)
    # the chi2 is quadratic in (mu, N): MINOS is symmetric and equals HESSE
    assert data.lower == pytest.approx(cov.lower, abs=1e-6)
    assert data.upper == pytest.approx(cov.upper, abs=1e-6)
    assert data.N == pytest.approx(0.956140, abs=1e-5)


def test_n_on_prediction_book_numbers(fits):
    pred = fits["pred"]
    assert pred.value == pytest.approx(8.23, abs=0.01)
    assert pred.error == pytest.approx(0.83, abs=0.01)
    minus, plus = pred.interval_errors
    assert minus == pytest.approx(-0.7568, abs=1e-3)
    assert plus == pytest.approx(0.9232, abs=1e-3)
    assert plus - abs(minus) > 0.1  # clearly asymmetric
    assert pred.lower < pred.value - 0.7 and pred.upper > pred.value + 0.9
    assert pred.N == pytest.approx(1.0, abs=1e-6)


def test_n_on_prediction_is_weighted_mean_with_quadrature_error(book, fits):
    """mu*N absorbs the data, N stays at 1: the value is the stat-only weighted mean and
    the exact HESSE error is sqrt(sigma_stat^2 + (eps*mu)^2)."""
    pred, wm = fits["pred"], fits["wm"]
    assert pred.value == pytest.approx(wm.value, abs=1e-7)
    assert pred.error == pytest.approx(np.hypot(wm.error, book.norm_error * wm.value), rel=1e-6)


def test_relative_covariance_fit_equals_n_on_prediction(fits):
    rel, pred = fits["rel"], fits["pred"]
    assert rel.value == pytest.approx(pred.value, abs=1e-5)
    assert rel.error == pytest.approx(pred.error, rel=1e-6)
    assert rel.lower == pytest.approx(pred.lower, abs=1e-5)
    assert rel.upper == pytest.approx(pred.upper, abs=1e-5)
    assert rel.chi2_min == pytest.approx(pred.chi2_min, abs=1e-8)
    assert rel.N is None


def test_relative_chi2_curve_is_profile_of_n_on_prediction(book):
    mu = np.linspace(-30.0, 50.0, 801)
    np.testing.assert_allclose(book.relative_covariance_chi2(mu),
                               book.profile_chi2_prediction(mu), rtol=1e-9)
    rng = np.random.default_rng(SEED)
    for n in range(2, 7):
        p = random_problem(rng, n)
        mu = rng.uniform(-2.0, 3.0, 50) * p.values.mean()
        np.testing.assert_allclose(p.relative_covariance_chi2(mu), p.profile_chi2_prediction(mu), rtol=1e-9)


def test_profile_is_minimum_over_n(book):
    for mu in (-3.0, 0.5, 7.0, 8.2, 12.0):
        chi2, N = book.profile_chi2_prediction(mu, return_N=True)
        assert full_chi2_prediction(book, mu, N) == pytest.approx(chi2, rel=1e-12)
        brute = minimize_scalar(lambda n: full_chi2_prediction(book, mu, n), bracket=(0.0, 2.0), tol=1e-12)
        assert chi2 == pytest.approx(brute.fun, rel=1e-9)
        assert N == pytest.approx(brute.x, abs=1e-5)


def test_chi2_functions_are_vectorised(book):
    mu = np.linspace(6.0, 10.0, 12).reshape(3, 4)
    for f in (book.relative_covariance_chi2, book.profile_chi2_prediction, book.measured_covariance_chi2):
        out = f(mu)
        assert out.shape == (3, 4)
        assert isinstance(f(7.0), float)
        np.testing.assert_allclose(out, [[f(m) for m in row] for row in mu], rtol=1e-13)
    r = book.values - 7.5
    assert book.measured_covariance_chi2(7.5) == pytest.approx(r @ np.linalg.solve(book.covariance_measured(), r))


def test_minos_against_profile_scan(book, fits):
    pred = fits["pred"]
    level = pred.chi2_min + 1.0

    def f(mu):
        return book.profile_chi2_prediction(mu) - level

    lo = brentq(f, pred.value - 5 * pred.error, pred.value)
    hi = brentq(f, pred.value, pred.value + 5 * pred.error)
    assert pred.lower == pytest.approx(lo, abs=1e-3)
    assert pred.upper == pytest.approx(hi, abs=1e-3)
    assert fits["rel"].lower == pytest.approx(lo, abs=1e-3)
    assert fits["rel"].upper == pytest.approx(hi, abs=1e-3)


# ------------------------------------------------------------------ random inputs
def test_dagostini_closed_form_random():
    rng = np.random.default_rng(SEED)
    for _ in range(200):
        p = random_problem(rng, 2)
        mean, err = p.dagostini_closed_form()
        cov = p.covariance_fit()
        assert mean == pytest.approx(cov.value, rel=1e-10)
        assert err == pytest.approx(cov.error, rel=1e-10)


def test_dagostini_closed_form_book(book, fits):
    mean, err = book.dagostini_closed_form()
    assert mean == pytest.approx(7.8737, abs=1e-4)
    assert err == pytest.approx(fits["cov"].error, rel=1e-12)


def test_n_on_data_reproduces_covariance_fit_random():
    """Profiling N gives exactly the chi2 of the covariance fit (Woodbury): same value and error."""
    rng = np.random.default_rng(SEED + 1)
    problems = [random_problem(rng, int(rng.integers(2, 7))) for _ in range(25)]
    problems += [NormalisationProblem([8.0, 8.5], [0.16, 0.17], e) for e in (0.1, 0.2, 0.3)]
    for p in problems:
        cov, data = p.covariance_fit(), p.nuisance_fit("data", minos=False)
        assert data.value == pytest.approx(cov.value, abs=1e-6 * max(1.0, cov.error))
        # exact Hessian: agreement far below 1e-6 (numerical second derivatives reach ~2e-5)
        assert data.error == pytest.approx(cov.error, rel=1e-9)
        assert data.chi2_min == pytest.approx(cov.chi2_min, abs=1e-6)


def test_relative_fit_matches_n_on_prediction_random():
    rng = np.random.default_rng(SEED + 2)
    for _ in range(15):
        p = random_problem(rng, int(rng.integers(2, 7)))
        pred, rel = p.nuisance_fit("prediction"), p.relative_covariance_fit()
        assert rel.value == pytest.approx(pred.value, abs=1e-5 * max(1.0, pred.error))
        assert rel.error == pytest.approx(pred.error, rel=1e-5)
        assert rel.lower == pytest.approx(pred.lower, abs=1e-4 * pred.error)
        assert rel.upper == pytest.approx(pred.upper, abs=1e-4 * pred.error)


# ------------------------------------------------------------------ geometry
@pytest.mark.parametrize("c", [1.0, 2.0])
def test_ellipse_points_on_contour(book, c):
    pts = book.ellipse(c=c, npoints=157)
    assert pts.shape == (157, 2)
    d = pts - book.values
    q = np.einsum("ij,jk,ik->i", d, np.linalg.inv(book.covariance_measured()), d)
    np.testing.assert_allclose(q, c**2, rtol=1e-9)
    np.testing.assert_allclose(pts[0], pts[-1], atol=1e-12)  # closed curve


def test_ellipse_with_other_cov_and_center(book):
    cov = np.array([[0.04, 0.01], [0.01, 0.09]])
    pts = book.ellipse(c=1.5, center=[1.0, 2.0], cov=cov, npoints=50)
    d = pts - np.array([1.0, 2.0])
    np.testing.assert_allclose(np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d), 2.25, rtol=1e-9)


def test_touching_point(book, fits):
    mu_hat, c_touch = book.touching_point()
    V = book.covariance_measured()
    Vinv = np.linalg.inv(V)
    grid = np.linspace(5.0, 11.0, 600_001)
    r = book.values[None, :] - grid[:, None]
    chi2_line = np.einsum("ij,jk,ik->i", r, Vinv, r)
    i = np.argmin(chi2_line)
    assert mu_hat == pytest.approx(grid[i], abs=2e-5)
    assert c_touch**2 == pytest.approx(chi2_line[i], rel=1e-8)
    assert mu_hat == pytest.approx(fits["cov"].value, abs=1e-12)
    # the c_touch ellipse touches the line y1' = y2' at (mu_hat, mu_hat) and does not cross it
    pts = book.ellipse(c=c_touch, npoints=200_001)
    gap = pts[:, 0] - pts[:, 1]  # y1 < y2, so the ellipse lies at gap <= 0
    assert gap.max() == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(pts[np.argmax(gap)], [mu_hat, mu_hat], atol=1e-3)
    inner = book.ellipse(c=0.99 * c_touch, npoints=20_001)
    outer = book.ellipse(c=1.01 * c_touch, npoints=20_001)
    assert (inner[:, 0] - inner[:, 1]).max() < 0 < (outer[:, 0] - outer[:, 1]).max()


def test_touching_point_with_other_cov(book):
    cov = np.array([[0.05, 0.02], [0.02, 0.08]])
    mu_hat, c_touch = book.touching_point(cov=cov)
    w = np.linalg.solve(cov, np.ones(2))
    assert mu_hat == pytest.approx(w @ book.values / w.sum(), rel=1e-12)
    assert c_touch == pytest.approx(0.5 / np.sqrt(0.05 + 0.08 - 2 * 0.02), rel=1e-12)


# ------------------------------------------------------------------ eps = 0 and large eps
def test_eps_zero_all_methods_are_weighted_mean():
    y, s = np.array([8.0, 8.5, 7.7]), np.array([0.16, 0.17, 0.3])
    p = NormalisationProblem(y, s, 0.0)
    w = s**-2
    mean, err = w @ y / w.sum(), 1 / np.sqrt(w.sum())
    table = p.compare()
    np.testing.assert_allclose(table["value"], mean, rtol=1e-9)
    np.testing.assert_allclose(table["error"], err, rtol=1e-7)
    np.testing.assert_allclose(table["lower"], mean - err, rtol=1e-7)
    np.testing.assert_allclose(table["upper"], mean + err, rtol=1e-7)
    assert table.loc[N_ON_DATA, "N"] == 1.0 and table.loc[N_ON_PREDICTION, "N"] == 1.0
    m = p.nuisance_minuit("prediction")
    assert m.fixed["N"]
    p2 = NormalisationProblem(y[:2], s[:2], 0.0)
    assert p2.dagostini_closed_form() == pytest.approx((w[:2] @ y[:2] / w[:2].sum(), 1 / np.sqrt(w[:2].sum())))


def test_large_eps_is_legal(book):
    p = NormalisationProblem(book.values, book.stat_errors, 3.0)
    table = p.compare()
    wm = p.weighted_mean()
    assert table.loc[N_ON_PREDICTION, "value"] == pytest.approx(wm.value, abs=1e-6)
    # chi2 -> chi2_min + 1/eps^2 < chi2_min + 1 for mu -> inf: no upper edge
    assert table.loc[N_ON_PREDICTION, "upper"] == np.inf
    assert table.loc[COVARIANCE_RELATIVE, "upper"] == np.inf
    level = table.loc[N_ON_PREDICTION, "chi2"] + 1.0
    lo = brentq(lambda x: p.profile_chi2_prediction(x) - level, 1e-6, wm.value)
    assert table.loc[N_ON_PREDICTION, "lower"] == pytest.approx(lo, abs=1e-6)
    assert table.loc[COVARIANCE_RELATIVE, "lower"] == pytest.approx(lo, abs=1e-6)
    assert np.isfinite(table.loc[COVARIANCE_MEASURED, ["lower", "upper"]].to_numpy(float)).all()


# ------------------------------------------------------------------ tables
def test_compare_table(book, fits):
    table = book.compare()
    assert list(table.index) == list(METHODS)
    assert {"value", "error", "lower", "upper", "chi2"} <= set(table.columns)
    assert table.loc[COVARIANCE_MEASURED, "value"] == pytest.approx(fits["cov"].value)
    assert table.loc[N_ON_PREDICTION, "upper"] == pytest.approx(fits["pred"].upper)
    assert table.loc[WEIGHTED_MEAN, "error"] == pytest.approx(1 / np.sqrt(0.16**-2 + 0.17**-2))
    assert fits["pred"].as_row()["chi2"] == fits["pred"].chi2_min
    assert set(fits["pred"].as_row()) == {"method", "value", "error", "lower", "upper", "chi2", "N"}
    assert isinstance(fits["pred"], Estimate)


def test_scan_norm(book):
    eps = [0.0, 0.1, 0.2, 0.3]
    df = scan_norm(book.values, 0.02, eps)
    assert list(df.index) == eps and df.index.name == "norm_rel"
    assert list(df["value"].columns) == list(METHODS)
    assert list(df["error"].columns) == list(METHODS)
    np.testing.assert_allclose(df.loc[0.0, "value"], book.weighted_mean().value, rtol=1e-9)
    p = NormalisationProblem.from_relative(book.values, 0.02, 0.2)
    assert df.loc[0.2, ("value", COVARIANCE_MEASURED)] == pytest.approx(p.covariance_fit().value)
    assert df.loc[0.2, ("error", N_ON_PREDICTION)] == pytest.approx(p.nuisance_fit("prediction").error)
    assert np.all(np.diff(df["value"][COVARIANCE_MEASURED]) < 0)  # the bias grows with eps
    with pytest.raises(InputError, match="norm_rels must be non-negative"):
        scan_norm(book.values, 0.02, [0.1, -0.1])


def test_from_relative():
    p = NormalisationProblem.from_relative([8.0, -8.5], [0.02, 0.04], 0.1)
    np.testing.assert_allclose(p.stat_errors, [0.16, 0.34])
    assert isinstance(pd.DataFrame([p.weighted_mean().as_row()]), pd.DataFrame)


def test_inputs_not_modified():
    y = np.array([8.0, 8.5])
    p = NormalisationProblem(y, np.array([0.16, 0.17]), 0.1)
    y[0] = 100.0  # the caller's array stays writable and the problem keeps its copy
    assert p.values[0] == 8.0


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("values", "stat", "eps", "match"),
    [
        ([8.0, 8.5], [0.16, 0.0], 0.1, "stat_errors must be positive"),
        ([8.0, 8.5], [0.16, -0.17], 0.1, "stat_errors must be positive"),
        ([8.0, 8.5], [0.16, 0.17], -0.1, "norm_error must be >= 0"),
        ([8.0, np.nan], [0.16, 0.17], 0.1, "values contains NaN"),
        ([8.0, 8.5], [0.16, np.nan], 0.1, "stat_errors contains NaN"),
        ([8.0, 8.5], [0.16, 0.17], np.nan, "norm_error is NaN"),
        ([8.0, 8.5], [0.16, 0.17], [0.1, 0.2], "norm_error must be a single number"),
        ([8.0, 8.5, 9.0], [0.16, 0.17], 0.1, "mismatched lengths"),
        ([], [], 0.1, "values is empty"),
        ([8.0], [0.16], 0.1, "at least 2"),
    ],
)
def test_bad_input(values, stat, eps, match):
    with pytest.raises(InputError, match=match):
        NormalisationProblem(values, stat, eps)


def test_bad_relative_input():
    with pytest.raises(InputError, match="stat_errors must be positive"):
        NormalisationProblem.from_relative([0.0, 8.5], 0.02, 0.1)
    with pytest.raises(InputError, match="mismatched lengths"):
        NormalisationProblem.from_relative([8.0, 8.5], [0.02, 0.02, 0.02], 0.1)
    with pytest.raises(InputError, match="stat_rel must be positive"):
        NormalisationProblem.from_relative([8.0, 8.5], -0.02, 0.1)


def test_two_measurement_only_methods():
    p = NormalisationProblem([8.0, 8.5, 8.2], [0.16, 0.17, 0.2], 0.1)
    with pytest.raises(InputError, match="exactly 2 measurements"):
        p.touching_point()
    with pytest.raises(InputError, match="exactly 2 measurements"):
        p.dagostini_closed_form()
    with pytest.raises(InputError, match="exactly 2 measurements"):
        p.ellipse()


def test_bad_method_arguments(book):
    with pytest.raises(InputError, match="on must be"):
        book.nuisance_fit(on="theory")
    with pytest.raises(InputError, match="c must be a positive number"):
        book.ellipse(c=0.0)
    with pytest.raises(InputError, match="npoints"):
        book.ellipse(npoints=2)
    with pytest.raises(InputError, match="not positive definite"):
        book.ellipse(cov=[[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(InputError, match="mu contains NaN"):
        book.relative_covariance_chi2([8.0, np.nan])
    with pytest.raises(InputError, match="single number"):
        book.covariance_at([8.0, 8.5])


# ------------------------------------------------------------------ closed forms, likelihood, toys
def test_likelihood_closed_form_matches_numerical_minimum():
    from helpers.normalisation import likelihood_values
    rng = np.random.default_rng(SEED)
    for n in range(2, 6):
        for _ in range(5):
            p = random_problem(rng, n)
            closed = likelihood_values(p.values, p.stat_errors, p.norm_error)
            wm = p.weighted_mean().value
            num = minimize_scalar(p.likelihood_nll, bounds=(1e-3 * wm, wm), method="bounded",
                                  options={"xatol": 1e-10})
            assert closed == pytest.approx(num.x, rel=1e-6)
            assert p.likelihood_nll(closed) <= p.likelihood_nll(closed * (1 + 1e-4))
            assert p.likelihood_nll(closed) <= p.likelihood_nll(closed * (1 - 1e-4))
            if p.norm_error > 0:
                assert closed < wm


def test_likelihood_fit_and_eps_zero(book):
    fit = book.likelihood_fit()
    assert fit.lower < fit.value < fit.upper and fit.N is None
    zero = NormalisationProblem(book.values, book.stat_errors, 0.0)
    assert zero.likelihood_fit(minos=False).value == pytest.approx(zero.weighted_mean().value, abs=1e-6)


def test_closed_forms_are_vectorised():
    from helpers.normalisation import covariance_fit_values, likelihood_values, weighted_mean_values
    rng = np.random.default_rng(SEED)
    y = rng.uniform(5, 10, (4, 3, 2))
    s = 0.02 * y
    mu, chi2 = covariance_fit_values(y, s, 0.1)
    assert mu.shape == chi2.shape == (4, 3) == weighted_mean_values(y, s).shape
    assert likelihood_values(y, s, 0.1).shape == (4, 3)
    one = NormalisationProblem(y[2, 1], s[2, 1], 0.1)
    assert mu[2, 1] == pytest.approx(one.covariance_fit().value, rel=1e-12)
    with pytest.raises(InputError, match="positive"):
        likelihood_values([-1.0, -2.0], [0.1, 0.1], 0.1)


def test_compare_with_likelihood_row(book):
    t = book.compare(minos=False, likelihood=True)
    assert list(t.index) == [*METHODS[:4], "Gaussian likelihood with ln det V", METHODS[4]]
    assert list(book.compare(minos=False).index) == list(METHODS)
    assert np.isnan(t.loc["Gaussian likelihood with ln det V", "chi2"])      # -2 ln L is no chi2
    assert t.drop(index="Gaussian likelihood with ln det V")["chi2"].notna().all()


def test_negative_weight_threshold(book):
    thr = book.negative_weight_threshold()
    y, s = book.values, book.stat_errors
    assert thr == pytest.approx(s[0] / np.sqrt(y[0] * (y[1] - y[0])), rel=1e-14)
    flipped = NormalisationProblem(y[::-1], s[::-1], book.norm_error)
    assert flipped.negative_weight_threshold() == pytest.approx(thr, rel=1e-14)
    for eps in (0.5 * thr, 0.999 * thr, 1.001 * thr, 2 * thr):
        q = NormalisationProblem(y, s, eps)
        assert (q.blue_weights().min() < 0) == (eps > thr)
    assert np.isinf(NormalisationProblem([8.0, 8.0], [0.1, 0.2], 0.1).negative_weight_threshold())
    with pytest.raises(InputError, match="2 measurements"):
        NormalisationProblem([8.0, 8.5, 9.0], [0.1, 0.1, 0.1], 0.1).negative_weight_threshold()


def test_values_tilt(book):
    assert NormalisationProblem([8.0, 8.0], [0.1, 0.1], 0.1).values_tilt() == pytest.approx(0.0, abs=1e-12)
    assert book.values_tilt() == pytest.approx(np.degrees(np.arctan2(8.5, 8.0)) - 45, rel=1e-12)
    with pytest.raises(InputError, match="2 measurements"):
        NormalisationProblem([8.0, 8.5, 9.0], [0.1, 0.1, 0.1], 0.1).values_tilt()


def test_scaled_data_fit(book):
    fit = book.scaled_data_fit()
    assert fit.value == pytest.approx(book.weighted_mean().value, abs=1e-6)
    with pytest.raises(InputError, match="no N"):
        NormalisationProblem(book.values, book.stat_errors, 0.0).scaled_data_minuit()


def test_ellipse_axes_and_mean_difference_of_a_diagonal_covariance(book):
    ax = book.ellipse_axes(np.diag([4.0, 1.0]))
    assert (ax["major"], ax["minor"]) == pytest.approx((2.0, 1.0))
    assert ax["angle"] in (0.0, pytest.approx(180.0)) and ax["tilt"] in (-45.0, pytest.approx(135.0))
    md = book.mean_difference(np.eye(2))
    assert md["cov_md"] == pytest.approx(0.0) and md["shift"] == pytest.approx(0.0)
    assert md["var_d"] == pytest.approx(2.0) and md["var_m"] == pytest.approx(0.5)


def test_below_both_thresholds_are_roots():
    from helpers.normalisation import below_both_thresholds, course_problem
    lo, hi = below_both_thresholds()
    assert lo < 8.0 < hi
    assert course_problem(y2=hi).covariance_fit().value == pytest.approx(8.0, abs=1e-9)
    assert course_problem(y2=lo).covariance_fit().value == pytest.approx(lo, abs=1e-9)
    lo30, hi30 = below_both_thresholds(norm_rel=0.3)
    assert lo < lo30 < 8.0 < hi30 < hi            # a larger normalisation error: sooner below


def test_minuit_settings_study_columns(book):
    from helpers.normalisation import minuit_settings_study
    st = minuit_settings_study(book, strategies=(1,), starts_mu=(8.0,), starts_N=(1.0,))
    assert len(st) == 1
    assert list(st.columns) == ["strategy", "start mu", "start N", "mu offset", "hesse rel diff",
                                "valid", "accurate"]


def test_toys_are_seeded_and_check_their_input():
    from helpers import normalisation_toys as toys
    a, b = toys.run(2000), toys.run(2000)
    assert a.toys.equals(b.toys)
    assert not toys.run(2000, seed=SEED + 1).toys.equals(a.toys)
    for kw, match in ((dict(n_toys=1), "n_toys"), (dict(n_toys=2.5), "n_toys"),
                      (dict(mu_true=-1.0), "mu_true"), (dict(stat_rel=0.0), "stat_rel"),
                      (dict(norm_rel=-0.1), "norm_rel")):
        with pytest.raises(InputError, match=match):
            toys.run(**{"n_toys": 100, **kw})
    with pytest.raises(InputError, match="shape"):
        toys.estimates(np.ones((3, 3)), 0.02, 0.1)
    with pytest.raises(InputError, match="positive"):
        toys.estimates(-np.ones((3, 2)), 0.02, 0.1)
    with pytest.raises(InputError, match="increasing"):
        a.bias_vs_tension([1.0, 0.5])
    table = a.bias_vs_tension()
    assert table["toys"].sum() == a.n_toys


# ---------------------------------------------------------------- no silent wrong number
from hypothesis import given, settings, strategies as st  # noqa: E402

from helpers.normalisation import NormalisationProblem as _P, course_problem  # noqa: E402


def _table(rows):
    return {e.method: e for e in rows}


def test_closed_forms_equal_minuit_fits_on_course_inputs():
    p = course_problem()
    fits = p.compare()
    for e in p.closed_forms():
        row = fits.loc[e.method]
        for col, got in (("value", e.value), ("error", e.error), ("lower", e.lower),
                         ("upper", e.upper), ("chi2", e.chi2_min)):
            assert got == pytest.approx(row[col], rel=2e-6, abs=1e-9), (e.method, col)
        if e.N is not None:
            assert e.N == pytest.approx(row["N"], rel=1e-6)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.floats(1.0, 20.0), min_size=2, max_size=4), st.floats(0.01, 0.2),
       st.floats(0.0, 0.5), st.integers(-140, 140))
def test_closed_forms_against_fits_and_at_any_scale(values, stat_rel, eps, exp):
    """Where Minuit's covariance is accurate its numbers equal the closed forms; where it
    is not, the fit refuses (InputError) instead of quoting a wrong error. The closed
    forms are scale-equivariant from 1e-140 to 1e140 (values and errors times 10^k)."""
    p = _P.from_relative(values, stat_rel, eps)
    exact = _table(p.closed_forms())
    try:
        fits = p.compare()
    except InputError as exc:
        assert "not reliable" in str(exc) or "converge" in str(exc)
    else:
        for method, row in fits.iterrows():
            e = exact[method]
            scale = e.error
            assert abs(row["value"] - e.value) <= 1e-4 * scale
            assert row["error"] == pytest.approx(e.error, rel=1e-3)
            for col, want in (("lower", e.lower), ("upper", e.upper)):
                if np.isfinite(want):
                    assert abs(row[col] - want) <= 1e-3 * scale
    k = 10.0 ** exp
    scaled = _table(_P(p.values * k, p.stat_errors * k, eps).closed_forms())
    for method, e in exact.items():
        f = scaled[method]
        for a, b in ((f.value, e.value), (f.error, e.error), (f.lower, e.lower), (f.upper, e.upper)):
            assert a == pytest.approx(b * k, rel=1e-12) or (np.isinf(a) and np.isinf(b))
        assert f.chi2_min == pytest.approx(e.chi2_min, rel=1e-12)


@pytest.mark.parametrize("args, method, want", [
    # found by fuzzing: Minuit forced the covariance positive definite and 0.112 was quoted
    (([100.0, 100.01], [0.01, 0.01], 0.2), "N on data", 19.80394),
    (([100.0, 100.01], [0.01, 0.01], 0.2), "N on prediction", 20.001),
    # values ~1e8: the fit's error was 1.414
    (([8e8, 8.5e8], [1.6e7, 1.7e7], 0.1), "covariance relative to fit", 8.316878e7),
    # 1e200 stat errors: the weighted mean was NaN +- inf
    (([8.0, 8.5], [1e200, 1e200], 0.1), "plain weighted mean (stat only)", 7.0710678e199),
])
def test_fuzz_cases_of_issue_12(args, method, want):
    p = _P(*args)
    assert _table(p.closed_forms())[method].error == pytest.approx(want, rel=1e-6)
    try:
        got = p.compare().loc[method, "error"]
    except InputError as exc:
        assert "not reliable" in str(exc)
    else:
        assert got == pytest.approx(want, rel=1e-4)


@pytest.mark.parametrize("eps", [1e-200, 1e-12])
def test_negligible_normalisation_is_the_weighted_mean(eps):
    p = _P([8.0, 8.5], [0.16, 0.17], eps)
    wm = p.weighted_mean()
    for method, row in p.compare().iterrows():
        assert row["value"] == pytest.approx(wm.value, rel=1e-9)
        assert row["error"] == pytest.approx(wm.error, rel=1e-6)


@pytest.mark.parametrize("eps", [1e100, 1e200, np.inf])
def test_absurd_normalisation_refused(eps):
    with pytest.raises(InputError):
        _P([8.0, 8.5], [0.16, 0.17], eps)


# ---------------------------------------------------------------- fits against exact curves
def _exact_rel_chi2(y, s, eps, mu):
    """(y - mu)^T V(mu)^-1 (y - mu) for two measurements in exact rational arithmetic
    (explicit 2x2 inverse), V(mu) = diag(s^2) + eps^2 mu^2 11^T."""
    from fractions import Fraction as F
    y1, y2, s1, s2, e, m = (F(float(x)) for x in (*y, *s, eps, mu))
    c = e * e * m * m
    a, b, d = s1 * s1 + c, c, s2 * s2 + c
    r1, r2 = y1 - m, y2 - m
    return float((d * r1 * r1 - 2 * b * r1 * r2 + a * r2 * r2) / (a * d - b * b))


def _exact_profile(y, s, eps, mu):
    """min over N of sum (y_i - N mu)^2/s_i^2 + (N - 1)^2/eps^2, exact (a quadratic in N)."""
    from fractions import Fraction as F
    ys, ws, m = [F(float(x)) for x in y], [1 / F(float(x)) ** 2 for x in s], F(float(mu))
    c = 1 / F(float(eps)) ** 2
    N = (sum(w * yi for w, yi in zip(ws, ys)) * m + c) / (sum(ws) * m * m + c)
    chi2 = sum(w * (yi - N * m) ** 2 for w, yi in zip(ws, ys)) + c * (N - 1) ** 2
    return float(chi2), float(N)


@pytest.mark.parametrize("mu", [8.2, -3.0, 1e10, 1e20, -1e20, 1e160, -1e300, 1e-300, 0.0])
def test_chi2_curves_exact_for_any_mu(book, mu):
    """The relative-covariance curve and the N-on-prediction profile equal exact rational
    arithmetic at any mu (a linear solve gave 100.0 at 1e20 instead of 104.587, a
    LinAlgError at 1e10 and NaN at 1e160)."""
    y, s, eps = book.values, book.stat_errors, book.norm_error
    want = _exact_rel_chi2(y, s, eps, mu)
    assert book.relative_covariance_chi2(mu) == pytest.approx(want, rel=1e-12)
    chi2, N = book.profile_chi2_prediction(mu, return_N=True)
    want_p, want_N = _exact_profile(y, s, eps, mu)
    assert chi2 == pytest.approx(want_p, rel=1e-12) and want == pytest.approx(want_p, rel=1e-12)
    assert N == pytest.approx(want_N, rel=1e-12, abs=1e-300)
    assert book.likelihood_nll(mu) - chi2 == pytest.approx(_exact_logdet(s, eps, mu), rel=1e-12, abs=1e-12)


def _exact_logdet(s, eps, mu):
    """ln det V(mu) of two measurements from the exact rational determinant."""
    import math
    from fractions import Fraction as F
    s1, s2, c = F(float(s[0])) ** 2, F(float(s[1])) ** 2, (F(float(eps)) * F(float(mu))) ** 2
    det = s1 * s2 + c * (s1 + s2)
    return math.log(det.numerator) - math.log(det.denominator)


def test_relative_chi2_at_1e20_and_beyond(book):
    assert book.relative_covariance_chi2(1e20) == pytest.approx(104.587155963, rel=1e-9)
    assert book.relative_covariance_chi2(1e20) == pytest.approx(book.stat_chi2() + 1 / book.norm_error**2)
    assert np.isfinite(book.profile_chi2_prediction(1e160))
    np.testing.assert_allclose(book.relative_covariance_chi2(np.array([1e10, 1e160])),
                               [_exact_rel_chi2(book.values, book.stat_errors, 0.1, m) for m in (1e10, 1e160)],
                               rtol=1e-12)


@pytest.mark.parametrize("eps", [0.1, 0.3, 1.0, 2.0])
def test_scaled_data_fit_error_is_the_exact_hessian(book, eps):
    """chi2 = sum (N y - mu)^2/(N s)^2 + (N - 1)^2/eps^2: at the minimum (mu/N = ybar, N = 1)
    its Hessian/2 is W [[1, -ybar], [-ybar, ybar^2]] + diag(0, 1/eps^2), whose inverse has
    (mu, mu) entry 1/W + eps^2 ybar^2. Checked against that formula and against a
    central-difference Hessian of the chi2 written out here (2.893 was quoted at eps = 0.3)."""
    p = NormalisationProblem(book.values, book.stat_errors, eps)
    fit = p.scaled_data_fit()
    w = p.stat_errors**-2.0
    W, ybar = w.sum(), w @ p.values / w.sum()
    assert fit.value == pytest.approx(ybar, rel=1e-9) and fit.N == pytest.approx(1.0, abs=1e-9)
    assert fit.error == pytest.approx(np.sqrt(1 / W + eps**2 * ybar**2), rel=1e-9)

    from fractions import Fraction as F
    ys, ss, c = [F(float(v)) for v in p.values], [F(float(v)) for v in p.stat_errors], 1 / F(eps) ** 2

    def chi2(mu, N):      # written out, in exact rational arithmetic
        return sum(((N * yi - mu) / (N * si)) ** 2 for yi, si in zip(ys, ss)) + c * (N - 1) ** 2

    h, x0 = F(1, 10**7), (F(float(ybar)), F(1))
    H = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            def f(di, dj):
                x = list(x0)
                x[i] += di * h
                x[j] += dj * h
                return chi2(*x)
            H[i, j] = float((f(1, 1) - f(1, -1) - f(-1, 1) + f(-1, -1)) / (4 * h * h))
    assert fit.error == pytest.approx(np.sqrt(2 * np.linalg.inv(H)[0, 0]), rel=1e-6)


def _first_crossing(f, mu_hat, level, side):
    """First crossing of ``level`` by ``f`` beyond ``mu_hat`` on a dense grid (brentq), or inf."""
    grid = mu_hat + side * np.concatenate([np.linspace(0, 50, 200001)[1:] * abs(mu_hat)])
    vals = np.array([f(x) for x in grid[:: 50]])
    above = np.nonzero(vals > level)[0]
    if not above.size:
        return side * np.inf
    k = above[0] * 50
    fine = np.array([f(x) for x in grid[max(k - 50, 0):k + 1]])
    j = np.nonzero(fine > level)[0][0] + max(k - 50, 0)
    return brentq(lambda x: f(x) - level, grid[j - 1] if j else mu_hat, grid[j], xtol=1e-13)


@pytest.mark.parametrize("eps", [0.5, 1.0, 1.5, 2.0, 3.0])
def test_minos_never_jumps_the_barrier(book, eps):
    """For large eps the chi2 curves have a barrier at mu = 0 and fall back below chi2_min + 1
    beyond it; MINOS once reported -8.236 (beyond the barrier) at eps = 2 with good flags.
    Every interval edge is the first crossing of the exact curve, written out here with
    numpy's linear algebra, or infinite (one-sided)."""
    p = NormalisationProblem(book.values, book.stat_errors, eps)
    y, s = p.values, p.stat_errors

    def rel(mu):
        V = np.diag(s**2) + (eps * mu) ** 2
        r = y - mu
        return r @ np.linalg.solve(V, r)

    def nll(mu):
        V = np.diag(s**2) + (eps * mu) ** 2
        return rel(mu) + np.linalg.slogdet(V)[1]

    exact = {e.method: e for e in p.closed_forms()}
    for fit, curve in ((p.nuisance_fit("prediction"), rel), (p.relative_covariance_fit(), rel),
                       (p.likelihood_fit(), nll)):
        level = curve(fit.value) + 1.0
        for side, got in ((-1, fit.lower), (1, fit.upper)):
            want = _first_crossing(curve, fit.value, level, side)
            if np.isinf(want):
                assert got == want and fit.one_sided
            else:
                assert got == pytest.approx(want, abs=1e-6 * fit.error), (fit.method, side)
        if fit.method in exact:
            for got, want in ((fit.lower, exact[fit.method].lower), (fit.upper, exact[fit.method].upper)):
                assert got == pytest.approx(want, abs=1e-6 * fit.error)
    if eps == 2.0:
        assert p.nuisance_fit("prediction").lower == pytest.approx(2.7445419917583, rel=1e-9)


@pytest.mark.parametrize("k", [2.0**-100, 1e-30, 1.0, 1e10, 1e20, 2.0**300])
def test_likelihood_minimum_consistent_at_every_scale(book, k):
    """-2 ln L contains ln det V, so under y, s -> k y, k s it shifts by 2 n ln k while
    value and error scale by k; the reported minimum is the curve's own value there."""
    p = NormalisationProblem(book.values * k, book.stat_errors * k, book.norm_error)
    fit, base = p.likelihood_fit(minos=False), book.likelihood_fit(minos=False)
    assert fit.chi2_min == pytest.approx(p.likelihood_nll(fit.value), rel=1e-12, abs=1e-9)
    assert fit.chi2_min - 2 * p.n * np.log(k) == pytest.approx(base.chi2_min, abs=1e-7)
    assert fit.value == pytest.approx(k * base.value, rel=1e-7)
    assert fit.error == pytest.approx(k * base.error, rel=1e-5)


BAD_NUMBERS = [True, "0.1", 1j, np.nan, np.ma.array([0.1, 0.1], mask=[0, 1]),
               np.array([0.1, None], dtype=object), np.array([0.1, "x"], dtype=object)]


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=["bool", "text", "complex", "nan", "masked",
                                                   "object None", "object text"])
def test_vectorised_helpers_validate(bad):
    """eps=True was used as 1, masked entries were used with their hidden values."""
    from helpers.normalisation import (covariance_fit_values, likelihood_values,
                                       stat_chi2_values, weighted_mean_values)
    y, s = np.array([8.0, 8.5]), np.array([0.16, 0.17])
    for f in (lambda: covariance_fit_values(y, s, bad), lambda: likelihood_values(y, s, bad),
              lambda: weighted_mean_values(bad, s), lambda: weighted_mean_values(y, bad),
              lambda: stat_chi2_values(bad, s), lambda: covariance_fit_values(y, bad, 0.1),
              lambda: likelihood_values(bad, s, 0.1)):
        with pytest.raises(InputError):
            f()


def test_vectorised_helpers_shapes_and_scale():
    from helpers.normalisation import covariance_fit_values, likelihood_values, weighted_mean_values
    with pytest.raises(InputError, match="positive"):
        weighted_mean_values([8.0, 8.5], [0.16, 0.0])
    with pytest.raises(InputError, match="shapes"):
        weighted_mean_values(np.ones((3, 2)), np.ones(3))
    with pytest.raises(InputError, match="iterations"):
        likelihood_values([8.0, 8.5], [0.16, 0.17], 0.1, iterations=0)
    y, s = np.array([[8.0, 8.5], [1.0, 3.0]]), np.array([[0.16, 0.17], [0.1, 0.2]])
    for k in (1e-200, 1e200):
        np.testing.assert_allclose(weighted_mean_values(y * k, s * k), weighted_mean_values(y, s) * k, rtol=1e-14)
        np.testing.assert_allclose(covariance_fit_values(y * k, s * k, 0.1)[0],
                                   covariance_fit_values(y, s, 0.1)[0] * k, rtol=1e-14)
        np.testing.assert_allclose(likelihood_values(y * k, s * k, 0.1), likelihood_values(y, s, 0.1) * k, rtol=1e-12)
    w = s**-2.0
    np.testing.assert_allclose(weighted_mean_values(y, s), (w * y).sum(1) / w.sum(1), rtol=1e-15)


@pytest.mark.parametrize("seed", [-1, 1.5, 2.0, "7", True, None, np.random.default_rng(1),
                                  np.random.SeedSequence(1)],
                         ids=["-1", "1.5", "2.0", "text", "True", "None", "Generator", "SeedSequence"])
def test_toy_seed_refused(seed):
    from helpers import normalisation_toys as toys
    with pytest.raises(InputError, match="seed"):
        toys.run(100, seed=seed)


def test_toy_seed_of_any_integer_type_and_absurd_size():
    from helpers import normalisation_toys as toys
    a = toys.run(100, seed=np.int64(5)).toys
    assert a.equals(toys.run(100, seed=5).toys)
    rng = np.random.default_rng(5)
    y, N = toys.simulate(100, mu_true=8.25, stat_rel=0.02, norm_rel=0.1, rng=rng)
    np.testing.assert_array_equal(a["N"], N)
    with pytest.raises(InputError, match="maximum"):
        toys.run(10**12)
    with pytest.raises(InputError, match="Generator"):
        toys.simulate(10, mu_true=8.25, stat_rel=0.02, norm_rel=0.1, rng=5)
