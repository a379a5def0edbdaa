"""Recording stores of the engine: analog channels/blocks and the spike store.

An analog *channel* is a set of cell rows sampling one variable every ``interval`` steps
with phase ``phase`` (the step recording started): after step n the kernel samples when
``(n + 1 - phase) % interval == 0``; the first sample (state when recording starts) is
taken in Python just before the next run. The samples of a channel accumulate in
*blocks*: a block has a fixed list of rows; membership changes or clears close the block
and open a new one, so data recorded earlier are never re-laid out.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from lamina.backends.sample_grid import Piece, on_grid

logger = logging.getLogger(__name__)


@dataclass
class Block:
    """Samples of one channel for a fixed set of rows.

    ``t0`` is the step of the first sample, ``chunks`` arrays of shape (k, len(rows)).
    """

    var: str
    rows: np.ndarray
    interval: int
    t0: int
    chunks: list[np.ndarray] = field(default_factory=list)

    def n_samples(self) -> int:
        return sum(c.shape[0] for c in self.chunks)

    def values(self) -> np.ndarray:
        if not self.chunks:
            return np.zeros((0, len(self.rows)))
        if len(self.chunks) > 1:
            self.chunks = [np.concatenate(self.chunks, axis=0)]
        return self.chunks[0]


@dataclass
class Channel:
    """Rows that sample `var` (state row `srow`) every `interval` steps from `phase`."""

    var: str
    srow: int
    interval: int
    phase: int
    rows: np.ndarray
    pending_initial: bool = True
    block: Block | None = None

    def next_sample(self, step: int) -> int:
        """Step of the next sample, given the current step (initial sample pending or not)."""
        if self.pending_initial:
            return step
        return step + self.interval - (step - self.phase) % self.interval

    def samples_in(self, n0: int, n1: int) -> int:
        """Number of kernel samples after steps n0 .. n1-1."""
        return (n1 - self.phase) // self.interval - (n0 - self.phase) // self.interval


class AnalogStore:
    """All analog channels and their blocks."""

    def __init__(self) -> None:
        self.channels: list[Channel] = []
        self.blocks: dict[str, list[Block]] = {}

    # -- membership ------------------------------------------------------------------
    def _open_block(self, ch: Channel, step: int) -> None:
        ch.block = Block(ch.var, ch.rows.copy(), ch.interval, ch.next_sample(step))
        self.blocks.setdefault(ch.var, []).append(ch.block)

    def _set_rows(self, ch: Channel, rows: np.ndarray, step: int) -> None:
        ch.rows = np.asarray(rows, np.int64)
        if ch.block is not None and ch.block.n_samples() == 0:
            self.blocks[ch.var].remove(ch.block)
        self._open_block(ch, step)

    def channel_of(self, var: str, rows: np.ndarray) -> list[Channel | None]:
        out: list[Channel | None] = []
        for r in rows:
            found = None
            for ch in self.channels:
                if ch.var == var and np.any(ch.rows == r):
                    found = ch
                    break
            out.append(found)
        return out

    def remove(self, var: str, rows: np.ndarray, step: int) -> None:
        """Stop sampling `var` from `rows` (data kept)."""
        rows = np.asarray(rows, np.int64)
        for ch in list(self.channels):
            if ch.var != var:
                continue
            keep = ~np.isin(ch.rows, rows)
            if keep.all():
                continue
            if keep.any():
                self._set_rows(ch, ch.rows[keep], step)
            else:
                if ch.block is not None and ch.block.n_samples() == 0:
                    self.blocks[var].remove(ch.block)
                self.channels.remove(ch)

    def add(self, var: str, srow: int, rows: np.ndarray, interval: int, step: int) -> None:
        """Start sampling `var` from `rows` every `interval` steps from `step`."""
        rows = np.asarray(rows, np.int64)
        same = [ch for ch in self.channels if ch.var == var and ch.interval == interval]
        already = np.zeros(len(rows), bool)
        for ch in same:
            already |= np.isin(rows, ch.rows)
        rows = rows[~already]
        if len(rows) == 0:
            return
        self.remove(var, rows, step)
        for ch in self.channels:
            if (ch.var == var and ch.interval == interval and ch.phase == step
                    and ch.pending_initial and ch.srow == srow):
                self._set_rows(ch, np.unique(np.concatenate([ch.rows, rows])), step)
                return
        ch = Channel(var, srow, interval, step, np.unique(rows))
        self.channels.append(ch)
        self._open_block(ch, step)

    # -- data ------------------------------------------------------------------------
    def initial_samples(self, state: np.ndarray, step: int) -> None:
        """Take the pending first samples (state at the current step)."""
        for ch in self.channels:
            if ch.pending_initial:
                if ch.block is None or ch.block.t0 != step:
                    self._set_rows(ch, ch.rows, step)
                assert ch.block is not None   # opened by _set_rows
                ch.block.chunks.append(state[ch.srow, ch.rows][None, :].copy())
                ch.pending_initial = False

    def reset(self, step: int = 0) -> None:
        """Drop all data; every channel restarts at `step` with a pending first sample."""
        self.blocks = {}
        for ch in self.channels:
            ch.phase = step
            ch.pending_initial = True
            ch.block = None
            self._open_block(ch, step)

    def clear(self, var: str, rows: np.ndarray, step: int) -> None:
        """Forget data of `rows` for `var` (recording continues)."""
        rows = np.asarray(rows, np.int64)
        for ch in self.channels:
            if ch.var == var and np.isin(ch.rows, rows).any() and ch.block is not None \
                    and ch.block.n_samples() > 0:
                self._open_block(ch, step)  # close the open block
        kept = []
        for b in self.blocks.get(var, []):
            hit = np.isin(b.rows, rows)
            if hit.any() and b.n_samples() > 0:
                if hit.all():
                    continue
                b.chunks = [b.values()[:, ~hit]]
                b.rows = b.rows[~hit]
            kept.append(b)
        self.blocks[var] = kept

    def get(self, var: str, rows: np.ndarray, dt: float, default_interval: int,
            now: int) -> tuple[float, float, np.ndarray]:
        """(t_start [ms], interval [ms], values (n, len(rows))) for `rows`: every sample
        at its own time, NaN where a row was not recorded (see `sample_grid`)."""
        rows = np.asarray(rows, np.int64)
        pieces = []
        for b in self.blocks.get(var, []):
            n = b.n_samples()
            hit = np.flatnonzero(np.isin(rows, b.rows))
            if n and len(hit):
                steps = b.t0 + b.interval * np.arange(n, dtype=np.int64)
                pieces.append(Piece(steps, hit,
                                    b.values()[:, np.searchsorted(b.rows, rows[hit])]))
        interval = self.blocks[var][-1].interval if self.blocks.get(var) else default_interval
        return on_grid(pieces, len(rows), interval, dt, now, var)


class SpikeStore:
    """Spike stamps of recorded cells, as appended chunks of (ids, stamps)."""

    def __init__(self) -> None:
        self._ids: list[np.ndarray] = []
        self._stamps: list[np.ndarray] = []

    def append(self, ids: np.ndarray, stamps: np.ndarray) -> None:
        if len(ids):
            self._ids.append(np.asarray(ids, np.int64))
            self._stamps.append(np.asarray(stamps, np.int64))

    def _all(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._ids:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        if len(self._ids) > 1:
            self._ids = [np.concatenate(self._ids)]
            self._stamps = [np.concatenate(self._stamps)]
        return self._ids[0], self._stamps[0]

    def get(self, ids: np.ndarray, dt: float) -> list[np.ndarray]:
        all_ids, stamps = self._all()
        ids = np.asarray(ids, np.int64)
        sel = np.isin(all_ids, ids)
        sid, sst = all_ids[sel], stamps[sel]
        order = np.lexsort((sst, sid))
        sid, sst = sid[order], sst[order]
        lo = np.searchsorted(sid, ids, "left")
        hi = np.searchsorted(sid, ids, "right")
        return [sst[a:b] * dt for a, b in zip(lo, hi)]

    def clear(self, ids: np.ndarray | None = None) -> None:
        if ids is None:
            self._ids, self._stamps = [], []
            return
        all_ids, stamps = self._all()
        keep = ~np.isin(all_ids, np.asarray(ids, np.int64))
        self._ids, self._stamps = [all_ids[keep]], [stamps[keep]]
