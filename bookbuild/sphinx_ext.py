"""The book's Sphinx extension: ``_config.yml`` loads it as a local extension
(``sphinx.local_extensions``, Jupyter Book 1 puts the repository root on ``sys.path``).

* One citation style for the text and the reference list: it registers the pybtex style
  ``authoryear``, so the reference list is labelled ``[Lyons et al., 1988]`` exactly as
  sphinxcontrib-bibtex's ``author_year`` citations appear in the text; the JupyterLab
  editions write the same text (:func:`bookbuild.citations.citation_text`).
* The offline widget manager: the ipywidgets HTML manager (``assets/vendor``) finds its
  own files (fonts) through require.js's module path. Each page tells require.js where
  the vendored copy is, relative to that page, so nothing is fetched from a CDN.
* Live mode (``book_lite: true`` under ``sphinx.config`` in ``_config.yml``): after the
  HTML is written, a JupyterLite site is built into ``lite/`` (:mod:`.lite`) and every
  chapter page gets a "Run this chapter live" button under its title that opens the
  chapter's lite copy there. ``book_lite: false`` builds neither.
"""

from __future__ import annotations

import html
from pathlib import Path

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.errors import ExtensionError
from sphinx.util import logging

from . import BuildError
from .citations import authors_text
from .lite import build_lite_site

__all__ = ["AuthorYearLabels", "AuthorYearStyle", "setup"]

#: where the widget manager is served from, relative to the site root
WIDGET_MANAGER = "_static/vendor/html-manager"


class AuthorYearLabels(BaseLabelStyle):
    """Labels ``Lyons et al., 1988``."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield f"{authors_text(entry)}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` entries, sorted by author, with author-year labels."""

    default_label_style = AuthorYearLabels


def _require_paths(app, pagename, templatename, context, doctree) -> None:
    # before require.js (priority < 500): the module "@jupyter-widgets/html-manager/dist/*"
    # lives in our vendored folder, so the manager loads its fonts from there
    where = context["pathto"](WIDGET_MANAGER, 1)
    app.add_js_file(None, priority=400, body=(
        'var require = {paths: {"@jupyter-widgets/html-manager/dist": "%s"}};' % where))


#: where the lite site goes, relative to the site root, and the app the button opens
LITE_APP = "lite/notebooks/index.html"
LITE_BUTTON_CLASS = "lite-launch"


def _is_chapter(app, pagename: str) -> bool:
    try:
        return str(app.env.doc2path(pagename)).endswith(".ipynb")
    except Exception:                       # pages Sphinx generates (search, genindex)
        return False


def lite_button(href: str) -> str:
    """The HTML of the "Run this chapter live" button."""
    return (f'<p class="{LITE_BUTTON_CLASS}"><a class="btn btn-sm btn-outline-primary" '
            f'href="{html.escape(href)}" title="Opens this chapter in JupyterLite: Python runs '
            'inside your browser, with working sliders (needs internet for the first start)">'
            '&#9654; Run this chapter live in your browser</a></p>')


def _lite_button(app, pagename, templatename, context, doctree) -> None:
    if not app.config.book_lite or doctree is None or not _is_chapter(app, pagename):
        return
    body = context.get("body", "")
    href = context["pathto"](LITE_APP, 1) + "?path=" + Path(pagename).name + ".ipynb"
    button = lite_button(href)
    cut = body.find("</h1>")
    context["body"] = (body[:cut + 5] + button + body[cut + 5:]) if cut >= 0 else button + body


def _build_lite(app, exception) -> None:
    if exception is not None or not app.config.book_lite or app.builder.format != "html":
        return
    logging.getLogger(__name__).info("building the live (JupyterLite) site into lite/ ...")
    work = Path(app.outdir).parent / "lite_work"
    try:
        build_lite_site(Path(app.outdir), work)
    except BuildError as exc:
        raise ExtensionError(f"live mode: {exc}") from exc


def setup(app):
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    app.add_config_value("book_lite", False, "html", [bool])
    app.connect("html-page-context", _require_paths)
    app.connect("html-page-context", _lite_button)
    app.connect("build-finished", _build_lite)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
