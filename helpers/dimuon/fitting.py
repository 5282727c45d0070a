"""The unbinned maximum-likelihood fit and its result (:class:`DimuonFit`)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from iminuit import Minuit
from iminuit.cost import UnbinnedNLL
from scipy import stats

from ..validation import InputError, as_number

from .model import (  # noqa: F401
    PARAMETERS,
    MASS_RANGE,
    START,
    MIN_EVENTS,
    FitError,
    _as_range,
    _as_masses,
    limits,
    _as_params,
    logpdf,
    pdf_components,
    cdf,
    FastLogPdf,
)

__all__ = [
    "fit", "DimuonFit", "minos_table", "minuit_problems",
]


# ============================================================================ fit
def _select(masses, mass_range, drop_outside: bool):
    """Validated masses inside the range, the range and the number dropped (shared by the
    unbinned, extended and binned fits)."""
    lo, hi = _as_range(mass_range)
    x = _as_masses(masses)
    outside = (x < lo) | (x > hi)
    n_out = int(np.count_nonzero(outside))
    if n_out and not drop_outside:
        raise InputError(
            f"{n_out} of {x.size} masses lie outside mass_range [{lo:g}, {hi:g}] GeV; "
            "select them first or pass drop_outside=True")
    x = x[~outside] if n_out else x
    if x.size < MIN_EVENTS:
        raise InputError(
            f"too few events: {x.size} in mass_range [{lo:g}, {hi:g}] GeV, but a fit of "
            f"{len(PARAMETERS)} parameters needs at least {MIN_EVENTS}")
    return x, (lo, hi), n_out


def _start_values(start, lo: float, hi: float) -> dict[str, float]:
    if start is not None and not isinstance(start, dict):
        raise InputError(f"start must be a dict of parameter values, got {start!r}")
    par = _as_params(dict(start or {}), "start", START)
    if not lo < par["mu"] < hi:
        raise InputError(
            f"mass_range [{lo:g}, {hi:g}] GeV excludes the peak: the start value mu = "
            f"{par['mu']:g} GeV lies outside; widen the range or pass start={{'mu': ...}}")
    for name, (a, b) in limits((lo, hi)).items():
        if not a <= par[name] <= b:
            raise InputError(f"start value {name} = {par[name]:g} lies outside its limits [{a:g}, {b:g}]")
    return par


def fit(masses, mass_range=MASS_RANGE, minos: bool = False, drop_outside: bool = False,
        start: dict | None = None) -> DimuonFit:
    """Unbinned maximum-likelihood fit of the model to ``masses`` [GeV].

    Parameters
    ----------
    masses : array_like
        Invariant masses, 1-d, finite.
    mass_range : (float, float)
        Fit range ``(lo, hi)``, lo < hi; it must contain the peak (``mu``'s start value).
    minos : bool
        Also run MINOS on every parameter.
    drop_outside : bool
        Drop masses outside the range (otherwise they are an error; the count is reported
        in :attr:`DimuonFit.n_dropped`).
    start : dict, optional
        Start values overriding :data:`START` (any subset of :data:`PARAMETERS`).

    Returns
    -------
    DimuonFit
        MIGRAD + HESSE (+ MINOS) on ``UnbinnedNLL(..., log=True)`` with :class:`FastLogPdf`,
        the parameter :func:`limits`, ``strategy=1`` and ``tol=1e-3`` (EDM < 2e-6: the
        minimum is located to ~0.002 sigma).

    Raises
    ------
    InputError
        Empty masses, NaN/inf, masses outside the range (says how many) unless
        ``drop_outside``, fewer than :data:`MIN_EVENTS` events, a range that excludes the
        peak start, ``lo >= hi``, bad start values.
    """
    x, (lo, hi), n_out = _select(masses, mass_range, drop_outside)
    par = _start_values(start, lo, hi)
    model = FastLogPdf(x, (lo, hi))
    cost = UnbinnedNLL(model.data, model, log=True, grad=model.score)
    model.bind(cost.data)   # the cost keeps its own (sorted) copy: make that the fast path
    with warnings.catch_warnings():
        # iminuit 2.33 calls g2 when the Hessian at the start is not positive definite and
        # fails with "'NoneType' object is not callable" if there is none: pass its diagonal
        warnings.filterwarnings("ignore", "hessian overrides g2")
        m = Minuit(cost, **par, grad=model.nll_grad, hessian=model.nll_hessian, g2=model.nll_g2)
    for name, lim in limits((lo, hi)).items():
        m.limits[name] = lim
    m.errors["mu"] = m.errors["sigma"] = 0.2 * par["sigma"]
    m.errors["f_sig"] = 0.05
    m.strategy = 1
    m.tol = 1e-3
    m.migrad()
    if m.valid:
        m.hesse()
    if minos and m.valid and m.accurate:
        m.minos()
    return DimuonFit(m, cost, model, n_dropped=n_out, mass_range=(lo, hi), minos=minos)


def keep_flags(result, fmin) -> None:
    """Copy Minuit's flags from ``fmin`` onto ``result`` as plain values (``valid``,
    ``has_covariance``, ``has_accurate_covar``, ``has_made_posdef_covar``,
    ``has_parameters_at_limit``, ``hesse_failed``, ``edm``): what :func:`minuit_problems`
    reads."""
    result.valid = bool(fmin.is_valid)
    result.has_covariance = bool(fmin.has_covariance)
    result.has_accurate_covar = bool(fmin.has_accurate_covar)
    result.has_made_posdef_covar = bool(fmin.has_made_posdef_covar)
    result.has_parameters_at_limit = bool(fmin.has_parameters_at_limit)
    result.hesse_failed = bool(fmin.hesse_failed)
    result.edm = float(fmin.edm)


def minuit_problems(result, at_limit=None) -> tuple[str, ...]:
    """What the flags of a fit ``result`` (``valid``, ``hesse_failed``,
    ``has_made_posdef_covar``, ``has_accurate_covar``, ``has_parameters_at_limit``, ``edm``
    and its ``minuit``) say is wrong with it, in words (empty if nothing); ``at_limit``: the
    names of the parameters at a limit, if known."""
    out = []
    fmin = result.minuit.fmin
    if not result.valid:
        why = [f"EDM {result.edm:.2g}, goal {fmin.edm_goal:.2g}"]
        if fmin.has_reached_call_limit:
            why.append("call limit reached")
        out.append(f"MIGRAD found no valid minimum ({', '.join(why)})")
    if result.hesse_failed:
        out.append("HESSE failed")
    if result.has_made_posdef_covar:
        out.append("the covariance was forced positive definite")
    elif not result.has_accurate_covar:
        out.append("the covariance is not accurate")
    if result.has_parameters_at_limit:
        names = "" if at_limit is None else f": {', '.join(at_limit) if at_limit else 'unknown'}"
        out.append(f"parameter(s) at a limit{names}")
    return tuple(out)


class DimuonFit:
    """Result of :func:`fit`.

    Attributes
    ----------
    values : pandas.Series
        Fitted parameters by name (:data:`PARAMETERS`).
    errors, covariance, correlation : pandas.Series / DataFrame
        HESSE errors, covariance and correlation. Raise :class:`FitError` unless :attr:`ok`.
    minos_errors : pandas.DataFrame
        MINOS ``lower`` / ``upper`` offsets (with ``minos=True``); raises :class:`FitError`
        unless the fit and every MINOS interval are valid.
    valid, has_accurate_covar, has_made_posdef_covar, has_parameters_at_limit : bool
        Minuit's flags. :attr:`ok` is ``valid and has_accurate_covar and not
        has_made_posdef_covar and not has_parameters_at_limit``; :attr:`problems` lists what
        failed, :attr:`summary` says it in words.
    chi2, ndf, pvalue : float, int, float
        Binned goodness of fit with 100 bins (see :meth:`gof`).
    nll : float
        :math:`-\\ln L` at the minimum; ``minuit`` is the Minuit object, ``cost`` the
        ``UnbinnedNLL``, ``model`` the :class:`FastLogPdf`.
    n_events, n_dropped, mass_range, masses
        Events fitted, events dropped as outside, the range, the (sorted) fitted masses.

    :meth:`table` gives the numbers, :meth:`rounded_table`, :attr:`summary` and
    :meth:`report` show them rounded to the digits the fit supports (each error to two
    significant digits, or another number, and its value to the same decimal place).
    """

    def __init__(self, minuit: Minuit, cost: UnbinnedNLL, model: FastLogPdf, *, n_dropped: int,
                 mass_range, minos: bool):
        self.minuit = minuit
        self.cost = cost
        self.model = model
        self.masses = model.data
        self.n_events = int(model.data.size)
        self.n_dropped = int(n_dropped)
        self.mass_range = tuple(mass_range)
        fmin = minuit.fmin
        keep_flags(self, fmin)
        self.nll = 0.5 * float(fmin.fval)
        self.values = pd.Series([float(v) for v in minuit.values], index=list(PARAMETERS), name="value")
        self._minos = minos
        self._gof = {}

    # ------------------------------------------------------------------ flags
    @property
    def problems(self) -> tuple[str, ...]:
        """What is wrong with the fit, in words (empty if nothing)."""
        return minuit_problems(self, [p for p in PARAMETERS if self._at_limit(p)])

    def _at_limit(self, name: str) -> bool:
        lo, hi = self.minuit.limits[name]
        v, e = self.minuit.values[name], self.minuit.errors[name]
        return abs(v - lo) < 0.5 * e or abs(hi - v) < 0.5 * e

    @property
    def ok(self) -> bool:
        """True if the errors can be trusted (no :attr:`problems`)."""
        return not self.problems

    def _require_ok(self, what: str) -> None:
        if not self.ok:
            raise FitError(f"no {what}: {'; '.join(self.problems)}. Inspect result.minuit; "
                           "do not quote these errors")

    # ------------------------------------------------------------------ errors
    @property
    def errors(self) -> pd.Series:
        """HESSE errors by name: the square roots of the diagonal of :attr:`covariance`.

        This is the one definition of a parameter's error in the book. For a parameter with
        limits, ``Minuit.errors`` is another number: Minuit maps the error of its internal,
        unbounded parameter back through the limits, which keeps it inside them (for a
        parameter the data hardly constrain it can be thousands of times smaller than the
        covariance's). Raises :class:`FitError` unless :attr:`ok`."""
        return pd.Series(np.sqrt(np.diag(self.covariance.to_numpy())), index=list(PARAMETERS),
                         name="error")

    @property
    def covariance(self) -> pd.DataFrame:
        """HESSE covariance; raises :class:`FitError` unless :attr:`ok`."""
        self._require_ok("covariance")
        return pd.DataFrame(np.array(self.minuit.covariance), index=list(PARAMETERS), columns=list(PARAMETERS))

    @property
    def correlation(self) -> pd.DataFrame:
        """Correlation matrix from :attr:`covariance`."""
        cov = self.covariance.to_numpy()
        d = np.sqrt(np.diag(cov))
        return pd.DataFrame(cov / np.outer(d, d), index=list(PARAMETERS), columns=list(PARAMETERS))

    @property
    def minos_errors(self) -> pd.DataFrame:
        """MINOS ``lower`` (negative) and ``upper`` offsets by parameter (``fit(minos=True)``).

        Where MINOS reached a parameter's limit before :math:`-2\\ln L` rose by one, that
        side of the interval is cut by the limit: the interval is one-sided there. Its offset
        is then NaN (never the distance to the limit, which is no error) and
        ``lower_at_limit`` / ``upper_at_limit`` say so. Raises :class:`FitError` unless
        the fit is :attr:`ok` and MINOS succeeded for every parameter (a side that failed
        for another reason: the call limit, a new minimum)."""
        if not self._minos:
            raise FitError("MINOS was not run: call fit(..., minos=True)")
        self._require_ok("MINOS errors")
        return minos_table(self.minuit, PARAMETERS)

    def table(self, truth: dict | None = None) -> pd.DataFrame:
        """``value`` and ``error`` per parameter (plus MINOS ``lower``/``upper`` if run);
        with ``truth`` (e.g. :data:`TRUTH`) also ``truth`` and ``pull`` = (value - truth)/error.
        Raises :class:`FitError` unless :attr:`ok`."""
        out = pd.DataFrame({"value": self.values, "error": self.errors})
        if self._minos:
            out = out.join(self.minos_errors)
        if truth is not None:
            tr = _as_params(dict(truth), "truth")
            out["truth"] = pd.Series(tr)
            out["pull"] = (out["value"] - out["truth"]) / out["error"]
        return out

    def rounded_table(self, truth: dict | None = None, error_digits: int = 2) -> pd.DataFrame:
        """:meth:`table` as text, rounded to the digits the fit supports: each error to
        ``error_digits`` significant digits, its value and MINOS errors to the same decimal
        place, the pull to two decimals. Raises :class:`FitError` unless :attr:`ok`."""
        if isinstance(error_digits, bool) or error_digits not in (1, 2, 3, 4):
            raise InputError(f"error_digits must be 1, 2, 3 or 4, got {error_digits!r}")
        table = self.table(truth)
        out = {}
        for p in PARAMETERS:
            row = table.loc[p]
            places = _decimals(row["error"], error_digits)
            text = {c: _fixed(row[c], places) for c in ("value", "error", "lower", "upper") if c in row}
            if "lower" in text:
                if row["lower_at_limit"]:
                    text["lower"] = "at limit"
                text["upper"] = "at limit" if row["upper_at_limit"] else "+" + text["upper"]
            if truth is not None:
                text["truth"] = f"{row['truth']:g}"
                text["pull"] = _fixed(row["pull"], 2)
            out[p] = text
        return pd.DataFrame.from_dict(out, orient="index")

    # ------------------------------------------------------------------ densities
    def params(self) -> dict[str, float]:
        """Fitted values as a plain dict."""
        return self.values.to_dict()

    def density(self, m) -> np.ndarray:
        """Fitted model density [1/GeV] at ``m``."""
        return np.exp(logpdf(m, **self.params(), mass_range=self.mass_range))

    def components(self, m):
        """``(signal, background)`` fitted densities at ``m`` (weighted by f_sig, 1 - f_sig)."""
        return pdf_components(m, **self.params(), mass_range=self.mass_range)

    def binned(self, bins: int = 100) -> pd.DataFrame:
        """Histogram of the data with the fit's expectation per bin.

        Columns ``left, right, center, count, expected, pull`` with the expectation
        :math:`N \\int_{bin} p` in closed form and pull :math:`(n - \\nu)/\\sqrt{\\nu}`.
        Masses are compared with the edges after rounding to 1e-9 GeV (a mass on an edge
        goes to the bin above it, whatever its last bits).
        """
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
            raise InputError(f"bins must be a positive integer, got {bins!r}")
        lo, hi = self.mass_range
        edges = np.linspace(lo, hi, int(bins) + 1)
        # stored masses have 1 keV steps and bin edges often fall on them: compare at
        # 1e-9 GeV, so that a mass on an edge lands in the same bin on every machine, also
        # when its last bits differ (far below any resolution, far above the rounding)
        count, _ = np.histogram(np.round(self.masses, 9), edges)
        expected = self.n_events * np.diff(cdf(edges, **self.params(), mass_range=self.mass_range))
        with np.errstate(divide="ignore", invalid="ignore"):
            pull = (count - expected) / np.sqrt(expected)
        return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "center": 0.5 * (edges[:-1] + edges[1:]),
                             "count": count, "expected": expected, "pull": pull})

    def gof(self, bins: int = 100, min_expected: float = 5.0) -> dict:
        """Pearson :math:`\\chi^2` of the binned data against the fit.

        Adjacent bins are merged from the left until each group expects more than
        ``min_expected`` events (a short remainder joins the last group).
        ``ndf = groups - 1 - 6``: the total is fixed by the (non-extended) likelihood and six
        parameters were fitted. Since they were fitted unbinned, the true distribution lies
        between chi2(ndf) and chi2(ndf + 6); the p-value uses chi2(ndf).

        Returns ``{"chi2", "ndf", "pvalue", "groups", "min_expected"}`` (the last is the
        smallest expectation of a group).
        """
        min_expected = as_number(min_expected, "min_expected", non_negative=True)
        key = (bins, min_expected)
        if key not in self._gof:
            table = self.binned(bins)
            groups, obs, exp_ = [], [], []
            acc_o = acc_e = 0.0
            for c, e in zip(table["count"], table["expected"]):
                acc_o, acc_e = acc_o + c, acc_e + e
                if acc_e > min_expected:
                    obs.append(acc_o)
                    exp_.append(acc_e)
                    acc_o = acc_e = 0.0
            if acc_e > 0 or acc_o > 0:
                if obs:
                    obs[-1] += acc_o
                    exp_[-1] += acc_e
                else:
                    obs.append(acc_o)
                    exp_.append(acc_e)
            obs, exp_ = np.array(obs), np.array(exp_)
            ndf = len(obs) - 1 - len(PARAMETERS)
            if ndf < 1:
                raise InputError(
                    f"no goodness of fit: {bins} bins merged to {len(obs)} group(s) of more than "
                    f"{min_expected:g} expected events leave {ndf} degrees of freedom after the "
                    f"{len(PARAMETERS)} fitted parameters and the fixed total; it needs at least "
                    f"{len(PARAMETERS) + 2} groups (more bins, or more events)")
            chi2 = float(np.sum((obs - exp_) ** 2 / exp_))
            pval = float(stats.chi2.sf(chi2, ndf))
            self._gof[key] = {"chi2": chi2, "ndf": int(ndf), "pvalue": pval, "groups": len(obs),
                              "min_expected": float(exp_.min())}
        return dict(self._gof[key])

    @property
    def chi2(self) -> float:
        """Binned :math:`\\chi^2` (100 bins, merged to expectation > 5)."""
        return self.gof()["chi2"]

    @property
    def ndf(self) -> int:
        """Degrees of freedom of :attr:`chi2`."""
        return self.gof()["ndf"]

    @property
    def pvalue(self) -> float:
        """p-value of :attr:`chi2`."""
        return self.gof()["pvalue"]

    # ------------------------------------------------------------------ text
    @property
    def summary(self) -> str:
        """Human-readable result; starts with ``WARNING`` if the errors cannot be trusted.
        Each error is shown to two significant digits and its value to the same decimal
        place (:meth:`report` chooses another number of digits)."""
        return self.report()

    def report(self, error_digits: int = 2) -> str:
        """:attr:`summary` with each error rounded to ``error_digits`` significant digits
        (1 to 4) and its value to the same decimal place: the digits a fit supports. A
        parameter the data hardly constrain has an error that itself moves in its second
        digit from one machine's rounding to another's; show it with one."""
        if isinstance(error_digits, bool) or error_digits not in (1, 2, 3, 4):
            raise InputError(f"error_digits must be 1, 2, 3 or 4, got {error_digits!r}")
        lo, hi = self.mass_range
        head = f"Unbinned ML fit of {self.n_events} events in [{lo:g}, {hi:g}] GeV"
        if self.n_dropped:
            head += f" ({self.n_dropped} outside dropped)"
        if not self.ok:
            lines = [f"WARNING: {'; '.join(self.problems)} -- the errors are NOT reliable.", head]
            lines += [f"  {p:6s} = {v:.6g} (no error)" for p, v in self.values.items()]
            return "\n".join(lines)
        err = self.errors
        lines = [head + f": valid minimum, accurate covariance; -ln L = {self.nll:.3f}"]
        lines += [f"  {p:6s} = {value_error(self.values[p], err[p], error_digits)}" for p in PARAMETERS]
        try:
            g = self.gof()
            lines.append(f"  binned chi2/ndf = {g['chi2']:.1f}/{g['ndf']}, p = {g['pvalue']:.3f}")
        except InputError:
            lines.append("  binned chi2: too few events in 100 bins for a goodness-of-fit test")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary




def minos_table(minuit: Minuit, parameters) -> pd.DataFrame:
    """MINOS offsets of ``parameters`` from a Minuit object on which MINOS ran, with every
    flag checked: ``lower``, ``upper`` (NaN for a side cut by the parameter's limit),
    ``lower_at_limit``, ``upper_at_limit``. Raises :class:`FitError` for a parameter MINOS
    did not run on, or a side that failed for another reason (call limit, new minimum).
    """
    me = minuit.merrors
    rows, failed = {}, []
    for p in parameters:
        if p not in me:
            failed.append(f"{p} (not run)")
            continue
        e = me[p]
        lower_cut, upper_cut = bool(e.at_lower_limit), bool(e.at_upper_limit)
        why = []
        for side, valid, cut, max_fcn, new_min in (
                ("lower", e.lower_valid, lower_cut, e.at_lower_max_fcn, e.lower_new_min),
                ("upper", e.upper_valid, upper_cut, e.at_upper_max_fcn, e.upper_new_min)):
            if max_fcn:
                why.append(f"{side}: call limit")
            elif new_min:
                why.append(f"{side}: found a new minimum")
            elif not valid and not cut:
                why.append(f"{side}: invalid")
        if why:
            failed.append(f"{p} ({', '.join(why)})")
            continue
        rows[p] = {"lower": np.nan if lower_cut else float(e.lower),
                   "upper": np.nan if upper_cut else float(e.upper),
                   "lower_at_limit": lower_cut, "upper_at_limit": upper_cut}
    if failed:
        raise FitError(f"MINOS failed for {'; '.join(failed)}: no asymmetric errors")
    return pd.DataFrame.from_dict(rows, orient="index")


def _decimals(error: float, digits: int) -> int:
    """Decimal place of the last of ``digits`` significant digits of ``error`` (negative:
    tens, hundreds, ...)."""
    if not (np.isfinite(error) and error > 0):
        return 6
    return (digits - 1) - int(np.floor(np.log10(error)))


def _fixed(value: float, places: int) -> str:
    """``value`` rounded to ``places`` decimals (to tens for -1, ...); never ``-0``."""
    if places >= 0:
        text = f"{value:.{places}f}"
    else:
        unit = 10.0 ** -places
        text = f"{round(value / unit) * unit:.0f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def value_error(value: float, error: float, digits: int) -> str:
    """``"value +- error"`` with the error rounded to ``digits`` significant digits and the
    value to the same decimal place."""
    places = _decimals(error, digits)
    return f"{_fixed(value, places)} +- {_fixed(error, places)}"
