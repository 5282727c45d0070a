"""Shared machinery of the browser tests (``test_browser.py``: the website offline and
the full edition in JupyterLab; ``test_browser_lab.py``: the student edition run in
JupyterLab). Two files, so that the two test workers share the browser work.

Where no chromium is found (a student's laptop) the tests skip and say how to install
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

from bookbuild import ROOT, toc_notebooks
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


def assert_hints_collapsed(page, n_hints, details="details", name="", title="Hint"):
    """Every graded hint (a ``{dropdown} Hint k``; or, with ``title``, every "Going deeper"
    box) is drawn closed: its summary shows, its text does not until the reader opens it;
    opening the first one shows its text."""
    hints = page.locator(f"{details}:has(summary:has-text('{title}'))")
    assert hints.count() == n_hints, f"{name}: {hints.count()} '{title}' boxes drawn for {n_hints}"
    if not n_hints:
        return
    assert page.evaluate(f"""() => [...document.querySelectorAll('{details}')]
        .filter(d => d.querySelector('summary') && d.querySelector('summary').innerText.includes('{title}'))
        .every(d => !d.open)"""), f"{name}: a '{title}' box is open before the reader opens it"
    first = hints.first
    body = first.locator(":scope > :not(summary)").first
    assert not body.is_visible()
    first.locator("summary").first.click()
    body.wait_for(state="visible")
    assert body.inner_text().strip()

