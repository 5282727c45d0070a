"""BLUE combination of correlated measurements (Lyons, Gibaut, Clifford 1988).

The :class:`Combination` class takes measured values ``y``, their uncertainties
split into sources ``k`` and the between-measurement correlation of each source,
and exposes the quantities of the paper under their usual names::

    C      = sum_k D_k R_k D_k          total covariance (D_k = diag of source k errors)
    w      = C^-1 1 / (1^T C^-1 1)      weights            -> Combination.weights
    yhat   = w^T y                      combined value     -> Combination.value
    sigma  = (1^T C^-1 1)^(-1/2)        combined error     -> Combination.error
    chi2   = (y - yhat)^T C^-1 (y - yhat)                  -> Combination.chi2

Everything is validated on the way in (:class:`~helpers.validation.InputError` with a
readable message); the object is immutable, and the ``with_*`` / ``without`` methods
return new combinations for sliders and what-if studies.

Beyond the combination itself, each in a small module beside the class
(:mod:`.core`), which keeps the paper-like face and hands the work to them:

* :mod:`.inputs` -- reading values, errors, correlations and a combination table
  (:meth:`Combination.from_table`);
* :mod:`.breakdown` -- error breakdowns by source and by group of sources
  (:meth:`Combination.uncertainties`, :meth:`~Combination.quadratic_difference`,
  :meth:`~Combination.grouped`) and the tables :meth:`~Combination.summary`,
  :meth:`~Combination.table`;
* :mod:`.information` -- information weights and pulls (Valassi and Chierici 2014);
* :mod:`.iterative` -- iterative BLUE for uncertainties proportional to the true value
  (:meth:`Combination.iterated`, Lista 2014);
* :mod:`.fit` -- the χ² fit with iminuit (:meth:`Combination.fit`), free of units;
* :mod:`.notes` -- the prose of :meth:`Combination.weight_note`;
* :mod:`.scan` -- :func:`correlation_scan` and :func:`zero_weight_correlation`.

Conventions that hold everywhere in this module:

* **Labelled inputs are aligned by label.** A Series of values, a DataFrame of
  errors, a correlation DataFrame and a covariance DataFrame are matched on their
  measurement labels whatever their order; labels that do not match raise
  :class:`InputError` naming them. Plain arrays and lists have no labels and are
  taken in order.
* **Scale-free numerics.** The linear algebra runs on the errors divided by a
  common power of two and on the *correlation* matrix ``R = D^-1 C D^-1``, so the
  results are the same for inputs in pb, in barn or in units of 1e-150, and the
  singularity check tests how strongly the measurements are correlated, not how
  different their error sizes are.
"""

from .core import Combination, blue
from .scan import correlation_scan, zero_weight_correlation

__all__ = ["Combination", "blue", "correlation_scan", "zero_weight_correlation"]
