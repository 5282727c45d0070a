"""Every slider panel of the book, rebuilt outside a notebook for tests and benchmarks
(test tooling: ``tests/test_sliders.py``, ``benchmarks/run.py``).

:func:`chapter_panels` runs a chapter's code cells in this process (``book/`` as the
working directory, matplotlib's Agg backend, output swallowed) and returns each
:class:`~helpers.widgets.SliderPanel` the chapter creates, so a test can drag every
slider to every position a student can reach, and a benchmark can time the redraws,
without a kernel or a browser.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from bookbuild import toc_notebooks

__all__ = ["Panel", "chapter_panels", "all_panels", "slider_positions", "grid_positions"]


@dataclass
class Panel:
    chapter: str
    index: int          # the panel's number within its chapter, from 0
    panel: object       # the SliderPanel

    @property
    def name(self) -> str:
        return f"{self.chapter}[{self.index}]"


def chapter_panels(path: Path) -> list[Panel]:
    """The slider panels of one chapter notebook, in order."""
    import matplotlib

    matplotlib.use("Agg")
    from helpers import widgets

    made: list = []
    original = widgets.SliderPanel.__init__

    def recording_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__chapter__"}
    cwd = os.getcwd()
    widgets.SliderPanel.__init__ = recording_init
    try:
        os.chdir(Path(path).parent)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for cell in nb.cells:
                if cell.cell_type == "code" and cell.source.strip():
                    exec(compile(cell.source, f"{Path(path).name}", "exec"), namespace)
    finally:
        widgets.SliderPanel.__init__ = original
        os.chdir(cwd)
        import matplotlib.pyplot as plt
        plt.close("all")
    return [Panel(Path(path).stem, i, p) for i, p in enumerate(made)]


def all_panels() -> list[Panel]:
    """Every slider panel of every chapter in the table of contents."""
    return [p for nb in toc_notebooks() for p in chapter_panels(nb)]


def _range(widget) -> np.ndarray:
    return np.asarray([widget.min, widget.max], dtype=float)


def slider_positions(widget, n: int = 7) -> list[float]:
    """``n`` positions of one slider from its minimum to its maximum, ends included,
    on the slider's own step grid (what a student can actually reach)."""
    lo, hi = _range(widget)
    step = float(widget.step) if getattr(widget, "step", None) else (hi - lo) / (n - 1)
    raw = np.linspace(lo, hi, n)
    snapped = lo + np.round((raw - lo) / step) * step
    values = np.clip(snapped, lo, hi)
    values[0], values[-1] = lo, hi
    if isinstance(widget.value, (int, np.integer)) and not isinstance(widget.value, bool):
        values = np.round(values)
    return sorted(set(float(v) for v in values))


def grid_positions(panel, n: int = 3) -> list[dict]:
    """All combinations of ``n`` positions (ends and middle) of the panel's sliders."""
    names = list(panel.sliders)
    axes = [slider_positions(panel.sliders[k], n) for k in names]
    return [dict(zip(names, combo)) for combo in itertools.product(*axes)]
