import ipywidgets as widgets
import matplotlib
import pytest

from helpers import InputError
from helpers.figures import intro
from helpers.plotting import PanelView
from helpers.widgets import Panel, Slider, SliderPanel, slider

matplotlib.use("Agg")


class Line(PanelView):
    """A line from (0, 0) to (1, x); x < 0 is an impossible setting."""

    def compute(self, x):
        if x < 0:
            raise InputError("x must not be negative")
        return x

    def setup(self, fig, scene):
        (scene.line,) = scene.live(fig.subplots().plot([0, 1], [0, 0]))

    def show(self, scene, x):
        scene.line.set_ydata([0, x])
        return f"x = {x:.1f}"


X = Panel(Line(), (Slider("x", 1.0, -1.0, 2.0, 0.1, "x"),))


def test_panel_draws_and_reports():
    panel = X.widget()
    assert panel.update() == "x = 1.0"
    assert "x = 1.0" in panel.message.value
    assert len(panel.output.outputs) == 1


def test_impossible_setting_shows_message_not_traceback():
    panel = X.widget()
    panel.sliders["x"].value = -1.0          # what a student dragging the slider does
    assert "Impossible setting" in panel.message.value
    assert "must not be negative" in panel.message.value
    assert panel.output.outputs == ()
    panel.sliders["x"].value = 0.5           # and it recovers
    assert "x = 0.5" in panel.message.value and len(panel.output.outputs) == 1


def test_bugs_are_not_swallowed():
    class Broken(Line):
        def compute(self, x):
            raise ZeroDivisionError
    with pytest.raises(ZeroDivisionError):
        Panel(Broken(), X.sliders).widget()


def test_a_bug_met_by_dragging_shows_a_message_not_a_traceback():
    class BrokenAbove(Line):
        def compute(self, x):
            if x > 1.5:
                raise ZeroDivisionError("division by zero")
            return super().compute(x)
    panel = Panel(BrokenAbove(), X.sliders).widget()
    panel.sliders["x"].value = 2.0           # the drag: no exception reaches the student
    assert "could not be drawn" in panel.message.value
    assert "ZeroDivisionError: division by zero" in panel.message.value
    assert "bug in the book" in panel.message.value and panel.output.outputs == ()
    with pytest.raises(ZeroDivisionError):   # called directly, as the tests do, it raises
        panel.update()
    panel.sliders["x"].value = 0.5
    assert "x = 0.5" in panel.message.value and len(panel.output.outputs) == 1


def test_panel_needs_a_view_and_distinct_sliders():
    with pytest.raises(InputError, match="PanelView"):
        SliderPanel(lambda fig, x: None, {"x": slider(1.0, 0.0, 2.0, 0.1, "x")})
    with pytest.raises(InputError, match="PanelView"):
        Panel(lambda fig, x: None, X.sliders)
    with pytest.raises(InputError, match="must differ"):
        Panel(Line(), X.sliders * 2)
    with pytest.raises(InputError, match="at least one"):
        Panel(Line(), ())


def test_declaration_builds_its_widgets():
    panel = Panel(Line(), (Slider("x", 1.0, -1.0, 2.0, 0.1, "length x", ".1f"),)).widget()
    w = panel.sliders["x"]
    assert isinstance(w, widgets.FloatSlider) and not w.continuous_update
    assert (w.value, w.min, w.max, w.step, w.description, w.readout_format) == \
        (1.0, -1.0, 2.0, 0.1, "length x", ".1f")
    n = Slider("n", 10, 1, 100, 1, "n", integer=True)
    assert isinstance(n.widget(), widgets.IntSlider) and n.widget().value == 10
    assert n.positions(5) == [1, 26, 51, 75, 100] and all(type(v) is int for v in n.positions(5))
    with pytest.raises(InputError, match="whole numbers"):
        Slider("n", 10, 1, 100, 0.5, "n", integer=True)
    with pytest.raises(InputError, match="Python name"):
        Slider("not a name", 1.0, 0.0, 2.0, 0.1, "x")


def test_positions_lie_on_the_step_grid_with_both_ends():
    s = Slider("r", 0.23, -1.0, 1.0, 0.3, "r")
    pos = s.positions(5)
    assert pos[0] == -1.0 and pos[-1] == 1.0
    steps = [(p + 1.0) / 0.3 for p in pos[1:-1]]
    assert all(abs(k - round(k)) < 1e-9 for k in steps)
    grid = Panel(Line(), (s,)).grid(3)
    assert [g["r"] for g in grid] == s.positions(3)


@pytest.mark.parametrize("n", [1, 2, 10, 100])
def test_intro_panel_at_every_slider_end(n):
    panel = intro.PANELS["sample_means"].widget()
    text = panel.update(n=n)
    assert text.startswith(f"n = {n}:")
    mc, exact = [float(s.split()[-1]) for s in text.split(",")]
    assert mc == pytest.approx(exact, rel=0.1)


def test_live_panel_has_empty_hint_and_stored_state_gets_the_hint():
    import nbformat

    from bookbuild.notebooks import mark_stored_panels
    from helpers.widgets import HINT_CLASS, STORED_HINT

    panel = X.widget()
    assert panel.hint.value == "" and HINT_CLASS in panel.hint._dom_classes
    assert panel.children[0] is panel.hint
    # the text form JupyterLab shows for an untrusted notebook is the hint, not a repr
    assert repr(panel) == STORED_HINT and "SliderPanel(" not in repr(panel)
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"] == STORED_HINT
    # the stored state (what the website and a not-run notebook show) carries the hint
    state = {panel.hint.model_id: {"model_name": "HTMLModel",
                                   "state": panel.hint.get_state()},
             panel.message.model_id: {"model_name": "HTMLModel",
                                      "state": panel.message.get_state()}}
    nb = nbformat.v4.new_notebook(metadata={"widgets": {
        "application/vnd.jupyter.widget-state+json": {"state": state}}})
    assert mark_stored_panels(nb) == 1
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert state[panel.hint.model_id]["state"]["value"] == STORED_HINT
    assert state[panel.message.model_id]["state"]["value"] != STORED_HINT


@pytest.mark.parametrize("args, msg", [
    ((float("nan"), 0.0, 1.0, 0.1), "slider value"),
    ((0.5, 0.0, 1.0, float("nan")), "slider step"),
    ((0.5, 0.0, 1.0, 0.0), "step must be positive"),
    ((0.5, 0.0, 1.0, -0.1), "step must be positive"),
    ((0.5, 1.0, 1.0, 0.1), "minimum must be below"),
    ((0.5, 2.0, 1.0, 0.1), "minimum must be below"),
    ((1.5, 0.0, 1.0, 0.1), "outside"),
    ((-0.1, 0.0, 1.0, 0.1), "outside"),
    ((0.5, 0.0, 1.0, 2.0), "larger than the range"),
    ((0.5, float("-inf"), 1.0, 0.1), "slider minimum"),
    ((True, 0.0, 1.0, 0.1), "True/False"),
    (("0.5", 0.0, 1.0, 0.1), "text"),
])
def test_slider_refuses_impossible_settings(args, msg):
    with pytest.raises(InputError, match=msg):
        slider(*args, "x")


def test_slider_ends_are_legal():
    for v in (0.0, 1.0):
        w = slider(v, 0.0, 1.0, 0.1, "x")
        assert (w.value, w.min, w.max, w.step) == (v, 0.0, 1.0, 0.1)
