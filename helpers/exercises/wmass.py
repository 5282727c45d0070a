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


EXERCISES = {
    "wmass-without-beam": Exercise(_wmass_without_beam, atol=0.1, what="the mean and error (MeV)",
                                   parts=('the mean', 'the error'),
                                   mistakes=(Mistake(_without_exp_syst_no_beam, _NO_EXP_SYST),)),
    "wmass-uncorrelated-error": Exercise(_wmass_uncorrelated_error, atol=0.1, what="the error (MeV)",
                                         mistakes=(Mistake(_without_exp_syst_uncorrelated, _NO_EXP_SYST),)),
    "wmass-weight-threshold": Exercise(
        _wmass_weight_threshold, atol=0.005, what="the correlation",
        mistakes=(
            Mistake(lambda: _error_ratio()[1], "A correlation above 1 cannot be: the threshold is "
                    "the smaller error over the larger. Look again at which error goes on top."),
            Mistake(lambda: _error_ratio()[0] ** 2, "This is a ratio of variances: the threshold "
                    "compares the errors themselves. Look again at the condition on the weight."),
            Mistake(_total_correlation, "This is the correlation the two measurements actually "
                    "have, not the one at which a weight would reach zero. Look again at what "
                    "the exercise asks."),
        )),
    "wmass-minuit": Exercise(_wmass_minuit, atol=0.1, what="the fitted mean and its error (MeV)",
                             parts=('the mean', 'its error')),
    "wmass-theory-group": Exercise(
        _wmass_theory_group, atol=0.1, what="the theory group's quadratic difference (MeV)",
        mistakes=(
            Mistake(lambda: _theory_sources()[0], "The two theory sources' quadratic differences "
                    "added in quadrature: they are correlated through the weights, so a group's "
                    "quadratic difference is taken by removing the whole group at once."),
            Mistake(lambda: _theory_sources()[1], "The two theory sources' quadratic differences "
                    "added linearly: remove the whole group at once and compare the errors."),
            Mistake(lambda: _theory_sources()[2], "This is the group's BLUE contribution, "
                    "sqrt(w^T C_theory w): the exercise asks for the quadratic difference, "
                    "with and without the group."),
        )),
}
