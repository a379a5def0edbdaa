"""The NEURON backend's analog store (`lamina.backends.neuron.recording`) without NEURON:
Vectors are stand-ins holding what NEURON would have recorded. Checks the bookkeeping that
maps a Vector's samples to steps across runs: a sample read directly at a run's end
(CVODE) and its queued copy dropped, a stopped cell restarted in place with the sample of
the restart time from the last harvest."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("neuron", reason="the neuron backend package imports NEURON")
pytestmark = pytest.mark.backend_neuron

from lamina.backends.neuron.recording import AnalogStore, Channel  # noqa: E402


class _Vector:
    """What the store uses of an h.Vector."""

    def __init__(self, values: list[float] | None = None) -> None:
        self.values = list(values or [])

    def __len__(self) -> int:
        return len(self.values)

    def as_numpy(self) -> np.ndarray:
        return np.array(self.values)

    @property
    def x(self) -> list[float]:
        return self.values

    def resize(self, n: int) -> None:
        del self.values[n:]


def _channel(stride: int = 1, interval: int = 1) -> Channel:
    ch = Channel("v", np.array([3, 4]), [_Vector(), _Vector()], interval, 0, stride=stride)
    ch.active = np.ones(2, bool)
    return ch


def test_sample_read_at_a_run_end_replaces_its_late_copy():
    """CVODE, interval 5 steps: run 1 (to step 10) delivers samples 0 and 5, the one of
    step 10 is still queued; it is taken directly, and its copy, first in run 2, dropped."""
    store, ch = AnalogStore(), _channel(stride=5, interval=5)
    for k, vec in enumerate(ch.vectors):
        vec.values = [1.0 + k, 2.0 + k]
    store.harvest(ch)
    assert ch.next_step == 10
    store.take(ch, 10, [3.0, 4.0])
    for k, vec in enumerate(ch.vectors):
        vec.values = [3.0 + k, 5.0 + k]                  # the queued copy, then step 15
    store.harvest(ch)
    steps, values = store.series("v", 3)
    np.testing.assert_array_equal(steps, [0, 5, 10, 15])
    np.testing.assert_array_equal(values, [1.0, 2.0, 3.0, 5.0])
    np.testing.assert_array_equal(store.series("v", 4)[1], [2.0, 3.0, 4.0, 6.0])


def test_stopped_cell_restarts_in_place_with_the_last_sample():
    """Every step, cell 4 stopped after run 1 (steps 0-2) and restarted after run 2
    (steps 3-4): its Vector kept filling; the restart time's sample (step 4) comes from
    the last harvest, run 3 adds steps 5-6; nothing is stored for step 3."""
    store, ch = AnalogStore(), _channel()
    ch.vectors[0].values, ch.vectors[1].values = [0.0, 1.0, 2.0], [10.0, 11.0, 12.0]
    store.harvest(ch, keep_last=True)
    ch.active[1] = False
    ch.vectors[0].values, ch.vectors[1].values = [3.0, 4.0], [13.0, 14.0]
    store.harvest(ch, keep_last=True)
    assert ch.last is not None and ch.last[0] == 4
    wake = np.array([False, True])
    store.add(ch, wake, ch.last[0], ch.last[1])
    ch.active |= wake
    ch.vectors[0].values, ch.vectors[1].values = [5.0, 6.0], [15.0, 16.0]
    store.harvest(ch, keep_last=True)
    steps, values = store.series("v", 4)
    np.testing.assert_array_equal(steps, [0, 1, 2, 4, 5, 6])
    np.testing.assert_array_equal(values, [10.0, 11.0, 12.0, 14.0, 15.0, 16.0])
    np.testing.assert_array_equal(store.series("v", 3)[0], np.arange(7))
