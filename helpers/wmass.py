"""The numbers of the chapter "Combining two W-mass measurements".

The LEP W mass measured in two decay channels (``book/data/w_mass.csv``), combined with
:class:`~helpers.combination.Combination`, and the statements the chapter makes about
it: the error breakdown in the four usual groups of sources, where negative weights come
from, how the combined error depends on an overall correlation, and what the sliders
of the chapter can and cannot reach. The drawing functions are in
:mod:`helpers.figures.wmass`.

Two measurements with total errors ``sigma_1``, ``sigma_2`` and covariance ``c`` combine
to (Lyons, Gibaut, Clifford 1988)::

    w_1 = (sigma_2^2 - c) / (sigma_1^2 + sigma_2^2 - 2c)
    sigma^2 = (sigma_1^2 sigma_2^2 - c^2) / (sigma_1^2 + sigma_2^2 - 2c)

so the less precise one (``sigma_1 > sigma_2``) gets a negative weight exactly when
``c > sigma_2^2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import data
from .combination import Combination
from . import blue as engine
from .validation import InputError, as_correlation, as_finite_array, as_number

__all__ = [
    "COMMON", "GROUPS", "lep_combination", "total_correlation_combination",
    "total_errors", "overall_error", "overall_weights", "error_peak",
    "conservative_correlation", "full_correlation_limit", "slider_reach",
    "shared_error_case", "shared_error_cases",
    "theory_weight_crossover", "theory_scan", "TwoChannels", "two_channels",
    "overall_setting",
]

COMMON = ("theory_common", "beam_energy")
"""The two sources shared by the channels (100 % correlated in the nominal inputs)."""

GROUPS = {
    "statistical": ["stat"],
    "experimental systematic": ["exp_syst"],
    "theory": ["theory_4q", "theory_common"],
    "accelerator": ["beam_energy"],
}
"""The four groups results are usually quoted in (every source in exactly one group)."""


def lep_combination(rho_common: float = 1.0, theory_4q: float | None = None) -> Combination:
    """The LEP W-mass combination, optionally with another correlation of the common
    sources and another size of the 4-jet-only theory uncertainty (MeV)."""
    comb = Combination(*data.w_mass())
    if rho_common != 1.0:
        comb = comb.with_correlation(list(COMMON), rho_common)
    if theory_4q is not None:
        errs = comb.errors["theory_4q"].to_numpy().copy()
        errs[0] = as_number(theory_4q, "theory_4q", non_negative=True)
        comb = comb.with_errors("theory_4q", errs)
    return comb


@dataclass(frozen=True)
class TwoChannels:
    """The two-channel BLUE of one slider setting, in closed form (no :class:`Combination`).

    ``value``/``error``: the combined mass and its error (MeV); ``weights``: (w_1, w_2);
    ``correlation``: the total correlation of the channels; ``threshold``: the total
    correlation above which a weight is negative (sigma_small / sigma_large); ``chi2``:
    chi2 at the minimum, ``(y_1 - y_2)^2 / (sigma_1^2 + sigma_2^2 - 2c)``.
    """

    value: float
    error: float
    weights: tuple[float, float]
    correlation: float
    threshold: float
    chi2: float

    def chi2_curve(self, mu):
        """chi2 against the trial mean: exactly ``chi2 + ((mu - value) / error)^2``."""
        return self.chi2 + ((np.asarray(mu, dtype=float) - self.value) / self.error) ** 2


def _two_blue(y: np.ndarray, cov: np.ndarray) -> TwoChannels:
    cov = engine.check_covariance(cov)            # InputError for a singular setting
    b = engine.solve(y, cov)
    v1, v2, c = cov[0, 0], cov[1, 1], cov[0, 1]
    return TwoChannels(value=b.value, error=b.error, weights=(float(b.weights[0]), float(b.weights[1])),
                       correlation=float(c / np.sqrt(v1 * v2)),
                       threshold=float(np.sqrt(min(v1, v2) / max(v1, v2))), chi2=b.chi2)


def _cached_inputs():
    """Values, per-source errors (2 x S), source names and correlations of the data file
    (:func:`helpers.data.w_mass` caches the checked file itself)."""
    values, errors, correlations = data.w_mass()
    return (values.to_numpy(dtype=float), errors.to_numpy(dtype=float), list(errors.columns),
            correlations.reindex(errors.columns).to_numpy(dtype=float))


def two_channels(rho_common: float = 1.0, theory_4q: float | None = None) -> TwoChannels:
    """:func:`lep_combination` for the first slider panel, in closed form and fast enough
    for a slider (tens of microseconds): the correlation of the common sources set to
    ``rho_common`` and the 4-jet-only theory error to ``theory_4q`` (MeV)."""
    y, err, names, rho = _cached_inputs()
    rho = rho.copy()
    r = as_correlation(rho_common, "rho_common")
    for k in COMMON:
        rho[names.index(k)] = r
    err = err.copy()
    if theory_4q is not None:
        err[0, names.index("theory_4q")] = as_number(theory_4q, "theory_4q", non_negative=True)
    v1, v2 = (err**2).sum(axis=1)
    c = float((rho * err[0] * err[1]).sum())
    return _two_blue(y, np.array([[v1, c], [c, v2]]))


def overall_setting(rho_total: float) -> TwoChannels:
    """:func:`total_correlation_combination` in closed form, for the second slider panel:
    the total errors with one overall correlation (refused at +-1, where the covariance
    is singular)."""
    y, err, _, _ = _cached_inputs()
    s1, s2 = np.sqrt((err**2).sum(axis=1))
    r = as_correlation(rho_total, "rho_total")
    return _two_blue(y, np.array([[s1 * s1, r * s1 * s2], [r * s1 * s2, s2 * s2]]))


def total_errors(comb: Combination | None = None) -> np.ndarray:
    """The total error of each channel, ``sqrt(C_ii)`` (MeV)."""
    comb = comb or lep_combination()
    return np.sqrt(np.diag(comb.covariance.to_numpy()))


def total_correlation_combination(rho_total: float, comb: Combination | None = None) -> Combination:
    """The two channels with their *total* errors and one overall correlation ``rho_total``."""
    comb = comb or lep_combination()
    sigma = total_errors(comb)
    return Combination(comb.values, sigma[:, None], [rho_total], sources=["overall"])


def _two(comb: Combination | None) -> tuple[float, float]:
    comb = comb or lep_combination()
    if comb.n != 2:
        raise InputError(f"this formula is for two measurements, got {comb.n}")
    s1, s2 = total_errors(comb)
    return float(s1), float(s2)


def overall_error(rho, comb: Combination | None = None):
    """Combined error for an overall correlation ``rho`` of the total errors (vectorised).

    ``sigma^2 = sigma_1^2 sigma_2^2 (1 - rho^2) / (sigma_1^2 + sigma_2^2 - 2 rho sigma_1 sigma_2)``;
    it is 0 at ``rho = +-1`` (the limit, where the covariance itself is singular).
    """
    s1, s2 = _two(comb)
    r = as_finite_array(rho, "rho")
    if np.any(np.abs(r) > 1):
        raise InputError("a correlation must lie in [-1, 1]")
    var = s1**2 * s2**2 * (1 - r**2) / (s1**2 + s2**2 - 2 * r * s1 * s2)
    out = np.sqrt(np.maximum(var, 0.0))
    return float(out) if out.ndim == 0 else out


def overall_weights(rho, comb: Combination | None = None):
    """``(w_1, w_2)`` for an overall correlation ``rho`` (vectorised; the limits at +-1 included)."""
    s1, s2 = _two(comb)
    r = as_finite_array(rho, "rho")
    c = r * s1 * s2
    w1 = (s2**2 - c) / (s1**2 + s2**2 - 2 * c)
    return w1, 1.0 - w1


def error_peak(comb: Combination | None = None) -> tuple[float, float]:
    """Where the combined error is largest as the overall correlation varies: ``(rho, sigma)``.

    ``d sigma^2 / d rho = 0`` at ``rho = sigma_small / sigma_large``, the zero-weight
    correlation, and there ``sigma = sigma_small``: the combination is then just the
    more precise measurement.
    """
    s = sorted(_two(comb))
    return s[0] / s[1], s[0]


def conservative_correlation(comb: Combination | None = None) -> float:
    """The overall correlation above which the combined error is *smaller* than with
    no correlation: ``rho* = 2 sigma_1 sigma_2 / (sigma_1^2 + sigma_2^2)``.

    From ``sigma^2(rho) = sigma^2(0)``: ``(1 - rho^2)(s1^2 + s2^2) = s1^2 + s2^2 - 2 rho s1 s2``.
    Below it, neglecting a positive correlation understates the error; above it,
    neglecting it overstates the error.
    """
    s1, s2 = _two(comb)
    return 2 * s1 * s2 / (s1**2 + s2**2)


def full_correlation_limit(sign: int = 1, comb: Combination | None = None) -> dict:
    """The limit of the combination as the overall correlation goes to ``sign`` (+1 or -1).

    ``w_1 -> sigma_2 / (sigma_2 - sign sigma_1)`` and ``sigma -> 0``: the limit exists,
    but it claims a perfectly known result. Returns ``{"w1", "value", "error"}``.
    """
    if sign not in (1, -1):
        raise InputError(f"sign must be +1 or -1, got {sign!r}")
    comb = comb or lep_combination()
    s1, s2 = _two(comb)
    w1 = s2 / (s2 - sign * s1)
    y1, y2 = comb.values.to_numpy()
    return {"w1": w1, "value": w1 * y1 + (1 - w1) * y2, "error": 0.0}


def slider_reach(rhos=None, theory=None) -> pd.DataFrame:
    """What the chapter's first slider panel can reach: for each (correlation of the common
    sources, 4-jet theory error) the total correlation, the zero-weight threshold and
    the smaller weight.

    Defaults: the slider ranges, ``rho`` from -1 to 1 in steps of 0.05 and the theory
    error from 0 to 150 MeV in steps of 5. Computed from the covariance in closed form
    (``C_11`` with the new theory error, ``C_12 = rho sum_common a_1 a_2``); the tests
    compare it with :func:`lep_combination`.
    """
    rhos = np.round(np.linspace(-1, 1, 41), 10) if rhos is None else as_finite_array(rhos, "rhos")
    theory = np.linspace(0, 150, 31) if theory is None else as_finite_array(theory, "theory")
    if np.any(np.abs(rhos) > 1) or np.any(theory < 0):
        raise InputError("correlations must lie in [-1, 1] and theory errors be >= 0")
    err = lep_combination().errors
    common = err[list(COMMON)].to_numpy()
    other = err.drop(columns=[*COMMON, "theory_4q"]).to_numpy()
    r, t = (a.ravel() for a in np.meshgrid(rhos, theory, indexing="ij"))
    v1 = (other[0] ** 2).sum() + (common[0] ** 2).sum() + t**2
    v2 = (other[1] ** 2).sum() + (common[1] ** 2).sum() + err["theory_4q"].iloc[1] ** 2
    c12 = r * (common[0] * common[1]).sum()
    w1 = (v2 - c12) / (v1 + v2 - 2 * c12)
    return pd.DataFrame({"rho_common": r, "theory_4q": t,
                         "total correlation": c12 / np.sqrt(v1 * v2),
                         "threshold": np.sqrt(np.minimum(v1, v2) / np.maximum(v1, v2)),
                         "smallest weight": np.minimum(w1, 1 - w1)})


def shared_error_case(shared_4q: float, shared_lv: float) -> Combination:
    """The W-mass channels with their own errors kept and the two common sources replaced
    by one fully correlated error of the given size in each channel (MeV)."""
    comb = lep_combination()
    own = comb.errors.drop(columns=list(COMMON))
    errors = own.assign(shared=[as_number(shared_4q, "shared_4q", non_negative=True),
                                as_number(shared_lv, "shared_lv", non_negative=True)])
    corr = comb.source_correlations
    rho = {k: corr[k] for k in own.columns}
    rho["shared"] = 1.0
    return Combination(comb.values, errors, rho)


def shared_error_cases(cases=((25.4, 25.4), (80.0, 80.0), (60.0, 25.4), (100.0, 25.4))) -> pd.DataFrame:
    """For each (shared error in the 4-jet, in the lepton channel): the covariance, the
    smaller variance, the 4-jet weight and the combined value."""
    rows = []
    for a1, a2 in cases:
        c = shared_error_case(a1, a2)
        cov = c.covariance.to_numpy()
        rows.append({"shared 4 jets": a1, "shared lepton": a2,
                     "covariance": cov[0, 1], "smaller variance": min(cov[0, 0], cov[1, 1]),
                     "weight 4 jets": float(c.weights.iloc[0]), "m_W": c.value})
    return pd.DataFrame(rows)


def theory_weight_crossover() -> float:
    """The size of the 4-jet-only theory error (MeV) at which both channels get weight 1/2.

    Below it the four-jet channel gets the larger weight. Found with ``brentq`` on
    ``w_1(theory) - 1/2`` between 0 and the nominal 47 MeV.
    """
    from scipy.optimize import brentq

    def excess(t):
        return float(lep_combination(theory_4q=t).weights.iloc[0]) - 0.5

    return float(brentq(excess, 0.0, 47.0, xtol=1e-10))


def theory_scan(theory=None) -> pd.DataFrame:
    """Combined value, error and weights against the 4-jet-only theory error (MeV), the
    common sources fully correlated; closed-form two-measurement BLUE (the tests compare
    it with :func:`lep_combination`). Indexed by ``theory_4q``; columns ``"value"``,
    ``"error"``, ``"w1"``, ``"w2"``."""
    theory = np.linspace(0.0, 150.0, 61) if theory is None else as_finite_array(theory, "theory")
    if theory.ndim != 1 or np.any(theory < 0):
        raise InputError("theory must be a 1-d array of errors >= 0")
    comb = lep_combination()
    cov = comb.covariance.to_numpy()
    v1 = cov[0, 0] - comb.errors["theory_4q"].iloc[0] ** 2 + theory**2
    v2, c = cov[1, 1], cov[0, 1]
    den = v1 + v2 - 2 * c
    w1 = (v2 - c) / den
    y1, y2 = comb.values.to_numpy()
    return pd.DataFrame({"value": w1 * y1 + (1 - w1) * y2,
                         "error": np.sqrt((v1 * v2 - c**2) / den),
                         "w1": w1, "w2": 1 - w1},
                        index=pd.Index(theory, name="theory_4q"))
