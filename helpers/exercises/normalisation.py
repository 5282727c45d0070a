"""Answers of the exercises in "Normalisation uncertainties".

The fits a student writes with Minuit's default settings can stop a little away from
the exact minimum (the chapter measures how far: up to about 0.008 in mu for the
N-on-prediction fit), so the tolerances of those checks are wider than that.
"""

from . import Exercise


def _problem(**kw):
    from ..normalisation import course_problem
    return course_problem(**kw)


def _norm_covfit_30() -> float:
    return _problem(norm_rel=0.30).covariance_fit().value


def _norm_nuisance_mean() -> float:
    return _problem().nuisance_fit("prediction", minos=False).value


def _norm_linearised_error() -> float:
    return _problem().nuisance_fit("prediction", minos=False).error


def _norm_covfit_minuit() -> tuple:
    fit = _problem().covariance_fit()
    return fit.value, fit.error


def _norm_n_on_data() -> tuple:
    fit = _problem().nuisance_fit("data", minos=False)
    return fit.value, fit.N


def _norm_n_on_prediction() -> tuple:
    fit = _problem().nuisance_fit("prediction", minos=False)
    return fit.value, fit.error


def _norm_n_on_data_scaled() -> float:
    # exact: mu/N = weighted mean and N = 1, so mu is the N-on-prediction value
    return _problem().weighted_mean().value


EXERCISES = {
    "normalisation-covfit-30": Exercise(_norm_covfit_30, atol=0.01, what="the combined value"),
    "normalisation-weighted-nuisance-mean": Exercise(_norm_nuisance_mean, atol=0.001, what="the combined value"),
    "normalisation-weighted-linearised-error": Exercise(_norm_linearised_error, atol=0.002, what="the error"),
    "normalisation-covfit-minuit": Exercise(_norm_covfit_minuit, atol=0.005,
                                   what="the fitted value and its error", parts=('the value', 'its error')),
    "normalisation-nuisance-n-on-data": Exercise(_norm_n_on_data, atol=0.005, what="the fitted mu and N", parts=('mu', 'N')),
    "normalisation-nuisance-n-on-prediction": Exercise(_norm_n_on_prediction, atol=0.01,
                                     what="the fitted mu and its HESSE error", parts=('mu', 'its HESSE error')),
    "normalisation-n-on-data-scaled": Exercise(_norm_n_on_data_scaled, atol=0.01, what="the fitted mu"),
}
