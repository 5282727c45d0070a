"""The two-measurement picture of the normalisation chapter: :math:`\\chi^2` ellipses, the
point where they touch the line :math:`y_1' = y_2'`, their axes and the mean/difference
coordinates. Functions of the two measured values ``y`` and a checked 2x2 covariance ``V``;
:class:`helpers.normalisation.NormalisationProblem` delegates to them.
"""

from __future__ import annotations

import numpy as np

from . import blue as engine
from .validation import InputError, as_number, as_vector

__all__ = ["ellipse", "touching_point", "ellipse_axes", "values_tilt", "mean_difference"]


def ellipse(V, center, c: float = 1.0, npoints: int = 200) -> np.ndarray:
    """Points :math:`y' = y_c + c L (\\cos\\varphi, \\sin\\varphi)^T`, :math:`V = L L^T`,
    :math:`\\varphi` over ``[0, 2\\pi]`` inclusive: an ``(npoints, 2)`` array."""
    c = as_number(c, "c", positive=True)
    ctr = as_vector(center, "center")
    if ctr.size != 2:
        raise InputError(f"center must have 2 entries, got {ctr.size}")
    if isinstance(npoints, bool) or not isinstance(npoints, (int, np.integer)) or npoints < 3:
        raise InputError(f"npoints must be an integer >= 3, got {npoints!r}")
    phi = np.linspace(0.0, 2.0 * np.pi, int(npoints))
    L = np.linalg.cholesky(V)
    return ctr[None, :] + c * (L @ np.vstack([np.cos(phi), np.sin(phi)])).T


def touching_point(y, V) -> tuple[float, float]:
    """``(mu_hat, c_touch)``: the GLS minimum on the line and :math:`\\sqrt{\\chi^2_{min}}`."""
    mu, _, _, chi2 = engine.solve(y, V)
    return mu, float(np.sqrt(chi2))


def ellipse_axes(V) -> dict:
    """``{"minor", "major", "angle", "tilt"}`` of the :math:`c = 1` ellipse of ``V``."""
    ev, vec = np.linalg.eigh(V)
    major = vec[:, 1]
    angle = float(np.degrees(np.arctan2(major[1], major[0]))) % 180.0
    return {"minor": float(np.sqrt(ev[0])), "major": float(np.sqrt(ev[1])),
            "angle": angle, "tilt": angle - 45.0}


def values_tilt(y) -> float:
    """Angle in degrees between the measurement vector and the diagonal."""
    return float(np.degrees(np.arctan2(y[1], y[0]))) - 45.0


def mean_difference(y, V) -> dict:
    """``{"var_m", "var_d", "cov_md", "slope", "shift"}`` in the coordinates
    :math:`m = (y_1' + y_2')/2`, :math:`d = y_2' - y_1'`."""
    A = np.array([[0.5, 0.5], [-1.0, 1.0]])
    M = A @ V @ A.T
    d_obs = float(y[1] - y[0])
    slope = M[0, 1] / M[1, 1]
    return {"var_m": float(M[0, 0]), "var_d": float(M[1, 1]), "cov_md": float(M[0, 1]),
            "slope": float(slope), "shift": float(slope * d_obs)}
