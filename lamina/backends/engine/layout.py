"""Parameter and state rows of a model, computed from its declaration in `lamina.models`.

Every cell occupies one column of ``param[NPARAM.., N]`` and ``state[NSTATE.., N]``
(`models`). A model declared through `from_declaration` gets its rows from its catalogue
entry instead of hand-numbered constants: the names the engine's shared code reads by row
(``v`` in `models.S_V`: gap junctions, analog recording; see `SHARED_STATE`) keep those
rows; every other parameter and state variable, in declaration order, takes the next row
from `models.P_X` and `models.S_X` on (the rows above the shared blocks mean what the
model of the cell says; the arrays grow to the largest ``nparam``/``nstate`` present).

The compiled update of such a model reads its rows as globals of its family module; numba
freezes globals when it compiles, so `assemble` keys its generated step loops on
`digest` (every table's rows) as well as on the engine's sources, and a layout change
(a parameter added to the catalogue) recompiles instead of running stale rows.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lamina.backends.engine.models import P_X, S_V, S_X, ModelTable
from lamina.errors import InvalidModelError
from lamina.models.base import StandardCellType

__all__ = ["Layout", "SHARED_STATE", "from_declaration", "digest"]

#: state rows read by code shared between models (gap junctions, recording of v)
SHARED_STATE: Mapping[str, int] = {"v": S_V}


@dataclass(frozen=True)
class Layout:
    """Rows of one model.

    Attributes
    ----------
    params : dict — PyNN parameter name -> param row
    state : dict — PyNN state-variable name -> state row
    nparam, nstate : int — rows the model needs (one past its highest row)
    """

    params: dict[str, int]
    state: dict[str, int]
    nparam: int
    nstate: int


def _assign(names: Iterable[str], shared: Mapping[str, int], first: int) -> dict[str, int]:
    rows: dict[str, int] = {}
    nxt = first
    for name in names:
        if name in shared:
            rows[name] = shared[name]
        else:
            rows[name] = nxt
            nxt += 1
    return rows


def from_declaration(celltype: type[StandardCellType], shared_state: Mapping[str, int] = SHARED_STATE,
                     shared_params: Mapping[str, int] | None = None) -> Layout:
    """The rows of the standard model class `celltype` from its ``parameters`` and
    ``state_variables`` declarations (see the module docstring).

    Parameters
    ----------
    celltype : type — a `lamina.models.base.StandardCellType` subclass
    shared_state, shared_params : mapping — names kept at fixed rows (shared code reads
        them there)

    Raises
    ------
    InvalidModelError
        when a parameter is not a plain number (arrays and sequences need rows of their
        own that a declaration does not size).
    """
    odd = [p.name for p in celltype.parameters if getattr(p, "kind", "float") != "float"]
    if odd:
        raise InvalidModelError(
            f"{celltype.__name__}: parameters {odd} are arrays or sequences; the engine "
            "lays out only plain-number parameters from the declaration")
    params = _assign((p.name for p in celltype.parameters), shared_params or {}, P_X)
    state = _assign((s.name for s in celltype.state_variables), shared_state, S_X)
    return Layout(params, state, nparam=max(params.values(), default=P_X - 1) + 1,
                  nstate=max(state.values(), default=S_X - 1) + 1)


def digest(tables: Iterable[ModelTable]) -> str:
    """A hash of the rows of `tables` (what compiled code has frozen)."""
    h = hashlib.sha256()
    for t in sorted(tables, key=lambda t: t.name):
        h.update(repr((t.name, t.kind, sorted(t.params.items()),
                       sorted(t.state.items()))).encode())
    return h.hexdigest()
