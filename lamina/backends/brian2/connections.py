"""Projections on Brian 2: one ``Synapses`` object per (connect call, source group, target
group) between the groups' views (`lamina.backends.brian2.cells`), built in bulk from the core's arrays with ``connect(i=..., j=...)``.

The synapse's ``on_pre`` statements are the catalogue's jump rules of the target receptor
(`lamina.models.dynamics`), weight ``lamina_w`` in the receptor's unit; the delay is per
connection (``delay`` of the Synapses, rounded to the time step by Brian 2). A spike
stamped T (lamina time) with delay d changes the target's synaptic state from T + d on, as
on the engine and NEST (Brian 2 delivers it d after its own stamp T - dt, after that step's
update and threshold test). Jumps of the variable the spike condition tests (delta
synapses: ``v += w``) act on NEST and the engine before the threshold test of the arrival
step: such Synapses run before the threshold test (``when='before_thresholds'``), where
Brian 2 queues a spike one step after its stamp, so their Brian 2 delay is d - dt.

lamina keeps each projection's weights and delays (PyNN units, projection order) so that
`reset()` rebuilds the Synapses with the values last set; the values of the Synapses
objects are authoritative while they exist.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import brian2 as b2
import numpy as np

from lamina.backends.brian2.equations import brian_unit, si_factor
from lamina.backends.brian2.errors import translated
from lamina.backends.brian2.plasticity import SynapseCode
from lamina.errors import NonExistentParameterError

_I64 = np.int64


@dataclass
class Part:
    """The connections of one projection between one source and one target group."""

    pre_group: int
    post_group: int
    positions: np.ndarray        # positions of these connections in projection order
    pre_local: np.ndarray
    post_local: np.ndarray
    weight_unit: str             # PyNN unit of the weight (the target's receptor)
    code: SynapseCode            # Brian 2 code of the synapse type onto the receptor
    dt: float = 0.1              # time step [ms]
    early: bool = False          # jumps of the spike condition's variable (see above)
    sign: float = 1.0            # sign of a zero weight (-1 onto inhibitory currents)
    name: str = ""               # the Synapses' name (kept when rebuilt)
    obj: Any = None


@dataclass
class ProjectionRecord:
    """A projection: receptor, synapse type, its connections and their values."""

    pid: int
    receptor: str
    synapse_type: Any
    pre_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    post_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    values: dict[str, np.ndarray] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    #: synaptic state set by ``Projection.initialize`` (projection order), restored on reset
    state: dict[str, np.ndarray] = field(default_factory=dict)

    def size(self) -> int:
        return len(self.pre_ids)


def build_part(rec: ProjectionRecord, part: Part, pre_obj: Any, post_obj: Any, clock: Any,
               name: str) -> None:
    """Create the Synapses object of `part` with the record's current values."""
    with translated(f"connecting projection {rec.pid}"):
        code = part.code
        syn = b2.Synapses(pre_obj, post_obj, model=f"lamina_w : {brian_unit(part.weight_unit)}"
                          + code.model, on_pre=code.on_pre, on_post=code.on_post or None,
                          clock=clock, name=name)
        if part.early:
            syn.pre.when = "before_thresholds"
        syn.connect(i=part.pre_local, j=part.post_local)
        part.obj = syn
        for var, value in code.initial.items():
            getattr(syn, var + "_")[:] = value
        push_state(rec, part)
        if "lamina_sign" in syn.variables:
            w = rec.values["weight"][part.positions]
            syn.lamina_sign[:] = np.where(w > 0, 1.0, np.where(w < 0, -1.0, part.sign))
        push_values(rec, part, ["weight", "delay", *code.parameters])


def push_values(rec: ProjectionRecord, part: Part, names: list[str]) -> None:
    """Copy values of `rec` (PyNN units) into the Synapses of `part`."""
    if part.obj is None or len(part.positions) == 0:
        return
    for name in names:
        vals = rec.values[name][part.positions]
        if name == "weight":
            part.obj.lamina_w_[:] = vals * si_factor(part.weight_unit)
            if "w_eager" in part.obj.variables:
                part.obj.w_eager_[:] = vals * si_factor(part.weight_unit)
        elif name == "delay":
            delay = (vals - (part.dt if part.early else 0.0)) * 1e-3
            part.obj.pre.delay_[:] = delay
            if part.code.on_post:
                part.obj.post.delay_[:] = delay      # the whole delay is dendritic
            if "lamina_lag" in part.obj.variables:   # arrival - spike time (plasticity)
                part.obj.lamina_lag_[:] = (vals - part.dt) * 1e-3
        else:
            getattr(part.obj, name + "_")[:] = vals * _factor(part, name)


def push_state(rec: ProjectionRecord, part: Part) -> None:
    """Copy the synaptic state set by ``Projection.initialize`` into the Synapses of
    `part` (connections made later keep the synapse type's initial state)."""
    if part.obj is None:
        return
    for name, vals in rec.state.items():
        ok = part.positions < len(vals)
        getattr(part.obj, name + "_")[np.flatnonzero(ok)] = vals[part.positions[ok]]


def pull_values(rec: ProjectionRecord, name: str) -> np.ndarray:
    """Current values of `name` (PyNN units, projection order) from the Synapses objects."""
    if name not in rec.values:
        raise NonExistentParameterError(name, type(rec.synapse_type).__name__, rec.values)
    out = rec.values[name].copy()
    for part in rec.parts:
        if part.obj is None or len(part.positions) == 0:
            continue
        if name == "weight":
            out[part.positions] = np.asarray(part.obj.lamina_w_[:]) / si_factor(part.weight_unit)
        elif name == "delay":
            out[part.positions] = np.asarray(part.obj.pre.delay_[:]) * 1e3 + (
                part.dt if part.early else 0.0)
        else:
            out[part.positions] = np.asarray(getattr(part.obj, name + "_")[:]) / \
                _factor(part, name)
    return out


def _factor(part: Part, name: str) -> float:
    unit = part.code.parameters[name]
    return si_factor(part.weight_unit if unit == "weight" else unit)
