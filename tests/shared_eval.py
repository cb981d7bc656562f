"""Helpers for the tests that score extraction end to end: the real `kg` command and the
shared scorer ../shared/eval/score.py (read at run time, never copied)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / "../shared").resolve()
SCORER = SHARED / "eval" / "score.py"


def load_scorer():
    """The shared scorer as a module; skips the test when ../shared is not beside the repo."""
    if not SCORER.is_file():
        pytest.skip(f"the shared scorer is not at {SCORER} (clone the repository next to ../shared)")
    spec = importlib.util.spec_from_file_location("shared_eval_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_kg(*args: str) -> subprocess.CompletedProcess:
    """Run the installed `kg` script of this interpreter's environment (else `python -m kg.cli`)."""
    script = Path(sys.executable).with_name("kg")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "kg.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=600, cwd=REPO)
