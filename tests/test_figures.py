"""Every chapter figure draws, and every slider panel survives its extreme positions.

The panels are driven exactly as a student drags the sliders; an impossible setting
must show a message (InputError), never raise anything else.
"""

import itertools

import matplotlib
import numpy as np
import pytest

from helpers import wmass as wmass_numbers
from helpers.figures import intro, normalisation, wmass

matplotlib.use("Agg")


COMMON, TOTAL = wmass.PANELS["common"], wmass.PANELS["total"]
NORM = normalisation.PANELS["normalisation"]


@pytest.mark.parametrize("rho, th", [(rho, th) for rho in COMMON.sliders[0].positions(3)
                                    for th in (COMMON.sliders[1].lo, COMMON.start["theory_4q"],
                                               COMMON.sliders[1].hi)])
def test_wmass_common_panel_corners(rho, th):
    panel = COMMON.widget()
    text = panel.update(rho_common=rho, theory_4q=th)
    assert text.startswith("m_W = ") and len(panel.output.outputs) == 1
    comb = wmass_numbers.lep_combination(rho, th)
    assert f"{comb.value:.1f} ± {comb.error:.1f}" in text
    assert f"total correlation {comb.correlation.iat[0, 1]:.3f}" in text
    assert not comb.has_negative_weights     # unreachable with these inputs (see chapter)


@pytest.mark.parametrize("rho", [-1.0, 1.0])
def test_wmass_total_panel_singular_ends_show_message(rho):
    panel = TOTAL.widget()
    text = panel.update(rho_total=rho)
    assert text.startswith("Impossible setting") and "positive definite" in text
    assert panel.output.outputs == ()


def test_wmass_total_panel_negative_weight_regime():
    panel = TOTAL.widget()
    assert "Negative weight" not in panel.update(rho_total=0.69)
    assert "Negative weight" in panel.update(rho_total=0.71)
    assert "Negative weight" in panel.update(rho_total=0.99)


def test_common_scan_matches_direct_combinations():
    comb_half = wmass_numbers.lep_combination(0.5)
    comb_zero = wmass_numbers.lep_combination(0.0)
    assert comb_zero.error < comb_half.error < wmass_numbers.lep_combination().error
    assert wmass_numbers.lep_combination().error == pytest.approx(39.0, abs=0.05)


@pytest.mark.parametrize("corner", NORM.grid(2))
def test_normalisation_panel_corners(corner):
    panel = NORM.widget()
    kw = corner
    text = panel.update(**kw)
    assert text.startswith("covariance from measured values") and len(panel.output.outputs) == 1
    p = normalisation.course_problem(**kw)
    assert f"N on prediction: {p.nuisance_fit('prediction').value:.2f}" in text


def test_normalisation_panel_equal_measurements():
    panel = NORM.widget()
    text = panel.update(y2=8.0)
    assert "8.00" in text and len(panel.output.outputs) == 1


def test_static_figures_draw():
    import matplotlib.pyplot as plt
    for draw in (intro.draw_spread_vs_n, wmass.draw_chi2, wmass.draw_common_scan,
                 wmass.draw_theory_scan, wmass.draw_total_scan, normalisation.draw_ellipses,
                 normalisation.draw_mean_difference, normalisation.draw_valley,
                 normalisation.draw_estimates, normalisation.draw_norm_scan,
                 normalisation.draw_input_scans, normalisation.draw_chi2_curves):
        fig = plt.figure()
        draw(fig)
        assert fig.axes and all(ax.has_data() for ax in fig.axes)
        plt.close(fig)


def test_toy_figure_draws_with_a_small_study():
    import matplotlib.pyplot as plt

    from helpers import normalisation_toys
    fig = plt.figure()
    normalisation.draw_toy_bias(fig, normalisation_toys.run(20_000))
    assert len(fig.axes) == 2 and all(ax.has_data() for ax in fig.axes)
    plt.close(fig)


@pytest.mark.parametrize("rho", [-0.5, 0.7, 0.9])
def test_wmass_total_panel_grid(rho):
    panel = TOTAL.widget()
    text = panel.update(rho_total=rho)
    comb = wmass_numbers.total_correlation_combination(rho)
    assert f"{comb.value:.1f} ± {comb.error:.1f}" in text and len(panel.output.outputs) == 1
    assert ("Negative weight" in text) == comb.has_negative_weights


@pytest.mark.parametrize("kw", [dict(norm_rel=0.15, stat_rel=0.02, y2=7.5), dict(norm_rel=0.05, stat_rel=0.05, y2=9.0)])
def test_normalisation_panel_grid(kw):
    panel = NORM.widget()
    text = panel.update(**kw)
    p = normalisation.course_problem(**kw)
    assert f"covariance from measured values: {p.covariance_fit().value:.2f}" in text
    assert len(panel.output.outputs) == 1


def test_valley_refuses_zero_normalisation():
    import matplotlib.pyplot as plt
    from helpers import InputError
    fig = plt.figure()
    with pytest.raises(InputError, match="no N"):
        normalisation.draw_valley(fig, normalisation.course_problem(norm_rel=0.0))
    plt.close(fig)


def test_scan_figures_mark_the_inputs():
    import matplotlib.pyplot as plt
    comb = wmass_numbers.lep_combination()
    for draw in (wmass.draw_common_scan, wmass.draw_theory_scan, wmass.draw_total_scan):
        fig = plt.figure()
        draw(fig)
        top = fig.axes[0]
        levels = {round(line.get_ydata()[0], 6) for line in top.get_lines()
                  if len(set(np.atleast_1d(line.get_ydata()))) == 1}
        assert set(np.round(comb.values.to_numpy(), 6)) <= levels
        plt.close(fig)


def test_ellipse_touching_point_lies_on_line_and_contour():
    p = normalisation.course_problem()
    mu, c = p.touching_point()
    d = np.array([mu, mu]) - p.values
    assert d @ np.linalg.solve(p.covariance_measured(), d) == pytest.approx(c**2)
    assert mu == pytest.approx(p.covariance_fit().value)


def test_normalisation_panel_far_range_holds_every_slider_setting():
    """The panel's wide axis range contains every value and interval edge the sliders can
    reach (grid of 7 x 6 x 7 positions, ends included), so nothing is cut off."""
    panel = normalisation.Panel()
    lo, hi = panel.FAR
    for n, s, y in itertools.product(np.linspace(0, 0.3, 7), np.linspace(0.005, 0.1, 6),
                                     np.linspace(7, 10, 7)):
        d = panel.compute(norm_rel=n, stat_rel=s, y2=y)
        ends = [d["mu"], *d["y"]] + [v for e in d["estimates"].values()
                                    for v in (e.value, e.lower, e.upper) if np.isfinite(v)]
        assert lo < min(ends) and max(ends) < hi, (n, s, y)
