"""A copy of ``book/data`` with every measured number moved by 1-3 ulp.

A portable stand-in for another CPU's rounding (see :mod:`helpers.nudge`): the chapters
run on this copy (``$COURSE_BOOK_DATA``) with ``$COURSE_BOOK_NUDGE`` set must show the
same stored outputs as on the real data. Comment lines, headers, text fields and
correlation rows are copied unchanged; 0 and ±1 stay exact; equal numbers move alike.

    python tests/nudged.py OUTDIR [SEED]     # write the copy (authors, by hand)
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np

from helpers.nudge import nudge

DATA = Path(__file__).resolve().parent.parent / "book" / "data"
SEED = 20261204


def _number(field: str):
    try:
        return float(field)
    except ValueError:
        return None


def nudged_csv(text: str, seed: int = SEED) -> str:
    """The CSV ``text`` with its numbers nudged (comments, header, correlation rows kept)."""
    out, header_seen = [], False
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            out.append(line)
            continue
        if not header_seen:
            header_seen = True
            out.append(line)
            continue
        row = next(csv.reader([line]))
        if row and row[0].strip().lower().startswith("correlation"):
            out.append(line)
            continue
        fields = []
        for f in row:
            x = _number(f)
            fields.append(f if x is None else repr(float(nudge([x], seed)[0])))
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(fields)
        out.append(buf.getvalue())
    return "\n".join(out) + "\n"


def _fast_column(text: str, seed: int) -> str | None:
    """One-column numeric files (the simulated masses): nudged in one numpy call."""
    lines = text.splitlines()
    body = [i for i, s in enumerate(lines) if s and not s.startswith("#")]
    if len(body) < 1000 or any("," in lines[i] for i in body):
        return None
    values = np.array([float(lines[i]) for i in body[1:]])
    moved = nudge(values, seed)
    for i, v in zip(body[1:], moved):
        lines[i] = repr(float(v))
    return "\n".join(lines) + "\n"


def write_nudged_data(outdir, seed: int = SEED, source: Path = DATA) -> Path:
    """Write the nudged copy of every CSV file in ``source`` into ``outdir``. The gallery's
    folders are copied unchanged: the digits its files print are data (the rounding spread
    of a published input), so their numbers are nudged after reading, by
    ``helpers.combination.gallery`` under ``$COURSE_BOOK_NUDGE``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.csv")):
        text = path.read_text()
        (outdir / path.name).write_text(_fast_column(text, seed) or nudged_csv(text, seed))
    for path in sorted(p for p in source.glob("*/**/*") if p.is_file()):
        target = outdir / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return outdir


if __name__ == "__main__":
    print(write_nudged_data(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else SEED))
