"""Answers of the exercises in "Normalisation uncertainties".

The fits a student writes with Minuit's default settings can stop a little away from
the exact minimum (the chapter measures how far: up to about 0.008 in mu for the
N-on-prediction fit), so the tolerances of those checks are wider than that.
"""

from . import Exercise, Mistake


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


def _plain_mean() -> float:
    return float(sum(_problem().values) / 2)


def _inverse_sigma_weights() -> float:
    p = _problem()
    w = [1.0 / s for s in p.stat_errors]
    return float(sum(wi * yi for wi, yi in zip(w, p.values)) / sum(w))


def _error_parts() -> tuple:
    """(statistical error of the weighted mean, epsilon * mu, epsilon * plain mean)."""
    p = _problem()
    return (p.weighted_mean().error, p.norm_error * _norm_nuisance_mean(),
            p.norm_error * _plain_mean())


_HESS_INV = ("The error is the square root of hess_inv (or of the inverse Hessian) of a "
             "chi-square: for a chi2 the covariance is twice the inverse Hessian. Look again "
             "at errordef.")

EXERCISES = {
    "normalisation-covfit-30": Exercise(_norm_covfit_30, atol=0.01, what="the combined value"),
    "normalisation-weighted-nuisance-mean": Exercise(
        _norm_nuisance_mean, atol=0.001, what="the combined value",
        mistakes=(
            Mistake(_plain_mean, "This is the plain mean of the two values: the weighted mean "
                    "weights each by its statistical precision."),
            Mistake(_inverse_sigma_weights, "These weights are 1/sigma: a weighted mean weights "
                    "by 1/sigma^2, the information each measurement carries."),
            Mistake(lambda: _problem().covariance_fit().value, "This is the fit with the "
                    "normalisation in the covariance of the measured values, the estimate "
                    "that falls below both: the exercise asks for the mean of the fit with N "
                    "as a parameter."),
        )),
    "normalisation-weighted-linearised-error": Exercise(
        # 0.0007: the answer to three decimals passes, the error with epsilon times the
        # plain mean (0.0015 away) does not
        _norm_linearised_error, atol=0.0007, what="the error",
        mistakes=(
            Mistake(lambda: _error_parts()[1], "Only the normalisation part: the statistical "
                    "error of the mean belongs in the error too."),
            Mistake(lambda: (_error_parts()[0] ** 2 + _error_parts()[2] ** 2) ** 0.5,
                    "The normalisation part is epsilon times the plain mean: it scales the "
                    "combined value itself. Look again at which mean epsilon multiplies."),
            Mistake(lambda: _error_parts()[0] + _error_parts()[1], "The statistical and the "
                    "normalisation parts are added linearly: independent errors add in quadrature."),
        )),
    "normalisation-covfit-minuit": Exercise(
        _norm_covfit_minuit, atol=0.005, what="the fitted value and its error",
        parts=('the value', 'its error'),
        mistakes=(Mistake(lambda: (float("nan"), _norm_covfit_minuit()[1] / 2**0.5), _HESS_INV),)),
    "normalisation-nuisance-n-on-data": Exercise(_norm_n_on_data, atol=0.005, what="the fitted mu and N", parts=('mu', 'N')),
    "normalisation-nuisance-n-on-prediction": Exercise(_norm_n_on_prediction, atol=0.01,
                                     what="the fitted mu and its HESSE error", parts=('mu', 'its HESSE error')),
    "normalisation-n-on-data-scaled": Exercise(_norm_n_on_data_scaled, atol=0.01, what="the fitted mu"),
}
