"""Computations behind the particle-physics data-analysis teaching book.

Every number a chapter shows is computed here and tested in ``tests/``; the
notebooks in ``book/`` only call these functions, plot and explain.

Modules
-------
validation          input checks and :class:`~helpers.validation.InputError`
data                the measured inputs stored in ``book/data`` (checked, cached by file)
blue                the one BLUE engine (batched, scale-free), covariance check and scaler
combination         :class:`Combination` of correlated measurements (labels aligned), with
                    breakdowns, information weights, iterative BLUE and fit beside it
wmass               chapter "Combining two W-mass measurements": its problem and claims
normalisation       chapter "Normalisation uncertainties": the problem and every estimator
                    (Peelle's pertinent puzzle); its closed forms, fits and ellipse geometry
                    in ``normalisation_closed``, ``normalisation_fits``, ``normalisation_geometry``
normalisation_toys  the chapter's seeded pseudo-experiments
propagation         chapter "Error propagation": ``tools`` (linear and Monte Carlo
                    propagation, summaries) and ``problem`` (the chapter's inputs)
ttbar               chapter on the LHC ttbar cross-section combination (BLUE, 23 sources)
dimuon              chapter "Fitting a mass peak": unbinned Crystal Ball + background fit
gallery             appendix "Published combinations": the gallery of
                    ``combination.gallery`` (published results reproduced from their inputs)
intro               chapter "Working with this book": the mean of n draws (Monte Carlo)
text                rounding and glueing numbers into the prose
plotting            the book's plotting style, interval rows, and :class:`PanelView`
                    (a slider figure split into numbers, background and moving parts)
widgets             slider panels that blit their moving parts and show a message
                    instead of a traceback
figures             one drawing module per chapter (no computations)
exercises           per chapter, the self-check answers (no drawing code)
numbers             per chapter, the numbers glued into the prose, each defined once
selfcheck           ``check(key, value)`` that never prints the answer
nudge               inputs moved by 1-3 ulp, to test the book's digits on another machine

This package is what the chapters import (and what the live site installs in the
browser): it needs no build tool. The book's build tools (execute, editions, live site,
vendoring, the Sphinx extension) are the separate ``bookbuild`` folder of the checkout.
"""

from .validation import InputError

__version__ = "0.1.0"
SEED = 20241124
"""The one seed every random draw in the book starts from (``numpy.random.default_rng(SEED)``)."""


CHAPTERS = {
    "intro": "working_with_this_book",
    "propagation": "error_propagation",
    "wmass": "w_mass",
    "normalisation": "normalisation",
    "ttbar": "ttbar",
    "dimuon": "dimuon_fit",
    "gallery": "gallery",
}
"""Each chapter's one name -> its notebook ``book/<notebook>.ipynb`` (the published page's
name). The name is the chapter's module ``helpers.<name>``, its figures
``helpers.figures.<name>``, its exercise answers ``helpers.exercises.<name>`` (check keys
``<name>-...``, equal to the exercises' labels), its glued numbers ``<name>_...`` and its
tests ``tests/test_<name>*.py``."""

__all__ = ["CHAPTERS", "InputError", "SEED", "__version__"]
