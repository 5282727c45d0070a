"""The numbers glued into "Normalisation uncertainties", by section."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
from scipy import stats

from .. import normalisation_toys as toys
from ..normalisation import below_both_thresholds, course_problem, minuit_settings_study
from . import Number as N


@cache
def context() -> SimpleNamespace:
    """The chapter's objects that several numbers share, built once."""
    problem = course_problem()
    cov_fit = problem.covariance_fit()
    V = problem.covariance_measured()
    total = np.sqrt(np.diag(V))
    dag = problem.dagostini_coefficients()
    tension = problem.tension()
    mu_rel = problem.relative_covariance_fit(minos=False).value
    axes_meas = problem.ellipse_axes()
    axes_rel = problem.ellipse_axes(problem.covariance_at(mu_rel))
    _, c_touch = problem.touching_point()
    md_meas = problem.mean_difference()
    md_rel = problem.mean_difference(problem.covariance_at(mu_rel))
    fit_data = problem.nuisance_fit("data")
    fit_pred = problem.nuisance_fit("prediction")
    m_pred = problem.nuisance_minuit("prediction", minos=False)
    m_data = problem.nuisance_minuit("data", minos=False)
    scaled = problem.scaled_data_fit()
    scaled_default = problem.scaled_data_minuit(tight=False, start=(8.0, 1.0))
    study = minuit_settings_study(problem)
    hesse = 100 * study["hesse rel diff"].abs()
    offset = study["mu offset"].abs()
    student = study[(study["strategy"] == 1) & (study["start mu"] == 8.0) & (study["start N"] == 1.0)]
    iter_all = problem.as_combination().iterated(["stat", "norm"])
    iterated = problem.as_combination().iterated("norm")
    rel = problem.relative_covariance_fit()
    lo, hi = rel.interval_errors
    likelihood = problem.likelihood_fit()
    toy = toys.run()
    bias = toy.mean_bias()
    per_bin = toy.bias_vs_tension()
    here = per_bin.loc[[iv for iv in per_bin.index if tension["chi2"] in iv][0]]
    small = toy.bias_vs_tension(edges=(0.0, 1.0, np.inf)).iloc[0]
    stat_small = course_problem(stat_rel=0.005)
    far = course_problem(y2=10.0)
    below = course_problem(y2=7.0)
    below_lo, below_hi = below_both_thresholds()
    fit30 = course_problem(norm_rel=0.30).covariance_fit()
    _, c_touch0 = course_problem(norm_rel=0.0).touching_point()
    return SimpleNamespace(problem=problem, cov_fit=cov_fit, V=V, total=total, dag=dag, tension=tension, mu_rel=mu_rel, axes_meas=axes_meas, axes_rel=axes_rel, md_meas=md_meas, md_rel=md_rel, fit_data=fit_data, fit_pred=fit_pred, m_pred=m_pred, m_data=m_data, scaled=scaled, scaled_default=scaled_default, study=study, hesse=hesse, offset=offset, student=student, iter_all=iter_all, iterated=iterated, rel=rel, likelihood=likelihood, toy=toy, bias=bias, per_bin=per_bin, here=here, small=small, stat_small=stat_small, far=far, below=below, fit30=fit30, c_touch=c_touch, lo=lo, hi=hi, below_lo=below_lo, below_hi=below_hi, c_touch0=c_touch0)


NUMBERS = {
    "covariance": {
        "normalisation_cov_value": N(lambda c: c.cov_fit.value, ".2f"),
        "normalisation_cov_error": N(lambda c: c.cov_fit.error, ".2f"),
        "normalisation_w1": N(lambda c: c.problem.blue_weights()[0], ".3f"),
        "normalisation_w2": N(lambda c: c.problem.blue_weights()[1], ".3f"),
        "normalisation_rho_tot": N(lambda c: c.V[0, 1] / (c.total[0] * c.total[1]), ".3f"),
        "normalisation_ratio": N(lambda c: c.total.min() / c.total.max(), ".3f"),
        "normalisation_dag1": N(lambda c: c.dag[0], ".3f"),
        "normalisation_dag2": N(lambda c: c.dag[1], ".3f"),
        "normalisation_dag_sum": N(lambda c: c.dag.sum(), ".3f"),
        "normalisation_chi2_stat": N(lambda c: c.problem.stat_chi2(), ".2f"),
        "normalisation_neg_eps": N(lambda c: 100 * c.problem.negative_weight_threshold(), ".0f"),
    },
    "tension": {
        "normalisation_chi2": N(lambda c: c.tension['chi2'], ".2f"),
        "normalisation_p": N(lambda c: c.tension['pvalue'], ".3f"),
        "normalisation_z": N(lambda c: stats.norm.isf(c.tension['pvalue'] / 2), ".1f"),
        "normalisation_eps2": N(lambda c: c.problem.norm_error ** 2, ".2f"),
        "normalisation_Nhat": N(lambda c: c.problem.normalisation_factor(), ".3f"),
        "normalisation_wm_value": N(lambda c: c.problem.weighted_mean().value, ".3f"),
        "normalisation_wm_value2": N(lambda c: c.problem.weighted_mean().value, ".2f"),
        "normalisation_shift_data": N(lambda c: c.problem.weighted_mean().value - c.cov_fit.value, ".2f"),
    },
    "ellipses": {
        "normalisation_minor": N(lambda c: c.axes_meas['minor'], ".3f"),
        "normalisation_major": N(lambda c: c.axes_meas['major'], ".2f"),
        "normalisation_tilt": N(lambda c: c.axes_meas['tilt'], ".2f"),
        "normalisation_tilt_rel": N(lambda c: c.axes_rel['tilt'], ".2f"),
        "normalisation_c_touch": N(lambda c: c.c_touch, ".2f"),
        "normalisation_tilt_y": N(lambda c: c.problem.values_tilt(), ".2f"),
    },
    "mean_difference": {
        "normalisation_var_d": N(lambda c: c.md_meas['var_d'], ".3f"),
        "normalisation_cov_md": N(lambda c: c.md_meas['cov_md'], ".4f"),
        "normalisation_slope": N(lambda c: c.md_meas['slope'], ".2f"),
        "normalisation_shift": N(lambda c: c.md_meas['shift'], ".2f"),
        "normalisation_cov_md_rel": N(lambda c: c.md_rel['cov_md'], ".5f"),
        "normalisation_slope_rel": N(lambda c: c.md_rel['slope'], ".3f"),
        "normalisation_shift_rel": N(lambda c: c.md_rel['shift'], ".3f"),
        "normalisation_plain": N(lambda c: c.problem.values.mean(), ".2f"),
    },
    "nuisance": {
        "normalisation_N_data": N(lambda c: c.fit_data.N, ".3f"),
        "normalisation_pred_value": N(lambda c: c.fit_pred.value, ".3f"),
        "normalisation_pred_error": N(lambda c: c.fit_pred.error, ".3f"),
        "normalisation_pred_error4": N(lambda c: c.fit_pred.error, ".4f"),
        "normalisation_wm_error": N(lambda c: c.problem.weighted_mean().error, ".3f"),
        "normalisation_wm_error2": N(lambda c: c.problem.weighted_mean().error, ".2f"),
        "normalisation_corr_pred": N(lambda c: c.m_pred.covariance.correlation()['mu', 'N'], ".4f"),
        "normalisation_corr_data": N(lambda c: c.m_data.covariance.correlation()['mu', 'N'], ".4f"),
    },
    "scaled": {
        "normalisation_scaled_value": N(lambda c: c.scaled.value, ".4f"),
        "normalisation_scaled_default": N(lambda c: c.scaled_default.values['mu'], ".4f"),
    },
    "minuit_settings": {
        "normalisation_hesse_min": N(lambda c: c.hesse.min(), ".3f"),
        "normalisation_hesse_max": N(lambda c: c.hesse.max(), ".2f"),
        "normalisation_hesse_max_default": N(lambda c: c.hesse[c.study['strategy'] == 1].max(), ".2f"),
        "normalisation_migrad_default": N(lambda c: c.offset[c.study['strategy'] == 1].max(), ".4f"),
        "normalisation_migrad_s0": N(lambda c: c.offset[c.study['strategy'] == 0].max(), ".3f"),
        "normalisation_study_fits": N(lambda c: len(c.study), ".0f"),
        "normalisation_hesse_student": N(lambda c: c.problem.nuisance_fit('prediction', minos=False).error * (1 + c.student['hesse rel diff'].iloc[0]), ".4f"),
        "normalisation_dchi2_68": N(lambda c: stats.chi2.ppf(0.68, 2), ".2f"),
        "normalisation_cl_delta1": N(lambda c: stats.chi2.cdf(1, 2), ".4f"),
    },
    "iterated_all": {
        "normalisation_iter_all": N(lambda c: c.iter_all.value, ".4f"),
        "normalisation_s1": N(lambda c: c.problem.stat_errors[0], ".2f"),
        "normalisation_s2": N(lambda c: c.problem.stat_errors[1], ".2f"),
    },
    "iterated": {
        "normalisation_it0": N(lambda c: c.iterated.history['value'].iloc[0], ".4f"),
        "normalisation_it_value": N(lambda c: c.iterated.value, ".4f"),
        "normalisation_it_error": N(lambda c: c.iterated.error, ".4f"),
        "normalisation_it_steps": N(lambda c: len(c.iterated.history) - 1, ".0f"),
    },
    "relative": {
        "normalisation_rel_value": N(lambda c: c.rel.value, ".3f"),
        "normalisation_rel_lo": N(lambda c: -c.lo, ".2f"),
        "normalisation_rel_hi": N(lambda c: c.hi, ".2f"),
        "normalisation_lik_value": N(lambda c: c.likelihood.value, ".3f"),
        "normalisation_lik_shift": N(lambda c: 100 * (1 - c.likelihood.value / c.rel.value), ".1f"),
    },
    "toys": {
        "normalisation_toys": N(lambda c: c.toy.n_toys, ".0f"),
        "normalisation_mu_true": N(lambda c: c.toy.mu_true, ".2f"),
        "normalisation_toy_cov_bias": N(lambda c: c.bias.loc['covariance from measured values', 'bias'], ".3f"),
        "normalisation_toy_cov_rel": N(lambda c: 100 * c.bias.loc['covariance from measured values', 'relative bias'], ".1f"),
        "normalisation_toy_lik_bias": N(lambda c: c.bias.loc['Gaussian likelihood with ln det V', 'bias'], ".3f"),
        "normalisation_toy_pred_bias": N(lambda c: c.bias.loc['N on prediction', 'bias'], ".4f"),
        "normalisation_toy_pred_err": N(lambda c: c.bias.loc['N on prediction', 'mc error'], ".4f"),
        "normalisation_toy_plain_bias": N(lambda c: c.bias.loc['plain mean', 'bias'], ".4f"),
        "normalisation_toy_plain_err": N(lambda c: c.bias.loc['plain mean', 'mc error'], ".4f"),
        "normalisation_toy_direct_err": N(lambda c: c.bias.loc['plain mean', 'mc error (direct)'], ".4f"),
        "normalisation_toy_cov_here": N(lambda c: c.here['covariance from measured values'], ".2f"),
        "normalisation_toy_lik_here": N(lambda c: c.here['Gaussian likelihood with ln det V'], ".3f"),
        "normalisation_toy_pred_here": N(lambda c: c.here['N on prediction'], ".3f"),
        "normalisation_toy_here_lo": N(lambda c: c.here.name.left, ".0f"),
        "normalisation_toy_here_hi": N(lambda c: c.here.name.right, ".0f"),
        "normalisation_toy_frac": N(lambda c: 100 * c.toy.fraction_above(c.tension['chi2']), ".2f"),
        "normalisation_p_pct": N(lambda c: 100 * c.tension['pvalue'], ".1f"),
        "normalisation_toy_cov_here_sigma": N(lambda c: abs(c.here['covariance from measured values']) / c.cov_fit.error, ".2f"),
        "normalisation_p_stat_pct": N(lambda c: 100 * stats.chi2.sf(c.problem.stat_chi2(), 1), ".1f"),
        "normalisation_toy_lik_small": N(lambda c: c.small['Gaussian likelihood with ln det V'], ".2f"),
        "normalisation_toy_small_hi": N(lambda c: c.small.name.right, ".0f"),
    },
    "scans": {
        "normalisation_stat05_cov": N(lambda c: c.stat_small.covariance_fit().value, ".2f"),
        "normalisation_stat05_pred": N(lambda c: c.stat_small.weighted_mean().value, ".2f"),
        "normalisation_y2_10_cov": N(lambda c: c.far.covariance_fit().value, ".2f"),
        "normalisation_y2_10_pred": N(lambda c: c.far.weighted_mean().value, ".2f"),
        "normalisation_y2_7_cov": N(lambda c: c.below.covariance_fit().value, ".2f"),
        "normalisation_below_lo": N(lambda c: c.below_lo, ".2f"),
        "normalisation_below_hi": N(lambda c: c.below_hi, ".2f"),
    },
    "norm30": {
        "normalisation_cov30_value": N(lambda c: c.fit30.value, ".1f"),
        "normalisation_cov30_upper": N(lambda c: c.fit30.value + c.fit30.error, ".2f"),
    },
    "no_normalisation": {
        "normalisation_c_touch0": N(lambda c: c.c_touch0, ".2f"),
    },
}
