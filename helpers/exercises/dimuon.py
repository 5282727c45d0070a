"""Answers of the exercises in "Fitting the di-muon mass peak"."""

from . import Exercise, Mistake

SIGNAL_EVENTS = 10_000
"""Events in the signal-only sample of the negative-log-likelihood exercise."""


def signal_sample():
    """The exercise's signal-only sample: ``simulate(10_000, seed=helpers.SEED, f_sig=1)``."""
    from .. import SEED
    from ..dimuon import simulate
    return simulate(SIGNAL_EVENTS, seed=SEED, f_sig=1.0)


def _dimuon_signal_nll() -> tuple:
    # the student's own NLL (scipy.stats.crystalball, truncated to the range) must reach
    # the same minimum as the book's fast log-density with alpha, n fixed to the truth
    from iminuit import Minuit

    from ..dimuon import MASS_RANGE, PARAMETERS, TRUTH, FastLogPdf, limits
    model = FastLogPdf(signal_sample(), MASS_RANGE)
    m = Minuit(model.nll, 10.5, 0.05, TRUTH["alpha"], TRUTH["n"], 0.0, 1.0, name=PARAMETERS,
               grad=model.nll_grad)
    m.fixed["alpha", "n", "slope", "f_sig"] = True
    m.limits["mu"] = limits()["mu"]
    m.limits["sigma"] = limits()["sigma"]
    m.errordef = Minuit.LEAST_SQUARES          # model.nll is -2 ln L
    m.migrad()
    return m.values["mu"], m.values["sigma"]


def _dimuon_n_2sigma() -> tuple:
    from ..dimuon import fit, load
    from ..dimuon import FitError
    from ..dimuon.fitting import minos_table
    m = fit(load()).minuit
    m.minos("n", cl=2)
    row = minos_table(m, ["n"]).loc["n"]
    if row["lower_at_limit"] or row["upper_at_limit"]:
        raise FitError("the 2-sigma MINOS interval of n reaches a limit of n: no two-sided answer")
    return row["lower"], row["upper"]


STEP = 1e-3
"""The fixed step of the exercise "dimuon-step": large enough that rounding moves the error
of n by only ~1e-5 (relative) between machines, so that the check can be tight; its
one-sided formula then is 2.3 % above HESSE (the truncation error), which the check can
tell from HESSE's own error."""

STEP_ATOL = 0.002
"""Tolerance of "dimuon-step" (the error of n is about 0.44): hundreds of times the spread
of honest answers over copies of the fit that differ in the last bits, a fifth of the
distance to HESSE's own error (both measured by ``tests/test_dimuon_claims.py``)."""


def _dimuon_step() -> float:
    from ..dimuon import fit, load, seed_hessian_errors
    return float(seed_hessian_errors(fit(load()), step=STEP).loc["n", "seed_method"])


def _dimuon_small_toys() -> float:
    from ..dimuon import toy_study
    return float(toy_study(40, 2000)["ok"].mean())


def _two_hesse() -> tuple:
    from ..dimuon import fit, load
    e = float(fit(load()).errors["n"])
    return -2 * e, 2 * e


def _interval_ends() -> tuple:
    from ..dimuon import fit, load
    n = float(fit(load()).values["n"])
    lower, upper = _dimuon_n_2sigma()
    return n + lower, n + upper


def _small_toys_study():
    from ..dimuon import toy_study
    return toy_study(40, 2000)


EXERCISES = {
    "dimuon-signal-nll": Exercise(_dimuon_signal_nll, atol=2e-5,
                                  what="the fitted mu and sigma (GeV)", parts=('mu', 'sigma')),
    "dimuon-n-2sigma": Exercise(_dimuon_n_2sigma, atol=0.02,
                                what="the lower and upper 2-sigma MINOS offsets of n", parts=('the lower offset', 'the upper offset'),
        mistakes=(
            Mistake(_two_hesse, "These are twice HESSE's error either side: the 2-sigma MINOS "
                    "interval follows the likelihood, which is not a parabola in n. Run MINOS "
                    "with cl=2."),
            Mistake(_interval_ends, "These are the ends of the interval: the exercise asks for "
                    "the offsets from the fitted n (negative below, positive above)."),)),
    "dimuon-step": Exercise(_dimuon_step, atol=STEP_ATOL, what="the error of n from your Hessian"),
    "dimuon-small-toys": Exercise(_dimuon_small_toys, atol=0.001,
                                  what="the fraction of toy fits that are ok",
        mistakes=(
            Mistake(lambda: float(_small_toys_study()["ok"].sum()), "This is a count of toys: "
                    "the exercise asks for a fraction of the 40."),
            Mistake(lambda: float(_small_toys_study()["valid"].mean()), "This counts the valid "
                    "minima only: a fit is ok when its covariance is accurate, not forced "
                    "positive definite, and no parameter sits at a limit."),)),
}
