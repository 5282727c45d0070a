"""The figures of the appendix "Published combinations": one per combination."""

import matplotlib
import pytest

from helpers import gallery
from helpers.figures import gallery as figs

matplotlib.use("Agg")


@pytest.mark.parametrize("name", gallery.NAMES)
def test_one_point_per_measurement_the_results_and_the_title(name):
    import matplotlib.pyplot as plt

    e = gallery.entry(name)
    fig = plt.figure()
    figs.draw_combination(fig, e)
    [ax] = fig.axes
    assert ax.get_title() == e.title
    points = [c for c in ax.containers if c.lines[0] is not None]   # errorbars with markers
    assert [len(c.lines[0].get_xdata()) for c in points] == [e.comb.n, 1, 1]
    assert list(points[0].lines[0].get_xdata()) == list(e.comb.values)
    assert points[1].lines[0].get_xdata()[0] == pytest.approx(e.comb.value)
    assert points[2].lines[0].get_xdata()[0] == e.published.value
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:e.comb.n] == list(e.comb.names) and labels[-1].startswith("published")
    band = ax.patches[0].get_extents() if ax.patches else None
    assert band is not None
    plt.close(fig)
