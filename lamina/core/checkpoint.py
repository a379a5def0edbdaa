"""Checkpoints: ``save_state(path)`` / ``restore_state(path)`` (a lamina extension; PyNN
and NEST have none).

A checkpoint holds the *dynamic* state of a simulation: time, every state variable of
every cell, refractory counters, the ring buffers of pending synaptic input, the positions
of the random streams (the engine draws Poisson and GIF randomness from counters keyed by
seed, reset segment, cell and step, so time and segment fix them), and the spikes recorded
since the last ``get_data(clear=True)`` / reset. It does not hold the network: the script
rebuilds the same network (same populations, projections, parameters, seeds) in a new
process, then calls ``restore_state(path)`` and continues; the spikes and signals from
there on are bitwise those of an uninterrupted run. Analog signals recorded *before* the
checkpoint are not in it (write them out first); after restoring they are recorded from
the restored time on, starting with a sample at that time.

File format (version 1): a numpy ``.npz`` archive (no pickle), written crash-safe
(`lamina.atomic_write`):

* ``meta``: a JSON document ``{"format": "lamina-checkpoint", "version": 1, "backend",
  "dt", "rng_seed", "t", "segment", "network": {"populations": [[label, size, cell type],
  ...], "projections": [[label, connections, synapse type, crc32 of (pre, post, weight,
  delay)], ...]}}``;
* ``backend/<name>``: the backend's arrays (`Backend.dynamic_state`).

Restoring checks format, version, backend, dt, seed and the network description against
the current simulation and refuses any mismatch with `CheckpointMismatchError`, naming it.
Backends without checkpoints (NEST: its kernel state cannot be read back) refuse with
`NoModelAvailableError`.
"""
from __future__ import annotations

import json
import os
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from lamina.atomic_write import replacing
from lamina.errors import CheckpointMismatchError, InvalidParameterValueError, NoModelAvailableError

if TYPE_CHECKING:
    from lamina.core.simulation import Simulation

FORMAT = "lamina-checkpoint"
VERSION = 1


def describe_network(sim: "Simulation") -> dict[str, list]:
    """Populations and projections of `sim`, with a checksum of each projection's
    connections: what a checkpoint must match."""
    pops = [[p.label, int(p.size), type(p.celltype).__name__] for p in sim.populations]
    prjs = []
    for prj in sim.projections:
        pre, post = sim.backend.connection_ids(prj._id)
        crc = zlib.crc32(np.ascontiguousarray(pre, np.int64).tobytes())
        crc = zlib.crc32(np.ascontiguousarray(post, np.int64).tobytes(), crc)
        for name in ("weight", "delay"):
            values = sim.backend.get_connection_values(prj._id, name)
            crc = zlib.crc32(np.ascontiguousarray(values, np.float64).tobytes(), crc)
        prjs.append([prj.label, int(len(pre)), type(prj.synapse_type).__name__, int(crc)])
    return {"populations": pops, "projections": prjs}


def _check_capable(sim: "Simulation") -> None:
    if not sim.backend.capabilities().checkpoints:
        raise NoModelAvailableError(f"the {sim.backend_name} backend cannot save or restore "
                                    "its state (checkpoints are an engine feature)")


def save(sim: "Simulation", path: str | os.PathLike) -> None:
    """Write the dynamic state of `sim` to `path` (see the module docstring)."""
    _check_capable(sim)
    network = describe_network(sim)
    arrays = sim.backend.dynamic_state()
    meta: dict[str, Any] = {"format": FORMAT, "version": VERSION, "backend": sim.backend_name,
                            "dt": sim.dt, "rng_seed": sim.config.rng_seed, "t": sim.t,
                            "segment": sim.segment_counter, "network": network}
    payload = {f"backend/{k}": np.asarray(v) for k, v in arrays.items()}
    payload["meta"] = np.array(json.dumps(meta))
    with replacing(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **payload)  # type: ignore[arg-type]  # numpy's stub: a bool first


def restore(sim: "Simulation", path: str | os.PathLike) -> None:
    """Load the state saved in `path` into `sim`, which must hold the same network."""
    _check_capable(sim)
    try:
        with np.load(os.fspath(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {k[len("backend/"):]: data[k] for k in data.files
                      if k.startswith("backend/")}
    except (OSError, KeyError, ValueError) as err:
        raise InvalidParameterValueError(
            f"restore_state({os.fspath(path)!r}): not a lamina checkpoint ({err})") from err
    if meta.get("format") != FORMAT:
        raise CheckpointMismatchError(f"{path}: not a lamina checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointMismatchError(
            f"{path}: checkpoint format version {meta.get('version')}; this lamina reads "
            f"version {VERSION}")
    _compare(meta, sim, path)
    sim.backend.load_dynamic_state(arrays)
    sim.segment_counter = int(meta["segment"])


def _compare(meta: dict[str, Any], sim: "Simulation", path: Any) -> None:
    setting: dict[str, Any] = {"backend": sim.backend_name, "dt": sim.dt,
                               "rng_seed": sim.config.rng_seed}
    for key, value in setting.items():
        if meta[key] != value:
            raise CheckpointMismatchError(
                f"{path}: saved with {key}={meta[key]!r}, this simulation has {value!r}")
    saved, here = meta["network"], describe_network(sim)
    # labels name the objects in messages but are not compared: default labels count
    # the objects created in the process so far
    for kind, fields in (("populations", (None, "size", "cell type")),
                         ("projections", (None, "connections", "synapse type",
                                          "connections' checksum"))):
        a, b = saved[kind], here[kind]
        if len(a) != len(b):
            raise CheckpointMismatchError(
                f"{path}: the checkpoint's network has {len(a)} {kind}, this one {len(b)}")
        for k, (x, y) in enumerate(zip(a, b)):
            for name, u, v in zip(fields, x, y):
                if name is not None and u != v:
                    raise CheckpointMismatchError(
                        f"{path}: {kind[:-1]} {k} ({y[0]!r}) differs from the checkpoint's "
                        f"({x[0]!r}): {name} {v!r} here, {u!r} in the checkpoint")
