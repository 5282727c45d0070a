"""Answers of the exercises in "Normalisation uncertainties".

The nuisance-parameter exercises tell students to tighten MIGRAD (``m.tol = 1e-6``):
with the default stopping criterion the N-on-prediction fit from mu = 8, N = 1 stops
about 0.001 from the minimum, which a check to 0.001 must not hide (tests measure it).
At ``tol = 1e-6`` the fitted mu lies within 1e-5 of the exact minimum and HESSE's error
within 0.0003 of the exact (linearised) error: those are the tolerances.
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


def _percent_eps(**kw):
    """The problem with epsilon typed as a percent (10 for 10 %)."""
    return _problem(norm_rel=100 * _problem(**kw).norm_error)


_PERCENT = ("This is what epsilon = 10 gives: the normalisation uncertainty is 10 %, a "
            "fraction of 0.10 in the formulas.")
_PERCENT_30 = ("This is what epsilon = 30 gives: the normalisation uncertainty is 30 %, a "
               "fraction of 0.30 in the formulas.")
_OTHER_FIT_DATA = ("This is the fit with N multiplying the prediction: this exercise asks for "
                   "the fit with N multiplying the measured values.")
_OTHER_FIT_PRED = ("This is the fit with N multiplying the measured values (the covariance "
                   "fit in disguise): this exercise asks for N multiplying the prediction.")
_INV_SIGMA = ("This lies where weights 1/sigma would put the mean: a chi-square weights each "
              "value by 1/sigma^2. If you fitted, tighten Minuit (m.tol = 1e-6) and check "
              "that it converged.")


def _error_parts() -> tuple:
    """(statistical error of the weighted mean, epsilon * mu, epsilon * plain mean)."""
    p = _problem()
    return (p.weighted_mean().error, p.norm_error * _norm_nuisance_mean(),
            p.norm_error * _plain_mean())


_HESS_INV = ("The error is the square root of hess_inv (or of the inverse Hessian) of a "
             "chi-square: for a chi2 the covariance is twice the inverse Hessian. Look again "
             "at errordef.")

def _ellipse_level() -> float:
    """The contour c that the line y1' = y2' touches without the normalisation: sqrt(chi2_stat)."""
    return float(_problem(norm_rel=0.0).touching_point()[1])


EXERCISES = {
    "normalisation-covfit-30": Exercise(
        _norm_covfit_30, atol=1e-6, decimals=2, what="the combined value",
        mistakes=(
            Mistake(lambda: _percent_eps(norm_rel=0.30).covariance_fit().value, _PERCENT_30),
            Mistake(lambda: _problem(norm_rel=0.30).weighted_mean().value, "This is the "
                    "weighted mean (the N-on-prediction estimate): the exercise asks for the "
                    "covariance fit with the covariance from the measured values."),
        )),
    "normalisation-weighted-nuisance-mean": Exercise(
        # closed form; a fit at m.tol = 1e-6 lies within 1e-5 of it
        _norm_nuisance_mean, atol=1e-5, decimals=3, what="the combined value",
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
        # closed form; three decimals: epsilon times the plain mean (0.0015 away) fails
        _norm_linearised_error, atol=1e-6, decimals=3, what="the error",
        mistakes=(
            Mistake(lambda: _error_parts()[1], "Only the normalisation part: the statistical "
                    "error of the mean belongs in the error too."),
            Mistake(lambda: (_error_parts()[0] ** 2 + _error_parts()[2] ** 2) ** 0.5,
                    "The normalisation part is epsilon times the plain mean: it scales the "
                    "combined value itself. Look again at which mean epsilon multiplies."),
            Mistake(lambda: _error_parts()[0] + _error_parts()[1], "The statistical and the "
                    "normalisation parts are added linearly: independent errors add in quadrature."),
            Mistake(lambda: _percent_eps().nuisance_fit("prediction", minos=False).error,
                    _PERCENT),
            Mistake(lambda: _problem().covariance_fit().error, "This is the error of the "
                    "covariance fit: the exercise asks for the error of the N-on-prediction "
                    "estimate, sigma_w and epsilon times its mean in quadrature."),
        )),
    "normalisation-covfit-minuit": Exercise(
        # the covariance fit is a quadratic in mu: MIGRAD lands on it to 1e-6
        _norm_covfit_minuit, atol=1e-4, decimals=(3, 3), what="the fitted value and its error",
        parts=('the value', 'its error'),
        mistakes=(
            Mistake(lambda: (float("nan"), _norm_covfit_minuit()[1] / 2**0.5), _HESS_INV),
            Mistake(lambda: (_percent_eps().covariance_fit().value,
                             _percent_eps().covariance_fit().error), _PERCENT),
            Mistake(lambda: (_problem().weighted_mean().value, float("nan")), "This is the "
                    "weighted mean: the covariance fit with the normalisation in V lands "
                    "elsewhere. Check that V contains eps^2 y y^T and that chi2 uses it."),
        )),
    "normalisation-nuisance-n-on-data": Exercise(
        _norm_n_on_data, atol=(1e-5, 1e-5), decimals=(3, 3), what="the fitted mu and N",
        parts=('mu', 'N'),
        mistakes=(
            Mistake(lambda: (_norm_n_on_prediction()[0], float("nan")), _OTHER_FIT_DATA),
        )),
    "normalisation-nuisance-n-on-prediction": Exercise(
        # at m.tol = 1e-6: mu within 1e-5 of the minimum; HESSE's error 0.0003 above the
        # exact linearised error (numerical second derivatives)
        _norm_n_on_prediction, atol=(1e-5, 0.0004), decimals=(3, 3),
        what="the fitted mu and its HESSE error", parts=('mu', 'its HESSE error'),
        mistakes=(
            Mistake(lambda: (_inverse_sigma_weights(), float("nan")), _INV_SIGMA),
            Mistake(lambda: (_problem().covariance_fit().value,
                             _problem().covariance_fit().error), _OTHER_FIT_PRED),
            Mistake(lambda: (float("nan"),
                             _percent_eps().nuisance_fit("prediction", minos=False).error),
                    _PERCENT),
        )),
    "normalisation-n-on-data-scaled": Exercise(
        _norm_n_on_data_scaled, atol=1e-5, decimals=3, what="the fitted mu",
        mistakes=(
            Mistake(_inverse_sigma_weights, _INV_SIGMA),
            Mistake(lambda: _problem().covariance_fit().value, "This is the N-on-data fit "
                    "with unscaled errors: scale the statistical errors by N as well, "
                    "(N y_i - mu)^2/(N sigma_i)^2."),
            Mistake(_plain_mean, "This is the plain mean of the two values: look again at "
                    "the statistical errors in the chi-square."),
        )),    "normalisation-ellipse": Exercise(
        _ellipse_level, atol=1e-6, decimals=2, what="the level c of the touching contour",
        mistakes=(
            Mistake(lambda: 1.0, "The c = 1 contour never reaches the line y1' = y2': look for "
                    "the smallest contour that touches it (touching_point() gives its level)."),
            Mistake(lambda: float(_problem().touching_point()[1]), "This is the touching level "
                    "with the 10 % normalisation: the exercise asks for epsilon = 0."),
            Mistake(lambda: float(_problem(norm_rel=0.0).stat_chi2()), "This is chi2_stat "
                    "itself: the level c of a contour is the square root of its chi-square."),
        )),
}
