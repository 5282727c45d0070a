"""Tests of helpers.dimuon (unbinned ML fit of the di-muon peak) and its figures."""

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from helpers import SEED
from helpers import dimuon as dm
from helpers.data import data_dir
from helpers.figures import dimuon as fig_dimuon
from helpers.nudge import nudge
from helpers.validation import InputError

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LO, HI = dm.MASS_RANGE
TRUTH = tuple(dm.TRUTH[p] for p in dm.PARAMETERS)


def scipy_logpdf(m, mu, sigma, alpha, n, slope, f_sig, lo=LO, hi=HI):
    """The model written with scipy.stats only: truncated crystalball + truncated exponential."""
    cb = stats.crystalball(beta=alpha, m=n, loc=mu, scale=sigma)
    sig = cb.pdf(m) / (cb.cdf(hi) - cb.cdf(lo))
    if slope > 0:     # rising exponential: a decreasing one in hi - m
        bkg = stats.truncexpon(b=slope * (hi - lo), scale=1 / slope).pdf(hi - m)
    elif slope < 0:
        bkg = stats.truncexpon(b=-slope * (hi - lo), loc=lo, scale=-1 / slope).pdf(m)
    else:
        bkg = stats.uniform(lo, hi - lo).pdf(m)
    return np.log(f_sig * sig + (1 - f_sig) * bkg)


def cb_height_one(t, alpha, n):
    """Crystal Ball with peak height 1 in the standardised variable, written out."""
    if t > -alpha:
        return math.exp(-0.5 * t * t)
    a = (n / alpha) ** n * math.exp(-0.5 * alpha**2)
    return a * (n / alpha - alpha - t) ** -n


def random_params(rng):
    return (rng.uniform(10.3, 10.7), rng.uniform(0.01, 0.1), rng.uniform(0.3, 3.0),
            rng.uniform(1.2, 12.0), rng.uniform(-6.0, 6.0), rng.uniform(0.05, 0.95))


@pytest.fixture(scope="module")
def book_fit():
    return dm.fit(dm.load(), minos=True)


@pytest.fixture(scope="module")
def small_fit():
    return dm.fit(dm.simulate(10_000, SEED + 1))


# ------------------------------------------------------------------ the density
@pytest.mark.parametrize("params", [TRUTH, (10.3, 0.08, 0.5, 1.5, -4.0, 0.3), (10.7, 0.02, 2.5, 20.0, 0.0, 0.9),
                                    (10.05, 0.05, 1.0, 3.0, 8.0, 0.5)])
def test_pdf_integrates_to_one(params):
    mu, sigma, alpha = params[:3]
    f = lambda m: math.exp(dm.logpdf(m, *params))  # noqa: E731
    val, err = integrate.quad(f, LO, HI, points=[mu - alpha * sigma, mu], limit=500, epsabs=1e-13)
    assert val == pytest.approx(1.0, abs=1e-8)


def test_fast_logpdf_equals_scipy_at_random_points_and_parameters():
    rng = np.random.default_rng(SEED)
    flat = [(10.5, 0.05, 1.0, 3.0, s, 0.5) for s in (0.0, 1e-4, -1e-4, 3e-3)]  # (almost) flat background
    for params in flat + [random_params(rng) for _ in range(20)]:
        points = rng.uniform(LO, HI, 2000)
        model = dm.FastLogPdf(points)
        fast = model(model.data, *params)
        assert fast is model._lp                    # the sorted-data fast path was taken
        np.testing.assert_allclose(fast, scipy_logpdf(model.data, *params), rtol=0, atol=1e-10)
        np.testing.assert_allclose(dm.logpdf(points, *params), scipy_logpdf(points, *params), rtol=0, atol=1e-10)
        assert model.nll(*params) == pytest.approx(-2 * scipy_logpdf(points, *params).sum(), rel=1e-12)


def test_fast_logpdf_inside_the_cost_function(small_fit):
    cost, model = small_fit.cost, small_fit.model
    assert model.is_data(cost.data)                # the cost passes its own copy: fast path
    p = small_fit.values.to_numpy()
    assert cost(*p) == pytest.approx(-2 * scipy_logpdf(small_fit.masses, *p).sum(), rel=1e-12)
    other = np.array([10.2, 10.58, 10.7])
    np.testing.assert_allclose(model(other, *p), scipy_logpdf(other, *p), atol=1e-10)


def test_logpdf_shapes_components_and_outside():
    m = np.linspace(9.9, 11.1, 24).reshape(4, 6)
    lp = dm.logpdf(m, *TRUTH)
    assert lp.shape == (4, 6)
    outside = (m < LO) | (m > HI)
    assert np.all(lp[outside] == -np.inf) and np.all(np.isfinite(lp[~outside]))
    sig, bkg = dm.pdf_components(m, *TRUTH)
    np.testing.assert_allclose(sig + bkg, np.exp(lp), rtol=1e-13)
    assert np.all(sig[~outside] > 0) and np.all(bkg[~outside] > 0)


def test_cdf_closed_form():
    edges = np.linspace(LO, HI, 41)
    c = dm.cdf(edges, *TRUTH)
    assert c[0] == 0.0 and c[-1] == pytest.approx(1.0, abs=1e-14)
    for a, b, ca, cb in zip(edges[:-1], edges[1:], c[:-1], c[1:]):
        quad, _ = integrate.quad(lambda m: math.exp(dm.logpdf(m, *TRUTH)), a, b, epsabs=1e-14)
        assert cb - ca == pytest.approx(quad, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize(("lo", "hi", "mu", "sigma", "alpha", "n"), [
    (10.0, 11.0, 10.58, 0.04, 1.3, 4.0),     # tail and core
    (10.6, 11.0, 10.58, 0.04, 1.3, 4.0),     # core only
    (10.0, 10.5, 10.58, 0.04, 1.3, 4.0),     # tail only
    (10.0, 11.0, 10.58, 0.04, 1.3, 1.001),   # n close to 1 (no 1/(n-1) cancellation)
    (10.0, 11.0, 10.58, 0.04, 0.2, 60.0),    # steep, almost exponential tail
    (10.0, 11.0, 10.58, 0.04, 6.0, 2.0),     # tail starts outside the range
])
def test_cb_integral_vs_quad(lo, hi, mu, sigma, alpha, n):
    closed = dm.cb_integral(lo, hi, mu, sigma, alpha, n)
    junction = mu - alpha * sigma
    pts = [p for p in (junction, mu) if lo < p < hi]
    quad, _ = integrate.quad(lambda m: cb_height_one((m - mu) / sigma, alpha, n), lo, hi,
                             points=pts or None, limit=500, epsabs=0, epsrel=1e-13)
    assert closed == pytest.approx(quad, rel=1e-10)


# ------------------------------------------------------------------ derivatives
def test_gradient_is_exact():
    model = dm.FastLogPdf(dm.simulate(3000, SEED + 2))
    rng = np.random.default_rng(SEED + 3)
    for params in [TRUTH] + [random_params(rng) for _ in range(5)]:
        p = np.array(params)
        g = model.nll_grad(*p)
        h = 1e-6 * np.array([p[1], p[1], p[2], p[3], 1.0, 0.1])
        num = np.array([(model.nll(*(p + h[i] * np.eye(6)[i])) - model.nll(*(p - h[i] * np.eye(6)[i])))
                        / (2 * h[i]) for i in range(6)])
        scale = np.abs(np.diag(model.nll_hessian(*p))) ** 0.5    # compare in units of the curvature
        np.testing.assert_allclose(g / scale, num / scale, atol=2e-4)
        # the per-event score given to UnbinnedNLL sums to the same gradient
        np.testing.assert_allclose(-2 * model.score(model.data, *p).sum(axis=1), g, rtol=1e-9, atol=1e-6)


def test_hessian_is_exact():
    # no event near the core/tail junction: the NLL is smooth there, central differences are exact
    x = np.array([10.05, 10.2, 10.33, 10.45, 10.5, 10.57, 10.6, 10.62, 10.66, 10.7, 10.74])
    model = dm.FastLogPdf(x)
    for params in [TRUTH, (10.55, 0.03, 0.8, 2.5, -3.0, 0.3)]:
        p = np.array(params)
        exact, numeric = model.nll_hessian(*p), model.nll_hessian_numeric(*p)
        norm = np.sqrt(np.abs(np.outer(np.diag(numeric), np.diag(numeric))))
        np.testing.assert_allclose(exact / norm, numeric / norm, atol=2e-6)   # O(h^2) of the differences
        assert np.allclose(exact, exact.T)


def test_cost_gradient_matches(small_fit):
    p = small_fit.values.to_numpy()
    np.testing.assert_allclose(small_fit.cost.grad(*p), small_fit.model.nll_grad(*p), rtol=1e-9, atol=1e-6)


# ------------------------------------------------------------------ the stored sample
def test_stored_csv_is_the_documented_simulation():
    text = (data_dir() / dm.SAMPLE_FILE).read_text()
    assert text == dm.sample_csv_text()              # regenerated bit for bit from the seed
    header = [line for line in text.splitlines()[:6] if line.startswith("#")]
    assert any(f"seed={SEED}" in line for line in header)
    assert any("mu=10.58, sigma=0.04, alpha=1.3, n=4, slope=-2, f_sig=0.7" in line for line in header)
    assert any("truncated to [10, 10.75] GeV" in line for line in header)
    x = dm.load()
    assert x.shape == (dm.SAMPLE_SIZE,)
    np.testing.assert_allclose(x, dm.simulate(dm.SAMPLE_SIZE, dm.SAMPLE_SEED), rtol=0, atol=5.0001e-7)


def test_simulate_is_deterministic_and_follows_the_model():
    a, b = dm.simulate(20_000, 7), dm.simulate(20_000, 7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, dm.simulate(20_000, 8))
    assert a.min() >= LO and a.max() <= HI
    ks = stats.kstest(a, lambda m: dm.cdf(m, *TRUTH))
    assert ks.pvalue > 1e-3
    other = dict(zip(dm.PARAMETERS, (10.4, 0.06, 0.8, 2.0, -2.0, 0.3)))
    ks2 = stats.kstest(dm.simulate(20_000, 9, **other), lambda m: dm.cdf(m, **other))
    assert ks2.pvalue > 1e-3
    assert stats.kstest(a, lambda m: dm.cdf(m, **other)).pvalue < 1e-10   # and it can tell


# ------------------------------------------------------------------ the fit
def test_fit_recovers_truth_on_the_book_sample(book_fit):
    r = book_fit
    assert r.ok and r.valid and r.has_accurate_covar and not r.has_made_posdef_covar
    assert r.n_events == dm.SAMPLE_SIZE and r.n_dropped == 0
    table = r.table(dm.TRUTH)
    assert list(table.index) == list(dm.PARAMETERS)
    assert (table["pull"].abs() < 3).all(), table
    assert r.errors["mu"] < 5e-4 and r.errors["sigma"] < 5e-4
    cov, corr = r.covariance, r.correlation
    # Minuit maps the errors of limited parameters through the limit transformation itself;
    # the covariance is its linearisation: the two agree to well below a per cent
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), r.errors, rtol=1e-3)
    np.testing.assert_allclose(np.diag(corr), 1.0)
    assert corr.loc["alpha", "n"] < -0.5        # the tail parameters are strongly anti-correlated
    # HESSE = inverse of the exact Hessian (2 x, since the cost is -2 ln L)
    inv = 2 * np.linalg.inv(r.model.nll_hessian(*r.values))
    np.testing.assert_allclose(np.sqrt(np.diag(inv)), r.errors, rtol=2e-3)
    assert "valid minimum" in r.summary and "WARNING" not in r.summary


def test_minos(book_fit):
    me = book_fit.minos_errors
    assert (me["lower"] < 0).all() and (me["upper"] > 0).all()
    err = book_fit.errors
    assert me.loc["mu", "upper"] == pytest.approx(err["mu"], rel=0.05)
    assert me.loc["n", "upper"] > 1.05 * -me.loc["n", "lower"]      # n is visibly asymmetric
    prof = dm.profile(book_fit, "n", bound=2, size=9)
    assert prof["valid"].all()
    # the profile reaches 1 where MINOS says
    up = book_fit.values["n"] + me.loc["n", "upper"]
    assert np.interp(up, prof["value"], prof["delta"]) == pytest.approx(1.0, abs=0.05)
    with pytest.raises(dm.FitError, match="MINOS was not run"):
        dm.fit(dm.simulate(2000, 1)).minos_errors


def test_goodness_of_fit(book_fit, small_fit):
    for r in (book_fit, small_fit):
        table = r.binned(100)
        assert table["count"].sum() == r.n_events
        assert table["expected"].sum() == pytest.approx(r.n_events, rel=1e-10)
        g = r.gof()
        assert g["ndf"] == g["groups"] - 1 - 6
        assert 1e-3 < g["pvalue"] < 1
        assert (r.chi2, r.ndf, r.pvalue) == (g["chi2"], g["ndf"], g["pvalue"])
    # merging: with 400 bins many bins expect fewer than 50 events and are grouped
    g = small_fit.gof(bins=400, min_expected=50)
    table = small_fit.binned(400)
    assert table["expected"].min() < 50 < g["min_expected"]
    groups, o, e = [], 0.0, 0.0                     # independent merge, left to right
    for c, x in zip(table["count"], table["expected"]):
        o, e = o + c, e + x
        if e > 50:
            groups.append((o, e))
            o = e = 0.0
    if e > 0:
        groups[-1] = (groups[-1][0] + o, groups[-1][1] + e)
    obs, exp_ = np.array(groups).T
    assert g["groups"] == len(groups) < 400
    assert g["chi2"] == pytest.approx(np.sum((obs - exp_) ** 2 / exp_), rel=1e-12)
    assert g["pvalue"] == pytest.approx(stats.chi2.sf(g["chi2"], len(groups) - 7))


def test_toy_pulls_are_standard_normal():
    toys = dm.toy_study(40, 10_000, seed=SEED)
    assert len(toys) == 40 and toys["ok"].mean() >= 0.9
    summary = dm.pull_summary(toys, dm.PARAMETERS)
    k = summary["n_toys"].iloc[0]
    for p in ("mu", "sigma"):
        s = summary.loc[p]
        # 4-sigma bounds for the mean (1/sqrt(k)) and the width (1/sqrt(2(k-1))) of k pulls
        assert abs(s["mean"]) < 4 / math.sqrt(k)
        assert abs(s["width"] - 1) < 4 / math.sqrt(2 * (k - 1))
    ok = toys[toys["ok"]]
    np.testing.assert_allclose(ok["mu_pull"], (ok["mu"] - dm.TRUTH["mu"]) / ok["mu_error"])


def test_toy_study_deterministic_and_quiet(capsys):
    a = dm.toy_study(2, 2000, seed=5)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    b = dm.toy_study(2, 2000, seed=5, progress=True)
    out = capsys.readouterr()
    assert out.out == "" and "toy 2/2" in out.err
    pd.testing.assert_frame_equal(a, b)
    assert {"valid", "has_accurate_covar", "has_made_posdef_covar", "at_limit", "ok"} <= set(a.columns)


def test_seed_hessian_method(small_fit):
    table = dm.seed_hessian_errors(small_fit)
    np.testing.assert_allclose(table["hesse"], small_fit.errors)
    np.testing.assert_allclose(table["rel_diff"], table["seed_method"] / table["hesse"] - 1)
    x0 = small_fit.values.to_numpy()
    err, d2 = dm.fixed_step_errors(small_fit.model, x0, 1e-5)
    np.testing.assert_array_equal(err, table["seed_method"])
    curv = np.diag(0.5 * small_fit.model.nll_hessian(*x0))
    np.testing.assert_allclose(d2 / curv - 1, dm.second_difference_error(small_fit, 1e-5), atol=1e-12)


def test_fixed_step_errors_depend_on_the_last_bits_hesse_does_not(small_fit):
    """What holds on every machine: over copies of the fit that differ only in the last
    bits, the fixed-step error of n at the step 1e-5 moves by per cent, at 1e-3 (where the
    signal is 1e4 times larger) by a thousand times less, and HESSE's not at all."""
    spread = dm.fixed_step_spread(small_fit, steps=(1e-5, 1e-3), copies=8)
    assert list(spread.columns[:2]) == ["copy", "step"] and len(spread) == 16
    n5 = spread.loc[spread["step"] == 1e-5, "n"]
    n3 = spread.loc[spread["step"] == 1e-3, "n"]
    assert np.ptp(n5) > 0.01 and np.ptp(n3) < 1e-3 * np.ptp(n5)
    moved = dm.fit(nudge(small_fit.masses, 4))
    np.testing.assert_allclose(moved.errors, small_fit.errors, rtol=1e-5)


def test_minuit_numerical_errors_protocols(small_fit):
    usual = dm.minuit_numerical_errors(small_fit, strategy=1, migrad_first=True)
    alone = dm.minuit_numerical_errors(small_fit, strategy=1)
    for table in (usual, alone):
        assert list(table.columns) == ["hesse", "minuit_numerical", "rel_diff"]
        np.testing.assert_allclose(table["hesse"], small_fit.errors)
        assert (table["minuit_numerical"] > 0).all()
    assert usual["rel_diff"].abs().max() < 0.02


def test_nll_scan(small_fit):
    v = small_fit.values["mu"]
    e = small_fit.errors["mu"]
    scan = dm.nll_scan(small_fit, "mu", [v - e, v, v + e])
    assert scan["delta"].iloc[1] == 0.0
    # others held fixed: at one HESSE error the rise is at least the profile's 0.5
    assert (scan["delta"].iloc[[0, 2]] > 0.45).all()
    assert small_fit.model._key == tuple(small_fit.values)      # the model is left at the minimum


def test_report_rounds_to_the_error(small_fit):
    text = small_fit.report(error_digits=1)
    for p in dm.PARAMETERS:
        line = next(s for s in text.splitlines() if s.startswith(f"  {p:6s} = "))
        value, error = line.split(" = ")[1].split(" +- ")
        assert len(error.replace("0.", "").lstrip("0")) == 1, line
        assert float(error) == pytest.approx(small_fit.errors[p], rel=0.5)
        assert len(value.partition(".")[2]) == len(error.partition(".")[2])
    assert small_fit.summary == small_fit.report(2)
    assert dm.fitting.value_error(49.8, 59.2, 1) == "50 +- 60"
    assert dm.fitting.value_error(-0.0004, 0.03, 2) == "0.000 +- 0.030"   # never -0
    assert dm.fitting.value_error(1234.5, 210.0, 2) == "1230 +- 210"
    table = small_fit.rounded_table(dm.TRUTH)
    assert list(table.columns) == ["value", "error", "truth", "pull"]
    assert table.loc["n", "truth"] == "4" and len(table.loc["n", "pull"].split(".")[1]) == 2
    with pytest.raises(InputError, match="error_digits"):
        small_fit.rounded_table(error_digits=True)


def test_binned_counts_a_mass_on_an_edge_in_the_bin_above(small_fit):
    edges = np.linspace(LO, HI, 101)
    x = np.sort(np.concatenate([small_fit.masses[:5000], np.full(7, edges[40])]))
    fit = dm.fit(x)
    base = fit.binned()["count"].to_numpy()
    assert base.sum() == x.size
    for seed in (1, 2, 3):
        moved = dm.fit(nudge(x, seed))
        np.testing.assert_array_equal(moved.binned()["count"], base)
    below = np.nextafter(edges[40], 0.0)                 # a mass just below the edge, in the last bit
    assert np.histogram(np.round([below], 9), edges)[0][40] == 1


def test_simulate_nudged_when_asked(monkeypatch):
    plain = dm.simulate(5000, 3)
    monkeypatch.setenv("COURSE_BOOK_NUDGE", "7")
    moved = dm.simulate(5000, 3)
    assert not np.array_equal(moved, plain)
    ulps = np.abs(moved - plain) / np.spacing(plain)
    assert ulps.max() <= 3 and moved.min() >= LO and moved.max() <= HI
    np.testing.assert_array_equal(dm.simulate(5000, 3), moved)       # the same nudge each time
    assert dm.sample_csv_text() == (data_dir() / dm.SAMPLE_FILE).read_text()   # the file is never nudged


# ------------------------------------------------------------------ failures are loud
def test_invalid_fit_refuses_errors():
    # no peak at all: the signal shape is undefined, and which flags fail depends on the
    # last bits of the arithmetic; on every copy some do, and no error bar is handed out
    x = dm.simulate(300, 3, f_sig=0.0)
    for seed in (None, 1, 2, 3):
        r = dm.fit(x if seed is None else nudge(x, seed))
        assert not r.ok and r.problems
        for attr in ("errors", "covariance", "correlation"):
            with pytest.raises(dm.FitError, match="do not quote these errors"):
                getattr(r, attr)
        with pytest.raises(dm.FitError):
            r.table()
        assert r.summary.startswith("WARNING") and "NOT reliable" in r.summary
        assert isinstance(r.values, pd.Series) and len(r.values) == 6    # where it stopped, no error bars
    assert issubclass(dm.FitError, InputError)


def test_problems_name_what_failed(small_fit):
    import copy
    r = copy.copy(small_fit)
    assert r.ok and r.problems == ()
    r.valid = False
    assert r.problems[0].startswith("MIGRAD found no valid minimum (EDM ")
    with pytest.raises(dm.FitError, match="MIGRAD found no valid minimum"):
        r.errors
    r.valid, r.has_made_posdef_covar = True, True
    assert r.problems == ("the covariance was forced positive definite",)
    r.has_made_posdef_covar, r.has_accurate_covar = False, False
    assert r.problems == ("the covariance is not accurate",)


def test_parameter_at_limit_is_reported():
    r = dm.fit(dm.simulate(2000, SEED, f_sig=0.0))
    assert r.valid and r.has_parameters_at_limit and not r.ok
    with pytest.raises(dm.FitError, match="at a limit"):
        r.errors


# ------------------------------------------------------------------ bad input
@pytest.fixture(scope="module")
def sample():
    return dm.simulate(5000, 11)


@pytest.mark.parametrize(("masses", "kwargs", "match"), [
    ([], {}, "masses is empty"),
    ("nan", {}, "masses contains 1 NaN"),
    ("outside", {}, "3 of 5003 masses lie outside mass_range"),
    ("few", {}, "too few events: 30"),
    ("sample", {"mass_range": (10.0, 10.5)}, "lie outside"),
    ("sample", {"mass_range": (10.0, 10.5), "drop_outside": True}, "excludes the peak"),
    ("sample", {"mass_range": (11.0, 10.0)}, "lo < hi"),
    ("sample", {"mass_range": (10.5, 10.5)}, "lo < hi"),
    ("sample", {"mass_range": (10.0,)}, "two numbers"),
    ("sample", {"mass_range": (10.0, np.nan)}, "mass_range hi is NaN"),
    ("sample", {"start": {"mu": 11.5}}, "excludes the peak"),
    ("sample", {"start": {"m": 10.5}}, "unknown parameter"),
    ("sample", {"start": {"sigma": -0.1}}, "sigma and alpha must be positive"),
    ("2d", {}, "one-dimensional"),
    ("text", {}, "masses must be numbers"),
])
def test_bad_fit_input(sample, masses, kwargs, match):
    data = {
        "nan": np.append(sample, np.nan),
        "outside": np.append(sample, [9.5, 11.2, 12.0]),
        "few": sample[:30],
        "sample": sample,
        "2d": sample.reshape(-1, 2),
        "text": ["a", "b"],
    }.get(masses, masses) if isinstance(masses, str) else masses
    with pytest.raises(InputError, match=match):
        dm.fit(data, **kwargs)


def test_drop_outside(sample):
    r = dm.fit(np.append(sample, [9.5, 11.2, 12.0]), drop_outside=True)
    assert r.n_dropped == 3 and r.n_events == sample.size and r.ok
    assert "3 outside dropped" in r.summary
    with pytest.raises(InputError, match="too few events: 59 .* at least 60"):
        dm.fit(np.append(sample[:59], [12.0] * 100), drop_outside=True)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: dm.simulate(0, 1), "size must be a positive integer"),
    (lambda: dm.simulate(10.5, 1), "size must be a positive integer"),
    (lambda: dm.simulate(10, 1, sigma=-1), "sigma and alpha must be positive"),
    (lambda: dm.simulate(10, 1, n=0.5), "n must be > 1"),
    (lambda: dm.simulate(10, 1, f_sig=1.5), r"f_sig must lie in \[0, 1\]"),
    (lambda: dm.simulate(10, 1, width=1), "unknown parameter"),
    (lambda: dm.logpdf([10.5], 10.58, 0.0, 1.3, 4, 2.5, 0.6), "sigma and alpha must be positive"),
    (lambda: dm.cb_integral(11, 10, 10.58, 0.04, 1.3, 4), "lo < hi"),
    (lambda: dm.toy_study(0, 10_000), "n_toys must be a positive integer"),
    (lambda: dm.toy_study(2, 10), "size must be an integer >= 60"),
    (lambda: dm.FastLogPdf([10.5, 10.6], mass_range=(10, 10)), "lo < hi"),
])
def test_bad_other_input(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_bad_diagnostic_input(small_fit):
    with pytest.raises(InputError, match="unknown parameter 'mass'"):
        dm.profile(small_fit, "mass")
    with pytest.raises(InputError, match="bins must be a positive integer"):
        small_fit.binned(0)
    with pytest.raises(InputError, match="step must be a positive number"):
        dm.seed_hessian_errors(small_fit, step=0)
    toys = pd.DataFrame({"ok": [True], "mu_pull": [0.1]})
    with pytest.raises(InputError, match="at least 2 converged toys"):
        dm.pull_summary(toys, ("mu",))


def test_fast_path_needs_sorted_data():
    model = dm.FastLogPdf([10.7, 10.1, 10.5])
    assert np.all(np.diff(model.data) >= 0)
    with pytest.raises(InputError, match="sorted"):
        model.bind(np.array([10.7, 10.1, 10.5]))


# ------------------------------------------------------------------ figures
def test_figures_draw(small_fit):
    fig = plt.figure()
    text = fig_dimuon.draw_fit(fig, small_fit, bins=50)
    assert text.startswith("chi2/ndf = ") and len(fig.axes) == 2
    assert len(fig.axes[0].lines) == 4                      # data markers, total, signal, background
    fig = plt.figure()
    fig_dimuon.draw_profile(fig, small_fit, ("alpha", "n"), size=7)
    assert len(fig.axes) == 2
    toys = dm.toy_study(3, 10_000, seed=2)
    fig = plt.figure()
    fig_dimuon.draw_pulls(fig, toys)
    assert len(fig.axes) == 2 and "mean" in fig.axes[0].get_title()
    plt.close("all")


# ------------------------------------------------------------------ no silent wrong number
@pytest.fixture(scope="module")
def cut_minos():
    """A fit whose MINOS interval for n reaches n's lower limit (1000 events, seed 0)."""
    return dm.fit(dm.simulate(1000, seed=0), minos=True)


def test_minos_side_cut_by_a_limit_is_flagged_not_quoted(cut_minos):
    lo_n = dm.limits()["n"][0]
    table = cut_minos.minos_errors
    assert table.loc["n", "lower_at_limit"] and np.isnan(table.loc["n", "lower"])
    # independently: the profile -2 ln L, the others re-minimised with n fixed at its limit,
    # rises by less than 1 from the minimum: there is no lower edge to quote
    from iminuit import Minuit
    start = cut_minos.values.to_dict()
    start["n"] = lo_n
    m = Minuit(cut_minos.model.nll, *start.values(), name=list(start))
    m.errordef = Minuit.LEAST_SQUARES               # model.nll is -2 ln L
    for name, lim in dm.limits().items():
        m.limits[name] = lim
    m.fixed["n"] = True
    m.migrad()
    assert m.valid
    assert 0 <= m.fval - cut_minos.minuit.fval < 1.0
    assert np.isfinite(table.loc["n", "upper"]) and not table.loc["n", "upper_at_limit"]
    assert np.isfinite(table.loc["mu", ["lower", "upper"]].to_numpy(float)).all()
    assert cut_minos.rounded_table().loc["n", "lower"] == "at limit"


def test_minos_on_the_stored_sample_is_two_sided():
    table = dm.fit(dm.load(), minos=True).minos_errors
    assert not table[["lower_at_limit", "upper_at_limit"]].to_numpy().any()
    assert (table["lower"] < 0).all() and (table["upper"] > 0).all()


def test_minos_table_refuses_parameters_minos_did_not_run_on(cut_minos):
    with pytest.raises(dm.FitError, match="not run"):
        dm.fitting.minos_table(cut_minos.minuit, ["mu", "nonexistent"])


def test_gof_refuses_too_few_groups_and_the_summary_says_so():
    res = dm.fit(dm.simulate(1000, seed=1))
    with pytest.raises(InputError, match="degrees of freedom"):
        res.gof(bins=1)
    with pytest.raises(InputError, match="min_expected"):
        res.gof(min_expected=-1)
    small = dm.fit(dm.simulate(60, seed=3))
    if small.ok:
        assert "too few events" in small.summary or "chi2/ndf" in small.summary


@pytest.mark.parametrize("seed", [-1, 1.5, 2.0, "7", True, None, [1, 2], object()])
def test_simulate_and_toy_study_refuse_seeds_that_are_no_seed(seed):
    with pytest.raises(InputError, match="seed"):
        dm.simulate(100, seed=seed)
    with pytest.raises(InputError, match="seed"):
        dm.toy_study(1, 100, seed=seed)


def test_seed_kinds_that_work():
    a = dm.simulate(100, seed=5)
    assert np.array_equal(a, dm.simulate(100, seed=np.int64(5)))
    assert np.array_equal(a, dm.simulate(100, seed=np.random.default_rng(5)))
    assert np.array_equal(a, dm.simulate(100, seed=np.random.SeedSequence(5)))
    assert dm.simulate(10, seed=10**30).shape == (10,)
    # a toy study must give the same toys for the same call: no stateful generators
    for seed in (np.random.default_rng(5), np.random.SeedSequence(5)):
        with pytest.raises(InputError, match="non-negative integer"):
            dm.toy_study(1, 100, seed=seed)


@pytest.mark.parametrize("slope", [30.0, -30.0, 1e3])
def test_simulate_steep_backgrounds_follow_their_cdf(slope):
    lo, hi = dm.MASS_RANGE
    x = dm.simulate(20_000, seed=SEED, f_sig=0.0, slope=slope)
    assert np.all((x >= lo) & (x <= hi))
    if abs(slope) * (hi - lo) < 700:
        # independent CDF of the truncated exponential, written from the far end
        def cdf(m):
            return -np.expm1(slope * (m - lo)) / -np.expm1(slope * (hi - lo))
        assert stats.kstest(x, cdf).pvalue > 1e-3
    else:  # slope 1e3 /GeV: everything within a few MeV of the top of the range
        assert np.median(hi - x) == pytest.approx(math.log(2) / slope, rel=0.05)


def test_simulate_refuses_absurd_sizes():
    for size in (dm.MAX_SIZE + 1, 10**400):
        with pytest.raises(InputError, match="larger than the maximum"):
            dm.simulate(size)


def test_cb_integral_for_huge_n_is_the_exponential_tail():
    lo, hi, mu, sigma, alpha = 10.0, 10.75, 10.3, 0.05, 1.5
    ta, tb = (lo - mu) / sigma, (hi - mu) / sigma
    # n -> infinity: A (B - t)^-n -> exp(alpha t + alpha^2 / 2), corrections O(1/n)
    tail = (math.exp(-alpha**2 / 2) - math.exp(alpha * ta + alpha**2 / 2)) / alpha
    core = math.sqrt(math.pi / 2) * (math.erf(tb / math.sqrt(2)) + math.erf(alpha / math.sqrt(2)))
    assert dm.cb_integral(lo, hi, mu, sigma, alpha, 1e16) == pytest.approx(sigma * (tail + core), rel=1e-12)
    assert dm.cb_integral(lo, hi, mu, sigma, alpha, 1e8) == pytest.approx(sigma * (tail + core), rel=1e-6)


@pytest.mark.parametrize("sigma", [10.0, 1e4, 1e8, 1e12])
def test_cb_integral_far_wider_than_the_range(sigma):
    lo, hi, mu = 10.0, 10.75, 10.3
    tl, tb = (lo - mu) / sigma, (hi - mu) / sigma
    series = (tb - tl) - (tb**3 - tl**3) / 6 + (tb**5 - tl**5) / 40 - (tb**7 - tl**7) / 336
    assert dm.cb_integral(lo, hi, mu, sigma, 2.0, 3.0) == pytest.approx(sigma * series, rel=1e-14)


@pytest.mark.parametrize("masses, match", [
    (np.full(100, 10.5) + 0j, "complex"),
    (np.ma.array(np.full(100, 10.5), mask=[0] * 99 + [1]), r"masked entries at \[99\]"),
    ([10**400] * 100, "floating-point range"),
    ([None] * 100, "not None"),
])
def test_fit_refuses_masses_that_are_not_real_numbers(masses, match):
    with pytest.raises(InputError, match=match):
        dm.fit(masses)
