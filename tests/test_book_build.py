"""Build the website with warnings as errors and inspect the HTML a reader gets."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from helpers.authoring import ROOT, toc_notebooks

NOTEBOOKS = toc_notebooks()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    exe = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(exe), "build", str(ROOT), "-W", "-n", "--keep-going",
                           "--path-output", str(out)], capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "WARNING" not in log and "ERROR" not in log, log[-4000:]
    return out / "_build" / "html"


def _page(site, path):
    html = site / path.relative_to(ROOT).with_suffix(".html")
    assert html.exists(), f"no page for {path}"
    return BeautifulSoup(html.read_text(), "html.parser")


def _stored_images(path):
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code"
               and "remove-output" not in c.metadata.get("tags", [])
               for o in c.outputs if "image/png" in o.get("data", {}))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_chapter_page_has_its_figures(site, path):
    soup = _page(site, path)
    imgs = [img for out in soup.select("div.cell_output") for img in out.find_all("img")]
    assert len(imgs) == _stored_images(path) > 0
    for img in imgs:
        assert (site / path.relative_to(ROOT).parent / img["src"]).resolve().exists(), img["src"]


def test_no_error_output_anywhere(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > len(NOTEBOOKS)
    for page in pages:
        soup = BeautifulSoup(page.read_text(), "html.parser")
        text = soup.get_text()
        assert "Traceback (most recent call last)" not in text, page
        assert not soup.select(".output.traceback, .output.error, .output.stderr"), page


def test_every_widget_on_a_page_has_saved_state(site):
    checked = 0
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        views = soup.find_all("script", type="application/vnd.jupyter.widget-view+json")
        if not views:
            continue
        states = soup.find_all("script", type="application/vnd.jupyter.widget-state+json")
        assert len(states) == 1, f"{page}: widgets but no saved widget state"
        state = json.loads(states[0].string)["state"]
        for v in views:
            mid = json.loads(v.string)["model_id"]
            assert mid in state, f"{page}: widget {mid} would be blank"
            checked += 1
    assert checked >= 1


def test_pages_cite_and_list_references(site):
    refs = BeautifulSoup((site / "book" / "references.html").read_text(), "html.parser").get_text()
    for needle in ("Lyons", "Valassi", "Chierici", "D'Agostini", "ATLAS-CONF-2014-054",
                   "James", "Cowan"):
        assert needle in refs, needle


def test_launch_and_download_buttons(site):
    soup = _page(site, NOTEBOOKS[0])
    hrefs = [a.get("href", "") for a in soup.find_all("a")]
    assert any("mybinder.org" in h and "/main?" in h for h in hrefs)
    assert any("hub/user-redirect/git-pull" in h for h in hrefs)
    assert soup.select(".dropdown-download-buttons") or any(h.endswith(".ipynb") for h in hrefs)
