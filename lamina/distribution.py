"""Which MPI process this is, how many there are, and which cells each one simulates.

Under ``mpiexec -n N`` every process runs the whole script. `Distribution` is the one
object core and backends share for the process layout: ``rank``, ``size`` (the process
count), the MPI communicator, and which cells are local. The core registers every new
population's IDs with `add_cells`; a population of n cells is cut into N contiguous
blocks, rank r owning the cells at indices ``n*r//N .. n*(r+1)//N - 1`` (a rank may own
none), unless the backend's simulator places cells itself and says so through
``owner_override`` (NEST: its round robin over virtual processes; NEURON: gid % N). The
engine, NEURON and NEST (built with MPI) distribute (`Backend.can_distribute`): each
process simulates only its local cells, and its backend returns the data (spikes,
signals, connections) of those only; the core gathers them (`gather_objects`, `sum`, the
communicator's allgather). `check_can_run` refuses, at ``setup()``, a backend that cannot,
since it would run N full, identical copies each believing it is alone.

The process count is read from the launchers' environment variables (MPICH/Hydra:
``PMI_SIZE``, ``MPI_LOCALNRANKS``; Open MPI: ``OMPI_COMM_WORLD_SIZE``; PMIx:
``PMIX_SIZE``), so that nothing is imported or initialised in an ordinary run; where one
says N > 1 and mpi4py is importable, ``MPI.COMM_WORLD`` confirms it.

Never a hang: an exception that reaches the top level of one process of a distributed run
is logged and then ends every process (``MPI.COMM_WORLD.Abort``), since the others would
wait for it in the next collective call; `check_same` lets every process see the same
inconsistency (and raise it) instead of blocking in mismatched collectives.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import sys
from typing import Any

import numpy as np

from lamina.errors import InvalidModelError, MPIUnavailableError, NotLocalError

logger = logging.getLogger(__name__)

#: environment variables MPI launchers set in every process they start: the process count
LAUNCHER_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")
_I64 = np.int64


def launched_processes() -> int:
    """Number of processes the MPI launcher started (1 outside a launcher)."""
    sizes = []
    for name in LAUNCHER_SIZE_VARIABLES:
        try:
            sizes.append(int(os.environ[name]))
        except (KeyError, ValueError):
            continue
    if not sizes or max(sizes) <= 1:
        return 1
    if importlib.util.find_spec("mpi4py") is not None:
        try:
            from mpi4py import MPI
            return int(MPI.COMM_WORLD.Get_size())
        except Exception as err:  # noqa: BLE001 - a broken MPI install: trust the launcher
            logger.debug("mpi4py could not report the process count: %s", err)
    return max(sizes)


def check_can_run(backend_name: str, can_distribute: bool, hint: str = "") -> None:
    """Raise `MPIUnavailableError` when started in several MPI processes that the backend
    cannot share a network between (or without mpi4py to connect them)."""
    n = launched_processes()
    if n <= 1:
        return
    has_mpi4py = importlib.util.find_spec("mpi4py") is not None
    if can_distribute and has_mpi4py:
        return
    if not has_mpi4py:
        reason = ("mpi4py is not installed, so the processes cannot exchange spikes; "
                  "install MPI support with `pip install lamina[mpi]` (mpi4py and mpich)")
        if not can_distribute:
            reason += (f"; and the {backend_name!r} backend cannot distribute a network "
                       f"over MPI processes yet either{f' ({hint})' if hint else ''}")
    else:
        reason = (f"the {backend_name!r} backend cannot distribute a network over MPI "
                  f"processes{f' ({hint})' if hint else ''}")
    raise MPIUnavailableError(
        f"this script was started as {n} MPI processes (mpiexec -n {n}), but {reason}. "
        f"Each process would run the whole network as an identical copy; run it as one "
        f"process (python script.py), and use threads (setup(threads=...)) for parallelism")


class Distribution:
    """Rank, process count and cell ownership of one simulation.

    Parameters
    ----------
    comm : mpi4py communicator or None — None: one process (rank 0 of 1)
    """

    def __init__(self, comm: Any = None) -> None:
        self.comm = comm
        self.rank = int(comm.Get_rank()) if comm is not None else 0
        self.size = int(comm.Get_size()) if comm is not None else 1
        self._first = np.zeros(0, _I64)   # first ID of each registered block of cells
        self._count = np.zeros(0, _I64)   # cells in each block
        #: a backend whose simulator decides locality itself (NEST, NEURON over MPI) sets
        #: this to ``f(ids) -> owner rank per id``
        self.owner_override: Any = None

    @classmethod
    def from_environment(cls) -> "Distribution":
        """One process outside an MPI launcher, else ``MPI.COMM_WORLD`` (mpi4py), with the
        abort-on-uncaught-error hook installed."""
        if launched_processes() <= 1:
            return cls()
        from mpi4py import MPI
        dist = cls(MPI.COMM_WORLD)
        if dist.size > 1:
            install_abort_hook()
        return dist

    @property
    def distributed(self) -> bool:
        """Whether several processes share the network."""
        return self.size > 1

    # -- ownership ----------------------------------------------------------------------
    def add_cells(self, ids: np.ndarray) -> None:
        """Register a new block of consecutive IDs (one population), cut over the ranks."""
        ids = np.asarray(ids, _I64)
        if len(ids) == 0:
            return
        self._first = np.append(self._first, ids[0])
        self._count = np.append(self._count, len(ids))

    def owner(self, ids: Any) -> np.ndarray:
        """Rank that simulates each of `ids` (int64 array)."""
        ids = np.atleast_1d(np.asarray(ids, _I64))
        if self.size == 1:
            return np.zeros(len(ids), _I64)
        if self.owner_override is not None:
            return np.asarray(self.owner_override(ids), _I64)
        block = np.searchsorted(self._first, ids, side="right") - 1
        if len(ids) and (np.any(block < 0) or np.any(
                ids >= self._first[block] + self._count[block])):
            bad = ids[(block < 0) | (ids >= self._first[np.maximum(block, 0)]
                                     + self._count[np.maximum(block, 0)])]
            raise NotLocalError(f"cell ID(s) {bad[:5].tolist()} are not registered with the "
                                f"process layout (created on another process only?)")
        n = self._count[block]
        index = ids - self._first[block]
        # rank r owns indices n*r//P .. n*(r+1)//P - 1
        return ((index + 1) * self.size + n - 1) // n - 1

    def is_local(self, ids: Any) -> np.ndarray:
        """Boolean mask: which of `ids` this process simulates."""
        ids = np.atleast_1d(np.asarray(ids, _I64))
        if self.size == 1:
            return np.ones(len(ids), bool)
        if self.owner_override is None and len(ids):
            # the usual case, IDs of one population: two comparisons with its local block
            lo, hi = int(ids.min()), int(ids.max())
            first_block, last_block = np.searchsorted(self._first, [lo, hi], side="right") - 1
            if first_block == last_block >= 0 \
                    and hi < self._first[first_block] + self._count[first_block]:
                n, first = int(self._count[first_block]), int(self._first[first_block])
                start = first + n * self.rank // self.size
                stop = first + n * (self.rank + 1) // self.size
                return (ids >= start) & (ids < stop)
        return self.owner(ids) == self.rank

    def require_local(self, ids: Any, what: str) -> None:
        """Raise `NotLocalError` naming the first of `ids` that lives on another rank."""
        ids = np.atleast_1d(np.asarray(ids, _I64))
        owners = self.owner(ids)
        bad = np.flatnonzero(owners != self.rank)
        if len(bad):
            i = int(bad[0])
            raise NotLocalError(
                f"{what}: cell ID {int(ids[i])} lives on MPI rank {int(owners[i])}, not on "
                f"this process (rank {self.rank} of {self.size}); ask for the local cells "
                f"only (population.local_cells) or gather=True on every rank")

    # -- collectives ----------------------------------------------------------------------
    def check_same(self, what: str, value: Any) -> None:
        """Collective: raise `InvalidModelError` on every rank unless all ranks passed an
        equal `value` (e.g. the number of cells before a run)."""
        if self.size == 1:
            return
        values = self.comm.allgather(value)
        if any(v != values[0] for v in values[1:]):
            shown = ", ".join(f"rank {r}: {v}" for r, v in enumerate(values))
            raise InvalidModelError(
                f"the MPI processes disagree on {what} ({shown}); every process must build "
                f"the same network (same populations, projections, run times) in the same "
                f"order, e.g. nothing created or run under `if rank() == 0`")

    def gather_objects(self, obj: Any) -> list[Any] | None:
        """Collective: `obj` of every rank, in rank order, on rank 0 (None elsewhere)."""
        if self.size == 1:
            return [obj]
        return self.comm.gather(obj, root=0)

    def sum(self, value: int) -> int:
        """Collective: sum of an integer over all ranks (on every rank)."""
        if self.size == 1:
            return int(value)
        return int(self.comm.allreduce(int(value)))

    def describe(self) -> dict[str, Any]:
        return {"mpi_processes": self.size, "rank": self.rank,
                "cell_distribution": "contiguous blocks of each population per rank"
                if self.owner_override is None else "by the simulator"}


def install_abort_hook() -> None:
    """End every MPI process when one dies of an uncaught exception (the others would wait
    for it forever in the next collective call)."""
    if getattr(sys.excepthook, "_lamina_abort", False):
        return
    previous = sys.excepthook

    def abort_all(kind: Any, value: Any, tb: Any) -> None:
        previous(kind, value, tb)
        try:
            from mpi4py import MPI
            rank = MPI.COMM_WORLD.Get_rank()
            sys.stderr.write(f"lamina: uncaught {kind.__name__} on MPI rank {rank}; "
                             "aborting all processes (MPI_Abort) so none waits forever\n")
            sys.stderr.flush()
            MPI.COMM_WORLD.Abort(1)
        except Exception:  # noqa: BLE001 - MPI already gone: nothing to end
            pass

    abort_all._lamina_abort = True  # type: ignore[attr-defined]
    sys.excepthook = abort_all
