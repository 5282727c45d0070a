"""The JupyterLab editions of the book: what students open.

The chapters in ``book/`` are written for the website (Jupyter Book 1, MyST). JupyterLab
renders MyST directives (exercises, solutions, admonitions, maths) with the
``jupyterlab-myst`` extension, but two things only the website build can resolve:

* ``{glue:text}`` roles: the number lives in a stored output of another cell, so
  JupyterLab would show the key (``w_value:.1f``) instead of the value;
* ``{cite}`` roles: the bibliography is a Sphinx extension.

The editions written here replace both with the text the website shows (the same number
formatted the same way, the same author-year citation), turn the website's gated
solutions into boxes JupyterLab draws, collapse the code cells the website hides, and put
each figure's caption below its cell:

``student/``    solutions replaced by empty cells, outputs and widget state cleared;
``solutions/``  the full chapters with solutions, outputs and stored sliders kept.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import nbformat

from . import ROOT, BuildError, toc_notebooks
from .citations import citation_text

__all__ = ["glue_values", "glue_formats", "lab_markdown", "student_notebook", "full_notebook",
           "write_student_edition", "write_editions", "EditionError"]


class EditionError(BuildError):
    """A chapter the editions cannot render faithfully (a glue key with no stored value or
    shown two ways, an unclosed solution, ...; an unknown citation is a
    :class:`~bookbuild.citations.CitationError`)."""


_SOL_START = re.compile(r"```\{solution-start\}\s*(\S+)[^\n]*\n(?:\s*:[a-z-]+:[^\n]*\n)*```")
_SOL_END = re.compile(r"```\{solution-end\}\s*\n```")
_GLUE = re.compile(r"\{glue(?::text|:)?\}`([^`:]+)(?::([^`]*))?`")
_CITE = re.compile(r"\{cite(?::(p|t|ps|ts))?\}`([^`]+)`")

_HIDE_SOURCE = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
_HIDE_OUTPUT = {"remove-output", "hide-output", "hide-cell"}


# ------------------------------------------------------------------------------- glue
def glue_values(nb: nbformat.NotebookNode) -> dict:
    """The values ``myst_nb.glue`` stored in the notebook's outputs, by name."""
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if not name:
                continue
            text = out.get("data", {}).get("application/papermill.record/text/plain")
            if text is None:
                continue
            try:
                found[name] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                found[name] = text.strip("'\"")
    return found


def glue_formats(nb: nbformat.NotebookNode) -> dict:
    """The format spec each glued number is shown with in the notebook's prose, by name
    (``{glue:text}`key:.2f``` gives ``{"key": ".2f"}``; a key shown two ways raises)."""
    found: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for key, spec in re.findall(r"\{glue:text\}`([^`:]+):?([^`]*)`", cell.source):
            if found.setdefault(key, spec) != spec:
                raise EditionError(f"glue key {key!r} is shown as {found[key]!r} and as {spec!r}: "
                                   "glue it under two names")
    return found


def _format_glue(match: re.Match, values: dict) -> str:
    key, spec = match.group(1), match.group(2) or ""
    if key not in values:
        raise EditionError(f"glue key {key!r} has no stored value: run "
                           "python -m bookbuild execute first")
    try:
        return format(values[key], spec)
    except (ValueError, TypeError) as exc:
        raise EditionError(f"glue key {key!r} cannot be formatted with {spec!r}: {exc}") from None


# --------------------------------------------------------------------------- markdown
def lab_markdown(text: str, values: dict) -> str:
    """Markdown with glue and citation roles replaced by what the website shows."""
    text = _GLUE.sub(lambda m: _format_glue(m, values), text)
    return _CITE.sub(lambda m: citation_text(m.group(2), m.group(1)), text)


def _solution_box(label: str, body: str) -> str:
    body = body.strip("\n") or "The worked solution is in the cells below."
    return f":::{{solution}} {label}\n{body}\n:::"


def split_solutions(nb: nbformat.NotebookNode, keep: bool):
    """Yield ``(cell, inside_label)`` pieces with the solution fences resolved.

    Markdown cells are cut at the fences (text before a start fence or after an end
    fence in the same cell survives). Inside a solution, markdown pieces become
    ``{solution}`` boxes when ``keep`` and are dropped otherwise (code cells likewise).
    """
    inside: str | None = None
    opened = False                      # the solution's first box has been written
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            yield cell, inside
            continue
        src, pos = cell.source, 0
        while True:
            if inside is None:
                m = _SOL_START.search(src, pos)
                piece = src[pos:m.start()] if m else src[pos:]
                if piece.strip():
                    yield nbformat.v4.new_markdown_cell(piece.strip("\n")), None
                if not m:
                    break
                inside, pos, opened = m.group(1), m.end(), False
            else:
                m = _SOL_END.search(src, pos)
                piece = src[pos:m.start()] if m else src[pos:]
                if keep and (piece.strip() or not opened):
                    yield nbformat.v4.new_markdown_cell(_solution_box(inside, piece)), inside
                    opened = True
                if not m:
                    break
                yield None, inside                       # the end of this solution
                inside, pos = None, m.end()
    if inside is not None:
        raise EditionError(f"solution {inside!r} has no matching solution-end cell")


def _lab_cell(cell: nbformat.NotebookNode, values: dict, *, keep_outputs: bool):
    new = copy.deepcopy(cell)
    new.metadata.pop("execution", None)
    if new.cell_type == "markdown":
        new.source = lab_markdown(new.source, values)
        return [new]
    if new.cell_type != "code":
        return [new]
    tags = set(new.metadata.get("tags", []))
    if not keep_outputs:
        new.outputs, new.execution_count = [], None
    if tags & _HIDE_SOURCE:
        new.metadata.setdefault("jupyter", {})["source_hidden"] = True
    if tags & _HIDE_OUTPUT:
        new.metadata.setdefault("jupyter", {})["outputs_hidden"] = True
    cells = [new]
    caption = new.metadata.get("mystnb", {}).get("figure", {}).get("caption")
    if caption:
        meta = {"tags": ["figure-caption"]}
        if tags & _HIDE_OUTPUT:      # the figure is collapsed: so is its caption, as on the website
            meta["jupyter"] = {"source_hidden": True}
        cells.append(nbformat.v4.new_markdown_cell(
            f"*Figure.* {lab_markdown(caption, values)}", metadata=meta))
    return cells


def _edition(nb: nbformat.NotebookNode, *, solutions: bool) -> nbformat.NotebookNode:
    values = glue_values(nb)
    meta = {k: v for k, v in nb.metadata.items() if solutions or k != "widgets"}
    out = nbformat.v4.new_notebook(metadata=copy.deepcopy(meta))
    for cell, inside in split_solutions(nb, keep=solutions):
        if cell is None:                                  # a solution just ended
            if not solutions:
                out.cells.append(nbformat.v4.new_markdown_cell(
                    f"**Your solution** to the exercise above (`{inside}`) goes in the cell below."))
                out.cells.append(nbformat.v4.new_code_cell(
                    "# your solution\n", metadata={"tags": ["your-solution"]}))
            continue
        if inside is not None and not solutions:
            continue
        out.cells.extend(_lab_cell(cell, values, keep_outputs=solutions))
    return out


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student edition of a chapter: solutions replaced by empty cells, outputs and
    widget state cleared, glue and citations written out. It runs top to bottom."""
    return _edition(nb, solutions=False)


def full_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The full edition of a chapter for JupyterLab: solutions as boxes, outputs kept."""
    return _edition(nb, solutions=True)


def write_student_edition(outdir: Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Write the student edition of ``notebooks`` (default: the book) into ``outdir``."""
    return _write(student_notebook, Path(outdir), notebooks)


def _write(make, outdir: Path, notebooks) -> list[Path]:
    if notebooks is not None and not list(notebooks):
        raise EditionError("no notebooks given (pass None for the whole book)")
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in (toc_notebooks() if notebooks is None else notebooks):
        target = outdir / Path(path).name
        nbformat.write(make(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def write_editions(root: Path = ROOT, notebooks: list[Path] | None = None) -> list[Path]:
    """Write ``student/`` and ``solutions/`` under ``root``; return the files written."""
    root = Path(root)
    return (_write(student_notebook, root / "student", notebooks)
            + _write(full_notebook, root / "solutions", notebooks))
