"""Common normalisation uncertainties: Peelle's pertinent puzzle.

``n`` measurements :math:`y_i` of one quantity have uncorrelated absolute statistical
errors :math:`s_i` and share a relative normalisation uncertainty :math:`\\epsilon`.
Four estimators that all look reasonable give different answers
(G. D'Agostini, NIM A346 (1994) 306):

1. **covariance from measured values** -- GLS with
   :math:`V = \\mathrm{diag}(s^2) + \\epsilon^2 y y^T`. For the book's inputs the
   result lies *below both* measurements.
2. **N on data** -- :math:`\\chi^2(\\mu, N) = \\sum_i (N y_i - \\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2`.
   Profiling :math:`N` gives exactly the :math:`\\chi^2` of 1 (Woodbury identity),
   so value and error are identical.
3. **N on prediction** -- :math:`\\chi^2(\\mu, N) = \\sum_i (y_i - N\\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2`.
   Not quadratic in :math:`(\\mu, N)`: the MINOS interval is asymmetric. :math:`N\\mu` absorbs
   the data, so :math:`\\hat N = 1` and :math:`\\hat\\mu` is the stat-only weighted mean for any
   :math:`\\epsilon`; the HESSE error is :math:`\\sqrt{\\sigma_{stat}^2 + \\epsilon^2\\hat\\mu^2}`.
4. **covariance relative to fit** -- :math:`V(\\mu) = \\mathrm{diag}(s^2) + \\epsilon^2\\mu^2 11^T`
   recomputed inside :math:`\\chi^2(\\mu) = (y-\\mu)^T V(\\mu)^{-1}(y-\\mu)` (no
   log-determinant term). Its :math:`\\chi^2` curve is exactly the profile of 3; its BLUE
   form is the iterative BLUE of Lista (2014).

Two more that the chapter compares with them:

5. **Gaussian likelihood** -- :math:`-2\\ln L(\\mu) = \\chi^2(\\mu) + \\ln\\det V(\\mu)` with
   the :math:`V(\\mu)` of 4: the likelihood of 3 with :math:`N` integrated out. Its minimum
   is the positive root of a cubic (:func:`likelihood_values`).
6. **N on data, stat errors scaled by N** --
   :math:`\\chi^2 = \\sum_i (N y_i - \\mu)^2/(N s_i)^2 + (N-1)^2/\\epsilon^2`: the same as 3.

For any number of measurements the covariance fit (1, 2) is the stat-only weighted mean
:math:`\\bar y_w` times :math:`\\hat N = 1/(1 + \\epsilon^2\\chi^2_{stat}) = 1 - \\epsilon^2\\chi^2_{min}`
(:func:`covariance_fit_values`): its relative shift is :math:`\\epsilon^2` times the
observed tension.

Every method accepts :math:`\\epsilon = 0` (then all reduce to the weighted mean; the
fits with :math:`N` keep :math:`N = 1` fixed) and any :math:`\\epsilon > 0`, however
large. Invalid input raises :class:`~helpers.validation.InputError`.

:class:`NormalisationProblem` holds the inputs and names the methods the chapter calls;
the work is done beside it: closed forms, labels and :class:`Estimate` in
:mod:`helpers.normalisation_closed`, the Minuit fits (iminuit cost classes, flag checks,
MINOS edges confirmed on the exact curves) in :mod:`helpers.normalisation_fits`, the
two-measurement picture in :mod:`helpers.normalisation_geometry`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from iminuit import Minuit
from scipy.optimize import brentq
from scipy.stats import chi2 as chi2_dist

from . import blue as engine
from . import data
from . import normalisation_closed as closed
from . import normalisation_fits as fits
from . import normalisation_geometry as geometry
from .normalisation_closed import (
    COVARIANCE_MEASURED,
    COVARIANCE_RELATIVE,
    GAUSSIAN_LIKELIHOOD,
    METHODS,
    N_ON_DATA,
    N_ON_DATA_SCALED,
    N_ON_PREDICTION,
    WEIGHTED_MEAN,
    Estimate,
    covariance_fit_values,
    likelihood_values,
    stat_chi2_values,
    weighted_mean_values,
)
from .validation import (
    InputError,
    as_covariance,
    as_finite_array,
    as_number,
    as_positive_vector,
    as_vector,
    check_same_length,
)

__all__ = [
    "Estimate",
    "NormalisationProblem",
    "course_problem",
    "scan_norm",
    "weighted_mean_values",
    "stat_chi2_values",
    "covariance_fit_values",
    "likelihood_values",
    "minuit_settings_study",
    "below_both_thresholds",
    "GAUSSIAN_LIKELIHOOD",
    "N_ON_DATA_SCALED",
    "METHODS",
    "COVARIANCE_MEASURED",
    "N_ON_DATA",
    "N_ON_PREDICTION",
    "COVARIANCE_RELATIVE",
    "WEIGHTED_MEAN",
]


class NormalisationProblem:
    """Measurements of one quantity with stat errors and a common normalisation error.

    Parameters
    ----------
    values : array_like
        Measured values :math:`y_i` (at least 2).
    stat_errors : array_like
        Absolute, uncorrelated statistical errors :math:`s_i > 0`.
    norm_error : float
        Relative common normalisation uncertainty :math:`\\epsilon \\ge 0`
        (0.1 for 10 %). Any non-negative value is accepted.

    Raises
    ------
    InputError
        Fewer than 2 values, NaN/inf, mismatched lengths, :math:`s_i \\le 0`, :math:`\\epsilon < 0`.
    """

    def __init__(self, values, stat_errors, norm_error):
        self.values = as_vector(values, "values", min_length=2).copy()
        self.stat_errors = as_positive_vector(stat_errors, "stat_errors").copy()
        check_same_length(values=self.values, stat_errors=self.stat_errors)
        self.norm_error = closed.as_norm_error(norm_error)
        self.values.setflags(write=False)
        self.stat_errors.setflags(write=False)

    @classmethod
    def from_relative(cls, values, stat_rel, norm_rel) -> NormalisationProblem:
        """Build from relative errors: :math:`s_i = r_i |y_i|`, fixed once from the measured values.

        Parameters
        ----------
        values : array_like
            Measured values.
        stat_rel : float or array_like
            Relative stat error, one for all or one per measurement.
        norm_rel : float
            Relative normalisation uncertainty :math:`\\epsilon`.
        """
        y = as_vector(values, "values", min_length=2)
        rel = as_vector(stat_rel, "stat_rel")
        if rel.size == 1:
            rel = np.full_like(y, rel[0])
        check_same_length(values=y, stat_rel=rel)
        rel = as_positive_vector(rel, "stat_rel")
        return cls(y, rel * np.abs(y), norm_rel)

    def __repr__(self) -> str:
        return (f"NormalisationProblem(values={self.values.tolist()}, "
                f"stat_errors={self.stat_errors.tolist()}, norm_error={self.norm_error:g})")

    @property
    def n(self) -> int:
        """Number of measurements."""
        return self.values.size

    # ---------------------------------------------------------------- covariances
    def covariance_measured(self) -> np.ndarray:
        """:math:`V = \\mathrm{diag}(s^2) + \\epsilon^2 y y^T` (normalisation from the measured values)."""
        y, s, e = self.values, self.stat_errors, self.norm_error
        return as_covariance(np.diag(s**2) + e**2 * np.outer(y, y), self.n)

    def covariance_at(self, mu: float) -> np.ndarray:
        """:math:`V(\\mu) = \\mathrm{diag}(s^2) + \\epsilon^2 \\mu^2 11^T` (normalisation from the fit)."""
        arr = as_finite_array(mu, "mu")
        if arr.ndim != 0:
            raise InputError(f"mu must be a single number here, got shape {arr.shape}")
        m = float(arr)
        s, e = self.stat_errors, self.norm_error
        return np.diag(s**2) + (e * m) ** 2 * np.ones((self.n, self.n))

    # ---------------------------------------------------------------- closed forms
    @fits.scale_free
    def weighted_mean(self) -> Estimate:
        """Stat-only weighted mean: :math:`\\hat\\mu = \\sum y_i/s_i^2 / \\sum 1/s_i^2`, :math:`\\sigma^2 = 1/\\sum s_i^{-2}`."""
        w = self.stat_errors**-2.0
        mu = float(w @ self.values / w.sum())
        err = float(1.0 / np.sqrt(w.sum()))
        chi2 = float(w @ (self.values - mu) ** 2)
        return Estimate(WEIGHTED_MEAN, mu, err, mu - err, mu + err, chi2)

    @fits.scale_free
    def covariance_fit(self) -> Estimate:
        """GLS with the measured-value covariance.

        :math:`\\hat\\mu = 1^T V^{-1} y / 1^T V^{-1} 1`, :math:`\\sigma^2 = 1/(1^T V^{-1} 1)`,
        :math:`V` from :meth:`covariance_measured`.
        """
        mu, err, _, chi2 = engine.solve(self.values, self.covariance_measured())
        return Estimate(COVARIANCE_MEASURED, mu, err, mu - err, mu + err, chi2)

    def dagostini_closed_form(self) -> tuple[float, float]:
        """D'Agostini's closed form of :meth:`covariance_fit` for two measurements.

        :math:`\\hat\\mu = (y_1 s_2^2 + y_2 s_1^2)/D`,
        :math:`\\sigma^2 = (s_1^2 s_2^2 + (y_1^2 s_2^2 + y_2^2 s_1^2)\\epsilon^2)/D`,
        :math:`D = s_1^2 + s_2^2 + (y_1 - y_2)^2 \\epsilon^2`.

        Returns
        -------
        (mean, error) : tuple of float
        """

        if self.n != 2:
            raise InputError(f"the closed form needs exactly 2 measurements, got {self.n}")
        mean, error, _ = closed.dagostini(self.values, self.stat_errors, self.norm_error)
        return mean, error

    def closed_forms(self) -> list[Estimate]:
        """The rows of :meth:`compare` (without the likelihood) in closed form, exact for
        any number of measurements and any scale; no fit, no Minuit.

        With :math:`w_i = s_i^{-2}`, :math:`W = \\sum w_i`, :math:`\\bar y_w`,
        :math:`\\chi^2_{stat}` and :math:`a = \\epsilon^2`:

        * covariance from measured values (Sherman-Morrison) and N on data (a linear
          least-squares problem in :math:`(\\mu, N)`, so its profile is the same parabola):
          :math:`\\hat\\mu = \\bar y_w/(1 + a\\chi^2_{stat})`,
          :math:`\\sigma^2 = (1 + a\\sum w_i y_i^2) / (W(1 + a\\chi^2_{stat}))`,
          :math:`\\hat N = 1/(1 + a\\chi^2_{stat})`, symmetric interval;
        * N on prediction and covariance relative to the fit (one curve,
          :math:`\\chi^2_{stat} + W(\\mu - \\bar y_w)^2/(1 + aW\\mu^2)`): minimum at
          :math:`\\hat\\mu = \\bar y_w` with :math:`\\hat N = 1`,
          :math:`\\sigma^2 = 1/W + a\\bar y_w^2`, interval edges where the curve rises by 1,
          the roots of :math:`(1 - a)u^2 - 2azu - (1 + az^2)` in :math:`u = (\\mu - \\bar y_w)\\sqrt W`,
          :math:`z = \\bar y_w\\sqrt W` (an edge is infinite where the curve never rises by 1,
          which happens for :math:`\\epsilon \\geq 1`);
        * the weighted mean.

        The tests check every number against Minuit's fits.
        """
        return closed.closed_forms(self.values, self.stat_errors, self.norm_error)

    def compare(self, minos: bool = True, likelihood: bool = False) -> pd.DataFrame:
        """All methods side by side: rows labelled by :data:`METHODS` (and
        :data:`GAUSSIAN_LIKELIHOOD` before the weighted mean if ``likelihood``), columns
        value, error, lower, upper, chi2, N. The likelihood row has no :math:`\\chi^2`: its
        minimum of :math:`-2\\ln L` includes :math:`\\ln\\det V(\\mu)` and is not comparable
        with the other rows, so its "chi2" is NaN (the minimum is ``likelihood_fit().chi2_min``)."""
        rows = [
            self.covariance_fit(),
            self.nuisance_fit("data", minos),
            self.nuisance_fit("prediction", minos),
            self.relative_covariance_fit(minos),
            *([self.likelihood_fit(minos)] if likelihood else []),
            self.weighted_mean(),
        ]
        table = pd.DataFrame([r.as_row() for r in rows]).set_index("method")
        if likelihood:
            table.loc[GAUSSIAN_LIKELIHOOD, "chi2"] = np.nan
        return table

    # ---------------------------------------------------------------- chi2 curves
    def measured_covariance_chi2(self, mu):
        """:math:`\\chi^2(\\mu) = (y - \\mu 1)^T V^{-1} (y - \\mu 1)` with :meth:`covariance_measured`; vectorised in ``mu``."""
        return closed.measured_chi2(self.values, self.covariance_measured(), mu)

    def relative_covariance_chi2(self, mu):
        """:math:`\\chi^2(\\mu) = (y - \\mu 1)^T V(\\mu)^{-1} (y - \\mu 1)`, :math:`V(\\mu)` from :meth:`covariance_at`.

        In closed form (Sherman-Morrison, :mod:`helpers.normalisation_closed`):
        :math:`\\chi^2_{stat} + W(\\mu - \\bar y_w)^2/(1 + \\epsilon^2 W\\mu^2)`, exact for any
        ``mu`` (vectorised, any shape).
        """
        return closed.relative_chi2(self.values, self.stat_errors, self.norm_error, mu)

    def profile_chi2_prediction(self, mu, *, return_N: bool = False):
        """Fit-3 :math:`\\chi^2` minimised over :math:`N` at fixed :math:`\\mu`, in closed form.

        At fixed :math:`\\mu`, :math:`\\chi^2 = \\sum (y_i - N\\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2` is
        quadratic in :math:`N`. With :math:`W = \\sum s_i^{-2}`, :math:`B = \\sum y_i/s_i^2` and
        :math:`D = 1 + \\epsilon^2\\mu^2 W`: :math:`\\hat N = (1 + \\epsilon^2\\mu B)/D` and
        :math:`\\chi^2_{prof} = \\chi^2_{stat} + W(\\mu - \\bar y_w)^2/D`, the curve of
        :meth:`relative_covariance_chi2` (a sum of non-negative terms, evaluated without
        overflow for any :math:`\\mu`). Vectorised in ``mu``; with ``return_N`` also returns :math:`\\hat N`.
        """
        chi2, N = closed.profile_prediction(self.values, self.stat_errors, self.norm_error, mu)
        return (chi2, N) if return_N else chi2

    def likelihood_nll(self, mu):
        """:math:`-2\\ln L(\\mu) = (y-\\mu)^T V(\\mu)^{-1}(y-\\mu) + \\ln\\det V(\\mu)` (vectorised).

        :math:`V(\\mu)` of :meth:`covariance_at`; :math:`\\ln\\det V(\\mu) = \\sum_i\\ln s_i^2 +
        \\ln(1 + \\epsilon^2\\mu^2\\sum_i s_i^{-2})`. This is :meth:`relative_covariance_chi2`
        plus the term it leaves out; it is also :math:`-2\\ln` of the N-on-prediction
        likelihood with :math:`N` integrated over its Gaussian constraint.
        """
        return closed.likelihood_nll(self.values, self.stat_errors, self.norm_error, mu)

    # ---------------------------------------------------------------- fits (helpers.normalisation_fits)
    def nuisance_minuit(self, on: str = "data", minos: bool = True) -> Minuit:
        """The Minuit object of a fit with a normalisation nuisance parameter, after MIGRAD, HESSE (and MINOS on ``mu``).

        ``on="data"``: :math:`\\chi^2 = \\sum (N y_i - \\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2`;
        ``on="prediction"``: :math:`\\chi^2 = \\sum (y_i - N\\mu)^2/s_i^2 + (N-1)^2/\\epsilon^2`.
        Each is ``LeastSquares + NormalConstraint``
        (:class:`~helpers.normalisation_fits.NuisanceCost`). With :math:`\\epsilon = 0`,
        :math:`N = 1` is fixed.

        Both :math:`\\chi^2` are polynomials, so Minuit gets their exact gradient and Hessian
        (HESSE then inverts the exact Hessian; with numerical second derivatives it is off
        by ~0.5 % for ``"prediction"``, because :math:`\\mu` and :math:`N` are ~99 % correlated).
        """
        return fits.nuisance_minuit(self, on, minos)

    @fits.scale_free
    def nuisance_fit(self, on: str = "data", minos: bool = True) -> Estimate:
        """Estimate from :meth:`nuisance_minuit`: HESSE error, MINOS edges (or :math:`\\hat\\mu \\mp \\sigma` without MINOS), fitted N."""
        m = self.nuisance_minuit(on, minos)
        if on == "data":
            return fits.estimate(N_ON_DATA, m, minos, True, self.measured_covariance_chi2)
        return fits.estimate(N_ON_PREDICTION, m, minos, True, self.profile_chi2_prediction)

    def relative_covariance_minuit(self, minos: bool = True) -> Minuit:
        """The Minuit object minimising :meth:`relative_covariance_chi2` (one parameter ``mu``).

        Minuit gets the exact derivatives
        (:class:`~helpers.normalisation_fits.RelativeCovarianceCost`); at the minimum
        :math:`\\sigma^2 = (\\sum s_i^{-2})^{-1} + \\epsilon^2\\hat\\mu^2`.
        """
        return fits.relative_covariance_minuit(self, minos)

    @fits.scale_free
    def relative_covariance_fit(self, minos: bool = True) -> Estimate:
        """Fit with :math:`V(\\mu) = \\mathrm{diag}(s^2) + \\epsilon^2\\mu^2 11^T` inside :math:`\\chi^2(\\mu)` (no log-det term).

        Same :math:`\\chi^2` curve as the profile of :meth:`nuisance_fit` ``(on="prediction")``.
        """
        m = self.relative_covariance_minuit(minos)
        return fits.estimate(COVARIANCE_RELATIVE, m, minos, False, self.profile_chi2_prediction)

    def likelihood_minuit(self, minos: bool = True) -> Minuit:
        """The Minuit object minimising :meth:`likelihood_nll` (``errordef = 1``, one parameter ``mu``)."""
        return fits.likelihood_minuit(self, minos)

    @fits.scale_free
    def likelihood_fit(self, minos: bool = True) -> Estimate:
        """Maximum of the Gaussian likelihood with :math:`V(\\mu)`, including :math:`\\ln\\det V(\\mu)`.

        The value agrees with the closed form :func:`likelihood_values`; the error is
        HESSE's, the interval MINOS' (:math:`\\Delta(-2\\ln L) = 1`).
        """
        m = self.likelihood_minuit(minos)
        return fits.estimate(GAUSSIAN_LIKELIHOOD, m, minos, False, self.likelihood_nll)

    def scaled_data_minuit(self, tight: bool = True, start: tuple | None = None) -> Minuit:
        """Minuit after MIGRAD and HESSE for :math:`\\chi^2 = \\sum_i (N y_i - \\mu)^2/(N s_i)^2 + (N-1)^2/\\epsilon^2`.

        The statistical errors are scaled by :math:`N` along with the data, so the first
        term is :math:`\\sum_i (y_i - \\mu/N)^2/s_i^2`: minimised by :math:`\\mu/N = \\bar y_w`,
        and then :math:`N = 1`. The value is the N-on-prediction one. Needs :math:`\\epsilon > 0`.
        ``start = (mu, N)`` sets the starting point (default: the stat-only weighted mean
        and 1). With ``tight`` (default) Minuit gets the exact gradient and Hessian
        (:class:`~helpers.normalisation_fits.NuisanceCost`, model ``"scaled"``), so HESSE's
        error is :math:`\\sqrt{1/W + \\epsilon^2\\bar y_w^2}`, and every flag is checked.
        ``tight=False`` is the :math:`\\chi^2` written plainly with Minuit's default strategy
        and tolerance, as in a student's first fit; then MIGRAD may stop a little before the
        minimum and HESSE's numerical second derivatives misjudge the narrow valley.
        """
        return fits.scaled_data_minuit(self, tight, start)

    @fits.scale_free
    def scaled_data_fit(self) -> Estimate:
        """Estimate from :meth:`scaled_data_minuit` (HESSE error of the exact Hessian,
        :math:`\\sqrt{1/W + \\epsilon^2\\bar y_w^2}` as for N on prediction; no MINOS)."""
        m = self.scaled_data_minuit()
        mu, err = float(m.values["mu"]), float(np.sqrt(m.covariance["mu", "mu"]))
        return Estimate(N_ON_DATA_SCALED, mu, err, mu - err, mu + err, float(m.fval),
                        float(m.values["N"]))

    # ---------------------------------------------------------------- closed-form facts
    def stat_chi2(self) -> float:
        """:math:`\\chi^2_{stat} = \\sum_i (y_i - \\bar y_w)^2/s_i^2`: the disagreement under the stat errors alone."""
        return float(stat_chi2_values(self.values, self.stat_errors))

    def normalisation_factor(self) -> float:
        """:math:`\\hat N = 1/(1 + \\epsilon^2\\chi^2_{stat})`, the N-on-data fit's normalisation in closed form."""
        return 1.0 / (1.0 + self.norm_error**2 * self.stat_chi2())

    def tension(self) -> dict:
        """How well the measurements agree under the covariance from the measured values.

        Returns ``{"chi2", "ndf", "pvalue"}``: the covariance fit's :math:`\\chi^2_{min}` for
        :math:`n - 1` degrees of freedom and :math:`P(\\chi^2_{n-1} \\geq \\chi^2_{min})`.
        """
        chi2 = self.covariance_fit().chi2_min
        ndf = self.n - 1
        return {"chi2": chi2, "ndf": ndf, "pvalue": float(chi2_dist.sf(chi2, ndf))}

    def blue_weights(self) -> np.ndarray:
        """The BLUE weights :math:`V^{-1}1/(1^T V^{-1} 1)` of the covariance fit (they sum to one)."""
        return np.asarray(engine.solve(self.values, self.covariance_measured()).weights)

    def negative_weight_threshold(self) -> float:
        """The normalisation uncertainty :math:`\\epsilon` above which a BLUE weight of the
        covariance fit (from the measured values) turns negative.

        For two measurements, :math:`w_j \\propto \\sigma_i^2 - c = s_i^2 - \\epsilon^2 y_i (y_j - y_i)`,
        so the weight of :math:`y_j` is negative when :math:`\\epsilon^2 y_i(y_j - y_i) > s_i^2`:
        :math:`\\epsilon^* = \\min s_i/\\sqrt{y_i(y_j - y_i)}` over the pairs with
        :math:`y_i(y_j - y_i) > 0`. Above it the fit leaves the interval between the
        measurements. ``inf`` if no normalisation makes a weight negative (e.g. equal values).
        Independent of :attr:`norm_error`.
        """
        if self.n != 2:
            raise InputError(f"the threshold needs exactly 2 measurements, got {self.n}")
        y, s = self.values, self.stat_errors
        out = np.inf
        for i, j in ((0, 1), (1, 0)):
            lever = y[i] * (y[j] - y[i])
            if lever > 0:
                out = min(out, float(s[i] / np.sqrt(lever)))
        return out

    def dagostini_coefficients(self) -> np.ndarray:
        """The coefficients of :math:`y_1, y_2` in D'Agostini's closed form, :math:`(s_2^2, s_1^2)/D`.

        They sum to :math:`(s_1^2 + s_2^2)/D = 1/(1 + \\epsilon^2\\chi^2_{stat}) = \\hat N`, not to
        one: the covariance itself is built from the data, so the fit is not a fixed
        linear combination, and the same number can be written with different coefficients.
        """

        if self.n != 2:
            raise InputError(f"the closed form needs exactly 2 measurements, got {self.n}")
        return closed.dagostini(self.values, self.stat_errors, self.norm_error)[2]

    def as_combination(self):
        """The problem as a :class:`~helpers.combination.Combination` with sources ``"stat"``
        (uncorrelated) and ``"norm"`` (:math:`\\epsilon y_i`, fully correlated), for
        ``.iterated("norm")``: the iterative BLUE of Lista (2014)."""
        from .combination import Combination
        names = [f"y{i + 1}" for i in range(self.n)]
        errors = pd.DataFrame({"stat": self.stat_errors,
                               "norm": self.norm_error * np.abs(self.values)}, index=names)
        return Combination(pd.Series(self.values, index=names), errors, {"stat": 0.0, "norm": 1.0})

    # ---------------------------------------------------------------- geometry (helpers.normalisation_geometry)
    def _two(self, what: str) -> None:
        if self.n != 2:
            raise InputError(f"the {what} needs exactly 2 measurements, got {self.n}")

    def _cov2(self, cov) -> np.ndarray:
        if cov is None:
            self._two("two-dimensional picture")
            return self.covariance_measured()
        return as_covariance(cov, 2)

    def ellipse(self, c: float = 1.0, center=None, npoints: int = 200, cov=None) -> np.ndarray:
        """Points :math:`y' = y_c + c L (\\cos\\varphi, \\sin\\varphi)^T`, :math:`V = L L^T`.

        They satisfy :math:`\\Delta y^T V^{-1} \\Delta y = c^2`; ``V`` defaults to
        :meth:`covariance_measured`, ``center`` to the measurements. :math:`\\varphi` runs over
        ``[0, 2\\pi]`` inclusive (closed curve). Returns an ``(npoints, 2)`` array.
        """
        V = self._cov2(cov)
        if center is None:
            self._two("two-dimensional picture")
            center = self.values
        return geometry.ellipse(V, center, c, npoints)

    def touching_point(self, cov=None) -> tuple[float, float]:
        """Where the :math:`\\chi^2` ellipses around the measurements first touch the line :math:`y_1' = y_2'`.

        The point :math:`(\\hat\\mu, \\hat\\mu)` is the GLS minimum along the line,
        :math:`\\hat\\mu = 1^T V^{-1} y / 1^T V^{-1} 1`, and :math:`c = \\sqrt{\\chi^2_{min}}`
        (for n = 2, :math:`\\chi^2_{min} = (y_1 - y_2)^2 / \\mathrm{var}(y_1 - y_2)`).

        Returns
        -------
        (mu_hat, c_touch) : tuple of float
        """
        self._two("touching point")
        return geometry.touching_point(self.values, self._cov2(cov))

    def ellipse_axes(self, cov=None) -> dict:
        """Shape of the :math:`c = 1` ellipse of ``cov`` (default: from the measured values).

        Returns ``{"minor", "major", "angle", "tilt"}``: the semi-axes (square roots of the
        eigenvalues of V), the direction of the major axis in degrees from the
        :math:`y_1'` axis (in :math:`[0, 180)`) and its angle from the diagonal
        :math:`y_1' = y_2'`, ``angle - 45``.
        """
        return geometry.ellipse_axes(self._cov2(cov))

    def values_tilt(self) -> float:
        """Angle in degrees between the direction of the measurement vector :math:`\\mathbf y`
        (from the origin) and the diagonal :math:`y_1' = y_2'`. The normalisation stretches
        the ellipse along :math:`\\mathbf y`; its major axis (:meth:`ellipse_axes`) is tilted
        a little more, because the statistical errors differ."""
        self._two("tilt")
        return geometry.values_tilt(self.values)

    def mean_difference(self, cov=None) -> dict:
        """The covariance in the coordinates :math:`m = (y_1' + y_2')/2`, :math:`d = y_2' - y_1'`.

        On the line :math:`y_1' = y_2'` we have :math:`d = 0`, so the fit is the Gaussian
        conditional mean :math:`\\hat\\mu = m_{obs} - k\\,d_{obs}` with slope
        :math:`k = \\mathrm{cov}(m, d)/\\mathrm{var}(d)`. Returns ``{"var_m", "var_d", "cov_md",
        "slope", "shift"}`` with ``shift = k d_obs`` (how far below the plain mean the fit lands).
        """
        return geometry.mean_difference(self.values, self._cov2(cov))


def scan_norm(values, stat_rel, norm_rels) -> pd.DataFrame:
    """Each method's value and HESSE error as a function of the normalisation uncertainty.

    Parameters
    ----------
    values : array_like
        Measured values.
    stat_rel : float or array_like
        Relative stat errors (see :meth:`NormalisationProblem.from_relative`).
    norm_rels : array_like
        Values of :math:`\\epsilon` (each >= 0), e.g. ``np.linspace(0, 0.3, 31)``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``norm_rel``; columns are a MultiIndex ``(quantity, method)`` with
        quantity ``"value"`` or ``"error"``, so ``df["value"]`` has one column per method.
    """
    eps = as_positive_vector(norm_rels, "norm_rels", allow_zero=True)
    records = []
    for e in eps:
        df = NormalisationProblem.from_relative(values, stat_rel, e).compare(minos=False)
        rec = {("value", k): v for k, v in df["value"].items()}
        rec.update({("error", k): v for k, v in df["error"].items()})
        records.append(rec)
    out = pd.DataFrame(records, index=pd.Index(eps, name="norm_rel"))
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=["quantity", "method"])
    return out


def course_problem(norm_rel: float | None = None, stat_rel: float | None = None,
                   y2: float | None = None) -> NormalisationProblem:
    """The two measurements of the course sheet (``book/data/normalisation.csv``),
    optionally with another normalisation or stat uncertainty, or another second value.
    The stat errors are the relative ones times the measured values, as on the sheet."""
    d = data.normalisation_inputs()
    values = d["value"].to_numpy().copy()
    if y2 is not None:
        values[1] = as_number(y2, "y2")
    stat = d["stat_rel"].to_numpy() if stat_rel is None else stat_rel
    norm = d["norm_rel"].iloc[0] if norm_rel is None else norm_rel
    return NormalisationProblem.from_relative(values, stat, norm)


def minuit_settings_study(problem: NormalisationProblem | None = None, *,
                          strategies=(0, 1, 2), starts_mu=(7.0, 8.0, 8.25, 9.0),
                          starts_N=(0.9, 1.0, 1.1)) -> pd.DataFrame:
    """What a student's N-on-prediction fit gives with Minuit's numerical derivatives.

    The :math:`\\chi^2` is written plainly (no gradient) and minimised with the default
    tolerance, for each strategy and starting point; then HESSE. Compared with the exact
    answer (:meth:`NormalisationProblem.nuisance_fit`, exact Hessian): ``"mu offset"`` is
    MIGRAD's distance from the true minimum, ``"hesse rel diff"`` the relative error of
    HESSE's error. Also ``"valid"`` and ``"accurate"`` (Minuit's ``valid`` and
    ``fmin.has_accurate_covar``).
    """
    if problem is not None and not isinstance(problem, NormalisationProblem):
        raise InputError(f"problem must be a NormalisationProblem, got {type(problem).__name__}")
    return fits.minuit_settings_study(problem or course_problem(), strategies=strategies,
                                      starts_mu=starts_mu, starts_N=starts_N)


def below_both_thresholds(norm_rel: float | None = None, stat_rel: float | None = None) -> tuple:
    """The values of the second measurement beyond which the covariance fit lies below both.

    With ``y1`` and the errors of :func:`course_problem` (optionally another ``norm_rel``
    or ``stat_rel``), returns ``(low, high)``: for ``y2 < low`` or ``y2 > high`` the
    covariance fit from the measured values is below ``min(y1, y2)``; between them (near
    ``y2 = y1``, where the two agree) it is not. Found with ``brentq`` on
    ``mu_hat(y2) - min(y1, y2)``, bracketed away from the trivial root ``y2 = y1``.
    """
    y1 = float(course_problem().values[0])

    def excess(y2):
        fit = course_problem(norm_rel=norm_rel, stat_rel=stat_rel, y2=y2).covariance_fit()
        return fit.value - min(y1, y2)

    eps = 1e-6 * y1
    if not (excess(y1 + eps) > 0 > excess(2.0 * y1) and excess(y1 - eps) > 0 > excess(0.5 * y1)):
        raise InputError("no sign change of the covariance fit's excess on either side of y1")
    low = brentq(excess, 0.5 * y1, y1 - eps, xtol=1e-12)
    high = brentq(excess, y1 + eps, 2.0 * y1, xtol=1e-12)
    return float(low), float(high)
