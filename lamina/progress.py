"""Progress meters for long simulations, as `run()` callbacks.

A run callback is a function ``f(t) -> next_t``: `run()` calls it at the start of the run
and then whenever simulation time reaches the time it returned last; returning ``None``
or ``inf`` means "do not call me again". ::

    import lamina as sim
    from lamina.progress import SimulationProgressBar

    sim.run(1000.0, callbacks=[SimulationProgressBar(10.0, 1000.0)])

`SimulationProgressBar` draws on stderr with ``tqdm`` when it is installed, otherwise
with a plain text bar (redrawn in place on a terminal, one line per 10 % otherwise).
"""
from __future__ import annotations

import logging
import math
import sys
import time
from typing import IO, Optional

logger = logging.getLogger(__name__)

__all__ = ["SimulationProgressBar", "ProgressBar", "TextProgressBar"]


def _format_seconds(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "--:--"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class TextProgressBar:
    """A dependency-free progress bar for a quantity going from 0 to `total`.

    Parameters
    ----------
    total : float — value that means 100 %
    width : int — number of characters of the bar itself
    unit : str — unit shown after the values
    file : text stream — where to draw (stderr by default)
    min_interval : float — minimum wall-clock seconds between two redraws on a terminal
    """

    def __init__(self, total: float, width: int = 30, unit: str = "ms",
                 file: Optional[IO[str]] = None, min_interval: float = 0.1,
                 desc: str = "") -> None:
        self.total = float(total)
        self.width = int(width)
        self.unit = unit
        self.file = file if file is not None else sys.stderr
        self.min_interval = min_interval
        self.desc = desc
        self.value = 0.0
        self.closed = False
        self._start = time.perf_counter()
        self._last_draw = -math.inf
        self._last_decile = -1
        try:
            self._interactive = bool(self.file.isatty())
        except (AttributeError, ValueError):
            self._interactive = False

    def fraction(self) -> float:
        if self.total <= 0:
            return 1.0
        return min(1.0, max(0.0, self.value / self.total))

    def render(self) -> str:
        """The bar as a string, e.g. ``[#######-------]  50% 500.0/1000.0 ms 00:02<00:02``."""
        frac = self.fraction()
        filled = int(round(frac * self.width))
        elapsed = time.perf_counter() - self._start
        remaining = elapsed * (1.0 - frac) / frac if frac > 0 else math.inf
        prefix = f"{self.desc}: " if self.desc else ""
        return (f"{prefix}[{'#' * filled}{'-' * (self.width - filled)}] {100 * frac:3.0f}% "
                f"{self.value:.1f}/{self.total:.1f} {self.unit} "
                f"{_format_seconds(elapsed)}<{_format_seconds(remaining)}")

    def update(self, value: float) -> None:
        """Move the bar to `value` and redraw if due."""
        if self.closed:
            return
        self.value = float(value)
        now = time.perf_counter()
        if self._interactive:
            if now - self._last_draw >= self.min_interval or self.fraction() >= 1.0:
                self._write("\r" + self.render())
                self._last_draw = now
        else:
            decile = int(self.fraction() * 10)
            if decile > self._last_decile:
                self._write(self.render() + "\n")
                self._last_decile = decile

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self.closed:
            return
        if self._interactive:
            self._write("\r" + self.render() + "\n")
        elif int(self.fraction() * 10) > self._last_decile:
            self._write(self.render() + "\n")
        self.closed = True

    def _write(self, text: str) -> None:
        try:
            self.file.write(text)
            self.file.flush()
        except (OSError, ValueError):      # closed or broken stream: stop drawing
            logger.debug("progress bar stream not writable; disabling it")
            self.closed = True


class _TqdmBar:
    """Adapter giving a tqdm bar the `update(value)` / `close()` interface."""

    def __init__(self, tqdm_class, total: float, unit: str, file, desc: str) -> None:
        self._bar = tqdm_class(total=float(total), unit=unit, file=file, desc=desc or None,
                               leave=True, dynamic_ncols=True,
                               bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} " + unit
                               + " [{elapsed}<{remaining}]")
        self.value = 0.0
        self.closed = False

    def update(self, value: float) -> None:
        if self.closed:
            return
        value = min(float(value), float(self._bar.total))
        self._bar.update(value - self.value)
        self.value = value

    def close(self) -> None:
        if not self.closed:
            self._bar.close()
            self.closed = True


def _make_bar(total: float, unit: str, file, desc: str, use_tqdm: Optional[bool]):
    if use_tqdm is not False:
        try:
            from tqdm.auto import tqdm  # optional dependency
        except ImportError:
            if use_tqdm:
                raise
        else:
            return _TqdmBar(tqdm, total, unit, file if file is not None else sys.stderr, desc)
    return TextProgressBar(total, unit=unit, file=file, desc=desc)


class SimulationProgressBar:
    """Run callback that shows the progress of a simulation towards `t_stop`.

    Parameters
    ----------
    interval : float — simulated time between two updates [ms]. Each update interrupts
        the simulation briefly, so keep it at a few hundred time steps or more.
    t_stop : float — simulation time [ms] shown as 100 %, normally the time at which the
        run ends (``sim.get_current_time() + duration``)
    file : text stream, optional — where to draw (stderr by default)
    use_tqdm : bool or None — True: require tqdm; False: plain text; None (default):
        tqdm when it is installed
    desc : str — label in front of the bar

    Calling the object with the current time ``t`` updates the bar and returns the next
    time it wants to be called (``t + interval``, never beyond `t_stop`); once ``t``
    reaches `t_stop` the bar is closed and the call returns ``inf``.
    """

    def __init__(self, interval: float, t_stop: float, file: Optional[IO[str]] = None,
                 use_tqdm: Optional[bool] = None, desc: str = "") -> None:
        if not interval > 0:
            raise ValueError(f"interval must be positive, got {interval!r}")
        self.interval = float(interval)
        self.t_stop = float(t_stop)
        self._bar = _make_bar(self.t_stop, "ms", file, desc, use_tqdm)

    @property
    def finished(self) -> bool:
        return self._bar.closed

    def __call__(self, t: float) -> float:
        if self._bar.closed:
            return math.inf
        self._bar.update(t)
        if t >= self.t_stop - 1e-9:
            self._bar.close()
            return math.inf
        return min(t + self.interval, self.t_stop)

    def close(self) -> None:
        """End the bar (e.g. after a run that stopped early)."""
        self._bar.close()


#: short alias
ProgressBar = SimulationProgressBar
