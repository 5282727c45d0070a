import numpy as np
import pytest

from helpers.validation import (InputError, as_correlation, as_correlation_matrix,
                                as_covariance, as_positive_vector, as_vector,
                                check_same_length)


@pytest.mark.parametrize("bad, msg", [
    ([], "empty"), ([1.0, np.nan], "NaN"), ([[1, 2]], "one-dimensional"),
    (["a"], "numbers"), ([1.0, np.inf], "NaN or infinity"),
])
def test_as_vector_rejects(bad, msg):
    with pytest.raises(InputError, match=msg):
        as_vector(bad)


def test_as_vector_min_length_and_scalar():
    assert as_vector(3.0).tolist() == [3.0]
    with pytest.raises(InputError, match="at least 2"):
        as_vector([1.0], min_length=2)


def test_positive_vector():
    with pytest.raises(InputError, match="positive"):
        as_positive_vector([1.0, 0.0])
    assert as_positive_vector([1.0, 0.0], allow_zero=True).tolist() == [1.0, 0.0]
    with pytest.raises(InputError, match="non-negative"):
        as_positive_vector([-1.0], allow_zero=True)


def test_same_length():
    assert check_same_length(a=[1, 2], b=[3, 4]) == 2
    with pytest.raises(InputError, match="a has 2, b has 3"):
        check_same_length(a=[1, 2], b=[3, 4, 5])


@pytest.mark.parametrize("rho", [1.01, -1.5, np.nan, "x"])
def test_correlation_out_of_range(rho):
    with pytest.raises(InputError):
        as_correlation(rho)


def test_correlation_matrix():
    m = as_correlation_matrix(0.3, 3)
    assert np.allclose(np.diag(m), 1) and m[0, 2] == 0.3
    with pytest.raises(InputError, match="symmetric"):
        as_correlation_matrix([[1, 0.2], [0.3, 1]], 2)
    with pytest.raises(InputError, match="diagonal"):
        as_correlation_matrix([[0.9, 0.2], [0.2, 1]], 2)
    with pytest.raises(InputError, match="shape"):
        as_correlation_matrix(np.eye(3), 2)
    with pytest.raises(InputError, match="outside"):
        as_correlation_matrix([[1, 1.2], [1.2, 1]], 2)


@pytest.mark.parametrize("bad, msg", [
    ([[1, 0.5], [0.4, 1]], "not symmetric"),
    ([[1, 2], [2, 1]], "not positive definite"),
    ([[1, 1], [1, 1]], "singular|not positive definite"),
    ([[1, np.nan], [np.nan, 1]], "NaN"),
    ([1, 2], "square"),
    (np.eye(3), "2x2"),
])
def test_covariance_rejects(bad, msg):
    with pytest.raises(InputError, match=msg):
        as_covariance(bad, n=2)


def test_covariance_accepts_and_symmetrises():
    c = as_covariance([[4.0, 1.0], [1.0 + 1e-15, 9.0]])
    assert np.array_equal(c, c.T)


@pytest.mark.parametrize("bad, msg", [
    (True, "True/False"), ("3.0", "not text"), (1 + 2j, "complex"), (np.complex128(1.0), "complex"),
])
def test_as_number_refuses_what_float_would_silently_accept(bad, msg):
    from helpers.validation import as_number
    with pytest.raises(InputError, match=msg):
        as_number(bad)


@pytest.mark.parametrize("bad, msg", [
    ([True, False], "True/False"), (["1.0", "2.0"], "not text"), ([1.0, 2j], "complex"),
    ([1.0, "2"], "not text|real numbers"),
])
def test_as_vector_refuses_bool_text_complex(bad, msg):
    with pytest.raises(InputError, match=msg):
        as_vector(bad)


def test_same_length_of_nothing_is_an_input_error():
    with pytest.raises(InputError, match="at least one"):
        check_same_length()


def test_covariance_is_judged_by_its_correlations_at_any_scale():
    # uncorrelated with very different errors: fine (was called "fully correlated")
    c = as_covariance(np.diag([1e6, 1e-7]))
    assert c[0, 0] == 1e6
    for scale in (1e-300, 1e-150, 1.0, 1e150):
        as_covariance(scale * np.array([[1.0, 0.3], [0.3, 2.0]]))
    with pytest.raises(InputError, match="fully correlated"):
        as_covariance([[1.0, 1.0 - 1e-14], [1.0 - 1e-14, 1.0]])
    with pytest.raises(InputError, match="zero total uncertainty"):
        as_covariance([[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(InputError, match="complex"):
        as_covariance([[1.0, 0.1j], [-0.1j, 1.0]])


@pytest.mark.parametrize("values", [[True, 2.0], [2.0, np.False_], [[1.0, 2.0], [True, 1.0]], ("1.0", 2.0),
                                    [b"1", 2.0]])
def test_booleans_and_text_inside_a_list_are_refused(values):
    """numpy would turn [True, 2.0] into [1.0, 2.0] without a word."""
    from helpers import validation
    from helpers.combination import Combination
    with pytest.raises(InputError, match="must be numbers"):
        validation.as_real_array(values)
    if np.ndim(np.asarray(values, dtype=object)) == 1:
        with pytest.raises(InputError, match="must be numbers"):
            Combination(values, [1.0, 1.0], 0.0)


# ------------------------------------------------------------------ masked, huge, seeds
from helpers.validation import as_count, as_finite_array, as_number, as_real_array, as_seed  # noqa: E402


@pytest.mark.parametrize("convert", [as_real_array, as_vector, as_finite_array])
def test_masked_entries_are_refused_by_position(convert):
    values = np.ma.array([10.0, 1e6, 11.0], mask=[0, 1, 0])
    with pytest.raises(InputError, match=r"masked entries at \[1\]"):
        convert(values, "values")
    # a masked array with nothing masked is just its data
    assert np.array_equal(convert(np.ma.array([1.0, 2.0]), "values"), [1.0, 2.0])


def test_masked_matrix_names_row_and_column():
    cov = np.ma.array(np.eye(3), mask=np.eye(3, dtype=bool) & (np.arange(3) == 2))
    with pytest.raises(InputError, match=r"\(2, 2\)"):
        as_real_array(cov, "cov")


@pytest.mark.parametrize("value", [10**400, [1.0, 10**400], -(10**309)])
def test_integers_beyond_float_range_are_refused(value):
    with pytest.raises(InputError, match="floating-point range"):
        as_real_array(value, "x")


def test_count_beyond_any_maximum_is_shown_short():
    with pytest.raises(InputError, match=r"about 1e400 is larger than the maximum 10"):
        as_count(10**400, "size", maximum=10)


@pytest.mark.parametrize("seed", [0, 7, np.int32(7), 10**30])
def test_integer_seeds(seed):
    assert as_seed(seed) == int(seed)
    assert as_seed(seed, generator=False) == int(seed)


@pytest.mark.parametrize("seed", [-1, 1.5, 2.0, "7", True, np.bool_(False), None, [1], 1 + 0j])
def test_seeds_that_are_no_seed(seed):
    with pytest.raises(InputError, match="seed must be"):
        as_seed(seed)


def test_generators_only_where_state_is_allowed():
    rng, seq = np.random.default_rng(1), np.random.SeedSequence(1)
    assert as_seed(rng) is rng and as_seed(seq) is seq
    for seed in (rng, seq):
        with pytest.raises(InputError, match="non-negative integer, got"):
            as_seed(seed, generator=False)
    assert as_number(np.ma.array(3.0)) == 3.0
