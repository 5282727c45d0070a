"""Benchmark: the di-muon unbinned fit of ``helpers.dimuon`` against a hand-written fit.

Run by hand from the repository root (about two minutes; the baseline at 1e6 events
dominates)::

    python benchmarks/bench_dimuon.py            # 1e4, 1e5, 1e6 events
    python benchmarks/bench_dimuon.py --quick    # 1e4 and 1e5 only

Baseline (the approach of the chapter's pitfall box, written out here): a hand-written negative
log-likelihood that evaluates *both* branches of the Crystal Ball on every event
(``np.where``), minimised with ``scipy.optimize.minimize(method="L-BFGS-B")`` with
numerical gradients, followed by a one-sided finite-difference Hessian of the NLL
(step 1e-5) inverted for the errors. Same start values and parameter limits as the
project's fit.

Project: ``helpers.dimuon.fit`` (MIGRAD + HESSE on ``UnbinnedNLL(..., log=True)`` with the
sorted-data log-density, exact gradient and Hessian), timed end to end.

The table reports wall-clock times (project: best of 3; baseline: best of 3 at 1e4, one run
above), the speed-up, the largest difference between the two minima in units of the
project's HESSE error, the difference of their -ln L and the number of NLL evaluations. Requirement of issue 11: speed-up >= 10 at 1e6 (target 20) with every
parameter within 0.01 sigma.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import erf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers import SEED, dimuon  # noqa: E402


# ------------------------------------------------------------------ baseline (a hand-written fit)
def baseline_nll(p, x, lo, hi):
    """-ln L over all events, both Crystal Ball branches evaluated everywhere."""
    mu, sigma, alpha, n, slope, f = p
    if sigma <= 0 or alpha <= 0 or n <= 1 or not 0 <= f <= 1:
        return 1e300
    m0 = 0.5 * (lo + hi)
    a = (n / alpha) ** n * np.exp(-0.5 * alpha**2)
    b = n / alpha - alpha
    # closed-form integral of the Crystal Ball over [lo, hi]
    ta, tb = (lo - mu) / sigma, (hi - mu) / sigma
    tj = max(ta, -alpha)
    gauss = sigma * np.sqrt(np.pi / 2) * (erf(tb / np.sqrt(2)) - erf(tj / np.sqrt(2))) if tb > -alpha else 0.0
    tail = 0.0
    if ta < -alpha:
        th = min(tb, -alpha)
        tail = sigma * a / (n - 1) * ((b - th) ** (1 - n) - (b - ta) ** (1 - n))
    norm_cb = gauss + tail
    norm_exp = (np.exp(slope * (hi - m0)) - np.exp(slope * (lo - m0))) / slope if slope != 0 else hi - lo
    t = (x - mu) / sigma
    core = t > -alpha
    cb = np.where(core, np.exp(-0.5 * t**2), a * np.power(np.where(core, n / alpha, b - t), -n))
    pdf = f * cb / norm_cb + (1 - f) * np.exp(slope * (x - m0)) / norm_exp
    if not norm_cb > 0 or np.any(pdf <= 0):
        return 1e300
    return -np.sum(np.log(pdf))


def forward_hessian(fun, x0, eps=1e-5):
    """One-sided finite-difference Hessian with a fixed step (the pitfall box's recipe)."""
    k = len(x0)
    f0 = fun(x0)
    eye = np.eye(k)
    fi = [fun(x0 + eps * eye[i]) for i in range(k)]
    h = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            h[i, j] = h[j, i] = (fun(x0 + eps * (eye[i] + eye[j])) - fi[i] - fi[j] + f0) / eps**2
    return h


def baseline_fit(x, lo=dimuon.MASS_RANGE[0], hi=dimuon.MASS_RANGE[1]):
    lim = dimuon.limits((lo, hi))
    bounds = [lim[p] for p in dimuon.PARAMETERS]
    p0 = [dimuon.START[p] for p in dimuon.PARAMETERS]
    res = minimize(baseline_nll, p0, args=(x, lo, hi), method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 10_000, "ftol": 1e-14, "gtol": 1e-8})
    hess = forward_hessian(lambda p: baseline_nll(p, x, lo, hi), res.x)
    errors = np.sqrt(np.abs(np.diag(np.linalg.inv(hess))))
    return res, errors


# ------------------------------------------------------------------ timing
def best_time(fun, repeats):
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fun()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip 1e6 events")
    args = ap.parse_args(argv)
    sizes = [10_000, 100_000] + ([] if args.quick else [1_000_000])
    print(f"numpy {np.__version__}, cpus {os.cpu_count()}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    rows = []
    for size in sizes:
        x = dimuon.simulate(size, SEED + size)
        t_base, (res, base_err) = best_time(lambda: baseline_fit(x), 3 if size < 100_000 else 1)
        t_proj, fit = best_time(lambda: dimuon.fit(x), 3)
        err = fit.errors.to_numpy()
        dev = np.abs(res.x - fit.values.to_numpy()) / err
        worst = dimuon.PARAMETERS[int(np.argmax(dev))]
        nll_gap = baseline_nll(res.x, x, *dimuon.MASS_RANGE) - fit.nll
        rows.append((size, t_base, t_proj, dev.max(), worst, nll_gap, res.nfev, fit.minuit.nfcn))
    # one NLL evaluation at the largest size
    x = dimuon.simulate(sizes[-1], SEED + sizes[-1])
    fit = dimuon.fit(x)
    p = fit.values.to_numpy()
    n_rep = 5
    t_nll_base, _ = best_time(lambda: baseline_nll(p, x, *dimuon.MASS_RANGE), n_rep)

    def project_value():
        fit.model._key = None                       # no cache: a full evaluation
        return fit.cost(*p)

    def project_value_grad():
        fit.model._key = None
        return fit.cost(*p), fit.model.nll_grad(*p)

    t_nll_proj, _ = best_time(project_value, n_rep)
    t_vg_proj, _ = best_time(project_value_grad, n_rep)
    t_hess_proj, _ = best_time(lambda: fit.model.nll_hessian(*p), n_rep)

    print()
    print(f"{'events':>9} | {'baseline [s]':>12} | {'project [s]':>11} | {'speed-up':>8} | "
          f"{'max |dθ|/σ':>12} | {'NLL base - proj':>15} | {'nfev base':>9} | {'nfcn proj':>9}")
    print("-" * 104)
    for size, tb, tp, dev, worst, gap, nb, npj in rows:
        print(f"{size:>9.0e} | {tb:>12.3f} | {tp:>11.3f} | {tb / tp:>7.1f}x | "
              f"{dev:>7.4f} ({worst:>5s}) | {gap:>15.2e} | {nb:>9d} | {npj:>9d}")
    lab = f"one NLL at {sizes[-1]:.0e}"
    print(f"{lab:>24} | {t_nll_base * 1e3:>9.1f} ms | {t_nll_proj * 1e3:>8.1f} ms | "
          f"{t_nll_base / t_nll_proj:>7.1f}x | (value only)")
    print(f"{'':>24} | {'':>12} | {t_vg_proj * 1e3:>8.1f} ms | {t_nll_base / t_vg_proj:>7.1f}x | "
          f"(project value + exact gradient)")
    print(f"{'':>24} | {'':>12} | {t_hess_proj * 1e3:>8.1f} ms |          | (project exact Hessian)")
    size, tb, tp, dev = rows[-1][:4]
    verdict = "met" if tb / tp >= 10 and dev <= 0.01 else "NOT met"
    print(f"\nrequirement at {size:.0e} events (>= 10x faster, every parameter within 0.01 sigma): {verdict}")


if __name__ == "__main__":
    main()
