"""Engine rows computed from the model catalogue (`lamina.backends.engine.layout`)."""
from __future__ import annotations

import numpy as np
import pytest

from lamina.backends.engine import layout
from lamina.backends.engine import models as m
from lamina.backends.engine.families import REGISTRY, family_of
from lamina.errors import InvalidModelError
from lamina.models import GIF_cond_exp, Izhikevich
from lamina.models.base import Parameter, StateVariable


def test_izhikevich_rows_follow_its_declaration():
    """v keeps the shared membrane row; a, b, c, d, i_offset and u take the model rows in
    declaration order; the engine's table is the one its family module computed."""
    lay = layout.from_declaration(Izhikevich)
    assert lay.params == {"a": m.P_X, "b": m.P_X + 1, "c": m.P_X + 2, "d": m.P_X + 3,
                          "i_offset": m.P_X + 4}
    assert lay.state == {"v": m.S_V, "u": m.S_X}
    assert (lay.nparam, lay.nstate) == (m.P_X + 5, m.S_X + 1)
    table = m.TABLES["Izhikevich"]
    assert table.params == lay.params and table.state == lay.state
    assert m.KIND_NAMES[table.kind] == "Izhikevich"
    assert family_of(table.kind) == ("lamina.backends.engine.families.izhikevich",
                                     "update_izhikevich")


def test_a_new_parameter_gets_the_next_row():
    """A model declaring one more parameter and state variable gets one more row of each
    (what adding a model or a parameter to the catalogue needs: no hand numbering)."""

    class Izh2(Izhikevich):
        parameters = (*Izhikevich.parameters, Parameter("e", 1.0, "mV", "an extra one"))
        state_variables = (*Izhikevich.state_variables,
                           StateVariable("z", 0.0, "mV", "an extra state"))

    lay = layout.from_declaration(Izh2)
    assert lay.params["e"] == m.P_X + 5 and lay.state["z"] == m.S_X + 1
    assert layout.digest([m.TABLES["Izhikevich"]]) != layout.digest(
        [m.ExtTable("Izhikevich", m.K_IZH, lay.params, lay.state)])


def test_array_parameters_are_refused():
    """Array parameters (GIF's time constants) need sized rows a declaration lacks."""
    with pytest.raises(InvalidModelError, match="GIF_cond_exp: parameters .*tau_eta"):
        layout.from_declaration(GIF_cond_exp)


def test_every_registered_kind_has_a_table():
    """Every registered kind has its table (PointNeuron's is built per instance)."""
    assert set(m.KIND_NAMES) | {m.K_PN} == set(REGISTRY)


def test_izhikevich_step_matches_the_euler_formula():
    """One engine step of an Izhikevich cell from (v, u) equals NEST izhikevich's
    forward Euler written out here (rows from the layout, not hand numbers)."""
    from lamina.backends.base import BackendConfig
    from lamina.backends.engine import EngineBackend
    b = EngineBackend(BackendConfig(dt=0.1, min_delay=0.1, max_delay=1.0, rng_seed=1))
    cell = Izhikevich(a=0.03, b=0.25, c=-60.0, d=4.0, i_offset=0.01)
    b.create_cells(cell, np.array([0]), dict(cell.parameter_space),
                   {"v": -65.0, "u": -13.0})
    b.run_until(0.1)
    v, u, dt = -65.0, -13.0, 0.1
    v_new = v + dt * (0.04 * v * v + 5.0 * v + 140.0 - u + 1000.0 * 0.01)
    u_new = u + dt * 0.03 * (0.25 * v - u)
    assert b.state[m.S_V, 0] == v_new
    assert b.state[m.TABLES["Izhikevich"].state["u"], 0] == u_new
