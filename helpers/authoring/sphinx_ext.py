"""The book's Sphinx extension (listed in ``_config.yml``).

* One citation style for the text and the reference list: it registers the pybtex style
  ``authoryear``, so the reference list is labelled ``[Lyons et al., 1988]`` exactly as
  sphinxcontrib-bibtex's ``author_year`` citations appear in the text; the JupyterLab
  editions write the same text (:func:`helpers.authoring.editions.citation_text`).
* The offline widget manager: the ipywidgets HTML manager (``assets/vendor``) finds its
  own files (fonts) through require.js's module path. Each page tells require.js where
  the vendored copy is, relative to that page, so nothing is fetched from a CDN.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle

__all__ = ["authors_text", "AuthorYearLabels", "AuthorYearStyle", "setup"]

#: where the widget manager is served from, relative to the site root
WIDGET_MANAGER = "_static/vendor/html-manager"


def _plain(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def authors_text(entry) -> str:
    """``Lyons``, ``James and Roos`` or ``Lyons et al.``, as in an author-year citation."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]
    if not last:
        return _plain(entry.fields.get("title", entry.key))
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


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


def setup(app):
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    app.connect("html-page-context", _require_paths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
