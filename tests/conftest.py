"""Shared fixtures: the website built once per test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bookbuild import ROOT


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The website, built from the stored notebooks with warnings as errors (the
    README's build command, into a temporary folder); returns the HTML root."""
    out = tmp_path_factory.mktemp("site")
    exe = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(exe), "build", str(ROOT), "-W", "-n", "--keep-going",
                           "--path-output", str(out)], capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "WARNING" not in log and "ERROR" not in log, log[-4000:]
    return out / "_build" / "html"
