"""The numbers glued into "Combining two W-mass measurements", by section."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np

from .. import wmass
from ..combination import zero_weight_correlation
from . import Number as N


@cache
def context() -> SimpleNamespace:
    """The chapter's objects that several numbers share, built once."""
    comb = wmass.lep_combination()
    groups = comb.grouped(wmass.GROUPS)
    groups.loc["sum in quadrature"] = np.sqrt((groups.drop(index="total") ** 2).sum())
    zero_theory = wmass.lep_combination(theory_4q=0.0)
    reach = wmass.slider_reach()
    return SimpleNamespace(
        comb=comb, sigma=wmass.total_errors(comb), unc=comb.uncertainties,
        qd=comb.quadratic_difference(), groups=groups, wrong=comb.without("exp_syst"),
        common=[wmass.lep_combination(r) for r in np.linspace(-1, 1, 41)],
        zero_theory=zero_theory, zero_theory_sigma=wmass.total_errors(zero_theory),
        reach=reach, reach_top=reach.loc[reach["total correlation"].idxmax()],
        cases=wmass.shared_error_cases(), strong=wmass.total_correlation_combination(0.9))


def _error(c, source, row):
    return c.comb.errors[source].iloc[row]


NUMBERS = {
    "inputs": {
        "wmass_beam_4q": N(lambda c: _error(c, "beam_energy", 0), ".0f"),
        "wmass_thc_4q": N(lambda c: _error(c, "theory_common", 0), ".0f"),
        "wmass_thc_lv": N(lambda c: _error(c, "theory_common", 1), ".0f"),
    },
    "covariance": {
        "wmass_c11": N(lambda c: c.comb.covariance.iat[0, 0], ".0f"),
        "wmass_c22": N(lambda c: c.comb.covariance.iat[1, 1], ".0f"),
        "wmass_c12": N(lambda c: c.comb.covariance.iat[0, 1], ".0f"),
        "wmass_sigma1": N(lambda c: c.sigma[0], ".1f"),
        "wmass_sigma2": N(lambda c: c.sigma[1], ".1f"),
        "wmass_rho_tot": N(lambda c: c.comb.correlation.iat[0, 1], ".3f"),
    },
    "result": {
        "wmass_value": N(lambda c: c.comb.value, ".1f"),
        "wmass_error": N(lambda c: c.comb.error, ".1f"),
        "wmass_chi2": N(lambda c: c.comb.chi2, ".3f"),
        "wmass_pvalue": N(lambda c: c.comb.pvalue, ".2f"),
        "wmass_w1": N(lambda c: c.comb.weights.iloc[0], ".2f"),
        "wmass_w2": N(lambda c: c.comb.weights.iloc[1], ".2f"),
    },
    "breakdown": {
        "wmass_beam_blue": N(lambda c: c.unc["beam_energy"], ".1f"),
        "wmass_th4q_blue": N(lambda c: c.unc["theory_4q"], ".1f"),
        "wmass_th4q_qd": N(lambda c: c.qd["theory_4q"], ".1f"),
        "wmass_thc_qd": N(lambda c: c.qd["theory_common"], ".1f"),
        "wmass_stat_blue": N(lambda c: c.unc["stat"], ".1f"),
        "wmass_stat_qd": N(lambda c: c.qd["stat"], ".1f"),
    },
    "groups": {
        "wmass_theory_blue": N(lambda c: c.groups.loc["theory", "BLUE contribution"], ".1f"),
        "wmass_theory_qd": N(lambda c: c.groups.loc["theory", "quadratic difference"], ".1f"),
        "wmass_theory_wrong": N(lambda c: np.hypot(c.qd["theory_4q"], c.qd["theory_common"]), ".1f"),
        "wmass_groups_qd_sum": N(lambda c: c.groups.loc["sum in quadrature", "quadratic difference"], ".1f"),
    },
    "wrong": {
        "wmass_wrong_c11": N(lambda c: c.wrong.covariance.iat[0, 0], ".0f"),
        "wmass_wrong_c22": N(lambda c: c.wrong.covariance.iat[1, 1], ".0f"),
        "wmass_wrong_value": N(lambda c: c.wrong.value, ".1f"),
        "wmass_wrong_error": N(lambda c: c.wrong.error, ".1f"),
        "wmass_wrong_shift": N(lambda c: abs(c.wrong.value - c.comb.value), ".2f"),
        "wmass_wrong_deficit": N(lambda c: c.comb.error - c.wrong.error, ".1f"),
    },
    "common": {
        "wmass_common_lo": N(lambda c: min(x.value for x in c.common), ".1f"),
        "wmass_common_hi": N(lambda c: max(x.value for x in c.common), ".1f"),
        "wmass_err_anti": N(lambda c: c.common[0].error, ".1f"),
    },
    "theory": {
        "wmass_cross": N(lambda c: wmass.theory_weight_crossover(), ".0f"),
        "wmass_th0_w1": N(lambda c: c.zero_theory.weights.iloc[0], ".2f"),
        "wmass_th0_s1": N(lambda c: c.zero_theory_sigma[0], ".1f"),
        "wmass_th0_s2": N(lambda c: c.zero_theory_sigma[1], ".1f"),
    },
    "reach": {
        "wmass_threshold": N(lambda c: zero_weight_correlation(c.comb), ".3f"),
        "wmass_reach_rho": N(lambda c: c.reach_top["total correlation"], ".3f"),
        "wmass_reach_threshold": N(lambda c: c.reach_top["threshold"], ".2f"),
        "wmass_reach_theory": N(lambda c: c.reach_top["theory_4q"], ".0f"),
        "wmass_reach_min_weight": N(lambda c: c.reach["smallest weight"].min(), ".3f"),
    },
    "cases": {
        "wmass_case_equal_a": N(lambda c: c.cases.loc[0, "shared 4 jets"], ".1f"),
        "wmass_case_equal_b": N(lambda c: c.cases.loc[1, "shared 4 jets"], ".0f"),
        "wmass_case_equal_w1": N(lambda c: c.cases.loc[0, "weight 4 jets"], ".3f"),
        "wmass_case_big_a1": N(lambda c: c.cases.loc[3, "shared 4 jets"], ".0f"),
        "wmass_case_big_a2": N(lambda c: c.cases.loc[3, "shared lepton"], ".1f"),
        "wmass_case_big_w1": N(lambda c: c.cases.loc[3, "weight 4 jets"], ".3f"),
    },
    "overall": {
        "wmass_strong_value": N(lambda c: c.strong.value, ".1f"),
        "wmass_strong_error": N(lambda c: c.strong.error, ".1f"),
        "wmass_strong_w1": N(lambda c: c.strong.weights.iloc[0], ".2f"),
        "wmass_strong_below": N(lambda c: (c.comb.values.min() - c.strong.value) / c.strong.error, ".2f"),
        "wmass_peak_error": N(lambda c: wmass.error_peak(c.comb)[1], ".1f"),
        "wmass_err_rho0": N(lambda c: wmass.overall_error(0.0, c.comb), ".1f"),
        "wmass_err_rho099": N(lambda c: wmass.overall_error(0.99, c.comb), ".1f"),
        "wmass_rho_star": N(lambda c: wmass.conservative_correlation(c.comb), ".3f"),
        "wmass_lim_w1": N(lambda c: wmass.full_correlation_limit(+1, c.comb)["w1"], ".2f"),
        "wmass_lim_w1_anti": N(lambda c: wmass.full_correlation_limit(-1, c.comb)["w1"], ".2f"),
    },
    "without_beam": {
        "wmass_nobeam_error": N(lambda c: c.comb.without("beam_energy").error, ".1f"),
    },
    "uncorrelated": {
        "wmass_uncorr_error": N(lambda c: c.comb.with_correlation(list(wmass.COMMON), 0.0).error, ".1f"),
    },
}
