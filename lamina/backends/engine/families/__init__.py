"""The engine's model families: one compiled update per model kind, registered once.

Every family function has the same signature::

    update(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked, nspk, work)
        -> nspk

It advances cells ``i0 .. i1-1`` (all of one model kind) from ``t_n`` to ``t_{n+1}``,
reads and clears their ring slot ``n % L`` (receptor r at column ``r*N + i``), appends the
rows of cells that spiked to ``spiked`` (from index ``nspk``, in row order) and returns the
new count. ``state``/``param`` are the ``[rows, N]`` arrays of `models`, ``refr`` the
refractory step counters, ``iinj`` the injected current of the step [nA], ``work`` eight
scratch rows.

`REGISTRY` maps a kind code to ``(module, function)``; `assemble` imports only the
functions of the kinds a network uses, so nothing else is compiled for it. `VARIANTS`
maps ``(kind, integrator)`` to the update of a kind under another integration scheme
(``setup(integrator=...)``, see `fixed_step`); a kind without a variant for a scheme uses
its `REGISTRY` entry, so only the scheme in use is compiled.
"""
from __future__ import annotations

import importlib

from lamina.backends.engine import models as m

__all__ = ["REGISTRY", "VARIANTS", "family_of"]

_PKG = "lamina.backends.engine.families"

#: kind code -> (module under this package, update function); one line per model kind
REGISTRY: dict[int, tuple[str, str]] = {
    m.K_SPIKE_ARRAY: ("sources", "update_source"),
    m.K_POISSON: ("sources", "update_source"),
    m.K_GAMMA: ("sources", "update_source"),
    m.K_PPD: ("sources", "update_source"),
    m.K_INH_GAMMA: ("sources", "update_source"),
    m.K_CURR_EXP: ("lif_psc", "update_curr_exp"),
    m.K_CURR_ALPHA: ("lif_psc", "update_curr_alpha"),
    m.K_CURR_DELTA: ("lif_psc", "update_curr_delta"),
    m.K_COND_EXP: ("lif_cond", "update_cond_exp"),      # also IF_facets_hardware1
    m.K_COND_ALPHA: ("lif_cond", "update_cond_alpha"),
    m.K_SFA_RR: ("extended", "update_extended"),
    m.K_HH: ("extended", "update_extended"),
    m.K_AEIF_EXP: ("extended", "update_extended"),
    m.K_AEIF_ALPHA: ("extended", "update_extended"),
    m.K_GIF: ("extended", "update_extended"),
    m.K_PN: ("extended", "update_extended"),
    m.K_IZH: ("izhikevich", "update_izhikevich"),   # rows from the catalogue (`layout`)
}

#: (kind code, integrator) -> (module, update function): the fixed-step schemes of
#: `fixed_step`, "taylor" the default ("rkf45" is the `REGISTRY` entry)
VARIANTS: dict[tuple[int, str], tuple[str, str]] = {
    (m.K_COND_EXP, "rk4"): ("lif_cond", "update_cond_exp_rk4"),
    (m.K_COND_EXP, "exponential_euler"): ("lif_cond", "update_cond_exp_expeuler"),
    (m.K_COND_ALPHA, "rk4"): ("lif_cond", "update_cond_alpha_rk4"),
    (m.K_COND_ALPHA, "exponential_euler"): ("lif_cond", "update_cond_alpha_expeuler"),
    (m.K_COND_EXP, "taylor"): ("lif_cond", "update_cond_exp_taylor"),
    (m.K_COND_ALPHA, "taylor"): ("lif_cond", "update_cond_alpha_taylor"),
}


def _register_declared_tables() -> None:
    """Add the tables that family modules compute from the catalogue (a module-level
    ``TABLE``, see `layout`) to `models.TABLES`: their registry line is all they need."""
    # only modules of kinds without a table in `models` (PointNeuron's is built per
    # instance): the others are imported when a step loop needs them, not at import
    pending = {REGISTRY[k][0] for k in REGISTRY if k not in m.KIND_NAMES and k != m.K_PN}
    for module in sorted(pending):
        table = getattr(importlib.import_module(f"{_PKG}.{module}"), "TABLE", None)
        if table is not None:
            m.TABLES[table.name] = table
            m.KIND_NAMES[table.kind] = table.name


_register_declared_tables()


def family_of(kind: int, integrator: str = "rkf45") -> tuple[str, str]:
    """``(full module name, function name)`` of the update of model `kind` integrated
    with `integrator` (its `VARIANTS` entry, else its `REGISTRY` entry).

    Raises
    ------
    KeyError
        when no family is registered for `kind` (a programming error in the engine).
    """
    module, func = VARIANTS.get((kind, integrator)) or REGISTRY[kind]
    return f"{_PKG}.{module}", func
