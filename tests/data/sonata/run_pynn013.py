"""PyNN 0.13 on NEST running this circuit, for comparison with lamina (not part of the tests).

Run in a copy of this directory with a PyNN 0.13 + NEST + h5py environment:
    cp -r tests/data/sonata /tmp/c && cd /tmp/c && python run_pynn013.py /tmp/pynn_spikes.npz
The work-arounds below are for PyNN 0.13 bugs met with NEST 3.10 and numpy 2.
"""
import importlib, json, sys
import h5py, numpy as np
# PyNN 0.13 reads the old spike layout (/spikes/gids, /spikes/timestamps)
with h5py.File("inputs/external_spikes.h5") as f:
    ids = f["spikes/external/node_ids"][()]; ts = f["spikes/external/timestamps"][()]
with h5py.File("inputs/external_spikes_old.h5", "w") as g:
    g["spikes/gids"] = ids.astype(np.uint64); g["spikes/timestamps"] = np.round(ts / 0.1) * 0.1 if "--grid" in sys.argv else ts
cfg = json.load(open("simulation_config.json"))
cfg["inputs"]["external_spikes"]["input_file"] = "$INPUT_DIR/external_spikes_old.h5"
# PyNN 0.13's virtual nodes for target NEST (native spike_generator) fail on NEST 3.10;
# target "PyNN" gives SpikeSourceArray instead, and the current clamp amplitude in nA
cfg["target_simulator"] = "PyNN"
cfg["inputs"]["pynn_clamp"]["amp"] /= 1000.0
json.dump(cfg, open("simulation_config.json", "w"))
circ = json.load(open("circuit_config.json")); circ["target_simulator"] = "PyNN"
json.dump(circ, open("circuit_config.json", "w"))
import pyNN.nest as sim
cells = importlib.import_module("pyNN.nest.cells")
_orig = cells.get_defaults
def get_defaults(name):   # PyNN 0.13 + NEST 3.10: numpy.bool defaults are refused by nest.Create
    p, i = _orig(name)
    return {k: v for k, v in p.items() if not isinstance(v, (bool, np.bool_))}, i
cells.get_defaults = get_defaults
from pyNN.serialization import import_from_sonata, load_sonata_simulation_plan
plan = load_sonata_simulation_plan("simulation_config.json")
plan.setup(sim)
sim.setup(timestep=plan.run_config["dt"], spike_precision="on_grid")  # as lamina (PyNN 0.13 default: off_grid)
net = import_from_sonata("circuit_config.json", sim)
for a in net.assemblies: print(a.label, [ (p.label, p.size, type(p.celltype).__name__) for p in a.populations])
for p in sorted(net.projections, key=lambda p: p.label): print(p.label, p.pre.label, p.post.label, p.receptor_type)
try:
    plan.execute(net)
except TypeError as err:   # PyNN 0.13's SonataIO.write fails under numpy 2 (np.hstack of a generator)
    print("PyNN's spike writer failed:", err)
out = {}
for assembly in net.assemblies:
    offset = 0
    for pop in assembly.populations:
        seg = pop.get_data("spikes").segments[-1]
        for st in seg.spiketrains:
            node = offset + st.annotations["source_index"]
            out.setdefault(assembly.label, []).extend((node, float(t)) for t in st.magnitude)
        offset += pop.size
import sys
np.savez(sys.argv[1] if len(sys.argv) > 1 else "pynn_spikes.npz",
         **{k: np.array(v).reshape(-1, 2) for k, v in out.items()})
print({k: len(v) for k, v in out.items()})
