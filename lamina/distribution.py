"""How many processes this simulation was started in, and refusal to run silently copied.

Under ``mpiexec -n N`` every process runs the whole script. A backend that cannot
distribute a network over MPI processes (today: every backend; the engine's MPI support is
planned, and NEST's pip wheel has no MPI) would run N full, identical copies, each
believing it is alone. lamina refuses that at ``setup()`` instead.

The process count is read from the launchers' environment variables (MPICH/Hydra:
``PMI_SIZE``, ``MPI_LOCALNRANKS``; Open MPI: ``OMPI_COMM_WORLD_SIZE``; PMIx:
``PMIX_SIZE``), so that nothing is imported or initialised in an ordinary run; where one
says N > 1 and mpi4py is importable, ``MPI.COMM_WORLD`` confirms it.
"""
from __future__ import annotations

import importlib.util
import logging
import os

from lamina.errors import MPIUnavailableError

logger = logging.getLogger(__name__)

#: environment variables MPI launchers set in every process they start: the process count
LAUNCHER_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")


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
