"""Recorded samples of several cells laid out on one regular time grid.

Every backend keeps analog samples as pieces: sample steps (ascending) with the values of
some of the requested cells at those steps. A cell may have several pieces (recording
stopped and started again) or none at all in the requested span. `on_grid` turns them into
the one regularly sampled array an `AnalogSignal` needs: each sample at its true time, NaN
where a cell was not recorded. Samples that do not fall on one common grid (a sampling
interval changed between recordings, or another phase) cannot form one signal and raise
`InvalidDimensionsError`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lamina.errors import InvalidDimensionsError


@dataclass
class Piece:
    """Samples at `steps` (ascending) of the requested cells at `cols`:
    ``values[k, j]`` is cell ``cols[j]`` at ``steps[k]``."""

    steps: np.ndarray
    cols: np.ndarray
    values: np.ndarray


def column_pieces(series: list[tuple[np.ndarray, np.ndarray]]) -> list[Piece]:
    """One piece per cell from per-cell ``(steps, values)`` series (the order of the cells)."""
    return [Piece(np.asarray(s, np.int64), np.array([j]), np.asarray(v, float)[:, None])
            for j, (s, v) in enumerate(series) if len(s)]


def on_grid(pieces: list[Piece], n_cols: int, interval: int, dt: float, now: int,
            variable: str) -> tuple[float, float, np.ndarray]:
    """(t_start [ms], interval [ms], values (n_samples, n_cols)) of `pieces` on one grid.

    `interval` [steps] is used when no piece tells its own spacing (at most one sample
    each); with no samples at all, the signal is empty and starts at `now`.
    """
    pieces = [p for p in pieces if len(p.steps) and len(p.cols)]
    if not pieces:
        return now * dt, interval * dt, np.zeros((0, n_cols))
    spacings = {int(np.diff(p.steps).min()) for p in pieces if len(p.steps) > 1}
    if len(spacings) > 1:
        raise InvalidDimensionsError(
            f"{variable!r} was recorded with different sampling intervals "
            f"({', '.join(f'{s * dt:g}' for s in sorted(spacings))} ms) in this segment; "
            "get the data of each interval's cells separately, or clear the data "
            "(get_data(clear=True)) before changing the interval")
    grid = spacings.pop() if spacings else interval
    t0 = min(int(p.steps[0]) for p in pieces)
    t1 = max(int(p.steps[-1]) for p in pieces)
    for p in pieces:
        if np.any((p.steps - t0) % grid):
            raise InvalidDimensionsError(
                f"{variable!r} samples of this segment lie on different time grids "
                f"(interval {grid * dt:g} ms, recordings started between samples); get "
                "the data of the cells recorded at each start separately")
    out = np.full(((t1 - t0) // grid + 1, n_cols), np.nan)
    for p in pieces:
        rows, cols = _run((p.steps - t0) // grid), _run(p.cols)
        if isinstance(rows, slice) or isinstance(cols, slice):
            out[rows, cols] = p.values
        else:
            out[np.ix_(rows, cols)] = p.values
    return t0 * dt, grid * dt, out


def _run(positions: np.ndarray) -> slice | np.ndarray:
    """`positions` as a slice where they are consecutive (a plain copy rather than a
    scatter)."""
    if positions[-1] - positions[0] == len(positions) - 1 and np.all(np.diff(positions) == 1):
        return slice(int(positions[0]), int(positions[-1]) + 1)
    return positions
