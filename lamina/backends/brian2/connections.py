"""Projections on Brian 2, built in bulk from the core's arrays with ``connect(i=..., j=...)``.

lamina's record of a projection is split into `Part`s: the connections of one connect call
between one source group and one target group. When the network is built, the parts with
the same source block, target block and synapse code (`lamina.backends.brian2.cells`; e.g.
all static excitatory projections among the populations of one cell type) become one
``Synapses`` object, a `Bundle`, each part a contiguous range of its rows: Brian 2 runs one
spike queue and one ``on_pre`` code per bundle and step instead of one per projection. A
bundle whose connections all have the same delay gets it as one shared value (Brian 2's
cheaper homogeneous spike queue), and a bundle of static synapses whose weights are all
equal a shared weight; setting differing values later rebuilds it with per-connection
values (`Bundle.per_synapse`). Parts made after the first run are bundles of their own.

The synapse's ``on_pre`` statements are the catalogue's jump rules of the target receptor
(`lamina.models.dynamics`), weight ``lamina_w`` in the receptor's unit (per connection);
delays are rounded to the time step by Brian 2. A spike stamped T (lamina time) with
delay d changes the target's synaptic state from T + d on, as on the engine and NEST
(Brian 2 delivers it d after its own stamp T - dt, after that step's update and threshold
test). Jumps of the variable the spike condition tests (delta synapses: ``v += w``) act on
NEST and the engine before the threshold test of the arrival step: such Synapses run
before the threshold test (``when='before_thresholds'``), where Brian 2 queues a spike one
step after its stamp, so their Brian 2 delay is d - dt.

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
from lamina.backends.brian2.sources import index
from lamina.errors import NonExistentParameterError

_I64 = np.int64


@dataclass(eq=False)
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
    pid: int = -1                # the projection
    obj: Any = None              # the bundle's Synapses (None before the network is built)
    start: int = 0               # first row of the part in it

    @property
    def rows(self) -> slice:
        """The part's rows in its Synapses object."""
        return slice(self.start, self.start + len(self.positions))

    def key(self, block_of: list[int]) -> tuple:
        """Parts with equal keys can share one Synapses object."""
        c = self.code
        return (block_of[self.pre_group], block_of[self.post_group], self.weight_unit,
                self.early, self.dt, c.model, tuple(sorted(c.on_pre.items())), c.on_post)


@dataclass
class Bundle:
    """One Synapses object holding the connections of `parts` (in row order)."""

    name: str
    parts: list[Part]
    per_synapse: set[str] = field(default_factory=set)   # 'weight', 'delay' forced per
    shared_delay: bool = False           # the delay is one shared value in the Synapses
    shared_weight: bool = False          # the weight is one shared value
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


def bundle_parts(parts: list[Part], block_of: list[int], first: int) -> list[Bundle]:
    """Group `parts` (in creation order) into bundles named ``lamina_s<first + k>``."""
    by_key: dict[tuple, Bundle] = {}
    out: list[Bundle] = []
    for part in parts:
        key = part.key(block_of)
        if key not in by_key:
            by_key[key] = Bundle(f"lamina_s{first + len(out)}", [])
            out.append(by_key[key])
        by_key[key].parts.append(part)
    return out


def build_bundle(bundle: Bundle, records: dict[int, ProjectionRecord], pre_obj: Any,
                 post_obj: Any, offsets: list[int], clock: Any) -> None:
    """Create the Synapses object of `bundle` between the Brian 2 groups of its source and
    target blocks (`offsets`: first row of each lamina group in its block) with the
    records' current values."""
    first = bundle.parts[0]
    code = first.code
    delays = np.concatenate([records[p.pid].values["delay"][p.positions]
                             for p in bundle.parts])
    weights = np.concatenate([records[p.pid].values["weight"][p.positions]
                              for p in bundle.parts])
    bundle.shared_delay = "delay" not in bundle.per_synapse and not code.on_post and (
        len(delays) == 0 or bool(np.all(delays == delays[0])))
    bundle.shared_weight = "weight" not in bundle.per_synapse and not code.model and (
        len(weights) == 0 or bool(np.all(weights == weights[0])))
    w_flag = " (shared)" if bundle.shared_weight else ""
    with translated(f"connecting projection {first.pid}"):
        kwargs = {}
        if bundle.shared_delay:
            d = (float(delays[0]) if len(delays) else 0.0) - (first.dt if first.early else 0.0)
            kwargs["delay"] = max(d, 0.0) * b2.ms
        syn = b2.Synapses(pre_obj, post_obj,
                          model=f"lamina_w : {brian_unit(first.weight_unit)}{w_flag}"
                          + code.model,
                          on_pre=code.on_pre, on_post=code.on_post or None,
                          clock=clock, name=bundle.name, **kwargs)
        if first.early:
            syn.pre.when = "before_thresholds"
        bundle.obj = syn
        rows = 0
        for part in bundle.parts:
            if len(part.positions):
                syn.connect(i=part.pre_local + offsets[part.pre_group],
                            j=part.post_local + offsets[part.post_group])
            part.obj, part.start = syn, rows
            rows += len(part.positions)
        for var, value in code.initial.items():
            getattr(syn, var + "_")[:] = value
        if bundle.shared_weight and len(weights):
            syn.lamina_w_ = float(weights[0]) * si_factor(first.weight_unit)
        for part in bundle.parts:
            rec = records[part.pid]
            push_state(rec, part)
            if "lamina_sign" in syn.variables:
                w = rec.values["weight"][part.positions]
                syn.lamina_sign[part.rows] = np.where(w > 0, 1.0,
                                                      np.where(w < 0, -1.0, part.sign))
            push_values(rec, part, ["weight", "delay", *code.parameters], building=True)


def push_values(rec: ProjectionRecord, part: Part, names: list[str],
                building: bool = False) -> bool:
    """Copy values of `rec` (PyNN units) into the Synapses of `part`. False if the
    bundle's shared delay or weight cannot hold the values (the bundle must be rebuilt with
    `name` per connection); `building`: the shared values were just made from the
    records."""
    if part.obj is None or len(part.positions) == 0:
        return True
    rows = part.rows
    for name in names:
        vals = rec.values[name][part.positions]
        if name == "weight" and part.obj.variables["lamina_w"].scalar:
            if not building and _differs(part.obj.lamina_w_, vals * si_factor(part.weight_unit)):
                return False
        elif name == "weight":
            part.obj.lamina_w_[rows] = vals * si_factor(part.weight_unit)
            if "w_eager" in part.obj.variables:
                part.obj.w_eager_[rows] = vals * si_factor(part.weight_unit)
        elif name == "delay":
            delay = (vals - (part.dt if part.early else 0.0)) * 1e-3
            if "lamina_lag" in part.obj.variables:   # arrival - spike time (plasticity)
                part.obj.lamina_lag_[rows] = (vals - part.dt) * 1e-3
            if part.obj.pre.variables["delay"].scalar:
                if not building and _differs(part.obj.pre.delay_, delay):
                    return False
                continue
            part.obj.pre.delay_[rows] = delay
            if part.code.on_post:
                part.obj.post.delay_[rows] = delay      # the whole delay is dendritic
        else:
            getattr(part.obj, name + "_")[rows] = vals * _factor(part, name)
    return True


def _differs(shared_view: Any, values: np.ndarray) -> bool:
    """Whether `values` [SI] differ from the shared Brian 2 value `shared_view`."""
    shared = float(np.asarray(shared_view[:]).ravel()[0])
    return bool(np.any(np.abs(values - shared) > 1e-12 * max(abs(shared), 1e-30)))


def _read(view: Any, part: Part) -> np.ndarray:
    """The values of `part`'s rows of a per-connection or shared Synapses variable."""
    values = np.asarray(view[:])
    if values.ndim and values.size == len(part.obj) and len(part.obj) != 1:
        return values[part.rows]
    return np.full(len(part.positions), float(values.ravel()[0]))


def push_state(rec: ProjectionRecord, part: Part) -> None:
    """Copy the synaptic state set by ``Projection.initialize`` into the Synapses of
    `part` (connections made later keep the synapse type's initial state)."""
    if part.obj is None:
        return
    for name, vals in rec.state.items():
        ok = np.flatnonzero(part.positions < len(vals))
        getattr(part.obj, name + "_")[index(part.start + ok)] = vals[part.positions[ok]]


def pull_values(rec: ProjectionRecord, name: str) -> np.ndarray:
    """Current values of `name` (PyNN units, projection order) from the Synapses objects."""
    if name not in rec.values:
        raise NonExistentParameterError(name, type(rec.synapse_type).__name__, rec.values)
    out = rec.values[name].copy()
    for part in rec.parts:
        if part.obj is None or len(part.positions) == 0:
            continue
        rows = part.rows
        if name == "weight":
            out[part.positions] = _read(part.obj.lamina_w_, part) / si_factor(part.weight_unit)
        elif name == "delay":
            out[part.positions] = _read(part.obj.pre.delay_, part) * 1e3 + (
                part.dt if part.early else 0.0)
        else:
            out[part.positions] = np.asarray(getattr(part.obj, name + "_")[rows]) / \
                _factor(part, name)
    return out


def _factor(part: Part, name: str) -> float:
    unit = part.code.parameters[name]
    return si_factor(part.weight_unit if unit == "weight" else unit)
