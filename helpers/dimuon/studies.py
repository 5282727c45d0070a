"""Diagnostics and studies of the fit: profiles and scans, toys and pulls, the fixed-step
numerical Hessian and its spread under rounding-size perturbations, numerical checks of
the closed forms, goodness of fit."""

from __future__ import annotations

import copy
import hashlib
import math
import os
import sys
from collections import OrderedDict

import numpy as np
import pandas as pd
from iminuit import Minuit
from scipy import stats

from .. import SEED
from ..nudge import ENV as NUDGE_ENV, nudge
from ..validation import InputError, as_number, as_real_array, as_seed

from .model import (  # noqa: F401
    PARAMETERS,
    MASS_RANGE,
    TRUTH,
    START,
    MIN_EVENTS,
    FastLogPdf,
    limits,
    _as_params,
    cb_integral,
    simulate,
    write_sample,
)
from .fitting import (  # noqa: F401
    fit,
    DimuonFit,
)

__all__ = [
    "profile", "nll_scan", "fixed_step_errors", "seed_hessian_errors", "fixed_step_spread",
    "SPREAD_COPIES", "SPREAD_STEPS", "toy_study", "pull_summary", "truth_compatibility",
    "finite_difference_scale", "cb_integral_check", "SECOND_TOY_SEED", "minuit_numerical_errors",
    "second_difference_error", "gof_pvalue_bounds", "clear_study_cache",
]


# ============================================================================ memo
class _Memo:
    """The last few results of an expensive, deterministic study, keyed on its validated
    arguments and on the environment that changes the data (``$COURSE_BOOK_NUDGE``,
    ``$COURSE_BOOK_DATA``). Every call hands out a deep copy: the caller may change it."""

    def __init__(self, size: int = 8):
        self.size = size
        self.store: OrderedDict = OrderedDict()

    def get(self, key, compute):
        key = (key, os.environ.get(NUDGE_ENV), os.environ.get("COURSE_BOOK_DATA"))
        if key in self.store:
            self.store.move_to_end(key)
        else:
            self.store[key] = compute()
            while len(self.store) > self.size:
                self.store.popitem(last=False)
        return copy.deepcopy(self.store[key])


_MEMO = _Memo()


def clear_study_cache() -> None:
    """Forget the remembered results of :func:`toy_study` and :func:`fixed_step_spread`
    (both are deterministic: the same arguments and environment give the same result, so
    a repeated call, e.g. by the chapter's table of glued numbers, is served from memory)."""
    _MEMO.store.clear()


def _fit_key(result: DimuonFit) -> tuple:
    """What a study of ``result`` depends on: its sample, range, values and errors."""
    masses = np.ascontiguousarray(result.masses, dtype=float)
    return (hashlib.sha256(masses.tobytes()).hexdigest(), masses.shape,
            tuple(np.asarray(result.mass_range, float).tolist()),
            tuple(result.values.to_numpy().tolist()), tuple(result.errors.to_numpy().tolist()))


# ============================================================================ diagnostics
def profile(result: DimuonFit, parameter: str, bound: float = 3.0, size: int = 31) -> pd.DataFrame:
    """Profile of :math:`-2\\Delta\\ln L` in one parameter (the others re-minimised).

    ``bound`` is in units of the HESSE error around the minimum (clipped to the limits).
    Uses Minuit's ``mnprofile``. Columns ``value, delta, valid`` and ``parabola``, the
    HESSE approximation :math:`((x - \\hat x)/\\sigma)^2`.
    """
    if parameter not in PARAMETERS:
        raise InputError(f"unknown parameter {parameter!r}; choose one of {list(PARAMETERS)}")
    bound = as_number(bound, "bound", positive=True)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 3:
        raise InputError(f"size must be an integer >= 3, got {size!r}")
    err = result.errors[parameter]
    v = result.values[parameter]
    lo, hi = result.minuit.limits[parameter]
    grid = np.linspace(max(v - bound * err, lo), min(v + bound * err, hi), int(size))
    x, y, ok = result.minuit.mnprofile(parameter, grid=grid, subtract_min=True)
    return pd.DataFrame({"value": x, "delta": y, "valid": np.asarray(ok, bool),
                         "parabola": ((x - v) / err) ** 2})


def nll_scan(result: DimuonFit, parameter: str, values) -> pd.DataFrame:
    """:math:`-\\ln L` along one parameter with the other five held at the fitted values
    (not re-minimised: a flat scan is flat for every choice of the others). Columns
    ``value`` and ``delta`` = :math:`-\\ln L(\\text{value}) - (-\\ln L)` at the fit."""
    if parameter not in PARAMETERS:
        raise InputError(f"unknown parameter {parameter!r}; choose one of {list(PARAMETERS)}")
    grid = np.atleast_1d(as_real_array(values, f"values of {parameter}"))
    lo, hi = result.minuit.limits[parameter]
    if grid.size == 0 or not np.all(np.isfinite(grid)) or grid.min() < lo or grid.max() > hi:
        raise InputError(f"values of {parameter} must be finite and inside its limits [{lo:g}, {hi:g}]")
    x0 = result.values.to_numpy()
    i = PARAMETERS.index(parameter)
    f0 = 0.5 * result.model.nll(*x0)
    out = []
    for v in grid:
        x = x0.copy()
        x[i] = v
        out.append(0.5 * result.model.nll(*x) - f0)
    result.model._evaluate(x0)
    return pd.DataFrame({"value": grid, "delta": out})


def fixed_step_errors(model: FastLogPdf, x0, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Errors from a one-sided, fixed-step numerical Hessian of :math:`f = -\\ln L`.

    :math:`H_{ij} = [f(x + \\epsilon e_i + \\epsilon e_j) - f(x + \\epsilon e_i) - f(x + \\epsilon e_j) + f(x)]/\\epsilon^2`
    with :math:`\\epsilon` = ``step`` in every parameter (28 values of f for six
    parameters), then :math:`\\sigma_i = \\sqrt{|(H^{-1})_{ii}|}`. Returns the errors and
    the diagonal :math:`H_{ii}` (the one-sided second differences), both in the order of
    :data:`PARAMETERS`; ``model`` is the :class:`FastLogPdf` of the sample, ``x0`` the point.
    """
    step = as_number(step, "step", positive=True)
    x0 = np.asarray(x0, dtype=float)

    def f(x):
        return 0.5 * model.nll(*x)

    f0 = f(x0)
    eye = np.eye(6)
    fi = [f(x0 + step * eye[i]) for i in range(6)]
    hess = np.empty((6, 6))
    for i in range(6):
        for j in range(i, 6):
            hess[i, j] = hess[j, i] = (f(x0 + step * (eye[i] + eye[j])) - fi[i] - fi[j] + f0) / step**2
    with np.errstate(invalid="ignore"):
        errors = np.sqrt(np.abs(np.diag(np.linalg.inv(hess))))
    return errors, np.diag(hess).copy()


def seed_hessian_errors(result: DimuonFit, step: float = 1e-5) -> pd.DataFrame:
    """The fixed-step Hessian's errors (:func:`fixed_step_errors`) next to HESSE's, on the
    same fit and the same minimum.

    The fixed step is far below the natural scale of the weakly constrained parameters
    (alpha, n): there the second difference spans only a few hundred last bits of the NLL,
    so its rounding decides the result at the per-cent level. Which per cent depends on
    the last bits of the machine's arithmetic (see :func:`fixed_step_spread`).

    Returns a DataFrame indexed by parameter with ``value``, ``hesse`` (this module's
    HESSE error, from the exact Hessian), ``seed_method`` and ``rel_diff`` = seed/hesse - 1.
    """
    step = as_number(step, "step", positive=True)
    hesse = result.errors.to_numpy()
    x0 = result.values.to_numpy()
    seed_err, _ = fixed_step_errors(result.model, x0, step)
    result.model._evaluate(x0)
    return pd.DataFrame({"value": x0, "hesse": hesse, "seed_method": seed_err,
                         "rel_diff": seed_err / hesse - 1.0}, index=list(PARAMETERS))


SPREAD_STEPS = (1e-6, 1e-5, 1e-4, 1e-3)
"""Steps of :func:`fixed_step_spread` (the chapter's)."""

SPREAD_COPIES = 30
"""Copies of the sample in the chapter's :func:`fixed_step_spread`."""


def fixed_step_spread(result: DimuonFit, steps=SPREAD_STEPS, copies: int = SPREAD_COPIES) -> pd.DataFrame:
    """The fixed-step Hessian's errors on ``copies`` copies of the fit that differ only in
    the last bits: copy k moves every mass and every fitted parameter value by 1-3 units in
    the last place (:func:`helpers.nudge.nudge` with seed k), the size of the difference
    between two machines' arithmetic. Moving the masses alone is not enough: part of the
    rounding of :math:`-\\ln L` comes from the normalisation integrals, which depend on the
    parameters only and enter every event's term.

    One row per copy and step: ``copy``, ``step``, for every parameter ``p`` the relative
    difference of the error, ``p`` = fixed-step error / HESSE - 1, and ``p_d2``, the
    relative error of the one-sided diagonal second difference against the exact
    curvature. HESSE's own errors do not move between the copies (the exact Hessian
    loses no digits); the fixed-step ones do. Results are remembered (see
    :func:`clear_study_cache`).
    """
    if isinstance(copies, bool) or not isinstance(copies, (int, np.integer)) or copies < 1:
        raise InputError(f"copies must be a positive integer, got {copies!r}")
    steps = [as_number(s, "step", positive=True) for s in np.atleast_1d(steps)]
    if not steps:
        raise InputError("give at least one step")
    key = ("fixed_step_spread", _fit_key(result), tuple(steps), int(copies))
    return _MEMO.get(key, lambda: _fixed_step_spread(result, steps, int(copies)))


def _fixed_step_spread(result: DimuonFit, steps: list[float], copies: int) -> pd.DataFrame:
    x0 = result.values.to_numpy()
    hesse = result.errors.to_numpy()
    curv = np.diag(0.5 * result.model.nll_hessian(*x0))
    result.model._evaluate(x0)
    rows = []
    for k in range(int(copies)):
        model = FastLogPdf(nudge(result.masses, k), result.mass_range)
        xk = nudge(x0, k)
        for step in steps:
            err, d2 = fixed_step_errors(model, xk, step)
            row = {"copy": k, "step": step}
            row.update(zip(PARAMETERS, err / hesse - 1.0))
            row.update(zip((f"{p}_d2" for p in PARAMETERS), d2 / curv - 1.0))
            rows.append(row)
    return pd.DataFrame(rows)


# ============================================================================ toys
def toy_study(n_toys: int, size: int, seed=SEED, progress: bool = False, truth: dict | None = None,
              mass_range=MASS_RANGE) -> pd.DataFrame:
    """Fit ``n_toys`` simulated samples of ``size`` events each.

    Toy ``i`` uses ``numpy.random.SeedSequence(seed).spawn(n_toys)[i]`` (independent,
    reproducible streams). Returns one row per toy: for every parameter ``p`` the fitted
    ``p``, ``p_error`` (HESSE) and ``p_pull`` = (value - truth)/error, plus the flags
    ``valid``, ``has_accurate_covar``, ``has_made_posdef_covar``, ``at_limit`` and ``ok``.
    Errors and pulls are NaN for toys that are not ``ok``. With ``progress=True`` a counter
    is written to stderr (never by default). Results are remembered (see
    :func:`clear_study_cache`); with ``progress=True`` the toys always run.
    """
    if isinstance(n_toys, bool) or not isinstance(n_toys, (int, np.integer)) or n_toys < 1:
        raise InputError(f"n_toys must be a positive integer, got {n_toys!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < MIN_EVENTS:
        raise InputError(f"size must be an integer >= {MIN_EVENTS} (events per toy), got {size!r}")
    truth = _as_params(dict(truth or {}), "truth", TRUTH)
    seed = as_seed(seed, generator=False)    # the same call, the same toys
    run = lambda: _toy_study(int(n_toys), int(size), seed, progress, truth, mass_range)  # noqa: E731
    try:
        range_key = tuple(np.asarray(mass_range, dtype=float).ravel().tolist())
    except (TypeError, ValueError):
        return run()    # refused with the reason by simulate
    if progress:
        return run()    # the counter is the point: run the toys again
    key = ("toy_study", int(n_toys), int(size), seed, tuple(sorted(truth.items())), range_key)
    return _MEMO.get(key, run)


def _toy_study(n_toys: int, size: int, seed: int, progress: bool, truth: dict, mass_range) -> pd.DataFrame:
    rows = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(int(n_toys))):
        x = simulate(size, child, mass_range, **truth)
        res = fit(x, mass_range)
        row = {"toy": i}
        row.update(res.values.to_dict())
        err = res.errors if res.ok else pd.Series(np.nan, index=list(PARAMETERS))
        for p in PARAMETERS:
            row[f"{p}_error"] = float(err[p])
            row[f"{p}_pull"] = (row[p] - truth[p]) / float(err[p])
        row.update(valid=res.valid, has_accurate_covar=res.has_accurate_covar,
                   has_made_posdef_covar=res.has_made_posdef_covar,
                   at_limit=res.has_parameters_at_limit, ok=res.ok)
        rows.append(row)
        if progress:
            sys.stderr.write(f"\rtoy {i + 1}/{n_toys}")
            sys.stderr.flush()
    if progress:
        sys.stderr.write("\n")
    return pd.DataFrame(rows).set_index("toy")


def pull_summary(toys: pd.DataFrame, parameters=("mu", "sigma")) -> pd.DataFrame:
    """Mean and width (standard deviation) of the pulls of the converged toys, with their
    statistical errors :math:`s/\\sqrt{N}` and :math:`s/\\sqrt{2(N-1)}`, the number of toys
    used and the convergence rate (fraction of ``ok`` toys)."""
    rows = {}
    ok = toys["ok"].astype(bool)
    for p in parameters:
        if p not in PARAMETERS:
            raise InputError(f"unknown parameter {p!r}")
        pulls = toys.loc[ok, f"{p}_pull"].to_numpy(float)
        k = pulls.size
        if k < 2:
            raise InputError(f"need at least 2 converged toys, got {k}")
        s = float(np.std(pulls, ddof=1))
        rows[p] = {"mean": float(pulls.mean()), "mean_error": s / math.sqrt(k),
                   "width": s, "width_error": s / math.sqrt(2 * (k - 1)), "n_toys": k,
                   "converged": float(ok.mean())}
    return pd.DataFrame.from_dict(rows, orient="index")


# ============================================================================ chapter extras
def truth_compatibility(result: DimuonFit, truth: dict | None = None) -> dict:
    """How far the fitted parameters lie from ``truth`` (default :data:`TRUTH`) as a whole:
    :math:`\\chi^2 = d^\\mathsf{T} C^{-1} d` with :math:`d` = value - truth and the HESSE
    covariance :math:`C`, its 6 degrees of freedom and p-value (valid for a Gaussian
    estimator). Raises :class:`FitError` unless the fit is ``ok``."""
    tr = _as_params(dict(truth or {}), "truth", TRUTH)
    d = result.values.to_numpy() - np.array([tr[p] for p in PARAMETERS])
    chi2 = float(d @ np.linalg.solve(result.covariance.to_numpy(), d))
    ndf = len(PARAMETERS)
    return {"chi2": chi2, "ndf": ndf, "pvalue": float(stats.chi2.sf(chi2, ndf))}


def finite_difference_scale(result: DimuonFit, step: float = 1e-5) -> pd.DataFrame:
    """Why a fixed-step second difference loses the curvature of weak parameters.

    Per parameter: ``curvature`` = the exact :math:`\\partial^2(-\\ln L)/\\partial\\theta^2` at
    the minimum, ``second_difference`` = step**2 times it (what the fixed-step formula divides
    by step**2, i.e. the signal it has to see), ``last_bit`` = the spacing of
    double-precision numbers at :math:`|-\\ln L|` (the smallest change of the value the sum
    can express) and ``ratio`` = second_difference / last_bit.
    """
    step = as_number(step, "step", positive=True)
    x0 = result.values.to_numpy()
    curv = np.diag(0.5 * result.model.nll_hessian(*x0)).copy()
    last_bit = float(np.spacing(abs(result.nll)))
    diff = step * step * curv
    return pd.DataFrame({"curvature": curv, "second_difference": diff,
                         "last_bit": last_bit, "ratio": diff / last_bit}, index=list(PARAMETERS))


def cb_integral_check(lo, hi, mu, sigma, alpha, n) -> dict:
    """:func:`cb_integral` next to an independent numerical integral.

    ``numeric`` integrates ``scipy.stats.crystalball(alpha, n, loc=mu, scale=sigma)``'s
    density divided by its value at the peak (so the peak height is 1, like
    :func:`cb_integral`) with ``scipy.integrate.quad``, telling it where the junction
    :math:`\\mu - \\alpha\\sigma` and the peak lie. Returns ``closed``, ``numeric``,
    ``quad_error`` (quad's own error estimate) and ``rel_diff`` = numeric/closed - 1.
    """
    from scipy.integrate import quad

    closed = float(cb_integral(lo, hi, mu, sigma, alpha, n))
    lo, hi = float(lo), float(hi)
    dist = stats.crystalball(alpha, n, loc=mu, scale=sigma)
    peak = float(dist.pdf(mu))
    inside = [x for x in (mu - alpha * sigma, mu) if lo < x < hi]
    numeric, err = quad(lambda m: float(dist.pdf(m)) / peak, lo, hi, points=inside or None,
                        limit=200, epsabs=0.0, epsrel=1e-12)
    return {"closed": closed, "numeric": float(numeric), "quad_error": float(err),
            "rel_diff": float(numeric) / closed - 1.0}



# ============================================================================ review additions
SECOND_TOY_SEED = 12345
"""Seed of the chapter's repeat of the toy study (to tell a fluctuation from an effect)."""


def minuit_numerical_errors(result: DimuonFit, strategy: int = 1, migrad_first: bool = False) -> pd.DataFrame:
    """Minuit's own numerical HESSE (no derivatives supplied, same limits) next to the exact
    errors of ``result``.

    The protocol matters. ``migrad_first=False``: HESSE alone at the minimum of ``result``,
    with the exact errors as its initial step sizes. ``migrad_first=True``: the usual
    protocol, MIGRAD without derivatives from :data:`START`, then HESSE; there HESSE
    starts from what MIGRAD learnt about the curvature. ``strategy`` is 0, 1 or 2. Returns
    ``hesse`` (the exact errors), ``minuit_numerical`` and ``rel_diff`` =
    numerical/exact - 1 per parameter.
    """
    if isinstance(strategy, bool) or strategy not in (0, 1, 2):
        raise InputError(f"strategy must be 0, 1 or 2, got {strategy!r}")
    hesse = result.errors
    x0 = result.values.to_numpy()
    model = result.model
    start = [START[p] for p in PARAMETERS] if migrad_first else x0
    plain = Minuit(model.nll, *start, name=PARAMETERS, grad=False, hessian=False)
    for name, lim in limits(result.mass_range).items():
        plain.limits[name] = lim
    plain.strategy = int(strategy)
    if migrad_first:
        plain.migrad()
        if not plain.valid:
            raise InputError("MIGRAD without derivatives found no valid minimum")
    else:
        plain.errors = hesse.to_numpy()
    plain.hesse()
    num = np.sqrt(np.diag(np.array(plain.covariance)))     # the book's definition of an error
    model._evaluate(x0)
    return pd.DataFrame({"hesse": hesse.to_numpy(), "minuit_numerical": num,
                         "rel_diff": num / hesse.to_numpy() - 1.0}, index=list(PARAMETERS))


def second_difference_error(result: DimuonFit, step: float = 1e-5) -> pd.Series:
    r"""Relative error of the one-sided diagonal second difference
    :math:`[f(x + 2\epsilon e_i) - 2 f(x + \epsilon e_i) + f(x)]/\epsilon^2` of
    :math:`f = -\ln L` against the exact curvature, per parameter, at the minimum.
    Rounding dominates for small steps and weak parameters; the truncation error of the
    one-sided formula, proportional to the step, dominates for large steps."""
    step = as_number(step, "step", positive=True)
    x0 = result.values.to_numpy()
    model = result.model
    curv = np.diag(0.5 * model.nll_hessian(*x0)).copy()
    eye = np.eye(6)
    f0 = 0.5 * model.nll(*x0)
    out = []
    for i in range(6):
        f1 = 0.5 * model.nll(*(x0 + step * eye[i]))
        f2 = 0.5 * model.nll(*(x0 + 2 * step * eye[i]))
        out.append((f2 - 2 * f1 + f0) / step**2 / curv[i] - 1.0)
    model._evaluate(x0)
    return pd.Series(out, index=list(PARAMETERS), name="rel_error")


def gof_pvalue_bounds(result: DimuonFit, bins: int = 100, min_expected: float = 5.0) -> dict:
    """The binned goodness-of-fit p-value with ``ndf`` and with ``ndf + 6`` degrees of
    freedom (the parameters were fitted to the unbinned data, so the true distribution of
    the chi2 lies between the two): ``pvalue_ndf``, ``pvalue_ndf_plus`` and ``ndf_plus``."""
    gof = result.gof(bins=bins, min_expected=min_expected)
    ndf_plus = gof["ndf"] + len(PARAMETERS)
    return {"pvalue_ndf": gof["pvalue"], "ndf_plus": ndf_plus,
            "pvalue_ndf_plus": float(stats.chi2.sf(gof["chi2"], ndf_plus))}


if __name__ == "__main__":  # python -m helpers.dimuon : regenerate the stored sample
    print(f"wrote {write_sample()}")
