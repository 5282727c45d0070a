"""The ttbar chapter's summary plot and the stability scan in units of the combined error.

Each figure is drawn on the book's inputs and its plotted numbers are read back from
the axes' artists and compared with numbers computed here from :class:`Combination`
directly (not through the figure module's helpers).
"""

import matplotlib
import numpy as np
import pytest

from helpers import ttbar
from helpers.figures import ttbar as figs

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def comb():
    return ttbar.lhc_combination()


@pytest.fixture
def fig():
    f = plt.figure()
    yield f
    plt.close(f)


def _rows(ax):
    """(label, x, y, lower, upper) of every error bar container: the point and its bar."""
    out = []
    for c in ax.containers:
        data_line, _, (bars,) = c.lines
        (x0, x1), (y0, y1) = np.sort(bars.get_segments()[0], axis=0).T
        assert y0 == y1  # horizontal
        x = data_line.get_xdata()[0] if data_line is not None else np.nan
        y = data_line.get_ydata()[0] if data_line is not None else y0
        out.append((c.get_label(), x, y, x0, x1))
    return out


def _blue_stat(comb):
    """The combination's statistical error: sqrt(w^T C_Stat w), from the weights and
    the Stat covariance."""
    w = comb.weights.to_numpy()
    return float(np.sqrt(w @ comb.source_covariances["Stat"].to_numpy() @ w))


# ----------------------------------------------------------------------------- summary
def test_summary_shows_three_points_in_order(comb, fig):
    figs.draw_summary(fig, comb)
    (ax,) = fig.axes
    total = [r for r in _rows(ax) if not r[0].startswith("_")]
    assert [r[0] for r in total] == ["ATLAS", "CMS", "combination"]
    ys = [r[2] for r in total]
    assert ys[0] > ys[1] > ys[2]  # top to bottom: ATLAS, CMS, combination
    ticks = {t: lab.get_text() for t, lab in zip(ax.get_yticks(), ax.get_yticklabels())}
    assert [ticks[y] for y in ys] == ["ATLAS", "CMS", "combination"]


def test_summary_points_and_bars_are_the_combinations_numbers(comb, fig):
    figs.draw_summary(fig, comb)
    (ax,) = fig.axes
    rows = {r[0]: r for r in _rows(ax)}
    expected = {m: (comb.values[m], comb.total_errors[m], comb.errors.loc[m, "Stat"])
                for m in comb.names}
    expected["combination"] = (comb.value, comb.error, _blue_stat(comb))
    assert set(rows) == {*expected, *(f"_stat {k}" for k in expected)}
    for name, (v, tot, stat) in expected.items():
        _, x, y, lo, hi = rows[name]
        assert x == pytest.approx(v, abs=1e-12)
        assert (lo, hi) == pytest.approx((v - tot, v + tot), abs=1e-12)
        _, _, ys, slo, shi = rows[f"_stat {name}"]
        assert ys == y and (slo, shi) == pytest.approx((v - stat, v + stat), abs=1e-12)
        assert stat < tot
    # the printed numbers are the data's, rounded as printed
    texts = " ".join(t.get_text() for t in ax.texts)
    for v, tot, stat in expected.values():
        assert f"{v:.1f} $\\pm$ {tot:.1f}" in texts and f"{stat:.1f} stat" in texts
    assert f"{comb.chi2:.2f}/{comb.ndf}" in texts


def test_summary_band_is_the_combined_interval(comb, fig):
    figs.draw_summary(fig, comb)
    (ax,) = fig.axes
    (band,) = ax.patches
    xs = band.get_patch_transform().transform(band.get_path().vertices)[:, 0]
    assert (xs.min(), xs.max()) == pytest.approx((comb.value - comb.error,
                                                  comb.value + comb.error), abs=1e-12)
    lo, hi = ax.get_xlim()
    assert all(lo < r[3] and r[4] < hi for r in _rows(ax))  # every bar inside the axis


def test_summary_without_stat_source_draws_total_bars_only(comb, fig):
    reduced = comb.without("Stat")
    figs.draw_summary(fig, reduced)
    (ax,) = fig.axes
    rows = _rows(ax)
    assert [r[0] for r in rows] == ["ATLAS", "CMS", "combination"]
    assert rows[-1][1] == pytest.approx(reduced.value, abs=1e-12)
    assert "stat" not in " ".join(t.get_text() for t in ax.texts)


# -------------------------------------------------------------------- sigma stability scan
def test_sigma_scan_is_the_shift_in_units_of_the_error(comb, fig):
    figs.draw_stability_sigma(fig, comb=comb)
    (ax,) = fig.axes
    curves = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert list(curves) == [*ttbar.SCAN_SOURCES, "all of them"]
    for label, line in curves.items():
        srcs = list(ttbar.SCAN_SOURCES) if label == "all of them" else [label]
        rhos = line.get_xdata()
        assert rhos[0] == 0.0 and rhos[-1] == 1.0 and len(rhos) == 21
        expected = [(comb.with_correlation(srcs, float(r)).value - comb.value) / comb.error
                    for r in rhos]
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=0, atol=1e-12)
        # the point of the figure: every shift is small against the combined error
        assert np.all(np.abs(line.get_ydata()) < 0.1)
    largest = max(np.max(np.abs(ln.get_ydata())) for ln in curves.values())
    assert f"largest shift: {largest:.3f}" in " ".join(t.get_text() for t in ax.texts)
    assert f"{largest * comb.error:.2f} pb" in " ".join(t.get_text() for t in ax.texts)


def test_sigma_scan_marks_nominal_and_one_sigma(comb, fig):
    figs.draw_stability_sigma(fig, comb=comb)
    (ax,) = fig.axes
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert len(dots) == len(ttbar.SCAN_SOURCES)
    for dot, s in zip(dots, ttbar.SCAN_SOURCES):
        assert dot.get_xdata()[0] == comb.source_correlations[s].iat[0, 1]
        assert dot.get_ydata()[0] == pytest.approx(0.0, abs=1e-12)
    flat = {float(ln.get_ydata()[0]) for ln in ax.get_lines()
            if ln.get_label().startswith("_") and len(set(ln.get_ydata())) == 1
            and ln.get_marker() != "o"}
    assert {-1.0, 0.0, 1.0} <= flat
    lo, hi = ax.get_ylim()
    assert lo < -1.0 and hi > 1.0
    (band,) = ax.patches
    ys = band.get_patch_transform().transform(band.get_path().vertices)[:, 1]
    assert (ys.min(), ys.max()) == (-1.0, 1.0)


def test_stability_scan_default_unchanged(comb, fig):
    figs.draw_stability_scan(fig, comb=comb)
    ax1, ax2 = fig.axes
    scan = ttbar.stability_scan(comb=comb)
    line = next(ln for ln in ax1.get_lines() if ln.get_label() == "Vdm")
    np.testing.assert_array_equal(line.get_ydata(), scan["Vdm"]["value"].to_numpy())


def test_figures_are_deterministic(comb):
    def data(draw):
        f = plt.figure()
        draw(f, comb=comb)
        out = [np.asarray(ln.get_xydata()).tolist() for ax in f.axes for ln in ax.get_lines()]
        plt.close(f)
        return out

    for draw in (figs.draw_summary, figs.draw_stability_sigma):
        assert data(draw) == data(draw)
