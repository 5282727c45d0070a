"""The numbers glued into the LHC ttbar cross-section chapter, by section."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np

from .. import ttbar
from ..combination import zero_weight_correlation
from ..normalisation import course_problem
from . import Number as N


@cache
def context() -> SimpleNamespace:
    """The chapter's objects that several numbers share, built once."""
    comb = ttbar.lhc_combination()
    inputs = ttbar.inputs_table(comb)
    b = ttbar.breakdown(comb)["BLUE contribution"]
    p = ttbar.PUBLISHED
    spread = ttbar.rounding_spread(comb)
    u = comb.uncertainties.sort_values(ascending=False)
    own = ttbar.measurement_groups(comb)
    trials = ttbar.rounding_trials(comb)
    qd = ttbar.breakdown(comb)["quadratic difference"]
    iw = comb.information_weights()
    scan = ttbar.stability_scan(comb=comb)
    values = scan.xs("value", axis=1, level=1)
    errors = scan.xs("error", axis=1, level=1)
    ranking = ttbar.slope_ranking(comb)
    wscan = ttbar.information_scan(comb=comb)
    norm = ttbar.normalisation_combination()
    norm_it = norm.iterated("norm")
    lumi_it = comb.iterated(list(ttbar.LUMI))
    syst_it = comb.iterated([s for s in comb.sources if s not in ttbar.STAT])
    return SimpleNamespace(comb=comb, inputs=inputs, b=b, p=p, spread=spread, u=u, own=own, trials=trials, qd=qd, iw=iw, scan=scan, values=values, errors=errors, ranking=ranking, wscan=wscan, norm=norm, norm_it=norm_it, lumi_it=lumi_it, syst_it=syst_it)


NUMBERS = {
    "inputs": {
        "ttbar_n_sources": N(lambda c: len(c.comb.sources), ".0f"),
        "ttbar_n_full": N(lambda c: (c.inputs['correlation'] == 1.0).sum(), ".0f"),
        "ttbar_n_half": N(lambda c: (c.inputs['correlation'] == 0.5).sum(), ".0f"),
        "ttbar_n_zero": N(lambda c: (c.inputs['correlation'] == 0.0).sum(), ".0f"),
        "ttbar_y_atlas": N(lambda c: c.comb.values['ATLAS'], ".1f"),
        "ttbar_y_cms": N(lambda c: c.comb.values['CMS'], ".1f"),
    },
    "covariance": {
        "ttbar_sig_atlas": N(lambda c: c.comb.total_errors['ATLAS'], ".2f"),
        "ttbar_sig_cms": N(lambda c: c.comb.total_errors['CMS'], ".2f"),
        "ttbar_corr": N(lambda c: c.comb.correlation.loc['ATLAS', 'CMS'], ".3f"),
        "ttbar_threshold": N(lambda c: zero_weight_correlation(c.comb), ".2f"),
        "ttbar_threshold_3": N(lambda c: zero_weight_correlation(c.comb), ".3f"),
        "ttbar_corr_all_full": N(lambda c: c.comb.with_correlation(c.comb.sources, 1.0).correlation.loc['ATLAS', 'CMS'], ".3f"),
    },
    "result": {
        "ttbar_value": N(lambda c: c.comb.value, ".2f"),
        "ttbar_error": N(lambda c: c.comb.error, ".2f"),
        "ttbar_stat": N(lambda c: c.b['stat'], ".2f"),
        "ttbar_syst": N(lambda c: c.b['syst'], ".2f"),
        "ttbar_lumi": N(lambda c: c.b['lumi'], ".2f"),
        "ttbar_w_atlas": N(lambda c: c.comb.weights['ATLAS'], ".3f"),
        "ttbar_pvalue": N(lambda c: c.comb.pvalue, ".2f"),
        "ttbar_pub_value": N(lambda c: c.p.value, ".1f"),
        "ttbar_pub_stat": N(lambda c: c.p.stat, ".1f"),
        "ttbar_pub_syst": N(lambda c: c.p.syst, ".1f"),
        "ttbar_pub_lumi": N(lambda c: c.p.lumi, ".1f"),
        "ttbar_pub_w_atlas": N(lambda c: c.p.weights['ATLAS'], ".3f"),
        "ttbar_pub_w_cms": N(lambda c: c.p.weights['CMS'], ".3f"),
        "ttbar_pub_chi2": N(lambda c: c.p.chi2, ".3f"),
        "ttbar_pub_pvalue": N(lambda c: c.p.pvalue, ".2f"),
        "ttbar_pub_corr_pct": N(lambda c: 100 * c.p.correlation, ".1f"),
    },
    "half_variance": {
        "ttbar_half_var": N(lambda c: c.comb.error ** 2 / 2, ".2f"),
        "ttbar_sqrt_half_var": N(lambda c: np.sqrt(c.comb.error ** 2 / 2), ".2f"),
    },
    "rounding": {
        "ttbar_sd_stat": N(lambda c: c.spread.loc['stat', 'std'], ".3f"),
        "ttbar_sd_syst": N(lambda c: c.spread.loc['syst', 'std'], ".3f"),
        "ttbar_sd_lumi": N(lambda c: c.spread.loc['lumi', 'std'], ".3f"),
        "ttbar_sd_w": N(lambda c: c.spread.loc['weight ATLAS', 'std'], ".3f"),
        "ttbar_sd_chi2": N(lambda c: c.spread.loc['chi2', 'std'], ".4f"),
        "ttbar_lumi_min": N(lambda c: c.spread.loc['lumi', 'min'], ".2f"),
        "ttbar_lumi_max": N(lambda c: c.spread.loc['lumi', 'max'], ".2f"),
        "ttbar_n_trials": N(lambda c: ttbar.ROUNDING_TRIALS, ".0f"),
        "ttbar_edge": N(lambda c: c.p.lumi - 0.05, ".2f"),
        "ttbar_edge_below": N(lambda c: c.p.lumi - 0.1, ".1f"),
        "ttbar_lumi_edge": N(lambda c: c.b['lumi'] - (c.p.lumi - 0.05), ".2f"),
        "ttbar_total_rounded": N(lambda c: ttbar.published_total(), ".2f"),
    },
    "contributions": {
        "ttbar_u_lumi": N(lambda c: c.u['Lumi'], ".2f"),
        "ttbar_u_vdm": N(lambda c: c.u['Vdm'], ".2f"),
        "ttbar_u_mcps": N(lambda c: c.u['MC+PS'], ".2f"),
        "ttbar_u_pdf": N(lambda c: c.u['PDF'], ".2f"),
        "ttbar_u_stat": N(lambda c: c.u['Stat'], ".2f"),
        "ttbar_cms_lumi": N(lambda c: c.own.loc['lumi', 'CMS'], ".2f"),
        "ttbar_lumi_diff": N(lambda c: c.b['lumi'] - c.own.loc['lumi', 'CMS'], ".2f"),
        "ttbar_lumi_above_pct": N(lambda c: 100 * (c.trials['lumi'] > c.trials['lumi CMS']).mean(), ".0f"),
        "ttbar_atlas_lumi": N(lambda c: c.own.loc['lumi', 'ATLAS'], ".2f"),
        "ttbar_atlas_syst": N(lambda c: c.own.loc['syst', 'ATLAS'], ".2f"),
        "ttbar_pdf_atlas": N(lambda c: c.comb.errors.loc['ATLAS', 'PDF'], ".1f"),
        "ttbar_pdf_cms": N(lambda c: c.comb.errors.loc['CMS', 'PDF'], ".1f"),
        "ttbar_n_syst": N(lambda c: len(ttbar.groups(c.comb)['syst']), ".0f"),
        "ttbar_qd_syst": N(lambda c: c.qd['syst'], ".2f"),
        "ttbar_qd_lumi": N(lambda c: c.qd['lumi'], ".2f"),
        "ttbar_qd_quad": N(lambda c: np.sqrt((c.qd.drop('total') ** 2).sum()), ".2f"),
    },
    "information": {
        "ttbar_iiw_atlas": N(lambda c: c.iw.loc['ATLAS', 'intrinsic'], ".3f"),
        "ttbar_iiw_cms": N(lambda c: c.iw.loc['CMS', 'intrinsic'], ".3f"),
        "ttbar_iiw_sum": N(lambda c: c.iw.loc[['ATLAS', 'CMS'], 'intrinsic'].sum(), ".3f"),
        "ttbar_iiw_corr": N(lambda c: c.iw.loc['correlations', 'intrinsic'], ".3f"),
        "ttbar_miw_atlas": N(lambda c: c.iw.loc['ATLAS', 'marginal'], ".3f"),
        "ttbar_miw_cms": N(lambda c: c.iw.loc['CMS', 'marginal'], ".3f"),
        "ttbar_sigma_unc": N(lambda c: ttbar.uncorrelated_error(c.comb), ".2f"),
        "ttbar_neutral_corr": N(lambda c: ttbar.information_neutral_correlation(c.comb), ".2f"),
    },
    "pulls": {
        "ttbar_pull_atlas": N(lambda c: c.comb.pulls['ATLAS'], "+.3f"),
        "ttbar_pull_sq": N(lambda c: c.comb.pulls['ATLAS'] ** 2, ".4f"),
        "ttbar_pull_prob_pct": N(lambda c: 100 * ttbar.pull_probability(c.comb), ".0f"),
    },
    "stability": {
        "ttbar_scan_value_range": N(lambda c: c.values.max().max() - c.values.min().min(), ".3f"),
        "ttbar_scan_value_range_pct": N(lambda c: 100 * (c.values.max().max() - c.values.min().min()) / c.comb.error, ".0f"),
        "ttbar_scan_shift": N(lambda c: (c.values - c.comb.value).abs().max().max(), ".2f"),
        "ttbar_scan_shift_sigma": N(lambda c: (c.values - c.comb.value).abs().max().max() / c.comb.error, ".3f"),
        "ttbar_all_err_0": N(lambda c: c.errors['all'].iloc[0], ".2f"),
        "ttbar_all_err_1": N(lambda c: c.errors['all'].iloc[-1], ".2f"),
        "ttbar_vdm_err_0": N(lambda c: c.errors['Vdm'].iloc[0], ".2f"),
        "ttbar_mcps_err_0": N(lambda c: c.errors['MC+PS'].iloc[0], ".2f"),
        "ttbar_mcps_err_1": N(lambda c: c.errors['MC+PS'].iloc[-1], ".2f"),
        "ttbar_slope_vdm": N(lambda c: c.ranking["Vdm"], ".2f"),
        "ttbar_slope_mcps": N(lambda c: c.ranking["MC+PS"], ".2f"),
        "ttbar_slope_stop": N(lambda c: c.ranking["STop"], ".2f"),
        "ttbar_slope_scale": N(lambda c: c.ranking["Scale"], ".2f"),
        "ttbar_slope_jesf": N(lambda c: c.ranking["JESf"], ".2f"),
        "ttbar_slope_pdf": N(lambda c: c.ranking["PDF"], ".2f"),
    },
    "weight_scan": {
        "ttbar_all_w_0": N(lambda c: c.wscan['all']['weight ATLAS'].iloc[0], ".3f"),
        "ttbar_all_w_1": N(lambda c: c.wscan['all']['weight ATLAS'].iloc[-1], ".3f"),
        "ttbar_all_corr_0": N(lambda c: c.wscan['all']['correlations'].iloc[0], ".3f"),
        "ttbar_all_corr_1": N(lambda c: c.wscan['all']['correlations'].iloc[-1], ".3f"),
    },
    "normalisation": {
        "ttbar_norm_0": N(lambda c: c.norm.value, ".3f"),
        "ttbar_norm_value": N(lambda c: c.norm_it.value, ".4f"),
        "ttbar_norm_error": N(lambda c: c.norm_it.error, ".4f"),
        "ttbar_norm_rel": N(lambda c: course_problem().relative_covariance_fit().value, ".4f"),
    },
    "iterated": {
        "ttbar_lumi_it_value": N(lambda c: c.lumi_it.value, ".2f"),
        "ttbar_lumi_it_error": N(lambda c: c.lumi_it.error, ".2f"),
        "ttbar_lumi_it_n": N(lambda c: c.lumi_it.history.index[-1], ".0f"),
        "ttbar_lumi_it_shift": N(lambda c: c.lumi_it.value - c.comb.value, ".3f"),
        "ttbar_y_diff_pct": N(lambda c: 100 * abs(c.comb.values['ATLAS'] - c.comb.values['CMS']) / c.comb.value, ".1f"),
        "ttbar_syst_it_shift": N(lambda c: c.syst_it.value - c.comb.value, ".3f"),
    },
}
