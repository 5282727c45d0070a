"""The χ² fit of a :class:`~helpers.combination.Combination` with iminuit, free of units.

Minuit's numerical steps have an absolute floor and its tolerances are tuned to numbers of
order one: fitted directly, a mean of 1e-35 stays at its start value and an error of 9e7
comes out as 1.41, both with green flags. So the fit runs on ``t`` with ``mean = start +
2^e t`` (``2^e`` the power of two of the combination's errors, ``start`` the plain mean):
``t`` and its error are of order one whatever the units, the χ² is the same function, and
the values, errors, MINOS interval and covariance are scaled back exactly. Minuit's flags
are checked before anything is quoted.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import blue as engine
from ..validation import InputError


class Param(NamedTuple):
    """A parameter's start (``value``, initial step ``error``), in the combination's units."""

    value: float
    error: float


class MinosInterval(NamedTuple):
    """MINOS crossings of ``chi2_min + 1`` (``lower`` < 0 < ``upper``, in the combination's
    units) and Minuit's flags for them, all checked when the fit is made."""

    lower: float
    upper: float
    is_valid: bool
    lower_valid: bool
    upper_valid: bool
    at_lower_limit: bool
    at_upper_limit: bool
    nfcn: int


class Fit:
    """The result of :meth:`Combination.fit`, read like a ``Minuit`` object: ``values``,
    ``errors`` (√ of the HESSE covariance), ``merrors``, ``covariance``, ``fval``,
    ``valid``, ``fmin`` (Minuit's flags), ``errordef``, ``init_params``, with the one
    parameter ``"mean"`` in the combination's units.

    ``minuit`` is the Minuit object of the scaled parameter ``t`` (``mean = offset +
    2^exponent t``).
    """

    def __init__(self, minuit, offset: float, exponent: int, minos: bool):
        self.minuit, self.offset, self.exponent = minuit, offset, exponent

        def up(x, power=1):
            with np.errstate(over="ignore", under="ignore"):
                return np.ldexp(x, power * exponent)

        self.values = {"mean": float(offset + up(minuit.values["t"]))}
        self.covariance = up(np.array([[minuit.covariance["t", "t"]]]), 2)
        self.errors = {"mean": float(up(np.sqrt(minuit.covariance["t", "t"])))}
        self.init_params = {"mean": Param(offset, float(up(minuit.init_params["t"].error)))}
        self.merrors = {}
        if minos:
            me = minuit.merrors["t"]
            self.merrors["mean"] = MinosInterval(
                float(up(me.lower)), float(up(me.upper)), me.is_valid, me.lower_valid,
                me.upper_valid, me.at_lower_limit, me.at_upper_limit, me.nfcn)

    @property
    def fmin(self):
        """Minuit's function minimum (flags, ``edm``, ``fval``: χ² has no units)."""
        return self.minuit.fmin

    @property
    def valid(self) -> bool:
        """MIGRAD converged (``fmin.is_valid``)."""
        return self.minuit.valid

    @property
    def fval(self) -> float:
        """χ² at the minimum."""
        return self.minuit.fval

    @property
    def errordef(self) -> float:
        """``Minuit.LEAST_SQUARES``: one standard deviation is where χ² rises by one."""
        return self.minuit.errordef

    def __repr__(self) -> str:
        me = self.merrors.get("mean")
        minos = f", MINOS {me.lower:+.6g} / {me.upper:+.6g}" if me else ""
        return (f"Fit(mean={self.values['mean']:.8g} ± {self.errors['mean']:.3g}{minos}, "
                f"chi2={self.fval:.6g}, valid={self.valid})")


def fit(comb, minos: bool = True) -> Fit:
    """The fit of :meth:`Combination.fit`."""
    from iminuit import Minuit

    start = float(np.mean(comb._y))
    e = comb._e
    with np.errstate(over="ignore", under="ignore"):
        r0 = np.ldexp(comb._y - start, -e)
    if not np.all(np.isfinite(r0)):
        raise InputError("the measured values differ by more than the floating-point range "
                         "allows in units of their errors: no fit is possible")

    def chi2(t):
        return float(engine.quadratic_form(r0 - t, comb._cov_s))

    m = Minuit(chi2, t=0.0)
    m.errordef = Minuit.LEAST_SQUARES
    m.errors["t"] = float(np.min(np.sqrt(np.diag(comb._cov_s))))
    m.migrad()
    m.hesse()
    if not (m.valid and m.fmin.has_accurate_covar):
        raise InputError(f"the chi2 fit failed (valid minimum: {m.valid}, accurate covariance: "
                         f"{m.fmin.has_accurate_covar}); quote the BLUE value instead")
    if minos:
        m.minos()
        me = m.merrors["t"]
        bad = [flag for flag in ("at_lower_limit", "at_upper_limit", "lower_new_min",
                                 "upper_new_min", "at_lower_max_fcn", "at_upper_max_fcn")
               if getattr(me, flag)]
        if not me.is_valid or bad:
            raise InputError(f"MINOS failed for the mean (valid: {me.is_valid}"
                             f"{', ' + ', '.join(bad) if bad else ''})")
    return Fit(m, start, e, minos)
