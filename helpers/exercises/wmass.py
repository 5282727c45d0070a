"""Answers of the exercises in "Combining two W-mass measurements"."""

from . import Exercise, Mistake

_NO_EXP_SYST = ("The covariance lacks the experimental systematic: every source of the error "
                "table belongs in it, the ones you are not studying too. Look again at the "
                "sources you summed.")


def _wmass_without_beam() -> tuple:
    from ..wmass import lep_combination
    comb = lep_combination().without("beam_energy")
    return comb.value, comb.error


def _wmass_uncorrelated_error() -> float:
    from ..wmass import COMMON, lep_combination
    return lep_combination().with_correlation(list(COMMON), 0.0).error


def _wmass_weight_threshold() -> float:
    from ..combination import zero_weight_correlation
    from ..wmass import lep_combination
    return zero_weight_correlation(lep_combination())


def _wmass_minuit() -> tuple:
    # the student's chi2 fit must agree with the BLUE: mean and HESSE error
    from ..wmass import lep_combination
    comb = lep_combination()
    return comb.value, comb.error


def _without_exp_syst_no_beam() -> tuple:
    from ..wmass import lep_combination
    comb = lep_combination().without("exp_syst").without("beam_energy")
    return float("nan"), comb.error


def _without_exp_syst_uncorrelated() -> float:
    from ..wmass import COMMON, lep_combination
    return lep_combination().without("exp_syst").with_correlation(list(COMMON), 0.0).error


def _error_ratio() -> tuple:
    import numpy as np

    from ..wmass import lep_combination
    s = np.sqrt(np.diag(lep_combination().covariance.to_numpy()))
    return float(s.min() / s.max()), float(s.max() / s.min())


def _total_correlation() -> float:
    from ..wmass import lep_combination
    return float(lep_combination().correlation.iat[0, 1])


def _theory_sources() -> tuple:
    from ..wmass import GROUPS, lep_combination
    comb = lep_combination()
    qd = comb.quadratic_difference()[GROUPS["theory"]]
    return (float((qd**2).sum() ** 0.5), float(qd.sum()),
            float(comb.grouped(GROUPS).loc["theory", "BLUE contribution"]))


def _wmass_theory_group() -> float:
    from ..wmass import GROUPS, lep_combination
    return float(lep_combination().grouped(GROUPS).loc["theory", "quadratic difference"])


def _minuit_mistake(kind: str) -> tuple:
    """The mean and error a student's chi2 fit gives with one typical slip."""
    import numpy as np

    from ..wmass import COMMON, lep_combination
    comb = lep_combination()
    if kind == "no_exp_syst":
        wrong = comb.without("exp_syst")
        return float("nan"), wrong.error                        # the mean moves by < 0.5 MeV
    if kind == "rho0":
        return float("nan"), comb.with_correlation(list(COMMON), 0.0).error
    if kind == "rho-1":
        wrong = comb.with_correlation(list(COMMON), -1.0)
        return wrong.value, wrong.error
    if kind == "errordef":                                      # errordef 0.5: Delta chi2 = 1/2
        return float("nan"), float(comb.error / np.sqrt(2.0))
    if kind == "variance":                                      # fit.covariance["m", "m"]
        return float("nan"), float(comb.error**2)
    if kind == "hess_inv":                # scipy's hess_inv of a chi2: (d2chi2/dm2)^-1 = sigma^2/2
        return float("nan"), float(comb.error**2 / 2.0)
    # "times_c": chi2 = r^T C r, the covariance itself where its inverse belongs
    cov, y, one = comb.covariance.to_numpy(), comb.values.to_numpy(), np.ones(comb.n)
    return float(one @ cov @ y / (one @ cov @ one)), float(1 / np.sqrt(one @ cov @ one))


def _beam_mistake(kind: str) -> tuple:
    """What a student gets for "without the beam energy" with one typical slip."""
    import numpy as np

    from ..wmass import lep_combination
    comb = lep_combination()
    if kind == "decorrelated":
        wrong = comb.with_correlation(["beam_energy"], 0.0)
        return wrong.value, wrong.error
    # "diagonal": the beam variance taken off the diagonal, its covariance left in
    cov = comb.covariance.to_numpy() - np.diag(np.diag(comb.source_covariances["beam_energy"].to_numpy()))
    one, y = np.ones(comb.n), comb.values.to_numpy()
    a = np.linalg.solve(cov, one)
    return float(a @ y / (a @ one)), float(1 / np.sqrt(a @ one))


def _uncorrelated_mistake(kind: str) -> float:
    from ..wmass import COMMON, lep_combination
    comb = lep_combination()
    if kind in COMMON:                                          # only one common source decorrelated
        return comb.with_correlation([kind], 0.0).error
    if kind == "anti":
        return comb.with_correlation(list(COMMON), -1.0).error
    return comb.error                                           # "nominal": nothing changed


def _threshold_no_exp_syst() -> float:
    from ..combination import zero_weight_correlation
    from ..wmass import lep_combination
    return zero_weight_correlation(lep_combination().without("exp_syst"))


def _conservative() -> float:
    from ..wmass import conservative_correlation
    return conservative_correlation()


def _theory_group_no_exp_syst() -> float:
    from ..wmass import GROUPS, lep_combination
    groups = {k: v for k, v in GROUPS.items() if k != "experimental systematic"}
    return float(lep_combination().without("exp_syst").grouped(groups)
                 .loc["theory", "quadratic difference"])


def _theory_4q_only() -> float:
    from ..wmass import lep_combination
    return float(lep_combination().quadratic_difference()["theory_4q"])



EXERCISES = {
    "wmass-without-beam": Exercise(
        _wmass_without_beam, atol=0.0, decimals=1, what="the mean and error (MeV)",
        parts=('the mean', 'the error'),
        mistakes=(
            Mistake(_without_exp_syst_no_beam, _NO_EXP_SYST),
            Mistake(lambda: _beam_mistake("diagonal"), "The beam-energy variance is gone from "
                    "the diagonal, but its covariance is still off the diagonal: a source that "
                    "is removed takes its whole matrix C_k with it, correlated part included."),
            Mistake(lambda: _beam_mistake("decorrelated"), "This makes the beam-energy "
                    "uncertainty uncorrelated between the channels; the exercise removes it "
                    "altogether (a perfectly known beam energy). Drop the source with "
                    "Combination.without."),
        )),
    "wmass-uncorrelated-error": Exercise(
        _wmass_uncorrelated_error, atol=0.0, decimals=1, what="the error (MeV)",
        mistakes=(
            Mistake(_without_exp_syst_uncorrelated, _NO_EXP_SYST),
            Mistake(lambda: _uncorrelated_mistake("theory_common"), "Only the common theory "
                    "source is uncorrelated here, the beam energy is still fully correlated: "
                    "the exercise sets the correlation of both common sources to zero."),
            Mistake(lambda: _uncorrelated_mistake("beam_energy"), "Only the beam energy is "
                    "uncorrelated here, the common theory source is still fully correlated: "
                    "the exercise sets the correlation of both common sources to zero."),
            Mistake(lambda: _uncorrelated_mistake("anti"), "This is the error with the common "
                    "sources anti-correlated (-1): zero correlation removes their off-diagonal "
                    "terms, it does not reverse their sign."),
            Mistake(lambda: _uncorrelated_mistake("nominal"), "This is the error of the nominal "
                    "combination, with the common sources fully correlated: change their "
                    "correlation to zero and recombine."),
        )),
    "wmass-weight-threshold": Exercise(
        _wmass_weight_threshold, atol=0.0, decimals=3, what="the correlation",
        mistakes=(
            Mistake(lambda: _error_ratio()[1], "A correlation above 1 cannot be: the threshold is "
                    "the smaller error over the larger. Look again at which error goes on top."),
            Mistake(lambda: _error_ratio()[0] ** 2, "This is a ratio of variances: the threshold "
                    "compares the errors themselves. Look again at the condition on the weight."),
            Mistake(_total_correlation, "This is the correlation the two measurements actually "
                    "have, not the one at which a weight would reach zero. Look again at what "
                    "the exercise asks."),
            Mistake(_threshold_no_exp_syst, _NO_EXP_SYST),
            Mistake(_conservative, "This is 2 sigma_1 sigma_2 / (sigma_1^2 + sigma_2^2), where "
                    "neglecting a correlation stops understating the error, not where a weight "
                    "changes sign. Set the weight w_1 of the two-measurement formula to zero."),
        )),
    "wmass-minuit": Exercise(
        _wmass_minuit, atol=0.001, decimals=0, what="the fitted mean and its error (MeV)",
        parts=('the mean', 'its error'),
        mistakes=(
            Mistake(lambda: _minuit_mistake("no_exp_syst"), _NO_EXP_SYST),
            Mistake(lambda: _minuit_mistake("rho0"), "This is the error with the common theory "
                    "and beam-energy sources uncorrelated: they are 100 % correlated, so their "
                    "products sigma_1 sigma_2 belong off the diagonal of C too."),
            Mistake(lambda: _minuit_mistake("rho-1"), "This is the fit with the common sources "
                    "anti-correlated: check the sign of the off-diagonal terms you put in C "
                    "(correlation +1 for the common theory and the beam energy)."),
            Mistake(lambda: _minuit_mistake("errordef"), "The error is too small by sqrt(2): "
                    "that is what errordef = 0.5 (a log-likelihood's Delta = 1/2) gives, or "
                    "sqrt(hess_inv) of a chi2 minimised with scipy (its curvature is 2/sigma^2). "
                    "A chi2 needs errordef = Minuit.LEAST_SQUARES (Delta chi2 = 1); set it before "
                    "migrad()."),
            Mistake(lambda: _minuit_mistake("variance"), "This is a variance, the element of "
                    "fit.covariance (or 1/(1^T C^-1 1)): the error is its square root, "
                    "fit.errors[\"m\"]."),
            Mistake(lambda: _minuit_mistake("hess_inv"), "This looks like an inverse curvature "
                    "(scipy's hess_inv) quoted as the error: it is a variance, and for a chi2 "
                    "half of it (the curvature is 2/sigma^2). The error is Minuit's HESSE error, "
                    "fit.errors[\"m\"] with errordef = Minuit.LEAST_SQUARES."),
            Mistake(lambda: _minuit_mistake("times_c"), "Your chi2 multiplies the residuals by "
                    "the covariance matrix C itself: it needs its inverse, r^T C^-1 r (solve "
                    "C x = r with np.linalg.solve and take r @ x)."),
        )),
    "wmass-theory-group": Exercise(
        _wmass_theory_group, atol=0.0, decimals=2,
        what="the theory group's quadratic difference (MeV)",
        mistakes=(
            Mistake(lambda: _theory_sources()[0], "The two theory sources' quadratic differences "
                    "added in quadrature: they are correlated through the weights, so a group's "
                    "quadratic difference is taken by removing the whole group at once."),
            Mistake(lambda: _theory_sources()[1], "The two theory sources' quadratic differences "
                    "added linearly: remove the whole group at once and compare the errors."),
            Mistake(lambda: _theory_sources()[2], "This is the group's BLUE contribution, "
                    "sqrt(w^T C_theory w): the exercise asks for the quadratic difference, "
                    "with and without the group."),
            Mistake(_theory_4q_only, "Only the four-jet theory source is removed here: the "
                    "theory group also holds the common theory model, and both leave the "
                    "covariance together."),
            Mistake(_theory_group_no_exp_syst, _NO_EXP_SYST),
        )),
}
