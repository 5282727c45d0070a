"""Answers of the exercises in "Combining the ATLAS and CMS top-pair cross sections"."""

from . import Exercise, Mistake


def _ttbar_blue() -> tuple:
    from ..ttbar import lhc_combination
    comb = lhc_combination()
    return comb.value, comb.error


def _ttbar_correlation_term() -> float:
    from ..ttbar import lhc_combination
    return float(lhc_combination().information_weights().loc["correlations", "intrinsic"])


def _ttbar_uncorrelated() -> tuple:
    from ..ttbar import lhc_combination
    comb = lhc_combination()
    zero = comb.with_correlation(comb.sources, 0.0)
    return zero.value, zero.error


def _ttbar_iterative_norm() -> tuple:
    from ..ttbar import normalisation_combination
    it = normalisation_combination().iterated("norm")
    return it.value, it.error


def _hess_inv_error() -> tuple:
    from ..ttbar import lhc_combination
    return float("nan"), lhc_combination().error / 2**0.5


def _plain_average() -> tuple:
    from ..ttbar import lhc_combination
    return float(lhc_combination().values.mean()), float("nan")


def _intrinsic_sum() -> float:
    from ..ttbar import lhc_combination
    iw = lhc_combination().information_weights()
    return float(iw.loc[["ATLAS", "CMS"], "intrinsic"].sum())


def _total_correlation() -> float:
    from ..ttbar import lhc_combination
    return float(lhc_combination().correlation.iat[0, 1])


def _iteration(k: int) -> tuple:
    from ..ttbar import normalisation_combination
    row = normalisation_combination().iterated("norm").history.iloc[k]
    return float(row["value"]), float(row["error"])


def _not_iterated_lumi() -> float:
    from ..ttbar import lhc_combination
    return lhc_combination().value


def _ttbar_iterative_lumi() -> float:
    from ..ttbar import LUMI, lhc_combination
    return lhc_combination().iterated(list(LUMI)).value


EXERCISES = {
    "ttbar-blue": Exercise(_ttbar_blue, atol=0.005, what="the combined value and error (pb)", parts=('the value', 'the error'),
        mistakes=(
            Mistake(_hess_inv_error, "The error is the square root of hess_inv of a chi-square "
                    "fit: for a chi2 the covariance is twice the inverse Hessian. Look again at "
                    "how the curvature of chi2 gives the error."),
            Mistake(_ttbar_uncorrelated, "This combination treats every source as uncorrelated "
                    "between the experiments: look again at the correlation of each source."),
            Mistake(_plain_average, "This is the plain average of the two values: BLUE weights "
                    "each measurement by its total covariance."),)),
    "ttbar-correlation-term": Exercise(_ttbar_correlation_term, atol=0.001,
                                       what="the information weight of the correlations",
        mistakes=(
            Mistake(_intrinsic_sum, "This is the sum of the two experiments' intrinsic "
                    "weights: the correlation term is what is left of 1 after them, with its sign."),
            Mistake(lambda: -_ttbar_correlation_term(), "The size is right, the sign is not: "
                    "look again at what the correlations add to or take from the information."),
            Mistake(_total_correlation, "This is the total correlation of the two measurements, "
                    "not the information weight of the correlations."),)),
    "ttbar-uncorrelated": Exercise(_ttbar_uncorrelated, atol=0.005,
                                   what="the combined value and error (pb)", parts=('the value', 'the error')),
    "ttbar-iterative-norm": Exercise(_ttbar_iterative_norm, atol=0.0005,
                                     what="the converged value and error", parts=('the value', 'the error'),
        mistakes=(
            Mistake(lambda: _iteration(0), "This is the first pass, with the covariance taken "
                    "from the measured values: the iteration has not started. Look again at the loop."),
            Mistake(lambda: (float("nan"), _iteration(1)[1]), "The value is converged but the "
                    "error is from the covariance of the previous pass: recompute the covariance "
                    "at the converged value before quoting its error."),)),
    "ttbar-iterative-lumi": Exercise(_ttbar_iterative_lumi, atol=0.002,
                                     what="the converged cross section (pb)",
        mistakes=(
            Mistake(_not_iterated_lumi, "This is the BLUE with the luminosity errors as "
                    "given, not rescaled to the combined value: the iteration has not run."),)),
}
