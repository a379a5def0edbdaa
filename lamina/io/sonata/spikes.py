"""SONATA spike files and membrane reports.

Spike files: ``/spikes/<node population>/{node_ids, timestamps}`` (the current layout, with
a ``sorting`` attribute: none, by_id or by_time, and ``units`` on the timestamps), and, for
reading only, the older ``/spikes/{gids, timestamps}`` that PyNN 0.13 writes. Reports:
``/report/<node population>/data`` (samples x cells) with ``mapping/{node_ids,
index_pointer, element_ids, time}``, time = (start, stop, step) [ms].
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.errors import FileFormatError, InvalidParameterValueError
from lamina.io.sonata.files import create_h5, open_h5, read_array, require

#: ``spikes_sort_order`` values -> the file's ``sorting`` attribute
SORTING = {"time": "by_time", "by_time": "by_time", "id": "by_id", "by_id": "by_id",
           "gid": "by_id", "none": "none", None: "none"}


def read_spikes(path: str) -> dict[str | None, tuple[np.ndarray, np.ndarray]]:
    """{node population (None for the old layout): (node ids, times [ms])}."""
    with open_h5(path) as fh:
        root = require(fh, "spikes", path, "a group 'spikes'")
        if "gids" in root and "timestamps" in root:
            ids = read_array(root, "gids", path, "one node id per spike", kind="iu")
            times = read_array(root, "timestamps", path, "one time per spike", ids.size, "fiu")
            return {None: (ids.astype(np.int64), times.astype(float))}
        out: dict[str | None, tuple[np.ndarray, np.ndarray]] = {}
        for name, group in root.items():
            ids = read_array(group, "node_ids", path, "one node id per spike", kind="iu")
            ts = require(group, "timestamps", path, "one time per spike")
            times = read_array(group, "timestamps", path, "one time per spike", ids.size, "fiu")
            units = ts.attrs.get("units", "ms")
            units = units.decode() if isinstance(units, bytes) else str(units)
            scale = {"ms": 1.0, "s": 1000.0}.get(units)
            if scale is None:
                raise FileFormatError(f"{path}: {ts.name} has units {units!r}; expected 'ms' "
                                      "or 's'")
            out[name] = (ids.astype(np.int64), times.astype(float) * scale)
        return out


def write_spikes(path: str, spikes: dict[str, tuple[np.ndarray, np.ndarray]],
                 sort_order: str | None = "time") -> None:
    """Write {node population: (node ids, times [ms])} as a SONATA spike file."""
    if sort_order not in SORTING:
        raise InvalidParameterValueError(f"spikes_sort_order={sort_order!r}: expected one of "
                                         "'time', 'id', 'none'")
    sorting = SORTING[sort_order]
    with create_h5(path) as fh:
        root = fh.create_group("spikes")
        for name, (ids, times) in spikes.items():
            ids, times = np.asarray(ids, dtype=np.uint64), np.asarray(times, dtype=np.float64)
            if sorting == "by_time":
                order = np.lexsort((ids, times))
            elif sorting == "by_id":
                order = np.lexsort((times, ids))
            else:
                order = np.arange(ids.size)
            group = root.create_group(name)
            group.attrs["sorting"] = sorting
            group.create_dataset("node_ids", data=ids[order])
            ds = group.create_dataset("timestamps", data=times[order])
            ds.attrs["units"] = "ms"


def write_report(path: str, columns: dict[str, tuple[np.ndarray, np.ndarray]],
                 t_start: float, t_stop: float, dt: float, variable: str, units: str) -> None:
    """Write one variable as a SONATA report: `columns` maps a node population to
    (node ids, data of shape samples x cells); times [ms]."""
    with create_h5(path) as fh:
        for population, (node_ids, data) in columns.items():
            n = int(np.asarray(node_ids).size)
            group = fh.create_group(f"report/{population}")
            ds = group.create_dataset("data", data=np.asarray(data, dtype=np.float32))
            ds.attrs["units"] = units
            ds.attrs["variable_name"] = variable
            mapping = group.create_group("mapping")
            mapping.create_dataset("node_ids", data=np.asarray(node_ids, dtype=np.uint64))
            mapping.create_dataset("index_pointer", data=np.arange(n + 1, dtype=np.uint64))
            mapping.create_dataset("element_ids", data=np.zeros(n, dtype=np.uint32))
            time = mapping.create_dataset("time", data=np.array([t_start, t_stop, dt]))
            time.attrs["units"] = "ms"


def read_report(path: str) -> dict[str, Any]:
    """{population: {"node_ids", "data", "time": (start, stop, step)}} from a report file."""
    with open_h5(path) as fh:
        root = require(fh, "report", path, "a group 'report'")
        out = {}
        for name, group in root.items():
            data = np.asarray(require(group, "data", path, "samples x cells")[()])
            mapping = require(group, "mapping", path, "a group 'mapping'")
            out[name] = {"data": data,
                         "node_ids": read_array(mapping, "node_ids", path, "one id per column"),
                         "time": tuple(np.asarray(require(mapping, "time", path,
                                                          "(start, stop, step)")[()]).tolist())}
        return out
