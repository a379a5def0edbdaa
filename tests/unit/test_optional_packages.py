"""A missing optional package gives `BackendNotAvailableError` naming the extra to install."""
from __future__ import annotations

import sys

import pytest

from lamina.errors import BackendNotAvailableError


@pytest.mark.parametrize("module, call, extra", [
    ("h5py", lambda: __import__("lamina.io.sonata.files", fromlist=["h5py"]).h5py(), "sonata"),
    ("nir", lambda: __import__("lamina.io.nir", fromlist=["_nir"])._nir(), "nir"),
    ("elephant", lambda: __import__("lamina.analysis", fromlist=["_elephant"])._elephant(),
     "analysis"),
])
def test_missing_package_names_the_extra(monkeypatch, module, call, extra):
    monkeypatch.setitem(sys.modules, module, None)       # import of `module` now fails
    for name in [m for m in sys.modules if m.startswith(module + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(BackendNotAvailableError, match=rf"pip install lamina\[{extra}\]"):
        call()
