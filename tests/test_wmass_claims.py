"""Every computable claim of the chapter "Combining two W-mass measurements".

One test per claim; the docstring quotes the sentence of the chapter (glued numbers
written out as the website shows them). The numbers themselves are defined once, in
``helpers.numbers.wmass``, and ``tests/test_numbers.py`` checks that the stored chapter
holds them; the tests here check what the prose says about them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import SEED, data, wmass
from helpers.combination import Combination, zero_weight_correlation
from helpers.normalisation import course_problem
from helpers.validation import InputError


@pytest.fixture(scope="module")
def comb():
    return wmass.lep_combination()


@pytest.fixture(scope="module")
def sigma(comb):
    return wmass.total_errors(comb)


# ------------------------------------------------------------------ inputs
def test_common_sources_fully_correlated_with_their_sizes():
    """"A common theory model and the LEP beam energy affect both channels and are 100 %
    correlated (the beam energy by 17 MeV in each, the common model by 17 and 19 MeV)." """
    _, errors, correlations = data.w_mass()
    assert all(correlations[k] == 1.0 for k in wmass.COMMON)
    assert errors["beam_energy"].tolist() == [17, 17]
    assert errors["theory_common"].tolist() == [17, 19]


# ------------------------------------------------------------------ covariance and fit
def test_covariance_elements_and_small_correlation(comb, sigma):
    """"The total covariance has the variances 3808 and 1883 MeV² on its diagonal (total
    errors 61.7 and 43.4 MeV) and the covariance 612 MeV² off it. The two channels are
    correlated by only ρ = 0.229, because the shared uncertainties are small next to the
    channel-specific ones." """
    cov = comb.covariance.to_numpy()
    own = sum(comb.source_covariances[k].to_numpy() for k in comb.sources if k not in wmass.COMMON)
    shared = sum(comb.source_covariances[k].to_numpy() for k in wmass.COMMON)
    assert np.all(np.diag(shared) < np.diag(own))           # shared small next to own
    assert np.allclose(own + shared, cov)


def test_minos_equals_hesse_for_a_linear_model(comb):
    """"The MINOS interval is symmetric and equal to the HESSE error: the χ² is an exact
    parabola in μ because the model is linear in μ." """
    m = comb.fit()
    assert m.valid and m.fmin.has_accurate_covar
    me = m.merrors["mean"]
    assert -me.lower == pytest.approx(me.upper, rel=1e-6)
    assert me.upper == pytest.approx(m.errors["mean"], rel=1e-6)
    mu = np.linspace(comb.value - 100, comb.value + 100, 7)
    quad = comb.chi2 + ((mu - comb.value) / comb.error) ** 2
    np.testing.assert_allclose(comb.chi2_curve(mu), quad, rtol=1e-10)


def test_iminuit_and_blue_agree(comb):
    """"iminuit and BLUE agree to 0.01 MeV" (printed by the chapter)."""
    m = comb.fit(minos=False)
    assert abs(m.values["mean"] - comb.value) < 0.01
    assert abs(m.errors["mean"] - comb.error) < 0.01


def test_weights_add_up_to_one(comb):
    """"The weights add up to one." """
    assert comb.weights.sum() == pytest.approx(1.0, abs=1e-14)


def test_blue_is_best_without_gaussian_errors(comb):
    """"Among all linear combinations of the inputs whose weights add up to one [...] it has
    the smallest variance. That property needs only the covariance matrix, not Gaussian
    errors." Sampled with strongly non-Gaussian (uniform, skewed) errors of covariance C."""
    rng = np.random.default_rng(SEED)
    n = 400_000
    L = np.linalg.cholesky(comb.covariance.to_numpy())
    u = np.column_stack([rng.uniform(-np.sqrt(3), np.sqrt(3), n),      # unit variance
                         rng.exponential(1.0, n) - 1.0])               # unit variance, skewed
    y = comb.values.to_numpy() + u @ L.T
    w1 = comb.weights.iloc[0]
    trial = np.linspace(w1 - 0.3, w1 + 0.3, 13)
    var = [np.var(y @ np.array([a, 1 - a])) for a in trial]
    assert int(np.argmin(var)) == 6                          # the BLUE weight in the middle
    assert var[6] == pytest.approx(comb.error**2, rel=0.01)


def test_result_agreement_and_weights(comb, sigma):
    """"The combined W mass is 80450.6 ± 39.0 MeV with χ² = 0.018 for one degree of freedom
    (p-value 0.89): the two channels agree very well. The more precise lepton-plus-jets
    channel carries most of the weight, 0.72; the four-jet channel gets 0.28." """
    assert comb.ndf == 1 and comb.pvalue > 0.5
    assert sigma[1] < sigma[0] and comb.weights.iloc[1] > 0.5


# ------------------------------------------------------------------ breakdowns
def test_blue_contributions_add_up_exactly(comb):
    """"Since C = Σ_k C_k and the weights are the same for every term, these contributions
    add up in quadrature to the total exactly." """
    assert np.sum(comb.uncertainties**2) == pytest.approx(comb.error**2, rel=1e-12)


def test_beam_energy_same_in_both_columns(comb):
    """"The beam energy is identical in both channels and fully correlated [...] so both
    methods give 17.0 MeV." """
    assert comb.errors["beam_energy"].nunique() == 1
    beam = comb.errors["beam_energy"].iloc[0]
    assert comb.uncertainties["beam_energy"] == pytest.approx(beam, abs=1e-9)
    assert comb.quadratic_difference()["beam_energy"] == pytest.approx(beam, abs=1e-6)


def test_four_jet_theory_quadratic_difference_overstates(comb):
    """"Without it the four-jet channel would be the more precise one and the weights change
    completely, so the quadratic difference (18.8 MeV) overstates what the source
    contributes to this combination (13.4 MeV)." """
    without = comb.without("theory_4q")
    s = wmass.total_errors(without)
    assert s[0] < s[1]
    assert without.weights.iloc[0] > 0.5 > comb.weights.iloc[0]
    qd, blue = comb.quadratic_difference()["theory_4q"], comb.uncertainties["theory_4q"]
    assert qd > blue


@pytest.mark.parametrize("seed", range(5))
def test_a_same_size_fully_correlated_source_always_leaves_the_weights(seed):
    """"A source that is the same in both channels and fully correlated, like the beam
    energy, always leaves the weights alone when it is removed: it adds one constant to
    every element of C." (any inputs, any size of the source)"""
    rng = np.random.default_rng(seed)
    s = rng.uniform(5, 60, size=(2, 3))
    a = rng.uniform(1, 100)
    rho = [0.0, rng.uniform(-1, 1), 0.0]
    base = Combination([1.0, 2.0], s, rho, sources=["a", "b", "c"])
    shared = Combination([1.0, 2.0], np.c_[s, [a, a]], rho + [1.0], sources=["a", "b", "c", "shared"])
    np.testing.assert_allclose(shared.covariance.to_numpy() - base.covariance.to_numpy(), a * a, rtol=1e-12)
    np.testing.assert_allclose(shared.weights.to_numpy(), base.weights.to_numpy(), atol=1e-12)


def test_uncorrelated_stat_still_differs(comb):
    """"The statistical uncertainty is uncorrelated, yet 25.1 and 27.2 MeV differ, because
    removing it also moves the weights." """
    assert comb.source_correlations["stat"].iat[0, 1] == 0
    blue, qd = comb.uncertainties["stat"], comb.quadratic_difference()["stat"]
    assert round(blue, 1) < round(qd, 1)
    assert not np.allclose(comb.without("stat").weights, comb.weights, atol=0.01)


def test_theory_group_and_the_wrong_quadrature_sum(comb):
    """"The theory group contributes 22.8 MeV by BLUE propagation and 26.0 MeV as a quadratic
    difference. Combining the two theory sources' own quadratic differences in quadrature,
    18.8 ⊕ 18.4 = 26.3 MeV, is something else." """
    g = comb.grouped(wmass.GROUPS)
    assert g.loc["theory", "BLUE contribution"] < g.loc["theory", "quadratic difference"]
    qd = comb.quadratic_difference()
    wrong = np.hypot(qd["theory_4q"], qd["theory_common"])
    assert abs(wrong - g.loc["theory", "quadratic difference"]) > 0.3


def test_groups_partition_the_sources_and_only_blue_adds_up(comb):
    """"The four BLUE contributions add up in quadrature to the total, 39.0 MeV, while the
    quadratic differences add up to 42.3 MeV." """
    assert sorted(s for g in wmass.GROUPS.values() for s in g) == sorted(comb.sources)
    g = comb.grouped(wmass.GROUPS).drop(index="total")
    assert np.sqrt(np.sum(g["BLUE contribution"] ** 2)) == pytest.approx(comb.error, rel=1e-12)
    assert np.sqrt(np.sum(g["quadratic difference"] ** 2)) > comb.error + 1


def test_dropped_component_pitfall(comb):
    """"A common mistake is to build the diagonal of the covariance by picking components by
    index, and to miss one: ``u1 = errors.iloc[0].to_numpy()``, ``C11 = np.sum(u1[[0, 2, 3,
    4]] ** 2)`` [...] The variances come out as 3687 and 1739 MeV² instead of 3808 and 1883
    MeV², and the combination as 80450.4 ± 37.9 MeV. The central value moves by only 0.15
    MeV, but the uncertainty is 1.1 MeV too small." (the code as the box shows it)"""
    _, errors, _ = data.w_mass()
    assert list(errors.columns) == ["stat", "exp_syst", "theory_4q", "theory_common", "beam_energy"]
    seed_diag = [np.sum(errors.iloc[row].to_numpy()[[0, 2, 3, 4]] ** 2) for row in (0, 1)]
    assert seed_diag == [3687, 1739]
    assert np.round(np.diag(comb.covariance.to_numpy())).tolist() == [3808, 1883]
    wrong = Combination(comb.values, comb.errors.drop(columns="exp_syst"),
                        {k: 1.0 if k in wmass.COMMON else 0.0 for k in comb.sources if k != "exp_syst"})
    assert np.round(np.diag(wrong.covariance.to_numpy())).tolist() == seed_diag
    assert wrong.value == pytest.approx(comb.without("exp_syst").value, abs=1e-9)
    assert abs(wrong.value - comb.value) < 0.2 < comb.error - wrong.error


def test_seed_output_under_the_w_fit_was_the_normalisation_weighted_mean():
    """"In a notebook that goes on to reuse the names cov and mw for another problem,
    re-running the fit cell after those later cells uses their values, and the stored
    output then belongs to neither calculation." (Going deeper.) The case behind it: a
    stored output par = 8.23 ± 0.12 with FCN = 4.587 is the stat-only weighted mean of the
    normalisation problem, i.e. the W-mass fit cell run on the normalisation cells' mw and
    diagonal cov (it recomputes inv_cov from cov)."""
    p = course_problem()
    wm = p.weighted_mean()
    assert (round(wm.value, 2), round(wm.error, 2), round(wm.chi2_min, 3)) == (8.23, 0.12, 4.587)


# ------------------------------------------------------------------ common correlation and theory size
def test_common_correlation_scan():
    """"The central value hardly moves (between 80450.6 and 80451.2 MeV), but the error grows
    steadily with the correlation, from 31.3 MeV at −1 to 39.0 MeV at +1." """
    combs = [wmass.lep_combination(r) for r in np.linspace(-1, 1, 41)]
    values = np.array([c.value for c in combs])
    errors = np.array([c.error for c in combs])
    assert np.ptp(values) < 1.0
    assert np.all(np.diff(errors) > 0)
    assert errors[-1] == pytest.approx(wmass.lep_combination().error, rel=1e-12)


def test_theory_scan_weights():
    """"As its own theory uncertainty shrinks, the four-jet channel gains weight. Below
    17 MeV it gets more weight than the lepton channel, and at zero its weight is 0.56:
    without that uncertainty it is the more precise channel (40.0 against 43.4 MeV). The
    combined value barely moves." """
    scan = wmass.theory_scan(np.linspace(0, 150, 151))
    assert np.all(np.diff(scan["w1"]) < 0)
    cross = wmass.theory_weight_crossover()
    assert wmass.lep_combination(theory_4q=cross - 0.5).weights.iloc[0] > 0.5
    assert wmass.lep_combination(theory_4q=cross + 0.5).weights.iloc[0] < 0.5
    zero = wmass.lep_combination(theory_4q=0.0)
    assert zero.weights.iloc[0] > 0.5
    s = wmass.total_errors(zero)
    assert s[0] < s[1]
    assert np.ptp(scan["value"]) < 5.0 < scan["error"].min()
    for t in (0.0, 47.0, 150.0):        # the closed form agrees with the full combination
        c = wmass.lep_combination(theory_4q=t)
        row = wmass.theory_scan([t]).iloc[0]
        assert row["value"] == pytest.approx(c.value, abs=1e-8)
        assert row["error"] == pytest.approx(c.error, rel=1e-12)


# ------------------------------------------------------------------ negative weights
def test_sliders_cannot_make_a_weight_negative():
    """"Try to make a weight negative with the sliders above: you can't. [...] Nowhere on the
    sliders does the correlation reach the threshold: its largest value, 0.353, comes with
    the four-jet theory uncertainty at 0 MeV, where the four-jet channel is the more precise
    one and the threshold is 0.92. The smallest weight the panel can show is 0.051." """
    reach = wmass.slider_reach(np.round(np.linspace(-1, 1, 41), 10), np.linspace(0, 150, 151))
    assert np.all(reach["total correlation"] < reach["threshold"])
    assert reach["smallest weight"].min() > 0
    top = reach.loc[reach["total correlation"].idxmax()]
    assert top["theory_4q"] == 0.0
    zero = wmass.lep_combination(1.0, 0.0)
    s = wmass.total_errors(zero)
    assert s[0] < s[1]
    for _, row in reach.sample(25, random_state=SEED).iterrows():   # closed form = Combination
        c = wmass.lep_combination(row["rho_common"], row["theory_4q"])
        assert row["total correlation"] == pytest.approx(c.correlation.iat[0, 1], abs=1e-12)
        assert row["threshold"] == pytest.approx(zero_weight_correlation(c), rel=1e-12)
        assert row["smallest weight"] == pytest.approx(c.weights.min(), abs=1e-12)


def test_negative_weight_iff_covariance_exceeds_smaller_variance():
    """"The weight of the less precise one turns negative when the covariance exceeds the
    variance of the more precise one, c > σ₂², that is when the total correlation exceeds
    the ratio of the errors, ρ > σ₂/σ₁." """
    rng = np.random.default_rng(SEED)
    for _ in range(300):
        s = np.sort(rng.uniform(1, 10, 2))[::-1]                 # s[0] > s[1]
        rho = rng.uniform(-0.99, 0.99)
        c = Combination([1.0, 2.0], s[:, None], [rho], sources=["all"])
        cov = rho * s[0] * s[1]
        assert (c.weights.iloc[0] < 0) == (cov > s[1] ** 2) == (rho > s[1] / s[0])


def test_negative_weight_needs_larger_shared_error_in_less_precise():
    """"So c > σ₂² needs a₁ > a₂: the shared error must be larger in the less precise
    measurement. A shared error of equal size cancels in the difference y₁ − y₂ and leaves
    the weights alone, however large it is." """
    rng = np.random.default_rng(SEED)
    negative = 0
    for _ in range(300):
        u = rng.uniform(1, 10, 2)
        a = rng.uniform(0, 20, 2)
        c = Combination([0.0, 1.0], np.column_stack([u, a]), {"own": 0.0, "shared": 1.0},
                        sources=["own", "shared"])
        s = wmass.total_errors(c)
        less = int(np.argmax(s))
        if c.has_negative_weights:
            negative += 1
            assert int(np.argmin(c.weights)) == less and a[less] > a[1 - less]
    assert negative > 20                       # the case occurs, and always this way round
    base = wmass.shared_error_case(0.0, 0.0).weights
    for size in (5.0, 25.4, 80.0, 500.0):
        np.testing.assert_allclose(wmass.shared_error_case(size, size).weights, base, atol=1e-12)


def test_shared_error_table():
    """"Equal shared errors of 25.4 and 80 MeV give the same four-jet weight, 0.276. With
    100 MeV in the four-jet channel and 25.4 MeV in the lepton channel the weight is
    −0.066." """
    cases = wmass.shared_error_cases()
    assert cases.loc[0, "weight 4 jets"] == pytest.approx(cases.loc[1, "weight 4 jets"], abs=1e-12)
    assert (cases.loc[3, "shared 4 jets"], cases.loc[3, "shared lepton"]) == (100.0, 25.4)
    assert cases.loc[3, "weight 4 jets"] < 0
    neg = cases["weight 4 jets"] < 0
    assert (neg == (cases["covariance"] > cases["smaller variance"])).all()


def test_strong_overall_correlation(comb):
    """"Beyond ρ = 0.703 the four-jet weight is negative and the combined value leaves the
    interval between the measurements. At ρ = 0.9 it is 80442.6 ± 39.5 MeV with weight
    −0.61: below both inputs, but only by 0.14 standard deviations." """
    thr = zero_weight_correlation(comb)
    y = comb.values.to_numpy()
    for r in (thr + 0.005, 0.8, 0.95):
        c = wmass.total_correlation_combination(r)
        assert c.weights.iloc[0] < 0 and not (y.min() <= c.value <= y.max())
    for r in (thr - 0.005, 0.0, -0.5):
        c = wmass.total_correlation_combination(r)
        assert c.weights.min() > 0 and y.min() <= c.value <= y.max()
    strong = wmass.total_correlation_combination(0.9)
    assert strong.weights.iloc[0] < 0
    assert 0 < (y.min() - strong.value) / strong.error < 0.5       # below both, by little


def test_error_peaks_at_threshold_and_falls(comb, sigma):
    """"It grows with ρ up to the threshold, where it peaks at σ₂ = 43.4 MeV: there the
    combination is the more precise measurement. Beyond the threshold it falls again, to
    19.2 MeV at ρ = 0.99." """
    thr, peak = wmass.error_peak(comb)
    assert thr == pytest.approx(zero_weight_correlation(comb)) and peak == pytest.approx(sigma.min())
    rho = np.linspace(-0.999, 0.999, 2001)
    err = wmass.overall_error(rho, comb)
    i = int(np.argmax(err))
    assert abs(rho[i] - thr) < 1e-3
    assert np.all(np.diff(err[: i + 1]) > 0) and np.all(np.diff(err[i:]) < 0)
    at = wmass.total_correlation_combination(thr)
    assert at.value == pytest.approx(comb.values.iloc[1], abs=1e-6)      # the precise one
    assert wmass.overall_error(0.99, comb) < wmass.overall_error(0.0, comb)
    for r in (-0.5, 0.3, 0.99):
        assert wmass.overall_error(r, comb) == pytest.approx(
            wmass.total_correlation_combination(r).error, rel=1e-10)


def test_neglecting_positive_correlation_is_not_a_rule(comb):
    """"So neglecting a positive correlation, which gives 35.5 MeV, is not conservative as a
    rule: it understates the error for 0 < ρ < ρ* = 2σ₁σ₂/(σ₁² + σ₂²) = 0.941 and overstates
    it above ρ*." """
    e0 = wmass.overall_error(0.0, comb)
    star = wmass.conservative_correlation(comb)
    assert zero_weight_correlation(comb) < star < 1
    assert wmass.overall_error(star, comb) == pytest.approx(e0, rel=1e-12)
    assert np.all(wmass.overall_error(np.linspace(0.01, star - 0.01, 50), comb) > e0)
    assert np.all(wmass.overall_error(np.linspace(star + 0.005, 0.999, 20), comb) < e0)


def test_limits_at_full_correlation(comb):
    """"At ρ = ±1 the formulas have limits: w₁ → −2.37 at +1 and 0.41 at −1, and the error
    goes to zero. [...] a singular covariance says that one combination of the two
    measurements has no error at all. The slider panel refuses the two ends." """
    for sign in (1, -1):
        lim = wmass.full_correlation_limit(sign, comb)
        assert (lim["w1"] < 0) == (sign > 0)
        near = wmass.total_correlation_combination(sign * (1 - 1e-9))
        assert near.weights.iloc[0] == pytest.approx(lim["w1"], abs=1e-5)
        assert near.value == pytest.approx(lim["value"], abs=1e-3)
        assert near.error < 0.01
        with pytest.raises(InputError):
            wmass.total_correlation_combination(float(sign))
        s = wmass.total_errors(comb)
        cov = np.array([[s[0] ** 2, sign * s[0] * s[1]], [sign * s[0] * s[1], s[1] ** 2]])
        assert np.linalg.eigvalsh(cov)[0] == pytest.approx(0.0, abs=1e-9)


# ------------------------------------------------------------------ exercises
def test_beam_energy_exercise(comb):
    """"The beam energy adds the same 17 MeV to both channels [...] Adding a constant to all
    elements of C does not change the BLUE weights [...] so the mean stays and the error
    shrinks in quadrature, to 35.1 MeV." """
    no_beam = comb.without("beam_energy")
    np.testing.assert_allclose(no_beam.weights, comb.weights, atol=1e-12)
    assert no_beam.value == pytest.approx(comb.value, abs=1e-9)
    beam = comb.errors["beam_energy"].iloc[0]
    assert no_beam.error == pytest.approx(np.sqrt(comb.error**2 - beam**2), rel=1e-12)


def test_uncorrelated_exercise(comb):
    """"Ignoring the positive correlation makes the error smaller, 35.5 instead of 39.0 MeV
    [...] Here that is not conservative, because the channels' total correlation, 0.229,
    lies below ρ* = 2σ₁σ₂/(σ₁² + σ₂²) = 0.941 (the negative-weight threshold 0.703 plays no
    role here)." """
    unc = comb.with_correlation(list(wmass.COMMON), 0.0)
    assert unc.error < comb.error
    rho, star = comb.correlation.iat[0, 1], wmass.conservative_correlation(comb)
    assert rho < zero_weight_correlation(comb) < star
    # the exercise keeps the total errors and sets the total correlation to zero: exactly
    # the overall-correlation model, where dropping rho lowers the error iff rho < rho*
    np.testing.assert_allclose(np.diag(unc.covariance), np.diag(comb.covariance), rtol=1e-12)
    assert unc.correlation.iat[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert unc.error == pytest.approx(wmass.overall_error(0.0, comb), rel=1e-12)
    assert comb.error == pytest.approx(wmass.overall_error(rho, comb), rel=1e-12)
    above = 0.97                                           # between rho* and 1: overstated
    assert wmass.overall_error(above, comb) < unc.error


def test_theory_group_exercise_is_the_grouped_quadratic_difference(comb):
    """"Removing one theory source re-optimises the weights with the other one still in the
    covariance [...] the sources of a group must be removed together." """
    without = comb.without("theory_4q").without("theory_common")
    direct = np.sqrt(comb.error**2 - without.error**2)
    assert direct == pytest.approx(comb.grouped(wmass.GROUPS).loc["theory", "quadratic difference"], rel=1e-12)
    assert not np.allclose(without.weights, comb.without("theory_4q").weights, atol=0.01)


def test_student_fit_with_default_minuit_passes_the_check(comb):
    """The exercise's own fit (default Minuit settings, start 80400 MeV) passes
    ``check("wmass-minuit", ...)``, and Minuit reports a valid minimum and accurate covariance."""
    from iminuit import Minuit

    from helpers.selfcheck import check
    y, C = comb.values.to_numpy(), comb.covariance.to_numpy()

    def chi2(m):
        r = y - m
        return r @ np.linalg.solve(C, r)

    fit = Minuit(chi2, m=80400.0)
    fit.errordef = Minuit.LEAST_SQUARES
    fit.migrad()
    fit.hesse()
    assert fit.valid and fit.fmin.has_accurate_covar
    assert check("wmass-minuit", (fit.values["m"], fit.errors["m"]))
    assert not check("wmass-minuit", (fit.values["m"], 35.5))      # uncorrelated error: wrong


def test_takeaway_conservativeness_is_decided_by_rho_star(comb):
    """"Whether neglecting a correlation is conservative depends on where you are relative to
    ρ* = 2σ₁σ₂/(σ₁²+σ₂²) (not the negative-weight threshold)." Between the two thresholds
    (0.703 < ρ < 0.941) neglecting the correlation still understates the error."""
    star, zero = wmass.conservative_correlation(comb), zero_weight_correlation(comb)
    e0 = wmass.overall_error(0.0, comb)
    between = np.linspace(zero + 0.01, star - 0.01, 20)
    assert zero < star
    assert np.all(wmass.overall_error(between, comb) > e0)
    assert wmass.overall_error(star + 0.01, comb) < e0


# ------------------------------------------------------------------ tables
def test_frames_are_labelled(comb):
    """The four-group table has the four usual groups and the total, in order."""
    g = comb.grouped(wmass.GROUPS)
    assert list(g.index) == ["statistical", "experimental systematic", "theory", "accelerator", "total"]
    assert isinstance(g, pd.DataFrame)


# ---------------------------------------------------------------- the slider panels' numbers
@pytest.mark.parametrize("rho", [-1.0, -0.35, 0.0, 0.5, 1.0])
@pytest.mark.parametrize("theory", [0.0, 16.9, 47.0, 150.0])
def test_two_channels_is_the_combination(rho, theory):
    """two_channels (closed form, for the first slider panel) against Combination."""
    s = wmass.two_channels(rho, theory)
    comb = wmass.lep_combination(rho, theory)
    assert s.value == pytest.approx(comb.value, rel=1e-14)
    assert s.error == pytest.approx(comb.error, rel=1e-12)
    np.testing.assert_allclose(s.weights, comb.weights.to_numpy(), rtol=1e-12, atol=1e-15)
    assert s.correlation == pytest.approx(comb.correlation.iat[0, 1], rel=1e-13)
    assert s.threshold == pytest.approx(zero_weight_correlation(comb), rel=1e-13)
    assert s.chi2 == pytest.approx(comb.chi2, rel=1e-11)
    mu = np.linspace(80300, 80600, 7)
    np.testing.assert_allclose(s.chi2_curve(mu), comb.chi2_curve(mu), rtol=1e-11)


@pytest.mark.parametrize("rho", [-0.99, -0.5, 0.0, 0.23, 0.703, 0.99])
def test_overall_setting_is_the_combination(rho):
    s = wmass.overall_setting(rho)
    comb = wmass.total_correlation_combination(rho)
    assert s.value == pytest.approx(comb.value, rel=1e-14)
    assert s.error == pytest.approx(comb.error, rel=1e-11)
    np.testing.assert_allclose(s.weights, comb.weights.to_numpy(), rtol=1e-11)


@pytest.mark.parametrize("rho", [-1.0, 1.0, 1.5])
def test_overall_setting_refuses_singular_and_impossible(rho):
    with pytest.raises(InputError):
        wmass.overall_setting(rho)
