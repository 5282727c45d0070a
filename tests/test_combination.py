"""Tests of helpers.combination (BLUE, Lyons-Gibaut-Clifford 1988)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.linalg

from helpers import SEED
from helpers.combination import Combination, blue, correlation_scan
from helpers.data import ttbar_xsec, w_mass
from helpers.validation import InputError


# ----------------------------------------------------------------------------- helpers
def two_measurement_closed_form(y1, y2, s1, s2, c):
    """value and variance of the two-measurement BLUE with covariance c."""
    den = s1**2 + s2**2 - 2 * c
    value = (y1 * (s2**2 - c) + y2 * (s1**2 - c)) / den
    var = (s1**2 * s2**2 - c**2) / den
    return value, var


def random_correlation_matrix(rng, n):
    """A valid (positive definite) correlation matrix from random factors; has negative entries."""
    f = rng.normal(size=(n, 2))
    a = f @ f.T + np.diag(rng.uniform(0.05, 0.5, n))
    d = np.sqrt(np.diag(a))
    r = a / np.outer(d, d)
    np.fill_diagonal(r, 1.0)  # exactly 1: rounding can give 1 + 2e-16, which is rejected
    return r


def gls_reference(y, errors, rho_mats):
    """Independent generalised least squares for a constant: whitened lstsq.

    Builds C element by element, whitens with a Cholesky factor and solves
    L^-1 y = L^-1 1 mu by least squares. Returns (mu, sigma, weights, chi2).
    """
    n, k = errors.shape
    cov = np.zeros((n, n))
    for s in range(k):
        for i in range(n):
            for j in range(n):
                cov[i, j] += errors[i, s] * errors[j, s] * rho_mats[s][i, j]
    low = scipy.linalg.cholesky(cov, lower=True)
    x = scipy.linalg.solve_triangular(low, np.ones(n), lower=True)[:, None]
    yw = scipy.linalg.solve_triangular(low, y, lower=True)
    (mu,), (chi2,), _, _ = np.linalg.lstsq(x, yw, rcond=None)
    # mu is linear in y: the weight of y_i is the fit to the unit vector e_i
    weights = np.linalg.lstsq(x, scipy.linalg.solve_triangular(low, np.eye(n), lower=True),
                              rcond=None)[0][0]
    sigma = 1.0 / np.sqrt(float(x[:, 0] @ x[:, 0]))
    return mu, sigma, weights, chi2


@pytest.fixture(scope="module")
def wcomb():
    return Combination(*w_mass())


@pytest.fixture(scope="module")
def ttcomb():
    return Combination(*ttbar_xsec())


# ----------------------------------------------------------------------------- two measurements
def test_two_measurements_closed_form_random():
    rng = np.random.default_rng(SEED)
    for _ in range(50):
        y = rng.normal(10, 3, 2)
        stat = rng.uniform(0.2, 3, 2)
        syst = rng.uniform(0.0, 3, 2)
        rho = rng.uniform(-1, 1)
        comb = Combination(y, np.column_stack([stat, syst]), [0.0, rho], sources=["stat", "syst"])
        s1, s2 = np.hypot(stat, syst)
        c = rho * syst[0] * syst[1]
        value, var = two_measurement_closed_form(y[0], y[1], s1, s2, c)
        assert comb.value == pytest.approx(value, rel=1e-12, abs=1e-12)
        assert comb.error == pytest.approx(np.sqrt(var), rel=1e-10)
        assert comb.weights.sum() == pytest.approx(1.0, abs=1e-12)
        w1 = (s2**2 - c) / (s1**2 + s2**2 - 2 * c)
        assert comb.weights.iloc[0] == pytest.approx(w1, rel=1e-10, abs=1e-12)
        assert comb.chi2 == pytest.approx((y[0] - y[1]) ** 2 / (s1**2 + s2**2 - 2 * c), rel=1e-9)


def test_w_mass_numbers(wcomb):
    np.testing.assert_array_equal(wcomb.covariance.to_numpy(), [[3808.0, 612.0], [612.0, 1883.0]])
    assert round(wcomb.value, 1) == 80450.6
    assert round(wcomb.error, 1) == 39.0
    assert round(wcomb.chi2, 3) == 0.018
    assert wcomb.ndf == 1
    value, var = two_measurement_closed_form(80457, 80448, np.sqrt(3808), np.sqrt(1883), 612)
    assert wcomb.value == pytest.approx(value, rel=1e-13)
    assert wcomb.error == pytest.approx(np.sqrt(var), rel=1e-12)
    np.testing.assert_allclose(wcomb.weights, [0.28453, 0.71547], atol=1e-5)
    assert list(wcomb.weights.index) == ["4 jets (qqqq)", "lepton + 2 jets (lvqq)"]
    # a common source of equal size, 100% correlated, passes straight through: 17 MeV
    assert wcomb.uncertainties["beam_energy"] == pytest.approx(17.0, rel=1e-12)
    np.testing.assert_allclose(
        wcomb.uncertainties[["stat", "exp_syst", "theory_4q", "theory_common"]],
        [25.106, 9.138, 13.373, 18.431], atol=1e-3)
    assert not wcomb.has_negative_weights
    assert wcomb.weight_note() == ""


def test_w_mass_known_mistake_dropping_exp_syst(wcomb):
    """Students often forget the experimental systematic: the result moves little, the error shrinks."""
    wrong = wcomb.without("exp_syst")
    np.testing.assert_array_equal(wrong.covariance.to_numpy(), [[3687.0, 612.0], [612.0, 1739.0]])
    value, error, weights = blue([80457.0, 80448.0], [[3687.0, 612.0], [612.0, 1739.0]])
    assert wrong.value == pytest.approx(value, rel=1e-14)
    assert wrong.error == pytest.approx(error, rel=1e-14)
    assert round(wrong.value, 1) == 80450.4
    assert round(wrong.error, 1) == 37.9
    assert wrong.value - wcomb.value == pytest.approx(-0.147, abs=1e-3)
    assert wrong.error - wcomb.error == pytest.approx(-1.100, abs=1e-3)
    np.testing.assert_allclose(weights, [0.26821, 0.73179], atol=1e-5)


# ----------------------------------------------------------------------------- iminuit
@pytest.mark.parametrize("which", ["w", "random3"])
def test_fit_agrees_with_blue(which, wcomb):
    if which == "w":
        comb = wcomb
    else:
        rng = np.random.default_rng(SEED + 1)
        comb = Combination(rng.normal(5, 1, 3), rng.uniform(0.3, 1.5, (3, 2)),
                           [0.0, random_correlation_matrix(rng, 3)])
    start = float(np.mean(comb.values))
    assert abs(start - comb.value) > 1e-3 * comb.error  # the fit does not start at the answer
    m = comb.fit()
    assert m.init_params["mean"].value == pytest.approx(start, rel=1e-15)
    assert m.valid
    assert m.errordef == 1.0
    assert abs(m.values["mean"] - comb.value) < 1e-6 * comb.error
    assert m.errors["mean"] == pytest.approx(comb.error, rel=1e-3)
    me = m.merrors["mean"]
    assert me.is_valid
    assert -me.lower == pytest.approx(comb.error, rel=1e-3)
    assert me.upper == pytest.approx(comb.error, rel=1e-3)
    assert m.fval == pytest.approx(comb.chi2, rel=1e-6, abs=1e-9)
    assert len(comb.fit(minos=False).merrors) == 0


# ----------------------------------------------------------------------------- general n, k
def test_random_instances_against_gls():
    rng = np.random.default_rng(SEED + 2)
    for trial in range(40):
        n = int(rng.integers(2, 7))
        k = int(rng.integers(1, 5))
        y = rng.normal(100, 5, n)
        stat = rng.uniform(0.5, 3, n)
        syst = rng.uniform(0, 3, (n, k - 1)) if k > 1 else np.empty((n, 0))
        rho_mats = [np.eye(n)]
        corr_inputs = [0.0]
        for _ in range(k - 1):
            if rng.uniform() < 0.5:  # scalar, possibly negative (kept positive semi-definite)
                r = rng.uniform(-1.0 / (n - 1), 1.0)
                corr_inputs.append(r)
                m = np.full((n, n), r)
                np.fill_diagonal(m, 1.0)
                rho_mats.append(m)
            else:
                m = random_correlation_matrix(rng, n)
                corr_inputs.append(m)
                rho_mats.append(m)
        errors = np.column_stack([stat, syst])
        names = [f"exp{i}" for i in range(n)]
        sources = ["stat"] + [f"sys{j}" for j in range(k - 1)]
        # exercise the different input forms
        if trial % 3 == 0:
            comb = Combination(pd.Series(y, index=names),
                               pd.DataFrame(errors, index=names, columns=sources),
                               dict(zip(sources, corr_inputs)))
        elif trial % 3 == 1:
            comb = Combination(y, errors, corr_inputs, sources=sources, names=names)
        else:
            comb = Combination(y, errors, pd.Series(corr_inputs, index=sources, dtype=object),
                               sources=sources)
        mu, sigma, weights, chi2 = gls_reference(y, errors, rho_mats)
        assert comb.value == pytest.approx(mu, rel=1e-12)
        assert comb.error == pytest.approx(sigma, rel=1e-9)
        np.testing.assert_allclose(comb.weights.to_numpy(), weights, rtol=1e-8, atol=1e-10)
        assert comb.chi2 == pytest.approx(chi2, rel=1e-8, abs=1e-10)
        assert comb.ndf == n - 1
        # the per-source contributions add up in quadrature to the total
        u = comb.uncertainties
        assert np.sum(np.sign(u) * u**2) == pytest.approx(comb.error**2, rel=1e-10)
        # chi2 curve: minimum at the value, +1 at value +- error
        lo, hi = comb.interval()
        np.testing.assert_allclose(comb.chi2_curve([comb.value, lo, hi]),
                                   [comb.chi2, comb.chi2 + 1, comb.chi2 + 1], rtol=1e-7)


def test_chi2_curve_vectorised_and_interval(wcomb):
    mu = np.linspace(80300, 80600, 12).reshape(3, 4)
    curve = wcomb.chi2_curve(mu)
    assert curve.shape == (3, 4)
    y = wcomb.values.to_numpy()
    cinv = np.linalg.inv(wcomb.covariance.to_numpy())
    expected = [(y - m) @ cinv @ (y - m) for m in mu.ravel()]
    np.testing.assert_allclose(curve.ravel(), expected, rtol=1e-10)
    assert isinstance(wcomb.chi2_curve(80450.0), float)
    lo, hi = wcomb.interval(4.0)
    assert (lo, hi) == pytest.approx((wcomb.value - 2 * wcomb.error, wcomb.value + 2 * wcomb.error))
    assert wcomb.chi2_curve(hi) == pytest.approx(wcomb.chi2 + 4.0, rel=1e-9)
    with pytest.raises(InputError, match="delta must be a positive number"):
        wcomb.interval(-1.0)
    with pytest.raises(InputError, match="mu contains NaN"):
        wcomb.chi2_curve([1.0, np.nan])


# ----------------------------------------------------------------------------- error breakdown
def test_quadrature_sum_and_source_covariances(wcomb, ttcomb):
    for comb in (wcomb, ttcomb):
        assert np.sqrt(np.sum(comb.uncertainties**2)) == pytest.approx(comb.error, rel=1e-12)
        total = sum(c.to_numpy() for c in comb.source_covariances.values())
        np.testing.assert_allclose(total, comb.covariance.to_numpy(), rtol=1e-14)
        w = comb.weights.to_numpy()
        for s, c in comb.source_covariances.items():
            assert comb.uncertainties[s] == pytest.approx(np.sqrt(w @ c.to_numpy() @ w), rel=1e-12)


def test_quadratic_difference_equals_blue_when_weights_do_not_move():
    """Uncorrelated sources, each a fixed fraction of every total error: removing one
    scales C and leaves the weights unchanged, so both breakdowns agree."""
    rng = np.random.default_rng(SEED + 3)
    total = rng.uniform(1, 3, 4)
    fractions = np.array([0.6, 0.3, 0.1])
    errors = np.sqrt(fractions)[None, :] * total[:, None]
    comb = Combination(rng.normal(0, 1, 4), errors, 0.0)
    np.testing.assert_allclose(comb.quadratic_difference(), comb.uncertainties, rtol=1e-10)
    np.testing.assert_allclose(comb.uncertainties**2, fractions * comb.error**2, rtol=1e-10)


def test_quadratic_difference_differs_from_blue_contribution(wcomb):
    qd = wcomb.quadratic_difference()
    u = wcomb.uncertainties
    # a common, 100% correlated source of equal size: both give exactly 17 MeV
    assert qd["beam_energy"] == pytest.approx(17.0, rel=1e-10)
    # uncorrelated but of different relative size: the weights re-optimise and they differ
    assert qd["stat"] == pytest.approx(27.216, abs=1e-3)
    assert u["stat"] == pytest.approx(25.106, abs=1e-3)
    assert qd["theory_4q"] - u["theory_4q"] > 5.0
    # correlated source of unequal size: they differ too
    assert qd["theory_common"] != pytest.approx(u["theory_common"], rel=1e-5)
    # and the quadratic differences do not add up to the total
    assert np.sqrt(np.sum(qd**2)) > wcomb.error + 1.0
    s = wcomb.summary()
    assert list(s.columns) == ["BLUE contribution", "quadratic difference"]
    assert list(s.index) == wcomb.sources + ["total"]
    assert s.loc["total", "BLUE contribution"] == pytest.approx(wcomb.error)
    assert s.loc["total", "quadratic difference"] == pytest.approx(wcomb.error)
    np.testing.assert_array_equal(s["BLUE contribution"].iloc[:-1], u)
    assert s.loc["stat", "quadratic difference"] == pytest.approx(qd["stat"])


def test_quadratic_difference_signed_and_nan():
    """A strong negative correlation among three measurements (R_k not positive semi-definite):
    removing it *increases* the error, so the signed quadratic difference is negative; removing
    the other source leaves a singular covariance, reported as NaN."""
    comb = Combination([1.0, 2.0, 1.5], [[1, 1], [1.2, 1], [0.9, 1]],
                       {"stat": 0.0, "anti": -0.9}, sources=["stat", "anti"])
    qd = comb.quadratic_difference()
    assert np.isnan(qd["stat"])
    assert qd["anti"] < 0
    d = comb.error**2 - comb.without("anti").error**2
    assert qd["anti"] == pytest.approx(-np.sqrt(-d), rel=1e-10)
    u = comb.uncertainties
    assert u["anti"] < 0  # w^T C_k w < 0, reported signed
    assert np.sum(np.sign(u) * u**2) == pytest.approx(comb.error**2, rel=1e-10)
    with pytest.raises(InputError, match="total covariance"):
        comb.without("stat")


# ----------------------------------------------------------------------------- negative weights
def test_negative_weights():
    s1, s2, rho = 1.0, 2.0, 0.8  # rho > s1/s2 = 0.5
    comb = Combination(pd.Series([10.0, 11.0], index=["A", "B"]), [[s1], [s2]], rho)
    w = comb.weights
    assert w["B"] < 0 < w["A"]
    assert w["B"] == pytest.approx((s1**2 - rho * s1 * s2) / (s1**2 + s2**2 - 2 * rho * s1 * s2))
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    assert not (10.0 <= comb.value <= 11.0)
    assert comb.value < 10.0
    assert comb.has_negative_weights
    note = comb.weight_note()
    assert "negative weight" in note.lower()
    assert "'B'" in note and "outside the range" in note
    assert "0.8" in note and "0.5" in note
    # just below the threshold the weight is positive
    assert not comb.with_correlation("source 1", 0.49).has_negative_weights


# ----------------------------------------------------------------------------- ttbar
def test_ttbar_reproduces_atlas_conf_2014_054(ttcomb):
    """Luminosity = the 'Vdm' (van der Meer calibration, 100% correlated) and 'Lumi'
    (uncorrelated long-term) columns; syst = every other source except 'Stat'."""
    u = ttcomb.uncertainties
    lumi_cols = ["Vdm", "Lumi"]
    syst_cols = [s for s in ttcomb.sources if s not in ["Stat", *lumi_cols]]
    assert len(syst_cols) == 20
    stat = u["Stat"]
    syst = np.sqrt(np.sum(u[syst_cols] ** 2))
    lumi = np.sqrt(np.sum(u[lumi_cols] ** 2))
    assert round(ttcomb.value, 1) == 241.5
    assert ttcomb.value == pytest.approx(241.46, abs=0.005)
    assert (round(stat, 1), round(syst, 1), round(lumi, 1)) == (1.4, 5.7, 6.2)
    assert round(u["Lumi"], 1) != 6.2  # one luminosity column alone does not give 6.2
    np.testing.assert_allclose(ttcomb.weights, [0.725, 0.275], atol=5e-4)
    assert round(ttcomb.chi2, 3) == 0.054
    assert ttcomb.ndf == 1
    assert round(ttcomb.pvalue, 2) == 0.82
    assert ttcomb.correlation.loc["ATLAS", "CMS"] == pytest.approx(0.235, abs=5e-4)


def test_table(ttcomb):
    t = ttcomb.table()
    assert list(t.columns) == ["ATLAS", "CMS", "combination"]
    assert list(t.index) == ["value", *ttcomb.sources, "total"]
    assert t.loc["value", "ATLAS"] == 242.4
    assert t.loc["Lumi", "CMS"] == 3.6
    assert t.loc["total", "ATLAS"] == pytest.approx(np.sqrt(89.0))
    assert t.loc["value", "combination"] == pytest.approx(ttcomb.value)
    assert t.loc["total", "combination"] == pytest.approx(ttcomb.error)
    assert t.loc["Vdm", "combination"] == pytest.approx(ttcomb.uncertainties["Vdm"])


# ----------------------------------------------------------------------------- variations
def test_variations_return_new_objects(wcomb):
    before = wcomb.value
    changed = wcomb.with_correlation(["theory_common", "beam_energy"], 0.0)
    assert wcomb.value == before  # the original is untouched
    assert changed.covariance.loc["4 jets (qqqq)", "lepton + 2 jets (lvqq)"] == 0.0
    direct = Combination(*w_mass()[:2], {"stat": 0, "exp_syst": 0, "theory_4q": 0,
                                         "theory_common": 0, "beam_energy": 0})
    assert changed.value == direct.value and changed.error == direct.error

    bigger = wcomb.with_errors("stat", [60.0, 33.0])
    assert bigger.covariance.iloc[0, 0] == pytest.approx(3808 - 900 + 3600)
    assert bigger.weights.iloc[0] < wcomb.weights.iloc[0]
    aligned = wcomb.with_errors("stat", pd.Series({"lepton + 2 jets (lvqq)": 33.0,
                                                   "4 jets (qqqq)": 60.0}))
    assert aligned.value == bigger.value

    dropped = wcomb.without("theory_4q")
    assert dropped.sources == ["stat", "exp_syst", "theory_common", "beam_energy"]
    assert dropped.covariance.iloc[0, 0] == 3808 - 47**2

    with pytest.raises(InputError, match="unknown source 'nope'"):
        wcomb.without("nope")
    with pytest.raises(InputError, match=r"must lie in \[-1, 1\]"):
        wcomb.with_correlation("stat", 1.5)
    with pytest.raises(InputError, match="non-negative"):
        wcomb.with_errors("stat", [-1.0, 33.0])
    with pytest.raises(InputError, match="mismatched lengths"):
        wcomb.with_errors("stat", [1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="only uncertainty source"):
        Combination([1.0, 2.0], [1.0, 1.0], 0.0).without("source 1")


def test_immutable_results(wcomb):
    w = wcomb.weights
    w.iloc[0] = 99.0
    assert wcomb.weights.iloc[0] == pytest.approx(0.28453, abs=1e-5)
    before = (wcomb.covariance.iat[0, 0], wcomb.value, wcomb.error)
    cov = wcomb.covariance
    try:
        cov.iat[0, 0] = 0.0            # a copy, or refused (read-only): the result stays put
    except ValueError:
        pass
    assert (wcomb.covariance.iat[0, 0], wcomb.value, wcomb.error) == before


def test_blue_function():
    value, error, w = blue([1.0, 3.0], np.diag([1.0, 1.0]))
    assert (value, error) == pytest.approx((2.0, np.sqrt(0.5)))
    assert isinstance(w, np.ndarray)
    _, _, ws = blue(pd.Series([1.0, 3.0], index=["a", "b"]), np.diag([1.0, 4.0]))
    assert list(ws.index) == ["a", "b"]
    assert ws["a"] == pytest.approx(0.8)
    with pytest.raises(InputError, match="singular|not positive definite"):
        blue([1.0, 2.0], [[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(InputError, match="must be 2x2"):
        blue([1.0, 2.0], np.eye(3))


def test_correlation_forms_agree():
    y, e = [1.0, 2.0, 4.0], np.array([[1.0, 0.5], [1.5, 0.5], [2.0, 0.7]])
    m = np.array([[1, 0.3, -0.2], [0.3, 1, 0.1], [-0.2, 0.1, 1]])
    a = Combination(y, e, [0.0, m])  # ragged sequence: scalar and matrix
    b = Combination(y, e, {"source 1": np.eye(3), "source 2": pd.DataFrame(m)})
    np.testing.assert_array_equal(a.covariance, b.covariance)
    c = Combination(y, e, m)  # one matrix for every source
    np.testing.assert_allclose(c.covariance, (e[:, 0, None] * e[:, 0] + e[:, 1, None] * e[:, 1]) * m)
    assert a.names == ["m1", "m2", "m3"] and a.sources == ["source 1", "source 2"]


# ----------------------------------------------------------------------------- bad input
GOOD_Y = [1.0, 2.0]
GOOD_E = [[1.0, 0.5], [1.0, 0.5]]


@pytest.mark.parametrize("kwargs, match", [
    (dict(values=[1.0, np.nan]), "values contains NaN"),
    (dict(errors=[[1.0, np.nan], [1.0, 0.5]]), "errors of source 'source 2' contains NaN"),
    (dict(errors=[[1.0, -0.5], [1.0, 0.5]]), "errors of source 'source 2' must be non-negative"),
    (dict(errors=[[1.0, 0.5], [1.0, 0.5], [1.0, 0.5]]), r"errors has shape \(3, 2\) but there are 2 measurements"),
    (dict(sources=["a", "b", "c"]), "sources has 3 names but errors has 2 columns"),
    (dict(correlations=np.eye(3)), "must be a scalar or a 2x2 matrix"),
    (dict(correlations=[0.0, 0.0, 0.0]), "correlations has 3 entries but there are 2 sources"),
    (dict(correlations=1.5), r"must lie in \[-1, 1\]"),
    (dict(correlations=[0.0, [[1.0, 1.2], [1.2, 1.0]]]), r"outside \[-1, 1\]"),
    (dict(correlations=[0.0, [[1.0, 0.2], [0.3, 1.0]]]), "'source 2' is not symmetric"),
    (dict(correlations=[0.0, [[0.9, 0.2], [0.2, 1.0]]]), "ones on the diagonal"),
    (dict(correlations=[0.0, np.nan]), "NaN"),
    (dict(errors=[[1.0], [1.0]], correlations=1.0), "total covariance is (singular|not positive definite)"),
    (dict(errors=[[2.0, 1.0], [2.0, 1.0]], correlations=1.0), "total covariance is (singular|not positive definite)"),
    (dict(errors=[[1.0, 1.0], [0.0, 0.0]]), "total covariance is (singular|not positive definite)"),
    (dict(values=[1.0], errors=[[1.0, 0.5]]), "at least 2"),
    (dict(values=[]), "values is empty"),
    (dict(errors=np.empty((2, 0)), correlations=[]), "errors is empty"),
    (dict(correlations={"source 1": 0.0, "source 2": 0.0, "syst": 0.5}), r"unknown source\(s\) \['syst'\]"),
    (dict(correlations={"source 1": 0.0}), r"no correlation given for source\(s\) \['source 2'\]"),
    (dict(correlations="high"), "correlations must be numbers"),
    (dict(names=["a", "b", "c"]), "names has 3 entries but there are 2 values"),
    (dict(names=["a", "a"]), "measurement names must be unique"),
    (dict(sources=["s", "s"]), "source names must be unique"),
    (dict(sources=["stat", "total"]), "'total' is reserved"),
    (dict(values=[[1.0, 2.0]]), "one-dimensional"),
])
def test_bad_input_raises(kwargs, match):
    args = dict(values=GOOD_Y, errors=GOOD_E, correlations=0.0)
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        Combination(**args)


def test_bad_dataframe_input():
    v = pd.Series([1.0, 2.0], index=["A", "B"])
    with pytest.raises(InputError, match="rows of errors .* do not match the measurement names"):
        Combination(v, pd.DataFrame(GOOD_E, index=["A", "C"], columns=["x", "y"]), 0.0)
    with pytest.raises(InputError, match="errors has 3 rows but there are 2 measurements"):
        Combination(v, pd.DataFrame(GOOD_E + [[1, 1]], columns=["x", "y"]), 0.0)
    with pytest.raises(InputError, match="differ from the columns"):
        Combination(v, pd.DataFrame(GOOD_E, index=["A", "B"], columns=["x", "y"]), 0.0,
                    sources=["p", "q"])
    # rows in another order are aligned by name
    e = pd.DataFrame([[2.0, 0.0], [1.0, 0.0]], index=["B", "A"], columns=["x", "y"])
    c = Combination(v, e, 0.0)
    assert c.errors.loc["A", "x"] == 1.0
    assert c.weights["A"] == pytest.approx(0.8)


def test_sanity_the_good_input_is_good():
    """The bad-input cases above change one thing each from this valid input."""
    c = Combination(GOOD_Y, GOOD_E, 0.0)
    assert c.value == pytest.approx(1.5)


# ----------------------------------------------------------------------------- correlation scan
def test_correlation_scan_matches_with_correlation(wcomb):
    values, errors, corr = w_mass()
    rhos = np.linspace(-1, 1, 9)
    scan = correlation_scan(values, errors, corr, ["theory_common", "beam_energy"], rhos)
    assert scan.index.name == "rho"
    np.testing.assert_array_equal(scan.index, rhos)
    assert list(scan.columns) == ["value", "error", "weight 4 jets (qqqq)",
                                  "weight lepton + 2 jets (lvqq)", "chi2"]
    assert not scan.isna().any().any()
    for rho, row in scan.iterrows():
        c = wcomb.with_correlation(["theory_common", "beam_energy"], rho)
        np.testing.assert_allclose(row.to_numpy(), [c.value, c.error, *c.weights, c.chi2], rtol=1e-12)
    # at rho = 1 it is the nominal W combination
    assert scan.loc[1.0, "value"] == pytest.approx(wcomb.value, rel=1e-14)
    assert scan.loc[1.0, "error"] == pytest.approx(wcomb.error, rel=1e-14)


def test_correlation_scan_singular_rows_are_nan():
    rhos = [-1.0, -0.5, 0.0, 0.5, 1.0]
    scan = correlation_scan([1.0, 2.0], [[1.0], [1.0]], 0.0, "source 1", rhos)
    assert scan.loc[[-1.0, 1.0]].isna().all().all()
    assert not scan.loc[[-0.5, 0.0, 0.5]].isna().any().any()
    np.testing.assert_allclose(scan["value"].loc[[-0.5, 0.0, 0.5]], 1.5)
    np.testing.assert_allclose(scan.loc[0.0, "error"], np.sqrt(0.5))
    with pytest.raises(InputError, match=r"rho must lie in \[-1, 1\]"):
        correlation_scan([1.0, 2.0], [[1.0], [1.0]], 0.0, "source 1", [0.0, 1.2])
    with pytest.raises(InputError, match="unknown source"):
        correlation_scan([1.0, 2.0], [[1.0], [1.0]], 0.0, "syst", [0.0])


def test_zero_weight_correlation_is_where_the_weight_changes_sign():
    from helpers.combination import zero_weight_correlation
    comb = Combination([10.0, 11.0], [[2.0], [1.0]], [0.0], sources=["all"])
    rho0 = zero_weight_correlation(comb)
    assert rho0 == pytest.approx(0.5)
    below = comb.with_correlation("all", rho0 - 1e-3).weights.iloc[0]
    above = comb.with_correlation("all", rho0 + 1e-3).weights.iloc[0]
    assert below > 0 > above
    three = Combination([1.0, 2.0, 3.0], [[1.0], [1.0], [1.0]], [0.0], sources=["all"])
    with pytest.raises(InputError, match="2 measurements"):
        zero_weight_correlation(three)


# ----------------------------------------------------------------------------- labels
def test_sorted_series_with_default_index_is_aligned_not_positional():
    """Regression: a value Series sorted by value keeps its integer labels; the errors
    DataFrame with the default 0..n-1 index was read by position (wrong weights)."""
    df = pd.DataFrame({"value": [80457.0, 80448.0], "stat": [30.0, 33.0]})
    straight = Combination(df["value"], df[["stat"]], 0.0)
    shuffled = Combination(df["value"].sort_values(), df[["stat"]], 0.0)
    # stat-only weighted mean, written out: 30 MeV error on 80457, 33 MeV on 80448
    expected = (80457 / 30**2 + 80448 / 33**2) / (1 / 30**2 + 1 / 33**2)
    assert straight.value == pytest.approx(expected, rel=1e-14)
    assert shuffled.value == pytest.approx(expected, rel=1e-14)
    assert shuffled.weights[0] == pytest.approx(straight.weights[0], rel=1e-14)
    assert list(shuffled.names) == [1, 0]


def test_blue_function_aligns_a_labelled_covariance():
    y = pd.Series([1.0, 3.0], index=["a", "b"])
    cov = pd.DataFrame([[4.0, 0.0], [0.0, 1.0]], index=["b", "a"], columns=["b", "a"])
    value, error, w = blue(y, cov)  # a has variance 1, b has variance 4
    assert value == pytest.approx(0.8 * 1.0 + 0.2 * 3.0)
    assert error == pytest.approx(np.sqrt(0.8))
    assert list(w.index) == ["a", "b"] and w["a"] == pytest.approx(0.8)
    # rows and columns in different orders: each is aligned by label
    mixed = pd.DataFrame([[4.0, 0.3], [0.3, 1.0]], index=["b", "a"], columns=["b", "a"])
    straight = pd.DataFrame([[1.0, 0.3], [0.3, 4.0]], index=["a", "b"], columns=["a", "b"])
    assert blue(y, mixed)[0] == pytest.approx(blue(y, straight)[0], rel=1e-14)
    assert blue(y, mixed.loc[:, ["a", "b"]])[0] == pytest.approx(blue(y, straight)[0], rel=1e-14)
    # plain values: the frame's own row order, columns aligned to it
    assert blue([3.0, 1.0], mixed)[0] == pytest.approx(blue(y, straight)[0], rel=1e-14)
    with pytest.raises(InputError, match=r"unknown \['c'\]"):
        blue(y, pd.DataFrame(np.eye(2), index=["a", "c"], columns=["a", "b"]))
    with pytest.raises(InputError, match=r"missing \['b'\]"):
        blue(y, pd.DataFrame(np.eye(2), index=["a", "c"], columns=["a", "c"]))


def test_correlation_dataframe_in_another_order_is_aligned():
    names = ["A", "B", "C"]
    y = pd.Series([1.0, 2.0, 4.0], index=names)
    e = pd.DataFrame([[1.0, 0.5], [1.5, 0.5], [2.0, 0.7]], index=names, columns=["stat", "sys"])
    m = pd.DataFrame([[1, 0.9, -0.2], [0.9, 1, 0.1], [-0.2, 0.1, 1]], index=names, columns=names)
    ref = Combination(y, e, {"stat": 0.0, "sys": m})
    perm = ["C", "A", "B"]
    shuffled = m.loc[perm, perm]
    for corr in ({"stat": 0.0, "sys": shuffled}, {"stat": np.eye(3), "sys": shuffled}):
        c = Combination(y, e, corr)
        assert c.value == pytest.approx(ref.value, rel=1e-13)
        assert c.error == pytest.approx(ref.error, rel=1e-13)
    positional = Combination(y, e, {"stat": 0.0, "sys": shuffled.to_numpy()})
    assert abs(positional.value - ref.value) > 0.01  # the bug this guards against
    assert ref.with_correlation("sys", shuffled).value == pytest.approx(ref.value, rel=1e-13)
    with pytest.raises(InputError, match=r"correlation of source 'sys'.*unknown \['X'\]"):
        Combination(y, e, {"stat": 0.0, "sys": m.rename(index={"A": "X"}, columns={"A": "X"})})
    with pytest.raises(InputError, match="correlation of source 'sys'"):
        Combination(y, e, {"stat": 0.0, "sys": pd.DataFrame(m.to_numpy())})  # labels 0, 1, 2


def test_random_permutations_give_the_same_combination():
    """Seeded random permutations of every labelled input (values, error rows, error
    columns, correlation matrices) leave every result unchanged."""
    rng = np.random.default_rng(SEED + 7)
    for _ in range(25):
        n, k = int(rng.integers(2, 6)), int(rng.integers(1, 4))
        names = [f"exp{i}" for i in range(n)]
        sources = [f"s{j}" for j in range(k)]
        y = pd.Series(rng.normal(10, 1, n), index=names)
        e = pd.DataFrame(rng.uniform(0.2, 2, (n, k)), index=names, columns=sources)
        corr = {s: pd.DataFrame(random_correlation_matrix(rng, n), index=names, columns=names)
                for s in sources}
        ref = Combination(y, e, corr)
        p, q = list(rng.permutation(names)), list(rng.permutation(sources))
        c = Combination(y.loc[list(rng.permutation(names))], e.loc[p, q],
                        {s: corr[s].loc[list(rng.permutation(names)), p] for s in q})
        assert c.value == pytest.approx(ref.value, rel=1e-12)
        assert c.error == pytest.approx(ref.error, rel=1e-12)
        assert c.chi2 == pytest.approx(ref.chi2, rel=1e-9, abs=1e-12)
        pd.testing.assert_series_equal(c.weights.loc[names], ref.weights, rtol=1e-9, atol=1e-12)
        pd.testing.assert_series_equal(c.uncertainties.loc[sources], ref.uncertainties, rtol=1e-9)
        _, _, wb = blue(y, ref.covariance.loc[p, p[::-1]])
        pd.testing.assert_series_equal(wb, ref.weights, rtol=1e-9, atol=1e-12)


def test_mismatched_labels_are_errors():
    y = pd.Series([1.0, 2.0], index=["A", "B"])
    with pytest.raises(InputError, match=r"rows of errors \[0, 1\] do not match"):
        Combination(y, pd.DataFrame([[1.0], [1.0]]), 0.0)  # never silently positional
    with pytest.raises(InputError, match="names .* differ from the index"):
        Combination(y, [[1.0], [1.0]], 0.0, names=["B", "A"])
    with pytest.raises(InputError, match=r"new errors .* unknown \['C'\]"):
        Combination(y, [[1.0], [1.0]], 0.0).with_errors("source 1", pd.Series({"A": 1.0, "C": 2.0}))
    # unlabelled values: a labelled errors frame names the measurements
    c = Combination([1.0, 2.0], pd.DataFrame([[1.0], [2.0]], index=["A", "B"]), 0.0)
    assert c.names == ["A", "B"]


# ----------------------------------------------------------------------------- scale
@pytest.mark.parametrize("scale", [1e-150, 1e-40, 1.0, 3.7e40, 1e150])
def test_results_do_not_depend_on_units(scale, wcomb):
    values, errors, corr = w_mass()
    centred = values - 80450.0  # keep the values of the errors' size so they scale too
    ref = Combination(centred, errors, corr)
    c = Combination(centred * scale, errors * scale, corr)
    assert c.value == pytest.approx(ref.value * scale, rel=1e-12)
    assert c.error == pytest.approx(ref.error * scale, rel=1e-12)
    np.testing.assert_allclose(c.weights, ref.weights, rtol=1e-12)
    assert c.chi2 == pytest.approx(ref.chi2, rel=1e-10)
    np.testing.assert_allclose(c.uncertainties, ref.uncertainties * scale, rtol=1e-10)
    np.testing.assert_allclose(c.quadratic_difference(), ref.quadratic_difference() * scale, rtol=1e-8)
    np.testing.assert_allclose(c.pulls, ref.pulls, rtol=1e-10)
    np.testing.assert_allclose(c.chi2_curve([c.value, c.interval()[1]]), [c.chi2, c.chi2 + 1], rtol=1e-9)
    assert ref.value + 80450 == pytest.approx(wcomb.value, abs=1e-9)


def test_tiny_and_huge_inputs_are_computed_not_nan():
    value, error, w = blue([80457.0, 80448.0], [[1e-310, 0.0], [0.0, 1e-310]])
    assert value == pytest.approx(80452.5, rel=1e-15)
    assert error == pytest.approx(np.sqrt(0.5e-310), rel=1e-10)
    np.testing.assert_allclose(w, [0.5, 0.5], rtol=1e-10)
    c = Combination([1e-160, 2e-160], [1e-160, 1.5e-160], 0.3)
    one = Combination([1.0, 2.0], [1.0, 1.5], 0.3)
    assert c.value == pytest.approx(one.value * 1e-160, rel=1e-13)
    assert c.error == pytest.approx(one.error * 1e-160, rel=1e-13)
    assert c.chi2 == pytest.approx(one.chi2, rel=1e-12)
    big = Combination([1e160, 2e160], [1e160, 1.5e160], 0.3)
    assert big.value == pytest.approx(one.value * 1e160, rel=1e-13)
    assert np.isfinite(big.error) and big.error == pytest.approx(one.error * 1e160, rel=1e-13)


def test_very_different_errors_are_not_called_correlated():
    """diag(1e6, 1e-7) is an uncorrelated covariance: the conditioning test is done on
    the correlation matrix (validation.as_covariance would call it fully correlated)."""
    value, error, w = blue([1.0, 2.0], np.diag([1e6, 1e-7]))
    np.testing.assert_allclose(w, [1e-13 / (1 + 1e-13), 1 / (1 + 1e-13)], rtol=1e-12)
    assert error == pytest.approx(np.sqrt(1 / (1e-6 + 1e7)), rel=1e-12)
    c = Combination([1.0, 2.0], [1e3, np.sqrt(1e-7)], 0.0)
    assert c.value == pytest.approx(value, rel=1e-14)
    with pytest.raises(InputError, match="fully correlated"):
        Combination([1.0, 2.0], [[1.0, 1e-7], [2.0, 0.0]], [1.0, 0.0])


# ----------------------------------------------------------------------------- fits at any scale
def _exact_variance_of_two(covs):
    """``1 / 1^T C^-1 1 = det C / (C11 + C22 - 2 C12)`` of two measurements in exact rational
    arithmetic, ``C`` the exact sum of the 2 x 2 matrices ``covs``."""
    from fractions import Fraction
    c = [[sum(Fraction(float(m[i][j])) for m in covs) for j in range(2)] for i in range(2)]
    return (c[0][0] * c[1][1] - c[0][1] * c[1][0]) / (c[0][0] + c[1][1] - c[0][1] - c[1][0])


@pytest.mark.parametrize("scale", [1e-150, 1e-36, 1e-8, 1.0, 1e8, 1e40, 1e150])
def test_fit_is_the_blue_at_any_scale(scale):
    comb = Combination(np.array([10.0, 12.0, 11.0]) * scale,
                       np.array([[1.0, 0.5], [2.0, 0.5], [1.5, 0.5]]) * scale, [0, 1])
    m = comb.fit()
    assert m.valid and m.fmin.has_accurate_covar
    assert comb.value / scale == pytest.approx(10.557377049180328, rel=1e-13)
    assert m.values["mean"] == pytest.approx(comb.value, rel=1e-9)
    assert m.errors["mean"] == pytest.approx(comb.error, rel=1e-6)
    assert m.covariance[0, 0] == pytest.approx(comb.error**2, rel=2e-6)
    me = m.merrors["mean"]
    assert me.is_valid and not (me.at_lower_limit or me.at_upper_limit)
    assert -me.lower == pytest.approx(comb.error, rel=1e-6)
    assert me.upper == pytest.approx(comb.error, rel=1e-6)
    assert m.fval == pytest.approx(comb.chi2, rel=1e-9)
    assert m.init_params["mean"].value == float(np.mean(comb.values))


def test_fit_of_ttbar_in_square_centimetres():
    values, errors, corr = ttbar_xsec()
    pb = Combination(values, errors, corr)
    cm2 = Combination(values * 1e-36, errors * 1e-36, corr)
    m = cm2.fit(minos=False)
    assert m.values["mean"] / 1e-36 == pytest.approx(pb.value, rel=1e-9)     # 241.4645, not 240.70
    assert m.errors["mean"] / 1e-36 == pytest.approx(pb.error, rel=1e-6)


def test_fit_refuses_to_quote_a_failed_fit(monkeypatch):
    from iminuit import Minuit
    comb = Combination([10.0, 12.0], [[1.0], [2.0]], 0.0)
    monkeypatch.setattr(Minuit, "valid", property(lambda self: False))
    with pytest.raises(InputError, match="valid minimum: False"):
        comb.fit()


# ----------------------------------------------------------------------------- a dominant source
def test_quadratic_difference_when_one_source_dominates():
    comb = Combination([10, 12], [[0.7, 7e-5], [1.3, 2.21e-4]], {"s1": 0.37, "s2": 0.29},
                       sources=["s1", "s2"])
    cov = {k: comb.source_covariances[k].to_numpy() for k in ("s1", "s2")}
    var = _exact_variance_of_two([cov["s1"], cov["s2"]])
    expected = {}
    for k, rest in (("s1", "s2"), ("s2", "s1")):
        d = var - _exact_variance_of_two([cov[rest]])
        expected[k] = float(np.sign(d)) * float(abs(d)) ** 0.5
    assert expected["s1"] == pytest.approx(0.68877, abs=5e-6)
    qd = comb.quadratic_difference()
    assert qd["s1"] == pytest.approx(expected["s1"], rel=1e-12)
    assert qd["s2"] == pytest.approx(expected["s2"], rel=1e-9)
    s = comb.summary()
    assert np.all(np.isfinite(s.to_numpy()))
    g = comb.grouped({"big": ["s1"], "small": ["s2"]})
    assert g.loc["big", "quadratic difference"] == pytest.approx(expected["s1"], rel=1e-12)


# ----------------------------------------------------------------------------- masked and labelled
MASKED = np.ma.array([10.0, 1e6, 11.0], mask=[0, 1, 0])


@pytest.mark.parametrize("call", [
    lambda: Combination(MASKED, [1.0, 1.0, 1.0], 0.0),
    lambda: Combination([10.0, 1e6, 11.0], np.ma.array([1.0, 1.0, 1.0], mask=[0, 1, 0]), 0.0),
    lambda: Combination([10.0, 1e6, 11.0], [1.0, 1.0, 1.0],
                        np.ma.array(np.eye(3), mask=[[0, 1, 0], [1, 0, 0], [0, 0, 0]])),
    lambda: Combination([10.0, 1e6, 11.0], [1.0, 1.0, 1.0], np.ma.array(0.3, mask=True)),
    lambda: Combination([10.0, 1e6, 11.0], [[1.0, 1.0]] * 3, [0.0, np.ma.array(0.3, mask=True)]),
    lambda: Combination([10.0, 9.0, 11.0], [1.0, 1.0, 1.0], 0.0).with_errors(
        "source 1", np.ma.array([1.0, 2.0, 1.0], mask=[0, 1, 0])),
    lambda: Combination([10.0, 9.0, 11.0], [1.0, 1.0, 1.0], 0.0).with_correlation(
        "source 1", np.ma.array(0.2, mask=True)),
    lambda: blue(MASKED, np.eye(3)),
])
def test_masked_entries_are_refused(call):
    with pytest.raises(InputError, match="masked"):
        call()


def test_masked_array_message_names_the_entries():
    with pytest.raises(InputError, match=r"masked entries at \[1\]"):
        Combination(MASKED, [1.0, 1.0, 1.0], 0.0)
    assert Combination(np.ma.array([10.0, 11.0]), [1.0, 2.0], 0.0).value == pytest.approx(10.2)


def test_a_series_of_errors_is_aligned_by_label():
    values = pd.Series([10.0, 12.0, 11.0], index=["a", "b", "c"])
    shuffled = pd.Series([3.0, 1.0, 2.0], index=["c", "a", "b"], name="stat")
    comb = Combination(values, shuffled, 0.0)
    assert comb.sources == ["stat"]
    assert comb.errors["stat"].to_dict() == {"a": 1.0, "b": 2.0, "c": 3.0}
    with pytest.raises(InputError, match="do not match"):
        Combination(values, pd.Series([1.0, 2.0, 3.0], index=["x", "y", "z"]), 0.0)
    with pytest.raises(InputError, match="one source"):
        Combination(values, shuffled, 0.0, sources=["s1", "s2"])
