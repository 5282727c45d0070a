"""Answers of the exercises in "Working with this book"."""

from . import Exercise, Mistake

N, REPEATS = 100, 10_000
"""The exercise: the standard deviation of 10 000 means of n = 100 standard-normal draws."""


def _sem() -> float:
    # the exact standard deviation of the mean of n unit-Gaussian draws: 1/sqrt(n)
    from ..intro import mean_distribution
    return float(mean_distribution(N).std())


def _sem_mc_error() -> float:
    """The Monte Carlo error of a standard deviation estimated from REPEATS means:
    sigma / sqrt(2 (REPEATS - 1)) for Gaussian samples."""
    return _sem() / (2 * (REPEATS - 1)) ** 0.5


def _spread_of_the_numbers() -> float:
    from ..intro import mean_distribution
    return float(mean_distribution(1).std())


EXERCISES = {
    # any seed passes: four times the Monte Carlo error of 10 000 means (0.0007), rounded
    # to one digit (0.003, 4.2 sigma), plus the rounding to four decimals; a student's
    # estimate lies outside it about once in 40 000 seeds
    "intro-sem": Exercise(
        _sem, atol=float(f"{4 * _sem_mc_error():.1g}"), decimals=4, what="the spread of the sample mean",
        mistakes=(Mistake(_spread_of_the_numbers, "This is the spread of the individual numbers: "
                          "the exercise asks for the spread of the sample means, one mean per sample."),)),
}
