"""Per-connection values (weights, delays, dynamics parameters): evaluation and checks."""
from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from types import FrameType
from typing import Any

import numpy as np

from lamina.connectors import SafeExpression
from lamina.errors import ConnectionError, InvalidDimensionsError, InvalidParameterValueError, \
    InvalidWeightError
from lamina.random import RandomDistribution


def evaluate(name: str, value: Any, pre_idx: np.ndarray, post_idx: np.ndarray,
             shape: tuple[int, int], distances: Callable[[], np.ndarray]) -> np.ndarray:
    """Turn `value` into one float per connection.

    `value` may be a number, a RandomDistribution (one draw per connection), an array of
    shape `shape` (n_pre, n_post) indexed by the connection's cells, an array with one
    value per connection, a function of the distance ``d`` between the cells, or a string
    expression of ``d`` (e.g. ``"0.1 + d/100"``). `distances` computes those distances
    lazily.
    """
    n = pre_idx.size
    if isinstance(value, RandomDistribution):
        return np.asarray(value.next(n), dtype=float).reshape(n) if n else np.zeros(0)
    if isinstance(value, str):
        return _broadcast(name, SafeExpression(value, ("d",), argument=name)(d=distances()), n)
    if callable(value):
        return _broadcast(name, value(distances()), n)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise InvalidParameterValueError(
            f"{name}={value!r}: expected a number, an array, a RandomDistribution, a function "
            "of distance or an expression of d") from err
    if arr.ndim == 2:
        if arr.shape != shape:
            raise InvalidDimensionsError(
                f"{name}: array of shape {arr.shape} does not match the projection's shape "
                f"{shape} (presynaptic x postsynaptic cells)")
        return arr[pre_idx, post_idx].astype(float)
    return _broadcast(name, arr, n)


def _broadcast(name: str, arr: Any, n: int) -> np.ndarray:
    arr = np.asarray(arr, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise InvalidDimensionsError(
            f"{name}: got {arr.size} values for {n} connections; expected one per connection")
    return arr.copy()


def check_weights(weights: np.ndarray, receptor_type: str, celltype: Any, label: str) -> None:
    """Raise `InvalidWeightError` for NaN weights or a sign that contradicts the receptor:
    conductances >= 0; currents >= 0 for excitatory, <= 0 for inhibitory receptors; any
    sign onto other current-based receptors (PointNeuron's named ones, as PyNN)."""
    model = type(celltype).__name__
    if np.any(~np.isfinite(weights)):
        raise InvalidWeightError(f"{label}: weights must be finite numbers")
    if celltype.conductance_based:
        bad, rule = weights < 0, "conductance weights must be >= 0 [uS]"
    elif receptor_type == "inhibitory":
        bad, rule = weights > 0, (f"inhibitory weights onto {model} must be <= 0 "
                                  f"[{celltype.weight_unit}]")
    elif receptor_type != "excitatory":
        return   # a named current-based receptor (PointNeuron): the sign sets the direction
    else:
        bad, rule = weights < 0, (f"excitatory weights onto {model} must be >= 0 "
                                  f"[{celltype.weight_unit}]")
    if np.any(bad):
        raise InvalidWeightError(f"{label}: weight {float(weights[bad][0])!r} is not allowed "
                                 f"for receptor_type={receptor_type!r}: {rule}")


def check_delays(delays: np.ndarray, sim: Any, label: str) -> np.ndarray:
    """Check delays [ms] against the time step, min_delay and max_delay, and round them to
    the time grid. Raises `ConnectionError` naming how many are out of range and the
    extreme value."""
    if np.any(~np.isfinite(delays)):
        raise ConnectionError(f"{label}: delays must be finite numbers [ms]")
    rounded = np.round(delays / sim.dt) * sim.dt
    tol = sim.dt * 1e-6
    low = sim.min_delay
    too_short = rounded < low - tol
    if np.any(too_short):
        raise ConnectionError(
            f"{label}: {int(np.count_nonzero(too_short))} delay(s) below the minimum delay "
            f"{low} ms (smallest: {float(delays[too_short].min())} ms); delays must be >= "
            f"{'the time step' if sim.min_delay_auto else 'min_delay'}")
    too_long = rounded > sim.max_delay + tol
    if np.any(too_long):
        raise ConnectionError(
            f"{label}: {int(np.count_nonzero(too_long))} delay(s) above max_delay "
            f"{sim.max_delay} ms (largest: {float(delays[too_long].max())} ms); raise max_delay "
            "in setup()")
    if rounded.size:
        sim.smallest_delay = min(sim.smallest_delay, float(rounded.min()))
    return rounded


def to_matrix(values: np.ndarray, pre_idx: np.ndarray, post_idx: np.ndarray,
              shape: tuple[int, int], multiple: str) -> np.ndarray:
    """Arrange per-connection values as an (n_pre, n_post) array, NaN where unconnected,
    combining several connections between one pair with `multiple`."""
    out = np.full(shape, np.nan)
    if values.size == 0:
        return out
    flat = pre_idx.astype(np.int64) * shape[1] + post_idx  # indices may be int32
    view = out.reshape(-1)
    if multiple == "sum":
        acc = np.zeros(view.size)
        np.add.at(acc, flat, values)
        hit = np.zeros(view.size, dtype=bool)
        hit[flat] = True
        view[hit] = acc[hit]
    elif multiple in ("min", "max"):
        fill = np.inf if multiple == "min" else -np.inf
        acc = np.full(view.size, fill)
        (np.minimum if multiple == "min" else np.maximum).at(acc, flat, values)
        hit = acc != fill
        view[hit] = acc[hit]
    else:
        order = np.arange(flat.size) if multiple == "first" else np.arange(flat.size)[::-1]
        uniq, first = np.unique(flat[order], return_index=True)
        view[uniq] = values[order[first]]
    return out


def pair_distances(space: Any, pre_positions: np.ndarray,
                   post_positions: np.ndarray) -> np.ndarray:
    """Distance between the cells of each connection (columns of the two (3, n) arrays),
    measured as `space` measures it (axes, periodic boundaries, scale and offset)."""
    return space.pair_distances(pre_positions, post_positions)


def clip_connector_delays(delays: np.ndarray, min_delay: float, max_delay: float,
                          label: str) -> np.ndarray:
    """Delays drawn by a connector's ``delays=`` argument (PyNN 0.7) outside [min_delay,
    max_delay] are clipped to it, with a warning naming how many and the extreme value
    (never silently); delays given to the synapse type are checked instead (errors)."""
    low, high = delays < min_delay, delays > max_delay
    for mask, bound, which, extreme in ((low, min_delay, "below the minimum delay", np.min),
                                        (high, max_delay, "above max_delay", np.max)):
        if np.any(mask):
            warnings.warn(
                f"{label}: {int(np.count_nonzero(mask))} of {delays.size} delays drawn by the "
                f"connector's classic delays= argument are {which} ({float(extreme(delays[mask]))} "
                f"ms); they were set to {bound} ms (PyNN 0.7 rule; pass delays to the synapse "
                "type to get an error instead)", UserWarning, stacklevel=_user_frame())
    return np.clip(delays, min_delay, max_delay)


def _user_frame() -> int:
    """`warnings.warn` stacklevel of the first caller outside lamina (the user's line)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level
