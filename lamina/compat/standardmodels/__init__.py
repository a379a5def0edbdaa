"""``pyNN.standardmodels``: the standard model base classes, as lamina has them."""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.compat.morphology import StandardIonChannelModel
from lamina.errors import ConnectionError, NoModelAvailableError
from lamina.models import (StandardCellType, StandardCurrentSourceType,  # noqa: F401
                           StandardModelType, StandardSynapseType)
from lamina.models.cells import CellComponent, PostSynapticResponse
from lamina.models.plasticity import STDPTimingDependence, STDPWeightDependence

StandardCurrentSource = StandardCurrentSourceType
StandardCellTypeComponent = CellComponent
StandardPostSynapticResponse = PostSynapticResponse


class ModelNotAvailable:
    """Stands for a standard model a simulator does not have: creating it raises
    `NoModelAvailableError`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NoModelAvailableError(f"{type(self).__name__} is not available on this backend")


def check_weights(weights: Any, projection: Any) -> None:
    """PyNN's weight check: all of one sign; >= 0 for conductance-based or excitatory
    synapses, <= 0 for current-based inhibitory ones (`ConnectionError` otherwise)."""
    w = np.asarray(weights, dtype=float)
    positive, negative = bool((w >= 0).all()), bool((w <= 0).all())
    if not (positive or negative):
        raise ConnectionError("Weights must be either all positive or all negative")
    post = projection.post
    if (post.conductance_based or projection.receptor_type == "excitatory") and not positive:
        raise ConnectionError(
            "Weights must be positive for conductance-based and/or excitatory synapses")
    if not post.conductance_based and projection.receptor_type == "inhibitory" and not negative:
        raise ConnectionError("Weights must be negative for current-based, inhibitory synapses")


def check_delays(delays: Any, projection: Any) -> None:
    """PyNN's delay check: every delay within [min_delay, max_delay] of the simulation
    (`ConnectionError` otherwise)."""
    sim = projection._sim
    d = np.asarray(delays, dtype=float)
    if not ((d >= sim.min_delay).all() and (d <= sim.max_delay).all()):
        raise ConnectionError(f"delay(s) {d.min()}..{d.max()} ms outside the range "
                              f"[{sim.min_delay}, {sim.max_delay}] ms")


__all__ = ["ModelNotAvailable", "STDPTimingDependence", "STDPWeightDependence",
           "StandardCellType", "StandardCellTypeComponent", "StandardCurrentSource",
           "StandardIonChannelModel", "StandardModelType", "StandardPostSynapticResponse",
           "StandardSynapseType", "check_delays", "check_weights"]
