"""The chapters' tables of glued numbers (``helpers.numbers``): each number is defined once,
there, and the stored chapter and its prose use exactly the table."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import nbformat
import pytest

import helpers.numbers
from bookbuild import ROOT
from bookbuild.editions import glue_formats, glue_values
from glued import assert_shown
from helpers import CHAPTERS, InputError
from helpers.numbers import Number, section, values
from helpers import text
from helpers.text import glue_section

TABLES = sorted(m.name for m in pkgutil.iter_modules(helpers.numbers.__path__))


def _table(name):
    return importlib.import_module(f"helpers.numbers.{name}")


def _notebook(name):
    return nbformat.read(ROOT / "book" / f"{CHAPTERS[name]}.ipynb", as_version=4)


def test_every_table_is_a_chapter():
    assert TABLES and set(TABLES) <= set(CHAPTERS)


@pytest.mark.parametrize("name", TABLES)
def test_table_keys_carry_the_chapter_name_and_appear_once(name):
    keys = [k for entries in _table(name).NUMBERS.values() for k in entries]
    assert len(keys) == len(set(keys))
    assert all(k.startswith(f"{name}_") for k in keys)
    assert all(isinstance(n, Number) for entries in _table(name).NUMBERS.values() for n in entries.values())


@pytest.mark.parametrize("name", TABLES)
def test_prose_shows_exactly_the_table_at_its_formats(name):
    """Every key the prose prints is in the table, at the table's format, and every table
    entry is printed."""
    table = {k: fmt for k, (_, fmt) in values(_table(name)).items()}
    assert glue_formats(_notebook(name)) == table


@pytest.mark.parametrize("name", TABLES)
def test_stored_chapter_holds_the_table(name):
    """The stored notebook glued every table entry, with the value the table computes (at the
    precision the reader is shown), and nothing else."""
    stored = glue_values(_notebook(name))
    computed = values(_table(name))
    assert set(stored) == set(computed)
    for key, (value, fmt) in computed.items():
        assert_shown(stored[key], value, fmt, key)


@pytest.mark.parametrize("name", TABLES)
def test_notebook_glues_through_the_table(name):
    """The chapter glues its numbers only by sections of its table, each section once."""
    code = "\n".join(c.source for c in _notebook(name).cells if c.cell_type == "code")
    assert "glue_number(" not in code
    for sec in _table(name).NUMBERS:
        assert code.count(f'glue_section(numbers, "{sec}")') == 1, sec


def test_glue_section_glues_a_section_and_refuses_an_unknown_one(monkeypatch):
    from helpers.numbers import wmass

    monkeypatch.setitem(sys.modules, "myst_nb", None)      # as in the browser: kept in GLUED
    monkeypatch.setattr("helpers.text.GLUED", {})
    glue_section(wmass, "result")
    for key, number in section(wmass, "result").items():
        assert_shown(text.GLUED[key], number.compute(wmass.context()), number.fmt, key)
    assert set(text.GLUED) == set(section(wmass, "result"))
    with pytest.raises(InputError, match="no section 'nope'.*result"):
        glue_section(wmass, "nope")
