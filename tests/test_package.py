"""The ``helpers`` package is the computations only: what the chapters import and what the
live site installs in the browser. The build tools (``bookbuild/``) and their libraries
are not part of it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: top-level modules of the build and test tools; importing helpers loads none of them
BUILD_TOOLS = {"bookbuild", "nbformat", "nbclient", "pybtex", "jupyterlite_core",
               "jupyterlite_pyodide_kernel", "sphinx", "sphinxcontrib", "docutils", "myst_nb",
               "jupyter_book", "nbval", "pytest", "hypothesis", "playwright"}

_IMPORT_ALL = """
import importlib, json, pkgutil, sys
import helpers
names = sorted(m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers."))
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_importing_every_helpers_module_loads_no_build_tool(tmp_path):
    # a fresh interpreter outside the checkout (the checkout's bookbuild/ is not on its path)
    run = subprocess.run([sys.executable, "-c", _IMPORT_ALL], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout)
    assert "helpers.widgets" in found["modules"] and "helpers.figures" in found["modules"]
    assert not BUILD_TOOLS & set(found["loaded"]), sorted(BUILD_TOOLS & set(found["loaded"]))



def test_the_wheel_lists_every_helpers_package():
    """pyproject.toml names the packages one by one (the build tools stay out): a new
    subpackage missing there works in the editable install and is absent from the wheel
    the live site and the students install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "helpers").rglob("__init__.py")}
    assert listed == found
