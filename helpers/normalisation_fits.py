"""The Minuit fits of the normalisation chapter, built from iminuit's cost classes.

A fit with a normalisation nuisance parameter is a least-squares term in ``(mu, N)`` plus
the constraint :math:`(N - 1)^2/\\epsilon^2`: :class:`iminuit.cost.LeastSquares` of one of
the :data:`MODELS` added to :class:`iminuit.cost.NormalConstraint`. Each model knows its
prediction, its Jacobian and its curvature, so Minuit gets the exact gradient and Hessian
(:class:`NuisanceCost`); HESSE then inverts the exact Hessian.

Every fit checks Minuit's flags (:func:`run`): MIGRAD's, HESSE's and, per side, MINOS'.
A MINOS edge is used only if its flags are good and the exact 1-d curve confirms it as
the first crossing of :math:`\\chi^2_{min} + 1` (then refined on that curve, :func:`estimate`);
otherwise the edge is found on that curve, or is infinite (a one-sided interval).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd
from iminuit import Minuit
from iminuit.cost import LeastSquares, NormalConstraint
from scipy.optimize import brentq

from . import normalisation_closed as closed
from .validation import InputError, as_number

__all__ = ["Model", "MODELS", "NuisanceCost", "RelativeCovarianceCost", "run", "estimate", "crossing", "scale_free",
           "nuisance_minuit", "relative_covariance_minuit", "likelihood_minuit",
           "scaled_data_minuit", "minuit_settings_study"]


@dataclass(frozen=True)
class Model:
    """What the least-squares term compares: ``observed(y)`` against ``predict(y, mu, N)``
    (one entry per measurement), with the Jacobian ``jacobian(y, mu, N)`` (n, 2) and the
    second derivatives ``curvature(mu, N)`` (2, 2), the same for every measurement."""

    observed: Callable
    predict: Callable
    jacobian: Callable
    curvature: Callable


MODELS = {
    # sum (N y_i - mu)^2 / s_i^2: the data scaled by N against mu (observed 0, "model" mu - N y)
    "data": Model(
        observed=lambda y: np.zeros_like(y),
        predict=lambda y, mu, N: mu - N * y,
        jacobian=lambda y, mu, N: np.column_stack([np.ones_like(y), -y]),
        curvature=lambda mu, N: np.zeros((2, 2)),
    ),
    # sum (y_i - N mu)^2 / s_i^2: the prediction scaled by N
    "prediction": Model(
        observed=lambda y: y,
        predict=lambda y, mu, N: np.full_like(y, N * mu),
        jacobian=lambda y, mu, N: np.column_stack([np.full_like(y, N), np.full_like(y, mu)]),
        curvature=lambda mu, N: np.array([[0.0, 1.0], [1.0, 0.0]]),
    ),
    # sum (N y_i - mu)^2 / (N s_i)^2 = sum (y_i - mu/N)^2 / s_i^2: data and errors scaled by N
    "scaled": Model(
        observed=lambda y: y,
        predict=lambda y, mu, N: np.full_like(y, mu / N),
        jacobian=lambda y, mu, N: np.column_stack([np.full_like(y, 1.0 / N), np.full_like(y, -mu / N**2)]),
        curvature=lambda mu, N: np.array([[0.0, -N**-2], [-N**-2, 2.0 * mu / N**3]]),
    ),
}
"""The three ways the chapter lets ``N`` act."""


class NuisanceCost:
    """:math:`\\sum_i (o_i - m_i(\\mu, N))^2/s_i^2 + (N - 1)^2/\\epsilon^2` as
    ``LeastSquares + NormalConstraint`` (no constraint for :math:`\\epsilon = 0`, where
    ``N`` is fixed), with the exact gradient and Hessian.

    :math:`H = 2\\sum_i w_i (J_i J_i^T - r_i C) + 2/\\epsilon^2\\, e_N e_N^T` with residuals
    :math:`r = o - m`, Jacobian rows :math:`J_i` and curvature :math:`C` of the :class:`Model`.
    """

    def __init__(self, model: Model, y, s, eps: float):
        self.model, self.y, self.w = model, np.asarray(y), np.asarray(s) ** -2.0
        self.constraint = _constraint_weight(eps, "the fit") if eps > 0 else 0.0
        obs = model.observed(self.y)
        x = np.arange(self.y.size, dtype=float)
        cost = LeastSquares(x, obs, s, lambda x, mu, N: model.predict(self.y, mu, N),
                            grad=lambda x, mu, N: model.jacobian(self.y, mu, N).T)
        self.cost = cost + NormalConstraint("N", 1.0, eps) if eps > 0 else cost
        self._obs = obs

    def grad(self, mu, N) -> np.ndarray:
        return np.asarray(self.cost.grad(mu, N), dtype=float)

    def hessian(self, mu, N) -> np.ndarray:
        J = self.model.jacobian(self.y, mu, N)
        r = self._obs - self.model.predict(self.y, mu, N)
        H = (J.T * self.w) @ J - (self.w @ r) * self.model.curvature(mu, N)
        H[1, 1] += self.constraint
        return 2.0 * H

    def minuit(self, mu: float, N: float = 1.0) -> Minuit:
        return Minuit(self.cost, mu=mu, N=N, grad=self.grad, hessian=self.hessian)


def _constraint_weight(eps: float, what: str) -> float:
    """:math:`1/\\epsilon^2`; InputError where there is no ``N`` to fit (or its weight
    leaves the floating-point range)."""
    if eps == 0:
        raise InputError(f"with norm_error = 0 there is no N to fit in {what}")
    c = 1.0 / eps**2 if eps**2 > 0 else np.inf
    if not np.isfinite(c):
        raise InputError(f"norm_error = {eps:g} is too small for {what}: the constraint "
                         "on N leaves the floating-point range (the result is the weighted mean)")
    return c


def run(m: Minuit, minos: bool) -> Minuit:
    """MIGRAD (strategy 2, tolerance 1e-6), HESSE and optionally MINOS on ``mu``;
    InputError unless MIGRAD converged and HESSE's matrix is accurate and not forced
    positive definite. MINOS' flags are judged per side by :func:`estimate`."""
    m.strategy = 2
    m.tol = 1e-6
    m.migrad()
    if not m.valid:
        raise InputError("the fit did not converge (minimum not found); try other inputs")
    m.hesse()
    fmin = m.fmin
    if not m.valid or not fmin.has_accurate_covar or fmin.has_made_posdef_covar:
        raise InputError(
            "Minuit's error matrix is not reliable for these inputs (valid="
            f"{m.valid}, accurate={fmin.has_accurate_covar}, forced positive definite="
            f"{fmin.has_made_posdef_covar}): the fit is too ill-conditioned; "
            "NormalisationProblem.closed_forms() gives the exact result")
    if minos:
        m.minos("mu")
        me = m.merrors["mu"]
        if me.lower_new_min or me.upper_new_min:
            raise InputError("MINOS found a lower minimum than MIGRAD: the fit's minimum is not "
                             "reliable for these inputs; NormalisationProblem.closed_forms() "
                             "gives the exact result")
    return m


def crossing(curve, mu_hat: float, level: float, side: float, scale: float) -> float:
    """First :math:`\\mu` beyond ``mu_hat`` on ``side`` (+1/-1) where ``curve`` reaches ``level``.

    Evaluates the curve at :math:`\\hat\\mu + \\mathrm{side}\\,\\sigma\\,2^k/8` (and at
    :math:`\\mu = 0` if it lies on that side: there the prediction :math:`N\\mu` is 0 for any
    :math:`N`, the curve's highest barrier) until it exceeds ``level``, then refines with
    ``brentq``. Returns ``side * inf`` if it never does (for N on prediction,
    :math:`\\chi^2 \\to \\chi^2_{min} + 1/\\epsilon^2` as :math:`|\\mu| \\to \\infty`).
    """
    offsets = scale * 2.0 ** (np.arange(80) - 3.0)
    if side * (0.0 - mu_hat) > 0:
        offsets = np.sort(np.append(offsets, abs(mu_hat)))
    inner = mu_hat
    for d in offsets:
        outer = mu_hat + side * d
        if curve(outer) > level:
            return float(brentq(lambda x: curve(x) - level, inner, outer, xtol=1e-12 * max(1.0, abs(outer))))
        inner = outer
    return side * np.inf


def _confirmed(curve, mu: float, edge: float, level: float) -> float | None:
    """A MINOS ``edge`` checked and refined on the exact ``curve``: None if the curve
    reaches ``level`` before it (at 63 points between ``mu`` and ``edge``, or at
    ``mu = 0``: MINOS jumped a barrier) or never beyond it (up to twice as far); else the
    crossing found by ``brentq`` between the last point below and the first point above."""
    span = edge - mu
    grid = mu + span * np.linspace(0.0, 1.0, 65)[1:-1]
    if min(mu, edge) < 0.0 < max(mu, edge):
        grid = np.append(grid, 0.0)
    if np.any(np.atleast_1d(curve(grid)) > level):
        return None
    inner = mu + span * 63.0 / 64.0
    for j in range(7):
        outer = edge + span * 2.0**j / 64.0
        if curve(outer) > level:
            return float(brentq(lambda x: curve(x) - level, inner, outer,
                                xtol=1e-12 * max(abs(inner), abs(outer))))
    return None


def estimate(label: str, m: Minuit, minos: bool, with_N: bool, curve) -> closed.Estimate:
    """Estimate from a fitted Minuit object: HESSE error (√ of the covariance diagonal);
    with ``minos`` each edge from MINOS, refined on ``curve(mu)`` (the exact profile or 1-d
    curve), if its flags are good and the curve confirms it as the first crossing
    (:func:`_confirmed`); else the first crossing of the curve itself (:func:`crossing`)."""
    mu = float(m.values["mu"])
    err = float(np.sqrt(m.covariance["mu", "mu"]))
    if minos:
        me = m.merrors["mu"]
        level = m.fval + 1.0
        good = {-1.0: me.lower_valid and not me.at_lower_limit and not me.at_lower_max_fcn,
                +1.0: me.upper_valid and not me.at_upper_limit and not me.at_upper_max_fcn}
        edges = {-1.0: mu + me.lower, +1.0: mu + me.upper}
        for side in (-1.0, 1.0):
            edge = _confirmed(curve, mu, edges[side], level) if good[side] else None
            edges[side] = crossing(curve, mu, level, side, err) if edge is None else edge
        lo, hi = edges[-1.0], edges[1.0]
    else:
        lo, hi = mu - err, mu + err
    N = float(m.values["N"]) if with_N else None
    return closed.Estimate(label, mu, err, float(lo), float(hi), float(m.fval), N)


def scale_free(method):
    """Run an :class:`Estimate`-returning method of a problem on the problem divided by
    its :func:`~helpers.normalisation_closed.unit` when its numbers are far from 1, and scale
    the estimate back: Minuit's steps and tolerances then work at any scale. The likelihood's
    :math:`-2\\ln L` gets back the :math:`2n\\ln k` its log-determinant lost."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        k = closed.unit(self.values, self.stat_errors)
        if 2.0 ** -20 <= k <= 2.0 ** 20:
            return method(self, *args, **kwargs)
        scaled = type(self)(self.values / k, self.stat_errors / k, self.norm_error)
        e = method(scaled, *args, **kwargs)
        chi2 = e.chi2_min
        if e.method == closed.GAUSSIAN_LIKELIHOOD:
            chi2 += 2.0 * self.n * np.log(k)
        return replace(e, value=e.value * k, error=e.error * k, lower=e.lower * k,
                       upper=e.upper * k, chi2_min=chi2)
    return wrapper


# ------------------------------------------------------------------------------------
# the fits of one problem
# ------------------------------------------------------------------------------------
def _start(problem) -> tuple[float, float]:
    wm = problem.weighted_mean()
    return wm.value, float(np.hypot(wm.error, problem.norm_error * wm.value))


def _norm_negligible(problem) -> bool:
    """True when the normalisation uncertainty changes no digit of any estimate:
    ``eps^2 (1 + z^2)(1 + chi2_stat) < 1e-16`` with ``z`` the weighted mean over its
    stat error (a fit would need a step of size eps for N, which Minuit cannot make)."""
    wm = problem.weighted_mean()
    z2 = (wm.value / wm.error) ** 2
    return problem.norm_error ** 2 * (1.0 + z2) * (1.0 + wm.chi2_min) < 1e-16


def nuisance_minuit(problem, on: str = "data", minos: bool = True) -> Minuit:
    """See :meth:`NormalisationProblem.nuisance_minuit`."""
    if on not in ("data", "prediction"):
        raise InputError(f'on must be "data" or "prediction", got {on!r}')
    e = 0.0 if _norm_negligible(problem) else problem.norm_error
    start, step = _start(problem)
    m = NuisanceCost(MODELS[on], problem.values, problem.stat_errors, e).minuit(start)
    m.errors["mu"] = step
    m.errors["N"] = e if e > 0 else 0.1
    if e == 0:
        m.fixed["N"] = True
    return run(m, minos)


class RelativeCovarianceCost:
    """:math:`\\chi^2(\\mu) = (y - \\mu 1)^T V(\\mu)^{-1}(y - \\mu 1)` with its exact derivatives.

    With :math:`a = \\epsilon^2`, :math:`W = \\sum s_i^{-2}`, :math:`B = \\sum y_i s_i^{-2}` and
    :math:`D = 1 + aW\\mu^2`, Sherman-Morrison gives :math:`t = 1^T V^{-1}(y - \\mu 1) = (B - \\mu W)/D`
    and :math:`q = 1^T V^{-1} 1 = W/D`; then :math:`\\chi^{2\\prime} = -2t - 2a\\mu t^2` and
    :math:`\\chi^{2\\prime\\prime} = 2q(1 + 2a\\mu t)^2 - 2a t^2` (at the minimum :math:`t = 0`,
    so :math:`\\sigma^2 = 1/q = 1/W + \\epsilon^2\\hat\\mu^2`).
    """

    errordef = Minuit.LEAST_SQUARES

    def __init__(self, y, s, eps: float):
        self.y, self.s, self.eps = y, s, eps
        w = s ** -2.0
        self.a, self.W, self.B = eps * eps, float(w.sum()), float(w @ y)

    def __call__(self, mu):
        return closed.relative_chi2(self.y, self.s, self.eps, mu)

    def _t_q(self, mu):
        D = 1.0 + self.a * self.W * mu * mu
        return (self.B - mu * self.W) / D, self.W / D

    def grad(self, mu):
        t, _ = self._t_q(mu)
        return np.array([-2.0 * t - 2.0 * self.a * mu * t**2])

    def hessian(self, mu):
        t, q = self._t_q(mu)
        return np.array([[2.0 * q * (1.0 + 2.0 * self.a * mu * t) ** 2 - 2.0 * self.a * t**2]])


def relative_covariance_minuit(problem, minos: bool = True) -> Minuit:
    """See :meth:`NormalisationProblem.relative_covariance_minuit`."""
    cost = RelativeCovarianceCost(problem.values, problem.stat_errors, problem.norm_error)
    start, step = _start(problem)
    m = Minuit(cost, mu=start, grad=cost.grad, hessian=cost.hessian)
    m.errors["mu"] = step
    return run(m, minos)


def likelihood_minuit(problem, minos: bool = True) -> Minuit:
    """See :meth:`NormalisationProblem.likelihood_minuit`."""
    start, step = _start(problem)
    y, s, e = problem.values, problem.stat_errors, problem.norm_error
    m = Minuit(lambda mu: closed.likelihood_nll(y, s, e, mu), mu=start, name=["mu"])
    m.errordef = 1.0  # the function is -2 ln L: the interval is where it rises by 1
    m.errors["mu"] = step
    return run(m, minos)


def scaled_data_minuit(problem, tight: bool = True, start: tuple | None = None) -> Minuit:
    """See :meth:`NormalisationProblem.scaled_data_minuit`."""
    y, s, eps = problem.values, problem.stat_errors, problem.norm_error
    c = _constraint_weight(eps, "the fit with scaled errors")
    mu0, step = _start(problem)
    n0 = 1.0
    if start is not None:
        mu0, n0 = (as_number(x, "start") for x in start)
    if tight:
        m = NuisanceCost(MODELS["scaled"], y, s, eps).minuit(mu0, n0)
        m.errors["mu"] = step
        m.errors["N"] = eps
        return run(m, minos=False)

    def chi2(mu, N):          # as a student writes it: no gradient, Minuit's defaults
        r = (N * y - mu) / (N * s)
        return r @ r + c * (N - 1.0) ** 2

    m = Minuit(chi2, mu=mu0, N=n0)
    m.errordef = Minuit.LEAST_SQUARES
    m.migrad()
    m.hesse()
    return m


def minuit_settings_study(problem, *, strategies=(0, 1, 2), starts_mu=(7.0, 8.0, 8.25, 9.0),
                          starts_N=(0.9, 1.0, 1.1)) -> pd.DataFrame:
    """See :func:`helpers.normalisation.minuit_settings_study`."""
    c = _constraint_weight(problem.norm_error, "the Minuit settings study")
    exact = problem.nuisance_fit("prediction", minos=False)
    y, s = problem.values, problem.stat_errors

    def chi2(mu, N):          # as a student writes it: no gradient
        r = (y - N * mu) / s
        return r @ r + c * (N - 1.0) ** 2

    rows = []
    for strategy in strategies:
        for mu0 in starts_mu:
            for n0 in starts_N:
                m = Minuit(chi2, mu=mu0, N=n0)
                m.errordef = Minuit.LEAST_SQUARES
                m.strategy = strategy
                m.migrad()
                m.hesse()
                rows.append({"strategy": strategy, "start mu": mu0, "start N": n0,
                             "mu offset": float(m.values["mu"]) - exact.value,
                             "hesse rel diff": float(m.errors["mu"]) / exact.error - 1.0,
                             "valid": bool(m.valid),
                             "accurate": bool(m.fmin.has_accurate_covar)})
    return pd.DataFrame(rows)
