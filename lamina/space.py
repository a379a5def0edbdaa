"""Spatial structure of populations (PyNN's ``pyNN.space`` API).

`Space` measures distances between cell positions, optionally on a subset of axes,
with a scale factor/offset applied to the second set of positions and with periodic
boundaries. Structures (`Line`, `Grid2D`, `Grid3D`, `RandomStructure`) place ``n`` cells
and return their positions as a ``(3, n)`` float array; positions are in µm by
convention (lamina never converts them).
"""
from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from lamina.errors import InvalidDimensionsError, InvalidParameterValueError
from lamina.random import NumpyRNG, default_rng

logger = logging.getLogger(__name__)

_AXES = {"x": 0, "y": 1, "z": 2}


def _as_positions(A: Any, name: str) -> np.ndarray:
    arr = np.asarray(A, dtype=float)
    if arr.ndim == 1:
        arr = arr.reshape(3, 1) if arr.shape == (3,) else arr
    if arr.ndim != 2 or arr.shape[0] != 3:
        raise InvalidDimensionsError(
            f"{name} has shape {np.shape(A)}; expected (3,) or (3, n) positions")
    return arr


class Space:
    """Geometry used to measure distances between cells.

    Parameters
    ----------
    axes : str or None — which coordinates count, e.g. ``'xy'``; None means ``'xyz'``
    scale_factor : float — multiplies the second set of positions (after `offset`)
    offset : float or (3,) array — added to the second set of positions (µm)
    periodic_boundaries : tuple of three entries, each None or ``(min, max)`` (µm), or None
    """

    def __init__(self, axes: str | None = None, scale_factor: float = 1.0,
                 offset: float | np.ndarray = 0.0,
                 periodic_boundaries: tuple | None = None) -> None:
        axes = "xyz" if axes is None else axes
        if not isinstance(axes, str) or not axes or any(a not in _AXES for a in axes) \
                or len(set(axes)) != len(axes):
            raise InvalidParameterValueError(
                f"axes={axes!r} is invalid; expected a string of distinct letters from 'xyz'")
        self.axes = np.array(sorted(_AXES[a] for a in axes), dtype=int)
        self.axes_str = axes
        self.scale_factor = float(scale_factor)
        self.offset: float | np.ndarray = np.broadcast_to(np.asarray(offset, dtype=float), (3,)).copy() \
            if np.ndim(offset) else float(offset)
        if periodic_boundaries is not None:
            pb = tuple(periodic_boundaries)
            if len(pb) != 3:
                raise InvalidParameterValueError(
                    f"periodic_boundaries={periodic_boundaries!r} is invalid; expected three "
                    f"entries (x, y, z), each None or (min, max)")
            for axis, bounds in zip("xyz", pb):
                if bounds is not None and (len(bounds) != 2 or not bounds[1] > bounds[0]):
                    raise InvalidParameterValueError(
                        f"periodic_boundaries for axis {axis} = {bounds!r} is invalid; "
                        f"expected (min, max) with max > min")
            periodic_boundaries = pb
        self.periodic_boundaries = periodic_boundaries

    def _period(self, axis: int) -> float | None:
        if self.periodic_boundaries is None or self.periodic_boundaries[axis] is None:
            return None
        low, high = self.periodic_boundaries[axis]
        return float(high) - float(low)

    def _transform(self, B: np.ndarray) -> np.ndarray:
        offset = self.offset[:, None] if isinstance(self.offset, np.ndarray) else self.offset
        return self.scale_factor * (B + offset)

    def displacements(self, A: Any, B: Any) -> np.ndarray:
        """Signed displacements B' - A, with B' = scale_factor * (B + offset).

        Periodic axes use the minimum image (the result lies in [-L/2, L/2]); axes not
        in `axes` are zero.

        Parameters
        ----------
        A : (3,) or (3, n) array — positions (µm)
        B : (3,) or (3, m) array — positions (µm)

        Returns
        -------
        ndarray (3, n, m) — displacements (µm)
        """
        A = _as_positions(A, "A")
        B = self._transform(_as_positions(B, "B"))
        out = np.zeros((3, A.shape[1], B.shape[1]))
        for axis in self.axes:
            diff = B[axis][None, :] - A[axis][:, None]
            period = self._period(axis)
            if period is not None:
                diff -= period * np.round(diff / period)
            out[axis] = diff
        return out

    def distances(self, A: Any, B: Any, expand: bool = False) -> np.ndarray:
        """Distance matrix between two sets of positions.

        Parameters
        ----------
        A : (3,) or (3, n) array — positions (µm)
        B : (3,) or (3, m) array — positions (µm); scale_factor and offset apply to B
        expand : bool — if True return the absolute distance along each axis in `axes`

        Returns
        -------
        ndarray (n, m) of Euclidean distances (µm), or (len(axes), n, m) if expand
        """
        A = _as_positions(A, "A")
        B = self._transform(_as_positions(B, "B"))
        per_axis = np.empty((len(self.axes), A.shape[1], B.shape[1]))
        for k, axis in enumerate(self.axes):
            diff = np.abs(B[axis][None, :] - A[axis][:, None])
            period = self._period(axis)
            if period is not None:
                diff = np.mod(diff, period)
                np.minimum(diff, period - diff, out=diff)
            per_axis[k] = diff
        if expand:
            return per_axis
        return np.sqrt(np.einsum("kij,kij->ij", per_axis, per_axis))

    def pair_distances(self, A: Any, B: Any) -> np.ndarray:
        """Distances between matching columns of two (3, n) position arrays (one per
        connection), measured like `distances`.

        Returns
        -------
        ndarray (n,) of Euclidean distances (µm)
        """
        A = _as_positions(A, "A")
        B = self._transform(_as_positions(B, "B"))
        total = np.zeros(max(A.shape[1], B.shape[1]))
        for axis in self.axes:
            diff = np.abs(B[axis] - A[axis])
            period = self._period(axis)
            if period is not None:
                diff = np.mod(diff, period)
                np.minimum(diff, period - diff, out=diff)
            total += diff * diff
        return np.sqrt(total)

    def __repr__(self) -> str:
        return (f"Space(axes={self.axes_str!r}, scale_factor={self.scale_factor}, "
                f"offset={self.offset!r}, periodic_boundaries={self.periodic_boundaries!r})")


class BaseStructure:
    """Common interface of structures: parameters, equality and description."""

    parameter_names: tuple[str, ...] = ()

    def get_parameters(self) -> dict[str, Any]:
        """Return the structure's parameters as a dict."""
        return {name: getattr(self, name) for name in self.parameter_names}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        return f"{type(self).__name__}({params})"

    def summary(self) -> str:
        """One-line description with the parameters (what `Population.describe` shows)."""
        return repr(self)

    def describe(self, template: str | None = "structure_default.txt",
                 engine: str = "default") -> Any:
        """Description as PyNN gives it: ``Structure 'Line' with the following parameters:
        {...}``; with ``template=None`` the context dict ``{'name', 'parameters'}``."""
        from lamina.describe import render
        context = {"name": type(self).__name__, "parameters": self.get_parameters()}
        if template == "structure_default.txt":
            return render(template, engine, {**context,
                                             "parameters": repr(context["parameters"])})
        return render(template, engine, context)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return self.get_parameters() == other.get_parameters()

    __hash__ = None  # type: ignore[assignment]

    def generate_positions(self, n: int) -> np.ndarray:  # pragma: no cover - abstract
        """Return the positions of ``n`` cells, shape (3, n), µm."""
        raise NotImplementedError


def _check_n(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise InvalidParameterValueError(f"n={n!r} is invalid; expected an integer >= 0")
    return int(n)


def _check_fill_order(fill_order: str) -> str:
    if fill_order not in ("sequential", "random"):
        raise InvalidParameterValueError(
            f"fill_order={fill_order!r} is invalid; expected 'sequential' or 'random'")
    return fill_order


def _integer_size(value: float, n: int, what: str) -> int:
    rounded = int(round(value))
    if rounded < 1 or abs(value - rounded) > 1e-9 * max(1.0, value):
        raise InvalidDimensionsError(
            f"grid dimensions do not divide evenly into the number of cells "
            f"(n={n}, {what}; that gives a non-integer side of {value:g} cells)")
    return rounded


class Line(BaseStructure):
    """Cells on a line parallel to x: x = x0 + i*dx, at fixed y and z (µm)."""

    parameter_names = ("dx", "x0", "y", "z")

    def __init__(self, dx: float = 1.0, x0: float = 0.0, y: float = 0.0, z: float = 0.0) -> None:
        self.dx, self.x0, self.y, self.z = float(dx), float(x0), float(y), float(z)

    def generate_positions(self, n: int) -> np.ndarray:
        n = _check_n(n)
        pos = np.empty((3, n))
        pos[0] = self.x0 + self.dx * np.arange(n)
        pos[1] = self.y
        pos[2] = self.z
        return pos


class Grid2D(BaseStructure):
    """Cells on a 2D grid in the plane z = `z`.

    Parameters
    ----------
    aspect_ratio : float — nx / ny (cells along x over cells along y)
    dx, dy : float — grid spacing (µm)
    x0, y0, z : float — position of the first cell (µm)
    fill_order : 'sequential' (y varies fastest) or 'random' (positions shuffled)
    rng : NumpyRNG or None — used for random fill order (default RNG if None)
    """

    parameter_names = ("aspect_ratio", "dx", "dy", "x0", "y0", "z", "fill_order")

    def __init__(self, aspect_ratio: float = 1.0, dx: float = 1.0, dy: float = 1.0,
                 x0: float = 0.0, y0: float = 0.0, z: float = 0, fill_order: str = "sequential",
                 rng: NumpyRNG | None = None) -> None:
        if not aspect_ratio > 0:
            raise InvalidParameterValueError(f"aspect_ratio={aspect_ratio!r} must be > 0")
        self.aspect_ratio = float(aspect_ratio)
        self.dx, self.dy, self.x0, self.y0, self.z = map(float, (dx, dy, x0, y0, z))
        self.fill_order = _check_fill_order(fill_order)
        self.rng = rng

    def calculate_size(self, n: int) -> tuple[int, int]:
        """Return (nx, ny) for ``n`` cells; raise InvalidDimensionsError if impossible."""
        what = f"aspect_ratio={self.aspect_ratio:g}"
        nx = _integer_size(math.sqrt(n * self.aspect_ratio), n, what)
        ny = _integer_size(n / nx, n, what)
        return nx, ny

    def generate_positions(self, n: int) -> np.ndarray:
        n = _check_n(n)
        if n == 0:
            return np.empty((3, 0))
        nx, ny = self.calculate_size(n)
        pos = np.empty((3, n))
        pos[:2] = np.indices((nx, ny), dtype=float).reshape(2, n)
        pos[0] = self.x0 + self.dx * pos[0]
        pos[1] = self.y0 + self.dy * pos[1]
        pos[2] = self.z
        if self.fill_order == "random":
            pos = pos[:, (self.rng or default_rng()).rng.permutation(n)]
        return pos


class Grid3D(BaseStructure):
    """Cells on a 3D grid.

    Parameters
    ----------
    aspect_ratioXY : float — nx / ny
    aspect_ratioXZ : float — nx / nz
    dx, dy, dz : float — grid spacing (µm)
    x0, y0, z0 : float — position of the first cell (µm)
    fill_order : 'sequential' (z varies fastest, then y) or 'random'
    rng : NumpyRNG or None — used for random fill order (default RNG if None)
    """

    parameter_names = ("aspect_ratios", "dx", "dy", "dz", "x0", "y0", "z0", "fill_order")

    def __init__(self, aspect_ratioXY: float = 1.0, aspect_ratioXZ: float = 1.0,
                 dx: float = 1.0, dy: float = 1.0, dz: float = 1.0, x0: float = 0.0,
                 y0: float = 0.0, z0: float = 0, fill_order: str = "sequential",
                 rng: NumpyRNG | None = None) -> None:
        for name, value in (("aspect_ratioXY", aspect_ratioXY), ("aspect_ratioXZ", aspect_ratioXZ)):
            if not value > 0:
                raise InvalidParameterValueError(f"{name}={value!r} must be > 0")
        self.aspect_ratios = (float(aspect_ratioXY), float(aspect_ratioXZ))
        self.dx, self.dy, self.dz = float(dx), float(dy), float(dz)
        self.x0, self.y0, self.z0 = float(x0), float(y0), float(z0)
        self.fill_order = _check_fill_order(fill_order)
        self.rng = rng

    def calculate_size(self, n: int) -> tuple[int, int, int]:
        """Return (nx, ny, nz) for ``n`` cells; raise InvalidDimensionsError if impossible."""
        a, b = self.aspect_ratios
        what = f"aspect_ratioXY={a:g}, aspect_ratioXZ={b:g}"
        nx = _integer_size((n * a * b) ** (1.0 / 3.0), n, what)
        ny = _integer_size(nx / a, n, what)
        nz = _integer_size(nx / b, n, what)
        if nx * ny * nz != n:
            raise InvalidDimensionsError(
                f"grid dimensions do not divide evenly into the number of cells (n={n}, {what})")
        return nx, ny, nz

    def generate_positions(self, n: int) -> np.ndarray:
        n = _check_n(n)
        if n == 0:
            return np.empty((3, 0))
        nx, ny, nz = self.calculate_size(n)
        pos = np.indices((nx, ny, nz), dtype=float).reshape(3, n)
        pos[0] = self.x0 + self.dx * pos[0]
        pos[1] = self.y0 + self.dy * pos[1]
        pos[2] = self.z0 + self.dz * pos[2]
        if self.fill_order == "random":
            pos = pos[:, (self.rng or default_rng()).rng.permutation(n)]
        return pos


class Shape(BaseStructure):
    """A volume that can be sampled uniformly; centred on the origin."""

    def sample(self, n: int, rng: NumpyRNG) -> np.ndarray:  # pragma: no cover - abstract
        """Return ``n`` points drawn uniformly in the volume, shape (n, 3), µm."""
        raise NotImplementedError


class Cuboid(Shape):
    """Axis-aligned box of the given width (x), height (y) and depth (z), in µm."""

    parameter_names = ("width", "height", "depth")

    def __init__(self, width: float, height: float, depth: float) -> None:
        for name, value in (("width", width), ("height", height), ("depth", depth)):
            if not value >= 0:
                raise InvalidParameterValueError(f"Cuboid {name}={value!r} must be >= 0")
        self.width, self.height, self.depth = float(width), float(height), float(depth)

    def sample(self, n: int, rng: NumpyRNG) -> np.ndarray:
        n = _check_n(n)
        unit = rng.next(3 * n, "uniform", {"low": -0.5, "high": 0.5}).reshape(n, 3)
        return unit * np.array([self.width, self.height, self.depth])


class Sphere(Shape):
    """Ball of the given radius (µm)."""

    parameter_names = ("radius",)

    def __init__(self, radius: float) -> None:
        if not radius >= 0:
            raise InvalidParameterValueError(f"Sphere radius={radius!r} must be >= 0")
        self.radius = float(radius)

    def sample(self, n: int, rng: NumpyRNG) -> np.ndarray:
        n = _check_n(n)
        direction = rng.next(3 * n, "normal", {"mu": 0.0, "sigma": 1.0}).reshape(n, 3)
        norm = np.linalg.norm(direction, axis=1, keepdims=True)
        norm[norm == 0] = 1.0
        r = self.radius * np.cbrt(rng.next(n, "uniform", {"low": 0.0, "high": 1.0}))
        return direction / norm * r[:, None]


class RandomStructure(BaseStructure):
    """Cells placed uniformly at random within a shape.

    Parameters
    ----------
    boundary : Shape — `Cuboid` or `Sphere`
    origin : (x, y, z) — centre of the shape (µm)
    rng : NumpyRNG or None — default RNG if None
    """

    parameter_names = ("boundary", "origin", "rng")

    def __init__(self, boundary: Shape, origin: tuple[float, float, float] = (0.0, 0.0, 0.0),
                 rng: NumpyRNG | None = None) -> None:
        if not isinstance(boundary, Shape):
            raise InvalidParameterValueError(
                f"boundary={boundary!r} is invalid; expected a Shape (Cuboid or Sphere)")
        if np.shape(origin) != (3,):
            raise InvalidParameterValueError(f"origin={origin!r} is invalid; expected (x, y, z)")
        self.boundary = boundary
        self.origin = tuple(float(v) for v in origin)
        self.rng = rng

    def generate_positions(self, n: int) -> np.ndarray:
        n = _check_n(n)
        points = self.boundary.sample(n, self.rng or default_rng())
        return points.T + np.asarray(self.origin)[:, None]


class GridAddresses(BaseStructure):
    """Cells at their grid addresses (i, j[, k]) [µm]: the layout of a Population created
    with tuple dimensions, ``Population((10, 10), ...)``, as PyNN 0.7 placed them."""

    parameter_names = ("dims",)

    def __init__(self, dims: tuple[int, ...]) -> None:
        self.dims = tuple(int(d) for d in dims)

    def generate_positions(self, n: int) -> np.ndarray:
        coords = np.indices(self.dims).reshape(len(self.dims), -1).astype(float)
        return np.vstack([coords, np.zeros((3 - len(self.dims), n))])[:3]

    def summary(self) -> str:
        return f"grid of dimensions {self.dims}"
