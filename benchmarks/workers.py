"""What the benchmark runners share: one measurement per fresh process and small helpers.

A worker process prints its result dict as one JSON line after `MARKER`; `launch_worker`
runs such a process and returns that dict (or one with ``error``)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import time
from typing import Any, Optional

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = "BENCHMARK-RESULT "


def launch_worker(cmd: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run a worker command; return the JSON result it printed after `MARKER` (with the
    process wall time as 'process_s'), or a dict with 'error'."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    wall = time.perf_counter() - t0
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            result = json.loads(line[len(MARKER):])
            result["process_s"] = wall
            return result
    tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-15:]
    return {"error": f"exit status {proc.returncode}:\n    " + "\n    ".join(tail)}


def fresh_nest_kernel(nest: Any, dt: float, seed: int, threads: int) -> None:
    """Reset NEST's kernel for a measurement: warnings only, time step `dt` [ms], `seed`,
    `threads` local threads, no progress output (NEST 3.10's verbosity API or older)."""
    nest.ResetKernel()
    if hasattr(nest, "VerbosityLevel"):
        nest.verbosity = nest.VerbosityLevel.WARNING
    else:
        nest.set_verbosity("M_WARNING")
    nest.set(resolution=dt, rng_seed=seed, local_num_threads=threads, print_time=False)


def nest_available() -> Optional[str]:
    """None if NEST can be imported, else the reason why not."""
    if importlib.util.find_spec("nest") is None:
        return "the nest module is not installed (pip install lamina[nest])"
    return None


def fmt(x: float, digits: int = 3) -> str:
    """A table cell: '-' for NaN."""
    return "-" if x != x else f"{x:.{digits}f}"


def versions() -> str:
    """numpy, numba and NEST versions, for the table's header."""
    parts = []
    for mod in ("numpy", "numba"):
        try:
            parts.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            pass
    try:
        from importlib.metadata import version
        parts.append(f"nest-simulator {version('nest-simulator')}")
    except Exception:  # noqa: BLE001 - informational only
        pass
    return ", ".join(parts)
