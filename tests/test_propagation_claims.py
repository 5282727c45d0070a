"""The claims of the chapter "Error propagation" (book/error_propagation.ipynb), one test each.

Every docstring quotes the sentence (or caption) it checks; glued numbers are written as
they appear on the page. The numbers themselves are glued from the same functions; these
tests check what the prose *says about* them, and the numbers typed into formulas.
"""

import math

import matplotlib
import numpy as np
import pytest
from scipy import integrate, optimize, stats

from helpers import SEED
from helpers import propagation as P
from helpers.figures import propagation as F
from helpers.validation import InputError

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

N = 10**6
XS = np.linspace(-3.0, 3.0, 601)
S1, S2 = P.A_ERRORS
SD_D = math.sqrt(S1**2 + S2**2 - 2 * P.RHO * S1 * S2)   # a1 - a2
SD_S = math.sqrt(S1**2 + S2**2 + 2 * P.RHO * S1 * S2)   # a1 + a2
MU_D = P.A_NOMINAL[0] - P.A_NOMINAL[1]


@pytest.fixture(scope="module")
def table():
    return P.mc_vs_linear_table((-3.0, -1.0, 0.0, 1.0, 3.0), N, SEED)


@pytest.fixture(scope="module")
def a_samples():
    return P.sample_gaussian(P.A_NOMINAL, P.cov_a(), N, SEED)


@pytest.fixture(scope="module")
def bs():
    return P.b_samples(N, SEED)


@pytest.fixture(scope="module")
def lny():
    return P.lny_table((-3.0, -2.0, -1.5, -1.0, -0.5, 1.0, 3.0), N, SEED)


@pytest.fixture
def fig():
    f = plt.figure()
    yield f
    plt.close(f)


def b2_density(t):
    """Exact density of b2 = 2/D, D ~ N(MU_D, SD_D): p_D(2/t) 2/t^2."""
    t = np.asarray(t, dtype=float)
    return stats.norm.pdf(2.0 / t, MU_D, SD_D) * 2.0 / t**2


# ================================================================== the problem
def test_inputs_as_stated():
    """"a1 = 2.0 ± 0.2 and a2 = 1.0 ± 0.1, correlated with ρ = -0.8"; Cov(a) as printed."""
    assert P.A_NOMINAL == (2.0, 1.0) and P.A_ERRORS == (0.2, 0.1) and P.RHO == -0.8
    np.testing.assert_allclose(P.cov_a(), [[0.04, -0.016], [-0.016, 0.01]], rtol=1e-14)


def test_central_curve_is_a_square():
    """"With the central values the curve is y = 1 + 2x + x² = (1 + x)². It touches zero at x = -1";
    captions: "minimum of zero at x = -1, rising to 16 at x = 3", histograms "centred at 0, 4 and 16"."""
    np.testing.assert_allclose(P.y_a(XS, P.A_NOMINAL), (1 + XS) ** 2, rtol=1e-14, atol=1e-14)
    assert P.y_a(-1.0, P.A_NOMINAL) == 0.0
    assert XS[np.argmin(P.y_a(XS, P.A_NOMINAL))] == pytest.approx(-1.0)
    assert [P.y_a(x, P.A_NOMINAL) for x in (-1.0, 1.0, 3.0)] == [0.0, 4.0, 16.0]


# ================================================================== linear propagation
def test_gradient_and_variance_formula():
    """"J = (x, x²)" and "σ_y² = x²(σ1² + 2ρσ1σ2 x + σ2² x²)" is J Cov(a) Jᵀ."""
    for x in (-3.0, -1.0, 0.5, 2.0):
        j_num, _ = P.propagate(lambda a: P.y_a(x, a), P.A_NOMINAL, np.eye(2))
        _, var = P.propagate(lambda a: P.y_a(x, a), P.A_NOMINAL, P.cov_a())
        J = np.array([x, x**2])
        assert var == pytest.approx(J @ P.cov_a() @ J, rel=1e-8)
        assert var == pytest.approx(x**2 * (S1**2 + 2 * P.RHO * S1 * S2 * x + S2**2 * x**2), rel=1e-8)


def test_numeric_coefficients_of_the_formula():
    """"σ1² = 0.04, 2ρσ1σ2 = -0.032 and σ2² = 0.01 ... 2ρσ2/σ1 = -0.8 and σ2²/σ1² = 0.25, so
    σ_y = 0.2|x|√(1 - 0.8x + 0.25x²) and, without the correlation, σ_y = 0.2|x|√(1 + 0.25x²)"."""
    assert S1**2 == pytest.approx(0.04) and S2**2 == pytest.approx(0.01)
    assert 2 * P.RHO * S1 * S2 == pytest.approx(-0.032)
    assert 2 * P.RHO * S2 / S1 == pytest.approx(-0.8) and S2**2 / S1**2 == pytest.approx(0.25)
    np.testing.assert_allclose(P.sigma_y_formula(XS), 0.2 * np.abs(XS) * np.sqrt(1 - 0.8 * XS + 0.25 * XS**2),
                               rtol=1e-12)
    np.testing.assert_allclose(P.sigma_y_formula(XS, rho=0.0), 0.2 * np.abs(XS) * np.sqrt(1 + 0.25 * XS**2),
                               rtol=1e-12)


def test_linear_propagation_is_exact_and_y_gaussian(a_samples):
    """"Here the formula is exact ... So y(x) follows exactly a Gaussian with mean (1 + x)² and
    standard deviation σ_y(x)." (Kolmogorov-Smirnov on 10⁶ samples cannot tell them apart.)"""
    for x in (-3.0, -1.0, 1.0, 3.0):
        y = P.y_a(x, a_samples)
        ks = stats.kstest(y, "norm", args=((1 + x) ** 2, P.sigma_y_formula(x)))
        assert ks.pvalue > 0.001, (x, ks.pvalue)
    # no second-order term: the second derivatives of y with respect to a vanish
    h = 1e-3
    for x in (-2.0, 3.0):
        for e in (np.array([h, 0.0]), np.array([0.0, h])):
            a0 = np.array(P.A_NOMINAL)
            second = P.y_a(x, a0 + e) - 2 * P.y_a(x, a0) + P.y_a(x, a0 - e)
            assert abs(second) < 1e-12


def test_numeric_jacobian_matches_closed_form():
    """"prop.propagate does the same with a numerically computed Jacobian": the printed lines."""
    for x in (-1.0, 0.0, 1.0):
        y, var = P.propagate(lambda a: P.y_a(x, a), P.A_NOMINAL, P.cov_a())
        assert y == pytest.approx((1 + x) ** 2)
        assert math.sqrt(var) == pytest.approx(P.sigma_y_formula(x), rel=1e-8, abs=1e-14)


def test_quoted_sigmas():
    """"σ_y(-1) = 0.286 and σ_y(1) = 0.134"."""
    assert round(P.sigma_y_formula(-1.0), 3) == 0.286
    assert round(P.sigma_y_formula(1.0), 3) == 0.134


def test_y0_exact_with_zero_error(table):
    """"At x = 0 the answer is y = 1 with an error of exactly 0: every pair (a1, a2) gives the same
    y(0)"; pitfall: "The Monte Carlo below agrees: all of its samples give y(0) = 1"."""
    assert P.y_a(0.0, P.A_NOMINAL) == 1.0 and P.sigma_y_formula(0.0) == 0.0
    a = P.sample_gaussian(P.A_NOMINAL, P.cov_a(), N, SEED)
    assert np.all(P.y_a(0.0, a) == 1.0)
    row = table.loc[0.0]
    assert row["mc_mean"] == 1.0 and row["mc_std"] == 0.0 and row["mc_std_error"] == 0.0
    assert row["mc_mean_error"] == 0.0 and row["mc_halfwidth68"] == 0.0


def test_anticorrelation_narrows_for_positive_x_widens_for_negative():
    """"The anti-correlation makes the band narrower for x > 0 and wider for x < 0: at x = 1,
    σ_y = 0.134 instead of 0.224 without correlation; at x = -1, 0.286 instead of 0.224"."""
    pos, neg = XS > 0, XS < 0
    assert np.all(P.sigma_y_formula(XS[pos]) < P.sigma_y_formula(XS[pos], rho=0.0))
    assert np.all(P.sigma_y_formula(XS[neg]) > P.sigma_y_formula(XS[neg], rho=0.0))
    assert round(P.sigma_y_formula(1.0, rho=0.0), 3) == 0.224
    assert round(P.sigma_y_formula(-1.0, rho=0.0), 3) == 0.224


def test_terms_move_oppositely_for_positive_x(a_samples):
    """"For x > 0 the terms a1x and a2x² then move in opposite directions ...; for x < 0, a1x
    changes sign and the two shifts add up.\""""
    for x, sign in ((1.0, -1), (2.5, -1), (-1.0, 1), (-2.5, 1)):
        r = np.corrcoef(a_samples[0] * x, a_samples[1] * x**2)[0, 1]
        assert np.sign(r) == sign and abs(r) == pytest.approx(0.8, abs=0.005)


def test_pitfall_factor_two():
    """Pitfall: "dividing it by σ1²x² gives 2ρ(σ2/σ1)x = -0.8x. ... σ_y(1) = 0.184 instead of 0.134, and
    σ_y(3) = 0.859 instead of 0.553; for x < 0 it is too narrow (0.257 instead of 0.286 at x = -1)"."""
    t = P.seed_mistakes_table((-1.0, 1.0, 3.0))
    assert round(t.loc[1.0, "sigma_y_root_04"], 3) == 0.184 and round(t.loc[1.0, "sigma_y"], 3) == 0.134
    assert round(t.loc[3.0, "sigma_y_root_04"], 3) == 0.859 and round(t.loc[3.0, "sigma_y"], 3) == 0.553
    assert round(t.loc[-1.0, "sigma_y_root_04"], 3) == 0.257 and round(t.loc[-1.0, "sigma_y"], 3) == 0.286
    # "too wide exactly where the correlation should narrow it (x > 0)", too narrow for x < 0
    pos, neg = XS > 0, XS < 0
    assert np.all(P.sigma_y_seed_root(XS[pos]) > P.sigma_y_formula(XS[pos]))
    assert np.all(P.sigma_y_seed_root(XS[neg]) < P.sigma_y_formula(XS[neg]))


# ================================================================== Monte Carlo
def test_two_variable_construction():
    """"u2' again has mean 0 and variance ρ² + (1 - ρ²) = 1, and its covariance with u1 is ρ.
    (This is the Cholesky factor of the correlation matrix; prop.sample_gaussian does the same ...,
    and prop.correlated_pair is exactly this construction.)\""""
    rho = P.RHO
    L = np.linalg.cholesky([[1.0, rho], [rho, 1.0]])
    np.testing.assert_allclose(L, [[1.0, 0.0], [rho, math.sqrt(1 - rho**2)]], rtol=1e-14)
    u = P.correlated_pair(rho, 200_000, SEED)
    assert np.mean(u[1]) == pytest.approx(0.0, abs=4 / math.sqrt(200_000))
    assert np.var(u[1]) == pytest.approx(1.0, abs=4 * math.sqrt(2 / 200_000))
    assert np.corrcoef(u)[0, 1] == pytest.approx(rho, abs=4 * (1 - rho**2) / math.sqrt(200_000))
    mu, sig = np.array(P.A_NOMINAL), np.array(P.A_ERRORS)
    np.testing.assert_allclose(mu[:, None] + sig[:, None] * u,
                               P.sample_gaussian(P.A_NOMINAL, P.cov_a(), 200_000, SEED), rtol=1e-13)


def test_mc_errors_as_described(table):
    """"s/√n for the mean, about s/√(2n) for the standard deviation"."""
    nz = table.drop(index=0.0)
    np.testing.assert_allclose(nz["mc_mean_error"], nz["mc_std"] / math.sqrt(N), rtol=1e-6)
    np.testing.assert_allclose(nz["mc_std_error"], nz["mc_std"] / math.sqrt(2 * N), rtol=0.02)


def test_means_and_other_widths_agree(table):
    """"The means agree with (1 + x)² within 1.1 of their errors, and the widths at x = -3, -1 and 1
    within 1.2." (the glued maxima are small, as "agree" says)"""
    np.testing.assert_allclose(table["y"], (1 + table.index.to_numpy()) ** 2)
    assert table["pull_mean"].abs().max() < 2
    assert table["pull_std"].drop(index=[0.0, 3.0]).abs().max() < 2


def test_x3_stands_out(table):
    """"One number stands out: at x = 3 the Monte Carlo width, 0.5519, lies 3.4 of its own errors
    below the linear 0.5532.\""""
    assert table.loc[3.0, "pull_std"] < -3
    others = table.drop(index=3.0)
    assert (others[["pull_mean", "pull_std"]].abs() < 2).all().all()
    assert table.loc[3.0, "pull_mean"] == pytest.approx(0.0, abs=2)


def test_mc_width_is_linear_propagation_with_sample_covariance(table):
    """"the standard deviation of the samples equals √(J S Jᵀ) with S the sample covariance of the
    drawn pairs in place of Cov(a) (the tests check this to rounding)".\""""
    S = P.sample_cov_a(N, SEED)
    for x in table.index:
        J = np.array([x, x**2])
        assert math.sqrt(J @ S @ J) == pytest.approx(table.loc[x, "mc_std"], rel=1e-12, abs=1e-15)


def test_deficit_comes_from_a2_term():
    """"The deficit comes from the a2 term, x⁴ S22: the drawn a2 values have a sample variance 0.29 %
    below σ2², which is 2.0 of its own statistical errors.\""""
    S, C = P.sample_cov_a(N, SEED), P.cov_a()
    dS = S - C
    x = 3.0
    total = x**2 * dS[0, 0] + 2 * x**3 * dS[0, 1] + x**4 * dS[1, 1]
    a2_term = x**4 * dS[1, 1]
    assert total < 0 and a2_term < 0
    assert x**2 * dS[0, 0] + 2 * x**3 * dS[0, 1] > 0       # the other terms push the other way
    assert abs(a2_term) > abs(total)
    assert S[1, 1] < S2**2
    # the error used for "2.0 of its own statistical errors" is the Gaussian error of a sample
    # variance, sigma^2 sqrt(2/(n-1)): check it against the scatter of replicas
    reps = [np.var(P.sample_gaussian(P.A_NOMINAL, P.cov_a(), 20_000, SEED + 1 + k)[1], ddof=1)
            for k in range(200)]
    assert np.std(reps, ddof=1) / (S2**2 * math.sqrt(2 / 19_999)) == pytest.approx(1.0, abs=0.15)
    pull = (S[1, 1] - S2**2) / (S2**2 * math.sqrt(2 / (N - 1)))
    assert round(abs(pull), 1) == 2.0


def test_replicas_behave_like_standard_normal():
    """"The pulls at x = 3 have mean 0.00 and standard deviation 1.02, as a standard normal variable
    should. A pull at least as large as ours happens for one given number with a probability of
    0.08 %: rare\""""
    r = P.std_pull_replicas(x=3.0, n_replicas=200)
    assert r.size == 200
    assert abs(r.mean()) < 3 / math.sqrt(200)
    assert abs(r.std(ddof=1) - 1) < 0.15
    assert stats.kstest(r, "norm").pvalue > 0.01
    p = 2 * stats.norm.sf(abs(P.mc_vs_linear_table((3.0,), N, SEED).loc[3.0, "pull_std"]))
    assert p < 0.001


def test_histograms_follow_the_gaussians(a_samples):
    """Caption: "The curves follow the histograms: y is linear in a, so its distribution is exactly
    this Gaussian" (binned chi2 per bin about 1 at x = -1, 1, 3)."""
    for x in (-1.0, 1.0, 3.0):
        y = P.y_a(x, a_samples)
        mu, s = (1 + x) ** 2, P.sigma_y_formula(x)
        edges = np.linspace(mu - 4 * s, mu + 4 * s, 81)
        counts, _ = np.histogram(y, edges)
        expected = N * np.diff(stats.norm.cdf(edges, mu, s))
        chi2 = np.sum((counts - expected) ** 2 / expected)
        assert chi2 / 80 < 1.6, (x, chi2)


# ================================================================== sliders
PANEL = {"rho": (-0.8, -1.0, 1.0), "sigma1": (0.2, 0.0, 0.5), "sigma2": (0.1, 0.0, 0.5), "x": (1.0, -3.0, 3.0)}


@pytest.mark.parametrize("rho", [-1.0, 0.0, 1.0])
@pytest.mark.parametrize("sigma1", [0.0, 0.25, 0.5])
@pytest.mark.parametrize("sigma2", [0.0, 0.25, 0.5])
@pytest.mark.parametrize("x", [-3.0, 0.0, 3.0])
def test_panel_grid(fig, rho, sigma1, sigma2, x):
    """Every slider end and a grid of combinations draw two panels and a one-line summary; the
    summary's linear error is the closed form."""
    text = F.draw_panel(fig, rho=rho, sigma1=sigma1, sigma2=sigma2, x=x)
    assert "\n" not in text and len(fig.axes) == 2 and all(ax.has_data() for ax in fig.axes)
    assert f"± {P.sigma_y_formula(x, rho, sigma1, sigma2):.3f} (linear" in text


def test_panel_starts_at_chapter_values(fig):
    """The chapter's slider start values are the chapter's inputs."""
    text = F.draw_panel(fig, **{k: v[0] for k, v in PANEL.items()})
    assert text.startswith("x = 1.00: y = 4.000 ± 0.134 (linear, rho = -0.80)")


def test_panel_zero_correlation_bands_coincide(fig):
    """"Now try it with zero correlation: the two bands coincide.\""""
    F.draw_panel(fig, rho=0.0, sigma1=0.2, sigma2=0.1, x=1.0)
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 2][:4]  # +-sigma for rho=0, then rho
    ups = [ln.get_ydata() for ln in lines[0::2]]
    np.testing.assert_allclose(ups[0], ups[1], rtol=1e-14)


def test_rho_minus_one_pinches_at_x2():
    """"set ρ = -1: with σ1 = 2σ2 the band pinches to zero width at x = 2".\""""
    assert P.sigma_y_formula(2.0, -1.0, 0.2, 0.1) == pytest.approx(0.0, abs=1e-15)
    others = XS[(np.abs(XS - 2.0) > 1e-9) & (XS != 0.0)]
    assert np.all(P.sigma_y_formula(others, -1.0, 0.2, 0.1) > 0)
    y = P.y_a(2.0, P.sample_gaussian(P.A_NOMINAL, P.cov_a(-1.0), 10_000, SEED))
    assert np.ptp(y) < 1e-12


@pytest.mark.parametrize("rho, sigma1, sigma2, x", [(-0.8, 0.2, 0.1, -3.0), (0.5, 0.5, 0.1, 2.0),
                                                     (-1.0, 0.5, 0.5, -1.0), (1.0, 0.3, 0.2, 3.0),
                                                     (0.0, 0.05, 0.5, -2.0)])
def test_panel_histogram_follows_gaussian(rho, sigma1, sigma2, x):
    """"However you set the sliders, the histogram follows the Gaussian, since y stays linear in a.\""""
    a = P.sample_gaussian(P.A_NOMINAL, P.cov_a(rho, sigma1, sigma2), F.PANEL_SIZE, SEED)
    s = P.summarize(P.y_a(x, a))
    sig = P.sigma_y_formula(x, rho, sigma1, sigma2)
    assert abs(s.std - sig) < 4 * s.std_error
    assert abs(s.mean - (1 + x) ** 2) < 4 * s.mean_error


# ================================================================== the b parametrisation
def test_reparametrisation_algebra():
    """"a1 = 1/b1 + 1/b2 and a2 = 1/b1 - 1/b2, or, solved for b, b1 = 2/(a1 + a2), b2 = 2/(a1 - a2)";
    "The central values are b1 = 0.667 and b2 = 2.0"."""
    rng = np.random.default_rng(SEED)
    a = np.vstack([rng.uniform(1.5, 2.5, 100), rng.uniform(0.5, 1.3, 100)])
    b = P.a_to_b(a)
    np.testing.assert_allclose([1 / b[0] + 1 / b[1], 1 / b[0] - 1 / b[1]], a, rtol=1e-12)
    np.testing.assert_allclose(P.y_b(XS[:, None], b), P.y_a(XS[:, None], a), rtol=1e-11, atol=1e-11)
    b0 = P.a_to_b(P.A_NOMINAL)
    assert round(b0[0], 3) == 0.667 and b0[1] == 2.0


def test_jacobian_M_numbers():
    """"M = ((-2/9, -2/9), (-2, 2))" at the central values; Cov(b) = M Cov(a) Mᵀ, and
    "σ(b1) = 0.0298, σ(b2) = 0.573, and a correlation of 0.78"."""
    M = P.jacobian_a_to_b()
    np.testing.assert_allclose(M, [[-2 / 9, -2 / 9], [-2, 2]], rtol=1e-14)
    b, cb = P.b_linear()
    np.testing.assert_allclose(cb, M @ P.cov_a() @ M.T, rtol=1e-13)
    assert round(math.sqrt(cb[0, 0]), 4) == 0.0298 and round(math.sqrt(cb[1, 1]), 3) == 0.573
    assert round(cb[0, 1] / math.sqrt(cb[0, 0] * cb[1, 1]), 2) == 0.78


def test_b1_agrees(bs):
    """"For b1 everything agrees: the Monte Carlo standard deviation, 0.0301, is within 0.9 % of the
    linear value.\""""
    _, cb = P.b_linear()
    s = P.summarize(bs[0])
    dev = s.std / math.sqrt(cb[0, 0]) - 1
    assert 0 < dev < 0.015
    assert s.halfwidth68 == pytest.approx(math.sqrt(cb[0, 0]), rel=0.01)
    assert s.median == pytest.approx(2 / 3, abs=3 * s.median_error)


def test_b2_mean_and_std_nonsense(bs):
    """"For b2 the mean (2.28) and the standard deviation (25.7) are nonsense\""""
    _, cb = P.b_linear()
    s = P.summarize(bs[1])
    assert s.std > 20 * math.sqrt(cb[1, 1])
    # the sample mean is far (in its own "errors") from the median, unlike for a real mean
    assert abs(s.mean - s.median) > 10 * s.median_error


def test_denominator_distribution():
    """"D = a1 - a2 is Gaussian with mean 1 and standard deviation ... = 0.286, and its density at D = 0
    is small (0.0031) but not zero\""""
    a = P.sample_gaussian(P.A_NOMINAL, P.cov_a(), N, SEED)
    d = a[0] - a[1]
    assert np.mean(d) == pytest.approx(1.0, abs=4 * SD_D / 1000)
    assert np.std(d) == pytest.approx(SD_D, rel=0.003)
    assert round(SD_D, 3) == 0.286
    p0 = stats.norm.pdf(0.0, MU_D, SD_D)
    assert 0 < p0 < 0.01 and f"{p0:.2g}" == "0.0031"


def test_b2_tails_fall_like_inverse_square(bs):
    """"For large |b2| the density of b2 = 2/D therefore falls only like 1/b2², on both sides\""""
    p0 = stats.norm.pdf(0.0, MU_D, SD_D)
    for t in (1e4, 1e5, -1e4, -1e5):
        assert t**2 * b2_density(t) == pytest.approx(2 * p0, rel=0.01)
    # the Monte Carlo tails follow this density (counts in bins out to infinity, and below 0)
    for lo, hi in ((10.0, 20.0), (20.0, 40.0), (40.0, 80.0), (80.0, np.inf)):
        count = np.sum((bs[1] > lo) & (bs[1] <= hi))
        # b2 in (lo, hi]  <=>  D in [2/hi, 2/lo)
        want = N * (stats.norm.cdf(2 / lo, MU_D, SD_D) - stats.norm.cdf(2 / hi, MU_D, SD_D))
        assert count == pytest.approx(want, abs=4 * math.sqrt(want))
    want = N * stats.norm.cdf(0.0, MU_D, SD_D)
    assert np.sum(bs[1] < 0) == pytest.approx(want, abs=4 * math.sqrt(want))


def test_b2_moments_diverge():
    """"∫|b2| p(b2) db2 diverges (logarithmically) and so does ∫ b2² p(b2) db2. b2 has no mean and
    no variance.\""""
    p0 = stats.norm.pdf(0.0, MU_D, SD_D)

    def tail(f, lo, hi):
        pos = integrate.quad(lambda t: f(t) * b2_density(t), lo, hi, limit=200)[0]
        neg = integrate.quad(lambda t: f(t) * b2_density(t), -hi, -lo, limit=200)[0]
        return pos + neg

    # |b2|: each factor 10 in the range adds 2 * 2 p0 ln 10 (both sides): logarithmic growth
    for lo in (1e3, 1e4):
        assert tail(abs, lo, 10 * lo) == pytest.approx(4 * p0 * math.log(10), rel=0.01)
    # b2^2: the contribution of [T, 10T] grows linearly with T
    assert tail(lambda t: t * t, 1e4, 1e5) == pytest.approx(10 * tail(lambda t: t * t, 1e3, 1e4), rel=0.01)


def test_b1_denominator_far_from_zero():
    """"b1 = 2/(a1 + a2) has the same disease, but its denominator is 22 standard deviations away from
    zero: the density there is 8e-109, and no sample will ever find it.\""""
    assert round(3.0 / SD_S) == 22
    p = stats.norm.pdf(0.0, 3.0, SD_S)
    assert f"{p:.0e}" == "8e-109"
    assert stats.norm.cdf(0.0, 3.0, SD_S) < 1e-100       # the chance that one sample gets there


def test_running_variance_jumps_at_small_D(bs):
    """"they jump whenever a sample lands close to D = 0": the largest jump of the running variance of
    b2 happens at a sample with |D| < 0.01."""
    r = P.running_moments(bs[1], points=None)
    jump = np.nanargmax(np.diff(r["variance"].to_numpy())) + 1   # index of the sample that jumped
    assert abs(2 / bs[1][jump]) < 0.01


def test_running_moments_and_quantiles(bs):
    """"The variance of b1 settles within a few thousand samples, at 1.018 times the linear value (b1 is
    slightly non-linear in a ...). The variance of b2 climbs by orders of magnitude in jumps; after the
    last sample it stands at 2014 times the linear σ²(b2)"; caption: quantiles "settle after a few
    thousand samples" and stay "near 1.55, 2.0 and 2.8".\""""
    b0, cb = P.b_linear()
    r1 = P.running_moments(bs[0], points=300)
    late1 = r1.loc[r1.index >= 5000, "variance"]
    final1 = late1.iloc[-1]
    # settled: from a few thousand samples on it only scatters by its statistical error sqrt(2/n)
    assert np.all(np.abs(late1 / final1 - 1) < 4 * np.sqrt(2 / late1.index.to_numpy()))
    ratio1 = r1["variance"].iloc[-1] / cb[0, 0]
    assert ratio1 - 1 > 5 * math.sqrt(2 / N)              # genuinely above the linear value ...
    # ... and equal to the variance of 2/S computed by integration (S = a1 + a2 never near 0 here)
    pdf = stats.norm(3.0, SD_S).pdf
    lo, hi = 3.0 - 12 * SD_S, 3.0 + 12 * SD_S
    m1 = integrate.quad(lambda s: 2 / s * pdf(s), lo, hi)[0]
    m2 = integrate.quad(lambda s: 4 / s**2 * pdf(s), lo, hi)[0]
    assert r1["variance"].iloc[-1] == pytest.approx(m2 - m1**2, rel=4 * math.sqrt(2 / N))
    r2 = P.running_moments(bs[1], points=300)
    ratio2 = r2["variance"] / cb[1, 1]
    assert ratio2.iloc[-1] > 1000
    assert ratio2.iloc[-1] / ratio2.loc[ratio2.index >= 100].iloc[0] > 100     # orders of magnitude
    late2 = r2.loc[r2.index >= 10**5, "variance"]
    assert late2.max() / late2.min() > 2                  # still jumping late on
    q = P.running_quantiles(bs[1], points=150)
    late_q = q.loc[q.index >= 5000]
    assert np.all(late_q.max() - late_q.min() < 0.05)
    np.testing.assert_allclose(q.iloc[-1].to_numpy(), [1.55, 2.0, 2.8], atol=0.006)


def test_b2_quantiles_exact(bs):
    """"That gives a median of 1.9997 and the interval [1.554, 2.801], in agreement with the Monte Carlo.
    The interval is asymmetric, and its half-width, 0.623, is larger than the linear 0.573.\""""
    q = P.b2_quantiles_exact()
    p_neg = stats.norm.cdf(0.0, MU_D, SD_D)

    def cdf(t):
        return p_neg + stats.norm.sf(2.0 / t, MU_D, SD_D)

    for p, v in zip((P.P68[0], 0.5, P.P68[1]), q):
        assert v == pytest.approx(optimize.brentq(lambda t: cdf(t) - p, 0.5, 50.0, xtol=1e-13), rel=1e-9)
    assert q[1] < 2.0                                     # not exactly 2: some samples have D < 0
    s = P.summarize(bs[1])
    assert abs(s.median - q[1]) < 3 * s.median_error
    assert abs(s.lo68 - q[0]) < 4 * s.halfwidth68_error and abs(s.hi68 - q[2]) < 4 * s.halfwidth68_error
    assert q[2] - q[1] > q[1] - q[0] + 0.3
    assert s.halfwidth68 > math.sqrt(P.b_linear()[1][1, 1]) + 20 * s.halfwidth68_error


def test_cut_removes_and_biases(bs):
    """"That cut removes 1.82 ± 0.01 % of the samples (exactly: the probability of D < 0.4, 1.81 %; only
    0.024 % have b2 < 0). After it, the variance is 0.446 ± 0.001, 36 % above the linear 0.328.\""""
    c = P.cut_statistics(bs[1], 0.0, 5.0)
    exact = stats.norm.cdf(0.4, MU_D, SD_D)
    assert 2 / 5 == 0.4
    assert c.fraction_removed == pytest.approx(exact, abs=4 * c.fraction_removed_error)
    assert round(100 * exact, 2) == 1.81
    assert c.fraction_below == pytest.approx(stats.norm.cdf(0.0, MU_D, SD_D), abs=4 * math.sqrt(2.4e-4 / N))
    var_lin = P.b_linear()[1][1, 1]
    assert c.variance_kept > var_lin + 10 * c.variance_kept_error
    assert round(100 * (c.variance_kept / var_lin - 1)) == 36


def test_cut_variance_follows_the_cut():
    """"move the upper edge and it follows. The kept variance grows without limit as the cut opens up,
    while the median of the kept samples changes by only 0.013 between the upper edges 5 and 1000";
    pitfall: "with the upper edge at 100 it would be several times larger".\""""
    scan = P.b2_cut_scan((3.0, 5.0, 10.0, 20.0, 100.0, 1000.0), size=N, seed=SEED)
    assert np.all(np.diff(scan["variance_kept"]) > 0)
    assert scan.loc[100.0, "variance_kept"] > 3 * scan.loc[5.0, "variance_kept"]
    med = scan.loc[5.0:, "median_kept"]
    assert med.max() - med.min() < 0.02
    assert scan["variance_kept"].max() - scan["variance_kept"].min() > 100 * (med.max() - med.min())

    # "without limit": the exact variance of the truncated distribution keeps growing
    def kept_var(hi):
        # 0 < b2 < hi  <=>  D > 2/hi: integrate over D
        lo_d, hi_d = 2.0 / hi, MU_D + 12 * SD_D
        pdf = stats.norm(MU_D, SD_D).pdf
        mass = stats.norm.sf(lo_d, MU_D, SD_D)
        m1 = integrate.quad(lambda d: 2 / d * pdf(d), lo_d, hi_d, points=[MU_D], limit=200)[0] / mass
        m2 = integrate.quad(lambda d: 4 / d**2 * pdf(d), lo_d, hi_d, points=[MU_D], limit=200)[0] / mass
        return m2 - m1**2

    assert kept_var(5.0) == pytest.approx(scan.loc[5.0, "variance_kept"], rel=0.01)
    assert kept_var(1e3) > 10 * kept_var(5.0) and kept_var(1e5) > 10 * kept_var(1e3)


def test_sigma_y_through_b_equals_a():
    """"The result is the same σ_y as from a, at every x ... the chain rule gives J_a = J_b M" with
    "J_b = (-x(1 + x)/b1², -x(1 - x)/b2²)"; caption: "The circles lie on the line at every x"."""
    np.testing.assert_allclose(P.sigma_y_b(XS), P.sigma_y_formula(XS), rtol=1e-8, atol=1e-12)
    b0, cb = P.b_linear()
    M = P.jacobian_a_to_b()
    for x in XS[::30]:
        jb = np.array([-x * (1 + x) / b0[0] ** 2, -x * (1 - x) / b0[1] ** 2])
        np.testing.assert_allclose(jb @ M, [x, x**2], atol=1e-12)
        assert math.sqrt(max(jb @ cb @ jb, 0)) == pytest.approx(P.sigma_y_formula(x), rel=1e-9, abs=1e-12)


def test_cut_covariance_band_is_wrong():
    """"That band is 22 % too wide at x = -3 and 26 % too wide at x = 3, and up to 4 % too narrow in
    between"; caption: "too wide almost everywhere and slightly too narrow for x between about 0.7 and
    1.6"; alt: "about 1.22 on the left, dips slightly below one near x = 1.2 and rises to about 1.26"."""
    xs = np.linspace(-3.0, 3.0, 600)
    ratio = P.sigma_y_b(xs, cov_b=P.b_cut_covariance(0.0, 5.0, N, SEED)) / P.sigma_y_formula(xs)
    assert round(100 * (ratio[0] - 1)) == 22 and round(100 * (ratio[-1] - 1)) == 26
    assert round(ratio[0], 2) == 1.22 and round(ratio[-1], 2) == 1.26
    assert round(100 * (1 - ratio.min())) == 4
    assert round(xs[np.argmin(ratio)], 1) == 1.2
    narrow = xs[ratio < 1]
    assert 0.6 < narrow.min() < 0.8 and 1.5 < narrow.max() < 1.7
    assert np.mean(ratio > 1) > 0.8
    assert 100 * (ratio.max() - 1) == pytest.approx(100 * (ratio[-1] - 1), abs=0.5)   # "up to 26 %"


def test_pitfall_sign_of_b2_term():
    """"that curve is 1 + x + 2x², not (1 + x)²: it agrees with the right one only at x = 0 and x = 1,
    and gives 2 instead of 0 at x = -1 and 22 instead of 16 at x = 3\""""
    b0 = P.a_to_b(P.A_NOMINAL)
    xs = np.linspace(-4, 4, 161)
    np.testing.assert_allclose(P.y_b_seed(xs, b0), 1 + xs + 2 * xs**2, rtol=1e-12)
    same = np.isclose(P.y_b_seed(xs, b0), P.y_b(xs, b0))
    assert set(np.round(xs[same], 12)) == {0.0, 1.0}
    assert (P.y_b_seed(-1.0, b0), P.y_b(-1.0, b0)) == (2.0, 0.0)
    assert (P.y_b_seed(3.0, b0), round(P.y_b(3.0, b0), 12)) == (22.0, 16.0)


def test_pitfall_negative_radicand():
    """"although its own numbers gave +0.25. The radicand of that formula is negative for x > 0.961 and
    x < -4.161, so it would give an imaginary error already at x = 1. ... the discriminant,
    4σ1²σ2²(ρ² - 1), is never positive for |ρ| ≤ 1.\""""
    # the course notebook's own coefficients from Cov(b): alpha, beta, gamma of x^2 (alpha + beta x + gamma x^2)
    b0, cb = P.b_linear()
    t11, t12, t22 = cb[0, 0] / b0[0] ** 4, 2 * cb[0, 1] / (b0[0] ** 2 * b0[1] ** 2), cb[1, 1] / b0[1] ** 4
    alpha, beta, gamma = t11 + t12 + t22, 2 * (t11 - t22), t11 - t12 + t22
    assert math.sqrt(alpha) == pytest.approx(0.2) and beta / alpha == pytest.approx(-0.8)
    assert gamma / alpha == pytest.approx(+0.25)
    lo, hi = P.seed_final_domain()
    assert round(lo, 3) == -4.161 and round(hi, 3) == 0.961
    rad = lambda x: 1 - 0.8 * x - 0.25 * x**2  # noqa: E731
    assert abs(rad(lo)) < 1e-12 and abs(rad(hi)) < 1e-12
    assert rad(1.0) < 0 and rad(hi + 1e-6) < 0 and rad(lo - 1e-6) < 0 and rad(0.0) > 0
    for rho in np.linspace(-1, 1, 41):
        disc = (2 * rho * S1 * S2) ** 2 - 4 * S1**2 * S2**2
        assert disc == pytest.approx(4 * S1**2 * S2**2 * (rho**2 - 1), abs=1e-15) and disc <= 1e-18
        assert np.min(S1**2 + 2 * rho * S1 * S2 * XS + S2**2 * XS**2) >= -1e-15


# ================================================================== z = ln y
def test_sigma_z_formula():
    """"σ_z = σ_y/|y|, the relative error of y" (the linear propagation of ln y)."""
    for x in (-3.0, -0.5, 1.0, 3.0):
        _, var = P.propagate(lambda a: np.log(P.y_a(x, a)), P.A_NOMINAL, P.cov_a())
        assert math.sqrt(var) == pytest.approx(P.sigma_y_formula(x) / abs(P.y_a(x, P.A_NOMINAL)), rel=1e-7)


def test_lny_fine_where_sigma_small(lny):
    """"at x = 1, σ_z = 0.0335 and the Monte Carlo standard deviation of ln y is 0.0336; at x = 3, 0.0346
    and 0.0345. The interval z ± σ_z contains 68.2 % and 68.4 % of the samples, as a Gaussian would
    (68.3 %).\""""
    for x in (1.0, 3.0):
        r = lny.loc[x]
        assert r["sigma_y"] < 0.05 * r["y"]
        assert r["z_std"] == pytest.approx(r["sigma_z_linear"], rel=0.01)
        assert r["linear_coverage"] == pytest.approx(P.P68[1] - P.P68[0], abs=0.003)
        assert r["fraction_undefined"] == 0.0
    assert round(100 * (P.P68[1] - P.P68[0]), 1) == 68.3


def test_lny_fails_at_minus_one(lny):
    """"at x = -1 itself y = 0: ln y = -∞, σ_z = ∞ ... y(-1) is Gaussian around 0 with width 0.286, so
    about half of the samples have y ≤ 0 ...: 50.04 ± 0.05 % in the Monte Carlo, exactly 50 % in theory.\""""
    r = lny.loc[-1.0]
    assert r["y"] == 0.0 and r["z_linear"] == -np.inf and r["sigma_z_linear"] == np.inf
    assert P.sigma_z(-1.0) == np.inf
    with pytest.raises(InputError):
        P.propagate(lambda a: np.log(P.y_a(-1.0, a)), P.A_NOMINAL, P.cov_a())
    assert r["fraction_undefined_exact"] == 0.5
    assert r["fraction_undefined"] == pytest.approx(0.5, abs=4 * r["fraction_undefined_error"])
    # sigma_z grows without bound towards x = -1
    near = np.array([-1.1, -1.01, -1.001])
    assert np.all(np.diff(P.sigma_z(near)) > 0) and P.sigma_z(-1.001) > 100


def test_lny_at_minus_one_and_a_half(lny):
    """"At x = -1.5, y = 0.25 ± 0.499. Linear propagation says z = -1.39 ± 1.99. The Monte Carlo says that
    30.9 % of the samples (exactly 30.8 %) have no z, and that the others have a median of -0.81 with a
    central 68 % interval of [-1.92, -0.15]: a narrower, skewed distribution with a long tail to low z
    and a steep upper edge. Even at x = -2, where y = 1, 9.3 % of the samples have no logarithm.\""""
    r = lny.loc[-1.5]
    assert r["y"] == 0.25 and round(r["sigma_y"], 3) == 0.499
    assert r["fraction_undefined"] == pytest.approx(r["fraction_undefined_exact"],
                                                    abs=4 * r["fraction_undefined_error"])
    assert (r["z_hi68"] - r["z_lo68"]) / 2 < 0.5 * r["sigma_z_linear"]            # narrower
    assert r["z_median"] - r["z_lo68"] > 1.5 * (r["z_hi68"] - r["z_median"])       # skewed
    z = P.lny_samples(-1.5, N, SEED)
    z = z[np.isfinite(z)]
    q = np.quantile(z, [0.025, 0.5, 0.975])
    assert q[1] - q[0] > 2 * (q[2] - q[1])                                        # long low tail
    hist, edges = np.histogram(z, bins=200, range=(-8, 2))
    centres = 0.5 * (edges[:-1] + edges[1:])
    k = np.argmax(hist)
    # steep upper edge: from the peak the density falls to 1 % within a third of the distance below
    above = centres[k:][hist[k:] < 0.01 * hist[k]][0] - centres[k]
    below = centres[k] - centres[:k][hist[:k] < 0.01 * hist[k]][-1]
    assert above < below / 3
    r2 = lny.loc[-2.0]
    assert r2["y"] == 1.0 and round(100 * r2["fraction_undefined"], 1) == 9.3


def test_lny_figure_description():
    """Caption/alt of the ln y figure: "The Monte Carlo distribution is much narrower and skewed, ...,
    and peaks well above the linear central value"; "peaking just below zero ... under a much wider
    blue Gaussian centred near -1.4"; "the orange half (y ≤ 0)"."""
    d = P.lny_distribution(-1.5, N, SEED)
    z = P.lny_samples(-1.5, N, SEED)
    z = z[np.isfinite(z)]
    hist, edges = np.histogram(z, bins=200, range=(-6, 2))
    peak = 0.5 * (edges[:-1] + edges[1:])[np.argmax(hist)]
    assert -1.0 < peak < 0.0 and peak > d.z_linear + 0.5
    assert round(d.z_linear, 1) == -1.4
    assert P.lny_distribution(-1.0, N, SEED).fraction_undefined == pytest.approx(0.5, abs=0.002)


# ================================================================== exercises
def test_exercise_statements():
    """Solution of the first exercise: "With the anti-correlation the error is less than half as large:
    at x = 2 the bracket 1 - 0.8x + 0.25x² is 0.4, against 2.0 for 1 + 0.25x²"; third: "It is the same
    as in the first exercise"; second: "the probability of y ≤ 0 is exactly Φ(-y/σ_y)"."""
    x = 2.0
    assert P.sigma_y_formula(x) < 0.5 * P.sigma_y_formula(x, rho=0.0)
    assert 1 - 0.8 * x + 0.25 * x**2 == pytest.approx(0.4) and 1 + 0.25 * x**2 == 2.0
    assert P.sigma_y_b(x) == pytest.approx(P.sigma_y_formula(x), rel=1e-9)
    a = P.sample_gaussian(P.A_NOMINAL, P.cov_a(), N, SEED)
    frac = np.mean(P.y_a(-1.5, a) <= 0)
    exact = stats.norm.cdf(-P.y_a(-1.5, P.A_NOMINAL) / P.sigma_y_formula(-1.5))
    assert frac == pytest.approx(exact, abs=4 * math.sqrt(exact * (1 - exact) / N))


# ================================================================== additions to the helpers
def test_additions_bad_input():
    with pytest.raises(InputError, match="x = 0"):
        P.std_pull_replicas(x=0.0)
    with pytest.raises(InputError, match="n_replicas"):
        P.std_pull_replicas(n_replicas=1)
    with pytest.raises(InputError, match="seed"):
        P.std_pull_replicas(seed=1.5)
    with pytest.raises(InputError, match="lo < hi"):
        P.b_cut_covariance(5.0, 0.0)
    with pytest.raises(InputError, match="keeps"):
        P.b_cut_covariance(1000.0, 1001.0, size=1000)
    with pytest.raises(InputError, match="probs must lie"):
        P.b2_quantiles_exact((0.0001, 0.5))
    with pytest.raises(InputError, match="zero variance"):
        P.b2_quantiles_exact(rho=1.0, sigma1=0.1, sigma2=0.1)
    with pytest.raises(InputError, match="columns"):
        P.format_mc_table(P.lny_table((1.0,), size=100))


def test_format_mc_table(table):
    t = P.format_mc_table(table)
    assert list(t.index) == list(table.index)
    assert t.loc[3.0, "pull of std"] == f"{table.loc[3.0, 'pull_std']:+.2f}"
    assert t.loc[1.0, "MC std"] == f"{table.loc[1.0, 'mc_std']:.4f} ± {table.loc[1.0, 'mc_std_error']:.4f}"


def test_draw_sigma_b(fig):
    assert F.draw_sigma_b(fig, size=10**5) is None
    assert len(fig.axes) == 2 and all(ax.has_data() for ax in fig.axes)
