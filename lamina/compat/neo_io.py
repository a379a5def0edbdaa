"""``neo.io.PyNNTextIO``, which PyNN scripts (e.g. the Potjans-Diesmann microcircuit) use
but Neo 0.14 no longer has: a writer of the PyNN text format, added to ``neo.io`` while
`lamina.compat` is installed (and only if Neo lacks it).

Format: ``# key = value`` header lines, then tab-separated rows: for spike trains
``time  index`` (ms, the cell's index in its population), sorted by time; for an analog
signal ``value  index``, cell by cell.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.errors import NothingToWriteError


class PyNNTextIO:
    """Write Neo segments in PyNN's text format to `filename`."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def write_segment(self, segment: Any) -> None:
        """Write the spike trains of `segment` or, if it has none, its first signal."""
        if len(segment.spiketrains):
            rows = [np.column_stack([np.asarray(st.rescale("ms").magnitude, float),
                                     np.full(len(st), st.annotations.get("source_index", k))])
                    for k, st in enumerate(segment.spiketrains)]
            data = np.vstack(rows) if rows else np.zeros((0, 2))
            data = data[np.lexsort((data[:, 1], data[:, 0]))]
            header = {"variable": "spikes", "n": len(segment.spiketrains)}
        elif segment.analogsignals:
            signal = segment.analogsignals[0]
            values = np.asarray(signal.magnitude, float)
            channels = np.asarray(signal.array_annotations.get(
                "channel_index", np.arange(values.shape[1])))
            data = np.column_stack([values.T.ravel(), np.repeat(channels, values.shape[0])])
            header = {"variable": signal.name, "n": values.shape[1],
                      "dt": float(signal.sampling_period.rescale("ms").magnitude)}
        else:
            raise NothingToWriteError(f"{self.filename}: the segment holds no data")
        text = "\n".join(f"{k} = {v}" for k, v in header.items())
        np.savetxt(self.filename, data, fmt="%g", delimiter="\t", header=text)

    def write_block(self, block: Any) -> None:
        """Write the last segment of `block`."""
        self.write_segment(block.segments[-1])

    write = write_block


def install() -> bool:
    """Add `PyNNTextIO` to ``neo.io`` if Neo lacks it; True if it was added."""
    import neo.io
    if hasattr(neo.io, "PyNNTextIO"):
        return False
    neo.io.PyNNTextIO = PyNNTextIO
    return True


def uninstall() -> None:
    """Remove what `install` added."""
    import neo.io
    if getattr(neo.io, "PyNNTextIO", None) is PyNNTextIO:
        del neo.io.PyNNTextIO
