"""lamina's type hints are checked: mypy (configured by ``[tool.mypy]`` in pyproject.toml)
finds no error in the package."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.slow   # ~20-60 s: mypy checks ~150 modules (cached afterwards)


def test_mypy_finds_no_error_in_lamina():
    pytest.importorskip("mypy", reason="mypy is not installed (it is in the `test` extra: "
                                       "pip install -e '.[test]')")
    out = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                         text=True, timeout=900)
    errors = [ln for ln in out.stdout.splitlines() if re.search(r": error: ", ln)]
    assert out.returncode == 0 and not errors, (
        f"mypy found {len(errors)} error(s) on lamina/:\n" + "\n".join(errors[:50])
        + f"\n{out.stdout[-500:]}{out.stderr[-2000:]}")
    assert "Success: no issues found" in out.stdout, out.stdout[-2000:]
