"""Build the website with warnings as errors and inspect the HTML a reader gets."""

import json
import re

import nbformat
import pytest
from bs4 import BeautifulSoup

from bookbuild import ROOT, toc_notebooks

NOTEBOOKS = toc_notebooks()


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


def test_no_link_to_a_placeholder_and_download_button_present(site):
    # the lecturer has not configured a repository or hub: no button may point anywhere
    # made up (or to Jupyter Book's own repository, its default)
    for page in site.rglob("*.html"):
        html = page.read_text()
        for bad in ("YOUR-ORGANISATION", "example.org", "executablebooks/jupyter-book"):
            assert bad not in html, f"{page.name} links to a placeholder: {bad}"
    soup = _page(site, NOTEBOOKS[0])
    hrefs = [a.get("href", "") for a in soup.find_all("a")]
    assert soup.select(".dropdown-download-buttons") or any(h.endswith(".ipynb") for h in hrefs)


_REMOTE = re.compile(r"^(https?:)?//", re.I)


def test_pages_load_nothing_from_another_host(site):
    """Scripts, styles and fonts come from the site itself (offline lecture halls)."""
    checked = 0
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url or (tag == "link" and "stylesheet" not in el.get("rel", [])
                               and "preload" not in el.get("rel", [])):
                    continue
                assert not _REMOTE.match(url), f"{page.name} loads {url}"
                checked += 1
    assert checked > 50
    vendor = site / "_static" / "vendor"
    for needed in ("mathjax/tex-mml-chtml.js", "requirejs/require.js", "html-manager/embed-amd.js"):
        assert (vendor / needed).is_file(), needed


def test_vendored_files_are_the_pinned_versions():
    from bookbuild.vendor import FILES, VENDOR, pinned_versions

    for package, version in pinned_versions().items():
        dest = FILES[package][0]
        assert (VENDOR / dest / "VERSION").read_text().split() == [package, version]


def test_every_figure_has_caption_and_alt_text(site):
    for path in NOTEBOOKS:
        soup = _page(site, path)
        imgs = [img for out in soup.select("div.cell_output") for img in out.find_all("img")
                if not img.find_parent(class_="jupyter-widgets")]
        for img in imgs:
            alt = img.get("alt", "")
            assert len(alt) > 40 and "/" not in alt.split()[0], f"{path.stem}: alt {alt!r}"
            fig = img.find_parent("figure")
            assert fig is not None and len(fig.find("figcaption").get_text(strip=True)) > 40


def test_citations_read_the_same_in_text_list_and_jupyterlab(site):
    from bookbuild.citations import citation_text

    listed = BeautifulSoup((site / "book" / "references.html").read_text(), "html.parser")
    labels = {lab.get_text(strip=True).strip("[]") for lab in listed.select(".citation .label, dt.label")}
    assert labels and all(re.fullmatch(r".+, \d{4}", lab) for lab in labels), labels
    raw = re.compile(r"\$|\\[a-z]+\{|\\sqrt")
    assert not raw.search(listed.get_text()), "raw LaTeX on the references page"
    seen = 0
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        keys = [m.group(1) for c in nb.cells if c.cell_type == "markdown"
                for m in re.finditer(r"\{cite\}`([^`,]+)`", c.source)]
        text = _page(site, path).get_text()
        for key in keys:
            lab = citation_text(key)
            assert lab in text, f"{path.stem}: the website does not show {lab}"
            assert lab.strip("[]") in labels
            seen += 1
    assert seen >= 5
