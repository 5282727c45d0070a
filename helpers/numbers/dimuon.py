"""The numbers glued into "Fitting a mass peak", by section."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np

from .. import SEED, dimuon
from ..exercises.dimuon import SMALL_SIZE, SMALL_TOYS
from ..text import round_significant
from . import Number as N


@cache
def context() -> SimpleNamespace:
    """The chapter's objects that several numbers share, built once."""
    masses = dimuon.load()
    lo, hi = dimuon.MASS_RANGE
    fit_limits = dimuon.limits()
    shape = {k: dimuon.TRUTH[k] for k in ("mu", "sigma", "alpha", "n")}
    integral = dimuon.cb_integral_check(*dimuon.MASS_RANGE, **shape)
    result = dimuon.fit(masses, minos=True)
    table = result.table(truth=dimuon.TRUTH)
    compat = dimuon.truth_compatibility(result)
    gof = result.gof()
    gof_bounds = dimuon.gof_pvalue_bounds(result)
    corr = result.correlation
    minos = result.minos_errors
    asymmetry = minos["upper"] / -minos["lower"]
    rel = (minos[["lower", "upper"]].abs().div(result.errors, axis=0) - 1).abs()
    bad_start = {"mu": 10.3, "sigma": 0.1, "alpha": 6.0, "n": 20.0}
    stuck = dimuon.fit(masses, start=bad_start)
    steep = dimuon.nll_scan(result, "alpha", result.values["alpha"] + np.array([-0.1, 0.1]))
    other = dimuon.fit(masses, start=dict(bad_start, alpha=8.0, n=40.0))
    N_TOYS, TOY_SIZE = 200, 10_000
    toys = dimuon.toy_study(N_TOYS, TOY_SIZE)
    pulls = dimuon.pull_summary(toys, dimuon.PARAMETERS)
    toys_again = dimuon.toy_study(N_TOYS, TOY_SIZE, seed=dimuon.SECOND_TOY_SEED)
    pulls_again = dimuon.pull_summary(toys_again, dimuon.PARAMETERS)
    [failed2_n] = toys_again.loc[~toys_again["ok"], "n"]
    scale = dimuon.finite_difference_scale(result, step=1e-5)
    spread = dimuon.fixed_step_spread(result, steps=(1e-6, 1e-5, 1e-4, 1e-3), copies=30)
    at = {step: 100 * spread.loc[spread["step"] == step, list(dimuon.PARAMETERS)] for step in (1e-4, 1e-3)}
    alone = dimuon.minuit_numerical_errors(result, strategy=1)
    hesse_n = result.errors["n"]
    error_n = dimuon.seed_hessian_errors(result, step=1e-3).loc["n", "seed_method"]
    t = dimuon.TRUTH
    tail_share = (dimuon.cb_integral(dimuon.MASS_RANGE[0], t["mu"] - t["alpha"] * t["sigma"], t["mu"], t["sigma"], t["alpha"], t["n"])
                  / dimuon.cb_integral(*dimuon.MASS_RANGE, t["mu"], t["sigma"], t["alpha"], t["n"]))
    small = dimuon.toy_study(SMALL_TOYS, SMALL_SIZE)
    failed = small[~small["ok"]]
    n_lo, n_hi = dimuon.limits()["n"]
    extended = dimuon.extended_fit(masses)
    yield_ = dimuon.yield_from_fraction(result)
    binned = dimuon.binned_vs_unbinned(result)
    yield_toys = dimuon.yield_toy_study(N_TOYS, TOY_SIZE)
    yield_pulls = dimuon.yield_pull_summary(yield_toys)
    return SimpleNamespace(extended=extended, yield_=yield_, binned=binned, yield_toys=yield_toys,
                           yield_pulls=yield_pulls, masses=masses, fit_limits=fit_limits, shape=shape, integral=integral, result=result, table=table, compat=compat, gof=gof, gof_bounds=gof_bounds, corr=corr, minos=minos, asymmetry=asymmetry, rel=rel, bad_start=bad_start, stuck=stuck, steep=steep, other=other, toys=toys, pulls=pulls, toys_again=toys_again, pulls_again=pulls_again, scale=scale, spread=spread, at=at, alone=alone, hesse_n=hesse_n, error_n=error_n, t=t, tail_share=tail_share, small=small, failed=failed, lo=lo, hi=hi, N_TOYS=N_TOYS, TOY_SIZE=TOY_SIZE, failed2_n=failed2_n, n_lo=n_lo, n_hi=n_hi)


_ALL = ("mean", "mean_error", "width", "width_error")
_WIDTH = ("width", "width_error")

NUMBERS = {
    "inputs": {
        "dimuon_truth_mu": N(lambda c: dimuon.TRUTH['mu'], ".2f"),
        "dimuon_n_events": N(lambda c: c.masses.size, ".0f"),
        "dimuon_lo": N(lambda c: c.lo, ".0f"),
        "dimuon_hi": N(lambda c: c.hi, ".2f"),
        "dimuon_seed": N(lambda c: SEED, ".0f"),
        "dimuon_truth_sigma_mev": N(lambda c: 1000 * dimuon.TRUTH['sigma'], ".0f"),
        "dimuon_truth_slope": N(lambda c: dimuon.TRUTH['slope'], ".1f"),
        "dimuon_lim_sigma_mev": N(lambda c: 1000 * c.fit_limits['sigma'][0], ".0f"),
        "dimuon_lim_n_lo": N(lambda c: c.fit_limits['n'][0], ".2f"),
        "dimuon_lim_fsig_lo": N(lambda c: c.fit_limits['f_sig'][0], ".0f"),
        "dimuon_lim_fsig_hi": N(lambda c: c.fit_limits['f_sig'][1], ".0f"),
    },
    "integral": {
        "dimuon_int_closed": N(lambda c: c.integral['closed'], ".12f"),
        "dimuon_int_numeric": N(lambda c: c.integral['numeric'], ".12f"),
    },
    "result": {
        "dimuon_mu": N(lambda c: c.table.loc['mu', 'value'], ".5f"),
        "dimuon_mu_err": N(lambda c: c.table.loc['mu', 'error'], ".5f"),
        "dimuon_sigma_mev": N(lambda c: 1000 * c.table.loc['sigma', 'value'], ".2f"),
        "dimuon_sigma_err_mev": N(lambda c: 1000 * c.table.loc['sigma', 'error'], ".2f"),
        "dimuon_sigma_pull": N(lambda c: c.table.loc['sigma', 'pull'], ".2f"),
        "dimuon_slope_pull": N(lambda c: c.table.loc['slope', 'pull'], ".2f"),
        "dimuon_f_sig_pull": N(lambda c: c.table.loc['f_sig', 'pull'], ".2f"),
        "dimuon_corr_slope_fsig": N(lambda c: c.result.correlation.loc['slope', 'f_sig'], ".2f"),
        "dimuon_compat_chi2": N(lambda c: c.compat['chi2'], ".2f"),
        "dimuon_compat_ndf": N(lambda c: c.compat['ndf'], ".0f"),
        "dimuon_compat_p": N(lambda c: c.compat['pvalue'], ".2f"),
    },
    "goodness_of_fit": {
        "dimuon_chi2": N(lambda c: c.gof['chi2'], ".1f"),
        "dimuon_ndf": N(lambda c: c.gof['ndf'], ".0f"),
        "dimuon_pvalue": N(lambda c: c.gof['pvalue'], ".2f"),
        "dimuon_groups": N(lambda c: c.gof['groups'], ".0f"),
        "dimuon_min_expected": N(lambda c: np.floor(c.gof['min_expected']), ".0f"),
        "dimuon_nll": N(lambda c: c.result.nll, ".1f"),
        "dimuon_ndf_plus": N(lambda c: c.gof_bounds['ndf_plus'], ".0f"),
        "dimuon_pvalue_plus": N(lambda c: c.gof_bounds['pvalue_ndf_plus'], ".2f"),
    },
    "correlations": {
        "dimuon_corr_alpha_n": N(lambda c: c.corr.loc['alpha', 'n'], ".2f"),
        "dimuon_corr_n_fsig": N(lambda c: c.corr.loc['n', 'f_sig'], ".2f"),
    },
    "minos": {
        "dimuon_minos_musigma_pct": N(lambda c: 100 * c.rel.loc[['mu', 'sigma']].to_numpy().max(), ".1f"),
        "dimuon_n": N(lambda c: c.result.values['n'], ".2f"),
        "dimuon_n_err": N(lambda c: c.result.errors['n'], ".2f"),
        "dimuon_n_lower": N(lambda c: c.minos.loc['n', 'lower'], ".2f"),
        "dimuon_n_upper": N(lambda c: c.minos.loc['n', 'upper'], ".2f"),
        "dimuon_n_asym": N(lambda c: c.asymmetry['n'], ".2f"),
        "dimuon_alpha_lower": N(lambda c: c.minos.loc['alpha', 'lower'], ".3f"),
        "dimuon_alpha_upper": N(lambda c: c.minos.loc['alpha', 'upper'], ".3f"),
    },
    "bad_start": {
        "dimuon_bad_mu": N(lambda c: c.bad_start['mu'], ".1f"),
        "dimuon_bad_sigma": N(lambda c: c.bad_start['sigma'], ".1f"),
        "dimuon_bad_alpha": N(lambda c: c.bad_start['alpha'], ".0f"),
        "dimuon_bad_n": N(lambda c: c.bad_start['n'], ".0f"),
        "dimuon_stuck_dnll": N(lambda c: c.stuck.nll - c.result.nll, ".1f"),
        "dimuon_stuck_alpha": N(lambda c: c.stuck.values['alpha'], ".1f"),
        "dimuon_stuck_alpha_err": N(lambda c: round_significant(c.stuck.errors['alpha'], 1), ",.0f"),
        "dimuon_stuck_n": N(lambda c: c.stuck.values['n'], ".0f"),
        "dimuon_stuck_n_err": N(lambda c: round_significant(c.stuck.errors['n'], 1), ",.0f"),
        "dimuon_stuck_alpha_minuit": N(lambda c: round_significant(c.stuck.minuit.errors['alpha'], 1), ".0f"),
        "dimuon_stuck_n_minuit": N(lambda c: round_significant(c.stuck.minuit.errors['n'], 1), ".0f"),
        "dimuon_stuck_slope": N(lambda c: c.stuck.values['slope'], ".2f"),
        "dimuon_slope": N(lambda c: c.result.values['slope'], ".2f"),
        "dimuon_stuck_chi2": N(lambda c: c.stuck.chi2, ".0f"),
        "dimuon_stuck_ndf": N(lambda c: c.stuck.ndf, ".0f"),
        "dimuon_alpha_step_rise": N(lambda c: c.steep['delta'].min(), ".0f"),
        "dimuon_other_alpha": N(lambda c: c.other.values['alpha'], ".1f"),
        "dimuon_other_n": N(lambda c: c.other.values['n'], ".0f"),
    },
    "toys": {
        "dimuon_n_toys": N(lambda c: len(c.toys), ".0f"),
        "dimuon_toy_size": N(lambda c: c.TOY_SIZE, ".0f"),
        "dimuon_n_ok": N(lambda c: c.toys['ok'].sum(), ".0f"),
        **{f"dimuon_pull_{p}_{col}": N(lambda c, p=p, col=col: c.pulls.loc[p, col], ".2f")
           for p, cols in (("mu", _ALL), ("sigma", _ALL), ("n", _ALL), ("alpha", _WIDTH), ("slope", _WIDTH))
           for col in cols},
        "dimuon_n_failed": N(lambda c: (~c.toys['ok']).sum(), ".0f"),
    },
    "toys_again": {
        "dimuon_seed2": N(lambda c: dimuon.SECOND_TOY_SEED, ".0f"),
        "dimuon_n_ok2": N(lambda c: c.toys_again['ok'].sum(), ".0f"),
        "dimuon_pull2_n_mean": N(lambda c: c.pulls_again.loc['n', 'mean'], ".2f"),
        "dimuon_pull2_n_mean_error": N(lambda c: c.pulls_again.loc['n', 'mean_error'], ".2f"),
        **{f"dimuon_pull2_{p}_{col}": N(lambda c, p=p, col=col: c.pulls_again.loc[p, col], ".2f")
           for p in ("alpha", "slope") for col in _WIDTH},
        "dimuon_failed2_n": N(lambda c: c.failed2_n, ".0f"),
    },
    "finite_differences": {
        "dimuon_n_copies": N(lambda c: c.spread['copy'].nunique(), ".0f"),
        "dimuon_fd_n_diff": N(lambda c: c.scale.loc['n', 'second_difference'], ".1e"),
        "dimuon_fd_n_ratio": N(lambda c: c.scale.loc['n', 'ratio'], ".0f"),
        "dimuon_fd_mu_ratio": N(lambda c: c.scale.loc['mu', 'ratio'], ".1e"),
        "dimuon_last_bit": N(lambda c: c.scale['last_bit'].iloc[0], ".1e"),
        "dimuon_nll_abs": N(lambda c: abs(c.result.nll), ".0f"),
        "dimuon_fd4_bound_pct": N(lambda c: np.ceil(10 * c.at[0.0001].abs().to_numpy().max()) / 10, ".1f"),
        "dimuon_fd4_sigma_pct": N(lambda c: c.at[0.0001]['sigma'].median(), ".1f"),
        "dimuon_fd3_sigma_pct": N(lambda c: c.at[0.001]['sigma'].median(), ".0f"),
        "dimuon_minuit_alone_alpha_pct": N(lambda c: -100 * c.alone.loc['alpha', 'rel_diff'], ".0f"),
        "dimuon_minuit_alone_n_pct": N(lambda c: -100 * c.alone.loc['n', 'rel_diff'], ".0f"),
    },
    "small_signal": {
        "dimuon_step3_n_pct": N(lambda c: 100 * (c.error_n / c.hesse_n - 1), ".1f"),
        "dimuon_small_signal": N(lambda c: SMALL_SIZE * c.t['f_sig'], ".0f"),
        "dimuon_small_tail": N(lambda c: SMALL_SIZE * c.t['f_sig'] * c.tail_share, ".0f"),
        "dimuon_small_failed": N(lambda c: len(c.failed), ".0f"),
        "dimuon_small_n_upper": N(lambda c: (c.failed['n'] >= 0.99 * c.n_hi).sum(), ".0f"),
        "dimuon_small_n_lower": N(lambda c: (c.failed['n'] <= 1.01 * c.n_lo).sum(), ".0f"),
        "dimuon_n_limit": N(lambda c: c.n_hi, ".0f"),
        "dimuon_n_limit_lo": N(lambda c: c.n_lo, ".2f"),
    },
    "extended": {
        "dimuon_yield": N(lambda c: c.yield_['value'], ",.0f"),
        "dimuon_yield_err_fixed": N(lambda c: c.yield_['error_no_poisson'], ".0f"),
        "dimuon_yield_err_poisson": N(lambda c: c.yield_['error_poisson'], ".0f"),
        "dimuon_ext_n_sig": N(lambda c: c.extended.values['n_sig'], ",.0f"),
        "dimuon_ext_n_sig_err": N(lambda c: c.extended.errors['n_sig'], ".0f"),
    },
    "binned": {
        "dimuon_bin_fine_mev": N(lambda c: 1000 * dimuon.BIN_WIDTHS[0], ".0f"),
        "dimuon_bin_mid_mev": N(lambda c: 1000 * dimuon.BIN_WIDTHS[1], ".0f"),
        "dimuon_bin_wide_mev": N(lambda c: 1000 * dimuon.BIN_WIDTHS[2], ".0f"),
        "dimuon_bin_fine_max_pct": N(lambda c: 100 * (c.binned.loc[dimuon.BIN_WIDTHS[0], 'ratio'] - 1).abs().max(), ".1f"),
        "dimuon_bin_mid_n_pct": N(lambda c: 100 * (c.binned.loc[(dimuon.BIN_WIDTHS[1], 'n'), 'ratio'] - 1), ".0f"),
        "dimuon_bin_mid_n": N(lambda c: c.binned.loc[(dimuon.BIN_WIDTHS[1], 'n'), 'value'], ".2f"),
        **{f"dimuon_bin_wide_{p}_pct": N(lambda c, p=p: dimuon.binned_error_change(c.binned).loc[dimuon.BIN_WIDTHS[2], p], ".0f")
           for p in ("mu", "sigma", "alpha", "n")},
    },
    "yield_toys": {
        "dimuon_ytoys_ok": N(lambda c: c.yield_toys['ok'].sum(), ".0f"),
        "dimuon_ytoys_ext_width": N(lambda c: c.yield_pulls.loc['pull_extended', 'width'], ".2f"),
        "dimuon_ytoys_ext_width_error": N(lambda c: c.yield_pulls.loc['pull_extended', 'width_error'], ".2f"),
        "dimuon_ytoys_np_width": N(lambda c: c.yield_pulls.loc['pull_no_poisson', 'width'], ".2f"),
        "dimuon_ytoys_np_width_error": N(lambda c: c.yield_pulls.loc['pull_no_poisson', 'width_error'], ".2f"),
        "dimuon_yield_err_ratio": N(lambda c: c.yield_['error_poisson'] / c.yield_['error_no_poisson'], ".2f"),
    },
}
