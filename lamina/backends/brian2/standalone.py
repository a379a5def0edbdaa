"""Brian 2's C++ standalone device for lamina (``setup(brian2_device='cpp_standalone')``).

Brian 2 turns the whole simulation into one C++ program: lamina builds the network at
``run()`` as in runtime mode, records the run, compiles and executes the program and reads
the monitors back. The program is built in a per-user cache folder
(``<lamina cache>/brian2-<version>-standalone/<hash>``) keyed by a hash of the network's
structure (objects, sizes, equations and code); Brian 2 rewrites only the files that
changed, so running the same script again recompiles little (measured figures in
BENCHMARKS.md).

One program runs one simulation: a second ``run()`` (run splitting), ``reset()`` and any
change after the run are refused with `NoModelAvailableError` (runtime mode does them).
"""
from __future__ import annotations

import hashlib
import logging
import time
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


def build_and_run(net: Any) -> dict[str, Any]:
    """Compile and execute the recorded run of `net` in its cache folder; returns the
    timings (``build_s``: code generation and compilation, ``directory``)."""
    directory = user_cache_dir(f"brian2-{b2.__version__}-standalone") / network_hash(net)
    t0 = time.perf_counter()
    b2.get_device().build(directory=str(directory), compile=True, run=True,
                          with_output=False)
    seconds = time.perf_counter() - t0
    logger.info("Brian 2 C++ standalone program in %s: %.1f s (build, compile and run)",
                directory, seconds)
    return {"build_and_run_s": seconds, "directory": str(directory)}


def refuse(what: str) -> NoModelAvailableError:
    """The error for an operation a finished standalone program cannot do."""
    return NoModelAvailableError(SPLIT_REFUSED.format(what=what))
