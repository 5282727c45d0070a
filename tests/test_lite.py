"""Live mode (JupyterLite): the lite copies, the helpers wheel, the built lite site, and a
browser test of the lite app on a self-hosted Pyodide core.

What cannot be tested here (no network to Pyodide's CDN, and numpy/scipy/pandas/
matplotlib/iminuit for WebAssembly are not on PyPI for these machines): a chapter
running in the browser. The browser test runs the lite app on the npm ``pyodide`` core
with pure-Python wheels only (ipywidgets, comm and the kernel's own), and moves an
ipywidgets slider whose Python callback runs. ``helpers`` itself is tested on Pyodide's
library versions by the second job of ``.ci/run`` (requirements-pyodide.txt).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from bookbuild import ROOT, toc_notebooks
from bookbuild.lite import INSTALL_PACKAGES, LITE_WHEELS, helpers_wheel, lite_notebook
from bookbuild.sphinx_ext import LITE_APP, LITE_BUTTON_CLASS

NOTEBOOKS = toc_notebooks()


# ------------------------------------------------------------------ unit tests
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lite_copy_installs_first_and_has_no_outputs(path):
    nb = lite_notebook(nbformat.read(path, as_version=4))
    first = nb.cells[0]
    assert first.cell_type == "code" and "piplite.install" in first.source
    # iminuit 2.33.0 is installed before anything imports iminuit (Pyodide's own is 2.30.1)
    assert INSTALL_PACKAGES[0] == "iminuit==2.33.0"
    assert not any("import" in c.source and "iminuit" in c.source for c in nb.cells[:1]
                   if "import os, piplite" not in c.source)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert "widgets" not in nb.metadata
    assert nb.metadata.kernelspec.name == "python"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "{glue" not in text and "{cite" not in text
    nbformat.validate(nb)


def test_helpers_wheel(tmp_path):
    whl = helpers_wheel(tmp_path / "w")
    assert whl.name == "pp_stats_course_helpers-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl) as zf:
        names = zf.namelist()
        meta = zf.read("pp_stats_course_helpers-0.1.0.dist-info/METADATA").decode()
    assert "helpers/__init__.py" in names and "helpers/book.mplstyle" in names
    # the computations only: no build tool (bookbuild/, the former helpers/authoring)
    assert all(n.startswith(("helpers/", "pp_stats_course_helpers-0.1.0.dist-info/")) for n in names)
    assert not any("authoring" in n or "bookbuild" in n or n.endswith(("sphinx_ext.py", "editions.py"))
                   for n in names), names
    assert not any("__pycache__" in n for n in names)
    assert "Requires-Dist: iminuit>=2.32" in meta
    # the gallery's meta.yaml files: piplite installs PyYAML with the wheel
    assert "Requires-Dist: pyyaml>=6" in meta
    # reproducible: the same bytes twice
    assert helpers_wheel(tmp_path / "w2").read_bytes() == whl.read_bytes()
    # installed from the wheel (not editable), helpers finds the data beside the notebook
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(whl)], check=True)
    work = tmp_path / "lite-drive"
    shutil.copytree(ROOT / "book" / "data", work / "data")
    env = {k: v for k, v in os.environ.items() if k != "COURSE_BOOK_DATA"}
    env["PYTHONPATH"] = str(target)
    out = subprocess.run([sys.executable, "-c", "import helpers.data as d; print(d.__file__);"
                          " print(d.data_dir()); print(d.w_mass()[0].iloc[0])"],
                         cwd=work, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    file, folder, _ = out.stdout.split("\n", 2)
    assert file.startswith(str(target)) and Path(folder) == work / "data"


def _data_files(folder: Path) -> list[Path]:
    """Every file of a data folder the live site ships (not README files, not hidden)."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()
                  and not p.name.startswith(("README", ".")) and "__pycache__" not in p.parts)


def test_lite_contents_ship_every_data_file_the_gallery_too(tmp_path, monkeypatch):
    """The live site's ``data/`` holds every data file, sub-folders included (the gallery's
    tables, meta.yaml and correlation matrices), and helpers loads the gallery from it."""
    from bookbuild.lite import write_lite_contents
    from helpers.combination import gallery

    write_lite_contents(tmp_path / "contents", notebooks=[])
    src, dst = ROOT / "book" / "data", tmp_path / "contents" / "data"
    files = _data_files(src)
    assert any(p.parts[0] == "gallery" for p in files)
    assert _data_files(dst) == files
    for rel in files:
        assert (dst / rel).read_bytes() == (src / rel).read_bytes(), rel
    monkeypatch.setenv("COURSE_BOOK_DATA", str(dst))
    assert gallery.gallery_dir() == dst / "gallery"
    for name in gallery.NAMES:
        assert gallery.load(name).comb.value == gallery.load_folder(src / "gallery" / name).comb.value


def test_data_dir_falls_back_to_data_in_the_working_directory(monkeypatch, tmp_path):
    import helpers.data as data

    monkeypatch.delenv("COURSE_BOOK_DATA", raising=False)
    monkeypatch.setattr(data, "__file__", str(tmp_path / "site" / "helpers" / "data.py"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(data.InputError):
        data.data_dir()
    (tmp_path / "data").mkdir()
    assert data.data_dir() == tmp_path / "data"
    # the repository's own folder and $COURSE_BOOK_DATA keep their precedence
    monkeypatch.setenv("COURSE_BOOK_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(data.InputError):
        data.data_dir()


def test_glue_number_without_myst_nb(monkeypatch):
    from helpers import text

    monkeypatch.setitem(sys.modules, "myst_nb", None)           # import fails, as in Pyodide
    monkeypatch.setattr(text, "GLUED", {})
    assert text.glue_number("x_lite", 0.8136105365979216, ".4f") is None
    assert text.GLUED == {"x_lite": 0.8136}


def test_vendored_wheels_match_requirements_pyodide():
    pins = dict(line.split("==") for line in
                (LITE_WHEELS.parent.parent / "requirements-pyodide.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    wheels = {w.name.split("-")[0].lower(): w.name.split("-")[1] for w in LITE_WHEELS.glob("*.whl")}
    for name in ("iminuit", "ipywidgets", "jacobi"):
        assert wheels[name] == pins[name], name
    assert any(w.name.endswith("pyemscripten_2026_0_wasm32.whl") for w in LITE_WHEELS.glob("iminuit-*"))


# ------------------------------------------------------------ the built site
def test_site_has_the_lite_app_wheels_data_and_notebooks(site):
    lite = site / "lite"
    index = json.loads((lite / "pypi" / "all.json").read_text())
    assert {"pp-stats-course-helpers", "iminuit", "ipywidgets", "jacobi", "comm"} <= set(index)
    assert "2.33.0" in index["iminuit"]["releases"]
    for path in NOTEBOOKS:
        nb = nbformat.read(lite / "files" / path.name, as_version=4)
        assert "piplite.install" in nb.cells[0].source
    for rel in _data_files(ROOT / "book" / "data"):                 # the gallery's folders too
        assert (lite / "files" / "data" / rel).read_bytes() == (ROOT / "book" / "data" / rel).read_bytes()
    assert (site / LITE_APP).is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_chapter_page_has_the_live_button(site, path):
    from bs4 import BeautifulSoup

    page = site / "book" / f"{path.stem}.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    links = soup.select(f"p.{LITE_BUTTON_CLASS} a")
    assert len(links) == 1
    href = links[0]["href"]
    target, query = href.split("?path=")
    assert (page.parent / target).resolve() == (site / LITE_APP).resolve()
    assert (site / "lite" / "files" / query).is_file()
    assert soup.find("h1").find_next("p") is links[0].parent


def test_pages_that_are_not_chapters_have_no_button(site):
    for page in ("book/intro.html", "book/references.html", "search.html"):
        assert LITE_BUTTON_CLASS not in (site / page).read_text(), page


# ----------------------------------------------------- the lite app in a browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NPM = shutil.which("npm")
TINY = """import piplite
await piplite.install(["ipywidgets"])
import ipywidgets as widgets
calls = []
s = widgets.IntSlider(value=3, min=0, max=10, description="n")
out = widgets.Label("square 9")
def redraw(change):
    calls.append(change["new"])
    out.value = f"square {change['new'] ** 2}"
s.observe(redraw, names="value")
widgets.VBox([s, out])"""


def _self_hosted_pyodide(dest: Path) -> Path:
    """The npm ``pyodide`` core at the version the kernel expects, with the pure-Python
    wheels the kernel loads from Pyodide's lock file (micropip, ipython, jedi and their
    dependencies) fetched from PyPI at the locked versions; the lock file is rewritten
    for those wheels (name, sha256) and lists nothing else."""
    import hashlib
    import re
    import tarfile

    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    pack = dest / "npm"
    pack.mkdir(parents=True)
    subprocess.run([NPM, "pack", f"pyodide@{PYODIDE_VERSION}", "--silent"], cwd=pack,
                   check=True, capture_output=True)
    with tarfile.open(next(pack.glob("pyodide-*.tgz"))) as tf:
        tf.extractall(pack, filter="data")
    core = dest / "pyodide"
    shutil.copytree(pack / "package", core)
    lock = json.loads((core / "pyodide-lock.json").read_text())
    pkgs = lock["packages"]
    norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()                    # noqa: E731
    by = {norm(k): k for k in pkgs}
    need, todo = set(), ["micropip", "ipython", "jedi"]
    while todo:
        name = by[norm(todo.pop())]
        if name not in need:
            need.add(name)
            todo += pkgs[name]["depends"]
    wheels = dest / "wheels"
    py = ".".join(lock["info"]["python"].split(".")[:2])                  # Pyodide's Python
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", "--python-version", py, "-d", str(wheels),
                    *[f"{pkgs[n]['name']}=={pkgs[n]['version']}" for n in sorted(need)]],
                   check=True, capture_output=True, env={**os.environ, "PIP_CONSTRAINT": ""})
    for name in need:
        whl = next(w for w in wheels.glob("*.whl")
                   if norm(w.name.split("-")[0]) == norm(name))
        assert whl.name.endswith("-none-any.whl"), whl.name             # pure Python only
        shutil.copy2(whl, core / whl.name)
        pkgs[name]["file_name"] = whl.name
        pkgs[name]["sha256"] = hashlib.sha256(whl.read_bytes()).hexdigest()
    lock["packages"] = {n: pkgs[n] for n in need}
    (core / "pyodide-lock.json").write_text(json.dumps(lock))
    return core


@pytest.fixture(scope="module")
def lite_served(site, tmp_path_factory):
    if CHROMIUM is None or NPM is None:
        why = "chromium" if CHROMIUM is None else "npm (for the npm pyodide package)"
        if os.environ.get("CI"):
            raise RuntimeError(f"the live-mode browser test needs {why} under CI")
        pytest.skip(f"no {why}: the live-mode browser test is skipped")
    import functools
    import http.server
    import threading

    root = tmp_path_factory.mktemp("lite")
    lite = root / "lite"
    shutil.copytree(site / "lite", lite)
    _self_hosted_pyodide(root / "pyodide-src")
    shutil.move(str(root / "pyodide-src" / "pyodide"), str(lite / "pyodide"))
    # the tiny pure-Python notebook, listed in the contents like the chapters
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python",
                                                           "display_name": "Python (Pyodide)",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(TINY),
                nbformat.v4.new_code_cell("print(open('data/w_mass.csv').read().count('\\n') > 2)")]
    nbformat.write(nb, lite / "files" / "tiny.ipynb")
    listing = lite / "api" / "contents" / "all.json"
    contents = json.loads(listing.read_text())
    entry = dict(next(c for c in contents["content"] if c["name"].endswith(".ipynb")))
    entry.update(name="tiny.ipynb", path="tiny.ipynb",
                 size=(lite / "files" / "tiny.ipynb").stat().st_size)
    contents["content"].append(entry)
    listing.write_text(json.dumps(contents))

    from browser_support import _QuietHandler

    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    cfg = lite / "jupyter-lite.json"
    data = json.loads(cfg.read_text())
    kernel = data["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    kernel["pyodideUrl"] = base + "lite/pyodide/pyodide.mjs"
    kernel["disablePyPIFallback"] = True
    cfg.write_text(json.dumps(data))
    yield base
    server.shutdown()


def test_live_slider_callback_runs_in_the_browser(lite_served):
    from playwright.sync_api import sync_playwright

    from browser_support import ARGS, _offline_context

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx, log = _offline_context(browser, lite_served)
        page = ctx.new_page()
        page.on("console", lambda m: log["console"].append(m.text))
        page.goto(lite_served + "lite/notebooks/index.html?path=tiny.ipynb")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        # an idle kernel on the self-hosted Pyodide
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000)
        page.keyboard.press("Escape")
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.wait_for(timeout=120_000)
        page.wait_for_function("() => document.body.innerText.includes('square 9')", timeout=30_000)
        handle.focus()
        handle.press("ArrowRight")
        page.wait_for_function("() => document.body.innerText.includes('square 16')", timeout=30_000)
        # the kernel reads the data beside the notebook (the lite contents drive)
        page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea-output')]"
                               ".some(e => e.innerText.trim() === 'True')", timeout=60_000)
        assert not [u for u in log["blocked"] if "127.0.0.1" in u]
        ctx.close()
        browser.close()
