"""Answers of the exercises in "Combining two W-mass measurements"."""

from . import Exercise


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


def _wmass_theory_group() -> float:
    from ..wmass import GROUPS, lep_combination
    return float(lep_combination().grouped(GROUPS).loc["theory", "quadratic difference"])


EXERCISES = {
    "wmass-without-beam": Exercise(_wmass_without_beam, atol=0.1, what="the mean and error (MeV)", parts=('the mean', 'the error')),
    "wmass-uncorrelated-error": Exercise(_wmass_uncorrelated_error, atol=0.1, what="the error (MeV)"),
    "wmass-weight-threshold": Exercise(_wmass_weight_threshold, atol=0.005, what="the correlation"),
    "wmass-minuit": Exercise(_wmass_minuit, atol=0.1, what="the fitted mean and its error (MeV)", parts=('the mean', 'its error')),
    "wmass-theory-group": Exercise(_wmass_theory_group, atol=0.1,
                                   what="the theory group's quadratic difference (MeV)"),
}
