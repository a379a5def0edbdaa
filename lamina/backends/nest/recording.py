"""Recording on NEST: one spike_recorder for all cells, one multimeter per analog channel.

Data are collected from NEST after every `run_until` into lamina-side stores, so that
stopping, clearing and resetting follow lamina's rules:

* spikes: the recorder's events are kept only for cells recording at collection time;
* analog: a channel is one ``set_recording`` call (variable, cells, interval) with its own
  multimeter (``origin`` = the time recording starts). lamina's samples include the value
  when recording starts (read from the cells just before the next run, as NEST's
  multimeter first samples one interval later). NEST delivers the multimeter data of the
  last ``min_delay`` slice (one step: the backend keeps NEST's min_delay at dt) only during
  the next run, so the sample at the end of a run is read from the cells directly and the
  multimeter's copy of it is dropped when it arrives.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.backends.sample_grid import Piece, on_grid

logger = logging.getLogger(__name__)
_I64 = np.int64


@dataclass
class Channel:
    """Cells sampling one variable with one multimeter.

    Attributes
    ----------
    var : lamina variable name; ``nest_var``/``factor`` its NEST name and NEST/PyNN factor
    ids, nodes : lamina ids and NEST node ids of the cells (sorted by node id)
    interval : sampling interval [steps]; ``origin`` the step recording started
    """

    var: str
    nest_var: str
    factor: float
    ids: np.ndarray
    nodes: np.ndarray
    interval: int
    origin: int
    meter: Any = None
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    floor: np.ndarray = field(default_factory=lambda: np.zeros(0))   # drop samples <= [step]
    offset: np.ndarray | None = None        # per column, added to the PyNN value (GIF v_t)
    pending_initial: bool = True
    last_end: int = -1                      # step of the last direct end-of-run sample
    placeholder: int | None = None          # step of NaN samples awaiting the multimeter
    steps: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.active = np.ones(len(self.ids), bool)
        self.floor = np.full(len(self.ids), -1.0)

    def add(self, steps: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        if self.placeholder is not None and np.any(steps == self.placeholder) and self.steps:
            s, c, v = (np.concatenate(x) for x in (self.steps, self.cols, self.values))
            drop = (s == self.placeholder) & np.isin(c, cols[steps == self.placeholder])
            self.steps, self.cols, self.values = [s[~drop]], [c[~drop]], [v[~drop]]
            self.placeholder = None
        keep = self.active[cols] & (steps > self.floor[cols])
        if keep.any():
            self.steps.append(steps[keep])
            self.cols.append(cols[keep])
            vals = values[keep] / self.factor
            if self.offset is not None:
                vals = vals + self.offset[cols[keep]]
            self.values.append(vals)

    def is_sample_step(self, step: int) -> bool:
        return (step - self.origin) % self.interval == 0

    def clear(self, cols: np.ndarray, now: int) -> None:
        self.floor[cols] = now
        if self.steps:
            s, c, v = (np.concatenate(x) for x in (self.steps, self.cols, self.values))
            keep = ~np.isin(c, cols)
            self.steps, self.cols, self.values = [s[keep]], [c[keep]], [v[keep]]


def assemble(channels: list[Channel], ids: np.ndarray, dt: float,
             now: int) -> tuple[float, float, np.ndarray]:
    """(t_start [ms], interval [ms], values (n_samples, len(ids))) for `ids` from the
    channels that recorded them: every sample at its own time, NaN where a cell was not
    recorded (see `sample_grid`)."""
    ids = np.asarray(ids, _I64)
    pieces = []
    for ch in channels:
        want = np.flatnonzero(np.isin(ids, ch.ids))
        if not len(want) or not ch.steps:
            continue
        s, c, v = (np.concatenate(x) for x in (ch.steps, ch.cols, ch.values))
        ch.steps, ch.cols, ch.values = [s], [c], [v]
        col_of = np.full(len(ch.ids), -1, _I64)
        col_of[np.searchsorted(ch.ids, ids[want])] = want
        sel = col_of[c] >= 0
        if not sel.any():
            continue
        uniq, row = np.unique(s[sel], return_inverse=True)
        cols = np.unique(col_of[c[sel]])
        block = np.full((len(uniq), len(cols)), np.nan)
        block[row, np.searchsorted(cols, col_of[c[sel]])] = v[sel]
        pieces.append(Piece(uniq, cols, block))
    interval = channels[-1].interval if channels else 1
    return on_grid(pieces, len(ids), interval, dt, now, channels[0].var if channels else "")
