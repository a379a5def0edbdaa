"""The equations of the model catalogue (`lamina.models.dynamics`): every name an
expression uses is declared, and the equations are dimensionally consistent in PyNN units."""
from __future__ import annotations

import math
import re

import pytest

from lamina import models
from lamina.models import dynamics as dyn

_FUNCTIONS = {"exp", "and", "or", "not"}
_WITH_EQUATIONS = [c for c in models.CELL_TYPES.values() if c.dynamics is not None]


def _names(code: str) -> set[str]:
    return set(re.findall(r"\b[A-Za-z_]\w*\b", code))


@pytest.mark.parametrize("celltype", _WITH_EQUATIONS, ids=lambda c: c.__name__)
def test_every_name_in_the_equations_is_declared(celltype):
    d = celltype.dynamics
    known = ({p.name for p in celltype.parameters} | {s.name for s in celltype.state_variables}
             | {h.name for h in d.hidden} | {e.name for e in d.expressions}
             | {f"{v}_last" for v in d.previous} | set(dyn.PYNN_UNIT) | _FUNCTIONS
             | {"i_inj"})
    codes = [o.rhs for o in d.odes] + [e.expression for e in d.expressions] + [
        d.threshold, *d.reset, d.refractory]
    for code in codes:
        assert _names(code) <= known, (code, _names(code) - known)
    for receptor, statements in d.jumps.items():
        assert receptor in celltype.receptor_types
        for s in statements:
            assert _names(s) <= known | {"weight"}, s
    integrated = {o.variable for o in d.odes}
    assert {s.name for s in celltype.state_variables} <= integrated
    assert {h.name for h in d.hidden} <= integrated


def test_expected_models_have_equations():
    have = {c.__name__ for c in _WITH_EQUATIONS}
    assert {"IF_curr_exp", "IF_curr_alpha", "IF_curr_delta", "IF_cond_exp", "IF_cond_alpha",
            "EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista", "Izhikevich",
            "HH_cond_exp"} <= have
    assert models.SpikeSourceArray.dynamics is None


def test_if_curr_exp_rhs_in_pynn_units():
    """dv/dt at v = v_rest with isyn_exc = 1 nA on cm = 1 nF is 1 mV/ms; evaluated with the
    documented PyNN unit binding (test only: the library never evaluates strings)."""
    env = {**dyn.PYNN_UNIT, "exp": math.exp, "v": -65.0, "v_rest": -65.0, "tau_m": 20.0,
           "cm": 1.0, "i_offset": 0.0, "i_inj": 0.0, "isyn_exc": 1.0, "isyn_inh": 0.0}
    env["i_syn"] = eval(dyn.IF_CURR_EXP.expressions[0].expression, {}, env)  # noqa: S307
    assert eval(dyn.IF_CURR_EXP.odes[0].rhs, {}, env) == pytest.approx(1.0)  # noqa: S307
    env.update(v=0.0, u=0.0, a=0.02, b=0.2, i_offset=0.001)   # Izhikevich: 140 + 1 [mV/ms]
    assert eval(dyn.IZHIKEVICH.odes[0].rhs, {}, env) == pytest.approx(141.0)  # noqa: S307
