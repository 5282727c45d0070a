"""Answers of the exercises in "Error propagation: linear formulas and Monte Carlo".

The Monte Carlo exercise is checked against the exact value (y is linear in the Gaussian
inputs, so the linear sigma_y and Phi(-y/sigma_y) are exact); its tolerances are four times
the Monte Carlo error of a sample of the size the exercise asks for (:data:`N_MC`), plus
half a unit of the precision asked. The b exercise uses uncorrelated a (:data:`RHO_B`):
the chapter's text already prints Cov(b) for rho = -0.8.
"""

from . import Exercise, Mistake

X_SIGMA = 2.0
"""x at which the exercises ask for sigma_y."""
X_NEGATIVE = -2.25
"""x at which the Monte Carlo exercise counts samples with y <= 0 (not one of the x the
chapter's ln y table already shows)."""
N_MC = 10**6
"""Pairs (a1, a2) the Monte Carlo exercise draws."""
RHO_B = 0.0
"""Correlation of a1 and a2 in the exercise on b (uncorrelated a)."""

MC_STD_ATOL = 0.0007
"""About 4 x the Monte Carlo error of the std of y(2) from N_MC samples,
4 sigma_y/sqrt(2 N_MC) = 7.2e-4 (tested in tests/test_selfcheck_propagation.py)."""
MC_FRACTION_ATOL = 0.0008
"""About 4 x the binomial error of the fraction with y(-2.25) <= 0 from N_MC samples,
4 sqrt(p(1 - p)/N_MC) = 8.1e-4 (tested there too)."""


# ------------------------------------------------------------------ the right answers
def _sigma(x, **kw) -> float:
    from ..propagation import sigma_y_formula
    return sigma_y_formula(x, **kw)


def _fraction(sigma: float) -> float:
    """Phi(-y/sigma) at X_NEGATIVE for a given width of y."""
    from scipy import stats

    from ..propagation import A_NOMINAL, y_a
    return float(stats.norm.cdf(-y_a(X_NEGATIVE, A_NOMINAL) / sigma))


def _sigma_y_2() -> tuple:
    return _sigma(X_SIGMA), _sigma(X_SIGMA, rho=0.0)


def _mc_sigma_y_2() -> float:
    return _sigma(X_SIGMA)


def _fraction_negative() -> float:
    return _fraction(_sigma(X_NEGATIVE))


def _cov_b_matrix(rho=RHO_B, transposed=False, flip_b2_row=False):
    from ..propagation import cov_a, jacobian_a_to_b
    m = jacobian_a_to_b()
    if flip_b2_row:
        m[1] *= -1.0
    return m.T @ cov_a(rho) @ m if transposed else m @ cov_a(rho) @ m.T


def _triple(cov) -> tuple:
    import numpy as np
    s = np.sqrt(np.diag(cov))
    return float(s[0]), float(s[1]), float(cov[0, 1] / (s[0] * s[1]))


def _cov_b() -> tuple:
    return _triple(_cov_b_matrix())


def _sigma_y_2_b(cov=None, y=None) -> float:
    """sigma_y(2) through b from ``cov`` (default: Cov(b) of the exercise), propagated
    through ``y`` (default: the right y(x; b))."""
    import numpy as np

    from ..propagation import a_to_b, A_NOMINAL, propagate, y_b
    cov = _cov_b_matrix() if cov is None else cov
    y = y_b if y is None else y
    _, var = propagate(lambda b: y(X_SIGMA, b), a_to_b(A_NOMINAL), cov)
    return float(np.sqrt(var))


# ------------------------------------------------------------------ the mistakes
def _sigma_no_sqrt(x) -> float:
    """sigma_y(x) of pairs drawn with u2' = rho u1 + u2 (the factor sqrt(1 - rho^2)
    forgotten): a2 then has the error sigma2 sqrt(1 + rho^2) and the correlation
    rho/sqrt(1 + rho^2) with a1."""
    import math

    from ..propagation import A_ERRORS, RHO
    k = math.sqrt(1 + RHO**2)
    return _sigma(x, rho=RHO / k, sigma2=A_ERRORS[1] * k)


def _sigma_cross_halved(x) -> float:
    from ..propagation import sigma_y_seed_root
    return sigma_y_seed_root(x)


def _cov_b_variances() -> tuple:
    import numpy as np
    c = _cov_b_matrix()
    return float(c[0, 0]), float(c[1, 1]), np.nan


def _cov_b_covariance() -> tuple:
    import numpy as np
    return np.nan, np.nan, float(_cov_b_matrix()[0, 1])


def _sigma_y_2_b_diagonal() -> float:
    import numpy as np
    return _sigma_y_2_b(cov=np.diag(np.diag(_cov_b_matrix())))


def _sigma_y_2_b_sign() -> float:
    from ..propagation import y_b_seed
    return _sigma_y_2_b(y=y_b_seed)


def _sigma_y_2_b_chapter_cov() -> float:
    from ..propagation import RHO
    return _sigma_y_2_b(cov=_cov_b_matrix(rho=RHO))


_NAN = float("nan")
_RHO_SIGN = ("The correlation enters with the wrong sign: a1 and a2 are anti-correlated "
             "(rho = -0.8). Look again at the sign of the cross term.")
_CROSS_HALVED = ("The cross term has lost its factor 2: sigma_y^2 contains 2 rho sigma1 sigma2 x^3, "
                 "which is -0.8x inside the bracket, not -0.4x (see the pitfall on the factor 2 "
                 "of the cross term).")
_NO_SQRT = ("Your u2' = rho u1 + u2 has lost the factor sqrt(1 - rho^2) in front of u2: then "
            "u2' has variance 1 + rho^2 instead of 1 and a weaker correlation with u1. Look "
            "again at the construction of the correlated pair.")
_UNCORRELATED = "Your samples are uncorrelated: draw a1 and a2 from their joint Gaussian with rho = -0.8."

EXERCISES = {
    "propagation-sigma-y-2": Exercise(
        _sigma_y_2, decimals=(3, 3),
        what="the pair (with correlation, without correlation)",
        parts=("sigma_y(2) with correlation", "sigma_y(2) without"),
        mistakes=(
            Mistake(lambda: (_sigma(X_SIGMA, rho=0.8), _sigma(X_SIGMA, rho=0.0)), _RHO_SIGN),
            Mistake(lambda: (_sigma(X_SIGMA, rho=0.0), _NAN), "The first number leaves the "
                    "correlation out: it asks for sigma_y(2) with rho = -0.8."),
            Mistake(lambda: (_sigma_cross_halved(X_SIGMA), _NAN), _CROSS_HALVED),)),
    "propagation-mc-sigma-y-2": Exercise(
        _mc_sigma_y_2, atol=MC_STD_ATOL, decimals=3, what="the Monte Carlo spread of y(2)",
        mistakes=(
            Mistake(lambda: _sigma(X_SIGMA, rho=0.8), "Your samples have the wrong "
                    "correlation sign: draw a1 and a2 with rho = -0.8."),
            Mistake(lambda: _sigma(X_SIGMA, rho=0.0), _UNCORRELATED),
            Mistake(lambda: _sigma_no_sqrt(X_SIGMA), _NO_SQRT),
            Mistake(lambda: _sigma_cross_halved(X_SIGMA), "This is the spread of a band with "
                    "half the cross term (-0.4x instead of -0.8x in the bracket, as for "
                    "rho = -0.4): draw the pairs with rho = -0.8 and take the standard "
                    "deviation of the samples of y(2)."),
            Mistake(lambda: _y_at(X_SIGMA),
                    "This is the mean of y(2), where the exercise asks for its spread: "
                    "the standard deviation of the samples."),)),
    "propagation-mc-fraction-negative": Exercise(
        _fraction_negative, atol=MC_FRACTION_ATOL, decimals=4,
        what="the fraction of samples with y(-2.25) <= 0",
        mistakes=(
            Mistake(lambda: _fraction(_sigma(X_NEGATIVE, rho=0.0)), _UNCORRELATED),
            Mistake(lambda: _fraction(_sigma(X_NEGATIVE, rho=0.8)), "Your samples have the "
                    "wrong correlation sign: draw a1 and a2 with rho = -0.8."),
            Mistake(lambda: _fraction(_sigma_no_sqrt(X_NEGATIVE)), _NO_SQRT),
            Mistake(lambda: _fraction(_sigma_cross_halved(X_NEGATIVE)), "This is Phi(-y/sigma_y) "
                    "with the cross term halved (-0.4x instead of -0.8x in the bracket, see the "
                    "pitfall on the factor 2): the exercise asks for the fraction of your "
                    "samples, and the correct linear formula agrees with it."),
            Mistake(lambda: 1.0 - _fraction_negative(), "This is the fraction with y > 0, the "
                    "complement of what is asked."),)),
    "propagation-cov-b": Exercise(
        _cov_b, decimals=(4, 3, 1), what="the triple (sigma(b1), sigma(b2), rho)",
        parts=("sigma(b1)", "sigma(b2)", "rho(b1, b2)"),
        mistakes=(
            Mistake(lambda: _triple(_cov_b_matrix(transposed=True)), "This is M^T C M: the "
                    "covariance of b is M C M^T with M_ij = db_i/da_j. Look again at the order "
                    "of the product."),
            Mistake(lambda: _triple(_cov_b_matrix(rho=-0.8)), "This is Cov(b) for the "
                    "chapter's correlated a (rho = -0.8); the exercise asks for uncorrelated "
                    "a1 and a2 (rho = 0)."),
            Mistake(lambda: (_NAN, _NAN, _triple(_cov_b_matrix(flip_b2_row=True))[2]),
                    "The correlation has the wrong sign: check the signs in the second row of "
                    "M, the derivatives of 2/(a1 - a2) with respect to a1 and to a2."),
            Mistake(_cov_b_covariance, "The third number is the covariance of b1 and b2; "
                    "the exercise asks for their correlation, Cov(b1, b2)/(sigma(b1) sigma(b2))."),
            Mistake(_cov_b_variances, "The first two numbers are variances, the diagonal of "
                    "Cov(b): the errors are their square roots."),)),
    "propagation-cov-b-sigma-y-2": Exercise(
        _sigma_y_2_b, decimals=3, what="sigma_y(2) through b",
        mistakes=(
            Mistake(_sigma_y_2_b_diagonal, "Only the diagonal of Cov(b): b1 and b2 are "
                    "correlated even though a1 and a2 are not, and their covariance belongs in "
                    "the propagation too."),
            Mistake(_sigma_y_2_b_sign, "The sign of the b2 term: y = 1 + x(1 + x)/b1 + "
                    "x(1 - x)/b2, not x(x - 1)/b2, so dy/db2 = -x(1 - x)/b2^2 (see the pitfall "
                    "on the sign of the b2 term)."),
            Mistake(_sigma_y_2_b_chapter_cov, "This uses Cov(b) of the chapter's correlated a "
                    "(rho = -0.8); propagate the Cov(b) of your first part (uncorrelated a)."),)),
}


def _y_at(x) -> float:
    from ..propagation import A_NOMINAL, y_a
    return float(y_a(x, A_NOMINAL))
