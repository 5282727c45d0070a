"""The self-checks of "Fitting the di-muon mass peak" judge what students really compute:
their own -ln L fit at Minuit's default settings, MINOS at cl=2, their own fixed-step
Hessian, and toy studies with any seed at the size the exercise asks for."""

import warnings

import numpy as np
import pytest
from iminuit import Minuit
from scipy import stats

from helpers import dimuon, selfcheck
from helpers.exercises import dimuon as ex

LO, HI = dimuon.MASS_RANGE


def own_signal_fit(errordef, unnormalised=False):
    """The solution of dimuon-signal-nll as a student writes it, at Minuit's defaults."""
    x = ex.signal_sample()
    a, n = dimuon.TRUTH["alpha"], dimuon.TRUTH["n"]

    def nll(mu, sigma):
        cb = stats.crystalball(a, n, loc=mu, scale=sigma)
        inside = 0.0 if unnormalised else x.size * np.log(cb.cdf(HI) - cb.cdf(LO))
        return -np.sum(cb.logpdf(x)) + inside

    m = Minuit(nll, mu=10.5, sigma=0.05)
    m.errordef = errordef
    m.limits["sigma"] = (1e-3, 0.5)
    m.migrad()
    m.hesse()
    return m


@pytest.fixture(scope="module")
def own():
    return own_signal_fit(Minuit.LIKELIHOOD)


def test_signal_nll_own_fit_passes_rounded_as_asked(own):
    mu, sigma, err = own.values["mu"], own.values["sigma"], own.errors["mu"]
    assert selfcheck.check("dimuon-signal-nll", (mu, sigma, err))
    assert selfcheck.check("dimuon-signal-nll", (round(mu, 4), round(sigma, 5), round(err, 5)))
    # the honest scatter (student's scipy fit at default settings against the book's) is
    # well inside the tolerance besides the precision asked
    want = np.asarray(selfcheck.expected("dimuon-signal-nll"))
    atol = np.asarray(ex.EXERCISES["dimuon-signal-nll"].atol)
    assert np.all(np.abs(np.array([mu, sigma, err]) - want) < atol / 2)


def test_signal_nll_errordef_one_is_told_apart(own):
    m = own_signal_fit(1.0)             # Minuit's default errordef on a -ln L
    res = selfcheck.check("dimuon-signal-nll", (m.values["mu"], m.values["sigma"], m.errors["mu"]))
    assert not res and "errordef" in res.message and "too large" in res.message
    res = selfcheck.check("dimuon-signal-nll", (round(m.values["mu"], 4), round(m.values["sigma"], 5),
                                                 round(m.errors["mu"], 5)))
    assert not res and "too large" in res.message


def test_signal_nll_unnormalised_density_is_named():
    m = own_signal_fit(Minuit.LIKELIHOOD, unnormalised=True)
    res = selfcheck.check("dimuon-signal-nll", (m.values["mu"], m.values["sigma"], m.errors["mu"]))
    assert not res and "normalised on the fit range" in res.message


def test_signal_nll_gauss_error_is_named(own):
    res = selfcheck.check("dimuon-signal-nll", (own.values["mu"], own.values["sigma"],
                                                 own.values["sigma"] / np.sqrt(ex.SIGNAL_EVENTS)))
    assert not res and "sigma/sqrt(N)" in res.message


def test_two_sigma_minos_rounded_passes_and_cl_095_is_named():
    m = dimuon.fit(dimuon.load()).minuit
    m.minos("n", cl=2)
    lower, upper = m.merrors["n"].lower, m.merrors["n"].upper
    assert selfcheck.check("dimuon-n-2sigma", (round(lower, 2), round(upper, 2)))
    m = dimuon.fit(dimuon.load()).minuit
    m.minos("n", cl=0.95)
    res = selfcheck.check("dimuon-n-2sigma", (round(m.merrors["n"].lower, 2), round(m.merrors["n"].upper, 2)))
    assert not res and "95 %" in res.message


def test_two_sigma_minos_with_errordef_changed_is_named():
    for factor, says in ((2.0, "too wide"), (0.5, "too narrow")):
        m = dimuon.fit(dimuon.load()).minuit
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.errordef *= factor
        m.minos("n", cl=2)
        res = selfcheck.check("dimuon-n-2sigma", (m.merrors["n"].lower, m.merrors["n"].upper))
        assert not res and says in res.message


def test_step_refuses_hesse_and_central_differences_and_accepts_rounded():
    res = dimuon.fit(dimuon.load())
    hesse = float(res.errors["n"])
    verdict = selfcheck.check("dimuon-step", hesse)
    assert not verdict and "HESSE's own error" in verdict.message
    assert not selfcheck.check("dimuon-step", round(hesse, 3))
    want = selfcheck.expected("dimuon-step")
    assert selfcheck.check("dimuon-step", round(want, 3))
    # a central difference with the same step lands near HESSE: refused with that message
    f = lambda v: 0.5 * res.model.nll(*v)  # noqa: E731
    theta, e = res.values.to_numpy(), ex.STEP * np.eye(6)
    h = np.array([[(f(theta + e[i] + e[j]) - f(theta + e[i] - e[j]) - f(theta - e[i] + e[j])
                    + f(theta - e[i] - e[j])) / (4 * ex.STEP**2) for j in range(6)] for i in range(6)])
    central = np.sqrt(np.linalg.inv(h)[3, 3])
    verdict = selfcheck.check("dimuon-step", central)
    assert not verdict and "HESSE" in verdict.message


def test_small_toys_pass_for_any_seed():
    """The ok fraction of 400 toys is binomial: estimate p from three independent studies
    (the exercise's seed and two others; 1200 toys) and require that a fraction of 400 toys
    falls outside the tolerance for fewer than one seed in a thousand, even for p three
    standard errors away; the two other seeds' own answers pass."""
    tol = float(selfcheck.tolerance("dimuon-small-toys")[0])
    want = selfcheck.expected("dimuon-small-toys")
    others = [dimuon.toy_study(ex.SMALL_TOYS, ex.SMALL_SIZE, seed=s) for s in (101, 202)]
    for study in others:
        assert selfcheck.check("dimuon-small-toys", round(float(study["ok"].mean()), 2))
    flags = np.concatenate([ex._small_toys_study()["ok"].to_numpy()] + [s["ok"].to_numpy() for s in others])
    p = flags.mean()
    se = np.sqrt(p * (1 - p) / flags.size)
    k = np.arange(ex.SMALL_TOYS + 1)
    outside = np.abs(k / ex.SMALL_TOYS - want) > tol
    for q in (p - 3 * se, p, p + 3 * se):
        assert stats.binom.pmf(k, ex.SMALL_TOYS, q)[outside].sum() < 1e-3, q
    # and the tolerance is not wastefully wide: at most 6 binomial errors besides the precision
    assert ex.EXERCISES["dimuon-small-toys"].atol < 6 * np.sqrt(p * (1 - p) / ex.SMALL_TOYS)


def test_small_toys_named_mistakes():
    small = ex._small_toys_study()
    res = selfcheck.check("dimuon-small-toys", round(float(1 - small["ok"].mean()), 2))
    assert not res and "failed" in res.message
    res = selfcheck.check("dimuon-small-toys", round(float(small["valid"].mean()), 2))
    assert not res and "valid minima" in res.message
