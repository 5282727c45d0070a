"""Answers of the exercises in "Normalisation uncertainties"."""

from . import Exercise


def _norm_covfit_30() -> float:
    from ..figures.normalisation import course_problem
    return course_problem(norm_rel=0.30).covariance_fit().value


def _norm_nuisance_mean() -> float:
    from ..figures.normalisation import course_problem
    return course_problem().nuisance_fit("prediction").value


def _norm_linearised_error() -> float:
    from ..figures.normalisation import course_problem
    return course_problem().nuisance_fit("prediction").error


EXERCISES = {
    "norm-covfit-30": Exercise(_norm_covfit_30, atol=0.01, what="the combined value"),
    "norm-nuisance-mean": Exercise(_norm_nuisance_mean, atol=0.001, what="the combined value"),
    "norm-linearised-error": Exercise(_norm_linearised_error, atol=0.002, what="the error"),
}
