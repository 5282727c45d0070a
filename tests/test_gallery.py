"""The gallery of published combinations (book/data/gallery): each one reproduced from its
public inputs by the book's BLUE, against the published numbers, within the rounding of
the inputs; and the readers of its formats, which refuse a malformed file naming the file,
the row and the column.

Tolerance of each comparison: the larger of
* ``K`` x the rounding spread (the standard deviation over ``TRIALS`` rounding trials:
  every printed value and error redrawn uniformly within +- half its last digit, seeded
  ``numpy.random.default_rng(SEED)``), and
* the published rounding (half the last printed digit of the published number).
Each check says which of the two it used. The one known disagreement (the chi2 of the
2014 Tevatron combination) is tested as such, with its reason.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from helpers import SEED, InputError
from helpers.combination import Combination, gallery

K = 3
TRIALS = 400

QUANTITIES = ("value", "stat", "syst", "total", "chi2")

#: (combination, quantity) -> why ours differs from the published number by more than the
#: tolerance; tested to stay within ``KNOWN_BOUND`` rounding spreads.
KNOWN = {
    ("tevatron_mtop_2014", "chi2"): (
        "chi2 10.72 against the published 10.8: 0.08 (3.0 rounding spreads, above the published "
        "rounding 0.05). Value, stat, syst and total agree, so the correlation model of Nisius' "
        "example reproduces the paper; the chi2 alone is more sensitive to the two-digit "
        "rounding of the table (the CDF Run-I entries are rounded to 0.1 GeV) than uniform "
        "independent rounding trials capture, or the paper computed it from unrounded inputs. "
        "Not a correlation detail: halving or zeroing any one source's correlations lowers "
        "the chi2 (test_tevatron_chi2_not_a_correlation_detail)."
    ),
}
KNOWN_BOUND = 4


@pytest.fixture(scope="module")
def entries():
    return {n: gallery.load(n) for n in gallery.NAMES}


@pytest.fixture(scope="module")
def spreads(entries):
    return {n: gallery.spread(e, n=TRIALS, rng=np.random.default_rng(SEED))
            for n, e in entries.items()}


def _check(entries, spreads, name, quantity, published):
    e = entries[name]
    ours = e.ours()[quantity]
    sd = float(spreads[name][quantity])
    rounding = e.published.rounding[quantity]
    tol, which = max((K * sd, f"{K} x rounding spread {sd:.4g}"),
                     (rounding, f"published rounding {rounding:g}"))
    diff = ours - published
    return diff, tol, which, sd


def _cases():
    for n in gallery.NAMES:
        for q in QUANTITIES:
            yield n, q


@pytest.mark.parametrize("name,quantity", list(_cases()))
def test_published_result(entries, spreads, name, quantity):
    """Value, stat, syst, total and chi2 of each combination against the published ones."""
    pub = getattr(entries[name].published, quantity)
    if isinstance(pub, float) and math.isnan(pub):
        pytest.skip(f"{name}: no published {quantity} reachable (see its meta.yaml)")
    diff, tol, which, sd = _check(entries, spreads, name, quantity, pub)
    if (name, quantity) in KNOWN:
        assert tol < abs(diff) < KNOWN_BOUND * sd, KNOWN[(name, quantity)]
        return
    assert abs(diff) <= tol, (f"{name} {quantity}: ours {pub + diff:.5g}, published {pub:g}, "
                              f"difference {diff:+.3g} > tolerance {tol:.3g} ({which})")


def test_ndf(entries):
    for n, e in entries.items():
        assert e.comb.ndf == e.published.ndf == e.comb.n - 1, n


def test_single_top_weights_and_correlation(entries, spreads):
    """ATLAS-CONF-2013-098: weights 0.35 / 0.65, total correlation 38 %."""
    e = entries["lhc_single_top_8tev"]
    for m, w in e.published.weights.items():
        diff, tol, which, _ = _check(entries, spreads, e.name, f"weight {m}", w)
        assert abs(diff) <= tol, (m, diff, which)
    diff, tol, which, _ = _check(entries, spreads, e.name, "correlation", e.published.correlation)
    assert abs(diff) <= tol, (diff, which)


def test_single_top_is_iterated(entries):
    """Relative uncertainties: the systematic ones follow the combined value, stat stays."""
    e = entries["lhc_single_top_8tev"]
    assert e.relative and "StatData" not in e.relative and e.comb.history is not None
    plain = gallery.load_folder(gallery.gallery_dir() / e.name)  # loads iterated again
    assert plain.comb.value == pytest.approx(e.comb.value, abs=1e-12)
    rel = e.comb.errors["JES"] / e.comb.value
    assert rel["ATLAS"] == pytest.approx(0.077) and rel["CMS"] == pytest.approx(0.068)
    assert e.comb.errors.at["ATLAS", "StatData"] == pytest.approx(0.024 * 95.1)


def test_largest_difference_in_rounding_spreads(entries, spreads):
    """The largest |ours - published| / rounding spread over the gallery, known ones included."""
    worst = max(
        (abs(entries[n].ours()[q] - getattr(entries[n].published, q)) / spreads[n][q], n, q)
        for n, q in _cases() if not math.isnan(getattr(entries[n].published, q)))
    assert worst[0] < KNOWN_BOUND, worst


def test_rounding_trials_are_seeded_and_centred(entries):
    e = entries["lhc_mtop_7tev"]
    a = gallery.rounding_trials(e, n=50, rng=np.random.default_rng(SEED))
    b = gallery.rounding_trials(e, n=50, rng=np.random.default_rng(SEED))
    assert a.equals(b)
    tiny = gallery.rounding_trials(
        gallery.Entry(**{**e.__dict__, "value_half_widths": e.value_half_widths * 1e-9,
                         "error_half_widths": e.error_half_widths * 1e-9}), n=5)
    ours = e.ours()
    for q in QUANTITIES:
        assert np.allclose(tiny[q], ours[q], rtol=1e-6, atol=1e-8), q


def test_rounding_trials_iterate_like_the_combination(entries):
    e = entries["lhc_single_top_8tev"]
    tiny = gallery.rounding_trials(
        gallery.Entry(**{**e.__dict__, "value_half_widths": e.value_half_widths * 1e-9,
                         "error_half_widths": e.error_half_widths * 1e-9}), n=5)
    assert np.allclose(tiny["value"], e.comb.value, atol=1e-6)
    assert np.allclose(tiny["total"], e.comb.error, atol=1e-6)


def test_half_width():
    assert gallery._half_width("0.30") == pytest.approx(0.005)
    assert gallery._half_width("174.34") == pytest.approx(0.005)
    assert gallery._half_width("3") == pytest.approx(0.5)
    assert gallery._half_width("1.5e-3") == pytest.approx(0.00005)


def test_tevatron_correlation_model(entries):
    """The model of Table 2 of arXiv:1407.2682 (Nisius' example): a few pairs by hand."""
    r = entries["tevatron_mtop_2014"].comb.source_correlations
    assert r["bJES"].loc["CI  l+j", "DII dil"] == 1
    assert r["rJES"].loc["CI  l+j", "CII had"] == 1 and r["rJES"].loc["CI  l+j", "DI  l+j"] == 0
    assert r["aJES"].loc["CI  l+j", "CII l+j"] == 0 and r["aJES"].loc["CII l+j", "CII Met"] == 1
    assert r["iJES"].loc["DII l+j", "DII dil"] == 1 and r["iJES"].loc["CII l+j", "CII had"] == 0
    assert r["BGMC"].loc["CI  dil", "DII dil"] == 1 and r["BGMC"].loc["CI  dil", "CI  l+j"] == 0
    assert r["BGDT"].loc["CII l+j", "CII Lxy"] == 1 and r["BGDT"].loc["CII l+j", "CII Met"] == 0
    assert (r["Stat"].to_numpy() == np.eye(12)).all()


def test_tevatron_chi2_not_a_correlation_detail(entries):
    """Weakening any one correlated source of the 2014 model lowers the chi2: no such detail
    of the model brings 10.72 up to the published 10.8."""
    c = entries["tevatron_mtop_2014"].comb
    for s in c.sources:
        r = c.source_correlations[s].to_numpy()
        if np.array_equal(r, np.eye(c.n)):
            continue
        for f in (0.5, 0.0):
            weaker = np.where(np.eye(c.n) == 1, 1.0, f * r)
            assert c.with_correlation(s, weaker).chi2 <= c.chi2 + 0.02, (s, f)


def test_lhc_7tev_correlation_rows(entries):
    r = entries["lhc_mtop_7tev"].comb.source_correlations
    assert r["insituJES"].loc["ATLASljets", "ATLASdilep"] == 1
    assert r["insituJES"].loc["ATLASljets", "CMSljets"] == 0
    assert r["intercalibJES"].loc["ATLASdilep", "CMSalljets"] == 0.5
    assert r["Stats"].loc["CMSljets", "CMSdilep"] == 0


def test_every_format_loads(entries):
    fmts = {gallery._meta(gallery.gallery_dir() / n)["format"] for n in gallery.NAMES}
    assert fmts == {"table", "rho_rows", "gvm_yaml"}
    assert entries["lhc_mtop_7_8tev"].comb.sources[:2] == ["stat", "LHCJES1"]
    assert len(entries["lhc_mtop_7_8tev"].comb.sources) == 26
    assert isinstance(entries["lhc_mtop_7_8tev"].comb, Combination)


def test_unknown_name():
    with pytest.raises(InputError, match="no combination 'nope'"):
        gallery.load("nope")


# --------------------------------------------------------------------- malformed files
def _copy(tmp_path, name):
    dst = tmp_path / name
    shutil.copytree(gallery.gallery_dir() / name, dst)
    return dst


def _edit(path, old, new, count=1):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def test_bad_number_in_table(tmp_path):
    d = _copy(tmp_path, "lhc_mtop_7tev")
    _edit(d / "measurements.csv", "CMSdilep,172.50,0,0.69", "CMSdilep,172.50,0,0.6x9")
    with pytest.raises(InputError, match=r"measurements\.csv, row 'CMSdilep', column 'uJES'"):
        gallery.load_folder(d)


def test_negative_error_in_table(tmp_path):
    d = _copy(tmp_path, "tevatron_mtop_2014")
    _edit(d / "measurements.csv", "CII Lxy,166.90,9.00", "CII Lxy,166.90,-9.00")
    with pytest.raises(InputError, match=r"measurements\.csv, row 'CII Lxy', column 'Stat'.*negative"):
        gallery.load_folder(d)


def test_missing_value_column(tmp_path):
    d = _copy(tmp_path, "lhc_single_top_8tev")
    _edit(d / "measurements.csv", "Exp,Value,", "Exp,Val,")
    with pytest.raises(InputError, match=r"measurements\.csv: no column 'Value'"):
        gallery.load_folder(d)


def test_missing_correlation_row(tmp_path):
    d = _copy(tmp_path, "lhc_mtop_7tev")
    _edit(d / "measurements.csv", "rho_lhc,", "rho_xyz,")
    with pytest.raises(InputError, match="no row 'rho_lhc'"):
        gallery.load_folder(d)


def test_bad_correlation_in_row(tmp_path):
    d = _copy(tmp_path, "lhc_single_top_8tev")
    _edit(d / "measurements.csv", "Corr,0,0,0,1,", "Corr,0,0,0,1.5,")
    with pytest.raises(InputError, match=r"row 'Corr', column 'Calib'.*\[-1, 1\]"):
        gallery.load_folder(d)


def test_labelled_matrix_bad_number(tmp_path):
    d = _copy(tmp_path, "tevatron_mtop_2014")
    _edit(d / "corr_cdf2_lj_lxy.csv", "CII Lxy,0.0,0.0,0.0,0.0,0.0,1.0", "CII Lxy,0.0,0.0,0.0,0.0,0.0,one")
    with pytest.raises(InputError, match=r"corr_cdf2_lj_lxy\.csv, row 'CII Lxy', column 'CII l\+j'"):
        gallery.load_folder(d)


def test_labelled_matrix_asymmetric(tmp_path):
    d = _copy(tmp_path, "tevatron_mtop_2014")
    _edit(d / "corr_cdf2_lj_lxy.csv", "CII Lxy,0.0,0.0,0.0,0.0,0.0,1.0", "CII Lxy,0.0,0.0,0.0,0.0,0.0,0.5")
    with pytest.raises(InputError, match=r"corr_cdf2_lj_lxy\.csv, row 'CII l\+j', column 'CII Lxy'"
                                         r": the matrix is not symmetric"):
        gallery.load_folder(d)


def test_labelled_matrix_wrong_shape(tmp_path):
    d = _copy(tmp_path, "tevatron_mtop_2014")
    lines = (d / "corr_same_channel.csv").read_text().splitlines()
    (d / "corr_same_channel.csv").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(InputError, match=r"corr_same_channel\.csv: must be a 12x12 matrix.*"
                                         r"missing row\(s\) \['CII Met'\]"):
        gallery.load_folder(d)


def test_text_matrix_bad_number(tmp_path):
    d = _copy(tmp_path, "lhc_mtop_7_8tev")
    _edit(d / "correlations" / "CR.txt", "1.000000 -1.000000", "1.000000 -l.000000")
    with pytest.raises(InputError, match=r"CR\.txt, row 1, column 2: a correlation must be a number"):
        gallery.load_folder(d)


def test_text_matrix_asymmetric(tmp_path):
    d = _copy(tmp_path, "lhc_mtop_7_8tev")
    p = d / "correlations" / "ptmiss.txt"
    _edit(p, "0.180000 0.090000 0.000000 0.710000 0.360000", "0.180000 0.090000 0.000000 0.710000 0.860000")
    with pytest.raises(InputError, match=r"ptmiss\.txt, row 5, column 6: the matrix is not symmetric"
                                         r" \(0\.36 here, 0\.86"):
        gallery.load_folder(d)


def test_text_matrix_wrong_shape(tmp_path):
    d = _copy(tmp_path, "lhc_mtop_7_8tev")
    p = d / "correlations" / "JER.txt"
    lines = p.read_text().splitlines()
    lines[3] = " ".join(lines[3].split()[:-1])
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"JER\.txt, row 4: 15 columns expected, got 14"):
        gallery.load_folder(d)
    p.write_text("\n".join(lines[:-2]) + "\n")
    with pytest.raises(InputError, match=r"JER\.txt: a 15x15 matrix needs 15 rows, got"):
        gallery.load_folder(d)


def test_text_matrix_out_of_range_and_diagonal(tmp_path):
    d = _copy(tmp_path, "lhc_mtop_7_8tev")
    p = d / "correlations" / "CR.txt"
    orig = p.read_text()
    _edit(p, "1.000000 -1.000000 1.000000", "0.900000 -1.000000 1.000000")
    with pytest.raises(InputError, match=r"CR\.txt, row 1, column 1: the diagonal"):
        gallery.load_folder(d)
    p.write_text(orig)
    _edit(p, "1.000000 -1.000000 1.000000", "1.000000 -1.200000 1.000000")
    with pytest.raises(InputError, match=r"CR\.txt, row 1, column 2: .*\[-1, 1\]"):
        gallery.load_folder(d)


def test_yaml_bad_entry(tmp_path):
    d = _copy(tmp_path, "lhc_mtop_7_8tev")
    _edit(d / "LHC_comb.yaml", "central: 172.33", "central: 172.3x")
    with pytest.raises(InputError, match=r"LHC_comb\.yaml, row 'b', column 'value'"):
        gallery.load_folder(d)
    _edit(d / "LHC_comb.yaml", "central: 172.3x", "central: 172.33")
    _edit(d / "LHC_comb.yaml", "value: [0.54, 0.33, 0.38,", "value: [0.33, 0.38,")
    with pytest.raises(InputError, match=r"LHC_comb\.yaml, source 'LHCJES1', column shift\.value: "
                                         r"15 entries expected, got 14"):
        gallery.load_folder(d)


def test_meta_errors(tmp_path):
    d = _copy(tmp_path, "tevatron_mtop_2014")
    _edit(d / "meta.yaml", "  Meth: 0\n", "")
    with pytest.raises(InputError, match=r"meta\.yaml: correlations: no entry for source\(s\) \['Meth'\]"):
        gallery.load_folder(d)
    _edit(d / "meta.yaml", "  MHI:", "  Meth: 0\n  MHI:")
    _edit(d / "meta.yaml", "stat_sources: [Stat]", "stat_sources: [Statistics]")
    with pytest.raises(InputError, match=r"stat_sources \['Statistics'\] are not sources"):
        gallery.load_folder(d)
    _edit(d / "meta.yaml", "format: table", "format: xml")
    with pytest.raises(InputError, match="unknown format 'xml'"):
        gallery.load_folder(d)


def test_side_by_side_shows_the_comparison_as_printed():
    """The page's table: published numbers with the digits their source prints, ours to
    three decimals, the same numbers as comparison(); a published chi2 not reachable shows
    as a dash."""
    from helpers import gallery as page
    table = page.comparison()
    shown = page.side_by_side(table)
    assert shown.shape == (2 * len(page.NAMES), 6)
    for name, (_, t) in zip(page.NAMES, table.iterrows()):
        label = f"{page.SHORT[name]} [{t[('unit', '')]}]"
        pub, ours = shown.loc[(label, "published")], shown.loc[(label, "ours")]
        for q in ("value", "stat", "syst", "total"):
            assert float(ours[q]) == round(float(t[(q, "ours")]), 3)
            assert float(pub[q]) == float(t[(q, "published")])
            half = gallery.load(name).published.rounding[q]
            assert len(pub[q].split(".")[1]) == round(-np.log10(2 * half))   # as printed
        assert (pub["χ²/ndf"] == "–") == bool(np.isnan(t[("chi2", "published")]))
        assert float(ours["diff [spreads]"]) == pytest.approx(t[("largest difference", "in spreads")], abs=0.05)
    assert (shown.xs("published", level=1)["χ²/ndf"] == "–").sum() == 1
