"""`SimulationPlan`: what a SONATA simulation config asks for — time step and duration,
inputs (spike files for virtual nodes, current clamps), recordings (spikes of every
non-virtual node, reports) and where the output goes.

Usage, as with PyNN::

    plan = load_sonata_simulation_plan("simulation_config.json")
    plan.setup(sim)
    net = import_from_sonata("circuit_config.json", sim)
    plan.execute(net)          # runs, then writes output_dir/spikes.h5 and the reports

Current clamp amplitudes are in nA, or in pA where ``target_simulator`` is NEST (PyNN 0.13
reads them so).
"""
from __future__ import annotations

import json
import logging
import os
from types import ModuleType
from typing import Any

import numpy as np

from lamina.errors import FileFormatError, InvalidModelError
from lamina.io.sonata import node_sets
from lamina.io.sonata.config import load_config, section
from lamina.io.sonata.spikes import read_spikes, write_report, write_spikes
from lamina.parameters import Sequence

logger = logging.getLogger(__name__)


def load_sonata_simulation_plan(config_file: str) -> "SimulationPlan":
    """Read a SONATA simulation config into a `SimulationPlan`."""
    return SimulationPlan(load_config(config_file))


class SimulationPlan:
    """The run, inputs, reports and output sections of a SONATA simulation config."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.where = config["_config_file"]
        self.run_config = section(config, "run", dict)
        for key in ("tstop", "dt"):
            if not isinstance(self.run_config.get(key), (int, float)):
                raise FileFormatError(f"{self.where}: run.{key} is "
                                      f"{self.run_config.get(key)!r}; expected a number [ms]")
        self.inputs = section(config, "inputs", dict, {})
        self.reports = section(config, "reports", dict, {})
        self.output = section(config, "output", dict, {})
        self.target_simulator = str(config.get("target_simulator", "PyNN"))
        self.node_sets = dict(config.get("node_sets", {}))
        if "node_sets_file" in config:
            self.node_sets.update(_read_node_sets(config["node_sets_file"]))
        self.sim: ModuleType | None = None
        self.output_files: list[str] = []

    def setup(self, sim: ModuleType, **extra_setup_args: Any) -> None:
        """Call ``sim.setup`` with the config's time step [ms]."""
        self.sim = sim
        sim.setup(timestep=float(self.run_config["dt"]), **extra_setup_args)

    def execute(self, net: Any) -> None:
        """Attach the inputs, record, run until ``tstop`` and write the output files."""
        if self.sim is None:
            raise FileFormatError(f"{self.where}: call setup(sim) before execute(net)")
        for name, spec in self.inputs.items():
            self._add_input(name, spec, net)
        recorded = self._record(net)
        self.sim.run(float(self.run_config["tstop"]))
        self._write(net, recorded)

    # -- inputs ----------------------------------------------------------------------
    def _cells(self, name: str, net: Any) -> list[node_sets.Selection]:
        return node_sets.resolve(name, self.node_sets, net, self.where)

    def _add_input(self, name: str, spec: dict[str, Any], net: Any) -> None:
        kind = spec.get("input_type")
        target = spec.get("node_set")
        if not isinstance(target, str):
            raise FileFormatError(f"{self.where}: inputs.{name} has no node_set; expected the "
                                  "name of a node set or node population")
        if kind == "spikes":
            self._spike_input(name, spec, self._cells(target, net))
        elif kind == "current_clamp":
            self._current_clamp(name, spec, self._cells(target, net))
        else:
            raise FileFormatError(f"{self.where}: inputs.{name}.input_type={kind!r}; lamina reads "
                                  "'spikes' and 'current_clamp'")

    def _spike_input(self, name: str, spec: dict[str, Any],
                     cells: list[node_sets.Selection]) -> None:
        if spec.get("module", "h5") not in ("h5", "hdf5", "sonata"):
            raise FileFormatError(f"{self.where}: inputs.{name}.module={spec.get('module')!r}; "
                                  "lamina reads SONATA spike files (module 'h5' or 'sonata')")
        path = spec.get("input_file")
        if not isinstance(path, str):
            raise FileFormatError(f"{self.where}: inputs.{name} has no input_file")
        spikes = read_spikes(path)
        for sel in cells:
            if sel.node_population in spikes:
                ids, times = spikes[sel.node_population]
            elif len(spikes) == 1:          # the old layout, or one unnamed population
                ids, times = next(iter(spikes.values()))
            else:
                raise FileFormatError(f"{path}: no spikes for node population "
                                      f"{sel.node_population!r} (inputs.{name}); the file has "
                                      f"{', '.join(map(str, spikes))}")
            if "spike_times" not in sel.population.celltype.default_parameters:
                raise InvalidModelError(
                    f"{self.where}: inputs.{name} sends spikes to {sel.node_population!r}, whose "
                    f"cells are {type(sel.population.celltype).__name__}; expected virtual nodes")
            order = np.argsort(ids, kind="stable")
            ids, times = ids[order], times[order]
            lo = np.searchsorted(ids, sel.node_ids, "left")
            hi = np.searchsorted(ids, sel.node_ids, "right")
            trains = [Sequence(np.sort(times[a:b])) for a, b in zip(lo, hi)]
            sel.population[sel.indices].set(spike_times=trains)

    def _current_clamp(self, name: str, spec: dict[str, Any],
                       cells: list[node_sets.Selection]) -> None:
        missing = [k for k in ("amp", "delay", "duration")
                   if not isinstance(spec.get(k), (int, float))]
        if "input_file" in spec or missing:
            raise FileFormatError(f"{self.where}: inputs.{name}: lamina reads current clamps "
                                  "given by numbers amp, delay and duration "
                                  "(missing or not a number: "
                                  f"{', '.join(missing) or 'input_file'})")
        amp = float(spec["amp"]) / (1000.0 if self.target_simulator.upper() == "NEST" else 1.0)
        assert self.sim is not None                  # execute() checked that setup() ran
        source = self.sim.DCSource(amplitude=amp, start=float(spec["delay"]),
                                   stop=float(spec["delay"]) + float(spec["duration"]))
        for sel in cells:
            sel.population[sel.indices].inject(source)

    # -- recording and output -----------------------------------------------------------
    def _record(self, net: Any) -> dict[str, list[node_sets.Selection]]:
        net.record("spikes", include_spike_source=False)
        recorded = {}
        for name, spec in self.reports.items():
            variable, cells = spec.get("variable_name"), spec.get("cells", spec.get("node_set"))
            if not isinstance(variable, str) or not isinstance(cells, str):
                raise FileFormatError(f"{self.where}: reports.{name} needs 'cells' (a node set) "
                                      "and 'variable_name'")
            selections = self._cells(cells, net)
            interval = spec.get("dt")
            for sel in selections:
                sel.population[sel.indices].record(
                    variable, sampling_interval=float(interval) if interval else None)
            recorded[name] = selections
        return recorded

    def _write(self, net: Any, recorded: dict[str, list[node_sets.Selection]]) -> None:
        out_dir = self.output.get("output_dir", os.path.join(self.config["_config_dir"], "output"))
        os.makedirs(out_dir, exist_ok=True)
        spikes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for assembly in net.ordered_assemblies() or []:
            sel = node_sets._select(net, assembly, {})
            parts = [_spikes_of(s) for s in sel if s.population.celltype.injectable]
            if parts:
                spikes[assembly.label] = (np.concatenate([p[0] for p in parts]),
                                          np.concatenate([p[1] for p in parts]))
        path = os.path.join(out_dir, self.output.get("spikes_file", "spikes.h5"))
        write_spikes(path, spikes, self.output.get("spikes_sort_order", "time"))
        self.output_files = [path]
        for name, selections in recorded.items():
            self.output_files.append(self._write_report(out_dir, name, selections))
        logger.info("SONATA output written: %s", ", ".join(self.output_files))

    def _write_report(self, out_dir: str, name: str,
                      selections: list[node_sets.Selection]) -> str:
        spec = self.reports[name]
        variable = spec["variable_name"]
        columns: dict[str, tuple[list, list]] = {}
        signal = None
        for sel in selections:
            seg = sel.population[sel.indices].get_data(variable).segments[-1]
            signal = next(s for s in seg.analogsignals if s.name == variable)
            ids, data = columns.setdefault(sel.node_population, ([], []))
            ids.append(sel.node_ids)
            data.append(np.asarray(signal.magnitude))
        path = os.path.join(out_dir, spec.get("file_name", f"{name}.h5"))
        if signal is None:
            raise FileFormatError(f"{self.where}: reports.{name}: its node set has no cells")
        dt = float(signal.sampling_period.rescale("ms").magnitude)
        write_report(path, {k: (np.concatenate(v[0]), np.hstack(v[1])) for k, v in columns.items()},
                     float(signal.t_start.rescale("ms").magnitude),
                     float(signal.t_stop.rescale("ms").magnitude), dt, variable,
                     signal.units.dimensionality.string)
        return path


def _spikes_of(sel: node_sets.Selection) -> tuple[np.ndarray, np.ndarray]:
    seg = sel.population.get_data("spikes").segments[-1]
    by_index = {int(st.annotations["source_index"]): np.asarray(st.rescale("ms").magnitude)
                for st in seg.spiketrains}
    ids, times = [], []
    for index, node_id in zip(sel.indices, sel.node_ids):
        t = by_index.get(int(index), np.zeros(0))
        ids.append(np.full(t.size, node_id, dtype=np.int64))
        times.append(t)
    return (np.concatenate(ids) if ids else np.zeros(0, np.int64),
            np.concatenate(times) if times else np.zeros(0))


def _read_node_sets(path: str) -> dict[str, Any]:
    if not os.path.isfile(path):
        raise FileFormatError(f"{path}: no such node sets file")
    with open(path) as fh:
        try:
            sets = json.load(fh)
        except json.JSONDecodeError as err:
            raise FileFormatError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(sets, dict):
        raise FileFormatError(f"{path}: expected an object of node set definitions")
    return sets
