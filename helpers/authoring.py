"""Authors' tools: re-execute the chapters and write the student edition.

Command line (from the repository root)::

    python -m helpers.authoring execute            # every notebook in _toc.yml, in place
    python -m helpers.authoring student [OUTDIR]   # student edition, default ./student

``execute`` runs each notebook top to bottom in a fresh kernel with ``book/`` as the
working directory, stores outputs and widget state, and records no per-cell
timestamps, so re-running an unchanged notebook changes nothing that nbval compares.

``student`` copies each notebook with every gated solution (the cells from a
``{solution-start}`` markdown cell to its ``{solution-end}`` cell) replaced by a
"your solution" markdown cell and an empty code cell, and with all outputs and
widget state cleared. The result still runs top to bottom.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

__all__ = [
    "ROOT", "toc_notebooks", "execute_notebook", "student_notebook",
    "write_student_edition", "solution_labels", "exercise_labels", "main",
]

ROOT = Path(__file__).resolve().parent.parent
"""The repository root (the project is installed editable)."""

_SOL_START = re.compile(r"```\{solution-start\}\s*(\S+)")
_SOL_END = re.compile(r"```\{solution-end\}")
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


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with solutions replaced by empty cells and all outputs cleared.

    Works at the level of the directives, not of whole cells: text before a
    ``{solution-start}`` fence or after a ``{solution-end}`` fence in the same markdown
    cell (for example the next exercise) is kept.
    """
    out = nbformat.v4.new_notebook(metadata={k: v for k, v in nb.metadata.items() if k != "widgets"})

    def keep_markdown(text: str) -> None:
        if text.strip():
            out.cells.append(nbformat.v4.new_markdown_cell(text.strip("\n")))

    inside: str | None = None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if inside is None:
                new = nbformat.from_dict(dict(cell))
                if new.cell_type == "code":
                    new.outputs = []
                    new.execution_count = None
                new.metadata.pop("execution", None)
                out.cells.append(new)
            continue
        src, pos = cell.source, 0
        while pos <= len(src):
            if inside is None:
                m = _SOL_START.search(src, pos)
                if not m:
                    keep_markdown(src[pos:])
                    break
                keep_markdown(src[pos:m.start()])
                inside, pos = m.group(1), m.end()
            else:
                m = _SOL_END.search(src, pos)
                if not m:
                    break                      # the rest of this cell is solution text
                close = src.find("```", m.end())
                pos = close + 3 if close >= 0 else len(src)
                out.cells.append(nbformat.v4.new_markdown_cell(
                    f"**Your solution** to the exercise above (`{inside}`) goes in the cell below."))
                out.cells.append(nbformat.v4.new_code_cell(
                    "# your solution\n", metadata={"tags": ["your-solution"]}))
                inside = None
    if inside is not None:
        raise ValueError(f"solution {inside!r} has no matching solution-end cell")
    return out


def write_student_edition(outdir: Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Write the student edition of ``notebooks`` (default: the book) into ``outdir``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks or toc_notebooks():
        nb = nbformat.read(path, as_version=4)
        target = outdir / path.name
        nbformat.write(student_notebook(nb), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.authoring", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("execute", help="re-execute notebooks in place (default: all in _toc.yml)")
    ex.add_argument("notebooks", nargs="*", type=Path)
    st = sub.add_parser("student", help="write the student edition")
    st.add_argument("outdir", nargs="?", type=Path, default=ROOT / "student")
    args = parser.parse_args(argv)
    if args.cmd == "execute":
        for path in args.notebooks or toc_notebooks():
            print(f"executing {path}", flush=True)
            execute_notebook(path)
    else:
        for path in write_student_edition(args.outdir):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
