"""The procedural PyNN API (setup, run, reset, end, create, connect, set, record, ...),
a thin facade over the current `Simulation`. `bind(backend_name)` returns the functions
whose behaviour depends on the backend (only `setup`)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from lamina.core import simulation
from lamina.errors import InvalidParameterValueError, InvalidTimeError

logger = logging.getLogger(__name__)


def make_setup(backend_name: str) -> Callable[..., int]:
    """Return ``setup()`` for `backend_name`."""

    def setup(timestep: float = 0.1, min_delay: float | str = "auto", **extra: Any) -> int:
        """Start a new simulation (discarding any previous one).

        Parameters
        ----------
        timestep : float — integration time step [ms]
        min_delay : float or 'auto' — smallest delay [ms]; 'auto' allows delays down to
            the time step
        max_delay : float — largest delay [ms] (default 10.0)
        threads : int — threads the backend may use (default 1)
        rng_seed : int — seed for the backend's random streams (Poisson sources, noise)
        **extra : backend-specific options. The built-in engine's ``integrator`` picks the
            scheme of IF_cond_exp / IF_cond_alpha (`lamina.backends.engine.fixed_step`):
            ``"taylor"`` (the default: Taylor series of V to 6th order in the time step
            with exactly decaying conductances, a cell's step redone by adaptive RKF45
            where the series' 6th-order term exceeds 1e-6 mV; NEST's spike trains step
            for step in the validation networks, 1.9 x faster than "rkf45"),
            ``"rkf45"`` (adaptive RKF45 every step, tolerance 1e-6: NEST's own scheme,
            V to round-off of NEST's), ``"rk4"`` (RK4 for V, RKF45 where its error
            estimate exceeds 1e-4 mV; a crossing near threshold may move by a step), or
            ``"exponential_euler"`` (Brian 2's scheme, first order, no error control)

        Returns
        -------
        int — the MPI rank of this process
        """
        max_delay = extra.pop("max_delay", 10.0)
        threads = extra.pop("threads", 1)
        rng_seed = extra.pop("rng_seed", None)
        seeds = extra.pop("rng_seeds", None)
        if "rngseeds" in extra:
            from lamina import classic
            classic.warn("setup(rngseeds=...)", "setup(rng_seed=...)")
            seeds = extra.pop("rngseeds")
        if rng_seed is None:
            rng_seed = int(seeds[0]) if seeds else 42
        extra.pop("debug", None)
        sim = simulation.start(backend_name, timestep=timestep, min_delay=min_delay,
                               max_delay=max_delay, threads=threads, rng_seed=rng_seed, **extra)
        from lamina.random import set_default_seed
        set_default_seed(rng_seed)
        logger.info("set up %s backend: dt=%s ms", backend_name, sim.dt)
        return sim.backend.rank

    setup.__module__ = f"lamina.{backend_name}"
    return setup


def end(compatible_output: bool = True) -> None:
    """Write files requested with ``record(..., to_file=)`` and end the simulation."""
    simulation.stop()


def run_until(time_point: float, callbacks: list[Callable] | None = None) -> float:
    """Advance the simulation to `time_point` [ms]; returns the time reached."""
    return simulation.current().run_until(time_point, callbacks or ())


def run(simtime: float, callbacks: list[Callable] | None = None) -> float:
    """Advance the simulation by `simtime` [ms]; returns the time reached."""
    sim = simulation.current()
    try:
        duration = float(simtime)
    except (TypeError, ValueError) as err:
        raise InvalidTimeError(f"run({simtime!r}): expected a duration in ms") from err
    if duration < 0:
        raise InvalidTimeError(f"run({simtime!r}): the duration must be >= 0 ms")
    return sim.run_until(sim.t + duration, callbacks or ())


run_for = run


def save_state(path: Any) -> None:
    """Write a checkpoint (time, cell and synapse state, input buffers, random streams,
    recorded spikes) to `path`; see `lamina.core.checkpoint` for what it holds."""
    simulation.current().save_state(path)


def restore_state(path: Any) -> None:
    """Continue from a checkpoint written by `save_state`, after rebuilding the same
    network (any other is refused with `CheckpointMismatchError`)."""
    simulation.current().restore_state(path)


def reset(annotations: dict[str, Any] | None = None) -> None:
    """Go back to t = 0: initial values restored, structure, parameters and recording set-up
    kept; recorded data so far become a finished Neo segment."""
    simulation.current().reset(annotations)


def get_current_time() -> float:
    """Current simulation time [ms]."""
    return simulation.current().t


def get_time_step() -> float:
    """Integration time step [ms]."""
    return simulation.current().dt


def get_min_delay() -> float:
    """Smallest delay [ms]: setup()'s min_delay, or with ``min_delay='auto'`` (PyNN's
    definition) the smallest delay of the connections made so far (the time step before
    any)."""
    return simulation.current().effective_min_delay


def get_max_delay() -> float:
    """Largest allowed delay [ms]."""
    return simulation.current().max_delay


def num_processes() -> int:
    """Number of MPI processes."""
    return simulation.current().backend.num_processes


def rank() -> int:
    """MPI rank of this process."""
    return simulation.current().backend.rank


def initialize(cells: Any, variable: str | None = None, value: Any = None,
               **initial_values: Any) -> None:
    """Set initial values of state variables of `cells` (``initialize(cells, v=-65.0)``;
    the PyNN 0.7 form ``initialize(cells, 'v', -65.0)`` also works)."""
    if variable is not None:
        from lamina import classic
        classic.warn("initialize(cells, variable, value)", "initialize(cells, variable=value)")
        initial_values[variable] = value
    as_cells(cells, "cells").initialize(**initial_values)


def create(cellclass: Any, cellparams: dict[str, Any] | None = None, n: int = 1) -> Any:
    """Create `n` cells of `cellclass`; returns a Population."""
    from lamina.classic import Population
    return Population(n, cellclass, cellparams)


def connect(pre: Any = None, post: Any = None, weight: Any = 0.0, delay: Any = None,
            receptor_type: str | None = None, p: float = 1, rng: Any = None,
            synapse_type: str | None = None, source: Any = None, target: Any = None) -> Any:
    """Connect every cell of `pre` to every cell of `post` with probability `p`.

    `pre`/`post` may be single IDs, lists of IDs, Populations, views or Assemblies.
    Returns the Projection made. ``synapse_type='excitatory'|'inhibitory'`` is the
    PyNN 0.7 name of `receptor_type`.
    """
    if synapse_type is not None:
        from lamina import classic
        classic.warn("connect(..., synapse_type=...)", "connect(..., receptor_type=...)")
        receptor_type = receptor_type or synapse_type
    if source is not None or target is not None:
        from lamina import classic
        classic.warn("connect(source=..., target=...)", "connect(pre, post, ...)")
        pre = source if source is not None else pre
        post = target if target is not None else post
    from lamina.connectors import AllToAllConnector, FixedProbabilityConnector
    from lamina.classic import Projection
    from lamina.models import StaticSynapse
    pre, post = as_cells(pre, "pre"), as_cells(post, "post")
    connector: AllToAllConnector | FixedProbabilityConnector
    if p >= 1:
        connector = AllToAllConnector()
    else:
        connector = FixedProbabilityConnector(p, rng=rng)
    return Projection(pre, post, connector, StaticSynapse(weight=weight, delay=delay),
                      receptor_type=receptor_type)


def as_cells(obj: Any, name: str) -> Any:
    """`obj` (an ID, a list of IDs, a Population, view or Assembly) as a Population, view
    or Assembly; `InvalidParameterValueError` naming argument `name` otherwise."""
    from lamina.core.assembly import Assembly
    from lamina.core.ids import ID
    from lamina.core.populations import BasePopulation
    if isinstance(obj, (BasePopulation, Assembly)):
        return obj
    if isinstance(obj, ID):
        return obj.as_view()
    try:
        cells = list(obj)
    except TypeError:
        cells = []
    if cells and all(isinstance(c, ID) for c in cells):
        roots = {id(c.parent) for c in cells}
        if len(roots) == 1:        # one population: one view (index order, as PyNN views)
            root = cells[0].parent
            return root.view_type(root, root.id_to_index(np.array(cells, dtype=np.int64)))
        return Assembly(*[c.as_view() for c in cells])
    raise InvalidParameterValueError(
        f"{name}={obj!r}: expected an ID, a list of IDs, a Population, view or Assembly")


def set(cells: Any, param: Any = None, val: Any = None, **parameters: Any) -> None:  # noqa: A001
    """Set parameters of `cells` (``set(cells, tau_m=10.0)``). The PyNN 0.7 forms
    ``set(cells, 'tau_m', 10.0)`` and ``set(cells, {'tau_m': 10.0})`` also work."""
    if param is not None:
        from lamina import classic
        classic.warn("set(cells, param, val)", "set(cells, name=value)")
        parameters.update(param if isinstance(param, dict) else {param: val})
    as_cells(cells, "cells").set(**parameters)


def record(variables: Any, source: Any, filename: Any = None,
           sampling_interval: float | None = None,
           annotations: dict[str, Any] | None = None) -> None:
    """Record `variables` from `source` and write them to `filename` at ``end()``.

    The PyNN 0.7 form ``record(source, filename)`` records spikes and writes them in the
    classic text format (see `lamina.io.classic_text`).
    """
    if not _names_variables(variables):
        return _record_classic(variables, source, "spikes", "record(source, filename)")
    source = as_cells(source, "source")
    source.record(variables, to_file=filename, sampling_interval=sampling_interval)
    if annotations:
        for pop in getattr(source, "populations", [source]):
            pop.grandparent.annotate(**annotations)


def _names_variables(obj: Any) -> bool:
    return isinstance(obj, str) or (isinstance(obj, (list, tuple)) and bool(obj)
                                    and all(isinstance(v, str) for v in obj))


def _record_classic(source: Any, filename: Any, kind: str, old: str) -> None:
    from lamina import classic
    classic.warn(old, f"record({kind!r}, source, filename)", stacklevel=4)
    cells = as_cells(source, "source")
    members = getattr(cells, "populations", [cells])
    for member in members:
        member.record(["gsyn_exc", "gsyn_inh"] if kind == "gsyn" else kind)
    if filename:
        writer = (lambda: classic.write_text_file(filename, members[0], kind)) \
            if len(members) == 1 else (lambda: classic.write_text_file_of_many(filename, members,
                                                                               kind))
        simulation.current().files_at_end.append(writer)


def record_v(source: Any, filename: Any) -> None:
    """Deprecated. Use record('v', source, filename) instead."""
    _record_classic(source, filename, "v", "record_v(source, filename)")


def record_gsyn(source: Any, filename: Any) -> None:
    """Deprecated. Use record(['gsyn_exc', 'gsyn_inh'], source, filename) instead."""
    _record_classic(source, filename, "gsyn", "record_gsyn(source, filename)")


class State:
    """``sim.state``: read-only view of the current simulation's clock and layout."""

    @property
    def t(self) -> float:
        return simulation.current().t

    @property
    def dt(self) -> float:
        return simulation.current().dt

    @property
    def min_delay(self) -> float:
        return simulation.current().effective_min_delay

    @property
    def max_delay(self) -> float:
        return simulation.current().max_delay

    @property
    def mpi_rank(self) -> int:
        return simulation.current().backend.rank

    @property
    def num_processes(self) -> int:
        return simulation.current().backend.num_processes

    @property
    def segment_counter(self) -> int:
        return simulation.current().segment_counter

    @property
    def backend(self) -> Any:
        return simulation.current().backend

    def __repr__(self) -> str:
        try:
            sim = simulation.current()
        except Exception:  # noqa: BLE001
            return "<lamina state: not set up>"
        return f"<lamina state: backend={sim.backend_name} t={sim.t} ms dt={sim.dt} ms>"


state = State()
