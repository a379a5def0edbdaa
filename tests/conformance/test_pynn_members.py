"""The public attributes PyNN 0.13's Population, PopulationView, Assembly, Projection and ID
have (besides NEST-only ones such as ``node_collection`` and the PyNN 0.7 names that
`lamina.classic` provides) exist in lamina too. Listed from PyNN 0.13 + NEST 3.10 objects."""
import pytest

COMMON_CELLS = (
    "all", "all_cells", "annotate", "annotations", "can_record", "celltype",
    "conductance_based", "describe", "find_units", "first_id", "get", "get_data",
    "get_spike_counts", "id_to_index", "initial_values", "initialize", "inject", "injectable",
    "is_local", "label", "last_id", "local_cells", "local_size", "mean_spike_count", "nearest",
    "position_generator", "positions", "receptor_types", "record", "sample", "save_positions",
    "set", "size", "structure", "write_data")
MEMBERS = {
    "Population": COMMON_CELLS + ("id_to_local_index",),
    "PopulationView": COMMON_CELLS + ("grandparent", "index_from_parent_index",
                                      "index_in_grandparent", "mask", "parent"),
    "Assembly": ("all", "all_cells", "annotations", "conductance_based", "describe",
                 "find_units", "first_id", "get", "get_data", "get_population",
                 "get_spike_counts", "id_to_index", "initialize", "inject", "injectable",
                 "label", "last_id", "local_cells", "mean_spike_count", "populations",
                 "position_generator", "positions", "receptor_types", "record", "sample",
                 "save_positions", "set", "size", "write_data"),
    "Projection": ("MULTI_SYNAPSE_OPERATIONS", "annotate", "annotations", "connections",
                   "describe", "get", "initial_values", "initialize", "label", "post", "pre",
                   "receptor_type", "save", "set", "shape", "size", "source", "space",
                   "synapse_type"),
    "ID": ("as_view", "celltype", "get_initial_value", "get_parameters", "inject",
           "is_standard_cell", "local", "parent", "position", "set_initial_value",
           "set_parameters"),
}


@pytest.mark.parametrize("kind", sorted(MEMBERS))
def test_pynn_members_exist(sim, kind):
    p = sim.Population(4, sim.IF_cond_exp(), label="P")
    q = sim.Population(2, sim.SpikeSourcePoisson(), label="Q")
    objects = {"Population": p, "PopulationView": p[1:3], "Assembly": p + q, "ID": p[0],
               "Projection": sim.Projection(q, p, sim.AllToAllConnector())}
    obj = objects[kind]
    missing = [name for name in MEMBERS[kind] if not hasattr(obj, name)]
    assert missing == []
