"""Recorded data as the core hands them to `lamina.io`: plain data, no lamina objects.

`lamina.core.recording` fills these from the backend; `lamina.io.neo_output` turns them into
Neo objects. Importing this module loads neither Neo nor the core.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from lamina.backends.base import SignalData


@dataclass
class SegmentData:
    """Raw data of one segment: spikes and signals keyed by index in the population.

    Attributes
    ----------
    index : int — segment number
    t_stop, t_start : float — [ms]
    spikes : dict — cell index -> spike times [ms]
    signals : dict — variable -> (cell indices, SignalData in PyNN units)
    annotations : dict — copied into the neo Segment
    rec_datetime : datetime — when the segment was recorded
    """

    index: int
    t_stop: float
    spikes: dict[int, np.ndarray] = field(default_factory=dict)
    signals: dict[str, tuple[np.ndarray, SignalData]] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)
    rec_datetime: datetime = field(default_factory=datetime.now)
    t_start: float = 0.0


@dataclass
class CellsSource:
    """What a Block says about the population its data came from.

    Attributes
    ----------
    label : str
    first_id : int — global ID of the population's cell 0
    size : int — number of cells
    description : str — the population's `describe()` text
    units : dict — recordable variable -> lamina unit name ('mV', 'nA', 'uS', ...)
    simulator : str — e.g. 'lamina.engine'
    mpi_processes : int
    dt : float — time step [ms]
    annotations : dict — the population's annotations
    """

    label: str
    first_id: int
    size: int
    description: str
    units: dict[str, str]
    simulator: str
    mpi_processes: int
    dt: float
    annotations: dict[str, Any] = field(default_factory=dict)
