"""How long a chapter is to read: ``python -m bookbuild words``.

A chapter's *core path* is what a student reads in one session: the markdown prose of the
student edition outside collapsed blocks. Collapsed are dropdown directives (hints),
admonitions with ``:class: dropdown`` ("Going deeper" boxes) and solutions (the student
edition leaves them out). Code, inline code and display maths are not words; an inline
formula counts as one; exercise text counts. Glued numbers, figures and exercises are
counted on the core path and in the whole chapter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import toc_notebooks

__all__ = ["Reading", "BUDGET", "reading", "core_markdown", "table"]

BUDGET = 2000
"""Words of a chapter's core path (introduction pages excepted)."""

EXEMPT = {"working_with_this_book"}
"""Pages the budget does not apply to (the introduction)."""

_FENCE = re.compile(r"^(?P<mark>`{3,}|:{3,})\s*(?:\{(?P<name>[\w:-]+)\})?(?P<rest>.*)$")
_GLUE = re.compile(r"\{glue(?::text|:)?\}`[^`]+`")


@dataclass(frozen=True)
class Reading:
    """The size of one chapter: its core path and the whole chapter."""

    chapter: str
    core_words: int
    words: int
    core_glued: int
    glued: int
    core_figures: int
    figures: int
    exercises: int


def _collapsed(name: str | None, options: list[str]) -> bool:
    if name == "dropdown" or (name or "").startswith("solution"):
        return True
    return any(o.startswith(":class:") and "dropdown" in o for o in options)


def core_markdown(text: str) -> tuple[str, str]:
    """``(core, collapsed)``: the prose of a markdown cell outside collapsed blocks and code
    fences, and the prose inside collapsed blocks."""
    lines = text.splitlines()
    core, hidden = [], []
    stack: list[tuple[str, bool, bool]] = []       # (fence mark, collapsed, code)
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line.strip())
        if m and stack and line.strip() == stack[-1][0]:
            stack.pop()                                 # the innermost block closes
            i += 1
            continue
        if m and (not stack or not stack[-1][2]):
            name = m.group("name")
            options, j = [], i + 1
            while j < len(lines) and lines[j].strip().startswith(":") and not _FENCE.match(lines[j].strip()):
                options.append(lines[j].strip())
                j += 1
            code = name in (None, "code", "code-cell", "math") or name == "code-block"
            if name is None and not m.group("rest").strip() and m.group("mark").startswith(":"):
                code = False
            collapsed = _collapsed(name, options) or any(c for _, c, _ in stack)
            stack.append((m.group("mark"), collapsed, code))
            if not code and name not in (None,):
                title = m.group("rest").strip()              # an admonition's title is prose
                (hidden if collapsed else core).append(title)
            i = j
            continue
        inside_code = any(c for _, _, c in stack)
        if not inside_code:
            (hidden if any(c for _, c, _ in stack) else core).append(line)
        i += 1
    return "\n".join(core), "\n".join(hidden)


def _words(text: str) -> int:
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)          # display maths
    text = re.sub(r"(?<!\\)\$[^$\n]+\$", " formula ", text)         # an inline formula: one word
    text = re.sub(r"`[^`]*`", " ", text)                             # inline code, roles' targets
    text = re.sub(r"\{[\w:-]+\}", " ", text)                         # role names
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)             # links: their text
    text = re.sub(r"<[^>]+>", " ", text)                             # html tags
    return len(re.findall(r"[A-Za-z0-9\u00C0-\u024F\u0370-\u03FF]+(?:['’.,\-][A-Za-z0-9]+)*", text))


def _figures(cells) -> int:
    return sum(any(k in out.get("data", {}) for out in c.get("outputs", []) for k in ("image/png", "image/svg+xml"))
               for c in cells if c.cell_type == "code")


def reading(path: Path) -> Reading:
    """The size of the chapter notebook at ``path``."""
    from .editions import split_solutions, student_notebook
    nb = nbformat.read(path, as_version=4)
    student = student_notebook(nb)
    core_text, hidden_text = [], []
    for cell in student.cells:
        if cell.cell_type == "markdown" and cell.metadata.get("jupyter", {}).get("source_hidden"):
            hidden_text.append(cell.source)      # the caption of a collapsed figure
        elif cell.cell_type == "markdown":
            core, hidden = core_markdown(cell.source)
            core_text.append(core)
            hidden_text.append(hidden)
    source_core, source_all = [], []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source_all.append(cell.source)
            source_core.append(core_markdown(cell.source)[0])
    outside = [c for c, inside in split_solutions(nb, keep=True) if c is not None and inside is None]
    core_figs = [c for c in outside if c.cell_type == "code"
                 and not {"hide-output", "hide-cell", "going-deeper"} & set(c.metadata.get("tags", []))]
    everything = "\n".join(source_all)
    return Reading(
        chapter=path.stem,
        core_words=sum(_words(t) for t in core_text),
        words=sum(_words(t) for t in core_text + hidden_text)
        + sum(_words(core_markdown(c.source)[0] + core_markdown(c.source)[1])
              for c, inside in split_solutions(nb, keep=True)
              if c is not None and inside is not None and c.cell_type == "markdown"),
        core_glued=len(_GLUE.findall("\n".join(source_core))),
        glued=len(_GLUE.findall(everything)),
        core_figures=_figures(core_figs),
        figures=_figures(nb.cells),
        exercises=everything.count("```{exercise}"),
    )


def table(paths: list[Path] | None = None) -> str:
    """The reading table of the book's chapters, as text."""
    rows = [reading(p) for p in (paths or toc_notebooks())]
    head = (f"{'chapter':<24} {'words core/all':>15} {'glued core/all':>15} "
            f"{'figures core/all':>17} {'exercises':>9}  budget")
    lines = [head, "-" * len(head)]
    for r in rows:
        budget = "-" if r.chapter in EXEMPT else ("ok" if r.core_words <= BUDGET else f"over {BUDGET}")
        lines.append(f"{r.chapter:<24} {r.core_words:>7}/{r.words:<7} {r.core_glued:>7}/{r.glued:<7} "
                     f"{r.core_figures:>8}/{r.figures:<8} {r.exercises:>9}  {budget}")
    return "\n".join(lines)
