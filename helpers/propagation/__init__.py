"""Error propagation: linear (Jacobian) propagation against Monte Carlo.

The chapter's problem
---------------------
:math:`y(x) = 1 + a_1 x + a_2 x^2` with :math:`a_1 = 2.0 \\pm 0.2`, :math:`a_2 = 1.0 \\pm 0.1`
and correlation :math:`\\rho = -0.8` (:data:`A_NOMINAL`, :data:`A_ERRORS`, :data:`RHO`).
Linear propagation gives
:math:`\\sigma_y^2 = x^2(\\sigma_1^2 + 2\\rho\\sigma_1\\sigma_2 x + \\sigma_2^2 x^2)`, i.e.
:math:`\\sigma_y = 0.2|x|\\sqrt{1 - 0.8x + 0.25x^2}`. Because :math:`y` is *linear* in
:math:`a`, this is exact and :math:`y(x)` is exactly Gaussian. The reparametrisation
:math:`b_1 = 2/(a_1 + a_2)`, :math:`b_2 = 2/(a_1 - a_2)` writes the same curve as
:math:`y = 1 + x(1 + x)/b_1 + x(1 - x)/b_2`; linear propagation through :math:`b` gives the
same :math:`\\sigma_y` at every :math:`x`, but :math:`b_2` itself has neither mean nor
variance (:math:`a_1 - a_2` has density at 0). :math:`z = \\ln y` has
:math:`\\sigma_z = \\sigma_y/|y|`, which fails near :math:`x = -1` where :math:`y = (1 + x)^2 = 0`.

Conventions
-----------
* **Variances, not errors.** :func:`propagate` returns a covariance (a variance for scalar
  output); take ``np.sqrt`` for the error.
* **Scalar in, scalar out.** A scalar ``x`` comes with a scalar variance ``cov`` (a 1x1
  matrix is accepted too); a function returning a number gives ``(float, float)``; a
  function returning a 1-d array of length m gives ``(ndarray (m,), ndarray (m, m))``.
* **Components first.** Arrays of samples hold the component index first and the sample
  index last: :func:`sample_gaussian` returns shape ``(n, size)`` (``(size,)`` for a scalar
  input) and :func:`monte_carlo` returns ``(size,)`` for a scalar function and
  ``(m, size)`` for a vector function. So one function written with ``a[0]``, ``a[1]``
  works unchanged in :func:`propagate` (``a`` of shape ``(n,)``) and in
  :func:`monte_carlo` (``a`` of shape ``(n, size)``) -- it just has to use numpy
  operations (no ``if``, no ``math.log``).
* **Positive semi-definite covariances are legal.** A singular covariance (fully
  correlated inputs, :math:`|\\rho| = 1`, or a zero error) describes a Gaussian squeezed
  onto a line: propagation (:math:`J C J^T`) and sampling are both well defined, so they
  are accepted. Sampling uses the Cholesky factor, computed with zero pivots allowed;
  for two inputs it is exactly the construction :math:`x_2' = \\rho x_1 + \\sqrt{1-\\rho^2}x_2`
  of :func:`correlated_pair`. Asymmetric or indefinite matrices (some combination with
  negative variance, e.g. an implied correlation outside [-1, 1]) raise
  :class:`~helpers.validation.InputError`.
* **Deterministic.** Every random function takes ``seed`` (default :data:`helpers.SEED`):
  a non-negative integer or a ``numpy.random.Generator``.

Modules
-------
tools    propagate, sample_gaussian, monte_carlo, correlated_pair, summarize, mean_std,
         running_moments, running_quantiles, cut_statistics (any problem)
problem  the chapter's inputs and functions, tables of numbers, the seed's mistakes

Everything public is importable from here: ``from helpers.propagation import propagate, y_a``.
"""

from . import problem, tools  # noqa: F401
from .problem import *  # noqa: F401,F403
from .problem import __all__ as _problem_all
from .tools import *  # noqa: F401,F403
from .tools import __all__ as _tools_all

__all__ = [*_tools_all, *_problem_all]
