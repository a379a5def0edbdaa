"""Recording synaptic state over time (a lamina extension of the PyNN API).

``prj.record('weight', sampling_interval=1.0)`` samples the weight of every connection of
a projection; dynamic synapses also offer their state variables (`recordable` of the
synapse type: 'u', 'x', 'y' for TsodyksMarkramSynapse; 'u', 'x' for Tsodyks2Synapse;
'u', 'a' for the quantal ones). ``prj.get_data()`` returns a `neo.Block` with one Segment
per run between resets; each variable is one `neo.AnalogSignal` of shape
(samples, connections) in projection order, with units (the target's weight unit for
'weight', dimensionless for the others) and array annotations ``presynaptic_index`` and
``postsynaptic_index`` (indices into `prj.pre` / `prj.post`) per column.

Event-driven synaptic state is sampled as it is stored: a sample at time t shows the value
after the last presynaptic spike (time stamp <= t) was processed (what NEST's GetStatus
would show). Samples are taken at t0, t0 + Δ, ... where t0 is the time recording started
(or the last reset); the engine ends its compiled chunks at sampling times, so a small
sampling interval costs speed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lamina.backends.base import SignalData
from lamina.core.recording import sampling_interval_ms
from lamina.errors import InvalidParameterValueError, RecordingError

if TYPE_CHECKING:
    import neo

    from lamina.core.projections import Projection

logger = logging.getLogger(__name__)


@dataclass
class _Segment:
    index: int
    t_stop: float
    signals: dict[str, SignalData] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)
    rec_datetime: datetime = field(default_factory=datetime.now)


class SynapseRecorder:
    """What a projection records, and its finished segments. Registered with the
    simulation so that `reset()` closes a segment."""

    def __init__(self, projection: "Projection") -> None:
        self.projection = projection
        self.variables: list[str] = []
        self.sampling_interval: float | None = None
        self.segments: list[_Segment] = []
        projection._sim.recorders.append(self)

    @property
    def _backend(self) -> Any:
        return self.projection._sim.backend

    def bytes_for(self, duration: float) -> float:
        """Memory the samples of a run of `duration` [ms] will take [bytes] (float64,
        one per connection and variable, held by the backend and copied once)."""
        if not self.variables or not self.sampling_interval:
            return 0.0
        n = len(self.variables) * self.projection.size()
        return 16.0 * n * (duration / self.sampling_interval + 1)

    def recordable(self) -> tuple[str, ...]:
        return tuple(getattr(self.projection.synapse_type, "recordable", ("weight",)))

    def record(self, variables: Any, sampling_interval: float | None) -> None:
        """Start (or with None, stop) recording `variables` of every connection."""
        prj = self.projection
        if variables is None:
            for var in self.variables:
                self._backend.stop_synapse_recording(prj._id, var)
            self.variables = []
            return
        names = [variables] if isinstance(variables, str) else list(variables)
        if "all" in names:
            names = list(self.recordable())
        for var in names:
            if not isinstance(var, str) or var not in self.recordable():
                raise RecordingError(var, type(prj.synapse_type), self.recordable())
        dt = prj._sim.dt
        interval = sampling_interval_ms(sampling_interval if sampling_interval is not None
                                  else (self.sampling_interval or dt), dt)
        if self.variables and self.sampling_interval is not None and \
                abs(interval - self.sampling_interval) > 1e-12 and \
                any(v not in names for v in self.variables):
            raise InvalidParameterValueError(
                f"sampling_interval={sampling_interval!r} ms: {prj.label!r} already records "
                f"{', '.join(self.variables)} every {self.sampling_interval} ms; one interval "
                "applies to a whole projection")
        self.sampling_interval = interval
        for var in names:
            self._backend.set_synapse_recording(prj._id, var, interval)
            if var not in self.variables:
                self.variables.append(var)

    def keep_for_end(self) -> None:
        """Read the current segment before ``end()`` releases the backend."""
        if self.variables:
            self._final = self._current()

    def _current(self) -> _Segment:
        if getattr(self, "_final", None) is not None:
            return self._final
        sim = self.projection._sim
        seg = _Segment(index=sim.segment_counter, t_stop=sim.t)
        for var in self.variables:
            seg.signals[var] = self._backend.get_synapse_signal(self.projection._id, var)
        return seg

    def close_segment(self, annotations: dict[str, Any]) -> None:
        """Called by `reset()`: the data so far become a finished segment."""
        if not self.variables:
            return
        seg = self._current()
        seg.annotations.update(annotations)
        self.segments.append(seg)

    def get_data(self, variables: Any, clear: bool,
                 annotations: dict[str, Any] | None) -> "neo.Block":
        import neo
        import quantities as pq

        from lamina.io.neo_output import to_quantity_unit
        prj = self.projection
        if variables == "all" or variables is None:
            names = list(self.variables)
        else:
            names = [variables] if isinstance(variables, str) else list(variables)
            for var in names:
                if var not in self.variables:
                    raise RecordingError(var, type(prj.synapse_type), self.variables)
        post_ct = prj._weight_celltype
        w_unit = "uS" if getattr(post_ct, "conductance_based", False) else \
            getattr(post_ct, "weight_unit", "nA")
        units = {"weight": w_unit, **getattr(prj.synapse_type, "state_units", {})}
        block = neo.Block(name=prj.label,
                          description=f"synaptic state of projection {prj.label!r}",
                          projection=prj.label, synapse_type=type(prj.synapse_type).__name__,
                          presynaptic_population=prj.pre.label,
                          postsynaptic_population=prj.post.label, dt=prj._sim.dt,
                          simulator=f"lamina.{prj._sim.backend_name}")
        block.annotate(**(annotations or {}))
        pre_idx, post_idx = prj.connection_indices()
        for seg_data in [*self.segments, self._current()]:
            seg = neo.Segment(name=f"segment{seg_data.index:03d}",
                              rec_datetime=seg_data.rec_datetime, **seg_data.annotations)
            for var in names:
                sig = seg_data.signals.get(var)
                if sig is None:
                    continue
                values = sig.values
                n = values.shape[1] if values.ndim == 2 else 0
                signal = neo.AnalogSignal(values, units=to_quantity_unit(units.get(var, "")),
                                          t_start=sig.t_start * pq.ms,
                                          sampling_period=sig.sampling_interval * pq.ms,
                                          name=var, projection=prj.label,
                                          source_population=prj.pre.label,
                                          target_population=prj.post.label)
                signal.array_annotate(presynaptic_index=pre_idx[:n].copy(),
                                      postsynaptic_index=post_idx[:n].copy())
                seg.analogsignals.append(signal)
            block.segments.append(seg)
        if clear:
            self.segments = []
            for var in self.variables:
                self._backend.clear_synapse_recorded(prj._id, var)
        return block
