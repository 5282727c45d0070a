"""The chapter notebooks: executed and stored (``python -m bookbuild execute``), and
the exercises and solutions they hold."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from helpers.widgets import HINT_CLASS, STORED_HINT

__all__ = ["execute_notebook", "solution_labels", "exercise_labels", "mark_stored_panels"]

_SOL_START = re.compile(r"```\{solution-start\}\s*(\S+)")
_EXERCISE = re.compile(r"[`:]{3,}\{exercise(?:-start)?\}\s*\n(?:.*\n)*?:label:\s*(\S+)")


def mark_stored_panels(nb: nbformat.NotebookNode) -> int:
    """Put the "run the cells" hint into every stored slider panel; return how many.

    A live panel has an empty hint line (its sliders work). The state stored in the
    notebook is what a reader sees *without* a kernel behind the panel (the website, a
    notebook opened but not run), where the sliders cannot move: there the hint says so.
    """
    state = (nb.metadata.get("widgets", {})
             .get("application/vnd.jupyter.widget-state+json", {}).get("state", {}))
    n = 0
    for model in state.values():
        st = model.get("state", {})
        if model.get("model_name") == "HTMLModel" and HINT_CLASS in st.get("_dom_classes", []):
            st["value"] = STORED_HINT
            n += 1
    return n


def execute_notebook(path: Path, timeout: int = 900) -> nbformat.NotebookNode:
    """Execute ``path`` in place (outputs and widget state stored, no timestamps)."""
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", record_timing=False,
        store_widget_state=True, resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    mark_stored_panels(nb)
    nbformat.write(nb, path)
    return nb


def solution_labels(nb: nbformat.NotebookNode) -> list[str]:
    """Labels of the exercises whose gated solutions the notebook contains."""
    return [m.group(1) for c in nb.cells if c.cell_type == "markdown"
            for m in _SOL_START.finditer(c.source)]


def exercise_labels(nb: nbformat.NotebookNode) -> list[str]:
    """Labels of the exercises the notebook poses."""
    return [m.group(1) for c in nb.cells if c.cell_type == "markdown"
            for m in _EXERCISE.finditer(c.source)]
