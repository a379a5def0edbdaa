"""The documentation site (docs/) builds with Sphinx, warnings as errors — so a docstring
that breaks the API reference fails the test suite."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("sphinx", reason="building the docs needs sphinx (pip install lamina[docs])")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html",
         os.path.join(ROOT, "docs"), str(out), "-d", str(tmp_path / "doctrees")],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    pages = {p.name for p in out.iterdir()}
    assert {"index.html", "getting_started.html", "compatibility.html", "engine.html",
            "models.html", "reliability.html", "benchmarks.html", "api.html",
            "exchange.html"} <= pages
    assert {"engine.html", "nest.html", "neuron.html", "brian2.html"} <= {
        p.name for p in (out / "backends").iterdir()}
    models = text_of(out / "models.html")
    from lamina.models import CELL_TYPES
    missing = [name for name in CELL_TYPES if "class lamina.models." not in models
               or f".{name}(" not in models]
    assert not missing, f"models page lacks {missing}"
    start = text_of(out / "getting_started.html")
    assert ".venv/bin/pip install . && .venv/bin/lamina demo" in start


def text_of(page):
    """The visible text of an HTML page (tags removed, entities decoded)."""
    import html
    import re
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
