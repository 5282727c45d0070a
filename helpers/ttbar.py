"""The LHC top-pair cross-section combination at 8 TeV (e-mu channel).

ATLAS and CMS measured the inclusive ttbar cross section in e-mu events at
sqrt(s) = 8 TeV and combined them with BLUE (ATLAS-CONF-2014-054).
``book/data/lhc_ttbar_xsec.csv`` holds the inputs of the note's
Table 1: both measurements split into 23 uncertainty sources (pb) and the assumed
ATLAS-CMS correlation of each source. Two things to know about that file:

* its numbers are rounded to 0.1 pb, so recomputed results can differ from the note
  in the last quoted digit;
* it has no LHC beam-energy uncertainty (ATLAS quotes 4.2 pb on its own 8 TeV
  measurement, arXiv:1406.5375), so the totals here are stat (+) syst (+) lumi only.

The luminosity uncertainty is two sources: ``Vdm`` (the part of the luminosity
calibration common to both experiments, from the van der Meer scans, taken as fully
correlated) and ``Lumi`` (the rest of each experiment's luminosity uncertainty,
uncorrelated). The note also quotes a separate beam-energy uncertainty on the combined
result; it is not in the file, and no number for it is used here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import data
from .combination import Combination, correlation_scan
from . import blue as engine
from .validation import InputError, as_correlation
from .nudge import nudge_if_asked

__all__ = [
    "PUBLISHED", "Published", "STAT", "LUMI", "SCAN_SOURCES", "ROUNDING_TRIALS", "lhc_combination",
    "groups", "breakdown", "comparison", "stability_scan",
    "inputs_table", "measurement_groups", "published_total", "uncorrelated_error", "variance_slope",
    "slope_ranking", "scan_sources", "pull_probability", "information_neutral_correlation",
    "information_scan", "rounding_trials", "rounding_spread", "normalisation_combination",
    "CorrelationSetting", "correlation_setting", "blue_batch",
]

STAT = ("Stat",)
"""The statistical source."""

LUMI = ("Vdm", "Lumi")
"""The luminosity sources: the common part of the calibration (fully correlated) and the rest (uncorrelated)."""

ROUNDING_TRIALS = 2000
"""Number of trials of :func:`rounding_trials` and :func:`rounding_spread`."""


@dataclass(frozen=True)
class Published:
    """The combined result as quoted in the note (rounded as printed there)."""

    value: float
    stat: float
    syst: float
    lumi: float
    weights: dict = field(default_factory=dict)
    chi2: float = np.nan
    ndf: int = 1
    pvalue: float = np.nan
    correlation: float = np.nan
    unit: str = "pb"
    reference: str = ""


PUBLISHED = Published(
    value=241.5, stat=1.4, syst=5.7, lumi=6.2,
    weights={"ATLAS": 0.725, "CMS": 0.275},
    chi2=0.054, ndf=1, pvalue=0.82, correlation=0.235,
    reference=("ATLAS and CMS Collaborations, Combination of ATLAS and CMS top quark pair "
               "cross section measurements in the e-mu final state using proton-proton "
               "collisions at sqrt(s) = 8 TeV, ATLAS-CONF-2014-054 (2014), "
               "https://cds.cern.ch/record/1951322"),
)
"""241.5 +- 1.4 (stat) +- 5.7 (syst) +- 6.2 (lumi) pb, weights 0.725 / 0.275,
chi2/ndf = 0.054/1 (p = 0.82), total ATLAS-CMS correlation 23.5 %."""


def lhc_combination() -> Combination:
    """The combination of the note's Table 1 (``book/data/lhc_ttbar_xsec.csv``, read and
    checked once by :func:`helpers.data.ttbar_xsec`; the chapter shows the same table read
    with :meth:`Combination.from_table`)."""
    return Combination(*data.ttbar_xsec())


def groups(comb: Combination | None = None) -> dict:
    """``{"stat": ["Stat"], "syst": [every other source], "lumi": ["Vdm", "Lumi"]}``."""
    comb = comb or lhc_combination()
    missing = [s for s in (*STAT, *LUMI) if s not in comb.sources]
    if missing:
        raise InputError(f"the combination has no source(s) {missing}")
    return {"stat": list(STAT),
            "syst": [s for s in comb.sources if s not in (*STAT, *LUMI)],
            "lumi": list(LUMI)}


def breakdown(comb: Combination | None = None) -> pd.DataFrame:
    """:meth:`Combination.grouped` with :func:`groups`: rows stat, syst, lumi, total."""
    comb = comb or lhc_combination()
    return comb.grouped(groups(comb))


def comparison(comb: Combination | None = None) -> pd.DataFrame:
    """The note's numbers next to this code's (unrounded).

    Rows: value, stat, syst, lumi, weight ATLAS, weight CMS, chi2, p-value,
    correlation; columns ``"published"`` and ``"this code"``.
    """
    comb = comb or lhc_combination()
    b = breakdown(comb)["BLUE contribution"]
    p = PUBLISHED
    rows = {
        "value": (p.value, comb.value),
        "stat": (p.stat, b["stat"]),
        "syst": (p.syst, b["syst"]),
        "lumi": (p.lumi, b["lumi"]),
        "weight ATLAS": (p.weights["ATLAS"], comb.weights["ATLAS"]),
        "weight CMS": (p.weights["CMS"], comb.weights["CMS"]),
        "chi2": (p.chi2, comb.chi2),
        "p-value": (p.pvalue, comb.pvalue),
        "correlation": (p.correlation, comb.correlation.loc["ATLAS", "CMS"]),
    }
    return pd.DataFrame(rows, index=["published", "this code"]).T


def stability_scan(sources=None, rhos=None, comb: Combination | None = None) -> pd.DataFrame:
    """Combined value and error against the assumed correlation of each source in turn.

    For every source in ``sources`` (default :data:`SCAN_SOURCES`) its ATLAS-CMS correlation is set to each ``rho``
    (default 0 to 1 in steps of 0.05) while all other sources keep their nominal
    correlation; the last block ``"all"`` sets all of them to ``rho`` together.

    Returns
    -------
    pandas.DataFrame
        Index ``rho``; columns a MultiIndex (source or ``"all"``, quantity) with
        quantities ``"value"``, ``"error"``, ``"weight ATLAS"``, ``"weight CMS"``,
        ``"chi2"`` (NaN where the covariance is singular).
    """
    comb = comb or lhc_combination()
    sources = SCAN_SOURCES if sources is None else sources
    srcs = [sources] if isinstance(sources, str) else list(sources)
    if not srcs:
        raise InputError("stability_scan needs at least one source")
    rhos = np.round(np.linspace(0.0, 1.0, 21), 10) if rhos is None else rhos
    blocks = {}
    for key, scan in [*[(s, [s]) for s in srcs], *([("all", srcs)] if len(srcs) > 1 else [])]:
        blocks[key] = correlation_scan(comb.values, comb.errors, comb.source_correlations,
                                       scan, rhos)
    return pd.concat(blocks, axis=1)


# --------------------------------------------------------------------------------------
# for the chapter: the inputs, the last digit, information weights against correlation
# --------------------------------------------------------------------------------------
def inputs_table(comb: Combination | None = None) -> pd.DataFrame:
    """The note's inputs as one table: rows ``"value"`` and the sources, columns the
    measurements and ``"correlation"`` (the assumed correlation of each source;
    NaN in the value row)."""
    comb = comb or lhc_combination()
    table = pd.concat([comb.values.to_frame().T, comb.errors.T])
    table["correlation"] = [np.nan, *[comb.source_correlations[s].iat[0, 1] for s in comb.sources]]
    return table


def measurement_groups(comb: Combination | None = None) -> pd.DataFrame:
    """Each measurement's own stat / syst / lumi uncertainty (its sources of each group
    of :func:`groups` added in quadrature) and its total; rows the groups and
    ``"total"``, columns the measurements."""
    comb = comb or lhc_combination()
    err = comb.errors
    rows = {g: np.sqrt((err[srcs] ** 2).sum(axis=1)) for g, srcs in groups(comb).items()}
    rows["total"] = comb.total_errors
    return pd.DataFrame(rows).T[comb.names]


def published_total(published: Published = PUBLISHED) -> float:
    """The note's stat, syst and lumi uncertainties, *as printed*, added in quadrature."""
    return float(np.sqrt(published.stat**2 + published.syst**2 + published.lumi**2))


def uncorrelated_error(comb: Combination | None = None) -> float:
    """The error the combination would have if the measurements were uncorrelated with
    the same total errors: ``(sum_i 1/sigma_i^2)^(-1/2)``."""
    comb = comb or lhc_combination()
    return float(np.sum(comb.total_errors.to_numpy() ** -2.0) ** -0.5)


def variance_slope(comb: Combination, source: str) -> float:
    """``d sigma^2 / d rho_k`` of a two-measurement combination: ``2 w_1 w_2 s_1k s_2k``.

    For two measurements ``sigma^2 = (s_1^2 s_2^2 - c^2) / (s_1^2 + s_2^2 - 2c)`` with
    ``c`` the total covariance, so ``d sigma^2 / dc = 2 w_1 w_2``; the correlation
    ``rho_k`` of source ``k`` enters ``c`` as ``rho_k s_1k s_2k``.
    """
    if comb.n != 2:
        raise InputError(f"variance_slope is for two measurements, got {comb.n}")
    if source not in comb.sources:
        raise InputError(f"unknown source {source!r}; sources are {comb.sources}")
    w = comb.weights.to_numpy()
    s = comb.errors[source].to_numpy()
    return float(2.0 * w[0] * w[1] * s[0] * s[1])


def slope_ranking(comb: Combination | None = None) -> pd.Series:
    """:func:`variance_slope` (pb^2) of every source the table takes as correlated
    (nominal ATLAS-CMS correlation not zero), largest first.

    The slope is how fast the combined variance grows with the assumed correlation of
    the source at the nominal setting: it ranks the correlations that matter most.
    """
    comb = comb or lhc_combination()
    correlated = [s for s in comb.sources if comb.source_correlations[s].iat[0, 1] != 0.0]
    if not correlated:
        raise InputError("the combination has no correlated source to rank")
    slopes = pd.Series({s: variance_slope(comb, s) for s in correlated}, name="slope")
    return slopes.sort_values(ascending=False, kind="stable")


def scan_sources(n: int = 4, comb: Combination | None = None) -> tuple:
    """The ``n`` correlated sources with the largest :func:`slope_ranking`, largest first."""
    if isinstance(n, bool) or not float(n).is_integer() or n < 1:
        raise InputError(f"n must be a positive integer, got {n!r}")
    return tuple(slope_ranking(comb).index[: int(n)])


def pull_probability(comb: Combination | None = None) -> float:
    """Probability, if the measurements agree within their uncertainties, of a chi2 no
    larger than the observed one: ``1 - p``. For two measurements the chi2 is the square
    of the pull, so this is ``P(|z| <= |pull|)`` for a standard normal ``z``."""
    from scipy import stats

    comb = comb or lhc_combination()
    return float(stats.chi2.cdf(comb.chi2, comb.ndf))


def information_neutral_correlation(comb: Combination | None = None) -> float:
    """The total correlation at which two measurements combine to ``sigma_unc``:
    ``2 s_1 s_2 / (s_1^2 + s_2^2)`` with ``s_i`` their total errors.

    Between 0 and this value the combined error is larger than ``sigma_unc`` (the
    correlations cost information); above it, and for any negative correlation, it is
    smaller. From ``sigma^2 = s_1^2 s_2^2 (1 - rho^2) / (s_1^2 + s_2^2 - 2 rho s_1 s_2)``.
    """
    comb = comb or lhc_combination()
    if comb.n != 2:
        raise InputError(f"information_neutral_correlation is for two measurements, got {comb.n}")
    s1, s2 = comb.total_errors.to_numpy()
    return float(2.0 * s1 * s2 / (s1**2 + s2**2))


SCAN_SOURCES = scan_sources(4)
"""The four correlated sources whose assumed ATLAS-CMS correlation matters most by
:func:`slope_ranking` (computed from the table: Vdm, MC+PS, STop, Scale)."""


def _scan_blocks(sources) -> list:
    srcs = [sources] if isinstance(sources, str) else list(sources)
    if not srcs:
        raise InputError("the scan needs at least one source")
    return [*[(s, [s]) for s in srcs], *([("all", srcs)] if len(srcs) > 1 else [])]


def information_scan(sources=SCAN_SOURCES, rhos=None, comb: Combination | None = None) -> pd.DataFrame:
    """Information weights against the assumed correlation of each source in turn.

    Like :func:`stability_scan` (each source alone, others nominal, then ``"all"``
    together), with quantities ``"weight <m>"`` (BLUE), ``"intrinsic <m>"``,
    ``"marginal <m>"`` for each measurement ``m`` and ``"correlations"`` (the
    intrinsic weight of the correlations, ``1 - sum_i sigma^2 / sigma_i^2``).
    """
    comb = comb or lhc_combination()
    rhos = np.round(np.linspace(0.0, 1.0, 21), 10) if rhos is None else np.asarray(rhos, float)
    blocks = {}
    for key, srcs in _scan_blocks(sources):
        rows = []
        for rho in rhos:
            iw = comb.with_correlation(srcs, float(rho)).information_weights()
            row = {}
            for m in comb.names:
                row[f"weight {m}"] = iw.loc[m, "BLUE weight"]
                row[f"intrinsic {m}"] = iw.loc[m, "intrinsic"]
                row[f"marginal {m}"] = iw.loc[m, "marginal"]
            row["correlations"] = iw.loc["correlations", "intrinsic"]
            rows.append(row)
        blocks[key] = pd.DataFrame(rows, index=pd.Index(rhos, name="rho"))
    return pd.concat(blocks, axis=1)


def blue_batch(y: np.ndarray, err: np.ndarray, rho: np.ndarray, parts: list) -> np.ndarray:
    """BLUE numbers for a batch of tables, in plain numpy (what :func:`rounding_trials` recombines).

    ``y`` (T, n), ``err`` (T, n, k), ``rho`` (k, n, n); ``parts`` lists source indices
    of groups. Returns (T, q): value, one BLUE contribution ``sqrt(w^T C_g w)`` per
    group, total error, the n weights, chi2 and (n = 2) the total correlation.
    """
    cov_k = np.einsum("tik,kij,tjk->tkij", err, rho, err)
    cov = cov_k.sum(axis=1)
    value, error, w, chi2 = engine.solve(y, cov)
    group = [np.sqrt(np.einsum("ti,tij,tj->t", w, cov_k[:, idx].sum(axis=1), w)) for idx in parts]
    corr = cov[:, 0, 1] / np.sqrt(cov[:, 0, 0] * cov[:, 1, 1])
    return np.column_stack([value, *group, error, w, chi2, corr])


MAX_ROUNDING_TRIALS = 1_000_000
"""Most trials :func:`rounding_trials` draws at once (each holds a few dozen numbers)."""


def rounding_trials(comb: Combination | None = None, half_width: float = 0.05,
                    n: int = ROUNDING_TRIALS, rng=None) -> pd.DataFrame:
    """The trials of the rounding study: ``n`` tables consistent with the rounded one.

    Each trial replaces every value and every error of the table by a uniform draw from
    its rounding interval ``[x - h, x + h]`` (errors: cut at 0, so a printed 0.0 becomes
    a draw from ``[0, h]``), keeps the correlations and recombines. The combination must
    have two measurements (the total correlation is one number).

    Returns
    -------
    pandas.DataFrame
        One row per trial; columns ``value``, ``stat``, ``syst``, ``lumi`` (BLUE
        contributions of :func:`groups`), ``total``, ``weight <m>``, ``chi2``,
        ``correlation``, then ``<group> <m>``: each measurement's own uncertainty of
        each group in that trial (as :func:`measurement_groups`).
    """
    from . import SEED
    from .validation import as_count, as_number, as_seed

    comb = lhc_combination() if comb is None else comb
    if not isinstance(comb, Combination):
        raise InputError(f"comb must be a Combination, got {comb!r}")
    if comb.n != 2:
        raise InputError(f"rounding_trials is for two measurements, got {comb.n}")
    h = as_number(half_width, "half_width", positive=True)
    n = as_count(n, "n", maximum=MAX_ROUNDING_TRIALS)
    if n < 2:
        raise InputError(f"n must be an integer >= 2, got {n!r}")
    rng = np.random.default_rng(as_seed(SEED if rng is None else rng, "rng"))
    grp = groups(comb)
    columns = ["value", *grp, "total", *[f"weight {m}" for m in comb.names], "chi2", "correlation"]
    y, err = comb.values.to_numpy(), comb.errors.to_numpy()
    rho = np.array([r.to_numpy() for r in comb.source_correlations.values()])
    y_t = nudge_if_asked(y + rng.uniform(-h, h, size=(n, *y.shape)))
    err_t = nudge_if_asked(rng.uniform(np.maximum(err - h, 0.0), err + h, size=(n, *err.shape)))
    parts = [[comb.sources.index(s) for s in srcs] for srcs in grp.values()]
    trials = pd.DataFrame(blue_batch(y_t, err_t, rho, parts), columns=columns)
    for g, idx in zip(grp, parts):
        for i, m in enumerate(comb.names):
            trials[f"{g} {m}"] = np.sqrt((err_t[:, i, idx] ** 2).sum(axis=1))
    return trials


def rounding_spread(comb: Combination | None = None, half_width: float = 0.05,
                    n: int = ROUNDING_TRIALS, rng=None) -> pd.DataFrame:
    """How much the rounding of the inputs to ``2 * half_width`` can move the results.

    Summarises :func:`rounding_trials` (same arguments).

    Returns
    -------
    pandas.DataFrame
        Rows ``value``, ``stat``, ``syst``, ``lumi`` (BLUE contributions of
        :func:`groups`), ``total``, ``weight <m>``, ``chi2``, ``correlation``; columns
        ``"nominal"`` (the table as given, from :class:`Combination`), ``"std"``,
        ``"min"`` and ``"max"`` over the trials.
    """
    comb = comb or lhc_combination()
    t = rounding_trials(comb, half_width, n, rng)
    grp = groups(comb)
    b = comb.grouped(grp)["BLUE contribution"]
    nominal = [comb.value, *b[list(grp)], comb.error, *comb.weights.to_numpy(), comb.chi2,
               comb.correlation.iat[0, 1]]
    rows = ["value", *grp, "total", *[f"weight {m}" for m in comb.names], "chi2", "correlation"]
    t = t[rows]
    return pd.DataFrame({"nominal": nominal, "std": t.std(axis=0, ddof=1).to_numpy(),
                         "min": t.min(axis=0).to_numpy(), "max": t.max(axis=0).to_numpy()},
                        index=rows)


def normalisation_combination() -> Combination:
    """The normalisation chapter's two measurements as a :class:`Combination`.

    Values 8.0 and 8.5 from ``book/data/normalisation.csv``; source ``"stat"``
    (uncorrelated, its relative error times the value) and ``"norm"`` (fully
    correlated, its relative error times the value, i.e. taken from the measured values).
    """
    d = data.normalisation_inputs()
    y = d["value"]
    errors = pd.DataFrame({"stat": d["stat_rel"] * y, "norm": d["norm_rel"] * y})
    return Combination(y, errors, {"stat": 0.0, "norm": 1.0})


# ------------------------------------------------------------------ the slider panel's numbers
@dataclass(frozen=True)
class CorrelationSetting:
    """BLUE of the two measurements for one choice of source correlations (closed form in
    numpy, fast enough for a slider; the tests compare it with :class:`Combination`).

    ``weights`` and ``intrinsic`` are per measurement (``names``); ``intrinsic`` are the
    information weights ``sigma^2 / sigma_i^2`` and ``correlations`` is
    ``1 - sum(intrinsic)`` (Valassi and Chierici 2014).
    """

    names: tuple
    value: float
    error: float
    weights: np.ndarray
    chi2: float
    intrinsic: np.ndarray
    correlations: float

    @property
    def has_negative_weights(self) -> bool:
        return bool(np.any(self.weights < 0))


def correlation_setting(correlations: dict | None = None) -> CorrelationSetting:
    """The combination with the ATLAS-CMS correlation of some sources replaced:
    ``correlations`` maps a source name to its new correlation (others stay nominal).
    Same numbers as ``lhc_combination().with_correlation(source, rho)`` for each entry."""
    values, errors, corr = data.ttbar_xsec()
    y, err = values.to_numpy(dtype=float), errors.to_numpy(dtype=float)
    sources, names = tuple(errors.columns), tuple(values.index)
    rho = np.array([[[1.0, r], [r, 1.0]] for r in corr.reindex(errors.columns).to_numpy(dtype=float)])
    for source, r in (correlations or {}).items():
        if source not in sources:
            raise InputError(f"unknown source {source!r}; the sources are {list(sources)}")
        r = as_correlation(r, f"correlation of {source}")
        k = sources.index(source)
        rho[k] = r
        np.fill_diagonal(rho[k], 1.0)
    cov = engine.check_covariance(np.einsum("ik,kij,jk->ij", err, rho, err), names)
    b = engine.solve(y, cov)
    intrinsic = b.error**2 / np.diag(cov)
    return CorrelationSetting(names=names, value=b.value, error=b.error, weights=b.weights,
                              chi2=b.chi2, intrinsic=intrinsic,
                              correlations=float(1.0 - intrinsic.sum()))
