"""Write the small SONATA circuit used by lamina's SONATA tests, with bmtk's network builder.

Run in a scratch environment with bmtk (it is not a lamina dependency):

    python3 -m venv /tmp/bmtk-venv && /tmp/bmtk-venv/bin/pip install bmtk==1.2.0
    cd tests/data/sonata && /tmp/bmtk-venv/bin/python make_circuit.py

The node and edge files (``network/``) and the input spikes (``inputs/``) are written by
bmtk; the JSON configs are written here by hand (bmtk's environment builder writes absolute
paths). The circuit: population ``internal`` with two node groups (group 0: 16 excitatory
and 8 inhibitory ``nest:iaf_psc_alpha`` cells with positions, node types from
``components/point_neuron_models/*.json``; group 1: 6 ``pyNN:IF_curr_exp`` cells with a
``tag`` column instead of positions), population ``external``: 12 virtual nodes driven by
Poisson spikes. Edges: external->internal (excitatory, pA or nA by target), internal->internal
(excitatory from exc cells, negative weights from inh cells, as NEST writes inhibition).
"""
import json
import os

import numpy as np
from bmtk.builder import NetworkBuilder
from bmtk.utils.reports.spike_trains import PoissonSpikeGenerator

rng = np.random.default_rng(1234)
os.makedirs("network", exist_ok=True)
os.makedirs("inputs", exist_ok=True)
os.makedirs("components/point_neuron_models", exist_ok=True)
os.makedirs("components/synaptic_models", exist_ok=True)

internal = NetworkBuilder("internal")
internal.add_nodes(N=16, model_type="point_neuron", model_template="nest:iaf_psc_alpha",
                   dynamics_params="exc_iaf.json", model_name="exc", ei="e",
                   x=rng.uniform(0, 100, 16), y=rng.uniform(0, 100, 16), z=np.zeros(16))
internal.add_nodes(N=8, model_type="point_neuron", model_template="nest:iaf_psc_alpha",
                   dynamics_params="inh_iaf.json", model_name="inh", ei="i",
                   x=rng.uniform(0, 100, 8), y=rng.uniform(0, 100, 8), z=np.zeros(8))

pynn = NetworkBuilder("pynn")
pynn.add_nodes(N=3, model_type="point_neuron", model_template="pyNN:IF_curr_exp",
               model_name="pynn_exc", tau_m=15.0, i_offset=0.1, x=np.arange(3.0),
               y=np.zeros(3), z=np.zeros(3))
pynn.add_nodes(N=3, model_type="point_neuron", model_template="pyNN:IF_curr_exp",
               model_name="pynn_exc", tau_m=12.0, i_offset=0.2, tag=np.arange(3))

external = NetworkBuilder("external")
external.add_nodes(N=12, model_type="virtual", model_name="poisson", ei="e")


def random_targets(source, target, p, seed):
    """Connection probability `p`, one synapse (bmtk's connection rule protocol)."""
    local = np.random.default_rng(seed + 7 * source.node_id + 1000 * target.node_id)
    return 1 if local.uniform() < p else 0


# external -> NEST-model cells: weights in pA
external.add_edges(source=external.nodes(), target=internal.nodes(model_name="exc"),
                   connection_rule=random_targets, connection_params={"p": 0.5, "seed": 1},
                   syn_weight=300.0, delay=1.5, model_template="nest:static_synapse",
                   dynamics_params="static_exc.json", receptor_type="excitatory")
external.add_edges(source=external.nodes(), target=internal.nodes(model_name="inh"),
                   connection_rule=random_targets, connection_params={"p": 0.5, "seed": 2},
                   syn_weight=250.0, delay=1.5, model_template="nest:static_synapse",
                   dynamics_params="static_exc.json", receptor_type="excitatory")
# external -> PyNN-model cells: weights in nA
external.add_edges(source=external.nodes(), target=pynn.nodes(),
                   connection_rule=random_targets, connection_params={"p": 0.5, "seed": 3},
                   syn_weight=0.5, delay=2.0, model_template="pyNN:StaticSynapse",
                   receptor_type="excitatory")
# recurrent: exc -> NEST cells (pA, one weight per edge in the .h5 file), inh -> NEST cells
# (negative pA: NEST's sign convention for current-based inhibition)
conn = internal.add_edges(source=internal.nodes(model_name="exc"),
                          target=internal.nodes(), connection_rule=random_targets,
                          connection_params={"p": 0.3, "seed": 4},
                          delay=1.0, model_template="nest:static_synapse",
                          dynamics_params="static_exc.json", receptor_type="excitatory")
conn.add_properties("syn_weight", rule=lambda s, t: float(50 + 3 * s.node_id),
                    dtypes=float)
internal.add_edges(source=internal.nodes(model_name="inh"), target=internal.nodes(),
                   connection_rule=random_targets, connection_params={"p": 0.4, "seed": 5},
                   syn_weight=-120.0, delay=0.8, model_template="nest:static_synapse",
                   dynamics_params="static_inh.json", receptor_type="inhibitory")
internal.add_edges(source=internal.nodes(model_name="exc"), target=pynn.nodes(),
                   connection_rule=random_targets, connection_params={"p": 0.3, "seed": 6},
                   syn_weight=0.2, delay=1.2, model_template="pyNN:StaticSynapse",
                   receptor_type="excitatory")

for net in (internal, pynn, external):
    net.build()
    net.save(output_dir="network")

psg = PoissonSpikeGenerator(population="external", seed=42)
psg.add(node_ids=range(12), firing_rate=40.0, times=(0.0, 0.3))  # seconds
psg.to_sonata("inputs/external_spikes.h5")

models = {"exc_iaf.json": {"C_m": 250.0, "tau_m": 15.0, "t_ref": 2.0, "E_L": -70.0,
                           "V_reset": -70.0, "V_th": -55.0, "tau_syn_ex": 2.0,
                           "tau_syn_in": 5.0, "I_e": 120.0},
          "inh_iaf.json": {"C_m": 200.0, "tau_m": 10.0, "t_ref": 1.0, "E_L": -65.0,
                           "V_reset": -68.0, "V_th": -52.0, "tau_syn_ex": 1.5,
                           "tau_syn_in": 4.0, "I_e": 0.0}}
for name, params in models.items():
    with open(f"components/point_neuron_models/{name}", "w") as fh:
        json.dump(params, fh, indent=2)
for name in ("static_exc.json", "static_inh.json"):
    with open(f"components/synaptic_models/{name}", "w") as fh:
        json.dump({}, fh)

circuit = {
    "manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network",
                 "$COMPONENT_DIR": "$BASE_DIR/components"},
    "target_simulator": "NEST",
    "components": {"point_neuron_models_dir": "$COMPONENT_DIR/point_neuron_models",
                   "synaptic_models_dir": "$COMPONENT_DIR/synaptic_models"},
    "networks": {
        "nodes": [{"nodes_file": f"$NETWORK_DIR/{p}_nodes.h5",
                   "node_types_file": f"$NETWORK_DIR/{p}_node_types.csv"}
                  for p in ("internal", "pynn", "external")],
        "edges": [{"edges_file": f"$NETWORK_DIR/{e}_edges.h5",
                   "edge_types_file": f"$NETWORK_DIR/{e}_edge_types.csv"}
                  for e in ("external_internal", "external_pynn", "internal_internal",
                            "internal_pynn")]}}
simulation = {
    "manifest": {"$BASE_DIR": ".", "$OUTPUT_DIR": "$BASE_DIR/output",
                 "$INPUT_DIR": "$BASE_DIR/inputs"},
    "target_simulator": "NEST",
    "run": {"tstop": 300.0, "dt": 0.1},
    "inputs": {"external_spikes": {"input_type": "spikes", "module": "h5",
                                   "input_file": "$INPUT_DIR/external_spikes.h5",
                                   "node_set": "external"},
               "pynn_clamp": {"input_type": "current_clamp", "module": "IClamp",
                              "node_set": "pynn_cells", "amp": 300.0, "delay": 50.0,
                              "duration": 100.0}},
    "output": {"output_dir": "$OUTPUT_DIR", "spikes_file": "spikes.h5",
               "spikes_sort_order": "time", "overwrite_output_dir": True},
    "reports": {"membrane_potential": {"cells": "inh_cells", "variable_name": "V_m",
                                       "module": "multimeter_report", "sections": "soma"}},
    "node_sets_file": "$BASE_DIR/node_sets.json"}
node_sets = {"inh_cells": {"population": "internal", "model_name": "inh"},
             "pynn_cells": {"population": "pynn"}}
for name, obj in (("circuit_config.json", circuit), ("simulation_config.json", simulation),
                  ("node_sets.json", node_sets)):
    with open(name, "w") as fh:
        json.dump(obj, fh, indent=2)
