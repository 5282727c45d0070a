"""The reading-length count of ``python -m bookbuild words``."""

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
