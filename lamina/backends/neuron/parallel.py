"""Cells over MPI processes on NEURON: which process owns a cell, and gathering results.

Under ``mpiexec -n N`` every process runs the whole script and the core hands every process
the same arrays (cells, connections, parameters). Cell ``gid`` lives on process
``gid % N`` (round robin: populations are spread evenly whatever their sizes); a process
creates only its own cells and, of each projection, only the NetCons onto them
(``ParallelContext.gid_connect`` finds presynaptic cells on other processes; NEURON
exchanges spikes every minimum delay). Results the core reads — spikes, signals, connection
attributes — are gathered from every process with ``ParallelContext.py_allgather``, so every
process (rank 0 included) sees the whole network's data: these reads are collective, and
every process must make them, in the same order (as in PyNN).

NEURON finds MPI by loading the library named by ``MPI_LIB_NRN_PATH``; the ``mpich`` wheel
installs it as ``<venv>/lib/libmpi.so.12``, which NEURON does not look for by itself.
`prepare_environment` sets it before NEURON initialises MPI.

Seam: lamina's shared distribution object (rank, process count, local cells; planned in
`lamina.distribution`) is meant to own this layout. Until it exists, `Layout` is the
NEURON backend's own; it is the only place that decides ownership, so the backend can take
the shared object in its place.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from lamina import distribution
from lamina.errors import MPIUnavailableError

logger = logging.getLogger(__name__)
_I64 = np.int64
#: library names NEURON can load as MPI, in the order they are looked for under sys.prefix
MPI_LIBRARIES = ("libmpi.so.12", "libmpi.so", "libmpi.dylib")


def mpi_library() -> Path | None:
    """The MPI library of this Python environment (the ``mpich`` wheel's), or None."""
    for name in MPI_LIBRARIES:
        path = Path(sys.prefix) / "lib" / name
        if path.exists():
            return path
    return None


def prepare_environment() -> None:
    """Point NEURON at the environment's MPI library (``MPI_LIB_NRN_PATH``) when started as
    several MPI processes and the variable is not set already."""
    if distribution.launched_processes() <= 1 or os.environ.get("MPI_LIB_NRN_PATH"):
        return
    lib = mpi_library()
    if lib is not None:
        os.environ["MPI_LIB_NRN_PATH"] = str(lib)


class Layout:
    """Which process owns which cell, and the collective gathers of results.

    Attributes
    ----------
    pc : NEURON's ``ParallelContext``; ``rank`` this process, ``nhost`` the process count
    """

    def __init__(self, pc: Any, rank: int, nhost: int) -> None:
        self.pc, self.rank, self.nhost = pc, rank, nhost

    @classmethod
    def start(cls, h: Any) -> "Layout":
        """Initialise NEURON's MPI when started as several processes (else one process).

        Raises
        ------
        MPIUnavailableError
            if NEURON cannot join the processes the launcher started.
        """
        launched = distribution.launched_processes()
        if launched > 1:
            prepare_environment()
            from mpi4py import MPI  # noqa: F401 - initialises MPI before NEURON joins it
            h.nrnmpi_init()
        pc = h.ParallelContext()
        nhost, rank = int(pc.nhost()), int(pc.id())
        if nhost != launched:
            raise MPIUnavailableError(
                f"started as {launched} MPI processes, but NEURON sees {nhost}: it could not "
                f"load MPI (MPI_LIB_NRN_PATH={os.environ.get('MPI_LIB_NRN_PATH')!r}; set it "
                "to the libmpi of the MPI that mpiexec belongs to)")
        if nhost > 1:
            logger.info("lamina.neuron: process %d of %d", rank, nhost)
        return cls(pc, rank, nhost)

    @property
    def distributed(self) -> bool:
        return self.nhost > 1

    def is_local(self, ids: np.ndarray) -> np.ndarray:
        """Boolean mask: which of `ids` this process owns."""
        ids = np.asarray(ids, _I64)
        if self.nhost == 1:
            return np.ones(len(ids), bool)
        return ids % self.nhost == self.rank

    def gather_values(self, positions: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        """The array of length `n` whose entries at `positions` each process holds."""
        values = np.asarray(values)
        if self.nhost == 1:
            return values
        parts = self.pc.py_allgather((np.asarray(positions, _I64), values))
        out = np.zeros(n, values.dtype)
        for where, vals in parts:
            out[where] = vals
        return out

    def gather_items(self, positions: np.ndarray, items: list[Any], n: int,
                     empty: Any) -> list[Any]:
        """The list of length `n` whose entries at `positions` each process holds (`empty`
        where none does)."""
        if self.nhost == 1:
            return items
        out = [empty] * n
        for where, part in self.pc.py_allgather((np.asarray(positions, _I64).tolist(), items)):
            for k, item in zip(where, part):
                out[k] = item
        return out

    def gather_signal(self, positions: np.ndarray, signal: tuple[float, float, np.ndarray],
                      n: int) -> tuple[float, float, np.ndarray]:
        """One recorded signal ``(t_start, interval, values (samples, cells))`` of `n`
        cells from the columns at `positions` each process holds."""
        if self.nhost == 1:
            return signal
        parts = self.pc.py_allgather((np.asarray(positions, _I64), signal))
        filled = [(where, sig) for where, sig in parts if len(where) and sig[2].shape[0]]
        if not filled:
            t0, step, _ = signal
            return t0, step, np.zeros((0, n))
        lengths = {sig[2].shape[0] for _, sig in filled}
        if len(lengths) != 1:
            from lamina.errors import InvalidDimensionsError
            raise InvalidDimensionsError(
                f"cells recorded over different periods ({sorted(lengths)} samples); get "
                "their data separately")
        t0, step, first = filled[0][1]
        out = np.zeros((first.shape[0], n))
        for where, sig in filled:
            out[:, where] = sig[2]
        return t0, step, out

    def barrier(self) -> None:
        if self.nhost > 1:
            self.pc.barrier()
