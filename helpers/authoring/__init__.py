"""Authors' tools: re-execute the chapters, write the JupyterLab editions, vendor the
website's JavaScript.

Command line (from the repository root)::

    python -m helpers.authoring execute            # every notebook in _toc.yml, in place
    python -m helpers.authoring editions           # student/ and solutions/ for JupyterLab
    python -m helpers.authoring student [OUTDIR]   # only the student edition
    python -m helpers.authoring vendor             # refresh assets/vendor from npm (authors)

``execute`` runs each notebook top to bottom in a fresh kernel with ``book/`` as the
working directory, stores outputs and widget state, and records no per-cell
timestamps, so re-running an unchanged notebook changes nothing that nbval compares.

``editions`` writes what students open in JupyterLab (see :mod:`.editions`): the
student edition (solutions replaced by empty cells) and the full edition (solutions
kept), both with every glued number and citation written out, so that JupyterLab (with
``jupyterlab-myst``) shows the prose the website shows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .editions import (
    full_notebook,
    lab_markdown,
    student_notebook,
    write_editions,
    write_student_edition,
)
from .notebooks import (
    ROOT,
    exercise_labels,
    execute_notebook,
    mark_stored_panels,
    solution_labels,
    toc_notebooks,
)

__all__ = [
    "ROOT", "toc_notebooks", "execute_notebook", "student_notebook",
    "full_notebook", "lab_markdown", "mark_stored_panels", "write_student_edition", "write_editions",
    "solution_labels", "exercise_labels", "main",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.authoring",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("execute", help="re-execute notebooks in place (default: all in _toc.yml)")
    ex.add_argument("notebooks", nargs="*", type=Path)
    ed = sub.add_parser("editions", help="write student/ and solutions/ for JupyterLab")
    ed.add_argument("--root", type=Path, default=ROOT, help="where student/ and solutions/ go")
    st = sub.add_parser("student", help="write only the student edition")
    st.add_argument("outdir", nargs="?", type=Path, default=ROOT / "student")
    sub.add_parser("vendor", help="download the pinned MathJax, require.js and widget manager "
                                  "from npm into assets/vendor (needs npm)")
    args = parser.parse_args(argv)
    if args.cmd == "execute":
        for path in args.notebooks or toc_notebooks():
            print(f"executing {path}", flush=True)
            execute_notebook(path)
    elif args.cmd == "editions":
        for path in write_editions(args.root):
            print(f"wrote {path}")
    elif args.cmd == "student":
        for path in write_student_edition(args.outdir):
            print(f"wrote {path}")
    else:
        from .vendor import vendor
        for path in vendor():
            print(f"vendored {path}")
    return 0
