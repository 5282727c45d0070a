"""Answers of the exercises in "Working with this book"."""

import math

from . import Exercise


def _sem_100() -> float:
    # standard deviation of the mean of 100 unit-Gaussian draws: 1/sqrt(n)
    return 1.0 / math.sqrt(100)


EXERCISES = {
    "intro-sem": Exercise(_sem_100, rtol=0.05, what="the spread of the sample mean"),
}
