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
    """The rows of the chapter's ln y table that the prose quotes (each row has its own draws with
    the same seed, so these equal the chapter's rows)."""
    return P.lny_table((-2.0, -1.5, -1.0, 1.0, 3.0), N, SEED)


@pytest.fixture(scope="module")
def z_m15():
    """ln y(-1.5) of the samples with y > 0."""
    z = P.lny_samples(-1.5, N, SEED)
    return z[np.isfinite(z)]


@pytest.fixture(scope="module")
def b_table():
    return P.b_mc_table(N, SEED)


@pytest.fixture(scope="module")
def cut_cov():
    return P.b_cut_covariance(0.0, 5.0, N, SEED)


@pytest.fixture(scope="module")
def width3():
    return P.y_width_decomposition(3.0, N, SEED)


@pytest.fixture(scope="module")
def _figure():
    f = plt.figure()
    yield f
    plt.close(f)


@pytest.fixture
def fig(_figure):
    """One figure for the whole module, cleared before each test (creating figures is slow)."""
    _figure.clf()
    return _figure


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


def test_inputs_jointly_gaussian(a_samples):
    """"We take (a1, a2) to follow a two-dimensional Gaussian with this covariance": the samples have
    Cov(a), and every linear combination of them is Gaussian (checked along several directions)."""
    C = np.cov(a_samples)
    np.testing.assert_allclose(C, P.cov_a(), atol=4 * 0.04 * math.sqrt(2 / N))
    for angle in np.linspace(0.0, np.pi, 5)[:-1]:
        w = np.array([math.cos(angle), math.sin(angle)])
        proj = w @ a_samples[:, :100_000]
        sd = math.sqrt(w @ P.cov_a() @ w)
        assert stats.kstest(proj, "norm", args=(w @ P.A_NOMINAL, sd)).pvalue > 0.001


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
    np.testing.assert_allclose(P.sigma_y_formula(XS), 0.2 * np.abs(XS) * np.sqrt(1 - 0.8 * XS + 0.25 * XS**2),
                               rtol=1e-12)
    np.testing.assert_allclose(P.sigma_y_formula(XS, rho=0.0), 0.2 * np.abs(XS) * np.sqrt(1 + 0.25 * XS**2),
                               rtol=1e-12)


def test_linear_propagation_is_exact_and_y_gaussian(a_samples):
    """"Here the formula is exact ... a linear combination of jointly Gaussian variables is itself
    Gaussian. So y(x) follows exactly a Gaussian with mean (1 + x)² and standard deviation σ_y(x)."
    (Kolmogorov-Smirnov on 10⁶ samples cannot tell them apart.)"""
    for x in (-1.0, 3.0):   # (the histogram test below adds a binned check at x = -1, 1, 3)
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


def test_take_away_exact_variance_gaussian_only_if_jointly_gaussian():
    """Take-away: "For a function that is linear in the random inputs, linear propagation gives the
    exact variance, and if the inputs are jointly Gaussian the result is exactly Gaussian": with
    inputs of the same covariance but uniform (not Gaussian) parts, Var(y) is still σ_y² while y is
    visibly not Gaussian."""
    n = 200_000
    u = np.random.default_rng(SEED).uniform(-1.0, 1.0, (2, n))
    u = u - u.mean(axis=1, keepdims=True)
    u = np.linalg.solve(np.linalg.cholesky(np.cov(u)), u)      # uniform-based, sample covariance exactly 1
    a = np.array(P.A_NOMINAL)[:, None] + np.linalg.cholesky(P.cov_a()) @ u
    np.testing.assert_allclose(np.cov(a), P.cov_a(), rtol=1e-10, atol=1e-15)
    for x in (-3.0, 1.0, 3.0):
        y = P.y_a(x, a)
        sig = P.sigma_y_formula(x)
        assert np.var(y, ddof=1) == pytest.approx(sig**2, rel=1e-10)     # J Cov J^T, whatever the shape
        assert stats.kstest(y, "norm", args=((1 + x) ** 2, sig)).pvalue < 1e-6


def test_numeric_jacobian_matches_closed_form():
    """"prop.propagate does the same with a numerically computed Jacobian": the printed lines."""
    for x in (-1.0, 0.0, 1.0):
        y, var = P.propagate(lambda a: P.y_a(x, a), P.A_NOMINAL, P.cov_a())
        assert y == pytest.approx((1 + x) ** 2)
        assert math.sqrt(var) == pytest.approx(P.sigma_y_formula(x), rel=1e-8, abs=1e-14)


def test_y0_exact_with_zero_error(table, a_samples):
    """"At x = 0 the answer is y = 1 with an error of exactly 0: every pair (a1, a2) gives the same
    y(0)"; pitfall: "The Monte Carlo below agrees: all of its samples give y(0) = 1"."""
    assert P.y_a(0.0, P.A_NOMINAL) == 1.0 and P.sigma_y_formula(0.0) == 0.0
    assert np.all(P.y_a(0.0, a_samples) == 1.0)
    row = table.loc[0.0]
    assert row["mc_mean"] == 1.0 and row["mc_std"] == 0.0 and row["mc_std_error"] == 0.0
    assert row["mc_mean_error"] == 0.0 and row["mc_halfwidth68"] == 0.0


def test_anticorrelation_narrows_for_positive_x_widens_for_negative():
    """"The anti-correlation makes the band narrower for x > 0 and wider for x < 0: at x = 1,
    σ_y = 0.134 instead of 0.224 without correlation; at x = -1, 0.286 instead of 0.224"."""
    pos, neg = XS > 0, XS < 0
    assert np.all(P.sigma_y_formula(XS[pos]) < P.sigma_y_formula(XS[pos], rho=0.0))
    assert np.all(P.sigma_y_formula(XS[neg]) > P.sigma_y_formula(XS[neg], rho=0.0))
    assert P.sigma_y_formula(1.0, rho=0.0) == pytest.approx(P.sigma_y_formula(-1.0, rho=0.0), rel=1e-14)


def test_terms_move_oppositely_for_positive_x(a_samples):
    """"For x > 0 the terms a1x and a2x² then move in opposite directions ...; for x < 0, a1x
    changes sign and the two shifts add up.\""""
    for x, sign in ((1.0, -1), (2.5, -1), (-1.0, 1), (-2.5, 1)):
        r = np.corrcoef(a_samples[0] * x, a_samples[1] * x**2)[0, 1]
        assert np.sign(r) == sign and abs(r) == pytest.approx(0.8, abs=0.005)


def test_pitfall_factor_two(table):
    """Pitfall: "dividing it by σ1²x² gives 2ρ(σ2/σ1)x = -0.8x. ... σ_y(1) = 0.184 instead of 0.134, and
    σ_y(3) = 0.859 instead of 0.553; for x < 0 it is too narrow (0.257 instead of 0.286 at x = -1).
    The same notebook compared its Monte Carlo with a variance typed in again, this time with the
    correct -0.8x, so the Monte Carlo check passed while the plotted band was wrong"."""
    for x in (-3.0, -1.0, 1.0, 3.0):
        r = table.loc[x]
        assert abs(r["mc_std"] - P.sigma_y_formula(x)) < 4 * r["mc_std_error"]       # the check passes
        assert abs(r["mc_std"] - P.sigma_y_seed_root(x)) > 20 * r["mc_std_error"]    # the band is wrong
    t = P.seed_mistakes_table((-1.0, 1.0, 3.0))
    np.testing.assert_allclose(t["sigma_y_root_04"], P.sigma_y_seed_root(t.index.to_numpy()), rtol=1e-14)
    np.testing.assert_allclose(t["sigma_y"], P.sigma_y_formula(t.index.to_numpy()), rtol=1e-14)
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
    """"The means agree with (1 + x)² within 1.13 of their standard errors, and the widths at x = -3,
    -1 and 1 within 1.24." (the maxima, at x = 1, not understated by rounding)"""
    np.testing.assert_allclose(table["y"], (1 + table.index.to_numpy()) ** 2)
    m, w = table["pull_mean"].abs(), table["pull_std"].drop(index=[0.0, 3.0]).abs()
    assert m.max() < 2 and w.max() < 2                                 # "agree within"
    assert m.idxmax() == 1.0 and w.idxmax() == 1.0
    assert m.max() < 2 and w.max() < 2


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


def test_x3_width_is_the_spread_of_u2(table, width3):
    """"at x = 3 y - ŷ = c1 u1 + c2 u2 with c1 = xσ1 + ρσ2x² = -0.12 and c2 = √(1 - ρ²) σ2x² = 0.54: the
    width is almost entirely the spread of u2, and the drawn u2 have a sample variance 0.41 % below 1,
    which is 2.9 of its own statistical errors.\""""
    x, w = 3.0, width3
    L = np.linalg.cholesky(P.cov_a())
    np.testing.assert_allclose([w["c1"], w["c2"]], np.array([x, x**2]) @ L, rtol=1e-12)
    assert w["c1"] == pytest.approx(x * S1 + P.RHO * S2 * x**2)
    assert w["c2"] == pytest.approx(math.sqrt(1 - P.RHO**2) * S2 * x**2)
    assert math.hypot(w["c1"], w["c2"]) == pytest.approx(P.sigma_y_formula(x), rel=1e-12)
    assert w["c2"] ** 2 > 0.9 * (w["c1"] ** 2 + w["c2"] ** 2)                  # "almost entirely"
    # the u are the very numbers behind the table: they reproduce its width at x = 3 exactly
    assert w["std_from_u"] == pytest.approx(table.loc[x, "mc_std"], rel=1e-12)
    assert w["rel_u2"] < 0 and abs(w["pull_u2"]) > 2                   # below 1, by more than 2 errors
    # and u2 explains the pull: its deficit alone gives nearly all of the shortfall of the width
    alone = math.sqrt(w["c1"] ** 2 + w["c2"] ** 2 * w["var_u2"])
    short = table.loc[x, "mc_std"] - P.sigma_y_formula(x)
    assert short < 0 and (alone - P.sigma_y_formula(x)) / short > 0.8
    # the error used, sqrt(2/(n-1)) for the sample variance of a unit normal, against replicas
    reps = np.var(np.random.default_rng(SEED + 1).standard_normal((200, 20_000)), axis=1, ddof=1)
    assert np.std(reps, ddof=1) / math.sqrt(2 / 19_999) == pytest.approx(1.0, abs=0.15)


def test_replicas_behave_like_standard_normal():
    """"The pulls at x = 3 have mean 0.00 and standard deviation 1.02, as a standard normal variable
    should.\""""
    r = P.std_pull_replicas(x=3.0, n_replicas=200)
    assert r.size == 200
    assert abs(r.mean()) < 3 / math.sqrt(200)
    assert abs(r.std(ddof=1) - 1) < 0.15
    assert stats.kstest(r, "norm").pvalue > 0.01


def test_chance_of_the_x3_pull(table):
    """"A pull at least as large as ours happens for one given number with a probability of 0.076 %.
    That is rare even allowing for the 8 non-trivial pulls in the table (a chance of 0.6 % that at
    least one is this large)\""""
    pull = table.loc[3.0, "pull_std"]
    n_pulls = int((table.drop(index=0.0)[["mc_mean_error", "mc_std_error"]] > 0).to_numpy().sum())
    assert n_pulls == 2 * (len(table) - 1)
    p_one, p_any = P.pull_chance(pull, n_pulls)
    assert p_one == pytest.approx(2 * stats.norm.sf(abs(pull)), rel=1e-12)
    assert p_any == pytest.approx(1 - (1 - p_one) ** n_pulls, rel=1e-12)
    assert p_one < 1e-3 and p_any < 1e-2                              # "rare even allowing for"
    assert p_any < 0.01                                                       # still rare
    with pytest.raises(InputError, match="n_numbers"):
        P.pull_chance(pull, 0)


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
PANEL = F.PANELS["propagation"]


PANEL_LEVELS = {"rho": (-1.0, 0.0, 1.0), "sigma1": (0.0, 0.25, 0.5), "sigma2": (0.0, 0.25, 0.5),
                "x": (-3.0, 0.0, 3.0)}
# An L9 orthogonal array: every pair of sliders takes each of its 3 x 3 level pairs in some row ...
_L9 = [(0, 0, 0, 0), (0, 1, 1, 1), (0, 2, 2, 2), (1, 0, 1, 2), (1, 1, 2, 0), (1, 2, 0, 1),
       (2, 0, 2, 1), (2, 1, 0, 2), (2, 2, 1, 0)]
# ... and every corner of the four slider ends (2^4 combinations).
_CORNERS = [(i, j, k, m) for i in (0, 2) for j in (0, 2) for k in (0, 2) for m in (0, 2)]
PANEL_GRID = sorted(set(_L9) | set(_CORNERS))


def test_panel_grid_design():
    """The grid below covers every end of every slider together with every end of every other
    slider, and every pair of levels (lowest, middle, highest) of any two sliders."""
    assert list(PANEL_LEVELS) == list(PANEL.start)
    assert all((PANEL_LEVELS[s.name][0], PANEL_LEVELS[s.name][2]) == (s.lo, s.hi) for s in PANEL.sliders)
    for p in range(4):
        for q in range(p + 1, 4):
            assert {(r[p], r[q]) for r in PANEL_GRID} == {(i, j) for i in range(3) for j in range(3)}
    assert set(_CORNERS) <= set(PANEL_GRID) and len(PANEL_GRID) == 23    # 16 + 9 - 2 shared


@pytest.mark.parametrize("levels", PANEL_GRID, ids=lambda t: "".join(map(str, t)))
def test_panel_grid(fig, levels):
    """Every slider end and a grid of combinations draw two panels and a one-line summary; the
    summary's linear error is the closed form."""
    v = {k: PANEL_LEVELS[k][i] for k, i in zip(PANEL_LEVELS, levels)}
    text = F.draw_panel(fig, **v)
    assert "\n" not in text and len(fig.axes) == 2 and all(ax.has_data() for ax in fig.axes)
    assert f"± {P.sigma_y_formula(v['x'], v['rho'], v['sigma1'], v['sigma2']):.3f} (linear" in text


def test_panel_starts_at_chapter_values(fig):
    """The chapter's slider start values are the chapter's inputs."""
    text = F.draw_panel(fig, **PANEL.start)
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
    np.testing.assert_allclose(b0, [2 / (2.0 + 1.0), 2 / (2.0 - 1.0)], rtol=1e-15)


def test_jacobian_M_numbers():
    """"M = ((-2/9, -2/9), (-2, 2))" at the central values; Cov(b) = M Cov(a) Mᵀ, and
    "The linearised errors are σ(b1) = 0.0298 and σ(b2) = 0.573, with a correlation of 0.78"."""
    M = P.jacobian_a_to_b()
    np.testing.assert_allclose(M, [[-2 / 9, -2 / 9], [-2, 2]], rtol=1e-14)
    b, cb = P.b_linear()
    np.testing.assert_allclose(cb, M @ P.cov_a() @ M.T, rtol=1e-13)


def test_b1_width_agrees(b_table):
    """"For b1 linear propagation works well: the Monte Carlo standard deviation, 0.0301, is within
    0.9 % of the linear value\""""
    _, cb = P.b_linear()
    s = b_table.loc["b1"]
    dev = s["std"] / math.sqrt(cb[0, 0]) - 1
    assert round(s["std"], 4) == 0.0301 and 0 < dev < 0.009 and round(100 * dev, 1) == 0.9
    assert s["halfwidth68"] == pytest.approx(math.sqrt(cb[0, 0]), rel=0.01)
    assert s["median"] == pytest.approx(2 / 3, abs=3 * s["median_error"])


def test_b1_mean_shift_second_order(b_table):
    """"and the mean, 0.6680, lies 0.2 % above 2/3. That is the second-order shift of a slightly
    non-linear function, (2/μ_S) σ_S²/μ_S² = 0.0013 with S = a1 + a2: small compared with σ(b1), but
    clearly resolved by the 1,000,000 samples, whose mean lies 44 of its errors above 2/3 and within
    0.8 of 2/3 + 0.0013 = 0.6680"; the table shows mean_error with 5 decimals (0.0000 hid it)."""
    s = b_table.loc["b1"]
    nominal, shift = P.b1_second_order_mean()
    assert nominal == pytest.approx(2 / 3) and s["nominal"] == pytest.approx(2 / 3)
    assert s["mean"] > nominal                                          # "above 2/3"
    assert shift == pytest.approx((2 / 3.0) * SD_S**2 / 3.0**2, rel=1e-12)
    assert round(nominal + shift, 4) == round(s["mean"], 4)             # "2/3 + ... = " the mean
    # it is (1/2) f''(mu_S) sigma_S^2 for f(S) = 2/S (f'' by finite differences) ...
    h = 1e-3
    f2 = (2 / (3 + h) - 2 * (2 / 3) + 2 / (3 - h)) / h**2
    assert shift == pytest.approx(0.5 * f2 * SD_S**2, rel=1e-5)
    # ... and the exact mean of 2/S (S Gaussian, 22 sigma from 0) differs from it only at higher order
    pdf = stats.norm(3.0, SD_S).pdf
    exact = integrate.quad(lambda t: 2 / t * pdf(t), 3 - 12 * SD_S, 3 + 12 * SD_S, points=[3.0])[0]
    assert exact - nominal == pytest.approx(shift, rel=0.02)
    pull_nominal = (s["mean"] - nominal) / s["mean_error"]
    pull_second = (s["mean"] - nominal - shift) / s["mean_error"]
    assert pull_nominal > 10 and abs(pull_second) < 2                   # resolved; and within
    assert shift < 0.1 * math.sqrt(P.b_linear()[1][0, 0])                     # small against sigma(b1)
    assert round(s["mean_error"], 4) == 0.0 and round(s["mean_error"], 5) == 0.00003


def test_b2_mean_and_std_nonsense(b_table):
    """"For b2 the mean (2.28) and the standard deviation (25.7) are nonsense\""""
    _, cb = P.b_linear()
    s = b_table.loc["b2"]
    assert s["std"] > 20 * math.sqrt(cb[1, 1])
    # the sample mean is far (in its own "errors") from the median, unlike for a real mean
    assert abs(s["mean"] - s["median"]) > 10 * s["median_error"]


def test_denominator_distribution(a_samples):
    """"D = a1 - a2 is Gaussian with mean 1 and standard deviation ... = 0.286, and its density at D = 0
    is small (0.0031) but not zero\""""
    d = a_samples[0] - a_samples[1]
    assert np.mean(d) == pytest.approx(1.0, abs=4 * SD_D / 1000)
    assert np.std(d) == pytest.approx(SD_D, rel=0.003)
    p0 = stats.norm.pdf(0.0, MU_D, SD_D)
    assert 0 < p0 < 0.01


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
    """"∫|b2| p(b2) db2 diverges logarithmically and ∫ b2² p(b2) db2 linearly. b2 has no mean and
    no variance.\""""
    p0 = stats.norm.pdf(0.0, MU_D, SD_D)

    def tail(f, lo, hi):
        pos = integrate.quad(lambda t: f(t) * b2_density(t), lo, hi, limit=200)[0]
        neg = integrate.quad(lambda t: f(t) * b2_density(t), -hi, -lo, limit=200)[0]
        return pos + neg

    # |b2|: each factor 10 in the range adds 2 * 2 p0 ln 10 (both sides): logarithmic growth
    for lo in (1e3, 1e4):
        assert tail(abs, lo, 10 * lo) == pytest.approx(4 * p0 * math.log(10), rel=0.01)
    # b2^2: the contribution of [T, 10T] grows linearly with T, as 2 * 2 p0 * 9T (both sides) ...
    assert tail(lambda t: t * t, 1e4, 1e5) == pytest.approx(10 * tail(lambda t: t * t, 1e3, 1e4), rel=0.01)
    for lo in (1e3, 1e4):
        assert tail(lambda t: t * t, lo, 10 * lo) == pytest.approx(4 * p0 * 9 * lo, rel=0.01)
    # ... so doubling the range doubles the integral (linear), unlike the |b2| one (a constant step)
    assert tail(lambda t: t * t, 1e3, 2e4) / tail(lambda t: t * t, 1e3, 1e4) == pytest.approx(19 / 9, rel=0.01)


def test_b1_denominator_far_from_zero():
    """"b1 = 2/(a1 + a2) has the same disease, but its denominator is 22 standard deviations away from
    zero: the density there is 8 × 10 to the power -109, and no sample will ever find it.\""""
    assert 3.0 / SD_S > 20
    p = stats.norm.pdf(0.0, 3.0, SD_S)
    e = math.floor(math.log10(p))
    assert e < -100 and 1 <= p / 10.0**e < 10
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
    assert c.fraction_below == pytest.approx(stats.norm.cdf(0.0, MU_D, SD_D), abs=4 * math.sqrt(2.4e-4 / N))
    var_lin = P.b_linear()[1][1, 1]
    assert c.variance_kept > var_lin + 10 * c.variance_kept_error


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


def test_cut_covariance_band_is_wrong(cut_cov):
    """"That band is 22 % too wide at x = -3 and 26 % too wide at x = 3, and up to 4 % too narrow in
    between (for x from 0.75 to 1.63)"; caption: "too wide almost everywhere and slightly too narrow
    for x between about 0.75 and 1.6"; alt: "about 1.22 on the left, dips slightly below one near
    x = 1.2 and rises to about 1.26"."""
    xs = np.linspace(-3.0, 3.0, 600)
    ratio = P.sigma_y_b(xs, cov_b=cut_cov) / P.sigma_y_formula(xs)
    np.testing.assert_allclose(P.cut_band_ratio(xs, cov_cut=cut_cov), ratio, rtol=1e-14)
    assert round(ratio[0], 2) == 1.22 and round(ratio[-1], 2) == 1.26
    assert ratio.min() < 1                                              # "too narrow in between"
    assert round(xs[np.argmin(ratio)], 1) == 1.2
    assert np.mean(ratio > 1) > 0.8
    assert 100 * (ratio.max() - 1) == pytest.approx(100 * (ratio[-1] - 1), abs=0.5)   # "up to 26 %"
    # the narrow range: crossings solved exactly, and consistent with the grid
    r = P.cut_band_narrow_range(cov_cut=cut_cov)
    assert round(r["x_from"], 2) == 0.75 and round(r["x_to"], 1) == 1.6                # the caption
    for x in (r["x_from"], r["x_to"]):                                                # numeric Jacobian
        assert float(P.sigma_y_b(x, cov_b=cut_cov)) / P.sigma_y_formula(x) == pytest.approx(1.0, abs=1e-7)
    narrow = xs[ratio < 1]
    assert np.all(np.diff(narrow) < 0.011)                                            # one interval
    assert r["x_from"] <= narrow.min() < r["x_from"] + 0.011 and r["x_to"] - 0.011 < narrow.max() <= r["x_to"]
    assert round(r["ratio_min"], 2) == 0.96 and round(r["x_min"], 1) == 1.2
    assert r["ratio_min"] <= ratio.min() + 1e-12


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


def test_lny_at_minus_one_and_a_half(lny, z_m15):
    """"At x = -1.5, y = 0.25 ± 0.499. Linear propagation says z = -1.39 ± 1.99. The Monte Carlo says that
    30.9 % of the samples (exactly 30.8 %) have no z, and that the others have a median of -0.81 with a
    central 68 % interval of [-1.92, -0.15]: a narrower, skewed distribution with a long tail to low z
    and a steep upper edge. Even at x = -2, where y = 1, 9.3 % of the samples have no logarithm.\""""
    r = lny.loc[-1.5]
    assert r["y"] == 0.25 and r["sigma_y"] == pytest.approx(P.sigma_y_formula(-1.5), rel=1e-12)
    assert r["fraction_undefined"] == pytest.approx(r["fraction_undefined_exact"],
                                                    abs=4 * r["fraction_undefined_error"])
    assert (r["z_hi68"] - r["z_lo68"]) / 2 < 0.5 * r["sigma_z_linear"]            # narrower
    assert r["z_median"] - r["z_lo68"] > 1.5 * (r["z_hi68"] - r["z_median"])       # skewed
    z = z_m15
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


def test_lny_figure_description(lny, z_m15):
    """Caption/alt of the ln y figure: "The Monte Carlo distribution is much narrower and skewed, ...,
    and peaks well above the linear central value"; "peaking just below zero ... under a much wider
    blue Gaussian centred near -1.4"; "the orange half (y ≤ 0)"."""
    d = lny.loc[-1.5]
    hist, edges = np.histogram(z_m15, bins=200, range=(-6, 2))
    peak = 0.5 * (edges[:-1] + edges[1:])[np.argmax(hist)]
    assert -1.0 < peak < 0.0 and peak > d["z_linear"] + 0.5
    assert round(d["z_linear"], 1) == -1.4
    assert lny.loc[-1.0, "fraction_undefined"] == pytest.approx(0.5, abs=0.002)


# ================================================================== exercises
def test_exercise_statements(a_samples):
    """Solution of the first exercise: "With the anti-correlation the error is less than half as large:
    at x = 2 the bracket 1 - 0.8x + 0.25x² is 0.4, against 2.0 for 1 + 0.25x²"; third: "It is the same
    as in the first exercise without correlation" (Cov(b) of uncorrelated a, which is not diagonal);
    second: "the probability of y ≤ 0 is exactly Φ(-y/σ_y)" (at x = -2.25)."""
    x = 2.0
    assert P.sigma_y_formula(x) < 0.5 * P.sigma_y_formula(x, rho=0.0)
    assert 1 - 0.8 * x + 0.25 * x**2 == pytest.approx(0.4) and 1 + 0.25 * x**2 == 2.0
    assert P.sigma_y_b(x) == pytest.approx(P.sigma_y_formula(x), rel=1e-9)
    cov_b0 = P.b_linear(rho=0.0)[1]
    assert abs(cov_b0[0, 1]) > 0.5 * math.sqrt(cov_b0[0, 0] * cov_b0[1, 1])
    assert P.sigma_y_b(x, cov_b=cov_b0) == pytest.approx(P.sigma_y_formula(x, rho=0.0), rel=1e-9)
    frac = np.mean(P.y_a(-2.25, a_samples) <= 0)
    exact = stats.norm.cdf(-P.y_a(-2.25, P.A_NOMINAL) / P.sigma_y_formula(-2.25))
    assert frac == pytest.approx(exact, abs=4 * math.sqrt(exact * (1 - exact) / N))


def test_exercises_need_only_numpy_scipy_and_the_seed():
    """"Write these with numpy (and scipy.stats for Φ); helpers only provides the seed and checks your
    numbers.": the solution cells use no other helpers (no prop., figs.), only helpers.SEED and check."""
    import re
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / "book" / "error_propagation.ipynb", 4)
    start = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))
    code = "\n".join(c.source for c in nb.cells[start:] if c.cell_type == "code"
                     and "remove-cell" not in c.metadata.get("tags", []))
    assert "check(" in code and "helpers.SEED" in code and "stats.norm.cdf" in code
    assert not re.search(r"\b(prop|figs|P|F)\.", code)
    assert set(re.findall(r"\bhelpers\.(\w+)", code)) == {"SEED"}


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
    with pytest.raises(InputError, match="size"):
        P.y_width_decomposition(3.0, size=1)
    with pytest.raises(InputError, match="exactly one interval"):
        P.cut_band_narrow_range(cov_cut=P.b_linear()[1])       # the linear Cov(b): ratio 1 everywhere


def test_format_mc_table(table):
    t = P.format_mc_table(table)
    assert list(t.index) == list(table.index)
    assert t.loc[3.0, "pull of std"] == f"{table.loc[3.0, 'pull_std']:+.2f}"
    assert t.loc[1.0, "MC std"] == f"{table.loc[1.0, 'mc_std']:.4f} ± {table.loc[1.0, 'mc_std_error']:.4f}"


def test_draw_sigma_b(fig):
    assert F.draw_sigma_b(fig, size=10**5) is None
    assert len(fig.axes) == 2 and all(ax.has_data() for ax in fig.axes)


def test_panel_histogram_axes_stay_fixed():
    """"Those units keep the axes fixed while you move the sliders: agreement always means
    the same curve.\""""
    panel = PANEL.widget()
    ax2 = panel.figure.axes[1]
    limits = (ax2.get_xlim(), ax2.get_ylim())
    curve = ax2.get_lines()[0].get_ydata().copy()       # the standard Gaussian
    for values in ({"rho": 0.9, "sigma1": 0.5, "sigma2": 0.5, "x": -3.0},
                   {"rho": -1.0, "sigma1": 0.01, "sigma2": 0.3, "x": 2.5}):
        panel.update(**values)
        assert (ax2.get_xlim(), ax2.get_ylim()) == limits
        np.testing.assert_array_equal(ax2.get_lines()[0].get_ydata(), curve)
