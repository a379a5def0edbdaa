"""Sphinx configuration of lamina's documentation (``sphinx-build -W -b html docs out``)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))          # the lamina package of this checkout
sys.path.insert(0, os.path.join(HERE, "_ext"))

project = "lamina"
author = "the lamina developers"
copyright = "2026, the lamina developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax",
              "sphinx.ext.viewcode", "lamina_docs"]
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True          # Attributes sections as fields (dataclasses list them too)
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
# optional packages the API pages mention but the docs build must not need
autodoc_mock_imports = ["nest", "h5py", "nir", "elephant", "mpi4py"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
html_theme_options = {"description": "Spiking networks with the PyNN API, on a fast engine or NEST"}
# "positions" etc. name attributes of several classes; the ambiguity is harmless
suppress_warnings = ["ref.python"]
nitpicky = False
