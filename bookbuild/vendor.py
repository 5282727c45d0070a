"""The JavaScript the website serves itself, so that it works with no internet.

Jupyter Book would load MathJax, require.js and the ipywidgets HTML manager from CDNs.
The book instead ships the files it needs in ``assets/vendor/`` (committed, a few MB),
at the exact versions pinned in ``assets/vendor/package.json``. ``_config.yml`` points
Sphinx (``mathjax_path``) and myst-nb (``nb_ipywidgets_js``) at them.

To update: change a version in ``assets/vendor/package.json`` and run
``python -m bookbuild vendor`` (needs ``npm`` and access to the npm registry),
then build the book and run the browser tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import ROOT, BuildError

__all__ = ["VENDOR", "FILES", "vendor", "pinned_versions"]

VENDOR = ROOT / "assets" / "vendor"

#: package -> (what to copy, relative to the package folder) -> destination folder
FILES = {
    "mathjax": ("mathjax", ["LICENSE", "es5/tex-mml-chtml.js", "es5/input/tex/extensions",
                            "es5/output/chtml/fonts/woff-v2", "es5/ui", "es5/a11y"]),
    "requirejs": ("requirejs", ["require.js"]),
    "@jupyter-widgets/html-manager": ("html-manager", ["LICENSE", "dist/embed-amd.js",
                                                        "dist/*.woff2", "dist/*.woff"]),
}


def pinned_versions() -> dict[str, str]:
    """package -> exact version, from ``assets/vendor/package.json``."""
    return json.loads((VENDOR / "package.json").read_text())["dependencies"]


def vendor() -> list[Path]:
    """Install the pinned packages with npm into a temporary folder and copy the files
    the website needs into ``assets/vendor/<name>/``; return the folders written."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm not found: install Node.js to refresh the vendored files")
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(VENDOR / "package.json", tmp)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts"],
                       cwd=tmp, check=True)
        for package, (dest, patterns) in FILES.items():
            src_root = Path(tmp) / "node_modules" / package
            dest_root = VENDOR / dest
            shutil.rmtree(dest_root, ignore_errors=True)
            for pattern in patterns:
                for src in sorted(src_root.glob(pattern)):
                    rel = src.relative_to(src_root)
                    rel = Path(*rel.parts[1:]) if rel.parts[0] in ("es5", "dist") else rel
                    target = dest_root / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if src.is_dir():
                        shutil.copytree(src, target)
                    else:
                        shutil.copy(src, target)
            version = json.loads((src_root / "package.json").read_text())["version"]
            (dest_root / "VERSION").write_text(f"{package} {version}\n")
            written.append(dest_root)
    return written
