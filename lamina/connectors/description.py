"""`ConnectorDescription`: a connector as data, for backends with their own connection
routines.

The core hands a backend the description of a projection's connector
(`lamina.backends.base.Backend.connect_native`); a backend that has a native routine for
``rule`` with these parameters may build the connections itself (NEST's ``Connect`` with a
``conn_spec``), else lamina's own algorithm runs (``connector``). Rule names are lamina's,
not a simulator's: each backend translates them in its own tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lamina.random import NativeRNG

#: connector class name -> rule name (connectors not listed are described by class name)
RULES: dict[str, str] = {
    "AllToAllConnector": "all_to_all",
    "OneToOneConnector": "one_to_one",
    "FixedProbabilityConnector": "fixed_probability",
    "FixedNumberPreConnector": "fixed_number_pre",
    "FixedNumberPostConnector": "fixed_number_post",
    "FixedTotalNumberConnector": "fixed_total_number",
    "DistanceDependentProbabilityConnector": "distance_dependent_probability",
    "IndexBasedProbabilityConnector": "index_based_probability",
    "DisplacementDependentProbabilityConnector": "displacement_dependent_probability",
    "SmallWorldConnector": "small_world",
    "FromListConnector": "from_list",
    "FromFileConnector": "from_file",
    "ArrayConnector": "array",
    "CloneConnector": "clone",
}


@dataclass(frozen=True)
class ConnectorDescription:
    """What a connector asks for, as data.

    Attributes
    ----------
    rule : str — e.g. 'all_to_all', 'one_to_one', 'fixed_probability', 'fixed_number_pre'
        (n connections onto each target), 'fixed_number_post' (n from each source),
        'fixed_total_number' (see `RULES`)
    parameters : dict — the connector's parameters by PyNN name (``p_connect``, ``n``,
        ``allow_self_connections``, ``with_replacement``, ...)
    native_rng : bool — the user asked for the simulator's own random numbers
        (``rng=NativeRNG()``): only then may a backend draw the connections itself
    connector : the connector object (lamina's algorithm, for backends without the rule)
    """

    rule: str
    parameters: dict[str, Any] = field(default_factory=dict)
    native_rng: bool = False
    connector: Any = None


def describe_connector(connector: Any) -> ConnectorDescription:
    """The `ConnectorDescription` of `connector`."""
    name = type(connector).__name__
    get = getattr(connector, "get_parameters", None)
    parameters = dict(get()) if callable(get) else {}
    return ConnectorDescription(rule=RULES.get(name, name), parameters=parameters,
                                native_rng=isinstance(getattr(connector, "rng", None), NativeRNG),
                                connector=connector)
