"""The numbers glued into "Error propagation", by section."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
from scipy import stats

from .. import SEED
from .. import propagation as prop
from . import Number as N


@cache
def context() -> SimpleNamespace:
    """The chapter's objects that several numbers share, built once."""
    a1, a2 = prop.A_NOMINAL
    s1, s2 = prop.A_ERRORS
    mistakes = prop.seed_mistakes_table((-1.0, 1.0, 3.0))
    n_mc = 10**6
    table = prop.mc_vs_linear_table(xs=(-3.0, -1.0, 0.0, 1.0, 3.0), size=n_mc, seed=SEED)
    width3 = prop.y_width_decomposition(x=3.0, size=n_mc, seed=SEED)
    replicas = prop.std_pull_replicas(x=3.0, n_replicas=200)
    n_pulls = int((table.drop(index=0.0)[["mc_mean_error", "mc_std_error"]] > 0).to_numpy().sum())
    p_one, p_any = prop.pull_chance(table.loc[3.0, "pull_std"], n_pulls)
    b0, cov_b = prop.b_linear()
    b_table = prop.b_mc_table(size=n_mc, seed=SEED)
    sd_diff = np.sqrt(s1**2 + s2**2 - 2 * prop.RHO * s1 * s2)
    sd_sum = np.sqrt(s1**2 + s2**2 + 2 * prop.RHO * s1 * s2)
    p_s0 = stats.norm.pdf(0.0, a1 + a2, sd_sum)
    exp_s0 = int(np.floor(np.log10(p_s0)))
    b1_nominal, b1_shift = prop.b1_second_order_mean()
    b1 = b_table.loc["b1"]
    b1_samples = prop.b_samples(n_mc, SEED)[0]
    b1_m4 = float(np.mean((b1_samples - b1_samples.mean()) ** 4))
    b1_var_err = np.sqrt((b1_m4 - b1_samples.var() ** 2) / n_mc)   # MC error of the sample variance
    b1_var_reach = prop.b1_variance_reachable(1.0)
    q_exact = prop.b2_quantiles_exact()
    cut = prop.cut_statistics(prop.b_samples(n_mc, SEED)[1], 0.0, 5.0)
    scan = prop.b2_cut_scan(his=(3.0, 5.0, 10.0, 20.0, 100.0, 1000.0), size=n_mc, seed=SEED)
    wide = scan.loc[5.0:, "median_kept"]
    cut_cov = prop.b_cut_covariance(0.0, 5.0, n_mc, SEED)
    xs_check = np.linspace(-3.0, 3.0, 600)  # an even number of points: x = 0 (0/0) is not among them
    ratio = prop.sigma_y_b(xs_check, cov_b=cut_cov) / prop.sigma_y_formula(xs_check)
    narrow = prop.cut_band_narrow_range(cov_cut=cut_cov)
    lo_dom, hi_dom = prop.seed_final_domain()
    wrong_b = prop.seed_mistakes_table((-1.0, 3.0))
    lny = prop.lny_table(xs=(-3.0, -2.0, -1.5, -1.0, -0.5, 1.0, 3.0), size=n_mc, seed=SEED)
    d1, d3, dm1, dm15, dm2 = (lny.loc[x] for x in (1.0, 3.0, -1.0, -1.5, -2.0))
    x_ex = 2.0
    return SimpleNamespace(mistakes=mistakes, n_mc=n_mc, table=table, width3=width3, replicas=replicas, n_pulls=n_pulls, b_table=b_table, sd_diff=sd_diff, sd_sum=sd_sum, p_s0=p_s0, exp_s0=exp_s0, b1=b1, b1_var_err=b1_var_err, b1_var_reach=b1_var_reach, q_exact=q_exact, cut=cut, scan=scan, wide=wide, cut_cov=cut_cov, xs_check=xs_check, ratio=ratio, narrow=narrow, wrong_b=wrong_b, lny=lny, x_ex=x_ex, a1=a1, a2=a2, s1=s1, s2=s2, p_one=p_one, p_any=p_any, b0=b0, cov_b=cov_b, b1_nominal=b1_nominal, b1_shift=b1_shift, lo_dom=lo_dom, hi_dom=hi_dom, d1=d1, d3=d3, dm1=dm1, dm15=dm15, dm2=dm2)


def _log_row(row: str, x: str, columns: dict) -> dict:
    """Glued numbers from one row of the chapter's ``lny_table`` (``c.d1`` is x = 1,
    ``c.dm15`` x = -1.5, ...): ``columns`` maps a key, ``{x}`` standing for ``x``, to
    (column, scale, format)."""
    return {"propagation_" + key.format(x=x):
            N(lambda c, col=col, k=k: k * getattr(c, row)[col], fmt)
            for key, (col, k, fmt) in columns.items()}


_LINEAR_LOG = {"sz{x}": ("sigma_z_linear", 1, ".4f"), "zstd{x}": ("z_std", 1, ".4f"),
               "cov{x}": ("linear_coverage", 100, ".1f")}
"""The linearised log's width, the true one and the linear band's coverage (x = 1 and 3)."""


NUMBERS = {
    "inputs": {
        "propagation_a1": N(lambda c: c.a1, ".1f"),
        "propagation_a2": N(lambda c: c.a2, ".1f"),
        "propagation_s1": N(lambda c: c.s1, ".1f"),
        "propagation_s2": N(lambda c: c.s2, ".1f"),
        "propagation_rho": N(lambda c: prop.RHO, ".1f"),
    },
    "variance_terms": {
        "propagation_var1": N(lambda c: c.s1 ** 2, ".2f"),
        "propagation_cross": N(lambda c: 2 * prop.RHO * c.s1 * c.s2, ".3f"),
        "propagation_var2": N(lambda c: c.s2 ** 2, ".2f"),
        "propagation_c1": N(lambda c: 2 * prop.RHO * c.s1 * c.s2 / c.s1 ** 2, ".1f"),
        "propagation_c2": N(lambda c: c.s2 ** 2 / c.s1 ** 2, ".2f"),
    },
    "formula": {
        "propagation_sy_m1": N(lambda c: prop.sigma_y_formula(-1.0), ".3f"),
        "propagation_sy_p1": N(lambda c: prop.sigma_y_formula(1.0), ".3f"),
        "propagation_sy_m1_rho0": N(lambda c: prop.sigma_y_formula(-1.0, rho=0.0), ".3f"),
        "propagation_sy_p1_rho0": N(lambda c: prop.sigma_y_formula(1.0, rho=0.0), ".3f"),
        "propagation_y0": N(lambda c: prop.y_a(0.0, prop.A_NOMINAL), ".0f"),
        "propagation_sy0": N(lambda c: prop.sigma_y_formula(0.0), ".0f"),
    },
    "seed_mistakes": {
        "propagation_seed04_m1": N(lambda c: c.mistakes.loc[-1.0, 'sigma_y_root_04'], ".3f"),
        "propagation_seed04_p1": N(lambda c: c.mistakes.loc[1.0, 'sigma_y_root_04'], ".3f"),
        "propagation_seed04_p3": N(lambda c: c.mistakes.loc[3.0, 'sigma_y_root_04'], ".3f"),
        "propagation_sy_p3": N(lambda c: c.mistakes.loc[3.0, 'sigma_y'], ".3f"),
    },
    "monte_carlo": {
        "propagation_n_mc": N(lambda c: c.n_mc, ",.0f"),
        "propagation_max_pull_mean": N(lambda c: c.table['pull_mean'].abs().max(), ".2f"),
        "propagation_max_pull_std_other": N(lambda c: c.table['pull_std'].drop(index=3.0).abs().max(), ".2f"),
        "propagation_pull3_abs": N(lambda c: abs(c.table.loc[3.0, 'pull_std']), ".1f"),
        "propagation_mcstd3": N(lambda c: c.table.loc[3.0, 'mc_std'], ".4f"),
        "propagation_sy3": N(lambda c: c.table.loc[3.0, 'sigma_linear'], ".4f"),
        "propagation_c1_x3": N(lambda c: c.width3['c1'], ".2f"),
        "propagation_c2_x3": N(lambda c: c.width3['c2'], ".2f"),
        "propagation_u2_rel_abs": N(lambda c: 100 * abs(c.width3['rel_u2']), ".2f"),
        "propagation_u2_pull_abs": N(lambda c: abs(c.width3['pull_u2']), ".1f"),
        "propagation_nrep": N(lambda c: c.replicas.size, ".0f"),
        "propagation_rep_mean": N(lambda c: c.replicas.mean(), ".2f"),
        "propagation_rep_std": N(lambda c: c.replicas.std(ddof=1), ".2f"),
        "propagation_p_pull3": N(lambda c: 100 * c.p_one, ".3f"),
        "propagation_n_pulls": N(lambda c: c.n_pulls, ".0f"),
        "propagation_p_any": N(lambda c: 100 * c.p_any, ".1f"),
    },
    "b_linear": {
        "propagation_b1": N(lambda c: c.b0[0], ".3f"),
        "propagation_b2": N(lambda c: c.b0[1], ".1f"),
        "propagation_sb1": N(lambda c: np.sqrt(c.cov_b[0, 0]), ".4f"),
        "propagation_sb2": N(lambda c: np.sqrt(c.cov_b[1, 1]), ".3f"),
        "propagation_rb": N(lambda c: c.cov_b[0, 1] / np.sqrt(c.cov_b[0, 0] * c.cov_b[1, 1]), ".2f"),
    },
    "b_monte_carlo": {
        "propagation_sD": N(lambda c: c.sd_diff, ".3f"),
        "propagation_pD0": N(lambda c: stats.norm.pdf(0.0, c.a1 - c.a2, c.sd_diff), ".2g"),
        "propagation_S_over_sd": N(lambda c: (c.a1 + c.a2) / c.sd_sum, ".0f"),
        "propagation_pS0_mant": N(lambda c: c.p_s0 / 10.0 ** c.exp_s0, ".0f"),
        "propagation_pS0_exp": N(lambda c: c.exp_s0, ".0f"),
        "propagation_b1_std": N(lambda c: c.b_table.loc['b1', 'std'], ".4f"),
        "propagation_b1_mean": N(lambda c: c.b1['mean'], ".4f"),
        "propagation_b1_mean_rel": N(lambda c: 100 * (c.b1['mean'] / c.b1_nominal - 1), ".1f"),
        "propagation_b1_mean_pull": N(lambda c: (c.b1['mean'] - c.b1_nominal) / c.b1['mean_error'], ".0f"),
        "propagation_b1_shift": N(lambda c: c.b1_shift, ".4f"),
        "propagation_b1_second": N(lambda c: c.b1_nominal + c.b1_shift, ".4f"),
        "propagation_b1_second_pull_abs": N(lambda c: abs(c.b1['mean'] - c.b1_nominal - c.b1_shift) / c.b1['mean_error'], ".1f"),
        "propagation_b1_dev": N(lambda c: 100 * (c.b_table.loc['b1', 'std'] / c.b_table.loc['b1', 'sigma_linear'] - 1), ".1f"),
        "propagation_b2_mean": N(lambda c: c.b_table.loc['b2', 'mean'], ".2f"),
        "propagation_b2_std": N(lambda c: c.b_table.loc['b2', 'std'], ".1f"),
        "propagation_b2_median": N(lambda c: c.b_table.loc['b2', 'median'], ".3f"),
        "propagation_b2_lo68": N(lambda c: c.b_table.loc['b2', 'lo68'], ".3f"),
        "propagation_b2_hi68": N(lambda c: c.b_table.loc['b2', 'hi68'], ".3f"),
        "propagation_b2_hw68": N(lambda c: c.b_table.loc['b2', 'halfwidth68'], ".3f"),
        "propagation_b2_var_ratio": N(lambda c: c.b_table.loc['b2', 'std'] ** 2 / c.cov_b[1, 1], ".0f"),
        "propagation_b1_var_ratio": N(lambda c: c.b_table.loc['b1', 'std'] ** 2 / c.cov_b[0, 0], ".3f"),
        "propagation_b1_var_ratio_err": N(lambda c: c.b1_var_err / c.cov_b[0, 0], ".3f"),
        "propagation_b1_var_reach": N(lambda c: c.b1_var_reach / c.cov_b[0, 0], ".3f"),
        "propagation_b2_lo68_exact": N(lambda c: c.q_exact[0], ".3f"),
        "propagation_b2_median_exact": N(lambda c: c.q_exact[1], ".4f"),
        "propagation_b2_hi68_exact": N(lambda c: c.q_exact[2], ".3f"),
    },
    "cut": {
        "propagation_cut_removed": N(lambda c: 100 * c.cut.fraction_removed, ".2f"),
        "propagation_cut_removed_err": N(lambda c: 100 * c.cut.fraction_removed_error, ".2f"),
        "propagation_cut_exact": N(lambda c: 100 * stats.norm.cdf(0.4, c.a1 - c.a2, c.sd_diff), ".2f"),
        "propagation_b2_neg": N(lambda c: 100 * c.cut.fraction_below, ".3f"),
        "propagation_cut_var": N(lambda c: c.cut.variance_kept, ".3f"),
        "propagation_cut_var_err": N(lambda c: c.cut.variance_kept_error, ".3f"),
        "propagation_var_lin": N(lambda c: c.cov_b[1, 1], ".3f"),
        "propagation_cut_var_excess": N(lambda c: 100 * (c.cut.variance_kept / c.cov_b[1, 1] - 1), ".0f"),
    },
    "cut_scan": {
        "propagation_scan_med_range": N(lambda c: c.wide.max() - c.wide.min(), ".3f"),
    },
    "cut_band": {
        "propagation_cutband_m3": N(lambda c: 100 * (c.ratio[0] - 1), ".0f"),
        "propagation_cutband_p3": N(lambda c: 100 * (c.ratio[-1] - 1), ".0f"),
        "propagation_cutband_low": N(lambda c: 100 * (1 - c.ratio.min()), ".0f"),
        "propagation_narrow_from": N(lambda c: c.narrow['x_from'], ".2f"),
        "propagation_narrow_to": N(lambda c: c.narrow['x_to'], ".2f"),
    },
    "domain": {
        "propagation_dom_lo": N(lambda c: c.lo_dom, ".3f"),
        "propagation_dom_hi": N(lambda c: c.hi_dom, ".3f"),
        "propagation_ybw_m1": N(lambda c: c.wrong_b.loc[-1.0, 'y_b_sign_error'], ".0f"),
        "propagation_y_m1": N(lambda c: c.wrong_b.loc[-1.0, 'y'], ".0f"),
        "propagation_ybw_p3": N(lambda c: c.wrong_b.loc[3.0, 'y_b_sign_error'], ".0f"),
        "propagation_y_p3": N(lambda c: c.wrong_b.loc[3.0, 'y'], ".0f"),
    },
    "log": {
        **_log_row("d1", "1", _LINEAR_LOG),
        **_log_row("d3", "3", _LINEAR_LOG),
        "propagation_gauss68": N(lambda c: 100 * (prop.P68[1] - prop.P68[0]), ".1f"),
        **_log_row("dm1", "_m1", {"undef{x}": ("fraction_undefined", 100, ".2f"),
                                   "undef{x}_err": ("fraction_undefined_error", 100, ".2f"),
                                   "undef{x}_exact": ("fraction_undefined_exact", 100, ".0f")}),
        **_log_row("dm15", "_m15", {"y{x}": ("y", 1, ".2f"), "sy{x}": ("sigma_y", 1, ".3f"),
                                     "z{x}": ("z_linear", 1, ".2f"), "sz{x}": ("sigma_z_linear", 1, ".2f"),
                                     "undef{x}": ("fraction_undefined", 100, ".1f"),
                                     "undef{x}_exact": ("fraction_undefined_exact", 100, ".1f"),
                                     "zmed{x}": ("z_median", 1, ".2f"), "zlo{x}": ("z_lo68", 1, ".2f"),
                                     "zhi{x}": ("z_hi68", 1, ".2f")}),
        **_log_row("dm2", "_m2", {"undef{x}": ("fraction_undefined", 100, ".1f")}),
    },
    "exercise_ratio": {
        "propagation_ex_br_corr": N(lambda c: 1 + 2 * prop.RHO * c.s2 / c.s1 * c.x_ex + (c.s2 / c.s1) ** 2 * c.x_ex ** 2, ".1f"),
        "propagation_ex_br_unc": N(lambda c: 1 + (c.s2 / c.s1) ** 2 * c.x_ex ** 2, ".1f"),
    },
}
