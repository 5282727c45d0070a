"""Two extensions of the unbinned fit: the extended likelihood with the signal yield, and
the binned likelihood against the unbinned one.

Extended fit
------------
:func:`extended_fit` fits the expected numbers of signal and background events,
:math:`\\nu(m) = N_{sig}\\,s(m) + N_{bkg}\\,b(m)` with the normalised densities of
:mod:`~helpers.dimuon.model`, with iminuit's ``ExtendedUnbinnedNLL``:

.. math::

    -2\\ln L = 2\\,(N_{sig} + N_{bkg}) - 2\\sum_i \\ln \\nu(m_i).

With :math:`N = N_{sig} + N_{bkg}` and :math:`f = N_{sig}/N` it factorises into a Poisson
term for N and the ordinary (non-extended) likelihood of :func:`~helpers.dimuon.fit` in f
and the shape: at the minimum :math:`\\hat N` is the number of events n, the shape and
:math:`\\hat f` are those of the ordinary fit, and the error of
:math:`N_{sig} = fN` is :math:`\\sqrt{(n\\sigma_f)^2 + f^2 n}`: the fraction's error scaled
by n plus the Poisson fluctuation of n itself. :func:`yield_from_fraction` gives both
errors from an ordinary fit; the first alone is right only when n is fixed by the
experiment, not when it is a Poisson count (:func:`yield_toy_study` shows both).

Binned fit
----------
:func:`binned_fit` fits a histogram of the masses with iminuit's ``BinnedNLL`` (the
multinomial likelihood of the counts, the bin contents predicted by the model's closed-form
:func:`~helpers.dimuon.cdf`); :func:`binned_vs_unbinned` compares its values and errors
with the unbinned fit's for several bin widths: bins much narrower than the resolution lose
nothing, bins as wide as the structure of the peak lose information on its shape.

Studies are remembered like those of :mod:`~helpers.dimuon.studies`
(:func:`clear_extended_cache` forgets them).
"""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pandas as pd
from iminuit import Minuit
from iminuit.cost import BinnedNLL, ExtendedUnbinnedNLL

from .. import SEED
from ..validation import InputError, as_count, as_number, as_seed

from .model import (  # noqa: F401
    PARAMETERS,
    MASS_RANGE,
    TRUTH,
    START,
    MIN_EVENTS,
    FitError,
    FastLogPdf,
    _as_range,
    _as_params,
    limits,
    cdf,
    simulate,
)
from .fitting import DimuonFit, fit, keep_flags, minuit_problems, _select, _start_values
from .studies import _Memo, _fit_key

__all__ = [
    "YIELDS", "EXTENDED_PARAMETERS", "BIN_WIDTHS", "ExtendedFit", "BinnedFit", "extended_fit",
    "yield_from_fraction", "yield_toy_study", "yield_pull_summary", "binned_fit",
    "binned_vs_unbinned", "binned_error_change", "clear_extended_cache",
]

YIELDS = ("n_sig", "n_bkg")
"""The two yields of the extended fit: expected signal and background events."""

SHAPE = tuple(p for p in PARAMETERS if p != "f_sig")
EXTENDED_PARAMETERS = YIELDS + SHAPE
"""Parameters of :func:`extended_fit`, in the order of its arrays and tables: the yields,
then the shape parameters of :func:`~helpers.dimuon.fit` (``mu, sigma, alpha, n, slope``)."""

BIN_WIDTHS = (0.001, 0.01, 0.05)
"""Bin widths [GeV] of :func:`binned_vs_unbinned`: 1 MeV (far below the 40 MeV resolution),
10 MeV and 50 MeV (wider than the resolution)."""


# ============================================================================ memo
_MEMO = _Memo()


def clear_extended_cache() -> None:
    """Forget the remembered results of :func:`yield_toy_study` and
    :func:`binned_vs_unbinned` (both deterministic: the same arguments and environment give
    the same result)."""
    _MEMO.store.clear()


# ============================================================================ results
class _MinuitResult:
    """Values, errors and Minuit's flags of a fit; errors only if they can be trusted."""

    parameters: tuple[str, ...] = ()
    kind = "fit"

    def __init__(self, minuit: Minuit, cost, *, n_events: int, mass_range):
        self.minuit = minuit
        self.cost = cost
        self.n_events = int(n_events)
        self.mass_range = tuple(mass_range)
        fmin = minuit.fmin
        keep_flags(self, fmin)
        self.fval = float(fmin.fval)
        self.values = pd.Series([float(minuit.values[p]) for p in self.parameters],
                                index=list(self.parameters), name="value")

    @property
    def problems(self) -> tuple[str, ...]:
        """What is wrong with the fit, in words (empty if nothing)."""
        return minuit_problems(self)

    @property
    def ok(self) -> bool:
        """True if the errors can be trusted: a valid minimum, an accurate covariance (not
        forced positive definite), no parameter at a limit."""
        return not self.problems

    def _require_ok(self, what: str) -> None:
        if not self.ok:
            raise FitError(f"no {what}: {'; '.join(self.problems)}")

    @property
    def errors(self) -> pd.Series:
        """HESSE errors by parameter; raises :class:`FitError` unless :attr:`ok`."""
        self._require_ok("errors")
        return pd.Series([float(self.minuit.errors[p]) for p in self.parameters],
                         index=list(self.parameters), name="error")

    @property
    def covariance(self) -> pd.DataFrame:
        """HESSE covariance; raises :class:`FitError` unless :attr:`ok`."""
        self._require_ok("covariance")
        cov = np.array(self.minuit.covariance, dtype=float)
        return pd.DataFrame(cov, index=list(self.parameters), columns=list(self.parameters))

    @property
    def correlation(self) -> pd.DataFrame:
        """Correlation matrix; raises :class:`FitError` unless :attr:`ok`."""
        cov = self.covariance
        d = np.sqrt(np.diag(cov.to_numpy()))
        return cov / np.outer(d, d)

    def table(self) -> pd.DataFrame:
        """``value`` and ``error`` per parameter; raises :class:`FitError` unless :attr:`ok`."""
        return pd.DataFrame({"value": self.values, "error": self.errors})

    def params(self) -> dict[str, float]:
        """Fitted values as a plain dict."""
        return self.values.to_dict()

    def __repr__(self) -> str:
        lo, hi = self.mass_range
        head = f"{self.kind} of {self.n_events} events in [{lo:g}, {hi:g}] GeV"
        if not self.ok:
            return f"WARNING: {'; '.join(self.problems)} -- the errors are NOT reliable.\n{head}"
        lines = [head + ": valid minimum, accurate covariance"]
        lines += [f"  {p:6s} = {v:.6g} +- {e:.2g}" for p, v, e in
                  zip(self.parameters, self.values, self.errors)]
        return "\n".join(lines)


class ExtendedFit(_MinuitResult):
    """Result of :func:`extended_fit`.

    ``values`` / ``errors`` / ``covariance`` / ``table()`` over :data:`EXTENDED_PARAMETERS`
    (errors raise :class:`FitError` unless :attr:`ok`); :attr:`yields` the two yields with
    their errors; :attr:`n_total` = N_sig + N_bkg; ``masses`` the (sorted) fitted masses,
    ``model`` the :class:`FastLogPdf` of the shape, ``cost`` the ``ExtendedUnbinnedNLL``.
    """

    parameters = EXTENDED_PARAMETERS
    kind = "Extended unbinned ML fit"

    def __init__(self, minuit, cost, model: FastLogPdf, *, n_dropped: int, mass_range):
        super().__init__(minuit, cost, n_events=model.data.size, mass_range=mass_range)
        self.model = model
        self.masses = model.data
        self.n_dropped = int(n_dropped)

    @property
    def n_total(self) -> float:
        """Fitted total expectation :math:`N_{sig} + N_{bkg}` (equals the number of events
        at the exact minimum)."""
        return float(self.values["n_sig"] + self.values["n_bkg"])

    @property
    def yields(self) -> pd.DataFrame:
        """``value`` and ``error`` of ``n_sig`` and ``n_bkg`` (raises :class:`FitError`
        unless :attr:`ok`)."""
        return self.table().loc[list(YIELDS)]

    def shape_values(self) -> dict[str, float]:
        """The fitted values as parameters of :func:`~helpers.dimuon.logpdf`: the shape and
        ``f_sig = N_sig / (N_sig + N_bkg)``."""
        v = self.values
        out = {p: float(v[p]) for p in SHAPE}
        out["f_sig"] = float(v["n_sig"] / (v["n_sig"] + v["n_bkg"]))
        return {p: out[p] for p in PARAMETERS}


class BinnedFit(_MinuitResult):
    """Result of :func:`binned_fit`: ``values`` / ``errors`` / ``table()`` over
    :data:`~helpers.dimuon.PARAMETERS` (errors raise :class:`FitError` unless :attr:`ok`),
    the histogram ``counts`` and ``edges``, ``bin_width``, ``n_bins``."""

    parameters = PARAMETERS
    kind = "Binned ML fit"

    def __init__(self, minuit, cost, *, counts, edges, bin_width, n_dropped, mass_range):
        super().__init__(minuit, cost, n_events=int(np.sum(counts)), mass_range=mass_range)
        self.counts = np.asarray(counts)
        self.edges = np.asarray(edges)
        self.bin_width = float(bin_width)
        self.n_bins = int(self.counts.size)
        self.n_dropped = int(n_dropped)

    def __repr__(self) -> str:
        return super().__repr__().replace(" events in", f" events in {self.n_bins} bins of "
                                          f"{1000 * self.bin_width:g} MeV in", 1)


# ============================================================================ extended fit
class _ExtendedCost:
    """The scaled density for ``ExtendedUnbinnedNLL(..., log=True)`` and the exact
    derivatives of that cost, from the :class:`FastLogPdf` of the shape.

    With :math:`N = N_{sig} + N_{bkg}`, :math:`f = N_{sig}/N` and F the ordinary cost
    :math:`-2\\sum\\ln p(m_i; \\theta, f)` (:meth:`FastLogPdf.nll`), the extended cost of
    n events is :math:`C = 2N - 2n\\ln N + F`; its gradient and Hessian follow from F's
    exact ones by the chain rule through :math:`f(N_{sig}, N_{bkg})`.
    """

    def __init__(self, model: FastLogPdf):
        self.model = model

    def __call__(self, x, n_sig, n_bkg, mu, sigma, alpha, n, slope):
        total = n_sig + n_bkg
        lp = self.model(x, mu, sigma, alpha, n, slope, n_sig / total)
        return total, lp + math.log(total)            # log of N p = N_sig s + N_bkg b

    def _split(self, y):
        ns, nb = float(y[0]), float(y[1])
        total = ns + nb
        return ns, nb, total, (*(float(v) for v in y[2:]), ns / total)

    def value(self, *y) -> float:
        """The cost C (the same number as the ``ExtendedUnbinnedNLL``)."""
        ns, nb, total, x = self._split(y)
        size = self.model.data.size
        return 2.0 * total - 2.0 * size * math.log(total) + self.model.nll(*x)

    def grad(self, *y) -> np.ndarray:
        ns, nb, total, x = self._split(y)
        size = self.model.data.size
        g = self.model.nll_grad(*x)
        out = np.empty(7)
        base = 2.0 - 2.0 * size / total
        out[0] = base + g[5] * nb / total**2
        out[1] = base - g[5] * ns / total**2
        out[2:] = g[:5]
        return out

    def hessian(self, *y) -> np.ndarray:
        ns, nb, total, x = self._split(y)
        size = self.model.data.size
        g = self.model.nll_grad(*x)
        h = self.model.nll_hessian(*x)
        jac = np.array([nb, -ns]) / total**2                     # df/dN_sig, df/dN_bkg
        f2 = np.array([[-2.0 * nb, ns - nb], [ns - nb, 2.0 * ns]]) / total**3
        out = np.empty((7, 7))
        out[:2, :2] = 2.0 * size / total**2 + h[5, 5] * np.outer(jac, jac) + g[5] * f2
        out[:2, 2:] = np.outer(jac, h[5, :5])
        out[2:, :2] = out[:2, 2:].T
        out[2:, 2:] = h[:5, :5]
        return out

    def g2(self, *y) -> np.ndarray:
        return np.diag(self.hessian(*y)).copy()


def extended_fit(masses, mass_range=MASS_RANGE, drop_outside: bool = False,
                 start: dict | None = None) -> ExtendedFit:
    """Extended unbinned maximum-likelihood fit of signal and background yields.

    The expected density of events is :math:`N_{sig}\\,s(m) + N_{bkg}\\,b(m)` with the
    normalised Crystal Ball s and exponential b of :func:`~helpers.dimuon.fit` (same shape
    parameters, same :func:`~helpers.dimuon.limits`); the cost is iminuit's
    ``ExtendedUnbinnedNLL(..., log=True)``, minimised by MIGRAD and HESSE with its exact
    gradient and Hessian (``strategy=1``, ``tol=1e-3``), as :func:`~helpers.dimuon.fit`.

    Parameters
    ----------
    masses, mass_range, drop_outside
        As in :func:`~helpers.dimuon.fit`.
    start : dict, optional
        Start values of the shape parameters and ``f_sig`` (as in
        :func:`~helpers.dimuon.fit`); the yields start at ``f_sig * n`` and
        ``(1 - f_sig) * n`` for n events.

    Returns
    -------
    ExtendedFit
        With :attr:`~ExtendedFit.yields` (``n_sig``, ``n_bkg``: value and error). Its errors
        raise :class:`FitError` unless the minimum is valid, the covariance accurate and not
        forced positive definite, and no parameter at a limit.
    """
    x, (lo, hi), n_out = _select(masses, mass_range, drop_outside)
    par = _start_values(start, lo, hi)
    size = x.size
    model = FastLogPdf(x, (lo, hi))
    scaled = _ExtendedCost(model)
    cost = ExtendedUnbinnedNLL(model.data, scaled, log=True, name=list(EXTENDED_PARAMETERS))
    model.bind(cost.data)   # the cost keeps its own copy: make that the fast path
    f0 = min(max(par["f_sig"], 0.05), 0.95)
    start_values = {"n_sig": f0 * size, "n_bkg": (1.0 - f0) * size, **{p: par[p] for p in SHAPE}}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "hessian overrides g2")   # as in fit()
        m = Minuit(cost, **start_values, grad=scaled.grad, hessian=scaled.hessian, g2=scaled.g2)
    lim = limits((lo, hi))
    for name in SHAPE:
        m.limits[name] = lim[name]
    m.limits["n_sig"] = m.limits["n_bkg"] = (0.0, None)
    m.errors["mu"] = m.errors["sigma"] = 0.2 * par["sigma"]
    m.errors["n_sig"] = m.errors["n_bkg"] = max(1.0, 0.05 * size)
    m.strategy = 1
    m.tol = 1e-3
    m.migrad()
    if m.valid:
        m.hesse()
    return ExtendedFit(m, cost, model, n_dropped=n_out, mass_range=(lo, hi))


def yield_from_fraction(result: DimuonFit) -> pd.Series:
    """The signal yield :math:`f_{sig} N` of an ordinary (non-extended) fit and its error
    two ways.

    ``value`` = :math:`\\hat f\\,n` (n the number of fitted events); ``error_no_poisson`` =
    :math:`n\\sigma_f`, right if n is fixed; ``error_poisson`` =
    :math:`\\sqrt{(n\\sigma_f)^2 + \\hat f^2 n}`, which adds the Poisson fluctuation of n
    (and equals the extended fit's error of ``n_sig``). Also ``n_events``, ``f_sig`` and
    ``f_sig_error``. Raises :class:`FitError` unless the fit is ``ok``.
    """
    if not isinstance(result, DimuonFit):
        raise InputError(f"result must be a DimuonFit (from fit()), got {type(result).__name__}")
    f, sf = float(result.values["f_sig"]), float(result.errors["f_sig"])
    n = result.n_events
    return pd.Series({"value": f * n, "error_no_poisson": n * sf,
                      "error_poisson": math.sqrt((n * sf) ** 2 + f * f * n),
                      "n_events": float(n), "f_sig": f, "f_sig_error": sf}, name="yield")


# ============================================================================ yield toys
def yield_toy_study(n_toys: int = 100, mean_size: int = 3000, seed=SEED, poisson: bool = True,
                    truth: dict | None = None, mass_range=MASS_RANGE,
                    progress: bool = False) -> pd.DataFrame:
    """Toys of the signal yield: the extended fit's error against :func:`yield_from_fraction`.

    Toy i draws from ``numpy.random.default_rng(numpy.random.SeedSequence(seed).spawn(n_toys)[i])``
    the number of events n (Poisson with mean ``mean_size``, or exactly ``mean_size`` with
    ``poisson=False``) and then n masses (:func:`~helpers.dimuon.simulate` with that
    Generator), and fits them both ways. The true yield is ``f_sig * mean_size``.

    One row per toy: ``n_events``; the extended fit's ``n_sig``, ``n_sig_error``,
    ``pull_extended``; the ordinary fit's ``yield`` (f n), ``error_no_poisson``,
    ``error_poisson`` and pulls ``pull_no_poisson``, ``pull_poisson``; ``ok`` (both fits
    ``ok``; errors and pulls NaN otherwise). Results are remembered
    (:func:`clear_extended_cache`).
    """
    n_toys = as_count(n_toys, "n_toys")
    mean_size = as_count(mean_size, "mean_size")
    if mean_size < MIN_EVENTS:
        raise InputError(f"mean_size must be at least {MIN_EVENTS}, got {mean_size}")
    if not isinstance(poisson, (bool, np.bool_)):
        raise InputError(f"poisson must be True or False, got {poisson!r}")
    truth = _as_params(dict(truth or {}), "truth", TRUTH)
    seed = as_seed(seed, generator=False)
    lo, hi = _as_range(mass_range)
    run = lambda: _yield_toys(n_toys, mean_size, seed, bool(poisson), truth, (lo, hi), progress)  # noqa: E731
    if progress:
        return run()
    key = ("yield_toy_study", n_toys, mean_size, seed, bool(poisson), tuple(sorted(truth.items())), (lo, hi))
    return _MEMO.get(key, run)


def _yield_toys(n_toys, mean_size, seed, poisson, truth, mass_range, progress) -> pd.DataFrame:
    true_yield = truth["f_sig"] * mean_size
    rows = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_toys)):
        rng = np.random.default_rng(child)
        size = int(rng.poisson(mean_size)) if poisson else mean_size
        row = {"toy": i, "n_events": size}
        nan = {"n_sig": np.nan, "n_sig_error": np.nan, "yield": np.nan, "error_no_poisson": np.nan,
               "error_poisson": np.nan}
        row.update(nan)
        ok = size >= MIN_EVENTS
        if ok:
            x = simulate(size, rng, mass_range, **truth)
            ext, ordinary = extended_fit(x, mass_range), fit(x, mass_range)
            row["n_sig"] = float(ext.values["n_sig"])
            row["yield"] = float(ordinary.values["f_sig"]) * ordinary.n_events
            ok = ext.ok and ordinary.ok
            if ok:
                row["n_sig_error"] = float(ext.errors["n_sig"])
                y = yield_from_fraction(ordinary)
                row["error_no_poisson"] = float(y["error_no_poisson"])
                row["error_poisson"] = float(y["error_poisson"])
        row["pull_extended"] = (row["n_sig"] - true_yield) / row["n_sig_error"]
        row["pull_no_poisson"] = (row["yield"] - true_yield) / row["error_no_poisson"]
        row["pull_poisson"] = (row["yield"] - true_yield) / row["error_poisson"]
        row["ok"] = bool(ok)
        rows.append(row)
        if progress:
            sys.stderr.write(f"\rtoy {i + 1}/{n_toys}")
            sys.stderr.flush()
    if progress:
        sys.stderr.write("\n")
    return pd.DataFrame(rows).set_index("toy")


YIELD_PULLS = ("pull_extended", "pull_no_poisson", "pull_poisson")


def yield_pull_summary(toys: pd.DataFrame) -> pd.DataFrame:
    """Mean and width of each pull of :func:`yield_toy_study` over the ``ok`` toys, with
    their statistical errors :math:`s/\\sqrt{K}` and :math:`s/\\sqrt{2(K-1)}` and the
    number K of toys."""
    need = {"ok", *YIELD_PULLS}
    if not isinstance(toys, pd.DataFrame) or not need <= set(toys.columns):
        raise InputError(f"toys must be a DataFrame from yield_toy_study() with columns {sorted(need)}")
    ok = toys["ok"].astype(bool)
    rows = {}
    for name in YIELD_PULLS:
        pulls = toys.loc[ok, name].to_numpy(float)
        k = pulls.size
        if k < 2:
            raise InputError(f"need at least 2 converged toys, got {k}")
        s = float(np.std(pulls, ddof=1))
        rows[name] = {"mean": float(pulls.mean()), "mean_error": s / math.sqrt(k), "width": s,
                      "width_error": s / math.sqrt(2 * (k - 1)), "n_toys": k}
    return pd.DataFrame.from_dict(rows, orient="index")


# ============================================================================ binned fit
def _edges(bin_width, lo: float, hi: float) -> np.ndarray:
    width = as_number(bin_width, "bin_width", positive=True)
    bins = (hi - lo) / width
    k = int(round(bins))
    if k < 1 or abs(bins - k) > 1e-6 * max(1.0, bins):
        raise InputError(f"bin_width {width:g} GeV does not divide the range [{lo:g}, {hi:g}] "
                         f"({bins:.4g} bins); choose a width that gives a whole number of bins")
    if k > 100_000:
        raise InputError(f"bin_width {width:g} GeV gives {k} bins; at most 100000")
    # edges rounded to 1e-9 GeV, like the masses below: a mass on an edge (the stored masses
    # have 1 keV steps) goes to the bin above it on every machine
    return np.round(np.linspace(lo, hi, k + 1), 9)


class _BinnedCdf:
    """The model's :func:`~helpers.dimuon.cdf` on a fixed range, as ``BinnedNLL`` calls it."""

    def __init__(self, mass_range):
        self.mass_range = mass_range

    def __call__(self, xe, mu, sigma, alpha, n, slope, f_sig):
        return cdf(xe, mu, sigma, alpha, n, slope, f_sig, mass_range=self.mass_range)


def binned_fit(masses, bin_width: float, mass_range=MASS_RANGE, drop_outside: bool = False,
               start: dict | None = None) -> BinnedFit:
    """Binned maximum-likelihood fit of the model to the histogram of ``masses``.

    Bins of ``bin_width`` [GeV] (it must divide the range), masses compared with the
    edges after rounding to 1e-9 GeV as in :meth:`DimuonFit.binned`. The cost is iminuit's
    ``BinnedNLL`` with the model's closed-form :func:`~helpers.dimuon.cdf` (the multinomial
    likelihood: the total is fixed, as in the unbinned :func:`~helpers.dimuon.fit`); MIGRAD
    and HESSE with numerical derivatives, :func:`~helpers.dimuon.limits`, ``strategy=1``,
    ``tol=1e-3``, start values as in :func:`~helpers.dimuon.fit`. Errors raise
    :class:`FitError` unless the fit is ``ok``.
    """
    x, (lo, hi), n_out = _select(masses, mass_range, drop_outside)
    edges = _edges(bin_width, lo, hi)
    par = _start_values(start, lo, hi)
    counts, _ = np.histogram(np.round(x, 9), edges)
    cost = BinnedNLL(counts, edges, _BinnedCdf((lo, hi)), name=list(PARAMETERS))
    m = Minuit(cost, **par)
    for name, lim in limits((lo, hi)).items():
        m.limits[name] = lim
    m.errors["mu"] = m.errors["sigma"] = 0.2 * par["sigma"]
    m.errors["f_sig"] = 0.05
    m.strategy = 1
    m.tol = 1e-3
    m.migrad()
    if m.valid:
        m.hesse()
    return BinnedFit(m, cost, counts=counts, edges=edges, bin_width=float(edges[1] - edges[0]),
                     n_dropped=n_out, mass_range=(lo, hi))


def binned_error_change(table: pd.DataFrame, nearest: float = 5.0) -> pd.DataFrame:
    """The change of each error, binned against unbinned, in per cent rounded to the
    ``nearest`` per cent (rows: bin width, columns: parameter), from a
    :func:`binned_vs_unbinned` table. Not finer: the binned fits' errors come from a
    numerical HESSE along the flat directions of alpha and n, and move by about a per cent
    with the arithmetic of the machine (measured: 50 MeV, alpha 30.0 % here, 31.3 % with
    numpy's AVX-512 kernels and OpenBLAS's SkylakeX ones switched off)."""
    change = (table["ratio"].unstack() - 1) * 100
    return ((change / nearest).round() * nearest + 0.0).astype(int).rename_axis(
        columns=f"error change [%, to the nearest {nearest:g}]")


def binned_vs_unbinned(result, widths=BIN_WIDTHS, mass_range=MASS_RANGE) -> pd.DataFrame:
    """Binned fits of the same sample for each bin width, against the unbinned fit.

    ``result`` is a :class:`DimuonFit` (its masses and range are used) or the masses
    themselves (fitted unbinned first, on ``mass_range``). One row per bin width and
    parameter (index ``width`` [GeV], ``parameter``), columns ``bins``, ``value``,
    ``error``, ``unbinned_value``, ``unbinned_error``, ``ratio`` = error / unbinned error
    (above 1: the information the binning lost) and ``shift`` = (value - unbinned value) /
    unbinned error. Raises :class:`FitError` if a fit is not ``ok``. Results are
    remembered (:func:`clear_extended_cache`).
    """
    if not isinstance(result, DimuonFit):
        result = fit(result, mass_range)
    ws = [as_number(w, "bin width", positive=True) for w in np.atleast_1d(np.asarray(widths, dtype=object))]
    if not ws:
        raise InputError("give at least one bin width")
    lo, hi = result.mass_range
    for w in ws:
        _edges(w, lo, hi)      # refuse a bad width before any fit
    key = ("binned_vs_unbinned", _fit_key(result), tuple(ws))
    return _MEMO.get(key, lambda: _binned_vs_unbinned(result, ws))


def _binned_vs_unbinned(result: DimuonFit, widths) -> pd.DataFrame:
    value, error = result.values, result.errors
    rows = []
    for w in widths:
        b = binned_fit(result.masses, w, result.mass_range)
        berr = b.errors             # FitError unless ok
        for p in PARAMETERS:
            rows.append({"width": w, "parameter": p, "bins": b.n_bins, "value": float(b.values[p]),
                         "error": float(berr[p]), "unbinned_value": float(value[p]),
                         "unbinned_error": float(error[p]), "ratio": float(berr[p] / error[p]),
                         "shift": float((b.values[p] - value[p]) / error[p])})
    return pd.DataFrame(rows).set_index(["width", "parameter"])
