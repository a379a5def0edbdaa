"""The classic PyNN 0.4-0.7 text formats written by `printSpikes`, `print_v`,
`print_gsyn` and by the classic procedural `record`/`record_v`/`record_gsyn`.

Every file starts with header lines ``# key = value`` (first_id, last_id, n, dimensions,
dt, label, columns), then one row per spike or sample, tab-separated:

* spikes: ``t  index`` — spike time [ms] and the cell's index in the population, rows
  sorted by time then index;
* v: ``v  index`` — membrane potential [mV], rows grouped by cell and ordered by time
  (sample k of a cell is at t = k * dt from the segment start);
* gsyn: ``g_exc  g_inh  index`` [uS], ordered like v.

Only the last segment (the data since the last `reset`) is written.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.atomic_write import savetxt

from lamina.errors import NothingToWriteError


def _header(cells: Any, dt: float, columns: list[str], n: int) -> str:
    root = cells.grandparent
    lines = {"first_id": int(cells.all_ids[0]) if cells.size else "", "n": n,
             "last_id": int(cells.all_ids[-1]) if cells.size else "",
             "dimensions": list(root.dim), "dt": dt, "label": cells.label,
             "columns": ", ".join(columns)}
    return "\n".join(f"{k} = {v}" for k, v in lines.items())


def spike_rows(cells: Any) -> np.ndarray:
    """(t, index) rows of the last segment's spikes of `cells`, sorted by time."""
    seg = cells.get_data("spikes").segments[-1]
    parts = [np.column_stack([np.asarray(st.magnitude, dtype=float),
                              np.full(len(st), st.annotations["source_index"])])
             for st in seg.spiketrains]
    rows = np.vstack(parts) if parts else np.zeros((0, 2))
    return rows[np.lexsort((rows[:, 1], rows[:, 0]))]


def signal_rows(cells: Any, variables: list[str]) -> np.ndarray:
    """(values..., index) rows of the last segment's samples, grouped by cell."""
    seg = cells.get_data(variables).segments[-1]
    signals = {s.name: s for s in seg.analogsignals}
    missing = [v for v in variables if v not in signals]
    if missing:
        raise NothingToWriteError(f"{cells.label!r}: {', '.join(missing)} not recorded")
    first = signals[variables[0]]
    index = first.array_annotations["channel_index"]
    columns = [np.asarray(signals[v].magnitude).T.ravel() for v in variables]
    n_samples = first.shape[0]
    return np.column_stack([*columns, np.repeat(index, n_samples)])


def write(path: Any, cells: Any, kind: str) -> None:
    """Write the classic text file of `kind` ('spikes', 'v' or 'gsyn') for `cells`."""
    if kind == "spikes":
        rows, columns, fmt = spike_rows(cells), ["t", "index"], ["%.10g", "%d"]
    elif kind == "v":
        rows, columns, fmt = signal_rows(cells, ["v"]), ["v", "index"], ["%.10g", "%d"]
    else:
        rows, columns = signal_rows(cells, ["gsyn_exc", "gsyn_inh"]), ["g_exc", "g_inh", "index"]
        fmt = ["%.10g", "%.10g", "%d"]
    dt = cells.grandparent._simulation.dt
    savetxt(path, rows, fmt=fmt, delimiter="\t", header=_header(cells, dt, columns, cells.size))


def write_many(path: Any, members: list[Any], kind: str) -> None:
    """Write one classic text file for cells spread over several populations (the
    procedural API given a list of IDs); rows carry global IDs instead of indices."""
    blocks = []
    for cells in members:
        rows = spike_rows(cells) if kind == "spikes" else signal_rows(
            cells, ["v"] if kind == "v" else ["gsyn_exc", "gsyn_inh"])
        rows[:, -1] += cells.grandparent.first_id
        blocks.append(rows)
    rows = np.vstack(blocks)
    if kind == "spikes":
        rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    columns = {"spikes": ["t", "id"], "v": ["v", "id"], "gsyn": ["g_exc", "g_inh", "id"]}[kind]
    fmt = ["%.10g"] * (len(columns) - 1) + ["%d"]
    header = f"n = {sum(m.size for m in members)}\ndt = " \
             f"{members[0].grandparent._simulation.dt}\ncolumns = {', '.join(columns)}"
    savetxt(path, rows, fmt=fmt, delimiter="\t", header=header)

