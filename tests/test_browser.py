"""What a person sees, in a real browser (Playwright driving Debian's chromium).

(a) JupyterLab on the JupyterLab editions: every chapter of the student edition opens,
    runs top to bottom without an error, shows its prose rendered (numbers, exercise
    boxes, citations, typeset maths; no raw MyST markup), and one slider of every panel
    redraws its figure when moved. The full edition, opened without running (untrusted,
    as from a fresh clone), shows the prose rendered and the one-line hint for each
    stored slider panel.
(b) The website served from a local port with every request to another host blocked:
    every formula typeset, every slider panel shows its stored figure and the hint, and
    no request fails.

Where no chromium is found (a student's laptop) these tests skip and say how to install
it; under CI (``CI`` set, as ``.ci/run`` does) they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bookbuild import toc_notebooks
from bookbuild.editions import write_editions
from helpers.widgets import STORED_HINT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INSTALL = "sudo apt-get install chromium   (Debian/Ubuntu), then pip install -r requirements.txt"

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError(f"the browser tests need chromium under CI: {INSTALL}")
    pytest.skip(f"no chromium found; to run the browser tests: {INSTALL}", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

NOTEBOOKS = toc_notebooks()
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(os.environ.get("BROWSER_SHOTS", "")) if os.environ.get("BROWSER_SHOTS") else None

# raw MyST that must never reach a reader's eyes in rendered prose
RAW_MARKUP = ("{glue", "{cite}", ":label:", ":class:", "{exercise}", "{solution",
              "{admonition}", ":::", "```", "\\begin{", "\\frac", "$$")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _offline_context(browser, allowed_prefix: str):
    """A browser context that lets through only requests to ``allowed_prefix`` and
    records everything else (blocked), failed requests and console errors."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    log = {"blocked": [], "failed": [], "console": []}

    def route(r):
        if r.request.url.startswith(allowed_prefix) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            log["blocked"].append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    ctx.on("requestfailed", lambda r: log["failed"].append(f"{r.url} {r.failure}"))
    ctx.on("response", lambda r: log["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return ctx, log


def _shot(page, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# ------------------------------------------------------------------ (b) the website
@pytest.fixture(scope="module")
def served_site(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


WEB_PAGES = ["book/intro.html", "book/references.html",
             *[f"book/{p.stem}.html" for p in NOTEBOOKS if p.stem != "intro"]]


@pytest.mark.parametrize("page_path", WEB_PAGES)
def test_website_offline(browser, served_site, page_path):
    ctx, log = _offline_context(browser, served_site)
    page = ctx.new_page()
    page.on("console", lambda m: log["console"].append(m.text) if m.type == "error" else None)
    page.goto(served_site + page_path, wait_until="load")
    n_math = page.locator(".math").count()
    if n_math:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        # every formula became MathJax output, none is left as \( ... \) or an error
        untypeset = page.evaluate("""() => [...document.querySelectorAll('.math')]
            .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))""")
        assert not untypeset, untypeset
        assert page.locator("mjx-merror").count() == 0
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if views:
        panels = page.locator(".jupyter-widgets.widget-vbox:has(.slider-hint)")
        page.wait_for_function(f"() => document.querySelectorAll('.widget-output img').length >= {views}"
                               " || document.querySelectorAll('.slider-hint').length >= 1")
        n = panels.count()
        assert n == views, f"{n} slider panels drawn for {views} stored widget views"
        for i in range(n):
            panel = panels.nth(i)
            img = panel.locator(".widget-output img")
            img.wait_for()
            box = img.bounding_box()
            assert box and box["height"] > 150 and box["width"] > 300, box
            assert page.evaluate("(e) => e.complete && e.naturalWidth > 0", img.element_handle())
            assert panel.locator(".slider-hint").inner_text().strip() == STORED_HINT
            assert panel.locator(".widget-slider").count() >= 1
    # nothing a reader needs hides behind a sideways scroll bar at 1280 px
    cut = page.evaluate("""() => [...document.querySelectorAll(
            'article div.cell_output, article div.cell_input, article pre, article table')]
        .filter(e => e.scrollWidth > e.clientWidth + 2)
        .map(e => `${e.tagName} ${e.scrollWidth}>${e.clientWidth}: ${e.textContent.trim().slice(0, 50)}`)""")
    assert not cut, cut
    # nothing reaches past the site, nothing fails (the theme's empty-preference notice aside)
    assert not log["blocked"], log["blocked"][:5]
    assert not log["failed"], log["failed"][:5]
    errors = [c for c in log["console"] if "theme mode" not in c]
    assert not errors, errors[:5]
    _shot(page, "site_" + Path(page_path).stem)
    ctx.close()


# --------------------------------------------------------------- (a) JupyterLab
@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving freshly written editions (student/ and solutions/), with its
    own settings: no news pop-up, every cell rendered (no windowing)."""
    root = tmp_path_factory.mktemp("lab")
    write_editions(root)
    settings = root / ".settings"
    for ext, values in {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
                        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                                         "checkForUpdates": False}
                        }.items():
        f = settings / f"{ext}.jupyterlab-settings"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(values))
    port, token = _free_port(), "browser-test"
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
           "JUPYTER_RUNTIME_DIR": str(root / ".runtime")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         "--ServerApp.open_browser=False"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start: " + (proc.stderr.read() if proc.stderr else ""))
            time.sleep(0.25)
    yield base, token
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


_JS_NOTEBOOK = "window.jupyterapp.shell.currentWidget"


def _open(browser, lab, path):
    base, token = lab
    ctx, log = _offline_context(browser, base)
    page = ctx.new_page()
    page.goto(f"{base}lab/tree/{path}?token={token}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(f"""() => {{ const w = {_JS_NOTEBOOK};
        return w && w.context && w.context.isReady && w.content.widgets.length > 0; }}""",
                           timeout=60_000)
    # every markdown cell rendered by jupyterlab-myst
    page.wait_for_function("""() => { const md = document.querySelectorAll('.jp-MarkdownCell');
        return md.length > 0 && [...md].every(c => c.querySelector('.myst .myst-fm-block, .myst p, .myst h1, .myst h2, .myst div')); }""",
                           timeout=60_000)
    return ctx, page, log


def _rendered_prose(page) -> list[str]:
    """The visible text of every rendered markdown cell, code spans left out."""
    # jupyterlab-myst renders a markdown cell into a ".myst" widget, maths with KaTeX
    return page.evaluate("""() => [...document.querySelectorAll(
            '.jp-MarkdownCell .myst, .jp-MarkdownCell .jp-RenderedMarkdown')]
        .map(e => { const c = e.cloneNode(true);
                    c.querySelectorAll('code, pre, .katex, mjx-container').forEach(x => x.remove());
                    return c.innerText; })""")


def _assert_prose_rendered(page, name):
    prose = _rendered_prose(page)
    assert len(prose) >= 3, f"{name}: markdown cells not rendered"
    # maths typeset, without a single KaTeX error
    assert page.locator(".jp-MarkdownCell .katex-error").count() == 0
    for text in prose:
        for raw in RAW_MARKUP:
            assert raw not in text, f"{name}: raw markup {raw!r} in: {text[:200]!r}"
    return prose


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_edition_runs_and_renders_in_jupyterlab(browser, lab, path):
    ctx, page, log = _open(browser, lab, f"student/{path.name}")
    page.wait_for_function(f"() => {_JS_NOTEBOOK}.sessionContext.session?.kernel?.status === 'idle'",
                           timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"""() => {{ const w = {_JS_NOTEBOOK};
        const code = w.content.widgets.filter(c => c.model.type === 'code');
        return w.sessionContext.session.kernel.status === 'idle'
            && code.every(c => c.model.executionCount !== null); }}""", timeout=300_000)
    outputs = page.evaluate(f"""() => {_JS_NOTEBOOK}.content.widgets
        .filter(c => c.model.type === 'code').flatMap(c => c.model.outputs.toJSON())""")
    errors = [o for o in outputs if o["output_type"] == "error"
              or (o["output_type"] == "stream" and o.get("name") == "stderr")]
    assert not errors, errors[:2]
    prose = _assert_prose_rendered(page, path.stem)
    text = "\n".join(prose)
    if "$" in path.read_text():
        assert page.locator(".jp-MarkdownCell .katex").count() > 0
    n_exercises = path.read_text().count("{exercise}")
    assert page.locator(".jp-MarkdownCell .myst-exercise").count() == n_exercises
    assert text.count("Exercise") >= n_exercises, "exercise boxes not rendered"
    # every slider panel is live: moving one slider redraws its figure
    panels = page.locator(".jp-OutputArea .widget-vbox:has(.slider-hint)")
    stored = path.read_text().count('"application/vnd.jupyter.widget-view+json"')
    assert panels.count() == stored
    for i in range(panels.count()):
        panel = panels.nth(i)
        panel.scroll_into_view_if_needed()
        assert panel.locator(".slider-hint").inner_text().strip() == ""
        img = panel.locator(".widget-output img")
        before = img.get_attribute("src")
        handle = panel.locator(".widget-slider .noUi-handle").first
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        handle.press("ArrowLeft" if at_max else "ArrowRight")
        page.wait_for_function(
            """([p, before]) => { const im = p.querySelector('.widget-output img');
                 return (im && im.getAttribute('src') !== before)
                        || p.innerText.includes('Impossible setting'); }""",
            arg=[panel.element_handle(), before], timeout=30_000)
        assert "Traceback" not in panel.inner_text()
    assert not log["blocked"] and not log["failed"], (log["blocked"] + log["failed"])[:5]
    _shot(page, f"lab_student_{path.stem}")
    ctx.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_full_edition_reads_right_before_it_is_run(browser, lab, path):
    ctx, page, log = _open(browser, lab, f"solutions/{path.name}")
    _assert_prose_rendered(page, path.stem)
    n_solutions = path.read_text().count("{solution-start}")
    if n_solutions:
        boxes = page.locator(".jp-MarkdownCell .myst-exercise").all_inner_texts()
        assert sum(t.strip().startswith("Solution to") for t in boxes) >= n_solutions
    stored = path.read_text().count('"application/vnd.jupyter.widget-view+json"')
    # a notebook from a clone is untrusted: each stored panel shows the hint, not a repr
    outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
    assert sum(STORED_HINT in t for t in outputs) == stored
    assert not any("SliderPanel(" in t for t in outputs)
    _shot(page, f"lab_full_{path.stem}")
    ctx.close()
