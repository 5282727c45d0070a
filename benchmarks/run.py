"""All benchmarks of issue 12 in one table.

Run from the repository root, in the project's virtual environment::

    python benchmarks/run.py                 # everything, several minutes
    python benchmarks/run.py --skip-suite    # no pytest runs (about a minute or two)
    python benchmarks/run.py --only sliders  # one part: build, execute, suite, sliders, dimuon

Rows, each with its target from issue 12 where it has one:

* clean book build with the stored outputs (``jupyter-book build`` into a temporary
  folder; target < 10 s);
* re-executing every notebook of the table of contents (nbclient, on a copy of ``book/``
  in a temporary folder; the notebooks in ``book/`` are never touched);
* the test suite as ``python -m pytest`` runs it (target < 5 min) and its parts: unit tests
  (``tests/`` without the browser tests), nbval (``book/``) and the browser tests
  (``tests/test_browser.py``); "whole" is a separate run of ``python -m pytest`` with
  ``--whole``, otherwise the sum of the parts;
* for every slider of every chapter (the panels declared in ``helpers.figures``, built by
  ``all_panels`` of ``tests/panels.py``):
  the median time of the computation (``panel.view.compute``: the numbers of a position,
  no drawing; target < 5 ms) and of the full update as the slider's callback runs it
  (``panel.update``: compute, move the live artists, blit them onto the background, encode
  the PNG; target < 100 ms) over positions across the slider's range, ends included, the
  other sliders at their start values, visited in order as a drag would;
* the di-muon fit against the seed's approach (functions of ``benchmarks/bench_dimuon.py``,
  1e4 and 1e5 events);
* every exercise's ``check``: its first call and a later one (target < 0.1 s), the later
  one also as a multiple of a plain float comparison timed in the same run.

Times are wall clock on a shared machine: they scatter by tens of per cent between runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))                    # bookbuild (the build tools)
sys.path.insert(0, str(ROOT / "tests"))          # panels (the declared slider panels, built)
sys.path.insert(0, str(ROOT / "benchmarks"))

PARTS = ("build", "execute", "suite", "sliders", "dimuon", "checks")
ROWS: list[tuple[str, str, str, str]] = []   # (what, measured, target, verdict)


def row(what: str, seconds: float | None, target: float | None = None, unit: str = "s",
        note: str = "") -> None:
    scale = 1e3 if unit == "ms" else 1.0
    shown = "failed" if seconds is None else f"{seconds * scale:.1f} {unit}"
    if target is None or seconds is None:
        tgt, verdict = "", note
    else:
        tgt = f"< {target * scale:g} {unit}"
        verdict = ("ok" if seconds < target else "OVER") + (f"  {note}" if note else "")
    ROWS.append((what, shown, tgt, verdict))


def timed(fun):
    t0 = time.perf_counter()
    out = fun()
    return time.perf_counter() - t0, out


# ------------------------------------------------------------------ book build and execution
def bench_build() -> None:
    exe = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory() as tmp:
        t, proc = timed(lambda: subprocess.run(
            [str(exe), "build", str(ROOT), "--path-output", tmp], capture_output=True, text=True))
    ok = proc.returncode == 0
    row("clean book build (stored outputs)", t if ok else None, 10.0,
        note="" if ok else proc.stderr[-200:])


def bench_execute() -> None:
    from nbclient import NotebookClient
    import nbformat

    from bookbuild import toc_notebooks

    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
        for nb_path in toc_notebooks():
            copy = book / nb_path.relative_to(ROOT / "book")
            nb = nbformat.read(copy, as_version=4)
            client = NotebookClient(nb, timeout=1800, kernel_name="python3",
                                    resources={"metadata": {"path": str(copy.parent)}})
            try:
                t, _ = timed(client.execute)
            except Exception as exc:  # a failing chapter is reported, the rest still timed
                row(f"  execute {nb_path.name}", None, note=f"{type(exc).__name__}")
                continue
            total += t
            row(f"  execute {nb_path.name}", t)
    row("re-execute every notebook (nbclient, temp copy)", total)


# ------------------------------------------------------------------ test suite
def _pytest(args: list[str]) -> tuple[float, str]:
    t, proc = timed(lambda: subprocess.run([sys.executable, "-m", "pytest", "-q", *args],
                                           cwd=ROOT, capture_output=True, text=True))
    last = (proc.stdout.strip().splitlines() or ["?"])[-1]
    return t, last.strip("= ")


def bench_suite(whole: bool) -> None:
    parts = [("  unit tests (tests/ minus browser)", ["tests", "--ignore=tests/test_browser.py", "--ignore=tests/test_browser_lab.py"]),
             ("  nbval (book/)", ["book"]),
             ("  browser tests (tests/test_browser*.py)", ["tests/test_browser.py", "tests/test_browser_lab.py"])]
    total = 0.0
    results = []
    for name, args in parts:
        t, summary = _pytest(args)
        total += t
        results.append((name, t, summary))
    if whole:
        t, summary = _pytest([])
        row("whole test suite (python -m pytest)", t, 300.0, note=summary)
    else:
        row("whole test suite (sum of the parts)", total, 300.0)
    for name, t, summary in results:
        row(name, t, note=summary)


# ------------------------------------------------------------------ sliders
def bench_sliders(n_positions: int, repeats: int) -> None:
    import matplotlib

    matplotlib.use("Agg")

    from helpers.validation import InputError
    from panels import all_panels

    for p in all_panels():
        panel, start = p.panel, p.declaration.start
        for s in p.declaration.sliders:
            key = s.name
            draw_t, update_t = [], []
            for pos in s.positions(n_positions):
                vals = {**start, key: pos}
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    try:
                        panel.view.compute(**vals)      # the numbers only
                    except InputError:
                        pass
                    draw_t.append(time.perf_counter() - t0)
                    t, _ = timed(lambda: panel.update(**vals))
                    update_t.append(t)
            panel.update(**start)
            label = f"slider {p.name} {key}"
            row(f"{label}: computation", statistics.median(draw_t), 0.005, "ms")
            row(f"{label}: full update", statistics.median(update_t), 0.100, "ms")


# ------------------------------------------------------------------ di-muon
def bench_dimuon() -> None:
    import numpy as np

    import bench_dimuon as bd
    from helpers import SEED, dimuon

    for size in (10_000, 100_000):
        x = dimuon.simulate(size, SEED + size)
        t_base, (res, _) = bd.best_time(lambda: bd.baseline_fit(x), 3 if size < 100_000 else 1)
        t_proj, fit = bd.best_time(lambda: dimuon.fit(x), 3)
        dev = float(np.max(np.abs(res.x - fit.values.to_numpy()) / fit.errors.to_numpy()))
        ROWS.append((f"di-muon fit, {size:.0e} events: project vs baseline",
                     f"{t_proj:.3f} s vs {t_base:.3f} s",
                     ">= 10x faster", f"{t_base / t_proj:.1f}x, max |dθ|/σ = {dev:.1e}"))


# ------------------------------------------------------------------ self-checks
def bench_checks() -> None:
    """Each exercise's check: its first call in a session (computes the answer and the named
    mistakes) and a later one (cached; target < 0.1 s), against a baseline timed in the same
    run: the same comparison done on a plain float."""
    import numpy as np

    from helpers import selfcheck

    baseline = statistics.median(timed(lambda: abs(np.float64(1.0) - 1.0) <= 0.1)[0] for _ in range(200))
    for key in sorted(selfcheck.EXERCISES):
        want = np.atleast_1d(np.asarray(selfcheck.expected(key), dtype=float))
        selfcheck._EXPECTED.clear()
        wrong = want * 1.37 + 0.01                       # judged in full: every mistake compared
        first, _ = timed(lambda: selfcheck._check(key, wrong))
        later = statistics.median(timed(lambda: selfcheck._check(key, wrong))[0] for _ in range(20))
        row(f"check {key}: first call", first, unit="ms",
            note="computes the answer and its mistakes (the chapter's studies already memoised)")
        row(f"check {key}: later call", later, 0.1, "ms", note=f"{later / baseline:.0f}x a float comparison")


# ------------------------------------------------------------------ main
def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-suite", action="store_true", help="no pytest runs")
    ap.add_argument("--skip-build", action="store_true", help="no book build, no notebook execution")
    ap.add_argument("--whole", action="store_true",
                    help="also time one run of the whole suite (otherwise the sum of its parts)")
    ap.add_argument("--only", choices=PARTS, action="append", help="run only these parts")
    ap.add_argument("--positions", type=int, default=5, help="positions per slider (default 5)")
    ap.add_argument("--repeats", type=int, default=1, help="timings per position (default 1)")
    args = ap.parse_args(argv)
    parts = set(args.only or PARTS)
    if args.skip_suite:
        parts.discard("suite")
    if args.skip_build:
        parts -= {"build", "execute"}
    t0 = time.perf_counter()
    if "build" in parts:
        bench_build()
    if "execute" in parts:
        bench_execute()
    if "suite" in parts:
        bench_suite(args.whole)
    if "sliders" in parts:
        bench_sliders(args.positions, args.repeats)
    if "dimuon" in parts:
        bench_dimuon()
    if "checks" in parts:
        bench_checks()
    widths = [max(len(r[i]) for r in ROWS + [("what", "measured", "target", "")]) for i in range(4)]
    head = ("what", "measured", "target", "")
    print(f"\ncpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, "
          f"benchmark took {time.perf_counter() - t0:.0f} s")
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip())
    print("-+-".join("-" * w for w in widths))
    for r in ROWS:
        print(" | ".join(v.ljust(w) if i == 0 else v.rjust(w) if i < 3 else v
                         for i, (v, w) in enumerate(zip(r, widths))).rstrip())


if __name__ == "__main__":
    main()
