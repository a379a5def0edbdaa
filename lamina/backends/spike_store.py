"""Spike times collected from an external simulator, kept by lamina id: what the NEST,
NEURON and Brian 2 backends hand the core (the engine keeps its own compact stamps)."""
from __future__ import annotations

import numpy as np

_I64 = np.int64


class SpikeStore:
    """Spike times [ms] by lamina id, appended per run."""

    def __init__(self) -> None:
        self._ids: list[np.ndarray] = []
        self._times: list[np.ndarray] = []

    def append(self, ids: np.ndarray, times: np.ndarray) -> None:
        if len(ids):
            self._ids.append(np.asarray(ids, _I64))
            self._times.append(np.asarray(times, float))

    def _all(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._ids:
            return np.zeros(0, _I64), np.zeros(0)
        if len(self._ids) > 1:
            self._ids, self._times = [np.concatenate(self._ids)], [np.concatenate(self._times)]
        return self._ids[0], self._times[0]

    def get(self, ids: np.ndarray) -> list[np.ndarray]:
        """One sorted array of spike times per id."""
        all_ids, times = self._all()
        ids = np.asarray(ids, _I64)
        sel = np.isin(all_ids, ids)
        sid, st = all_ids[sel], times[sel]
        order = np.lexsort((st, sid))
        sid, st = sid[order], st[order]
        lo, hi = np.searchsorted(sid, ids, "left"), np.searchsorted(sid, ids, "right")
        return [st[a:b] for a, b in zip(lo, hi)]

    def clear(self, ids: np.ndarray | None = None) -> None:
        if ids is None:
            self._ids, self._times = [], []
            return
        all_ids, times = self._all()
        keep = ~np.isin(all_ids, np.asarray(ids, _I64))
        self._ids, self._times = [all_ids[keep]], [times[keep]]
