import numpy as np
import pytest

from helpers import InputError
from helpers.text import glue_number


def test_glue_number_rounds_to_significant_digits(capsys):
    assert glue_number("x", np.float64(0.8136105365979216)) == 0.813611
    assert glue_number("x", 0.8136105365979217) == 0.813611   # last-bit noise is gone
    assert glue_number("y", 80450.56077904634) == 80450.6
    assert glue_number("z", 0) == 0.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, [1.0, 2.0], "abc"])
def test_glue_number_rejects_non_numbers(bad):
    with pytest.raises(InputError):
        glue_number("x", bad)
