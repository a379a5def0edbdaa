"""Names every PyNN simulator module has beyond lamina's own namespace (aliases and
PyNN's extra classes); `lamina.namespace.build_namespace` adds them."""
from __future__ import annotations

from typing import Any


def simulator_names() -> dict[str, Any]:
    """PyNN's extra simulator-module names, bound to lamina's objects."""
    from lamina.compat.connectors import CSAConnector, haveCSA
    from lamina.compat.network import Network
    from lamina.compat.parameters import LazyArray, ParameterSpace
    from lamina.compat.random import GSLRNG
    from lamina.models import StandardCellType, StandardCurrentSourceType
    from lamina.models.cells import CondAlphaPSR, CondBetaPSR, CondExpPSR
    from lamina.parameters import ArrayParameter
    return {"ExpPSR": CondExpPSR, "AlphaPSR": CondAlphaPSR, "BetaPSR": CondBetaPSR,
            "ArrayParameter": ArrayParameter, "CSAConnector": CSAConnector, "haveCSA": haveCSA,
            "GSLRNG": GSLRNG, "LazyArray": LazyArray, "Network": Network,
            "ParameterSpace": ParameterSpace, "StandardCellType": StandardCellType,
            "StandardCurrentSource": StandardCurrentSourceType}
