"""NEST's model names on backends other than NEST: one resolver for all of them."""
from __future__ import annotations

import pytest

from lamina.errors import InvalidModelError
from lamina.models import nest_named
from lamina.models.cells import IF_curr_alpha


def test_resolve_gives_the_standard_model_in_nest_names():
    cls = nest_named.resolve("iaf_psc_alpha", "engine")
    assert cls.standard is IF_curr_alpha and "C_m" in cls.default_parameters


def test_unknown_name_names_backend_and_close_matches():
    with pytest.raises(InvalidModelError, match=r"the brian2 backend knows NEST's names .*"
                                                r"not 'iaf_psc_alfa' \(close: iaf_psc_alpha"):
        nest_named.resolve("iaf_psc_alfa", "brian2")


def test_removed_nest_name_warns_and_maps():
    with pytest.warns(DeprecationWarning, match="'iaf_neuron' was removed from NEST"):
        cls = nest_named.resolve("iaf_neuron", "neuron")
    assert cls.standard is IF_curr_alpha
