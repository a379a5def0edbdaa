"""SONATA: a circuit written by bmtk (tests/data/sonata, see make_circuit.py there) runs on
the engine and on NEST with identical spikes; lamina -> SONATA -> lamina is exact; the
PyNN names (`pyNN.serialization`) work through `lamina.compat`."""
from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

h5py = pytest.importorskip("h5py", reason="SONATA needs h5py (pip install lamina[sonata])")

import lamina  # noqa: E402
from lamina.io.sonata import (export_to_sonata, import_from_sonata,  # noqa: E402
                              load_sonata_simulation_plan, read_report, read_spikes)

requires_nest = pytest.mark.skipif(__import__("importlib").util.find_spec("nest") is None,
                                   reason="NEST is not installed (pip install lamina[nest])")

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "sonata")


@pytest.fixture
def circuit(tmp_path):
    """A private copy of the bmtk circuit (the plan writes its output next to it)."""
    target = tmp_path / "circuit"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("output", "*.py"))
    return str(target)


def run_circuit(sim, directory):
    plan = load_sonata_simulation_plan(os.path.join(directory, "simulation_config.json"))
    plan.setup(sim)
    net = import_from_sonata(os.path.join(directory, "circuit_config.json"), sim)
    plan.execute(net)
    spikes = read_spikes(os.path.join(directory, "output", "spikes.h5"))
    return plan, net, spikes


def sorted_spikes(spikes):
    return {k: np.column_stack(v)[np.lexsort((v[1], v[0]))] for k, v in spikes.items()}


def test_bmtk_circuit_structure_and_output_on_engine(circuit):
    plan, net, spikes = run_circuit(lamina, circuit)
    try:
        assemblies = {a.label: a for a in net.ordered_assemblies()}
        assert sorted(assemblies) == ["external", "internal", "pynn"]
        # one Population per node group: pynn has two groups (positions / tag columns)
        assert [p.size for p in assemblies["pynn"].populations] == [3, 3]
        internal = assemblies["internal"].populations[0]
        assert type(internal.celltype).__name__ == "iaf_psc_alpha"
        assert type(assemblies["external"].populations[0].celltype).__name__ == "SpikeSourceArray"
        # per node type parameters from components/point_neuron_models/*.json
        tau_m = internal.get("tau_m")
        assert tau_m.tolist() == [15.0] * 16 + [10.0] * 8
        assert internal.get("I_e").tolist() == [120.0] * 16 + [0.0] * 8
        assert assemblies["pynn"].populations[1].get("tau_m") == 12.0
        assert list(internal.annotations["model_name"][:2]) == ["exc", "exc"]
        # one Projection per edge group; weights as bmtk wrote them (pA onto NEST models)
        prjs = {p.label: p for p in net.ordered_projections()}
        with h5py.File(os.path.join(circuit, "network", "internal_internal_edges.h5")) as fh:
            group_ids = fh["edges/internal_to_internal/edge_group_id"][()]
            weights = fh["edges/internal_to_internal/0/syn_weight"][()]
        assert prjs["internal_to_internal-0"].size() == int(np.sum(group_ids == 0))
        got = np.array(prjs["internal_to_internal-0"].get("weight", format="list",
                                                        with_address=False)).ravel()
        assert np.allclose(np.sort(got), np.sort(weights))
        inh = prjs["internal_to_internal-1"]
        assert inh.receptor_type == "inhibitory"
        assert np.all(np.array(inh.get("weight", "list", with_address=False)) == -120.0)
        assert np.all(np.array(inh.get("delay", "list", with_address=False)) == 0.8)
        # output: spikes of the non-virtual node populations, the report of inh_cells
        assert set(spikes) == {"internal", "pynn"}
        assert spikes["internal"][0].size > 100 and spikes["pynn"][0].size > 10
        assert np.all(spikes["internal"][1] <= 300.0)
        report = read_report(os.path.join(circuit, "output", "membrane_potential.h5"))
        assert report["internal"]["node_ids"].tolist() == list(range(16, 24))
        t_start, t_stop, step = report["internal"]["time"]
        assert (t_start, step) == (0.0, 0.1)
        assert report["internal"]["data"].shape == (3001, 8)      # samples at 0, 0.1, ..., 300
        assert round((t_stop - t_start) / step) == 3001
        assert np.all(report["internal"]["data"] < -52.0)           # below V_th of inh cells
    finally:
        lamina.end()


def test_spike_input_reaches_virtual_nodes(circuit):
    """Each virtual node emits the spikes the input file gives it (on the nearest grid point)."""
    plan = load_sonata_simulation_plan(os.path.join(circuit, "simulation_config.json"))
    plan.setup(lamina)
    net = import_from_sonata(os.path.join(circuit, "circuit_config.json"), lamina)
    try:
        external = net.get_component("external")
        external.record("spikes")
        plan.execute(net)
        ids, times = read_spikes(os.path.join(circuit, "inputs", "external_spikes.h5"))["external"]
        trains = external.get_data("spikes").segments[-1].spiketrains
        assert len(trains) == 12
        for st in trains:
            node = st.annotations["source_index"]
            expected = np.sort(np.round(times[ids == node] / 0.1) * 0.1)
            assert np.allclose(np.sort(st.magnitude), expected, atol=1e-9)
    finally:
        lamina.end()


@requires_nest
@pytest.mark.backend_nest
def test_bmtk_circuit_engine_and_nest_give_identical_spikes(tmp_path):
    import lamina.nest
    results = {}
    for name, sim in (("engine", lamina), ("nest", lamina.nest)):
        target = tmp_path / name
        shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("output", "*.py"))
        _, _, spikes = run_circuit(sim, str(target))
        sim.end()
        results[name] = sorted_spikes(spikes)
    assert results["engine"].keys() == results["nest"].keys()
    for pop in results["engine"]:
        assert results["engine"][pop].shape == results["nest"][pop].shape
        assert np.allclose(results["engine"][pop], results["nest"][pop], atol=1e-9)


def build_model(sim):
    """A small network of every kind of node and edge the writer handles."""
    rng = sim.NumpyRNG(seed=7)
    inputs = sim.Population(10, sim.SpikeSourceArray(
        spike_times=[sim.Sequence(np.arange(5.0 + k, 150.0, 9.0 + k)) for k in range(10)]),
        label="inputs")
    uniform = sim.RandomDistribution
    exc = sim.Population(20, sim.IF_curr_exp(tau_m=uniform("uniform", (10.0, 20.0), rng=rng),
                                              i_offset=0.3), label="exc")
    inh = sim.Population(8, sim.IF_cond_exp(tau_m=12.0), label="inh")
    exc.initialize(v=sim.RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
    exc.positions = np.vstack([np.arange(20.0), np.zeros(20), np.ones(20)])
    prjs = [
        sim.Projection(inputs, exc, sim.FixedProbabilityConnector(0.4, rng=rng),
                       sim.StaticSynapse(weight=uniform("uniform", (0.5, 1.5), rng=rng),
                                         delay=1.0), receptor_type="excitatory", label="in→exc"),
        sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.3, rng=rng),
                       sim.StaticSynapse(weight=0.01,
                                         delay=uniform("uniform", (0.5, 2.0), rng=rng)),
                       receptor_type="excitatory", label="exc→inh"),
        sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.3, rng=rng),
                       sim.StaticSynapse(weight=-0.4, delay=0.7), receptor_type="inhibitory",
                       label="inh→exc"),
        sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.1, rng=rng),
                       sim.TsodyksMarkramSynapse(weight=0.2, delay=1.2, U=0.4, tau_rec=200.0),
                       receptor_type="excitatory", label="exc→exc"),
    ]
    from lamina.network import Network
    return Network(inputs, exc, inh, *prjs)


def connection_table(prj):
    names = prj.synapse_type.get_parameter_names()
    rows = np.asarray(prj.get(names, format="list", with_address=True), dtype=float)
    return rows[np.lexsort(rows.T[::-1])]


def test_round_trip_lamina_sonata_lamina(tmp_path):
    lamina.setup(timestep=0.1)
    net = build_model(lamina)
    out = str(tmp_path / "exported")
    export_to_sonata(net, out, tstop=150.0)
    original = {p.label: connection_table(p) for p in net.ordered_projections()}
    for pop in net.ordered_populations():
        if pop.celltype.injectable:
            pop.record("spikes")
    lamina.run(150.0)
    spikes_a = {}
    for pop in net.ordered_populations():
        if pop.celltype.injectable:
            trains = pop.get_data("spikes").segments[-1].spiketrains
            spikes_a[pop.label] = sorted((st.annotations["source_index"], round(float(t), 6))
                                         for st in trains for t in st.magnitude)
    lamina.end()
    assert sum(len(v) for v in spikes_a.values()) > 50

    plan = load_sonata_simulation_plan(os.path.join(out, "simulation_config.json"))
    plan.setup(lamina)
    try:
        net2 = import_from_sonata(os.path.join(out, "circuit_config.json"), lamina)
        imported = {p.label: connection_table(p) for p in net2.ordered_projections()}
        names = {"in→exc": "in-exc-0", "exc→inh": "exc-inh-0", "inh→exc": "inh-exc-0",
                 "exc→exc": "exc-exc-0"}
        for label, table in original.items():
            assert np.array_equal(imported[names[label]], table), label
        prj = net2.get_component("exc-exc-0")
        assert type(prj.synapse_type).__name__ == "TsodyksMarkramSynapse"
        assert net2.get_component("inh-exc-0").receptor_type == "inhibitory"
        exc2 = net2.get_component("exc").populations[0]
        assert np.array_equal(exc2.positions, net.get_component("exc").positions)
        plan.execute(net2)
    finally:
        lamina.end()
    spikes_b = read_spikes(os.path.join(out, "output", "spikes.h5"))
    assert set(spikes_b) == set(spikes_a)
    for label, expected in spikes_a.items():
        ids, times = spikes_b[label]
        assert sorted(zip(ids.tolist(), np.round(times, 6).tolist())) == expected, label


def test_pynn_serialization_names_through_compat(circuit, tmp_path):
    """A PyNN 0.13 script using pyNN.serialization runs unchanged with `lamina run`'s
    import redirection."""
    from lamina import compat
    compat.install(backend="engine")
    try:
        import pyNN.nest as sim
        from pyNN.network import Network
        from pyNN.serialization import import_from_sonata as imp
        from pyNN.serialization import load_sonata_simulation_plan as load
        plan = load(os.path.join(circuit, "simulation_config.json"))
        plan.setup(sim)
        net = imp(os.path.join(circuit, "circuit_config.json"), sim)
        assert isinstance(net, Network)
        assert net.count_neurons() == 24 + 6 + 12
        assert net.count_connections() == 137 + 40 + 107 + 72 + 25
        plan.execute(net)
        sim.end()
    finally:
        compat.uninstall()
    assert os.path.isfile(os.path.join(circuit, "output", "spikes.h5"))


PYNN_SONATA_SCRIPT = '''
"""PyNN's documented SONATA usage (pyNN.serialization.sonata), unmodified."""
import sys
from pyNN.serialization import import_from_sonata, load_sonata_simulation_plan
import pyNN.nest as sim

simulation_plan = load_sonata_simulation_plan("simulation_config.json")
simulation_plan.setup(sim)
net = import_from_sonata("circuit_config.json", sim)
simulation_plan.execute(net)
print("cells", net.count_neurons(), "connections", net.count_connections())
'''


def test_pynn_sonata_script_through_lamina_run(circuit):
    """`lamina run script.py --backend engine`: the script runs from the circuit's folder
    as PyNN's documentation shows it, and writes the SONATA output."""
    import subprocess
    import sys
    script = os.path.join(circuit, "run_sonata.py")
    with open(script, "w") as fh:
        fh.write(PYNN_SONATA_SCRIPT)
    out = subprocess.run([sys.executable, "-m", "lamina", "run", script, "--backend", "engine"],
                         cwd=circuit, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "cells 42 connections 381" in out.stdout
    spikes = read_spikes(os.path.join(circuit, "output", "spikes.h5"))
    assert spikes["internal"][0].size > 100
