"""The reading-length count of ``python -m bookbuild words``."""

import pytest

from bookbuild.budget import _words, core_markdown

SAMPLE = """## A section

Two sentences of prose, with $x^2$ inline and `code` inline.

```{exercise}
:label: demo-one

Exercise text counts here.
```

```{dropdown} Hint 1
Hidden hint words.
```

```{admonition} Going deeper
:class: dropdown

Four hidden words here.

```python
print("code is never counted")
```
```

$$
a = b + c
$$

```{note}
A visible note.
```
"""


def test_core_path_leaves_out_collapsed_blocks_code_and_display_maths():
    core, hidden = core_markdown(SAMPLE)
    assert "Exercise text counts here." in core and "A visible note." in core
    assert "Hidden hint words." in hidden and "Four hidden words here." in hidden
    assert "print" not in core + hidden
    # "A section" 2, the sentence 9 (a formula is one word, code none), exercise 4, note 3
    assert _words(core) == 2 + 9 + 4 + 3
    assert _words(hidden) == 2 + 3 + 2 + 4        # the titles "Hint 1", "Going deeper" count


def test_words_of_roles_links_and_numbers():
    assert _words("see [the table](x.md), {cite}`key` and 80,450.6 MeV") == 6


def test_the_introduction_gives_the_path_in_toc_order_with_a_time_per_chapter():
    """book/intro.md lists every page of _toc.yml, in its order, each with its time; every
    chapter with a budget is one session of at most 90 minutes."""
    import re

    from bookbuild import ROOT, toc_notebooks
    from bookbuild.budget import BUDGET, EXEMPT

    text = (ROOT / "book" / "intro.md").read_text()
    table = text[text.index("## The path through the book"):]
    rows = re.findall(r"^\| \{doc\}`(\w+)` \|.*\| (\d+) min \|$", table, flags=re.M)
    assert [name for name, _ in rows] == [nb.stem for nb in toc_notebooks()]
    for name, minutes in rows:
        assert int(minutes) <= (30 if name in EXEMPT else 90), name
    assert BUDGET <= 2000


def _chapters():
    from bookbuild import toc_notebooks
    from bookbuild.budget import EXEMPT
    return [p for p in toc_notebooks() if p.stem not in EXEMPT]


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.stem)
def test_a_chapter_core_path_is_one_session(path):
    """At most BUDGET words of prose outside collapsed blocks in the student edition, and the
    chapter keeps its depth: the whole chapter is longer than its core path."""
    pytest.importorskip("pybtex", reason="the editions' citation text (absent in Pyodide's environment)")
    from bookbuild.budget import BUDGET, reading
    r = reading(path)
    assert r.core_words <= BUDGET, f"{path.stem}: {r.core_words} words on the core path"
    assert r.core_words > 0 and r.exercises > 0
