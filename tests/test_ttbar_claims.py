"""Every computable claim of the chapter book/ttbar.ipynb, one test per claim.

Each test quotes the sentence it checks (docstring) and first asserts that the chapter
still says it (``_says``), so the prose and the tests cannot drift apart silently.
Numbers in the prose are glued; these tests check the *statements* about them.
Also the small helpers the chapter added to helpers/ttbar.py and helpers/figures/ttbar.py.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest

from helpers import SEED, InputError, data, ttbar
from helpers.combination import Combination, zero_weight_correlation
from helpers.figures import normalisation as norm_figs
from helpers.figures import ttbar as figs

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NOTEBOOK = data.data_dir().parent / "ttbar.ipynb"


@lru_cache(maxsize=1)
def _notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _says(fragment: str) -> None:
    """The chapter's markdown contains ``fragment`` (whitespace-insensitive)."""
    prose = _norm("\n".join(c.source for c in _notebook().cells if c.cell_type == "markdown"))
    assert _norm(fragment) in prose, f"the chapter no longer says: {fragment!r}"


def _figure_meta(name: str) -> dict:
    for c in _notebook().cells:
        fig = c.metadata.get("mystnb", {}).get("figure", {})
        if fig.get("name") == name:
            return c.metadata["mystnb"]
    raise AssertionError(f"no figure {name}")


@pytest.fixture(scope="module")
def comb():
    return Combination.from_table(data.data_dir() / "lhc_ttbar_xsec.csv")


@pytest.fixture(scope="module")
def scan(comb):
    return ttbar.stability_scan(comb=comb)


@pytest.fixture(scope="module")
def wscan(comb):
    return ttbar.information_scan(comb=comb)


@pytest.fixture(scope="module")
def spread(comb):
    return ttbar.rounding_spread(comb)


def _corr(comb, source):
    return comb.source_correlations[source].iat[0, 1]


# ----------------------------------------------------------------------------- the inputs
def test_correlation_assumptions_of_the_table(comb):
    """"... are taken as uncorrelated between the experiments ... are taken as fully
    correlated: the parton distribution functions (PDF), the single-top and diboson
    backgrounds (STop, DiBos), one jet-energy-scale component (JESf) and `Vdm` ... The
    remaining (MC+PS ..., Scale ..., and JESc) are given a correlation of 0.5 ... `Lumi`,
    is uncorrelated." """
    _says("fully correlated: the parton distribution functions (PDF), the single-top and "
          "diboson backgrounds (STop, DiBos), one jet-energy-scale component (JESf) and `Vdm`")
    _says("`Lumi`, is uncorrelated")
    rho = {s: _corr(comb, s) for s in comb.sources}
    assert {s for s, r in rho.items() if r == 1.0} == {"PDF", "STop", "DiBos", "JESf", "Vdm"}
    assert {s for s, r in rho.items() if r == 0.5} == {"MC+PS", "Scale", "JESc"}
    assert all(r in (0.0, 0.5, 1.0) for r in rho.values())
    assert rho["Lumi"] == 0.0 and rho["Stat"] == 0.0


def test_inputs_are_rounded_to_a_tenth_of_a_pb():
    """"its numbers are rounded to 0.1 pb" """
    _says("its numbers are rounded to 0.1 pb")
    values, errors, _ = data.ttbar_xsec()
    for x in [*values, *errors.to_numpy().ravel()]:
        assert abs(10 * x - round(10 * x)) < 1e-9


def test_no_beam_energy_source(comb):
    """"it has no uncertainty for the LHC beam energy" """
    _says("it has no uncertainty for the LHC beam energy")
    assert not [s for s in comb.sources if re.search(r"beam|energy|ebeam", s, re.I)]


def test_atlas_more_precise_and_weights_positive(comb):
    """"ATLAS is the more precise measurement ... well below the ratio of the total
    errors ... Both weights will be positive." """
    _says("ATLAS is the more precise measurement")
    _says("Both weights will be positive.")
    sig = comb.total_errors
    assert sig["ATLAS"] < sig["CMS"]
    assert comb.correlation.loc["ATLAS", "CMS"] < zero_weight_correlation(comb) - 0.3
    assert (comb.weights > 0).all()


def test_dataframe_append_is_gone():
    """"pandas deprecated that method in version 1.4 and removed it in 2.0; with the
    pandas this book uses the cell stops with an `AttributeError`." """
    _says("removed it in 2.0; with the pandas this book uses the cell stops with an `AttributeError`")
    assert int(pd.__version__.split(".")[0]) >= 2
    df = pd.DataFrame({"a": [1.0]})
    with pytest.raises(AttributeError):
        df.append(pd.Series({"a": 2.0}))  # the common mistake the chapter shows
    row = pd.Series({"a": 2.0}, name="new")
    assert list(pd.concat([df, row.to_frame().T])["a"]) == [1.0, 2.0]


# ----------------------------------------------------------------------------- reproduction
def test_groups_add_up_in_quadrature(comb):
    """"Because the groups share one set of weights and together hold every source, they
    add up in quadrature to the total." """
    _says("they add up in quadrature to the total")
    b = ttbar.breakdown(comb)["BLUE contribution"]
    assert b[["stat", "syst", "lumi"]].pow(2).sum() == pytest.approx(comb.error**2, rel=1e-12)
    assert sorted(sum(ttbar.groups(comb).values(), [])) == sorted(comb.sources)


def test_rounded_numbers_agree_with_the_note(comb):
    """"Rounded the way the note prints them, all numbers agree with the note" """
    _says("Rounded the way the note prints them, all numbers agree with the note")
    p = ttbar.PUBLISHED
    b = ttbar.breakdown(comb)["BLUE contribution"]
    assert round(comb.value, 1) == p.value
    assert (round(b["stat"], 1), round(b["syst"], 1), round(b["lumi"], 1)) == (p.stat, p.syst, p.lumi)
    assert round(comb.weights["ATLAS"], 3) == p.weights["ATLAS"]
    assert round(comb.weights["CMS"], 3) == p.weights["CMS"]
    assert (round(comb.chi2, 3), comb.ndf, round(comb.pvalue, 2)) == (p.chi2, p.ndf, p.pvalue)
    assert round(comb.correlation.loc["ATLAS", "CMS"], 3) == p.correlation


def test_blue_value_minimises_chi2(comb):
    """"The BLUE value is the μ that minimises χ²(μ) = (y − μ1)ᵀ C⁻¹ (y − μ1)" """
    _says("The BLUE value is the $\\mu$ that minimises $\\chi^2(\\mu) =")
    mu = comb.value
    for h in (1e-3, 0.1, 5.0):
        assert comb.chi2_curve(mu + h) > comb.chi2_curve(mu) < comb.chi2_curve(mu - h)
    assert comb.chi2_curve(mu) == pytest.approx(comb.chi2, rel=1e-12)


def test_minuit_agrees_with_blue(comb):
    """"Value, error and χ² agree" (Minuit against BLUE)."""
    _says("Value, error and $\\chi^2$ agree")
    m = comb.fit(minos=False)
    assert m.valid
    assert m.values["mean"] == pytest.approx(comb.value, abs=1e-5)
    assert m.errors["mean"] == pytest.approx(comb.error, rel=1e-5)
    assert m.fval == pytest.approx(comb.chi2, abs=1e-8)


def test_inverse_hessian_is_half_the_variance(comb):
    """"the inverse Hessian is σ²/2, and its square root ... would understate the error by
    a factor √2" (and the course notebook's hess_inv, 36.40208917, is that number)."""
    _says("the inverse Hessian is $\\sigma_{\\hat\\mu}^2/2$")
    from scipy.optimize import minimize

    h = 0.5
    mu = comb.value
    curv = (comb.chi2_curve(mu + h) - 2 * comb.chi2_curve(mu) + comb.chi2_curve(mu - h)) / h**2
    assert curv == pytest.approx(2 / comb.error**2, rel=1e-9)
    cinv = np.linalg.inv(comb.covariance.to_numpy())
    y = comb.values.to_numpy()
    res = minimize(lambda x: (y - x) @ cinv @ (y - x), [0.0])   # as in the course notebook
    assert res.x[0] == pytest.approx(comb.value, abs=1e-6)
    assert res.hess_inv[0, 0] == pytest.approx(comb.error**2 / 2, rel=1e-3)
    assert round(comb.error**2 / 2, 2) == round(36.40208917, 2)
    assert np.sqrt(comb.error**2 / 2) * np.sqrt(2) == pytest.approx(comb.error)


def test_rounding_moves_groups_by_two_hundredths(spread):
    """"Within the rounding of the file, the stat, syst and lumi parts scatter by about two
    hundredths of a pb" """
    _says("the stat, syst and lumi parts scatter by about two hundredths of a pb")
    for g in ("stat", "syst", "lumi"):
        assert 0.015 < spread.loc[g, "std"] < 0.025


def test_third_digit_of_weights_and_chi2_at_the_limit(spread):
    """"the third digit of the weights and of χ² is at the limit of what the file
    determines" (spread larger than half a unit of the third digit)."""
    _says("the third digit of the weights and of $\\chi^2$ is at the limit of what the file determines")
    assert spread.loc["weight ATLAS", "std"] > 0.0005
    assert spread.loc["chi2", "std"] > 0.0005


def test_last_printed_digit_can_flip(spread, comb):
    """"the last printed digit of the three parts can flip: our lumi part lies only ...
    pb above 6.15, below which the printed 6.2 would become 6.1, and in 2000 trials the
    lumi part ranges from 6.12 to 6.22 pb." """
    _says("the last printed digit of the three parts can flip")
    _says("and in {glue:text}`ttbar_n_trials:.0f` trials the lumi part ranges from")
    assert len(ttbar.rounding_trials(comb)) == ttbar.ROUNDING_TRIALS
    for g in ("stat", "syst", "lumi"):
        assert round(spread.loc[g, "min"], 1) != round(spread.loc[g, "max"], 1), g
    lumi = ttbar.breakdown(comb).loc["lumi", "BLUE contribution"]
    assert 0 < lumi - (ttbar.PUBLISHED.lumi - 0.05) < 0.03
    assert spread.loc["lumi", "min"] < ttbar.PUBLISHED.lumi - 0.05 < spread.loc["lumi", "max"]


def test_published_numbers_inside_rounding_range(spread):
    """"Every number the note prints lies inside the range the rounded inputs allow." """
    _says("Every number the note prints lies inside the range the rounded inputs allow.")
    p = ttbar.PUBLISHED
    printed = {"value": p.value, "stat": p.stat, "syst": p.syst, "lumi": p.lumi,
               "weight ATLAS": p.weights["ATLAS"], "weight CMS": p.weights["CMS"],
               "chi2": p.chi2, "correlation": p.correlation}
    for row, x in printed.items():
        assert spread.loc[row, "min"] <= x <= spread.loc[row, "max"], row


def test_rounding_before_adding_changes_the_last_digit(comb):
    """"The printed parts ... add in quadrature to 8.54 pb, while the unrounded parts give
    8.53 pb. Always add unrounded numbers." """
    _says("rounding *before* adding")
    assert round(ttbar.published_total(), 2) != round(comb.error, 2)
    assert ttbar.published_total() > comb.error


# ----------------------------------------------------------------------------- contributions
def test_luminosity_dominates(comb):
    """"The luminosity dominates. `Lumi` ... and `Vdm` ... are the two largest single
    contributions, and the lumi group ... is larger than all ... systematic sources
    together ... The next ones are the generator and parton shower (MC+PS ...) and the
    PDFs ... Statistics is the smallest group." """
    _says("are the two largest single contributions")
    _says("Statistics is the smallest group.")
    order = list(comb.uncertainties.sort_values(ascending=False).index)
    assert order[:4] == ["Lumi", "Vdm", "MC+PS", "PDF"]
    b = ttbar.breakdown(comb)["BLUE contribution"].drop("total")
    assert b["lumi"] > b["syst"] > b["stat"]
    assert len(ttbar.groups(comb)["syst"]) == len(comb.sources) - len(ttbar.STAT) - len(ttbar.LUMI)


def test_fully_correlated_sources_are_averaged(comb):
    """"For a fully correlated source the BLUE contribution is ... w1 a + w2 b ... a
    weighted *average* of the two errors (both weights lie between 0 and 1 here), never
    smaller than the smaller of them" """
    _says("a weighted *average* of the two errors (both weights lie between 0 and 1 here), "
          "never smaller than the smaller of them")
    w = comb.weights.to_numpy()
    assert ((0 <= w) & (w <= 1)).all() and w.sum() == pytest.approx(1.0, rel=1e-12)
    for s in comb.sources:
        if _corr(comb, s) == 1.0:
            a, b = comb.errors[s]
            assert comb.uncertainties[s] == pytest.approx(w[0] * a + w[1] * b, rel=1e-12)
            assert min(a, b) <= comb.uncertainties[s] <= max(a, b)


def test_statistical_error_below_both(comb):
    """"The statistical error of the combination ... is smaller than that of either
    experiment." """
    _says("is smaller than that of either experiment")
    assert comb.uncertainties["Stat"] < comb.errors["Stat"].min()


def test_syst_and_lumi_not_improved(comb):
    """"Two groups are *not* improved by combining. The combination's syst part ... is
    larger than that of ATLAS alone ... and its lumi part ... is no smaller than that of
    CMS alone ... Only the statistical part and the total are smaller than in either
    experiment." """
    _says("Two groups are *not* improved by combining.")
    _says("is no smaller than that of CMS alone")
    _says("Only the statistical part and the total are smaller than in either experiment.")
    own = ttbar.measurement_groups(comb)
    b = ttbar.breakdown(comb)["BLUE contribution"]
    assert b["syst"] > own.loc["syst", "ATLAS"]
    assert own.loc["lumi", "CMS"] < b["lumi"] < own.loc["lumi", "CMS"] + 0.05
    for g in ("stat", "total"):
        assert b[g] < own.loc[g].min()
    for g in ("syst", "lumi"):
        assert b[g] > own.loc[g].min()
    assert own.loc["lumi", "ATLAS"] > own.loc["lumi", "CMS"]
    assert own.loc["syst", "CMS"] > own.loc["syst", "ATLAS"]


def test_lumi_difference_below_what_rounding_determines(comb, spread):
    """"lies 0.01 pb above that of CMS alone, ..., a difference below what the rounded inputs
    determine. In 64 % of the trials the combination's lumi part comes out larger than that
    of CMS, in the others smaller: the file cannot tell which is larger." (Going deeper: the
    last digit; the earlier wording "in only 64 %" read oddly.)

    The reviewer's point: the combination's lumi part exceeds CMS's by 0.011 pb, below
    the rounding scatter of the lumi part (0.018 pb), so "slightly larger" was not
    something the rounded table can tell."""
    _says("a difference below what the rounded inputs determine. In "
          "{glue:text}`ttbar_lumi_above_pct:.0f` % of the trials the combination's lumi part comes "
          "out larger than that of CMS, in the others smaller: the file cannot tell which is larger.")
    _says("(which of the two is larger the rounded inputs cannot decide: see the last digit below)")
    own = ttbar.measurement_groups(comb)
    b = ttbar.breakdown(comb)["BLUE contribution"]
    diff = b["lumi"] - own.loc["lumi", "CMS"]
    assert 0 < diff < spread.loc["lumi", "std"]
    trials = ttbar.rounding_trials(comb)
    # the same trials as the rounding study of the chapter
    assert trials["lumi"].std() == pytest.approx(spread.loc["lumi", "std"], rel=1e-12)
    assert trials["lumi"].min() == spread.loc["lumi", "min"]
    frac = (trials["lumi"] > trials["lumi CMS"]).mean()
    assert 0.5 < frac < 0.8                        # undetermined: far from certain either way
    # a larger study agrees (the reviewer's 20000 trials)
    big = ttbar.rounding_trials(comb, n=20000)
    assert (big["lumi"] > big["lumi CMS"]).mean() == pytest.approx(0.64, abs=0.01)
    # the per-trial own groups are those of measurement_groups on the unjittered table
    tiny = ttbar.rounding_trials(comb, half_width=1e-12, n=3)
    np.testing.assert_allclose(tiny["lumi CMS"], own.loc["lumi", "CMS"], rtol=1e-9)
    np.testing.assert_allclose(tiny["syst ATLAS"], own.loc["syst", "ATLAS"], rtol=1e-9)


def test_quadratic_differences_do_not_add_up(comb):
    """"the three together make ... pb, more than the total" """
    _says("more than the total")
    qd = ttbar.breakdown(comb)["quadratic difference"].drop("total")
    assert np.sqrt((qd**2).sum()) > comb.error + 0.5


# ----------------------------------------------------------------------------- information
def test_intrinsic_weights_sum_to_more_than_one(comb):
    """"The intrinsic weights of ATLAS ... and CMS ... add up to ..., *more* than one, so
    the correlations get a negative information weight" """
    _says("*more* than one, so the correlations get a negative information weight")
    iw = comb.information_weights()["intrinsic"]
    assert iw[["ATLAS", "CMS"]].sum() > 1
    assert iw["correlations"] < 0
    assert iw.sum() == pytest.approx(1.0, abs=1e-14)


def test_sum_rule_and_uncorrelated_error(comb):
    """"Σ σ²/σᵢ² = σ²/σ_unc², ... σ_unc ... is the error the combination would have if the
    two measurements, with the same total errors, were uncorrelated. The positive
    correlation makes the combination *worse* than that" """
    _says("The positive correlation makes the combination *worse* than that")
    iw = comb.information_weights()["intrinsic"]
    s_unc = ttbar.uncorrelated_error(comb)
    assert iw[["ATLAS", "CMS"]].sum() == pytest.approx(comb.error**2 / s_unc**2, rel=1e-12)
    zero = comb.with_correlation(comb.sources, 0.0)
    assert zero.error == pytest.approx(s_unc, rel=1e-12)
    assert comb.error > s_unc


def test_correlation_term_sign_follows_the_error(comb):
    """"The information weight of the correlations is negative exactly when σ > σ_unc ...
    Anti-correlated measurements would give a positive term." """
    _says("negative exactly when $\\sigma_{\\hat\\mu} > \\sigma_\\text{unc}$")
    _says("Anti-correlated measurements would give a positive term.")
    cases = [comb, comb.with_correlation(["Vdm", "PDF"], -1.0),
             comb.with_correlation(comb.sources, -0.5), comb.with_correlation(comb.sources, 0.8)]
    signs = set()
    for c in cases:
        term = c.information_weights().loc["correlations", "intrinsic"]
        assert (term < 0) == (c.error > ttbar.uncorrelated_error(c))
        signs.add(np.sign(term))
    assert signs == {-1.0, 1.0}
    anti = Combination([1.0, 2.0], [1.0, 1.5], -0.4)
    assert anti.information_weights().loc["correlations", "intrinsic"] > 0


def test_positive_correlation_above_threshold_beats_sigma_unc(comb):
    """"So would a positive correlation above 2σ₁σ₂/(σ₁² + σ₂²) (0.94 here), where the
    combination becomes more precise than σ_unc." """
    _says("So would a positive correlation above $2\\sigma_1\\sigma_2/(\\sigma_1^2 + \\sigma_2^2)$")
    _says("where the combination becomes more precise than $\\sigma_\\text{unc}$")
    thr = ttbar.information_neutral_correlation(comb)
    s1, s2 = comb.total_errors
    assert thr == pytest.approx(2 * s1 * s2 / (s1**2 + s2**2), rel=1e-14)
    s_unc = ttbar.uncorrelated_error(comb)
    assert comb.correlation.loc["ATLAS", "CMS"] < thr
    for rho, sign in [(thr - 0.02, +1), (thr - 0.5, +1), (thr + 0.02, -1), (0.99, -1), (-0.3, -1)]:
        c = Combination(comb.values, comb.total_errors, rho)
        assert np.sign(c.error - s_unc) == sign, rho
        term = c.information_weights().loc["correlations", "intrinsic"]
        assert np.sign(term) == -sign, rho
    at = Combination(comb.values, comb.total_errors, thr)
    assert at.error == pytest.approx(s_unc, rel=1e-12)
    with pytest.raises(InputError, match="two measurements"):
        ttbar.information_neutral_correlation(Combination([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], 0.0))


def test_information_weights_never_negative_for_measurements(wscan):
    """"the information weights are never negative for the measurements themselves" """
    _says("the information weights are never negative for the measurements themselves")
    assert (wscan.xs("intrinsic ATLAS", axis=1, level=1) > 0).all().all()
    assert (wscan.xs("intrinsic CMS", axis=1, level=1) > 0).all().all()
    neg = Combination([1.0, 1.5], [1.0, 2.0], 0.9)          # a negative BLUE weight
    iw = neg.information_weights()
    assert (iw["BLUE weight"].dropna() < 0).any()
    assert (iw.loc[neg.names, "intrinsic"] >= 0).all()


def test_marginal_is_one_minus_other_intrinsic(comb):
    """"With two measurements, dropping one leaves the other alone, so MIW_1 = 1 − σ²/σ₂²
    = 1 − IIW_2" """
    _says("$\\mathrm{MIW}_1 = 1 - \\sigma_{\\hat\\mu}^2/\\sigma_2^2 = 1 - \\mathrm{IIW}_2$")
    iw = comb.information_weights()
    assert iw.loc["ATLAS", "marginal"] == pytest.approx(1 - iw.loc["CMS", "intrinsic"], rel=1e-12)
    assert iw.loc["CMS", "marginal"] == pytest.approx(1 - iw.loc["ATLAS", "intrinsic"], rel=1e-12)
    assert iw.loc["CMS", "marginal"] == pytest.approx(
        1 - comb.error**2 / comb.total_errors["ATLAS"] ** 2, rel=1e-12)


def test_pulls_opposite_square_is_chi2_and_small(comb):
    """"with two measurements they are equal and opposite, and the square of either is the
    χ² ... Both are well below one" """
    _says("with two measurements they are equal and opposite, and the square of either is the $\\chi^2$")
    _says("Both are well below one")
    p = comb.pulls
    assert p["ATLAS"] == pytest.approx(-p["CMS"], rel=1e-12)
    assert p["ATLAS"] ** 2 == pytest.approx(comb.chi2, rel=1e-12)
    assert (p.abs() < 0.5).all()
    # the variance of y_i - yhat is sigma_i^2 - sigma^2 (C w = sigma^2 1)
    cw = comb.covariance.to_numpy() @ comb.weights.to_numpy()
    np.testing.assert_allclose(cw, comb.error**2, rtol=1e-12)


def test_small_pull_happens_in_18_percent(comb):
    """"That is unremarkable and no sign of overestimated errors: with one degree of
    freedom, a pull this small happens in about 18 % of cases, which is what p = 0.82
    says." Under the hypothesis p-values are uniform, so a small pull is no evidence that the
    measurements agree better than their uncertainties require."""
    _says("That is unremarkable and no sign of overestimated errors: with one degree of freedom, "
          "a pull this small happens in about {glue:text}`ttbar_pull_prob_pct:.0f` % of cases")
    from scipy import stats

    prob = ttbar.pull_probability(comb)
    z = abs(comb.pulls["ATLAS"])
    assert prob == pytest.approx(2 * stats.norm.cdf(z) - 1, rel=1e-10)
    assert prob == pytest.approx(1 - comb.pvalue, rel=1e-10)
    # the same by simulation: |z| <= |pull| for a standard normal
    draws = np.random.default_rng(SEED).standard_normal(200_000)
    assert np.mean(np.abs(draws) <= z) == pytest.approx(prob, abs=0.005)


# ----------------------------------------------------------------------------- stability
def test_scan_sources_are_the_top_four_by_slope(comb):
    """"The figure does this for the four correlated sources whose assumed correlation
    matters most by the slope derived below (Vdm, MC+PS, STop and Scale ...)" and "this
    slope ranks the correlated sources: Vdm ..., MC+PS ..., STop ... and Scale ... come
    first, and these are the four of the figure; JESf ... and PDF ... follow, and the fully
    correlated PDF matters little because the CMS PDF error is only 0.5 pb." By the slope,
    PDF comes only sixth."""
    _says("The figure does this for the four correlated sources whose assumed correlation "
          "matters most (Vdm, MC+PS, STop and Scale, `ttbar.SCAN_SOURCES`)")
    _says("At the nominal correlations this slope ranks the correlated sources (this is how "
          "the four scanned above were chosen):")
    _says("come first, and these are the four of the figure")
    _says("the fully correlated PDF matters little because the CMS PDF error is only")
    ranking = ttbar.slope_ranking(comb)
    assert list(ranking.index[:6]) == ["Vdm", "MC+PS", "STop", "Scale", "JESf", "PDF"]
    assert ttbar.SCAN_SOURCES == tuple(ranking.index[:4]) == ("Vdm", "MC+PS", "STop", "Scale")
    assert ttbar.scan_sources(4, comb) == ttbar.SCAN_SOURCES
    assert set(ranking.index) == {s for s in comb.sources if _corr(comb, s) != 0}
    assert (np.diff(ranking.to_numpy()) <= 0).all()
    for s in ranking.index:
        assert ranking[s] == ttbar.variance_slope(comb, s)
    np.testing.assert_allclose(ranking[["Vdm", "MC+PS", "STop", "Scale", "JESf", "PDF"]],
                               [5.78, 3.95, 1.83, 1.56, 1.04, 0.54], atol=0.006)
    assert comb.errors.loc["CMS", "PDF"] == 0.5 and comb.errors.loc["CMS", "PDF"] < comb.errors.loc["ATLAS", "PDF"]
    # the slope ranking agrees with the effect of a full 0 -> 1 scan for the top four
    scan = ttbar.stability_scan(comb=comb)
    err = scan.xs("error", axis=1, level=1).drop(columns="all")
    assert list((err.max() - err.min()).sort_values(ascending=False).index) == list(ttbar.SCAN_SOURCES)
    assert list(figs.SLIDER_SOURCES.values()) == list(ttbar.SCAN_SOURCES)
    with pytest.raises(InputError, match="positive integer"):
        ttbar.scan_sources(0)
    with pytest.raises(InputError, match="no correlated source"):
        ttbar.slope_ranking(Combination([1.0, 2.0], [1.0, 1.0], 0.0))


def test_stability_intro_names_the_judgements(comb):
    """"A correlation of 0.5 for the generator and parton shower (MC+PS) and for the QCD
    scales ...; full correlation for the single-top background and the van der Meer
    calibration is an upper bound." """
    _says("full correlation for the single-top background and the van der Meer calibration "
          "is an upper bound")
    assert (_corr(comb, "MC+PS"), _corr(comb, "Scale"), _corr(comb, "STop"), _corr(comb, "Vdm")) \
        == (0.5, 0.5, 1.0, 1.0)


def test_value_moves_about_two_tenths(scan, comb):
    """"The value moves by about 0.2 pb over the whole figure (... about 2 % of its
    uncertainty)" """
    _says("The value moves by about 0.2 pb over the whole figure")
    values = scan.xs("value", axis=1, level=1)
    assert round(values.max().max() - values.min().min(), 1) == 0.2
    assert 0.01 < (values.max().max() - values.min().min()) / comb.error < 0.05   # "about 2 %"


def test_error_rises_with_every_correlation(scan):
    """"it rises with every correlation" (the error, each source alone and all four)."""
    _says("it rises with every correlation")
    for key in dict.fromkeys(scan.columns.get_level_values(0)):
        assert (np.diff(scan[key]["error"].to_numpy()) > 0).all(), key


def test_vdm_matters_most_then_mcps(scan):
    """"Of the single sources, the van der Meer calibration matters most ..., followed by
    MC+PS" """
    _says("Of the single sources, the van der Meer calibration matters most")
    err = scan.xs("error", axis=1, level=1).drop(columns="all")
    ranges = (err.max() - err.min()).sort_values(ascending=False)
    assert list(ranges.index[:2]) == ["Vdm", "MC+PS"]


def test_variance_slope_formula(comb):
    """"dσ²/dρ_k = 2 w1 w2 a_k b_k: positive as long as both weights are" (checked against a
    finite difference at the nominal correlation of each scanned source)."""
    _says("$d\\sigma_{\\hat\\mu}^2/d\\rho_k = 2\\,w_1 w_2\\,a_k b_k$")
    h = 1e-5
    for s in ttbar.SCAN_SOURCES:
        r0 = _corr(comb, s)
        up = comb.with_correlation(s, r0 + h if r0 < 1 else r0).error ** 2
        dn = comb.with_correlation(s, r0 - h).error ** 2
        step = (r0 + h if r0 < 1 else r0) - (r0 - h)
        assert (up - dn) / step == pytest.approx(ttbar.variance_slope(comb, s), rel=1e-4), s
        assert ttbar.variance_slope(comb, s) > 0
    with pytest.raises(InputError, match="two measurements"):
        ttbar.variance_slope(Combination([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], 0.0), "source 1")
    with pytest.raises(InputError, match="unknown source"):
        ttbar.variance_slope(comb, "Beam")


def test_value_and_atlas_weight_rise_with_correlation(scan, comb):
    """"ATLAS is both the more precise and the higher measurement, so the weight of ATLAS
    and with it the combined value rise with every correlation." """
    _says("ATLAS is both the more precise and the higher measurement, so the weight of ATLAS "
          "and with it the combined value rise with every correlation.")
    assert comb.values["ATLAS"] > comb.values["CMS"]
    assert comb.total_errors["ATLAS"] < comb.total_errors["CMS"]
    for key in dict.fromkeys(scan.columns.get_level_values(0)):
        assert (np.diff(scan[key]["value"].to_numpy()) > 0).all(), key
        assert (np.diff(scan[key]["weight ATLAS"].to_numpy()) > 0).all(), key


def test_correlation_information_falls_and_stays_negative(wscan, comb):
    """"the information weight of the correlations falls ...: more correlation, less
    information. It stays negative even with all four uncorrelated, because the other fully
    and half correlated sources (JESf, PDF, DiBos, JESc) are still there." """
    _says("more correlation, less information")
    _says("(JESf, PDF, DiBos, JESc)")
    for key in dict.fromkeys(wscan.columns.get_level_values(0)):
        assert (np.diff(wscan[key]["correlations"].to_numpy()) < 0).all(), key
    assert (wscan.xs("correlations", axis=1, level=1) < 0).all().all()
    others = [s for s in comb.sources if _corr(comb, s) > 0 and s not in ttbar.SCAN_SOURCES]
    assert sorted(others) == sorted(["JESf", "PDF", "DiBos", "JESc"])
    none = comb.with_correlation([*ttbar.SCAN_SOURCES, *others], 0.0)
    assert none.information_weights().loc["correlations", "intrinsic"] == pytest.approx(0, abs=1e-12)


def test_panel_all_zero_correlation_bar_shrinks(comb):
    """"Set all four to zero and watch the bar of the correlations shrink towards zero
    without reaching it." """
    _says("Set all four to zero and watch the bar of the correlations shrink towards zero "
          "without reaching it.")
    nominal = comb.information_weights().loc["correlations", "intrinsic"]
    zero = comb.with_correlation(list(ttbar.SCAN_SOURCES), 0.0)
    term = zero.information_weights().loc["correlations", "intrinsic"]
    assert nominal < term < 0
    fig = plt.figure()
    figs.draw_stability_panel(fig, **{k: 0.0 for k in figs.SLIDER_SOURCES})
    bars = [p.get_height() for p in fig.axes[2].patches]
    assert bars[-1] == pytest.approx(term, rel=1e-12) and bars[2] == pytest.approx(nominal, rel=1e-12)
    plt.close(fig)


# ----------------------------------------------------------------------------- iterative BLUE
def test_iterative_blue_on_normalisation_inputs():
    """"Iteration 0 is the ordinary BLUE, ..., below both measurements. One rescaling gives
    ..., the mean weighted by the statistical errors alone: the normalisation error is now
    the same for both measurements, so it no longer changes the weights. The next
    recombination confirms it: the result is 8.2349 ± 0.8317, the same as the fit with the
    covariance relative to the fitted value in the normalisation chapter" """
    _says("below both measurements. One rescaling gives")
    _says("the mean weighted by the statistical errors alone: the normalisation error is now the "
          "same for both measurements, so it no longer changes the weights. The next "
          "recombination confirms it")
    norm = ttbar.normalisation_combination()
    assert norm.value < norm.values.min()
    it = norm.iterated("norm")
    h = it.history
    stat = norm.errors["stat"].to_numpy()
    wmean = np.sum(norm.values.to_numpy() / stat**2) / np.sum(stat**-2.0)
    assert h.loc[1, "value"] == pytest.approx(wmean, rel=1e-13)
    # rescaled to one value, the normalisation error is the same for both measurements
    rescaled = norm.errors["norm"] / norm.values * h.loc[0, "value"]
    assert rescaled.iloc[0] == pytest.approx(rescaled.iloc[1], rel=1e-13)
    assert list(h.index) == [0, 1, 2]
    rel = norm_figs.course_problem().relative_covariance_fit()
    assert it.value == pytest.approx(rel.value, rel=1e-7)
    assert it.error == pytest.approx(rel.error, rel=1e-6)


def test_iterative_blue_ttbar_shift_is_tiny(comb):
    """"It converges after 4 recombinations ..., a shift of ... pb ... ATLAS and CMS differ
    by only 1.4 %, so here it is far below anything quoted. The note's plain BLUE was
    fine" """
    _says("so here it is far below anything quoted. The note's plain BLUE was fine")
    it = comb.iterated(list(ttbar.LUMI))
    assert it.history.index[-1] >= 2                # it recombines before it converges
    shift = it.value - comb.value
    assert 0 < shift < 0.05                       # half the note's last digit (0.1 pb)
    syst = comb.iterated([s for s in comb.sources if s not in ttbar.STAT])
    assert abs(syst.value - comb.value) < 0.05
    assert abs(comb.values["ATLAS"] - comb.values["CMS"]) / comb.value < 0.02    # "only ... %"


def test_iteration_bias_grows_with_spread_and_relative_size(comb):
    """"The bias the iteration removes grows with the spread of the measurements and with
    the size of the relative uncertainties" """
    _says("The bias the iteration removes grows with the spread of the measurements and with "
          "the size of the relative uncertainties")

    def shift(c):
        return c.iterated(list(ttbar.LUMI)).value - c.value

    base = shift(comb)
    spread = Combination(pd.Series({"ATLAS": 242.4, "CMS": 225.0}), comb.errors,
                         {s: _corr(comb, s) for s in comb.sources})
    bigger = comb.with_errors("Lumi", 2 * comb.errors["Lumi"]).with_errors("Vdm", 2 * comb.errors["Vdm"])
    assert shift(spread) > base > 0
    assert shift(bigger) > base


def test_zero_correlation_exercise(comb):
    """"The error drops to σ_unc ... Ignoring a positive correlation is not conservative.
    The value moves towards CMS, which gains weight" """
    _says("Ignoring a positive correlation is not conservative.")
    _says("The value moves towards CMS, which gains weight")
    zero = comb.with_correlation(comb.sources, 0.0)
    assert zero.error == pytest.approx(ttbar.uncorrelated_error(comb), rel=1e-12)
    assert zero.error < comb.error
    assert comb.values["CMS"] < zero.value < comb.value
    assert zero.weights["CMS"] > comb.weights["CMS"]


def test_take_away_value_less_than_two_tenths_error_rises(scan):
    """Take-away: "here the value moves by about 0.2 pb, a few per cent of its error, while
    the error rises with every correlation." """
    _says("here the value moves by about 0.2 pb, a few per cent of its error, while the error "
          "rises with every correlation.")
    values = scan.xs("value", axis=1, level=1)
    r = values.max().max() - values.min().min()
    assert round(r, 1) == 0.2 and 0.01 < r / ttbar.lhc_combination().error < 0.05
    assert (scan.xs("error", axis=1, level=1).diff().dropna() > 0).all().all()


# ----------------------------------------------------------------------------- figure texts
def test_stability_figure_alt_text_numbers(scan):
    """The alt text of ttbar-fig-stability: "the combined value changes by about 0.2 pb,
    from about 241.32 to 241.52 pb for the dashed all-together line ... (about 7.87 to
    8.69 pb)" and "most for Vdm and for all four": the first decimal changes."""
    alt = _figure_meta("ttbar-fig-stability")["image"]["alt"]
    v, e = scan["all"]["value"], scan["all"]["error"]
    assert "the combined value changes by about 0.2 pb" in alt
    assert round(v.iloc[-1] - v.iloc[0], 1) == 0.2
    assert round(v.iloc[0], 1) != round(v.iloc[-1], 1)
    assert f"from about {v.iloc[0]:.2f} to {v.iloc[-1]:.2f} pb" in alt
    assert f"about {e.iloc[0]:.2f} to {e.iloc[-1]:.2f} pb" in alt
    err = scan.xs("error", axis=1, level=1)
    r = (err.max() - err.min()).sort_values(ascending=False)
    assert list(r.index[:2]) == ["all", "Vdm"]


def test_weight_scan_alt_text_numbers(wscan):
    """The alt text of ttbar-fig-weight-scan: "from about 0.68 to 0.74 for all four
    together", "from about -0.03 to -0.26", "stays below zero everywhere"."""
    alt = _figure_meta("ttbar-fig-weight-scan")["image"]["alt"]
    w, c = wscan["all"]["weight ATLAS"], wscan["all"]["correlations"]
    assert f"from about {w.iloc[0]:.2f} to {w.iloc[-1]:.2f} for all four together" in alt
    assert f"from about {c.iloc[0]:.2f} to {c.iloc[-1]:.2f}" in alt
    assert (wscan.xs("correlations", axis=1, level=1) < 0).all().all()


@pytest.mark.parametrize("name", ["ttbar-fig-stability", "ttbar-fig-weight-scan"])
def test_scan_captions_name_the_scanned_sources_and_coinciding_dots(name, comb):
    """Captions: "against the correlation assumed for Vdm, MC+PS, STop and Scale in turn
    ... (the dots of MC+PS and Scale, and of Vdm and STop, coincide)"."""
    caption = _figure_meta(name)["figure"]["caption"]
    assert "for Vdm, MC+PS, STop and Scale in turn" in caption
    assert list(ttbar.SCAN_SOURCES) == ["Vdm", "MC+PS", "STop", "Scale"]
    assert "(the dots of MC+PS and Scale, and of Vdm and STop, coincide)" in caption
    # same nominal correlation -> the same nominal point
    assert _corr(comb, "MC+PS") == _corr(comb, "Scale") and _corr(comb, "Vdm") == _corr(comb, "STop")


def test_with_correlation_note(comb):
    """ex-ttbar-zero: "`comb.with_correlation(sources, rho)` returns a copy of the
    combination with the correlation of the given sources (one name or a list) set to
    `rho`" """
    _says("`comb.with_correlation(sources, rho)` returns a copy of the combination with the "
          "correlation of the given sources (one name or a list) set to `rho`")
    one = comb.with_correlation("PDF", 0.3)
    many = comb.with_correlation(["PDF", "Vdm"], 0.2)
    assert _corr(one, "PDF") == 0.3 and _corr(one, "Vdm") == 1.0
    assert _corr(many, "PDF") == _corr(many, "Vdm") == 0.2
    assert _corr(comb, "PDF") == 1.0 and one is not comb


def test_contributions_alt_text(comb):
    """The alt text of ttbar-fig-contributions: "Lumi is at the top with the longest ATLAS
    bar, followed by Vdm and MC+PS ... the combination's black bar is the shortest for stat
    and total, slightly longer than the ATLAS bar for syst and about as long as the CMS bar
    for lumi." """
    alt = _figure_meta("ttbar-fig-contributions")["image"]["alt"]
    assert "Lumi is at the top with the longest ATLAS bar, followed by Vdm and MC+PS" in alt
    table = comb.table().drop(index=["value", "total"])
    assert table.stack().idxmax() == ("Lumi", "ATLAS")
    assert list(comb.uncertainties.sort_values(ascending=False).index[:3]) == ["Lumi", "Vdm", "MC+PS"]
    own = ttbar.measurement_groups(comb)
    b = ttbar.breakdown(comb)["BLUE contribution"]
    assert b["syst"] - own.loc["syst", "ATLAS"] < 0.5
    assert abs(b["lumi"] - own.loc["lumi", "CMS"]) < 0.05


# ----------------------------------------------------------------------------- the new helpers
def test_inputs_table(comb):
    t = ttbar.inputs_table(comb)
    assert list(t.columns) == ["ATLAS", "CMS", "correlation"]
    assert list(t.index) == ["value", *comb.sources]
    assert np.isnan(t.loc["value", "correlation"]) and t.loc["Vdm", "correlation"] == 1.0
    assert t.loc["value", "ATLAS"] == 242.4 and t.loc["Lumi", "CMS"] == 3.6


def test_measurement_groups(comb):
    own = ttbar.measurement_groups(comb)
    assert list(own.index) == ["stat", "syst", "lumi", "total"] and list(own.columns) == comb.names
    np.testing.assert_allclose((own.drop(index="total") ** 2).sum(), own.loc["total"] ** 2, rtol=1e-12)
    assert own.loc["lumi", "CMS"] == pytest.approx(np.hypot(5.0, 3.6))


def test_published_total():
    assert ttbar.published_total() == pytest.approx(np.sqrt(1.4**2 + 5.7**2 + 6.2**2))


def test_information_scan_matches_stability_scan(comb, scan, wscan):
    assert list(wscan.index) == list(scan.index)
    for key in dict.fromkeys(scan.columns.get_level_values(0)):
        np.testing.assert_allclose(wscan[key]["weight ATLAS"], scan[key]["weight ATLAS"], rtol=1e-12)
        np.testing.assert_allclose(
            wscan[key]["intrinsic ATLAS"] + wscan[key]["intrinsic CMS"] + wscan[key]["correlations"],
            1.0, rtol=1e-12)
    single = ttbar.information_scan("Vdm", rhos=[0.0, 1.0], comb=comb)
    assert list(dict.fromkeys(single.columns.get_level_values(0))) == ["Vdm"]
    with pytest.raises(InputError, match="at least one source"):
        ttbar.information_scan([], comb=comb)


def test_rounding_spread_nominal_batch_and_errors(comb):
    s1 = ttbar.rounding_spread(comb, n=50)
    s2 = ttbar.rounding_spread(comb, n=50, rng=np.random.default_rng(SEED))
    pd.testing.assert_frame_equal(s1, s2)                       # deterministic, seeded
    assert s1.loc["value", "nominal"] == comb.value
    assert (s1["min"] <= s1["max"]).all()
    # the numpy batch equals Combination on the unjittered table
    y, err = comb.values.to_numpy(), comb.errors.to_numpy()
    rho = np.array([r.to_numpy() for r in comb.source_correlations.values()])
    parts = [[comb.sources.index(s) for s in g] for g in ttbar.groups(comb).values()]
    batch = ttbar.blue_batch(y[None], err[None], rho, parts)[0]
    np.testing.assert_allclose(batch, s1["nominal"].to_numpy(), rtol=1e-12)
    tiny = ttbar.rounding_spread(comb, half_width=1e-9, n=20)
    np.testing.assert_allclose(tiny["std"], 0.0, atol=1e-8)
    with pytest.raises(InputError, match="n must be an integer"):
        ttbar.rounding_spread(comb, n=1)
    with pytest.raises(InputError, match="half_width"):
        ttbar.rounding_spread(comb, half_width=0.0)
    three = Combination([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], 0.0)
    with pytest.raises(InputError, match="two measurements"):
        ttbar.rounding_spread(three)


def test_normalisation_combination():
    c = ttbar.normalisation_combination()
    assert c.names == ["y1", "y2"] and c.sources == ["stat", "norm"]
    np.testing.assert_allclose(c.errors.to_numpy(), [[0.16, 0.8], [0.17, 0.85]], rtol=1e-12)
    assert c.value == pytest.approx(norm_figs.course_problem().covariance_fit().value, rel=1e-10)


# ----------------------------------------------------------------------------- the panel
KEYS = list(figs.SLIDER_SOURCES)
PANEL = figs.PANELS["stability"]


def _panel():
    return PANEL.widget()


def test_panel_starts_at_the_tables_correlations(comb):
    assert PANEL.start == {k: comb.source_correlations[s].iat[0, 1]
                           for k, s in figs.SLIDER_SOURCES.items()}


@pytest.mark.parametrize("corner", list(itertools.product([0.0, 1.0], repeat=4)))
def test_panel_every_corner_shows_information_weights(corner, comb):
    settings = dict(zip(KEYS, corner))
    fig = plt.figure()
    text = figs.draw_stability_panel(fig, **settings)
    c = comb
    for k, r in settings.items():
        c = c.with_correlation(figs.SLIDER_SOURCES[k], r)
    assert f"σ = {c.value:.1f} ± {c.error:.2f} pb" in text
    assert f"weights {c.weights.iloc[0]:.3f} / {c.weights.iloc[1]:.3f}" in text
    assert len(fig.axes) == 3
    iw = c.information_weights()["intrinsic"].to_numpy()
    heights = [p.get_height() for p in fig.axes[2].patches]
    np.testing.assert_allclose(heights[3:], iw, rtol=1e-12)         # this setting
    np.testing.assert_allclose(heights[:3], comb.information_weights()["intrinsic"], rtol=1e-12)
    np.testing.assert_allclose([p.get_height() for p in fig.axes[1].patches][2:], c.weights, rtol=1e-12)
    assert fig.axes[2].get_ylim()[0] < iw.min() and iw.max() < fig.axes[2].get_ylim()[1]
    plt.close(fig)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("end", [0.0, 1.0])
def test_panel_slider_ends(key, end):
    panel = _panel()
    text = panel.update(**{key: end})
    assert text.startswith("σ = ") and len(panel.output.outputs) == 1
    plt.close("all")


def test_panel_grid_and_bad_values(comb):
    panel = _panel()
    for values in itertools.product([0.0, 0.35, 0.7], repeat=2):
        text = panel.update(mc_ps=values[0], vdm=values[1])
        assert not text.startswith("Impossible")
    text = panel.update(vdm=1.5)
    assert text.startswith("Impossible setting") and "must lie in [-1, 1]" in text
    plt.close("all")


def test_panel_reads_the_table_once(monkeypatch):
    reads = []

    def counting():
        reads.append(1)
        return ttbar.lhc_combination()

    monkeypatch.setattr(figs, "lhc_combination", counting)
    for _ in range(3):
        figs.draw_stability_panel(plt.figure(), vdm=0.5)
    assert len(reads) <= 1              # sliders only recombine: the table is read at most once
    plt.close("all")


def test_weight_scan_figure_draws(comb):
    fig = plt.figure()
    figs.draw_weight_scan(fig, comb=comb)
    ax1, ax2 = fig.axes
    assert len(ax1.lines) >= 5 and len(ax2.lines) >= 5
    plt.close(fig)


def test_glued_value_is_not_double_rounded(comb):
    """"The combined cross section is 241.46 ± ..." — glued with enough digits that the
    prose's two decimals are those of the exact value (six significant digits would give
    241.465 and then 241.47)."""
    from bookbuild.editions import glue_values

    _says("The combined cross section is **{glue:text}`ttbar_value:.2f`")
    stored = glue_values(_notebook())["ttbar_value"]
    assert format(stored, ".2f") == format(comb.value, ".2f")


# ---------------------------------------------------------------- the slider panel's numbers
@pytest.mark.parametrize("settings", [{}, {"Vdm": 0.0}, {"Vdm": 0.3, "STop": 0.0},
                                      {"Vdm": 1.0, "MC+PS": 1.0, "STop": 0.0, "Scale": 0.0},
                                      {"Stat": 0.9, "Lumi": 1.0, "PDF": -0.5}])
def test_correlation_setting_is_the_combination(settings):
    """correlation_setting (closed form in numpy, for the slider) against Combination."""
    s = ttbar.correlation_setting(settings)
    comb = ttbar.lhc_combination()
    for source, rho in settings.items():
        comb = comb.with_correlation(source, rho)
    iw = comb.information_weights()
    assert s.value == pytest.approx(comb.value, rel=1e-13)
    assert s.error == pytest.approx(comb.error, rel=1e-12)
    np.testing.assert_allclose(s.weights, comb.weights.to_numpy(), rtol=1e-12)
    assert s.chi2 == pytest.approx(comb.chi2, rel=1e-10, abs=1e-14)
    np.testing.assert_allclose([*s.intrinsic, s.correlations], iw["intrinsic"].to_numpy(), rtol=1e-11)
    assert s.has_negative_weights == comb.has_negative_weights


def test_correlation_setting_refuses():
    with pytest.raises(InputError, match="unknown source"):
        ttbar.correlation_setting({"vdm": 0.5})
    with pytest.raises(InputError):
        ttbar.correlation_setting({"Vdm": 1.5})


# ------------------------------------------------- issue 21: corrections and the new figures
def test_no_negative_weight_even_with_every_source_fully_correlated(comb):
    """"They would stay positive even with every source fully correlated: the total
    correlation would then be 0.660, still below 0.693, because the two experiments' errors
    differ source by source. This pair cannot show a negative weight." (The chapter's intro
    used to promise negative weights.) A BLUE weight turns negative only for
    rho > sigma_1/sigma_2."""
    _says("They would stay positive even with every source fully correlated: the total "
          "correlation would then be {glue:text}`ttbar_corr_all_full:.3f`, still below "
          "{glue:text}`ttbar_threshold_3:.3f`, because the two experiments' errors differ "
          "source by source. This pair cannot show a negative weight.")
    full = comb.with_correlation(comb.sources, 1.0)
    rho_full = full.correlation.loc["ATLAS", "CMS"]
    threshold = zero_weight_correlation(comb)
    assert f"{rho_full:.3f}" == "0.660" and f"{threshold:.3f}" == "0.693"
    assert rho_full < threshold
    assert (full.weights > 0).all()
    # the total errors do not depend on the correlations: the same threshold
    assert zero_weight_correlation(full) == pytest.approx(threshold, rel=1e-12)
    # full correlation of every source is the largest total correlation the table allows,
    # and it stays below 1 because the error vectors are not proportional (Cauchy-Schwarz)
    a, b = comb.errors.loc["ATLAS"].to_numpy(), comb.errors.loc["CMS"].to_numpy()
    assert rho_full == pytest.approx(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), rel=1e-12)
    # the rule itself: with the same total errors, the CMS weight changes sign at rho = s1/s2
    s1, s2 = comb.total_errors["ATLAS"], comb.total_errors["CMS"]
    for rho in (threshold - 0.01, threshold + 0.01):
        c = rho * s1 * s2
        w_cms = (s1**2 - c) / (s1**2 + s2**2 - 2 * c)
        assert (w_cms < 0) == (rho > threshold)


def test_vdm_is_the_common_part_of_the_luminosity_calibration(comb):
    """"`Vdm`, the part of the luminosity calibration common to both experiments (from the
    van der Meer scans) ... The rest of each experiment's luminosity uncertainty, `Lumi`,
    is uncorrelated." Vdm is not all of the luminosity uncertainty of either experiment."""
    _says("`Vdm`, the part of the luminosity calibration common to both experiments (from the "
          "van der Meer scans)")
    _says("The rest of each experiment's luminosity uncertainty, `Lumi`, is uncorrelated.")
    assert _corr(comb, "Vdm") == 1.0 and _corr(comb, "Lumi") == 0.0
    err = comb.errors
    assert (err["Vdm"] > 0).all() and (err["Lumi"] > 0).all()
    own = ttbar.measurement_groups(comb)
    assert (own.loc["lumi"] > err["Vdm"]).all()


def test_total_is_stat_syst_lumi_without_beam_energy(comb):
    """"The note's complete result adds a fourth uncertainty, from the beam energy, that the
    table does not contain: 8.53 pb is stat, syst and lumi only, not the full uncertainty."
    """
    _says("The note's complete result adds a fourth uncertainty, from the beam energy, that the "
          "table does not contain: {glue:text}`ttbar_error:.2f` pb is stat, syst and lumi only, "
          "not the full uncertainty.")
    _says("The note quotes that one separately, as a fourth uncertainty beside stat, syst and lumi")
    assert not [s for s in comb.sources if re.search(r"beam|energy|ebeam", s, re.I)]
    b = ttbar.breakdown(comb)["BLUE contribution"]
    assert f"{comb.error:.2f}" == "8.53"
    assert np.sqrt(b["stat"] ** 2 + b["syst"] ** 2 + b["lumi"] ** 2) == pytest.approx(comb.error, rel=1e-10)
    # the published parts are stat, syst and lumi: nothing for the beam energy in the inputs
    assert not [f for f in vars(ttbar.PUBLISHED) if "beam" in f or "energy" in f]


def test_summary_figure_and_its_alt_text(comb):
    """The summary figure (ttbar-fig-summary): "ATLAS 242.4 ± 9.4 pb, CMS 239.0 ± 13.6 pb and
    the combination 241.5 ± 8.5 pb, inside both measurements' bars; the grey band of the
    combination covers both measured values." """
    _says("The summary figure shows both measurements and the combination:")
    meta = _figure_meta("ttbar-fig-summary")
    alt = meta["image"]["alt"]
    v, e = comb.values, comb.total_errors
    assert (f"ATLAS {v['ATLAS']:.1f} ± {e['ATLAS']:.1f} pb, CMS {v['CMS']:.1f} ± {e['CMS']:.1f} pb "
            f"and the combination {comb.value:.1f} ± {comb.error:.1f} pb") in alt
    assert (abs(v - comb.value) < e).all()                      # inside both bars
    assert (abs(v - comb.value) < comb.error).all()             # band covers both values
    assert "statistical" in meta["figure"]["caption"]


def test_stability_in_units_of_the_combined_error(scan, comb):
    """"The value does not care: its largest shift is 0.018 of the combined error (0.15 pb)."
    and, in Going deeper, the 0.2 pb range of the pb scan "next to the 8.53 pb error it is
    nothing"; the sigma figure prints the same largest shift."""
    _says("The value does not care: its largest shift is {glue:text}`ttbar_scan_shift_sigma:.3f` of the "
          "combined error ({glue:text}`ttbar_scan_shift:.2f` pb)")
    _says("next to the {glue:text}`ttbar_error:.2f` pb error it is nothing")
    values = scan.xs("value", axis=1, level=1)
    largest = (values - comb.value).abs().max().max()
    assert f"{largest / comb.error:.3f}" == "0.018" and f"{largest:.2f}" == "0.15"
    assert largest / comb.error < 0.02
    alt = _figure_meta("ttbar-fig-stability-sigma")["image"]["alt"]
    assert f"largest shift {largest / comb.error:.3f} sigma = {largest:.2f} pb" in alt
    fig = plt.figure()
    figs.draw_stability_sigma(fig, comb=comb)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(f"{largest / comb.error:.3f}" in t and f"{largest:.2f} pb" in t for t in texts)
    plt.close(fig)
