"""Attaching current sources to cells and keeping the backend in step with them."""
from __future__ import annotations

import logging
from typing import Any

import neo
import numpy as np
import quantities as pq

from lamina.core import simulation
from lamina.errors import InvalidModelError, InvalidParameterValueError
from lamina.models.base import CurrentSourceHandle, StandardCurrentSourceType

logger = logging.getLogger(__name__)


def evaluate(source: StandardCurrentSourceType, dt: float) -> dict[str, Any]:
    """Check a source's parameters and turn them into what backends take: floats (``stop``
    and ``dt`` may be None) and, for step sources, sorted time and amplitude arrays."""
    name = type(source).__name__
    out: dict[str, Any] = {}
    for decl in source.parameters:
        value = source.parameter_space[decl.name]
        if decl.kind == "sequence":
            arr = np.asarray(getattr(value, "value", value), dtype=float).ravel()
            decl.check([arr], name)
            out[decl.name] = arr
        elif value is None:
            out[decl.name] = None
        else:
            try:
                out[decl.name] = float(value)
            except (TypeError, ValueError) as err:
                raise InvalidParameterValueError(
                    f"{name}: parameter {decl.name!r} = {value!r}: expected a number "
                    f"[{decl.unit}]") from err
            decl.check(np.asarray(out[decl.name]), name)
            if out[decl.name] == np.inf:   # allowed where it means "never" (stop)
                out[decl.name] = None
    if "times" in out:
        times, amps = out["times"], out["amplitudes"]
        if times.shape != amps.shape:
            raise InvalidParameterValueError(
                f"{name}: {times.size} times but {amps.size} amplitudes; expected one "
                "amplitude per time")
        if np.any(np.diff(times) <= 0) or (times.size and times[0] < 0):
            raise InvalidParameterValueError(
                f"{name}: times must be >= 0 and strictly increasing, got {times.tolist()}")
    start, stop = out.get("start"), out.get("stop")
    if start is not None and stop is not None and stop < start:
        raise InvalidParameterValueError(f"{name}: stop ({stop} ms) is before start ({start} ms)")
    return out


class _Handle(CurrentSourceHandle):
    """Links an injected current source to the simulation that holds it."""

    def __init__(self, sim: simulation.Simulation, source_id: int) -> None:
        self.sim = sim
        self.source_id = source_id
        self.recording = False
        self.final: neo.AnalogSignal | None = None   # the recording, kept at end()

    def keep_for_end(self, source: StandardCurrentSourceType) -> None:
        """Read the recorded current before ``end()`` releases the backend."""
        if self.recording:
            self.final = self.get_data(source, clear=False)

    def parameters_changed(self, source: StandardCurrentSourceType, names: list[str]) -> None:
        self.sim.backend.set_current_source_parameters(self.source_id,
                                                       evaluate(source, self.sim.dt))

    def record(self, source: StandardCurrentSourceType) -> None:
        if not self.recording:
            self.sim.backend.record_current_source(self.source_id)
            self.recording = True

    def get_data(self, source: StandardCurrentSourceType, clear: bool) -> neo.AnalogSignal:
        if self.final is not None:
            return self.final
        data = self.sim.backend.get_current_source_data(self.source_id, clear)
        return neo.AnalogSignal(data.values, units=pq.nA, t_start=data.t_start * pq.ms,
                                sampling_period=data.sampling_interval * pq.ms, name="i",
                                source_type=type(source).__name__)


def inject(source: Any, cells: Any) -> None:
    """Inject `source` into `cells` (Population, PopulationView or Assembly)."""
    if not isinstance(source, StandardCurrentSourceType):
        raise InvalidModelError(
            f"cannot inject {source!r}: expected a current source (DCSource, ACSource, "
            "StepCurrentSource, NoisyCurrentSource)")
    if not cells.celltype.injectable:
        raise InvalidModelError(
            f"cannot inject current into {type(cells.celltype).__name__} cells "
            f"({cells.label!r}): spike sources have no membrane")
    sim = simulation.current()
    parameters = evaluate(source, sim.dt)
    if source._handle is None or source._handle.sim is not sim:
        object.__setattr__(source, "_handle", _Handle(sim, len(sim.current_sources)))
        sim.current_sources.append(source)
    sim.backend.inject(source._handle.source_id, source, parameters, cells.all_ids)
