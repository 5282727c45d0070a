"""Computations behind the particle-physics data-analysis teaching book.

Every number a chapter shows is computed here and tested in ``tests/``; the
notebooks in ``book/`` only call these functions, plot and explain.

Modules
-------
validation     input checks and :class:`~helpers.validation.InputError`
combination    BLUE / chi2 combination of correlated measurements
normalisation  common normalisation uncertainties (Peelle's pertinent puzzle)
plotting       the book's plotting style and shared figure helpers
selfcheck      exercise self-checks that never print the answer
widgets        slider panels that show a message instead of a traceback
data           the measured inputs stored in ``book/data``
authoring      execute notebooks / write the student edition (command line)
"""

from .validation import InputError

__version__ = "0.1.0"
SEED = 20241124
"""The one seed every random draw in the book starts from (``numpy.random.default_rng(SEED)``)."""

__all__ = ["InputError", "SEED", "__version__"]
