"""Every slider panel of the book, from the declarations in the chapters' figure modules
(test tooling: ``tests/test_sliders.py``, ``benchmarks/run.py``).

Each module of :mod:`helpers.figures` with panels declares them in its ``PANELS`` dict
(name -> :class:`helpers.widgets.Panel`); :func:`all_panels` imports the modules and
builds every panel, so a test can drag every slider to every position a student can
reach, and a benchmark can time the redraws, without a notebook, kernel or browser.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

__all__ = ["Entry", "declared_panels", "all_panels"]


@dataclass
class Entry:
    module: str         # the figure module, e.g. "wmass"
    key: str            # the panel's key in that module's PANELS
    declaration: object  # the helpers.widgets.Panel
    panel: object       # the SliderPanel built from it

    @property
    def name(self) -> str:
        return f"{self.module}.{self.key}"


def declared_panels() -> dict[str, dict]:
    """Figure module name -> its ``PANELS`` dict, for every module that declares panels."""
    import helpers.figures as figures

    found = {}
    for info in pkgutil.iter_modules(figures.__path__):
        module = importlib.import_module(f"{figures.__name__}.{info.name}")
        if getattr(module, "PANELS", None):
            found[info.name] = module.PANELS
    return found


def all_panels() -> list[Entry]:
    """Every declared slider panel, built (its creation draws the start values)."""
    import matplotlib

    matplotlib.use("Agg")
    return [Entry(module, key, decl, decl.widget())
            for module, panels in declared_panels().items() for key, decl in panels.items()]
