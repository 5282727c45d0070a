import ipywidgets as widgets
import matplotlib
import pytest

from helpers import InputError
from helpers.figures import intro
from helpers.widgets import SliderPanel, slider

matplotlib.use("Agg")


def _draw(fig, x):
    if x < 0:
        raise InputError("x must not be negative")
    fig.subplots().plot([0, 1], [0, x])
    return f"x = {x:.1f}"


def test_panel_draws_and_reports():
    panel = SliderPanel(_draw, {"x": slider(1.0, -1.0, 2.0, 0.1, "x")})
    assert panel.update() == "x = 1.0"
    assert "x = 1.0" in panel.message.value
    assert len(panel.output.outputs) == 1


def test_impossible_setting_shows_message_not_traceback():
    panel = SliderPanel(_draw, {"x": slider(1.0, -1.0, 2.0, 0.1, "x")})
    panel.sliders["x"].value = -1.0          # what a student dragging the slider does
    assert "Impossible setting" in panel.message.value
    assert "must not be negative" in panel.message.value
    assert panel.output.outputs == ()
    panel.sliders["x"].value = 0.5           # and it recovers
    assert "x = 0.5" in panel.message.value and len(panel.output.outputs) == 1


def test_bugs_are_not_swallowed():
    def broken(fig, x):
        raise ZeroDivisionError
    with pytest.raises(ZeroDivisionError):
        SliderPanel(broken, {"x": slider(1.0, 0.0, 2.0, 0.1, "x")})


@pytest.mark.parametrize("n", [1, 2, 10, 100])
def test_intro_panel_at_every_slider_end(n):
    panel = SliderPanel(intro.draw_sample_means, {"n": widgets.IntSlider(value=10, min=1, max=100)})
    text = panel.update(n=n)
    assert text.startswith(f"n = {n}:")
    mc, exact = [float(s.split()[-1]) for s in text.split(",")]
    assert mc == pytest.approx(exact, rel=0.1)


def test_static_note_is_markdown_explaining_frozen_sliders():
    from helpers.widgets import STATIC_NOTE, static_note
    md = static_note()._repr_markdown_()
    assert STATIC_NOTE in md and "JupyterLab" in md
