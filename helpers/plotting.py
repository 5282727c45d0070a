"""The book's plotting style and figure helpers shared between chapters."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["STYLE", "use_book_style", "new_figure", "Scene", "PanelView", "interval_row",
           "set_interval"]

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

    def set_limits(self, ax, xlim=None, ylim=None) -> None:
        """Set axis limits that follow the slider values. The panel keeps one rendered
        background per set of limits, so keep them on a coarse grid: most moves then
        reuse a background, and the first visit of new limits renders one."""
        for lim, get, set_ in ((xlim, ax.get_xlim, ax.set_xlim), (ylim, ax.get_ylim, ax.set_ylim)):
            if lim is not None and tuple(map(float, lim)) != tuple(map(float, get())):
                set_(*lim)

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
      ``scene.live``; an axis limit that must follow the sliders is set in ``show``
      with ``scene.set_limits`` (each new set of limits costs one background render);
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


def interval_row(ax, color, marker: str = "o", scene: Scene | None = None):
    """A horizontal interval with end caps and a central marker, as three lines that
    :func:`set_interval` moves (``ax.errorbar`` cannot be moved cheaply). Registered as
    live in ``scene`` when given."""
    parts = (ax.plot([], [], color=color, lw=1.5)[0],
             ax.plot([], [], ls="none", marker="|", ms=7, color=color)[0],
             ax.plot([], [], marker, color=color)[0])
    if scene is not None:
        scene.live(list(parts))
    return parts


def set_interval(row, y: float, value: float, lower: float, upper: float, span=None) -> None:
    """Move an :func:`interval_row` to height ``y``: marker at ``value``, line from
    ``lower`` to ``upper``. An infinite edge has no cap; its line is drawn past ``span``
    (the axis range, ``(lo, hi)``), or to ``value`` when no span is given."""
    line, caps, point = row
    if span is not None:
        width = span[1] - span[0]
        a, b = max(lower, span[0] - width), min(upper, span[1] + width)
    else:
        a = lower if np.isfinite(lower) else value
        b = upper if np.isfinite(upper) else value
    line.set_data([a, b], [y, y])
    ends = [v for v in (lower, upper) if np.isfinite(v)]
    caps.set_data(ends, [y] * len(ends))
    point.set_data([value], [y])
