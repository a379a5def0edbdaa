"""Cells over MPI processes on NEURON: NEURON's MPI start and which process owns a cell.

Under ``mpiexec -n N`` every process runs the whole script and the core hands every process
the same arrays (cells, connections, parameters). Cell ``gid`` lives on process
``gid % N`` (round robin: populations are spread evenly whatever their sizes); a process
creates only its own cells and, of each projection, only the NetCons onto them
(``ParallelContext.gid_connect`` finds presynaptic cells on other processes; NEURON
exchanges spikes every minimum delay). The backend returns the spikes, signals and
connections of its own cells only; the core gathers them over the processes
(`lamina.core.recording.gather_segments`, ``Projection.get(gather=True)``), as for every
backend.

NEURON finds MPI by loading the library named by ``MPI_LIB_NRN_PATH``; the ``mpich`` wheel
installs it as ``<venv>/lib/libmpi.so.12``, which NEURON does not look for by itself.
`prepare_environment` sets it before NEURON initialises MPI.

Ownership has one source of truth, the simulation's `lamina.distribution.Distribution`
(shared by core and backend): `Layout.start` sets its ``owner_override`` to the round robin
(`round_robin_owner`), so the core's idea of which cells are local (what it asks the
backend for, which connections it counts) is NEURON's; the backend asks the Distribution
too (``Backend.is_local``).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from lamina import distribution
from lamina.distribution import Distribution
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


def round_robin_owner(processes: int) -> Any:
    """``f(ids) -> rank of each id``: cell ``gid`` on process ``gid % processes``."""
    def owner(ids: np.ndarray) -> np.ndarray:
        return np.asarray(ids, _I64) % processes
    return owner


class Layout:
    """NEURON's ``ParallelContext`` joined to the simulation's processes.

    Attributes
    ----------
    pc : NEURON's ``ParallelContext``; ``rank`` this process, ``nhost`` the process count
    """

    def __init__(self, pc: Any, rank: int, nhost: int) -> None:
        self.pc, self.rank, self.nhost = pc, rank, nhost

    @classmethod
    def start(cls, h: Any, dist: Distribution) -> "Layout":
        """Initialise NEURON's MPI when started as several processes (else one process),
        and make `dist` report NEURON's ownership of cells (`round_robin_owner`).

        Raises
        ------
        MPIUnavailableError
            if NEURON cannot join the processes the launcher started, or sees another
            rank or process count than mpi4py (`dist`).
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
        if (nhost, rank) != (dist.size, dist.rank):
            raise MPIUnavailableError(
                f"NEURON reports rank {rank} of {nhost} MPI processes but mpi4py rank "
                f"{dist.rank} of {dist.size}: NEURON and mpi4py must use the same MPI "
                f"library (MPI_LIB_NRN_PATH={os.environ.get('MPI_LIB_NRN_PATH')!r})")
        if nhost > 1:
            dist.owner_override = round_robin_owner(nhost)
            logger.info("lamina.neuron: process %d of %d", rank, nhost)
        return cls(pc, rank, nhost)

    @property
    def distributed(self) -> bool:
        return self.nhost > 1

    def barrier(self) -> None:
        if self.nhost > 1:
            self.pc.barrier()
