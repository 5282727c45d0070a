"""Answers of the exercises in the appendix "Published combinations"."""

from . import Exercise, Mistake


def _entry():
    from ..gallery import entry
    return entry()


def _pair(comb) -> tuple:
    return comb.value, comb.error


def _gallery_blue() -> tuple:
    return _pair(_entry().comb)


def _gallery_stability() -> tuple:
    from ..gallery import STABILITY_SOURCE, between_experiments
    return _pair(between_experiments(_entry(), STABILITY_SOURCE, 0.0))


# ------------------------------------------------------------------ mistakes
def _uncorrelated() -> tuple:
    comb = _entry().comb
    return _pair(comb.with_correlation(comb.sources, 0.0))


def _one_row(which: str) -> tuple:
    from ..gallery import one_correlation_for_all
    return _pair(one_correlation_for_all(_entry(), which))


def _plain_mean() -> tuple:
    return float(_entry().comb.values.mean()), float("nan")


def _error_without_covariance() -> tuple:
    """The right weights, the error propagated as if the measurements were uncorrelated."""
    comb = _entry().comb
    return float("nan"), float(((comb.weights * comb.total_errors) ** 2).sum() ** 0.5)


def _zero_within_too() -> tuple:
    from ..gallery import STABILITY_SOURCE, between_experiments
    return _pair(between_experiments(_entry(), STABILITY_SOURCE, 0.0, within=0.0))


def _every_source_between_zero() -> tuple:
    from ..gallery import between_experiments
    e = _entry()
    return _pair(between_experiments(e, e.comb.sources, 0.0))


EXERCISES = {
    # closed form
    "gallery-blue": Exercise(_gallery_blue, decimals=(2, 2),
                             what="the combined top-quark mass and its error (GeV)",
                             parts=("the value", "the error"),
        mistakes=(
            Mistake(_uncorrelated, "This combination treats every source as uncorrelated: "
                    "each source adds rho_k,ij a_i a_j to every off-diagonal element of C, with "
                    "the correlation from the rows rho_exp and rho_lhc."),
            Mistake(lambda: _one_row("between"), "You used the row rho_lhc for every pair: it "
                    "is the correlation between an ATLAS and a CMS measurement; two measurements "
                    "of the same experiment take rho_exp."),
            Mistake(lambda: _one_row("within"), "You used the row rho_exp for every pair: it "
                    "is the correlation between two measurements of the same experiment; an "
                    "ATLAS and a CMS measurement take rho_lhc."),
            Mistake(_plain_mean, "This is the plain average of the five values: BLUE weights "
                    "each measurement by the inverse covariance, w = C^-1 1 / (1^T C^-1 1)."),
            Mistake(_error_without_covariance, "The weights are right, but the error is "
                    "propagated as if the measurements were uncorrelated: w^T C w has the "
                    "off-diagonal terms too (or use 1/(1^T C^-1 1))."),)),
    # closed form
    "gallery-stability": Exercise(_gallery_stability, decimals=(2, 2),
                                  what="the combined value and error (GeV)",
                                  parts=("the value", "the error"),
        mistakes=(
            Mistake(_gallery_blue, "These are the numbers of the nominal combination: the "
                    "correlation was not changed. between_experiments returns a new entry and "
                    "leaves the old one as it was: combine the one it returns."),
            Mistake(_zero_within_too, "You set bJES to 0 within each experiment too: only the "
                    "ATLAS-CMS correlation changes; two measurements of the same experiment "
                    "keep rho_exp = 1."),
            Mistake(_every_source_between_zero, "You set the ATLAS-CMS correlation of every "
                    "source to 0: only bJES changes here."),)),
}
