"""Connectors: algorithms that decide which cells of two populations are connected.

The names, parameters and semantics follow PyNN 0.13's connectors. A `Projection`
iterates ``connector.connect_chunks(ctx)`` with a `ConnectionContext`; see
:mod:`lamina.connectors.base` for the contract.
"""
from lamina.connectors.base import ConnectionContext, Connector
from lamina.connectors.description import ConnectorDescription, describe_connector
from lamina.connectors.expressions import SafeExpression
from lamina.connectors.fixed_number import FixedNumberPostConnector, FixedNumberPreConnector
from lamina.connectors.list_based import (ArrayConnector, CloneConnector, FromFileConnector,
                                          FromListConnector, read_connection_file,
                                          write_connection_file)
from lamina.connectors.probabilistic import (AllToAllConnector, FixedProbabilityConnector,
                                             FixedTotalNumberConnector, OneToOneConnector)
from lamina.connectors.spatial import (DisplacementDependentProbabilityConnector,
                                       DistanceDependentProbabilityConnector,
                                       IndexBasedProbabilityConnector, SmallWorldConnector)

__all__ = [
    "ConnectionContext", "Connector", "ConnectorDescription", "describe_connector",
    "SafeExpression",
    "AllToAllConnector", "OneToOneConnector", "FixedProbabilityConnector",
    "FixedNumberPreConnector", "FixedNumberPostConnector", "FixedTotalNumberConnector",
    "FromListConnector", "FromFileConnector", "ArrayConnector", "CloneConnector",
    "DistanceDependentProbabilityConnector", "IndexBasedProbabilityConnector",
    "DisplacementDependentProbabilityConnector", "SmallWorldConnector",
    "read_connection_file", "write_connection_file",
]
