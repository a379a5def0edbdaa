"""Malformed SONATA input: a `FileFormatError` naming the file, the element and what was
expected; config manifest substitution."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

h5py = pytest.importorskip("h5py", reason="SONATA needs h5py (pip install lamina[sonata])")

import lamina  # noqa: E402
from lamina.errors import FileFormatError, InvalidModelError  # noqa: E402
from lamina.io.sonata import import_from_sonata, load_sonata_simulation_plan  # noqa: E402
from lamina.io.sonata.config import load_config  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "sonata")


@pytest.fixture
def circuit(tmp_path):
    target = tmp_path / "circuit"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("output", "*.py"))
    lamina.setup(timestep=0.1)
    yield target
    lamina.end()


def load(circuit):
    return import_from_sonata(str(circuit / "circuit_config.json"), lamina)


def test_manifest_and_relative_paths(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({
        "manifest": {"$BASE_DIR": "${configdir}/base", "$NET": "$BASE_DIR/net"},
        "networks": {"nodes": [{"nodes_file": "$NET/n.h5", "node_types_file": "t.csv"}]}}))
    cfg = load_config(str(tmp_path / "c.json"))
    entry = cfg["networks"]["nodes"][0]
    assert entry["nodes_file"] == str(tmp_path / "base" / "net" / "n.h5")
    assert entry["node_types_file"] == str(tmp_path / "t.csv")   # relative to the config


def test_undefined_manifest_variable(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({"networks": {"nodes": [
        {"nodes_file": "$NOWHERE/n.h5", "node_types_file": "t.csv"}]}}))
    with pytest.raises(FileFormatError, match=r"c\.json: \$NOWHERE is used but not defined"):
        load_config(str(tmp_path / "c.json"))


def test_not_json(tmp_path):
    (tmp_path / "c.json").write_text("{nodes: ")
    with pytest.raises(FileFormatError, match=r"c\.json: not valid JSON"):
        load_config(str(tmp_path / "c.json"))


def test_missing_dataset(circuit):
    path = circuit / "network" / "internal_nodes.h5"
    with h5py.File(path, "a") as fh:
        del fh["nodes/internal/node_type_id"]
    with pytest.raises(FileFormatError,
                       match=r"internal_nodes\.h5: /nodes/internal/node_type_id is missing; "
                             r"expected one integer node type per node"):
        load(circuit)


def test_wrong_length(circuit):
    path = circuit / "network" / "internal_nodes.h5"
    with h5py.File(path, "a") as fh:
        del fh["nodes/internal/node_group_index"]
        fh["nodes/internal/node_group_index"] = np.arange(5)
    with pytest.raises(FileFormatError, match=r"/nodes/internal/node_group_index has 5 entries; "
                                              r"expected 24"):
        load(circuit)


def test_bad_magic(circuit):
    with h5py.File(circuit / "network" / "pynn_nodes.h5", "a") as fh:
        fh.attrs["magic"] = np.uint32(1)
    with pytest.raises(FileFormatError,
                       match=r"pynn_nodes\.h5: attribute 'magic' is 1, expected 2682"):
        load(circuit)


def test_unknown_node_type(circuit):
    csv = circuit / "network" / "internal_node_types.csv"
    csv.write_text(csv.read_text().replace("\n101 ", "\n999 "))
    with pytest.raises(FileFormatError, match=r"internal_nodes\.h5: /nodes/internal/node_type_id "
                                              r"uses type 101, which .*internal_node_types\.csv "
                                              r"does not define"):
        load(circuit)


def test_missing_dynamics_params_file(circuit):
    os.remove(circuit / "components" / "point_neuron_models" / "inh_iaf.json")
    with pytest.raises(FileFormatError, match=r"internal_node_types\.csv: type 101 names "
                                              r"dynamics_params 'inh_iaf\.json'"):
        load(circuit)


def test_unknown_model_template(circuit):
    csv = circuit / "network" / "pynn_node_types.csv"
    csv.write_text(csv.read_text().replace("pyNN:IF_curr_exp", "pyNN:IF_curr_expo"))
    with pytest.raises(InvalidModelError, match=r"model_template 'pyNN:IF_curr_expo' names no "
                                                r"standard cell type\. Did you mean `IF_curr_exp`"):
        load(circuit)


def test_edge_to_unknown_node(circuit):
    with h5py.File(circuit / "network" / "internal_pynn_edges.h5", "a") as fh:
        ds = fh["edges/internal_to_pynn/target_node_id"]
        data = ds[()]
        data[0] = 77
        ds[...] = data
    with pytest.raises(FileFormatError, match=r"internal_pynn_edges\.h5: edge population "
                                              r"internal_to_pynn has target node id 77"):
        load(circuit)


def test_bad_input_type(circuit):
    cfg = json.loads((circuit / "simulation_config.json").read_text())
    cfg["inputs"]["pynn_clamp"]["input_type"] = "voltage_clamp"
    (circuit / "simulation_config.json").write_text(json.dumps(cfg))
    plan = load_sonata_simulation_plan(str(circuit / "simulation_config.json"))
    plan.setup(lamina)
    net = load(circuit)
    with pytest.raises(FileFormatError, match=r"simulation_config\.json: inputs\.pynn_clamp\."
                                              r"input_type='voltage_clamp'"):
        plan.execute(net)


def test_run_section_needs_numbers(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps({"run": {"tstop": "long", "dt": 0.1}}))
    with pytest.raises(FileFormatError, match=r"s\.json: run\.tstop is 'long'; expected a number"):
        load_sonata_simulation_plan(str(tmp_path / "s.json"))


def test_node_set_filters(circuit):
    """node_id lists, attribute value lists, population lists and compound node sets."""
    from lamina.io.sonata import node_sets
    net = load(circuit)
    sets = {"by_id": {"population": "internal", "node_id": [0, 5, 20]},
            "by_ids": {"population": "internal", "node_ids": [0, 5, 20]},
            "two_kinds": {"model_name": ["inh", "pynn_exc"]},
            "pops": {"population": ["pynn", "external"]},
            "union": ["by_id", "pops"]}

    def cells(name):
        return sorted((s.node_population, int(i)) for s in node_sets.resolve(name, sets, net, "cfg")
                      for i in s.node_ids)

    assert cells("by_id") == [("internal", 0), ("internal", 5), ("internal", 20)]
    assert cells("by_ids") == cells("by_id")
    assert cells("two_kinds") == [("internal", i) for i in range(16, 24)] + \
        [("pynn", i) for i in range(6)]
    assert cells("pops") == [("external", i) for i in range(12)] + [("pynn", i) for i in range(6)]
    assert cells("union") == sorted(cells("by_id") + cells("pops"))
    assert cells("internal") == [("internal", i) for i in range(24)]     # implicit node set
    with pytest.raises(FileFormatError, match=r"cfg: node set 'nope' is not defined"):
        cells("nope")
    with pytest.raises(FileFormatError, match=r"cfg: node set 'bad' names population 'x'"):
        node_sets.resolve("bad", {"bad": {"population": "x"}}, net, "cfg")


def test_receptor_from_the_weight_sign_where_not_given(circuit):
    """Without receptor_type (as bmtk's NEST circuits often are), a negative weight means
    inhibitory, as in NEST; one Projection per receptor."""
    csv = circuit / "network" / "internal_internal_edge_types.csv"
    lines = [line.split(" ") for line in csv.read_text().splitlines()]
    drop = lines[0].index("receptor_type")
    csv.write_text("\n".join(" ".join(c for k, c in enumerate(line) if k != drop)
                             for line in lines) + "\n")
    net = load(circuit)
    prjs = {p.label: p for p in net.ordered_projections()}
    assert prjs["internal_to_internal-0"].receptor_type == "excitatory"
    inh = prjs["internal_to_internal-1"]
    assert inh.receptor_type == "inhibitory"
    assert np.all(np.asarray(inh.get("weight", "list", with_address=False)) == -120.0)
