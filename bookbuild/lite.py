"""Live mode: every chapter runs in the reader's browser (JupyterLite, Python in WebAssembly).

The website build (:mod:`bookbuild.sphinx_ext`, switch ``book_lite`` in
``_config.yml``) calls :func:`build_lite_site` after the HTML is written; it puts a
JupyterLite site into ``<html>/lite/`` with

* ``contents``: a lite copy of every chapter (:func:`lite_notebook`: the full edition,
  outputs and widget state cleared, a first cell that installs what the chapter needs)
  and the data files in ``data/`` beside them;
* ``pypi``: a wheel of ``helpers`` built from this repository (:func:`helpers_wheel`;
  the computations only: these build tools are not in ``helpers``)
  and the wheels in ``lite/wheels/`` (committed, versions in ``requirements-pyodide.txt``):
  iminuit 2.33.0 for WebAssembly (Pyodide's own 2.30.1 is too old for ``helpers``),
  ipywidgets, jupyterlab_widgets, comm and jacobi.

Nothing is downloaded while building. In the reader's browser the Pyodide runtime and
its packages (numpy, scipy, pandas, matplotlib) come from Pyodide's CDN.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat

from . import ROOT, BuildError, toc_notebooks
from .editions import full_notebook

__all__ = ["LITE_WHEELS", "INSTALL_PACKAGES", "install_cell_source", "lite_notebook",
           "helpers_wheel", "write_lite_contents", "build_lite_site", "LiteBuildError"]

#: the committed wheels served to the browser (see requirements-pyodide.txt)
LITE_WHEELS = ROOT / "lite" / "wheels"
#: what the first cell of each lite chapter installs, in this order (iminuit first: an
#: ``import iminuit`` before it would load Pyodide's own, too old, iminuit 2.30.1)
INSTALL_PACKAGES = ["iminuit==2.33.0", "ipywidgets", "jacobi", "pp-stats-course-helpers"]
#: the kernel of JupyterLite's Pyodide kernel
LITE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
#: the JupyterLite applications built (the button opens the "notebooks" one)
LITE_APPS = ["lab", "notebooks", "tree"]


class LiteBuildError(BuildError):
    """The JupyterLite build failed (its output is in the message)."""


def install_cell_source(packages: list[str] = INSTALL_PACKAGES) -> str:
    """The first cell of a lite chapter: installs quietly, points ``helpers`` at the data."""
    return "\n".join([
        "# Live mode: this cell installs what the chapter needs into your browser",
        "# (about a minute the first time; nothing is installed on your computer).",
        "import os, piplite",
        f"await piplite.install({packages!r})",
        'os.environ["COURSE_BOOK_DATA"] = os.path.abspath("data")',
    ])


def lite_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The lite copy of a chapter: the full edition (glue and citations written out,
    solutions as boxes) with every output and the widget state cleared, the Pyodide
    kernel, and the install cell first."""
    out = full_notebook(nb)
    out.metadata.pop("widgets", None)
    out.metadata["kernelspec"] = copy.deepcopy(LITE_KERNELSPEC)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    first = nbformat.v4.new_code_cell(install_cell_source(), metadata={"tags": ["lite-install"]})
    out.cells.insert(0, first)
    nbformat.validate(out)
    return out


# ------------------------------------------------------------------------- the wheel
def _project() -> tuple[str, str, list[str]]:
    """Name, version and dependencies of the project, from pyproject.toml."""
    try:
        import tomllib
    except ImportError:                      # Python 3.10: the installed metadata
        from importlib import metadata

        dist = metadata.distribution("pp-stats-course-helpers")
        return dist.metadata["Name"], dist.version, list(dist.requires or [])
    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())
    p = proj["project"]
    return p["name"], p["version"], list(p.get("dependencies", []))


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def helpers_wheel(outdir: Path) -> Path:
    """A pure-Python wheel of ``helpers`` (its .py files and matplotlib style) written
    into ``outdir``; reproducible (fixed timestamps, sorted), no build tool needed."""
    name, version, deps = _project()
    dist = name.replace("-", "_")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{dist}-{version}-py3-none-any.whl"
    pkg = ROOT / "helpers"
    files = sorted(p for p in pkg.rglob("*")
                   if p.is_file() and p.suffix in (".py", ".mplstyle") and "__pycache__" not in p.parts)
    info = f"{dist}-{version}.dist-info"
    meta = "\n".join(["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
                      "Requires-Python: >=3.10", *[f"Requires-Dist: {d}" for d in deps]]) + "\n"
    wheel = "Wheel-Version: 1.0\nGenerator: bookbuild.lite\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries = [(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in files]
    entries += [(f"{info}/METADATA", meta.encode()), (f"{info}/WHEEL", wheel.encode()),
                (f"{info}/top_level.txt", b"helpers\n")]
    record = "".join(f"{n},{_record_hash(d)},{len(d)}\n" for n, d in entries) + f"{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode()))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in entries:
            zi = zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, d)
    return target


# ------------------------------------------------------------------------ contents
def write_lite_contents(outdir: Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Lite copies of ``notebooks`` (default: the book) and ``data/`` into ``outdir``."""
    outdir = Path(outdir)
    if outdir.exists():
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True)
    written = []
    for path in (toc_notebooks() if notebooks is None else notebooks):
        target = outdir / Path(path).name
        nbformat.write(lite_notebook(nbformat.read(path, as_version=4)), target)
        written.append(target)
    shutil.copytree(ROOT / "book" / "data", outdir / "data",
                    ignore=shutil.ignore_patterns(".*", "__pycache__", "README*"))
    return written


def build_lite_site(html_dir: Path, work_dir: Path, notebooks: list[Path] | None = None) -> Path:
    """Build the JupyterLite site into ``html_dir/lite`` (scratch files in ``work_dir``)."""
    work_dir, html_dir = Path(work_dir), Path(html_dir)
    contents = work_dir / "contents"
    write_lite_contents(contents, notebooks)
    wheels = work_dir / "wheels"
    if wheels.exists():
        shutil.rmtree(wheels)
    wheels.mkdir(parents=True)
    helpers_wheel(wheels)
    for whl in sorted(LITE_WHEELS.glob("*.whl")):
        shutil.copy2(whl, wheels / whl.name)
    lite_dir = work_dir / "lite_dir"
    lite_dir.mkdir(parents=True, exist_ok=True)
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps({
        "LiteBuildConfig": {"no_sourcemaps": True, "no_unused_shared_packages": True},
        "PipliteAddon": {"piplite_urls": [str(w) for w in sorted(wheels.glob("*.whl"))]},
    }, indent=1))
    out = html_dir / "lite"
    cmd = [sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(lite_dir),
           "--contents", str(contents), "--output-dir", str(out)]
    for app in LITE_APPS:
        cmd += ["--apps", app]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(cmd, cwd=lite_dir, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise LiteBuildError(f"jupyter lite build failed ({proc.returncode}):\n"
                             + (proc.stdout + proc.stderr)[-4000:])
    return out
