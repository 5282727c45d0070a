"""Every slider of every chapter, swept as a student can drag it, and every panel of a
notebook built from its declaration.

Each slider goes from its minimum to its maximum (ends included, on its step grid) with
the others at their start values, and every panel goes through the grid of all
combinations of its sliders' ends (the corners, where impossible settings live). At each position the panel must show a sensible
result or a clear message: no exception escapes, no NaN or infinity is shown, and a
figure is drawn unless the message says why not.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import re
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from helpers import CHAPTERS
from helpers.validation import InputError
from bookbuild import toc_notebooks
from panels import all_panels, declared_panels

PANELS = all_panels()
_BAD_NUMBER = re.compile(r"\b(nan|inf|-inf)\b", re.I)


def test_every_chapter_with_sliders_is_found():
    """Every figure module that declares panels is a chapter's, and all of them are swept."""
    modules = {p.module for p in PANELS}
    assert modules == set(declared_panels()) and modules <= set(CHAPTERS)
    assert len(modules) >= 5 and len(PANELS) >= 6


# ------------------------------------------------- notebooks build the declared panels
_PANEL_CELL = re.compile(r'(\w+)\.PANELS\["(\w+)"\]\.widget\(\)')
_HAND_MADE = re.compile(r"\b(SliderPanel|Slider|slider|FloatSlider|IntSlider)\s*\(")


def _figure_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> figure module, from ``from helpers.figures import X as name``."""
    return {(a.asname or a.name): a.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "helpers.figures"
            for a in node.names}


def _notebook_panels(path) -> list[tuple[str, str]]:
    """The (figure module, panel key) of every panel the notebook builds; fails on a
    panel or slider made in the notebook instead of from a declaration."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    aliases = _figure_aliases(ast.parse("\n".join(code)))
    built = []
    for source in code:
        assert not _HAND_MADE.search(source), f"{path.name}: a panel made by hand:\n{source}"
        for alias, key in _PANEL_CELL.findall(source):
            assert alias in aliases, f"{path.name}: {alias}.PANELS is not a helpers.figures module"
            built.append((aliases[alias], key))
    return built


def test_every_notebook_panel_is_built_from_its_declaration():
    """Each chapter builds its panels only as ``figs.PANELS["name"].widget()`` (nothing
    made by hand in a cell), and every declared panel is built by exactly one chapter."""
    built = Counter(pair for nb in toc_notebooks() for pair in _notebook_panels(nb))
    declared = {(m, k) for m, panels in declared_panels().items() for k in panels}
    assert set(built) <= declared, set(built) - declared
    assert {pair: built[pair] for pair in declared} == dict.fromkeys(declared, 1)


def test_the_check_catches_a_hand_made_panel(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": [
        "from helpers.figures import wmass as figs\n",
        "SliderPanel(figs.TotalPanel(), {})\n"]}]}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(AssertionError, match="by hand"):
        _notebook_panels(path)
    nb["cells"][0]["source"][1] = 'figs.PANELS["total"].widget()\n'
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert _notebook_panels(path) == [("wmass", "total")]


def _check_position(panel, values):
    """Draw as the panel's callback does, without the PNG encoding: the text it would
    show must be a number-sane sentence, or the draw refuses with an InputError."""
    fig = plt.figure()
    try:
        try:
            text = panel.view.draw(fig, **values)
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
    panel, decl = entry.panel, entry.declaration
    start = decl.start
    assert panel.values == start
    for s in decl.sliders:
        name, positions = s.name, s.positions(5)
        outcomes = [_check_position(panel, {**start, name: value}) for value in positions]
        # inside its range every slider draws (an end may be refused with a message,
        # e.g. a correlation of exactly +-1)
        assert all(o == "figure" for o in outcomes[1:-1]), (name, positions, outcomes)
    for values in decl.grid(2):
        _check_position(panel, values)
    # the start position always draws a figure
    assert _check_position(panel, start) == "figure"


@pytest.mark.parametrize("entry", PANELS, ids=[p.name for p in PANELS])
def test_full_update_at_both_ends_shows_figure_or_message(entry):
    panel = entry.panel
    for s in entry.declaration.sliders:
        for value in (s.lo, s.hi):
            shown = panel.update(**{s.name: value})
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
    moving = panel.scene.moving
    for a in moving:
        a.set_animated(False)
    try:
        panel.figure.canvas.draw()
        return np.asarray(panel.figure.canvas.buffer_rgba())[..., :3].astype(int)
    finally:
        for a in moving:
            a.set_animated(True)


def _differing(a: np.ndarray, b: np.ndarray, where=None) -> float:
    assert a.shape == b.shape
    diff = np.abs(a - b).max(axis=2) > 40
    return float(np.mean(diff if where is None else diff[where]))


def _outside_axes(panel) -> np.ndarray:
    """Pixels outside every axes frame: ticks labels, axis labels (all background)."""
    fig = panel.figure
    h, w = fig.canvas.get_width_height()[::-1]
    outside = np.ones((h, w), dtype=bool)
    for ax in fig.axes:
        x0, y0, x1, y1 = ax.bbox.extents
        outside[max(0, int(h - y1) - 1):int(h - y0) + 2, max(0, int(x0) - 1):int(x1) + 2] = False
    return outside


@pytest.mark.parametrize("entry", PANELS, ids=[p.name for p in PANELS])
def test_blitted_image_is_the_full_render(entry):
    """At every slider's ends and middle the image a student sees (background rendered
    once, moving artists drawn on top) is the figure rendered from scratch: nothing stale
    from an earlier position, nothing missing. Drawing order differs only where a moving
    artist crosses a static one (a legend, a grid line), so a few pixels may differ."""
    panel = entry.panel
    start = entry.declaration.start
    for s in entry.declaration.sliders:
        name = s.name
        for value in s.positions(3):
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
    start = entry.declaration.start
    panel.update(**start)
    before = _shown(panel)
    for s in entry.declaration.sliders:
        panel.update(**{**start, s.name: s.hi})
        panel.update(**{**start, s.name: s.lo})
    panel.update(**start)
    assert _differing(_shown(panel), before) == 0.0


@pytest.mark.parametrize("entry", PANELS, ids=[p.name for p in PANELS])
def test_computation_is_separate_and_repeatable(entry):
    """The numbers of a position come from ``view.compute`` alone (what the benchmark
    times), and the same position gives the same summary line every time."""
    panel = entry.panel
    vals = entry.declaration.start
    numbers = panel.view.compute(**vals)
    assert numbers is not None
    assert panel.update(**vals) == panel.update(**vals)
