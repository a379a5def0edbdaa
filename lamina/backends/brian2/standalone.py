"""Brian 2's C++ standalone device for lamina (``setup(brian2_device='cpp_standalone')``).

Brian 2 turns the whole simulation into one C++ program: lamina builds the network at
``run()`` as in runtime mode, records the run, compiles and executes the program and reads
the monitors back. The program is built in a per-user cache folder
(``<lamina cache>/brian2-<version>-standalone/<hash>``) keyed by a hash of the network's
structure (objects, sizes, equations and code); Brian 2 rewrites only the files that
changed, so running the same script again recompiles little (measured figures in
BENCHMARKS.md).

Processes that build the same network at the same time (a parameter scan started N times)
share that folder: each holds an exclusive lock on ``<folder>.lock`` from writing the
code and data files until its program has run (`build_lock`), and the program writes its
results into a folder of its own (``results-<pid>-<random>``, removed by `cleanup` at
``end()``), which lamina reads after the lock is released. So one process never compiles
from, or reads results out of, another's half-written files.

One program runs one simulation: a second ``run()`` (run splitting), ``reset()`` and any
change after the run are refused with `NoModelAvailableError` (runtime mode does them).
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brian2 as b2

from lamina.cache_dir import user_cache_dir
from lamina.errors import NoModelAvailableError

logger = logging.getLogger(__name__)

SPLIT_REFUSED = (
    "brian2_device='cpp_standalone' runs a simulation as one compiled C++ program: lamina "
    "can run it once per setup(); {what} is not possible with it. Put the whole duration "
    "in one run() call, or use Brian 2's runtime mode (setup() without brian2_device), "
    "which allows it")


def activate() -> None:
    """Make C++ standalone Brian 2's device, fresh (a previous program forgotten)."""
    b2.set_device("cpp_standalone", build_on_run=False)
    b2.get_device().reinit()
    b2.set_device("cpp_standalone", build_on_run=False)


def deactivate() -> None:
    """Back to Brian 2's runtime device."""
    if b2.get_device().__class__.__name__ == "CPPStandaloneDevice":
        b2.get_device().reinit()
    b2.set_device("runtime")


def network_hash(net: Any) -> str:
    """A hash of the structure of `net`: objects' names, classes, sizes, equations and
    code (not the values, which the program reads from data files)."""
    parts = []
    for obj in sorted(net.objects, key=lambda o: o.name):
        parts.append(f"{obj.name}|{type(obj).__name__}|{getattr(obj, '_N', '')}|"
                     f"{getattr(obj, 'equations', '')}|{getattr(obj, 'event_codes', '')}|"
                     f"{getattr(obj, 'abstract_code', '')}")
    parts.append(b2.__version__)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


@contextlib.contextmanager
def build_lock(directory: Path) -> Iterator[float]:
    """Hold an exclusive lock on ``<directory>.lock`` (blocking until other processes
    building in `directory` are done); yields the seconds spent waiting."""
    t0 = time.perf_counter()
    with open(directory.with_name(directory.name + ".lock"), "a+b") as handle:
        try:
            import fcntl
        except ImportError:      # not POSIX: no lock (parallel builds of one network race)
            yield 0.0
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield time.perf_counter() - t0
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_and_run(net: Any) -> dict[str, Any]:
    """Compile and execute the recorded run of `net` in its cache folder (under its lock);
    returns ``build_and_run_s`` (code generation, compilation and the run), ``wait_s``
    (waiting for other processes' builds of the same network), ``directory`` and
    ``results`` (this run's results folder)."""
    directory = user_cache_dir(f"brian2-{b2.__version__}-standalone") / network_hash(net)
    results = f"results-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with build_lock(directory) as waited:
        t0 = time.perf_counter()
        b2.get_device().build(directory=str(directory), results_directory=results,
                              compile=True, run=True, with_output=False)
        seconds = time.perf_counter() - t0
    atexit.register(shutil.rmtree, str(directory / results), True)
    logger.info("Brian 2 C++ standalone program in %s: %.1f s (build, compile and run; "
                "%.1f s waiting for other builds)", directory, seconds, waited)
    return {"build_and_run_s": seconds, "wait_s": waited, "directory": str(directory),
            "results": str(directory / results)}


def cleanup(ran: dict[str, Any]) -> None:
    """Remove the results folder of a finished program (`build_and_run`'s answer)."""
    if ran.get("results"):
        shutil.rmtree(ran["results"], ignore_errors=True)


def refuse(what: str) -> NoModelAvailableError:
    """The error for an operation a finished standalone program cannot do."""
    return NoModelAvailableError(SPLIT_REFUSED.format(what=what))
