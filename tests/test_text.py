import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

from helpers import InputError
from helpers.text import glue_number, round_significant, shown


def test_round_significant_removes_last_bit_noise():
    assert round_significant(np.float64(0.8136105365979216), 6) == 0.813611
    assert round_significant(0.8136105365979217, 6) == 0.813611
    assert round_significant(0.8136105365979216) == round_significant(0.8136105365979217)
    assert round_significant(80450.56077904634, 6) == 80450.6
    assert round_significant(-1.23456789e-150, 6) == -1.23457e-150
    assert round_significant(0) == 0.0


def test_glued_numbers_are_rounded_once_by_the_prose_not_twice():
    # 241.4645 pb printed with two decimals is 241.46; six significant digits first
    # would have made it 241.465 and then 241.47
    assert f"{round_significant(241.46454):.2f}" == "241.46"
    assert f"{round_significant(0.1234549999):.5f}" == "0.12345"


def test_shown_is_what_the_reader_sees():
    assert shown(241.46454, ".2f") == 241.46
    assert shown(0.8136105365979216, ".3f") == shown(0.8136105365979217, ".3f") == 0.814
    assert shown(80450.56077904634, ",.0f") == 80451.0
    assert shown(-1.8e-15, "+.1e") == -1.8e-15
    assert shown(2.5e-4, ".2g") == 0.00025
    # a result that is zero in exact arithmetic is shown as 0, whatever its sign in floating point
    for tiny in (-1.8e-15, 1.8e-15, -0.0):
        assert str(shown(tiny, ".3f")) == "0.0"
        assert format(shown(tiny, "+.3f"), "+.3f") == "+0.000"


@pytest.mark.parametrize("fmt", ["", "2f", ".2", ".2d", "%", ".2%", "{:.2f}", None, 2])
def test_shown_refuses_a_format_that_is_not_one_number_spec(fmt):
    with pytest.raises(InputError, match="format"):
        shown(1.0, fmt)


def test_glue_number_stores_the_rounded_value_and_returns_nothing():
    pytest.importorskip("myst_nb", reason="the book build's glue (absent in Pyodide's environment)")
    shell = InteractiveShell.instance()
    shown = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append((data, metadata))
    try:
        assert glue_number("x", 0.8136105365979216, ".3f") is None
    finally:
        InteractiveShell.clear_instance()
    [(data, meta)] = shown
    assert meta["scrapbook"]["name"] == "x"
    assert data["application/papermill.record/text/plain"] == "0.814"


@pytest.mark.parametrize("bad", [np.nan, np.inf, [1.0, 2.0], "abc"])
def test_glue_number_rejects_non_numbers(bad):
    with pytest.raises(InputError):
        glue_number("x", bad, ".2f")
