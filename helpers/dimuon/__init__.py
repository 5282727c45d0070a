"""Unbinned maximum-likelihood fit of a di-muon invariant-mass peak.

Model on the fit range :math:`[m_{lo}, m_{hi}]` (default :data:`MASS_RANGE` = [10, 10.75] GeV:
the peak at :math:`\\sqrt s` = 10.58 GeV, its radiative tail below, nothing above but the
resolution)

.. math::

    p(m) = f_{sig}\\,\\frac{CB(m; \\mu, \\sigma, \\alpha, n)}{\\int CB}
         + (1 - f_{sig})\\,\\frac{e^{\\lambda (m - m_0)}}{\\int e^{\\lambda (m - m_0)}}

with :math:`\\lambda` = ``slope`` and the pivot :math:`m_0` the middle of the range (it
cancels in the normalised density; it only keeps the exponentials small). The Crystal
Ball :math:`CB` has its Gaussian core for :math:`t = (m - \\mu)/\\sigma > -\\alpha` and the
power-law tail :math:`A (B - t)^{-n}` on the *low-mass* side (radiative tail),
:math:`A = (n/\\alpha)^n e^{-\\alpha^2/2}`, :math:`B = n/\\alpha - \\alpha` -- exactly
``scipy.stats.crystalball(beta=alpha, m=n, loc=mu, scale=sigma)`` up to its constant.
Both components are truncated to the range and normalised there in closed form
(:func:`cb_integral`).

The fit (:func:`fit`) minimises iminuit's ``UnbinnedNLL(..., log=True)`` of the fast
log-density :class:`FastLogPdf`: the masses are sorted once, so the core/tail split of
the Crystal Ball is one ``searchsorted`` per call (no mask, no branch evaluated twice),
all work happens in preallocated buffers, and MIGRAD and HESSE get the exact gradient and
Hessian (weighted sums over the same buffers; only the 4 x 4 second derivatives of the
scalar CB normalisation are central differences of its closed-form first derivatives).
See ``benchmarks/bench_dimuon.py`` for the timing against a hand-written fit with a
fixed-step numerical Hessian, and :func:`seed_hessian_errors` and
:func:`fixed_step_spread` for what such a Hessian does to the errors.

Everything that can go wrong with the input raises :class:`~helpers.validation.InputError`;
a fit whose minimum is invalid, whose covariance is not accurate or was forced positive
definite, or with a parameter at a limit refuses to hand out error bars (:class:`FitError`).

Modules
-------
model    constants, the density (:func:`logpdf`, :func:`cb_integral`, :class:`FastLogPdf`)
         and the simulated sample (:func:`simulate`, :func:`load`)
fitting  :func:`fit` and its result :class:`DimuonFit` (refuses untrustworthy errors)
studies  profiles, toy studies and pulls, the fixed-step Hessian, checks
extended the extended fit and the signal yield (:func:`extended_fit`,
         :func:`yield_from_fraction`), binned against unbinned (:func:`binned_vs_unbinned`)

Everything public is importable from here: ``from helpers.dimuon import fit, load``.
"""

from . import extended, fitting, model, studies  # noqa: F401
from .extended import *  # noqa: F401,F403
from .extended import __all__ as _extended_all
from .fitting import *  # noqa: F401,F403
from .fitting import __all__ as _fit_all
from .model import *  # noqa: F401,F403
from .model import __all__ as _model_all
from .studies import *  # noqa: F401,F403
from .studies import __all__ as _studies_all

__all__ = [*_model_all, *_fit_all, *_studies_all, *_extended_all]
