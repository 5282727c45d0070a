"""The claims of the appendix "Published combinations", at the precision its prose shows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import gallery
from helpers.combination import gallery as cgallery


@pytest.fixture(scope="module")
def table():
    return gallery.comparison()


def test_comparison_puts_published_and_ours_side_by_side(table):
    assert list(table.index) == [cgallery.load(n).title for n in cgallery.NAMES]
    for q in cgallery.COMPARED:
        assert (q, "published") in table.columns and (q, "ours") in table.columns
    e = gallery.entry("lhc_mtop_7tev")
    row = table.loc[e.title]
    assert row[("value", "ours")] == pytest.approx(e.comb.value)
    assert row[("value", "published")] == 173.29
    assert row[("ndf", "")] == 4 and row[("measurements", "")] == 5 and row[("unit", "")] == "GeV"
    assert math.isnan(table.loc[gallery.entry("tevatron_mtop_2013").title, ("chi2", "published")])


def test_four_agree_within_three_spreads_the_largest_the_single_top_syst(table):
    """'Four combinations agree within that: at most 2.5 spreads. The largest of these, the
    single-top systematic uncertainty, ... rounds the same way.'"""
    col = ("largest difference", "in spreads")
    tev = gallery.entry("tevatron_mtop_2014").title
    others = table[col].drop(tev)
    assert len(others) == 4 and others.max() < 3 and table.at[tev, col] > 3
    st = gallery.entry("lhc_single_top_8tev")
    assert others.idxmax() == st.title
    sd = cgallery.spread(st)
    worst = max(cgallery.COMPARED, key=lambda q: abs(st.ours()[q] - getattr(st.published, q)) / sd[q])
    assert worst == "syst"
    assert round(st.ours()["syst"], 1) == st.published.syst


def test_tevatron_chi2_below_published_and_weakening_lowers_it():
    e = gallery.entry("tevatron_mtop_2014")
    assert round(e.comb.value, 2) == e.published.value and round(e.comb.error, 2) == e.published.total
    assert e.comb.chi2 < e.published.chi2
    weak = gallery.weakened_chi2(e)
    assert (weak.to_numpy() <= e.comb.chi2 + 0.02).all()
    assert weak.max().max() < e.published.chi2


def test_negative_weights_in_four_of_five():
    negative = [n for n in gallery.NAMES if gallery.entry(n).comb.has_negative_weights]
    assert len(negative) == 4 and "lhc_single_top_8tev" not in negative
    w = gallery.entry("lhc_mtop_7tev").comb.weights
    assert w.idxmin() == "CMSdilep" and w.min() < 0


def test_cms_dilepton_is_less_precise_than_and_correlated_with_the_other_cms():
    """The solution's reason for the negative weight: CMSdilep is less precise than the
    other two CMS measurements and correlated with them by more than 0.6; it stays
    negative with every ATLAS-CMS correlation set to zero."""
    e = gallery.entry("lhc_mtop_7tev")
    c = e.comb
    for other in ("CMSljets", "CMSalljets"):
        assert c.total_errors["CMSdilep"] > c.total_errors[other]
        assert c.correlation.loc["CMSdilep", other] > 0.6
    assert gallery.between_experiments(e, c.sources, 0.0).weights["CMSdilep"] < 0


def test_bjes_scan_moves_the_value_by_hundredths_less_than_a_tenth_of_its_error():
    e = gallery.entry("lhc_mtop_7tev")
    scan = gallery.correlation_scan(e, "bJES")
    shift = scan["value"].max() - scan["value"].min()
    assert 0.01 < shift < 0.1 and shift < 0.1 * e.comb.error
    assert scan["error"].max() - scan["error"].min() < shift
    assert scan.loc[0.5, "value"] == pytest.approx(e.comb.value)


def test_between_experiments_keeps_the_within_correlations():
    e = gallery.entry("lhc_mtop_7tev")
    c = gallery.between_experiments(e, "Rad", 0.0)
    r = c.source_correlations["Rad"]
    assert r.loc["ATLASljets", "ATLASdilep"] == 1 and r.loc["ATLASljets", "CMSljets"] == 0
    with pytest.raises(ValueError, match="between"):
        gallery.one_correlation_for_all(e, "sideways")


def test_experiments_of_a_table_without_them_are_the_measurements():
    e = gallery.entry("tevatron_mtop_2014")
    assert list(gallery.experiments(e)) == list(e.comb.names)
