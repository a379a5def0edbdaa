"""Compile the step loop's callees (`callees`) in a helper process while the network is
built and the step loop compiles: a cold first run then uses two cores.

numba holds one compiler lock per process, so threads cannot compile in parallel; a
second process can, and numba's on-disk cache (``cache=True``, ``NUMBA_CACHE_DIR``) hands
its result over. When a population of a new model family is created, `submit` sends the
family's update (or the Poisson draw) to a helper process (started on first use, one per
process), which compiles it into the cache. When the step loop first needs the function,
`wait` blocks until the helper has answered for it; numba then loads it from the cache.
If the helper fails, is too slow or dies, the caller compiles the function itself: the
helper can only save time, never change a result.

The helper is used only where it can help: on a POSIX system with at least two usable
cores of which other processes leave at least 1.5 free (`driver_choice.machine_is_busy`:
their CPU use measured over the last quarter second or more), not under MPI (each
rank compiles anyway), when numba can write its cache for the function, and when the
function is not compiled or cached yet. ``LAMINA_ENGINE_BACKGROUND_COMPILE=0`` turns it
off, ``=1`` turns it on whatever the load. The helper exits when its input closes: after
the last answer the main process waited for, at `shutdown` (`EngineBackend.end`) or at
exit.
"""
from __future__ import annotations

import atexit
import logging
import os
import select
import subprocess
import sys
import time
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["enabled", "submit", "wait", "shutdown", "TIMEOUT_S"]

#: seconds `wait` waits for the helper's answer before compiling in this process
TIMEOUT_S = 120.0
_ENV = "LAMINA_ENGINE_BACKGROUND_COMPILE"


def _cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not Linux
        return os.cpu_count() or 1


def _several_mpi_processes() -> bool:
    """Whether this process is one of several MPI processes (started by ``mpiexec``, or
    mpi4py's world has more than one process); mpi4py imported in a single process is not."""
    if any(os.environ.get(v, "1") not in ("", "1") for v in (
            "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MPI_LOCALNRANKS")) or "PMIX_RANK" in os.environ:
        return True
    mpi = sys.modules.get("mpi4py.MPI")
    try:
        return mpi is not None and mpi.COMM_WORLD.Get_size() > 1
    except Exception:   # noqa: BLE001 - an MPI that cannot say: assume several
        return True


def enabled() -> bool:
    """Whether compiling in a helper process may help here (see the module docstring)."""
    setting = os.environ.get(_ENV, "auto").strip().lower()
    if setting in ("0", "no", "off", "false"):
        return False
    if os.name != "posix" or os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        return False
    if _several_mpi_processes():
        return False
    if setting in ("1", "yes", "on", "true"):
        return True
    if _helper is not None and _helper.proc.poll() is None:
        return True   # decided when it started: its own compiling is not another's load
    return _cores() >= 2 and not _busy()


def _busy() -> bool:
    """Whether other processes leave less than one core for the helper besides this
    process's own (the 1-minute load average, used before, still counted a compile that had
    just ended and turned the helper off on a machine that was quiet again)."""
    from lamina.backends.engine.driver_choice import machine_is_busy
    return machine_is_busy(threads=2)


def _cached(dispatcher: Any, sig: Any) -> bool | None:
    """True when `dispatcher` is compiled for `sig` in this process or has an index in
    numba's cache (compiled by an earlier process); None when numba cannot cache it here
    (no helper then: its work would be lost)."""
    if tuple(sig.args) in dispatcher.overloads:
        return True
    cache = getattr(dispatcher, "_cache", None)
    try:
        index = cache._cache_file._index_path   # type: ignore[union-attr]
        folder = cache._cache_path   # type: ignore[union-attr]
    except AttributeError:   # numba's NullCache: caching is off
        return None
    if os.path.exists(index):
        return True
    if not os.path.isdir(folder):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            return None
    return None if not os.access(folder, os.W_OK) else False


def _job(dispatcher: Any, sig_name: str) -> str:
    """The line that names a job: module, function, signature (a name in `callees`)."""
    return f"{dispatcher.py_func.__module__} {dispatcher.py_func.__qualname__} {sig_name}"


class _Helper:
    """The helper process and the jobs sent to it: their answers by job line."""

    def __init__(self) -> None:
        import lamina
        root = os.path.dirname(os.path.dirname(os.path.abspath(lamina.__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env[_ENV] = "0"   # the helper compiles, it starts no helper of its own
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, root], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            close_fds=True)
        self.pending: set[str] = set()
        self.answers: dict[str, str] = {}
        self._buf = b""

    def send(self, job: str) -> bool:
        """Send `job`; False when the helper is gone."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((job + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        self.pending.add(job)
        return True

    def wait_for(self, job: str, timeout: float) -> str:
        """The helper's answer to `job` ("ok" and the CPU seconds it took, "error ...", or
        "lost" when it died or did not answer within `timeout` seconds)."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        end = time.monotonic() + timeout
        while job in self.pending:
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return "lost"
            chunk = os.read(fd, 4096)
            if not chunk:   # the helper exited
                return "lost"
            self._buf += chunk
            *lines, self._buf = self._buf.split(b"\n")
            for line in lines:
                status, _, name = line.decode().partition(" | ")
                self.pending.discard(name)
                self.answers[name] = status
        return self.answers.get(job, "lost")

    def close(self) -> None:
        """Close the helper's input (it exits once idle) and reap it; kill it if it is
        still compiling a second later (numba writes its cache files whole or not at
        all)."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


_helper: _Helper | None = None


def submit(dispatcher: Any, sig_name: str) -> bool:
    """Have the helper compile `dispatcher` for the signature `callees.<sig_name>` into
    numba's cache, if `enabled` and it is not compiled or cached yet; returns whether a
    job was sent."""
    global _helper
    from lamina.backends.engine import callees
    sig = getattr(callees, sig_name)
    if not enabled() or _cached(dispatcher, sig) is not False:
        return False
    job = _job(dispatcher, sig_name)
    if _helper is not None and (job in _helper.pending or _helper.proc.poll() is not None):
        if job in _helper.pending:
            return True
        _helper.close()
        _helper = None
    try:
        if _helper is None:
            _helper = _Helper()
        return _helper.send(job)
    except OSError as err:   # no process could be started: compile in this one
        logger.info("engine: no background compilation (%s)", err)
        return False


def wait(dispatcher: Any, sig_name: str, timeout: float = TIMEOUT_S) -> None:
    """Block until the helper has compiled `dispatcher` for `callees.<sig_name>` (if it
    was sent a job for it); the helper is closed once it has no job left."""
    global _helper
    job = _job(dispatcher, sig_name)
    if _helper is None or (job not in _helper.pending and job not in _helper.answers):
        return
    t0 = time.perf_counter()
    answer = _helper.wait_for(job, timeout)
    logger.debug("engine: background compilation of %s: %s after %.2f s", job, answer,
                 time.perf_counter() - t0)
    if not answer.startswith("ok") or not _helper.pending:
        shutdown()


def shutdown() -> None:
    """Stop the helper process, if any."""
    global _helper
    if _helper is not None:
        helper, _helper = _helper, None
        helper.close()


atexit.register(shutdown)


#: the helper's start: the packages above the engine as empty modules (their
#: ``__init__`` imports all of lamina, ~0.6 CPU-s the helper does not need: the engine's
#: compiled modules import what they use), then `_serve`
_BOOT = """import os, sys, types
root = sys.argv[1]
for name in ("lamina", "lamina.backends", "lamina.backends.engine"):
    mod = types.ModuleType(name)
    mod.__path__ = [os.path.join(root, *name.split("."))]
    mod.__package__ = name
    sys.modules[name] = mod
import importlib
importlib.import_module("lamina.backends.engine.background")._serve()
"""


def _serve() -> None:
    """The helper's loop: compile each job read from stdin, answer on stdout."""
    import importlib

    from lamina.backends.engine import callees
    for line in sys.stdin:
        job = line.strip()
        if not job:
            continue
        c0 = time.process_time()
        try:
            module, qualname, sig_name = job.split(" ")
            dispatcher = getattr(importlib.import_module(module), qualname)
            # as `callees.FunctionPointer` asks for it: numba's cache key is the signature
            # object given (a full signature, not its argument types)
            dispatcher.get_compile_result(getattr(callees, sig_name))
            status = f"ok {time.process_time() - c0:.2f}"
        except Exception as err:   # noqa: BLE001 - any failure: the caller compiles
            status = f"error {type(err).__name__}"
        sys.stdout.write(f"{status} | {job}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
