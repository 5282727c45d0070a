"""The prose :meth:`Combination.weight_note` shows next to a combination with negative weights."""

from __future__ import annotations

import numpy as np


def weight_note(comb) -> str:
    """The note of :meth:`Combination.weight_note` (``""`` if no weight is negative)."""
    w = comb._blue[2]
    if not np.any(w < 0):
        return ""
    neg = [f"{m!r} ({wi:.3g})" for m, wi in zip(comb._names, w) if wi < 0]
    inside = float(comb._y.min()) <= comb.value <= float(comb._y.max())
    where = ("lies outside the range of the inputs" if not inside
             else "can lie outside the range of the inputs")
    if comb.n == 2:
        s = np.sqrt(np.diag(comb._cov_s))
        rho = comb._cov_s[0, 1] / (s[0] * s[1])
        i_small = int(np.argmin(s))
        ratio = s[i_small] / s[1 - i_small]
        why = (f"the total correlation rho = {rho:.3g} exceeds sigma_small/sigma_large = "
               f"{ratio:.3g} (the ratio of the smaller to the larger total error), so the "
               f"combination ({comb.value:.6g}) {where}")
    else:
        why = ("strong positive correlations let BLUE extrapolate from the more precise "
               f"measurements, so the combination ({comb.value:.6g}) {where}")
    return (f"Negative weight for {', '.join(neg)}: {why}. This is legitimate BLUE "
            "behaviour, not an error, but the result is sensitive to the assumed correlation.")
