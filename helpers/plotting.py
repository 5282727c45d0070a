"""The book's plotting style and figure helpers shared between chapters."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

__all__ = ["STYLE", "use_book_style", "new_figure"]

STYLE = Path(__file__).with_name("book.mplstyle")
"""Path of the matplotlib style file every chapter uses (colour-blind safe Okabe-Ito colours)."""


def use_book_style() -> None:
    """Apply the book's matplotlib style; every chapter calls this once at the top."""
    plt.style.use(STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, **kwargs):
    """``plt.subplots`` with the book's default size scaled to the panel count."""
    w, h = plt.rcParams["figure.figsize"]
    kwargs.setdefault("figsize", (w * (1 + 0.55 * (ncols - 1)), h * (1 + 0.7 * (nrows - 1))))
    return plt.subplots(nrows, ncols, **kwargs)
