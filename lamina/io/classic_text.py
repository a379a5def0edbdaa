"""The classic PyNN 0.4-0.7 text formats written by `printSpikes`, `print_v`,
`print_gsyn` and by the classic procedural `record`/`record_v`/`record_gsyn`.

Every file starts with header lines ``# key = value`` (first_id, last_id, n, dimensions,
dt, label, columns), then one row per spike or sample, tab-separated:

* spikes: ``t  index`` — spike time [ms] and the cell's index in the population, rows
  sorted by time then index;
* v: ``v  index`` — membrane potential [mV], rows grouped by cell and ordered by time
  (sample k of a cell is at t = k * dt from the segment start);
* gsyn: ``g_exc  g_inh  index`` [uS], ordered like v.

Only the last segment (the data since the last `reset`) is written. The caller
(`lamina.classic`) hands over that neo Segment and the header values: plain data.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.atomic_write import savetxt

from lamina.errors import NothingToWriteError


#: variables behind each kind of classic file
VARIABLES: dict[str, list[str]] = {"spikes": ["spikes"], "v": ["v"],
                                   "gsyn": ["gsyn_exc", "gsyn_inh"]}


def _header(info: dict[str, Any], columns: list[str]) -> str:
    lines = {**info, "columns": ", ".join(columns)}
    return "\n".join(f"{k} = {v}" for k, v in lines.items())


def spike_rows(segment: Any) -> np.ndarray:
    """(t, index) rows of a neo Segment's spike trains, sorted by time then index."""
    parts = [np.column_stack([np.asarray(st.magnitude, dtype=float),
                              np.full(len(st), st.annotations["source_index"])])
             for st in segment.spiketrains]
    rows = np.vstack(parts) if parts else np.zeros((0, 2))
    return rows[np.lexsort((rows[:, 1], rows[:, 0]))]


def signal_rows(segment: Any, variables: list[str], label: str) -> np.ndarray:
    """(values..., index) rows of a neo Segment's samples, grouped by cell; `label` names
    the cells in the error raised when a variable was not recorded."""
    signals = {s.name: s for s in segment.analogsignals}
    missing = [v for v in variables if v not in signals]
    if missing:
        raise NothingToWriteError(f"{label!r}: {', '.join(missing)} not recorded")
    first = signals[variables[0]]
    index = first.array_annotations["channel_index"]
    columns = [np.asarray(signals[v].magnitude).T.ravel() for v in variables]
    n_samples = first.shape[0]
    return np.column_stack([*columns, np.repeat(index, n_samples)])


def _rows(segment: Any, kind: str, label: str) -> np.ndarray:
    return spike_rows(segment) if kind == "spikes" else signal_rows(segment, VARIABLES[kind],
                                                                    label)


def write(path: Any, segment: Any, kind: str, info: dict[str, Any]) -> None:
    """Write the classic text file of `kind` ('spikes', 'v' or 'gsyn') from the neo
    Segment of one population's cells. `info` holds the header: first_id, last_id, n,
    dimensions, dt [ms], label."""
    columns = {"spikes": ["t", "index"], "v": ["v", "index"],
               "gsyn": ["g_exc", "g_inh", "index"]}[kind]
    fmt = ["%.10g"] * (len(columns) - 1) + ["%d"]
    savetxt(path, _rows(segment, kind, str(info.get("label", ""))), fmt=fmt, delimiter="\t",
            header=_header(info, columns))


def write_many(path: Any, parts: list[tuple[Any, int, str]], kind: str, n: int,
               dt: float) -> None:
    """Write one classic text file for cells spread over several populations (the
    procedural API given a list of IDs): `parts` holds (neo Segment, first ID, label) per
    population, `n` the number of cells; rows carry global IDs instead of indices."""
    blocks = []
    for segment, first_id, label in parts:
        rows = _rows(segment, kind, label)
        rows[:, -1] += first_id
        blocks.append(rows)
    rows = np.vstack(blocks)
    if kind == "spikes":
        rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    columns = {"spikes": ["t", "id"], "v": ["v", "id"], "gsyn": ["g_exc", "g_inh", "id"]}[kind]
    fmt = ["%.10g"] * (len(columns) - 1) + ["%d"]
    savetxt(path, rows, fmt=fmt, delimiter="\t",
            header=f"n = {n}\ndt = {dt}\ncolumns = {', '.join(columns)}")
