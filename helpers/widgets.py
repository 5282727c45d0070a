"""Slider panels for the chapters, declared once where they are drawn.

A chapter's figure module declares each of its panels as a :class:`Panel`: its
:class:`~helpers.plotting.PanelView` and one :class:`Slider` (keyword, start value,
range, step, label) per slider, collected in the module's ``PANELS`` dict. The notebook
builds the live panel from that declaration in one line,
``figs.PANELS["<name>"].widget()``; tests and benchmarks iterate the same declarations
(without running a notebook).

:class:`SliderPanel` wires the sliders to the view. When the view
raises :class:`~helpers.validation.InputError` (an impossible setting, such as a
singular covariance at an extreme slider position) the panel shows the short message
in place of the figure instead of a traceback.

The panel keeps one figure, renders its background once (layout frozen after
that first render; again only when the view moves an axis limit) and on each slider move
computes the numbers, moves the live artists and draws only those on top of the stored
background (matplotlib's blitting on the Agg canvas), then encodes the PNG. A view that
moves an axis limit gets one background per set of limits (the last
:attr:`SliderPanel.BACKGROUNDS` kept).

On the static website the sliders cannot run Python: the page shows the figure stored
for the initial slider values, with the one-line :data:`STORED_HINT` in place of the
empty hint line of a live panel. Chapters therefore show a static figure teaching the
same point before every panel.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .plotting import PanelView, Scene

from .validation import InputError, as_number

__all__ = ["Slider", "Panel", "SliderPanel", "slider", "STORED_HINT", "HINT_CLASS"]

HINT_CLASS = "slider-hint"

STORED_HINT = "⏸ Sliders not live: run the cells of this chapter (Run ▸ Run All Cells) to move them."
"""The one line a stored slider panel shows where no kernel runs behind it: the website,
or a notebook opened but not yet run. The book's build tools write it into the stored
state when they execute a chapter; a live panel's hint line is empty. Also the panel's text form,
which JupyterLab shows for an untrusted notebook (ipywidgets cuts that form at 110
characters, so the hint stays shorter)."""


@dataclass(frozen=True)
class Slider:
    """One slider of a panel: the keyword ``name`` of the view's ``compute``, its start
    ``value``, range ``lo``..``hi``, ``step`` and ``label`` (what the student reads, and
    what the browser tests find the slider by); ``fmt`` formats the readout of a float
    slider, ``integer`` makes it an integer slider.

    Raises :class:`InputError` unless ``lo < hi``, ``0 < step <= hi - lo`` and
    ``lo <= value <= hi``, all finite real numbers (ipywidgets would silently clip
    ``value`` into the range and accept a NaN, zero or negative step).
    """

    name: str
    value: float
    lo: float
    hi: float
    step: float
    label: str
    fmt: str = ".2f"
    integer: bool = False

    def __post_init__(self):
        label = self.label
        if not isinstance(label, str):
            raise InputError(f"slider description must be text, got {label!r}")
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise InputError(f"slider {label!r}: the keyword must be a Python name, "
                             f"got {self.name!r}")
        v = as_number(self.value, "slider value")
        a = as_number(self.lo, "slider minimum")
        b = as_number(self.hi, "slider maximum")
        s = as_number(self.step, "slider step")
        if not a < b:
            raise InputError(f"slider {label!r}: the minimum must be below the maximum, "
                             f"got lo = {a:g}, hi = {b:g}")
        if not s > 0:
            raise InputError(f"slider {label!r}: the step must be positive, got {s:g}")
        if s > b - a:
            raise InputError(f"slider {label!r}: the step {s:g} is larger than the range "
                             f"[{a:g}, {b:g}]")
        if not a <= v <= b:
            raise InputError(f"slider {label!r}: the start value {v:g} lies outside "
                             f"[{a:g}, {b:g}]")
        if self.integer and not all(float(x).is_integer() for x in (v, a, b, s)):
            raise InputError(f"slider {label!r}: an integer slider needs whole numbers, "
                             f"got {v:g} in [{a:g}, {b:g}] by {s:g}")
        number = int if self.integer else float
        for key, x in (("value", v), ("lo", a), ("hi", b), ("step", s)):
            object.__setattr__(self, key, number(x))

    def widget(self) -> widgets.ValueWidget:
        """The ipywidgets slider (no live dragging: the panel redraws on release)."""
        if self.integer:
            return widgets.IntSlider(value=self.value, min=self.lo, max=self.hi,
                                     step=self.step, description=self.label,
                                     continuous_update=False)
        return widgets.FloatSlider(
            value=self.value, min=self.lo, max=self.hi, step=self.step,
            description=self.label, readout_format=self.fmt, continuous_update=False,
            style={"description_width": "initial"}, layout=widgets.Layout(width="480px"),
        )

    def positions(self, n: int = 7) -> list[float]:
        """``n`` positions from the minimum to the maximum, ends included, on the
        slider's step grid (what a student can actually reach)."""
        raw = np.linspace(self.lo, self.hi, n)
        snapped = np.clip(self.lo + np.round((raw - self.lo) / self.step) * self.step,
                          self.lo, self.hi)
        snapped[0], snapped[-1] = self.lo, self.hi
        number = int if self.integer else float
        return sorted({number(round(x)) if self.integer else float(x) for x in snapped})


def slider(value: float, lo: float, hi: float, step: float, description: str,
           fmt: str = ".2f") -> widgets.FloatSlider:
    """A float slider with the book's layout (wide description, no live dragging):
    :meth:`Slider.widget` of an unnamed declaration (same checks)."""
    return Slider("x", value, lo, hi, step, description, fmt).widget()


@dataclass(frozen=True)
class Panel:
    """A slider panel declared next to its view: ``view`` (a
    :class:`~helpers.plotting.PanelView`) and its ``sliders``, one per keyword of
    ``view.compute``. :meth:`widget` builds the live :class:`SliderPanel`."""

    view: PanelView
    sliders: tuple[Slider, ...]
    figsize: tuple | None = field(default=None)

    def __post_init__(self):
        if not isinstance(self.view, PanelView):
            raise InputError(f"a panel draws a PanelView, got {self.view!r}")
        sliders = tuple(self.sliders)
        if not sliders or not all(isinstance(s, Slider) for s in sliders):
            raise InputError("a panel needs at least one Slider")
        names = [s.name for s in sliders]
        if len(set(names)) != len(names):
            raise InputError(f"a panel's slider keywords must differ, got {names}")
        object.__setattr__(self, "sliders", sliders)

    @property
    def start(self) -> dict:
        """Keyword -> start value of every slider."""
        return {s.name: s.value for s in self.sliders}

    def grid(self, n: int = 3) -> list[dict]:
        """All combinations of ``n`` positions (ends included) of the sliders."""
        axes = [s.positions(n) for s in self.sliders]
        return [dict(zip(self.start, combo)) for combo in itertools.product(*axes)]

    def widget(self) -> "SliderPanel":
        """The live panel: one slider widget per declaration above the figure."""
        return SliderPanel(self.view, {s.name: s.widget() for s in self.sliders},
                           figsize=self.figsize)


class SliderPanel(widgets.VBox):
    """Sliders above the figure of a :class:`~helpers.plotting.PanelView`.

    Chapters build it from a declared :class:`Panel` (:meth:`Panel.widget`).

    Parameters
    ----------
    view : PanelView
        ``view.compute(**slider_values)`` gives the numbers (raising
        :class:`InputError` shows the message instead), ``view.show`` moves the live
        artists and returns the short text shown below the figure.
    sliders : dict
        keyword name -> ipywidgets value widget.
    figsize : tuple, optional
        size of the figure (default: the view's).
    """

    BACKGROUNDS = 8
    """Rendered backgrounds kept per panel (one per set of axis limits, about 1.5 MB each)."""

    def __init__(self, view: PanelView, sliders: dict[str, widgets.ValueWidget], *,
                 figsize=None):
        if not isinstance(view, PanelView):
            raise InputError(f"a slider panel draws a PanelView, got {view!r}")
        self.view = view
        self._figsize = figsize or view.figsize
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

    @property
    def figure(self):
        """The live matplotlib figure (``None`` before the first draw)."""
        return self._fig

    @property
    def scene(self):
        """The view's :class:`~helpers.plotting.Scene`: its moving artists (``None`` before
        the first draw)."""
        return self._scene

    def _on_change(self, _change) -> None:
        # what a student's drag runs: never a traceback under the slider. An InputError is
        # an impossible setting (update shows it); anything else is a bug in the book, shown
        # as a message that says so. Called directly (tests, the constructor) update()
        # lets bugs through.
        try:
            self.update()
        except Exception as exc:  # noqa: BLE001 -- the message replaces the traceback
            self.output.outputs = ()
            self.message.value = (
                "<span style='color:#b00020'><b>This setting could not be drawn</b> "
                f"({html.escape(type(exc).__name__)}: {html.escape(str(exc))}). This is a bug "
                "in the book, not in your work: please report it with the slider values.</span>")

    def update(self, **values) -> str | None:
        """Redraw for the current slider values (overridden by ``values``).

        Returns the text shown in the message line (``None`` when empty). Used by the
        sliders and directly by tests.
        """
        vals = {**self.values, **values}
        try:
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
