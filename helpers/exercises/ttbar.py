"""Answers of the exercises in "Combining the ATLAS and CMS top-pair cross sections"."""

from . import Exercise, Mistake


def _comb():
    from ..ttbar import lhc_combination
    return lhc_combination()


def _ttbar_blue() -> tuple:
    comb = _comb()
    return comb.value, comb.error


def _ttbar_correlation_term() -> float:
    return float(_comb().information_weights().loc["correlations", "intrinsic"])


def _ttbar_uncorrelated() -> tuple:
    comb = _comb()
    zero = comb.with_correlation(comb.sources, 0.0)
    return zero.value, zero.error


def _ttbar_iterative_norm() -> tuple:
    from ..ttbar import normalisation_combination
    it = normalisation_combination().iterated("norm")
    return it.value, it.error


# ------------------------------------------------------------------ mistakes
def _sign_flipped() -> tuple:
    """Every source's correlation with the opposite sign: C12 = -sum rho_k a_k b_k."""
    comb = _comb()
    flipped = comb
    for source, rho in comb.source_correlations.items():
        flipped = flipped.with_correlation(source, -float(rho.iat[0, 1]))
    return flipped.value, flipped.error


def _hess_inv_error() -> tuple:
    return float("nan"), _comb().error / 2**0.5


def _plain_average() -> tuple:
    return float(_comb().values.mean()), float("nan")


def _error_without_covariance() -> tuple:
    """The right weights, but the error propagated as if the two were uncorrelated."""
    comb = _comb()
    return float("nan"), float(((comb.weights * comb.total_errors) ** 2).sum() ** 0.5)


def _nominal() -> tuple:
    return _ttbar_blue()


def _intrinsic_sum() -> float:
    iw = _comb().information_weights()
    return float(iw.loc[["ATLAS", "CMS"], "intrinsic"].sum())


def _total_correlation() -> float:
    return float(_comb().correlation.iat[0, 1])


def _error_ratios() -> float:
    """1 - sum of sigma/sigma_i: standard deviations where the information needs variances."""
    comb = _comb()
    return float(1 - (comb.error / comb.total_errors).sum())


def _blue_weights_left() -> float:
    """1 - the sum of the BLUE weights, which is always 0."""
    return float(1 - _comb().weights.sum())


def _iteration(k: int) -> tuple:
    from ..ttbar import normalisation_combination
    row = normalisation_combination().iterated("norm").history.iloc[k]
    return float(row["value"]), float(row["error"])


def _stat_relative_too() -> tuple:
    """Both sources rescaled to the combined value, the statistical one too."""
    from ..ttbar import normalisation_combination
    it = normalisation_combination().iterated(["stat", "norm"])
    return it.value, it.error


def _not_iterated_lumi() -> float:
    return _comb().value


def _every_source_relative() -> float:
    comb = _comb()
    return comb.iterated(comb.sources).value


def _ttbar_iterative_lumi() -> float:
    from ..ttbar import LUMI
    return _comb().iterated(list(LUMI)).value


EXERCISES = {
    # closed form; Minuit at its default settings lands within 1.1e-5 pb of BLUE for any
    # start value from 0 to 1000 pb (with or without errordef set): atol a few times that
    "ttbar-blue": Exercise(_ttbar_blue, atol=1e-4, decimals=(1, 1),
                           what="the combined value and error (pb)", parts=('the value', 'the error'),
        mistakes=(
            Mistake(_hess_inv_error, "This error is too small by a factor sqrt(2): the square "
                    "root of scipy's hess_inv, or Minuit told its function is a negative "
                    "log-likelihood. For a chi2 the variance is twice the inverse of its second "
                    "derivative: look again at errordef and at the pitfall on general minimisers."),
            Mistake(_ttbar_uncorrelated, "This combination treats every source as uncorrelated "
                    "between the experiments: the off-diagonal element of your covariance "
                    "needs rho_k a_k b_k summed over the sources."),
            Mistake(_sign_flipped, "The correlations enter with the wrong sign: each source adds "
                    "+rho_k a_k b_k to the off-diagonal element of C. Look again at how you "
                    "built it."),
            Mistake(_plain_average, "This is the plain average of the two values: BLUE weights "
                    "each measurement by its total covariance."),
            Mistake(_error_without_covariance, "The weights are right, but the error is "
                    "propagated as if the two measurements were uncorrelated: w^T C w has the "
                    "off-diagonal term too (or use 1/(1^T C^-1 1))."),)),
    # closed form
    "ttbar-correlation-term": Exercise(_ttbar_correlation_term, decimals=3,
                                       what="the information weight of the correlations",
        mistakes=(
            Mistake(_intrinsic_sum, "This is the sum of the two experiments' intrinsic "
                    "weights: the correlation term is what is left of 1 after them, with its sign."),
            Mistake(lambda: -_ttbar_correlation_term(), "The size is right, the sign is not: "
                    "it is 1 minus the sum of the intrinsic weights (not of the marginal ones). "
                    "Look again at what the correlations add to or take from the information."),
            Mistake(_total_correlation, "This is the total correlation of the two measurements, "
                    "not the information weight of the correlations."),
            Mistake(_error_ratios, "You divided standard deviations: information is 1/sigma^2, "
                    "so the intrinsic weights are ratios of variances."),
            Mistake(_blue_weights_left, "The BLUE weights always add up to 1, so they leave "
                    "nothing for the correlations: the intrinsic information weights are "
                    "ratios of variances, not the BLUE weights."),)),
    # closed form
    "ttbar-uncorrelated": Exercise(_ttbar_uncorrelated, decimals=(1, 1),
                                   what="the combined value and error (pb)", parts=('the value', 'the error'),
        mistakes=(
            Mistake(_nominal, "These are the numbers of the nominal combination: the "
                    "correlations were not set to zero. with_correlation returns a new "
                    "combination and leaves the old one as it was."),
            Mistake(lambda: (float("nan"), _ttbar_uncorrelated()[1] / 2**0.5), "This error is too small by a factor "
                    "sqrt(2): for a chi2 the variance is twice the inverse of its second "
                    "derivative (errordef, or scipy's hess_inv)."),)),
    # converged to 1e-9, as the exercise says: no scatter at the precision asked
    "ttbar-iterative-norm": Exercise(_ttbar_iterative_norm, decimals=(3, 3),
                                     what="the converged value and error", parts=('the value', 'the error'),
        mistakes=(
            Mistake(lambda: _iteration(0), "This is the first pass, with the covariance taken "
                    "from the measured values: the iteration has not started. Look again at the loop."),
            Mistake(lambda: (float("nan"), _iteration(1)[1]), "The value is converged but the "
                    "error is from the covariance of the previous pass: recompute the covariance "
                    "at the converged value before quoting its error."),
            Mistake(_stat_relative_too, "You rescaled the statistical errors too: only the "
                    "normalisation is a fraction of the true value; the statistical errors stay "
                    "as quoted on the measured values."),)),
    # converged to 1e-9: no scatter at the precision asked
    "ttbar-iterative-lumi": Exercise(_ttbar_iterative_lumi, decimals=2,
                                     what="the converged cross section (pb)",
        mistakes=(
            Mistake(_not_iterated_lumi, "This is the BLUE with the luminosity errors as "
                    "given, not rescaled to the combined value: the iteration has not run."),
            Mistake(_every_source_relative, "You rescaled more than the luminosity: only Vdm "
                    "and Lumi are fractions of the true cross section here; the other errors "
                    "stay as quoted."),)),
}
