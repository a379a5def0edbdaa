"""Memory estimates checked *before* allocating: populations, projections, recordings.

A request whose estimate exceeds the memory available is refused at once with
`InsufficientMemoryError` (a `MemoryError`) naming both figures, instead of running for
minutes or failing deep inside numpy. Estimates are deliberately simple: counts times
bytes per item (the backend says how many bytes a cell and a connection cost it, see
`Backend.bytes_per_cell` / `bytes_per_connection`), exact where the count is known
(AllToAll, OneToOne, FixedNumber*, FixedTotalNumber), the expectation plus five standard
deviations for random connectors, and nothing for connectors whose count cannot be
foreseen cheaply (lists, distance-dependent rules: they are built chunk by chunk).
"""
from __future__ import annotations

import logging
import os

from lamina.errors import InsufficientMemoryError

logger = logging.getLogger(__name__)

#: environment variable overriding the memory lamina believes available [bytes] (tests,
#: batch systems whose limit /proc/meminfo does not show)
MEMORY_LIMIT_VARIABLE = "LAMINA_MEMORY_LIMIT"


def available_memory() -> int:
    """Bytes of memory available to this process now: ``LAMINA_MEMORY_LIMIT`` if set,
    else the smaller of MemAvailable (/proc/meminfo) and a cgroup limit, else physical
    memory (os.sysconf)."""
    override = os.environ.get(MEMORY_LIMIT_VARIABLE)
    if override:
        return int(float(override))
    candidates = [v for v in (_meminfo_available(), _cgroup_room()) if v is not None]
    if candidates:
        return min(candidates)
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):   # pragma: no cover - non-POSIX
        return 1 << 62


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _cgroup_room() -> int | None:
    """Room left under a cgroup v2 memory limit, if there is one."""
    try:
        with open("/sys/fs/cgroup/memory.max") as fh:
            limit = fh.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current") as fh:
            used = int(fh.read().strip())
        return max(int(limit) - used, 0)
    except (OSError, ValueError):
        return None


def human(n_bytes: float) -> str:
    """``1.5 GiB`` style."""
    value = float(n_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{value:.3g} {unit}"
        value /= 1024
    return f"{value:.3g} PiB"   # pragma: no cover


def check_fits(what: str, estimate: float, detail: str) -> None:
    """Raise `InsufficientMemoryError` if `estimate` bytes exceed the memory available.

    Parameters
    ----------
    what : str — the request, e.g. ``"Population(10**12, IF_curr_exp)"``
    estimate : float — bytes it would need
    detail : str — how the estimate was made (counts x bytes per item)
    """
    if estimate <= 0:
        return
    available = available_memory()
    if estimate > available:
        raise InsufficientMemoryError(
            f"{what} would need about {human(estimate)} ({detail}), but only "
            f"{human(available)} of memory are available; make it smaller, or set "
            f"{MEMORY_LIMIT_VARIABLE} (bytes) if the available memory is misjudged")
    if estimate > 0.5 * available:
        logger.warning("%s will need about %s of the %s available", what, human(estimate),
                       human(available))
