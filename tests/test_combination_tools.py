"""Tests of the combination tools: tables, grouped breakdowns, information weights,
pulls, iterative BLUE, and the ttbar chapter's numbers and figures."""

from __future__ import annotations

import itertools

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers.nudge import nudge
from iminuit import Minuit

from helpers import SEED, ttbar
from helpers.combination import Combination
from helpers.data import data_dir, ttbar_xsec, w_mass
from helpers.figures import ttbar as ttbar_figures
from helpers.normalisation import NormalisationProblem
from helpers.validation import InputError

matplotlib.use("Agg")

W_GROUPS = {"statistical": ["stat"], "experimental": ["exp_syst"],
            "theory": ["theory_4q", "theory_common"], "accelerator": ["beam_energy"]}


@pytest.fixture(scope="module")
def tt():
    return ttbar.lhc_combination()


@pytest.fixture(scope="module")
def wm():
    return Combination.from_table(data_dir() / "w_mass.csv")


def gls(y, cov):
    """Generalised least squares for a constant, written out with an explicit inverse:
    mu = 1^T V^-1 y / 1^T V^-1 1, var = 1 / 1^T V^-1 1, chi2 = r^T V^-1 r."""
    vinv = np.linalg.inv(np.asarray(cov, dtype=float))
    one = np.ones(len(y))
    var = 1.0 / (one @ vinv @ one)
    mu = var * (one @ vinv @ y)
    r = y - mu
    return mu, np.sqrt(var), var * (vinv @ one), r @ vinv @ r


def random_corr(rng, n):
    f = rng.normal(size=(n, 2))
    a = f @ f.T + np.diag(rng.uniform(0.05, 0.5, n))
    d = np.sqrt(np.diag(a))
    r = a / np.outer(d, d)
    np.fill_diagonal(r, 1.0)
    return r


# ----------------------------------------------------------------------------- the ttbar numbers
def test_ttbar_reproduces_the_published_combination(tt):
    p = ttbar.PUBLISHED
    b = ttbar.breakdown(tt)
    assert list(b.index) == ["stat", "syst", "lumi", "total"]
    assert list(b.columns) == ["BLUE contribution", "quadratic difference"]
    blue_c = b["BLUE contribution"]
    assert round(tt.value, 1) == p.value
    assert round(tt.value, 2) == 241.46
    assert (round(blue_c["stat"], 1), round(blue_c["syst"], 1), round(blue_c["lumi"], 1)) == (
        p.stat, p.syst, p.lumi)
    assert blue_c[["stat", "syst", "lumi"]].pow(2).sum() == pytest.approx(tt.error**2, rel=1e-12)
    assert blue_c["total"] == pytest.approx(8.5325, abs=1e-4)
    # the rounded published parts give 8.54 in quadrature; the csv's unrounded parts 8.53
    assert round(np.sqrt(p.stat**2 + p.syst**2 + p.lumi**2), 2) == 8.54
    assert round(tt.weights["ATLAS"], 3) == p.weights["ATLAS"]
    assert round(tt.weights["CMS"], 3) == p.weights["CMS"]
    assert (round(tt.chi2, 3), tt.ndf, round(tt.pvalue, 2)) == (p.chi2, p.ndf, p.pvalue)
    assert round(tt.correlation.loc["ATLAS", "CMS"], 3) == p.correlation
    cmp = ttbar.comparison(tt)
    assert list(cmp.columns) == ["published", "this code"]
    np.testing.assert_allclose(cmp["this code"], cmp["published"], atol=0.05)
    assert ttbar.groups(tt)["lumi"] == ["Vdm", "Lumi"] and len(ttbar.groups(tt)["syst"]) == 20


def test_from_table_equals_the_loader(tt):
    ref = Combination(*ttbar_xsec())
    pd.testing.assert_frame_equal(tt.covariance, ref.covariance)
    assert tt.value == ref.value and tt.error == ref.error
    raw = pd.read_csv(data_dir() / "lhc_ttbar_xsec.csv", index_col=0)
    assert Combination.from_table(raw).value == ref.value
    flat = pd.read_csv(data_dir() / "w_mass.csv", comment="#")  # names in a column
    assert Combination.from_table(flat).value == Combination(*w_mass()).value


def test_chi2_minimisation_gives_the_blue_result(tt):
    """The same chi2 written independently and minimised with iminuit."""
    y = tt.values.to_numpy()
    vinv = np.linalg.inv(tt.covariance.to_numpy())

    def chi2(mu):
        r = y - mu
        return r @ vinv @ r

    m = Minuit(chi2, mu=240.0)
    m.errordef = Minuit.LEAST_SQUARES
    m.migrad()
    assert m.valid
    assert m.values["mu"] == pytest.approx(tt.value, abs=1e-5)
    assert m.errors["mu"] == pytest.approx(tt.error, rel=1e-4)
    assert m.fval == pytest.approx(tt.chi2, rel=1e-6)
    fit = tt.fit(minos=False)
    assert fit.values["mean"] == pytest.approx(tt.value, abs=1e-5)


def test_ttbar_information_weights_and_pulls(tt):
    iw = tt.information_weights()
    assert list(iw.index) == ["ATLAS", "CMS", "correlations"]
    assert list(iw.columns) == ["BLUE weight", "intrinsic", "marginal"]
    np.testing.assert_allclose(iw["intrinsic"], [0.8180, 0.3931, -0.2111], atol=1e-4)
    np.testing.assert_allclose(iw["marginal"].iloc[:2], [0.6069, 0.1820], atol=1e-4)
    sig = tt.total_errors
    assert iw.loc["ATLAS", "intrinsic"] == pytest.approx(tt.error**2 / sig["ATLAS"] ** 2, rel=1e-12)
    # two measurements: dropping one leaves the other alone
    assert iw.loc["ATLAS", "marginal"] == pytest.approx(1 - tt.error**2 / sig["CMS"] ** 2, rel=1e-12)
    pulls = tt.pulls
    assert pulls.name == "pull" and list(pulls.index) == ["ATLAS", "CMS"]
    np.testing.assert_allclose(pulls, [0.2324, -0.2324], atol=1e-4)
    assert pulls["ATLAS"] ** 2 == pytest.approx(tt.chi2, rel=1e-10)  # n = 2: pull^2 = chi2


def test_ttbar_stability_scan(tt):
    scan = ttbar.stability_scan()
    assert scan.index.name == "rho" and scan.index[0] == 0.0 and scan.index[-1] == 1.0
    assert list(dict.fromkeys(scan.columns.get_level_values(0))) == [*ttbar.SCAN_SOURCES, "all"]
    for s in ttbar.SCAN_SOURCES:  # the row at the nominal correlation is the nominal result
        rho0 = tt.source_correlations[s].iat[0, 1]
        assert scan.loc[rho0, (s, "value")] == pytest.approx(tt.value, rel=1e-13)
    # more correlation -> larger error for every scanned source; the value barely moves
    for s in ttbar.SCAN_SOURCES:
        assert np.all(np.diff(scan[s]["error"]) > 0)
        assert np.ptp(scan[s]["value"]) < 0.1
    assert scan.loc[0.0, ("Vdm", "error")] == pytest.approx(8.18, abs=0.005)
    assert scan.loc[1.0, ("all", "error")] == pytest.approx(8.69, abs=0.005)
    assert scan.loc[0.0, ("all", "error")] == pytest.approx(7.87, abs=0.005)


# ----------------------------------------------------------------------------- grouped
def test_w_mass_grouped_theory(wm):
    g = wm.grouped(W_GROUPS)
    assert list(g.index) == [*W_GROUPS, "total"]
    assert round(g.loc["theory", "BLUE contribution"], 1) == 22.8
    assert round(g.loc["theory", "quadratic difference"], 1) == 26.0
    qd = wm.quadratic_difference()
    per_source = np.hypot(qd["theory_4q"], qd["theory_common"])  # 18.8 (+) 18.4, the wrong way
    assert (round(qd["theory_4q"], 1), round(qd["theory_common"], 1)) == (18.8, 18.4)
    assert round(per_source, 1) == 26.3 != round(g.loc["theory", "quadratic difference"], 1)
    # direct: remove both theory sources and recombine
    without = wm.without("theory_4q").without("theory_common")
    assert g.loc["theory", "quadratic difference"] == pytest.approx(
        np.sqrt(wm.error**2 - without.error**2), rel=1e-12)
    assert g.loc["theory", "BLUE contribution"] == pytest.approx(
        np.hypot(wm.uncertainties["theory_4q"], wm.uncertainties["theory_common"]), rel=1e-12)
    # the BLUE group contributions add up in quadrature; single-source groups match summary()
    assert np.sum(g["BLUE contribution"].iloc[:-1] ** 2) == pytest.approx(wm.error**2, rel=1e-12)
    s = wm.summary()
    assert g.loc["statistical"].to_numpy() == pytest.approx(s.loc["stat"].to_numpy(), rel=1e-12)
    assert g.loc["accelerator", "BLUE contribution"] == pytest.approx(17.0, rel=1e-12)
    assert g.loc["total", "quadratic difference"] == wm.error


def test_grouped_bad_groups(wm):
    with pytest.raises(InputError, match=r"unknown source\(s\) \['theory'\]"):
        wm.grouped({**W_GROUPS, "theory": ["theory"]})
    with pytest.raises(InputError, match="'stat' is in two groups"):
        wm.grouped({**W_GROUPS, "more": ["stat"]})
    with pytest.raises(InputError, match=r"\['beam_energy'\] are in no group"):
        wm.grouped({k: v for k, v in W_GROUPS.items() if k != "accelerator"})
    with pytest.raises(InputError, match="non-empty mapping"):
        wm.grouped({})
    with pytest.raises(InputError, match="non-empty list"):
        wm.grouped({**W_GROUPS, "none": []})
    with pytest.raises(InputError, match="'total' is reserved"):
        wm.grouped({"total": wm.sources})
    everything = wm.grouped({"all": wm.sources})
    assert np.isnan(everything.loc["all", "quadratic difference"])  # nothing left to combine
    assert everything.loc["all", "BLUE contribution"] == pytest.approx(wm.error, rel=1e-12)


# ----------------------------------------------------------------------------- three or more
def test_table_with_matrix_correlations_against_gls(tmp_path):
    """Four measurements from a CSV, one source with a full correlation matrix, one
    with a scalar, one uncorrelated, against an independent GLS."""
    rng = np.random.default_rng(SEED + 11)
    names = ["A", "B", "C", "D"]
    y = rng.normal(50, 2, 4)
    err = rng.uniform(0.5, 3.0, (4, 3))
    csv = tmp_path / "four.csv"
    rows = [",value,stat,model,calib"]
    rows += [f"{m},{v},{e[0]},{e[1]},{e[2]}" for m, v, e in zip(names, y, err)]
    rows += ["correlation,,0,,0.4"]  # model: matrix only
    csv.write_text("\n".join(rows) + "\n")
    m = random_corr(rng, 4)
    calib = np.full((4, 4), 0.4)
    np.fill_diagonal(calib, 1.0)
    cov = (np.diag(err[:, 0] ** 2) + np.outer(err[:, 1], err[:, 1]) * m
           + np.outer(err[:, 2], err[:, 2]) * calib)
    mu, sigma, w, chi2 = gls(y, cov)
    perm = ["C", "A", "D", "B"]
    frame = pd.DataFrame(m, index=names, columns=names).loc[perm, perm]
    for matrix in (frame, m):
        c = Combination.from_table(csv, matrices={"model": matrix})
        assert c.value == pytest.approx(mu, rel=1e-12)
        assert c.error == pytest.approx(sigma, rel=1e-10)
        np.testing.assert_allclose(c.weights.loc[names], w, rtol=1e-9, atol=1e-12)
        assert c.chi2 == pytest.approx(chi2, rel=1e-9)
        assert c.ndf == 3
    # the marginal weight of i is the information lost without i, recomputed directly
    iw = c.information_weights()
    for i, name in enumerate(names):
        keep = [j for j in range(4) if j != i]
        _, s_without, _, _ = gls(y[keep], cov[np.ix_(keep, keep)])
        assert iw.loc[name, "marginal"] == pytest.approx(1 - sigma**2 / s_without**2, rel=1e-9)
    # pulls have unit variance: propagate C through pull = (I - 1 w^T) y / sqrt(var)
    var = np.diag(cov) - sigma**2
    a = (np.eye(4) - np.outer(np.ones(4), w)) / np.sqrt(var)[:, None]
    np.testing.assert_allclose(np.diag(a @ cov @ a.T), 1.0, rtol=1e-9)
    np.testing.assert_allclose(c.pulls.loc[names], a @ y, rtol=1e-9)


def test_information_weight_sum_rules():
    rng = np.random.default_rng(SEED + 12)
    for _ in range(20):
        n = int(rng.integers(2, 6))
        y = rng.normal(0, 1, n)
        err = rng.uniform(0.3, 2.0, (n, 2))
        c = Combination(y, err, [0.0, random_corr(rng, n)])
        iw = c.information_weights()
        assert iw["intrinsic"].sum() == pytest.approx(1.0, abs=1e-12)
        assert np.all(iw["intrinsic"].iloc[:-1] > 0)
        assert np.all(iw["marginal"].iloc[:-1] >= -1e-12) and np.all(iw["marginal"].iloc[:-1] <= 1)
        assert iw.loc["correlations", "intrinsic"] == pytest.approx(
            1 - np.sum(c.error**2 / c.total_errors**2), abs=1e-12)
        np.testing.assert_allclose(iw["BLUE weight"].iloc[:-1], c.weights)
        # uncorrelated: intrinsic = marginal = BLUE weight, no correlation term
        u = Combination(y, err, 0.0)
        iu = u.information_weights()
        np.testing.assert_allclose(iu["marginal"].iloc[:-1], iu["intrinsic"].iloc[:-1], rtol=1e-10)
        np.testing.assert_allclose(iu["BLUE weight"].iloc[:-1], iu["intrinsic"].iloc[:-1], rtol=1e-10)
        assert iu.loc["correlations", "intrinsic"] == pytest.approx(0.0, abs=1e-12)
    # correlation beyond sigma1/sigma2 = 0.5: negative BLUE weight, positive information
    # weights. For two measurements the correlation term is c (c (a + b) - 2ab) / (ab (a + b - 2c))
    # with a, b the variances and c the covariance: negative below c = 2ab/(a + b) = 1.6
    # (rho = 0.8), positive above, where the combination beats uncorrelated inputs.
    for rho, sign in [(0.7, -1), (0.8, 0), (0.95, 1)]:
        neg = Combination([10.0, 11.0], [[1.0], [2.0]], rho)
        iw = neg.information_weights()
        assert iw.loc["m2", "BLUE weight"] < 0 < iw.loc["m2", "intrinsic"]
        a, b, c = 1.0, 4.0, 2.0 * rho
        term = c * (c * (a + b) - 2 * a * b) / (a * b * (a + b - 2 * c))
        assert iw.loc["correlations", "intrinsic"] == pytest.approx(term, abs=1e-12)
        assert np.sign(round(term, 12)) == sign
        assert iw.loc["m2", "marginal"] == pytest.approx(1 - neg.error**2 / 1.0, rel=1e-12)


# ----------------------------------------------------------------------------- iterative BLUE
def normalisation_combination():
    stat = [0.16, 0.17]
    return Combination(pd.Series([8.0, 8.5], index=["y1", "y2"]),
                       pd.DataFrame({"stat": stat, "norm": [0.8, 0.85]}, index=["y1", "y2"]),
                       {"stat": 0.0, "norm": 1.0})


def test_iterated_blue_is_the_relative_covariance_fit():
    comb = normalisation_combination()
    assert comb.history is None
    it = comb.iterated("norm")
    # the stat-weighted mean, with sqrt(stat error^2 + (10 % of it)^2)
    w = np.array([0.16, 0.17]) ** -2.0
    mean = w @ [8.0, 8.5] / w.sum()
    assert it.value == pytest.approx(mean, rel=1e-14)
    assert it.error == pytest.approx(np.sqrt(1 / w.sum() + (0.1 * mean) ** 2), rel=1e-13)
    assert (round(it.value, 4), round(it.error, 4)) == (8.2349, 0.8317)
    fit = NormalisationProblem([8.0, 8.5], [0.16, 0.17], 0.1).relative_covariance_fit()
    assert it.value == pytest.approx(fit.value, rel=1e-7)
    assert it.error == pytest.approx(fit.error, rel=1e-6)
    np.testing.assert_allclose(it.errors["norm"], [0.1 * mean] * 2, rtol=1e-14)
    h = it.history
    assert list(h.columns) == ["value", "error", "change"] and h.index.name == "iteration"
    assert list(h.index) == [0, 1, 2]  # converged at the second recombination
    assert h.loc[0, "value"] == pytest.approx(comb.value) and comb.value < 8.0  # D'Agostini bias
    # the fixed point: zero in exact arithmetic, recorded as exactly 0 (not +-1 ulp)
    assert h.loc[2, "change"] == 0.0 and str(h.loc[2, "change"]) == "0.0"
    for seed in range(5):   # whatever the rounding of the inputs
        y = nudge([8.0, 8.5], seed)
        hn = Combination(y, [[0.02 * y[0], 0.8], [0.02 * y[1], 0.85]], {"stat": 0.0, "norm": 1.0},
                         sources=["stat", "norm"]).iterated("norm").history
        assert str(hn["change"].iloc[-1]) == "0.0" and abs(hn["change"].iloc[1]) > 1e-6
    assert comb.value == pytest.approx(NormalisationProblem([8.0, 8.5], [0.16, 0.17], 0.1)
                                       .covariance_fit().value, rel=1e-12)


@pytest.mark.parametrize("rho", [0.0, 0.3])
def test_iterated_all_relative_equal_fractions_is_the_arithmetic_mean(rho):
    y = np.array([10.0, 12.0, 14.5])
    c = Combination(y, 0.05 * y, rho, sources=["eff"])
    assert c.value < y.mean()  # smaller values have smaller errors before iterating
    it = c.iterated(["eff"], tol=1e-12)
    assert it.value == pytest.approx(y.mean(), rel=1e-13)
    np.testing.assert_allclose(it.weights, 1 / 3, rtol=1e-12)
    np.testing.assert_allclose(it.errors["eff"], 0.05 * y.mean(), rtol=1e-13)


def test_iterated_errors():
    comb = normalisation_combination()
    with pytest.raises(InputError, match=r"did not converge after 1 iterations: the last change .* was 0\.361"):
        comb.iterated("norm", max_iter=1)
    with pytest.raises(InputError, match="unknown source 'lumi'"):
        comb.iterated("lumi")
    with pytest.raises(InputError, match="at least one source"):
        comb.iterated([])
    with pytest.raises(InputError, match="tol must be a positive number"):
        comb.iterated("norm", tol=0.0)
    with pytest.raises(InputError, match="max_iter must be a positive integer"):
        comb.iterated("norm", max_iter=2.5)
    zero = Combination([0.0, 1.0], [[0.1, 0.1], [0.1, 0.1]], [0.0, 0.0])
    with pytest.raises(InputError, match=r"\['m1'\] have the value 0"):
        zero.iterated("source 2")
    # every error relative and the combination driven to 0: singular on the way
    flip = Combination([-1.0, 1.0], [0.5, 0.5], 0.0, sources=["rel"])
    with pytest.raises(InputError, match="iterative BLUE failed at iteration 1 .*zero total uncertainty"):
        flip.iterated("rel")


# ----------------------------------------------------------------------------- bad tables
def _write(tmp_path, text):
    p = tmp_path / "t.csv"
    p.write_text(text)
    return p


@pytest.mark.parametrize("text, kwargs, match", [
    (",Experiment,a,b\nX,1,0.1,0.2\nY,2,0.1,0.2\nCorrelations,,0,\n", {},
     r"missing correlation for source\(s\) \['b'\]"),
    (",Experiment,a\nX,1,0.1\nY,2,0.1\n", {}, r"\['a'\] \(the table has no correlation row\)"),
    (",Experiment,a\nX,1,0.1\nY,2,0.1\nCorrelations,,0\n", {"matrices": {"b": np.eye(2)}},
     r"matrices given for source\(s\) \['b'\] that are not in the table"),
    (",mass,a\nX,1,0.1\nY,2,0.1\nCorrelations,,0\n", {}, "no value column"),
    (",mass,a\nX,1,0.1\nY,2,0.1\nCorrelations,,0\n", {"value_column": "Mass"}, "no value column 'Mass'"),
    (",Experiment,a\nX,1,0.1\nY,2,0.1\nCorrelations,,0\n", {"correlation_row": "rho"}, "no correlation row 'rho'"),
    (",Experiment,a\nX,1,-0.1\nY,2,0.1\nCorrelations,,0\n", {}, "errors of source 'a' must be non-negative"),
    (",Experiment,a\nX,1,abc\nY,2,0.1\nCorrelations,,0\n", {}, "must hold numbers"),
    (",Experiment,a\nX,1,0.1\nY,2,0.1\nCorrelations,,1.5\n", {}, r"must lie in \[-1, 1\]"),
    (",Experiment,a\nX,1,0.1\nY,2,0.1\nCorrelations,,1\n", {}, "total covariance is (singular|not positive definite)"),
    (",Experiment,a\nX,1,0.1\nY,2,0.0\nCorrelations,,0\n", {}, r"\['Y'\] have zero total uncertainty"),
    (",Experiment\nX,1\nY,2\nCorrelations,\n", {}, "no uncertainty columns"),
    (",Experiment,a\nX,1,0.1\nCorrelations,,0\n", {}, "at least 2"),
    (",Experiment,a,b\nX,1,0.1,0.1\nY,2,0.1,0.1\nCorrelations,,0,\n",
     {"matrices": {"b": pd.DataFrame(np.eye(2), index=["X", "Z"], columns=["X", "Z"])}},
     r"unknown \['Z'\]"),
])
def test_bad_tables(tmp_path, text, kwargs, match):
    with pytest.raises(InputError, match=match):
        Combination.from_table(_write(tmp_path, text), **kwargs)


def test_bad_table_arguments(tmp_path):
    with pytest.raises(InputError, match="not found"):
        Combination.from_table(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="path to a CSV file or a DataFrame"):
        Combination.from_table([[1, 2]])
    good = Combination.from_table(_write(tmp_path, ",Experiment,a\nX,1,0.1\nY,2,0.1\nCorrelations,,0\n"))
    assert good.value == pytest.approx(1.5) and good.names == ["X", "Y"]
    # a matrix replaces the table entry of its source
    m = Combination.from_table(_write(tmp_path, ",Experiment,a\nX,1,0.1\nY,2,0.2\nCorrelations,,0\n"),
                               matrices={"a": [[1, 0.5], [0.5, 1]]})
    assert m.correlation.loc["X", "Y"] == pytest.approx(0.5)


# ----------------------------------------------------------------------------- figures
def test_ttbar_figures_draw():
    fig = plt.figure()
    ttbar_figures.draw_contributions(fig)
    assert len(fig.axes) == 2
    fig2 = plt.figure()
    ttbar_figures.draw_stability_scan(fig2)
    assert len(fig2.axes) == 2 and len(fig2.axes[0].lines) >= 5
    plt.close("all")


@pytest.mark.parametrize("corner", list(itertools.product([0.0, 1.0], repeat=2)))
def test_ttbar_stability_panel_corners(corner, tt):
    panel = ttbar_figures.PANELS["stability"].widget()
    settings = dict(zip(["mc_ps", "vdm"], corner))
    text = panel.update(**settings)
    assert text.startswith("σ = ") and len(panel.output.outputs) == 1
    comb = tt.with_correlation("MC+PS", corner[0]).with_correlation("Vdm", corner[1])
    assert f"{comb.value:.1f} ± {comb.error:.2f} pb" in text
    assert f"MC+PS {corner[0]:.2f}" in text and f"Vdm {corner[1]:.2f}" in text
    plt.close("all")


def test_ttbar_stability_panel_text_and_bad_keyword(tt):
    fig = plt.figure()
    text = ttbar_figures.draw_stability_panel(fig)
    assert text == (f"σ = {tt.value:.1f} ± {tt.error:.2f} pb (nominal {tt.value:.1f} ± "
                    f"{tt.error:.2f}), weights 0.725 / 0.275, chi2 = 0.054.")
    assert ttbar_figures.SLIDER_SOURCES == {"vdm": "Vdm", "mc_ps": "MC+PS", "stop": "STop", "scale": "Scale"}
    with pytest.raises(InputError, match="unknown source keyword"):
        ttbar_figures.draw_stability_panel(plt.figure(), lumi_x=0.3)
    with pytest.raises(InputError, match=r"must lie in \[-1, 1\]"):
        ttbar_figures.draw_stability_panel(plt.figure(), vdm=1.2)
    plt.close("all")
