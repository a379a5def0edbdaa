"""NestBackend: lamina's backend interface on the NEST simulator (PyNEST 3.x).

Kernel: ``nest.ResetKernel(); nest.set(resolution=dt, local_num_threads=threads,
rng_seed=seed)``; NEST's delay range is left to NEST, which widens it to every delay
connected until the first ``Simulate`` and then fixes it. An idle parrot neuron connected to
itself with delay dt (the "delay anchor") keeps NEST's min_delay at the time step (lamina
checks its own min_delay on every connection), so that devices connect with a one-step
delay and multimeter data lag by one step only (see `recording`). NEST's max_delay is the
longest delay in the network at the first run, not setup()'s max_delay: NEST sizes every
neuron's input buffers by it (10 ms instead of 1 ms made the CUBA benchmark ~1.35x slower).
Connections made or delays set after that run may not exceed it (`ConnectionError`);
``setup(..., reserve_max_delay=True)`` anchors max_delay too, allowing any delay up to
setup()'s max_delay at any time, at the cost of the larger buffers.

Reset: NEST cannot rewind time. `reset()` reads every projection's current values back
from NEST (so weights changed by plasticity are kept, as on a simulator that rewinds),
calls ``nest.ResetKernel()`` and rebuilds the network from the backend's own records:
cell groups with their current parameters and initial values, projections, current
sources and recording set-up (`_rebuild`). The new segment starts at t = 0. Dynamic
synapses (short-term plasticity, stochastic, STDP) restart as the engine's do: weights as
last set (connect or `set`), synaptic state at its initial value.

Dynamic synapses: NEST's models (tsodyks_synapse with tau_psc = the target's tau_syn,
tsodyks2_synapse, quantal_stp_synapse, bernoulli_synapse, stdp_synapse with mu_plus/
mu_minus, vogels_sprekeler_synapse; tables in `translations`). Their PyNN parameters are
kept per connection by the backend (`ProjectionRecord.pynn`) and the NEST parameters
recomputed on `set`. NEST keeps STDP's tau_minus in the postsynaptic neuron (one value per
cell), bounds STDP weights by 0 (w_min must be 0) and treats the whole delay as dendritic
(dendritic_delay_fraction must be 1): otherwise NoModelAvailableError. NEST's dynamic
synapses take no input from devices, so SpikeSourceArray cells send through parrot relays
(own generators one step early; their spike times must be >= 2 dt). Gap junctions
(ElectricalSynapse): NEST's gap_junction in both directions, only between NEST models with
gap support (native types such as hh_psc_alpha_gap). Synaptic state over time: see
`runtime.NestRuntime` (sampled from the connections between Simulate calls).

Parts: `NestBackend` builds cells and connections and resets; it owns a `runtime.NestRuntime`
(current sources, recording, running) and both share one `state.NestState` (the network
as built in NEST and the clock).
"""
from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np

os.environ.setdefault("PYNEST_QUIET", "1")
import nest  # noqa: E402  (an ImportError here becomes BackendNotAvailableError)

from lamina.backends.base import Backend, BackendConfig, Capabilities, SignalData  # noqa: E402
from lamina.backends.nest import cells as cg  # noqa: E402
from lamina.backends.nest import mpi as nest_mpi  # noqa: E402
from lamina.backends.nest import native  # noqa: E402
from lamina.backends.nest import translations as tr  # noqa: E402
from lamina.backends.nest.connections import (NATIVE_RULES, ProjectionRecord,  # noqa: E402
                                              base_synapse_model, conn_spec,
                                              dynamic_nest_values, is_dynamic, synapse_entry)
from lamina.backends.nest.errors import translated  # noqa: E402
from lamina.backends.nest.runtime import NestRuntime  # noqa: E402
from lamina.backends.nest.state import NestState  # noqa: E402
from lamina.connectors.description import ConnectorDescription  # noqa: E402
from lamina.errors import (ConnectionError, InvalidParameterValueError,  # noqa: E402
                           NoModelAvailableError, NonExistentParameterError)
from lamina.models.base import (StandardCellType, StandardCurrentSourceType,  # noqa: E402
                                StandardSynapseType)

logger = logging.getLogger(__name__)
_I64 = np.int64


def _nc(nodes: np.ndarray) -> Any:
    """NodeCollection of sorted unique NEST node ids."""
    return nest.NodeCollection(np.unique(np.asarray(nodes, _I64)).tolist())


class NestBackend(Backend):
    """lamina on NEST (see the module docstring for kernel set-up and reset)."""

    name = "nest"
    #: with a NEST built with MPI, lamina passes rank, process count and locality through
    #: (`lamina.backends.nest.mpi`)
    can_distribute = nest_mpi.nest_has_mpi(nest)
    distribution_hint = ("NEST's pip wheel has no MPI; install a NEST built with MPI "
                         "(conda install -c conda-forge nest-simulator mpi4py, or a source "
                         "build with -Dwith-mpi=ON)")
    setup_options = frozenset({"spike_precision", "reserve_max_delay"})
    features = Capabilities(cell_types=frozenset(tr.CELLS) | {"PointNeuron"},
                            synapse_types=frozenset(tr.SYNAPSES),
                            spike_precisions=frozenset({"on_grid", "off_grid"}),
                            native_cell_types=True,
                            native_connection_rules=frozenset(NATIVE_RULES),
                            synapse_state_recording=True)

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.dt = float(config.dt)
        # checked by the core against `features.spike_precisions`
        self.off_grid = config.extra.get("spike_precision", "on_grid") == "off_grid"
        self.state = NestState(self.dt, self.off_grid)
        self.runtime = NestRuntime(self.state)
        nest_mpi.attach(self, nest)
        self._configure_kernel()

    # -- kernel ------------------------------------------------------------------------
    def _configure_kernel(self) -> None:
        c = self.config
        seed = int(c.rng_seed)
        if not 1 <= seed < 2**31:
            seed = seed % (2**31 - 2) + 1
        with translated("setup()"):
            nest.ResetKernel()
            nest.verbosity = nest.VerbosityLevel.ERROR
            nest.set(resolution=self.dt, local_num_threads=int(c.threads), rng_seed=seed,
                     print_time=False)
            self.state.recorder = nest.Create("spike_recorder")
            anchor = nest.Create("parrot_neuron")
            for delay in self._anchor_delays():
                nest.Connect(anchor, anchor, "one_to_one", {"delay": delay})
        self.state.recorder_connected = np.zeros(len(self.state.spk_active), bool)
        self.state.delays_fixed = False
        self.state.slice_steps = 1000   # steps of one NEST Run slice (see `runtime._advance`)

    def _anchor_delays(self) -> list[float]:
        """Delays [ms] of the delay anchor: dt (NEST's min_delay) and, with
        ``reserve_max_delay``, setup()'s max_delay."""
        reserve = self.config.extra.get("reserve_max_delay", False)
        if not isinstance(reserve, (bool, np.bool_)):
            raise InvalidParameterValueError(
                f"reserve_max_delay={reserve!r}: expected True or False")
        out = [self.dt]
        if reserve and float(self.config.max_delay) > self.dt:
            out.append(float(np.round(self.config.max_delay / self.dt)) * self.dt)
        return out

    def _check_fixed_delays(self, delays: Any, what: str) -> None:
        """After the first run NEST's delay range is fixed: a longer delay raises
        `ConnectionError` naming it and the longest delay allowed."""
        if not self.state.delays_fixed or delays is None:
            return
        d = np.asarray(delays, float)
        if d.size == 0:
            return
        top = float(nest.GetKernelStatus("max_delay"))
        longest = float(d.max())
        if longest > top + 1e-6 * self.dt:
            raise ConnectionError(
                f"{what}: delay {longest} ms exceeds {top} ms, the longest delay NEST can "
                "deliver in this run (NEST fixes its delay range at the first run, from the "
                "delays present then); make such connections before the first run, call "
                "reset(), or pass reserve_max_delay=True to setup() to allow delays up to "
                f"max_delay ({self.config.max_delay} ms) at any time")

    # -- resources ---------------------------------------------------------------------
    def bytes_per_cell(self, celltype: StandardCellType) -> float:
        """A NEST node with its ring buffers and lamina's per-cell bookkeeping."""
        return 4096.0

    def bytes_per_connection(self, synapse_type: StandardSynapseType) -> float:
        """Measured: 39 B per static synapse after connecting, 68 B after the first
        Simulate (BENCHMARKS.md, Brunel); plastic synapses carry their state too."""
        if type(synapse_type).__name__ == "StaticSynapse":
            return 70.0
        return 70.0 + 8.0 * len(type(synapse_type).parameters)

    # -- cells -------------------------------------------------------------------------
    def create_cells(self, celltype: StandardCellType, ids: np.ndarray,
                     parameters: dict[str, Any], initial_values: dict[str, np.ndarray]) -> None:
        ids = np.asarray(ids, _I64)
        if len(ids) == 0:
            return
        group = cg.make_group(celltype, ids, parameters, initial_values, self.off_grid,
                              nest.GetDefaults)
        top = int(ids.max()) + 1
        if top > len(self.state.node_of):
            extra = top - len(self.state.node_of)
            self.state.node_of = np.concatenate([self.state.node_of, np.full(extra, -1, _I64)])
            self.state.group_of = np.concatenate([self.state.group_of, np.full(extra, -1, _I64)])
            self.state.local_of = np.concatenate([self.state.local_of, np.full(extra, -1, _I64)])
            self.state.spk_active = np.concatenate([self.state.spk_active, np.zeros(extra, bool)])
            self.state.recorder_connected = np.concatenate([self.state.recorder_connected,
                                                       np.zeros(extra, bool)])
        self.state.group_of[ids] = len(self.state.groups)
        self.state.local_of[ids] = np.arange(len(ids))
        self.state.groups.append(group)
        self._build_group(group)

    def _build_group(self, g: cg.CellGroup) -> None:
        n = len(g.ids)
        with translated(f"creating {n} {type(g.celltype).__name__} cells"):
            if g.kind == tr.POISSON:
                nodes = nest.Create(g.model, n)
                gen = cg.entry(g)["generator"][1 if self.off_grid else 0]
                gens = nest.Create(gen, n, params=cg.generator_status(g, self.dt))
                nest.Connect(gens, nodes, "one_to_one", {"delay": self.dt})
                g.gens = np.asarray(gens.tolist(), _I64)
            elif g.kind == tr.SPIKE_ARRAY:
                nodes = nest.Create(g.model, n)
                if self.off_grid:
                    nodes.set(precise_times=True)
                nodes.set(cg.generator_status(g, self.dt, off_grid=self.off_grid))
            else:
                nodes = nest.Create(g.model, n)
                status = cg.neuron_status(g)
                status.update(cg.state_status(g))
                if status:
                    _set_status(nodes, status)
                if g.tau_minus is not None:
                    have = ~np.isnan(g.tau_minus)
                    if have.any():
                        nest.NodeCollection(np.asarray(nodes.tolist())[have].tolist()).set(
                            tau_minus=g.tau_minus[have].tolist())
        g.nodes = np.asarray(nodes.tolist(), _I64)
        self.state.note_nodes(g.ids, g.nodes)
        if g.relays is not None:
            g.relays = None
            self._build_relays(g)

    def _build_relays(self, g: cg.CellGroup) -> None:
        """Parrots re-emitting a SpikeSourceArray's spikes (NEST's dynamic synapses take no
        input from devices); fed by their own generators one step early, with delay dt."""
        n = len(g.ids)
        with translated("relaying SpikeSourceArray spikes through parrot neurons"):
            gens = nest.Create("spike_generator", n)
            gens.set(cg.relay_status(g, self.dt))
            parrots = nest.Create("parrot_neuron", n)
            nest.Connect(gens, parrots, "one_to_one", {"delay": self.dt})
        g.relay_gens = np.asarray(gens.tolist(), _I64)
        g.relays = np.asarray(parrots.tolist(), _I64)

    def _source_nodes(self, ids: np.ndarray, dynamic: bool) -> np.ndarray:
        """NEST nodes sending the spikes of cells `ids` (relays for SpikeSourceArray cells
        when the synapses are dynamic)."""
        nodes = self.state.nodes(ids).copy()
        if not dynamic or len(ids) == 0:
            return nodes
        for g, where, local in self.state.split(ids):
            if g.kind == tr.SPIKE_ARRAY:
                if g.relays is None:
                    self._build_relays(g)
                relays: np.ndarray = g.relays  # type: ignore[assignment]  # set by _build_relays
                nodes[where] = relays[local]
        return nodes

    def set_cell_parameters(self, ids: np.ndarray, parameters: dict[str, Any]) -> None:
        for g, where, local in self.state.split(ids):
            for name, value in parameters.items():
                if name not in g.params:
                    raise NonExistentParameterError(name, type(g.celltype).__name__, g.params)
                if isinstance(g.params[name], list):
                    seqs = value if len(value) == len(ids) else [value] * len(ids)
                    for w, loc in zip(where, local):
                        g.params[name][loc] = np.asarray(seqs[w], float).ravel()
                else:
                    arr = np.asarray(value, float)
                    g.params[name][local] = arr[where] if arr.ndim == 1 and len(arr) == len(ids) \
                        else np.broadcast_to(arr, (len(local),))
            self._push_parameters(g, local, set(parameters))

    def _push_parameters(self, g: cg.CellGroup, local: np.ndarray, names: set[str]) -> None:
        with translated(f"setting {', '.join(sorted(names))} of {type(g.celltype).__name__}"):
            if g.kind == tr.SPIKE_ARRAY:
                _nc(g.nodes[local]).set(cg.generator_status(g, self.dt, local, self.off_grid))
                if g.relay_gens is not None:
                    _nc(g.relay_gens[local]).set(cg.relay_status(g, self.dt, local))
            elif g.kind == tr.POISSON and g.gens is not None:
                _nc(g.gens[local]).set(cg.generator_status(g, self.dt, local, names=names,
                                                           now=self.state.step))
            else:
                status = cg.neuron_status(g, local, names)
                if status:
                    _set_status(_nc(g.nodes[local]), status)

    def set_initial_values(self, ids: np.ndarray, values: dict[str, np.ndarray]) -> None:
        for g, where, local in self.state.split(ids):
            for name, value in values.items():
                if name not in g.init:
                    raise NonExistentParameterError(name, type(g.celltype).__name__, g.init)
                arr = np.asarray(value, float)
                g.init[name][local] = arr[where] if arr.ndim == 1 and len(arr) == len(ids) \
                    else np.broadcast_to(arr, (len(local),))
            sub = cg.CellGroup(g.celltype, g.kind, g.model, g.entry, g.ids[local],
                               {}, {k: v[local] for k, v in g.init.items() if k in values})
            status = cg.state_status(sub)
            if status:
                with translated(f"initialising {', '.join(values)}"):
                    _nc(g.nodes[local]).set(status)

    # -- connections -------------------------------------------------------------------
    def _projection(self, pid: int, synapse_type: StandardSynapseType,
                    receptor_type: str, pre_ids: np.ndarray) -> ProjectionRecord:
        rec = self.state.projections.get(pid)
        if rec is None:
            base = base_synapse_model(synapse_type)
            dynamic = is_dynamic(synapse_type)
            gap = bool(synapse_entry(synapse_type).get("gap")) or base == "gap_junction"
            from_devices = len(pre_ids) and any(
                g.kind == tr.SPIKE_ARRAY for g, _, _ in self.state.split(np.unique(pre_ids)))
            if gap:
                self._check_gap(pre_ids, synapse_type)
            if from_devices and not dynamic and not gap:
                if base + "_lbl" not in nest.synapse_models:
                    raise ConnectionError(f"NEST has no labelled variant of {base!r}, needed "
                                          "for connections from a SpikeSourceArray")
                rec = ProjectionRecord(pid, base, base + "_lbl", receptor_type, label=pid)
            else:
                rec = ProjectionRecord(pid, base, f"lamina_projection_{pid}", receptor_type)
                self._copy_model(rec)
            rec.synapse_type, rec.dynamic, rec.gap = synapse_type, dynamic, gap
            if gap:
                rec.value_names = {"weight"}
            self.state.projections[pid] = rec
        return rec

    def _check_gap(self, ids: np.ndarray, synapse_type: Any) -> None:
        """Gap junctions need NEST models with gap-junction support (e.g. the native
        hh_psc_alpha_gap); lamina's standard cell types have none on NEST."""
        for g, _, _ in self.state.split(np.unique(ids)):
            ok = g.kind == cg.NATIVE and (g.model.endswith("_gap") or "_gap_" in g.model)
            if not ok:
                raise NoModelAvailableError(
                    f"{type(synapse_type).__name__} on the nest backend: NEST model {g.model!r} "
                    f"(lamina's {type(g.celltype).__name__}) has no gap-junction support; "
                    "NEST's gap_junction connects only models such as hh_psc_alpha_gap or "
                    "hh_cond_beta_gap_traub (sim.native_cell_type(...))")

    @staticmethod
    def _copy_model(rec: ProjectionRecord) -> None:
        if rec.label is None:
            with translated(f"synapse model {rec.base!r}"):
                nest.CopyModel(rec.base, rec.model)

    def _targets(self, post_ids: np.ndarray, receptor: str) -> tuple[np.ndarray, np.ndarray]:
        """(weight factor NEST/PyNN, receptor port) of each connection onto `post_ids`."""
        scale, port = np.ones(len(post_ids)), np.zeros(len(post_ids), _I64)
        for g, where, _ in self.state.split(post_ids):
            ct = type(g.celltype)
            receptors = g.celltype.receptor_types
            if receptor not in receptors:
                raise ConnectionError(
                    f"receptor type {receptor!r} is not available on {ct.__name__}; allowed: "
                    f"{', '.join(receptors) or 'none (spike source)'}")
            if g.entry is not None:
                if receptor not in g.entry["weight"]:
                    raise NoModelAvailableError(
                        f"receptor type {receptor!r} of {ct.__name__} is not available on the "
                        f"nest backend ({g.model} has no such input)")
                scale[where] = g.entry["weight"][receptor]
                port[where] = g.entry.get("ports", {}).get(receptor, 0)
            elif getattr(ct, "receptor_ports", None):
                port[where] = ct.receptor_ports[receptor]
            elif receptor == "inhibitory" and ct.conductance_based:
                scale[where] = -1.0
        return scale, port

    def connect(self, projection_id: int, pre_ids: np.ndarray, post_ids: np.ndarray,
                receptor_type: str, synapse_type: StandardSynapseType,
                values: dict[str, np.ndarray]) -> None:
        pre_ids, post_ids = np.asarray(pre_ids, _I64), np.asarray(post_ids, _I64)
        if synapse_entry(synapse_type).get("gap"):
            self._check_gap(np.concatenate([pre_ids, post_ids]), synapse_type)
            scale, port = np.full(len(post_ids), 1000.0), np.zeros(len(post_ids), _I64)
        else:
            scale, port = self._targets(post_ids, receptor_type)
        rec = self._projection(projection_id, synapse_type, receptor_type, pre_ids)
        pre, post = self._source_nodes(pre_ids, rec.dynamic), self.state.nodes(post_ids)
        n = len(pre_ids)
        if rec.dynamic:
            weight = np.broadcast_to(np.asarray(values.get("weight", 0.0), float), (n,)) * scale
            pynn = {k: np.broadcast_to(np.asarray(v, float), (n,)).copy()
                    for k, v in values.items() if k not in ("weight", "delay")}
            wsign = self._weight_signs(post_ids, receptor_type, weight, scale)
            tau_psc = self._tau_psc(post_ids, receptor_type)
            self._set_tau_minus(synapse_type, post_ids, pynn)
            nest_values = {"weight": weight, **({"delay": np.asarray(values["delay"], float)}
                                                if "delay" in values else {}),
                           **dynamic_nest_values(synapse_type, pynn, weight, wsign,
                                                 np.abs(scale), tau_psc, initial=True)}
            for k in set(rec.pynn) | set(pynn):
                rec.pynn[k] = np.concatenate([rec.pynn.get(k, np.full(len(rec.pre), np.nan)),
                                              pynn.get(k, np.full(n, np.nan))])
            rec.w0 = np.concatenate([rec.w0, weight])
            rec.wsign = np.concatenate([rec.wsign, wsign])
            rec.tau_psc = np.concatenate([rec.tau_psc, tau_psc])
        else:
            nest_values = {k: np.asarray(v, float) * (scale if k == "weight" else 1.0)
                           for k, v in values.items()}
        self._nest_connect(rec, pre, post, nest_values, port)
        rec.value_names |= {k for k in values if k in ("weight", "delay") or not rec.dynamic}
        rec.append(pre_ids, post_ids, pre, post, scale, port)

    def _weight_signs(self, post_ids: np.ndarray, receptor: str, weight: np.ndarray,
                      scale: np.ndarray) -> np.ndarray:
        """+-1 per connection: the sign of the NEST weight (for a zero weight the receptor's:
        negative for NEST's inhibitory conductances and lamina's inhibitory currents)."""
        cond = np.zeros(len(post_ids), bool)
        for g, where, _ in self.state.split(post_ids):
            cond[where] = bool(getattr(g.celltype, "conductance_based", False))
        neg = (scale < 0) | ((receptor == "inhibitory") & ~cond)
        return np.where(weight > 0, 1.0, np.where(weight < 0, -1.0, np.where(neg, -1.0, 1.0)))

    def _tau_psc(self, post_ids: np.ndarray, receptor: str) -> np.ndarray:
        """The synaptic time constant of each target receptor (0 where there is none)."""
        out = np.zeros(len(post_ids))
        for g, where, local in self.state.split(post_ids):
            name = (g.entry or {}).get("tau_psc", {}).get(receptor)
            if name is not None:
                out[where] = g.params[name][local]
        return out

    def _set_tau_minus(self, synapse_type: Any, post_ids: np.ndarray,
                       pynn: dict[str, np.ndarray]) -> None:
        """STDP: NEST keeps the depression time constant in the postsynaptic neuron."""
        if type(synapse_type).__name__ != "STDPMechanism" or len(post_ids) == 0:
            return
        tau = pynn["tau" if synapse_type.rule == "vogels" else "tau_minus"]
        for g, where, local in self.state.split(post_ids):
            if g.tau_minus is None:
                g.tau_minus = np.full(len(g.ids), np.nan)
            old = g.tau_minus[local]
            new = tau[where]
            order = np.lexsort((new, local))
            ls, ns = local[order], new[order]
            start = np.r_[True, ls[1:] != ls[:-1]] if len(ls) else np.zeros(0, bool)
            first = np.maximum.accumulate(np.where(start, np.arange(len(ls)), 0))
            if np.any(~np.isnan(old) & (old != new)) or np.any(ns != ns[first]):
                raise NoModelAvailableError(
                    "STDPMechanism on the nest backend: NEST keeps one depression time "
                    "constant (tau_minus) per postsynaptic neuron; all STDP synapses onto a "
                    "cell must share it")
            g.tau_minus[local] = new
            with translated("setting tau_minus of STDP targets"):
                _nc(g.nodes[np.unique(local)]).set(
                    {"tau_minus": [float(g.tau_minus[i]) for i in np.unique(local)]})

    def _nest_connect(self, rec: ProjectionRecord, pre: np.ndarray, post: np.ndarray,
                      values: dict[str, np.ndarray], port: np.ndarray) -> None:
        if len(pre) == 0:
            return
        syn: dict[str, Any] = {"synapse_model": rec.model}
        if rec.label is not None:
            syn["synapse_label"] = rec.label
        for k, v in values.items():
            v = np.asarray(v)
            syn[k] = np.ascontiguousarray(v, dtype=np.int64 if v.dtype.kind == "i" else float)
        if np.any(port):
            syn["receptor_type"] = int(port[0]) if np.all(port == port[0]) else port
        if rec.gap:
            syn.pop("delay", None)
            pre, post = np.concatenate([pre, post]), np.concatenate([post, pre])
            syn = {k: (np.concatenate([v, v]) if isinstance(v, np.ndarray) else v)
                   for k, v in syn.items()}
        self._check_fixed_delays(syn.get("delay"), f"connecting projection {rec.pid}")
        with translated(f"connecting projection {rec.pid}"):
            nest.Connect(np.ascontiguousarray(pre, dtype=_I64),
                         np.ascontiguousarray(post, dtype=_I64), "one_to_one", syn)
        self.state.conns_dirty = True

    def connect_native(self, projection_id: int, pre_ids: np.ndarray, post_ids: np.ndarray,
                       connector: ConnectorDescription, receptor_type: str,
                       synapse_type: StandardSynapseType, values: dict[str, float]) -> int | None:
        spec = conn_spec(connector)
        pre_ids, post_ids = np.asarray(pre_ids, _I64), np.asarray(post_ids, _I64)
        if is_dynamic(synapse_type) or synapse_entry(synapse_type).get("gap"):
            return None   # lamina's connector runs (per-connection translation)
        if spec is None or projection_id in self.state.projections or len(pre_ids) == 0 \
                or len(post_ids) == 0:
            return None
        if np.any(np.diff(pre_ids) <= 0) or np.any(np.diff(post_ids) <= 0):
            return None  # NodeCollections are sorted: lamina's connector keeps the order
        scale, port = self._targets(post_ids, receptor_type)
        if np.any(scale != scale[0]) or np.any(port != port[0]):
            return None
        rec = self._projection(projection_id, synapse_type, receptor_type, pre_ids)
        pre, post = self.state.nodes(pre_ids), self.state.nodes(post_ids)
        syn = {"synapse_model": rec.model, "weight": 0.0, "delay": self.config.min_delay,
               **values}
        if "weight" in values:
            syn["weight"] = values["weight"] * scale[0]
        if rec.label is not None:
            syn["synapse_label"] = rec.label
        if port[0]:
            syn["receptor_type"] = int(port[0])
        if isinstance(syn["delay"], (int, float)):
            self._check_fixed_delays(syn["delay"], f"connecting projection {projection_id}")
        with translated(f"connecting projection {projection_id} ({spec['rule']})"):
            nest.Connect(_nc(pre), _nc(post), spec, syn)
            rec.invalidate()
            found = nest.GetConnections(synapse_model=rec.model) if rec.label is None else \
                nest.GetConnections(synapse_model=rec.model, synapse_label=rec.label)
        rec.pending = (found, pre, post, pre_ids, post_ids, scale[0], port[0])
        self.state.conns_dirty = True
        return len(found)

    def connection_ids(self, projection_id: int) -> tuple[np.ndarray, np.ndarray]:
        rec = self.state.projections[projection_id]
        with translated(f"reading the connections of projection {projection_id}"):
            rec.resolve()
        return rec.pre_ids, rec.post_ids

    def set_connection_values(self, projection_id: int, name: str, values: np.ndarray) -> None:
        rec = self.state.projections[projection_id]
        with translated(f"reading the connections of projection {projection_id}"):
            rec.resolve()
        vals = np.broadcast_to(np.asarray(values, float), (len(rec.pre),))
        if rec.dynamic and name not in ("weight", "delay"):
            self._set_dynamic(rec, name, vals)
            return
        if name == "weight":
            vals = vals * rec.scale
            if rec.dynamic:
                rec.w0 = vals.copy()
        elif name == "delay":
            self._check_fixed_delays(vals, f"setting delay of projection {projection_id}")
        rec.value_names.add(name)
        with translated(f"setting {name} of projection {projection_id}"):
            rec.set(nest, name, vals)

    def set_synapse_state(self, projection_id: int, name: str, values: np.ndarray) -> None:
        rec = self.state.projections[projection_id]
        table = tr.SYNAPSES.get(type(rec.synapse_type).__name__, {}).get("state", {})
        if not rec.dynamic or name not in table:
            raise NonExistentParameterError(
                name, f"{type(rec.synapse_type).__name__} (state variables)", list(table))
        with translated(f"reading the connections of projection {projection_id}"):
            rec.resolve()
        vals = np.broadcast_to(np.asarray(values, float), (len(rec.pre),)).copy()
        as_int = name == "a"      # quantal_stp_synapse counts release sites
        if as_int:
            vals = np.round(vals).astype(np.int64)
        rec.initial[table[name]] = vals
        with translated(f"setting {name} of projection {projection_id}"):
            rec.set(nest, table[name], vals, as_int=as_int)

    def _set_dynamic(self, rec: ProjectionRecord, name: str, vals: np.ndarray) -> None:
        """Change a dynamic synapse parameter: the NEST parameters computed from it."""
        if name not in rec.pynn:
            raise NonExistentParameterError(name, type(rec.synapse_type).__name__,
                                            ["weight", "delay", *rec.pynn])
        rec.pynn[name] = vals.copy()
        self._set_tau_minus(rec.synapse_type, rec.post_ids, rec.pynn)
        weight = rec.w0 if len(rec.w0) else rec.get(nest, "weight")
        new = dynamic_nest_values(rec.synapse_type, rec.pynn, weight, rec.wsign,
                                  np.abs(rec.scale), None, initial=False)
        with translated(f"setting {name} of projection {rec.pid}"):
            for k, v in new.items():
                rec.set(nest, k, v, as_int=np.asarray(v).dtype.kind == "i")

    def get_connection_values(self, projection_id: int, name: str) -> np.ndarray:
        rec = self.state.projections[projection_id]
        if rec.dynamic and name not in ("weight", "delay"):
            if name not in rec.pynn:
                raise NonExistentParameterError(name, type(rec.synapse_type).__name__,
                                                ["weight", "delay", *rec.pynn])
            return rec.pynn[name].copy()
        with translated(f"reading {name} of projection {projection_id}"):
            vals = rec.get(nest, name)
        if name == "weight":
            return vals / rec.scale
        if name == "delay":
            return np.round(vals / self.dt) * self.dt
        return vals

    # -- time, recording and current sources: the runtime's ------------------------------
    @property
    def t(self) -> float:
        return self.state.t

    def run_until(self, t_stop: float) -> None:
        self.runtime.run_until(t_stop)

    def reset(self) -> None:
        """Read the connections back, start a fresh NEST kernel and rebuild the network in
        it (see the module docstring)."""
        for rec in self.state.projections.values():
            with translated("reading connections before reset"):
                rec.replay = {n: rec.get(nest, n) for n in sorted(rec.value_names)}
            if rec.dynamic:   # as the engine: weights as last set, synaptic state at t = 0
                rec.replay["weight"] = rec.w0.copy()
                rec.replay.update(dynamic_nest_values(
                    rec.synapse_type, rec.pynn, rec.w0, rec.wsign, np.abs(rec.scale),
                    rec.tau_psc, initial=True))
                rec.replay.update(rec.initial)
        self._configure_kernel()
        self.state.node_of[:] = -1
        self.state.id_of_node = np.zeros(1, _I64)
        for g in self.state.groups:
            self._build_group(g)
        for rec in self.state.projections.values():
            self._copy_model(rec)
            rec.pre = self._source_nodes(rec.pre_ids, rec.dynamic)
            rec.post = self.state.nodes(rec.post_ids)
            self._nest_connect(rec, rec.pre, rec.post, rec.replay, rec.receptor)
            rec.invalidate()
        self.runtime.rebuild()

    def inject(self, source_id: int, source: StandardCurrentSourceType,
               parameters: dict[str, Any], target_ids: np.ndarray) -> None:
        self.runtime.inject(source_id, source, parameters, target_ids)

    def set_current_source_parameters(self, source_id: int, parameters: dict[str, Any]) -> None:
        self.runtime.set_current_source_parameters(source_id, parameters)

    def record_current_source(self, source_id: int) -> None:
        self.runtime.record_current_source(source_id)

    def get_current_source_data(self, source_id: int, clear: bool) -> SignalData:
        return self.runtime.get_current_source_data(source_id, clear)

    def set_recording(self, ids: np.ndarray, variable: str, sampling_interval: float) -> None:
        self.runtime.set_recording(ids, variable, sampling_interval)

    def stop_recording(self, ids: np.ndarray, variable: str) -> None:
        self.runtime.stop_recording(ids, variable)

    def get_spikes(self, ids: np.ndarray) -> list[np.ndarray]:
        return self.runtime.get_spikes(ids)

    def get_signal(self, ids: np.ndarray, variable: str) -> SignalData:
        return self.runtime.get_signal(ids, variable)

    def clear_recorded(self, ids: np.ndarray, variable: str) -> None:
        self.runtime.clear_recorded(ids, variable)

    def set_synapse_recording(self, projection_id: int, variable: str,
                              sampling_interval: float) -> None:
        self.runtime.set_synapse_recording(projection_id, variable, sampling_interval)

    def stop_synapse_recording(self, projection_id: int, variable: str) -> None:
        self.runtime.stop_synapse_recording(projection_id, variable)

    def get_synapse_signal(self, projection_id: int, variable: str) -> SignalData:
        return self.runtime.get_synapse_signal(projection_id, variable)

    def clear_synapse_recorded(self, projection_id: int, variable: str) -> None:
        self.runtime.clear_synapse_recorded(projection_id, variable)

    # -- misc --------------------------------------------------------------------------
    def end(self) -> None:
        self.state.channels, self.state.sources = [], {}

    def describe(self) -> dict[str, Any]:
        models = sorted({g.model for g in self.state.groups})
        return {"backend": self.name, "simulator": f"NEST {nest.__version__}",
                "dt": self.dt, "threads": self.config.threads,
                "spike_precision": "off_grid" if self.off_grid else "on_grid",
                "nest_models": models,
                "conventions": "NEST min_delay = dt, max_delay = longest delay at the first run; "
                               "current-source times shifted by -dt; "
                               "reset rebuilds the network after nest.ResetKernel()"}

    def native_cell_type(self, name: str) -> type[StandardCellType]:
        return native.cell_type(nest, name)

    def native_synapse_type(self, name: str) -> type:
        """Synapse type class for NEST synapse model `name`."""
        return native.synapse_type(nest, name)

    def native_electrode_type(self, name: str) -> type:
        """Current-source type class for NEST generator `name`."""
        return native.electrode_type(nest, name)


def _set_status(nodes: Any, status: dict[str, Any]) -> None:
    """``nodes.set(status)``, where a list value is either one value per node or one
    array-valued parameter (GIF's tau_sfa, ...) for all; NEST guesses wrongly when both
    occur, so then every node gets its own dict."""
    n = len(nodes)
    defaults = nodes[0].get() if n else {}

    def per_node(key: str, value: Any) -> bool:
        if not isinstance(value, list) or len(value) != n:
            return False
        if value and isinstance(value[0], (list, tuple, np.ndarray)):
            return True                                   # one array per node
        return not isinstance(defaults.get(key), (list, tuple, np.ndarray))

    split = {k for k, v in status.items() if per_node(k, v)}
    arrays = any(isinstance(v, list) and k not in split for k, v in status.items())
    if not split or not arrays and all(not isinstance(status[k][0], (list, tuple))
                                       for k in split):
        nodes.set(status)
        return
    nodes.set([{k: (v[i] if k in split else v) for k, v in status.items()} for i in range(n)])
