"""``pyNN.space``: lamina's structures and `Space`, plus PyNN's `distance` of two cells."""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.random import NumpyRNG  # noqa: F401
from lamina.space import (BaseStructure, Cuboid, Grid2D, Grid3D, Line,  # noqa: F401
                          RandomStructure, Shape, Space, Sphere)


def distance(src: Any, tgt: Any, mask: Any = None, scale_factor: float = 1.0,
             offset: float = 0.0, periodic_boundaries: Any = None) -> float:
    """Euclidean distance [µm] between cells `src` and `tgt` (IDs with a ``position``).

    The target position is shifted by `offset` and multiplied by `scale_factor`; `mask`
    (indices of the axes to use, e.g. ``[0, 1]`` for x and y) and `periodic_boundaries`
    (the box size along each axis) are as in PyNN.
    """
    d = np.asarray(src.position, float) - scale_factor * (np.asarray(tgt.position, float) + offset)
    if periodic_boundaries is not None:
        d = np.minimum(np.abs(d), np.asarray(periodic_boundaries, float) - np.abs(d))
    if mask is not None:
        d = d[mask]
    return float(np.sqrt(np.dot(d, d)))


__all__ = ["BaseStructure", "Cuboid", "Grid2D", "Grid3D", "Line", "NumpyRNG", "RandomStructure",
           "Shape", "Space", "Sphere", "distance"]
