"""Every slider of every chapter, swept as a student can drag it.

Each slider goes from its minimum to its maximum (ends included, on its step grid) with
the others at their start values, and every panel goes through the grid of all
combinations of its sliders' ends (the corners, where impossible settings live). At each position the panel must show a sensible
result or a clear message: no exception escapes, no NaN or infinity is shown, and a
figure is drawn unless the message says why not.
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from helpers.validation import InputError
from panels import all_panels, grid_positions, slider_positions

PANELS = all_panels()
_BAD_NUMBER = re.compile(r"\b(nan|inf|-inf)\b", re.I)


def test_every_chapter_with_sliders_is_found():
    chapters = {p.chapter for p in PANELS}
    assert {"working_with_this_book", "w_mass", "normalisation"} <= chapters
    assert len(PANELS) >= 4


def _check_position(panel, values):
    """Draw as the panel's callback does, without the PNG encoding: the text it would
    show must be a number-sane sentence, or the draw refuses with an InputError."""
    fig = plt.figure()
    try:
        try:
            text = panel._draw(fig, **values)
        except InputError as exc:
            message = str(exc)
            assert message and not _BAD_NUMBER.search(message), message
            return "message"
        assert text is None or not _BAD_NUMBER.search(text), (values, text)
        assert fig.axes, f"nothing drawn at {values}"
        return "figure"
    finally:
        plt.close(fig)


@pytest.mark.parametrize("entry", PANELS, ids=[p.name for p in PANELS])
def test_every_slider_end_to_end_and_every_combination_of_ends(entry):
    panel = entry.panel
    start = panel.values
    for name, widget in panel.sliders.items():
        positions = slider_positions(widget, 5)
        outcomes = [_check_position(panel, {**start, name: value}) for value in positions]
        # inside its range every slider draws (an end may be refused with a message,
        # e.g. a correlation of exactly +-1)
        assert all(o == "figure" for o in outcomes[1:-1]), (name, positions, outcomes)
    for values in grid_positions(panel, 2):
        _check_position(panel, values)
    # the start position always draws a figure
    assert _check_position(panel, start) == "figure"


@pytest.mark.parametrize("entry", PANELS, ids=[p.name for p in PANELS])
def test_full_update_at_both_ends_shows_figure_or_message(entry):
    panel = entry.panel
    for name, widget in panel.sliders.items():
        for value in (widget.min, widget.max):
            shown = panel.update(**{name: value})
            if panel.output.outputs:
                assert "image/png" in panel.output.outputs[0]["data"]
            else:
                assert shown.startswith("Impossible setting:") and "Impossible" in panel.message.value
            assert not _BAD_NUMBER.search(panel.message.value)


# ---------------------------------------------------------------- blitted redraws
def _shown(panel) -> np.ndarray:
    png = base64.b64decode(panel.output.outputs[0]["data"]["image/png"])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _full_render(panel) -> np.ndarray:
    """The panel's figure rendered completely (every artist as an ordinary one), as a
    plain ``savefig`` would: what the blitted image must look like."""
    moving = panel._scene.moving
    for a in moving:
        a.set_animated(False)
    try:
        panel._fig.canvas.draw()
        return np.asarray(panel._fig.canvas.buffer_rgba())[..., :3].astype(int)
    finally:
        for a in moving:
            a.set_animated(True)


def _differing(a: np.ndarray, b: np.ndarray, where=None) -> float:
    assert a.shape == b.shape
    diff = np.abs(a - b).max(axis=2) > 40
    return float(np.mean(diff if where is None else diff[where]))


def _outside_axes(panel) -> np.ndarray:
    """Pixels outside every axes frame: ticks labels, axis labels (all background)."""
    fig = panel._fig
    h, w = fig.canvas.get_width_height()[::-1]
    outside = np.ones((h, w), dtype=bool)
    for ax in fig.axes:
        x0, y0, x1, y1 = ax.bbox.extents
        outside[max(0, int(h - y1) - 1):int(h - y0) + 2, max(0, int(x0) - 1):int(x1) + 2] = False
    return outside


def test_every_chapter_panel_is_blitted():
    """Every slider panel of the book redraws only its moving parts (PanelView)."""
    assert all(p.panel.view is not None for p in PANELS), [p.name for p in PANELS if p.panel.view is None]


@pytest.mark.parametrize("entry", PANELS, ids=[p.name for p in PANELS])
def test_blitted_image_is_the_full_render(entry):
    """At every slider's ends and middle the image a student sees (background rendered
    once, moving artists drawn on top) is the figure rendered from scratch: nothing stale
    from an earlier position, nothing missing. Drawing order differs only where a moving
    artist crosses a static one (a legend, a grid line), so a few pixels may differ."""
    panel = entry.panel
    start = panel.values
    for name, widget in panel.sliders.items():
        for value in slider_positions(widget, 3):
            panel.update(**{**start, name: value})
            if not panel.output.outputs:
                continue        # an impossible setting: message, no figure
            shown, full = _shown(panel), _full_render(panel)
            # outside the frames (tick labels after new limits, ...) exactly the same;
            # inside, a moving line may be drawn over instead of under a grid line
            assert _differing(shown, full, _outside_axes(panel)) == 0.0, (name, value)
            assert _differing(shown, full) < 0.01, (name, value)
    panel.update(**start)


@pytest.mark.parametrize("entry", PANELS, ids=[p.name for p in PANELS])
def test_moving_away_and_back_gives_the_same_image(entry):
    panel = entry.panel
    start = panel.values
    panel.update(**start)
    before = _shown(panel)
    for name, widget in panel.sliders.items():
        panel.update(**{**start, name: widget.max})
        panel.update(**{**start, name: widget.min})
    panel.update(**start)
    assert _differing(_shown(panel), before) == 0.0


@pytest.mark.parametrize("entry", PANELS, ids=[p.name for p in PANELS])
def test_computation_is_separate_and_repeatable(entry):
    """The numbers of a position come from ``view.compute`` alone (what the benchmark
    times), and the same position gives the same summary line every time."""
    panel = entry.panel
    vals = panel.values
    numbers = panel.view.compute(**vals)
    assert numbers is not None
    assert panel.update(**vals) == panel.update(**vals)
