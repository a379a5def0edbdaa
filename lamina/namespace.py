"""Build the full PyNN namespace bound to one backend. `lamina` (the built-in engine) and
each `lamina.<simulator>` module are made by one call, so no backend module copies it."""
from __future__ import annotations

from typing import Any

from lamina import classic, connectors, errors, models, procedural, random, space
from lamina.core.assembly import Assembly
from lamina.core.ids import ID
from lamina.parameters import Sequence

_PROCEDURAL = ("end", "run", "run_until", "run_for", "reset", "get_current_time",
               "get_time_step", "get_min_delay", "get_max_delay", "num_processes", "rank",
               "initialize", "create", "connect", "set", "record", "record_v", "record_gsyn",
               "state", "save_state", "restore_state")


def build_namespace(backend_name: str) -> dict[str, Any]:
    """Everything a PyNN backend module exposes, with ``setup`` bound to `backend_name`."""
    ns: dict[str, Any] = {
        "setup": procedural.make_setup(backend_name),
        "list_standard_models": models.list_standard_models,
        # the core classes with the classic (PyNN 0.7) methods: see `lamina.classic`
        "Population": classic.Population, "PopulationView": classic.PopulationView,
        "Assembly": Assembly, "Projection": classic.Projection, "ID": ID, "Sequence": Sequence,
        "NumpyRNG": random.NumpyRNG, "NativeRNG": random.NativeRNG,
        "RandomDistribution": random.RandomDistribution,
        "Space": space.Space, "Line": space.Line, "Grid2D": space.Grid2D, "Grid3D": space.Grid3D,
        "RandomStructure": space.RandomStructure, "Cuboid": space.Cuboid,
        "Sphere": space.Sphere, "errors": errors,
        "SynapseDynamics": classic.SynapseDynamics,
        "TsodyksMarkramMechanism": classic.TsodyksMarkramMechanism,
    }
    ns.update({name: getattr(procedural, name) for name in _PROCEDURAL})
    ns.update(models.CELL_TYPES)
    ns.update(models.COMPONENTS)
    ns.update(models.CURRENT_SOURCES)
    ns.update(models.SYNAPSE_TYPES)
    ns.update(models.STDP_COMPONENTS)
    ns.update({name: getattr(connectors, name) for name in connectors.__all__
               if name.endswith("Connector")})
    from lamina.compat.simulator_names import simulator_names
    ns.update(simulator_names())
    return ns
