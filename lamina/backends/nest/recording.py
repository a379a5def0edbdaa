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

from lamina.errors import InvalidDimensionsError

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

    def series(self, col: int) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of one column, sorted by step."""
        if not self.steps:
            return np.zeros(0, _I64), np.zeros(0)
        if len(self.steps) > 1:
            self.steps = [np.concatenate(self.steps)]
            self.cols = [np.concatenate(self.cols)]
            self.values = [np.concatenate(self.values)]
        sel = self.cols[0] == col
        s, v = self.steps[0][sel], self.values[0][sel]
        order = np.argsort(s, kind="stable")
        return s[order], v[order]

    def clear(self, cols: np.ndarray, now: int) -> None:
        self.floor[cols] = now
        if self.steps:
            s, c, v = (np.concatenate(x) for x in (self.steps, self.cols, self.values))
            keep = ~np.isin(c, cols)
            self.steps, self.cols, self.values = [s[keep]], [c[keep]], [v[keep]]


def assemble(channels: list[Channel], ids: np.ndarray, dt: float,
             now: int) -> tuple[float, float, np.ndarray]:
    """(t_start [ms], interval [ms], values (n_samples, len(ids))) for `ids` from the
    channels that recorded them."""
    ids = np.asarray(ids, _I64)
    users = [ch for ch in channels if np.isin(ids, ch.ids).any()]
    if len(users) == 1 and np.isin(ids, users[0].ids).all():
        return _single(users[0], ids, dt, now)
    cols_steps, cols_vals, interval = [], [], None
    for i in ids.tolist():
        parts = []
        for ch in channels:
            hit = np.flatnonzero(ch.ids == i)
            if len(hit):
                s, v = ch.series(int(hit[0]))
                if len(s):
                    parts.append((s, v))
                    interval = interval or ch.interval
        if parts:
            s = np.concatenate([p[0] for p in parts])
            v = np.concatenate([p[1] for p in parts])
            order = np.argsort(s, kind="stable")
            cols_steps.append(s[order])
            cols_vals.append(v[order])
        else:
            cols_steps.append(np.zeros(0, _I64))
            cols_vals.append(np.zeros(0))
    if interval is None:
        return now * dt, dt, np.zeros((0, len(ids)))
    lengths = {len(s) for s in cols_steps}
    if len(lengths) != 1:
        raise InvalidDimensionsError(
            f"cells recorded over different periods ({sorted(lengths)} samples); "
            "get their data separately")
    t0 = int(cols_steps[0][0]) if len(cols_steps[0]) else now
    return t0 * dt, interval * dt, np.stack(cols_vals, axis=1)


def _single(ch: Channel, ids: np.ndarray, dt: float, now: int) -> tuple[float, float, np.ndarray]:
    """Fast path: all `ids` recorded by one channel."""
    if not ch.steps:
        return now * dt, ch.interval * dt, np.zeros((0, len(ids)))
    s, c, v = (np.concatenate(x) for x in (ch.steps, ch.cols, ch.values))
    ch.steps, ch.cols, ch.values = [s], [c], [v]
    want = np.searchsorted(ch.ids, ids)
    sel = np.isin(c, want)
    s, c, v = s[sel], c[sel], v[sel]
    if not len(s):
        return now * dt, ch.interval * dt, np.zeros((0, len(ids)))
    uniq, row = np.unique(s, return_inverse=True)
    pos = np.full(len(ch.ids), -1, _I64)
    pos[want] = np.arange(len(ids))
    out = np.full((len(uniq), len(ids)), np.nan)
    out[row, pos[c]] = v
    check = out if ch.placeholder is None else out[uniq != ch.placeholder]
    if np.isnan(check).any():
        raise InvalidDimensionsError(
            "cells recorded over different periods; get their data separately")
    return int(uniq[0]) * dt, ch.interval * dt, out
