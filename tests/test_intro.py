"""The chapter "Working with this book" (``helpers.intro``): the mean of n draws."""

import numpy as np
import pytest

from helpers import SEED, InputError
from helpers.intro import mean_distribution, sample_means
from helpers.selfcheck import check, expected


def test_sem_answer_matches_monte_carlo():
    means = sample_means(100, 20_000, np.random.default_rng(SEED))
    assert np.std(means, ddof=1) == pytest.approx(expected("intro-sem"), rel=0.02)
    assert check("intro-sem", np.std(means, ddof=1))


@pytest.mark.parametrize("n", [1, 4, 100])
def test_sample_means_spread_is_the_closed_form(n):
    """The spread of the Monte Carlo means is sigma/sqrt(n), the exact distribution's."""
    means = sample_means(n, 40_000, np.random.default_rng(SEED))
    assert np.std(means, ddof=1) == pytest.approx(mean_distribution(n).std(), rel=0.02)
    assert abs(np.mean(means)) < 4 * mean_distribution(n).std() / np.sqrt(40_000)


def test_sample_means_refuses_too_many_draws_and_a_seed_instead_of_a_generator():
    with pytest.raises(InputError, match="maximum"):
        sample_means(10**5, 10**4, np.random.default_rng(SEED))
    with pytest.raises(InputError, match="Generator"):
        sample_means(10, 10, SEED)
