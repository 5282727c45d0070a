"""Answers of the exercises in "Error propagation: linear formulas and Monte Carlo".

The Monte Carlo exercise is checked against the exact value (y is linear in the Gaussian
inputs, so the linear sigma_y and Phi(-y/sigma_y) are exact); the tolerances cover the
Monte Carlo scatter of a sample of 10^6 with a good margin.
"""

from . import Exercise, Mistake

X_SIGMA = 2.0
"""x at which the exercises ask for sigma_y."""
X_NEGATIVE = -1.5
"""x at which the Monte Carlo exercise counts samples with y <= 0."""


def _sigma_y_2() -> tuple:
    from ..propagation import sigma_y_formula
    return sigma_y_formula(X_SIGMA), sigma_y_formula(X_SIGMA, rho=0.0)


def _mc_sigma_y_2() -> float:
    from ..propagation import sigma_y_formula
    return sigma_y_formula(X_SIGMA)


def _fraction_negative() -> float:
    from scipy import stats

    from ..propagation import A_NOMINAL, sigma_y_formula, y_a
    return float(stats.norm.cdf(-y_a(X_NEGATIVE, A_NOMINAL) / sigma_y_formula(X_NEGATIVE)))


def _cov_b() -> tuple:
    import numpy as np

    from ..propagation import b_linear
    _, cov_b = b_linear()
    s = np.sqrt(np.diag(cov_b))
    return float(s[0]), float(s[1]), float(cov_b[0, 1] / (s[0] * s[1]))


def _sigma_y_2_b() -> float:
    from ..propagation import sigma_y_b
    return sigma_y_b(X_SIGMA)


def _sigma_y_2_rho(rho: float) -> tuple:
    from ..propagation import sigma_y_formula
    return sigma_y_formula(X_SIGMA, rho=rho), sigma_y_formula(X_SIGMA, rho=0.0)


def _fraction_negative_rho0() -> float:
    from scipy import stats

    from ..propagation import A_NOMINAL, sigma_y_formula, y_a
    return float(stats.norm.cdf(-y_a(X_NEGATIVE, A_NOMINAL) / sigma_y_formula(X_NEGATIVE, rho=0.0)))


def _cov_b_transposed() -> tuple:
    import numpy as np

    from ..propagation import cov_a, jacobian_a_to_b
    m = jacobian_a_to_b()
    wrong = m.T @ cov_a() @ m
    s = np.sqrt(np.diag(wrong))
    return float(s[0]), float(s[1]), float(wrong[0, 1] / (s[0] * s[1]))


def _sigma_y_2_b_diagonal() -> float:
    import numpy as np

    from ..propagation import b_linear, sigma_y_b
    _, cov_b = b_linear()
    return sigma_y_b(X_SIGMA, cov_b=np.diag(np.diag(cov_b)))


_RHO_SIGN = ("The correlation enters with the wrong sign: a1 and a2 are anti-correlated "
             "(rho = -0.8). Look again at the sign of the cross term.")

EXERCISES = {
    "propagation-sigma-y-2": Exercise(_sigma_y_2, atol=0.001,
                               what="the pair (with correlation, without correlation)", parts=('sigma_y(2) with correlation', 'sigma_y(2) without'),
        mistakes=(
            Mistake(lambda: _sigma_y_2_rho(+0.8), _RHO_SIGN),
            Mistake(lambda: (_sigma_y_2()[1], float("nan")), "The first number leaves the "
                    "correlation out: it asks for sigma_y(2) with rho = -0.8."),)),
    "propagation-mc-sigma-y-2": Exercise(_mc_sigma_y_2, rtol=0.01, what="the Monte Carlo spread of y(2)",
        mistakes=(Mistake(lambda: _sigma_y_2_rho(+0.8)[0], "Your samples have the wrong "
                          "correlation sign: draw a1 and a2 with rho = -0.8."),
                  Mistake(lambda: _sigma_y_2()[1], "Your samples are uncorrelated: draw a1 and "
                          "a2 from their joint Gaussian with rho = -0.8."))),
    "propagation-mc-fraction-negative": Exercise(_fraction_negative, atol=0.003,
                                       what="the fraction of samples with y(-1.5) <= 0",
        mistakes=(
            Mistake(_fraction_negative_rho0, "Your samples are uncorrelated: draw a1 and a2 "
                    "from their joint Gaussian with rho = -0.8."),
            Mistake(lambda: 1.0 - _fraction_negative(), "This is the fraction with y > 0, the "
                    "complement of what is asked."),)),
    "propagation-cov-b": Exercise(_cov_b, atol=0.0005, what="the triple (sigma(b1), sigma(b2), rho)", parts=('sigma(b1)', 'sigma(b2)', 'rho'),
        mistakes=(
            Mistake(_cov_b_transposed, "This is M^T C M: the covariance of b is M C M^T with "
                    "M_ij = db_i/da_j. Look again at the order of the product."),)),
    "propagation-cov-b-sigma-y-2": Exercise(_sigma_y_2_b, atol=0.001, what="sigma_y(2) through b",
        mistakes=(
            Mistake(_sigma_y_2_b_diagonal, "Only the diagonal of Cov(b): b1 and b2 are "
                    "correlated, and their covariance belongs in the propagation too."),)),
}
