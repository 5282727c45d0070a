"""Every slider of every chapter, swept as a student can drag it.

Each slider goes from its minimum to its maximum (ends included, on its step grid) with
the others at their start values, and every panel goes through the grid of all
combinations of its sliders' ends (the corners, where impossible settings live). At each position the panel must show a sensible
result or a clear message: no exception escapes, no NaN or infinity is shown, and a
figure is drawn unless the message says why not.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

from helpers.authoring.panels import all_panels, grid_positions, slider_positions
from helpers.validation import InputError

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
