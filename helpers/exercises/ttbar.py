"""Answers of the exercises in "Combining the ATLAS and CMS top-pair cross sections"."""

from . import Exercise


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


def _ttbar_iterative_lumi() -> float:
    from ..ttbar import LUMI, lhc_combination
    return lhc_combination().iterated(list(LUMI)).value


EXERCISES = {
    "ttbar-blue": Exercise(_ttbar_blue, atol=0.005, what="the combined value and error (pb)", parts=('the value', 'the error')),
    "ttbar-correlation-term": Exercise(_ttbar_correlation_term, atol=0.001,
                                       what="the information weight of the correlations"),
    "ttbar-uncorrelated": Exercise(_ttbar_uncorrelated, atol=0.005,
                                   what="the combined value and error (pb)", parts=('the value', 'the error')),
    "ttbar-iterative-norm": Exercise(_ttbar_iterative_norm, atol=0.0005,
                                     what="the converged value and error", parts=('the value', 'the error')),
    "ttbar-iterative-lumi": Exercise(_ttbar_iterative_lumi, atol=0.002,
                                     what="the converged cross section (pb)"),
}
