import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

from helpers import InputError
from helpers.text import glue_number, round_significant


def test_round_significant_removes_last_bit_noise():
    assert round_significant(np.float64(0.8136105365979216)) == 0.813611
    assert round_significant(0.8136105365979217) == 0.813611
    assert round_significant(80450.56077904634) == 80450.6
    assert round_significant(-1.23456789e-150) == -1.23457e-150
    assert round_significant(0) == 0.0


def test_glue_number_stores_the_rounded_value_and_returns_nothing():
    shell = InteractiveShell.instance()
    shown = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append((data, metadata))
    try:
        assert glue_number("x", 0.8136105365979216) is None
    finally:
        InteractiveShell.clear_instance()
    [(data, meta)] = shown
    assert meta["scrapbook"]["name"] == "x"
    assert data["application/papermill.record/text/plain"] == "0.813611"


@pytest.mark.parametrize("bad", [np.nan, np.inf, [1.0, 2.0], "abc"])
def test_glue_number_rejects_non_numbers(bad):
    with pytest.raises(InputError):
        glue_number("x", bad)
