"""``pyNN.connectors``: lamina's connectors, with PyNN's base-class and CSA names.

The Connection Set Algebra is not supported: ``haveCSA`` is False and creating a
`CSAConnector` raises `NoModelAvailableError`.
"""
from __future__ import annotations

from math import e, pi  # noqa: F401 - PyNN exposes them for distance expressions
from typing import Any

from lamina import connectors as _connectors
from lamina.compat.core import IndexBasedExpression  # noqa: F401
from lamina.compat.parameters import LazyArray  # noqa: F401
from lamina.compat.random import AbstractRNG  # noqa: F401
from lamina.connectors.fixed_number import _FixedNumberConnector
from lamina.connectors.spatial import _ProbabilityMatrixConnector
from lamina.errors import NoModelAvailableError
from lamina.models import StandardSynapseType  # noqa: F401
from lamina.random import NumpyRNG, RandomDistribution  # noqa: F401

globals().update({name: getattr(_connectors, name) for name in _connectors.__all__})

haveCSA = False
#: base class of FixedNumberPreConnector and FixedNumberPostConnector
FixedNumberConnector = _FixedNumberConnector
#: base class of the connectors that draw from a matrix of probabilities
MapConnector = _ProbabilityMatrixConnector


class CSAConnector(_connectors.Connector):
    """Connection Set Algebra connector: not supported by lamina (creating one raises
    `NoModelAvailableError`; build the connection list and use FromListConnector)."""

    def __init__(self, cset: Any = None, *args: Any, **kwargs: Any) -> None:
        raise NoModelAvailableError(
            "CSAConnector: lamina does not support the Connection Set Algebra (csa); build "
            "the connection list and use FromListConnector instead")


__all__ = [*_connectors.__all__, "AbstractRNG", "CSAConnector", "FixedNumberConnector",
           "IndexBasedExpression", "LazyArray", "MapConnector", "NumpyRNG",
           "RandomDistribution", "StandardSynapseType", "e", "haveCSA", "pi"]
