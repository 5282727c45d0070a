"""Slider panels for the chapters.

:class:`SliderPanel` wires sliders to a drawing function. When the drawing function
raises :class:`~helpers.validation.InputError` (an impossible setting, such as a
singular covariance at an extreme slider position) the panel shows the short message
in place of the figure instead of a traceback.

Every chapter's panel is a :class:`~helpers.plotting.PanelView` (its bound ``draw`` is
passed): the panel keeps one figure, renders its background once (layout frozen after
that first render; again only when the view moves an axis limit) and on each slider move
computes the numbers, moves the live artists and draws only those on top of the stored
background (matplotlib's blitting on the Agg canvas), then encodes the PNG. A view that
moves an axis limit gets one background per set of limits (the last
:attr:`SliderPanel.BACKGROUNDS` kept). A plain
function ``draw(fig, **values)`` is still accepted and redrawn from scratch.

On the static website the sliders cannot run Python: the page shows the figure stored
for the initial slider values, with the one-line :data:`STORED_HINT` in place of the
empty hint line of a live panel. Chapters therefore show a static figure teaching the
same point before every panel.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .plotting import PanelView, Scene

from .validation import InputError, as_number

__all__ = ["SliderPanel", "slider", "STORED_HINT", "HINT_CLASS"]

HINT_CLASS = "slider-hint"

STORED_HINT = "⏸ Sliders not live: run the cells of this chapter (Run ▸ Run All Cells) to move them."
"""The one line a stored slider panel shows where no kernel runs behind it: the website,
or a notebook opened but not yet run. The book's build tools write it into the stored
state when they execute a chapter; a live panel's hint line is empty. Also the panel's text form,
which JupyterLab shows for an untrusted notebook (ipywidgets cuts that form at 110
characters, so the hint stays shorter)."""


def slider(value: float, lo: float, hi: float, step: float, description: str,
           fmt: str = ".2f") -> widgets.FloatSlider:
    """A float slider with the book's layout (wide description, no live dragging).

    Raises :class:`InputError` unless ``lo < hi``, ``step > 0`` and ``lo <= value <= hi``,
    all finite real numbers (ipywidgets would silently clip ``value`` into the range and
    accept a NaN, zero or negative step).
    """
    if not isinstance(description, str):
        raise InputError(f"slider description must be text, got {description!r}")
    v = as_number(value, "slider value")
    a = as_number(lo, "slider minimum")
    b = as_number(hi, "slider maximum")
    s = as_number(step, "slider step")
    if not a < b:
        raise InputError(f"slider {description!r}: the minimum must be below the maximum, "
                         f"got lo = {a:g}, hi = {b:g}")
    if not s > 0:
        raise InputError(f"slider {description!r}: the step must be positive, got {s:g}")
    if s > b - a:
        raise InputError(f"slider {description!r}: the step {s:g} is larger than the range "
                         f"[{a:g}, {b:g}]")
    if not a <= v <= b:
        raise InputError(f"slider {description!r}: the start value {v:g} lies outside "
                         f"[{a:g}, {b:g}]")
    return widgets.FloatSlider(
        value=v, min=a, max=b, step=s, description=description,
        readout_format=fmt, continuous_update=False,
        style={"description_width": "initial"}, layout=widgets.Layout(width="480px"),
    )


class SliderPanel(widgets.VBox):
    """Sliders above a figure redrawn by ``draw(fig, **values)``.

    Parameters
    ----------
    draw : callable
        ``draw(fig, **slider_values)`` fills the (fresh) figure and may return a short
        text shown below it. Raising :class:`InputError` shows the message instead.
    sliders : dict
        keyword name -> ipywidgets value widget.
    figsize : tuple, optional
        size of the figure drawn on each update.
    """

    BACKGROUNDS = 8
    """Rendered backgrounds kept per panel (one per set of axis limits, about 1.5 MB each)."""

    def __init__(self, draw: Callable, sliders: dict[str, widgets.ValueWidget], *,
                 figsize=None):
        self._draw = draw
        # a PanelView's bound ``draw``: keep one figure and redraw only its moving parts
        view = getattr(draw, "__self__", None)
        self.view: PanelView | None = view if isinstance(view, PanelView) else None
        self._figsize = figsize or (self.view.figsize if self.view else None)
        self._fig = self._scene = None
        self._backgrounds: dict = {}
        self.sliders = sliders
        self.output = widgets.Output()
        self.message = widgets.HTML(value="")
        self.hint = widgets.HTML(value="")
        self.hint.add_class(HINT_CLASS)
        for w in sliders.values():
            w.observe(self._on_change, names="value")
        super().__init__(children=[self.hint, *sliders.values(), self.message, self.output])
        self.update()

    def __repr__(self) -> str:
        # the text/plain form of the panel: what a notebook shows where the widget
        # cannot be drawn (an untrusted notebook from a fresh clone)
        return STORED_HINT

    @property
    def values(self) -> dict:
        return {k: w.value for k, w in self.sliders.items()}

    def _on_change(self, _change) -> None:
        self.update()

    def update(self, **values) -> str | None:
        """Redraw for the current slider values (overridden by ``values``).

        Returns the text shown in the message line (``None`` when empty). Used by the
        sliders and directly by tests.
        """
        vals = {**self.values, **values}
        try:
            if self.view is None:
                output, text = self._redraw(vals)
            else:
                output, text = self._blit(vals)
        except InputError as exc:
            error = str(exc)
            self.message.value = (
                "<span style='color:#b00020'><b>Impossible setting:</b> "
                f"{html.escape(error)}</span>"
            )
            self.output.outputs = ()
            return f"Impossible setting: {error}"
        # the figure goes into the Output widget's state as a PNG: that state is what
        # JupyterLab shows and what the static website stores for the start values
        self.output.outputs = (output,)
        self.message.value = "" if not text else f"<span>{html.escape(text)}</span>"
        return text

    def _redraw(self, vals: dict) -> tuple[dict, str | None]:
        """A plain drawing function: a fresh figure every time."""
        fig = plt.figure(figsize=self._figsize)
        try:
            text = self._draw(fig, **vals)
            return _png_output(fig), text
        finally:
            plt.close(fig)

    def _blit(self, vals: dict) -> tuple[dict, str | None]:
        """A :class:`PanelView`: compute, move the live artists, and draw only those on
        top of the background rendered once (layout frozen after that first render)."""
        numbers = self.view.compute(**vals)           # InputError: nothing drawn
        if self._fig is None:
            self._fig = Figure(figsize=self._figsize)
            FigureCanvasAgg(self._fig)
            self._scene = Scene(blit=True)
            self.view.setup(self._fig, self._scene)
        text = self.view.show(self._scene, numbers)
        fig, canvas = self._fig, self._fig.canvas
        # one background per set of axis limits (a view may move a limit): rendered the
        # first time it is needed, then kept, so going back to earlier limits is cheap
        key = tuple(lim for ax in fig.axes for lim in (*ax.get_xlim(), *ax.get_ylim()))
        background = self._backgrounds.pop(key, None)
        if background is None:
            canvas.draw()                                # layout + background, live parts skipped
            fig.set_layout_engine("none")                # keep that layout from now on
            background = canvas.copy_from_bbox(fig.bbox)
        else:
            canvas.restore_region(background)
        self._backgrounds[key] = background              # most recently used last
        while len(self._backgrounds) > self.BACKGROUNDS:
            self._backgrounds.pop(next(iter(self._backgrounds)))
        for artist in self._scene.moving:
            fig.draw_artist(artist)
        return _png_from_canvas(canvas), text


def _png_output(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    w, h = fig.get_size_inches() * fig.dpi
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                 "text/plain": f"<Figure size {w:.0f}x{h:.0f}>"},
        "metadata": {},
    }


def _png_from_canvas(canvas) -> dict:
    """The Agg canvas as a PNG output (RGB: the book's figures are opaque)."""
    rgba = np.asarray(canvas.buffer_rgba())
    h, w = rgba.shape[:2]
    buf = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                 "text/plain": f"<Figure size {w}x{h}>"},
        "metadata": {},
    }
