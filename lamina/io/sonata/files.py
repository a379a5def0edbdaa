"""Low-level access to SONATA files: h5py on demand, checked reads that name the file and
the element, the space-separated type tables (CSV), and writing through a temporary file."""
from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from lamina.errors import BackendNotAvailableError, FileFormatError

#: SONATA's magic number in the ``magic`` attribute of node, edge and spike files
MAGIC = 0x0A7A
#: cell values that mean "not given" in bmtk's and PyNN's type tables
MISSING = ("NULL", "NONE", "None", "")


def h5py() -> Any:
    """The h5py module, or `BackendNotAvailableError` naming the extra to install."""
    try:
        import h5py as module
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise BackendNotAvailableError(
            "SONATA files need h5py: pip install lamina[sonata]") from err
    return module


def open_h5(path: str) -> Any:
    """Open a SONATA HDF5 file for reading; check its magic number if it has one."""
    if not os.path.isfile(path):
        raise FileFormatError(f"{path}: no such SONATA file")
    try:
        fh = h5py().File(path, "r")
    except OSError as err:
        raise FileFormatError(f"{path}: not an HDF5 file ({err})") from err
    magic = fh.attrs.get("magic")
    if magic is not None and int(np.asarray(magic).ravel()[0]) != MAGIC:
        fh.close()
        raise FileFormatError(f"{path}: attribute 'magic' is {int(np.asarray(magic).ravel()[0])}"
                              f", expected {MAGIC} (0x0A7A) for a SONATA file")
    return fh


def require(group: Any, name: str, path: str, expected: str) -> Any:
    """``group[name]``, or `FileFormatError` naming file, element and what was expected."""
    if name not in group:
        raise FileFormatError(f"{path}: {group.name.rstrip('/')}/{name} is missing; expected "
                              f"{expected}")
    return group[name]


def read_array(group: Any, name: str, path: str, expected: str, length: int | None = None,
               kind: str | None = None) -> np.ndarray:
    """A 1-d dataset as a numpy array, checked for length and dtype kind ('iu', 'f', ...)."""
    dataset = require(group, name, path, expected)
    arr = np.asarray(dataset[()])
    where = f"{path}: {dataset.name}"
    if arr.ndim != 1:
        raise FileFormatError(f"{where} has shape {arr.shape}; expected {expected}")
    if length is not None and arr.size != length:
        raise FileFormatError(f"{where} has {arr.size} entries; expected {length} ({expected})")
    if kind is not None and arr.size and arr.dtype.kind not in kind:
        raise FileFormatError(f"{where} has dtype {arr.dtype}; expected {expected}")
    return arr


def decode(value: Any) -> Any:
    """HDF5 bytes -> str (also inside arrays)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.dtype.kind in "SO":
        return np.array([decode(v) for v in value], dtype=object)
    return value


def cast(text: str) -> Any:
    """A table cell as int, float, str, or None for the 'missing' markers."""
    if text is None or text in MISSING:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read_types_table(path: str, id_column: str) -> dict[int, dict[str, Any]]:
    """A node or edge types table (space-separated, quoted) as {type id: {column: value}}."""
    if not os.path.isfile(path):
        raise FileFormatError(f"{path}: no such SONATA types file")
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=" ", quotechar='"', skipinitialspace=True))
    table: dict[int, dict[str, Any]] = {}
    for line, row in enumerate(rows, start=2):
        if id_column not in row or cast(row[id_column]) is None:
            raise FileFormatError(f"{path}: line {line} has no {id_column!r} value; expected an "
                                  f"integer type id in column {id_column!r}")
        type_id = cast(row[id_column])
        if not isinstance(type_id, int):
            raise FileFormatError(f"{path}: line {line}: {id_column}={row[id_column]!r}; "
                                  "expected an integer")
        table[type_id] = {k: cast(v) for k, v in row.items() if k != id_column and k is not None}
    return table


def write_types_table(path: str, id_column: str, rows: list[dict[str, Any]]) -> None:
    """Write a types table: `id_column` first, then the other columns sorted; 'NONE' for
    values a row does not have."""
    columns = sorted({k for row in rows for k in row} - {id_column})
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        writer = csv.writer(fh, delimiter=" ", quotechar='"', quoting=csv.QUOTE_MINIMAL)
        writer.writerow([id_column, *columns])
        for row in rows:
            writer.writerow([row[id_column], *[_cell(row.get(c)) for c in columns]])


def _cell(value: Any) -> str:
    if value is None:
        return "NONE"
    if isinstance(value, float):
        return repr(value)
    return str(value)


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary name next to `path`; on success it replaces `path`, so a crash
    never leaves a half-written file under the final name."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextlib.contextmanager
def create_h5(path: str) -> Iterator[Any]:
    """A new SONATA HDF5 file (magic and version attributes set), written atomically."""
    with atomic_path(path) as tmp:
        with h5py().File(tmp, "w") as fh:
            fh.attrs["magic"] = np.uint32(MAGIC)
            fh.attrs["version"] = np.array([0, 1], dtype=np.uint32)
            yield fh
