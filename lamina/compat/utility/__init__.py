"""``pyNN.utility``: helpers PyNN scripts use (simulator choice from the command line,
logging, file names, timing, progress bars)."""
from __future__ import annotations

import argparse
import datetime
import importlib
import logging
import os
import sys
import time
from typing import Any

from lamina.progress import SimulationProgressBar, TextProgressBar

__all__ = ["get_simulator", "init_logging", "normalized_filename", "Timer", "ProgressBar",
           "SimulationProgressBar", "get_script_args"]


def get_simulator(*arguments: tuple) -> tuple[Any, argparse.Namespace]:
    """Import the simulator named by the first command-line argument (``python script.py
    nest``) and parse further arguments given as ``(name, help[, argparse options])``.

    Returns
    -------
    (simulator module, parsed options)
    """
    from lamina import compat
    argv = sys.argv[1:]
    forced = compat.forced_backend()
    if forced and (not argv or argv[0] not in compat.SIMULATORS):
        argv = [forced, *argv]
    parser = argparse.ArgumentParser()
    parser.add_argument("simulator", help="lamina (the built-in engine), nest, ...")
    for arg in arguments:
        parser.add_argument(arg[0], help=arg[1], **(arg[2] if len(arg) > 2 else {}))
    options = parser.parse_args(argv)
    return importlib.import_module(compat.backend_module_name(options.simulator)), options


def get_script_args(n_args: int, usage: str = "") -> list[str]:
    """The first `n_args` command-line arguments (PyNN 0.7 helper)."""
    args = sys.argv[1:n_args + 1]
    if len(args) != n_args:
        raise SystemExit(f"expected {n_args} arguments. {usage}")
    return args


def init_logging(logfile: str | None, debug: bool = False, num_processes: int = 1,
                 rank: int = 0, level: int | None = None) -> None:
    """Configure logging to `logfile` (or stderr), per MPI rank when several run."""
    if num_processes > 1 and logfile:
        logfile += f".{rank}"
    level = level if level is not None else (logging.DEBUG if debug else logging.INFO)
    handler = logging.FileHandler(logfile, mode="w") if logfile else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)-20s %(levelname)-8s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)


def normalized_filename(root: str, basename: str, extension: str, simulator: str,
                        num_processes: int | None = None, use_mpi: bool = False) -> str:
    """``root/basename_simulator[_npN]_YYYYMMDD-HHMMSS.extension``."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    np_part = f"_np{num_processes}" if num_processes is not None else ""
    return os.path.join(root, f"{basename}_{simulator}{np_part}_{stamp}.{extension}")


class Timer:
    """Wall-clock timing of script phases."""

    def __init__(self) -> None:
        self.start()

    def start(self) -> None:
        """(Re)start the timer."""
        self._start = self._last = time.perf_counter()
        self.marks: list[tuple[str, float]] = []

    reset = start

    def elapsed_time(self, format: str | None = None) -> Any:
        """Seconds since start (``format='long'``: a human-readable string)."""
        return self._fmt(time.perf_counter() - self._start, format)

    elapsedTime = elapsed_time

    def diff(self, format: str | None = None) -> Any:
        """Seconds since the last call of `diff` (or since start)."""
        now = time.perf_counter()
        delta, self._last = now - self._last, now
        return self._fmt(delta, format)

    def mark(self, label: str) -> None:
        """Remember the elapsed time under `label`."""
        self.marks.append((label, self.elapsed_time()))

    @staticmethod
    def _fmt(seconds: float, format: str | None) -> Any:
        if format == "long":
            minutes, secs = divmod(seconds, 60)
            hours, minutes = divmod(int(minutes), 60)
            return f"{hours} hours {minutes} minutes {secs:.3f} seconds"
        return seconds


class ProgressBar:
    """A text progress bar: ``bar(fraction)`` draws it (0 <= fraction <= 1)."""

    def __init__(self, width: int = 77, char: str = "#", mode: str = "fixed") -> None:
        self._bar = TextProgressBar(1.0, width=max(width - 30, 10), unit="")

    def __call__(self, level: float) -> None:
        self._bar.update(min(max(float(level), 0.0), 1.0))
