"""Answers of the exercises in "Combining two W-mass measurements"."""

from . import Exercise


def _wmass_without_beam() -> tuple:
    from ..figures.wmass import lep_combination
    comb = lep_combination().without("beam_energy")
    return comb.value, comb.error


def _wmass_uncorrelated_error() -> float:
    from ..figures.wmass import COMMON, lep_combination
    return lep_combination().with_correlation(list(COMMON), 0.0).error


def _wmass_weight_threshold() -> float:
    from ..combination import zero_weight_correlation
    from ..figures.wmass import lep_combination
    return zero_weight_correlation(lep_combination())


EXERCISES = {
    "wmass-without-beam": Exercise(_wmass_without_beam, atol=0.1, what="the mean and error (MeV)"),
    "wmass-uncorrelated-error": Exercise(_wmass_uncorrelated_error, atol=0.1, what="the error (MeV)"),
    "wmass-weight-threshold": Exercise(_wmass_weight_threshold, atol=0.005, what="the correlation"),
}
