"""The book's plotting style and figure helpers shared between chapters."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

__all__ = ["STYLE", "use_book_style", "new_figure", "Scene", "PanelView"]

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


class Scene:
    """The artists of one drawn slider figure that move with the sliders.

    :meth:`PanelView.setup` draws the figure and passes every artist that depends on the
    slider values through :meth:`live`; everything else is background. In a live
    :class:`~helpers.widgets.SliderPanel` the background is rendered once and only the
    live artists are redrawn on top of it (matplotlib's blitting, on the Agg canvas).
    """

    def __init__(self, blit: bool = False):
        self.blit = blit
        self.moving: list = []

    def live(self, artist):
        """Register ``artist`` as moving (also a list, or a container such as the result of
        ``ax.bar`` or ``ax.errorbar``); returns it."""
        for a in _flatten(artist):
            a.set_animated(self.blit)
            self.moving.append(a)
        return artist


def _flatten(x):
    if isinstance(x, (list, tuple)):          # matplotlib's containers are tuples
        for y in x:
            yield from _flatten(y)
    elif x is not None:
        yield x


class PanelView:
    """One slider panel's figure, split into what a slider move costs and what it does not.

    Subclasses define

    * :meth:`compute` ``(**slider_values) -> numbers``: the numbers only, from the
      chapter's computation modules (raises :class:`~helpers.validation.InputError` for an
      impossible setting); this is the part timed against the 5 ms target of
      ``benchmarks/run.py``;
    * :meth:`setup` ``(fig, scene)``: draws the background (axes, limits, labels, the
      curves that do not move) and creates the moving artists, registered with
      ``scene.live``; axis limits must not depend on the slider values;
    * :meth:`show` ``(scene, numbers) -> str | None``: moves the live artists to the new
      numbers and returns the one-line summary.

    :meth:`draw` does all three into a plain figure (static use, tests);
    :class:`~helpers.widgets.SliderPanel` draws the background once and then redraws only
    the live artists.
    """

    figsize: tuple | None = None

    def compute(self, **values):
        raise NotImplementedError

    def setup(self, fig, scene: Scene) -> None:
        raise NotImplementedError

    def show(self, scene: Scene, numbers) -> str | None:
        raise NotImplementedError

    def draw(self, fig, **values) -> str | None:
        """Compute, draw and show into ``fig`` (everything drawn as ordinary artists)."""
        numbers = self.compute(**values)
        scene = Scene(blit=False)
        self.setup(fig, scene)
        return self.show(scene, numbers)
