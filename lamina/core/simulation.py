"""The simulation state: time step, delays, the backend, the objects built, and time.

One `Simulation` exists between ``setup()`` and ``end()``; the procedural API
(`setup`, `run`, `reset`, `end`, ...) is a thin facade over it.
"""
from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from lamina import distribution, interrupts
from lamina.core import checkpoint
from lamina.core.resources import check_fits
from lamina.backends import BackendConfig, load_backend
from lamina.errors import (InvalidParameterValueError, InvalidTimeError, NoModelAvailableError,
                           SimulationNotSetUpError)

if TYPE_CHECKING:
    from lamina.core.populations import Population
    from lamina.core.projections import Projection
    from lamina.core.recording import Recorder
    from lamina.core.synapse_recording import SynapseRecorder

logger = logging.getLogger(__name__)

_current: "Simulation | None" = None

#: relative tolerance when checking that a time lies on the grid
GRID_TOLERANCE = 1e-9


class Simulation:
    """Owns everything one simulation consists of.

    Parameters
    ----------
    backend_name : str — 'engine', 'nest', ...
    timestep : float — integration time step [ms]
    min_delay : float or 'auto' — smallest delay allowed [ms]; 'auto' allows any delay
        down to the time step
    max_delay : float — largest delay allowed [ms]
    threads : int — worker threads for the backend
    rng_seed : int — seed of the backend's random streams
    extra : dict — backend-specific options
    """

    def __init__(self, backend_name: str = "engine", timestep: float = 0.1,
                 min_delay: float | str = "auto", max_delay: float = 10.0,
                 threads: int = 1, rng_seed: int = 42, **extra: Any) -> None:
        self.dt = _positive("timestep", timestep)
        self.min_delay_auto = min_delay == "auto"
        if self.min_delay_auto:
            min_delay = self.dt
        elif isinstance(min_delay, str):
            raise InvalidParameterValueError(
                f"min_delay={min_delay!r}: expected a number of ms or 'auto'")
        self.min_delay = _positive("min_delay", min_delay)
        self.max_delay = _positive("max_delay", max_delay)
        if self.min_delay < self.dt * (1 - GRID_TOLERANCE):
            raise InvalidParameterValueError(
                f"min_delay={min_delay} ms is smaller than the time step ({self.dt} ms)")
        if self.max_delay < self.min_delay:
            raise InvalidParameterValueError(
                f"max_delay={max_delay} ms is smaller than min_delay ({self.min_delay} ms)")
        if int(threads) < 1:
            raise InvalidParameterValueError(f"threads={threads}: expected an integer >= 1")
        self.backend_name = backend_name
        backend_class = load_backend(backend_name)
        _check_spike_precision(backend_name, backend_class.capabilities().spike_precisions, extra)
        extra = _known_options(backend_name, backend_class.setup_options, extra)
        distribution.check_can_run(backend_name, backend_class.can_distribute,
                                   backend_class.distribution_hint)
        #: rank, process count and local cells, shared with the backend
        self.distribution = distribution.Distribution.from_environment()
        self.config = BackendConfig(dt=self.dt, min_delay=self.min_delay, max_delay=self.max_delay,
                                    threads=int(threads), rng_seed=int(rng_seed), extra=dict(extra),
                                    distribution=self.distribution)
        self.backend = backend_class(self.config)
        self.next_id = 0
        self.segment_counter = 0
        #: smallest delay of any connection made so far [ms] (inf: none yet)
        self.smallest_delay = math.inf
        #: whether time has advanced since setup() or the last reset() (the current Neo
        #: segment has data)
        self.running = False
        #: whether `Backend.prepare` was called (once, before the first run)
        self.prepared = False
        self.populations: list[Population] = []
        self.projections: list[Projection] = []
        self.recorders: list[Recorder | SynapseRecorder] = []
        self.current_sources: list[Any] = []
        self.files_at_end: list[Callable[[], None]] = []

    @property
    def effective_min_delay(self) -> float:
        """What ``get_min_delay()`` reports [ms]: with ``min_delay='auto'``, as PyNN, the
        smallest delay of the connections made so far (the time step before any);
        otherwise setup()'s min_delay. It is also the default delay of new connections."""
        if self.min_delay_auto and math.isfinite(self.smallest_delay):
            return self.smallest_delay
        return self.min_delay

    # -- identity -------------------------------------------------------------------
    def allocate_ids(self, n: int) -> np.ndarray:
        """Hand out `n` new global IDs in creation order."""
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.int64)
        self.next_id += n
        self.distribution.add_cells(ids)
        return ids

    # -- time -----------------------------------------------------------------------
    @property
    def t(self) -> float:
        """Current time [ms]."""
        return self.backend.t

    def to_grid(self, t: float) -> float:
        """Round `t` [ms] to the nearest point of the time grid."""
        return round(t / self.dt) * self.dt

    def run_until(self, t_stop: float,
                  callbacks: Iterable[Callable[[float], float | None]] = ()) -> float:
        """Advance to `t_stop` [ms], calling each callback at the times it asks for.

        A callback is ``f(t) -> next_t``, called at the current time and then whenever the
        simulation reaches the time it returned (times past `t_stop` are cut to `t_stop`,
        so the callback that asked last is also called at the end); ``None`` or ``inf``
        means no further call.

        Ctrl-C (SIGINT) or an exception raised by a callback stops the run at a consistent
        time: everything recorded up to `t` is kept, and a later ``run_until(T)`` gives
        exactly the results of an uninterrupted run (see `lamina.interrupts`). Ctrl-C then
        raises `KeyboardInterrupt` naming the time reached.
        """
        t_stop = self._checked_stop(t_stop)
        callbacks = list(callbacks)
        self._check_recording_memory(t_stop)
        if not self.prepared:
            self.backend.prepare()
            self.prepared = True
        interrupts.clear()
        try:
            with interrupts.deferred():
                events = [(self._next_call(cb(self.t)), k) for k, cb in enumerate(callbacks)]
                self._honour_interrupt(t_stop)
                eps = self.dt * 1e-6
                while self.t < t_stop - eps:
                    events = sorted(e for e in events if e[0] is not None)
                    if not events:
                        self.backend.run_until(t_stop)
                        self._honour_interrupt(t_stop)
                        break
                    when, k = events.pop(0)
                    assert when is not None   # the sort above dropped the others
                    target = min(max(when, self.t + self.dt), t_stop)
                    self.backend.run_until(target)
                    self._honour_interrupt(t_stop)
                    events.append((self._next_call(callbacks[k](self.t)), k))
                    self._honour_interrupt(t_stop)
        finally:
            self.running = self.running or self.t > 0
        return self.t

    def _check_recording_memory(self, t_stop: float) -> None:
        """Refuse a run whose recorded signals cannot fit in memory, before running."""
        duration = t_stop - self.t
        need = sum(rec.bytes_for(duration) for rec in self.recorders)
        if need:
            check_fits(f"run until t = {t_stop:g} ms", need,
                       f"recorded signals of {duration:g} ms, float64 samples held by the "
                       "backend and collected once; record fewer cells or variables, a "
                       "longer sampling_interval, or run in parts with get_data(clear=True)")

    def _honour_interrupt(self, t_stop: float) -> None:
        """Raise `KeyboardInterrupt` if Ctrl-C arrived: the backend stopped at `self.t`."""
        if interrupts.requested():
            interrupts.clear()
            logger.warning("run interrupted at t = %g ms (of %g ms); recorded data up to "
                           "then are kept, run_until() continues", self.t, t_stop)
            raise KeyboardInterrupt(f"simulation interrupted at t = {self.t:g} ms (asked to "
                                    f"run until {t_stop:g} ms); recorded data up to then are "
                                    "kept and run_until() continues the run exactly")

    def _next_call(self, value: Any) -> float | None:
        if value is None or not math.isfinite(float(value)):
            return None
        return self.to_grid(float(value))

    def _checked_stop(self, t_stop: Any) -> float:
        try:
            t_stop = float(t_stop)
        except (TypeError, ValueError) as err:
            raise InvalidTimeError(f"run until {t_stop!r}: expected a time in ms") from err
        if not math.isfinite(t_stop):
            raise InvalidTimeError(f"run until t={t_stop}: expected a finite time [ms]")
        if t_stop < self.t - self.dt * 1e-6:
            raise InvalidTimeError(
                f"cannot run until t={t_stop} ms: the simulation is already at t={self.t} ms")
        return max(self.to_grid(t_stop), self.t)

    def save_state(self, path: Any) -> None:
        """Write a checkpoint of the dynamic state to `path` (see
        `lamina.core.checkpoint`)."""
        checkpoint.save(self, path)

    def restore_state(self, path: Any) -> None:
        """Continue from the checkpoint in `path`; this simulation must hold the same
        network (rebuilt by the same script)."""
        checkpoint.restore(self, path)

    def reset(self, annotations: dict[str, Any] | None = None) -> None:
        """Return to t = 0 keeping structure, parameters and recording set-up; data recorded
        since the last reset become a finished Neo segment (as PyNN: a reset before any
        run, or a second reset in a row, starts no new segment)."""
        if self.running:
            for rec in self.recorders:
                rec.close_segment(annotations or {})
            self.segment_counter += 1
        self.backend.reset()
        self.running = False

    def end(self) -> None:
        """Write files asked for with ``record(..., to_file=)`` and release the backend."""
        for write in self.files_at_end:
            write()
        self.files_at_end.clear()
        for rec in self.recorders:
            rec.keep_for_end()
        for source in self.current_sources:
            if source._handle is not None:
                source._handle.keep_for_end(source)
        self.backend.end()


def _check_spike_precision(backend_name: str, offered: frozenset[str],
                           extra: dict[str, Any]) -> None:
    """``setup(spike_precision=...)``: 'on_grid' or 'off_grid', and one the backend offers
    (`lamina.backends.base.Capabilities.spike_precisions`)."""
    precision = extra.get("spike_precision")
    if precision is None:
        return
    if precision not in ("on_grid", "off_grid"):
        raise InvalidParameterValueError(
            f"spike_precision={precision!r}: expected 'on_grid' or 'off_grid'")
    if precision not in offered:
        how = "on the time grid only ('on_grid')" if offered == {"on_grid"} \
            else f"only as {', '.join(sorted(offered))}"
        raise NoModelAvailableError(
            f"spike_precision={precision!r}: the {backend_name} backend computes spike times "
            f"{how}; for precise off-grid spike times run on NEST or NEURON "
            "(lamina.nest, lamina.neuron; `lamina run SCRIPT --backend nest`)")


#: PyNN ignores ``setup()`` options a simulator does not know: `lamina.compat` sets this
#: while it is installed (a PyNN script running on lamina); otherwise they are errors
lenient_options = False


def _known_options(backend_name: str, known: frozenset[str],
                   extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` if the backend knows every option in it. An unknown option raises
    `InvalidParameterValueError` naming it; for a PyNN script run through `lamina.compat`
    (PyNN ignores options a simulator does not know) it is dropped with a warning."""
    unknown = sorted(set(extra) - known)
    if not unknown:
        return extra
    message = (f"setup(): unknown option{'s' if len(unknown) > 1 else ''} "
               f"{', '.join(repr(u) for u in unknown)} for the {backend_name} backend; it takes "
               "timestep, min_delay, max_delay, threads, rng_seed"
               + "".join(f", {k}" for k in sorted(known)))
    if lenient_options:
        warnings.warn(message + " (ignored, as PyNN does)", UserWarning, stacklevel=5)
        return {k: v for k, v in extra.items() if k in known}
    raise InvalidParameterValueError(message)


def _positive(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise InvalidParameterValueError(f"{name}={value!r}: expected a positive number [ms]") from err
    if not (v > 0 and math.isfinite(v)):
        raise InvalidParameterValueError(f"{name}={value!r}: expected a positive number [ms]")
    return v


_ended: "Simulation | None" = None


def current() -> Simulation:
    """The simulation set up by the last ``setup()``.

    After ``end()``, building something starts a new simulation with the same backend and
    settings (with a warning), as a PyNN script that goes on after ``end()`` expects.

    Raises
    ------
    SimulationNotSetUpError
        if ``setup()`` has never been called.
    """
    global _current, _ended
    if _current is None:
        if _ended is None:
            raise SimulationNotSetUpError("no simulation is set up: call sim.setup() first")
        warnings.warn("end() finished the previous simulation; starting a new one with the "
                      "same settings (call setup() to choose others)", UserWarning, stacklevel=3)
        old, _ended = _ended, None
        cfg = old.config
        _current = Simulation(old.backend_name, timestep=cfg.dt,
                              min_delay="auto" if old.min_delay_auto else cfg.min_delay,
                              max_delay=cfg.max_delay, threads=cfg.threads,
                              rng_seed=cfg.rng_seed, **cfg.extra)
    return _current


def start(backend_name: str, **kwargs: Any) -> Simulation:
    """Create a new simulation (replacing any previous one) and make it current."""
    global _current, _ended
    _ended = None
    if _current is not None:
        try:
            _current.backend.end()
        except Exception:  # noqa: BLE001 - an old backend failing to close must not block setup
            logger.exception("ending the previous simulation failed")
    _current = Simulation(backend_name, **kwargs)
    return _current


def stop() -> None:
    """End the current simulation."""
    global _current, _ended
    if _current is not None:
        sim, _current = _current, None
        _ended = sim
        sim.end()
