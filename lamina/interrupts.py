"""Ctrl-C during a run, stopped at a consistent time.

Python raises `KeyboardInterrupt` wherever the interpreter happens to be when SIGINT
arrives: for a simulator that is between advancing its state and recording that it did,
which loses or repeats steps. While `Simulation.run_until` runs, `deferred()` replaces the
SIGINT handler by one that only notes the request; backends poll `requested()` at points
where their state is consistent (the engine after each chunk of at most 1000 steps, NEST
between run slices) and return early; the core then raises `KeyboardInterrupt` naming the
time reached. Everything recorded up to that time is kept, and ``run_until(T)`` afterwards
continues exactly as an uninterrupted run.

A *second* Ctrl-C before the backend reaches such a point restores Python's handler and
raises at once (for a run that does not respond); the simulation may then be
inconsistent, and `Simulation` refuses to continue it.

Only the main thread of the main interpreter receives signals; elsewhere `deferred()` does
nothing. This module has no dependencies inside lamina: backends may import it.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_requested = False
_depth = 0


def requested() -> bool:
    """Whether Ctrl-C (SIGINT) arrived during the current run and not yet honoured."""
    return _requested


def clear() -> None:
    """Forget a pending request (the core does, once it has raised for it)."""
    global _requested
    _requested = False


def request() -> None:
    """Ask the running simulation to stop at its next consistent point (what SIGINT does
    during a run; also usable from a callback or another thread)."""
    global _requested
    _requested = True


@contextmanager
def deferred() -> Iterator[None]:
    """Within this block SIGINT sets `requested()` instead of raising (main thread only);
    nested use is harmless."""
    global _depth
    if _depth or threading.current_thread() is not threading.main_thread():
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    try:
        previous = signal.getsignal(signal.SIGINT)
    except ValueError:   # not the main interpreter
        yield
        return
    if previous in (signal.SIG_IGN, None):   # SIGINT ignored or handled outside Python
        yield
        return

    def note(signum: int, frame: FrameType | None) -> Any:
        if _requested:   # a second Ctrl-C: the user insists
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt("second interrupt: stopped at once, the simulation "
                                    "state may be inconsistent")
        request()
        return None

    signal.signal(signal.SIGINT, note)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        signal.signal(signal.SIGINT, previous)
