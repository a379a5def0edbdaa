"""lamina.nest on a NEST built with MPI (conda-forge's ``nest-simulator``, or a source
build with ``-Dwith-mpi=ON``): rank, process count and locality come from NEST's kernel.

NEST distributes the nodes itself: node ``k`` lives on virtual process ``k % V`` (V =
``total_num_virtual_procs``), and virtual process ``v`` on MPI rank ``v % P``. Connections
and recorders are held on the rank of their target/recorded node, so the backend already
returns each rank's part; the core gathers recorded data over the ranks
(`lamina.distribution.Distribution`). The pip wheel of NEST has no MPI (``have_mpi`` is
false): under ``mpiexec`` it is refused at ``setup()`` (`lamina.distribution.check_can_run`).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.errors import MPIUnavailableError


def nest_has_mpi(nest: Any) -> bool:
    """Whether this NEST was built with MPI."""
    try:
        return bool(nest.GetKernelStatus("build_info").get("have_mpi", False))
    except Exception:  # noqa: BLE001 - an older NEST without build_info: assume not
        return False


def owner_of_nodes(node_ids: np.ndarray, virtual_processes: int, processes: int) -> np.ndarray:
    """MPI rank holding each NEST node: ``(node_id % V) % P`` (NEST's round-robin)."""
    return (np.asarray(node_ids, np.int64) % virtual_processes) % processes


def attach(backend: Any, nest: Any) -> None:
    """Where NEST runs in several MPI processes, make the backend's `Distribution` report
    NEST's locality (lamina IDs mapped to NEST node ids by ``backend.state.node_of``)."""
    processes = int(nest.NumProcesses())
    if processes <= 1:
        return
    dist = backend.distribution
    if dist.size != processes or dist.rank != int(nest.Rank()):
        raise MPIUnavailableError(
            f"NEST reports rank {nest.Rank()} of {processes} MPI processes but mpi4py "
            f"rank {dist.rank} of {dist.size}: NEST and mpi4py must use the same MPI "
            "library (install both from conda-forge, or build mpi4py against NEST's MPI)")

    def owner(ids: np.ndarray) -> np.ndarray:
        vps = int(nest.GetKernelStatus("total_num_virtual_procs"))
        return owner_of_nodes(backend.state.node_of[np.asarray(ids, np.int64)], vps, processes)

    dist.owner_override = owner
