"""``python -m bookbuild execute|editions|student|words|vendor`` (from the repository root).

Each command imports only the module it runs, so ``editions`` needs nbformat and pybtex
alone (what a student installs) and ``vendor`` only npm.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ROOT, BuildError, toc_notebooks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookbuild",
                                     description="The book's build tools (run from the repository root).")
    sub = parser.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("execute", help="re-execute notebooks in place (default: all in _toc.yml)")
    ex.add_argument("notebooks", nargs="*", type=Path)
    ed = sub.add_parser("editions", help="write student/ and solutions/ for JupyterLab")
    ed.add_argument("--root", type=Path, default=ROOT, help="where student/ and solutions/ go")
    st = sub.add_parser("student", help="write only the student edition")
    st.add_argument("outdir", nargs="?", type=Path, default=ROOT / "student")
    wo = sub.add_parser("words", help="per chapter: words, glued numbers, figures and exercises of its "
                                      "core path (outside collapsed blocks) and of the whole chapter")
    wo.add_argument("notebooks", nargs="*", type=Path)
    sub.add_parser("vendor", help="download the pinned MathJax, require.js and widget manager "
                                  "from npm into assets/vendor (needs npm)")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "execute":
            from .notebooks import execute_notebook
            for path in args.notebooks or toc_notebooks():
                print(f"executing {path}", flush=True)
                execute_notebook(path)
        elif args.cmd == "editions":
            from .editions import write_editions
            for path in write_editions(args.root):
                print(f"wrote {path}")
        elif args.cmd == "student":
            from .editions import write_student_edition
            for path in write_student_edition(args.outdir):
                print(f"wrote {path}")
        elif args.cmd == "words":
            from .budget import table
            print(table(args.notebooks or None))
        else:
            from .vendor import vendor
            for path in vendor():
                print(f"vendored {path}")
    except BuildError as exc:
        parser.exit(1, f"{parser.prog} {args.cmd}: {exc}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
