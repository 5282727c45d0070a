"""One citation style for the website and the JupyterLab editions: ``[Lyons et al., 1988]``.

The Sphinx extension (:mod:`.sphinx_ext`) labels the reference list with
:func:`authors_text`; the editions (:mod:`.editions`) write :func:`citation_text` where
the website shows a ``{cite}`` role. pybtex is imported only when the bibliography is
read, so importing this module needs nothing beyond the standard library.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import ROOT, BuildError

__all__ = ["authors_text", "citation_text", "CitationError"]


class CitationError(BuildError):
    """A citation key that is not in the bibliography."""


def _plain(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def authors_text(entry) -> str:
    """``Lyons``, ``James and Roos`` or ``Lyons et al.``, as in an author-year citation."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]
    if not last:
        return _plain(entry.fields.get("title", entry.key))
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


@lru_cache(maxsize=4)
def _bibliography(path: Path):
    from pybtex.database import parse_file

    return parse_file(str(path)).entries


def citation_text(keys: str, kind: str | None = None, bibfile: Path = ROOT / "references.bib") -> str:
    """The author-year text the website shows for ``{cite}`keys``` (``{cite:t}`` when
    ``kind`` is ``"t"``): ``[Lyons et al., 1988]`` or ``Lyons et al. [1988]``."""
    entries = _bibliography(Path(bibfile))
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        if key not in entries:
            raise CitationError(f"citation {key!r} is not in {Path(bibfile).name}")
        entry = entries[key]
        parts.append((authors_text(entry), entry.fields.get("year", "n.d.")))
    if kind in ("t", "ts"):
        return ", ".join(f"{who} [{year}]" for who, year in parts)
    return "[" + "; ".join(f"{who}, {year}" for who, year in parts) + "]"
