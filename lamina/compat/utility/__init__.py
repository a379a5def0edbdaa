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
           "SimulationProgressBar", "get_script_args", "notify", "sort_by_column",
           "forgetful_memoize", "save_population", "load_population"]


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


#: e-mail settings of `notify` (none: it only logs)
EMAIL = None
SMTPHOST = None


def notify(msg: str = "Simulation finished.", subject: str = "Simulation finished.",
           smtphost: str | None = None, address: str | None = None) -> None:
    """E-mail `msg` to `address` through `smtphost`; without both, log that it cannot."""
    smtphost, address = smtphost or SMTPHOST, address or EMAIL
    if not (smtphost and address):
        logging.getLogger(__name__).warning(
            "notify(): no SMTP host and/or e-mail address given; no message sent")
        return
    import smtplib
    stamp = datetime.datetime.now().strftime("%H:%M:%S, %F")
    text = f"From: {address}\r\nTo: {address}\r\nSubject: {subject}\r\n\r\n{msg}\nTimestamp: {stamp}"
    with smtplib.SMTP(smtphost) as server:
        server.sendmail(address, address, text)


def sort_by_column(a: Any, col: int) -> Any:
    """The rows of 2-D array `a` sorted by column `col`."""
    import numpy as np
    a = np.asarray(a)
    return a[a[:, col].argsort(), :]


class forgetful_memoize:  # noqa: N801 - PyNN's name
    """Decorator remembering the result of the last call: a repeated call with the same
    arguments returns it without calling the function again."""

    def __init__(self, func: Any) -> None:
        self.func = func
        self.cached_args: Any = None
        self.cached_value: Any = None

    def __call__(self, *args: Any) -> Any:
        if args != self.cached_args:
            self.cached_value = self.func(*args)
            self.cached_args = args
        return self.cached_value


def save_population(population: Any, filename: str, variables: list[str] | None = None) -> None:
    """Save the recorded spikes, size, label and structure of `population` (and the
    attributes named in `variables`) to a shelve file, for `load_population`."""
    import shelve

    import numpy as np
    trains = population.get_data("spikes").segments[-1].spiketrains
    rows = [(float(st.annotations.get("source_index", k)), float(t))
            for k, st in enumerate(trains) for t in np.asarray(st.rescale("ms"))]
    with shelve.open(filename) as store:
        store["spike_times"] = np.array(rows, dtype=float).reshape(-1, 2)
        store["label"] = population.label
        store["size"] = population.size
        store["structure"] = population.structure
        store["variables"] = {v: getattr(population, v) for v in variables or []}


def load_population(filename: str, sim: Any) -> Any:
    """A SpikeSourceArray population replaying the spikes saved by `save_population`."""
    import shelve

    import numpy as np
    with shelve.open(filename) as store:
        spikes, size = store["spike_times"], store["size"]
        pop = sim.Population(size, sim.SpikeSourceArray(), structure=store["structure"],
                             label=store["label"])
        pop.set(spike_times=[sim.Sequence(np.sort(spikes[spikes[:, 0] == i][:, 1]))
                             for i in range(size)])
        for name, value in store["variables"].items():
            setattr(pop, name, value)
    return pop
