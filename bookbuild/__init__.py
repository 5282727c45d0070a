"""The book's build tools: re-execute the chapters, write the JupyterLab editions, build
the live (JupyterLite) site, vendor the website's JavaScript, and the Sphinx extension.

They live in the checkout, beside ``book/`` and ``helpers/``, and are not installed: the
``helpers`` package (and the wheel the live site installs) holds the computations only.
Command line, from the repository root::

    python -m bookbuild execute            # every notebook in _toc.yml, in place
    python -m bookbuild editions           # student/ and solutions/ for JupyterLab
    python -m bookbuild student [OUTDIR]   # only the student edition
    python -m bookbuild vendor             # refresh assets/vendor from npm (authors)

Modules, and what each needs (pinned in ``requirements-student.txt`` and
``requirements.txt``):

notebooks   execute the chapters in place (nbformat, nbclient, ipykernel)
citations   the author-year citation text of the website and the editions (pybtex)
editions    the JupyterLab editions ``student/`` and ``solutions/`` (nbformat, pybtex);
            the one command students run, so its two libraries are in
            ``requirements-student.txt``
lite        the live site in ``<html>/lite`` (jupyterlite-core, jupyterlite-pyodide-kernel)
vendor      the website's JavaScript in ``assets/vendor`` (npm)
sphinx_ext  the Sphinx extension, loaded by ``sphinx.local_extensions`` in ``_config.yml``
            (Jupyter Book 1, sphinxcontrib-bibtex's pybtex)

This module itself needs only the standard library: tests import :data:`ROOT` and
:func:`toc_notebooks` from it without the tools' libraries.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["ROOT", "BuildError", "toc_notebooks"]

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: this package lives in the checkout, one level below it."""


class BuildError(Exception):
    """A build tool cannot do what it was asked (an unknown glue key or citation, a
    failed JupyterLite build, no npm, ...); the message says why."""


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
