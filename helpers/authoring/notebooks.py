"""The chapter notebooks: which they are, how they are executed and stored."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

__all__ = ["ROOT", "toc_notebooks", "execute_notebook", "solution_labels",
           "exercise_labels", "mark_stored_panels"]

ROOT = Path(__file__).resolve().parent.parent.parent
"""The repository root (the project is installed editable)."""


_SOL_START = re.compile(r"```\{solution-start\}\s*(\S+)")
_EXERCISE = re.compile(r"[`:]{3,}\{exercise(?:-start)?\}\s*\n(?:.*\n)*?:label:\s*(\S+)")


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks listed in ``_toc.yml``, in book order."""
    files: list[Path] = []
    for line in (root / "_toc.yml").read_text().splitlines():
        m = re.search(r"(?:root|file):\s*(\S+)", line)
        if m:
            stem = root / m.group(1)
            nb = stem.with_suffix(".ipynb") if stem.suffix != ".ipynb" else stem
            if nb.exists():
                files.append(nb)
    return files


def mark_stored_panels(nb: nbformat.NotebookNode) -> int:
    """Put the "run the cells" hint into every stored slider panel; return how many.

    A live panel has an empty hint line (its sliders work). The state stored in the
    notebook is what a reader sees *without* a kernel behind the panel (the website, a
    notebook opened but not run), where the sliders cannot move: there the hint says so.
    """
    from ..widgets import HINT_CLASS, STORED_HINT

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
